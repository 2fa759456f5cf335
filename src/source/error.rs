//! Errors of the source stage. Every variant carries the position of the problem
//! (file, line, column or TOML key) and a hint a user can act on.

use std::path::PathBuf;

/// Where in an input something went wrong. `line` is 1-based as a text editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pos {
    pub path: PathBuf,
    pub line: Option<u64>,
    pub column: Option<String>,
}

impl Pos {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Pos {
            path: path.into(),
            line: None,
            column: None,
        }
    }
    pub fn line(path: impl Into<PathBuf>, line: u64) -> Self {
        Pos {
            path: path.into(),
            line: Some(line),
            column: None,
        }
    }
    /// A TOML key path (`columns.Leeftijd`).
    pub fn key(path: impl Into<PathBuf>, key: impl Into<String>) -> Self {
        Pos {
            path: path.into(),
            line: None,
            column: Some(key.into()),
        }
    }
    pub fn cell(path: impl Into<PathBuf>, line: u64, column: impl Into<String>) -> Self {
        Pos {
            path: path.into(),
            line: Some(line),
            column: Some(column.into()),
        }
    }
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        match (&self.column, self.line) {
            (Some(col), Some(_)) => write!(f, ", column '{col}'")?,
            (Some(key), None) => write!(f, ", key '{key}'")?,
            _ => {}
        }
        Ok(())
    }
}

/// A TOML file holds settings; any other file a table.
fn empty_hint(pos: &Pos) -> &'static str {
    if pos.path.extension().is_some_and(|e| e == "toml") {
        "the file holds no settings; see scenarios/ and examples/ for complete files"
    } else {
        "export the table again from StatLine"
    }
}

/// What can be wrong with a file a user brings.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{pos}: cannot read: {cause}\n  hint: {hint}")]
    Io {
        pos: Pos,
        /// Not a `source`: the message already says it (no repetition in the error chain).
        cause: std::io::Error,
        hint: String,
    },

    #[error("{pos}: file is empty\n  hint: {}", empty_hint(pos))]
    Empty { pos: Pos },

    #[error("{pos}: text encoding: {message}\n  hint: {hint}")]
    Encoding {
        pos: Pos,
        message: String,
        hint: String,
    },

    #[error("{pos}: {message}\n  hint: {hint}")]
    Malformed {
        pos: Pos,
        message: String,
        hint: String,
    },

    #[error("{pos}: '{value}' is not a number\n  hint: {hint}")]
    BadNumber {
        pos: Pos,
        value: String,
        hint: String,
    },

    #[error(
        "{pos}: unknown period '{value}'\n  hint: expected a year (2024), a CBS period code (2024JJ00, 2024HJ01, 2024KW03, 2024MM07, 2011TM15) or a label such as '1e halfjaar 2024'"
    )]
    UnknownPeriod { pos: Pos, value: String },

    #[error(
        "{pos}: duplicate key {key} (first seen on line {first_line})\n  hint: each combination of region, period, sex, age, category and measure may occur once"
    )]
    DuplicateKey {
        pos: Pos,
        key: String,
        first_line: u64,
    },

    #[error("{pos}: mapping: {message}\n  hint: {hint}")]
    Mapping {
        pos: Pos,
        message: String,
        hint: String,
    },
}

impl SourceError {
    /// The position (file and line) the error refers to.
    pub fn pos(&self) -> &Pos {
        match self {
            SourceError::Io { pos, .. }
            | SourceError::Empty { pos }
            | SourceError::Encoding { pos, .. }
            | SourceError::Malformed { pos, .. }
            | SourceError::BadNumber { pos, .. }
            | SourceError::UnknownPeriod { pos, .. }
            | SourceError::DuplicateKey { pos, .. }
            | SourceError::Mapping { pos, .. } => pos,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let hint = match source.kind() {
            std::io::ErrorKind::NotFound => "check the path".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "the file is not readable by this user".to_string()
            }
            std::io::ErrorKind::IsADirectory => "give a file, not a directory".to_string(),
            _ => "check that the file exists and is readable".to_string(),
        };
        SourceError::Io {
            pos: Pos::file(path),
            cause: source,
            hint,
        }
    }

    pub(crate) fn malformed(pos: Pos, message: impl Into<String>, hint: impl Into<String>) -> Self {
        SourceError::Malformed {
            pos,
            message: message.into(),
            hint: hint.into(),
        }
    }
}
