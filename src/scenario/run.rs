//! A run: scenario → registry → gemeenten → base population → tables, chart, manifest,
//! written into `out/<name>/` only when everything succeeded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::geo::rollup::check_own_regions;
use crate::geo::{GeoError, OwnRegion, Registry, ResolvedRegion, load_own_regions};
use crate::groups::GroupError;
use crate::output::charts::hbars::draw_hbars;
use crate::output::charts::lines::{LineChart, Panel, Series, draw_lines};
use crate::output::charts::pyramid::{Pyramid, PyramidBand, Reference, draw_pyramid};
use crate::output::charts::{ChartError, nl_number};
use crate::output::files::{StagedDir, output_target};
use crate::output::manifest::{FileHash, Manifest, hash_path};
use crate::output::tables::write_rows;
use crate::population::base::{BANDS_85383, BASE_SEXES, national_base_by_band, national_by_age};
use crate::population::grid::{AGES, OPEN_AGE, Pop, SEX_CODES};
use crate::source::TidyTable;
use crate::source::tidy::format_number;

use super::groups::{GroupRun, count_groups, load_groups, write_group_tables};
use super::housing::{
    HousingRun, dwellings_chart, load_housing, supply_warnings, write_area_tables, write_policy,
    write_verdeling,
};
use super::montecarlo::{monte_carlo, write_dwelling_bands, write_group_bands};
use super::projection::{
    ExternalSeries, ProjectionInputs, VariantResult, check_counts, run_projection,
};
use super::report::{ReportRequest, write_report};
use crate::output::tables::{TableWriter, invariant_of, write_ordered};
use crate::source::read_one;

use super::profile::StageTimes;
use crate::population::{BasePopulation, PopulationError, base_population_by_band};
use crate::source::SourceError;

use super::schema::{Scenario, ScenarioError, VerdeelSpec};

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
    Groups(#[from] GroupError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Guard(#[from] crate::output::files::GuardError),
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An internal invariant broken (see [`crate::output::tables::Invariant`]): a bug, exit code 3.
    #[error("{0}")]
    Internal(String),
}

impl RunError {
    /// An error writing `path`: an [`crate::output::tables::Invariant`] a table writer refused is an internal error.
    pub fn write(path: &Path, source: std::io::Error) -> RunError {
        match invariant_of(&source) {
            Some(i) => RunError::Internal(i.to_string()),
            None => RunError::Write {
                path: path.to_path_buf(),
                source,
            },
        }
    }

    /// Whether the user's input is at fault (exit code 1) rather than the machine (3).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            RunError::Scenario(_)
                | RunError::Source(_)
                | RunError::Geo(_)
                | RunError::Population(_)
                | RunError::Groups(_)
                | RunError::Guard(_)
        )
    }
}

/// Options of a run that are not part of the scenario.
#[derive(Clone, Default)]
pub struct RunOptions {
    pub no_charts: bool,
    /// Monte Carlo draws and seed (override the scenario's `[uncertainty]`).
    pub draws: Option<usize>,
    pub seed: Option<u64>,
    /// Write the CSV tables with `;` and a decimal comma (Dutch Excel).
    pub csv_dialect_nl: bool,
    /// Skip the workbook, the Parquet copies and the annex (only the CSV tables).
    pub no_report: bool,
    /// Called with (draws done, draws in all) during a Monte Carlo run.
    pub progress: Option<std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("no_charts", &self.no_charts)
            .field("draws", &self.draws)
            .field("seed", &self.seed)
            .finish()
    }
}

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
    pub headline: Vec<super::report::Headline>,
    /// Wall time per stage (`--profile`).
    pub times: StageTimes,
}

/// Resolve a region a scenario key names; a region the registry does not know is an error of
/// that key.
fn region_at_key(
    registry: &Registry,
    scenario_path: &Path,
    key: &str,
    year: u16,
    query: &str,
    own: &[OwnRegion],
) -> Result<ResolvedRegion, RunError> {
    let at_key = |message: String, hint: String| -> RunError {
        ScenarioError::Invalid {
            path: scenario_path.to_path_buf(),
            key: key.into(),
            message,
            hint,
        }
        .into()
    };
    registry.find_region(year, query, own).map_err(|e| match e {
        GeoError::UnknownRegion { query, year, hint } => {
            at_key(format!("unknown region '{query}' in {year}"), hint)
        }
        // A gemeente that existed under this name (or code) but was merged away before the
        // year: where it went.
        GeoError::UnknownGemeente { code, year, hint } => {
            let (message, hint) = registry.merged_away(query, year).unwrap_or((
                format!("'{query}' ({code}) is not a gemeente of {year}"),
                hint,
            ));
            at_key(message, hint)
        }
        other => other.into(),
    })
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> RunError + '_ {
    move |source| RunError::write(path, source)
}

