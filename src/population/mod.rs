//! Population stage: the base population on 1 January (observed or estimated single years),
//! band splitting, rates, the cohort-component projection, the national constraint and the
//! backtest.

// Numerical code: loops index several arrays by age and sex at once, which reads clearer than
// zipped iterators.
#![allow(clippy::needless_range_loop)]

pub mod backtest;
pub mod base;
pub mod constrain;
pub mod gemeente_backtest;
pub mod grid;
pub mod history;
pub mod national;
pub mod project;
pub mod rates;
pub mod regional;
pub mod settings;
pub mod split;
pub mod variants;
pub mod wijk;

pub use base::{AgeBand, BaseBand, BasePopulation, base_population_by_band};
pub use grid::Pop;
pub use settings::ProjectionSettings;
pub use variants::{ExternalSeries, VariantResult};

use std::path::PathBuf;

/// What can be wrong with the population inputs or a method's arguments.
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

    #[error("{path}:{line}: {message}\n  hint: {hint}")]
    InTable {
        path: PathBuf,
        line: u64,
        message: String,
        hint: String,
    },

    #[error("{method}: {message}")]
    Method { method: String, message: String },

    /// The regions of a year (the projection's gemeenten and their growth window).
    #[error(transparent)]
    Geo(#[from] crate::geo::GeoError),
}
