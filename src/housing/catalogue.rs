//! The housing catalogue: dwelling types, and per aandachtsgroep how persons become dwellings
//! (persons per dwelling, the split over dwelling types, the share that needs sociale huur, the
//! lettings it needs each year) and what care costs whom. Every number carries its source.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::groups::catalogue::Catalogue;
use crate::source::sourced::{Param, SourcedError, parse_sourced, read_text};

const HINT: &str = "see data/housing/woningen.toml for the keys";

/// One dwelling type of the woonzorgvisie.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DwellingType {
    pub id: String,
    pub label: String,
    /// Places for institutional residents, not households (intramuraal, beschermd wonen).
    #[serde(default)]
    pub places: bool,
}

/// A share of a group's dwellings in one type.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TypeShare {
    #[serde(rename = "type")]
    pub dwelling_type: String,
    pub value: f64,
    pub source: String,
}

/// How many persons live in one dwelling of a group.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PersonsPerDwelling {
    /// A fixed number (1 for places).
    #[serde(default)]
    pub value: Option<f64>,
    /// Or: from headship rates by age and sex (households per person in private households,
    /// CBS 37620) applied to the group's age profile.
    #[serde(default)]
    pub headship: bool,
    pub source: String,
}

/// The lettings (toewijzingen) a group needs each year from the social-rent stock.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LettingsSpec {
    /// A flow of the group (`uitstroom`, `gehuisvest`), or absent with `share_per_year`.
    #[serde(default)]
    pub flow: Option<String>,
    /// Or: this share of the group's dwellings needs a letting each year.
    #[serde(default)]
    pub share_per_year: Option<f64>,
    /// Persons per letting (household size of the flow).
    pub persons_per_letting: f64,
    /// At most this share of all lettings goes to the group (a cap; the rest waits).
    #[serde(default)]
    pub cap: Option<f64>,
    pub source: String,
}

/// Housing of one group.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupHousing {
    pub group: String,
    pub persons_per_dwelling: PersonsPerDwelling,
    pub types: Vec<TypeShare>,
    /// Share of the group's households that needs sociale huur (betaalbaarheid).
    pub sociale_huur: Param,
    #[serde(default)]
    pub lettings: Option<LettingsSpec>,
}

/// The cost of a care setting per person-year, and who pays it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CostSpec {
    pub setting: String,
    pub group: String,
    /// `Wmo (gemeente)`, `Wlz (zorgkantoor)`, `Zvw (zorgverzekeraar)`, `corporatie`, …
    pub payer: String,
    /// Share of the group's (net) persons in this setting.
    pub share: f64,
    /// Euro per person-year (price level of the source year).
    pub per_person_year: f64,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct HousingFile {
    title: String,
    #[serde(rename = "type")]
    types: Vec<DwellingType>,
    /// Occupancy of places (intramuraal, beschermd): places = persons / occupancy.
    bezettingsgraad: Param,
    /// Share of geclusterde woningen (RIGO, ≥ 5 units) in complexes of ≥ 12 (CBS 2025).
    geclusterd_cbs: Param,
    /// Social-rent stock as a share of all dwellings (WoningTotaal_36 of 85383NED).
    sociale_huur_aandeel: Param,
    /// Lettings per year as a share of the social-rent stock.
    mutatiegraad: Param,
    /// Above this share of lettings going to aandachtsgroepen, verdringing is flagged.
    verdringing_drempel: Param,
    /// The supply baseline's national anchors ([`crate::housing::baseline`]).
    nultreden_aandeel: Param,
    geclusterd_landelijk: Param,
    standplaatsen_landelijk: Param,
    opvang_aandeel: Param,
    #[serde(rename = "group")]
    groups: Vec<GroupHousing>,
    #[serde(default, rename = "cost")]
    costs: Vec<CostSpec>,
}

/// The checked housing catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct HousingCatalogue {
    pub path: PathBuf,
    pub title: String,
    pub types: Vec<DwellingType>,
    pub occupancy: Param,
    pub geclusterd_cbs: Param,
    pub social_share: Param,
    pub mutatiegraad: Param,
    pub threshold: Param,
    /// Nultreden dwellings as a share of all dwellings (national anchor of the estimate).
    pub nultreden_share: Param,
    /// Geclusterde woningen in Nederland (RIGO monitor), distributed over gemeenten.
    pub geclusterd_national: Param,
    /// Woonwagenstandplaatsen in Nederland, distributed over gemeenten.
    pub standplaatsen_national: Param,
    /// Share of the Wmo clients with verblijf en opvang in (vrouwen)opvang, not beschermd wonen.
    pub opvang_share: Param,
    pub groups: Vec<GroupHousing>,
    pub costs: Vec<CostSpec>,
}

impl HousingCatalogue {
    pub fn load(path: &Path, groups: &Catalogue) -> Result<HousingCatalogue, SourcedError> {
        let text = read_text(path, "give the path of a housing catalogue TOML")?;
        Self::parse(path, &text, groups)
    }

    pub fn parse(
        path: &Path,
        text: &str,
        groups: &Catalogue,
    ) -> Result<HousingCatalogue, SourcedError> {
        let f: HousingFile = parse_sourced(path, text, HINT)?;
        let c = HousingCatalogue {
            path: path.to_path_buf(),
            title: f.title,
            types: f.types,
            occupancy: f.bezettingsgraad,
            geclusterd_cbs: f.geclusterd_cbs,
            social_share: f.sociale_huur_aandeel,
            mutatiegraad: f.mutatiegraad,
            threshold: f.verdringing_drempel,
            nultreden_share: f.nultreden_aandeel,
            geclusterd_national: f.geclusterd_landelijk,
            standplaatsen_national: f.standplaatsen_landelijk,
            opvang_share: f.opvang_aandeel,
            groups: f.groups,
            costs: f.costs,
        };
        c.check(groups)?;
        Ok(c)
    }

