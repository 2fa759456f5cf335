//! tables/dwellings.csv, pressure.csv, costs.csv, policy.csv and verdeling.csv: per area,
//! variant and year the groups' dwellings against the supply, the pressure on the social-rent
//! lettings, the costs per payer, the policy checks and the division of regional opgaven.

use std::path::Path;

use crate::geo::ResolvedRegion;
use crate::groups::GroupCounts;
use crate::groups::demand::AreaGroups;
use crate::housing::AreaSupply;
use crate::housing::costs::{per_payer, setting_cost};
use crate::housing::dwellings::{GroupDwellings, dwelling_demand, private_households};
use crate::housing::policy::{share_rule, target_rule};
use crate::housing::pressure::pressure;
use crate::housing::supply::gap;
use crate::housing::verdeel::{distribute, whole_units};
use crate::numbers::cents;
use crate::output::manifest::FileHash;
use crate::output::tables::{AREA_KEYS, Cell, create_csv, create_keyed_csv, write_ordered};
use crate::scenario::area::Area;
use crate::scenario::groups::GroupRun;
use crate::scenario::housing::HousingRun;
use crate::scenario::projection::VariantResult;
use crate::scenario::schema::VerdeelSpec;

/// Per area and variant: the groups' dwellings.
struct AreaHousing<'a> {
    variant: &'a str,
    area: &'a Area,
    base_year: u16,
    groups: AreaGroups,
    dwellings: Vec<GroupDwellings>,
}

/// The writer of a scenario output table.
type Csv = crate::output::tables::TableWriter;

/// tables/dwellings.csv, tables/pressure.csv and tables/costs.csv, in one pass over the
/// variants and areas (the groups and dwellings of an area are computed once for all three),
/// areas in parallel and written in order.
pub fn write_area_tables(
    paths: [&Path; 3],
    scenario: &str,
    g: &GroupRun,
    h: &HousingRun,
    areas: &[Area],
    variants: &[VariantResult],
) -> std::io::Result<Vec<FileHash>> {
    let mut writers = [
        dwellings_writer(paths[0])?,
        pressure_writer(paths[1])?,
        costs_writer(paths[2])?,
    ];
    let items: Vec<(&str, &GroupCounts, &Area)> = g
        .counts
        .iter()
        .flat_map(|(variant, counts)| areas.iter().map(move |a| (variant.as_str(), counts, a)))
        .collect();
    write_ordered(&mut writers, &items, |(variant, counts, area), parts| {
        let [wd, wp, wc] = parts else { return Ok(()) };
        let groups = counts
            .area(&area.base_codes())
            .map_err(std::io::Error::other)?;
        let dwellings = dwelling_demand(&h.catalogue, &g.catalogue, &groups);
        let a = AreaHousing {
            variant,
            area,
            base_year: counts.base_year,
            groups,
            dwellings,
        };
        dwellings_rows(wd, scenario, g, h, &a, variants)?;
        pressure_rows(wp, scenario, g, h, &a)?;
        costs_rows(wc, scenario, g, h, &a)
    })?;
    writers.into_iter().map(Csv::finish).collect()
}

/// The social-rent stock of an area on 1 January of `year`: the corporatie stock (CBS
/// 82900NED, or the user's) carried forward by the plans' sociale huur or the corporatie
/// trend; where it is missing, the catalogue's share of all dwellings (sociale_huur_aandeel).
fn social_stock(h: &HousingRun, members: &[String], base_year: u16, year: u16) -> f64 {
    if let AreaSupply::Known(v) = h.supply.area(members, "corporatie", base_year, year) {
        return v;
    }
    let all: f64 = members
        .iter()
        .filter_map(|m| h.dwellings_total.get(m))
        .sum();
    let added: f64 = h
        .supply
        .pipeline
        .iter()
        .filter(|p| {
            members.contains(&p.region)
                && p.segment == "sociale_huur"
                && p.year >= base_year
                && p.year < year
        })
        .map(|p| p.change)
        .sum();
    all * h.catalogue.social_share.value + added
}

fn dwellings_writer(path: &Path) -> std::io::Result<Csv> {
    create_keyed_csv(
        path,
        &[
            "group",
            "dwelling_type",
            "persons_gross",
            "persons_net",
            "persons_per_unit",
            "demand_gross",
            "demand_net",
            "supply",
            "gap_gross",
            "gap_net",
            "extra_vs_base_net",
            "supply_status",
        ],
    )
}

