//! Housing stage: from the group counts to the homes a woonzorgvisie must plan — dwellings per
//! type ([`dwellings`]), set against the stock and the pipeline ([`supply`]), the pressure on
//! the social-rent lettings ([`pressure`]), the costs per payer ([`costs`]), policy checks
//! ([`policy`]) and the division of a regional opgave over gemeenten ([`verdeel`]).
//!
//! Data flows in from the groups stage (gross and net counts, age profiles, flows); nothing
//! flows back. Errors are the group stage's [`GroupError`](crate::groups::GroupError) (TOML
//! files with keys) and [`SourceError`](crate::source::SourceError) (CSV files with lines).

#![allow(clippy::needless_range_loop)]

pub mod catalogue;
pub mod costs;
pub mod dwellings;
pub mod policy;
pub mod pressure;
pub mod supply;
pub mod verdeel;

pub use catalogue::HousingCatalogue;
pub use supply::{AreaSupply, Supply};
