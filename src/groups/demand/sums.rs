//! Step 2: [`PopulationSums`], every sum over ages and sexes the methods take from one
//! population, and [`SumsView`], the same sums of a population between two variants. Once per
//! variant.

use crate::groups::catalogue::Catalogue;

use super::plan::*;
use super::{GroupInputs, Unit};

/// Every sum over ages and sexes the group methods take from one population (step 2).
#[derive(Debug, Clone)]
pub struct PopulationSums {
    pub(super) data: Vec<f64>,
}

impl PopulationSums {
    /// The sums of one population (`inputs`, the units of `plan` in its order).
    pub fn of(plan: &GroupPlan, catalogue: &Catalogue, inputs: &GroupInputs) -> PopulationSums {
        let l = &plan.layout;
        let mut data = vec![0.0; l.len];
        let h = plan.household_rates.as_ref();
        // Each unit's sums on their own (its block of the layout), in parallel.
        let n_units = plan.codes.len().min(inputs.units.len());
        let (unit_blocks, _) = data.split_at_mut(n_units * l.per_unit);
        let unit_sums = |(u, (data, unit)): (usize, (&mut [f64], &Unit))| {
            // Offsets within the unit's block: those of unit 0.
            for (g, e) in plan.groups.iter().enumerate() {
                let rates = e.unit_rates.get(u);
                for (t, pop) in unit.stocks.iter().enumerate().take(l.n_years) {
                    if e.profile {
                        data[l.canon(0, g) + t] =
                            weighted_sum(pop, rates, None, e.window, &e.sexes);
                        if h.is_some() {
                            data[l.households(0, g) + t] =
                                weighted_sum(pop, rates, h, e.window, &e.sexes);
                        }
                    }
                    if let Some(w) = e.at_risk {
                        data[l.at_risk(0, g) + t] = weighted_sum(pop, None, None, w, &e.sexes);
                    }
                    if let SharePlan::Population((lo, hi)) = e.shares {
                        data[l.band(0, g) + t] = pop.band(lo, hi);
                    }
                }
                if let (CalibrationPlan::PerUnit { window, .. }, Some(p0)) =
                    (&e.calibration, unit.stocks.first())
                {
                    data[l.expected(0, g)] = weighted_sum(p0, rates, None, *window, &e.sexes);
                }
            }
            for (slot, &p) in plan.overlaps.own.iter().enumerate() {
                let ap = &plan.overlaps.pairs[p];
                let e = &plan.groups[ap.j];
                for (t, pop) in unit.stocks.iter().enumerate().take(l.n_years) {
                    data[l.pair(0, slot) + t] =
                        weighted_sum(pop, e.unit_rates.get(u), None, (ap.lo, ap.hi), &ap.sexes);
                }
            }
        };
        {
            use rayon::prelude::*;
            unit_blocks
                .par_chunks_mut(l.per_unit.max(1))
                .zip(inputs.units[..n_units].par_iter())
                .enumerate()
                .for_each(unit_sums);
        }
        for (g, e) in plan.groups.iter().enumerate() {
            if let SharePlan::Population((lo, hi)) = e.shares {
                for (t, pop) in inputs.national.iter().enumerate().take(l.n_years) {
                    data[l.national_band(g) + t] = pop.band(lo, hi);
                }
            }
            let national0 = inputs.national.first();
            match &e.calibration {
                CalibrationPlan::None => {}
                CalibrationPlan::PerUnit { window, .. } => {
                    if let Some(p0) = national0 {
                        data[l.national_expected(g)] =
                            weighted_sum(p0, Some(&e.national_rates), None, *window, &e.sexes);
                    }
                }
                CalibrationPlan::Sets { window, sets, .. } => {
                    if let Some(p0) = national0 {
                        data[l.national_expected(g)] =
                            weighted_sum(p0, Some(&e.national_rates), None, *window, &e.sexes);
                    }
                    let grp = &catalogue.groups[g];
                    for (si, (_, members)) in sets.iter().enumerate() {
                        data[l.set_expected(g, si)] = members
                            .iter()
                            .filter_map(|c| {
                                let p = inputs.all_base.get(c)?;
                                let r = rates_for(grp, c, &e.regional, &e.table_rates);
                                Some(weighted_sum(p, Some(&r), None, *window, &e.sexes))
                            })
                            .sum();
                    }
                }
            }
        }
        PopulationSums { data }
    }

    /// These sums, read as they are.
    pub fn view(&self) -> SumsView<'_> {
        SumsView {
            mid: &self.data,
            other: None,
        }
    }

    /// The sums of the population `self + f · (other − self)`: all sums are linear in the
    /// population, so they mix like the population does.
    pub fn mixed<'a>(&'a self, other: &'a PopulationSums, f: f64) -> SumsView<'a> {
        SumsView {
            mid: &self.data,
            other: Some((&other.data, f)),
        }
    }
}

/// Population sums, possibly a mix of two variants' sums.
#[derive(Debug, Clone, Copy)]
pub struct SumsView<'a> {
    pub(super) mid: &'a [f64],
    pub(super) other: Option<(&'a [f64], f64)>,
}

impl SumsView<'_> {
    /// `out.len()` consecutive sums from `at`.
    #[inline]
    pub(super) fn read(&self, at: usize, out: &mut [f64]) {
        let n = out.len();
        let (Some(m), other) = (self.mid.get(at..at + n), self.other) else {
            out.iter_mut().for_each(|x| *x = 0.0);
            return;
        };
        match other.and_then(|(o, f)| Some((o.get(at..at + n)?, f))) {
            None => out.copy_from_slice(m),
            Some((o, f)) => {
                for ((x, m), o) in out.iter_mut().zip(m).zip(o) {
                    *x = m + f * (o - m);
                }
            }
        }
    }

    #[inline]
    pub(super) fn get(&self, i: usize) -> f64 {
        let m = self.mid.get(i).copied().unwrap_or(0.0);
        match self.other {
            None => m,
            Some((o, f)) => m + f * (o.get(i).copied().unwrap_or(m) - m),
        }
    }
}