fn dwellings_rows(
    w: &mut Csv,
    scenario: &str,
    g: &GroupRun,
    h: &HousingRun,
    a: &AreaHousing,
    variants: &[VariantResult],
) -> std::io::Result<()> {
    let types = &h.catalogue.types;
    let n = a.groups.gross.first().map(|v| v.len()).unwrap_or(0);
    let members = a.area.base_codes();
    // The households no group counts, per year: all private households of the area minus the
    // groups' households (net), so that the totals compare with the whole stock.
    let rest: Vec<(f64, f64)> = (0..n)
        .map(|t| {
            let pop = area_stock(variants, a.variant, &members, t);
            let (pp, hh) = private_households(&pop, &h.headship, &h.institution);
            let (mut gp, mut gh) = (0.0, 0.0);
            for d in &a.dwellings {
                for td in d
                    .by_type
                    .iter()
                    .filter(|td| !types[td.dwelling_type].places)
                {
                    gp += d.persons_net[t] * td.share;
                    gh += td.net[t];
                }
            }
            ((pp - gp).max(0.0), (hh - gh).max(0.0))
        })
        .collect();
    // The supply and its status per type and year, worked out once for all years.
    let supply: Vec<crate::housing::Series> = types
        .iter()
        .map(|ty| {
            h.supply
                .series(&members, &ty.id, a.base_year, n.saturating_sub(1) as u16)
        })
        .collect();
    let name = a.area.name.as_str();
    let prefixes = Csv::year_prefixes(scenario, a.variant, &a.area.code, name, a.base_year, n);
    let mut total_gross = vec![0.0; types.len()];
    let mut total_net = vec![0.0; types.len()];
    let mut total_base = vec![0.0; types.len()];
    for (t, prefix) in prefixes.iter().enumerate() {
        let row = |w: &mut Csv, cells: &[Cell]| w.write_cells(&[prefix], AREA_KEYS.len(), cells);
        total_gross.fill(0.0);
        total_net.fill(0.0);
        total_base.fill(0.0);
        for d in &a.dwellings {
            let gid = &g.catalogue.groups[d.group].id;
            for td in &d.by_type {
                let ti = td.dwelling_type;
                total_gross[ti] += td.gross[t];
                total_net[ti] += td.net[t];
                total_base[ti] += td.net[0];
                row(
                    &mut *w,
                    &[
                        Cell::Text(gid),
                        Cell::Text(&types[ti].id),
                        Cell::Cents(d.persons_gross[t] * td.share),
                        Cell::Cents(d.persons_net[t] * td.share),
                        Cell::Decimals6(td.per_unit[t]),
                        Cell::Cents(td.gross[t]),
                        Cell::Cents(td.net[t]),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Cents(td.net[t] - td.net[0]),
                        Cell::Empty,
                    ],
                )?;
            }
        }
        let (rest_p, rest_h) = ([rest[t].0, rest[0].0], [rest[t].1, rest[0].1]);
        if let Some(ri) = h.catalogue.type_index("regulier") {
            total_gross[ri] += rest_h[0];
            total_net[ri] += rest_h[0];
            total_base[ri] += rest_h[1];
            let ppu = if rest_h[0] > 0.0 {
                rest_p[0] / rest_h[0]
            } else {
                0.0
            };
            row(
                &mut *w,
                &[
                    Cell::Text("overige_huishoudens"),
                    Cell::Text("regulier"),
                    Cell::Cents(rest_p[0]),
                    Cell::Cents(rest_p[0]),
                    Cell::Decimals6(ppu),
                    Cell::Cents(rest_h[0]),
                    Cell::Cents(rest_h[0]),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Cents(rest_h[0] - rest_h[1]),
                    Cell::Empty,
                ],
            )?;
        }
        for (ti, ty) in types.iter().enumerate() {
            let series = &supply[ti];
            let status = match &series.values {
                Some(_) => series.status[t].clone(),
                None => format!("ontbreekt: {}", series.missing.join(" ")),
            };
            let sv = series.values.as_ref().map(|v| v[t]);
            let supply = match sv {
                Some(v) => AreaSupply::Known(v),
                None => AreaSupply::Missing(Vec::new()),
            };
            row(
                &mut *w,
                &[
                    Cell::Text("totaal"),
                    Cell::Text(&ty.id),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Cents(total_gross[ti]),
                    Cell::Cents(total_net[ti]),
                    Cell::cents_or_empty(sv),
                    Cell::cents_or_empty(gap(total_gross[ti], &supply)),
                    Cell::cents_or_empty(gap(total_net[ti], &supply)),
                    Cell::Cents(total_net[ti] - total_base[ti]),
                    Cell::Text(&status),
                ],
            )?;
            if ty.id == "geclusterd" {
                let f = h.catalogue.geclusterd_cbs.value;
                row(
                    &mut *w,
                    &[
                        Cell::Text("totaal"),
                        Cell::Text("geclusterd_cbs (waarvan ≥ 12 woningen)"),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Cents(total_gross[ti] * f),
                        Cell::Cents(total_net[ti] * f),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Cents((total_net[ti] - total_base[ti]) * f),
                        Cell::Empty,
                    ],
                )?;
            }
        }
    }
    Ok(())
}

