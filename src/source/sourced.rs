//! A number with its source: the one base that the group and housing catalogues, the party
//! definitions and the scenario's own numbers share.
//!
//! - [`Param`]: a value with its source, optionally a path over the years and a spread for
//!   Monte Carlo draws; [`Bounds`] of every parameter declared once ([`PARAMETER_BOUNDS`]).
//! - The rule that every number carries its source: each TOML table that holds a number (or a
//!   list of numbers) directly must also hold a non-empty `source = "..."` (a table id, a
//!   report, or "aanname: ..."): [`unsourced_numbers`], [`require_sources`].
//! - Reading such a file: [`read_text`], [`parse_toml`], [`parse_sourced`], each error at its
//!   file and line or key ([`SourcedError`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::SourceError;

/// What is wrong with a TOML file of sourced numbers: unreadable, not text, or wrong at a line
/// or at a key.
#[derive(Debug, thiserror::Error)]
pub enum SourcedError {
    #[error("{path}: cannot read: {cause}\n  hint: {hint}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
        hint: String,
    },

    /// Not text (UTF-16 without BOM, invalid UTF-8 with its line, a BOM in the middle), or a
    /// file that cannot be read where no hint of the caller's applies.
    #[error(transparent)]
    Text(#[from] SourceError),

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

impl SourcedError {
    /// An error at a key of a file.
    pub fn invalid(
        path: &Path,
        key: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> SourcedError {
        SourcedError::Invalid {
            path: path.to_path_buf(),
            key: key.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The line (1-based) a TOML error points at; 0 when it points nowhere.
pub fn error_line(text: &str, e: &toml::de::Error) -> usize {
    e.span()
        .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count())
        .unwrap_or(0)
}

/// Read a TOML file as text; a missing or unreadable file gets `hint`, a file that is not text
/// the source stage's diagnosis.
pub fn read_text(path: &Path, hint: &str) -> Result<String, SourcedError> {
    match super::text::read_toml_text(path) {
        Ok(text) => Ok(text),
        Err(SourceError::Io { cause, .. }) => Err(SourcedError::Io {
            path: path.to_path_buf(),
            cause,
            hint: hint.into(),
        }),
        Err(e) => Err(SourcedError::Text(e)),
    }
}

/// Parse TOML into `T`, turning a syntax or schema error into one with the file and line.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    hint: &str,
) -> Result<T, SourcedError> {
    toml::from_str(text).map_err(|e| SourcedError::Toml {
        path: path.to_path_buf(),
        line: error_line(text, &e),
        message: e.message().trim().to_string(),
        hint: hint.into(),
    })
}

/// Parse a TOML file whose every number must carry a source: refuse the first table holding a
/// number without `source` (naming its key), then parse into `T`.
pub fn parse_sourced<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    hint: &str,
) -> Result<T, SourcedError> {
    let raw: toml::Value = parse_toml(path, text, hint)?;
    require_sources(path, &raw)?;
    parse_toml(path, text, hint)
}

/// Every number of `value` carries its source: else an error at the first table without one.
pub fn require_sources(path: &Path, value: &toml::Value) -> Result<(), SourcedError> {
    match unsourced_numbers(value).into_iter().next() {
        Some(key) => Err(SourcedError::invalid(
            path,
            key,
            "a number without a source",
            "add source = \"<table id, report, or aanname: ...>\" to this table",
        )),
        None => Ok(()),
    }
}

/// A number with where it comes from; optionally a path over the years and a distribution for
/// Monte Carlo draws.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub value: f64,
    pub source: String,
    /// Values per year (`path = { 2024 = 1.0, 2030 = 0.8 }`): linear in between, the first
    /// before and the last after; `value` where there is no path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub path: BTreeMap<String, f64>,
    /// The distribution of the value in Monte Carlo draws (`spread = { normal = 0.1 }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<Spread>,
}

/// A distribution around a parameter's value (its median/mode); all zero = no spread.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Spread {
    /// value + sd · Z
    Normal(f64),
    /// value · exp(sd · Z) (median = value; for counts and rates that stay positive)
    Lognormal(f64),
    /// triangular between [low, high] with the value as mode
    Triangular([f64; 2]),
    /// uniform between [low, high] (the value is not used)
    Uniform([f64; 2]),
}

impl Param {
    /// The value in a year (the path, else `value`).
    pub fn at(&self, year: u16) -> f64 {
        let pts: Vec<(u16, f64)> = self
            .path
            .iter()
            .filter_map(|(y, v)| y.trim().parse::<u16>().ok().map(|y| (y, *v)))
            .collect();
        if pts.is_empty() {
            self.value
        } else {
            path_value(&pts, year)
        }
    }

