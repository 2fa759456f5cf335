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

use super::{GroupError, parse_sourced, read_text};

const HINT: &str = "see data/groups/catalogus.toml for the keys a group has";

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
            super::methods::path_value(&pts, year)
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
/// these ranges are declared. The key is the parameter's own name (the last part of its key).
pub const PARAMETER_BOUNDS: &[(&str, Bounds)] = &[
    // Groups (data/groups/catalogus.toml, [groups.parameters.<group>]).
    (
        "trend",
        Bounds {
            low: -0.1,
            high: 0.1,
            what: "yearly change of the rates; ±10 % a year is more than any observed trend",
        },
    ),
    (
        "duur",
        Bounds {
            low: 0.1,
            high: 30.0,
            what: "mean duration in years",
        },
    ),
    (
        "capaciteit",
        Bounds {
            low: 0.0,
            high: 10.0,
            what: "dwellings for uitstroom as a multiple of the base year's uitstroom",
        },
    ),
    (
        "start",
        Bounds {
            low: 0.0,
            high: 10_000_000.0,
            what: "persons in the stock at the base year",
        },
    ),
    (
        "realisatie",
        Bounds {
            low: 0.0,
            high: 1.0,
            what: "share of task and backlog housed per half-year",
        },
    ),
    (
        "later",
        Bounds {
            low: 0.0,
            high: 1_000_000.0,
            what: "national task per half-year, persons",
        },
    ),
    (
        "achterstand",
        Bounds {
            low: 0.0,
            high: 1_000_000.0,
            what: "national backlog, persons",
        },
    ),
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
const PARAM_HINT: &str = "spread = { normal = 0.1 } (sd ≥ 0), { lognormal = 0.1 }, { triangular = [low, high] } around the value, or { uniform = [low, high] }";

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

/// One half-year's national target.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HalfYearTarget {
    /// `2023H1`
    pub period: String,
    pub value: f64,
    pub source: String,
}

/// Taakstelling parameters.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaakstellingSpec {
    pub targets: Vec<HalfYearTarget>,
    /// Target of every half-year after the last one listed.
    pub later: Param,
    /// National backlog at the start of the first half-year listed.
    pub achterstand: Param,
    /// Share of (task + backlog) housed in a half-year.
    pub realisatie: Param,
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
            GroupError::Invalid {
                path,
                key,
                message,
                hint,
            } => GroupError::Invalid {
                path,
                key: format!("groups.{key}"),
                message,
                hint,
            },
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
                // A parameter the group has, with a source and inside its bounds.
                let checked = || -> Result<Param, GroupError> {
                    if p.source.trim().is_empty() {
                        return Err(GroupError::invalid(
                            scenario_path,
                            &key,
                            "a number without a source",
                            "add source = \"...\"",
                        ));
                    }
                    match p.problem(bounds_of(k)) {
                        Some(problem) => Err(GroupError::invalid(
                            scenario_path,
                            &key,
                            problem,
                            PARAM_HINT,
                        )),
                        None => Ok(p.clone()),
                    }
                };
                let sf = g.stock_flow.as_mut();
                match (k.as_str(), sf) {
                    ("trend", _) => g.trend = Some(checked()?),
                    ("duur", Some(sf)) => sf.duur = checked()?,
                    ("capaciteit", Some(sf)) => sf.capaciteit = checked()?,
                    ("start", Some(sf)) => sf.start = Some(checked()?),
                    ("realisatie", _) if g.taakstelling.is_some() => {
                        if let Some(t) = g.taakstelling.as_mut() {
                            t.realisatie = checked()?;
                        }
                    }
                    ("later", _) if g.taakstelling.is_some() => {
                        if let Some(t) = g.taakstelling.as_mut() {
                            t.later = checked()?;
                        }
                    }
                    _ => {
                        return Err(GroupError::invalid(
                            scenario_path,
                            key,
                            format!(
                                "'{k}' is not a parameter of group '{gid}' ({})",
                                g.method.label()
                            ),
                            "prevalentie: trend; voorraad_stroom: trend, duur, capaciteit, start; taakstelling: realisatie, later",
                        ));
                    }
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
            let params = [
                ("trend", g.trend.as_ref()),
                ("stock_flow.duur", g.stock_flow.as_ref().map(|s| &s.duur)),
                (
                    "stock_flow.capaciteit",
                    g.stock_flow.as_ref().map(|s| &s.capaciteit),
                ),
                (
                    "stock_flow.start",
                    g.stock_flow.as_ref().and_then(|s| s.start.as_ref()),
                ),
                (
                    "taakstelling.realisatie",
                    g.taakstelling.as_ref().map(|t| &t.realisatie),
                ),
                (
                    "taakstelling.later",
                    g.taakstelling.as_ref().map(|t| &t.later),
                ),
                (
                    "taakstelling.achterstand",
                    g.taakstelling.as_ref().map(|t| &t.achterstand),
                ),
            ];
            for (name, p) in params {
                if let Some(problem) = p.and_then(|p| p.problem(bounds_of(name))) {
                    return Err(GroupError::invalid(path, k(name), problem, PARAM_HINT));
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
                        for (i, h) in t.targets.iter().enumerate() {
                            if super::methods::parse_half_year(&h.period).is_none() {
                                return Err(GroupError::invalid(
                                    path,
                                    k(&format!("taakstelling.targets[{i}].period")),
                                    format!("'{}' is not a half-year", h.period),
                                    "period = \"2023H1\" or \"2023H2\"",
                                ));
                            }
                        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Catalogue, GroupError> {
        Catalogue::parse(Path::new("c.toml"), text)
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
}
