//! Wijk projection consistent with the gemeente: cohort-share downscaling (docs/METHODS.md §1i).
//!
//! The wijken of a gemeente share each single age of the gemeente's projection; the shares start
//! from the wijk's part of each band of the Kerncijfers wijken en buurten (KWB) and move with
//! the cohorts. Because the shares of an age add up to one over the wijken in every year, the
//! wijken add up to the gemeente per age, sex, band and year — exactly, up to rounding.

use super::grid::{AGES, OPEN_AGE, Pop};

/// The KWB bands (first and last age): 0–14, 15–24, 25–44, 45–64, 65+.
pub const KWB_BANDS: [(usize, usize); 5] = [(0, 14), (15, 24), (25, 44), (45, 64), (65, OPEN_AGE)];

/// λ, the weight of a cohort's own share a year earlier (ageing in place) against the share
/// the wijk had of that age (turnover of the housing stock): docs/METHODS.md §1i step 3, λ = 0.5, an
/// estimate. It cannot be calibrated here: the backtest it asks for (KWB 2016 → 2023) needs a
/// KWB edition before 2024, which the CBS downloads do not hold.
pub const COHORT_WEIGHT: f64 = 0.5;

/// The base shares per wijk and single age: the wijk's part of the band the age belongs to,
/// the same for every age of the band (GLA `distribute_within_age_band`: P_w,a = P_w,b ·
/// P_g,a / P_g,b; docs/METHODS.md §1i step 1). 65+ is split into 65–74, 75+ and 85+ this way: the wijk
/// gets its 65+ share of each of them. The shares of an age add up to one over the wijken;
/// a band no wijk has people in takes the wijken's shares of all inhabitants, and a gemeente
/// without any, equal shares.
pub fn band_shares(wijk_bands: &[[f64; 5]]) -> Vec<[f64; AGES]> {
    let n = wijk_bands.len();
    let totals: Vec<f64> = wijk_bands.iter().map(|b| b.iter().sum()).collect();
    let all: f64 = totals.iter().sum();
    let mut out = vec![[0.0; AGES]; n];
    for (b, (lo, hi)) in KWB_BANDS.iter().enumerate() {
        let band: f64 = wijk_bands.iter().map(|w| w[b]).sum();
        for (w, shares) in out.iter_mut().enumerate() {
            let s = if band > 0.0 {
                wijk_bands[w][b] / band
            } else if all > 0.0 {
                totals[w] / all
            } else {
                1.0 / n as f64
            };
            shares[*lo..=*hi].fill(s);
        }
    }
    out
}

/// Base shares raked to wijk totals (docs/METHODS.md §1i step 2, iterative proportional fitting):
/// starting from `shares` ([`band_shares`]), alternately scale each wijk to its total
/// `totals[w]` and each age back to the gemeente (the shares of an age add up to one), ending on
/// the gemeente step, until every wijk is within 1e-9 of its total (at most 500 rounds). The
/// totals must add up to the gemeente's (`gemeente.total()`). Used where the gemeente's
/// estimated age structure differs from the KWB's bands: the wijken then keep their KWB
/// inhabitants, and the gemeente its ages.
pub fn rake_to_totals(shares: &[[f64; AGES]], gemeente: &Pop, totals: &[f64]) -> Vec<[f64; AGES]> {
    let both: Vec<f64> = (0..AGES)
        .map(|a| gemeente.0[0][a] + gemeente.0[1][a])
        .collect();
    let mut c = shares.to_vec();
    for _ in 0..500 {
        let mut worst = 0.0_f64;
        for (w, row) in c.iter_mut().enumerate() {
            let have: f64 = row.iter().zip(&both).map(|(s, p)| s * p).sum();
            if have > 0.0 && totals[w] >= 0.0 {
                worst = worst.max((have - totals[w]).abs() / totals[w].max(1.0));
                let f = totals[w] / have;
                row.iter_mut().for_each(|s| *s *= f);
            }
        }
        for a in 0..AGES {
            let sum: f64 = c.iter().map(|row| row[a]).sum();
            if sum > 0.0 {
                c.iter_mut().for_each(|row| row[a] /= sum);
            }
        }
        if worst < 1e-9 {
            break;
        }
    }
    c
}

