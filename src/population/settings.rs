//! The settings of the projection, as a scenario's `[projection]` writes them: steering,
//! the national control, the variants, the gemeenten's own migration (growth window, overrides)
//! and external forecasts. Declared here, beside the model that reads them; the scenario file
//! embeds them as they are.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How the population is projected.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProjectionSettings {
    /// `kernprognose`: steer e0, e65, TFR and net migration to 86040NED; `geen`: own trends.
    #[serde(default = "default_steer")]
    pub steer: String,
    /// Scale gemeenten per age × sex to the national projection, and the national projection
    /// to the Kernprognose bands (0–19, 20–64, 65+) when steered.
    #[serde(default = "default_true")]
    pub constrain: bool,
    /// The national control when constrained: `86040NED` (Kernprognose 2024: 0–19, 20–64, 65+)
    /// or `85745NED` (5-year bands × sex of the 2023 vintage, scaled to the 86040NED total).
    #[serde(default = "default_control")]
    pub control: String,
    /// Variants: midden, laag, hoog (Kernprognose 67 % bounds), laag95, hoog95, or own names.
    #[serde(default = "default_variants")]
    pub variants: Vec<String>,
    /// Boys per girl at birth.
    #[serde(default = "default_srb")]
    pub srb: f64,
    /// Years of gemeente population growth that set each gemeente's own net migration level.
    pub growth_window: Option<[u16; 2]>,
    /// How each gemeente's total is set: `eigen_groei` (its own net migration level from its
    /// growth over `growth_window`) or `constant_aandeel` (its share of the national population
    /// in the base year, met through its net migration level; the method that backtested best,
    /// README "Gemeente track record"). The ages follow the cohort-component model either way.
    /// An external forecast with `gebruik = "totalen"` sets the totals instead, and a gemeente
    /// with its own rates (`overrides`) follows them.
    #[serde(default = "default_gemeente_totals")]
    pub gemeente_totals: String,
    /// Own variants: name → multipliers on [mortality, fertility, migration] of the midden path.
    #[serde(default)]
    pub multipliers: std::collections::BTreeMap<String, [f64; 3]>,
    /// External forecasts shown beside the own projection (ensemble view).
    #[serde(default)]
    pub external: Vec<ExternalForecast>,
    /// Per-gemeente rate overrides (CSV: region, component, value, source).
    pub overrides: Option<PathBuf>,
}

/// A forecast made elsewhere (Kernprognose, PBL/CBS regional forecast, ABF Primos, a
/// provincial forecast) as a table `woonzorg import` reads: totals per region and year.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExternalForecast {
    pub name: String,
    pub file: PathBuf,
    /// The gemeente indeling the table uses (harmonised to the base year's).
    pub indeling: Option<u16>,
    /// Only rows of this measure (key).
    pub measure: Option<String>,
    /// Only rows with this category (`PrognoseInterval=Prognose`).
    pub category: Option<String>,
    /// Region of rows that have none (a national table: `NL01`).
    pub region: Option<String>,
    pub source: String,
    /// `naast` (default): shown beside the own projection; `totalen`: its gemeente totals are
    /// met each year (the own projection gives the age × sex detail, IPF with the national cells).
    #[serde(default = "default_use")]
    pub gebruik: String,
}

fn default_gemeente_totals() -> String {
    "eigen_groei".into()
}

fn default_use() -> String {
    "naast".into()
}

fn default_steer() -> String {
    "kernprognose".into()
}
fn default_control() -> String {
    "86040NED".into()
}
fn default_true() -> bool {
    true
}
fn default_variants() -> Vec<String> {
    vec!["midden".into()]
}
fn default_srb() -> f64 {
    1.05
}

/// A setting that cannot be used: its key (`projection.srb`), what is wrong, and a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingProblem {
    pub key: String,
    pub message: String,
    pub hint: &'static str,
}

