//! Step 3: the methods on the sums ([`count_from_sums`], [`count_units_with`]: calibration
//! ratio, trend, stock-flow, taakstelling, path) into [`GroupCounts`], gross per unit, group and
//! year; [`project_groups`] does all three steps for one population. Once per variant, and once
//! per Monte Carlo draw with the drawn parameters.

use std::collections::HashMap;
use std::sync::Arc;

use crate::population::grid::{AGES, Pop};

use crate::groups::GroupError;
use crate::groups::catalogue::{Catalogue, Group, Method};
use crate::groups::methods::{
    TaskHalf, calibration_ratio, path_value, stock_flow, taakstelling, trend_factor,
};
use crate::groups::observed::Observed;

use super::GroupInputs;
use super::plan::*;
use super::sums::*;

/// Counts of all groups for the units counted: flat arrays, `[unit][group][year]`.
#[derive(Debug, Clone, Default)]
pub struct GroupCounts {
    pub base_year: u16,
    pub(super) n_years: usize,
    pub(super) n_groups: usize,
    /// The plan's codes and index; `local[plan unit]` = position among the units counted.
    pub(super) plan_codes: Arc<Vec<String>>,
    pub(super) plan_index: Arc<HashMap<String, usize>>,
    pub(super) units: Vec<usize>,
    pub(super) local: Vec<usize>,
    pub(super) values: Vec<f64>,
    /// Persons of the profile over the group's own ages and sexes (0 without a profile).
    pub(super) persons: Vec<f64>,
    /// Their households (with household rates).
    pub(super) households: Option<Vec<f64>>,
    /// `[unit][pair][year]`: the computed overlaps.
    pub(super) pairs: Vec<f64>,
    pub(super) flow_names: Vec<Vec<&'static str>>,
    /// `[unit][flows of group 0, of group 1, …][year]`.
    pub(super) flows: Vec<f64>,
    pub(super) flow_at: Vec<usize>,
    pub(super) flows_per_unit: usize,
    pub(super) calibration: Vec<f64>,
    /// `[unit][group]`: age × sex profiles per year, when kept.
    pub(super) profiles: Option<Vec<Option<Vec<Pop>>>>,
    pub(super) overlaps: Arc<Overlaps>,
}

impl GroupCounts {
    /// The number of units counted.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }
    /// The number of years (base..=horizon).
    pub fn n_years(&self) -> usize {
        self.n_years
    }
    /// The unit codes, in order.
    pub fn codes(&self) -> impl Iterator<Item = &String> {
        self.units.iter().map(|&u| &self.plan_codes[u])
    }
    /// The count of group `g` in unit `u`, per year.
    pub fn values(&self, u: usize, g: usize) -> &[f64] {
        let at = (u * self.n_groups + g) * self.n_years;
        &self.values[at..at + self.n_years]
    }
    /// The calibration ratio applied to group `g` in unit `u` (1 where none).
    pub fn calibration(&self, u: usize, g: usize) -> f64 {
        self.calibration[u * self.n_groups + g]
    }
    /// The age × sex profiles of group `g` in unit `u` (when kept and the group has one).
    pub fn profiles(&self, u: usize, g: usize) -> Option<&[Pop]> {
        self.profiles.as_ref()?[u * self.n_groups + g].as_deref()
    }
    /// The flows of group `g` in unit `u`: (name, per year).
    pub fn flows(&self, u: usize, g: usize) -> impl Iterator<Item = (&'static str, &[f64])> {
        let at = u * self.flows_per_unit + self.flow_at[g];
        self.flow_names[g].iter().enumerate().map(move |(k, name)| {
            let s = at + k * self.n_years;
            (*name, &self.flows[s..s + self.n_years])
        })
    }
}

