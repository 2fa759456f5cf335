//! A run as a pipeline: plan → population → groups and housing → tables → bands → charts →
//! report → manifest, staged and moved into `out/<name>/` only when everything succeeded.
//! Each step is one call into a module of its own; this file only orchestrates.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::output::files::{StagedDir, output_target, region_file_stem};
use crate::output::manifest::FileHash;

use super::area::Area;
use super::charts::draw_charts;
use super::count::{LoadedGroupsAndHousing, count_loaded, load_groups_and_housing};
use super::error::RunError;
use super::groups::GroupRun;
use super::housing::{HousingRun, supply_warnings};
use super::maps::draw_maps;
use super::montecarlo::{Bands, monte_carlo};
use super::plan::{RunOptions, RunPlan};
use super::prepare::{Prepared, prepare_run_beside};
use super::profile::StageTimes;
use super::record::{Record, write_manifest};
use super::report::{AnnexRegion, Headline, Report, ReportRequest, write_report};
use super::schema::{Scenario, VerdeelSpec};
use super::tables;
use super::track_record::read_track_record;
use super::wijken::{WijkRun, draw_wijk_charts, project_wijken, write_wijken};
use super::workbook::DETAILED_GEMEENTEN;
use crate::geo::ResolvedRegion;
use crate::groups::catalogue::TaakstellingSpec;
use crate::population::gemeente_backtest::size_class;

/// One line of the terminal summary.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub region: String,
    pub name: String,
    pub total: f64,
    pub age_75_plus: f64,
    /// (year, total, 75+) of the first variant.
    pub projected: Vec<(u16, f64, f64)>,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    pub scenario: Scenario,
    pub out_dir: PathBuf,
    pub files: Vec<String>,
    pub summary: Vec<SummaryRow>,
    /// What a reader must know about the outputs (missing supply, example figures).
    pub warnings: Vec<String>,
    /// The headline per group for the annex region: (code, name) and the lines.
    pub headline_region: (String, String),
    pub headline: Vec<Headline>,
    /// Wall time per stage (`--profile`).
    pub times: StageTimes,
}

/// The files a run wrote so far, with the hashes taken while writing them.
#[derive(Default)]
struct Written {
    files: Vec<String>,
    hashed: HashMap<String, FileHash>,
}

impl Written {
    fn add_hashed(&mut self, hashes: Vec<FileHash>) {
        for h in hashes {
            self.files.push(h.path.clone());
            self.hashed.insert(h.path.clone(), h);
        }
    }
}

/// The groups and housing counted in a run (either can be absent).
struct Counted {
    groups: Option<GroupRun>,
    housing: Option<HousingRun>,
}

/// Run a scenario file and write its outputs to `out_root/<name>/`.
pub fn run_scenario(
    scenario_path: &Path,
    out_root: &Path,
    opts: &RunOptions,
) -> Result<RunOutcome, RunError> {
    let plan = RunPlan::resolve(scenario_path, opts)?;
    // The output guard before any work: a folder that is not woonzorg's, or that holds the
    // inputs, is refused.
    let target = output_target(out_root, &plan.scenario.name, false, &plan.input_paths())?;
    // The group and housing inputs are read and checked while the population is projected.
    let (mut prepared, loaded) = prepare_run_beside(plan, load_groups_and_housing)?;
    let mut times = std::mem::take(&mut prepared.times);
    let verdeel = prepared.verdeel_regions()?;
    let loaded = loaded?;
    if let Some(h) = &loaded.1 {
        // Before anything is staged: the user's rows name gemeenten of the run.
        h.supply.check_gemeenten(&prepared.gemeenten)?;
    }
    let staged = StagedDir::new(&target).map_err(|e| RunError::write(&target, e))?;
    let mut written = Written::default();
    let counted = count_and_tabulate(
        &staged,
        &prepared,
        loaded,
        &verdeel,
        &mut written,
        &mut times,
    )?;
    let bands = draw_bands(&staged, &prepared, &counted, &mut written, &mut times)?;
    let annex = annex_area(&prepared);
    let annexes = annex_regions(&prepared, annex)?;
    let mut place_inputs = Vec::new();
    let wijken = wijk_level(&staged, &prepared, &counted, &mut written)?;
    if let Some(w) = &wijken {
        place_inputs.extend(w.inputs.iter().cloned());
        times.lap("wijken");
    }
    if prepared.plan.charts {
        let (g, h) = (counted.groups.as_ref(), counted.housing.as_ref());
        written.files.extend(draw_charts(
            &staged,
            &prepared,
            (g, h),
            bands.as_ref(),
            (annex, &annexes),
        )?);
        if let Some(w) = &wijken {
            written
                .files
                .extend(draw_wijk_charts(&staged, &prepared, w)?);
        }
        if let Some(m) = &prepared.plan.scenario.maps {
            // The main annex's maps (`_bijlage`) and each region annex's (`_<stem>`).
            let map_annexes: Vec<(String, &Area)> = annex
                .map(|a| ("bijlage".to_string(), a))
                .into_iter()
                .chain(
                    annexes
                        .iter()
                        .filter(|_| prepared.plan.report)
                        .map(|a| (region_file_stem(&a.code), *a)),
                )
                .collect();
            let maps = draw_maps(&staged, &prepared, m, &map_annexes)?;
            written.files.extend(maps.files);
            place_inputs.extend(maps.inputs);
        }
    }
    let notes = run_notes(&prepared, bands.is_some());
    times.lap("grafieken");
    let report = report(
        &staged,
        &prepared,
        (&counted, &place_inputs),
        (annex, &annexes),
        &notes,
        &mut written,
    )?;
    times.lap("rapport: xlsx, parquet, bijlage");
    let record = Record {
        inputs: run_inputs(&prepared, &counted, &place_inputs),
        files: &written.files,
        hashed: &written.hashed,
        gemeenten: prepared.gemeente_codes(),
        notes,
        drawn: counted.groups.is_some(),
    };
    write_manifest(&staged, &prepared.plan, record)?;
    written.files.push("manifest.json".into());
    let out_dir = staged.commit().map_err(|e| RunError::write(&target, e))?;
    times.lap("manifest (sha-256) en verplaatsen");
    let warnings = counted.housing.as_ref().map_or_else(Vec::new, |h| {
        supply_warnings(h, &prepared.gemeenten, prepared.plan.scenario.base_year)
    });
    Ok(RunOutcome {
        summary: summary(&prepared),
        scenario: prepared.plan.written,
        out_dir,
        files: written.files,
        warnings,
        headline_region: (report.region, report.region_name),
        headline: report.headline,
        times,
    })
}

