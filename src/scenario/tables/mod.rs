//! The tables of a run, written from one place: the base population, the projection and its
//! components, the groups and housing tables, the Monte Carlo bands. Each table's SHA-256 is
//! taken as it is written ([`crate::output::tables::TableWriter::finish`]), under its path in
//! the output folder.

use std::path::Path;

use crate::geo::ResolvedRegion;
use crate::numbers::format_number;
use crate::output::files::StagedDir;
use crate::output::manifest::FileHash;
use crate::output::tables::{AREA_KEYS, TableWriter, write_ordered, write_rows};
use crate::population::BasePopulation;
use crate::population::base::{BANDS_85383, BASE_SEXES};
use crate::population::grid::{AGES, OPEN_AGE, SEX_CODES};

use super::area::Area;
use super::error::RunError;
use super::groups::GroupRun;
use super::housing::HousingRun;
use super::montecarlo::Bands;
use super::projection::{ExternalSeries, VariantResult};
use super::schema::VerdeelSpec;

mod bands;
mod groups;
mod housing;
mod supply;

use bands::{write_dwelling_bands, write_group_bands};
use groups::write_group_tables;
use housing::{write_area_tables, write_policy, write_verdeling};
use supply::write_supply;

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |source| RunError::write(path, source)
}

/// A hash taken while writing, under its path in the output folder.
fn named(h: FileHash, name: &str) -> FileHash {
    FileHash {
        path: name.to_string(),
        ..h
    }
}

/// bevolking_basisjaar.csv: the base year by area, band and sex.
pub fn write_base_table(
    staged: &StagedDir,
    scenario: &str,
    base: &BasePopulation,
    areas: &[Area],
) -> Result<String, RunError> {
    let name = "bevolking_basisjaar.csv";
    let table_path = staged.path(name);
    let rows = population_rows(scenario, base, areas);
    let f = std::fs::File::create(&table_path).map_err(write_err(&table_path))?;
    let header = [
        "scenario",
        "region",
        "region_name",
        "region_kind",
        "year",
        "sex",
        "age_band",
        "value",
        "quality",
    ];
    write_rows(std::io::BufWriter::new(f), &header, &rows).map_err(write_err(&table_path))?;
    Ok(name.to_string())
}

/// tables/population.csv and tables/components.csv (none without a projection).
pub fn write_population_tables(
    staged: &StagedDir,
    scenario: &str,
    variants: &[VariantResult],
    externals: &[ExternalSeries],
    areas: &[Area],
) -> Result<Vec<FileHash>, RunError> {
    let mut files = Vec::new();
    if !variants.is_empty() {
        let pop_path = staged.path("tables/population.csv");
        let h = write_projection_table(&pop_path, scenario, variants, externals, areas)
            .map_err(write_err(&pop_path))?;
        files.push(named(h, "tables/population.csv"));
        let comp_path = staged.path("tables/components.csv");
        let h = write_components_table(&comp_path, scenario, variants, areas)
            .map_err(write_err(&comp_path))?;
        files.push(named(h, "tables/components.csv"));
    }
    Ok(files)
}

/// The group tables (groups, group_flows) and the housing tables (dwellings, pressure, costs,
/// policy, verdeling), the two sets at the same time (each table has its own writer).
pub fn write_group_and_housing_tables(
    staged: &StagedDir,
    scenario: &str,
    groups: Option<&GroupRun>,
    housing: Option<&HousingRun>,
    areas: &[Area],
    variants: &[VariantResult],
    verdeel: &[(VerdeelSpec, ResolvedRegion)],
) -> Result<Vec<FileHash>, RunError> {
    let Some(g) = groups else {
        return Ok(Vec::new());
    };
    let write_groups = || -> Result<Vec<FileHash>, RunError> {
        let (pg, pf) = (
            staged.path("tables/groups.csv"),
            staged.path("tables/group_flows.csv"),
        );
        let hs = write_group_tables(&pg, &pf, scenario, g, areas).map_err(write_err(&pg))?;
        Ok(hs
            .into_iter()
            .zip(["groups", "group_flows"])
            .map(|(h, t)| named(h, &format!("tables/{t}.csv")))
            .collect())
    };
    let write_housing = || -> Result<Vec<FileHash>, RunError> {
        let mut files = Vec::new();
        let Some(h) = housing else {
            return Ok(files);
        };
        let tables = ["dwellings", "pressure", "costs"];
        let [pd, pp, pc] = tables.map(|t| staged.path(&format!("tables/{t}.csv")));
        let ps = staged.path("tables/supply.csv");
        // The supply table beside the area tables (which wait on their slowest area at times).
        let (hs, supply) = rayon::join(
            || write_area_tables([&pd, &pp, &pc], scenario, g, h, areas, variants),
            || write_supply(&ps, scenario, h, areas),
        );
        files.extend(
            hs.map_err(write_err(&pd))?
                .into_iter()
                .zip(tables)
                .map(|(h, t)| named(h, &format!("tables/{t}.csv"))),
        );
        files.push(named(supply.map_err(write_err(&ps))?, "tables/supply.csv"));
        let p = staged.path("tables/policy.csv");
        let hp = write_policy(&p, scenario, g, h, areas, variants).map_err(write_err(&p))?;
        files.push(named(hp, "tables/policy.csv"));
        if !verdeel.is_empty() {
            let p = staged.path("tables/verdeling.csv");
            let hv =
                write_verdeling(&p, scenario, g, h, verdeel, variants).map_err(write_err(&p))?;
            files.push(named(hv, "tables/verdeling.csv"));
        }
        Ok(files)
    };
    let (group_files, housing_files) = rayon::join(write_groups, write_housing);
    let mut files = group_files?;
    files.extend(housing_files?);
    Ok(files)
}