    /// What is wrong with the value, its path or its spread, if anything: a path key that is
    /// not a year, a number that is not finite or outside the parameter's [`Bounds`], a
    /// negative standard deviation, a range that does not hold the value or leaves the bounds.
    pub fn problem(&self, bounds: &Bounds) -> Option<String> {
        if !self.value.is_finite() {
            return Some(format!("value {} is not a finite number", self.value));
        }
        if !bounds.holds(self.value) {
            return Some(format!("value {} is outside {}", self.value, bounds.text()));
        }
        for (y, v) in &self.path {
            let year_ok = y
                .trim()
                .parse::<u16>()
                .is_ok_and(|y| (1900..=2100).contains(&y));
            if !year_ok || !v.is_finite() {
                return Some(format!(
                    "path {y} = {v}: a year 1900–2100 with a finite value"
                ));
            }
            if !bounds.holds(*v) {
                return Some(format!("path {y} = {v} is outside {}", bounds.text()));
            }
        }
        match self.spread? {
            Spread::Normal(sd) | Spread::Lognormal(sd) if !(sd >= 0.0 && sd.is_finite()) => Some(
                format!("spread: standard deviation {sd} is negative or not finite"),
            ),
            Spread::Normal(sd) | Spread::Lognormal(sd) if sd > 1.0 => Some(format!(
                "spread: standard deviation {sd} is more than 1 (100 %)"
            )),
            Spread::Triangular([lo, hi]) if !(lo <= self.value && self.value <= hi) => {
                Some(format!(
                    "spread: triangular [{lo}, {hi}] does not hold the value {}",
                    self.value
                ))
            }
            Spread::Uniform([lo, hi]) if !(lo <= hi && lo.is_finite() && hi.is_finite()) => {
                Some(format!("spread: uniform [{lo}, {hi}] is not a range"))
            }
            Spread::Triangular([lo, hi]) | Spread::Uniform([lo, hi])
                if !(bounds.holds(lo) && bounds.holds(hi)) =>
            {
                Some(format!(
                    "spread: [{lo}, {hi}] reaches outside {}",
                    bounds.text()
                ))
            }
            _ => None,
        }
    }
}

/// The admissible range of a parameter. Declared once per parameter ([`bounds_of`]): a value,
/// a path value or a spread outside it is refused at its key, and a Monte Carlo draw is kept
/// inside it, so that no parameter a user can set produces an impossible count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub low: f64,
    pub high: f64,
    /// What the parameter is, in the unit of the bounds.
    pub what: &'static str,
}

impl Bounds {
    pub fn holds(&self, v: f64) -> bool {
        v.is_finite() && self.low <= v && v <= self.high
    }

    /// `the range −0.1 to 0.1 (yearly change of the rates)`.
    pub fn text(&self) -> String {
        format!("the range {} to {} ({})", self.low, self.high, self.what)
    }
}

/// Every parameter a catalogue or scenario can set, with its admissible range: the one place
/// these ranges are declared (the group methods' own parameters are declared with them, in
/// `crate::groups::catalogue::GROUP_PARAMS`). The key is the parameter's own name (the last
/// part of its key).
pub const PARAMETER_BOUNDS: &[(&str, Bounds)] = &[
    // Housing (data/housing/woningen.toml, [housing.parameters], [housing.caps]).
    (
        "bezettingsgraad",
        Bounds {
            low: 0.01,
            high: 1.0,
            what: "occupied share of places",
        },
    ),
    (
        "geclusterd_cbs",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share",
        },
    ),
    (
        "nultreden_aandeel",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of all dwellings",
        },
    ),
    (
        "opvang_aandeel",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of the clients with verblijf en opvang",
        },
    ),
    (
        "geclusterd_landelijk",
        Bounds {
            low: 0.0,
            high: 10_000_000.0,
            what: "dwellings in Nederland",
        },
    ),
    (
        "standplaatsen_landelijk",
        Bounds {
            low: 0.0,
            high: 1_000_000.0,
            what: "standplaatsen in Nederland",
        },
    ),
    (
        "sociale_huur_aandeel",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of the stock",
        },
    ),
    (
        "mutatiegraad",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "lettings per year as a share of the social-rent stock",
        },
    ),
    (
        "verdringing_drempel",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of the lettings",
        },
    ),
    (
        "sociale_huur",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of the group's households",
        },
    ),
    (
        "cap",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of the lettings",
        },
    ),
    // Costs and policy checks ([[housing.cost]], [[housing.policy]]).
    (
        "share",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share",
        },
    ),
    (
        "per_person_year",
        Bounds {
            low: 0.0,
            high: 1_000_000.0,
            what: "euro per person-year",
        },
    ),
    (
        "threshold",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share",
        },
    ),
    (
        "national_target",
        Bounds {
            low: 0.0,
            high: 10_000_000.0,
            what: "dwellings or places in Nederland",
        },
    ),
    // Party definitions (`woonzorg definitions`: ratio of a party's count to the canonical one).
    (
        "ratio",
        Bounds {
            low: 0.0,
            high: 10.0,
            what: "the party's count per canonical count",
        },
    ),
    // Projection ([projection.multipliers]).
    (
        "multiplier",
        Bounds {
            low: 0.0,
            high: 3.0,
            what: "multiplier on the midden variant's mortality, fertility or migration",
        },
    ),
];