/// What a group needs from the lettings in year t (households), from its flow or its stock.
fn lettings_needed(
    h: &HousingRun,
    g: &GroupRun,
    a: &AreaHousing,
    t: usize,
) -> Vec<(String, f64, Option<f64>)> {
    let mut out = Vec::new();
    for gh in &h.catalogue.groups {
        let Some(l) = &gh.lettings else { continue };
        let Some(gi) = g.catalogue.groups.iter().position(|x| x.id == gh.group) else {
            continue;
        };
        let need = match (&l.flow, l.share_per_year) {
            (Some(flow), _) => {
                let persons = a.groups.flows[gi]
                    .iter()
                    .find(|(k, _)| k == flow)
                    .and_then(|(_, v)| v.get(t))
                    .copied()
                    .unwrap_or(0.0);
                persons / l.persons_per_letting
            }
            (None, Some(share)) => a.groups.net[gi][t] * share / l.persons_per_letting,
            (None, None) => 0.0,
        };
        out.push((gh.group.clone(), need * gh.sociale_huur.value, l.cap));
    }
    out
}

fn pressure_writer(path: &Path) -> std::io::Result<Csv> {
    create_keyed_csv(
        path,
        &[
            "group",
            "needed",
            "granted",
            "social_stock",
            "lettings",
            "share",
            "threshold",
            "verdringing",
        ],
    )
}

fn pressure_rows(
    w: &mut Csv,
    scenario: &str,
    g: &GroupRun,
    h: &HousingRun,
    a: &AreaHousing,
) -> std::io::Result<()> {
    let members = a.area.base_codes();
    let n = a.groups.gross.first().map(|v| v.len()).unwrap_or(0);
    let name = a.area.name.as_str();
    let prefixes = Csv::year_prefixes(scenario, a.variant, &a.area.code, name, a.base_year, n);
    for (t, prefix) in prefixes.iter().enumerate() {
        let row = |w: &mut Csv, cells: &[Cell]| w.write_cells(&[prefix], AREA_KEYS.len(), cells);
        let year = a.base_year + t as u16;
        let stock = social_stock(h, &members, a.base_year, year);
        let p = pressure(
            stock,
            h.catalogue.mutatiegraad.at(year),
            h.catalogue.threshold.at(year),
            &lettings_needed(h, g, a, t),
        );
        for c in &p.claims {
            row(
                w,
                &[
                    Cell::Text(&c.group),
                    Cell::Cents(c.needed),
                    Cell::Cents(c.granted),
                    Cell::Cents(p.social_stock),
                    Cell::Cents(p.lettings),
                    Cell::Decimals6(if p.lettings > 0.0 {
                        c.granted / p.lettings
                    } else {
                        0.0
                    }),
                    Cell::Empty,
                    Cell::Empty,
                ],
            )?;
        }
        let needed: f64 = p.claims.iter().map(|c| c.needed).sum();
        let granted: f64 = p.claims.iter().map(|c| c.granted).sum();
        row(
            w,
            &[
                Cell::Text("totaal"),
                Cell::Cents(needed),
                Cell::Cents(granted),
                Cell::Cents(p.social_stock),
                Cell::Cents(p.lettings),
                Cell::Decimals6(p.share),
                Cell::Text(&p.threshold.to_string()),
                Cell::Text(if p.verdringing { "ja" } else { "nee" }),
            ],
        )?;
    }
    Ok(())
}

