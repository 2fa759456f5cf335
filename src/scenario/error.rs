//! The errors of the scenario room: what is wrong with a scenario file ([`ScenarioError`], the
//! one error of files of sourced numbers, always at a file and a line or key), and everything
//! that can stop a run ([`RunError`]).

use std::path::{Path, PathBuf};

use crate::geo::GeoError;
use crate::groups::GroupError;
use crate::output::charts::ChartError;
use crate::output::tables::invariant_of;
use crate::population::PopulationError;
use crate::source::SourceError;
use crate::source::sourced::SourcedError;

/// What can be wrong with a scenario file: the error of every file of sourced numbers (a
/// catalogue, a definitions file, a scenario), at its file and line or key.
pub use crate::source::sourced::SourcedError as ScenarioError;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A scenario, catalogue or definitions file (TOML with sourced numbers).
    #[error(transparent)]
    Settings(#[from] SourcedError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Geo(#[from] GeoError),
    #[error(transparent)]
    Population(#[from] PopulationError),
    #[error(transparent)]
    Groups(#[from] GroupError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Guard(#[from] crate::output::files::GuardError),
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An internal invariant broken (see [`crate::output::tables::Invariant`]): a bug, exit code 3.
    #[error("{0}")]
    Internal(String),
}

impl RunError {
    /// An error writing `path`: an [`crate::output::tables::Invariant`] a table writer refused is an internal error.
    pub fn write(path: &Path, source: std::io::Error) -> RunError {
        match invariant_of(&source) {
            Some(i) => RunError::Internal(i.to_string()),
            None => RunError::Write {
                path: path.to_path_buf(),
                source,
            },
        }
    }

    /// Whether the user's input is at fault (exit code 1) rather than the machine (3).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            RunError::Settings(_)
                | RunError::Source(_)
                | RunError::Geo(_)
                | RunError::Population(_)
                | RunError::Groups(_)
                | RunError::Guard(_)
        )
    }
}
