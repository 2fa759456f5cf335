//! Roll-ups: which gemeenten belong to a region (province, COROP, zorgkantoorregio,
//! centrumgemeente BW/MO, GGD-regio, arbeidsmarktregio, …) in a year, and user-defined
//! regions from TOML (e.g. the seeds' Beverwijk + Heemskerk).

use std::path::Path;

use serde::Deserialize;

use super::error::GeoError;
use super::registry::{Gemeente, Registry, classification_name};

/// A region a user defines: a name and its member gemeenten (codes or names).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OwnRegion {
    pub name: String,
    pub members: Vec<String>,
    /// Where the grouping comes from (a covenant, a woonzorgvisie, "aanname: …").
    pub source: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OwnRegionsFile {
    #[serde(default)]
    pub region: Vec<OwnRegion>,
}

/// Read user-defined regions: `[[region]] name = "…", members = ["GM0375", "Heemskerk"], source = "…"`.
pub fn load_own_regions(path: &Path) -> Result<Vec<OwnRegion>, GeoError> {
    let text = crate::source::text::read_toml_text(path)?;
    let f: OwnRegionsFile = toml::from_str(&text).map_err(|e| GeoError::OwnRegions {
        path: path.to_path_buf(),
        key: match crate::source::sourced::error_line(&text, &e) {
            0 => String::new(),
            line => format!("line {line}"),
        },
        message: e.message().to_string(),
        hint: "each [[region]] has name, members (codes or names) and source".into(),
    })?;
    let invalid = |name: &str, field: &str, message: String, hint: &str| GeoError::OwnRegions {
        path: path.to_path_buf(),
        key: format!("region[{name}].{field}"),
        message,
        hint: hint.into(),
    };
    for (i, r) in f.region.iter().enumerate() {
        if r.name.trim().is_empty() {
            return Err(invalid(
                &i.to_string(),
                "name",
                "an empty name".into(),
                "name = \"Beverwijk-Heemskerk\"",
            ));
        }
        if f.region[..i]
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(&r.name))
        {
            return Err(invalid(
                &r.name,
                "name",
                format!("the name '{}' is used twice", r.name),
                "give each own region its own name",
            ));
        }
        if r.members.is_empty() {
            return Err(invalid(
                &r.name,
                "members",
                "no members".into(),
                "members = [\"GM0375\", \"Heemskerk\"]",
            ));
        }
        if r.source.trim().is_empty() {
            return Err(invalid(
                &r.name,
                "source",
                "a region without a source".into(),
                "where the grouping comes from: a covenant, a woonzorgvisie, or aanname: …",
            ));
        }
    }
    Ok(f.region)
}

/// Check that every member of every own region is a gemeente of `year` (a code or a name);
/// a merged gemeente is named with its successor and date.
pub fn check_own_regions(
    registry: &Registry,
    path: &Path,
    regions: &[OwnRegion],
    year: u16,
) -> Result<(), GeoError> {
    let ind = registry.year(year)?;
    for r in regions {
        // A name that is already a code or a gemeente's name would make `report` ambiguous.
        let clash = if crate::source::codes::is_region_code(&r.name) {
            Some("a CBS region code".to_string())
        } else {
            registry
                .resolve_name(&r.name, Some(year))
                .map(|code| format!("the name of {code} in {year}"))
        };
        if let Some(what) = clash {
            return Err(GeoError::OwnRegions {
                path: path.to_path_buf(),
                key: format!("region[{}].name", r.name),
                message: format!(
                    "'{}' is {what}: a report would not know which is meant",
                    r.name
                ),
                hint: "give the own region a name of its own, e.g. \"Regio Delft e.o.\"".into(),
            });
        }
        // Each member once: by code or by name, the same gemeente counts once.
        let mut seen: std::collections::BTreeMap<String, &str> = Default::default();
        for m in &r.members {
            let code = if ind.gemeenten.contains_key(m.as_str()) {
                Some(m.clone())
            } else {
                registry
                    .resolve_name(m, Some(year))
                    .filter(|c| ind.gemeenten.contains_key(c))
            };
            if let Some(code) = code {
                if let Some(before) = seen.insert(code.clone(), m) {
                    return Err(GeoError::OwnRegions {
                        path: path.to_path_buf(),
                        key: format!("region[{}].members", r.name),
                        message: format!(
                            "'{m}' and '{before}' are the same gemeente ({code}): it would count twice"
                        ),
                        hint: "list each gemeente once".into(),
                    });
                }
                continue;
            }
            let (message, hint) = registry.merged_away(m, year).unwrap_or_else(|| {
                (
                    format!("'{m}' is not a gemeente of {year}"),
                    format!("a gemeente code or name from woonzorg regions --year {year}"),
                )
            });
            return Err(GeoError::OwnRegions {
                path: path.to_path_buf(),
                key: format!("region[{}].members", r.name),
                message,
                hint,
            });
        }
    }
    Ok(())
}