/// The base table, then the population tables written while the groups and housing are
/// counted and their tables written. An error in the groups or housing input comes first, as
/// when they were counted before.
fn count_and_tabulate(
    staged: &StagedDir,
    prepared: &Prepared,
    loaded: LoadedGroupsAndHousing,
    verdeel: &[(VerdeelSpec, ResolvedRegion)],
    written: &mut Written,
    times: &mut StageTimes,
) -> Result<Counted, RunError> {
    let started = std::time::Instant::now();
    let Prepared {
        plan,
        base,
        variants,
        externals,
        areas,
        ..
    } = prepared;
    let name = plan.scenario.name.as_str();
    written
        .files
        .push(tables::write_base_table(staged, name, base, areas)?);
    if !variants.is_empty() {
        let dir = staged.path("tables");
        std::fs::create_dir_all(&dir).map_err(|e| RunError::write(&dir, e))?;
    }
    // The groups are counted for the areas and for the regions of the verdeelsleutels.
    let mut count_areas = areas.clone();
    count_areas.extend(verdeel.iter().map(|(_, r)| Area::of_region(r)));
    let population = || tables::write_population_tables(staged, name, variants, externals, areas);
    let count_and_write = || {
        let (groups, housing) = count_loaded(
            loaded,
            &prepared.registry,
            variants,
            &count_areas,
            &prepared.gemeenten,
        )?;
        let counting = started.elapsed();
        let (g, h) = (groups.as_ref(), housing.as_ref());
        let files =
            tables::write_group_and_housing_tables(staged, name, g, h, areas, variants, verdeel)?;
        Ok::<_, RunError>((Counted { groups, housing }, files, counting))
    };
    let (population_files, counted) = rayon::join(population, count_and_write);
    let (counted, group_files, counting) = counted?;
    written.add_hashed(population_files?);
    written.add_hashed(group_files);
    times.lap_split(
        "groepen en wonen",
        counting,
        "tabellen: bevolking, groepen en wonen",
    );
    Ok(counted)
}

/// The wijk level when the scenario asks for it: the wijken projected and tables/wijken.csv.
fn wijk_level(
    staged: &StagedDir,
    prepared: &Prepared,
    counted: &Counted,
    written: &mut Written,
) -> Result<Option<WijkRun>, RunError> {
    let s = &prepared.plan.scenario;
    let (Some(settings), Some(dir)) = (&s.wijken, &s.data.wijken) else {
        return Ok(None);
    };
    let run = project_wijken(prepared, &settings.gemeenten, dir)?;
    written.files.extend(write_wijken(
        staged,
        prepared,
        &run,
        counted.groups.as_ref(),
    )?);
    Ok(Some(run))
}