/// The methods on the sums (step 3): every group of `catalogue` (the plan's catalogue, with
/// its parameters possibly drawn) for the plan's units `units` (indices into
/// [`GroupPlan::codes`]).
pub fn count_from_sums(
    catalogue: &Catalogue,
    plan: &GroupPlan,
    sums: SumsView,
    units: &[usize],
) -> Result<GroupCounts, GroupError> {
    let mut local = vec![usize::MAX; plan.codes.len()];
    for (k, &u) in units.iter().enumerate() {
        if let Some(l) = local.get_mut(u) {
            *l = k;
        }
    }
    let mut out = GroupCounts {
        base_year: plan.base_year,
        n_years: plan.n_years(),
        n_groups: plan.groups.len(),
        plan_codes: plan.codes.clone(),
        plan_index: plan.index.clone(),
        units: units.to_vec(),
        local,
        households: plan.household_rates.map(|_| Vec::new()),
        flow_names: plan.groups.iter().map(|e| e.flow_names.clone()).collect(),
        overlaps: plan.overlaps.clone(),
        ..GroupCounts::default()
    };
    let mut unit = UnitCounts::default();
    count_units(catalogue, plan, sums, units, &mut unit, |_, c| {
        out.values.extend_from_slice(&c.values);
        out.persons.extend_from_slice(&c.persons);
        if let (Some(acc), Some(h)) = (out.households.as_mut(), c.households.as_ref()) {
            acc.extend_from_slice(h);
        }
        out.pairs.extend_from_slice(&c.pairs);
        out.flows.extend_from_slice(&c.flows);
        out.calibration.extend_from_slice(&c.calibration);
    })?;
    out.flow_at = unit.flow_at;
    out.flows_per_unit = unit.flows_per_unit;
    Ok(out)
}

/// One unit's counts, flat `[group][year]` (pairs `[slot][year]`): the buffer
/// [`count_units`] fills for one unit after the other.
#[derive(Debug, Clone, Default)]
pub struct UnitCounts {
    pub values: Vec<f64>,
    pub persons: Vec<f64>,
    pub households: Option<Vec<f64>>,
    pub pairs: Vec<f64>,
    pub flows: Vec<f64>,
    pub calibration: Vec<f64>,
    pub(super) flow_at: Vec<usize>,
    pub(super) flows_per_unit: usize,
}

/// A group's calibration ratio as counting reads it per unit: what does not depend on the
/// unit worked out once ([`CountSteps`]).
pub(super) enum Calibration {
    One,
    /// The unit's own ratio where it has an observed count, else `national`.
    PerUnit {
        national: f64,
    },
    /// The ratio of the unit's set, or of all sets together.
    Sets {
        rhos: Vec<f64>,
        national: f64,
    },
}

/// One group's part of [`CountSteps`].
pub(super) struct GroupStep {
    /// The trend factor τ(t) per year.
    pub(super) tau: Vec<f64>,
    pub(super) calibration: Calibration,
    pub(super) method: GroupMethod,
    /// The overlap pairs (own slots) whose second group is this one.
    pub(super) my_pairs: Vec<usize>,
}

/// What counting a unit takes from the catalogue and the population sums beyond the unit
/// itself — per group the trend factors, the national calibration ratios, the method's
/// parameters and the overlap pairs it fills — made once for a run or a draw and used for
/// every unit ([`count_units_with`]).
pub struct CountSteps {
    pub(super) groups: Vec<GroupStep>,
}

