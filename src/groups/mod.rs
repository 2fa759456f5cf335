//! Groups stage: the aandachtsgroepen. A catalogue (TOML, every number with its source) says
//! how each group is counted — prevalence, stock-flow, taakstelling or a given path — and the
//! stage turns the projected population into counts per gemeente and year ([`demand`]),
//! corrects for people who belong to more than one group ([`overlap`]: gross vs net), and shows
//! the same counts in each party's own definitions ([`definitions`], [`crosswalk`]).
//!
//! Data flows in from the population stage (single-year stocks per gemeente) and from tidy
//! tables `woonzorg import` wrote (observed counts per gemeente); nothing flows back.

#![allow(clippy::needless_range_loop)]

pub mod catalogue;
pub mod crosswalk;
pub mod definitions;
pub mod demand;
pub mod methods;
pub mod observed;
pub mod overlap;

pub use catalogue::{Catalogue, Group, Method};
pub use crosswalk::Crosswalk;
pub use definitions::Definitions;
pub use demand::{GroupCounts, GroupInputs, project_groups};
pub use observed::Observed;

use crate::source::sourced::SourcedError;

/// What can be wrong with a catalogue, a definitions file or the group data.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// A catalogue or definitions file: unreadable, not text, or wrong at a line or key.
    #[error(transparent)]
    File(#[from] SourcedError),

    #[error("{what}: {message}\n  hint: {hint}")]
    Data {
        what: String,
        message: String,
        hint: String,
    },
}

impl GroupError {
    pub(crate) fn invalid(
        path: &std::path::Path,
        key: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> GroupError {
        SourcedError::invalid(path, key, message, hint).into()
    }
}
