//! The groups of a run: the catalogue and its data read, the parameters of the scenario
//! applied, and every group counted for the gemeenten of the run in every variant.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::groups::demand::{AreaGroups, GroupPlan, PopulationSums, Unit, count_from_sums};
use crate::groups::methods::Rates;
use crate::groups::{Catalogue, GroupCounts, GroupInputs, Observed};
use crate::output::manifest::FileHash;
use crate::output::tables::{AREA_KEYS, Cell, TableWriter, write_ordered};

use super::area::Area;
use super::error::RunError;
use super::plan::RunPlan;
use super::projection::VariantResult;
use super::schema::GroupSettings;

/// The groups counted in a run.
pub struct GroupRun {
    pub catalogue: Catalogue,
    pub observed: Observed,
    /// (variant name, counts per gemeente).
    pub counts: Vec<(String, GroupCounts)>,
    /// What the catalogue and data fix for the run's gemeenten, and every variant's population
    /// sums (what Monte Carlo draws mix).
    pub plan: GroupPlan,
    pub sums: Vec<(String, PopulationSums)>,
    /// Files read, for the manifest.
    pub inputs: Vec<PathBuf>,
}

/// The group stage's inputs from one variant: the listed units' stocks (gemeente codes, or
/// NL01 for the national projection), every gemeente's base, the national stocks.
pub fn group_inputs(v: &VariantResult, units: &[String]) -> GroupInputs {
    let national = v.national.stocks.clone();
    let Some(g) = v.gemeenten.as_ref() else {
        return GroupInputs {
            base_year: v.national.base_year,
            units: vec![Unit {
                code: "NL01".into(),
                stocks: national.clone(),
            }],
            all_base: Default::default(),
            national,
            household_rates: None,
            keep_profiles: false,
        };
    };
    let units = units
        .iter()
        .filter_map(|c| {
            let i = g.index_of(c)?;
            Some(Unit {
                code: c.clone(),
                stocks: g.stocks[i].clone(),
            })
        })
        .collect();
    let all_base = g
        .codes
        .iter()
        .zip(&g.stocks)
        .filter_map(|(c, s)| Some((c.clone(), *s.first()?)))
        .collect();
    GroupInputs {
        base_year: g.base_year,
        units,
        all_base,
        national,
        household_rates: None,
        keep_profiles: false,
    }
}

/// Read the catalogue and data of a scenario's `[groups]` (the plan's paths; its own numbers'
/// sources were checked when the plan was made).
pub fn load_groups(
    plan: &RunPlan,
    settings: &GroupSettings,
) -> Result<(Catalogue, Observed, Vec<PathBuf>), RunError> {
    let cat_path = settings.catalogue.clone();
    let data_dir = &settings.data;
    let catalogue = Catalogue::load(&cat_path)?
        .with_groups(&settings.group, &plan.file)?
        .with_overrides(&settings.parameters, &plan.file)?;
    let observed = Observed::load(data_dir)?;
    let mut inputs = vec![cat_path];
    inputs.extend(observed.tables.iter().map(|t| t.path.clone()));
    Ok((catalogue, observed, inputs))
}

/// Count every group for the gemeenten of the areas, in every variant (`loaded`: what
/// [`load_groups`] read). With `household_rates` (headship, from the housing stage's data) the
/// groups' households are summed too.
pub fn count_groups(
    loaded: (Catalogue, Observed, Vec<PathBuf>),
    variants: &[VariantResult],
    areas: &[Area],
    household_rates: Option<Rates>,
) -> Result<GroupRun, RunError> {
    let (catalogue, observed, inputs) = loaded;
    let units: Vec<String> = areas
        .iter()
        .flat_map(|a| a.base_codes())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // The plan is the same for every variant: made from the first. Then every variant's
    // sums and counts on their own, in parallel.
    use rayon::prelude::*;
    let variant_inputs: Vec<GroupInputs> = variants
        .par_iter()
        .map(|v| {
            let mut gi = group_inputs(v, &units);
            gi.household_rates = household_rates;
            gi
        })
        .collect();
    let plan = GroupPlan::new(
        &catalogue,
        &observed,
        variant_inputs.first().unwrap_or(&GroupInputs::default()),
    )?;
    let counted: Vec<Result<_, RunError>> = variants
        .par_iter()
        .zip(&variant_inputs)
        .map(|(v, gi)| {
            let s = PopulationSums::of(&plan, &catalogue, gi);
            let all: Vec<usize> = (0..plan.codes().len()).collect();
            let c = count_from_sums(&catalogue, &plan, s.view(), &all)?;
            Ok(((v.name.clone(), c), (v.name.clone(), s)))
        })
        .collect();
    let (counts, sums): (Vec<_>, Vec<_>) = counted
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    Ok(GroupRun {
        catalogue,
        observed,
        counts,
        plan,
        sums,
        inputs,
    })
}