impl CountSteps {
    pub fn new(
        catalogue: &Catalogue,
        plan: &GroupPlan,
        sums: &SumsView,
    ) -> Result<CountSteps, GroupError> {
        let l = &plan.layout;
        let n_years = l.n_years;
        let base = plan.base_year;
        let year = |t: usize| base + t as u16;
        let n_pairs = plan.overlaps.own.len();
        let mut groups = Vec::with_capacity(plan.groups.len());
        for (g, (grp, e)) in catalogue.groups.iter().zip(&plan.groups).enumerate() {
            let growth: Vec<f64> = (0..n_years)
                .map(|t| grp.trend.as_ref().map(|p| p.at(year(t))).unwrap_or(0.0))
                .collect();
            let tau: Vec<f64> = (0..n_years)
                .map(|t| trend_factor(|y| growth[usize::from(y - base)], base, year(t)))
                .collect();
            let calibration = match &e.calibration {
                CalibrationPlan::None => Calibration::One,
                CalibrationPlan::PerUnit { national, .. } => Calibration::PerUnit {
                    national: national
                        .map(|o| calibration_ratio(o, sums.get(l.national_expected(g))))
                        .unwrap_or(1.0),
                },
                CalibrationPlan::Sets {
                    sets, national_run, ..
                } => {
                    let mut total_value = 0.0;
                    let mut total_expected = 0.0;
                    let mut rhos = Vec::with_capacity(sets.len());
                    for (si, (value, _)) in sets.iter().enumerate() {
                        let exp = sums.get(l.set_expected(g, si));
                        total_value += value;
                        total_expected += exp;
                        rhos.push(calibration_ratio(*value, exp));
                    }
                    let national = if *national_run {
                        calibration_ratio(total_value, sums.get(l.national_expected(g)))
                    } else {
                        calibration_ratio(total_value, total_expected)
                    };
                    Calibration::Sets { rhos, national }
                }
            };
            let method = GroupMethod::of(grp, n_years, base)?;
            let my_pairs: Vec<usize> = (0..n_pairs)
                .filter(|&slot| plan.overlaps.pairs[plan.overlaps.own[slot]].j == g)
                .collect();
            groups.push(GroupStep {
                tau,
                calibration,
                method,
                my_pairs,
            });
        }
        Ok(CountSteps { groups })
    }

    /// Group `g`'s calibration ratio for unit `u`.
    pub(super) fn rho(&self, plan: &GroupPlan, sums: &SumsView, g: usize, u: usize) -> f64 {
        let l = &plan.layout;
        match (&self.groups[g].calibration, &plan.groups[g].calibration) {
            (Calibration::PerUnit { national }, CalibrationPlan::PerUnit { observed, .. }) => {
                match observed[u] {
                    Some(o) => calibration_ratio(o, sums.get(l.expected(u, g))),
                    None => *national,
                }
            }
            (Calibration::Sets { rhos, national }, CalibrationPlan::Sets { unit_set, .. }) => {
                match unit_set[u] {
                    UnitSet::Set(i) => rhos[i],
                    UnitSet::National => *national,
                    UnitSet::Unlisted => 1.0,
                }
            }
            _ => 1.0,
        }
    }
}

/// The methods on the sums for each of `units` in turn; `sink(position, counts)` takes each
/// unit's counts (the buffer is reused for the next unit).
pub fn count_units(
    catalogue: &Catalogue,
    plan: &GroupPlan,
    sums: SumsView,
    units: &[usize],
    unit: &mut UnitCounts,
    sink: impl FnMut(usize, &UnitCounts),
) -> Result<(), GroupError> {
    let steps = CountSteps::new(catalogue, plan, &sums)?;
    count_units_with(&steps, plan, sums, units, unit, sink);
    Ok(())
}