/// Cohort-share downscaling of a gemeente projection to its wijken (docs/METHODS.md §1i step 3, after
/// Baker, Swanson & Tayman 2021 and the GLA's small-area model): k years after the base, a
/// wijk's share of age a mixes the share its cohort had in the base year with the share the
/// wijk had of that age, c_w,a,t0+k = λ·c_w,a−k,t0 + (1 − λ)·c_w,a,t0 — the first is ageing in
/// place, the second the turnover of the housing stock. A cohort born after the base takes,
/// as its own share, the wijk's share of the 25–44-year-olds the year before its birth; the
/// open age 105+ takes the cohort that reaches 105. P_w,a,s,t = c_w,a,t · P_g,a,s,t.
/// `gemeente[t]` is the gemeente's projection from the base year on; the result is
/// `[wijk][t]`. The shares of an age add up to one over the wijken in every year.
pub fn cohort_share_downscale(
    gemeente: &[Pop],
    base_shares: &[[f64; AGES]],
    weight: f64,
) -> Vec<Vec<Pop>> {
    let n = base_shares.len();
    // births[j][w]: the share of the cohort born in year j after the base.
    let mut births: Vec<Vec<f64>> = vec![Vec::new()];
    let mut out: Vec<Vec<Pop>> = vec![Vec::with_capacity(gemeente.len()); n];
    for (t, g) in gemeente.iter().enumerate() {
        let share = |w: usize, a: usize| -> f64 {
            let base = base_shares[w][a];
            if t == 0 {
                return base;
            }
            let origin = if a >= t {
                base_shares[w][a - t]
            } else {
                births[t - a][w]
            };
            weight * origin + (1.0 - weight) * base
        };
        let mut parents = vec![0.0; n];
        for (w, row) in out.iter_mut().enumerate() {
            let mut p = Pop::default();
            for a in 0..AGES {
                let c = share(w, a);
                for s in 0..2 {
                    p.0[s][a] = c * g.0[s][a];
                }
            }
            parents[w] = p.band(25, 44);
            row.push(p);
        }
        // The share of next year's newborn: the wijk's part of the 25–44-year-olds now.
        let all: f64 = parents.iter().sum();
        births.push(if all > 0.0 {
            parents.iter().map(|x| x / all).collect()
        } else {
            (0..n)
                .map(|w| (25..=44).map(|a| base_shares[w][a]).sum::<f64>() / 20.0)
                .collect()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pop_from(cells: &[f64]) -> Pop {
        let mut p = Pop::default();
        for s in 0..2 {
            for a in 0..AGES {
                p.0[s][a] = cells[(s * AGES + a) % cells.len()] * (1.0 + (a % 7) as f64);
            }
        }
        p
    }

    proptest! {
        /// The wijken add up to their gemeente per band (and single age and sex) in every
        /// year, for any gemeente projection and any KWB base.
        #[test]
        fn wijken_sum_to_their_gemeente(
            wijken in prop::collection::vec(prop::array::uniform5(0u32..5000), 1..9),
            years in prop::collection::vec(prop::collection::vec(0.0f64..900.0, 5..20), 1..8),
            weight in 0.0f64..=1.0,
        ) {
            let bands: Vec<[f64; 5]> = wijken.iter().map(|w| w.map(f64::from)).collect();
            let gemeente: Vec<Pop> = years.iter().map(|c| pop_from(c)).collect();
            let shares = band_shares(&bands);
            // Raked to wijk totals that add up to the gemeente's (in proportion to the KWB's).
            let kwb: Vec<f64> = bands.iter().map(|b| b.iter().sum()).collect();
            let (all, g0) = (kwb.iter().sum::<f64>(), gemeente[0].total());
            let shares = if all > 0.0 {
                let totals: Vec<f64> = kwb.iter().map(|t| t * g0 / all).collect();
                rake_to_totals(&shares, &gemeente[0], &totals)
            } else {
                shares
            };
            let out = cohort_share_downscale(&gemeente, &shares, weight);
            prop_assert_eq!(out.len(), bands.len());
            for (t, g) in gemeente.iter().enumerate() {
                let bands_and_65 = KWB_BANDS.iter().chain(&[(65, 74), (75, OPEN_AGE), (85, OPEN_AGE)]);
                for (lo, hi) in bands_and_65 {
                    let sum: f64 = out.iter().map(|w| w[t].band(*lo, *hi)).sum();
                    let want = g.band(*lo, *hi);
                    prop_assert!((sum - want).abs() <= 1e-6 * want.max(1.0), "{t} {lo}-{hi}: {sum} vs {want}");
                }
                for s in 0..2 {
                    for a in 0..AGES {
                        let sum: f64 = out.iter().map(|w| w[t].0[s][a]).sum();
                        prop_assert!((sum - g.0[s][a]).abs() <= 1e-6 * g.0[s][a].max(1.0));
                    }
                }
                prop_assert!(out.iter().all(|w| w[t].min_cell() >= 0.0));
            }
        }
    }

    #[test]
    fn the_base_year_gives_each_wijk_its_kwb_bands() {
        // Two wijken: 100 and 300 of 0–14, 50 and 50 of 65+ (the rest empty).
        let bands = [[100.0, 0.0, 0.0, 0.0, 50.0], [300.0, 0.0, 0.0, 0.0, 50.0]];
        let mut g = Pop::default();
        g.0[0][3] = 400.0;
        g.0[0][15] = 1000.0;
        g.0[1][80] = 100.0;
        let out = cohort_share_downscale(&[g, g], &band_shares(&bands), COHORT_WEIGHT);
        assert_eq!(out[0][0].band(0, 14), 100.0);
        assert_eq!(out[1][0].band(0, 14), 300.0);
        assert_eq!(out[0][0].band(75, OPEN_AGE), 50.0);
        // Next year, age 3's share is half its cohort's in the base (age 2: 0.25) and half
        // age 3's in the base (0.25); age 80's half age 79's (0.5) and half its own (0.5).
        assert_eq!(out[0][1].0[0][3], 400.0 * 0.25);
        assert_eq!(out[0][1].0[1][80], 100.0 * 0.5);
        // Age 15 (no KWB 15–24 anywhere: the wijk's share of all, 150 / 500 = 0.3) takes half
        // the share its cohort had at 14 (0.25): 0.275 of the gemeente's 1,000.
        assert_eq!(out[0][0].0[0][15], 300.0);
        assert!((out[0][1].0[0][15] - 275.0).abs() < 1e-9);
    }

    #[test]
    fn raking_gives_each_wijk_its_total_and_the_gemeente_its_ages() {
        // KWB: wijk 1 holds the young, wijk 2 the old; the gemeente's own ages are older.
        let bands = [[300.0, 0.0, 0.0, 0.0, 100.0], [100.0, 0.0, 0.0, 0.0, 500.0]];
        let mut g = Pop::default();
        g.0[0][5] = 200.0;
        g.0[1][70] = 800.0;
        let raked = rake_to_totals(&band_shares(&bands), &g, &[400.0, 600.0]);
        let out = cohort_share_downscale(&[g], &raked, COHORT_WEIGHT);
        assert!(
            (out[0][0].total() - 400.0).abs() < 1e-6,
            "{}",
            out[0][0].total()
        );
        assert!((out[1][0].total() - 600.0).abs() < 1e-6);
        assert!((out[0][0].0[1][70] + out[1][0].0[1][70] - 800.0).abs() < 1e-9);
    }
}
