//! The housing part of a run: the housing catalogue, supply and pipeline read, and the tables
//! dwellings.csv, pressure.csv, costs.csv, policy.csv and verdeling.csv written for the areas
//! of the run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::geo::{Registry, ResolvedRegion};
use crate::groups::catalogue::bounds_of;
use crate::groups::demand::AreaGroups;
use crate::groups::methods::Rates;
use crate::groups::{GroupCounts, Observed};
use crate::housing::costs::{per_payer, setting_cost};
use crate::housing::dwellings::{
    GroupDwellings, dwelling_demand, headship_rates, private_households,
};
use crate::housing::policy::{share_rule, target_rule};
use crate::housing::pressure::pressure;
use crate::housing::supply::{SupplyChecks, gap};
use crate::housing::verdeel::{distribute, whole_units};
use crate::housing::{AreaSupply, HousingCatalogue, Supply};
use crate::output::manifest::FileHash;
use crate::output::tables::{AREA_KEYS, Cell, create_csv, create_keyed_csv, write_ordered};

use super::area::Area;
use super::error::RunError;
use super::groups::GroupRun;
use super::plan::RunPlan;
use super::projection::VariantResult;
use super::schema::{HousingSettings, Scenario, VerdeelSpec};
use crate::numbers::cents;

/// The housing inputs of a run.
pub struct HousingRun {
    pub catalogue: HousingCatalogue,
    pub supply: Supply,
    pub headship: Rates,
    /// Share of persons in institutional households by sex and age (CBS 37620).
    pub institution: Rates,
    /// All dwellings per gemeente (85383NED WoningTotaal_36, latest year ≤ base).
    pub dwellings_total: BTreeMap<String, f64>,
    pub settings: HousingSettings,
    pub inputs: Vec<PathBuf>,
}

