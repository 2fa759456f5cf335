//! Policy checks: rules a scenario sets, evaluated on every run and reported as met or not met
//! with the figures.

use serde::{Deserialize, Serialize};

/// A rule as written in the scenario (`[[housing.policy]]`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    pub id: String,
    pub label: String,
    /// `aandeel_nieuwbouw`: share of the pipeline's additions in `segments` ≥ threshold;
    /// `opgave_aandeel`: the pipeline's additions of `dwelling_type` ≥ the region's part of a
    /// national target (its share of the national `group` in the base year).
    pub kind: String,
    #[serde(default)]
    pub segments: Vec<String>,
    #[serde(default)]
    pub threshold: Option<f64>,
    #[serde(default)]
    pub dwelling_type: Option<String>,
    #[serde(default)]
    pub national_target: Option<f64>,
    #[serde(default)]
    pub group: Option<String>,
    /// Last year counted (additions from the base year up to and including it).
    pub until: u16,
    pub source: String,
}

/// The outcome of one rule for one region.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResult {
    pub id: String,
    pub label: String,
    pub value: f64,
    pub threshold: f64,
    /// `None` when there is nothing to judge (no additions planned).
    pub met: Option<bool>,
    pub detail: String,
}

/// **Share of new supply in segments**: Σ additions in `segments` ÷ Σ all additions ≥ threshold.
pub fn share_rule(
    rule: &PolicyRule,
    additions: &std::collections::BTreeMap<String, f64>,
) -> PolicyResult {
    let total: f64 = additions.values().sum();
    let part: f64 = rule.segments.iter().filter_map(|s| additions.get(s)).sum();
    let threshold = rule.threshold.unwrap_or(0.0);
    let value = if total > 0.0 { part / total } else { 0.0 };
    PolicyResult {
        id: rule.id.clone(),
        label: rule.label.clone(),
        value,
        threshold,
        met: (total > 0.0).then_some(value >= threshold - 1e-12),
        detail: format!(
            "{} van {} toegevoegde woningen in {}",
            crate::numbers::nl_number(part),
            crate::numbers::nl_number(total),
            rule.segments.join(" + ")
        ),
    }
}

/// **Region's part of a national target**: target × the region's share of the national group;
/// met when the planned additions reach it.
pub fn target_rule(rule: &PolicyRule, region_share: f64, additions: f64) -> PolicyResult {
    let target = rule.national_target.unwrap_or(0.0) * region_share;
    PolicyResult {
        id: rule.id.clone(),
        label: rule.label.clone(),
        value: additions,
        threshold: target,
        met: Some(additions >= target),
        detail: format!(
            "{} gepland t.o.v. {} (aandeel {} % van {} landelijk)",
            crate::numbers::nl_number(additions),
            crate::numbers::nl_number(target),
            crate::numbers::nl_decimals(region_share * 100.0, 2),
            crate::numbers::nl_number(rule.national_target.unwrap_or(0.0))
        ),
    }
}