/// A scenario read, its gemeenten chosen and its population projected: everything the
/// outputs (and `woonzorg definitions`) build on.
pub struct Prepared {
    pub scenario: Scenario,
    pub registry: Registry,
    pub own: Vec<OwnRegion>,
    pub own_path: Option<PathBuf>,
    /// The gemeenten of the run (code, name), base year's indeling.
    pub gemeenten: Vec<(String, String)>,
    pub nl_path: PathBuf,
    pub gm_path: PathBuf,
    pub nl_table: TidyTable,
    pub gm_table: Option<TidyTable>,
    pub base: BasePopulation,
    pub variants: Vec<VariantResult>,
    pub externals: Vec<ExternalSeries>,
    pub proj_inputs: ProjectionInputs,
    pub areas: Vec<Area>,
    /// Wall time of the stages so far.
    pub times: StageTimes,
}

/// Read a scenario, resolve its regions, build the base population and run the projection.
pub fn prepare_run(scenario_path: &Path) -> Result<Prepared, RunError> {
    let scenario = Scenario::load(scenario_path)?;
    prepare_run_beside(scenario_path, scenario, |_, _| ()).map(|(prepared, ())| prepared)
}

/// [`prepare_run`] for a scenario already read from `scenario_path`, with `beside` — work that
/// needs only the scenario and the regions, such as reading the group and housing inputs —
/// done while the population is projected. An error of the population comes first, as when
/// `beside` is done after it.
pub fn prepare_run_beside<T: Send>(
    scenario_path: &Path,
    scenario: Scenario,
    beside: impl FnOnce(&Scenario, &Registry) -> T + Send,
) -> Result<(Prepared, T), RunError> {
    let mut times = StageTimes::start();
    let at = |p: &Path| Scenario::resolve(scenario_path, p);
    let year = scenario.base_year;

    // Geography: the gemeenten of the run, in the base year's indeling. The population
    // tables are read (not yet checked) at the same time.
    let regions_dir = at(&scenario.data.regions);
    let gm_path = at(&scenario.data.gemeente_population);
    let nl_path = at(&scenario.data.national_population);
    let (registry, (nl_read, gm_read)) = rayon::join(
        || Registry::load(&regions_dir),
        || {
            rayon::join(
                || read_one(&nl_path),
                || (!scenario.regions.nederland).then(|| read_one(&gm_path)),
            )
        },
    );
    let registry = registry?;
    let own_path = scenario
        .regions
        .own
        .as_deref()
        .filter(|p| !p.as_os_str().is_empty())
        .map(at);
    let own = match &own_path {
        Some(p) => {
            let own = load_own_regions(p)?;
            check_own_regions(&registry, p, &own, year)?;
            own
        }
        None => Vec::new(),
    };
    let mut selected: BTreeMap<String, String> = BTreeMap::new();
    let mut report: Vec<ResolvedRegion> = Vec::new();
    let find = |key: &str, q: &str| region_at_key(&registry, scenario_path, key, year, q, &own);
    // One region (or gemeente) given twice, by name and by code.
    let listed_already = |key: &str, q: &str, name: &str, code: &str| -> RunError {
        ScenarioError::Invalid {
            path: scenario_path.to_path_buf(),
            key: key.into(),
            message: format!("'{q}' is {name} ({code}), listed already"),
            hint: "list each region once (by code or by name)".into(),
        }
        .into()
    };
    if !scenario.regions.nederland {
        for q in &scenario.regions.gemeenten {
            let r = find("regions.gemeenten", q)?;
            if !r.code.starts_with("GM") {
                return Err(ScenarioError::Invalid {
                    path: scenario_path.to_path_buf(),
                    key: "regions.gemeenten".into(),
                    message: format!("'{q}' is a {} ({}), not a gemeente", r.kind, r.code),
                    hint:
                        "put regions whose gemeenten should all be included under regions.include"
                            .into(),
                }
                .into());
            }
            if let Some(g) = r.members.iter().find(|g| selected.contains_key(&g.code)) {
                return Err(listed_already("regions.gemeenten", q, &g.name, &g.code));
            }
            selected.extend(r.members.into_iter().map(|g| (g.code, g.name)));
        }
        for q in scenario
            .regions
            .include
            .iter()
            .chain(&scenario.regions.include_own)
        {
            let r = find("regions.include", q)?;
            selected.extend(r.members.into_iter().map(|g| (g.code, g.name)));
        }
        for q in &scenario.regions.report {
            let r = find("regions.report", q)?;
            if report.iter().any(|o| o.code == r.code) {
                return Err(listed_already("regions.report", q, &r.name, &r.code));
            }
            report.push(r);
        }
    }
    let gemeenten: Vec<(String, String)> = selected.into_iter().collect();
    times.lap("scenario en gebieden");

    let population = || -> Result<_, RunError> {
        // Population: base by band and sex.
        let nl_table = check_counts(nl_read?, &registry)?;
        let gm_table = match gm_read {
            Some(t) => Some(check_counts(t?, &registry)?),
            None => None,
        };
        let base = match &gm_table {
            Some(gt) => base_population_by_band(gt, &nl_table, &gemeenten, year)?,
            None => national_base_by_band(&nl_table, year)?,
        };
        times.lap("bevolking: invoer en basis");
        // Projection.
        let mut proj_inputs = ProjectionInputs::default();
        let (variants, externals) = match &scenario.projection {
            Some(settings) => run_projection(
                scenario_path,
                &scenario,
                settings,
                &registry,
                &nl_table,
                gm_table.as_ref(),
                &mut proj_inputs,
            )?,
            None => (Vec::new(), Vec::new()),
        };
        Ok((nl_table, gm_table, base, variants, externals, proj_inputs))
    };
    let (population, beside) = rayon::join(population, || beside(&scenario, &registry));
    let (nl_table, gm_table, base, variants, externals, proj_inputs) = population?;
    let areas = output_areas(&gemeenten, &report, scenario.regions.nederland);
    times.lap("bevolking: projectie");
    let prepared = Prepared {
        scenario,
        registry,
        own,
        own_path,
        gemeenten,
        nl_path,
        gm_path,
        nl_table,
        gm_table,
        base,
        variants,
        externals,
        proj_inputs,
        areas,
        times,
    };
    Ok((prepared, beside))
}

