//! Party definitions: how each party at the table (gemeente, woningcorporatie, zorgaanbieder,
//! zorgkantoor, or any name) counts each group — its ages, sex and criterion — and the count
//! that gives, next to the canonical one, with *why* they differ.
//!
//! Age-based differences are computed exactly from the single-year population; criterion-based
//! ones from a declared ratio (with source) or from an observed count (a registration).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::GroupError;
use super::catalogue::{Catalogue, sexes_of};
use super::crosswalk::{Crosswalk, Window};
use super::demand::AreaGroups;
use super::observed::Observed;
use crate::numbers::{nl_number, signed};
use crate::source::sourced::Param;
use crate::source::sourced::require_sources;
use crate::source::sourced::{parse_toml, read_text};

const HINT: &str = "see examples/definities_delft.toml for the keys a definitions file has";

/// A ratio taken from an observed count: observed(base) / canonical(base).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ObservedRatio {
    pub table: String,
    pub measure: String,
    pub year: u16,
    /// Further measures added to the first (`OverigAdreslozen_28`).
    #[serde(default)]
    pub plus: Vec<String>,
    pub source: String,
}

/// One party's definition of one group.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartyGroup {
    /// The catalogue group it corresponds to.
    pub group: String,
    pub label: String,
    #[serde(default)]
    pub age: Option<[u8; 2]>,
    #[serde(default)]
    pub sex: Option<String>,
    /// The criterion in words (a source column, an indication, a registration).
    #[serde(default)]
    pub criterion: String,
    /// The criterion's count relative to the canonical one.
    #[serde(default)]
    pub ratio: Option<Param>,
    /// Or: the ratio from an observed count in the base year.
    #[serde(default)]
    pub ratio_observed: Option<ObservedRatio>,
    /// The party's own age categories (a partition of its ages).
    #[serde(default)]
    pub categories: Vec<[u8; 2]>,
    /// Where the party's definition comes from.
    pub source: String,
}

/// One party.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    /// gemeente, woningcorporatie, zorgaanbieder, zorgkantoor, or any word.
    pub kind: String,
    #[serde(rename = "group")]
    pub groups: Vec<PartyGroup>,
}

/// A definitions file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Definitions {
    #[serde(skip)]
    pub path: PathBuf,
    pub title: String,
    /// The region compared (gemeente name or code, or a region the registry knows).
    pub region: String,
    #[serde(default)]
    pub years: Vec<u16>,
    #[serde(rename = "party")]
    pub parties: Vec<Party>,
}

impl Definitions {
    pub fn load(path: &Path, catalogue: &Catalogue) -> Result<Definitions, GroupError> {
        let text = read_text(path, "give the path of a definitions TOML")?;
        Definitions::parse(path, &text, catalogue)
    }

    pub fn parse(
        path: &Path,
        text: &str,
        catalogue: &Catalogue,
    ) -> Result<Definitions, GroupError> {
        let raw: toml::Value = parse_toml(path, text, HINT)?;
        if let Some(parties) = raw.get("party") {
            let wrapped = toml::Value::Table(toml::map::Map::from_iter([(
                "party".to_string(),
                parties.clone(),
            )]));
            require_sources(path, &wrapped)?;
        }
        let mut d: Definitions = parse_toml(path, text, HINT)?;
        d.path = path.to_path_buf();
        d.check(catalogue)?;
        Ok(d)
    }

