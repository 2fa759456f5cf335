//! From the projected population to group counts per gemeente and year (gross), and per area
//! with overlap (net).
//!
//! Three steps, so that a Monte Carlo draw does not redo the work on age × sex arrays:
//!
//! 1. [`GroupPlan::new`]: what the catalogue and the observed data fix for a run — the rates per
//!    unit, the observed counts calibrated to, the shares of national counts, the overlapping
//!    pairs. Once per run.
//! 2. [`PopulationSums::of`]: every sum over ages and sexes the methods take from a population
//!    (persons × rates over the group's ages, the population at risk of a stock-flow group, the
//!    expected count of a calibration, …). These are linear in the population, so the sums of a
//!    population between two Kernprognose variants are the same mix of the variants' sums
//!    ([`SumsView`]). Once per variant.
//! 3. [`count_from_sums`]: the methods on those sums (calibration ratio, trend, stock-flow,
//!    taakstelling, path). Once per variant, and once per draw with the drawn parameters.
//!
//! [`project_groups`] does all three for one population; [`GroupCounts::area`] adds units up to
//! an area and takes the overlaps out (net).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::population::grid::{AGES, Pop};

use super::GroupError;
use super::catalogue::{Catalogue, Group, Method};
use super::methods::{
    Rates, calibration_ratio, parse_half_year, path_value, stock_flow, taakstelling, trend_factor,
};
use super::observed::{BandsByRegion, Observed};
#[cfg(doc)]
use super::overlap::net_by_priority;
use super::overlap::net_by_priority_into;

/// A gemeente (or NL01) with its projected stocks, 1 January of base..=horizon.
#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    pub stocks: Vec<Pop>,
}

/// What the group stage needs from the population stage.
#[derive(Debug, Clone, Default)]
pub struct GroupInputs {
    pub base_year: u16,
    /// The gemeenten counted (or NL01 alone).
    pub units: Vec<Unit>,
    /// Base-year population of every gemeente of the country (for calibration to totals of
    /// sets of gemeenten); empty for a national run.
    pub all_base: BTreeMap<String, Pop>,
    /// National stocks, 1 January of base..=horizon (for shares of national counts).
    pub national: Vec<Pop>,
    /// Households per person by age and sex (headship rates). When given, every group's
    /// households are summed over its profile too: what a later stage needs for persons per
    /// dwelling.
    pub household_rates: Option<Rates>,
    /// Keep every unit's age × sex profiles (the comparison of party definitions needs them;
    /// a run does not).
    pub keep_profiles: bool,
}

impl GroupInputs {
    pub fn years(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.national.len()).map(|i| self.base_year + i as u16)
    }
}

/// The rates of a group for one unit (rate 1 at every age where the group gives none).
fn rates_for(
    g: &Group,
    code: &str,
    regional: &Option<BandsByRegion>,
    table_rates: &Option<Rates>,
) -> Rates {
    let sexes = g.sexes();
    let mut r = [[0.0; AGES]; 2];
    if let Some(t) = table_rates {
        r = *t;
    } else if let Some(reg) = regional {
        let scale = g.regional_rate.as_ref().map(|x| x.scale).unwrap_or(1.0);
        let rows = reg.get(code).or_else(|| reg.get("NL01"));
        for &(lo, hi, v) in rows.map(|v| v.as_slice()).unwrap_or(&[]) {
            for &s in &sexes {
                for x in lo..=hi {
                    r[s][x] = v * scale;
                }
            }
        }
    } else if !g.rate.is_empty() {
        // General entries first, then those for listed regions, so the specific ones win.
        let general = g.rate.iter().filter(|e| e.regions.is_empty());
        let specific = g
            .rate
            .iter()
            .filter(|e| e.regions.iter().any(|c| c == code));
        for e in general.chain(specific) {
            let ss = super::catalogue::sexes_of(e.sex.as_deref());
            for &s in ss.iter().filter(|s| sexes.contains(s)) {
                for x in usize::from(e.age[0])..=usize::from(e.age[1]) {
                    r[s][x] = e.value;
                }
            }
        }
    } else {
        for &s in &sexes {
            r[s] = [1.0; AGES];
        }
    }
    r
}

