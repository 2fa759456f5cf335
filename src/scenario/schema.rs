//! The scenario file. Unknown keys are refused with their path; relative paths are taken
//! from the scenario file's folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use super::error::ScenarioError;

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
    /// The cohort-component projection; without it a run reports the base year only.
    pub projection: Option<ProjectionSettings>,
    /// The aandachtsgroepen: catalogue, observed data, parameter overrides.
    pub groups: Option<GroupSettings>,
    /// Dwellings, supply, pressure, costs, policy checks, verdeelsleutels (needs `groups`).
    pub housing: Option<HousingSettings>,
    /// Monte Carlo draws: how many, the seed, and whether the population is drawn too.
    pub uncertainty: Option<Uncertainty>,
    /// Maps per gemeente (needs `data.boundaries`); drawn with the charts.
    pub maps: Option<MapSettings>,
    /// The wijk level below the gemeente (needs `data.wijken`).
    pub wijken: Option<WijkSettings>,
}

/// The map kinds a run can draw: growth of the 75+ (every gemeente on the map), the tekort per
/// dwelling type and the share of social-rent lettings the aandachtsgroepen need (the
/// gemeenten of the run).
pub const MAP_KINDS: [&str; 3] = ["groei_75plus", "tekort", "sociale_huur"];
/// What a map shows: the run's gemeenten and their neighbours, their provincies, or Nederland.
pub const MAP_EXTENTS: [&str; 3] = ["regio", "provincie", "nederland"];

/// Which maps a run draws.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MapSettings {
    /// Of [`MAP_KINDS`]; all of them when left out.
    #[serde(default = "all_map_kinds")]
    pub kinds: Vec<String>,
    /// One of [`MAP_EXTENTS`]; `regio` when left out.
    #[serde(default = "default_map_extent")]
    pub extent: String,
}

fn all_map_kinds() -> Vec<String> {
    MAP_KINDS.iter().map(|k| k.to_string()).collect()
}
fn default_map_extent() -> String {
    "regio".into()
}

/// The wijk level: the gemeenten whose wijken are projected.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WijkSettings {
    /// Gemeenten by name or code; left out or empty: the gemeenten `regions.gemeenten` names.
    #[serde(default)]
    pub gemeenten: Vec<String>,
}

/// The most Monte Carlo draws a run takes (the scenario's `uncertainty.draws` and `--draws`):
/// their percentiles are kept per area in memory, about 4 bytes × cells × draws (a basis run's
/// area at 100,000 draws: about 0.3 GB; at a billion, terabytes).
pub const MAX_DRAWS: usize = 100_000;

/// Monte Carlo settings (the command line's --draws and --seed win).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    #[serde(default)]
    pub draws: usize,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// `kernprognose`: each draw moves the population between the midden variant and the
    /// laag/hoog variants (67 % bounds) by a standard-normal draw; `geen`: the midden variant.
    #[serde(default = "default_population_spread")]
    pub population: String,
}

fn default_seed() -> u64 {
    20_240_101
}
fn default_population_spread() -> String {
    "geen".into()
}

/// The housing part of a run.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HousingSettings {
    /// The housing catalogue TOML (data/housing/woningen.toml).
    pub catalogue: PathBuf,
    /// Folder with the observed housing tables (85383NED WoningTotaal_36).
    pub data: PathBuf,
    /// Folder with the CBS housing-stock tables the supply baseline is estimated from
    /// (data/supply/: 82900NED, 85035NED, 84839NED); without it, only the user's stock counts.
    #[serde(default)]
    pub stock_data: Option<PathBuf>,
    /// The user's own stock per gemeente and dwelling type, replacing the baseline's figures:
    /// `region,dwelling_type,value,source`.
    pub supply: Option<PathBuf>,
    /// Planned additions and withdrawals: `region,year,dwelling_type,segment,change,source`.
    pub pipeline: Option<PathBuf>,
    /// Supply that is zero on purpose: `GM0503:standplaats`, or `*:opvang` for every gemeente.
    #[serde(default)]
    pub zero_supply: Vec<String>,
    /// Overrides of the catalogue's mutatiegraad, verdringing_drempel, sociale_huur_aandeel,
    /// bezettingsgraad, geclusterd_cbs: name → { value, source }.
    #[serde(default)]
    pub parameters: std::collections::BTreeMap<String, crate::source::sourced::Param>,
    /// Caps per group: at most this share of the lettings goes to the group (the rest waits).
    #[serde(default)]
    pub caps: std::collections::BTreeMap<String, crate::source::sourced::Param>,
    /// Cost settings replacing the catalogue's entry with the same setting and group (a shift
    /// between payers), or added.
    #[serde(default)]
    pub cost: Vec<crate::housing::catalogue::CostSpec>,
    #[serde(default)]
    pub policy: Vec<crate::housing::policy::PolicyRule>,
    #[serde(default)]
    pub verdeel: Vec<VerdeelSpec>,
}

