//! A run: scenario → registry → gemeenten → base population → tables, chart, manifest,
//! written into `out/<name>/` only when everything succeeded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::geo::{GeoError, Registry, ResolvedRegion, load_own_regions};
use crate::output::charts::pyramid::{Pyramid, PyramidBand, Reference, draw_pyramid};
use crate::output::charts::{ChartError, nl_number};
use crate::output::files::StagedDir;
use crate::output::manifest::{Manifest, hash_path};
use crate::output::tables::{num, write_rows};
use crate::population::base::{BANDS_85383, national_by_age};
use crate::population::{BasePopulation, PopulationError, base_population_by_band};
use crate::source::{self, SourceError, TidyTable};

use super::schema::{Scenario, ScenarioError};

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Geo(#[from] GeoError),
    #[error(transparent)]
    Population(#[from] PopulationError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl RunError {
    /// Whether the user's input is at fault (exit code 1) rather than the machine (3).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            RunError::Scenario(_)
                | RunError::Source(_)
                | RunError::Geo(_)
                | RunError::Population(_)
        )
    }
}

/// Options of a run that are not part of the scenario.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub no_charts: bool,
}

/// One line of the terminal summary.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub region: String,
    pub name: String,
    pub total: f64,
    pub age_75_plus: f64,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    pub scenario: Scenario,
    pub out_dir: PathBuf,
    pub files: Vec<String>,
    pub summary: Vec<SummaryRow>,
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |source| RunError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn read_one(path: &Path) -> Result<TidyTable, RunError> {
    let mut tables = source::read_table(path, None)?;
    Ok(tables.swap_remove(0))
}

/// Run a scenario file and write its outputs to `out_root/<name>/`.
pub fn run_scenario(
    scenario_path: &Path,
    out_root: &Path,
    opts: &RunOptions,
) -> Result<RunOutcome, RunError> {
    let scenario = Scenario::load(scenario_path)?;
    let at = |p: &Path| Scenario::resolve(scenario_path, p);
    let year = scenario.base_year;

    // Geography: the gemeenten of the run, in the base year's indeling.
    let regions_dir = at(&scenario.data.regions);
    let registry = Registry::load(&regions_dir)?;
    let own_path = scenario.regions.own.as_deref().map(at);
    let own = match &own_path {
        Some(p) => load_own_regions(p)?,
        None => Vec::new(),
    };
    let mut selected: BTreeMap<String, String> = BTreeMap::new();
    for q in &scenario.regions.gemeenten {
        let r = registry.find_region(year, q, &own)?;
        if !r.code.starts_with("GM") {
            return Err(ScenarioError::Invalid {
                path: scenario_path.to_path_buf(),
                key: "regions.gemeenten".into(),
                message: format!("'{q}' is a {} ({}), not a gemeente", r.kind, r.code),
                hint: "put regions whose gemeenten should all be included under regions.include"
                    .into(),
            }
            .into());
        }
        selected.extend(r.members.into_iter().map(|g| (g.code, g.name)));
    }
    for q in scenario
        .regions
        .include
        .iter()
        .chain(&scenario.regions.include_own)
    {
        let r = registry.find_region(year, q, &own)?;
        selected.extend(r.members.into_iter().map(|g| (g.code, g.name)));
    }
    let gemeenten: Vec<(String, String)> = selected.into_iter().collect();
    let mut report: Vec<ResolvedRegion> = Vec::new();
    for q in &scenario.regions.report {
        report.push(registry.find_region(year, q, &own)?);
    }

    // Population: base by band and sex.
    let gm_path = at(&scenario.data.gemeente_population);
    let nl_path = at(&scenario.data.national_population);
    let gm_table = read_one(&gm_path)?;
    let nl_table = read_one(&nl_path)?;
    let base = base_population_by_band(&gm_table, &nl_table, &gemeenten, year)?;

    // Outputs.
    let target = out_root.join(&scenario.name);
    let staged = StagedDir::new(&target).map_err(write_err(&target))?;
    let mut files = Vec::new();
    let table_path = staged.path("bevolking_basisjaar.csv");
    let rows = population_rows(&scenario, &base, &gemeenten, &report);
    let f = std::fs::File::create(&table_path).map_err(write_err(&table_path))?;
    write_rows(
        std::io::BufWriter::new(f),
        &[
            "scenario",
            "region",
            "region_name",
            "region_kind",
            "year",
            "sex",
            "age_band",
            "value",
            "quality",
        ],
        &rows,
    )
    .map_err(write_err(&table_path))?;
    files.push("bevolking_basisjaar.csv".to_string());

    let all_codes: Vec<String> = gemeenten.iter().map(|(c, _)| c.clone()).collect();
    if !opts.no_charts {
        let total = base_total(&base, &all_codes);
        let (nl_men, nl_women) = national_by_age(&nl_table, year)?;
        let nl_total: f64 = nl_men.iter().chain(&nl_women).sum();
        let scale = total / nl_total;
        let pyramid = Pyramid {
            title: format!("Bevolking naar leeftijd en geslacht, 1 januari {year}"),
            subtitle: format!(
                "{}: {} gemeenten, {} inwoners",
                scenario.title,
                gemeenten.len(),
                nl_number(total)
            ),
            reference: Some(Reference {
                label: "Nederland, zelfde totaal (per leeftijdsjaar)".into(),
                men: nl_men.iter().map(|v| v * scale).collect(),
                women: nl_women.iter().map(|v| v * scale).collect(),
            }),
            source_line: format!(
                "Bron: CBS (85383NED klassen per gemeente; 7461bev Nederland; mannen/vrouwen geschat; 75+ getekend tot 100 jaar); bewerking woonzorg {}",
                env!("CARGO_PKG_VERSION")
            ),
            bands: BANDS_85383
                .iter()
                .map(|b| PyramidBand {
                    lo: b.lo,
                    hi_excl: b.hi.map(|h| h + 1).unwrap_or(100),
                    label: b.label(),
                    men: base.total(&all_codes, *b, "M"),
                    women: base.total(&all_codes, *b, "V"),
                })
                .collect(),
        };
        draw_pyramid(
            &pyramid,
            &staged.path("piramide_basisjaar.png"),
            &staged.path("piramide_basisjaar.svg"),
        )?;
        files.push("piramide_basisjaar.png".into());
        files.push("piramide_basisjaar.svg".into());
    }

    // Manifest: inputs and outputs with SHA-256.
    let hash = |p: &Path| hash_path(p).map_err(write_err(p));
    let mut inputs = vec![hash(&gm_path)?, hash(&nl_path)?];
    for p in &registry.inputs {
        inputs.push(hash(p)?);
    }
    if let Some(p) = &own_path {
        inputs.push(hash(p)?);
    }
    let mut outputs = Vec::new();
    for f in &files {
        let mut h = hash(&staged.path(f))?;
        h.path = f.clone();
        outputs.push(h);
    }
    let manifest = Manifest {
        tool: "woonzorg",
        version: env!("CARGO_PKG_VERSION"),
        scenario_name: scenario.name.clone(),
        scenario_file: hash(scenario_path)?,
        scenario: serde_json::to_value(&scenario).unwrap_or(serde_json::Value::Null),
        base_year: year,
        horizon: scenario.horizon,
        gemeenten: all_codes.clone(),
        inputs,
        outputs,
        notes: vec![
            "Standen op 1 januari van het jaar.".into(),
            "Leeftijdsklassen per gemeente waargenomen (CBS 85383NED, status Definitief); verdeling naar geslacht geschat met de landelijke verhouding per klasse (CBS 7461bev).".into(),
        ],
    };
    let manifest_path = staged.path("manifest.json");
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| RunError::Write {
        path: manifest_path.clone(),
        source: e.into(),
    })?;
    std::fs::write(&manifest_path, json + "\n").map_err(write_err(&manifest_path))?;
    files.push("manifest.json".into());

    let out_dir = staged.commit().map_err(write_err(&target))?;
    let mut summary: Vec<SummaryRow> = gemeenten
        .iter()
        .map(|(c, n)| SummaryRow {
            region: c.clone(),
            name: n.clone(),
            total: base_total(&base, std::slice::from_ref(c)),
            age_75_plus: base.total(std::slice::from_ref(c), BANDS_85383[4], "T"),
        })
        .collect();
    for r in &report {
        let codes: Vec<String> = r.members.iter().map(|g| g.code.clone()).collect();
        summary.push(SummaryRow {
            region: r.code.clone(),
            name: r.name.clone(),
            total: base_total(&base, &codes),
            age_75_plus: base.total(&codes, BANDS_85383[4], "T"),
        });
    }
    Ok(RunOutcome {
        scenario,
        out_dir,
        files,
        summary,
    })
}

