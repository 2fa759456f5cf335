//! The counting methods of the groups, one function each (docs/METHODS.md §1c).

use crate::population::grid::{AGES, Pop};
pub use crate::source::sourced::path_value;

/// Rates by sex and single age (0..=105): `[sex][age]`.
pub type Rates = [[f64; AGES]; 2];

/// **Prevalence**: the age × sex profile `P(x, s) · π(x, s) · ρ · τ`.
///
/// `π` age-specific rates, `ρ` the local calibration ratio (see [`calibration_ratio`]), `τ` the
/// trend factor (1 = beleidsarm: constant rates). Source: docs/METHODS.md §1c "Prevalence"; TNO (2019)
/// for VWS used constant rates for verpleeghuiszorg.
pub fn prevalence(pop: &Pop, rates: &Rates, calibration: f64, trend: f64) -> Pop {
    let mut out = Pop::default();
    for s in 0..2 {
        for x in 0..AGES {
            out.0[s][x] = pop.0[s][x] * rates[s][x] * calibration * trend;
        }
    }
    out
}

/// Sum of a profile over an age range (inclusive) and sexes.
pub fn profile_sum(p: &Pop, lo: usize, hi: usize, sexes: &[usize]) -> f64 {
    sexes.iter().map(|&s| p.band_sex(s, lo, hi)).sum()
}

/// **Local calibration ratio** (indirect standardisation): `ρ = observed / Σ P·π`, the factor
/// that makes the base year match the gemeente's observed count. Source: docs/METHODS.md §1c. Returns 1
/// when nothing is expected (no population at risk).
pub fn calibration_ratio(observed: f64, expected: f64) -> f64 {
    if expected > 0.0 {
        observed / expected
    } else {
        1.0
    }
}

/// **Trend factor** `τ(t) = Π_{y=t0}^{t−1} (1 + g(y))`: the yearly change of the rates, constant
/// or following a path (g = 0: beleidsarm). Source: docs/METHODS.md §1c; Deltaplan Dementie (2016) for
/// declining incidence.
pub fn trend_factor(per_year: impl Fn(u16) -> f64, base_year: u16, year: u16) -> f64 {
    (base_year..year).map(|y| 1.0 + per_year(y)).product()
}

/// One year of a stock-flow group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StockFlowYear {
    /// Stock on 1 January.
    pub stock: f64,
    pub inflow: f64,
    /// Uitstroom that the mean duration asks for: S / D.
    pub outflow_wanted: f64,
    /// Uitstroom realised: limited by the dwellings available.
    pub outflow: f64,
    /// Wanted − realised: persons who could leave but have no home to go to.
    pub waiting: f64,
}

/// **Stock-flow**: `S(t+1) = S(t) + I(t) − O(t)`, `O(t) = min(S(t)/D, C(t))`.
///
/// D is the mean duration (years; Little's law gives the steady state S* = I·D), C the dwellings
/// available for uitstroom. Source: docs/METHODS.md §1c "Stock-flow"; the uitstroom bottleneck is the
/// one the vrouwenopvang monitor names ("geen huisvesting", Federatie Opvang 2016). One entry
/// per year of `inflow` (and `capacity`); the stock of the year after the last is not reported.
pub fn stock_flow(
    start: f64,
    duration: f64,
    inflow: &[f64],
    capacity: &[f64],
) -> Vec<StockFlowYear> {
    let mut s = start;
    let mut out = Vec::with_capacity(inflow.len());
    for (t, &i) in inflow.iter().enumerate() {
        let wanted = s / duration;
        let cap = capacity.get(t).copied().unwrap_or(f64::INFINITY);
        let o = wanted.min(cap).max(0.0);
        out.push(StockFlowYear {
            stock: s,
            inflow: i,
            outflow_wanted: wanted,
            outflow: o,
            waiting: wanted - o,
        });
        s = (s + i - o).max(0.0);
    }
    out
}

/// `2023H1` → (2023, 1).
pub fn parse_half_year(s: &str) -> Option<(u16, u8)> {
    let (y, h) = s.trim().split_once('H')?;
    let y: u16 = y.parse().ok()?;
    let h: u8 = h.parse().ok()?;
    (matches!(h, 1 | 2) && (1990..=2100).contains(&y)).then_some((y, h))
}