/// Σ over `sexes` and ages `lo..=hi` of `pop · rates · weights` (weights 1 where `None`); 0 for
/// an empty range.
fn weighted_sum(
    pop: &Pop,
    rates: Option<&Rates>,
    weights: Option<&Rates>,
    (lo, hi): (usize, usize),
    sexes: &[usize],
) -> f64 {
    if lo > hi {
        return 0.0;
    }
    let hi = hi.min(AGES - 1);
    sexes
        .iter()
        .map(|&s| {
            (lo..=hi)
                .map(|x| {
                    let r = rates.map_or(1.0, |r| r[s][x]);
                    let w = weights.map_or(1.0, |w| w[s][x]);
                    pop.0[s][x] * r * w
                })
                .sum::<f64>()
        })
        .sum()
}

/// Two groups whose shared persons are computed: `i` is a pure age definition, `j` has a
/// profile; they share the ages `lo..=hi` and `sexes` (docs/METHODS.md §1e, computed overlap).
#[derive(Debug, Clone)]
struct AgePair {
    i: usize,
    j: usize,
    lo: usize,
    hi: usize,
    sexes: Vec<usize>,
    sum: PairSum,
}

/// Where a pair's shared persons come from.
#[derive(Debug, Clone, Copy)]
enum PairSum {
    /// No shared ages: none.
    Empty,
    /// The shared ages and sexes are all of `j`'s: `j`'s own persons.
    Canon,
    /// A sum of its own (slot among the pairs with one).
    Own(usize),
}

/// How the groups of a catalogue overlap: computed pairs, declared shares, the claim order.
#[derive(Debug, Clone, Default)]
pub struct Overlaps {
    pairs: Vec<AgePair>,
    /// The pairs with a sum of their own, by slot.
    own: Vec<usize>,
    order: Vec<usize>,
    /// Where the persons two groups share come from, `[i * n + j]`: the last pair or
    /// declared share written for them.
    source: Vec<Shared>,
    /// Per group, the groups before it in the claim order it can share persons with.
    earlier: Vec<Vec<usize>>,
}

/// What two groups share.
#[derive(Debug, Clone, Copy, Default)]
enum Shared {
    #[default]
    Nothing,
    Pair(usize),
    /// A declared share of the gross of the first, at most the gross of the second.
    Declared(f64, usize, usize),
}

impl Overlaps {
    fn of(catalogue: &Catalogue) -> Overlaps {
        let n = catalogue.groups.len();
        let mut pairs = Vec::new();
        let mut own = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let (gi, gj) = (&catalogue.groups[i], &catalogue.groups[j]);
                if i == j || !gi.is_population() || !gj.has_age_profile() {
                    continue;
                }
                let (ilo, ihi) = gi.ages();
                let (jlo, jhi) = gj.ages();
                let sj = gj.sexes();
                let (lo, hi) = (ilo.max(jlo), ihi.min(jhi));
                let sexes: Vec<usize> = gi.sexes().into_iter().filter(|s| sj.contains(s)).collect();
                let sum = if lo > hi || sexes.is_empty() {
                    PairSum::Empty
                } else if (lo, hi) == (jlo, jhi) && sexes == sj {
                    PairSum::Canon
                } else {
                    own.push(pairs.len());
                    PairSum::Own(own.len() - 1)
                };
                pairs.push(AgePair {
                    i,
                    j,
                    lo,
                    hi,
                    sexes,
                    sum,
                });
            }
        }
        let position = |id: &str| catalogue.groups.iter().position(|g| g.id == id);
        // (first, second, share of the first that is also in the second), after the pairs.
        let declared: Vec<(usize, usize, f64)> = catalogue
            .overlaps
            .iter()
            .filter_map(|o| Some((position(&o.groups[0])?, position(&o.groups[1])?, o.share)))
            .collect();
        let order: Vec<usize> = catalogue
            .order
            .iter()
            .filter_map(|id| position(id))
            .collect();
        let mut source = vec![Shared::Nothing; n * n];
        for (p, ap) in pairs.iter().enumerate() {
            source[ap.i * n + ap.j] = Shared::Pair(p);
            source[ap.j * n + ap.i] = Shared::Pair(p);
        }
        for &(i, j, share) in &declared {
            source[i * n + j] = Shared::Declared(share, i, j);
            source[j * n + i] = Shared::Declared(share, i, j);
        }
        let mut earlier = vec![Vec::new(); n];
        for (k, &j) in order.iter().enumerate() {
            earlier[j] = order[..k]
                .iter()
                .copied()
                .filter(|&i| !matches!(source[i * n + j], Shared::Nothing))
                .collect();
        }
        Overlaps {
            pairs,
            own,
            order,
            source,
            earlier,
        }
    }

    /// Persons in both groups i and j per year into `out`: from the pair's sum (the persons of
    /// `j`, or the pair's own sum) or the declared share of the gross counts; the area's sums
    /// are `[group][year]` (pairs `[slot][year]`).
    #[allow(clippy::too_many_arguments)]
    fn both(
        &self,
        i: usize,
        j: usize,
        t_n: usize,
        gross: &[f64],
        persons: &[f64],
        pairs: &[f64],
        out: &mut [f64],
    ) {
        let n = gross.len() / t_n.max(1);
        let row = |v: &[f64], g: usize, t: usize| v[g * t_n + t];
        match self.source[i * n + j] {
            Shared::Nothing => out.iter_mut().for_each(|x| *x = 0.0),
            Shared::Pair(p) => {
                let ap = &self.pairs[p];
                for (t, x) in out.iter_mut().enumerate() {
                    *x = match ap.sum {
                        PairSum::Empty => 0.0,
                        PairSum::Canon => row(persons, ap.j, t),
                        PairSum::Own(slot) => row(pairs, slot, t),
                    };
                }
            }
            Shared::Declared(share, a, b) => {
                for (t, x) in out.iter_mut().enumerate() {
                    *x = (share * row(gross, a, t)).min(row(gross, b, t));
                }
            }
        }
    }
}

