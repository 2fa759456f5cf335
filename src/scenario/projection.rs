//! The projection part of a run: the tables the projection reads (deaths, births, the
//! Kernprognose, observed single years, overrides, external forecasts) read and checked at
//! their scenario keys; the model itself is [`crate::population::variants`].

use std::collections::BTreeMap;
use std::path::Path;

use crate::geo::Registry;
use crate::population::national::NationalData;
use crate::population::regional::load_overrides;
pub use crate::population::variants::{ExternalSeries, VariantResult};
use crate::population::variants::{ProjectionTables, project_variants};
use crate::source::TidyTable;
use crate::source::read_one;

use super::error::RunError;
use super::plan::RunPlan;
use super::schema::ProjectionSettings;

/// Inputs the projection read, for the manifest.
#[derive(Debug, Clone, Default)]
pub struct ProjectionInputs {
    pub paths: Vec<std::path::PathBuf>,
}

/// Read a table of counts (persons, births, deaths): every value with unit `aantal` whole, not
/// negative and plausible, and every gemeente code one of its period's indeling.
pub fn read_counts(path: &Path, registry: &Registry) -> Result<TidyTable, RunError> {
    check_counts(read_one(path)?, registry)
}

/// A table of counts read with [`read_one`], checked as [`read_counts`] checks it.
pub fn check_counts(t: TidyTable, registry: &Registry) -> Result<TidyTable, RunError> {
    t.check_counts()?;
    registry.check_gemeente_codes(&t)?;
    Ok(t)
}

/// Run the projection of a scenario for every variant.
pub fn run_projection(
    plan: &RunPlan,
    settings: &ProjectionSettings,
    registry: &Registry,
    national_table: &TidyTable,
    gemeente_table: Option<&TidyTable>,
    inputs: &mut ProjectionInputs,
) -> Result<(Vec<VariantResult>, Vec<ExternalSeries>), RunError> {
    let scenario = &plan.scenario;
    let need =
        |p: &Option<std::path::PathBuf>, key: &str| -> Result<std::path::PathBuf, RunError> {
            p.clone().ok_or_else(|| {
                plan.invalid(key, "missing".into(), "see scenarios/basis.toml")
                    .into()
            })
        };
    let deaths_p = need(&scenario.data.national_deaths, "data.national_deaths")?;
    let bma_p = need(&scenario.data.births_mother_age, "data.births_mother_age")?;
    let bsex_p = need(&scenario.data.births_sex, "data.births_sex")?;
    // The three tables read at the same time; their errors in this order.
    let (deaths, (bma, bsex)) = rayon::join(
        || read_counts(&deaths_p, registry),
        || {
            rayon::join(
                || read_counts(&bma_p, registry),
                || read_counts(&bsex_p, registry),
            )
        },
    );
    let nd = NationalData::from_tables(national_table, &deaths?, &bma?, &bsex?)?;
    inputs.paths.extend([deaths_p, bma_p, bsex_p]);
    let kp_table = match (&scenario.data.kernprognose, settings.steer.as_str()) {
        (Some(p), "kernprognose") => {
            let t = read_one(p)?;
            inputs.paths.push(p.clone());
            Some(t)
        }
        _ => None,
    };
    let base_year = scenario.base_year;

    let single_years = match &scenario.data.gemeente_single_years {
        Some(p) => {
            let t = read_counts(p, registry)?;
            inputs.paths.push(p.clone());
            Some(t)
        }
        None => None,
    };
    let overrides = match &settings.overrides {
        Some(p) => {
            let o = load_overrides(p)?;
            inputs.paths.push(p.clone());
            o
        }
        None => BTreeMap::new(),
    };
    let externals = load_externals(plan, settings, registry, base_year, inputs)?;
    let age_sex_table = match (
        &scenario.data.kernprognose_age_sex,
        settings.control.as_str(),
    ) {
        (Some(p), "85745NED") => {
            let t = read_one(p)?;
            inputs.paths.push(p.clone());
            Some(t)
        }
        _ => None,
    };
    let totals = settings
        .external
        .iter()
        .position(|e| e.gebruik == "totalen")
        .map(|i| &externals[i]);
    let tables = ProjectionTables {
        national: nd,
        national_path: national_table.path.clone(),
        kernprognose: kp_table,
        age_sex: age_sex_table,
        gemeenten: gemeente_table.filter(|_| !scenario.regions.nederland),
        single_years,
        overrides,
        totals,
    };
    let years = (base_year, scenario.horizon);
    let variants = project_variants(settings, &tables, registry, years)?;
    Ok((variants, externals))
}