/// Run a scenario file and write its outputs to `out_root/<name>/`.
pub fn run_scenario(
    scenario_path: &Path,
    out_root: &Path,
    opts: &RunOptions,
) -> Result<RunOutcome, RunError> {
    // The output guard first: a folder that is not woonzorg's, or that holds the inputs, is
    // refused before any work.
    let scenario = Scenario::load(scenario_path)?;
    let target = output_target(
        out_root,
        &scenario.name,
        false,
        &scenario.input_paths(scenario_path),
    )?;
    // The group and housing inputs are read and checked while the population is projected,
    // before anything is written.
    let (prepared, loaded) = prepare_run_beside(scenario_path, scenario, |scenario, registry| {
        load_groups_and_housing(scenario_path, scenario, registry)
    })?;
    let Prepared {
        scenario,
        registry,
        own,
        own_path,
        gemeenten,
        nl_path,
        gm_path,
        nl_table,
        gm_table,
        base,
        variants,
        externals,
        proj_inputs,
        areas,
        mut times,
    } = prepared;
    let year = scenario.base_year;
    // Verdeelsleutels name regions whose gemeenten the groups must count too.
    let verdeel: Vec<(VerdeelSpec, ResolvedRegion)> = match &scenario.housing {
        Some(h) => h
            .verdeel
            .iter()
            .map(|v| {
                let r = region_at_key(
                    &registry,
                    scenario_path,
                    "housing.verdeel.region",
                    year,
                    &v.region,
                    &own,
                )?;
                Ok((v.clone(), r))
            })
            .collect::<Result<_, RunError>>()?,
        None => Vec::new(),
    };
    let mut count_areas = areas.clone();
    count_areas.extend(verdeel.iter().map(|(_, r)| Area {
        code: r.code.clone(),
        name: r.name.clone(),
        kind: r.kind.clone(),
        members: r.members.iter().map(|g| g.code.clone()).collect(),
    }));
    let loaded = loaded?;
    let started = std::time::Instant::now();
    // Outputs.
    let staged = StagedDir::new(&target).map_err(write_err(&target))?;
    let mut files = Vec::new();
    let table_path = staged.path("bevolking_basisjaar.csv");
    let rows = population_rows(&scenario, &base, &areas);
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

    let all_codes: Vec<String> = if scenario.regions.nederland {
        vec!["NL01".into()]
    } else {
        gemeenten.iter().map(|(c, _)| c.clone()).collect()
    };
    if !variants.is_empty() {
        std::fs::create_dir_all(staged.path("tables")).map_err(write_err(&target))?;
    }
    // The population tables need only the projection: they are written while the groups
    // and housing are counted, and then beside the group and housing tables.
    // Each table's SHA-256 is taken as it is written (`TableWriter::finish`), under its path
    // in the output folder.
    let named = |h: FileHash, name: &str| FileHash {
        path: name.to_string(),
        ..h
    };
    let population_tables = || -> Result<Vec<FileHash>, RunError> {
        let mut files = Vec::new();
        if !variants.is_empty() {
            let pop_path = staged.path("tables/population.csv");
            let h =
                write_projection_table(&pop_path, &scenario.name, &variants, &externals, &areas)
                    .map_err(write_err(&pop_path))?;
            files.push(named(h, "tables/population.csv"));
            let comp_path = staged.path("tables/components.csv");
            let h = write_components_table(&comp_path, &scenario.name, &variants, &areas)
                .map_err(write_err(&comp_path))?;
            files.push(named(h, "tables/components.csv"));
        }
        Ok(files)
    };
    // The group tables and the housing tables are written at the same time too (each table
    // has its own writer, which hashes what it writes).
    let group_tables = |groups: &Option<GroupRun>,
                        housing: &Option<HousingRun>|
     -> Result<Vec<FileHash>, RunError> {
        let Some(g) = groups else {
            return Ok(Vec::new());
        };
        let write_groups = || -> Result<Vec<FileHash>, RunError> {
            let (pg, pf) = (
                staged.path("tables/groups.csv"),
                staged.path("tables/group_flows.csv"),
            );
            let hs =
                write_group_tables(&pg, &pf, &scenario.name, g, &areas).map_err(write_err(&pg))?;
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
            let hs = write_area_tables([&pd, &pp, &pc], &scenario.name, g, h, &areas, &variants)
                .map_err(write_err(&pd))?;
            files.extend(
                hs.into_iter()
                    .zip(tables)
                    .map(|(h, t)| named(h, &format!("tables/{t}.csv"))),
            );
            let p = staged.path("tables/policy.csv");
            let hp =
                write_policy(&p, &scenario.name, g, h, &areas, &variants).map_err(write_err(&p))?;
            files.push(named(hp, "tables/policy.csv"));
            if !verdeel.is_empty() {
                let p = staged.path("tables/verdeling.csv");
                let hv = write_verdeling(&p, &scenario.name, g, h, &verdeel, &variants)
                    .map_err(write_err(&p))?;
                files.push(named(hv, "tables/verdeling.csv"));
            }
            Ok(files)
        };
        let (group_files, housing_files) = rayon::join(write_groups, write_housing);
        let mut files = group_files?;
        files.extend(housing_files?);
        Ok(files)
    };
    let count_and_write = || {
        let (groups, housing) = count_loaded(loaded, &variants, &count_areas)?;
        let counting = started.elapsed();
        let files = group_tables(&groups, &housing)?;
        Ok::<_, RunError>((groups, housing, files, counting))
    };
    let (population_files, counted) = rayon::join(population_tables, count_and_write);
    // An error in the groups or housing input first, as when they were counted before.
    let (groups, housing, group_files, counting) = counted?;
    // Hashes taken while writing, by output path (dropped where a file is rewritten later).
    let mut hashed: std::collections::HashMap<String, FileHash> = std::collections::HashMap::new();
    for h in population_files?.into_iter().chain(group_files) {
        files.push(h.path.clone());
        hashed.insert(h.path.clone(), h);
    }
    times.lap_split(
        "groepen en wonen",
        counting,
        "tabellen: bevolking, groepen en wonen",
    );
    // Monte Carlo bands.
    let draws = opts
        .draws
        .or(scenario.uncertainty.as_ref().map(|u| u.draws))
        .unwrap_or(0);
    let seed = opts
        .seed
        .or(scenario.uncertainty.as_ref().map(|u| u.seed))
        .unwrap_or(20_240_101);
    let mut mc_bands = None;
    if let (Some(g), true) = (&groups, draws > 0) {
        let population = scenario
            .uncertainty
            .as_ref()
            .is_some_and(|u| u.population == "kernprognose");
        let bands = monte_carlo(
            scenario_path,
            g,
            housing.as_ref(),
            &variants,
            &areas,
            draws,
            seed,
            population,
            opts,
        )?;
        times.lap("monte carlo");
        let p = staged.path("tables/groups_bands.csv");
        write_group_bands(&p, &scenario.name, g, &bands, &areas).map_err(write_err(&p))?;
        files.push("tables/groups_bands.csv".into());
        if let Some(h) = &housing {
            let p = staged.path("tables/dwellings_bands.csv");
            write_dwelling_bands(&p, &scenario.name, g, h, &bands, &areas)
                .map_err(write_err(&p))?;
            files.push("tables/dwellings_bands.csv".into());
        }
        mc_bands = Some(bands);
        times.lap("tabellen: banden");
    }
    // The region of the annex and the headline.
    let annex = annex_area(&areas, housing.as_ref(), year, scenario.horizon);
    if !opts.no_charts {
        // The projection of an area per variant, as `<name>.png` and `.svg`.
        let draw_projection =
            |area: &Area, name: &str, files: &mut Vec<String>| -> Result<(), RunError> {
                let chart = projection_chart(&scenario, &variants, &externals, area);
                draw_lines(
                    &chart,
                    &staged.path(&format!("{name}.png")),
                    &staged.path(&format!("{name}.svg")),
                )?;
                files.push(format!("{name}.png"));
                files.push(format!("{name}.svg"));
                Ok(())
            };
        let total = base_total(&base, &all_codes);
        let (nl_men, nl_women) = national_by_age(&nl_table, year)?;
        let nl_total: f64 = nl_men.iter().chain(&nl_women).sum();
        let scale = total / nl_total;
        let estimated = !scenario.regions.nederland;
        let pyramid = Pyramid {
            title: format!("Bevolking naar leeftijd en geslacht, 1 januari {year}"),
            subtitle: if estimated {
                format!(
                    "{}: {} gemeenten, {} inwoners",
                    scenario.title,
                    gemeenten.len(),
                    nl_number(total)
                )
            } else {
                format!(
                    "{}: Nederland, {} inwoners",
                    scenario.title,
                    nl_number(total)
                )
            },
            reference: Some(Reference {
                label: if estimated {
                    "Nederland, zelfde totaal (per leeftijdsjaar)".into()
                } else {
                    "Nederland (per leeftijdsjaar)".into()
                },
                men: nl_men.iter().map(|v| v * scale).collect(),
                women: nl_women.iter().map(|v| v * scale).collect(),
            }),
            source_line: if estimated {
                format!(
                    "Bron: CBS (85383NED klassen per gemeente; 7461bev Nederland; mannen/vrouwen geschat; 75+ getekend tot 100 jaar); bewerking woonzorg {}",
                    env!("CARGO_PKG_VERSION")
                )
            } else {
                format!(
                    "Bron: CBS (7461bev); 75+ getekend tot 100 jaar; bewerking woonzorg {}",
                    env!("CARGO_PKG_VERSION")
                )
            },
            estimated,
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
        if let Some(area) = areas.last().filter(|_| !variants.is_empty()) {
            draw_projection(area, "prognose_bevolking", &mut files)?;
            if let Some(v) = variants.first()
                && let (Some(p0), Some(p1)) = (area.stock(v, year), area.stock(v, scenario.horizon))
            {
                let bands = (0..21u16)
                    .map(|i| {
                        let (lo, hi) = (i * 5, if i == 20 { OPEN_AGE as u16 } else { i * 5 + 4 });
                        PyramidBand {
                            lo,
                            hi_excl: if i == 20 { 105 } else { hi + 1 },
                            label: if i == 20 {
                                "100+".into()
                            } else {
                                format!("{lo}–{hi}")
                            },
                            men: p1.band_sex(0, lo.into(), hi.into()),
                            women: p1.band_sex(1, lo.into(), hi.into()),
                        }
                    })
                    .collect();
                let chart = Pyramid {
                    title: format!("Bevolking {} en {}: {}", year, scenario.horizon, area.name),
                    subtitle: format!(
                        "{}: balken 1 januari {} (variant {}), lijn 1 januari {}",
                        scenario.title, scenario.horizon, v.name, year
                    ),
                    reference: Some(Reference {
                        label: format!("{year} (per leeftijdsjaar)"),
                        men: p0.0[0].to_vec(),
                        women: p0.0[1].to_vec(),
                    }),
                    source_line: format!(
                        "Bron: CBS (85383NED, 7461bev, Kernprognose 86040NED); cohort-componentenmodel woonzorg {}",
                        env!("CARGO_PKG_VERSION")
                    ),
                    estimated: !scenario.regions.nederland,
                    bands,
                };
                draw_pyramid(
                    &chart,
                    &staged.path("piramide_basis_horizon.png"),
                    &staged.path("piramide_basis_horizon.svg"),
                )?;
                files.push("piramide_basis_horizon.png".into());
                files.push("piramide_basis_horizon.svg".into());
            }
        }
        // The annex region's own population chart, when it is not the selection.
        if let Some(area) = annex
            .filter(|a| Some(a.code.as_str()) != areas.last().map(|l| l.code.as_str()))
            .filter(|_| !variants.is_empty() && !opts.no_report)
        {
            draw_projection(area, "prognose_bevolking_bijlage", &mut files)?;
        }
        if let Some(g) = &groups {
            for (name, chart) in super::charts::group_charts(
                &scenario,
                g,
                housing.as_ref(),
                &variants,
                &areas,
                mc_bands.as_ref(),
            ) {
                match chart {
                    super::charts::AnyChart::Lines(c) => draw_lines(
                        &c,
                        &staged.path(&format!("{name}.png")),
                        &staged.path(&format!("{name}.svg")),
                    )?,
                    super::charts::AnyChart::Stacked(c) => {
                        crate::output::charts::stacked::draw_stacked(
                            &c,
                            &staged.path(&format!("{name}.png")),
                            &staged.path(&format!("{name}.svg")),
                        )?
                    }
                }
                files.push(format!("{name}.png"));
                files.push(format!("{name}.svg"));
            }
        }
        if let (Some(g), Some(h)) = (&groups, &housing)
            && let Some(chart) = dwellings_chart(&scenario, g, h, &areas)
        {
            draw_hbars(
                &chart,
                &staged.path("woningen_per_type.png"),
                &staged.path("woningen_per_type.svg"),
            )?;
            files.push("woningen_per_type.png".into());
            files.push("woningen_per_type.svg".into());
        }
    }

    let mut notes = vec!["Standen op 1 januari van het jaar; stromen (geboorten, sterfte, migratie) gedurende het jaar.".to_string()];
    if !scenario.regions.nederland {
        notes.push("Leeftijdsklassen per gemeente waargenomen (CBS 85383NED, status Definitief); verdeling naar geslacht en naar losse leeftijden geschat (landelijke structuur, CBS 7461bev, geharkt naar de klassen).".into());
    }
    for v in &variants {
        notes.push(format!("Variant {}: {}.", v.name, v.description));
    }
    if draws > 0 && groups.is_some() {
        notes.push(format!(
            "Monte Carlo: {draws} trekkingen, seed {seed}; percentielen p2_5, p16_5, p50, p83_5, p97_5 (exacte steekproefkwantielen, Hyndman & Fan definitie 7) in tables/*_bands.csv."
        ));
    }
    times.lap("grafieken");
    // Workbook, Parquet, annex: built from the tables just written.
    let region_for_report = annex.map(|a| (a.code.clone(), a.name.clone()));
    let mut report_inputs: Vec<PathBuf> = super::resolve::resolve(scenario_path)
        .map(|r| r.chain)
        .unwrap_or_default();
    report_inputs.extend(groups.iter().flat_map(|g| g.inputs.iter().cloned()));
    report_inputs.extend(housing.iter().flat_map(|h| h.inputs.iter().cloned()));
    let report = if opts.no_report {
        super::report::Report {
            files: Vec::new(),
            region: String::new(),
            region_name: String::new(),
            headline: Vec::new(),
        }
    } else {
        write_report(
            ReportRequest {
                dir: &staged.path(""),
                scenario: &scenario,
                scenario_path,
                region: region_for_report,
                inputs: &report_inputs,
                seed_and_draws: (draws > 0 && groups.is_some()).then_some((seed, draws)),
                notes: &notes,
            },
            opts.csv_dialect_nl,
        )?
    };
    files.extend(report.files.iter().cloned());
    if opts.csv_dialect_nl {
        // The report rewrote the tables in the Dutch dialect: their hashes are read again.
        hashed.clear();
    }
    times.lap("rapport: xlsx, parquet, bijlage");

    // Manifest: inputs and outputs with SHA-256.
    let hash = |p: &Path| {
        hash_path(&std::path::absolute(p).unwrap_or(p.to_path_buf())).map_err(write_err(p))
    };
    let mut inputs = vec![hash(&nl_path)?];
    if gm_table.is_some() {
        inputs.push(hash(&gm_path)?);
    }
    for p in registry.inputs.iter().chain(&proj_inputs.paths) {
        inputs.push(hash(p)?);
    }
    if let Some(p) = &own_path {
        inputs.push(hash(p)?);
    }
    for p in groups.iter().flat_map(|g| &g.inputs) {
        inputs.push(hash(p)?);
    }
    for p in housing.iter().flat_map(|h| &h.inputs) {
        if !groups.iter().any(|g| g.inputs.contains(p)) {
            inputs.push(hash(p)?);
        }
    }
    // The outputs in parallel: population.csv of a national run alone is 234 MB.
    let outputs = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|f| {
                if let Some(h) = hashed.get(f) {
                    return Ok(h.clone());
                }
                let mut h = hash(&staged.path(f))?;
                h.path = f.clone();
                Ok(h)
            })
            .collect::<Result<Vec<_>, RunError>>()?
    };
    let manifest = Manifest {
        tool: "woonzorg",
        version: env!("CARGO_PKG_VERSION"),
        scenario_name: scenario.name.clone(),
        scenario_file: hash(
            &std::path::absolute(scenario_path).unwrap_or(scenario_path.to_path_buf()),
        )?,
        scenario: serde_json::to_value(&scenario).unwrap_or(serde_json::Value::Null),
        base_year: year,
        horizon: scenario.horizon,
        gemeenten: all_codes.clone(),
        inputs,
        outputs,
        notes,
        run: crate::output::manifest::RunRecord {
            scenario_path: std::path::absolute(scenario_path)
                .unwrap_or(scenario_path.to_path_buf())
                .display()
                .to_string(),
            draws: if groups.is_some() { draws } else { 0 },
            seed,
            no_charts: opts.no_charts,
            no_report: opts.no_report,
            csv_dialect: if opts.csv_dialect_nl {
                "nl".into()
            } else {
                "rfc".into()
            },
        },
    };
    let manifest_path = staged.path("manifest.json");
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| RunError::Write {
        path: manifest_path.clone(),
        source: e.into(),
    })?;
    std::fs::write(&manifest_path, json + "\n").map_err(write_err(&manifest_path))?;
    files.push("manifest.json".into());

    let out_dir = staged.commit().map_err(write_err(&target))?;
    times.lap("manifest (sha-256) en verplaatsen");
    let codes: Vec<Vec<String>> = areas.iter().map(Area::base_codes).collect();
    let summary = areas
        .iter()
        .zip(base.band_totals_of(&codes))
        .map(|(area, totals)| {
            let projected = variants.first().map(|v| {
                [2030, scenario.horizon]
                    .into_iter()
                    .filter(|y| *y > year && *y <= scenario.horizon)
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
        .collect();
    let warnings = housing
        .as_ref()
        .map(|h| supply_warnings(h, &gemeenten, year))
        .unwrap_or_default();
    Ok(RunOutcome {
        scenario,
        out_dir,
        files,
        summary,
        warnings,
        headline_region: (report.region.clone(), report.region_name.clone()),
        headline: report.headline,
        times,
    })
}

/// The groups and housing of a scenario: the group catalogue and data read, the housing
/// catalogue, data and supply read (its headship rates give the groups' households), and every
/// group counted in every variant for the gemeenten of `areas`. `None` where the scenario has
/// no `[groups]` (or no projection) or no `[housing]`.
pub fn count_groups_and_housing(
    scenario_path: &Path,
    scenario: &Scenario,
    registry: &Registry,
    variants: &[VariantResult],
    areas: &[Area],
) -> Result<(Option<GroupRun>, Option<HousingRun>), RunError> {
    let loaded = load_groups_and_housing(scenario_path, scenario, registry)?;
    count_loaded(loaded, variants, areas)
}

/// The group and housing inputs of a run (catalogues, data, supply), read and checked.
pub fn load_groups_and_housing(
    scenario_path: &Path,
    scenario: &Scenario,
    registry: &Registry,
) -> Result<LoadedGroupsAndHousing, RunError> {
    // Groups are counted in the projected variants (one per name).
    let projected = scenario
        .projection
        .as_ref()
        .is_some_and(|p| !p.variants.is_empty());
    let loaded = match &scenario.groups {
        Some(settings) if projected => Some(load_groups(scenario_path, settings)?),
        _ => None,
    };
    let housing = match (&scenario.housing, &loaded) {
        (Some(settings), Some((catalogue, observed, _))) => Some(load_housing(
            scenario_path,
            scenario,
            settings,
            catalogue,
            observed,
            registry,
        )?),
        (Some(_), None) => {
            return Err(ScenarioError::Invalid {
                path: scenario_path.to_path_buf(),
                key: "housing".into(),
                message: "housing needs [groups] and [projection]".into(),
                hint: "add [groups] with catalogue and data, as in scenarios/basis.toml".into(),
            }
            .into());
        }
        _ => None,
    };
    Ok((loaded, housing))
}

/// Every group counted in every variant for the gemeenten of `areas`.
pub fn count_loaded(
    (loaded, housing): LoadedGroupsAndHousing,
    variants: &[VariantResult],
    areas: &[Area],
) -> Result<(Option<GroupRun>, Option<HousingRun>), RunError> {
    let household_rates = housing.as_ref().map(|h| h.headship);
    let groups = match loaded {
        Some(l) => Some(count_groups(l, variants, areas, household_rates)?),
        None => None,
    };
    Ok((groups, housing))
}

/// What [`count_groups_and_housing`] reads, read and checked before a run writes anything.
pub type LoadedGroupsAndHousing = (
    Option<(
        crate::groups::Catalogue,
        crate::groups::Observed,
        Vec<PathBuf>,
    )>,
    Option<HousingRun>,
);

/// A region the outputs report: a gemeente, a roll-up of gemeenten, the selection, or NL.
#[derive(Debug, Clone)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// Gemeente codes (empty for NL01, which is the national projection).
    pub members: Vec<String>,
}

impl Area {
    pub fn base_codes(&self) -> Vec<String> {
        if self.members.is_empty() {
            vec![self.code.clone()]
        } else {
            self.members.clone()
        }
    }

    /// Whether the area's base is observed: NL01, or gemeenten whose single years were given.
    pub fn observed(&self, v: &VariantResult) -> bool {
        if self.members.is_empty() {
            return true;
        }
        let Some(g) = v.gemeenten.as_ref() else {
            return false;
        };
        self.members.iter().all(|m| {
            g.codes
                .iter()
                .position(|c| c == m)
                .is_some_and(|i| g.observed.get(i).copied().unwrap_or(false))
        })
    }

    /// The projected stock of this area in year `y` for a variant.
    pub fn stock(&self, v: &VariantResult, y: u16) -> Option<Pop> {
        let i = usize::from(y.checked_sub(v.national.base_year)?);
        if self.members.is_empty() {
            return v.national.stocks.get(i).copied();
        }
        let g = v.gemeenten.as_ref()?;
        let mut p = Pop::default();
        for m in &self.members {
            let gi = g.index_of(m)?;
            p.add(g.stocks[gi].get(i)?);
        }
        Some(p)
    }

    /// Births, deaths and net migration of this area during year `y`.
    fn flows(&self, v: &VariantResult, y: u16) -> Option<(f64, f64, f64)> {
        let i = usize::from(y.checked_sub(v.national.base_year)?);
        let sum = |c: &crate::population::project::Components| {
            (
                c.births[0] + c.births[1],
                c.deaths.total(),
                c.migration.total(),
            )
        };
        if self.members.is_empty() {
            return v.national.flows.get(i).map(sum);
        }
        let g = v.gemeenten.as_ref()?;
        let mut acc = (0.0, 0.0, 0.0);
        for m in &self.members {
            let gi = g.index_of(m)?;
            let (b, d, n) = sum(g.flows[gi].get(i)?);
            acc = (acc.0 + b, acc.1 + d, acc.2 + n);
        }
        Some(acc)
    }
}

/// The area of the annex and the terminal's headline: the first with supply for every type
/// (its tekort can be shown), else the only gemeente of a one-gemeente run, else the selection.
fn annex_area<'a>(
    areas: &'a [Area],
    housing: Option<&HousingRun>,
    year: u16,
    horizon: u16,
) -> Option<&'a Area> {
    housing
        .and_then(|h| super::housing::complete_supply_area(h, areas, year, horizon))
        .or_else(|| {
            let gemeenten: Vec<&Area> = areas.iter().filter(|a| a.kind == "gemeente").collect();
            match gemeenten.as_slice() {
                [one] if areas.len() == 2 => Some(*one),
                _ => areas.last(),
            }
        })
}

