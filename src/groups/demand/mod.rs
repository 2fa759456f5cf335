//! From the projected population to group counts per gemeente and year (gross), and per area
//! with overlap (net).
//!
//! Three steps, so that a Monte Carlo draw does not redo the work on age × sex arrays:
//!
//! 1. [`GroupPlan::new`]: what the catalogue and the observed data fix for a run — the rates per
//!    unit, the observed counts calibrated to, the shares of national counts, the overlapping
//!    pairs. Once per run.
//! 2. [`PopulationSums::of`]: every sum over ages and sexes the methods take from a population
//!    (persons × rates over the group's ages, the population at risk of a stock-flow group, the
//!    expected count of a calibration, …). These are linear in the population, so the sums of a
//!    population between two Kernprognose variants are the same mix of the variants' sums
//!    ([`SumsView`]). Once per variant.
//! 3. [`count_from_sums`]: the methods on those sums (calibration ratio, trend, stock-flow,
//!    taakstelling, path). Once per variant, and once per draw with the drawn parameters.
//!
//! [`project_groups`] does all three for one population; [`GroupCounts::area`] adds units up to
//! an area and takes the overlaps out (net).

use std::collections::BTreeMap;

use crate::population::grid::Pop;

use super::methods::Rates;
#[cfg(doc)]
use super::overlap::net_by_priority;

mod areas;
mod counts;
mod plan;
mod sums;

pub use areas::{AreaGroups, AreaSums};
pub use counts::{
    CountSteps, GroupCounts, UnitCounts, count_from_sums, count_units, count_units_with,
    project_groups,
};
pub use plan::{GroupPlan, Overlaps};
pub use sums::{PopulationSums, SumsView};

/// A gemeente (or NL01) with its projected stocks, 1 January of base..=horizon.
#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    pub stocks: Vec<Pop>,
}

/// What the group stage needs from the population stage.
#[derive(Debug, Clone, Default)]
pub struct GroupInputs {
    pub base_year: u16,
    /// The gemeenten counted (or NL01 alone).
    pub units: Vec<Unit>,
    /// Base-year population of every gemeente of the country (for calibration to totals of
    /// sets of gemeenten); empty for a national run.
    pub all_base: BTreeMap<String, Pop>,
    /// National stocks, 1 January of base..=horizon (for shares of national counts).
    pub national: Vec<Pop>,
    /// Households per person by age and sex (headship rates). When given, every group's
    /// households are summed over its profile too: what a later stage needs for persons per
    /// dwelling.
    pub household_rates: Option<Rates>,
    /// Keep every unit's age × sex profiles (the comparison of party definitions needs them;
    /// a run does not).
    pub keep_profiles: bool,
}

impl GroupInputs {
    pub fn years(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.national.len()).map(|i| self.base_year + i as u16)
    }
}
