//! The projection part of a run: national rates (steered to the Kernprognose or not), the
//! national projection per variant (constrained to the Kernprognose bands when asked), and
//! the gemeenten projected jointly and constrained to it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::geo::Registry;
use crate::population::PopulationError;
use crate::population::constrain::{scale_to_bands, scale_to_sex_bands};
use crate::population::grid::Pop;
use crate::population::national::{
    KernprognosePaths, NationalData, RateOptions, interval_name, kernprognose_paths,
    kp_age_sex_bands,
};
use crate::population::project::{Projection, project_adjusted};
use crate::population::regional::{
    Gemeenten, RegionOverride, RegionalProjection, fit_bases_to_national, gemeente_bands,
    load_overrides, own_net_migration, project_gemeenten, rake_pop, single_year_bases,
};
use crate::population::split::BandTotal;
use crate::source::TidyTable;
use crate::source::read_one;

use super::error::RunError;
use super::plan::RunPlan;
use super::schema::ProjectionSettings;

/// One variant's result.
#[derive(Debug, Clone)]
pub struct VariantResult {
    pub name: String,
    pub national: Projection,
    pub gemeenten: Option<RegionalProjection>,
    /// What the variant is, for people.
    pub description: String,
}

/// Inputs the projection read, for the manifest.
#[derive(Debug, Clone, Default)]
pub struct ProjectionInputs {
    pub paths: Vec<std::path::PathBuf>,
}