/// How a group's unit counts are calibrated to observed counts.
#[derive(Debug, Clone)]
enum CalibrationPlan {
    None,
    /// Each unit to its own observed count over ages `window`; units without one (and NL01)
    /// get the national ratio when the country's count is known.
    PerUnit {
        window: (usize, usize),
        observed: Vec<Option<f64>>,
        national: Option<f64>,
    },
    /// Sets of gemeenten to known totals (over the group's ages); each unit takes its set's
    /// ratio, NL01 the ratio of all sets together.
    Sets {
        window: (usize, usize),
        /// (total, member codes) per set.
        sets: Vec<(f64, Vec<String>)>,
        unit_set: Vec<UnitSet>,
        /// A national run (no gemeenten): NL01 is calibrated to all totals at once.
        national_run: bool,
    },
}

#[derive(Debug, Clone, Copy)]
enum UnitSet {
    Set(usize),
    National,
    Unlisted,
}

/// How a national count is divided over the units.
#[derive(Debug, Clone)]
enum SharePlan {
    Whole,
    /// Fixed shares of an observed count, per unit.
    Observed(Vec<f64>),
    /// The unit's share of the national population of these ages, per year.
    Population((usize, usize)),
}

/// What is fixed for one group in a run.
#[derive(Debug, Clone)]
struct GroupPlanEntry {
    window: (usize, usize),
    sexes: Vec<usize>,
    profile: bool,
    regional: Option<BandsByRegion>,
    table_rates: Option<Rates>,
    /// Rates per unit (where the group has a profile or a calibration), and of NL01.
    unit_rates: Vec<Rates>,
    national_rates: Rates,
    calibration: CalibrationPlan,
    shares: SharePlan,
    /// Ages whose population drives a stock-flow group's instroom.
    at_risk: Option<(usize, usize)>,
    flow_names: Vec<&'static str>,
}

/// Everything the catalogue and the observed data fix for the units of a run (step 1).
#[derive(Debug, Clone)]
pub struct GroupPlan {
    base_year: u16,
    codes: Arc<Vec<String>>,
    /// Code → index into `codes`.
    index: Arc<HashMap<String, usize>>,
    /// Whether a unit is the country (NL01: shares of national counts are 1).
    national_unit: Vec<bool>,
    groups: Vec<GroupPlanEntry>,
    overlaps: Arc<Overlaps>,
    household_rates: Option<Rates>,
    layout: Layout,
}

