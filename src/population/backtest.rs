//! Backtesting: project from a past base with rates estimated only from years up to that base,
//! and compare with the realised population. Measures as in docs/METHODS.md §1g.

use super::grid::{OPEN_AGE, Pop};

/// One compared cell.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRow {
    pub region: String,
    pub sex: &'static str,
    pub age_band: String,
    pub year: u16,
    pub realised: f64,
    pub projected: f64,
}

impl BacktestRow {
    pub fn error_pct(&self) -> f64 {
        percent_error(self.projected, self.realised)
    }

    /// The region, sex, band, year, realised, projected and error fields as the backtest
    /// tables write them.
    pub fn fields(&self) -> [String; 7] {
        [
            self.region.clone(),
            self.sex.to_string(),
            self.age_band.clone(),
            self.year.to_string(),
            format!("{:.0}", self.realised),
            format!("{:.1}", self.projected),
            format!("{:.3}", self.error_pct()),
        ]
    }
}

/// The **percentage error** of a projection (Smith, Tayman & Swanson 2013, ch. 13):
/// 100 × (projected − realised) / realised; 0 where nothing was realised.
pub fn percent_error(projected: f64, realised: f64) -> f64 {
    if realised != 0.0 {
        100.0 * (projected - realised) / realised
    } else {
        0.0
    }
}

/// MAPE, MALPE (bias) and RMSE over a set of compared cells (Smith, Tayman & Swanson 2013, ch. 13).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    pub mape: f64,
    pub malpe: f64,
    pub rmse: f64,
    pub n: usize,
}

pub fn accuracy<'a>(rows: impl Iterator<Item = &'a BacktestRow>) -> Accuracy {
    let (mut errors, mut se) = (Vec::new(), 0.0);
    for r in rows {
        errors.push(r.error_pct());
        se += (r.projected - r.realised).powi(2);
    }
    let n = errors.len();
    let (mape, malpe) = mean_errors(&errors);
    Accuracy {
        mape,
        malpe,
        rmse: (se / n.max(1) as f64).sqrt(),
        n,
    }
}

/// MAPE and MALPE of percentage errors: the mean absolute and the mean signed error (0 for
/// none).
pub fn mean_errors(errors: &[f64]) -> (f64, f64) {
    let n = errors.len().max(1) as f64;
    let (ape, pe) = errors
        .iter()
        .fold((0.0, 0.0), |(a, p), e| (a + e.abs(), p + e));
    (ape / n, pe / n)
}

/// 5-year bands 0–4 … 95–99 and 100+, as (label, lo, hi).
pub fn five_year_bands() -> Vec<(String, usize, usize)> {
    let mut v: Vec<(String, usize, usize)> = (0..20)
        .map(|i| (format!("{}-{}", i * 5, i * 5 + 4), i * 5, i * 5 + 4))
        .collect();
    v.push(("100+".into(), 100, OPEN_AGE));
    v
}

/// Compare a projection with realised populations by 5-year band, sex (M, V, T) and year.
pub fn compare(
    region: &str,
    projected: &[(u16, Pop)],
    realised: &[(u16, Pop)],
) -> Vec<BacktestRow> {
    let mut rows = Vec::new();
    for (y, p) in projected {
        let Some((_, r)) = realised.iter().find(|(ry, _)| ry == y) else {
            continue;
        };
        for (label, lo, hi) in five_year_bands() {
            for (sex, idx) in [("M", Some(0)), ("V", Some(1)), ("T", None)] {
                let (pr, re) = match idx {
                    Some(s) => (p.band_sex(s, lo, hi), r.band_sex(s, lo, hi)),
                    None => (p.band(lo, hi), r.band(lo, hi)),
                };
                rows.push(BacktestRow {
                    region: region.into(),
                    sex,
                    age_band: label.clone(),
                    year: *y,
                    realised: re,
                    projected: pr,
                });
            }
        }
    }
    rows
}

use std::collections::BTreeMap;

use super::PopulationError;
use super::national::{NationalData, RateOptions};
use super::project::{Projection, project};
use super::rates::RateSet;
use super::rates::life_table;