/// A regional opgave divided over the member gemeenten.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VerdeelSpec {
    /// The region (CE, ZK, CR, PV code, or an own region).
    pub region: String,
    pub group: String,
    pub dwelling_type: String,
    /// `bevolking` (population share), `sociale_huur` (social-rent stock), `woningen` (all
    /// dwellings), or `eigen` with `custom`.
    pub key: String,
    /// Own key per gemeente code (with `key = "eigen"`).
    #[serde(default)]
    pub custom: std::collections::BTreeMap<String, f64>,
    pub source: String,
}

/// Which group catalogue a run counts, on which data, with which parameters changed.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupSettings {
    /// The catalogue TOML (data/groups/catalogus.toml).
    pub catalogue: PathBuf,
    /// Folder with the observed tables the catalogue names (tidy CSV by `woonzorg import`).
    pub data: PathBuf,
    /// Per group: parameter → { value, source }: the parameters of its method
    /// ([`crate::groups::catalogue::GROUP_PARAMS`]: trend, duur, capaciteit, start, later,
    /// achterstand, realisatie).
    #[serde(default)]
    pub parameters: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, crate::source::sourced::Param>,
    >,
    /// Whole groups that replace (same id) or extend the catalogue: another method, other rates.
    #[serde(default)]
    pub group: Vec<crate::groups::catalogue::Group>,
}

pub use crate::population::settings::{ExternalForecast, ProjectionSettings};

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
    /// Deaths by single year and sex (37168), for the projection.
    pub national_deaths: Option<PathBuf>,
    /// Births by age of mother (37744ned), for the projection.
    pub births_mother_age: Option<PathBuf>,
    /// Births by sex (37422ned), for the projection.
    pub births_sex: Option<PathBuf>,
    /// Kernprognose kerncijfers (86040NED), for steering and the national constraint.
    pub kernprognose: Option<PathBuf>,
    /// Kernprognose by 5-year band and sex (85745NED), for `projection.control = "85745NED"`.
    pub kernprognose_age_sex: Option<PathBuf>,
    /// Observed single years per gemeente (an 03759ned-style table); gemeenten in it are not
    /// estimated.
    pub gemeente_single_years: Option<PathBuf>,
    /// The gemeente track record the annex shows (the measures of `woonzorg backtest --level
    /// gemeente`, data/backtest/).
    pub track_record: Option<PathBuf>,
    /// The map boundaries (data/geo/: gemeenten_<year>.geojson and provincies_<year>.geojson).
    pub boundaries: Option<PathBuf>,
    /// The Kerncijfers wijken en buurten extracts (data/wijken/: 85984NED_wijken.csv and
    /// 85984NED_gemeenten.csv).
    pub wijken: Option<PathBuf>,
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
    /// Gemeenten or report regions of the run (codes or names) that get an annex of their own
    /// besides the main annex and the report regions' (`bijlage_<code>.html`).
    #[serde(default)]
    pub annexes: Vec<String>,
    /// Project Nederland as a whole (NL01) instead of gemeenten.
    #[serde(default)]
    pub nederland: bool,
}