/// Read the external forecasts of a scenario: totals (sex T, age totaal) per region and year;
/// `x 1 000` units scaled to persons; gemeenten harmonised to the base year's indeling.
pub fn load_externals(
    plan: &RunPlan,
    settings: &ProjectionSettings,
    registry: &Registry,
    base_year: u16,
    inputs: &mut ProjectionInputs,
) -> Result<Vec<ExternalSeries>, RunError> {
    let mut out = Vec::new();
    for (i, ext) in settings.external.iter().enumerate() {
        if let Some(y) = ext.indeling
            && (registry.year(y).is_err() || y > base_year)
        {
            let message = format!(
                "{y} is not an indeling from {} to the base year {base_year}",
                registry.year_range()
            );
            let hint = "the year whose gemeenten the forecast uses, e.g. indeling = 2021";
            let key = format!("projection.external[{i}].indeling");
            return Err(plan.invalid(&key, message, hint).into());
        }
        let path = ext.file.clone();
        let mut table = read_one(&path)?;
        registry.resolve_regions(&mut table);
        inputs.paths.push(path.clone());
        let mut gm: BTreeMap<u16, BTreeMap<String, f64>> = BTreeMap::new();
        let mut by_region: BTreeMap<String, BTreeMap<u16, f64>> = BTreeMap::new();
        for r in &table.rows {
            let total_row =
                matches!(r.sex.as_str(), "T" | "") && matches!(r.age.as_str(), "totaal" | "");
            let measure_ok = ext.measure.as_ref().is_none_or(|m| &r.measure == m)
                && ext.category.as_ref().is_none_or(|c| &r.category == c);
            let (Some(y), Some(v)) = (crate::source::codes::period_year(&r.period), r.number())
            else {
                continue;
            };
            if !total_row || !measure_ok || !r.period.ends_with("JJ00") {
                continue;
            }
            let v = if r.unit == "x 1 000" { v * 1000.0 } else { v };
            let region = if r.region.is_empty() {
                ext.region.clone().unwrap_or_default()
            } else {
                r.region.clone()
            };
            if region.starts_with("GM") {
                *gm.entry(y).or_default().entry(region).or_default() += v;
            } else if region == "NL01" {
                *by_region
                    .entry("NL01".into())
                    .or_default()
                    .entry(y)
                    .or_default() += v;
            }
        }
        let from = ext.indeling.unwrap_or(base_year);
        let all_mergers = registry.mergers();
        let mergers: Vec<_> = all_mergers
            .iter()
            .filter(|m| m.year > from && m.year <= base_year)
            .collect();
        for (y, values) in gm {
            // A gemeente that merged with one the forecast lacks would get a partial total: left out.
            let partial: Vec<String> = mergers
                .iter()
                .filter(|m| {
                    !values.contains_key(&m.from)
                        && mergers
                            .iter()
                            .any(|o| o.to == m.to && values.contains_key(&o.from))
                })
                .map(|m| m.to.clone())
                .collect();
            let h = if from < base_year {
                registry.harmonise_with(&all_mergers, &values, from, base_year)?
            } else {
                values
            };
            for (code, v) in h.into_iter().filter(|(c, _)| !partial.contains(c)) {
                by_region.entry(code).or_default().insert(y, v);
            }
        }
        if by_region.is_empty() {
            let message = format!(
                "{} has no yearly totals for gemeenten or NL01",
                path.display()
            );
            let hint = "the table needs rows with sex T (or none), age totaal (or none) and yearly periods";
            return Err(plan
                .invalid(&format!("projection.external[{i}]"), message, hint)
                .into());
        }
        out.push(ExternalSeries {
            name: ext.name.clone(),
            source: ext.source.clone(),
            by_region,
        });
    }
    Ok(out)
}
