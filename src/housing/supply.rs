//! Supply: the current stock per dwelling type and gemeente (CSV), the pipeline of planned
//! additions and withdrawals per year (plancapaciteit), and the gap with the demand.
//!
//! Stock CSV: `region,dwelling_type,value,source` (stand 1 januari of the base year).
//! Pipeline CSV: `region,year,dwelling_type,segment,change,source` (change during the year:
//! positive = added, negative = withdrawn; segment `sociale_huur`, `middenhuur`, `koop`, or
//! `onbekend`).
//!
//! A gemeente × type without a stock row is *missing* — reported, never read as zero — unless
//! the scenario lists it under `zero_supply`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::source::{Pos, SourceError};

/// One row of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineRow {
    pub region: String,
    pub year: u16,
    pub dwelling_type: String,
    pub segment: String,
    pub change: f64,
}

/// Stock and pipeline.
#[derive(Debug, Clone, Default)]
pub struct Supply {
    /// (region, type) → stock on 1 January of the base year.
    pub stock: BTreeMap<(String, String), f64>,
    /// (region, type) pairs whose stock row says it is an example (`voorbeeld` in its source).
    pub example_rows: Vec<(String, String)>,
    pub pipeline: Vec<PipelineRow>,
    /// (region or `*`, type) pairs that are zero on purpose.
    pub zero: Vec<(String, String)>,
    /// The files read, and whether they say they are an example (`voorbeeld` in a source).
    pub files: Vec<PathBuf>,
    pub example: bool,
}

/// The supply of an area for one type in one year.
#[derive(Debug, Clone, PartialEq)]
pub enum AreaSupply {
    Known(f64),
    /// These member gemeenten have no stock row for the type.
    Missing(Vec<String>),
}

fn read_rows(path: &Path, header: &[&str]) -> Result<Vec<(u64, Vec<String>)>, SourceError> {
    let (text, _) = crate::source::text::read_text(path)?;
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let head: Vec<String> = r
        .headers()
        .map_err(|e| {
            SourceError::malformed(
                Pos::line(path, 1),
                e.to_string(),
                "a CSV file with a header row",
            )
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if head != header {
        return Err(SourceError::malformed(
            Pos::line(path, 1),
            format!("header is '{}'", head.join(",")),
            format!("the header must be '{}'", header.join(",")),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| {
            SourceError::malformed(
                Pos::line(path, line),
                e.to_string(),
                "one row per line, fields separated by commas",
            )
        })?;
        out.push((line, rec.iter().map(|s| s.trim().to_string()).collect()));
    }
    Ok(out)
}

fn number(path: &Path, line: u64, field: &str, s: &str) -> Result<f64, SourceError> {
    crate::source::codes::parse_plain_number(s)
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            SourceError::malformed(
                Pos::cell(path, line, field),
                format!("{field} '{s}' is not a number"),
                "a plain number with a decimal point, e.g. 120 or 12.5",
            )
        })
}

fn need_source(path: &Path, line: u64, s: &str) -> Result<(), SourceError> {
    if s.trim().is_empty() {
        return Err(SourceError::malformed(
            Pos::cell(path, line, "source"),
            "a number without a source",
            "fill the source column (table id, report, or aanname: …; `voorbeeld` for example figures)",
        ));
    }
    Ok(())
}

/// What a supply row is checked against besides its own fields.
pub struct SupplyChecks<'a> {
    /// The dwelling type ids of the catalogue.
    pub types: &'a [String],
    /// What is wrong with a region code (message, hint), if anything: stock and pipeline are
    /// per gemeente of the base year.
    pub region: &'a dyn Fn(&str) -> Option<(String, String)>,
    /// The years a pipeline row may fall in (base year to horizon).
    pub years: std::ops::RangeInclusive<u16>,
}

/// A number of dwellings: whole; not negative unless `signed` (a pipeline change, where
/// demolition is negative).
fn dwellings(
    path: &Path,
    line: u64,
    field: &str,
    s: &str,
    signed: bool,
) -> Result<f64, SourceError> {
    let v = number(path, line, field, s)?;
    let problem = if !signed && v < 0.0 {
        "a negative number of dwellings"
    } else if v.fract() != 0.0 {
        "a fractional number of dwellings"
    } else if v.abs() > crate::source::tidy::MAX_COUNT {
        "more dwellings than Nederland has (over 100 million)"
    } else {
        return Ok(v);
    };
    Err(SourceError::malformed(
        Pos::cell(path, line, field),
        format!("{field} {s}: {problem}"),
        if signed {
            "whole dwellings; demolition and withdrawal are negative"
        } else {
            "whole dwellings, zero or more"
        },
    ))
}

