//! Output stage: tidy CSV tables, charts, the manifest; all written atomically.

pub mod annex;
pub mod charts;
pub mod files;
pub mod manifest;
pub mod parquet;
pub mod tables;
pub mod xlsx;
