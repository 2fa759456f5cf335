//! Monte Carlo draws (METHODS §1f): every parameter with a `spread` is drawn, the population
//! too when `[uncertainty] population = "kernprognose"`, and the groups and dwellings are
//! counted per draw. Percentiles per cell (p2_5, p16_5, p50, p83_5, p97_5 — the 67 % and 95 %
//! intervals CBS publishes) are kept with P² estimators, so memory does not grow with the
//! number of draws.
//!
//! Reproducible: draw `d` uses ChaCha8 seeded with the run's seed on stream `d`; draws run in
//! parallel (rayon) in fixed batches and enter the estimators in draw order, so the result does
//! not depend on the number of threads.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{StandardNormal, Triangular, Uniform};
use rayon::prelude::*;

use crate::groups::catalogue::{Catalogue, Param, Spread};
use crate::groups::demand::{GroupInputs, Unit};
use crate::groups::{Observed, project_groups};
use crate::housing::HousingCatalogue;
use crate::housing::dwellings::dwelling_demand;
use crate::population::Pop;

use crate::output::tables::{AREA_KEYS, TableWriter, create_keyed_csv};

use super::groups::group_inputs;
use super::projection::VariantResult;
use super::run::Area;

/// The quantiles reported, as fractions.
pub const QUANTILES: [f64; 5] = [0.025, 0.165, 0.5, 0.835, 0.975];
/// Their column names.
pub const QUANTILE_COLUMNS: [&str; 5] = ["p2_5", "p16_5", "p50", "p83_5", "p97_5"];

/// Standard-normal quantile of the Kernprognose's 67 % bounds (16.5 % and 83.5 %).
const Z_67: f64 = 0.974_114;

/// **P² quantile estimator** (Jain & Chlamtac 1985, *Communications of the ACM* 28(10)): five
/// markers follow one quantile of a stream with piecewise-parabolic updates, in constant
/// memory. Exact for up to five observations, and for a constant stream.
#[derive(Debug, Clone)]
pub struct P2 {
    p: f64,
    q: [f64; 5],
    n: [f64; 5],
    np: [f64; 5],
    count: usize,
}

impl P2 {
    pub fn new(p: f64) -> P2 {
        P2 {
            p,
            q: [0.0; 5],
            n: [0.0, 1.0, 2.0, 3.0, 4.0],
            np: [0.0, 2.0 * p, 4.0 * p, 2.0 + 2.0 * p, 4.0],
            count: 0,
        }
    }

    pub fn add(&mut self, x: f64) {
        if self.count < 5 {
            self.q[self.count] = x;
            self.count += 1;
            if self.count == 5 {
                self.q.sort_by(f64::total_cmp);
            }
            return;
        }
        self.count += 1;
        let k = if x < self.q[0] {
            self.q[0] = x;
            0
        } else if x >= self.q[4] {
            self.q[4] = x;
            3
        } else {
            (0..4).find(|&i| x < self.q[i + 1]).unwrap_or(3)
        };
        for i in k + 1..5 {
            self.n[i] += 1.0;
        }
        let p = self.p;
        let dn = [0.0, p / 2.0, p, (1.0 + p) / 2.0, 1.0];
        for (np, d) in self.np.iter_mut().zip(dn) {
            *np += d;
        }
        for i in 1..4 {
            let d = self.np[i] - self.n[i];
            if (d >= 1.0 && self.n[i + 1] - self.n[i] > 1.0)
                || (d <= -1.0 && self.n[i - 1] - self.n[i] < -1.0)
            {
                let s = d.signum();
                let parabolic = self.q[i]
                    + s / (self.n[i + 1] - self.n[i - 1])
                        * ((self.n[i] - self.n[i - 1] + s) * (self.q[i + 1] - self.q[i])
                            / (self.n[i + 1] - self.n[i])
                            + (self.n[i + 1] - self.n[i] - s) * (self.q[i] - self.q[i - 1])
                                / (self.n[i] - self.n[i - 1]));
                self.q[i] = if self.q[i - 1] < parabolic && parabolic < self.q[i + 1] {
                    parabolic
                } else {
                    let j = if s > 0.0 { i + 1 } else { i - 1 };
                    self.q[i] + s * (self.q[j] - self.q[i]) / (self.n[j] - self.n[i])
                };
                self.n[i] += s;
            }
        }
    }