/// [`count_units`] with the steps made before ([`CountSteps::new`] on the same catalogue,
/// plan and sums).
pub fn count_units_with(
    steps: &CountSteps,
    plan: &GroupPlan,
    sums: SumsView,
    units: &[usize],
    unit: &mut UnitCounts,
    mut sink: impl FnMut(usize, &UnitCounts),
) {
    let l = &plan.layout;
    let n_years = l.n_years;
    let n_groups = plan.groups.len();
    let base = plan.base_year;
    let n_pairs = plan.overlaps.own.len();
    unit.flow_at.clear();
    unit.flows_per_unit = 0;
    for e in &plan.groups {
        unit.flow_at.push(unit.flows_per_unit);
        unit.flows_per_unit += e.flow_names.len() * n_years;
    }
    let zeros = |v: &mut Vec<f64>, len: usize| {
        v.clear();
        v.resize(len, 0.0);
    };
    let mut k = vec![0.0; n_years];
    let mut canon_buf = vec![0.0; n_years];
    let mut buf = vec![0.0; n_years];
    let mut shares = vec![0.0; n_years];
    // Unit by unit (its sums lie together), every group.
    for (cu, &u) in units.iter().enumerate() {
        zeros(&mut unit.values, n_groups * n_years);
        zeros(&mut unit.persons, n_groups * n_years);
        match (&mut unit.households, plan.household_rates.is_some()) {
            (Some(h), true) => zeros(h, n_groups * n_years),
            (h, true) => *h = Some(vec![0.0; n_groups * n_years]),
            (h, false) => *h = None,
        }
        zeros(&mut unit.pairs, n_pairs * n_years);
        zeros(&mut unit.flows, unit.flows_per_unit);
        unit.calibration.clear();
        for (g, (e, step)) in plan.groups.iter().zip(&steps.groups).enumerate() {
            let (tau, method, my_pairs) = (&step.tau, &step.method, &step.my_pairs);
            let share_of = |u: usize, t: usize| share(plan, &sums, e, g, u, t);
            let rho = steps.rho(plan, &sums, g, u);
            unit.calibration.push(rho);
            let at = g * n_years;
            let values = &mut unit.values[at..at + n_years];
            let fat = unit.flow_at[g];
            let flows = &mut unit.flows[fat..fat + e.flow_names.len() * n_years];
            sums.read(l.canon(u, g), &mut canon_buf);
            let canon = |t: usize| canon_buf[t];
            k.iter_mut().for_each(|x| *x = 0.0);
            match method {
                GroupMethod::Prevalence => {
                    for (((k, v), &tau), &c) in
                        k.iter_mut().zip(values.iter_mut()).zip(tau).zip(&canon_buf)
                    {
                        *k = rho * tau;
                        *v = *k * c;
                    }
                }
                GroupMethod::StockFlow {
                    duration,
                    capacity,
                    start,
                } => {
                    let prev: Option<Vec<f64>> = e
                        .profile
                        .then(|| (0..n_years).map(|t| rho * tau[t] * canon(t)).collect());
                    let s0 = match (&prev, start) {
                        (Some(p), _) => p[0],
                        (None, Some(start)) => start * share_of(u, 0),
                        (None, None) => 0.0,
                    };
                    let at_risk = |t: usize| sums.get(l.at_risk(u, g) + t);
                    let at_risk0 = at_risk(0).max(1e-9);
                    let d = *duration;
                    let inflow: Vec<f64> = (0..n_years)
                        .map(|t| s0 / d * at_risk(t) / at_risk0)
                        .collect();
                    let cap: Vec<f64> = capacity.iter().map(|c| c * s0 / d).collect();
                    let run = stock_flow(s0, d, &inflow, &cap);
                    for (t, y) in run.iter().enumerate() {
                        values[t] = y.stock;
                        flows[t] = y.inflow;
                        flows[n_years + t] = y.outflow_wanted;
                        flows[2 * n_years + t] = y.outflow;
                        flows[3 * n_years + t] = y.waiting;
                    }
                    // The age profile follows the prevalence shape, scaled to the stock.
                    if let Some(prev) = prev {
                        for t in 0..n_years {
                            let f = if prev[t] > 0.0 {
                                values[t] / prev[t]
                            } else {
                                0.0
                            };
                            k[t] = rho * tau[t] * f;
                        }
                    }
                }
                GroupMethod::Task {
                    halves,
                    backlog,
                    realisatie_from,
                    realisatie,
                } => {
                    shares_into(plan, &sums, e, g, u, &mut buf, &mut shares);
                    let mut h: Vec<TaskHalf> = halves.clone();
                    for x in h.iter_mut() {
                        let t = usize::from(x.year.saturating_sub(base)).min(n_years - 1);
                        x.share = shares[t];
                    }
                    let run = taakstelling(&h, backlog * shares[0], |y| {
                        realisatie
                            .get(usize::from(y.saturating_sub(*realisatie_from)))
                            .or(realisatie.last())
                            .copied()
                            .unwrap_or(0.0)
                    });
                    for x in &run {
                        let Some(t) = x.year.checked_sub(base).map(usize::from) else {
                            continue;
                        };
                        if t >= n_years {
                            continue;
                        }
                        flows[t] += x.task;
                        if x.half == 1 {
                            flows[n_years + t] += x.backlog_in;
                        }
                        flows[2 * n_years + t] += x.housed;
                    }
                    for t in 0..n_years {
                        values[t] = flows[t] + flows[n_years + t];
                    }
                }
                GroupMethod::Path { mid, low, high } => {
                    shares_into(plan, &sums, e, g, u, &mut buf, &mut shares);
                    for ((v, m), s) in values.iter_mut().zip(mid).zip(&shares) {
                        *v = m * s;
                    }
                    for (slot, extra) in [low, high].into_iter().flatten().enumerate() {
                        let out = &mut flows[slot * n_years..(slot + 1) * n_years];
                        for ((f, x), s) in out.iter_mut().zip(extra).zip(&shares) {
                            *f = x * s;
                        }
                    }
                }
            }
            if e.profile {
                let times = |out: &mut [f64], of: &[f64]| {
                    for ((x, k), c) in out.iter_mut().zip(&k).zip(of) {
                        *x = k * c;
                    }
                };
                times(&mut unit.persons[at..at + n_years], &canon_buf);
                if let Some(hh) = unit.households.as_mut() {
                    sums.read(l.households(u, g), &mut buf);
                    times(&mut hh[at..at + n_years], &buf);
                }
                for &p in my_pairs.iter() {
                    let pat = p * n_years;
                    sums.read(l.pair(u, p), &mut buf);
                    times(&mut unit.pairs[pat..pat + n_years], &buf);
                }
            }
        }
        sink(cu, unit);
    }
}

