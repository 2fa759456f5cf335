//! The first steps of a run: the plan's regions resolved to gemeenten, the base population
//! built and the population projected. What `woonzorg run` and `woonzorg definitions` share.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::geo::rollup::check_own_regions;
use crate::geo::{GeoError, OwnRegion, Registry, ResolvedRegion, load_own_regions};
use crate::population::base::national_base_by_band;
use crate::population::{BasePopulation, base_population_by_band};
use crate::source::{TidyTable, read_one};

use super::area::{Area, output_areas};
use super::error::RunError;
use super::plan::{RunOptions, RunPlan};
use super::profile::StageTimes;
use super::projection::{
    ExternalSeries, ProjectionInputs, VariantResult, check_counts, run_projection,
};
use super::schema::VerdeelSpec;

/// A scenario planned, its gemeenten chosen and its population projected: everything the
/// outputs (and `woonzorg definitions`) build on.
pub struct Prepared {
    pub plan: RunPlan,
    pub registry: Registry,
    pub own: Vec<OwnRegion>,
    /// The gemeenten of the run (code, name), base year's indeling.
    pub gemeenten: Vec<(String, String)>,
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

impl Prepared {
    /// The data files the run read so far (population tables, regions, projection inputs, own
    /// regions), for the manifest.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let s = &self.plan.scenario;
        let mut inputs = vec![s.data.national_population.clone()];
        if self.gm_table.is_some() {
            inputs.push(s.data.gemeente_population.clone());
        }
        inputs.extend(self.registry.inputs.iter().cloned());
        inputs.extend(self.proj_inputs.paths.iter().cloned());
        inputs.extend(own_regions_file(&self.plan));
        inputs
    }

    /// The gemeente codes of the run (NL01 for a national run).
    pub fn gemeente_codes(&self) -> Vec<String> {
        if self.plan.scenario.regions.nederland {
            vec!["NL01".into()]
        } else {
            self.gemeenten.iter().map(|(c, _)| c.clone()).collect()
        }
    }

    /// The regions the verdeelsleutels of `[housing]` name (the groups count their gemeenten too).
    pub fn verdeel_regions(&self) -> Result<Vec<(VerdeelSpec, ResolvedRegion)>, RunError> {
        let Some(h) = &self.plan.scenario.housing else {
            return Ok(Vec::new());
        };
        let year = self.plan.scenario.base_year;
        h.verdeel
            .iter()
            .map(|v| {
                let key = "housing.verdeel.region";
                let r = region_at_key(&self.registry, &self.plan, key, year, &v.region, &self.own)?;
                Ok((v.clone(), r))
            })
            .collect()
    }
}

/// Resolve a region a scenario key names; a region the registry does not know is an error of
/// that key.
fn region_at_key(
    registry: &Registry,
    plan: &RunPlan,
    key: &str,
    year: u16,
    query: &str,
    own: &[OwnRegion],
) -> Result<ResolvedRegion, RunError> {
    registry.find_region(year, query, own).map_err(|e| match e {
        GeoError::UnknownRegion { query, year, hint } => plan
            .invalid(key, format!("unknown region '{query}' in {year}"), &hint)
            .into(),
        // A gemeente that existed under this name (or code) but was merged away before the
        // year: where it went.
        GeoError::UnknownGemeente { code, year, hint } => {
            let (message, hint) = registry.merged_away(query, year).unwrap_or((
                format!("'{query}' ({code}) is not a gemeente of {year}"),
                hint,
            ));
            plan.invalid(key, message, &hint).into()
        }
        other => other.into(),
    })
}

fn own_regions_file(plan: &RunPlan) -> Option<PathBuf> {
    plan.scenario
        .regions
        .own
        .clone()
        .filter(|p| !p.as_os_str().is_empty())
}

/// Plan a scenario file (default options), resolve its regions, build the base population and
/// run the projection.
pub fn prepare_run(scenario_path: &std::path::Path) -> Result<Prepared, RunError> {
    let plan = RunPlan::resolve(scenario_path, &RunOptions::default())?;
    prepare_run_beside(plan, |_, _| ()).map(|(prepared, ())| prepared)
}