/// Monte Carlo bands of the groups (and dwellings) when the plan asks for draws.
fn draw_bands(
    staged: &StagedDir,
    prepared: &Prepared,
    counted: &Counted,
    written: &mut Written,
    times: &mut StageTimes,
) -> Result<Option<Bands>, RunError> {
    let (Some(g), true) = (&counted.groups, prepared.plan.draws > 0) else {
        return Ok(None);
    };
    let (plan, areas) = (&prepared.plan, &prepared.areas);
    let h = counted.housing.as_ref();
    let bands = monte_carlo(plan, g, h, &prepared.variants, areas)?;
    times.lap("monte carlo");
    let name = &plan.scenario.name;
    written.files.extend(tables::write_band_tables(
        staged, name, g, h, &bands, areas,
    )?);
    times.lap("tabellen: banden");
    Ok(Some(bands))
}

/// The notes of a run (manifest and annex): how to read stocks and flows, what is observed
/// and what estimated, the variants, the Monte Carlo draws.
fn run_notes(prepared: &Prepared, drawn: bool) -> Vec<String> {
    let plan = &prepared.plan;
    let mut notes = vec!["Standen op 1 januari van het jaar; stromen (geboorten, sterfte, migratie) gedurende het jaar.".to_string()];
    if !plan.scenario.regions.nederland {
        notes.push("Leeftijdsklassen per gemeente waargenomen (CBS 85383NED, status Definitief); verdeling naar geslacht en naar losse leeftijden geschat (landelijke structuur, CBS 7461bev, geharkt naar de klassen).".into());
    }
    for v in &prepared.variants {
        notes.push(format!("Variant {}: {}.", v.name, v.description));
    }
    if drawn {
        let (draws, seed) = (plan.draws, plan.seed);
        notes.push(format!(
            "Monte Carlo: {draws} trekkingen, seed {seed}; percentielen p2_5, p16_5, p50, p83_5, p97_5 (exacte steekproefkwantielen, Hyndman & Fan definitie 7) in tables/*_bands.csv."
        ));
    }
    notes
}

/// Every file the run read, in the order read: the population and projection data, the
/// group inputs, the housing inputs the groups did not read already.
fn run_inputs(prepared: &Prepared, counted: &Counted, places: &[PathBuf]) -> Vec<PathBuf> {
    let mut inputs = prepared.inputs();
    inputs.extend(places.iter().cloned());
    let group_inputs: &[PathBuf] = counted.groups.as_ref().map_or(&[], |g| &g.inputs);
    inputs.extend(group_inputs.iter().cloned());
    for p in counted.housing.iter().flat_map(|h| &h.inputs) {
        if !group_inputs.contains(p) {
            inputs.push(p.clone());
        }
    }
    inputs
}

/// The workbook, Parquet copies and annex (none with `--no-report`), built from the tables
/// just written.
fn report(
    staged: &StagedDir,
    prepared: &Prepared,
    (counted, places): (&Counted, &[PathBuf]),
    (annex, annexes): (Option<&Area>, &[&Area]),
    notes: &[String],
    written: &mut Written,
) -> Result<Report, RunError> {
    let plan = &prepared.plan;
    if !plan.report {
        return Ok(Report::default());
    }
    let mut inputs: Vec<PathBuf> = plan.chain.iter().map(|f| f.path.clone()).collect();
    inputs.extend(counted.groups.iter().flat_map(|g| g.inputs.iter().cloned()));
    inputs.extend(
        counted
            .housing
            .iter()
            .flat_map(|h| h.inputs.iter().cloned()),
    );
    inputs.extend(places.iter().cloned());
    let drawn = plan.draws > 0 && counted.groups.is_some();
    let tasks: Vec<(&str, &TaakstellingSpec)> = counted
        .groups
        .iter()
        .flat_map(|g| &g.catalogue.groups)
        .filter_map(|g| Some((g.label.as_str(), g.taakstelling.as_ref()?)))
        .collect();
    // The track record, and the size class of the annex gemeente by its base population.
    let track = match &plan.scenario.data.track_record {
        Some(p) => Some(read_track_record(p)?),
        None => None,
    };
    // The size class of a gemeente by its base population (none for a region).
    let class_of = |a: &Area| {
        (a.kind == "gemeente").then(|| {
            let totals = prepared.base.band_totals_of(&[a.base_codes()]);
            size_class(totals[0].iter().map(|b| b[0]).sum())
        })
    };
    let annex_region = |a: &Area| AnnexRegion {
        code: a.code.clone(),
        name: a.name.clone(),
        kind: a.kind.clone(),
        members: a
            .members
            .iter()
            .map(|m| {
                let name = prepared.gemeenten.iter().find(|(c, _)| c == m);
                name.map_or_else(|| m.clone(), |(_, n)| n.clone())
            })
            .collect(),
        size_class: class_of(a),
    };
    let annex_regions: Vec<AnnexRegion> = annexes.iter().map(|a| annex_region(a)).collect();
    // A run of many gemeenten: the workbook holds its regions in detail, the gemeenten in
    // summary (the annex gemeente and those with an annex of their own in detail too).
    let detail: Option<Vec<String>> = (prepared.gemeenten.len() > DETAILED_GEMEENTEN).then(|| {
        prepared
            .areas
            .iter()
            .filter(|a| {
                a.kind != "gemeente"
                    || annex.is_some_and(|m| m.code == a.code)
                    || annexes.iter().any(|x| x.code == a.code)
            })
            .map(|a| a.code.clone())
            .collect()
    });
    let report = write_report(
        ReportRequest {
            dir: &staged.path(""),
            scenario: &plan.scenario,
            chain: &plan.chain,
            region: annex.map(annex_region),
            inputs: &inputs,
            seed_and_draws: drawn.then_some((plan.seed, plan.draws)),
            notes,
            track_record: track.as_ref(),
            annexes: &annex_regions,
            workbook_detail: detail.as_deref(),
            tasks: &tasks,
            population_parquet: Some(&|path: &Path| {
                tables::write_population_parquet(
                    path,
                    &plan.scenario.name,
                    &prepared.variants,
                    &prepared.externals,
                    &prepared.areas,
                )
            }),
        },
        plan.csv_dialect_nl,
    )?;
    written.files.extend(report.files.iter().cloned());
    if plan.csv_dialect_nl {
        // The report rewrote the tables in the Dutch dialect: their hashes are read again.
        written.hashed.clear();
    }
    Ok(report)
}

