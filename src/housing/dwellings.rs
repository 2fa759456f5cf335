//! Persons → households → dwellings per group and dwelling type (docs/METHODS.md §1d).

use crate::groups::demand::{AreaGroups, AreaSums};
use crate::groups::methods::Rates;
use crate::groups::{Catalogue, GroupError, Observed};
use crate::population::grid::{AGES, Pop};

use super::catalogue::HousingCatalogue;

/// **Headship rates**: private households per person in private households, by sex and single
/// age, from the CBS household identity `households = alleenstaanden + samenwonenden / 2 +
/// eenouders` (docs/METHODS.md §1d; "overige huishoudens", ≈ 0.5 %, left out) on CBS 37620.
pub fn headship_rates(observed: &Observed, year: u16) -> Result<Rates, GroupError> {
    let private = "TotaalPersonenInParticuliereHuish_2";
    let single = observed.rates_by_age("37620", "Alleenstaand_4", private, year)?;
    let couple = observed.rates_by_age("37620", "TotaalSamenwonendePersonen_5", private, year)?;
    let lone_parent =
        observed.rates_by_age("37620", "OuderInEenouderhuishouden_10", private, year)?;
    let mut h = [[0.0; AGES]; 2];
    for s in 0..2 {
        for x in 0..AGES {
            h[s][x] = single[s][x] + couple[s][x] / 2.0 + lone_parent[s][x];
        }
    }
    Ok(h)
}

/// **Persons per dwelling** of a group with an age profile: Σ P / Σ P·h (headship method,
/// docs/METHODS.md §1d). `None` when the profile is empty.
pub fn persons_per_dwelling(profile: &Pop, h: &Rates) -> Option<f64> {
    let mut persons = 0.0;
    let mut households = 0.0;
    for s in 0..2 {
        for x in 0..AGES {
            persons += profile.0[s][x];
            households += profile.0[s][x] * h[s][x];
        }
    }
    (households > 0.0).then(|| persons / households)
}

/// **Private households of a population**: persons outside institutions, `P·(1 − ι)`, and their
/// households `Σ P·(1 − ι)·h` (headship method; ι = share in institutional households, h =
/// households per person in private households, both CBS 37620). Returns (persons, households).
pub fn private_households(pop: &Pop, h: &Rates, institution: &Rates) -> (f64, f64) {
    let mut persons = 0.0;
    let mut households = 0.0;
    for s in 0..2 {
        for x in 0..AGES {
            let p = pop.0[s][x] * (1.0 - institution[s][x]);
            persons += p;
            households += p * h[s][x];
        }
    }
    (persons, households)
}

/// Dwelling demand of one group in one area.
#[derive(Debug, Clone)]
pub struct GroupDwellings {
    /// Index of the group in the group catalogue.
    pub group: usize,
    /// Persons per year: gross, net.
    pub persons_gross: Vec<f64>,
    pub persons_net: Vec<f64>,
    /// Persons per dwelling per year (households types).
    pub ppd: Vec<f64>,
    pub by_type: Vec<TypeDemand>,
}

/// The units of one dwelling type a group needs.
#[derive(Debug, Clone)]
pub struct TypeDemand {
    /// Index in the housing catalogue's types.
    pub dwelling_type: usize,
    /// Share of the group's persons in this type.
    pub share: f64,
    /// Persons per unit per year (persons per dwelling, or the occupancy for places).
    pub per_unit: Vec<f64>,
    /// Units per year, from gross and from net persons.
    pub gross: Vec<f64>,
    pub net: Vec<f64>,
}

/// Which dwelling types each group of the housing catalogue needs.
pub struct DwellingLinks(Vec<DwellingLink>);

/// One group of the housing catalogue: its index in the group catalogue, the persons per
/// dwelling it fixes (if any), and per type (type index, share of the group's persons, whether
/// the type counts places).
struct DwellingLink {
    group: usize,
    fixed: Option<f64>,
    types: Vec<(usize, f64, bool)>,
}

impl DwellingLinks {
    pub fn of(hc: &HousingCatalogue, groups: &Catalogue) -> DwellingLinks {
        DwellingLinks(
            hc.groups
                .iter()
                .filter_map(|gh| {
                    let gi = groups.groups.iter().position(|g| g.id == gh.group)?;
                    let types = gh
                        .types
                        .iter()
                        .filter_map(|ts| {
                            let ti = hc.type_index(&ts.dwelling_type)?;
                            Some((ti, ts.value, hc.types[ti].places))
                        })
                        .collect();
                    let fixed = gh
                        .persons_per_dwelling
                        .value
                        .or_else(|| (!groups.groups[gi].has_age_profile()).then_some(1.0));
                    Some(DwellingLink {
                        group: gi,
                        fixed,
                        types,
                    })
                })
                .collect(),
        )
    }
}