/// Where each sum sits in [`PopulationSums::data`]: per unit and group the canonical sum,
/// the households, the population at risk and the population for shares (one per year) and
/// the expected count of a calibration; per unit the computed pairs (one per year); then per
/// group the national sums and the calibration sets.
#[derive(Debug, Clone)]
struct Layout {
    n_years: usize,
    per_unit: usize,
    pairs_at: usize,
    national_at: Vec<usize>,
    len: usize,
}

impl Layout {
    const SLOTS: usize = 4;
    fn group_block(&self) -> usize {
        Self::SLOTS * self.n_years + 1
    }
    fn slot(&self, u: usize, g: usize, slot: usize) -> usize {
        u * self.per_unit + g * self.group_block() + slot * self.n_years
    }
    fn canon(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 0)
    }
    fn households(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 1)
    }
    fn at_risk(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 2)
    }
    fn band(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 3)
    }
    fn expected(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 4)
    }
    fn pair(&self, u: usize, p: usize) -> usize {
        u * self.per_unit + self.pairs_at + p * self.n_years
    }
    /// National population for shares (per year), then the national expected count, then one
    /// expected count per calibration set.
    fn national_band(&self, g: usize) -> usize {
        self.national_at[g]
    }
    fn national_expected(&self, g: usize) -> usize {
        self.national_at[g] + self.n_years
    }
    fn set_expected(&self, g: usize, set: usize) -> usize {
        self.national_at[g] + self.n_years + 1 + set
    }
}