/// The areas of the outputs: each gemeente, each report region, the whole selection; or NL.
fn output_areas(
    gemeenten: &[(String, String)],
    report: &[ResolvedRegion],
    nederland: bool,
) -> Vec<Area> {
    if nederland {
        return vec![Area {
            code: "NL01".into(),
            name: "Nederland".into(),
            kind: "land".into(),
            members: Vec::new(),
        }];
    }
    let mut areas: Vec<Area> = gemeenten
        .iter()
        .map(|(c, n)| Area {
            code: c.clone(),
            name: n.clone(),
            kind: "gemeente".into(),
            members: vec![c.clone()],
        })
        .collect();
    for r in report {
        areas.push(Area {
            code: r.code.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            members: r.members.iter().map(|g| g.code.clone()).collect(),
        });
    }
    areas.push(Area {
        code: "selectie".into(),
        name: "Alle gemeenten (selectie)".into(),
        kind: "selectie".into(),
        members: gemeenten.iter().map(|(c, _)| c.clone()).collect(),
    });
    areas
}

/// tables/population.csv: scenario, variant, region, region_name, year, sex, age, value, base.
fn write_projection_table(
    path: &Path,
    scenario: &str,
    variants: &[VariantResult],
    externals: &[ExternalSeries],
    areas: &[Area],
) -> std::io::Result<FileHash> {
    let w = crate::output::tables::create_keyed_csv(path, &["sex", "age", "value", "base"])?;
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
            let keys = [scenario, &v.name, &area.code, &name, &y.to_string()];
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
                    let value = crate::output::tables::cents(v);
                    w.write_record([
                        scenario,
                        &variant,
                        &area.code,
                        &area.name,
                        &y.to_string(),
                        "T",
                        "totaal",
                        &value,
                        "extern",
                    ])?;
                }
            }
        }
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
                let r = crate::output::tables::cents;
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

