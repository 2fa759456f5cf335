//! `woonzorg definitions`: a scenario's projection shown in each party's own definitions.
//! Writes definities.csv (per party × group × year: count, canonical, difference and why),
//! crosswalk.csv (where the canonical count ends up in each party's categories) and a chart,
//! into the output folder only when everything succeeded.

use std::path::{Path, PathBuf};

use super::error::{RunError, ScenarioError};
use super::groups::{group_inputs, load_groups};
use super::plan::{RunOptions, RunPlan};
use super::prepare::prepare_run_beside;
use crate::groups::definitions::{Comparison, compare};
use crate::groups::demand::AreaGroups;
use crate::groups::{Definitions, GroupError};
use crate::numbers::cents;
use crate::output::charts::hbars::{HorizontalBars, draw_hbars};
use crate::output::files::{StagedDir, output_target};

/// What `definitions` produced.
pub struct DefinitionsOutcome {
    pub definitions: Definitions,
    pub region_code: String,
    pub region_name: String,
    pub years: Vec<u16>,
    pub comparisons: Vec<Comparison>,
    pub out_dir: PathBuf,
    pub files: Vec<String>,
}

/// Options of the command.
pub struct DefinitionsOptions {
    pub years: Option<Vec<u16>>,
    pub region: Option<String>,
    pub no_charts: bool,
}