impl GroupPlan {
    /// Read what the catalogue's groups need from the observed data for these units.
    pub fn new(
        catalogue: &Catalogue,
        observed: &Observed,
        inputs: &GroupInputs,
    ) -> Result<GroupPlan, GroupError> {
        let codes: Vec<String> = inputs.units.iter().map(|u| u.code.clone()).collect();
        let mut groups = Vec::new();
        for g in &catalogue.groups {
            let regional = match &g.regional_rate {
                Some(rr) => Some(observed.by_region_and_band(
                    &rr.table,
                    &rr.measure,
                    rr.category.as_deref(),
                )?),
                None => None,
            };
            let table_rates = match &g.rate_table {
                Some(rt) => {
                    Some(observed.rates_by_age(&rt.table, &rt.measure, &rt.denominator, rt.year)?)
                }
                None => None,
            };
            let rates_of = |code: &str| rates_for(g, code, &regional, &table_rates);
            let calibration = if let Some(c) = &g.calibrate {
                let obs = observed.by_region(&c.table, &c.measure, Some(c.year), None)?;
                let [lo, hi] = c.age.unwrap_or(g.age.unwrap_or([0, 105]));
                CalibrationPlan::PerUnit {
                    window: (usize::from(lo), usize::from(hi)),
                    observed: codes.iter().map(|c| obs.get(c).copied()).collect(),
                    national: obs.get("NL01").copied(),
                }
            } else if !g.calibrate_regions.is_empty() {
                let listed: Vec<&String> = g
                    .calibrate_regions
                    .iter()
                    .flat_map(|a| &a.regions)
                    .collect();
                let sets: Vec<(f64, Vec<String>)> = g
                    .calibrate_regions
                    .iter()
                    .map(|a| {
                        let members = inputs
                            .all_base
                            .keys()
                            .filter(|c| {
                                if a.rest {
                                    !listed.contains(c)
                                } else {
                                    a.regions.contains(c)
                                }
                            })
                            .cloned()
                            .collect();
                        (a.value, members)
                    })
                    .collect();
                let regions = &g.calibrate_regions;
                let unit_set = codes
                    .iter()
                    .map(|c| {
                        if c == "NL01" {
                            return UnitSet::National;
                        }
                        regions
                            .iter()
                            .position(|a| a.regions.contains(c))
                            .or_else(|| regions.iter().position(|a| a.rest))
                            .map_or(UnitSet::Unlisted, UnitSet::Set)
                    })
                    .collect();
                CalibrationPlan::Sets {
                    window: g.ages(),
                    sets,
                    unit_set,
                    national_run: inputs.all_base.is_empty(),
                }
            } else {
                CalibrationPlan::None
            };
            let shares = match &g.distribute {
                None => SharePlan::Whole,
                Some(d) => match (&d.table, &d.measure) {
                    (Some(t), Some(m)) => {
                        let obs = observed.by_region(t, m, None, d.category.as_deref())?;
                        let nl = obs.get("NL01").copied().unwrap_or_else(|| {
                            obs.iter()
                                .filter(|(k, _)| k.starts_with("GM"))
                                .map(|(_, v)| v)
                                .sum()
                        });
                        SharePlan::Observed(
                            codes
                                .iter()
                                .map(|c| {
                                    if c == "NL01" {
                                        1.0
                                    } else {
                                        obs.get(c).copied().unwrap_or(0.0) / nl.max(1.0)
                                    }
                                })
                                .collect(),
                        )
                    }
                    _ => {
                        let [lo, hi] = d.age.unwrap_or([0, 105]);
                        SharePlan::Population((usize::from(lo), usize::from(hi)))
                    }
                },
            };
            let profile = g.has_age_profile();
            let needs_rates = profile || !matches!(calibration, CalibrationPlan::None);
            let (lo, hi) = g.ages();
            let at_risk = g.stock_flow.as_ref().map(|sf| {
                let [ilo, ihi] = sf.instroom_leeftijd.unwrap_or([lo as u8, hi as u8]);
                (usize::from(ilo), usize::from(ihi))
            });
            let flow_names = match g.method {
                Method::Prevalentie => vec![],
                Method::VoorraadStroom => {
                    vec![
                        "instroom",
                        "uitstroom_gewenst",
                        "uitstroom",
                        "wachtend_op_woning",
                    ]
                }
                Method::Taakstelling => vec!["taak", "achterstand_1_januari", "gehuisvest"],
                Method::Pad => {
                    let mut names = Vec::new();
                    if g.path.iter().any(|p| p.low.is_some()) {
                        names.push("laag");
                    }
                    if g.path.iter().any(|p| p.high.is_some()) {
                        names.push("hoog");
                    }
                    names
                }
            };
            groups.push(GroupPlanEntry {
                window: (lo, hi),
                sexes: g.sexes(),
                profile,
                unit_rates: if needs_rates {
                    codes.iter().map(|c| rates_of(c)).collect()
                } else {
                    Vec::new()
                },
                national_rates: rates_of("NL01"),
                regional,
                table_rates,
                calibration,
                shares,
                at_risk,
                flow_names,
            });
        }
        let overlaps = Overlaps::of(catalogue);
        let n_years = inputs.national.len();
        let n_groups = groups.len();
        let group_block = Layout::SLOTS * n_years + 1;
        let pairs_at = n_groups * group_block;
        let per_unit = pairs_at + overlaps.own.len() * n_years;
        let mut national_at = Vec::new();
        let mut at = codes.len() * per_unit;
        for g in &groups {
            national_at.push(at);
            let sets = match &g.calibration {
                CalibrationPlan::Sets { sets, .. } => sets.len(),
                _ => 0,
            };
            at += n_years + 1 + sets;
        }
        Ok(GroupPlan {
            base_year: inputs.base_year,
            index: Arc::new(
                codes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.clone(), i))
                    .collect(),
            ),
            national_unit: codes.iter().map(|c| c == "NL01").collect(),
            codes: Arc::new(codes),
            groups,
            overlaps: Arc::new(overlaps),
            household_rates: inputs.household_rates,
            layout: Layout {
                n_years,
                per_unit,
                pairs_at,
                national_at,
                len: at,
            },
        })
    }

    /// The unit codes, in the order of the plan.
    pub fn codes(&self) -> &[String] {
        &self.codes
    }
    /// The number of years (base..=horizon).
    pub fn n_years(&self) -> usize {
        self.layout.n_years
    }
    /// How the plan's groups overlap.
    pub fn overlaps(&self) -> &Overlaps {
        &self.overlaps
    }
    /// The number of computed overlaps with a sum of their own.
    pub fn own_pairs(&self) -> usize {
        self.overlaps.own.len()
    }
    /// Whether the groups' households are summed.
    pub fn has_households(&self) -> bool {
        self.household_rates.is_some()
    }
    /// The index of a unit code, if the plan has it.
    pub fn unit(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }
}