impl Scenario {
    /// Read a scenario file, with everything it `extends` merged in (see [`super::resolve`]).
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::from_resolved(path, &super::resolve::resolve(path)?)
    }

    /// The scenario of a chain read by [`super::resolve::resolve`]; an error is said at the
    /// file of the chain that writes the key.
    pub fn from_resolved(
        path: &Path,
        r: &super::resolve::Resolved,
    ) -> Result<Scenario, ScenarioError> {
        if r.chain.len() == 1 {
            return Scenario::parse(path, r.text());
        }
        let merged = toml::to_string(&r.table).map_err(|e| ScenarioError::Invalid {
            path: path.to_path_buf(),
            key: "extends".into(),
            message: format!("the merged scenario cannot be written: {e}"),
            hint: "check the values of the scenarios in the chain".into(),
        })?;
        Scenario::parse(path, &merged).map_err(|e| match e {
            // Point at the file of the chain that writes the key, not at the merged text.
            ScenarioError::Toml {
                message,
                hint,
                line: merged_line,
                ..
            } => {
                // The key: named in the message ("unknown key 'a.b'", "key 'a.b': …"), else the
                // key of the merged text's line.
                let named = ["unknown key '", "key '"].iter().find_map(|p| {
                    message
                        .strip_prefix(p)
                        .and_then(|k| k.split('\'').next())
                        .map(str::to_string)
                });
                let key = named.or_else(|| super::resolve::key_at(&merged, merged_line));
                // The file of the chain that writes it (the child first), by its whole dotted
                // key, else by its last part.
                let found = key.as_deref().and_then(|k| {
                    let whole = r.chain.iter().find_map(|f| {
                        (1..=f.text.lines().count())
                            .find(|&l| super::resolve::key_at(&f.text, l).as_deref() == Some(k))
                            .map(|l| (f.path.clone(), l))
                    });
                    let last = k.rsplit('.').next().unwrap_or(k);
                    whole.or_else(|| {
                        r.chain.iter().find_map(|f| {
                            super::resolve::line_of_key(&f.text, last).map(|l| (f.path.clone(), l))
                        })
                    })
                });
                let (file, line) = found.unwrap_or((path.to_path_buf(), 1));
                ScenarioError::Toml {
                    path: file,
                    line,
                    message,
                    hint,
                }
            }
            other => other,
        })
    }

    pub fn parse(path: &Path, text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario =
            toml::from_str(text).map_err(|e| super::resolve::toml_error(path, text, e))?;
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
        if !s.regions.nederland
            && s.regions.gemeenten.is_empty()
            && s.regions.include.is_empty()
            && s.regions.include_own.is_empty()
        {
            return Err(invalid(
                "regions",
                "no gemeenten selected".into(),
                "set regions.gemeenten, regions.include or regions.include_own, or regions.nederland = true",
            ));
        }
        // Each region once: the same one twice would be counted (or reported) twice.
        for (key, list) in [
            ("regions.gemeenten", &s.regions.gemeenten),
            ("regions.include", &s.regions.include),
            ("regions.include_own", &s.regions.include_own),
            ("regions.annexes", &s.regions.annexes),
            ("regions.report", &s.regions.report),
        ] {
            for (i, q) in list.iter().enumerate() {
                if list[..i]
                    .iter()
                    .any(|o| o.trim().eq_ignore_ascii_case(q.trim()))
                {
                    return Err(invalid(
                        key,
                        format!("'{q}' twice"),
                        "list each region once",
                    ));
                }
            }
        }
        if let Some(m) = &s.maps {
            if let Some(k) = m.kinds.iter().find(|k| !MAP_KINDS.contains(&k.as_str())) {
                return Err(invalid(
                    "maps.kinds",
                    format!("'{k}' is not a map kind"),
                    &format!("one or more of {}", MAP_KINDS.join(", ")),
                ));
            }
            if !MAP_EXTENTS.contains(&m.extent.as_str()) {
                return Err(invalid(
                    "maps.extent",
                    format!("'{}' is not a map extent", m.extent),
                    "regio (the run's gemeenten and their neighbours), provincie or nederland",
                ));
            }
            if s.data
                .boundaries
                .as_ref()
                .is_none_or(|p| p.as_os_str().is_empty())
            {
                return Err(invalid(
                    "maps",
                    "maps without boundaries".into(),
                    "set data.boundaries = \"../data/geo\" (woonzorg regions --boundaries)",
                ));
            }
        }
        if s.wijken.is_some()
            && s.data
                .wijken
                .as_ref()
                .is_none_or(|p| p.as_os_str().is_empty())
        {
            return Err(invalid(
                "wijken",
                "a wijk level without the KWB data".into(),
                "set data.wijken = \"../data/wijken\" (Kerncijfers wijken en buurten 2024, data/refresh.sh)",
            ));
        }
        if let Some(u) = &s.uncertainty {
            if u.draws > MAX_DRAWS {
                return Err(invalid(
                    "uncertainty.draws",
                    format!(
                        "{} draws is more than the {MAX_DRAWS} a run can hold",
                        u.draws
                    ),
                    "500 to 1,000 draws give stable 2.5 % and 97.5 % percentiles",
                ));
            }
            if !matches!(u.population.as_str(), "kernprognose" | "geen") {
                return Err(invalid(
                    "uncertainty.population",
                    format!("'{}' is not kernprognose or geen", u.population),
                    "population = \"kernprognose\" (drawn between laag and hoog) or \"geen\"",
                ));
            }
        }
        if let Some(p) = &s.projection {
            p.check().map_err(|e| invalid(&e.key, e.message, e.hint))?;
            let need = [
                (
                    "data.kernprognose_age_sex",
                    p.control != "85745NED" || s.data.kernprognose_age_sex.is_some(),
                ),
                ("data.national_deaths", s.data.national_deaths.is_some()),
                ("data.births_mother_age", s.data.births_mother_age.is_some()),
                ("data.births_sex", s.data.births_sex.is_some()),
                (
                    "data.kernprognose",
                    s.data.kernprognose.is_some() || p.steer == "geen",
                ),
            ];
            if let Some((key, _)) = need.iter().find(|(_, ok)| !ok) {
                return Err(invalid(
                    key,
                    "missing: the projection needs it".into(),
                    "see scenarios/basis.toml",
                ));
            }
        }
        Ok(s)
    }

    /// Every file and folder the scenario reads (resolved), the scenario file first: what an
    /// output folder must neither be, hold, nor lie inside (see
    /// [`crate::output::files::output_target`]).
    pub fn input_paths(&self, scenario_path: &Path) -> Vec<PathBuf> {
        let d = &self.data;
        let mut paths: Vec<&Path> =
            vec![&d.regions, &d.gemeente_population, &d.national_population];
        paths.extend(
            [
                &d.national_deaths,
                &d.births_mother_age,
                &d.births_sex,
                &d.kernprognose,
                &d.kernprognose_age_sex,
                &d.gemeente_single_years,
                &d.track_record,
                &d.boundaries,
                &d.wijken,
                &self.regions.own,
            ]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path),
        );
        if let Some(p) = &self.projection {
            paths.extend(p.overrides.as_deref());
            paths.extend(p.external.iter().map(|e| e.file.as_path()));
        }
        if let Some(g) = &self.groups {
            paths.extend([g.catalogue.as_path(), g.data.as_path()]);
        }
        if let Some(h) = &self.housing {
            paths.extend([h.catalogue.as_path(), h.data.as_path()]);
            paths.extend(h.stock_data.as_deref());
            paths.extend(h.supply.as_deref());
            paths.extend(h.pipeline.as_deref());
        }
        std::iter::once(scenario_path.to_path_buf())
            .chain(
                paths
                    .into_iter()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(|p| Scenario::resolve(scenario_path, p)),
            )
            .collect()
    }

    /// The scenario with every path made absolute against `scenario_path`'s folder (an empty
    /// path, which switches an inherited input off, stays empty).
    pub fn with_absolute_paths(&self, scenario_path: &Path) -> Scenario {
        let at = |p: &mut PathBuf| {
            if !p.as_os_str().is_empty() {
                *p = super::resolve::absolute(&Scenario::resolve(scenario_path, p));
            }
        };
        let mut s = self.clone();
        let d = &mut s.data;
        for p in [
            &mut d.regions,
            &mut d.gemeente_population,
            &mut d.national_population,
        ] {
            at(p);
        }
        for p in [
            &mut d.national_deaths,
            &mut d.births_mother_age,
            &mut d.births_sex,
            &mut d.kernprognose,
            &mut d.kernprognose_age_sex,
            &mut d.gemeente_single_years,
            &mut d.track_record,
            &mut d.boundaries,
            &mut d.wijken,
            &mut s.regions.own,
        ]
        .into_iter()
        .flatten()
        {
            at(p);
        }
        if let Some(p) = &mut s.projection {
            p.overrides.iter_mut().for_each(at);
            p.external.iter_mut().for_each(|e| at(&mut e.file));
        }
        if let Some(g) = &mut s.groups {
            at(&mut g.catalogue);
            at(&mut g.data);
        }
        if let Some(h) = &mut s.housing {
            at(&mut h.catalogue);
            at(&mut h.data);
            h.stock_data.iter_mut().for_each(at);
            h.supply.iter_mut().for_each(at);
            h.pipeline.iter_mut().for_each(at);
        }
        s
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
