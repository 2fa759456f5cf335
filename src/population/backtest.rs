//! Backtesting: project from a past base with rates estimated only from years up to that base,
//! and compare with the realised population. Measures as in METHODS §1g.

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
        if self.realised != 0.0 {
            100.0 * (self.projected - self.realised) / self.realised
        } else {
            0.0
        }
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
    let (mut ape, mut pe, mut se, mut n) = (0.0, 0.0, 0.0, 0usize);
    for r in rows {
        let e = r.error_pct();
        ape += e.abs();
        pe += e;
        se += (r.projected - r.realised).powi(2);
        n += 1;
    }
    let nf = n.max(1) as f64;
    Accuracy {
        mape: ape / nf,
        malpe: pe / nf,
        rmse: (se / nf).sqrt(),
        n,
    }
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