/// How the backtest sets the migration level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationMode {
    /// What was known at the base: the mean net migration of the 5 years before it.
    Trend,
    /// The realised net migration of each year (a conditional backtest: it isolates the errors
    /// of mortality, fertility and the age pattern from the migration level).
    Realised,
}

/// The result of a backtest.
#[derive(Debug, Clone)]
pub struct Backtest {
    pub base: u16,
    pub to: u16,
    pub mode: MigrationMode,
    pub rows: Vec<BacktestRow>,
    /// The projected and the realised population on 1 January `to`.
    pub projected_last: Pop,
    pub realised_last: Pop,
    /// Per year: (total, 65+, 75+) error in % of realised.
    pub headline: BTreeMap<u16, [f64; 3]>,
}

impl NationalData {
    /// Realised net migration of year y: P(t+1) − P(t) − births + deaths; births from CBS by sex
    /// where known, otherwise the infants on 1 January t+1 divided by their survival.
    pub fn net_migration_total(&self, y: u16) -> Option<f64> {
        let (p0, p1, d) = (
            self.population.get(&y)?,
            self.population.get(&(y + 1))?,
            self.deaths.get(&y)?,
        );
        let births = match self.births_sex.get(&y) {
            Some(b) => b[0] + b[1],
            None => {
                let m = self.death_rates(y)?;
                (0..2)
                    .map(|s| p1.0[s][0] / life_table(&m[s]).birth_survival())
                    .sum()
            }
        };
        Some(p1.total() - p0.total() - births + d.total())
    }
}

/// National backtest (docs/METHODS.md §1g): rates estimated from years before `base` only (no
/// Kernprognose steering), projected from the realised population on 1 January `base` to `to`,
/// compared with the realised population by 5-year band and sex each year.
pub fn run_backtest(
    nd: &NationalData,
    base: u16,
    to: u16,
    mode: MigrationMode,
) -> Result<Backtest, PopulationError> {
    let start = nd
        .population
        .get(&base)
        .copied()
        .ok_or_else(|| PopulationError::Missing {
            path: nd.source.clone(),
            what: format!("the population on 1 January {base}"),
            hint: "the base must be a year of the national series (2000–2025)".into(),
        })?;
    if to <= base || !nd.population.contains_key(&to) {
        return Err(PopulationError::Missing {
            path: nd.source.clone(),
            what: format!("the realised population on 1 January {to}"),
            hint: "--to must be after --base and within the national series (up to 2025)".into(),
        });
    }
    let (_, p) = backtest_projection(nd, &start, base, to, mode)?;
    let projected: Vec<(u16, Pop)> = (base + 1..=to)
        .filter_map(|y| p.year(y).map(|s| (y, *s)))
        .collect();
    let realised: Vec<(u16, Pop)> = (base + 1..=to)
        .filter_map(|y| nd.population.get(&y).map(|s| (y, *s)))
        .collect();
    let mut headline = BTreeMap::new();
    for ((y, pr), (_, re)) in projected.iter().zip(&realised) {
        let pct = |a: f64, b: f64| 100.0 * (a / b - 1.0);
        headline.insert(
            *y,
            [
                pct(pr.total(), re.total()),
                pct(pr.band(65, OPEN_AGE), re.band(65, OPEN_AGE)),
                pct(pr.band(75, OPEN_AGE), re.band(75, OPEN_AGE)),
            ],
        );
    }
    let last = |v: &[(u16, Pop)]| v.last().map(|(_, p)| *p).unwrap_or_default();
    Ok(Backtest {
        base,
        to,
        mode,
        rows: compare("NL01", &projected, &realised),
        headline,
        projected_last: last(&projected),
        realised_last: last(&realised),
    })
}

/// The projection of a backtest from the realised population on 1 January `base` (`start`)
/// to `to`, with rates estimated from the years before `base` only (no Kernprognose); with
/// [`MigrationMode::Realised`] the realised net migration of each year replaces the level.
/// Returns the rates with the projection (the gemeente backtest projects its gemeenten with
/// them).
pub fn backtest_projection(
    nd: &NationalData,
    start: &Pop,
    base: u16,
    to: u16,
    mode: MigrationMode,
) -> Result<(RateSet, Projection), PopulationError> {
    let mut rates = nd.estimate_rates(&RateOptions {
        base_year: base,
        steer: None,
        srb: 1.05,
        multipliers: [1.0; 3],
        migration_years: None,
    })?;
    if mode == MigrationMode::Realised {
        for y in base..to {
            if let Some(n) = nd.net_migration_total(y) {
                rates.migration.totals.insert(y, n);
            }
        }
    }
    let p = project(start, base, to, &rates);
    Ok((rates, p))
}

