//! Observed counts and rates for the groups: the tidy tables `woonzorg import` wrote into a
//! folder (data/groups/), looked up by table id, measure, region, year, age and category.

use std::collections::BTreeMap;
use std::path::Path;

use crate::population::grid::AGES;
use crate::source::codes::period_year;
use crate::source::{self, SourceError, TidyRow, TidyTable};

use super::GroupError;
use super::methods::Rates;

/// Per region: (age from, age to, value) rows.
pub type BandsByRegion = BTreeMap<String, Vec<(usize, usize, f64)>>;

/// The observed data of the groups.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub tables: Vec<TidyTable>,
}

/// An age label of a tidy table as an inclusive range (`37`, `95+`, `18-64`); `None` for
/// `totaal` or anything else.
pub fn age_range(label: &str) -> Option<(usize, usize)> {
    let l = label.trim();
    if let Some(a) = l.strip_suffix('+') {
        return a.parse().ok().map(|a: usize| (a.min(105), 105));
    }
    if let Some((a, b)) = l.split_once('-') {
        let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
        return (a <= b).then_some((a.min(105), b.min(105)));
    }
    l.parse().ok().map(|a: usize| (a.min(105), a.min(105)))
}

impl Observed {
    /// Read every table in a folder (CSV files written by `woonzorg import`).
    pub fn load(dir: &Path) -> Result<Observed, SourceError> {
        let mut tables = Vec::new();
        for p in source::find_tables(dir)? {
            tables.extend(source::read_table(&p, None)?);
        }
        Ok(Observed { tables })
    }

    /// The rows of every table with id `id` (one CBS table may come in more than one extract,
    /// as 85383NED does in data/housing and data/groups); an error when there is none.
    fn rows(&self, id: &str) -> Result<impl Iterator<Item = &TidyRow>, GroupError> {
        let mut tables = self
            .tables
            .iter()
            .filter(move |t| t.table_id.eq_ignore_ascii_case(id))
            .peekable();
        if tables.peek().is_none() {
            return Err(GroupError::Data {
                what: format!("table {id}"),
                message: "not in the group data folder".into(),
                hint: format!(
                    "tables there: {}; data/refresh.sh writes them with woonzorg import",
                    self.tables
                        .iter()
                        .map(|t| t.table_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        Ok(tables.flat_map(|t| t.rows.iter()))
    }

    /// Values per region of one measure in one year (all ages/`totaal`, optional category).
    pub fn by_region(
        &self,
        table: &str,
        measure: &str,
        year: Option<u16>,
        category: Option<&str>,
    ) -> Result<BTreeMap<String, f64>, GroupError> {
        let mut out = BTreeMap::new();
        for r in self.rows(table)? {
            if r.measure != measure
                || r.region.is_empty()
                || !(r.age.is_empty() || r.age == "totaal")
                || !(r.sex.is_empty() || r.sex == "T")
                || category.is_some_and(|c| !r.category.split('|').any(|x| x == c))
                || year.is_some_and(|y| period_year(&r.period) != Some(y))
            {
                continue;
            }
            if let Some(v) = r.number() {
                out.insert(r.region.clone(), v);
            }
        }
        if out.is_empty() {
            return Err(GroupError::Data {
                what: format!("{table} {measure}"),
                message: format!(
                    "no values per region{}",
                    year.map(|y| format!(" in {y}")).unwrap_or_default()
                ),
                hint: "check the measure key and year in the catalogue".into(),
            });
        }
        Ok(out)
    }

    /// Per region: (age range, value) rows of one measure (`18-64`, `65+`), optional category.
    pub fn by_region_and_band(
        &self,
        table: &str,
        measure: &str,
        category: Option<&str>,
    ) -> Result<BandsByRegion, GroupError> {
        let mut out: BandsByRegion = BTreeMap::new();
        for r in self.rows(table)? {
            if r.measure != measure
                || r.region.is_empty()
                || category.is_some_and(|c| !r.category.split('|').any(|x| x == c))
            {
                continue;
            }
            if let (Some((lo, hi)), Some(v)) = (age_range(&r.age), r.number()) {
                out.entry(r.region.clone()).or_default().push((lo, hi, v));
            }
        }
        if out.is_empty() {
            return Err(GroupError::Data {
                what: format!("{table} {measure}"),
                message: "no values per region and age band".into(),
                hint: "check the measure key and category in the catalogue".into(),
            });
        }
        Ok(out)
    }

    /// The latest year up to `up_to` in which `table` has a value of `measure`: the year of a
    /// rate taken "as of the base year" (the latest observation, never a later one).
    pub fn latest_year(&self, table: &str, measure: &str, up_to: u16) -> Result<u16, GroupError> {
        self.rows(table)?
            .filter(|r| r.measure == measure && r.number().is_some())
            .filter_map(|r| period_year(&r.period))
            .filter(|y| *y <= up_to)
            .max()
            .ok_or_else(|| GroupError::Data {
                what: format!("table {table}, {measure}"),
                message: format!("no value in {up_to} or before"),
                hint: format!("the group data folder needs {table} for a year up to {up_to}"),
            })
    }

    /// Rates by sex and single age: numerator / denominator of one year (single ages; an open
    /// top age such as `95+` is applied to every age above it).
    pub fn rates_by_age(
        &self,
        table: &str,
        numerator: &str,
        denominator: &str,
        year: u16,
    ) -> Result<Rates, GroupError> {
        let mut num = [[None::<f64>; AGES]; 2];
        let mut den = [[None::<f64>; AGES]; 2];
        for r in self.rows(table)? {
            if period_year(&r.period) != Some(year) {
                continue;
            }
            let s = match r.sex.as_str() {
                "M" => 0,
                "V" => 1,
                _ => continue,
            };
            let Some((lo, hi)) = age_range(&r.age) else {
                continue;
            };
            if lo != hi && hi != 105 {
                continue; // a band, not a single age or the open top
            }
            let target = if r.measure == numerator {
                &mut num
            } else if r.measure == denominator {
                &mut den
            } else {
                continue;
            };
            if let Some(v) = r.number() {
                for x in lo..=hi {
                    target[s][x] = Some(v);
                }
            }
        }
        let mut rates = [[0.0; AGES]; 2];
        let mut found = false;
        for s in 0..2 {
            for x in 0..AGES {
                if let (Some(n), Some(d)) = (num[s][x], den[s][x])
                    && d > 0.0
                {
                    rates[s][x] = n / d;
                    found = true;
                }
            }
        }
        if !found {
            return Err(GroupError::Data {
                what: format!("{table} {numerator} / {denominator}"),
                message: format!("no single-age values by sex in {year}"),
                hint: "check the measures and year of rate_table in the catalogue".into(),
            });
        }
        Ok(rates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_labels() {
        assert_eq!(age_range("37"), Some((37, 37)));
        assert_eq!(age_range("95+"), Some((95, 105)));
        assert_eq!(age_range("18-64"), Some((18, 64)));
        assert_eq!(age_range("totaal"), None);
    }
}
