//! The scenario file. Unknown keys are refused with their path; relative paths are taken
//! from the scenario file's folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What can be wrong with a scenario file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(
        "{path}: cannot read: {source}\n  hint: give the path of a scenario TOML, e.g. scenarios/basis.toml"
    )]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

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
}

/// A scenario as written in TOML.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name; the output goes to `out/<name>/`.
    pub name: String,
    /// Title for people (charts, annex).
    pub title: String,
    /// Explanation of the scenario, one paragraph.
    #[serde(default)]
    pub description: String,
    /// Year of the base population (stand 1 januari).
    pub base_year: u16,
    /// Last year reported (stand 1 januari).
    pub horizon: u16,
    pub data: DataPaths,
    pub regions: Regions,
}

/// Where the data come from (relative to the scenario file).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataPaths {
    /// Region registry: folder with registry.csv (the shipped extract) or CBS Gebieden files.
    pub regions: PathBuf,
    /// Gemeente band totals (85383NED tidy extract).
    pub gemeente_population: PathBuf,
    /// National population by single year and sex (7461bev tidy extract).
    pub national_population: PathBuf,
}

/// Which gemeenten to run.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Regions {
    /// Gemeenten by code or name.
    #[serde(default)]
    pub gemeenten: Vec<String>,
    /// Regions (codes or names) whose member gemeenten are included.
    #[serde(default)]
    pub include: Vec<String>,
    /// Own regions file (TOML with [[region]]).
    pub own: Option<PathBuf>,
    /// Own regions (by name) whose members are included.
    #[serde(default)]
    pub include_own: Vec<String>,
    /// Regions reported as roll-ups besides each gemeente (codes, names or own regions).
    #[serde(default)]
    pub report: Vec<String>,
}

impl Scenario {
    /// Read a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Scenario::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count())
                .unwrap_or(0);
            ScenarioError::Toml {
                path: path.to_path_buf(),
                line,
                message: e.message().trim().to_string(),
                hint: "see scenarios/basis.toml for the keys a scenario has".into(),
            }
        })?;
        let invalid = |key: &str, message: String, hint: &str| ScenarioError::Invalid {
            path: path.to_path_buf(),
            key: key.into(),
            message,
            hint: hint.into(),
        };
        if s.name.is_empty()
            || !s
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(
                "name",
                format!("'{}' is not a usable folder name", s.name),
                "letters, digits, - and _ only",
            ));
        }
        if !(2016..=2025).contains(&s.base_year) {
            return Err(invalid(
                "base_year",
                format!("{} is outside the data (2016–2025)", s.base_year),
                "the gemeente band totals in data/ cover 2023–2024",
            ));
        }
        if s.horizon < s.base_year || s.horizon > 2070 {
            return Err(invalid(
                "horizon",
                format!("{} is not between base_year and 2070", s.horizon),
                "e.g. horizon = 2040",
            ));
        }
        if s.regions.gemeenten.is_empty()
            && s.regions.include.is_empty()
            && s.regions.include_own.is_empty()
        {
            return Err(invalid(
                "regions",
                "no gemeenten selected".into(),
                "set regions.gemeenten, regions.include or regions.include_own",
            ));
        }
        Ok(s)
    }

    /// A path from the scenario, relative to the scenario file's folder.
    pub fn resolve(scenario_path: &Path, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            scenario_path.parent().unwrap_or(Path::new(".")).join(p)
        }
    }
}
