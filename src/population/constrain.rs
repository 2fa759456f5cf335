//! Keeping projections consistent with a control: gemeenten scaled per age × sex so that they
//! add up to the national population, and a national projection scaled to published band
//! totals. The scaling is booked as migration so every region's accounts still balance.

use super::PopulationError;
use super::grid::{AGES, Pop};
use super::project::Components;
use super::split::BandTotal;

/// Pro-rata scaling per component cell (docs/METHODS.md §1a "Constraining municipalities"):
/// P̂(x, s, g) = P(x, s, g) · P_nat(x, s) / Σ_g P(x, s, g). A cell that is zero in every region
/// but not in the control is shared by the regions' totals. The difference is added to each
/// region's migration of that year.
pub fn constrain_to_control(
    regions: &mut [Pop],
    flows: &mut [Components],
    control: &Pop,
) -> Result<(), PopulationError> {
    if regions.is_empty() {
        return Ok(());
    }
    let scaling = ControlScaling::of(regions, control);
    // Each region scaled on its own: in parallel.
    use rayon::prelude::*;
    if flows.len() >= regions.len() {
        regions
            .par_iter_mut()
            .zip(flows.par_iter_mut())
            .enumerate()
            .for_each(|(g, (p, f))| scaling.apply(g, p, Some(f)));
    } else {
        regions
            .par_iter_mut()
            .enumerate()
            .for_each(|(g, p)| scaling.apply(g, p, None));
    }
    Ok(())
}

/// What [`constrain_to_control`] scales every region's cells by: the sums over the regions
/// per cell, and the regions' totals for cells that are zero in every region.
struct ControlScaling<'a> {
    sums: [[f64; AGES]; 2],
    totals: Vec<f64>,
    grand: f64,
    control: &'a Pop,
}

impl<'a> ControlScaling<'a> {
    fn of(regions: &[Pop], control: &'a Pop) -> ControlScaling<'a> {
        let totals: Vec<f64> = regions.iter().map(Pop::total).collect();
        let grand: f64 = totals.iter().sum();
        // Σ_g P(x, s, g) for every cell, the regions added in order (as `Iterator::sum`
        // would, from -0.0), a region at a time: the same sums, read along memory.
        let mut sums = [[-0.0; AGES]; 2];
        for p in regions {
            for (sum, cells) in sums.iter_mut().zip(&p.0) {
                for (s, c) in sum.iter_mut().zip(cells) {
                    *s += c;
                }
            }
        }
        ControlScaling {
            sums,
            totals,
            grand,
            control,
        }
    }

    /// Scale region `g` (the difference booked as its migration, when `flow` is given).
    fn apply(&self, g: usize, p: &mut Pop, mut flow: Option<&mut Components>) {
        for s in 0..2 {
            for a in 0..AGES {
                let (sum, target) = (self.sums[s][a], self.control.0[s][a]);
                let new = if sum > 0.0 {
                    p.0[s][a] * target / sum
                } else if self.grand > 0.0 {
                    target * self.totals[g] / self.grand
                } else {
                    0.0
                };
                if let Some(f) = flow.as_deref_mut() {
                    f.migration.0[s][a] += new - p.0[s][a];
                }
                p.0[s][a] = new;
            }
        }
    }
}

/// Scale a population so that the given age bands (both sexes) match their totals exactly,
/// keeping the age-sex pattern within each band (the bands must not overlap).
pub fn scale_to_bands(p: &mut Pop, bands: &[BandTotal]) -> Result<(), PopulationError> {
    for b in bands {
        let s = p.band(b.lo, b.hi);
        if s <= 0.0 {
            return Err(PopulationError::Method {
                method: "scale_to_bands".into(),
                message: format!("band {}..={} is empty", b.lo, b.hi),
            });
        }
        let f = b.total / s;
        for sex in 0..2 {
            for a in b.lo..=b.hi {
                p.0[sex][a] *= f;
            }
        }
    }
    Ok(())
}

/// Scale a population per sex and age band to given cells `(lo, hi, [men, women])` (the bands
/// must not overlap), keeping the single-year pattern within each cell.
pub fn scale_to_sex_bands(
    p: &mut Pop,
    cells: &[(usize, usize, [f64; 2])],
) -> Result<(), PopulationError> {
    for (lo, hi, targets) in cells {
        for sex in 0..2 {
            let s = p.band_sex(sex, *lo, *hi);
            if s <= 0.0 {
                return Err(PopulationError::Method {
                    method: "scale_to_sex_bands".into(),
                    message: format!("band {lo}..={hi} of sex {sex} is empty"),
                });
            }
            let f = targets[sex] / s;
            for a in *lo..=(*hi).min(AGES - 1) {
                p.0[sex][a] *= f;
            }
        }
    }
    Ok(())
}

/// Iterative proportional fitting with two margins: each region's band totals (rows) and the
/// control's age × sex cells (columns), until no band needs a correction above 1e-6 (the
/// bands are met exactly, the control cells to within a millionth). Used for the base year, when region totals by band
/// and the national single-year population are both known. Deming & Stephan (1940).
pub fn ipf_two_margins(
    regions: &mut [Pop],
    region_bands: &[Vec<BandTotal>],
    control: &Pop,
) -> Result<usize, PopulationError> {
    use rayon::prelude::*;
    for it in 1..=500 {
        if regions.is_empty() {
            return Ok(it);
        }
        // The control's cells, then each region's bands: a region's two steps depend on
        // that region alone, so both run in one parallel pass. The largest band correction
        // is the same whatever the order.
        let scaling = ControlScaling::of(regions, control);
        let worst = regions
            .par_iter_mut()
            .zip(region_bands)
            .enumerate()
            .map(|(g, (p, bands))| {
                scaling.apply(g, p, None);
                let mut worst: f64 = 0.0;
                for b in bands {
                    let s = p.band(b.lo, b.hi);
                    if s > 0.0 {
                        let f = b.total / s;
                        for sex in 0..2 {
                            for a in b.lo..=b.hi {
                                p.0[sex][a] *= f;
                            }
                        }
                        worst = worst.max((f - 1.0).abs());
                    }
                }
                worst
            })
            .reduce(|| 0.0, f64::max);
        if worst < 1e-6 {
            return Ok(it);
        }
    }
    Ok(500)
}
