//! The wijk level: the base per wijk from the Kerncijfers wijken en buurten 2024 (CBS 85984NED),
//! the projection per wijk consistent with its gemeente ([`cohort_share_downscale`]), the
//! age-based groups and their dwelling demand per wijk against the wijk's stock, and
//! `tables/wijken.csv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::groups::catalogue::Group;
use crate::output::charts::hbars::{HorizontalBars, draw_hbars};
use crate::output::files::StagedDir;
use crate::output::tables::{Cell, create_csv};
use crate::population::grid::{AGES, OPEN_AGE, Pop};
use crate::population::wijk::{COHORT_WEIGHT, band_shares, cohort_share_downscale, rake_to_totals};
use crate::source::cbs::read_table;

use super::error::RunError;
use super::groups::GroupRun;
use super::prepare::Prepared;

/// The KWB extracts in `data.wijken`.
pub const KWB_WIJKEN: &str = "85984NED_wijken.csv";
pub const KWB_GEMEENTEN: &str = "85984NED_gemeenten.csv";
/// The KWB measures of the five bands, in [`KWB_BANDS`] order.
const BAND_MEASURES: [&str; 5] = [
    "k_0Tot15Jaar_8",
    "k_15Tot25Jaar_9",
    "k_25Tot45Jaar_10",
    "k_45Tot65Jaar_11",
    "k_65JaarOfOuder_12",
];
/// The stand of the KWB extract (1 January).
pub const KWB_YEAR: u16 = 2024;
/// The age-based groups counted per wijk.
pub const WIJK_GROUPS: [&str; 3] = ["ouderen_75plus", "ouderen_85plus", "dementie"];
/// The bands written per wijk: the KWB bands, 65+ split, and the total.
pub const WIJK_BANDS: [(&str, usize, usize); 9] = [
    ("0-14", 0, 14),
    ("15-24", 15, 24),
    ("25-44", 25, 44),
    ("45-64", 45, 64),
    ("65+", 65, OPEN_AGE),
    ("65-74", 65, 74),
    ("75+", 75, OPEN_AGE),
    ("85+", 85, OPEN_AGE),
    ("totaal", 0, OPEN_AGE),
];

/// One wijk of the KWB: code, name, and its measures (a measure CBS left empty is absent).
#[derive(Debug, Clone)]
pub struct KwbWijk {
    pub code: String,
    pub name: String,
    pub values: BTreeMap<String, f64>,
}

impl KwbWijk {
    pub fn get(&self, measure: &str) -> Option<f64> {
        self.values.get(measure).copied()
    }
    fn bands(&self) -> [f64; 5] {
        BAND_MEASURES.map(|m| self.get(m).unwrap_or(0.0))
    }
}

/// The wijken of one gemeente and their projection per variant.
#[derive(Debug, Clone)]
pub struct WijkGemeente {
    pub code: String,
    pub name: String,
    /// The gemeente's inhabitants in KWB 2024 (the wijken add up to it but for rounding to 5).
    pub kwb_total: f64,
    pub wijken: Vec<KwbWijk>,
    /// (variant, `[wijk][t]`) from the base year to the horizon.
    pub projected: Vec<(String, Vec<Vec<Pop>>)>,
}

/// What the wijk level made.
#[derive(Debug, Clone, Default)]
pub struct WijkRun {
    pub gemeenten: Vec<WijkGemeente>,
    /// Gemeenten asked for that KWB 2024 does not cover whole (code, name).
    pub not_covered: Vec<(String, String)>,
    pub inputs: Vec<PathBuf>,
}

/// The KWB wijken per gemeente code.
type WijkenPerGemeente = BTreeMap<String, Vec<KwbWijk>>;