/// tables/groups_bands.csv and (with housing) tables/dwellings_bands.csv.
pub fn write_band_tables(
    staged: &StagedDir,
    scenario: &str,
    g: &GroupRun,
    housing: Option<&HousingRun>,
    bands: &Bands,
    areas: &[Area],
) -> Result<Vec<String>, RunError> {
    let mut files = Vec::new();
    let p = staged.path("tables/groups_bands.csv");
    write_group_bands(&p, scenario, g, bands, areas).map_err(write_err(&p))?;
    files.push("tables/groups_bands.csv".into());
    if let Some(h) = housing {
        let p = staged.path("tables/dwellings_bands.csv");
        write_dwelling_bands(&p, scenario, g, h, bands, areas).map_err(write_err(&p))?;
        files.push("tables/dwellings_bands.csv".into());
    }
    Ok(files)
}

/// The columns of tables/population.csv after the area keys (`AREA_KEYS`).
const POPULATION_COLUMNS: [&str; 4] = ["sex", "age", "value", "base"];

/// The rows of tables/population.csv from the external forecasts: per forecast, area and year
/// the total (sex `T`, age `totaal`, base `extern`), in cents.
fn external_rows(scenario: &str, externals: &[ExternalSeries], areas: &[Area]) -> Vec<[String; 9]> {
    let mut rows = Vec::new();
    for e in externals {
        let variant = format!("extern: {}", e.name);
        let years: std::collections::BTreeSet<u16> = e
            .by_region
            .values()
            .flat_map(|m| m.keys().copied())
            .collect();
        for area in areas {
            let members = area.base_codes();
            for &y in &years {
                if let Some(v) = e.total(&members, y) {
                    rows.push([
                        scenario.to_string(),
                        variant.clone(),
                        area.code.clone(),
                        area.name.clone(),
                        y.to_string(),
                        "T".into(),
                        "totaal".into(),
                        crate::numbers::cents(v),
                        "extern".into(),
                    ]);
                }
            }
        }
    }
    rows
}

/// tables/population.parquet straight from the projection: the rows of tables/population.csv
/// in its order, typed as every Parquet copy ([`crate::output::parquet::TypedColumns`]), each
/// value the CSV's (rounded to cents: c / 100 is the double the CSV's text parses to). Made
/// from memory because reading the 200 MB CSV of a national run back took longer than the
/// run's tables.
pub fn write_population_parquet(
    path: &Path,
    scenario: &str,
    variants: &[VariantResult],
    externals: &[ExternalSeries],
    areas: &[Area],
) -> Result<(), RunError> {
    use crate::output::parquet::{Run, Typed, TypedColumns};
    use crate::source::tidy::neutralise;
    let header: Vec<&str> = AREA_KEYS
        .iter()
        .chain(&POPULATION_COLUMNS)
        .copied()
        .collect();
    let mut t = TypedColumns::create(path, &header);
    let bad =
        |what: &str| RunError::write(path, std::io::Error::other(format!("a cell is not {what}")));
    let failed =
        |e: &dyn std::fmt::Display| RunError::write(path, std::io::Error::other(e.to_string()));
    // The projection's rows: each text neutralised once, as the CSV writer does per field.
    let scenario_text = neutralise(scenario);
    for v in variants {
        let variant = neutralise(&v.name);
        for area in areas {
            let base = if area.observed(v) {
                "waargenomen"
            } else {
                "geschat"
            };
            let (code, name) = (neutralise(&area.code), neutralise(&area.name));
            for y in v.national.base_year..=v.national.horizon() {
                let Some(p) = area.stock(v, y) else { continue };
                for (values, sex) in p.0.iter().zip(SEX_CODES) {
                    // c / 100 is the double the CSV's cents parse to.
                    let cents: Vec<f64> =
                        values.iter().map(|x| (x * 100.0).round() / 100.0).collect();
                    let cells = [
                        Run::Same(Typed::Text(&scenario_text)),
                        Run::Same(Typed::Text(&variant)),
                        Run::Same(Typed::Text(&code)),
                        Run::Same(Typed::Text(&name)),
                        Run::Same(Typed::Integer(i32::from(y))),
                        Run::Same(Typed::Text(sex)),
                        Run::Ages {
                            first: 0,
                            open: OPEN_AGE as i32,
                        },
                        Run::Numbers(&cents),
                        Run::Same(Typed::Text(base)),
                    ];
                    t.push_run(cents.len(), &cells).map_err(|e| failed(&e))?;
                }
            }
        }
    }
    for row in external_rows(scenario, externals, areas) {
        for (c, v) in row.iter().enumerate() {
            t.push_text(c, neutralise(v).as_bytes()).map_err(bad)?;
        }
        t.end_row().map_err(|e| failed(&e))?;
    }
    t.finish().map_err(|e| failed(&e))
}