/// The terminal summary: per area the base total and 75+, and the first variant in 2030 and
/// at the horizon.
fn summary(prepared: &Prepared) -> Vec<SummaryRow> {
    let s = &prepared.plan.scenario;
    let (year, horizon) = (s.base_year, s.horizon);
    let codes: Vec<Vec<String>> = prepared.areas.iter().map(Area::base_codes).collect();
    prepared
        .areas
        .iter()
        .zip(prepared.base.band_totals_of(&codes))
        .map(|(area, totals)| {
            let projected = prepared.variants.first().map(|v| {
                [2030, horizon]
                    .into_iter()
                    .filter(|y| *y > year && *y <= horizon)
                    .filter_map(|y| area.stock(v, y).map(|p| (y, p.total(), p.band(75, 105))))
                    .collect()
            });
            SummaryRow {
                region: area.code.clone(),
                name: area.name.clone(),
                total: totals.iter().map(|b| b[0]).sum(),
                age_75_plus: totals[4][0],
                projected: projected.unwrap_or_default(),
            }
        })
        .collect()
}

/// Whether an area is the one a scenario's name or code asks for.
fn named(a: &Area, q: &str) -> bool {
    a.code.eq_ignore_ascii_case(q.trim()) || a.name.eq_ignore_ascii_case(q.trim())
}

/// The area of the main annex and the terminal's headline: the first gemeente the scenario
/// names (by name or code), else the only gemeente of a one-gemeente run, else the first
/// report region (a region's scenario is about the region), else the whole selection.
fn annex_area(prepared: &Prepared) -> Option<&Area> {
    let (areas, s) = (&prepared.areas, &prepared.plan.scenario);
    let named_gemeente = s
        .regions
        .gemeenten
        .first()
        .and_then(|q| areas.iter().find(|a| a.kind == "gemeente" && named(a, q)));
    named_gemeente.or_else(|| {
        let gemeenten: Vec<&Area> = areas.iter().filter(|a| a.kind == "gemeente").collect();
        match gemeenten.as_slice() {
            [one] if areas.len() == 2 => Some(*one),
            _ => areas
                .iter()
                .find(|a| a.kind != "gemeente" && a.kind != "selectie")
                .or(areas.last()),
        }
    })
}

/// The areas with an annex of their own besides the main one: the report regions, then what
/// `regions.annexes` names (gemeenten or report regions of the run), each once.
fn annex_regions<'a>(
    prepared: &'a Prepared,
    main: Option<&Area>,
) -> Result<Vec<&'a Area>, RunError> {
    let areas = &prepared.areas;
    let mut out: Vec<&Area> = areas
        .iter()
        .filter(|a| a.kind != "gemeente" && a.kind != "selectie")
        .collect();
    for q in &prepared.plan.scenario.regions.annexes {
        let a = areas
            .iter()
            .find(|a| a.kind != "selectie" && named(a, q))
            .ok_or_else(|| {
                prepared.plan.invalid(
                    "regions.annexes",
                    format!("'{q}' is not a gemeente or report region of the run"),
                    "name gemeenten of regions.gemeenten or regions.include, or regions of regions.report",
                )
            })?;
        out.push(a);
    }
    let mut seen = Vec::new();
    out.retain(|a| {
        let keep = main.is_none_or(|m| m.code != a.code) && !seen.contains(&a.code);
        seen.push(a.code.clone());
        keep
    });
    Ok(out)
}