/// Persons per dwelling of a group in one year: the catalogue's value, else the area's persons
/// over their households ([`persons_per_dwelling`] summed over the area's profiles), else 1.
fn persons_per_dwelling_of(fixed: Option<f64>, persons: f64, households: Option<f64>) -> f64 {
    match (fixed, households) {
        (Some(v), _) => v,
        (None, Some(h)) if h > 0.0 => persons / h,
        _ => 1.0,
    }
}

/// Units of one type: persons × share ÷ persons per unit.
fn units(persons: f64, share: f64, per_unit: f64) -> f64 {
    persons * share / per_unit
}

/// **Dwellings from persons**: per group and type, units = persons × share ÷ persons per
/// dwelling (households), or persons × share ÷ bezettingsgraad (places: one place per client,
/// divided by the occupancy; docs/METHODS.md §1d "Conversion factors").
///
/// Persons per dwelling of a group with an age profile are the area's persons over their
/// households ([`persons_per_dwelling`] summed over the area): the group stage sums the
/// households with the headship rates it was given (`GroupInputs::household_rates`).
pub fn dwelling_demand(
    hc: &HousingCatalogue,
    groups: &Catalogue,
    area: &AreaGroups,
) -> Vec<GroupDwellings> {
    let links = DwellingLinks::of(hc, groups);
    let mut out = Vec::new();
    for DwellingLink {
        group,
        fixed,
        types,
    } in &links.0
    {
        let gi = *group;
        let n = area.gross[gi].len();
        let ppd: Vec<f64> = (0..n)
            .map(|t| {
                let households = area.households.as_ref().map(|h| h[gi][t]);
                persons_per_dwelling_of(*fixed, area.persons[gi][t], households)
            })
            .collect();
        let by_type = types
            .iter()
            .map(|&(ti, share, places)| {
                let per_unit: Vec<f64> = if places {
                    vec![hc.occupancy.value; n]
                } else {
                    ppd.clone()
                };
                let of = |persons: &[f64]| -> Vec<f64> {
                    persons
                        .iter()
                        .zip(&per_unit)
                        .map(|(p, u)| units(*p, share, *u))
                        .collect()
                };
                TypeDemand {
                    dwelling_type: ti,
                    share,
                    gross: of(&area.gross[gi]),
                    net: of(&area.net[gi]),
                    per_unit,
                }
            })
            .collect();
        out.push(GroupDwellings {
            group: gi,
            persons_gross: area.gross[gi].clone(),
            persons_net: area.net[gi].clone(),
            ppd,
            by_type,
        });
    }
    out
}

/// The net units per dwelling type and year of an area (`out[type][t]`, flat, added to): the
/// same arithmetic as [`dwelling_demand`] on a reused buffer, for Monte Carlo draws.
pub fn net_units_by_type(
    hc: &HousingCatalogue,
    links: &DwellingLinks,
    area: &AreaSums,
    n_years: usize,
    out: &mut [f64],
) {
    for DwellingLink {
        group,
        fixed,
        types,
    } in &links.0
    {
        let (persons, net, households) = (
            area.persons(*group),
            area.net(*group),
            area.households(*group),
        );
        for &(ti, share, places) in types {
            for t in 0..n_years {
                let per_unit = if places {
                    hc.occupancy.value
                } else {
                    persons_per_dwelling_of(*fixed, persons[t], households.map(|h| h[t]))
                };
                out[ti * n_years + t] += units(net[t], share, per_unit);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_per_dwelling_is_persons_over_households() {
        let mut p = Pop::default();
        p.0[0][80] = 100.0;
        p.0[1][80] = 300.0;
        let mut h = [[0.0; AGES]; 2];
        h[0][80] = 0.6;
        h[1][80] = 0.8;
        // households 60 + 240 = 300 for 400 persons
        assert!((persons_per_dwelling(&p, &h).unwrap() - 400.0 / 300.0).abs() < 1e-12);
        assert_eq!(persons_per_dwelling(&Pop::default(), &h), None);
    }
}