/// The wijken per gemeente code, and each gemeente's KWB total.
fn read_kwb(dir: &Path) -> Result<(WijkenPerGemeente, BTreeMap<String, f64>), RunError> {
    let mut wijken: BTreeMap<String, Vec<KwbWijk>> = BTreeMap::new();
    for t in read_table(&dir.join(KWB_WIJKEN), None)? {
        for r in &t.rows {
            let code = r.region.trim();
            // WK + the gemeente's four digits + two of the wijk.
            let Some(digits) = code.strip_prefix("WK").filter(|d| d.len() == 6) else {
                continue;
            };
            let list = wijken.entry(format!("GM{}", &digits[..4])).or_default();
            if list.last().is_none_or(|w| w.code != code) {
                list.push(KwbWijk {
                    code: code.to_string(),
                    name: r.region_name.trim().to_string(),
                    values: BTreeMap::new(),
                });
            }
            if let (Some(w), Some(v)) = (list.last_mut(), r.number()) {
                w.values.insert(r.measure.clone(), v);
            }
        }
    }
    let mut totals = BTreeMap::new();
    for t in read_table(&dir.join(KWB_GEMEENTEN), None)? {
        for r in t.rows.iter().filter(|r| r.measure == "AantalInwoners_5") {
            if let Some(v) = r.number() {
                totals.insert(r.region.trim().to_string(), v);
            }
        }
    }
    Ok((wijken, totals))
}

/// Whether the KWB holds a gemeente whole: its wijken add up to its total but for rounding
/// (each wijk rounded to 5). The download stops inside Maasdriel, which it holds in part.
fn covers(wijken: &[KwbWijk], total: f64) -> bool {
    let sum: f64 = wijken
        .iter()
        .filter_map(|w| w.get("AantalInwoners_5"))
        .sum();
    !wijken.is_empty() && (sum - total).abs() <= 5.0 * wijken.len() as f64
}

/// The gemeenten whose wijken a run projects: `wijken.gemeenten`, else `regions.gemeenten`,
/// as gemeenten of the run (code, name).
fn wijk_gemeenten(
    prepared: &Prepared,
    asked: &[String],
) -> Result<Vec<(String, String)>, RunError> {
    let (key, list) = if asked.is_empty() {
        (
            "regions.gemeenten",
            &prepared.plan.scenario.regions.gemeenten,
        )
    } else {
        ("wijken.gemeenten", &asked.to_vec())
    };
    list.iter()
        .map(|q| {
            prepared
                .gemeenten
                .iter()
                .find(|(c, n)| c.eq_ignore_ascii_case(q.trim()) || n.eq_ignore_ascii_case(q.trim()))
                .cloned()
                .ok_or_else(|| {
                    prepared
                        .plan
                        .invalid(
                            key,
                            format!("'{q}' is not a gemeente of the run"),
                            "name gemeenten of regions.gemeenten or regions.include",
                        )
                        .into()
                })
        })
        .collect()
}

/// Project the wijken of the asked gemeenten that KWB 2024 covers, for every variant.
pub fn project_wijken(
    prepared: &Prepared,
    asked: &[String],
    dir: &Path,
) -> Result<WijkRun, RunError> {
    let gemeenten = wijk_gemeenten(prepared, asked)?;
    if gemeenten.is_empty() {
        // A run for all gemeenten names none: no wijk level, and nothing read.
        return Ok(WijkRun::default());
    }
    let (mut wijken, totals) = read_kwb(dir)?;
    let mut run = WijkRun {
        inputs: vec![dir.join(KWB_WIJKEN), dir.join(KWB_GEMEENTEN)],
        ..Default::default()
    };
    for (code, name) in gemeenten {
        let list = wijken.remove(&code).unwrap_or_default();
        let total = totals.get(&code).copied().unwrap_or(0.0);
        if !covers(&list, total) {
            run.not_covered.push((code, name));
            continue;
        }
        let shares = band_shares(&list.iter().map(KwbWijk::bands).collect::<Vec<_>>());
        let kwb: Vec<f64> = list
            .iter()
            .map(|w| w.get("AantalInwoners_5").unwrap_or(0.0))
            .collect();
        let kwb_sum: f64 = kwb.iter().sum();
        let projected = prepared
            .variants
            .iter()
            .filter_map(|v| {
                let g = v.gemeenten.as_ref()?;
                let stocks = &g.stocks[g.index_of(&code)?];
                // The wijken keep their KWB inhabitants (scaled to the gemeente's base total,
                // which the KWB's rounding to 5 moves by a few), the gemeente its ages.
                let base = stocks.first()?;
                let totals: Vec<f64> = kwb.iter().map(|t| t * base.total() / kwb_sum).collect();
                let raked = rake_to_totals(&shares, base, &totals);
                Some((
                    v.name.clone(),
                    cohort_share_downscale(stocks, &raked, COHORT_WEIGHT),
                ))
            })
            .collect();
        run.gemeenten.push(WijkGemeente {
            code,
            name,
            kwb_total: total,
            wijken: list,
            projected,
        });
    }
    Ok(run)
}