fn base_total(base: &BasePopulation, codes: &[String]) -> f64 {
    BANDS_85383.iter().map(|b| base.total(codes, *b, "T")).sum()
}

/// Tidy rows: every gemeente, every report region and the whole selection.
fn population_rows(
    scenario: &Scenario,
    base: &BasePopulation,
    gemeenten: &[(String, String)],
    report: &[ResolvedRegion],
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let year = base.year.to_string();
    for c in &base.cells {
        rows.push(vec![
            scenario.name.clone(),
            c.region.clone(),
            c.region_name.clone(),
            "gemeente".into(),
            year.clone(),
            c.sex.into(),
            c.band.label(),
            num(c.value),
            c.quality.into(),
        ]);
    }
    let all: Vec<String> = gemeenten.iter().map(|(c, _)| c.clone()).collect();
    let mut groups: Vec<(String, String, String, Vec<String>)> = report
        .iter()
        .map(|r| {
            (
                r.code.clone(),
                r.name.clone(),
                r.kind.clone(),
                r.members.iter().map(|g| g.code.clone()).collect(),
            )
        })
        .collect();
    groups.push((
        "selectie".into(),
        "Alle gemeenten van het scenario".into(),
        "selectie".into(),
        all,
    ));
    for (code, name, kind, members) in groups {
        for band in BANDS_85383 {
            for sex in ["T", "M", "V"] {
                let quality = if sex == "T" { "waargenomen" } else { "geschat" };
                rows.push(vec![
                    scenario.name.clone(),
                    code.clone(),
                    name.clone(),
                    kind.clone(),
                    year.clone(),
                    sex.into(),
                    band.label(),
                    num(base.total(&members, band, sex)),
                    quality.into(),
                ]);
            }
        }
    }
    rows
}
