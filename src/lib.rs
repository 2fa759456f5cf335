//! woonzorg: an open engine for Dutch woonzorgvisies.
//!
//! The data path runs one way (see docs/DESIGN.md): [`source`] reads CBS data into tidy tables,
//! [`geo`] knows the gemeenten per year and their regions, [`population`] builds the base
//! population, [`scenario`] reads the scenario TOML and orchestrates a run, and [`output`]
//! writes tables, charts and the manifest. [`cli`] is the command line on top; [`numbers`] is how
//! every output writes a number.

// No unwrap/expect outside tests: user input must never panic (issue 8).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod geo;
pub mod groups;
pub mod housing;
pub mod numbers;
pub mod output;
pub mod population;
pub mod scenario;
pub mod source;
