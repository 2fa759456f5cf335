//! The groups of a run: the catalogue and its data read, the parameters of the scenario
//! applied, and every group counted for the gemeenten of the run in every variant.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::groups::demand::{GroupPlan, PopulationSums, Unit, count_from_sums};
use crate::groups::methods::Rates;
use crate::groups::{Catalogue, GroupCounts, GroupInputs, Observed};

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