/// tables/groups.csv (scenario, variant, region, region_name, year, group, group_label, method,
/// unit, measure, gross, net) and tables/group_flows.csv (instroom, uitstroom and waiting of
/// stock-flow groups, task, backlog and housed of the taakstelling, the range of given paths),
/// in one pass: the gross and net of an area are computed once for both.
pub fn write_group_tables(
    groups_path: &Path,
    flows_path: &Path,
    scenario: &str,
    g: &GroupRun,
    areas: &[Area],
) -> std::io::Result<Vec<FileHash>> {
    let w = crate::output::tables::create_keyed_csv(
        groups_path,
        &[
            "group",
            "group_label",
            "method",
            "unit",
            "measure",
            "gross",
            "net",
        ],
    )?;
    let wf = crate::output::tables::create_keyed_csv(flows_path, &["group", "flow", "value"])?;
    let labels: Vec<String> = g
        .catalogue
        .groups
        .iter()
        .map(|grp| grp.label.clone())
        .collect();
    let mut writers = [w, wf];
    write_area_parts(
        g,
        areas,
        &mut writers,
        |variant, area, base_year, a, parts| {
            let [w, wf] = parts else { return Ok(()) };
            let n_years = a.gross.first().map(Vec::len).unwrap_or(0);
            // The key columns of each year, encoded once for the area.
            let prefixes = TableWriter::year_prefixes(
                scenario, variant, &area.code, &area.name, base_year, n_years,
            );
            for (gi, grp) in g.catalogue.groups.iter().enumerate() {
                for (t, (gross, net)) in a.gross[gi].iter().zip(&a.net[gi]).enumerate() {
                    w.write_cells(
                        &[&prefixes[t]],
                        AREA_KEYS.len(),
                        &[
                            Cell::Text(&grp.id),
                            Cell::Text(&labels[gi]),
                            Cell::Text(grp.method.label()),
                            Cell::Text(&grp.unit),
                            Cell::Text(grp.measure()),
                            Cell::Cents(*gross),
                            Cell::Cents(*net),
                        ],
                    )?;
                }
                for (flow, vals) in &a.flows[gi] {
                    for (t, v) in vals.iter().enumerate() {
                        wf.write_cells(
                            &[&prefixes[t]],
                            AREA_KEYS.len(),
                            &[Cell::Text(&grp.id), Cell::Text(flow), Cell::Cents(*v)],
                        )?;
                    }
                }
            }
            Ok(())
        },
    )?;
    writers.into_iter().map(TableWriter::finish).collect()
}

/// Rows of every variant and area into `writers`, made in parallel and written in order
/// ([`write_ordered`]): `rows(variant, area, base year, gross/net/flows of the area, parts)`.
fn write_area_parts(
    g: &GroupRun,
    areas: &[Area],
    writers: &mut [TableWriter],
    rows: impl Fn(&str, &Area, u16, &AreaGroups, &mut [TableWriter]) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    let items: Vec<(&str, &GroupCounts, &Area)> = g
        .counts
        .iter()
        .flat_map(|(variant, counts)| areas.iter().map(move |a| (variant.as_str(), counts, a)))
        .collect();
    write_ordered(writers, &items, |(variant, counts, area), parts| {
        let a = counts
            .area(&area.base_codes())
            .map_err(std::io::Error::other)?;
        rows(variant, area, counts.base_year, &a, parts)
    })
}
