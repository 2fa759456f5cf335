//! Step 1 of the group counts: [`GroupPlan`], what the catalogue and the observed data fix for
//! a run — the rates per unit, the observed counts calibrated to, the shares of national counts,
//! the overlapping pairs, and where each sum sits. Once per run.

use std::collections::HashMap;
use std::sync::Arc;

use crate::population::grid::{AGES, Pop};

use crate::groups::GroupError;
use crate::groups::catalogue::{Catalogue, Group, Method};
use crate::groups::methods::Rates;
use crate::groups::observed::{BandsByRegion, Observed};

use super::GroupInputs;

/// The rates of a group for one unit (rate 1 at every age where the group gives none).
pub(super) fn rates_for(
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
            let ss = crate::groups::catalogue::sexes_of(e.sex.as_deref());
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
pub(super) fn weighted_sum(
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
pub(super) struct AgePair {
    pub(super) i: usize,
    pub(super) j: usize,
    pub(super) lo: usize,
    pub(super) hi: usize,
    pub(super) sexes: Vec<usize>,
    pub(super) sum: PairSum,
}

/// Where a pair's shared persons come from.
#[derive(Debug, Clone, Copy)]
pub(super) enum PairSum {
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
    pub(super) pairs: Vec<AgePair>,
    /// The pairs with a sum of their own, by slot.
    pub(super) own: Vec<usize>,
    pub(super) order: Vec<usize>,
    /// Where the persons two groups share come from, `[i * n + j]`: the last pair or
    /// declared share written for them.
    pub(super) source: Vec<Shared>,
    /// Per group, the groups before it in the claim order it can share persons with.
    pub(super) earlier: Vec<Vec<usize>>,
}

/// What two groups share.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum Shared {
    #[default]
    Nothing,
    Pair(usize),
    /// A declared share of the gross of the first, at most the gross of the second.
    Declared(f64, usize, usize),
}

impl Overlaps {
    pub(super) fn of(catalogue: &Catalogue) -> Overlaps {
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
    pub(super) fn both(
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
pub(super) enum CalibrationPlan {
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
pub(super) enum UnitSet {
    Set(usize),
    National,
    Unlisted,
}

/// How a national count is divided over the units.
#[derive(Debug, Clone)]
pub(super) enum SharePlan {
    Whole,
    /// Fixed shares of an observed count, per unit.
    Observed(Vec<f64>),
    /// The unit's share of the national population of these ages, per year.
    Population((usize, usize)),
}

/// What is fixed for one group in a run.
#[derive(Debug, Clone)]
pub(super) struct GroupPlanEntry {
    pub(super) window: (usize, usize),
    pub(super) sexes: Vec<usize>,
    pub(super) profile: bool,
    pub(super) regional: Option<BandsByRegion>,
    pub(super) table_rates: Option<Rates>,
    /// Rates per unit (where the group has a profile or a calibration), and of NL01.
    pub(super) unit_rates: Vec<Rates>,
    pub(super) national_rates: Rates,
    pub(super) calibration: CalibrationPlan,
    pub(super) shares: SharePlan,
    /// Ages whose population drives a stock-flow group's instroom.
    pub(super) at_risk: Option<(usize, usize)>,
    pub(super) flow_names: Vec<&'static str>,
}

/// Everything the catalogue and the observed data fix for the units of a run (step 1).
#[derive(Debug, Clone)]
pub struct GroupPlan {
    pub(super) base_year: u16,
    pub(super) codes: Arc<Vec<String>>,
    /// Code → index into `codes`.
    pub(super) index: Arc<HashMap<String, usize>>,
    /// Whether a unit is the country (NL01: shares of national counts are 1).
    pub(super) national_unit: Vec<bool>,
    pub(super) groups: Vec<GroupPlanEntry>,
    pub(super) overlaps: Arc<Overlaps>,
    pub(super) household_rates: Option<Rates>,
    pub(super) layout: Layout,
}

/// Where each sum sits in [`PopulationSums::data`]: per unit and group the canonical sum,
/// the households, the population at risk and the population for shares (one per year) and
/// the expected count of a calibration; per unit the computed pairs (one per year); then per
/// group the national sums and the calibration sets.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub(super) n_years: usize,
    pub(super) per_unit: usize,
    pub(super) pairs_at: usize,
    pub(super) national_at: Vec<usize>,
    pub(super) len: usize,
}

impl Layout {
    const SLOTS: usize = 4;
    pub(super) fn group_block(&self) -> usize {
        Self::SLOTS * self.n_years + 1
    }
    pub(super) fn slot(&self, u: usize, g: usize, slot: usize) -> usize {
        u * self.per_unit + g * self.group_block() + slot * self.n_years
    }
    pub(super) fn canon(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 0)
    }
    pub(super) fn households(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 1)
    }
    pub(super) fn at_risk(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 2)
    }
    pub(super) fn band(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 3)
    }
    pub(super) fn expected(&self, u: usize, g: usize) -> usize {
        self.slot(u, g, 4)
    }
    pub(super) fn pair(&self, u: usize, p: usize) -> usize {
        u * self.per_unit + self.pairs_at + p * self.n_years
    }
    /// National population for shares (per year), then the national expected count, then one
    /// expected count per calibration set.
    pub(super) fn national_band(&self, g: usize) -> usize {
        self.national_at[g]
    }
    pub(super) fn national_expected(&self, g: usize) -> usize {
        self.national_at[g] + self.n_years
    }
    pub(super) fn set_expected(&self, g: usize, set: usize) -> usize {
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
