//! The single integration-test binary (one link of polars instead of one per file).
//! Tests drive the `woonzorg` binary on real CBS data in ../shared/data; when that folder is
//! absent they print a notice and skip, except under CI=true, where they fail.

mod bad_input;
mod common;
mod data_extracts;
mod groups;
mod hostile;
mod house;
mod housing;
mod import;
mod nieuw;
mod places;
mod projection;
mod properties;
mod regions;
mod reliability;
mod report;
mod run;
mod scenarios;
mod snapshots;