impl Supply {
    /// Read the stock CSV (and the pipeline CSV, when given), checked against `checks`.
    pub fn load(
        stock: Option<&Path>,
        pipeline: Option<&Path>,
        zero: &[String],
        checks: &SupplyChecks,
    ) -> Result<Supply, SourceError> {
        let types = checks.types;
        let check_region = |path: &Path, line: u64, code: &str| -> Result<(), SourceError> {
            match (checks.region)(code) {
                None => Ok(()),
                Some((message, hint)) => Err(SourceError::malformed(
                    Pos::cell(path, line, "region"),
                    message,
                    hint,
                )),
            }
        };
        let mut s = Supply::default();
        let check_type = |path: &Path, line: u64, t: &str| -> Result<(), SourceError> {
            if types.iter().any(|x| x == t) {
                Ok(())
            } else {
                Err(SourceError::malformed(
                    Pos::cell(path, line, "dwelling_type"),
                    format!("unknown dwelling type '{t}'"),
                    format!("types: {}", types.join(", ")),
                ))
            }
        };
        if let Some(p) = stock {
            for (line, r) in read_rows(p, &["region", "dwelling_type", "value", "source"])? {
                check_region(p, line, &r[0])?;
                check_type(p, line, &r[1])?;
                let v = dwellings(p, line, "value", &r[2], false)?;
                need_source(p, line, &r[3])?;
                if r[3].to_lowercase().contains("voorbeeld") {
                    s.example = true;
                    s.example_rows.push((r[0].clone(), r[1].clone()));
                }
                if s.stock.insert((r[0].clone(), r[1].clone()), v).is_some() {
                    return Err(SourceError::malformed(
                        Pos::line(p, line),
                        format!("a second row for {} {}", r[0], r[1]),
                        "one row per region and dwelling type",
                    ));
                }
            }
            s.files.push(p.to_path_buf());
        }
        if let Some(p) = pipeline {
            let header = [
                "region",
                "year",
                "dwelling_type",
                "segment",
                "change",
                "source",
            ];
            for (line, r) in read_rows(p, &header)? {
                check_region(p, line, &r[0])?;
                let year = number(p, line, "year", &r[1])?;
                if year.fract() != 0.0 || !checks.years.contains(&(year as u16)) {
                    return Err(SourceError::malformed(
                        Pos::cell(p, line, "year"),
                        format!("year {} is outside the scenario", r[1]),
                        format!(
                            "a year of the scenario, {}–{}",
                            checks.years.start(),
                            checks.years.end()
                        ),
                    ));
                }
                check_type(p, line, &r[2])?;
                if !matches!(
                    r[3].as_str(),
                    "sociale_huur" | "middenhuur" | "koop" | "onbekend"
                ) {
                    return Err(SourceError::malformed(
                        Pos::cell(p, line, "segment"),
                        format!("segment '{}'", r[3]),
                        "sociale_huur, middenhuur, koop or onbekend",
                    ));
                }
                let change = dwellings(p, line, "change", &r[4], true)?;
                need_source(p, line, &r[5])?;
                s.example |= r[5].to_lowercase().contains("voorbeeld");
                s.pipeline.push(PipelineRow {
                    region: r[0].clone(),
                    year: year as u16,
                    dwelling_type: r[2].clone(),
                    segment: r[3].clone(),
                    change,
                });
            }
            s.files.push(p.to_path_buf());
        }
        for z in zero {
            let (r, t) = z.split_once(':').unwrap_or(("*", z.as_str()));
            s.zero.push((r.to_string(), t.to_string()));
        }
        if let Some(p) = pipeline {
            s.check_withdrawals(p)?;
        }
        Ok(s)
    }