/// Read the housing catalogue (with the scenario's parameters and costs), the observed housing
/// data, the stock and the pipeline.
pub fn load_housing(
    plan: &RunPlan,
    settings: &HousingSettings,
    group_catalogue: &crate::groups::Catalogue,
    group_observed: &Observed,
    registry: &Registry,
) -> Result<HousingRun, RunError> {
    let scenario = &plan.scenario;
    let cat_path = settings.catalogue.clone();
    let mut catalogue = HousingCatalogue::load(&cat_path, group_catalogue)?;
    for (k, p) in &settings.parameters {
        let key = format!("housing.parameters.{k}");
        let slot = match k.as_str() {
            "mutatiegraad" => &mut catalogue.mutatiegraad,
            "verdringing_drempel" => &mut catalogue.threshold,
            "sociale_huur_aandeel" => &mut catalogue.social_share,
            "bezettingsgraad" => &mut catalogue.occupancy,
            "geclusterd_cbs" => &mut catalogue.geclusterd_cbs,
            _ => {
                let hint = "mutatiegraad, verdringing_drempel, sociale_huur_aandeel, bezettingsgraad, geclusterd_cbs";
                return Err(plan
                    .invalid(&key, format!("'{k}' is not a housing parameter"), hint)
                    .into());
            }
        };
        let problem = if p.source.trim().is_empty() {
            Some("a number without a source".to_string())
        } else {
            p.problem(bounds_of(k))
        };
        if let Some(message) = problem {
            let hint = "{ value = 0.06, source = \"...\" }";
            return Err(plan.invalid(&key, message, hint).into());
        }
        *slot = p.clone();
    }
    for (gid, cap) in &settings.caps {
        let key = format!("housing.caps.{gid}");
        let invalid = |message: String| -> RunError {
            let hint = "caps.<group> = { value = 0.2, source = \"...\" } for a group with lettings in the housing catalogue";
            plan.invalid(&key, message, hint).into()
        };
        if cap.source.trim().is_empty() {
            return Err(invalid("a number without a source".into()));
        }
        if let Some(problem) = cap.problem(bounds_of("cap")) {
            return Err(invalid(problem));
        }
        match catalogue
            .groups
            .iter_mut()
            .find(|g| &g.group == gid)
            .and_then(|g| g.lettings.as_mut())
        {
            Some(l) => l.cap = Some(cap.value),
            None => {
                return Err(invalid(format!(
                    "group '{gid}' needs no lettings in the housing catalogue"
                )));
            }
        }
    }
    check_costs_and_rules(plan, settings, &catalogue, group_catalogue)?;
    for c in &settings.cost {
        match catalogue
            .costs
            .iter_mut()
            .find(|x| x.setting == c.setting && x.group == c.group)
        {
            Some(x) => *x = c.clone(),
            None => catalogue.costs.push(c.clone()),
        }
    }
    let mut observed = Observed::load(&settings.data)?;
    observed
        .tables
        .extend(group_observed.tables.iter().cloned());
    // Headship and institutional shares of the latest year of CBS 37620 up to the base year.
    let year = observed.latest_year("37620", "Alleenstaand_4", scenario.base_year)?;
    let headship = headship_rates(&observed, year)?;
    let institution = observed.rates_by_age(
        "37620",
        "PersonenInInstitutioneleHuishoudens_12",
        "TotaalPersonenInHuishoudens_1",
        year,
    )?;
    let mut dwellings_total = BTreeMap::new();
    for y in (2016..=scenario.base_year).rev() {
        if let Ok(w) = observed.by_region("85383NED", "WoningTotaal_36", Some(y), None) {
            for (k, v) in w {
                dwellings_total.entry(k).or_insert(v);
            }
        }
    }
    let types: Vec<String> = catalogue.types.iter().map(|t| t.id.clone()).collect();
    let base_year = scenario.base_year;
    let region = |code: &str| registry.code_problem(code, base_year);
    // zero_supply: `GM0503:standplaats` or `*:opvang`, a gemeente of the base year and a type.
    for (i, z) in settings.zero_supply.iter().enumerate() {
        let (r, t) = z.split_once(':').unwrap_or(("*", z.as_str()));
        let problem = if !types.iter().any(|x| x == t) {
            Some((
                format!("unknown dwelling type '{t}' in '{z}'"),
                format!("types: {}", types.join(", ")),
            ))
        } else if r != "*" {
            region(r)
        } else {
            None
        };
        if let Some((message, hint)) = problem {
            let key = format!("housing.zero_supply[{i}]");
            return Err(plan.invalid(&key, message, &hint).into());
        }
    }
    // An empty path switches an inherited file off (`supply = ""`).
    let given = |p: &Option<PathBuf>| p.clone().filter(|p| !p.as_os_str().is_empty());
    let supply = Supply::load(
        given(&settings.supply).as_deref(),
        given(&settings.pipeline).as_deref(),
        &settings.zero_supply,
        &SupplyChecks {
            types: &types,
            region: &region,
            years: base_year..=scenario.horizon,
        },
    )?;
    let mut inputs = vec![cat_path];
    inputs.extend(observed.tables.iter().map(|t| t.path.clone()));
    inputs.extend(supply.files.iter().cloned());
    Ok(HousingRun {
        catalogue,
        supply,
        headship,
        institution,
        dwellings_total,
        settings: settings.clone(),
        inputs,
    })
}

/// The scenario's own costs (`[[housing.cost]]`), verdeelsleutels (`[[housing.verdeel]]`) and
/// policy rules (`[[housing.policy]]`):
/// known groups, dwelling types and kinds, numbers inside their bounds with a source, no id or
/// setting twice. Each error names its key.
fn check_costs_and_rules(
    plan: &RunPlan,
    settings: &HousingSettings,
    catalogue: &HousingCatalogue,
    groups: &crate::groups::Catalogue,
) -> Result<(), RunError> {
    let checks = RuleChecks {
        plan,
        catalogue,
        groups,
    };
    checks.costs(settings)?;
    checks.verdeel(settings)?;
    checks.policy(settings)
}

/// What the checks of the scenario's costs, verdeelsleutels and rules look things up in.
struct RuleChecks<'a> {
    plan: &'a RunPlan,
    catalogue: &'a HousingCatalogue,
    groups: &'a crate::groups::Catalogue,
}

