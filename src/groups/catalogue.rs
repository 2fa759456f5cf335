//! The group catalogue: which aandachtsgroepen there are, how each is counted, with which
//! parameters — each with its source — and how groups overlap.
//!
//! Format (see data/groups/catalogus.toml):
//!
//! ```toml
//! priority = ["wlz_verpleegzorg", "dementie", "ouderen_65plus"]   # who claims shared persons
//!
//! [[group]]
//! id = "dementie"
//! label = "Ouderen met dementie"
//! method = "prevalentie"          # prevalentie | voorraad_stroom | taakstelling | pad
//! age = [40, 105]
//! source = "..."
//! rate = [{ age = [65, 79], value = 0.0256, source = "..." }]
//!
//! [[overlap]]
//! groups = ["dementie", "wlz_verpleegzorg"]   # the share of the first that is also in the second
//! share = 0.24
//! source = "..."
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::GroupError;
use crate::source::sourced::{Bounds, PARAM_HINT, Param};
pub use crate::source::sourced::{PARAMETER_BOUNDS, Spread};

/// A parameter of a group's method, declared once: its name (in a catalogue group and in a
/// scenario's `[groups.parameters.<group>]`), its key within a group, its admissible range,
/// whether a Monte Carlo draw spreads it, and where it sits in a group. The checks, the hints,
/// the scenario overrides and the draws all read this table: a new parameter is one entry here
/// (and its field in the method's spec).
pub struct GroupParam {
    pub name: &'static str,
    /// The key within a catalogue group (`stock_flow.capaciteit`).
    pub key: &'static str,
    /// The method that takes it (`alle` for every method).
    pub method: &'static str,
    pub bounds: Bounds,
    /// Whether a Monte Carlo draw spreads it (when it has a `spread`).
    pub drawn: bool,
    /// The parameter of a group, where the group's method has it.
    pub get: fn(&Group) -> Option<&Param>,
    pub get_mut: fn(&mut Group) -> Option<&mut Param>,
    /// Set it (a scenario's override); false when the group's method does not take it.
    pub set: fn(&mut Group, Param) -> bool,
}

/// The parameters of the group methods, in the order the Monte Carlo draws take them.
pub static GROUP_PARAMS: &[GroupParam] = &[
    GroupParam {
        name: "trend",
        key: "trend",
        method: "alle",
        bounds: Bounds {
            low: -0.1,
            high: 0.1,
            what: "yearly change of the rates; ±10 % a year is more than any observed trend",
        },
        drawn: true,
        get: |g| g.trend.as_ref(),
        get_mut: |g| g.trend.as_mut(),
        set: |g, p| {
            g.trend = Some(p);
            true
        },
    },
    GroupParam {
        name: "duur",
        key: "stock_flow.duur",
        method: "voorraad_stroom",
        bounds: Bounds {
            low: 0.1,
            high: 30.0,
            what: "mean duration in years",
        },
        drawn: true,
        get: |g| g.stock_flow.as_ref().map(|s| &s.duur),
        get_mut: |g| g.stock_flow.as_mut().map(|s| &mut s.duur),
        set: |g, p| g.stock_flow.as_mut().map(|s| s.duur = p).is_some(),
    },
    GroupParam {
        name: "capaciteit",
        key: "stock_flow.capaciteit",
        method: "voorraad_stroom",
        bounds: Bounds {
            low: 0.0,
            high: 10.0,
            what: "dwellings for uitstroom as a multiple of the base year's uitstroom",
        },
        drawn: true,
        get: |g| g.stock_flow.as_ref().map(|s| &s.capaciteit),
        get_mut: |g| g.stock_flow.as_mut().map(|s| &mut s.capaciteit),
        set: |g, p| g.stock_flow.as_mut().map(|s| s.capaciteit = p).is_some(),
    },
    GroupParam {
        name: "start",
        key: "stock_flow.start",
        method: "voorraad_stroom",
        bounds: Bounds {
            low: 0.0,
            high: 10_000_000.0,
            what: "persons in the stock at the base year",
        },
        drawn: true,
        get: |g| g.stock_flow.as_ref().and_then(|s| s.start.as_ref()),
        get_mut: |g| g.stock_flow.as_mut().and_then(|s| s.start.as_mut()),
        set: |g, p| g.stock_flow.as_mut().map(|s| s.start = Some(p)).is_some(),
    },
    GroupParam {
        name: "later",
        key: "taakstelling.later",
        method: "taakstelling",
        bounds: Bounds {
            low: 0.0,
            high: 1_000_000.0,
            what: "national task per half-year, persons",
        },
        drawn: true,
        get: |g| g.taakstelling.as_ref().map(|t| &t.later),
        get_mut: |g| g.taakstelling.as_mut().map(|t| &mut t.later),
        set: |g, p| g.taakstelling.as_mut().map(|t| t.later = p).is_some(),
    },
    GroupParam {
        name: "achterstand",
        key: "taakstelling.achterstand",
        method: "taakstelling",
        bounds: Bounds {
            low: 0.0,
            high: 1_000_000.0,
            what: "national backlog, persons",
        },
        drawn: true,
        get: |g| g.taakstelling.as_ref().map(|t| &t.achterstand),
        get_mut: |g| g.taakstelling.as_mut().map(|t| &mut t.achterstand),
        set: |g, p| g.taakstelling.as_mut().map(|t| t.achterstand = p).is_some(),
    },
    GroupParam {
        name: "realisatie",
        key: "taakstelling.realisatie",
        method: "taakstelling",
        bounds: Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of task and backlog housed per half-year",
        },
        drawn: true,
        get: |g| g.taakstelling.as_ref().map(|t| &t.realisatie),
        get_mut: |g| g.taakstelling.as_mut().map(|t| &mut t.realisatie),
        set: |g, p| g.taakstelling.as_mut().map(|t| t.realisatie = p).is_some(),
    },
];

