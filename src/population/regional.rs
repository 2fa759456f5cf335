//! Gemeenten: an estimated single-year base per gemeente, each gemeente's own net migration
//! level, and the joint projection of all gemeenten constrained to the national projection.

use std::collections::BTreeMap;

use crate::source::codes::period_year;
use crate::source::{Cell, TidyTable};

use super::PopulationError;
use super::constrain::{constrain_to_control, ipf_two_margins};
use super::grid::{AGES, OPEN_AGE, Pop};
use super::project::{Components, Projection, cohort_step};
use super::rates::RateSet;
use super::split::{BandTotal, rake_groups};

/// The band measures of 85383NED and the ages they cover.
const BANDS_85383: [(&str, usize, usize); 7] = [
    ("InwonersTotaal_", 0, OPEN_AGE),
    ("InwonersJongerDan18_", 0, 17),
    ("InwonersJongerDan65_", 0, 64),
    ("Inwoners10TotEnMet24Jaar_", 10, 24),
    ("Inwoners15TotEnMet64Jaar_", 15, 64),
    ("Inwoners18TotEnMet44Jaar_", 18, 44),
    ("Inwoners75Plus_", 75, OPEN_AGE),
];

/// Band totals (both sexes) per gemeente on 1 January of `year` from 85383NED (status
/// Definitief): total, <18, <65, 10–24, 15–64, 18–44, 75+. Gemeenten missing any band are left out.
pub fn gemeente_bands(t: &TidyTable, year: u16) -> BTreeMap<String, (String, Vec<BandTotal>)> {
    let mut found: BTreeMap<String, (String, BTreeMap<usize, f64>)> = BTreeMap::new();
    for r in &t.rows {
        if !r.region.starts_with("GM") || period_year(&r.period) != Some(year) {
            continue;
        }
        if r.category_value("StatusCijfer")
            .is_some_and(|s| s != "Definitief")
        {
            continue;
        }
        let Cell::Number(v) = r.value else { continue };
        if let Some(i) = BANDS_85383
            .iter()
            .position(|(p, _, _)| r.measure.starts_with(p))
        {
            let e = found
                .entry(r.region.clone())
                .or_insert_with(|| (r.region_name.clone(), BTreeMap::new()));
            e.1.insert(i, v);
        }
    }
    found
        .into_iter()
        .filter(|(_, (_, m))| m.len() == BANDS_85383.len())
        .map(|(code, (name, m))| {
            let bands = m
                .iter()
                .map(|(i, v)| BandTotal {
                    lo: BANDS_85383[*i].1,
                    hi: BANDS_85383[*i].2,
                    total: *v,
                })
                .collect();
            (code, (name, bands))
        })
        .collect()
}

/// Raking of a reference population (national, single years × sex) to band totals that
/// cover both sexes: the estimated ("geschat") single-year base of a gemeente.
pub fn rake_pop(shape: &Pop, bands: &[BandTotal]) -> Result<Pop, PopulationError> {
    let groups: Vec<(Vec<usize>, f64)> = bands
        .iter()
        .map(|b| {
            (
                (b.lo..=b.hi).chain(AGES + b.lo..=AGES + b.hi).collect(),
                b.total,
            )
        })
        .collect();
    Ok(Pop::from_flat(&rake_groups(&shape.flat(), &groups)?))
}

/// The gemeenten of a regional projection.
#[derive(Debug, Clone)]
pub struct Gemeenten {
    pub codes: Vec<String>,
    pub names: Vec<String>,
    pub bases: Vec<Pop>,
    pub bands: Vec<Vec<BandTotal>>,
    /// Own net migration per year (level from recent population growth).
    pub net_migration: Vec<f64>,
}

/// Net migration level of each gemeente: mean yearly growth over the window minus its natural
/// increase (births − deaths of one step with the national rates, no migration).
pub fn own_net_migration(
    bases: &[Pop],
    growth_per_year: &[f64],
    rates: &RateSet,
    year: u16,
) -> Vec<f64> {
    let mut r = rates.year(year);
    r.migration = Pop::default();
    bases
        .iter()
        .zip(growth_per_year)
        .map(|(p, g)| {
            let (next, _) = cohort_step(p, &r);
            g - (next.total() - p.total())
        })
        .collect()
}

/// The projection of all gemeenten, year by year.
#[derive(Debug, Clone)]
pub struct RegionalProjection {
    pub base_year: u16,
    pub codes: Vec<String>,
    pub names: Vec<String>,
    /// stocks[g][t − base]
    pub stocks: Vec<Vec<Pop>>,
    /// flows[g][t − base] for the year t → t+1 (migration includes the constraint adjustment)
    pub flows: Vec<Vec<Components>>,
    pub constrained: bool,
}

/// Fit the estimated bases to both margins of the base year: each gemeente's band totals and
/// the national single-year × sex population (so that the gemeenten add up to Nederland).
pub fn fit_bases_to_national(
    g: &mut Gemeenten,
    national_base: &Pop,
) -> Result<usize, PopulationError> {
    ipf_two_margins(&mut g.bases, &g.bands, national_base)
}

/// Project every gemeente with the national rates and its own migration level (the national
/// age-sex profile scaled to the gemeente's total); with `constrain`, each year's gemeenten are
/// scaled per age × sex to the national projection (fit the bases first with
/// [`fit_bases_to_national`]).
pub fn project_gemeenten(
    g: &Gemeenten,
    rates: &RateSet,
    national: &Projection,
    constrain: bool,
) -> Result<RegionalProjection, PopulationError> {
    let base_year = national.base_year;
    let mut current = g.bases.clone();
    let n = current.len();
    let mut stocks: Vec<Vec<Pop>> = current.iter().map(|p| vec![*p]).collect();
    let mut flows: Vec<Vec<Components>> = vec![Vec::new(); n];
    let national_total_profile = rates.migration.profile;
    for (i, t) in (base_year..national.horizon()).enumerate() {
        let mut yr = rates.year(t);
        let mut next = Vec::with_capacity(n);
        let mut year_flows = Vec::with_capacity(n);
        for (gi, p) in current.iter().enumerate() {
            let mut mig = Pop::default();
            for s in 0..2 {
                for a in 0..AGES {
                    mig.0[s][a] = national_total_profile[s][a] * g.net_migration[gi];
                }
            }
            yr.migration = mig;
            let (np, c) = cohort_step(p, &yr);
            next.push(np);
            year_flows.push(c);
        }
        if constrain {
            constrain_to_control(&mut next, &mut year_flows, &national.stocks[i + 1])?;
        }
        for (gi, (p, c)) in next.iter().zip(year_flows).enumerate() {
            stocks[gi].push(*p);
            flows[gi].push(c);
        }
        current = next;
    }
    Ok(RegionalProjection {
        base_year,
        codes: g.codes.clone(),
        names: g.names.clone(),
        stocks,
        flows,
        constrained: constrain,
    })
}