/// The age × sex weights of a group: its rates by age (and sex) where the catalogue gives
/// them, else one over its ages and sexes.
fn group_weights(g: &Group) -> Pop {
    let mut w = Pop::default();
    let [lo, hi] = g.age.map_or([0, OPEN_AGE as u8], |a| a);
    let sexes: Vec<usize> = match g.sex.as_deref() {
        Some("M") => vec![0],
        Some("V") => vec![1],
        _ => vec![0, 1],
    };
    for &s in &sexes {
        for a in usize::from(lo)..=usize::from(hi).min(OPEN_AGE) {
            w.0[s][a] = 1.0;
        }
    }
    if !g.rate.is_empty() {
        let mut r = Pop::default();
        for spec in g.rate.iter().filter(|r| r.regions.is_empty()) {
            for s in [0, 1] {
                let sex_ok = spec.sex.as_deref().is_none_or(|x| x == ["M", "V"][s]);
                for a in usize::from(spec.age[0])..=usize::from(spec.age[1]).min(AGES - 1) {
                    if sex_ok {
                        r.0[s][a] = spec.value * w.0[s][a];
                    }
                }
            }
        }
        return r;
    }
    w
}

fn weighted(p: &Pop, w: &Pop) -> f64 {
    (0..2)
        .map(|s| (0..AGES).map(|a| p.0[s][a] * w.0[s][a]).sum::<f64>())
        .sum()
}

/// The net dwelling demand of the gemeente per (variant, year, group, dwelling type), from
/// the run's tables/dwellings.csv.
type Demand = BTreeMap<(String, u16, String, String), f64>;

fn read_demand(path: &Path, codes: &[&str]) -> Result<BTreeMap<String, Demand>, RunError> {
    let mut out: BTreeMap<String, Demand> = BTreeMap::new();
    if !path.is_file() {
        return Ok(out);
    }
    let werr = |e: csv::Error| RunError::write(path, std::io::Error::other(e.to_string()));
    let mut r = csv::Reader::from_path(path).map_err(werr)?;
    let h = r.headers().map_err(werr)?.clone();
    let col = |n: &str| h.iter().position(|x| x == n);
    let (Some(v), Some(reg), Some(y), Some(g), Some(t), Some(d)) = (
        col("variant"),
        col("region"),
        col("year"),
        col("group"),
        col("dwelling_type"),
        col("demand_net"),
    ) else {
        return Ok(out);
    };
    for rec in r.records() {
        let rec = rec.map_err(werr)?;
        if !codes.contains(&&rec[reg]) || !WIJK_GROUPS.contains(&&rec[g]) {
            continue;
        }
        if let (Ok(year), Ok(value)) = (rec[y].parse::<u16>(), rec[d].parse::<f64>()) {
            let key = (rec[v].into(), year, rec[g].into(), rec[t].into());
            out.entry(rec[reg].into()).or_default().insert(key, value);
        }
    }
    Ok(out)
}

/// The header of tables/wijken.csv.
pub const WIJK_COLUMNS: [&str; 12] = [
    "scenario",
    "variant",
    "gemeente",
    "gemeente_name",
    "wijk",
    "wijk_name",
    "year",
    "kind",
    "measure",
    "value",
    "status",
    "method",
];

/// The `method` of each row of tables/wijken.csv (explained in the README and the annex).
const M_BASE: &str = "kwb_2024";
const M_BANDS: &str = "cohortaandelen";
const M_SPLIT: &str = "cohortaandelen_65plus_verdeeld";
const M_GROUP: &str = "gemeente_naar_leeftijdsopbouw";
const M_DEMAND: &str = "gemeentevraag_naar_groepsaandeel";
const M_CORP: &str = "kwb_woningen_x_percentage";