fn kp_bands(k: &KernprognosePaths, year: u16) -> Option<[BandTotal; 3]> {
    let b = k.bands.get(&year)?;
    Some([
        BandTotal {
            lo: 0,
            hi: 19,
            total: b[0],
        },
        BandTotal {
            lo: 20,
            hi: 64,
            total: b[1],
        },
        BandTotal {
            lo: 65,
            hi: 105,
            total: b[2],
        },
    ])
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
    let base = nd
        .population
        .get(&base_year)
        .copied()
        .ok_or_else(|| PopulationError::Missing {
            path: national_table.path.clone(),
            what: format!("the national population on 1 January {base_year}"),
            hint: "the national table covers 2000–2025".into(),
        })?;

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
    // The gemeenten (bases raked to their bands, fitted to Nederland) are the same for every variant.
    let mut gemeenten = match (scenario.regions.nederland, gemeente_table) {
        (false, Some(gt)) => Some(prepare_gemeenten(
            registry,
            gt,
            single_years.as_ref(),
            &overrides,
            &base,
            settings,
            base_year,
        )?),
        _ => None,
    };
    if let (Some((g, _)), Some(ext)) = (
        gemeenten.as_mut(),
        settings
            .external
            .iter()
            .position(|e| e.gebruik == "totalen")
            .map(|i| &externals[i]),
    ) {
        let years: std::collections::BTreeSet<u16> = ext
            .by_region
            .values()
            .flat_map(|m| m.keys().copied())
            .filter(|y| *y > base_year)
            .collect();
        for y in years {
            let targets: Vec<Option<f64>> = g
                .codes
                .iter()
                .map(|c| ext.by_region.get(c).and_then(|m| m.get(&y)).copied())
                .collect();
            g.total_targets.insert(y, targets);
        }
    }
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
    // The variants are independent given the gemeenten: projected at the same time, each
    // with its own copy of the gemeenten (its own migration levels). Errors in variant order.
    let gemeenten = gemeenten.as_ref();
    let project_variant = |variant: &String| -> Result<VariantResult, RunError> {
        let (interval, multipliers, description) = match interval_name(variant) {
            Some(i) => (i, [1.0; 3], format!("Kernprognose 2024, {i}")),
            None => {
                let m = settings
                    .multipliers
                    .get(variant)
                    .copied()
                    .unwrap_or([1.0; 3]);
                (
                    "Prognose",
                    m,
                    format!(
                        "Kernprognose 2024 (Prognose) × sterfte {}, vruchtbaarheid {}, migratie {}",
                        m[0], m[1], m[2]
                    ),
                )
            }
        };
        let kp = kp_table
            .as_ref()
            .map(|t| kernprognose_paths(t, interval))
            .transpose()?;
        let rates = nd.estimate_rates(&RateOptions {
            base_year,
            steer: kp.clone(),
            srb: settings.srb,
            multipliers,
            migration_years: None,
        })?;
        let constrain_national =
            settings.constrain && kp.is_some() && interval_name(variant).is_some();
        let sex_bands = match (&age_sex_table, constrain_national) {
            (Some(t), true) => Some(kp_age_sex_bands(t, interval)?),
            _ => None,
        };
        let mut band_error: Option<PopulationError> = None;
        let national = project_adjusted(&base, base_year, scenario.horizon, &rates, |year, pop| {
            if !constrain_national {
                return;
            }
            let k = kp.as_ref();
            let result = match (
                sex_bands.as_ref().and_then(|b| b.get(&year)),
                k.and_then(|k| k.population.get(&year)),
            ) {
                // 85745NED cells by band and sex, scaled to the 86040NED total of that year.
                (Some(cells), Some(total)) => {
                    let sum: f64 = cells.iter().map(|c| c.2[0] + c.2[1]).sum();
                    let f = total / sum;
                    let scaled: Vec<(usize, usize, [f64; 2])> = cells
                        .iter()
                        .map(|(lo, hi, v)| (*lo, *hi, [v[0] * f, v[1] * f]))
                        .collect();
                    scale_to_sex_bands(pop, &scaled)
                }
                _ => match k.and_then(|k| kp_bands(k, year)) {
                    Some(bands) => scale_to_bands(pop, &bands),
                    None => Ok(()),
                },
            };
            if let Err(e) = result {
                band_error.get_or_insert(e);
            }
        });
        if let Some(e) = band_error {
            return Err(e.into());
        }
        let regional = match gemeenten {
            Some((g, growth)) => {
                let mut g = g.clone();
                g.net_migration = own_net_migration(&g.bases, growth, &rates, base_year);
                Some(project_gemeenten(
                    &g,
                    &rates,
                    &national,
                    settings.constrain,
                )?)
            }
            None => None,
        };
        Ok(VariantResult {
            name: variant.clone(),
            national,
            gemeenten: regional,
            description,
        })
    };
    let out = {
        use rayon::prelude::*;
        settings
            .variants
            .par_iter()
            .map(project_variant)
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok((out, externals))
}

/// Every gemeente of the base year with band totals: estimated single-year base (raked to its
/// 85383NED bands, then fitted to the national base when constrained) and its yearly growth
/// over the window (for its own net migration level).
fn prepare_gemeenten(
    registry: &Registry,
    gt: &TidyTable,
    single_years: Option<&TidyTable>,
    overrides: &BTreeMap<String, RegionOverride>,
    national_base: &Pop,
    settings: &ProjectionSettings,
    base_year: u16,
) -> Result<(Gemeenten, Vec<f64>), RunError> {
    let bands = gemeente_bands(gt, base_year);
    let codes_of_year = registry.gemeente_codes(base_year)?;
    let missing: Vec<&String> = codes_of_year
        .iter()
        .filter(|c| !bands.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(PopulationError::Missing {
            path: gt.path.clone(),
            what: format!("band totals of {} gemeenten of {base_year} (e.g. {})", missing.len(), missing[0]),
            hint: "the gemeente table must cover every gemeente of the base year (85383NED, Definitief)".into(),
        }
        .into());
    }
    let observed_bases = match single_years {
        Some(t) => single_year_bases(t, base_year),
        None => BTreeMap::new(),
    };
    let mut g = Gemeenten {
        codes: Vec::new(),
        names: Vec::new(),
        bases: Vec::new(),
        bands: Vec::new(),
        net_migration: Vec::new(),
        observed: Vec::new(),
        overrides: Vec::new(),
        total_targets: BTreeMap::new(),
    };
    // The bases: observed single years, or the national shape raked to the gemeente's bands
    // (each on its own, in parallel).
    // The first gemeente that fails (in code order) is the one reported.
    let bases: Vec<(Pop, bool)> = {
        use rayon::prelude::*;
        codes_of_year
            .par_iter()
            .map(|code| match observed_bases.get(code) {
                Some(p) => Ok((*p, true)),
                None => Ok((rake_pop(national_base, &bands[code].1)?, false)),
            })
            .collect::<Vec<Result<_, PopulationError>>>()
            .into_iter()
            .collect::<Result<_, _>>()?
    };
    for (code, (base, observed)) in codes_of_year.iter().zip(bases) {
        let (name, b) = &bands[code];
        g.bases.push(base);
        g.observed.push(observed);
        g.overrides
            .push(overrides.get(code).copied().unwrap_or_default());
        g.codes.push(code.clone());
        g.names.push(name.clone());
        g.bands.push(b.clone());
    }
    for code in overrides.keys() {
        if !g.codes.contains(code) {
            return Err(PopulationError::Missing {
                path: settings.overrides.clone().unwrap_or_default(),
                what: format!("gemeente {code} in {base_year}"),
                hint: "overrides use the gemeente codes of the base year".into(),
            }
            .into());
        }
    }
    if settings.constrain {
        fit_bases_to_national(&mut g, national_base)?;
    }
    // Growth per year over the window, in the base year's indeling.
    let last = registry.years.keys().last().copied().unwrap_or(base_year);
    let [w0, mut w1] = settings
        .growth_window
        .unwrap_or([base_year.saturating_sub(4), (base_year + 1).min(last)]);
    if w1 > base_year && registry.gemeente_codes(w1)? != codes_of_year {
        w1 = base_year;
    }
    let inw = |y: u16| -> Result<BTreeMap<String, f64>, RunError> {
        let ind = registry.year(y)?;
        let v: BTreeMap<String, f64> = ind
            .gemeenten
            .values()
            .map(|g| (g.code.clone(), g.inwoners.unwrap_or(0.0)))
            .collect();
        Ok(if y < base_year {
            registry.harmonise(&v, y, base_year)?
        } else {
            v
        })
    };
    let (start, end) = (inw(w0)?, inw(w1)?);
    let span = f64::from(w1.saturating_sub(w0).max(1));
    let growth: Vec<f64> = g
        .codes
        .iter()
        .map(|c| (end.get(c).copied().unwrap_or(0.0) - start.get(c).copied().unwrap_or(0.0)) / span)
        .collect();
    Ok((g, growth))
}

/// An external forecast: population totals per region (gemeente codes in the base year's
/// indeling, or NL01) and year.
#[derive(Debug, Clone)]
pub struct ExternalSeries {
    pub name: String,
    pub source: String,
    pub by_region: BTreeMap<String, BTreeMap<u16, f64>>,
}

impl ExternalSeries {
    /// The total of a set of gemeenten (or NL01) in a year, if every member is in the forecast.
    pub fn total(&self, members: &[String], year: u16) -> Option<f64> {
        members
            .iter()
            .map(|m| self.by_region.get(m).and_then(|y| y.get(&year)).copied())
            .sum()
    }
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
