//! Population stage: the base population per gemeente on 1 January of the base year.
//! (Rates, projection, constraint and backtest build on this.)

pub mod base;

pub use base::{AgeBand, BaseBand, BasePopulation, base_population_by_band};

use std::path::PathBuf;

/// What can be wrong with the population inputs.
#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    #[error("{path}: no value for {what}\n  hint: {hint}")]
    Missing {
        path: PathBuf,
        what: String,
        hint: String,
    },

    #[error(
        "{path}: inconsistent bands for {region} in {year}: {message}\n  hint: the band totals of this table contradict each other; check the export"
    )]
    Inconsistent {
        path: PathBuf,
        region: String,
        year: u16,
        message: String,
    },
}