/// 5-year bands 0–4 … 90–94 and 95+, as (label, lo, hi): the bands a forecast published with
/// an open age of 99+ (CBS 84646NED) can be compared in.
pub fn bands_to_95_plus() -> Vec<(String, usize, usize)> {
    let mut v: Vec<(String, usize, usize)> = five_year_bands().into_iter().take(19).collect();
    v.push(("95+".into(), 95, OPEN_AGE));
    v
}

/// A published forecast's population on 1 January `year` by sex and single age from a tidy
/// table (CBS 84646NED, the Kernprognose 2019: ages 0–98 and 99+, measure `Bevolking_1`);
/// women as the total minus men where the table lacks them (its extract is cut off in the
/// women's rows). `None` when the year or the men's and total rows are missing.
pub fn forecast_population(t: &crate::source::TidyTable, year: u16) -> Option<Pop> {
    let period = format!("{year}JJ00");
    let mut by: [[Option<f64>; super::grid::AGES]; 3] = [[None; super::grid::AGES]; 3];
    let mut open: [Option<(usize, f64)>; 3] = [None; 3];
    for r in t
        .rows
        .iter()
        .filter(|r| r.period == period && r.measure == "Bevolking_1")
    {
        let s = match r.sex.as_str() {
            "M" => 0,
            "V" => 1,
            "T" => 2,
            _ => continue,
        };
        let Some(v) = r.number() else { continue };
        match r.age.strip_suffix('+').map(str::parse::<usize>) {
            // An open group (`65+`, `99+`): only the highest, the table's open age, counts.
            Some(Ok(a)) if a <= OPEN_AGE => {
                if open[s].is_none_or(|(o, _)| a > o) {
                    open[s] = Some((a, v));
                }
            }
            Some(_) => {}
            None => {
                if let Some(a) = r.age.parse::<usize>().ok().filter(|a| *a <= OPEN_AGE) {
                    by[s][a] = Some(v);
                }
            }
        }
    }
    for (s, o) in open.iter().enumerate() {
        if let Some((a, v)) = o
            && by[s][*a].is_none()
        {
            by[s][*a] = Some(*v);
        }
    }
    let mut pop = Pop::default();
    let mut seen = false;
    for a in 0..super::grid::AGES {
        let (m, v, t) = (by[0][a], by[1][a], by[2][a]);
        let Some(m) = m else { continue };
        let Some(v) = v.or(t.map(|t| t - m)) else {
            continue;
        };
        pop.0[0][a] = m;
        pop.0[1][a] = v;
        seen = true;
    }
    seen.then_some(pop)
}

/// **Head-to-head with a published forecast** (Smith, Tayman & Swanson 2013, ch. 13; docs/
/// METHODS.md §1g): the backtest's projection for its last year and the published forecast for
/// the same year, each against the realised population by 5-year band (to 95+) and sex.
/// Returns the rows of both (`woonzorg`, `published`) and their accuracy over the bands of men
/// and women.
pub fn head_to_head(
    bt: &Backtest,
    published: &Pop,
) -> (Vec<(&'static str, BacktestRow)>, Accuracy, Accuracy) {
    let mut rows = Vec::new();
    for (method, p) in [("woonzorg", &bt.projected_last), ("published", published)] {
        for (label, lo, hi) in bands_to_95_plus() {
            for (sex, s) in [("M", 0), ("V", 1)] {
                rows.push((
                    method,
                    BacktestRow {
                        region: "NL01".into(),
                        sex,
                        age_band: label.clone(),
                        year: bt.to,
                        realised: bt.realised_last.band_sex(s, lo, hi),
                        projected: p.band_sex(s, lo, hi),
                    },
                ));
            }
        }
    }
    let of = |m: &str| accuracy(rows.iter().filter(|(x, _)| *x == m).map(|(_, r)| r));
    let (own, theirs) = (of("woonzorg"), of("published"));
    (rows, own, theirs)
}