/// Run the scenario, count its groups for the definitions' region, and compare every party's
/// definition with the canonical one.
pub fn run_definitions(
    defs_path: &Path,
    scenario_path: &Path,
    out: &Path,
    opts: &DefinitionsOptions,
) -> Result<DefinitionsOutcome, RunError> {
    let plan = RunPlan::resolve(scenario_path, &RunOptions::default())?;
    let mut inputs = plan.input_paths();
    inputs.push(defs_path.to_path_buf());
    let out = &output_target(out, "definities", true, &inputs)?;
    let (prepared, ()) = prepare_run_beside(plan, |_, _| ())?;
    let plan = &prepared.plan;
    let scenario = &plan.scenario;
    let settings = scenario.groups.as_ref().ok_or_else(|| {
        let message = "the scenario has no [groups] section".into();
        plan.invalid(
            "groups",
            message,
            "add [groups] with catalogue and data, as in scenarios/basis.toml",
        )
    })?;
    let variant = prepared.variants.first().ok_or_else(|| {
        let message = "the scenario has no projection".into();
        plan.invalid(
            "projection",
            message,
            "add [projection], as in scenarios/basis.toml",
        )
    })?;
    let (catalogue, observed, _) = load_groups(plan, settings)?;
    let defs = Definitions::load(defs_path, &catalogue)?;

    // The region: from --region or the file; NL01 in a national run.
    let query = opts.region.clone().unwrap_or_else(|| defs.region.clone());
    let (code, name, members) = if scenario.regions.nederland {
        (
            "NL01".to_string(),
            "Nederland".to_string(),
            vec!["NL01".to_string()],
        )
    } else {
        let r = prepared
            .registry
            .find_region(scenario.base_year, &query, &prepared.own)
            .map_err(|e| match (e, &opts.region) {
                // From the file: name the file and its key.
                (crate::geo::GeoError::UnknownRegion { query, year, hint }, None) => {
                    RunError::Groups(GroupError::invalid(
                        defs_path,
                        "region",
                        format!("unknown region '{query}' in {year}"),
                        hint,
                    ))
                }
                (other, _) => other.into(),
            })?;
        let members = r.members.iter().map(|g| g.code.clone()).collect();
        (r.code, r.name, members)
    };

    let years = opts.years.clone().unwrap_or_else(|| {
        if defs.years.is_empty() {
            vec![2025, 2030, 2040]
        } else {
            defs.years.clone()
        }
    });
    for (i, y) in years.iter().enumerate() {
        if years[..i].contains(y) {
            return Err(ScenarioError::Invalid {
                path: defs_path.to_path_buf(),
                key: "years".into(),
                message: format!("{y} twice: its rows would be written twice"),
                hint: "each year once, e.g. 2025,2030,2040".into(),
            }
            .into());
        }
        if *y < scenario.base_year || *y > scenario.horizon {
            return Err(ScenarioError::Invalid {
                path: defs_path.to_path_buf(),
                key: "years".into(),
                message: format!(
                    "{y} is outside the scenario's years {}–{}",
                    scenario.base_year, scenario.horizon
                ),
                hint: "years between the base year and the horizon, e.g. 2025,2030,2040".into(),
            }
            .into());
        }
    }

    let mut inputs = group_inputs(variant, &members);
    inputs.keep_profiles = true;
    let counts = crate::groups::project_groups(&catalogue, &observed, &inputs)?;
    let area: AreaGroups = counts.area(&members)?;
    let comparisons = compare(
        &defs,
        &catalogue,
        &area,
        &members,
        &observed,
        counts.base_year,
        &years,
    )?;

    let staged = StagedDir::new(out).map_err(|source| RunError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let werr = |p: &Path| {
        let p = p.to_path_buf();
        move |source: std::io::Error| RunError::write(&p, source)
    };
    let mut files = Vec::new();
    let p = staged.path("definities.csv");
    write_comparisons(
        &p,
        &scenario.name,
        &variant.name,
        &code,
        &name,
        &comparisons,
    )
    .map_err(werr(&p))?;
    files.push("definities.csv".to_string());
    let p = staged.path("crosswalk.csv");
    write_crosswalks(&p, &code, &comparisons).map_err(werr(&p))?;
    files.push("crosswalk.csv".to_string());
    if !opts.no_charts
        && let Some(&last) = years.last()
    {
        let chart = comparison_chart(&defs, &comparisons, &name, last);
        draw_hbars(
            &chart,
            &staged.path("definities.png"),
            &staged.path("definities.svg"),
        )?;
        files.push("definities.png".into());
        files.push("definities.svg".into());
    }
    let out_dir = staged.commit().map_err(werr(out))?;
    Ok(DefinitionsOutcome {
        definitions: defs,
        region_code: code,
        region_name: name,
        years,
        comparisons,
        out_dir,
        files,
    })
}

fn write_comparisons(
    path: &Path,
    scenario: &str,
    variant: &str,
    region: &str,
    region_name: &str,
    rows: &[Comparison],
) -> std::io::Result<()> {
    let mut w = crate::output::tables::create_keyed_csv(
        path,
        &[
            "party",
            "party_kind",
            "group",
            "label",
            "count",
            "canonical",
            "difference",
            "age_effect",
            "criterion_effect",
            "why",
        ],
    )?;
    for c in rows {
        w.write_record([
            scenario,
            variant,
            region,
            region_name,
            &c.year.to_string(),
            &c.party,
            &c.kind,
            &c.group,
            &c.label,
            &cents(c.count),
            &cents(c.canonical),
            &cents(c.count - c.canonical),
            &cents(c.age_effect),
            &cents(c.criterion_effect),
            &c.why,
        ])?;
    }
    w.flush()
}

fn write_crosswalks(path: &Path, region: &str, rows: &[Comparison]) -> std::io::Result<()> {
    let mut w = crate::output::tables::create_csv(
        path,
        &[
            "region", "year", "group", "party", "category", "part", "value",
        ],
    )?;
    for c in rows {
        for (cat, part, v) in &c.crosswalk.rows {
            w.write_record([
                region,
                &c.year.to_string(),
                &c.group,
                &c.party,
                cat,
                part.label(),
                &cents(*v),
            ])?;
        }
    }
    w.flush()
}

/// Bars per group: each party's count as an index of the canonical count (= 100).
fn comparison_chart(
    defs: &Definitions,
    rows: &[Comparison],
    region: &str,
    year: u16,
) -> HorizontalBars {
    let mut groups: Vec<(String, String)> = Vec::new();
    for c in rows.iter().filter(|c| c.year == year) {
        if !groups.iter().any(|(g, _)| g == &c.group) {
            groups.push((c.group.clone(), c.group_label.clone()));
        }
    }
    let series = defs
        .parties
        .iter()
        .map(|p| {
            let vals = groups
                .iter()
                .map(|(g, _)| {
                    rows.iter()
                        .find(|c| c.year == year && &c.group == g && c.party == p.name)
                        .map(|c| {
                            if c.canonical > 0.0 {
                                100.0 * c.count / c.canonical
                            } else {
                                0.0
                            }
                        })
                })
                .collect();
            (p.name.clone(), vals)
        })
        .collect();
    HorizontalBars {
        title: format!(
            "Eén prognose, de definities van {} partijen: {region}, 1 januari {year}",
            defs.parties.len()
        ),
        subtitle: format!(
            "{}: telling per partij als index van de canonieke definitie (= 100)",
            defs.title
        ),
        source_line: format!(
            "Bron: CBS (bevolking, 85383NED, 85012NED, 37620, 85616NED); definities per partij met bron in {}; bewerking woonzorg {}",
            defs.path
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or("definities"),
            env!("CARGO_PKG_VERSION")
        ),
        x_label: "index (canonieke definitie = 100)".into(),
        categories: groups.into_iter().map(|(_, l)| short_label(&l)).collect(),
        series,
        reference: Some(100.0),
    }
}

fn short_label(l: &str) -> String {
    let s: String = l.split(['(', ',']).next().unwrap_or(l).trim().to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(39).collect::<String>())
    } else {
        s
    }
}
