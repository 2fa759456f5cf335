//! Supply: the stock per dwelling type and gemeente on 1 January of the base year — the
//! baseline from CBS ([`crate::housing::baseline`]) with the user's own figures replacing
//! exactly their rows — carried forward by the pipeline of planned additions and withdrawals
//! per year (plancapaciteit) or, where the user gives none, by the trend of the net additions;
//! and the gap with the demand.
//!
//! Stock CSV: `region,dwelling_type,value,source` (stand 1 januari of the base year).
//! Pipeline CSV: `region,year,dwelling_type,segment,change,source` (change during the year:
//! positive = added, negative = withdrawn; segment `sociale_huur`, `middenhuur`, `koop`, or
//! `onbekend`).
//!
//! A gemeente × type without a figure is *missing* — reported, never read as zero — unless
//! the scenario lists it under `zero_supply`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::source::{Pos, SourceError};

use super::baseline::{Figure, Status, Trend};

/// One row of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineRow {
    pub region: String,
    pub year: u16,
    pub dwelling_type: String,
    pub segment: String,
    pub change: f64,
}

/// A row of the user's stock CSV: value, source and line.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenRow {
    pub value: f64,
    pub source: String,
    pub line: u64,
}

/// Stock and pipeline.
#[derive(Debug, Clone, Default)]
pub struct Supply {
    /// (region, type) → stock on 1 January of the base year, with its status, method and
    /// source (after [`Supply::apply_baseline`]).
    pub stock: BTreeMap<(String, String), Figure>,
    /// The user's stock rows, (region, type) → row; they replace the baseline's figures.
    pub given: BTreeMap<(String, String), GivenRow>,
    /// (region, type) pairs whose stock row says it is an example (`voorbeeld` in its source).
    pub example_rows: Vec<(String, String)>,
    pub pipeline: Vec<PipelineRow>,
    /// The pipeline rows of each gemeente (positions in `pipeline`), indexed by
    /// [`Supply::apply_baseline`]: a gemeente's supply is asked for every year.
    planned: BTreeMap<String, Vec<usize>>,
    /// The trend of the net additions per gemeente (used where the user gives no pipeline).
    pub trend: BTreeMap<String, Trend>,
    /// (region or `*`, type) pairs that are zero on purpose.
    pub zero: Vec<(String, String)>,
    /// The files read, and whether they say they are an example (`voorbeeld` in a source).
    pub stock_file: Option<PathBuf>,
    pub pipeline_file: Option<PathBuf>,
    pub example: bool,
}