    fn check(&self, catalogue: &Catalogue) -> Result<(), GroupError> {
        let path = &self.path;
        if self.parties.is_empty() {
            return Err(GroupError::invalid(path, "party", "no parties", HINT));
        }
        for (pi, p) in self.parties.iter().enumerate() {
            if self.parties[..pi].iter().any(|o| o.name == p.name) {
                return Err(GroupError::invalid(
                    path,
                    format!("party[{}].name", p.name),
                    format!(
                        "the party '{}' twice: its rows would be written twice",
                        p.name
                    ),
                    "one [[party]] per name, with all its [[party.group]] below it",
                ));
            }
            for (gi, g) in p.groups.iter().enumerate() {
                let key = |k: &str| format!("party[{}].group[{}].{k}", p.name, g.group);
                let Some(cg) = catalogue.group(&g.group) else {
                    return Err(GroupError::invalid(
                        path,
                        key("group"),
                        format!("unknown group '{}'", g.group),
                        format!("groups in the catalogue: {}", catalogue.ids().join(", ")),
                    ));
                };
                if let Some(s) = &g.sex
                    && !matches!(s.as_str(), "M" | "V" | "T")
                {
                    return Err(GroupError::invalid(
                        path,
                        key("sex"),
                        format!("'{s}' is not M, V or T"),
                        "sex = \"M\", \"V\", or leave it out for both",
                    ));
                }
                if (g.age.is_some() || !g.categories.is_empty() || g.sex.is_some())
                    && !cg.has_age_profile()
                {
                    return Err(GroupError::invalid(
                        path,
                        key(if g.age.is_some() { "age" } else { "categories" }),
                        format!(
                            "group '{}' ({}) has no age profile, so its ages cannot be redefined",
                            cg.id,
                            cg.method.label()
                        ),
                        "give a ratio (with its source) for a different criterion instead",
                    ));
                }
                let [lo, hi] = g.age.or(cg.age).unwrap_or([0, 105]);
                if lo > hi || hi > 105 {
                    return Err(GroupError::invalid(
                        path,
                        key("age"),
                        format!("[{lo}, {hi}] is not an age range within 0–105"),
                        "age = [lo, hi], inclusive",
                    ));
                }
                // Categories: within the party's ages, no overlap, no gap.
                let mut cats: Vec<[u8; 2]> = g.categories.clone();
                cats.sort();
                for (i, c) in cats.iter().enumerate() {
                    if c[0] > c[1] || c[0] < lo || c[1] > hi {
                        return Err(GroupError::invalid(
                            path,
                            key("categories"),
                            format!(
                                "[{}, {}] lies outside the party's ages {lo}–{hi}",
                                c[0], c[1]
                            ),
                            "categories split the party's own age range",
                        ));
                    }
                    if i > 0 && c[0] <= cats[i - 1][1] {
                        return Err(GroupError::invalid(
                            path,
                            key("categories"),
                            format!(
                                "overlapping age bands [{}, {}] and [{}, {}]",
                                cats[i - 1][0],
                                cats[i - 1][1],
                                c[0],
                                c[1]
                            ),
                            "each age belongs to one category",
                        ));
                    }
                    if i > 0 && c[0] != cats[i - 1][1] + 1 {
                        return Err(GroupError::invalid(
                            path,
                            key("categories"),
                            format!(
                                "ages {}–{} are in no category",
                                cats[i - 1][1] + 1,
                                c[0] - 1
                            ),
                            "categories must cover the party's ages without gaps",
                        ));
                    }
                }
                if let (Some(f), Some(l)) = (cats.first(), cats.last())
                    && (f[0] != lo || l[1] != hi)
                {
                    return Err(GroupError::invalid(
                        path,
                        key("categories"),
                        format!(
                            "the categories cover {}–{}, the party's ages are {lo}–{hi}",
                            f[0], l[1]
                        ),
                        "categories must cover the party's ages without gaps",
                    ));
                }
                // The same group twice in one party with overlapping ages counts people twice.
                for other in &p.groups[..gi] {
                    if other.group == g.group {
                        let [olo, ohi] = other.age.or(cg.age).unwrap_or([0, 105]);
                        let sexes_meet = sexes_of(other.sex.as_deref())
                            .iter()
                            .any(|s| sexes_of(g.sex.as_deref()).contains(s));
                        if olo <= hi && lo <= ohi && sexes_meet {
                            return Err(GroupError::invalid(
                                path,
                                key("age"),
                                format!(
                                    "overlapping age bands in one party's group: [{olo}, {ohi}] ('{}') and [{lo}, {hi}] ('{}')",
                                    other.label, g.label
                                ),
                                "give each age once per party and group, or split with categories",
                            ));
                        }
                    }
                }
                if g.ratio.is_some() && g.ratio_observed.is_some() {
                    return Err(GroupError::invalid(
                        path,
                        key("ratio"),
                        "both ratio and ratio_observed",
                        "give one of the two",
                    ));
                }
                let bounds = crate::groups::catalogue::bounds_of("ratio");
                if let Some(r) = &g.ratio
                    && !bounds.holds(r.value)
                {
                    return Err(GroupError::invalid(
                        path,
                        key("ratio"),
                        format!("{} is not a ratio: outside {}", r.value, bounds.text()),
                        "ratio = the party's count per canonical count (0.5 = half)",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// One party's count of one group in one year, next to the canonical count.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub party: String,
    pub kind: String,
    pub group: String,
    pub group_label: String,
    pub label: String,
    pub year: u16,
    pub canonical: f64,
    pub count: f64,
    /// count − canonical = age_effect + criterion_effect
    pub age_effect: f64,
    pub criterion_effect: f64,
    pub why: String,
    pub crosswalk: Crosswalk,
    /// (category label, the party's count in it)
    pub categories: Vec<(String, f64)>,
}

fn age_label(lo: u8, hi: u8) -> String {
    if hi >= 105 {
        format!("{lo}+")
    } else {
        format!("{lo}–{hi}")
    }
}

/// Compare every party's definition with the canonical one for an area, in the given years.
pub fn compare(
    defs: &Definitions,
    catalogue: &Catalogue,
    area: &AreaGroups,
    members: &[String],
    observed: &Observed,
    base_year: u16,
    years: &[u16],
) -> Result<Vec<Comparison>, GroupError> {
    let mut out = Vec::new();
    for p in &defs.parties {
        for g in &p.groups {
            let key = format!("party[{}].group[{}]", p.name, g.group);
            let gi = catalogue
                .groups
                .iter()
                .position(|c| c.id == g.group)
                .ok_or_else(|| GroupError::invalid(&defs.path, &key, "unknown group", HINT))?;
            let cg = &catalogue.groups[gi];
            let (ratio, ratio_why) = match (&g.ratio, &g.ratio_observed) {
                (Some(r), _) => (
                    r.value,
                    format!("×{} (bron: {})", nl_ratio(r.value), r.source),
                ),
                (None, Some(o)) => {
                    let mut obs = 0.0;
                    for m in std::iter::once(&o.measure).chain(&o.plus) {
                        let by = observed.by_region(&o.table, m, Some(o.year), None)?;
                        obs += members.iter().filter_map(|c| by.get(c)).sum::<f64>();
                    }
                    let t0 = usize::from(o.year.saturating_sub(base_year));
                    let canon0 = area.gross[gi].get(t0).copied().unwrap_or(0.0);
                    let r = if canon0 > 0.0 { obs / canon0 } else { 0.0 };
                    (
                        r,
                        format!(
                            "×{} = waargenomen {} / canoniek {} in {} (bron: {})",
                            nl_ratio(r),
                            nl_number(obs),
                            nl_number(canon0),
                            o.year,
                            o.source
                        ),
                    )
                }
                (None, None) => (1.0, String::new()),
            };
            for &y in years {
                let Some(t) = y.checked_sub(base_year).map(usize::from) else {
                    continue;
                };
                let Some(&canonical) = area.gross[gi].get(t) else {
                    continue;
                };
                let (clo, chi) = cg.ages();
                let [plo, phi] = g.age.or(cg.age).unwrap_or([0, 105]);
                let canon_w = Window {
                    lo: clo,
                    hi: chi,
                    sexes: cg.sexes(),
                };
                let party_sexes = if g.sex.is_some() {
                    sexes_of(g.sex.as_deref())
                } else {
                    cg.sexes()
                };
                let party_w = Window {
                    lo: usize::from(plo),
                    hi: usize::from(phi),
                    sexes: party_sexes,
                };
                let (crosswalk, in_ages) = match area.profiles[gi].as_ref().and_then(|p| p.get(t)) {
                    Some(profile) => {
                        let cats: Vec<(usize, usize)> = if g.categories.is_empty() {
                            vec![(party_w.lo, party_w.hi)]
                        } else {
                            let mut c: Vec<(usize, usize)> = g
                                .categories
                                .iter()
                                .map(|c| (usize::from(c[0]), usize::from(c[1])))
                                .collect();
                            c.sort();
                            c
                        };
                        let x = Crosswalk::by_age(profile, &canon_w, &party_w, &cats, ratio);
                        let in_ages = super::methods::profile_sum(
                            profile,
                            party_w.lo,
                            party_w.hi,
                            &party_w.sexes,
                        );
                        (x, in_ages)
                    }
                    None => (Crosswalk::by_ratio(canonical, ratio), canonical),
                };
                let count = ratio * in_ages;
                let age_effect = in_ages - crosswalk.canonical;
                let criterion_effect = (ratio - 1.0) * in_ages;
                let mut why = Vec::new();
                if age_effect.abs() >= 0.5 {
                    let sex_note = match g.sex.as_deref() {
                        Some("M") => " (alleen mannen)",
                        Some("V") => " (alleen vrouwen)",
                        _ => "",
                    };
                    why.push(format!(
                        "leeftijd {}{sex_note} i.p.v. {}: {}",
                        age_label(plo, phi),
                        age_label(clo as u8, chi as u8),
                        signed(age_effect)
                    ));
                }
                if (ratio - 1.0).abs() > 1e-12 {
                    let crit = if g.criterion.is_empty() {
                        "ander criterium".to_string()
                    } else {
                        format!("criterium '{}'", g.criterion)
                    };
                    why.push(format!("{crit} {ratio_why}: {}", signed(criterion_effect)));
                }
                if why.is_empty() {
                    why.push("zelfde definitie als canoniek".into());
                }
                let categories = crosswalk
                    .rows
                    .iter()
                    .filter(|r| r.1 == super::crosswalk::Part::Binnen)
                    .map(|r| r.0.clone())
                    .zip(category_counts(
                        &area.profiles[gi],
                        t,
                        &party_w,
                        &g.categories,
                        ratio,
                        count,
                    ))
                    .collect();
                out.push(Comparison {
                    party: p.name.clone(),
                    kind: p.kind.clone(),
                    group: g.group.clone(),
                    group_label: cg.label.clone(),
                    label: g.label.clone(),
                    year: y,
                    canonical,
                    count,
                    age_effect,
                    criterion_effect,
                    why: why.join("; "),
                    crosswalk,
                    categories,
                });
            }
        }
    }
    Ok(out)
}

/// The party's count in each of its categories.
fn category_counts(
    profiles: &Option<Vec<crate::population::grid::Pop>>,
    t: usize,
    party: &Window,
    categories: &[[u8; 2]],
    ratio: f64,
    total: f64,
) -> Vec<f64> {
    let Some(p) = profiles.as_ref().and_then(|p| p.get(t)) else {
        return vec![total];
    };
    if categories.is_empty() {
        return vec![total];
    }
    let mut c = categories.to_vec();
    c.sort();
    c.iter()
        .map(|c| {
            ratio
                * super::methods::profile_sum(p, usize::from(c[0]), usize::from(c[1]), &party.sexes)
        })
        .collect()
}

fn nl_ratio(r: f64) -> String {
    crate::numbers::nl_decimals(r, 3)
}