/// Write tables/wijken.csv: per wijk and year the bands, the age-based groups, their dwelling
/// demand, and in the base year the KWB counts and stock.
pub fn write_wijken(
    staged: &StagedDir,
    prepared: &Prepared,
    run: &WijkRun,
    groups: Option<&GroupRun>,
) -> Result<Vec<String>, RunError> {
    if run.gemeenten.is_empty() {
        return Ok(Vec::new());
    }
    let path = staged.path("tables/wijken.csv");
    let werr = |e: std::io::Error| RunError::write(&path, e);
    let mut w = create_csv(&path, &WIJK_COLUMNS).map_err(werr)?;
    let scenario = &prepared.plan.scenario;
    let base = scenario.base_year;
    // The wijk groups with their age × sex weights, worked out once.
    let group_list: Vec<(usize, &Group, Pop)> = groups
        .map(|g| {
            g.catalogue
                .groups
                .iter()
                .enumerate()
                .filter(|(_, x)| WIJK_GROUPS.contains(&x.id.as_str()))
                .map(|(gi, x)| (gi, x, group_weights(x)))
                .collect()
        })
        .unwrap_or_default();
    let codes: Vec<&str> = run.gemeenten.iter().map(|g| g.code.as_str()).collect();
    let demands = read_demand(&staged.path("tables/dwellings.csv"), &codes)?;
    let none = Demand::new();
    for gm in &run.gemeenten {
        let demand = demands.get(&gm.code).unwrap_or(&none);
        for (variant, wijken) in &gm.projected {
            let gross = match groups.and_then(|g| g.counts.iter().find(|(v, _)| v == variant)) {
                Some((_, c)) => Some(c.area(std::slice::from_ref(&gm.code))?.gross),
                None => None,
            };
            // Per year the gemeente's weighted sum of each group (the wijken add up to it).
            let wholes: Vec<Vec<f64>> = (0..wijken.first().map_or(0, Vec::len))
                .map(|t| {
                    let mut p = Pop::default();
                    wijken.iter().for_each(|w| p.add(&w[t]));
                    group_list
                        .iter()
                        .map(|(_, _, wt)| weighted(&p, wt))
                        .collect()
                })
                .collect();
            for (wi, kwb) in gm.wijken.iter().enumerate() {
                let mut row = |year: u16,
                               kind: &str,
                               measure: &str,
                               value: f64,
                               status: &str,
                               method: &str| {
                    w.write_cells(
                        &[],
                        0,
                        &[
                            Cell::Text(&scenario.name),
                            Cell::Text(variant),
                            Cell::Text(&gm.code),
                            Cell::Text(&gm.name),
                            Cell::Text(&kwb.code),
                            Cell::Text(&kwb.name),
                            Cell::Text(&year.to_string()),
                            Cell::Text(kind),
                            Cell::Text(measure),
                            Cell::Cents(value),
                            Cell::Text(status),
                            Cell::Text(method),
                        ],
                    )
                };
                if variant == &gm.projected[0].0 {
                    for (m, label) in KWB_MEASURES {
                        if let Some(v) = kwb.get(m) {
                            row(KWB_YEAR, "kwb", label, v, "waargenomen", M_BASE).map_err(werr)?;
                        }
                    }
                    if let (Some(d), Some(c)) = (
                        kwb.get("Woningvoorraad_35"),
                        kwb.get("InBezitWoningcorporatie_49"),
                    ) {
                        row(
                            KWB_YEAR,
                            "voorraad",
                            "corporatiewoningen",
                            d * c / 100.0,
                            "geschat",
                            M_CORP,
                        )
                        .map_err(werr)?;
                    }
                }
                for (t, p) in wijken[wi].iter().enumerate() {
                    let year = base + t as u16;
                    for (label, lo, hi) in WIJK_BANDS {
                        let split = matches!(label, "65-74" | "75+" | "85+");
                        let method = if split { M_SPLIT } else { M_BANDS };
                        row(year, "leeftijd", label, p.band(lo, hi), "geschat", method)
                            .map_err(werr)?;
                    }
                    let Some(gross) = &gross else { continue };
                    let mut shares = BTreeMap::new();
                    for ((gi, grp, wt), whole) in group_list.iter().zip(&wholes[t]) {
                        let share = if *whole > 0.0 {
                            weighted(p, wt) / whole
                        } else {
                            0.0
                        };
                        shares.insert(grp.id.as_str(), share);
                        let value = share * gross[*gi].get(t).copied().unwrap_or(0.0);
                        row(year, "groep", &grp.id, value, "geschat", M_GROUP).map_err(werr)?;
                    }
                    let mut by_type: BTreeMap<&str, f64> = BTreeMap::new();
                    for ((v, y, g, ty), d) in
                        demand.range((variant.clone(), year, String::new(), String::new())..)
                    {
                        if v != variant || *y != year {
                            break;
                        }
                        if ty.starts_with("geclusterd_cbs") {
                            continue;
                        }
                        *by_type.entry(ty.as_str()).or_default() +=
                            d * shares.get(g.as_str()).copied().unwrap_or(0.0);
                    }
                    for (ty, d) in by_type {
                        row(year, "vraag", ty, d, "geschat", M_DEMAND).map_err(werr)?;
                    }
                }
            }
        }
    }
    w.finish().map_err(werr)?;
    Ok(vec!["tables/wijken.csv".into()])
}

