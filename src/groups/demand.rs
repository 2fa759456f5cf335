//! From the projected population to group counts per gemeente and year (gross), and per area
//! with overlap (net).

use std::collections::BTreeMap;

use crate::population::grid::{AGES, Pop};

use super::GroupError;
use super::catalogue::{Catalogue, DistributeSpec, Group, Method};
use super::methods::{
    Rates, calibration_ratio, parse_half_year, path_value, prevalence, profile_sum, stock_flow,
    taakstelling, trend_factor,
};
use super::observed::{BandsByRegion, Observed};
use super::overlap::net_by_priority;

/// A gemeente (or NL01) with its projected stocks, 1 January of base..=horizon.
#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    pub stocks: Vec<Pop>,
}

/// What the group stage needs from the population stage.
#[derive(Debug, Clone)]
pub struct GroupInputs {
    pub base_year: u16,
    /// The gemeenten counted (or NL01 alone).
    pub units: Vec<Unit>,
    /// Base-year population of every gemeente of the country (for calibration to totals of
    /// sets of gemeenten); empty for a national run.
    pub all_base: BTreeMap<String, Pop>,
    /// National stocks, 1 January of base..=horizon (for shares of national counts).
    pub national: Vec<Pop>,
}

impl GroupInputs {
    pub fn years(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.national.len()).map(|i| self.base_year + i as u16)
    }
}