    /// The estimate (nearest rank for fewer than five observations).
    pub fn value(&self) -> f64 {
        if self.count >= 5 {
            return self.q[2];
        }
        if self.count == 0 {
            return f64::NAN;
        }
        let mut v: Vec<f64> = self.q[..self.count].to_vec();
        v.sort_by(f64::total_cmp);
        let i = ((self.p * self.count as f64).ceil() as usize).clamp(1, self.count) - 1;
        v[i]
    }
}

/// Draw one value of a parameter (its path moves along: shifted for additive spreads, scaled
/// for the lognormal).
pub fn draw_param(p: &mut Param, rng: &mut ChaCha8Rng) {
    let Some(spread) = p.spread else { return };
    let old = p.value;
    let new = match spread {
        Spread::Normal(sd) => old + sd * rng.sample::<f64, _>(StandardNormal),
        Spread::Lognormal(sd) => old * (sd * rng.sample::<f64, _>(StandardNormal)).exp(),
        Spread::Triangular([lo, hi]) => match Triangular::new(lo, hi, old.clamp(lo, hi)) {
            Ok(t) if hi > lo => rng.sample(t),
            _ => old,
        },
        Spread::Uniform([lo, hi]) => match Uniform::new_inclusive(lo, hi) {
            Ok(u) => rng.sample(u),
            Err(_) => old,
        },
    };
    let lognormal = matches!(spread, Spread::Lognormal(_));
    for v in p.path.values_mut() {
        *v = if lognormal && old != 0.0 {
            *v * new / old
        } else {
            *v + (new - old)
        };
    }
    p.value = new;
}

/// Every parameter of the group catalogue that can carry a spread.
fn group_params(c: &mut Catalogue) -> Vec<&mut Param> {
    let mut out = Vec::new();
    for g in &mut c.groups {
        if let Some(t) = g.trend.as_mut() {
            out.push(t);
        }
        if let Some(sf) = g.stock_flow.as_mut() {
            out.push(&mut sf.duur);
            out.push(&mut sf.capaciteit);
            if let Some(s) = sf.start.as_mut() {
                out.push(s);
            }
        }
        if let Some(t) = g.taakstelling.as_mut() {
            out.push(&mut t.later);
            out.push(&mut t.achterstand);
            out.push(&mut t.realisatie);
        }
    }
    out
}

/// Every parameter of the housing catalogue that can carry a spread.
fn housing_params(h: &mut HousingCatalogue) -> Vec<&mut Param> {
    let mut out: Vec<&mut Param> = vec![
        &mut h.occupancy,
        &mut h.geclusterd_cbs,
        &mut h.social_share,
        &mut h.mutatiegraad,
        &mut h.threshold,
    ];
    for g in &mut h.groups {
        out.push(&mut g.sociale_huur);
    }
    out
}

/// What every draw starts from.
pub struct DrawBase<'a> {
    pub catalogue: &'a Catalogue,
    pub observed: &'a Observed,
    pub housing: Option<(&'a HousingCatalogue, &'a crate::groups::methods::Rates)>,
    /// midden, and laag/hoog when the population is drawn.
    pub midden: GroupInputs,
    pub low_high: Option<(GroupInputs, GroupInputs)>,
    pub areas: &'a [Area],
    pub seed: u64,
}

/// The cells of one draw, in a fixed order: per area, per group, per year gross then net; then
/// (with housing) per area, per dwelling type, per year the net demand.
pub type DrawCells = Vec<f64>;

fn mix(a: &Pop, b: &Pop, f: f64) -> Pop {
    let mut o = *a;
    for s in 0..2 {
        for x in 0..a.0[s].len() {
            o.0[s][x] += f * (b.0[s][x] - a.0[s][x]);
        }
    }
    o
}