/// The KWB measures written for the base year, with their Dutch label.
const KWB_MEASURES: [(&str, &str); 11] = [
    ("AantalInwoners_5", "inwoners"),
    ("k_0Tot15Jaar_8", "0-14"),
    ("k_15Tot25Jaar_9", "15-24"),
    ("k_25Tot45Jaar_10", "25-44"),
    ("k_45Tot65Jaar_11", "45-64"),
    ("k_65JaarOfOuder_12", "65+"),
    ("HuishoudensTotaal_29", "huishoudens"),
    ("Eenpersoonshuishoudens_30", "eenpersoonshuishoudens"),
    ("Woningvoorraad_35", "woningen"),
    ("Koopwoningen_47", "koopwoningen_pct"),
    ("InBezitWoningcorporatie_49", "corporatie_pct"),
];

/// The ranked bar chart of the 75+ per wijk in the base year and the horizon (first variant),
/// one per gemeente: `wijken_75plus_<code>.png/.svg`.
pub fn draw_wijk_charts(
    staged: &StagedDir,
    prepared: &Prepared,
    run: &WijkRun,
) -> Result<Vec<String>, RunError> {
    let s = &prepared.plan.scenario;
    let mut files = Vec::new();
    for gm in &run.gemeenten {
        let Some((variant, wijken)) = gm.projected.first() else {
            continue;
        };
        let at = |w: &Vec<Pop>, t: usize| w.get(t).map_or(0.0, |p| p.band(75, OPEN_AGE));
        let h = usize::from(s.horizon - s.base_year);
        let mut order: Vec<usize> = (0..wijken.len()).collect();
        order.sort_by(|a, b| at(&wijken[*b], h).total_cmp(&at(&wijken[*a], h)));
        let chart = HorizontalBars {
            title: format!("75-plussers per wijk, {}", gm.name),
            subtitle: format!(
                "{} en {}, variant {variant}; gerangschikt naar {}",
                s.base_year, s.horizon, s.horizon
            ),
            source_line: "Bron: CBS 85984NED (Kerncijfers wijken en buurten 2024), 85383NED; bewerking woonzorg (cohortaandelen, docs/METHODS.md §1i)".into(),
            x_label: "inwoners van 75 jaar of ouder".into(),
            categories: order.iter().map(|&i| gm.wijken[i].name.clone()).collect(),
            series: vec![
                (s.base_year.to_string(), order.iter().map(|&i| Some(at(&wijken[i], 0))).collect()),
                (s.horizon.to_string(), order.iter().map(|&i| Some(at(&wijken[i], h))).collect()),
            ],
            reference: None,
        };
        let stem = format!("wijken_75plus_{}", gm.code);
        let (png, svg) = (
            staged.path(&format!("{stem}.png")),
            staged.path(&format!("{stem}.svg")),
        );
        draw_hbars(&chart, &png, &svg)?;
        files.extend([format!("{stem}.png"), format!("{stem}.svg")]);
    }
    Ok(files)
}