/// A region resolved for one year: its code (or own name), name, kind and member gemeenten.
#[derive(Debug, Clone)]
pub struct ResolvedRegion {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub members: Vec<Gemeente>,
}

impl Registry {
    /// The gemeenten of `year` that belong to the region `code` (`ZK…`, `CE…`, `PV…`, …).
    pub fn members(&self, year: u16, code: &str) -> Result<Vec<Gemeente>, GeoError> {
        let ind = self.year(year)?;
        if code.starts_with("GM") {
            return ind
                .gemeenten
                .get(code)
                .map(|g| vec![g.clone()])
                .ok_or_else(|| GeoError::UnknownGemeente {
                    code: code.into(),
                    year,
                    hint: "see `woonzorg regions --year YEAR` for the gemeenten of that year"
                        .into(),
                });
        }
        if code == "NL01" {
            return Ok(ind.gemeenten.values().cloned().collect());
        }
        let prefix = code.get(..2).unwrap_or("");
        Ok(ind
            .gemeenten
            .values()
            .filter(|g| g.member_of.get(prefix).is_some_and(|c| c == code))
            .cloned()
            .collect())
    }

    /// Resolve a region by code, by name (of any classification), or as an own region.
    pub fn find_region(
        &self,
        year: u16,
        query: &str,
        own: &[OwnRegion],
    ) -> Result<ResolvedRegion, GeoError> {
        let ind = self.year(year)?;
        let q = query.trim();
        if let Some(o) = own.iter().find(|o| o.name.eq_ignore_ascii_case(q)) {
            let mut members = Vec::new();
            for m in &o.members {
                let code = if ind.gemeenten.contains_key(m.as_str()) {
                    Some(m.clone())
                } else {
                    self.resolve_name(m, Some(year))
                };
                let g = code
                    .and_then(|c| ind.gemeenten.get(&c).cloned())
                    .ok_or_else(|| GeoError::UnknownRegion {
                        query: m.clone(),
                        year,
                        hint: format!(
                            "member of own region '{}' is not a gemeente of {year}",
                            o.name
                        ),
                    })?;
                members.push(g);
            }
            return Ok(ResolvedRegion {
                code: o.name.clone(),
                name: o.name.clone(),
                kind: "eigen regio".into(),
                members,
            });
        }
        // "zorgkantoorregio Arnhem", "centrumgemeente Hoorn", "provincie Utrecht": kind + name.
        if let Some((prefix, name)) = split_kind(q) {
            let hit = ind
                .region_names
                .iter()
                .find(|(c, n)| c.starts_with(prefix) && n.eq_ignore_ascii_case(name))
                .map(|(c, _)| c.clone());
            let hit = hit.or_else(|| {
                if prefix == "GM" {
                    self.resolve_name(name, Some(year))
                } else {
                    None
                }
            });
            if let Some(code) = hit {
                return self.find_region(year, &code, &[]);
            }
            return Err(GeoError::UnknownRegion {
                query: q.into(),
                year,
                hint: format!(
                    "no {} named '{name}' in {year}",
                    classification_name(prefix)
                ),
            });
        }
        let code =
            if q == "NL01" || ind.region_names.contains_key(q) || ind.gemeenten.contains_key(q) {
                Some(q.to_string())
            } else {
                let matches: Vec<&String> = ind
                    .region_names
                    .iter()
                    .filter(|(_, n)| n.eq_ignore_ascii_case(q))
                    .map(|(c, _)| c)
                    .collect();
                match matches.len() {
                    0 => self.resolve_name(q, Some(year)),
                    1 => Some(matches[0].clone()),
                    _ => {
                        // A gemeente name first, then a centrumgemeente, else ambiguous.
                        let pick = matches
                            .iter()
                            .find(|c| c.starts_with("GM"))
                            .or_else(|| matches.iter().find(|c| c.starts_with("CE")));
                        match pick {
                            Some(c) => Some((*c).clone()),
                            None => {
                                return Err(GeoError::UnknownRegion {
                                    query: q.into(),
                                    year,
                                    hint: format!(
                                        "the name is ambiguous; use one of the codes {}",
                                        matches
                                            .iter()
                                            .map(|c| c.as_str())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ),
                                });
                            }
                        }
                    }
                }
            };
        let Some(code) = code else {
            let elsewhere: Vec<String> = self
                .years
                .iter()
                .filter(|(_, ind)| {
                    ind.region_names.contains_key(q) || ind.gemeenten.contains_key(q)
                })
                .map(|(y, _)| y.to_string())
                .collect();
            return Err(GeoError::UnknownRegion {
                query: q.into(),
                year,
                hint: if let Some(m) = self
                    .mergers()
                    .into_iter()
                    .find(|m| m.from == q && m.year <= year)
                {
                    format!(
                        "{q} ({}) went into {} {} on 1 January {}",
                        m.from_name, m.to, m.to_name, m.year
                    )
                } else if elsewhere.is_empty() {
                    let near = self.nearest_names(year, q, 3);
                    let give = "give a code (GM0363, PV27, ZK…, CE…, CR…, GG…, AM…) or a name from `woonzorg regions --year YEAR`";
                    if near.is_empty() {
                        give.into()
                    } else {
                        let names: Vec<String> =
                            near.iter().map(|(c, n)| format!("{n} ({c})")).collect();
                        format!("did you mean {}? Or {give}", names.join(", "))
                    }
                } else {
                    format!(
                        "{q} exists in the indeling of {} only",
                        elsewhere.join(", ")
                    )
                },
            });
        };
        let members = self.members(year, &code)?;
        if members.is_empty() {
            return Err(GeoError::UnknownRegion {
                query: q.into(),
                year,
                hint: format!("no gemeente belongs to {code} in {year}"),
            });
        }
        let prefix = code.get(..2).unwrap_or("").to_string();
        let name = if code == "NL01" {
            "Nederland".to_string()
        } else {
            ind.region_names
                .get(&code)
                .cloned()
                .unwrap_or_else(|| code.clone())
        };
        Ok(ResolvedRegion {
            code,
            name,
            kind: if prefix == "NL" {
                "land".into()
            } else {
                classification_name(&prefix).to_string()
            },
            members,
        })
    }
}

/// Words people put before a region name, and the code prefix each means.
const KIND_WORDS: [(&str, &str); 14] = [
    ("gemeente", "GM"),
    ("provincie", "PV"),
    ("corop", "CR"),
    ("corop-gebied", "CR"),
    ("zorgkantoorregio", "ZK"),
    ("zorgkantoor", "ZK"),
    ("centrumgemeente", "CE"),
    ("ggd", "GG"),
    ("ggd-regio", "GG"),
    ("arbeidsmarktregio", "AM"),
    ("landsdeel", "LD"),
    ("jeugdregio", "JZ"),
    ("veiligheidsregio", "VR"),
    ("regio", ""),
];

/// A query that starts with a kind word: its code prefix and the name,
/// `"zorgkantoorregio Arnhem"` → `("ZK", "Arnhem")`.
pub fn split_kind(q: &str) -> Option<(&'static str, &str)> {
    let (word, rest) = q.split_once(' ')?;
    let w = word.to_lowercase();
    KIND_WORDS
        .iter()
        .find(|(k, p)| *k == w && !p.is_empty())
        .map(|(_, p)| (*p, rest.trim()))
}
