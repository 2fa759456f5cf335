//! The column-mapping TOML: how a user describes any reshaped wide or long table
//! (which column is the region, the period, the sex, the age, the value; what the
//! headers of the remaining columns mean). The same structure is what the heuristics
//! produce for a StatLine export, so one reader serves both.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::error::{Pos, SourceError};
use super::tidy::Role;

/// A column mapping, as written in TOML:
///
/// ```toml
/// file = "nl_bevolking_leeftijd_geslacht_2000-2025_wide.csv"  # optional: file name it applies to
/// table_id = "7461bev"
/// title = "Bevolking; geslacht, leeftijd en burgerlijke staat, 1 januari"
/// measure = "Bevolking"          # when no column names the measure
/// unit = "aantal"
/// region = "NL01"                # when the file has no region column
/// [columns]                      # header → region | period | sex | age | category | measure | unit | value | ignore
/// Geslacht = "sex"
/// Leeftijd = "age"
/// [wide]
/// headers = "period"             # the other columns hold values; their header is a period (or sex, measure, age, region)
/// [[correction]]                 # a documented fix of one cell
/// line = 236
/// column = "Leeftijd"
/// from = "25"
/// to = "26"
/// reason = "…"
/// ```
/// Without `[columns]` and `[wide]` the roles are recognised from the header as for any
/// StatLine export, and the other keys (table_id, measure, corrections) still apply.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub file: Option<String>,
    pub table_id: Option<String>,
    pub title: Option<String>,
    pub separator: Option<String>,
    pub measure: Option<String>,
    pub unit: Option<String>,
    pub region: Option<String>,
    pub period: Option<String>,
    /// Prefix added to region values that are bare numbers (`"GM"` for BRP gemeentecodes).
    pub region_prefix: Option<String>,
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    pub wide: Option<Wide>,
    /// Where the numbers come from, for the annex (`"CBS 7461bev"`, `"aanname: …"`).
    pub source: Option<String>,
    /// Documented corrections of cells in the source file, applied before reading.
    #[serde(default)]
    pub correction: Vec<Correction>,
}

/// A correction of one cell: on `line`, column `column`, the value `from` becomes `to`.
/// Refused when the cell does not hold `from` (the file is then not the one corrected).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub line: u64,
    pub column: String,
    pub from: String,
    pub to: String,
    /// Why: the evidence for the correction.
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Wide {
    pub headers: String,
}

impl Mapping {
    /// Read and check a mapping file; errors name the TOML key.
    pub fn load(path: &Path) -> Result<Mapping, SourceError> {
        let text = super::text::read_toml_text(path)?;
        Mapping::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Mapping, SourceError> {
        let m: Mapping = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|_| super::sourced::error_line(text, &e) as u64);
            SourceError::Mapping {
                pos: Pos { path: path.to_path_buf(), line, column: None },
                message: e.message().to_string(),
                hint: "keys: file, table_id, title, separator, measure, unit, region, period, region_prefix, source, [columns], [wide] headers, [[correction]]".into(),
            }
        })?;
        for (col, role) in &m.columns {
            if Role::parse(role).is_none() {
                return Err(SourceError::Mapping {
                    pos: Pos::key(path, format!("columns.{col}")),
                    message: format!("unknown role '{role}'"),
                    hint: "a role is one of region, period, sex, age, category, measure, unit, value, ignore".into(),
                });
            }
        }
        if let Some(w) = &m.wide
            && !matches!(
                w.headers.as_str(),
                "period" | "sex" | "measure" | "age" | "region"
            )
        {
            return Err(SourceError::Mapping {
                pos: Pos::key(path, "wide.headers"),
                message: format!("unknown header meaning '{}'", w.headers),
                hint: "wide.headers is one of period, sex, measure, age, region".into(),
            });
        }
        if let Some(sep) = &m.separator
            && sep.chars().count() != 1
            && sep != "\\t"
        {
            return Err(SourceError::Mapping {
                pos: Pos::key(path, "separator"),
                message: format!("separator '{sep}' is not one character"),
                hint: "use \";\", \",\" or \"\\t\"".into(),
            });
        }
        Ok(m)
    }

    pub fn separator_byte(&self) -> Option<u8> {
        self.separator.as_deref().map(|s| {
            if s == "\\t" {
                b'\t'
            } else {
                s.as_bytes().first().copied().unwrap_or(b';')
            }
        })
    }

    pub fn role_of(&self, header: &str) -> Option<Role> {
        self.columns.get(header.trim()).and_then(|r| Role::parse(r))
    }
}
