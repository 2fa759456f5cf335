//! Scenario stage: the scenario TOML (what to run, on which data, for which regions) and the
//! orchestration of a run through the stages before it.

pub mod charts;
pub mod compare;
pub mod definitions;
pub mod groups;
pub mod housing;
pub mod montecarlo;
pub mod profile;
pub mod projection;
pub mod report;
pub mod resolve;
pub mod run;
pub mod schema;

pub use run::{RunOutcome, run_scenario};
pub use schema::{Scenario, ScenarioError};