/// tables/population.csv: scenario, variant, region, region_name, year, sex, age, value, base.
fn write_projection_table(
    path: &Path,
    scenario: &str,
    variants: &[VariantResult],
    externals: &[ExternalSeries],
    areas: &[Area],
) -> std::io::Result<FileHash> {
    let w = crate::output::tables::create_keyed_csv(path, &POPULATION_COLUMNS)?;
    // The largest table of a run (3.7 million rows for NL-342): areas in parallel, the texts
    // that repeat made once, the values written from whole cents straight into the row.
    // The sex and age fields of every row, encoded once.
    let sex_age: Vec<Vec<String>> = SEX_CODES
        .iter()
        .map(|sex| {
            (0..AGES)
                .map(|a| {
                    let age = if a == OPEN_AGE {
                        format!("{a}+")
                    } else {
                        a.to_string()
                    };
                    TableWriter::prefix(&[sex, &age])
                })
                .collect()
        })
        .collect();
    let items: Vec<(&VariantResult, &Area)> = variants
        .iter()
        .flat_map(|v| areas.iter().map(move |a| (v, a)))
        .collect();
    let mut writers = [w];
    write_ordered(&mut writers, &items, |(v, area), parts| {
        let [w] = parts else { return Ok(()) };
        let base_quality = if area.observed(v) {
            "waargenomen"
        } else {
            "geschat"
        };
        let name = area.name.as_str();
        for y in v.national.base_year..=v.national.horizon() {
            let Some(p) = area.stock(v, y) else { continue };
            let keys = [scenario, &v.name, &area.code, name, &y.to_string()];
            let prefix = TableWriter::prefix(&keys);
            for (values, fields) in p.0.iter().zip(&sex_age) {
                let rows = fields
                    .iter()
                    .map(String::as_str)
                    .zip(values.iter().copied());
                w.write_cents_rows(&prefix, rows, keys.len() + 2, base_quality)?;
            }
        }
        Ok(())
    })?;
    let [mut w] = writers;
    // External forecasts beside the own projection: totals only (sex T, age totaal).
    for row in external_rows(scenario, externals, areas) {
        w.write_record(&row)?;
    }
    w.finish()
}

/// tables/components.csv: births, deaths and net migration per year (during the year).
fn write_components_table(
    path: &Path,
    scenario: &str,
    variants: &[VariantResult],
    areas: &[Area],
) -> std::io::Result<FileHash> {
    let mut w =
        crate::output::tables::create_keyed_csv(path, &["births", "deaths", "net_migration"])?;
    for v in variants {
        for area in areas {
            for y in v.national.base_year..v.national.horizon() {
                let Some((b, d, n)) = area.flows(v, y) else {
                    continue;
                };
                let r = crate::numbers::cents;
                w.write_record([
                    scenario,
                    &v.name,
                    &area.code,
                    &area.name,
                    &y.to_string(),
                    &r(b),
                    &r(d),
                    &r(n),
                ])?;
            }
        }
    }
    w.finish()
}

/// Tidy rows of the base year: every output area (gemeente, report region, selection, or NL)
/// by band and sex. Gemeente totals per band are observed, their sex split estimated; NL is
/// observed throughout.
fn population_rows(scenario: &str, base: &BasePopulation, areas: &[Area]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let year = base.year.to_string();
    let codes: Vec<Vec<String>> = areas.iter().map(Area::base_codes).collect();
    for (area, totals) in areas.iter().zip(base.band_totals_of(&codes)) {
        for (band, totals) in BANDS_85383.iter().zip(totals) {
            for (sex, total) in BASE_SEXES.into_iter().zip(totals) {
                let quality = if sex == "T" || area.members.is_empty() {
                    "waargenomen"
                } else {
                    "geschat"
                };
                rows.push(vec![
                    scenario.to_string(),
                    area.code.clone(),
                    area.name.clone(),
                    area.kind.clone(),
                    year.clone(),
                    sex.into(),
                    band.label(),
                    format_number(total),
                    quality.into(),
                ]);
            }
        }
    }
    rows
}