/// A group method's parameter by name.
pub fn group_param(name: &str) -> Option<&'static GroupParam> {
    GROUP_PARAMS.iter().find(|p| p.name == name)
}

/// The bounds of a parameter by its name (the last part of its key): a group method's
/// ([`GROUP_PARAMS`]), else the others' ([`crate::source::sourced::bounds_of`]).
pub fn bounds_of(name: &str) -> &'static Bounds {
    let last = name.rsplit('.').next().unwrap_or(name);
    group_param(last).map_or_else(|| crate::source::sourced::bounds_of(name), |p| &p.bounds)
}

/// Which parameters each method takes, for a hint (`voorraad_stroom: trend, duur, …`).
fn params_hint() -> String {
    ["prevalentie", "voorraad_stroom", "taakstelling"]
        .iter()
        .map(|m| {
            let names: Vec<&str> = GROUP_PARAMS
                .iter()
                .filter(|p| p.method == "alle" || p.method == *m)
                .map(|p| p.name)
                .collect();
            format!("{m}: {}", names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
use crate::source::sourced::{SourcedError, parse_sourced, read_text};

const HINT: &str = "see data/groups/catalogus.toml for the keys a group has";

/// How a group is counted.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// population(age, sex) × rate × trend × local calibration
    Prevalentie,
    /// S(t+1) = S(t) + instroom − uitstroom, uitstroom limited by available dwellings
    VoorraadStroom,
    /// national half-year target × population share, backlog rolls over
    Taakstelling,
    /// a given national path (with a range) × a distribution key
    Pad,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Prevalentie => "prevalentie",
            Method::VoorraadStroom => "voorraad-stroom",
            Method::Taakstelling => "taakstelling",
            Method::Pad => "pad",
        }
    }
}

/// An age-specific rate: a band of ages (and optionally one sex, or some regions).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateSpec {
    pub age: [u8; 2],
    #[serde(default)]
    pub sex: Option<String>,
    /// Only these gemeenten (codes); a rate with regions wins over one without.
    #[serde(default)]
    pub regions: Vec<String>,
    pub value: f64,
    pub source: String,
}

/// Rates per single age and sex from a table: numerator / denominator in one year.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateTableSpec {
    pub table: String,
    pub measure: String,
    pub denominator: String,
    pub year: u16,
    pub source: String,
}

/// Rates per gemeente and age band from a table of percentages (85012NED).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegionalRateSpec {
    pub table: String,
    pub measure: String,
    /// Only rows with this category (`Marges=Waarde`).
    #[serde(default)]
    pub category: Option<String>,
    /// Multiplier from the table's unit to a share (0.01 for %).
    pub scale: f64,
    pub source: String,
}

/// Local calibration to an observed count per gemeente (indirect standardisation).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalibrateSpec {
    pub table: String,
    pub measure: String,
    /// The year observed; the population of the base year is used for the expected count.
    pub year: u16,
    /// The ages the observed count covers (defaults to the group's ages).
    #[serde(default)]
    pub age: Option<[u8; 2]>,
    pub source: String,
}

/// Calibration of a set of gemeenten (or all the others) to a known total.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AreaTotalSpec {
    #[serde(default)]
    pub regions: Vec<String>,
    /// All gemeenten not listed in another entry.
    #[serde(default)]
    pub rest: bool,
    pub value: f64,
    pub source: String,
}