impl RuleChecks<'_> {
    fn invalid(&self, key: String, message: String, hint: String) -> RunError {
        self.plan.invalid(&key, message, &hint).into()
    }

    /// A group of the catalogue.
    fn known_group(&self, key: String, g: &str) -> Result<(), RunError> {
        match self.groups.group(g) {
            Some(_) => Ok(()),
            None => Err(self.invalid(
                key,
                format!("unknown group '{g}'"),
                format!("groups: {}", self.groups.ids().join(", ")),
            )),
        }
    }

    /// A dwelling type of the housing catalogue.
    fn known_type(&self, key: String, t: &str) -> Result<(), RunError> {
        let types = &self.catalogue.types;
        match self.catalogue.type_index(t) {
            Some(_) => Ok(()),
            None => Err(self.invalid(
                key,
                format!("unknown dwelling type '{t}'"),
                format!(
                    "types: {}",
                    types
                        .iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// A number inside the bounds declared for `name`.
    fn bounded(&self, key: String, name: &str, v: f64) -> Result<(), RunError> {
        let b = bounds_of(name);
        if b.holds(v) {
            Ok(())
        } else {
            Err(self.invalid(
                key,
                format!("{v} is outside {}", b.text()),
                format!("{name} between {} and {}", b.low, b.high),
            ))
        }
    }

    fn costs(&self, settings: &HousingSettings) -> Result<(), RunError> {
        for (i, c) in settings.cost.iter().enumerate() {
            let key = |k: &str| format!("housing.cost[{i}].{k}");
            self.known_group(key("group"), &c.group)?;
            if settings.cost[..i]
                .iter()
                .any(|o| o.setting == c.setting && o.group == c.group)
            {
                return Err(self.invalid(
                    key("setting"),
                    format!("setting '{}' of group '{}' twice", c.setting, c.group),
                    "one [[housing.cost]] per setting and group".into(),
                ));
            }
            self.bounded(key("share"), "share", c.share)?;
            self.bounded(key("per_person_year"), "per_person_year", c.per_person_year)?;
            if c.source.trim().is_empty() {
                return Err(self.invalid(
                    key("source"),
                    "a number without a source".into(),
                    "add source = \"...\"".into(),
                ));
            }
        }
        Ok(())
    }

    fn verdeel(&self, settings: &HousingSettings) -> Result<(), RunError> {
        for (i, v) in settings.verdeel.iter().enumerate() {
            let key = |k: &str| format!("housing.verdeel[{i}].{k}");
            self.known_group(key("group"), &v.group)?;
            self.known_type(key("dwelling_type"), &v.dwelling_type)?;
            if settings.verdeel[..i].iter().any(|o| {
                o.region == v.region && o.group == v.group && o.dwelling_type == v.dwelling_type
            }) {
                return Err(self.invalid(
                    key("region"),
                    format!(
                        "the opgave of {} for {} in {} twice",
                        v.group, v.dwelling_type, v.region
                    ),
                    "one [[housing.verdeel]] per region, group and dwelling type".into(),
                ));
            }
            match v.key.as_str() {
                "bevolking" | "sociale_huur" | "woningen" if v.custom.is_empty() => {}
                "eigen" => {
                    if let Some((g, x)) = v
                        .custom
                        .iter()
                        .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
                    {
                        return Err(self.invalid(
                            key(&format!("custom.{g}")),
                            format!("{x} is not a weight (a number ≥ 0)"),
                            "custom = { GM0202 = 3.0, GM0221 = 1.0 }: the parts of each gemeente"
                                .into(),
                        ));
                    }
                    if v.custom.values().sum::<f64>() <= 0.0 {
                        return Err(self.invalid(
                            key("custom"),
                            "no weight above zero".into(),
                            "custom = { GM0202 = 3.0, GM0221 = 1.0 }: the parts of each gemeente"
                                .into(),
                        ));
                    }
                }
                k => {
                    return Err(self.invalid(
                    key("key"),
                    if v.custom.is_empty() {
                        format!("unknown key '{k}'")
                    } else {
                        format!("custom weights with key '{k}' would be ignored")
                    },
                    "key = \"bevolking\", \"sociale_huur\", \"woningen\", or \"eigen\" with custom = { … }".into(),
                ));
                }
            }
            if v.source.trim().is_empty() {
                return Err(self.invalid(
                    key("source"),
                    "a key without a source".into(),
                    "add source = \"...\"".into(),
                ));
            }
        }
        Ok(())
    }

    fn policy(&self, settings: &HousingSettings) -> Result<(), RunError> {
        let scenario = &self.plan.scenario;
        for (i, r) in settings.policy.iter().enumerate() {
            let key = |k: &str| format!("housing.policy[{i}].{k}");
            if settings.policy[..i].iter().any(|o| o.id == r.id) {
                return Err(self.invalid(
                    key("id"),
                    format!("the id '{}' twice", r.id),
                    "every rule needs its own id".into(),
                ));
            }
            if r.source.trim().is_empty() {
                return Err(self.invalid(
                    key("source"),
                    "a rule without a source".into(),
                    "add source = \"...\"".into(),
                ));
            }
            if r.until < scenario.base_year {
                return Err(self.invalid(
                    key("until"),
                    format!("{} is before the base year {}", r.until, scenario.base_year),
                    "until = the last year counted, e.g. 2030".into(),
                ));
            }
            match r.kind.as_str() {
                "aandeel_nieuwbouw" => {
                    if r.segments.is_empty() {
                        return Err(self.invalid(
                            key("segments"),
                            "no segments".into(),
                            "segments = [\"sociale_huur\"]".into(),
                        ));
                    }
                    let Some(t) = r.threshold else {
                        return Err(self.invalid(
                            key("threshold"),
                            "missing".into(),
                            "threshold = 0.30 (the share of the additions)".into(),
                        ));
                    };
                    self.bounded(key("threshold"), "threshold", t)?;
                }
                "opgave_aandeel" => {
                    let Some(t) = r.national_target else {
                        return Err(self.invalid(
                            key("national_target"),
                            "missing".into(),
                            "national_target = 170000".into(),
                        ));
                    };
                    self.bounded(key("national_target"), "national_target", t)?;
                    let (Some(g), Some(d)) = (&r.group, &r.dwelling_type) else {
                        return Err(self.invalid(
                        key(if r.group.is_none() { "group" } else { "dwelling_type" }),
                        "missing".into(),
                        "group and dwelling_type: the group whose national share sets the region's part, and the type counted".into(),
                    ));
                    };
                    self.known_group(key("group"), g)?;
                    self.known_type(key("dwelling_type"), d)?;
                }
                other => {
                    return Err(self.invalid(
                        key("kind"),
                        format!("unknown kind of policy '{other}'"),
                        "kind = \"aandeel_nieuwbouw\" or \"opgave_aandeel\"".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

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

/// The social-rent stock of an area on 1 January of `year`.
fn social_stock(h: &HousingRun, members: &[String], base_year: u16, year: u16) -> f64 {
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
    // Whether an area's stock of a type is known does not change with the year.
    let statuses: Vec<(bool, String)> = types
        .iter()
        .map(
            |ty| match h.supply.area(&members, &ty.id, a.base_year, a.base_year) {
                AreaSupply::Known(_) if h.supply.is_example(&members, &ty.id) => {
                    (true, "voorbeeld (geen bron)".to_string())
                }
                AreaSupply::Known(_) => (true, "bekend".to_string()),
                AreaSupply::Missing(m) => (false, format!("ontbreekt: {}", m.join(" "))),
            },
        )
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
            let (known, status) = &statuses[ti];
            let supply = if *known {
                h.supply
                    .area(&members, &ty.id, a.base_year, a.base_year + t as u16)
            } else {
                AreaSupply::Missing(Vec::new())
            };
            let sv = match supply {
                AreaSupply::Known(v) => Some(v),
                AreaSupply::Missing(_) => None,
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
                    Cell::Text(status),
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

/// Lines for the reader: gemeenten whose stock is missing for some dwelling types (so their
/// gaps are empty, not computed against zero), and whether the supply is an example.
pub fn supply_warnings(
    h: &HousingRun,
    gemeenten: &[(String, String)],
    base_year: u16,
) -> Vec<String> {
    let mut out = Vec::new();
    if h.supply.example {
        out.push("De woningvoorraad en plancapaciteit zijn (deels) een voorbeeld zonder bron (supply_status \"voorbeeld\").".to_string());
    }
    let mut missing_all = Vec::new();
    let mut missing_some = Vec::new();
    for (code, name) in gemeenten {
        let m: Vec<&str> = h
            .catalogue
            .types
            .iter()
            .filter(|t| {
                matches!(
                    h.supply
                        .area(std::slice::from_ref(code), &t.id, base_year, base_year),
                    AreaSupply::Missing(_)
                )
            })
            .map(|t| t.id.as_str())
            .collect();
        if m.len() == h.catalogue.types.len() {
            missing_all.push(format!("{name} ({code})"));
        } else if !m.is_empty() {
            missing_some.push(format!("{name} ({code}): {}", m.join(", ")));
        }
    }
    if !missing_all.is_empty() {
        out.push(format!(
            "Woningvoorraad ontbreekt (niet als nul gelezen; tekort niet berekend) voor {} gemeenten: {}. Geef ze in housing.supply, of zet ze onder housing.zero_supply.",
            missing_all.len(),
            missing_all.join(", ")
        ));
    }
    for m in missing_some {
        out.push(format!("Woningvoorraad ontbreekt voor {m}."));
    }
    out
}

/// Demand in the base year and at the horizon against the supply at the horizon, per dwelling
/// type, for the first area whose supply is known for every type (the example: Delft).
pub fn dwellings_chart(
    scenario: &Scenario,
    g: &GroupRun,
    h: &HousingRun,
    areas: &[Area],
) -> Option<crate::output::charts::hbars::HorizontalBars> {
    let (variant, counts) = g.counts.first()?;
    let base = counts.base_year;
    let last = scenario.horizon;
    let t = usize::from(last.checked_sub(base)?);
    let area = complete_supply_area(h, areas, base, last)?;
    let groups = counts.area(&area.base_codes()).ok()?;
    let dw = dwelling_demand(&h.catalogue, &g.catalogue, &groups);
    let types: Vec<usize> = (0..h.catalogue.types.len())
        .filter(|&ti| h.catalogue.types[ti].id != "regulier")
        .collect();
    let demand = |tt: usize| -> Vec<Option<f64>> {
        types
            .iter()
            .map(|&ti| {
                Some(
                    dw.iter()
                        .flat_map(|d| d.by_type.iter())
                        .filter(|td| td.dwelling_type == ti)
                        .map(|td| td.net[tt])
                        .sum(),
                )
            })
            .collect()
    };
    let supply: Vec<Option<f64>> = types
        .iter()
        .map(|&ti| {
            match h
                .supply
                .area(&area.base_codes(), &h.catalogue.types[ti].id, base, last)
            {
                AreaSupply::Known(v) => Some(v),
                AreaSupply::Missing(_) => None,
            }
        })
        .collect();
    let example = types.iter().any(|&ti| {
        h.supply
            .is_example(&area.base_codes(), &h.catalogue.types[ti].id)
    });
    Some(crate::output::charts::hbars::HorizontalBars {
        title: format!("{}: woonzorgwoningen, {}", scenario.title, area.name),
        subtitle: format!(
            "Vraag (netto) 1 januari {base} en {last}; aanbod {last} = voorraad + plancapaciteit{}",
            if example {
                " (VOORBEELD zonder bron)"
            } else {
                ""
            }
        ),
        source_line: format!(
            "Bron: CBS (bevolking, 85383NED, 37620, 85012NED, 85616NED); catalogus data/housing/woningen.toml; variant {variant}; bewerking woonzorg {}",
            env!("CARGO_PKG_VERSION")
        ),
        x_label: "woningen / plaatsen".into(),
        categories: types
            .iter()
            .map(|&ti| h.catalogue.types[ti].label.clone())
            .collect(),
        series: vec![
            (format!("vraag {base}"), demand(0)),
            (format!("vraag {last}"), demand(t)),
            (format!("aanbod {last}"), supply),
        ],
        reference: None,
    })
}

/// The first area whose supply is known for every dwelling type (the annex's region).
pub fn complete_supply_area<'a>(
    h: &HousingRun,
    areas: &'a [Area],
    base: u16,
    last: u16,
) -> Option<&'a Area> {
    areas.iter().find(|a| {
        h.catalogue.types.iter().all(|ty| {
            matches!(
                h.supply.area(&a.base_codes(), &ty.id, base, last),
                AreaSupply::Known(_)
            )
        })
    })
}
