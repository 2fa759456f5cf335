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
pub mod sources;

pub use catalogue::{Catalogue, Group, Method};
pub use crosswalk::Crosswalk;
pub use definitions::Definitions;
pub use demand::{GroupCounts, GroupInputs, project_groups};
pub use observed::Observed;

use std::path::PathBuf;

/// What can be wrong with a catalogue, a definitions file or the group data.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error("{path}: cannot read: {cause}\n  hint: {hint}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
        hint: String,
    },

    /// Not text: UTF-16 without BOM, invalid UTF-8 (with its line), a BOM in the middle.
    #[error(transparent)]
    Text(crate::source::SourceError),

    #[error("{path}:{line}: {message}\n  hint: {hint}")]
    Toml {
        path: PathBuf,
        line: usize,
        message: String,
        hint: String,
    },

    #[error("{path}: key '{key}': {message}\n  hint: {hint}")]
    Invalid {
        path: PathBuf,
        key: String,
        message: String,
        hint: String,
    },

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
        GroupError::Invalid {
            path: path.to_path_buf(),
            key: key.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Parse TOML into `T`, turning a syntax or schema error into one with the file and line.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    text: &str,
    hint: &str,
) -> Result<T, GroupError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count())
            .unwrap_or(0);
        GroupError::Toml {
            path: path.to_path_buf(),
            line,
            message: e.message().trim().to_string(),
            hint: hint.into(),
        }
    })
}

/// Read a text file for this stage.
pub(crate) fn read_text(path: &std::path::Path, hint: &str) -> Result<String, GroupError> {
    match crate::source::text::read_toml_text(path) {
        Ok(text) => Ok(text),
        // Missing or unreadable: this stage's hint; not text: the source stage's diagnosis.
        Err(crate::source::SourceError::Io { cause, .. }) => Err(GroupError::Io {
            path: path.to_path_buf(),
            cause,
            hint: hint.into(),
        }),
        Err(e) => Err(GroupError::Text(e)),
    }
}

/// Parse a TOML file whose every number must carry a source: refuse the first table holding a
/// number without `source` (naming its key), then parse into `T`.
pub(crate) fn parse_sourced<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    text: &str,
    hint: &str,
) -> Result<T, GroupError> {
    let raw: toml::Value = parse_toml(path, text, hint)?;
    if let Some(key) = sources::unsourced_numbers(&raw).into_iter().next() {
        return Err(GroupError::invalid(
            path,
            key,
            "a number without a source",
            "add source = \"<table id, report, or aanname: ...>\" to this table",
        ));
    }
    parse_toml(path, text, hint)
}