/// [`prepare_run`] for a plan, with `beside` — work that needs only the plan and the regions,
/// such as reading the group and housing inputs — done while the population is projected. An
/// error of the population comes first, as when `beside` is done after it.
pub fn prepare_run_beside<T: Send>(
    plan: RunPlan,
    beside: impl FnOnce(&RunPlan, &Registry) -> T + Send,
) -> Result<(Prepared, T), RunError> {
    let mut times = StageTimes::start();
    let s = &plan.scenario;
    let year = s.base_year;
    // Geography: the gemeenten of the run, in the base year's indeling. The population
    // tables are read (not yet checked) at the same time.
    let (registry, (nl_read, gm_read)) = rayon::join(
        || Registry::load(&s.data.regions),
        || {
            rayon::join(
                || read_one(&s.data.national_population),
                || (!s.regions.nederland).then(|| read_one(&s.data.gemeente_population)),
            )
        },
    );
    let registry = registry?;
    let own = match own_regions_file(&plan) {
        Some(p) => {
            let own = load_own_regions(&p)?;
            check_own_regions(&registry, &p, &own, year)?;
            own
        }
        None => Vec::new(),
    };
    let (gemeenten, report) = select_gemeenten(&plan, &registry, &own)?;
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
        let (variants, externals) = match &s.projection {
            Some(settings) => run_projection(
                &plan,
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
    let (population, beside) = rayon::join(population, || beside(&plan, &registry));
    let (nl_table, gm_table, base, variants, externals, proj_inputs) = population?;
    let areas = output_areas(&gemeenten, &report, plan.scenario.regions.nederland);
    times.lap("bevolking: projectie");
    let prepared = Prepared {
        plan,
        registry,
        own,
        gemeenten,
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

/// The gemeenten of `regions.gemeenten`, `include` and `include_own` (code, name), and the
/// regions of `regions.report`; none for a national run.
#[allow(clippy::type_complexity)]
fn select_gemeenten(
    plan: &RunPlan,
    registry: &Registry,
    own: &[OwnRegion],
) -> Result<(Vec<(String, String)>, Vec<ResolvedRegion>), RunError> {
    let regions = &plan.scenario.regions;
    let year = plan.scenario.base_year;
    let mut selected: BTreeMap<String, String> = BTreeMap::new();
    let mut report: Vec<ResolvedRegion> = Vec::new();
    if regions.nederland {
        return Ok((Vec::new(), report));
    }
    let find = |key: &str, q: &str| region_at_key(registry, plan, key, year, q, own);
    // One region (or gemeente) given twice, by name and by code.
    let listed_already = |key: &str, q: &str, name: &str, code: &str| -> RunError {
        let message = format!("'{q}' is {name} ({code}), listed already");
        plan.invalid(key, message, "list each region once (by code or by name)")
            .into()
    };
    for q in &regions.gemeenten {
        let r = find("regions.gemeenten", q)?;
        if !r.code.starts_with("GM") {
            let message = format!("'{q}' is a {} ({}), not a gemeente", r.kind, r.code);
            let hint = "put regions whose gemeenten should all be included under regions.include";
            return Err(plan.invalid("regions.gemeenten", message, hint).into());
        }
        if let Some(g) = r.members.iter().find(|g| selected.contains_key(&g.code)) {
            return Err(listed_already("regions.gemeenten", q, &g.name, &g.code));
        }
        selected.extend(r.members.into_iter().map(|g| (g.code, g.name)));
    }
    for q in regions.include.iter().chain(&regions.include_own) {
        let r = find("regions.include", q)?;
        selected.extend(r.members.into_iter().map(|g| (g.code, g.name)));
    }
    for q in &regions.report {
        let r = find("regions.report", q)?;
        if report.iter().any(|o| o.code == r.code) {
            return Err(listed_already("regions.report", q, &r.name, &r.code));
        }
        report.push(r);
    }
    Ok((selected.into_iter().collect(), report))
}