/// The population of a draw: midden moved towards hoog (z > 0) or laag (z < 0), the 67 % bound
/// reached at |z| = 0.974 (the Kernprognose's intervals by a standard-normal draw; METHODS §1f).
fn population_draw(mid: &GroupInputs, lo: &GroupInputs, hi: &GroupInputs, z: f64) -> GroupInputs {
    let (other, f) = if z >= 0.0 {
        (hi, z / Z_67)
    } else {
        (lo, -z / Z_67)
    };
    let mix_all =
        |a: &[Pop], b: &[Pop]| -> Vec<Pop> { a.iter().zip(b).map(|(x, y)| mix(x, y, f)).collect() };
    GroupInputs {
        base_year: mid.base_year,
        units: mid
            .units
            .iter()
            .zip(&other.units)
            .map(|(m, o)| Unit {
                code: m.code.clone(),
                stocks: mix_all(&m.stocks, &o.stocks),
            })
            .collect(),
        all_base: mid
            .all_base
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    other.all_base.get(k).map(|o| mix(v, o, f)).unwrap_or(*v),
                )
            })
            .collect(),
        national: mix_all(&mid.national, &other.national),
    }
}

/// One draw.
pub fn run_draw(d: u64, b: &DrawBase) -> Result<DrawCells, crate::groups::GroupError> {
    let mut rng = ChaCha8Rng::seed_from_u64(b.seed);
    rng.set_stream(d);
    let inputs = match &b.low_high {
        Some((lo, hi)) => {
            let z: f64 = rng.sample(StandardNormal);
            population_draw(&b.midden, lo, hi, z)
        }
        None => b.midden.clone(),
    };
    let mut cat = b.catalogue.clone();
    for p in group_params(&mut cat) {
        draw_param(p, &mut rng);
    }
    let housing = b.housing.map(|(h, rates)| {
        let mut h = h.clone();
        for p in housing_params(&mut h) {
            draw_param(p, &mut rng);
        }
        (h, rates)
    });
    let counts = project_groups(&cat, b.observed, &inputs)?;
    let mut cells = Vec::new();
    let mut per_type: Vec<f64> = Vec::new();
    for area in b.areas {
        let a = counts.area(&cat, &area.base_codes())?;
        for gi in 0..cat.groups.len() {
            for t in 0..a.gross[gi].len() {
                cells.push(a.gross[gi][t]);
                cells.push(a.net[gi][t]);
            }
        }
        if let Some((h, rates)) = &housing {
            let dw = dwelling_demand(h, &cat, &a, rates);
            let n = a.gross.first().map(|v| v.len()).unwrap_or(0);
            for ti in 0..h.types.len() {
                for t in 0..n {
                    per_type.push(
                        dw.iter()
                            .flat_map(|d| d.by_type.iter())
                            .filter(|td| td.dwelling_type == ti)
                            .map(|td| td.net[t])
                            .sum(),
                    );
                }
            }
        }
    }
    cells.extend(per_type);
    Ok(cells)
}

/// Percentiles of every cell over all draws.
pub struct Bands {
    pub draws: usize,
    /// `cells[i][q]`: the QUANTILES of cell i.
    pub cells: Vec<[f64; 5]>,
}