/// How a national count is divided over gemeenten.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DistributeSpec {
    /// Share of the population of these ages (projected, so shares move with the population).
    #[serde(default)]
    pub age: Option<[u8; 2]>,
    /// Or: share of an observed count per gemeente (fixed at the observed year).
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub measure: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    pub source: String,
}

/// Stock-flow parameters.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StockFlowSpec {
    /// National stock in the base year (when the group has no rates to give it).
    #[serde(default)]
    pub start: Option<Param>,
    /// Mean duration of stay D (years): desired uitstroom = S / D.
    pub duur: Param,
    /// Dwellings available for uitstroom per year, as a share of the base year's desired
    /// uitstroom (1 = enough to keep up).
    pub capaciteit: Param,
    /// Instroom grows with the population of these ages (default: the group's ages).
    #[serde(default)]
    pub instroom_leeftijd: Option<[u8; 2]>,
    /// Source of the settings without their own (`instroom_leeftijd`).
    #[serde(default)]
    pub source: String,
}

/// One half-year's national target, as published, or marked as not found.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HalfYearTarget {
    /// `2023H1`
    pub period: String,
    /// The published national taakstelling; left out when it was not found (the source says
    /// so), and then `later` applies to the half-year.
    #[serde(default)]
    pub value: Option<f64>,
    /// Statushouders housed nationally in the half-year (the realisation), where published.
    #[serde(default)]
    pub gehuisvest: Option<f64>,
    pub source: String,
}

impl HalfYearTarget {
    /// The half-year, `(2024, 1)`.
    pub fn half(&self) -> Option<(u16, u8)> {
        super::methods::parse_half_year(&self.period)
    }

    /// A figure the user gave (a scenario's own group) rather than a published one: its source
    /// starts with "opgegeven".
    pub fn given(&self) -> bool {
        self.source.trim_start().starts_with("opgegeven")
    }
}

/// Up to which half-year the catalogue holds the published taakstelling, and when that was
/// last checked.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CurrentTo {
    /// The last half-year listed, `2025H2`.
    pub period: String,
    /// `2026-12-06`
    pub checked: String,
    pub source: String,
}

/// Taakstelling parameters.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaakstellingSpec {
    /// Every half-year from the first listed to the last, in order (none left out).
    pub targets: Vec<HalfYearTarget>,
    /// The half-year the model starts (default: the first listed): `achterstand` is the
    /// national backlog at its start; half-years listed before it are history.
    #[serde(default)]
    pub start: Option<String>,
    pub current_to: CurrentTo,
    /// Target of every half-year after the last one listed, and of one listed without a value.
    pub later: Param,
    /// National backlog at the start of the `start` half-year.
    pub achterstand: Param,
    /// Share of (task + backlog) housed in a half-year without a published realisation.
    pub realisatie: Param,
}

impl TaakstellingSpec {
    /// The half-year the model starts.
    pub fn start_half(&self) -> Option<(u16, u8)> {
        match &self.start {
            Some(s) => super::methods::parse_half_year(s),
            None => self.targets.first().and_then(HalfYearTarget::half),
        }
    }

    /// Whether the model runs a listed half-year (it is not history before `start`).
    pub fn modelled(&self, t: &HalfYearTarget) -> bool {
        t.half() >= self.start_half()
    }

    /// The published target and realisation of a half-year, if listed: `(value, gehuisvest)`.
    pub fn listed(&self, half: (u16, u8)) -> Option<(Option<f64>, Option<f64>)> {
        self.targets
            .iter()
            .find(|t| t.half() == Some(half))
            .map(|t| (t.value, t.gehuisvest))
    }

    /// The national half-years the model runs, from the start half-year to the end of
    /// `last_year`: the published target (or `later`), and where the realisation was published
    /// the share of task + backlog it housed. The share is 1 (the nation).
    pub fn national_halves(&self, last_year: u16) -> Vec<super::methods::TaskHalf> {
        let Some(first) = self.start_half() else {
            return Vec::new();
        };
        let mut halves = Vec::new();
        let mut backlog = self.achterstand.value;
        let (mut y, mut h) = first;
        while y <= last_year {
            let (value, housed) = self.listed((y, h)).unwrap_or((None, None));
            let target = value.unwrap_or_else(|| self.later.at(y));
            let due = target + backlog;
            let realised = housed.map(|x| if due > 0.0 { x / due } else { 0.0 });
            backlog = due * (1.0 - realised.unwrap_or_else(|| self.realisatie.at(y)));
            halves.push(super::methods::TaskHalf {
                year: y,
                half: h,
                target,
                share: 1.0,
                realised,
            });
            (y, h) = if h == 1 { (y, 2) } else { (y + 1, 1) };
        }
        halves
    }
}