/// Counts of every group for one unit.
#[derive(Debug, Clone)]
pub struct UnitCounts {
    pub code: String,
    /// `values[group][t − base]`, in catalogue order.
    pub values: Vec<Vec<f64>>,
    /// Age × sex profiles (all ages, before restricting to the canonical ones) where the group
    /// has one: `profiles[group][t − base]`.
    pub profiles: Vec<Option<Vec<Pop>>>,
    /// Flows of stock-flow and taakstelling groups: `flows[group]` = (name, per year).
    pub flows: Vec<Vec<(&'static str, Vec<f64>)>>,
    /// Calibration ratio applied (1 where none).
    pub calibration: Vec<f64>,
}

/// Counts of all groups for all units.
#[derive(Debug, Clone)]
pub struct GroupCounts {
    pub base_year: u16,
    pub units: Vec<UnitCounts>,
}

/// Gross and net of one area.
#[derive(Debug, Clone)]
pub struct AreaGroups {
    /// `gross[group][t]`, `net[group][t]`.
    pub gross: Vec<Vec<f64>>,
    pub net: Vec<Vec<f64>>,
    /// Profiles summed over the area.
    pub profiles: Vec<Option<Vec<Pop>>>,
    pub flows: Vec<Vec<(&'static str, Vec<f64>)>>,
}

fn pop_sum(p: &Pop, lo: usize, hi: usize, sexes: &[usize]) -> f64 {
    profile_sum(p, lo, hi, sexes)
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

/// Shares of a national count per unit and year.
fn shares(
    d: &DistributeSpec,
    inputs: &GroupInputs,
    observed: &Observed,
) -> Result<Vec<Vec<f64>>, GroupError> {
    let n_years = inputs.national.len();
    if let (Some(t), Some(m)) = (&d.table, &d.measure) {
        let obs = observed.by_region(t, m, None, d.category.as_deref())?;
        let nl = obs.get("NL01").copied().unwrap_or_else(|| {
            obs.iter()
                .filter(|(k, _)| k.starts_with("GM"))
                .map(|(_, v)| v)
                .sum()
        });
        return Ok(inputs
            .units
            .iter()
            .map(|u| {
                let s = if u.code == "NL01" {
                    1.0
                } else {
                    obs.get(&u.code).copied().unwrap_or(0.0) / nl.max(1.0)
                };
                vec![s; n_years]
            })
            .collect());
    }
    let [lo, hi] = d.age.unwrap_or([0, 105]);
    let (lo, hi) = (usize::from(lo), usize::from(hi));
    Ok(inputs
        .units
        .iter()
        .map(|u| {
            (0..n_years)
                .map(|t| {
                    if u.code == "NL01" {
                        return 1.0;
                    }
                    let nat = inputs.national[t].band(lo, hi);
                    u.stocks.get(t).map(|p| p.band(lo, hi)).unwrap_or(0.0) / nat.max(1.0)
                })
                .collect()
        })
        .collect())
}

/// Calibration ratios per unit (1 where the group has no calibration).
fn calibrations(
    g: &Group,
    inputs: &GroupInputs,
    observed: &Observed,
    unit_rates: &[Rates],
    rates_of: &dyn Fn(&str) -> Rates,
) -> Result<Vec<f64>, GroupError> {
    let sexes = g.sexes();
    if let Some(c) = &g.calibrate {
        let obs = observed.by_region(&c.table, &c.measure, Some(c.year), None)?;
        let [lo, hi] = c.age.unwrap_or(g.age.unwrap_or([0, 105]));
        let (lo, hi) = (usize::from(lo), usize::from(hi));
        let expected = |p: &Pop, r: &Rates| pop_sum(&prevalence(p, r, 1.0, 1.0), lo, hi, &sexes);
        let nat_rho = obs
            .get("NL01")
            .map(|o| calibration_ratio(*o, expected(&inputs.national[0], &rates_of("NL01"))))
            .unwrap_or(1.0);
        return Ok(inputs
            .units
            .iter()
            .zip(unit_rates)
            .map(|(u, r)| match obs.get(&u.code) {
                Some(o) => calibration_ratio(*o, expected(&u.stocks[0], r)),
                None => nat_rho,
            })
            .collect());
    }
    if !g.calibrate_regions.is_empty() {
        let (lo, hi) = g.ages();
        let listed: Vec<&String> = g
            .calibrate_regions
            .iter()
            .flat_map(|a| &a.regions)
            .collect();
        let mut rhos = Vec::new();
        let mut total_value = 0.0;
        let mut total_expected = 0.0;
        for a in &g.calibrate_regions {
            let members: Vec<(&String, &Pop)> = inputs
                .all_base
                .iter()
                .filter(|(c, _)| {
                    if a.rest {
                        !listed.contains(c)
                    } else {
                        a.regions.contains(c)
                    }
                })
                .collect();
            let exp: f64 = members
                .iter()
                .map(|(c, p)| pop_sum(&prevalence(p, &rates_of(c), 1.0, 1.0), lo, hi, &sexes))
                .sum();
            total_value += a.value;
            total_expected += exp;
            rhos.push((a, calibration_ratio(a.value, exp)));
        }
        let national_rho = if inputs.all_base.is_empty() {
            calibration_ratio(
                total_value,
                pop_sum(
                    &prevalence(&inputs.national[0], &rates_of("NL01"), 1.0, 1.0),
                    lo,
                    hi,
                    &sexes,
                ),
            )
        } else {
            calibration_ratio(total_value, total_expected)
        };
        return Ok(inputs
            .units
            .iter()
            .map(|u| {
                if u.code == "NL01" {
                    return national_rho;
                }
                rhos.iter()
                    .find(|(a, _)| a.regions.contains(&u.code))
                    .or_else(|| rhos.iter().find(|(a, _)| a.rest))
                    .map(|(_, r)| *r)
                    .unwrap_or(1.0)
            })
            .collect());
    }
    Ok(vec![1.0; inputs.units.len()])
}

/// Count every group of the catalogue for every unit and year (gross).
pub fn project_groups(
    catalogue: &Catalogue,
    observed: &Observed,
    inputs: &GroupInputs,
) -> Result<GroupCounts, GroupError> {
    let n_years = inputs.national.len();
    let mut units: Vec<UnitCounts> = inputs
        .units
        .iter()
        .map(|u| UnitCounts {
            code: u.code.clone(),
            values: Vec::new(),
            profiles: Vec::new(),
            flows: Vec::new(),
            calibration: Vec::new(),
        })
        .collect();
    for g in &catalogue.groups {
        let regional = match &g.regional_rate {
            Some(rr) => {
                Some(observed.by_region_and_band(&rr.table, &rr.measure, rr.category.as_deref())?)
            }
            None => None,
        };
        let table_rates = match &g.rate_table {
            Some(rt) => {
                Some(observed.rates_by_age(&rt.table, &rt.measure, &rt.denominator, rt.year)?)
            }
            None => None,
        };
        let rates_of = |code: &str| rates_for(g, code, &regional, &table_rates);
        let unit_rates: Vec<Rates> = inputs.units.iter().map(|u| rates_of(&u.code)).collect();
        let rho = calibrations(g, inputs, observed, &unit_rates, &rates_of)?;
        let trend = |y: u16| g.trend.as_ref().map(|t| t.at(y)).unwrap_or(0.0);
        let (lo, hi) = g.ages();
        let sexes = g.sexes();
        let share = match &g.distribute {
            Some(d) => Some(shares(d, inputs, observed)?),
            None => None,
        };
        for (ui, u) in inputs.units.iter().enumerate() {
            let mut flows: Vec<(&'static str, Vec<f64>)> = Vec::new();
            let profile: Option<Vec<Pop>> = g.has_age_profile().then(|| {
                (0..n_years)
                    .map(|t| {
                        prevalence(
                            &u.stocks[t],
                            &unit_rates[ui],
                            rho[ui],
                            trend_factor(trend, inputs.base_year, inputs.base_year + t as u16),
                        )
                    })
                    .collect()
            });
            let share_of = |t: usize| share.as_ref().map(|s| s[ui][t]).unwrap_or(1.0);
            let (values, profile) = match g.method {
                Method::Prevalentie => {
                    let p = profile.unwrap_or_default();
                    let v = p.iter().map(|p| profile_sum(p, lo, hi, &sexes)).collect();
                    (v, Some(p))
                }
                Method::VoorraadStroom => {
                    let sf = g.stock_flow.as_ref().ok_or_else(|| GroupError::Data {
                        what: g.id.clone(),
                        message: "no stock_flow parameters".into(),
                        hint: "add [group.stock_flow]".into(),
                    })?;
                    let prev: Option<Vec<f64>> = profile
                        .as_ref()
                        .map(|p| p.iter().map(|p| profile_sum(p, lo, hi, &sexes)).collect());
                    let s0 = match (&prev, &sf.start) {
                        (Some(p), _) => p[0],
                        (None, Some(start)) => start.value * share_of(0),
                        (None, None) => 0.0,
                    };
                    let [ilo, ihi] = sf.instroom_leeftijd.unwrap_or([lo as u8, hi as u8]);
                    let (ilo, ihi) = (usize::from(ilo), usize::from(ihi));
                    let at_risk0 = pop_sum(&u.stocks[0], ilo, ihi, &sexes).max(1e-9);
                    let d = sf.duur.value;
                    let inflow: Vec<f64> = (0..n_years)
                        .map(|t| s0 / d * pop_sum(&u.stocks[t], ilo, ihi, &sexes) / at_risk0)
                        .collect();
                    let cap: Vec<f64> = (0..n_years)
                        .map(|t| sf.capaciteit.at(inputs.base_year + t as u16) * s0 / d)
                        .collect();
                    let run = stock_flow(s0, d, &inflow, &cap);
                    let v: Vec<f64> = run.iter().map(|y| y.stock).collect();
                    flows.push(("instroom", run.iter().map(|y| y.inflow).collect()));
                    flows.push((
                        "uitstroom_gewenst",
                        run.iter().map(|y| y.outflow_wanted).collect(),
                    ));
                    flows.push(("uitstroom", run.iter().map(|y| y.outflow).collect()));
                    flows.push((
                        "wachtend_op_woning",
                        run.iter().map(|y| y.waiting).collect(),
                    ));
                    // The age profile follows the prevalence shape, scaled to the stock.
                    let profile = profile.map(|ps| {
                        ps.iter()
                            .zip(prev.as_deref().unwrap_or(&[]))
                            .zip(&v)
                            .map(|((p, &pv), &s)| scale_pop(p, if pv > 0.0 { s / pv } else { 0.0 }))
                            .collect()
                    });
                    (v, profile)
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
                        .unwrap_or((inputs.base_year, 1));
                    let last_year = inputs.base_year + n_years as u16 - 1;
                    let mut halves = Vec::new();
                    let (mut y, mut h) = first;
                    while y <= last_year {
                        let target = tk
                            .targets
                            .iter()
                            .find(|x| parse_half_year(&x.period) == Some((y, h)))
                            .map(|x| x.value)
                            .unwrap_or_else(|| tk.later.at(y));
                        let t = usize::from(y.saturating_sub(inputs.base_year)).min(n_years - 1);
                        halves.push((y, h, target, share_of(t)));
                        (y, h) = if h == 1 { (y, 2) } else { (y + 1, 1) };
                    }
                    let run = taakstelling(&halves, tk.achterstand.value * share_of(0), |y| {
                        tk.realisatie.at(y)
                    });
                    let per_year = |f: &dyn Fn(&super::methods::HalfYear) -> f64,
                                    first_half_only: bool|
                     -> Vec<f64> {
                        (0..n_years)
                            .map(|t| {
                                let yr = inputs.base_year + t as u16;
                                run.iter()
                                    .filter(|x| x.year == yr && (!first_half_only || x.half == 1))
                                    .map(f)
                                    .sum()
                            })
                            .collect()
                    };
                    let task = per_year(&|x| x.task, false);
                    let backlog_jan = per_year(&|x| x.backlog_in, true);
                    let v: Vec<f64> = task.iter().zip(&backlog_jan).map(|(a, b)| a + b).collect();
                    flows.push(("taak", task));
                    flows.push(("achterstand_1_januari", backlog_jan));
                    flows.push(("gehuisvest", per_year(&|x| x.housed, false)));
                    (v, None)
                }
                Method::Pad => {
                    let pts = |f: &dyn Fn(&super::catalogue::PathPoint) -> Option<f64>| -> Vec<(u16, f64)> {
                        g.path.iter().filter_map(|p| f(p).map(|v| (p.year, v))).collect()
                    };
                    let mid = pts(&|p| Some(p.value));
                    let low = pts(&|p| p.low);
                    let high = pts(&|p| p.high);
                    let at = |points: &[(u16, f64)], t: usize| {
                        path_value(points, inputs.base_year + t as u16) * share_of(t)
                    };
                    let v: Vec<f64> = (0..n_years).map(|t| at(&mid, t)).collect();
                    if !low.is_empty() {
                        flows.push(("laag", (0..n_years).map(|t| at(&low, t)).collect()));
                    }
                    if !high.is_empty() {
                        flows.push(("hoog", (0..n_years).map(|t| at(&high, t)).collect()));
                    }
                    (v, None)
                }
            };
            let uc = &mut units[ui];
            uc.values.push(values);
            uc.profiles.push(profile);
            uc.flows.push(flows);
            uc.calibration.push(rho[ui]);
        }
    }
    Ok(GroupCounts {
        base_year: inputs.base_year,
        units,
    })
}

fn scale_pop(p: &Pop, f: f64) -> Pop {
    let mut o = *p;
    for s in 0..2 {
        for x in 0..AGES {
            o.0[s][x] *= f;
        }
    }
    o
}

/// Persons in both groups i and j of an area in year t: declared (share × gross of the first)
/// or, where one group is a pure age definition and the other has an age profile, computed
/// from the profile over the shared ages and sexes.
pub fn both(
    catalogue: &Catalogue,
    gross: &[Vec<f64>],
    profiles: &[Option<Vec<Pop>>],
    t: usize,
) -> Vec<Vec<f64>> {
    let n = catalogue.groups.len();
    let mut m = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let (gi, gj) = (&catalogue.groups[i], &catalogue.groups[j]);
            if gi.is_population()
                && let Some(pj) = &profiles[j]
            {
                let (ilo, ihi) = gi.ages();
                let (jlo, jhi) = gj.ages();
                let (lo, hi) = (ilo.max(jlo), ihi.min(jhi));
                let sexes: Vec<usize> = gi
                    .sexes()
                    .into_iter()
                    .filter(|s| gj.sexes().contains(s))
                    .collect();
                let v = if lo <= hi {
                    profile_sum(&pj[t], lo, hi, &sexes)
                } else {
                    0.0
                };
                m[i][j] = v;
                m[j][i] = v;
            }
        }
    }
    for o in &catalogue.overlaps {
        let (Some(i), Some(j)) = (
            catalogue.groups.iter().position(|g| g.id == o.groups[0]),
            catalogue.groups.iter().position(|g| g.id == o.groups[1]),
        ) else {
            continue;
        };
        let v = (o.share * gross[i][t]).min(gross[j][t]);
        m[i][j] = v;
        m[j][i] = v;
    }
    m
}

impl GroupCounts {
    /// Gross and net for an area: the sum of its units (gemeente codes; `NL01` for a national
    /// run). Units not counted are an error.
    pub fn area(
        &self,
        catalogue: &Catalogue,
        members: &[String],
    ) -> Result<AreaGroups, GroupError> {
        let n = catalogue.groups.len();
        let n_years = self
            .units
            .first()
            .and_then(|u| u.values.first())
            .map(|v| v.len())
            .unwrap_or(0);
        let mut gross = vec![vec![0.0; n_years]; n];
        let mut profiles: Vec<Option<Vec<Pop>>> = catalogue
            .groups
            .iter()
            .map(|g| g.has_age_profile().then(|| vec![Pop::default(); n_years]))
            .collect();
        let mut flows: Vec<Vec<(&'static str, Vec<f64>)>> = vec![Vec::new(); n];
        for m in members {
            let u = self
                .units
                .iter()
                .find(|u| &u.code == m)
                .ok_or_else(|| GroupError::Data {
                    what: format!("region {m}"),
                    message: "not counted by the group stage".into(),
                    hint: "the area's gemeenten must be in the run".into(),
                })?;
            for gi in 0..n {
                for t in 0..n_years {
                    gross[gi][t] += u.values[gi][t];
                }
                if let (Some(acc), Some(p)) = (profiles[gi].as_mut(), u.profiles[gi].as_ref()) {
                    for t in 0..n_years {
                        acc[t].add(&p[t]);
                    }
                }
                for (name, vals) in &u.flows[gi] {
                    match flows[gi].iter_mut().find(|(k, _)| k == name) {
                        Some((_, acc)) => acc.iter_mut().zip(vals).for_each(|(a, v)| *a += v),
                        None => flows[gi].push((name, vals.clone())),
                    }
                }
            }
        }
        let order: Vec<usize> = catalogue
            .order
            .iter()
            .filter_map(|id| catalogue.groups.iter().position(|g| &g.id == id))
            .collect();
        let mut net = vec![vec![0.0; n_years]; n];
        for t in 0..n_years {
            let g_t: Vec<f64> = (0..n).map(|i| gross[i][t]).collect();
            let b = both(catalogue, &gross, &profiles, t);
            let (nt, _) = net_by_priority(&g_t, &b, &order);
            for i in 0..n {
                net[i][t] = nt[i];
            }
        }
        Ok(AreaGroups {
            gross,
            net,
            profiles,
            flows,
        })
    }
}