/// Run `draws` draws, `batch` at a time in parallel, feeding the estimators in draw order.
/// `progress` is called with the number of draws done.
pub fn run_draws(
    b: &DrawBase,
    draws: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Bands, crate::groups::GroupError> {
    const BATCH: usize = 32;
    let mut acc: Vec<[P2; 5]> = Vec::new();
    let mut done = 0;
    while done < draws {
        let end = (done + BATCH).min(draws);
        let results: Vec<Result<DrawCells, _>> = (done..end)
            .into_par_iter()
            .map(|d| run_draw(d as u64, b))
            .collect();
        let batch: Vec<DrawCells> = results.into_iter().collect::<Result<_, _>>()?;
        if acc.is_empty()
            && let Some(first) = batch.first()
        {
            acc = (0..first.len()).map(|_| QUANTILES.map(P2::new)).collect();
        }
        // The estimators of different cells are independent: update them in parallel, each
        // cell still seeing the draws in draw order (same result for any number of threads).
        const CHUNK: usize = 4096;
        acc.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| {
                for cells in &batch {
                    let values = cells.get(c * CHUNK..).unwrap_or(&[]);
                    for (a, v) in chunk.iter_mut().zip(values) {
                        for q in a.iter_mut() {
                            q.add(*v);
                        }
                    }
                }
            });
        done = end;
        progress(done);
    }
    Ok(Bands {
        draws,
        cells: acc
            .iter()
            .map(|a| [0, 1, 2, 3, 4].map(|i| a[i].value()))
            .collect(),
    })
}

/// The group inputs of a variant for the units of the areas.
pub fn inputs_of(v: &VariantResult, areas: &[Area]) -> GroupInputs {
    let units: Vec<String> = areas
        .iter()
        .flat_map(|a| a.base_codes())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    group_inputs(v, &units)
}

/// The Monte Carlo part of a run: the draws' bases, the draws, the bands.
#[allow(clippy::too_many_arguments)]
pub fn monte_carlo(
    scenario_path: &std::path::Path,
    g: &super::groups::GroupRun,
    h: Option<&super::housing::HousingRun>,
    variants: &[VariantResult],
    areas: &[Area],
    draws: usize,
    seed: u64,
    population: bool,
    opts: &super::run::RunOptions,
) -> Result<Bands, super::run::RunError> {
    let find = |name: &str| variants.iter().find(|v| v.name == name);
    let midden = find("midden").or(variants.first()).ok_or_else(|| {
        super::schema::ScenarioError::Invalid {
            path: scenario_path.to_path_buf(),
            key: "projection".into(),
            message: "Monte Carlo needs a projection".into(),
            hint: "add [projection]".into(),
        }
    })?;
    let low_high = if population {
        match (find("laag"), find("hoog")) {
            (Some(l), Some(hh)) => Some((inputs_of(l, areas), inputs_of(hh, areas))),
            _ => {
                return Err(super::schema::ScenarioError::Invalid {
                    path: scenario_path.to_path_buf(),
                    key: "uncertainty.population".into(),
                    message: "drawing the population needs the variants laag and hoog".into(),
                    hint: "projection.variants = [\"midden\", \"laag\", \"hoog\"]".into(),
                }
                .into());
            }
        }
    } else {
        None
    };
    let base = DrawBase {
        catalogue: &g.catalogue,
        observed: &g.observed,
        housing: h.map(|h| (&h.catalogue, &h.headship)),
        midden: inputs_of(midden, areas),
        low_high,
        areas,
        seed,
    };
    let progress = |done: usize| {
        if let Some(p) = &opts.progress {
            p(done, draws);
        }
    };
    Ok(run_draws(&base, draws, &progress)?)
}

/// The base year and the number of years of a run's group counts.
fn years_of(g: &super::groups::GroupRun) -> (u16, usize) {
    g.counts
        .first()
        .map(|(_, c)| {
            let n = c
                .units
                .first()
                .and_then(|u| u.values.first())
                .map(|v| v.len())
                .unwrap_or(0);
            (c.base_year, n)
        })
        .unwrap_or((0, 0))
}

fn bands_header() -> Vec<&'static str> {
    let mut h = vec!["measure", "draws"];
    h.extend(QUANTILE_COLUMNS);
    h
}

/// One row of a bands table: the area's year prefix, what is drawn, the measure, the number of
/// draws and the percentiles.
fn write_band(
    w: &mut TableWriter,
    prefix: &str,
    what: &str,
    measure: &str,
    draws: &str,
    q: &[f64; 5],
) -> std::io::Result<()> {
    let q = q.map(super::groups::round2);
    let fields = [what, measure, draws]
        .into_iter()
        .chain(q.iter().map(String::as_str));
    w.write_after(prefix, AREA_KEYS.len(), fields)
}