fn costs_writer(path: &Path) -> std::io::Result<Csv> {
    create_keyed_csv(
        path,
        &[
            "setting",
            "group",
            "payer",
            "persons",
            "per_person_year",
            "cost",
        ],
    )
}

fn costs_rows(
    w: &mut Csv,
    scenario: &str,
    g: &GroupRun,
    h: &HousingRun,
    a: &AreaHousing,
) -> std::io::Result<()> {
    let n = a.groups.gross.first().map(|v| v.len()).unwrap_or(0);
    let name = a.area.name.as_str();
    let prefixes = Csv::year_prefixes(scenario, a.variant, &a.area.code, name, a.base_year, n);
    // The costs of groups in the catalogue, with the group's index.
    let specs: Vec<_> = h
        .catalogue
        .costs
        .iter()
        .filter_map(|c| Some((g.catalogue.groups.iter().position(|x| x.id == c.group)?, c)))
        .collect();
    for (t, prefix) in prefixes.iter().enumerate() {
        let row = |w: &mut Csv, cells: &[Cell]| w.write_cells(&[prefix], AREA_KEYS.len(), cells);
        let costs: Vec<_> = specs
            .iter()
            .map(|&(gi, c)| {
                setting_cost(
                    &c.setting,
                    &c.group,
                    &c.payer,
                    a.groups.net[gi][t],
                    c.share,
                    c.per_person_year,
                )
            })
            .collect();
        for c in &costs {
            row(
                w,
                &[
                    Cell::Text(&c.setting),
                    Cell::Text(&c.group),
                    Cell::Text(&c.payer),
                    Cell::Cents(c.persons),
                    Cell::Cents(c.per_person_year),
                    Cell::Cents(c.cost),
                ],
            )?;
        }
        for (payer, v) in &per_payer(&costs) {
            row(
                w,
                &[
                    Cell::Text("totaal"),
                    Cell::Empty,
                    Cell::Text(payer),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Cents(*v),
                ],
            )?;
        }
        let total: f64 = costs.iter().map(|c| c.cost).sum();
        row(
            w,
            &[
                Cell::Text("totaal"),
                Cell::Empty,
                Cell::Text("totaal"),
                Cell::Empty,
                Cell::Empty,
                Cell::Cents(total),
            ],
        )?;
    }
    Ok(())
}

/// tables/policy.csv: every rule for every area (first variant).
pub fn write_policy(
    path: &Path,
    scenario: &str,
    g: &GroupRun,
    h: &HousingRun,
    areas: &[Area],
    variants: &[VariantResult],
) -> std::io::Result<FileHash> {
    let mut w = create_csv(
        path,
        &[
            "scenario",
            "region",
            "region_name",
            "rule",
            "label",
            "until",
            "value",
            "threshold",
            "met",
            "detail",
            "source",
        ],
    )?;
    let Some((_, counts)) = g.counts.first() else {
        return w.finish();
    };
    let base_year = counts.base_year;
    for area in areas {
        let members = area.base_codes();
        for rule in &h.settings.policy {
            let r = match rule.kind.as_str() {
                "aandeel_nieuwbouw" => {
                    share_rule(rule, &h.supply.additions(&members, base_year, rule.until))
                }
                _ => {
                    let gid = rule.group.as_deref().unwrap_or("ouderen_75plus");
                    let gi = g
                        .catalogue
                        .groups
                        .iter()
                        .position(|x| x.id == gid)
                        .unwrap_or(0);
                    let grp = &g.catalogue.groups[gi];
                    let (lo, hi) = grp.ages();
                    let v = &variants[0];
                    let nl = v.national.stocks[0].band(lo, hi);
                    let reg: f64 = members
                        .iter()
                        .map(|m| stock_of(v, m, 0).map(|p| p.band(lo, hi)).unwrap_or(0.0))
                        .sum();
                    let share = if nl > 0.0 { reg / nl } else { 0.0 };
                    let t = rule.dwelling_type.as_deref().unwrap_or("nultreden");
                    let mut r = target_rule(
                        rule,
                        share,
                        h.supply
                            .additions_of_type(&members, t, base_year, rule.until)
                            + 0.0,
                    );
                    if !h
                        .supply
                        .pipeline
                        .iter()
                        .any(|p| members.contains(&p.region))
                    {
                        r.met = None;
                        r.detail = format!("geen plancapaciteit bekend; {}", r.detail);
                    }
                    r
                }
            };
            w.write_record([
                scenario,
                &area.code,
                &area.name,
                &r.id,
                &r.label,
                &rule.until.to_string(),
                &format!("{:.4}", r.value),
                &format!("{:.4}", r.threshold),
                match r.met {
                    Some(true) => "ja",
                    Some(false) => "nee",
                    None => "n.v.t.",
                },
                &r.detail,
                &rule.source,
            ])?;
        }
    }
    w.finish()
}