impl ProjectionSettings {
    /// What is wrong with the settings, if anything (the first problem, at its key).
    pub fn check(&self) -> Result<(), SettingProblem> {
        let invalid = |key: &str, message: String, hint: &'static str| SettingProblem {
            key: key.to_string(),
            message,
            hint,
        };
        if !matches!(self.steer.as_str(), "kernprognose" | "geen") {
            return Err(invalid(
                "projection.steer",
                format!("'{}' is not kernprognose or geen", self.steer),
                "steer = \"kernprognose\" or \"geen\"",
            ));
        }
        if self.variants.is_empty() {
            return Err(invalid(
                "projection.variants",
                "no variant".into(),
                "variants = [\"midden\"] (or leave the key out); without [projection] a run reports the base year only",
            ));
        }
        for (i, v) in self.variants.iter().enumerate() {
            if self.variants[..i].contains(v) {
                return Err(invalid(
                    "projection.variants",
                    format!("'{v}' twice: its rows would be written twice"),
                    "each variant once",
                ));
            }
            let known = matches!(v.as_str(), "midden" | "laag" | "hoog" | "laag95" | "hoog95")
                || self.multipliers.contains_key(v);
            if !known {
                return Err(invalid(
                    "projection.variants",
                    format!("unknown variant '{v}'"),
                    "midden, laag, hoog, laag95, hoog95, or a name defined under [projection.multipliers]",
                ));
            }
        }
        for (i, e) in self.external.iter().enumerate() {
            if !matches!(e.gebruik.as_str(), "naast" | "totalen") {
                return Err(invalid(
                    &format!("projection.external[{i}].gebruik"),
                    format!("'{}' is not naast or totalen", e.gebruik),
                    "gebruik = \"naast\" (beside) or \"totalen\" (meet its gemeente totals)",
                ));
            }
        }
        if self
            .external
            .iter()
            .filter(|e| e.gebruik == "totalen")
            .count()
            > 1
        {
            return Err(invalid(
                "projection.external",
                "more than one forecast with gebruik = \"totalen\"".into(),
                "one external forecast can set the gemeente totals",
            ));
        }
        if !matches!(
            self.gemeente_totals.as_str(),
            "eigen_groei" | "constant_aandeel"
        ) {
            return Err(invalid(
                "projection.gemeente_totals",
                format!(
                    "'{}' is not eigen_groei or constant_aandeel",
                    self.gemeente_totals
                ),
                "gemeente_totals = \"constant_aandeel\" (share of the national population, backtested best) or \"eigen_groei\" (own growth over growth_window)",
            ));
        }
        if !(0.9..=1.2).contains(&self.srb) {
            return Err(invalid(
                "projection.srb",
                format!("{} boys per girl is not plausible", self.srb),
                "CBS: about 1.05",
            ));
        }
        let bounds = crate::source::sourced::bounds_of("multiplier");
        for (k, m) in &self.multipliers {
            if let Some(x) = m.iter().find(|x| !bounds.holds(**x)) {
                return Err(invalid(
                    &format!("projection.multipliers.{k}"),
                    format!("{x} is outside {}", bounds.text()),
                    "[mortality, fertility, migration], e.g. [0.95, 1.0, 1.2]",
                ));
            }
        }
        if let Some([from, to]) = self.growth_window
            && !(2016 <= from && from < to && to <= 2025)
        {
            return Err(invalid(
                "projection.growth_window",
                format!("[{from}, {to}] is not two years in order within 2016–2025"),
                "growth_window = [2020, 2025] (CBS Gebieden in Nederland covers 2016–2025)",
            ));
        }
        if !matches!(self.control.as_str(), "86040NED" | "85745NED") {
            return Err(invalid(
                "projection.control",
                format!("'{}' is not 86040NED or 85745NED", self.control),
                "control = \"86040NED\" (bands 0–19, 20–64, 65+) or \"85745NED\" (5-year bands × sex)",
            ));
        }
        Ok(())
    }
}
