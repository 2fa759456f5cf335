//! Scenario stage: the scenario TOML (what to run, on which data, for which regions) and the
//! orchestration of a run through the stages before it.

pub mod area;
pub mod charts;
pub mod compare;
pub mod count;
pub mod definitions;
pub mod error;
pub mod groups;
pub mod housing;
pub mod maps;
pub mod montecarlo;
pub mod new;
pub mod plan;
pub mod prepare;
pub mod profile;
pub mod projection;
pub mod record;
pub mod report;
pub mod report_places;
pub mod resolve;
pub mod run;
pub mod schema;
pub mod stock;
pub mod tables;
pub mod track_record;
pub mod wijken;
pub mod workbook;

pub use error::RunError;
pub use plan::{RunOptions, RunPlan};
pub use run::{RunOutcome, run_scenario};
pub use schema::{Scenario, ScenarioError};