/// tables/verdeling.csv: each regional opgave over its member gemeenten.
pub fn write_verdeling(
    path: &Path,
    scenario: &str,
    g: &GroupRun,
    h: &HousingRun,
    regions: &[(VerdeelSpec, ResolvedRegion)],
    variants: &[VariantResult],
) -> std::io::Result<FileHash> {
    let mut w = create_keyed_csv(
        path,
        &[
            "member",
            "member_name",
            "group",
            "dwelling_type",
            "key",
            "key_value",
            "share",
            "value",
            "whole_units",
        ],
    )?;
    for (variant, counts) in &g.counts {
        for (spec, region) in regions {
            let members: Vec<String> = region.members.iter().map(|m| m.code.clone()).collect();
            let area = counts.area(&members).map_err(std::io::Error::other)?;
            let dw = dwelling_demand(&h.catalogue, &g.catalogue, &area);
            let ti = h.catalogue.type_index(&spec.dwelling_type);
            let gi = g.catalogue.groups.iter().position(|x| x.id == spec.group);
            let n = area.gross.first().map(|v| v.len()).unwrap_or(0);
            for t in 0..n {
                let year = counts.base_year + t as u16;
                let total: f64 = dw
                    .iter()
                    .filter(|d| Some(d.group) == gi)
                    .flat_map(|d| d.by_type.iter())
                    .filter(|td| Some(td.dwelling_type) == ti)
                    .map(|td| td.net[t])
                    .sum();
                let keys: Vec<f64> = members
                    .iter()
                    .map(|m| match spec.key.as_str() {
                        "bevolking" => population(variants, variant, m, t),
                        "woningen" => h.dwellings_total.get(m).copied().unwrap_or(0.0),
                        "sociale_huur" => {
                            social_stock(h, std::slice::from_ref(m), counts.base_year, year)
                        }
                        _ => spec.custom.get(m).copied().unwrap_or(0.0),
                    })
                    .collect();
                let Some(parts) = distribute(total, &keys) else {
                    continue;
                };
                let units = whole_units(&parts);
                let ksum: f64 = keys.iter().sum();
                for (i, m) in region.members.iter().enumerate() {
                    w.write_record([
                        scenario,
                        variant,
                        &region.code,
                        &region.name,
                        &year.to_string(),
                        &m.code,
                        &m.name,
                        &spec.group,
                        &spec.dwelling_type,
                        &spec.key,
                        &cents(keys[i]),
                        &format!("{:.6}", keys[i] / ksum),
                        &cents(parts[i]),
                        &units[i].to_string(),
                    ])?;
                }
            }
        }
    }
    w.finish()
}

/// A gemeente's projected stock (or the national one for NL01) in year index t.
fn stock_of(v: &VariantResult, code: &str, t: usize) -> Option<crate::population::Pop> {
    if code == "NL01" {
        return v.national.stocks.get(t).copied();
    }
    let g = v.gemeenten.as_ref()?;
    let i = g.index_of(code)?;
    g.stocks[i].get(t).copied()
}

/// The summed stock of gemeenten in a variant and year index.
fn area_stock(
    variants: &[VariantResult],
    variant: &str,
    members: &[String],
    t: usize,
) -> crate::population::Pop {
    let mut p = crate::population::Pop::default();
    if let Some(v) = variants.iter().find(|v| v.name == variant) {
        for m in members {
            if let Some(s) = stock_of(v, m, t) {
                p.add(&s);
            }
        }
    }
    p
}

/// Total population of a gemeente in a variant and year index.
fn population(variants: &[VariantResult], variant: &str, code: &str, t: usize) -> f64 {
    variants
        .iter()
        .find(|v| v.name == variant)
        .and_then(|v| stock_of(v, code, t))
        .map(|p| p.total())
        .unwrap_or(0.0)
}