    /// Refuse a pipeline that removes more dwellings of a type than a gemeente has: its stock
    /// (or zero on purpose) plus every change up to and including a year may not fall below
    /// zero. Names the pipeline row (1-based line after the header) of the year it does.
    fn check_withdrawals(&self, path: &Path) -> Result<(), SourceError> {
        let mut by_cell: BTreeMap<(&str, &str), Vec<(u16, usize)>> = BTreeMap::new();
        for (i, r) in self.pipeline.iter().enumerate() {
            by_cell
                .entry((r.region.as_str(), r.dwelling_type.as_str()))
                .or_default()
                .push((r.year, i));
        }
        for ((region, t), mut rows) in by_cell {
            let stock = match self.stock.get(&(region.to_string(), t.to_string())) {
                Some(v) => *v,
                None if self.is_zero(region, t) => 0.0,
                // No stock: the supply is reported as missing, whatever the pipeline says.
                None => continue,
            };
            rows.sort();
            let mut total = stock;
            for (k, &(year, i)) in rows.iter().enumerate() {
                total += self.pipeline[i].change;
                let year_done = rows.get(k + 1).is_none_or(|(y, _)| *y != year);
                if year_done && total < 0.0 {
                    return Err(SourceError::malformed(
                        Pos::cell(path, i as u64 + 2, "change"),
                        format!(
                            "removes more {t} dwellings of {region} than there are: a stock of {stock} and the changes up to {year} leave {total}"
                        ),
                        "a withdrawal (sloop, onttrekking) cannot exceed the stock of the type; check the sign and the dwelling type",
                    ));
                }
            }
        }
        Ok(())
    }

    fn is_zero(&self, region: &str, t: &str) -> bool {
        self.zero
            .iter()
            .any(|(r, ty)| (r == "*" || r == region) && ty == t)
    }

    /// Supply of `members` for a type on 1 January of `year` (stock of the base year plus the
    /// pipeline of the years before).
    pub fn area(&self, members: &[String], t: &str, base_year: u16, year: u16) -> AreaSupply {
        let mut total = 0.0;
        let mut missing = Vec::new();
        // The pipeline rows of this type and these years (few), and one key for the lookups.
        let pipeline: Vec<&PipelineRow> = self
            .pipeline
            .iter()
            .filter(|p| p.dwelling_type == t && p.year >= base_year && p.year < year)
            .collect();
        let mut key = (String::new(), t.to_string());
        for m in members {
            key.0.clear();
            key.0.push_str(m);
            match self.stock.get(&key) {
                Some(v) => total += v,
                None if self.is_zero(m, t) => {}
                None => missing.push(m.clone()),
            }
            total += pipeline
                .iter()
                .filter(|p| &p.region == m)
                .map(|p| p.change)
                .sum::<f64>();
        }
        if missing.is_empty() {
            AreaSupply::Known(total)
        } else {
            AreaSupply::Missing(missing)
        }
    }

    /// Whether any member's stock row of the type is an example.
    pub fn is_example(&self, members: &[String], t: &str) -> bool {
        self.example_rows
            .iter()
            .any(|(r, ty)| ty == t && members.contains(r))
    }

    /// Pipeline additions of `members` in years `from..=to`, per segment (withdrawals left out).
    pub fn additions(&self, members: &[String], from: u16, to: u16) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        for p in &self.pipeline {
            if members.contains(&p.region) && (from..=to).contains(&p.year) && p.change > 0.0 {
                *out.entry(p.segment.clone()).or_insert(0.0) += p.change;
            }
        }
        out
    }

    /// Pipeline additions of one type in years `from..=to`.
    pub fn additions_of_type(&self, members: &[String], t: &str, from: u16, to: u16) -> f64 {
        self.pipeline
            .iter()
            .filter(|p| {
                members.contains(&p.region) && p.dwelling_type == t && (from..=to).contains(&p.year)
            })
            .map(|p| p.change)
            .sum()
    }
}

/// **Gap** = demand − supply (positive: too few); `None` when the supply is missing.
pub fn gap(demand: f64, supply: &AreaSupply) -> Option<f64> {
    match supply {
        AreaSupply::Known(s) => Some(demand - s),
        AreaSupply::Missing(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_not_zero_unless_declared() {
        let mut s = Supply::default();
        s.stock.insert(("GM1".into(), "nultreden".into()), 100.0);
        s.pipeline.push(PipelineRow {
            region: "GM1".into(),
            year: 2025,
            dwelling_type: "nultreden".into(),
            segment: "sociale_huur".into(),
            change: 20.0,
        });
        let m = vec!["GM1".to_string(), "GM2".to_string()];
        assert_eq!(
            s.area(&m, "nultreden", 2024, 2026),
            AreaSupply::Missing(vec!["GM2".into()])
        );
        s.zero.push(("GM2".into(), "nultreden".into()));
        assert_eq!(
            s.area(&m, "nultreden", 2024, 2025),
            AreaSupply::Known(100.0)
        );
        assert_eq!(
            s.area(&m, "nultreden", 2024, 2026),
            AreaSupply::Known(120.0)
        );
        assert_eq!(gap(150.0, &AreaSupply::Known(120.0)), Some(30.0));
        assert_eq!(gap(150.0, &AreaSupply::Missing(vec![])), None);
    }
}
