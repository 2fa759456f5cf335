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

impl BasePopulation {
    /// Sum over gemeenten for one band and sex.
    pub fn total(&self, regions: &[String], band: AgeBand, sex: &str) -> f64 {
        self.cells
            .iter()
            .filter(|c| c.band == band && c.sex == sex && regions.contains(&c.region))
            .map(|c| c.value)
            .sum()
    }
}

/// Measures of 85383NED used, by key prefix.
const TOTAL: &str = "InwonersTotaal_";
const UNDER18: &str = "InwonersJongerDan18_";
const UNDER65: &str = "InwonersJongerDan65_";
const A18_44: &str = "Inwoners18TotEnMet44Jaar_";
const A75PLUS: &str = "Inwoners75Plus_";

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
    let mut cells = Vec::new();
    for (code, name) in gemeenten {
        let get = |prefix: &str| -> Result<f64, PopulationError> {
            gemeente_table
                .rows
                .iter()
                .filter(|r| &r.region == code && r.measure.starts_with(prefix) && period_year(&r.period) == Some(year))
                .filter(|r| r.category_value("StatusCijfer").is_none_or(|s| s == "Definitief"))
                .find_map(|r| if let Cell::Number(v) = r.value { Some(v) } else { None })
                .ok_or_else(|| PopulationError::Missing {
                    path: gemeente_table.path.clone(),
                    what: format!("{prefix}… of {code} {name} in {year}"),
                    hint: "use the 85383NED extract of the base year (status Definitief); base year 2024 is complete".into(),
                })
        };
        let (total, u18, u65, a18_44, a75) = (
            get(TOTAL)?,
            get(UNDER18)?,
            get(UNDER65)?,
            get(A18_44)?,
            get(A75PLUS)?,
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

/// National share of men per band on 1 January of `year` (7461bev, single ages).
pub fn national_share_of_men(
    national: &TidyTable,
    year: u16,
) -> Result<BTreeMap<String, f64>, PopulationError> {
    let mut m = BTreeMap::new();
    let mut t = BTreeMap::new();
    for r in &national.rows {
        if period_year(&r.period) != Some(year) || !r.period.ends_with("JJ00") {
            continue;
        }
        let Ok(age) = r.age.trim_end_matches('+').parse::<u16>() else {
            continue;
        };
        let Cell::Number(v) = r.value else { continue };
        for band in BANDS_85383 {
            if band.contains(age) {
                match r.sex.as_str() {
                    "M" => *m.entry(band.label()).or_insert(0.0) += v,
                    "V" => *t.entry(band.label()).or_insert(0.0) += v,
                    _ => {}
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for band in BANDS_85383 {
        let l = band.label();
        let (men, women) = (
            m.get(&l).copied().unwrap_or(0.0),
            t.get(&l).copied().unwrap_or(0.0),
        );
        if men + women <= 0.0 {
            return Err(PopulationError::Missing {
                path: national.path.clone(),
                what: format!("men and women aged {l} on 1 January {year}"),
                hint: "the national table must have single ages by sex (M/V) for the base year"
                    .into(),
            });
        }
        out.insert(l, men / (men + women));
    }
    Ok(out)
}

/// National population by single year of age (0..=105, the last open) for men and women on
/// 1 January of `year` (7461bev).
pub fn national_by_age(
    national: &TidyTable,
    year: u16,
) -> Result<(Vec<f64>, Vec<f64>), PopulationError> {
    let mut men = vec![0.0; 106];
    let mut women = vec![0.0; 106];
    for r in &national.rows {
        if period_year(&r.period) != Some(year) || !r.period.ends_with("JJ00") {
            continue;
        }
        let Ok(age) = r.age.trim_end_matches('+').parse::<usize>() else {
            continue;
        };
        let Cell::Number(v) = r.value else { continue };
        let a = age.min(105);
        match r.sex.as_str() {
            "M" => men[a] += v,
            "V" => women[a] += v,
            _ => {}
        }
    }
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
        let sum = |v: &[f64]| {
            v.iter()
                .enumerate()
                .filter(|(a, _)| band.contains(*a as u16))
                .map(|(_, x)| x)
                .sum::<f64>()
        };
        let (m, v) = (sum(&men), sum(&women));
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