/// Unit `u`'s share of a national count of group `g` in every year into `out`: [`share`]
/// year by year (`buf` takes the national sums).
pub(super) fn shares_into(
    plan: &GroupPlan,
    sums: &SumsView,
    e: &GroupPlanEntry,
    g: usize,
    u: usize,
    buf: &mut [f64],
    out: &mut [f64],
) {
    let l = &plan.layout;
    match &e.shares {
        SharePlan::Population(_) if !plan.national_unit[u] => {
            sums.read(l.band(u, g), out);
            sums.read(l.national_band(g), buf);
            for (x, &n) in out.iter_mut().zip(&*buf) {
                *x = population_share(*x, n);
            }
        }
        // The same share every year.
        _ => out.fill(share(plan, sums, e, g, u, 0)),
    }
}

/// Unit `u`'s share of a national count of group `g` in year `t`.
pub(super) fn share(
    plan: &GroupPlan,
    sums: &SumsView,
    e: &GroupPlanEntry,
    g: usize,
    u: usize,
    t: usize,
) -> f64 {
    let l = &plan.layout;
    match &e.shares {
        SharePlan::Whole => 1.0,
        SharePlan::Observed(v) => v[u],
        SharePlan::Population(_) => {
            if plan.national_unit[u] {
                1.0
            } else {
                population_share(sums.get(l.band(u, g) + t), sums.get(l.national_band(g) + t))
            }
        }
    }
}

/// A gemeente's share of a count shared out by population: its persons in the group's ages
/// over the country's (at least one).
pub(super) fn population_share(band: f64, national: f64) -> f64 {
    band / national.max(1.0)
}

/// The parameters of a group's method, per year of the run.
pub(super) enum GroupMethod {
    Prevalence,
    StockFlow {
        duration: f64,
        /// Dwellings for uitstroom as a share of the base year's desired uitstroom, per year.
        capacity: Vec<f64>,
        start: Option<f64>,
    },
    Task {
        /// From the start half-year to the horizon; the share is set per unit.
        halves: Vec<TaskHalf>,
        backlog: f64,
        /// Per year from `realisatie_from`.
        realisatie_from: u16,
        realisatie: Vec<f64>,
    },
    Path {
        mid: Vec<f64>,
        low: Option<Vec<f64>>,
        high: Option<Vec<f64>>,
    },
}