/// The supply of an area for one type in every year from the base year, and its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Per year; `None` when a member's figure is missing.
    pub values: Option<Vec<f64>>,
    /// The members whose figure is missing.
    pub missing: Vec<String>,
    /// Per year (see [`Supply::series`]).
    pub status: Vec<String>,
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
                let row = GivenRow {
                    value: v,
                    source: r[3].clone(),
                    line,
                };
                if s.given.insert((r[0].clone(), r[1].clone()), row).is_some() {
                    return Err(SourceError::malformed(
                        Pos::line(p, line),
                        format!("a second row for {} {}", r[0], r[1]),
                        "one row per region and dwelling type",
                    ));
                }
            }
            s.stock_file = Some(p.to_path_buf());
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
            s.pipeline_file = Some(p.to_path_buf());
        }
        for z in zero {
            let (r, t) = z.split_once(':').unwrap_or(("*", z.as_str()));
            s.zero.push((r.to_string(), t.to_string()));
        }
        Ok(s)
    }

    /// The user's files read (stock, pipeline).
    pub fn files(&self) -> impl Iterator<Item = &PathBuf> {
        self.stock_file.iter().chain(&self.pipeline_file)
    }

    /// Refuse a user row (stock or pipeline) for a gemeente the run does not have, listing the
    /// run's `gemeenten` (code, name).
    pub fn check_gemeenten(&self, gemeenten: &[(String, String)]) -> Result<(), SourceError> {
        let known = |code: &str| gemeenten.iter().any(|(c, _)| c == code);
        let listed = || {
            let names: Vec<String> = gemeenten
                .iter()
                .take(40)
                .map(|(c, n)| format!("{c} {n}"))
                .collect();
            let more = gemeenten.len().saturating_sub(40);
            format!(
                "gemeenten of this run: {}{}",
                names.join(", "),
                if more > 0 {
                    format!(" and {more} more (woonzorg regions)")
                } else {
                    String::new()
                }
            )
        };
        let first_given = self
            .given
            .iter()
            .filter(|((r, _), _)| !known(r))
            .min_by_key(|(_, row)| row.line);
        if let (Some(p), Some(((r, _), row))) = (&self.stock_file, first_given) {
            return Err(SourceError::malformed(
                Pos::cell(p, row.line, "region"),
                format!("gemeente {r} is not in this run"),
                listed(),
            ));
        }
        let first_planned = self
            .pipeline
            .iter()
            .enumerate()
            .find(|(_, r)| !known(&r.region));
        if let (Some(p), Some((i, r))) = (&self.pipeline_file, first_planned) {
            return Err(SourceError::malformed(
                Pos::cell(p, i as u64 + 2, "region"),
                format!("gemeente {} is not in this run", r.region),
                listed(),
            ));
        }
        Ok(())
    }

    /// The stock of the run's `gemeenten` (code, name): the `baseline`, then `zero_supply`,
    /// then the user's rows, each replacing exactly its own (gemeente, type) figure; `trend`
    /// carries it forward where the user gives no pipeline. Refuses a user row (stock or
    /// pipeline) for a gemeente the run does not have, and withdrawals beyond the stock.
    pub fn apply_baseline(
        &mut self,
        baseline: BTreeMap<(String, String), Figure>,
        trend: BTreeMap<String, Trend>,
        gemeenten: &[(String, String)],
    ) -> Result<(), SourceError> {
        self.check_gemeenten(gemeenten)?;
        self.planned.clear();
        for (i, p) in self.pipeline.iter().enumerate() {
            self.planned.entry(p.region.clone()).or_default().push(i);
        }
        self.stock = baseline;
        self.trend = trend;
        let zero_rows: Vec<(String, String)> = self
            .zero
            .iter()
            .flat_map(|(r, t)| {
                let regions: Vec<String> = if r == "*" {
                    gemeenten.iter().map(|(c, _)| c.clone()).collect()
                } else {
                    vec![r.clone()]
                };
                regions.into_iter().map(move |r| (r, t.clone()))
            })
            .collect();
        for key in zero_rows {
            let figure = Figure {
                value: Some(0.0),
                status: Status::Opgegeven,
                method: "nul opgegeven (housing.zero_supply)".into(),
                source: "scenario".into(),
            };
            self.stock.insert(key, figure);
        }
        for (key, row) in &self.given {
            let example = self.example_rows.contains(key);
            let figure = Figure {
                value: Some(row.value),
                status: Status::Opgegeven,
                method: if example {
                    "opgegeven in housing.supply (voorbeeld zonder bron)".into()
                } else {
                    "opgegeven in housing.supply".into()
                },
                source: row.source.clone(),
            };
            self.stock.insert(key.clone(), figure);
        }
        if let Some(p) = self.pipeline_file.clone() {
            self.check_withdrawals(&p)?;
        }
        Ok(())
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
            let stock = match self
                .stock
                .get(&(region.to_string(), t.to_string()))
                .and_then(|f| f.value)
            {
                Some(v) => v,
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
                            "removes more {t} dwellings of {region} than there are: a stock of {stock:.0} and the changes up to {year} leave {total:.0}"
                        ),
                        "a withdrawal (sloop, onttrekking) cannot exceed the stock of the type; check the sign and the dwelling type",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether the user gives a pipeline for gemeente `m` (then its trend is not used).
    pub fn has_plans(&self, m: &str) -> bool {
        self.planned.contains_key(m)
    }

    /// The change of gemeente `m`'s stock of `t` from 1 January `base_year` to 1 January
    /// `year`: its own pipeline (for `totaal` every type, for `corporatie` the sociale_huur
    /// segment), or else its trend (`totaal` and `regulier` the trend of all dwellings,
    /// `corporatie` its own); other types stay as they are.
    pub fn change(&self, m: &str, t: &str, base_year: u16, year: u16) -> f64 {
        if let Some(rows) = self.planned.get(m) {
            return rows
                .iter()
                .map(|&i| &self.pipeline[i])
                .filter(|p| {
                    p.year >= base_year
                        && p.year < year
                        && match t {
                            "totaal" => true,
                            "corporatie" => p.segment == "sociale_huur",
                            _ => p.dwelling_type == t,
                        }
                })
                .map(|p| p.change)
                .sum();
        }
        let years = f64::from(year.saturating_sub(base_year));
        match (self.trend.get(m), t) {
            (Some(tr), "totaal" | "regulier") => tr.total * years,
            (Some(tr), "corporatie") => tr.corporatie * years,
            _ => 0.0,
        }
    }

    /// What carries gemeente `m`'s stock forward, in Dutch.
    pub fn carried_by(&self, m: &str, t: &str) -> String {
        if self.has_plans(m) {
            return "plancapaciteit (opgegeven)".into();
        }
        match (self.trend.get(m), t) {
            (Some(tr), "totaal" | "regulier" | "corporatie") => {
                format!("trend {}–{}", tr.from, tr.to)
            }
            _ => "gelijk (geen plannen of trend)".into(),
        }
    }

    /// The supply of `members` for a type on 1 January of every year `base_year ..= base_year +
    /// years` ([`Supply::area`] for all years at once: each member's figure looked up once), and
    /// its status per year: the statuses of the members' figures in the order waargenomen,
    /// geschat, opgegeven, ontbreekt, joined by " + " (`geschat`, `waargenomen + opgegeven`);
    /// after the base year a figure carried by the trend is `geschat`, and one the user's plans
    /// change adds `opgegeven`.
    pub fn series(&self, members: &[String], t: &str, base_year: u16, years: u16) -> Series {
        let n = usize::from(years) + 1;
        let mut values = vec![0.0; n];
        let mut missing = Vec::new();
        let mut seen: Vec<Vec<Status>> = vec![Vec::new(); n];
        let key_type = t.to_string();
        for m in members {
            let figure = self
                .stock
                .get(&(m.clone(), key_type.clone()))
                .filter(|f| f.value.is_some());
            let Some(f) = figure else {
                missing.push(m.clone());
                seen.iter_mut().for_each(|s| s.push(Status::Ontbreekt));
                continue;
            };
            let v = f.value.unwrap_or(0.0);
            let plans = self.has_plans(m);
            let trend = !plans
                && self.trend.contains_key(m)
                && matches!(t, "totaal" | "regulier" | "corporatie");
            for (k, (value, s)) in values.iter_mut().zip(seen.iter_mut()).enumerate() {
                let year = base_year + k as u16;
                let change = self.change(m, t, base_year, year);
                *value += v + change;
                if k > 0 && trend {
                    s.push(Status::Geschat);
                    continue;
                }
                if k > 0 && plans && change != 0.0 {
                    s.push(Status::Opgegeven);
                }
                s.push(f.status);
            }
        }
        let status = seen
            .into_iter()
            .map(|mut s| {
                s.sort();
                s.dedup();
                s.iter().map(|x| x.label()).collect::<Vec<_>>().join(" + ")
            })
            .collect();
        Series {
            values: missing.is_empty().then_some(values),
            missing,
            status,
        }
    }

    /// Supply of `members` for a type on 1 January of `year` (stock of the base year plus the
    /// pipeline, or the trend, of the years before).
    pub fn area(&self, members: &[String], t: &str, base_year: u16, year: u16) -> AreaSupply {
        let mut total = 0.0;
        let mut missing = Vec::new();
        let mut key = (String::new(), t.to_string());
        for m in members {
            key.0.clear();
            key.0.push_str(m);
            match self.stock.get(&key).and_then(|f| f.value) {
                Some(v) => total += v + self.change(m, t, base_year, year),
                None => missing.push(m.clone()),
            }
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

    fn figure(v: f64) -> Figure {
        Figure {
            value: Some(v),
            status: Status::Waargenomen,
            method: "CBS-telling".into(),
            source: "test".into(),
        }
    }

    #[test]
    fn missing_is_not_zero_unless_declared() {
        let mut s = Supply::default();
        s.pipeline.push(PipelineRow {
            region: "GM1".into(),
            year: 2025,
            dwelling_type: "nultreden".into(),
            segment: "sociale_huur".into(),
            change: 20.0,
        });
        let gemeenten = [
            ("GM1".to_string(), "Een".to_string()),
            ("GM2".into(), "Twee".into()),
        ];
        let mut base = BTreeMap::new();
        base.insert(("GM1".to_string(), "nultreden".to_string()), figure(100.0));
        s.apply_baseline(base.clone(), BTreeMap::new(), &gemeenten)
            .unwrap();
        let m = vec!["GM1".to_string(), "GM2".to_string()];
        assert_eq!(
            s.area(&m, "nultreden", 2024, 2026),
            AreaSupply::Missing(vec!["GM2".into()])
        );
        let status = |s: &Supply, m: &[String], t: &str, year: u16| {
            s.series(m, t, 2024, year - 2024).status.pop().unwrap()
        };
        assert_eq!(status(&s, &m, "nultreden", 2024), "waargenomen + ontbreekt");
        s.zero.push(("GM2".into(), "nultreden".into()));
        s.apply_baseline(base, BTreeMap::new(), &gemeenten).unwrap();
        assert_eq!(
            s.area(&m, "nultreden", 2024, 2025),
            AreaSupply::Known(100.0)
        );
        assert_eq!(
            s.area(&m, "nultreden", 2024, 2026),
            AreaSupply::Known(120.0)
        );
        assert_eq!(status(&s, &m, "nultreden", 2024), "waargenomen + opgegeven");
        assert_eq!(
            status(&s, &m[..1], "nultreden", 2026),
            "waargenomen + opgegeven"
        );
        assert_eq!(gap(150.0, &AreaSupply::Known(120.0)), Some(30.0));
        assert_eq!(gap(150.0, &AreaSupply::Missing(vec![])), None);
    }

    #[test]
    fn the_trend_carries_the_stock_where_no_plans_are_given() {
        let mut s = Supply::default();
        let gemeenten = [("GM1".to_string(), "Een".to_string())];
        let mut base = BTreeMap::new();
        for (t, v) in [
            ("totaal", 1000.0),
            ("regulier", 800.0),
            ("corporatie", 300.0),
            ("nultreden", 200.0),
        ] {
            base.insert(("GM1".to_string(), t.to_string()), figure(v));
        }
        let mut trend = BTreeMap::new();
        trend.insert(
            "GM1".to_string(),
            Trend {
                total: 10.0,
                corporatie: -2.0,
                from: 2016,
                to: 2024,
            },
        );
        s.apply_baseline(base, trend, &gemeenten).unwrap();
        let m = ["GM1".to_string()];
        assert_eq!(s.area(&m, "totaal", 2024, 2030), AreaSupply::Known(1060.0));
        assert_eq!(s.area(&m, "regulier", 2024, 2030), AreaSupply::Known(860.0));
        assert_eq!(
            s.area(&m, "corporatie", 2024, 2030),
            AreaSupply::Known(288.0)
        );
        assert_eq!(
            s.area(&m, "nultreden", 2024, 2030),
            AreaSupply::Known(200.0)
        );
        assert_eq!(s.carried_by("GM1", "totaal"), "trend 2016–2024");
        let status = |t: &str, year: u16| s.series(&m, t, 2024, year - 2024).status.pop().unwrap();
        assert_eq!(status("totaal", 2024), "waargenomen");
        assert_eq!(status("totaal", 2030), "geschat");
        assert_eq!(status("nultreden", 2030), "waargenomen");
        // The series says for every year what area and status say for one.
        for t in [
            "totaal",
            "regulier",
            "corporatie",
            "nultreden",
            "geclusterd",
        ] {
            let series = s.series(&m, t, 2024, 16);
            for k in 0..=16u16 {
                let (year, i) = (2024 + k, usize::from(k));
                let one = match s.area(&m, t, 2024, year) {
                    AreaSupply::Known(v) => Some(v),
                    AreaSupply::Missing(_) => None,
                };
                assert_eq!(series.values.as_ref().map(|v| v[i]), one, "{t} {year}");
                // The status of a year does not depend on the later years asked for.
                let upto = s.series(&m, t, 2024, k);
                assert_eq!(series.status[i], upto.status[i], "{t} {year}");
            }
        }
    }
}
