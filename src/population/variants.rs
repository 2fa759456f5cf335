//! The projection of every variant of a run: national rates (steered to the Kernprognose or
//! not), the national projection per variant (constrained to the Kernprognose bands when
//! asked), and the gemeenten projected jointly and constrained to it, each with its own net
//! migration level from its growth over the window (docs/METHODS.md §1b).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::geo::Registry;
use crate::source::TidyTable;

use super::PopulationError;
use super::constrain::{scale_to_bands, scale_to_sex_bands};
use super::grid::Pop;
use super::national::{
    KernprognosePaths, NationalData, RateOptions, interval_name, kernprognose_paths,
    kp_age_sex_bands,
};
use super::project::{Projection, project_adjusted};
use super::rates::RateSet;
use super::regional::{
    GROWTH_YEARS, Gemeenten, RegionOverride, RegionalProjection, constant_share,
    fit_bases_to_national, gemeente_bands, own_net_migration, project_gemeenten, rake_pop,
    single_year_bases,
};
use super::settings::ProjectionSettings;
use super::split::BandTotal;

/// The tables a projection reads, read and checked.
pub struct ProjectionTables<'a> {
    /// Births, deaths and population of Nederland (7461bev, 37168, 37744ned, 37422ned).
    pub national: NationalData,
    /// The national population table (named when its base year is missing).
    pub national_path: PathBuf,
    /// Kernprognose kerncijfers (86040NED), when steered.
    pub kernprognose: Option<TidyTable>,
    /// Kernprognose by band and sex (85745NED), when that is the control.
    pub age_sex: Option<TidyTable>,
    /// Band totals per gemeente (85383NED); none for a national run.
    pub gemeenten: Option<&'a TidyTable>,
    /// Observed single years per gemeente.
    pub single_years: Option<TidyTable>,
    /// Per-gemeente rate overrides.
    pub overrides: BTreeMap<String, RegionOverride>,
    /// An external forecast whose gemeente totals are met each year (`gebruik = "totalen"`).
    pub totals: Option<&'a ExternalSeries>,
}

/// One variant's result.
#[derive(Debug, Clone)]
pub struct VariantResult {
    pub name: String,
    pub national: Projection,
    pub gemeenten: Option<RegionalProjection>,
    /// What the variant is, for people.
    pub description: String,
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

/// The Kernprognose's bands 0–19, 20–64 and 65+ of a year, as band totals to scale to.
pub fn kp_bands(k: &KernprognosePaths, year: u16) -> Option<[BandTotal; 3]> {
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

/// Project every variant of `settings` from the base year to the horizon (`years`).
pub fn project_variants(
    settings: &ProjectionSettings,
    tables: &ProjectionTables<'_>,
    registry: &Registry,
    years: (u16, u16),
) -> Result<Vec<VariantResult>, PopulationError> {
    let (base_year, horizon) = years;
    let base = tables
        .national
        .population
        .get(&base_year)
        .copied()
        .ok_or_else(|| PopulationError::Missing {
            path: tables.national_path.clone(),
            what: format!("the national population on 1 January {base_year}"),
            hint: "the national table covers 2000–2025".into(),
        })?;
    // The gemeenten (bases raked to their bands, fitted to Nederland) are the same for every variant.
    let mut gemeenten = match tables.gemeenten {
        Some(gt) => Some(prepare_gemeenten(
            registry,
            gt,
            tables.single_years.as_ref(),
            &tables.overrides,
            &base,
            settings,
            base_year,
        )?),
        None => None,
    };
    if let (Some((g, _)), Some(ext)) = (gemeenten.as_mut(), tables.totals) {
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
    // The variants are independent given the gemeenten: projected at the same time, each
    // with its own copy of the gemeenten (its own migration levels). Errors in variant order.
    let gemeenten = gemeenten.as_ref();
    let project_variant = |variant: &String| -> Result<VariantResult, PopulationError> {
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
        let kp = tables
            .kernprognose
            .as_ref()
            .map(|t| kernprognose_paths(t, interval))
            .transpose()?;
        let rates = tables.national.estimate_rates(&RateOptions {
            base_year,
            steer: kp.clone(),
            srb: settings.srb,
            multipliers,
            migration_years: None,
        })?;
        let constrain_national =
            settings.constrain && kp.is_some() && interval_name(variant).is_some();
        let sex_bands = match (&tables.age_sex, constrain_national) {
            (Some(t), true) => Some(kp_age_sex_bands(t, interval)?),
            _ => None,
        };
        let mut band_error: Option<PopulationError> = None;
        let national = project_adjusted(&base, base_year, horizon, &rates, |year, pop| {
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
            return Err(e);
        }
        let regional = match gemeenten {
            Some((g, growth)) => {
                let mut g = g.clone();
                g.net_migration = own_net_migration(&g.bases, growth, &rates, base_year);
                // Constant shares, unless an external forecast sets the gemeente totals.
                if settings.gemeente_totals == "constant_aandeel" && g.total_targets.is_empty() {
                    hold_constant_shares(&mut g, &rates, &national, settings.constrain)?;
                }
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
    Ok(out)
}

/// **Constant share** (Smith, Tayman & Swanson 2013, ch. 8; the gemeente method that
/// backtested best, README "Gemeente track record"): every year's gemeente totals are held at
/// their share of the gemeenten's base, × the national projection, and met through the net
/// migration level ([`Gemeenten::targets_by_migration`]). A gemeente with its own rates
/// (`projection.overrides`) follows them instead: it is projected first, and the others share
/// what it leaves of the national total, each in proportion to its base.
fn hold_constant_shares(
    g: &mut Gemeenten,
    rates: &RateSet,
    national: &Projection,
    constrain: bool,
) -> Result<(), PopulationError> {
    let own_rates: Vec<bool> = g
        .overrides
        .iter()
        .map(|o| *o != RegionOverride::default())
        .collect();
    let followed = match own_rates.contains(&true) {
        true => Some(project_gemeenten(g, rates, national, constrain)?),
        false => None,
    };
    let totals: Vec<f64> = g.bases.iter().map(|p| p.total()).collect();
    let shared: f64 = totals
        .iter()
        .zip(&own_rates)
        .filter(|(_, own)| !**own)
        .map(|(v, _)| v)
        .sum();
    for (t, p) in national.stocks.iter().enumerate().skip(1) {
        let year = national.base_year + t as u16;
        let own_total: f64 = followed.as_ref().map_or(0.0, |f| {
            f.stocks
                .iter()
                .zip(&own_rates)
                .filter(|(_, own)| **own)
                .map(|(s, _)| s[t].total())
                .sum()
        });
        let targets = totals
            .iter()
            .zip(&own_rates)
            .map(|(v, own)| (!own).then(|| constant_share(*v, shared, p.total() - own_total)))
            .collect();
        g.total_targets.insert(year, targets);
    }
    g.targets_by_migration = true;
    Ok(())
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
) -> Result<(Gemeenten, Vec<f64>), PopulationError> {
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
        });
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
        targets_by_migration: false,
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
            });
        }
    }
    if settings.constrain {
        fit_bases_to_national(&mut g, national_base)?;
    }
    // Growth per year over the window, in the base year's indeling.
    let last = registry.years.keys().last().copied().unwrap_or(base_year);
    let [w0, mut w1] = settings.growth_window.unwrap_or([
        base_year.saturating_sub(GROWTH_YEARS - 1),
        (base_year + 1).min(last),
    ]);
    if w1 > base_year && registry.gemeente_codes(w1)? != codes_of_year {
        w1 = base_year;
    }
    let inw = |y: u16| -> Result<BTreeMap<String, f64>, PopulationError> {
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