impl GroupMethod {
    pub(super) fn of(g: &Group, n_years: usize, base: u16) -> Result<GroupMethod, GroupError> {
        let year = |t: usize| base + t as u16;
        Ok(match g.method {
            Method::Prevalentie => GroupMethod::Prevalence,
            Method::VoorraadStroom => {
                let sf = g.stock_flow.as_ref().ok_or_else(|| GroupError::Data {
                    what: g.id.clone(),
                    message: "no stock_flow parameters".into(),
                    hint: "add [group.stock_flow]".into(),
                })?;
                GroupMethod::StockFlow {
                    duration: sf.duur.value,
                    capacity: (0..n_years).map(|t| sf.capaciteit.at(year(t))).collect(),
                    start: sf.start.as_ref().map(|s| s.value),
                }
            }
            Method::Taakstelling => {
                let tk = g.taakstelling.as_ref().ok_or_else(|| GroupError::Data {
                    what: g.id.clone(),
                    message: "no taakstelling parameters".into(),
                    hint: "add [group.taakstelling]".into(),
                })?;
                let Some(first) = tk.start_half() else {
                    return Err(GroupError::Data {
                        what: g.id.clone(),
                        message: "the taakstelling lists no half-year".into(),
                        hint: "list the published half-years in taakstelling.targets".into(),
                    });
                };
                let last_year = year(n_years.saturating_sub(1));
                let halves = tk.national_halves(last_year);
                // The realisatie of years before the base year (targets from earlier halves)
                // is read from the parameter directly.
                let from = first.0.min(base);
                let realisatie_by_year: Vec<f64> =
                    (from..=last_year).map(|y| tk.realisatie.at(y)).collect();
                GroupMethod::Task {
                    halves,
                    backlog: tk.achterstand.value,
                    realisatie_from: from,
                    realisatie: realisatie_by_year,
                }
            }
            Method::Pad => {
                let pts =
                    |f: &dyn Fn(&crate::groups::catalogue::PathPoint) -> Option<f64>| -> Vec<(u16, f64)> {
                        g.path
                            .iter()
                            .filter_map(|p| f(p).map(|v| (p.year, v)))
                            .collect()
                    };
                let per_year = |points: &[(u16, f64)]| -> Vec<f64> {
                    (0..n_years).map(|t| path_value(points, year(t))).collect()
                };
                let (low, high) = (pts(&|p| p.low), pts(&|p| p.high));
                GroupMethod::Path {
                    mid: per_year(&pts(&|p| Some(p.value))),
                    low: (!low.is_empty()).then(|| per_year(&low)),
                    high: (!high.is_empty()).then(|| per_year(&high)),
                }
            }
        })
    }
}

/// Count every group of the catalogue for every unit and year (gross): the plan, the sums and
/// the methods for one population. Keeps the age × sex profiles when `inputs.keep_profiles`.
pub fn project_groups(
    catalogue: &Catalogue,
    observed: &Observed,
    inputs: &GroupInputs,
) -> Result<GroupCounts, GroupError> {
    let plan = GroupPlan::new(catalogue, observed, inputs)?;
    let sums = PopulationSums::of(&plan, catalogue, inputs);
    let all: Vec<usize> = (0..plan.codes.len()).collect();
    let mut counts = count_from_sums(catalogue, &plan, sums.view(), &all)?;
    if inputs.keep_profiles {
        counts.profiles = Some(profiles(&plan, &counts, inputs));
    }
    Ok(counts)
}

/// The age × sex profile of every group with one: `P · π` scaled by the factor that makes its
/// sum over the group's ages the unit's count (ρ·τ for prevalence; the stock-flow stock over
/// its prevalence otherwise).
pub(super) fn profiles(
    plan: &GroupPlan,
    counts: &GroupCounts,
    inputs: &GroupInputs,
) -> Vec<Option<Vec<Pop>>> {
    let mut out = Vec::new();
    for (u, unit) in inputs.units.iter().enumerate() {
        for (g, e) in plan.groups.iter().enumerate() {
            let Some(rates) = e.unit_rates.get(u).filter(|_| e.profile) else {
                out.push(None);
                continue;
            };
            let at = (u * counts.n_groups + g) * counts.n_years;
            let canon = |p: &Pop| weighted_sum(p, Some(rates), None, e.window, &e.sexes);
            let profile = unit
                .stocks
                .iter()
                .enumerate()
                .map(|(t, pop)| {
                    let c = canon(pop);
                    let k = if c > 0.0 {
                        counts.persons[at + t] / c
                    } else {
                        0.0
                    };
                    let mut p = Pop::default();
                    for s in 0..2 {
                        for x in 0..AGES {
                            p.0[s][x] = pop.0[s][x] * rates[s][x] * k;
                        }
                    }
                    p
                })
                .collect();
            out.push(Some(profile));
        }
    }
    out
}
