//! Base population per gemeente by age band and sex, on 1 January of the base year.
//!
//! Observed: the gemeente's band totals of 85383NED (maatstaven gemeentefonds, status
//! Definitief): total, <18, <65, 18–44 and 75+ give the disjoint bands 0–17, 18–44, 45–64,
//! 65–74 and 75+ exactly. Not observed per gemeente: the split by sex. It is estimated with the
//! national share of men in each band in the same year (7461bev, single years summed), and
//! every M/V figure is labelled "geschat".

use std::collections::BTreeMap;

use crate::source::codes::period_year;
use crate::source::{Cell, TidyTable};

use super::PopulationError;
use super::grid::OPEN_AGE;
use super::split::BandTotal;

/// An age band `lo..=hi` (hi = None: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AgeBand {
    pub lo: u16,
    pub hi: Option<u16>,
}

impl AgeBand {
    pub fn label(&self) -> String {
        match self.hi {
            Some(h) => format!("{}-{}", self.lo, h),
            None => format!("{}+", self.lo),
        }
    }
    pub fn contains(&self, age: u16) -> bool {
        age >= self.lo && self.hi.is_none_or(|h| age <= h)
    }
}

/// The disjoint bands derivable from 85383NED.
pub const BANDS_85383: [AgeBand; 5] = [
    AgeBand {
        lo: 0,
        hi: Some(17),
    },
    AgeBand {
        lo: 18,
        hi: Some(44),
    },
    AgeBand {
        lo: 45,
        hi: Some(64),
    },
    AgeBand {
        lo: 65,
        hi: Some(74),
    },
    AgeBand { lo: 75, hi: None },
];

/// One cell of the base population.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseBand {
    pub region: String,
    pub region_name: String,
    pub band: AgeBand,
    pub sex: &'static str,
    pub value: f64,
    /// `waargenomen` (CBS figure or exact difference of CBS figures) or `geschat`.
    pub quality: &'static str,
}

/// The base population of a set of gemeenten.
#[derive(Debug, Clone)]
pub struct BasePopulation {
    pub year: u16,
    pub cells: Vec<BaseBand>,
}

/// The sexes of [`BasePopulation::band_totals`], in its order.
pub const BASE_SEXES: [&str; 3] = ["T", "M", "V"];

impl BasePopulation {
    /// Sums over gemeenten for every band of [`BANDS_85383`] (rows) and sex of [`BASE_SEXES`]
    /// (columns): each equal to [`BasePopulation::total`].
    pub fn band_totals(&self, regions: &[String]) -> [[f64; 3]; 5] {
        self.band_totals_of(std::slice::from_ref(&regions))
            .remove(0)
    }

    /// [`BasePopulation::band_totals`] of several sets of gemeenten, the cells indexed by
    /// gemeente once for all of them. Each total adds its cells in the order of `cells`, as
    /// [`BasePopulation::total`] does.
    pub fn band_totals_of<R: AsRef<[String]>>(&self, sets: &[R]) -> Vec<[[f64; 3]; 5]> {
        let mut by_region: std::collections::HashMap<&str, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, c) in self.cells.iter().enumerate() {
            by_region.entry(c.region.as_str()).or_default().push(i);
        }
        let mut cells: Vec<usize> = Vec::new();
        sets.iter()
            .map(|regions| {
                let regions: std::collections::BTreeSet<&str> =
                    regions.as_ref().iter().map(String::as_str).collect();
                cells.clear();
                cells.extend(regions.iter().filter_map(|r| by_region.get(r)).flatten());
                cells.sort_unstable();
                // -0.0 is the start of `Iterator::sum`, so that every total equals `total`'s.
                let mut out = [[-0.0; 3]; 5];
                for c in cells.iter().map(|&i| &self.cells[i]) {
                    if let (Some(b), Some(s)) = (
                        BANDS_85383.iter().position(|b| *b == c.band),
                        BASE_SEXES.iter().position(|s| *s == c.sex),
                    ) {
                        out[b][s] += c.value;
                    }
                }
                out
            })
            .collect()
    }

    /// Sum over gemeenten for one band and sex.
    pub fn total(&self, regions: &[String], band: AgeBand, sex: &str) -> f64 {
        let regions: std::collections::HashSet<&str> = regions.iter().map(String::as_str).collect();
        self.cells
            .iter()
            .filter(|c| c.band == band && c.sex == sex && regions.contains(c.region.as_str()))
            .map(|c| c.value)
            .sum()
    }
}

