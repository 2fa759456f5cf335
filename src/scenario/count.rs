//! The groups and housing of a run: their inputs read and checked (while the population is
//! projected), then every group counted in every variant.

use std::path::PathBuf;

use crate::geo::Registry;

use super::area::Area;
use super::error::RunError;
use super::groups::{GroupRun, count_groups, load_groups};
use super::housing::{HousingRun, load_housing};
use super::plan::RunPlan;
use super::projection::VariantResult;
use super::stock::complete_supply;

/// The groups and housing of a scenario: the group catalogue and data read, the housing
/// catalogue, data and supply read (its headship rates give the groups' households), and every
/// group counted in every variant for the gemeenten of `areas`. `None` where the scenario has
/// no `[groups]` (or no projection) or no `[housing]`.
pub fn count_groups_and_housing(
    plan: &RunPlan,
    registry: &Registry,
    variants: &[VariantResult],
    areas: &[Area],
) -> Result<(Option<GroupRun>, Option<HousingRun>), RunError> {
    let loaded = load_groups_and_housing(plan, registry)?;
    let mut codes: Vec<String> = areas.iter().flat_map(|a| a.base_codes()).collect();
    codes.sort();
    codes.dedup();
    let names = &registry.year(plan.scenario.base_year)?.gemeenten;
    let gemeenten: Vec<(String, String)> = codes
        .into_iter()
        .map(|c| {
            let n = names.get(&c).map(|g| g.name.clone()).unwrap_or_default();
            (c, n)
        })
        .collect();
    count_loaded(loaded, registry, variants, areas, &gemeenten)
}

/// The group and housing inputs of a run (catalogues, data, supply), read and checked.
pub fn load_groups_and_housing(
    plan: &RunPlan,
    registry: &Registry,
) -> Result<LoadedGroupsAndHousing, RunError> {
    let scenario = &plan.scenario;
    // Groups are counted in the projected variants (one per name).
    let projected = scenario
        .projection
        .as_ref()
        .is_some_and(|p| !p.variants.is_empty());
    let loaded = match &scenario.groups {
        Some(settings) if projected => Some(load_groups(plan, settings)?),
        _ => None,
    };
    let housing = match (&scenario.housing, &loaded) {
        (Some(settings), Some((catalogue, observed, _))) => {
            Some(load_housing(plan, settings, catalogue, observed, registry)?)
        }
        (Some(_), None) => {
            let hint = "add [groups] with catalogue and data, as in scenarios/basis.toml";
            let message = "housing needs [groups] and [projection]".into();
            return Err(plan.invalid("housing", message, hint).into());
        }
        _ => None,
    };
    Ok((loaded, housing))
}

/// Every group counted in every variant for the gemeenten of `areas`; the supply of the run's
/// `gemeenten` (code, name) completed from the stock data and the user's figures.
pub fn count_loaded(
    (loaded, mut housing): LoadedGroupsAndHousing,
    registry: &Registry,
    variants: &[VariantResult],
    areas: &[Area],
    gemeenten: &[(String, String)],
) -> Result<(Option<GroupRun>, Option<HousingRun>), RunError> {
    if let Some(h) = &mut housing {
        complete_supply(h, registry, variants, gemeenten)?;
    }
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