    pub fn type_index(&self, id: &str) -> Option<usize> {
        self.types.iter().position(|t| t.id == id)
    }

    fn check(&self, groups: &Catalogue) -> Result<(), SourcedError> {
        let path = &self.path;
        let share = |key: String, v: f64| -> Result<(), SourcedError> {
            if (0.0..=1.0).contains(&v) && v.is_finite() {
                Ok(())
            } else {
                Err(SourcedError::invalid(
                    path,
                    key,
                    format!("{v} is not a share between 0 and 1"),
                    "shares are fractions: 0.3 = 30 %",
                ))
            }
        };
        share("bezettingsgraad".into(), self.occupancy.value)?;
        share("geclusterd_cbs".into(), self.geclusterd_cbs.value)?;
        share("sociale_huur_aandeel".into(), self.social_share.value)?;
        share("mutatiegraad".into(), self.mutatiegraad.value)?;
        share("verdringing_drempel".into(), self.threshold.value)?;
        for (key, p) in [
            ("nultreden_aandeel", &self.nultreden_share),
            ("geclusterd_landelijk", &self.geclusterd_national),
            ("standplaatsen_landelijk", &self.standplaatsen_national),
            ("opvang_aandeel", &self.opvang_share),
        ] {
            if let Some(problem) = p.problem(crate::groups::catalogue::bounds_of(key)) {
                return Err(SourcedError::invalid(
                    path,
                    key,
                    problem,
                    "see data/housing/woningen.toml",
                ));
            }
        }
        if self.occupancy.value <= 0.0 {
            return Err(SourcedError::invalid(
                path,
                "bezettingsgraad",
                "must be above 0",
                "e.g. 0.95",
            ));
        }
        for (i, g) in self.groups.iter().enumerate() {
            let key = |k: &str| format!("group[{}].{k}", g.group);
            let Some(cg) = groups.group(&g.group) else {
                return Err(SourcedError::invalid(
                    path,
                    key("group"),
                    format!("unknown group '{}'", g.group),
                    format!("groups in the catalogue: {}", groups.ids().join(", ")),
                ));
            };
            if self.groups[..i].iter().any(|o| o.group == g.group) {
                return Err(SourcedError::invalid(
                    path,
                    key("group"),
                    "the same group twice",
                    "one entry per group",
                ));
            }
            let ppd = &g.persons_per_dwelling;
            match (ppd.value, ppd.headship) {
                (Some(v), false) if v > 0.0 && v.is_finite() => {}
                (None, true) if cg.has_age_profile() => {}
                (None, true) => {
                    return Err(SourcedError::invalid(
                        path,
                        key("persons_per_dwelling.headship"),
                        format!("group '{}' has no age profile for headship rates", g.group),
                        "give persons_per_dwelling = { value = ..., source = ... }",
                    ));
                }
                _ => {
                    return Err(SourcedError::invalid(
                        path,
                        key("persons_per_dwelling"),
                        "give either value (> 0) or headship = true",
                        "persons_per_dwelling = { value = 1.0, source = \"...\" }",
                    ));
                }
            }
            let mut total = 0.0;
            for t in &g.types {
                if self.type_index(&t.dwelling_type).is_none() {
                    return Err(SourcedError::invalid(
                        path,
                        key(&format!("types[{}]", t.dwelling_type)),
                        format!("unknown dwelling type '{}'", t.dwelling_type),
                        format!(
                            "types: {}",
                            self.types
                                .iter()
                                .map(|t| t.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                share(key(&format!("types[{}]", t.dwelling_type)), t.value)?;
                total += t.value;
            }
            if (total - 1.0).abs() > 1e-9 {
                return Err(SourcedError::invalid(
                    path,
                    key("types"),
                    format!("the shares add up to {total}, not 1"),
                    "every dwelling of the group is of one type",
                ));
            }
            share(key("sociale_huur"), g.sociale_huur.value)?;
            if let Some(l) = &g.lettings {
                let ok_flow = match (&l.flow, l.share_per_year) {
                    (Some(f), None) => {
                        matches!(f.as_str(), "uitstroom" | "gehuisvest" | "instroom")
                    }
                    (None, Some(s)) => (0.0..=1.0).contains(&s),
                    _ => false,
                };
                if !ok_flow || l.persons_per_letting <= 0.0 {
                    return Err(SourcedError::invalid(
                        path,
                        key("lettings"),
                        "give flow (uitstroom, gehuisvest, instroom) or share_per_year, and persons_per_letting > 0",
                        "lettings = { flow = \"uitstroom\", persons_per_letting = 1.0, source = \"...\" }",
                    ));
                }
                if let Some(c) = l.cap {
                    share(key("lettings.cap"), c)?;
                }
            }
        }
        for (i, c) in self.costs.iter().enumerate() {
            let key = format!("cost[{i}]");
            if groups.group(&c.group).is_none() {
                return Err(SourcedError::invalid(
                    path,
                    format!("{key}.group"),
                    format!("unknown group '{}'", c.group),
                    "a group of the catalogue",
                ));
            }
            share(format!("{key}.share"), c.share)?;
            if c.per_person_year < 0.0 || !c.per_person_year.is_finite() {
                return Err(SourcedError::invalid(
                    path,
                    format!("{key}.per_person_year"),
                    "must be ≥ 0",
                    "euro per person-year",
                ));
            }
        }
        Ok(())
    }
}
