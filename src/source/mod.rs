//! Source stage: read every form of CBS data a user brings and turn it into one tidy
//! long table ([`TidyTable`]). Errors name file, line and column ([`SourceError`]).
//!
//! Forms: OData v3 raw downloads (codes + dimension files), TypedDataSet dumps (labels),
//! StatLine web exports, reshaped wide/long tables (column roles from a mapping TOML or
//! recognised from the header), and woonzorg's own tidy CSV.

pub mod catalog;
pub mod cbs;
pub mod codes;
pub mod error;
pub mod mapping;
pub mod sourced;
pub mod text;
pub mod tidy;

pub use cbs::{find_tables, read_one, read_table};
pub use codes::{Cell, Status};
pub use error::{Pos, SourceError};
pub use mapping::Mapping;
pub use tidy::{Form, TidyRow, TidyTable};