/// Band totals per gemeente from 85383NED and a national sex split from 7461bev.
///
/// Method: disjoint bands by difference of the published cumulative bands (exact); sex by
/// the national share of men per band in the same year (estimate, "geschat").
pub fn base_population_by_band(
    gemeente_table: &TidyTable,
    national: &TidyTable,
    gemeenten: &[(String, String)],
    year: u16,
) -> Result<BasePopulation, PopulationError> {
    let share_m = national_share_of_men(national, year)?;
    let all_bands = gemeente_bands(gemeente_table, year);
    let mut cells = Vec::new();
    for (code, name) in gemeenten {
        let missing = |what: &str| PopulationError::Missing {
            path: gemeente_table.path.clone(),
            what: format!("{what} of {code} {name} in {year}"),
            hint: format!(
                "use a 85383NED extract with the base year {year} (status Definitief); the file has {}",
                gemeente_table.periods().join(", ")
            ),
        };
        let bands = &all_bands
            .get(code)
            .ok_or_else(|| missing("the band totals"))?
            .1;
        let get = |lo: usize, hi: usize| {
            bands
                .iter()
                .find(|b| b.lo == lo && b.hi == hi)
                .map(|b| b.total)
                .ok_or_else(|| missing(&format!("inwoners {lo}–{hi}")))
        };
        let (total, u18, u65, a18_44, a75) = (
            get(0, OPEN_AGE)?,
            get(0, 17)?,
            get(0, 64)?,
            get(18, 44)?,
            get(75, OPEN_AGE)?,
        );
        let values = [u18, a18_44, u65 - u18 - a18_44, total - u65 - a75, a75];
        for (band, v) in BANDS_85383.iter().zip(values) {
            if v < 0.0 {
                return Err(PopulationError::Inconsistent {
                    path: gemeente_table.path.clone(),
                    region: format!("{code} {name}"),
                    year,
                    message: format!("band {} comes out at {v}", band.label()),
                });
            }
            let m = (v * share_m[&band.label()]).round();
            for (sex, value, quality) in [
                ("T", v, "waargenomen"),
                ("M", m, "geschat"),
                ("V", v - m, "geschat"),
            ] {
                cells.push(BaseBand {
                    region: code.clone(),
                    region_name: name.clone(),
                    band: *band,
                    sex,
                    value,
                    quality,
                });
            }
        }
    }
    Ok(BasePopulation { year, cells })
}

/// The band measures of 85383NED and the (overlapping) ages they cover.
const MEASURES_85383: [(&str, usize, usize); 7] = [
    ("InwonersTotaal_", 0, OPEN_AGE),
    ("InwonersJongerDan18_", 0, 17),
    ("InwonersJongerDan65_", 0, 64),
    ("Inwoners10TotEnMet24Jaar_", 10, 24),
    ("Inwoners15TotEnMet64Jaar_", 15, 64),
    ("Inwoners18TotEnMet44Jaar_", 18, 44),
    ("Inwoners75Plus_", 75, OPEN_AGE),
];

