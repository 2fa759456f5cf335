//! The housing part of a run: the housing catalogue (with the scenario's parameters, caps,
//! costs, rules and verdeelsleutels checked at their keys), supply and pipeline read; what the
//! terminal and the charts say of the supply. Its tables are written by `tables/housing.rs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::geo::Registry;
use crate::groups::Observed;
use crate::groups::catalogue::bounds_of;
use crate::groups::methods::Rates;
use crate::housing::dwellings::{dwelling_demand, headship_rates};
use crate::housing::supply::SupplyChecks;
use crate::housing::{AreaSupply, HousingCatalogue, Supply};

use super::area::Area;
use super::error::RunError;
use super::groups::GroupRun;
use super::plan::RunPlan;
use super::schema::{HousingSettings, Scenario};

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
    /// The CBS stock tables of `housing.stock_data` (data/supply/), when given.
    pub stock: Option<Observed>,
    /// The observed housing and group tables (85383NED: 75+, inwoners in zorginstellingen).
    pub observed: Observed,
    pub base_year: u16,
    pub horizon: u16,
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
            "nultreden_aandeel" => &mut catalogue.nultreden_share,
            "geclusterd_landelijk" => &mut catalogue.geclusterd_national,
            "standplaatsen_landelijk" => &mut catalogue.standplaatsen_national,
            "opvang_aandeel" => &mut catalogue.opvang_share,
            _ => {
                let hint = "mutatiegraad, verdringing_drempel, sociale_huur_aandeel, bezettingsgraad, geclusterd_cbs, nultreden_aandeel, geclusterd_landelijk, standplaatsen_landelijk, opvang_aandeel";
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
    let mut types: Vec<String> = catalogue.types.iter().map(|t| t.id.clone()).collect();
    types.extend(
        crate::housing::baseline::COUNTS
            .iter()
            .map(|c| c.to_string()),
    );
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
    let stock = match given(&settings.stock_data) {
        Some(dir) => Some(stock_tables(plan, &dir)?),
        None => None,
    };
    let mut inputs = vec![cat_path];
    inputs.extend(observed.tables.iter().map(|t| t.path.clone()));
    inputs.extend(
        stock
            .iter()
            .flat_map(|o| o.tables.iter().map(|t| t.path.clone())),
    );
    inputs.extend(supply.files().cloned());
    Ok(HousingRun {
        stock,
        observed,
        base_year,
        horizon: scenario.horizon,
        catalogue,
        supply,
        headship,
        institution,
        dwellings_total,
        settings: settings.clone(),
        inputs,
    })
}

/// The CBS stock tables of `housing.stock_data`: the eigendom (82900NED) and woningtype
/// (85035NED) tables must be there; the Wmo table (84839NED) may not (beschermd wonen and opvang
/// are then missing, and said so).
fn stock_tables(plan: &RunPlan, dir: &std::path::Path) -> Result<Observed, RunError> {
    let stock = Observed::load(dir)?;
    let ids: Vec<&str> = stock.tables.iter().map(|t| t.table_id.as_str()).collect();
    for needed in ["82900NED", "85035NED"] {
        if !ids.iter().any(|id| id.eq_ignore_ascii_case(needed)) {
            let message = format!(
                "{} has no table {needed} (it has: {})",
                dir.display(),
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.join(", ")
                }
            );
            let hint = "stock_data = \"../data/supply\": the extracts data/refresh.sh writes there (82900NED, 85035NED, 84839NED)";
            return Err(plan.invalid("housing.stock_data", message, hint).into());
        }
    }
    Ok(stock)
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

    /// A non-empty `source`; `what` is what lacks it ("a rule").
    fn sourced(&self, key: String, source: &str, what: &str) -> Result<(), RunError> {
        if source.trim().is_empty() {
            let message = format!("{what} without a source");
            return Err(self.invalid(key, message, "add source = \"...\"".into()));
        }
        Ok(())
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
            self.sourced(key("source"), &c.source, "a number")?;
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
            self.sourced(key("source"), &v.source, "a key")?;
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
            self.sourced(key("source"), &r.source, "a rule")?;
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

/// Lines for the reader: gemeenten whose stock is missing for some dwelling types (so their
/// gaps are empty, not computed against zero), and whether the supply is an example.
pub fn supply_warnings(
    h: &HousingRun,
    gemeenten: &[(String, String)],
    base_year: u16,
) -> Vec<String> {
    let mut out = Vec::new();
    if h.supply.example {
        out.push("De eigen woningvoorraad of plancapaciteit is (deels) een voorbeeld zonder bron (tables/supply.csv: \"voorbeeld zonder bron\" in de methode).".to_string());
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
/// type, for `area` (the annex's).
pub fn dwellings_chart(
    scenario: &Scenario,
    g: &GroupRun,
    h: &HousingRun,
    area: &Area,
) -> Option<crate::output::charts::hbars::HorizontalBars> {
    let (variant, counts) = g.counts.first()?;
    let base = counts.base_year;
    let last = scenario.horizon;
    let t = usize::from(last.checked_sub(base)?);
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
        title: format!(
            "{}: woonzorgwoningen, {}",
            scenario.title,
            area.shown_name()
        ),
        subtitle: format!(
            "Vraag (netto) 1 januari {base} en {last}; aanbod {last} = voorraad (CBS-telling en schatting) + plancapaciteit of trend{}",
            if example {
                " (VOORBEELD zonder bron)"
            } else {
                ""
            }
        ),
        source_line: format!(
            "Bron: CBS (85383NED, 37620, 85012NED, 85616NED; voorraad 82900NED, 85035NED, 84839NED); data/housing/woningen.toml; variant {variant}; woonzorg {}",
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
