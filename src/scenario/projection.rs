//! The projection part of a run: national rates (steered to the Kernprognose or not), the
//! national projection per variant (constrained to the Kernprognose bands when asked), and
//! the gemeenten projected jointly and constrained to it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::geo::Registry;
use crate::population::PopulationError;
use crate::population::constrain::scale_to_bands;
use crate::population::grid::Pop;
use crate::population::national::{
    KernprognosePaths, NationalData, RateOptions, interval_name, kernprognose_paths, read_one,
};
use crate::population::project::{Projection, project_adjusted};
use crate::population::regional::{
    Gemeenten, RegionalProjection, fit_bases_to_national, gemeente_bands, own_net_migration,
    project_gemeenten, rake_pop,
};
use crate::population::split::BandTotal;
use crate::source::TidyTable;

use super::run::RunError;
use super::schema::{ProjectionSettings, Scenario, ScenarioError};

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

/// Run the projection of a scenario for every variant.
pub fn run_projection(
    scenario_path: &Path,
    scenario: &Scenario,
    settings: &ProjectionSettings,
    registry: &Registry,
    national_table: &TidyTable,
    gemeente_table: Option<&TidyTable>,
    inputs: &mut ProjectionInputs,
) -> Result<Vec<VariantResult>, RunError> {
    let at = |p: &Path| Scenario::resolve(scenario_path, p);
    let need =
        |p: &Option<std::path::PathBuf>, key: &str| -> Result<std::path::PathBuf, RunError> {
            p.as_deref().map(at).ok_or_else(|| {
                ScenarioError::Invalid {
                    path: scenario_path.to_path_buf(),
                    key: key.into(),
                    message: "missing".into(),
                    hint: "see scenarios/basis.toml".into(),
                }
                .into()
            })
        };
    let deaths_p = need(&scenario.data.national_deaths, "data.national_deaths")?;
    let bma_p = need(&scenario.data.births_mother_age, "data.births_mother_age")?;
    let bsex_p = need(&scenario.data.births_sex, "data.births_sex")?;
    let nd = NationalData::from_tables(
        national_table,
        &read_one(&deaths_p)?,
        &read_one(&bma_p)?,
        &read_one(&bsex_p)?,
    );
    inputs.paths.extend([deaths_p, bma_p, bsex_p]);
    let kp_table = match (&scenario.data.kernprognose, settings.steer.as_str()) {
        (Some(p), "kernprognose") => {
            let p = at(p);
            let t = read_one(&p)?;
            inputs.paths.push(p);
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

    // The gemeenten (bases raked to their bands, fitted to Nederland) are the same for every variant.
    let mut gemeenten = match (scenario.regions.nederland, gemeente_table) {
        (false, Some(gt)) => Some(prepare_gemeenten(registry, gt, &base, settings, base_year)?),
        _ => None,
    };
    let mut out = Vec::new();
    for variant in &settings.variants {
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
        let mut band_error: Option<PopulationError> = None;
        let national = project_adjusted(&base, base_year, scenario.horizon, &rates, |year, pop| {
            if let (true, Some(bands)) = (
                constrain_national,
                kp.as_ref().and_then(|k| kp_bands(k, year)),
            )
                && let Err(e) = scale_to_bands(pop, &bands) {
                    band_error.get_or_insert(e);
                }
        });
        if let Some(e) = band_error {
            return Err(e.into());
        }
        let regional = match gemeenten.as_mut() {
            Some((g, growth)) => {
                g.net_migration = own_net_migration(&g.bases, growth, &rates, base_year);
                Some(project_gemeenten(g, &rates, &national, settings.constrain)?)
            }
            None => None,
        };
        out.push(VariantResult {
            name: variant.clone(),
            national,
            gemeenten: regional,
            description,
        });
    }
    Ok(out)
}

/// Every gemeente of the base year with band totals: estimated single-year base (raked to its
/// 85383NED bands, then fitted to the national base when constrained) and its yearly growth
/// over the window (for its own net migration level).
fn prepare_gemeenten(
    registry: &Registry,
    gt: &TidyTable,
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
    let mut g = Gemeenten {
        codes: Vec::new(),
        names: Vec::new(),
        bases: Vec::new(),
        bands: Vec::new(),
        net_migration: Vec::new(),
    };
    for code in &codes_of_year {
        let (name, b) = &bands[code];
        g.bases.push(rake_pop(national_base, b)?);
        g.codes.push(code.clone());
        g.names.push(name.clone());
        g.bands.push(b.clone());
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
