//! Housing stage: from the group counts to the homes a woonzorgvisie must plan — dwellings per
//! type ([`dwellings`]), set against the stock and the pipeline ([`supply`]), the pressure on
//! the social-rent lettings ([`pressure`]), the costs per payer ([`costs`]), policy checks
//! ([`policy`]) and the division of a regional opgave over gemeenten ([`verdeel`]).
//!
//! Data flows in from the groups stage (gross and net counts, age profiles, flows); nothing
//! flows back. Errors are [`SourcedError`](crate::source::sourced::SourcedError) (the housing
//! catalogue: TOML with keys), [`SourceError`](crate::source::SourceError) (CSV files with
//! lines) and, where housing reads the group data (headship rates), the group stage's
//! [`GroupError`](crate::groups::GroupError).

#![allow(clippy::needless_range_loop)]

pub mod baseline;
pub mod catalogue;
pub mod costs;
pub mod dwellings;
pub mod policy;
pub mod pressure;
pub mod supply;
pub mod verdeel;

pub use catalogue::HousingCatalogue;
pub use supply::{AreaSupply, Series, Supply};