/// The projection chart: total population and 75+ of an area, one line per variant.
fn projection_chart(
    scenario: &Scenario,
    variants: &[VariantResult],
    externals: &[ExternalSeries],
    area: &Area,
) -> LineChart {
    let series = |f: &dyn Fn(&Pop) -> f64| -> Vec<Series> {
        variants
            .iter()
            .map(|v| Series {
                label: format!("{} ({})", v.name, v.description),
                points: (v.national.base_year..=v.national.horizon())
                    .filter_map(|y| area.stock(v, y).map(|p| (y, f(&p))))
                    .collect(),
                main: v.name == "midden",
            })
            .collect()
    };
    let mut totals = series(&|p| p.total());
    let (from, to) = (scenario.base_year, scenario.horizon);
    for e in externals {
        let members = area.base_codes();
        let points: Vec<(u16, f64)> = (from..=to)
            .filter_map(|y| e.total(&members, y).map(|v| (y, v)))
            .collect();
        if !points.is_empty() {
            totals.push(Series {
                label: format!("{} ({})", e.name, e.source),
                points,
                main: false,
            });
        }
    }
    LineChart {
        title: format!(
            "Bevolkingsprognose {} – {}",
            scenario.base_year, scenario.horizon
        ),
        subtitle: format!("{}: {}", scenario.title, area.name),
        source_line: format!(
            "Bron: CBS (7461bev, 37168, 37744ned, 37422ned, 86040NED Kernprognose 2024); cohort-componentenmodel woonzorg {}; stand 1 januari",
            env!("CARGO_PKG_VERSION")
        ),
        panels: vec![
            Panel {
                y_label: "Inwoners".into(),
                series: totals,
                bands: Vec::new(),
            },
            Panel {
                y_label: "Inwoners 75 jaar en ouder".into(),
                bands: Vec::new(),
                series: series(&|p| p.band(75, OPEN_AGE)),
            },
        ],
    }
}

fn base_total(base: &BasePopulation, codes: &[String]) -> f64 {
    base.band_totals(codes).iter().map(|b| b[0]).sum()
}

/// Tidy rows of the base year: every output area (gemeente, report region, selection, or NL)
/// by band and sex. Gemeente totals per band are observed, their sex split estimated; NL is
/// observed throughout.
fn population_rows(scenario: &Scenario, base: &BasePopulation, areas: &[Area]) -> Vec<Vec<String>> {
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
                    scenario.name.clone(),
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
