//! Errors of the geography stage.

use std::path::PathBuf;

use crate::source::SourceError;

#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error(transparent)]
    Source(#[from] SourceError),

    #[error("{path}: {message}\n  hint: {hint}")]
    Registry {
        path: PathBuf,
        message: String,
        hint: String,
    },

    #[error("no gemeente indeling for {year}\n  hint: the registry covers {available}")]
    UnknownYear { year: u16, available: String },

    #[error("unknown region '{query}' in {year}\n  hint: {hint}")]
    UnknownRegion {
        query: String,
        year: u16,
        hint: String,
    },

    #[error("gemeente {code} does not exist in {year}\n  hint: {hint}")]
    UnknownGemeente {
        code: String,
        year: u16,
        hint: String,
    },

    #[error("{path}:{line}, column 'region': {message}\n  hint: {hint}")]
    CodeInTable {
        path: PathBuf,
        line: u64,
        message: String,
        hint: String,
    },

    #[error("{path}{}: {message}\n  hint: {hint}", feature.map(|f| format!(", feature {f}")).unwrap_or_default())]
    Boundaries {
        path: PathBuf,
        feature: Option<usize>,
        message: String,
        hint: String,
    },

    #[error("{path}: key '{key}': {message}\n  hint: {hint}")]
    OwnRegions {
        path: PathBuf,
        key: String,
        message: String,
        hint: String,
    },
}