/// Every sum over ages and sexes the group methods take from one population (step 2).
#[derive(Debug, Clone)]
pub struct PopulationSums {
    data: Vec<f64>,
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
    mid: &'a [f64],
    other: Option<(&'a [f64], f64)>,
}

impl SumsView<'_> {
    /// `out.len()` consecutive sums from `at`.
    #[inline]
    fn read(&self, at: usize, out: &mut [f64]) {
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
    fn get(&self, i: usize) -> f64 {
        let m = self.mid.get(i).copied().unwrap_or(0.0);
        match self.other {
            None => m,
            Some((o, f)) => m + f * (o.get(i).copied().unwrap_or(m) - m),
        }
    }
}

/// Counts of all groups for the units counted: flat arrays, `[unit][group][year]`.
#[derive(Debug, Clone, Default)]
pub struct GroupCounts {
    pub base_year: u16,
    n_years: usize,
    n_groups: usize,
    /// The plan's codes and index; `local[plan unit]` = position among the units counted.
    plan_codes: Arc<Vec<String>>,
    plan_index: Arc<HashMap<String, usize>>,
    units: Vec<usize>,
    local: Vec<usize>,
    values: Vec<f64>,
    /// Persons of the profile over the group's own ages and sexes (0 without a profile).
    persons: Vec<f64>,
    /// Their households (with household rates).
    households: Option<Vec<f64>>,
    /// `[unit][pair][year]`: the computed overlaps.
    pairs: Vec<f64>,
    flow_names: Vec<Vec<&'static str>>,
    /// `[unit][flows of group 0, of group 1, …][year]`.
    flows: Vec<f64>,
    flow_at: Vec<usize>,
    flows_per_unit: usize,
    calibration: Vec<f64>,
    /// `[unit][group]`: age × sex profiles per year, when kept.
    profiles: Option<Vec<Option<Vec<Pop>>>>,
    overlaps: Arc<Overlaps>,
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
    flow_at: Vec<usize>,
    flows_per_unit: usize,
}

/// A group's calibration ratio as counting reads it per unit: what does not depend on the
/// unit worked out once ([`CountSteps`]).
enum Calibration {
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
struct GroupStep {
    /// The trend factor τ(t) per year.
    tau: Vec<f64>,
    calibration: Calibration,
    method: GroupMethod,
    /// The overlap pairs (own slots) whose second group is this one.
    my_pairs: Vec<usize>,
}

/// What counting a unit takes from the catalogue and the population sums beyond the unit
/// itself — per group the trend factors, the national calibration ratios, the method's
/// parameters and the overlap pairs it fills — made once for a run or a draw and used for
/// every unit ([`count_units_with`]).
pub struct CountSteps {
    groups: Vec<GroupStep>,
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
    fn rho(&self, plan: &GroupPlan, sums: &SumsView, g: usize, u: usize) -> f64 {
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
                    let mut h: Vec<(u16, u8, f64, f64)> = halves.clone();
                    for x in h.iter_mut() {
                        let t = usize::from(x.0.saturating_sub(base)).min(n_years - 1);
                        x.3 = shares[t];
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
fn shares_into(
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
fn share(
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
fn population_share(band: f64, national: f64) -> f64 {
    band / national.max(1.0)
}

/// The parameters of a group's method, per year of the run.
enum GroupMethod {
    Prevalence,
    StockFlow {
        duration: f64,
        /// Dwellings for uitstroom as a share of the base year's desired uitstroom, per year.
        capacity: Vec<f64>,
        start: Option<f64>,
    },
    Task {
        /// (year, half, national target, share — set per unit).
        halves: Vec<(u16, u8, f64, f64)>,
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
    fn of(g: &Group, n_years: usize, base: u16) -> Result<GroupMethod, GroupError> {
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
                let first = tk
                    .targets
                    .iter()
                    .filter_map(|h| parse_half_year(&h.period))
                    .min()
                    .unwrap_or((base, 1));
                let last_year = year(n_years.saturating_sub(1));
                let mut halves = Vec::new();
                let (mut y, mut h) = first;
                while y <= last_year {
                    let target = tk
                        .targets
                        .iter()
                        .find(|x| parse_half_year(&x.period) == Some((y, h)))
                        .map(|x| x.value)
                        .unwrap_or_else(|| tk.later.at(y));
                    halves.push((y, h, target, 1.0));
                    (y, h) = if h == 1 { (y, 2) } else { (y + 1, 1) };
                }
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
                    |f: &dyn Fn(&super::catalogue::PathPoint) -> Option<f64>| -> Vec<(u16, f64)> {
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
fn profiles(plan: &GroupPlan, counts: &GroupCounts, inputs: &GroupInputs) -> Vec<Option<Vec<Pop>>> {
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

/// Gross and net of one area.
#[derive(Debug, Clone)]
pub struct AreaGroups {
    /// `gross[group][t]`, `net[group][t]`.
    pub gross: Vec<Vec<f64>>,
    pub net: Vec<Vec<f64>>,
    /// Profiles summed over the area (when the counts kept them).
    pub profiles: Vec<Option<Vec<Pop>>>,
    pub flows: Vec<Vec<(&'static str, Vec<f64>)>>,
    /// Persons of each group's profile over its own ages and sexes, and their households
    /// (with household rates): `[group][t]`; 0 for a group without a profile.
    pub persons: Vec<Vec<f64>>,
    pub households: Option<Vec<Vec<f64>>>,
}

/// The counts of one area, flat `[group][year]`: a buffer that is filled again for every area
/// (what a Monte Carlo draw uses; [`AreaGroups`] is the same in nested vectors, with flows).
#[derive(Debug, Clone, Default)]
pub struct AreaSums {
    n_years: usize,
    gross: Vec<f64>,
    net: Vec<f64>,
    persons: Vec<f64>,
    households: Option<Vec<f64>>,
    pairs: Vec<f64>,
    applied: Vec<f64>,
    scratch: Vec<f64>,
}

impl AreaSums {
    fn row<'a>(&self, v: &'a [f64], g: usize) -> &'a [f64] {
        &v[g * self.n_years..(g + 1) * self.n_years]
    }
    pub fn gross(&self, g: usize) -> &[f64] {
        self.row(&self.gross, g)
    }
    pub fn net(&self, g: usize) -> &[f64] {
        self.row(&self.net, g)
    }
    pub fn persons(&self, g: usize) -> &[f64] {
        self.row(&self.persons, g)
    }
    pub fn households(&self, g: usize) -> Option<&[f64]> {
        self.households.as_deref().map(|h| self.row(h, g))
    }
}

impl GroupCounts {
    /// Gross and net for an area: the sum of its units (gemeente codes; `NL01` for a national
    /// run), with flows and profiles. Units not counted are an error.
    pub fn area(&self, members: &[String]) -> Result<AreaGroups, GroupError> {
        // Units added in the plan's order (as a Monte Carlo draw adds them).
        let mut units = self.member_units(members)?;
        units.sort_unstable();
        let mut sums = AreaSums::default();
        self.area_sums(&units, &mut sums);
        let n = self.n_groups;
        let rows =
            |v: &[f64]| -> Vec<Vec<f64>> { (0..n).map(|g| sums.row(v, g).to_vec()).collect() };
        let mut flows: Vec<Vec<(&'static str, Vec<f64>)>> = (0..n)
            .map(|g| {
                self.flow_names[g]
                    .iter()
                    .map(|name| (*name, vec![0.0; self.n_years]))
                    .collect()
            })
            .collect();
        let mut profiles: Vec<Option<Vec<Pop>>> = vec![None; n];
        for &u in &units {
            for g in 0..n {
                for (k, (_, vals)) in self.flows(u, g).enumerate() {
                    add_to(&mut flows[g][k].1, vals);
                }
                if let Some(p) = self.profiles(u, g) {
                    let acc = profiles[g].get_or_insert_with(|| vec![Pop::default(); self.n_years]);
                    for (a, x) in acc.iter_mut().zip(p) {
                        a.add(x);
                    }
                }
            }
        }
        Ok(AreaGroups {
            gross: rows(&sums.gross),
            net: rows(&sums.net),
            profiles,
            flows,
            persons: rows(&sums.persons),
            households: sums.households.as_deref().map(rows),
        })
    }

    /// The positions among the counted units of an area's members (gemeente codes).
    pub fn member_units(&self, members: &[String]) -> Result<Vec<usize>, GroupError> {
        members
            .iter()
            .map(|m| {
                self.plan_index
                    .get(m)
                    .and_then(|&u| self.local.get(u).copied())
                    .filter(|&l| l != usize::MAX)
                    .ok_or_else(|| GroupError::Data {
                        what: format!("region {m}"),
                        message: "not counted by the group stage".into(),
                        hint: "the area's gemeenten must be in the run".into(),
                    })
            })
            .collect()
    }

    /// Gross and net of the area of `units` (positions from [`GroupCounts::member_units`]) into
    /// `out`: the units' counts added up, then the overlaps taken out ([`AreaSums::finish`]).
    pub fn area_sums(&self, units: &[usize], out: &mut AreaSums) {
        let n = self.n_groups;
        let t_n = self.n_years;
        let n_pairs = self.overlaps.own.len();
        out.reset(n, t_n, n_pairs, self.households.is_some());
        for &u in units {
            let at = u * self.n_groups * t_n;
            let pat = u * n_pairs * t_n;
            out.add(
                &self.values[at..at + n * t_n],
                &self.persons[at..at + n * t_n],
                self.households.as_ref().map(|h| &h[at..at + n * t_n]),
                &self.pairs[pat..pat + n_pairs * t_n],
            );
        }
        out.finish(&self.overlaps);
    }
}

impl AreaSums {
    /// Empty sums for `n` groups, `t_n` years and `n_pairs` computed overlaps.
    pub fn reset(&mut self, n: usize, t_n: usize, n_pairs: usize, households: bool) {
        let zeros = |v: &mut Vec<f64>, len: usize| {
            v.clear();
            v.resize(len, 0.0);
        };
        self.n_years = t_n;
        zeros(&mut self.gross, n * t_n);
        zeros(&mut self.net, n * t_n);
        zeros(&mut self.persons, n * t_n);
        zeros(&mut self.pairs, n_pairs * t_n);
        match (&mut self.households, households) {
            (Some(h), true) => zeros(h, n * t_n),
            (h, true) => *h = Some(vec![0.0; n * t_n]),
            (h, false) => *h = None,
        }
    }

    /// Add one unit's counts (flat `[group][year]`, pairs `[slot][year]`).
    pub fn add(
        &mut self,
        values: &[f64],
        persons: &[f64],
        households: Option<&[f64]>,
        pairs: &[f64],
    ) {
        add_to(&mut self.gross, values);
        add_to(&mut self.persons, persons);
        if let (Some(acc), Some(hh)) = (self.households.as_mut(), households) {
            add_to(acc, hh);
        }
        add_to(&mut self.pairs, pairs);
    }

    /// The counts of one unit alone, from [`count_units`]: the same as [`AreaSums::reset`]
    /// then [`AreaSums::add_unit`] (`0 + x`, so a negative zero becomes a zero), in one pass.
    pub fn set_unit(&mut self, n_years: usize, unit: &UnitCounts) {
        fn set(acc: &mut Vec<f64>, values: &[f64]) {
            acc.clear();
            acc.extend(values.iter().map(|v| 0.0 + v));
        }
        self.n_years = n_years;
        set(&mut self.gross, &unit.values);
        set(&mut self.persons, &unit.persons);
        set(&mut self.pairs, &unit.pairs);
        match &unit.households {
            Some(h) => set(self.households.get_or_insert_with(Vec::new), h),
            None => self.households = None,
        }
    }

    /// Add one unit's counts from [`count_units`].
    pub fn add_unit(&mut self, unit: &UnitCounts) {
        self.add(
            &unit.values,
            &unit.persons,
            unit.households.as_deref(),
            &unit.pairs,
        );
    }

    /// The net counts: year by year the overlaps taken out in the claim order
    /// ([`net_by_priority`]).
    pub fn finish(&mut self, overlaps: &Overlaps) {
        let t_n = self.n_years;
        let (pairs, persons, gross) = (&self.pairs, &self.persons, &self.gross);
        net_by_priority_into(
            gross,
            t_n,
            &overlaps.order,
            &overlaps.earlier,
            |i, j, out| overlaps.both(i, j, t_n, gross, persons, pairs, out),
            (&mut self.net, &mut self.applied, &mut self.scratch),
        );
    }
}

fn add_to(acc: &mut [f64], values: &[f64]) {
    for (a, v) in acc.iter_mut().zip(values) {
        *a += v;
    }
}