/// One point of a given path.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PathPoint {
    pub year: u16,
    pub value: f64,
    #[serde(default)]
    pub low: Option<f64>,
    #[serde(default)]
    pub high: Option<f64>,
    pub source: String,
}

/// One group as written in the catalogue.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub label: String,
    pub method: Method,
    /// `personen` or `huishoudens`.
    #[serde(default = "default_unit")]
    pub unit: String,
    /// The canonical ages (inclusive; 105 = 105 and older).
    #[serde(default)]
    pub age: Option<[u8; 2]>,
    /// `M`, `V` or absent (both).
    #[serde(default)]
    pub sex: Option<String>,
    /// The definition, with its source.
    pub source: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub rate: Vec<RateSpec>,
    #[serde(default)]
    pub rate_table: Option<RateTableSpec>,
    #[serde(default)]
    pub regional_rate: Option<RegionalRateSpec>,
    #[serde(default)]
    pub calibrate: Option<CalibrateSpec>,
    #[serde(default)]
    pub calibrate_regions: Vec<AreaTotalSpec>,
    /// Change of the rates per year (0 = beleidsarm, constant rates).
    #[serde(default)]
    pub trend: Option<Param>,
    #[serde(default)]
    pub stock_flow: Option<StockFlowSpec>,
    #[serde(default)]
    pub taakstelling: Option<TaakstellingSpec>,
    #[serde(default)]
    pub path: Vec<PathPoint>,
    #[serde(default)]
    pub distribute: Option<DistributeSpec>,
}

fn default_unit() -> String {
    "personen".into()
}

impl Group {
    /// The canonical ages, or all ages.
    pub fn ages(&self) -> (usize, usize) {
        let [lo, hi] = self.age.unwrap_or([0, 105]);
        (usize::from(lo), usize::from(hi))
    }

    /// The sexes counted (0 = M, 1 = V).
    pub fn sexes(&self) -> Vec<usize> {
        sexes_of(self.sex.as_deref())
    }

    /// Whether the group has a profile by age and sex (so that age ranges can be redefined and
    /// overlaps with age groups computed).
    pub fn has_age_profile(&self) -> bool {
        match self.method {
            Method::Prevalentie => true,
            Method::VoorraadStroom => {
                !self.rate.is_empty() || self.rate_table.is_some() || self.regional_rate.is_some()
            }
            Method::Taakstelling | Method::Pad => false,
        }
    }

    /// A pure population definition: everyone of these ages (and sex) counts.
    pub fn is_population(&self) -> bool {
        self.method == Method::Prevalentie
            && self.rate.is_empty()
            && self.rate_table.is_none()
            && self.regional_rate.is_none()
            && self.calibrate.is_none()
            && self.calibrate_regions.is_empty()
            && self.trend.as_ref().is_none_or(|t| t.value == 0.0)
    }

    /// What is reported for a year: a stock on 1 January or a flow during the year.
    pub fn measure(&self) -> &'static str {
        match self.method {
            Method::Taakstelling => "te huisvesten gedurende het jaar (taak + achterstand)",
            _ => "stand 1 januari",
        }
    }
}

/// 0 = M, 1 = V; `None`/`T` = both.
pub fn sexes_of(sex: Option<&str>) -> Vec<usize> {
    match sex {
        Some("M") => vec![0],
        Some("V") => vec![1],
        _ => vec![0, 1],
    }
}

/// A declared overlap: the share of the first group's members that also belong to the second.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OverlapSpec {
    pub groups: [String; 2],
    pub share: f64,
    /// The group that keeps the shared persons (default: the earlier one in `priority`).
    #[serde(default)]
    pub claimed_by: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    title: String,
    #[serde(default)]
    priority: Vec<String>,
    #[serde(rename = "group")]
    groups: Vec<Group>,
    #[serde(default, rename = "overlap")]
    overlaps: Vec<OverlapSpec>,
}

/// The checked catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    pub path: PathBuf,
    pub title: String,
    pub groups: Vec<Group>,
    pub overlaps: Vec<OverlapSpec>,
    /// The claim order over all groups (priority list, then `claimed_by` edges, then catalogue
    /// order), checked for cycles.
    pub order: Vec<String>,
    /// The priority list as written.
    pub priority: Vec<String>,
}