/// One half-year of the statushouder taakstelling of one gemeente.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfYear {
    pub year: u16,
    pub half: u8,
    /// The gemeente's share of the national target.
    pub task: f64,
    /// Backlog at the start of the half-year.
    pub backlog_in: f64,
    pub housed: f64,
    pub backlog_out: f64,
}

/// One half-year given to [`taakstelling`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskHalf {
    pub year: u16,
    pub half: u8,
    /// National target.
    pub target: f64,
    /// The gemeente's population share.
    pub share: f64,
    /// The share of task + backlog housed nationally, where the realisation was published.
    pub realised: Option<f64>,
}

/// **Taakstelling**: `task_g(h) = share_g(h) · target(h)`; `due = task + backlog(h−1)`;
/// `housed = realisatie · due` (the published national realisation of the half-year where there
/// is one); the rest rolls over. Source: docs/METHODS.md §1c "Statushouders" (gemeente.nu Apr
/// 2022; AD 2017: the task follows the population share, backlogs carry over).
///
/// `halves` in order; `realisatie` for the half-years without a published realisation.
pub fn taakstelling(
    halves: &[TaskHalf],
    backlog: f64,
    realisatie: impl Fn(u16) -> f64,
) -> Vec<HalfYear> {
    let mut b = backlog;
    halves
        .iter()
        .map(|x| {
            let task = x.target * x.share;
            let due = task + b;
            let housed = due * x.realised.unwrap_or_else(|| realisatie(x.year));
            let h = HalfYear {
                year: x.year,
                half: x.half,
                task,
                backlog_in: b,
                housed,
                backlog_out: due - housed,
            };
            b = h.backlog_out;
            h
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_flow_keeps_account_and_builds_a_queue() {
        // Steady state: I = S/D keeps S constant when the dwellings keep up.
        let r = stock_flow(1000.0, 2.0, &[500.0; 5], &[f64::INFINITY; 5]);
        assert!(r.iter().all(|y| (y.stock - 1000.0).abs() < 1e-9));
        // Half the dwellings: the stock grows by the blocked uitstroom.
        let r = stock_flow(1000.0, 2.0, &[500.0; 3], &[250.0; 3]);
        assert_eq!(r[0].waiting, 250.0);
        assert_eq!(r[1].stock, 1250.0);
        for w in r.windows(2) {
            assert!((w[1].stock - (w[0].stock + w[0].inflow - w[0].outflow)).abs() < 1e-9);
        }
    }

    #[test]
    fn taakstelling_rolls_backlog_over() {
        let half = |year, half, target, realised| TaskHalf {
            year,
            half,
            target,
            share: 0.01,
            realised,
        };
        let h = taakstelling(
            &[half(2022, 1, 9979.0, None), half(2022, 2, 13500.0, None)],
            37.28,
            |_| 0.9,
        );
        assert!((h[0].task - 99.79).abs() < 1e-9);
        assert!((h[0].backlog_out - 0.1 * (99.79 + 37.28)).abs() < 1e-9);
        assert_eq!(h[1].backlog_in, h[0].backlog_out);
        // A published realisation replaces the assumption for its half-year: 2024 H1, 18.750
        // due plus a backlog of 6.400, 14.271 housed (Aanhangsel Handelingen II 2023/24, nr.
        // 2564) leaves about 10.900 — the figure the minister gave.
        let r = 14271.0 / (18750.0 + 6400.0);
        let h = taakstelling(&[half(2024, 1, 18750.0, Some(r))], 64.0, |_| 0.5);
        assert!((h[0].backlog_out * 100.0 - 10879.0).abs() < 1e-6);
    }

    #[test]
    fn path_interpolates() {
        let p = [(2021, 800.0), (2041, 600.0)];
        assert_eq!(path_value(&p, 2020), 800.0);
        assert_eq!(path_value(&p, 2031), 700.0);
        assert_eq!(path_value(&p, 2050), 600.0);
        assert_eq!(parse_half_year("2023H2"), Some((2023, 2)));
        assert_eq!(parse_half_year("2023H3"), None);
    }
}