/// Band totals (both sexes) per gemeente on 1 January of `year` from 85383NED (status
/// Definitief): total, <18, <65, 10–24, 15–64, 18–44, 75+. Gemeenten missing any band are left out.
pub fn gemeente_bands(t: &TidyTable, year: u16) -> BTreeMap<String, (String, Vec<BandTotal>)> {
    let mut found: BTreeMap<String, (String, BTreeMap<usize, f64>)> = BTreeMap::new();
    for r in &t.rows {
        if !r.region.starts_with("GM") || period_year(&r.period) != Some(year) {
            continue;
        }
        if r.category_value("StatusCijfer")
            .is_some_and(|s| s != "Definitief")
        {
            continue;
        }
        let Cell::Number(v) = r.value else { continue };
        if let Some(i) = MEASURES_85383
            .iter()
            .position(|(p, _, _)| r.measure.starts_with(p))
        {
            let e = found
                .entry(r.region.clone())
                .or_insert_with(|| (r.region_name.clone(), BTreeMap::new()));
            e.1.insert(i, v);
        }
    }
    found
        .into_iter()
        .filter(|(_, (_, m))| m.len() == MEASURES_85383.len())
        .map(|(code, (name, m))| {
            let bands = m
                .iter()
                .map(|(i, v)| BandTotal {
                    lo: MEASURES_85383[*i].1,
                    hi: MEASURES_85383[*i].2,
                    total: *v,
                })
                .collect();
            (code, (name, bands))
        })
        .collect()
}

/// Men and women in one band, from single-year counts.
fn band_sums(men: &[f64], women: &[f64], band: AgeBand) -> (f64, f64) {
    let sum = |v: &[f64]| {
        v.iter()
            .enumerate()
            .filter(|(a, _)| band.contains(*a as u16))
            .map(|(_, x)| x)
            .sum::<f64>()
    };
    (sum(men), sum(women))
}

/// National share of men per band on 1 January of `year` (7461bev, single ages).
pub fn national_share_of_men(
    national: &TidyTable,
    year: u16,
) -> Result<BTreeMap<String, f64>, PopulationError> {
    let (men, women) = national_by_age(national, year)?;
    let mut out = BTreeMap::new();
    for band in BANDS_85383 {
        let (m, v) = band_sums(&men, &women, band);
        if m + v <= 0.0 {
            return Err(PopulationError::Missing {
                path: national.path.clone(),
                what: format!("men and women aged {} on 1 January {year}", band.label()),
                hint: "the national table must have single ages by sex (M/V) for the base year"
                    .into(),
            });
        }
        out.insert(band.label(), m / (m + v));
    }
    Ok(out)
}

/// National population by single year of age (0..=105, the last open) for men and women on
/// 1 January of `year` (7461bev).
pub fn national_by_age(
    national: &TidyTable,
    year: u16,
) -> Result<(Vec<f64>, Vec<f64>), PopulationError> {
    let pop = super::national::series_by_year(national, "")?
        .remove(&year)
        .unwrap_or_default();
    let (men, women) = (pop.0[0].to_vec(), pop.0[1].to_vec());
    if men.iter().sum::<f64>() <= 0.0 || women.iter().sum::<f64>() <= 0.0 {
        return Err(PopulationError::Missing {
            path: national.path.clone(),
            what: format!("single ages by sex on 1 January {year}"),
            hint: "the national table must have single ages by sex (M/V) for the base year".into(),
        });
    }
    Ok((men, women))
}

/// The national population by band and sex from single years (7461bev): all observed.
pub fn national_base_by_band(
    national: &TidyTable,
    year: u16,
) -> Result<BasePopulation, PopulationError> {
    let (men, women) = national_by_age(national, year)?;
    let mut cells = Vec::new();
    for band in BANDS_85383 {
        let (m, v) = band_sums(&men, &women, band);
        for (sex, value) in [("T", m + v), ("M", m), ("V", v)] {
            cells.push(BaseBand {
                region: "NL01".into(),
                region_name: "Nederland".into(),
                band,
                sex,
                value,
                quality: "waargenomen",
            });
        }
    }
    Ok(BasePopulation { year, cells })
}