impl Catalogue {
    pub fn load(path: &Path) -> Result<Catalogue, GroupError> {
        let text = read_text(path, "give the path of a group catalogue TOML")?;
        Catalogue::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Catalogue, GroupError> {
        let f: CatalogueFile = parse_sourced(path, text, HINT)?;
        let c = Catalogue {
            path: path.to_path_buf(),
            title: f.title,
            groups: f.groups,
            overlaps: f.overlaps,
            order: Vec::new(),
            priority: f.priority,
        };
        let priority = c.priority.clone();
        c.check(priority)
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// Replace (same id) or add whole groups from a scenario's `[[groups.group]]`: another
    /// method, other rates, another definition. Errors name the scenario's keys.
    pub fn with_groups(
        mut self,
        groups: &[Group],
        scenario_path: &Path,
    ) -> Result<Catalogue, GroupError> {
        if groups.is_empty() {
            return Ok(self);
        }
        for (i, g) in groups.iter().enumerate() {
            if groups[..i].iter().any(|o| o.id == g.id) {
                return Err(GroupError::invalid(
                    scenario_path,
                    format!("groups.group[{}].id", g.id),
                    format!(
                        "the id '{}' twice: one would silently replace the other",
                        g.id
                    ),
                    "one [[groups.group]] per id (the same id as a catalogue group replaces that group)",
                ));
            }
        }
        let own = Catalogue {
            path: scenario_path.to_path_buf(),
            title: String::new(),
            groups: groups.to_vec(),
            overlaps: Vec::new(),
            order: Vec::new(),
            priority: Vec::new(),
        };
        own.check_values().map_err(|e| match e {
            GroupError::File(SourcedError::Invalid {
                path,
                key,
                message,
                hint,
            }) => GroupError::File(SourcedError::Invalid {
                path,
                key: format!("groups.{key}"),
                message,
                hint,
            }),
            other => other,
        })?;
        for g in groups {
            match self.groups.iter_mut().find(|x| x.id == g.id) {
                Some(x) => *x = g.clone(),
                None => self.groups.push(g.clone()),
            }
        }
        let priority = self.priority.clone();
        self.check(priority)
    }

    /// Apply a scenario's parameter overrides: `group.key` → value with source.
    pub fn with_overrides(
        mut self,
        overrides: &BTreeMap<String, BTreeMap<String, Param>>,
        scenario_path: &Path,
    ) -> Result<Catalogue, GroupError> {
        for (gid, params) in overrides {
            let key0 = format!("groups.parameters.{gid}");
            let Some(g) = self.groups.iter_mut().find(|g| &g.id == gid) else {
                return Err(GroupError::invalid(
                    scenario_path,
                    key0,
                    format!("unknown group '{gid}'"),
                    format!("groups in the catalogue: {}", self.ids().join(", ")),
                ));
            };
            for (k, p) in params {
                let key = format!("{key0}.{k}");
                let label = g.method.label();
                let not_taken = || {
                    GroupError::invalid(
                        scenario_path,
                        &key,
                        format!("'{k}' is not a parameter of group '{gid}' ({label})"),
                        params_hint(),
                    )
                };
                // A parameter the group's method takes, with a source and inside its bounds.
                let Some(param) = group_param(k) else {
                    return Err(not_taken());
                };
                if p.source.trim().is_empty() {
                    return Err(GroupError::invalid(
                        scenario_path,
                        &key,
                        "a number without a source",
                        "add source = \"...\"",
                    ));
                }
                if let Some(problem) = p.problem(&param.bounds) {
                    return Err(GroupError::invalid(
                        scenario_path,
                        &key,
                        problem,
                        PARAM_HINT,
                    ));
                }
                if !(param.set)(g, p.clone()) {
                    return Err(not_taken());
                }
            }
        }
        self.check_values()?;
        Ok(self)
    }

    pub fn ids(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.id.clone()).collect()
    }

    fn check(mut self, priority: Vec<String>) -> Result<Catalogue, GroupError> {
        let path = self.path.clone();
        let mut seen = BTreeSet::new();
        for g in &self.groups {
            if !seen.insert(g.id.clone()) {
                return Err(GroupError::invalid(
                    &path,
                    format!("group[{}].id", g.id),
                    "the same id twice",
                    "every group needs its own id",
                ));
            }
        }
        self.check_values()?;
        for (i, p) in priority.iter().enumerate() {
            if self.group(p).is_none() {
                return Err(GroupError::invalid(
                    &path,
                    format!("priority[{i}]"),
                    format!("unknown group '{p}'"),
                    format!("groups: {}", self.ids().join(", ")),
                ));
            }
        }
        for o in &self.overlaps {
            let key = format!("overlap[{}+{}]", o.groups[0], o.groups[1]);
            for gid in o.groups.iter().chain(o.claimed_by.as_ref()) {
                if self.group(gid).is_none() {
                    return Err(GroupError::invalid(
                        &path,
                        &key,
                        format!("unknown group '{gid}'"),
                        format!("groups: {}", self.ids().join(", ")),
                    ));
                }
            }
            if o.groups[0] == o.groups[1] {
                return Err(GroupError::invalid(
                    &path,
                    &key,
                    "a group cannot overlap with itself",
                    "name two different groups",
                ));
            }
            if !(0.0..=1.0).contains(&o.share) || !o.share.is_finite() {
                return Err(GroupError::invalid(
                    &path,
                    format!("{key}.share"),
                    format!("{} is not a share between 0 and 1", o.share),
                    "share = the fraction of the first group's members also in the second",
                ));
            }
            if let Some(c) = &o.claimed_by
                && !o.groups.contains(c)
            {
                return Err(GroupError::invalid(
                    &path,
                    format!("{key}.claimed_by"),
                    format!("'{c}' is not one of the two groups"),
                    "claimed_by names the group that keeps the shared persons",
                ));
            }
        }
        let ids = self.ids();
        let claims: Vec<(String, String)> = self
            .overlaps
            .iter()
            .filter_map(|o| {
                let c = o.claimed_by.clone()?;
                let other = if o.groups[0] == c {
                    o.groups[1].clone()
                } else {
                    o.groups[0].clone()
                };
                Some((c, other))
            })
            .collect();
        self.order =
            super::overlap::claim_order(&ids, &priority, &claims).map_err(|cycle| {
                GroupError::invalid(
                    &path,
                    "priority / overlap.claimed_by",
                    format!("priority cycle: {}", cycle.join(" → ")),
                    "each pair of groups needs one group that keeps the shared persons; remove one claim",
                )
            })?;
        Ok(self)
    }

    fn check_values(&self) -> Result<(), GroupError> {
        let path = &self.path;
        for g in &self.groups {
            let k = |s: &str| format!("group[{}].{s}", g.id);
            let age_ok = |a: &[u8; 2]| a[0] <= a[1] && a[1] <= 105;
            if let Some(a) = &g.age
                && !age_ok(a)
            {
                return Err(GroupError::invalid(
                    path,
                    k("age"),
                    format!("[{}, {}] is not an age range within 0–105", a[0], a[1]),
                    "age = [lo, hi], inclusive; 105 means 105 and older",
                ));
            }
            if let Some(s) = &g.sex
                && !matches!(s.as_str(), "M" | "V" | "T")
            {
                return Err(GroupError::invalid(
                    path,
                    k("sex"),
                    format!("'{s}' is not M, V or T"),
                    "sex = \"M\", \"V\", or leave it out for both",
                ));
            }
            for (i, r) in g.rate.iter().enumerate() {
                if !age_ok(&r.age) || !(0.0..=1.0).contains(&r.value) {
                    return Err(GroupError::invalid(
                        path,
                        k(&format!("rate[{i}]")),
                        "the age range or the rate (a share 0–1) is not valid",
                        "rate = [{ age = [65, 79], value = 0.025, source = \"...\" }]",
                    ));
                }
            }
            for p in GROUP_PARAMS {
                if let Some(problem) = (p.get)(g).and_then(|v| v.problem(&p.bounds)) {
                    return Err(GroupError::invalid(path, k(p.key), problem, PARAM_HINT));
                }
            }
            let need = |ok: bool, what: &str| -> Result<(), GroupError> {
                if ok {
                    Ok(())
                } else {
                    Err(GroupError::invalid(
                        path,
                        k(what),
                        format!("method {} needs {what}", g.method.label()),
                        HINT,
                    ))
                }
            };
            match g.method {
                Method::Prevalentie => {}
                Method::VoorraadStroom => {
                    need(g.stock_flow.is_some(), "stock_flow")?;
                    if let Some(sf) = &g.stock_flow {
                        need(
                            sf.start.is_some() || g.has_age_profile(),
                            "stock_flow.start (or rates)",
                        )?;
                        if sf.duur.value <= 0.0 || sf.capaciteit.value < 0.0 {
                            return Err(GroupError::invalid(
                                path,
                                k("stock_flow"),
                                "duur must be > 0 and capaciteit ≥ 0",
                                "duur in years; capaciteit as a share of the base year's uitstroom",
                            ));
                        }
                    }
                }
                Method::Taakstelling => {
                    need(g.taakstelling.is_some(), "taakstelling")?;
                    if let Some(t) = &g.taakstelling {
                        check_taakstelling(path, &g.id, t)?;
                        if !(0.0..=1.0).contains(&t.realisatie.value) {
                            return Err(GroupError::invalid(
                                path,
                                k("taakstelling.realisatie"),
                                "not a share between 0 and 1",
                                "realisatie = the share of task + backlog housed each half-year",
                            ));
                        }
                    }
                }
                Method::Pad => need(!g.path.is_empty(), "path")?,
            }
            if matches!(g.method, Method::Pad | Method::Taakstelling)
                || g.stock_flow.as_ref().is_some_and(|s| s.start.is_some())
            {
                need(g.distribute.is_some(), "distribute")?;
            }
        }
        Ok(())
    }
}

/// The taakstelling's half-years: each a half-year, every one from the first listed to the
/// last in order (one not found is listed without a value, its source saying so), `current_to`
/// the last one listed and checked on a date, `start` within the list or just after it.
fn check_taakstelling(path: &Path, id: &str, t: &TaakstellingSpec) -> Result<(), GroupError> {
    use super::methods::parse_half_year;
    let k = |s: &str| format!("group[{id}].taakstelling.{s}");
    let next = |(y, h): (u16, u8)| if h == 1 { (y, 2) } else { (y + 1, 1) };
    let mut prev: Option<(u16, u8)> = None;
    for (i, h) in t.targets.iter().enumerate() {
        let Some(p) = h.half() else {
            return Err(GroupError::invalid(
                path,
                k(&format!("targets[{i}].period")),
                format!("'{}' is not a half-year", h.period),
                "period = \"2023H1\" or \"2023H2\"",
            ));
        };
        if let Some(q) = prev
            && p != next(q)
        {
            let (y, n) = next(q);
            return Err(GroupError::invalid(
                path,
                k(&format!("targets[{i}].period")),
                format!(
                    "{} follows {}H{}: half-year {y}H{n} is missing",
                    h.period, q.0, q.1
                ),
                "list every half-year in order; one whose taakstelling was not found goes in without a value, { period = \"2024H2\", source = \"niet gevonden: …\" }",
            ));
        }
        if h.value.is_some_and(|v| !(v.is_finite() && v >= 0.0))
            || h.gehuisvest.is_some_and(|v| !(v.is_finite() && v >= 0.0))
        {
            return Err(GroupError::invalid(
                path,
                k(&format!("targets[{i}]")),
                "a taakstelling or a number housed below 0",
                "value and gehuisvest are numbers of persons",
            ));
        }
        if h.value.is_none() && h.source.trim().is_empty() {
            return Err(GroupError::invalid(
                path,
                k(&format!("targets[{i}].source")),
                "a half-year without a value needs a source that says why",
                "source = \"niet gevonden: …\"",
            ));
        }
        prev = Some(p);
    }
    let last = t.targets.last().map(|h| h.period.as_str()).unwrap_or("");
    if parse_half_year(&t.current_to.period).is_none() || t.current_to.period != last {
        return Err(GroupError::invalid(
            path,
            k("current_to.period"),
            format!(
                "'{}' is not the last half-year listed ('{last}')",
                t.current_to.period
            ),
            "current_to.period = the last half-year in targets: the catalogue is current up to there",
        ));
    }
    if crate::numbers::dutch_date(&t.current_to.checked).is_none() {
        return Err(GroupError::invalid(
            path,
            k("current_to.checked"),
            format!("'{}' is not a date", t.current_to.checked),
            "checked = \"2026-12-06\", the day the figures were last looked up",
        ));
    }
    if let Some(s) = &t.start {
        let first = t.targets.first().and_then(HalfYearTarget::half);
        let ok = parse_half_year(s)
            .is_some_and(|p| first.is_some_and(|f| p >= f) && prev.is_some_and(|l| p <= next(l)));
        if !ok {
            return Err(GroupError::invalid(
                path,
                k("start"),
                format!("'{s}' is not a half-year listed in targets (or the one after the last)"),
                "start = the half-year whose opening backlog is achterstand, e.g. \"2024H1\"",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Catalogue, GroupError> {
        Catalogue::parse(Path::new("c.toml"), text)
    }

    /// Every entry of GROUP_PARAMS reaches one field of its own: what `set` writes, `get` and
    /// `get_mut` read back, in a group that has every method part; a group without the part
    /// refuses it (but `trend`, which every method takes).
    #[test]
    fn each_group_parameter_reaches_its_own_field() {
        let p = |v: f64| Param {
            value: v,
            source: "aanname: test".into(),
            path: Default::default(),
            spread: None,
        };
        let mut g = parse(TWO).unwrap().groups[0].clone();
        g.stock_flow = Some(StockFlowSpec {
            start: Some(p(10.0)),
            duur: p(2.0),
            capaciteit: p(1.0),
            instroom_leeftijd: None,
            source: String::new(),
        });
        g.taakstelling = Some(TaakstellingSpec {
            targets: Vec::new(),
            start: None,
            current_to: CurrentTo {
                period: String::new(),
                checked: String::new(),
                source: String::new(),
            },
            later: p(1.0),
            achterstand: p(1.0),
            realisatie: p(0.5),
        });
        for (i, gp) in GROUP_PARAMS.iter().enumerate() {
            let v = 0.001 * (i + 1) as f64;
            assert!((gp.set)(&mut g, p(v)), "{}", gp.name);
            assert_eq!((gp.get)(&g).map(|x| x.value), Some(v), "{}", gp.name);
            assert_eq!(
                (gp.get_mut)(&mut g).map(|x| x.value),
                Some(v),
                "{}",
                gp.name
            );
            assert!(gp.bounds.holds(v) || gp.name == "duur", "{}", gp.name);
            assert_eq!(bounds_of(gp.key), &gp.bounds, "{}", gp.key);
        }
        // Each value is still its own after all were set: no two entries share a field.
        for (i, gp) in GROUP_PARAMS.iter().enumerate() {
            assert_eq!((gp.get)(&g).map(|x| x.value), Some(0.001 * (i + 1) as f64));
        }
        let mut bare = g.clone();
        bare.stock_flow = None;
        bare.taakstelling = None;
        for gp in GROUP_PARAMS {
            assert_eq!(
                (gp.set)(&mut bare, p(0.01)),
                gp.name == "trend",
                "{}",
                gp.name
            );
        }
    }

    const TWO: &str = r#"
title = "t"
[[group]]
id = "a"
label = "A"
method = "prevalentie"
age = [65, 105]
source = "definitie"
[[group]]
id = "b"
label = "B"
method = "prevalentie"
age = [75, 105]
source = "definitie"
"#;

    #[test]
    fn order_follows_priority_then_catalogue() {
        let c = parse(&format!("priority = [\"b\"]\n{TWO}")).unwrap();
        assert_eq!(c.order, vec!["b", "a"]);
    }

    #[test]
    fn refuses_share_above_one_and_cycles() {
        let e = parse(&format!(
            "{TWO}[[overlap]]\ngroups = [\"a\", \"b\"]\nshare = 1.2\nsource = \"x\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("overlap[a+b].share"), "{e}");
        let e = parse(&format!(
            "priority = [\"a\", \"b\"]\n{TWO}[[overlap]]\ngroups = [\"a\", \"b\"]\nshare = 0.5\nclaimed_by = \"b\"\nsource = \"x\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("priority cycle"), "{e}");
    }

    /// The catalogue's taakstelling runs on the published figures: 2024 H1 opens with the
    /// backlog of bijna 6.400 and houses the 14.271 published, which leaves the circa 10.900
    /// the minister reported (Aanhangsel Handelingen II 2023/24, nr. 2564).
    #[test]
    fn the_published_realisation_leaves_the_published_backlog() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/groups/catalogus.toml");
        let cat = Catalogue::load(&path).unwrap();
        let g = cat.groups.iter().find(|g| g.id == "statushouders").unwrap();
        let t = g.taakstelling.as_ref().unwrap();
        let halves = t.national_halves(2026);
        assert_eq!((halves[0].year, halves[0].half), (2024, 1));
        assert_eq!(halves.len(), 6);
        let run = super::super::methods::taakstelling(&halves, t.achterstand.value, |y| {
            t.realisatie.at(y)
        });
        assert!((run[0].housed - 14271.0).abs() < 1e-6);
        assert!(
            (run[0].backlog_out - 10900.0).abs() < 50.0,
            "{}",
            run[0].backlog_out
        );
        // 2024 H2 was not found: the assumption; 2025 as published; then the assumption.
        let targets: Vec<f64> = halves.iter().map(|h| h.target).collect();
        assert_eq!(
            targets,
            [
                18750.0,
                t.later.value,
                15000.0,
                13000.0,
                t.later.value,
                t.later.value
            ]
        );
        assert!(halves[1..].iter().all(|h| h.realised.is_none()));
    }

    /// A half-year left out between two listed ones is an error at its key; so is a
    /// `current_to` that is not the last one listed, and a start outside the list.
    #[test]
    fn a_taakstelling_lists_every_half_year_up_to_current_to() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/groups/catalogus.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let line = |p: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(&format!("{{ period = \"{p}\"")))
                .unwrap()
                .to_string()
        };
        let err = |t: String| parse(&t).unwrap_err().to_string();
        let gap = text.replace(&format!("{}\n", line("2024H2")), "");
        assert!(err(gap).contains("half-year 2024H2 is missing"));
        let stale = text.replace(&format!("{}\n", line("2025H2")), "");
        assert!(err(stale).contains("taakstelling.current_to.period"));
        let start = text.replace(
            "taakstelling.start = \"2024H1\"",
            "taakstelling.start = \"2027H1\"",
        );
        assert!(err(start).contains("taakstelling.start"));
        let no_date = text.replace("checked = \"2026-12-06\"", "checked = \"december\"");
        assert!(err(no_date).contains("current_to.checked"));
        assert!(parse(&text).is_ok());
    }
}