/// The bounds of a parameter by its name (the last part of its key); everything without a
/// declared range is a share.
pub fn bounds_of(name: &str) -> &'static Bounds {
    const SHARE: Bounds = Bounds {
        low: 0.0,
        high: 1.0,
        what: "share",
    };
    let name = name.rsplit('.').next().unwrap_or(name);
    PARAMETER_BOUNDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b)
        .unwrap_or(&SHARE)
}

/// The hint for a parameter [`Param::problem`] refuses.
pub const PARAM_HINT: &str = "spread = { normal = 0.1 } (sd ≥ 0), { lognormal = 0.1 }, { triangular = [low, high] } around the value, or { uniform = [low, high] }";

/// **Given path**: linear interpolation between the points (year, value), constant outside.
/// Source: docs/METHODS.md §1e (labour migrants: a definition-dependent scenario input).
pub fn path_value(points: &[(u16, f64)], year: u16) -> f64 {
    let Some(first) = points.first() else {
        return 0.0;
    };
    if year <= first.0 {
        return first.1;
    }
    for w in points.windows(2) {
        let ((y0, v0), (y1, v1)) = (w[0], w[1]);
        if year <= y1 {
            let f = f64::from(year - y0) / f64::from((y1 - y0).max(1));
            return v0 + f * (v1 - v0);
        }
    }
    points.last().map(|p| p.1).unwrap_or(0.0)
}

/// Key paths of the tables that hold a number but no source (`group[dementie].rate[2]`).
///
/// Arrays of tables are named by their `id`, `group` or `name` where they have one, else by
/// index, so the message points at the entry a person recognises.
pub fn unsourced_numbers(value: &toml::Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(value, "", false, &mut out);
    out
}

fn is_number(v: &toml::Value) -> bool {
    matches!(v, toml::Value::Integer(_) | toml::Value::Float(_))
}

fn holds_number(v: &toml::Value) -> bool {
    is_number(v) || matches!(v, toml::Value::Array(a) if a.iter().any(holds_number))
}

/// `inherited`: the table is the `path` or `spread` of a sourced parameter (the parameter's
/// source covers it).
fn walk(value: &toml::Value, path: &str, inherited: bool, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(t) => {
            let has_number = t.values().any(holds_number);
            let has_source = t
                .get("source")
                .and_then(|s| s.as_str())
                .is_some_and(|s| !s.trim().is_empty());
            if has_number && !has_source && !inherited {
                out.push(if path.is_empty() {
                    "(top level)".into()
                } else {
                    path.to_string()
                });
            }
            for (k, v) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(v, &p, has_source && (k == "path" || k == "spread"), out);
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                if let toml::Value::Table(t) = v {
                    let name = ["id", "group", "name"]
                        .iter()
                        .find_map(|k| t.get(*k).and_then(|x| x.as_str()))
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string());
                    walk(v, &format!("{path}[{name}]"), false, out);
                }
            }
        }
        _ => {}
    }
}

/// Every table that carries a `source`, with its key path, its value (if it has one) and the
/// source: the list of assumptions an annex prints.
pub fn sourced_entries(value: &toml::Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    collect(value, "", &mut out);
    out
}

fn collect(value: &toml::Value, path: &str, out: &mut Vec<(String, String, String)>) {
    match value {
        toml::Value::Table(t) => {
            if let Some(src) = t.get("source").and_then(|s| s.as_str()) {
                let v = match t.get("value") {
                    Some(toml::Value::Float(f)) => f.to_string(),
                    Some(toml::Value::Integer(i)) => i.to_string(),
                    _ => String::new(),
                };
                out.push((path.to_string(), v, src.to_string()));
            }
            for (k, v) in t {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect(v, &p, out);
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                if let toml::Value::Table(t) = v {
                    let name = ["id", "group", "name", "setting"]
                        .iter()
                        .find_map(|k| t.get(*k).and_then(|x| x.as_str()))
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string());
                    collect(v, &format!("{path}[{name}]"), out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_numbers_without_source() {
        let v: toml::Value = toml::from_str(
            r#"
            title = "x"
            [[group]]
            id = "a"
            age = [65, 105]
            source = "CBS"
            [[group.rate]]
            age = [65, 79]
            value = 0.02
            [[group]]
            id = "b"
            source = "definitie"
            trend = { value = 1.0, source = "aanname: constant" }
            duur = { value = 2.0, source = " " }
            cap = { value = 1.0, source = "aanname", path = { 2030 = 0.5 }, spread = { normal = 0.1 } }
            "#,
        )
        .unwrap();
        assert_eq!(
            unsourced_numbers(&v),
            vec!["group[a].rate[0]".to_string(), "group[b].duur".to_string()]
        );
    }
}