/// The year prefixes of an area's rows in a bands table (variant "monte carlo").
fn band_prefixes(scenario: &str, area: &Area, base_year: u16, n_years: usize) -> Vec<String> {
    let name = crate::source::tidy::neutralise(&area.name);
    TableWriter::year_prefixes(
        scenario,
        "monte carlo",
        &area.code,
        &name,
        base_year,
        n_years,
    )
}

/// tables/groups_bands.csv: per area, year, group and measure (gross, net) the percentiles.
pub fn write_group_bands(
    path: &std::path::Path,
    scenario: &str,
    g: &super::groups::GroupRun,
    bands: &Bands,
    areas: &[Area],
) -> std::io::Result<()> {
    let mut header = vec!["group"];
    header.extend(bands_header());
    let mut w = create_keyed_csv(path, &header)?;
    let (base_year, n_years) = years_of(g);
    let mut cells = bands.cells.iter();
    let draws = bands.draws.to_string();
    for area in areas {
        let prefixes = band_prefixes(scenario, area, base_year, n_years);
        for grp in &g.catalogue.groups {
            for prefix in &prefixes {
                for measure in ["gross", "net"] {
                    let Some(q) = cells.next() else {
                        return w.flush();
                    };
                    write_band(&mut w, prefix, &grp.id, measure, &draws, q)?;
                }
            }
        }
    }
    w.flush()
}

/// tables/dwellings_bands.csv: per area, year and dwelling type the percentiles of the net
/// demand (the groups' units; the other households are not drawn).
pub fn write_dwelling_bands(
    path: &std::path::Path,
    scenario: &str,
    g: &super::groups::GroupRun,
    h: &super::housing::HousingRun,
    bands: &Bands,
    areas: &[Area],
) -> std::io::Result<()> {
    let mut header = vec!["dwelling_type"];
    header.extend(bands_header());
    let mut w = create_keyed_csv(path, &header)?;
    let (base_year, n_years) = years_of(g);
    // The dwelling cells follow the group cells (see DrawCells).
    let mut cells = bands
        .cells
        .iter()
        .skip(areas.len() * g.catalogue.groups.len() * n_years * 2);
    let draws = bands.draws.to_string();
    for area in areas {
        let prefixes = band_prefixes(scenario, area, base_year, n_years);
        for ty in &h.catalogue.types {
            for prefix in &prefixes {
                let Some(q) = cells.next() else {
                    return w.flush();
                };
                write_band(&mut w, prefix, &ty.id, "demand_net", &draws, q)?;
            }
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p2_follows_quantiles_of_a_known_stream() {
        // 10,000 values of a uniform stream on [0, 1) in a fixed pseudo-random order.
        let mut est = QUANTILES.map(P2::new);
        let mut x: u64 = 12345;
        for _ in 0..10_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = (x >> 11) as f64 / (1u64 << 53) as f64;
            est.iter_mut().for_each(|e| e.add(v));
        }
        for (e, q) in est.iter().zip(QUANTILES) {
            assert!((e.value() - q).abs() < 0.01, "{} vs {q}", e.value());
        }
        // A constant stream gives the constant exactly.
        let mut c = P2::new(0.5);
        for _ in 0..100 {
            c.add(7.25);
        }
        assert_eq!(c.value(), 7.25);
    }

    #[test]
    fn zero_spreads_draw_the_value() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for s in [
            Spread::Normal(0.0),
            Spread::Lognormal(0.0),
            Spread::Triangular([2.0, 2.0]),
            Spread::Uniform([2.0, 2.0]),
        ] {
            let mut p: Param = toml::from_str("value = 2.0\nsource = \"x\"").unwrap();
            p.spread = Some(s);
            draw_param(&mut p, &mut rng);
            assert_eq!(p.value, 2.0, "{s:?}");
        }
    }
}
