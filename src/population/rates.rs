//! Demographic rates: life tables and mortality (with improvement, steerable to a life
//! expectancy path), fertility (age schedule × TFR path), net migration (age-sex profile ×
//! yearly total), and the per-year rate set the cohort step uses.

use std::collections::BTreeMap;

use super::PopulationError;
use super::grid::{AGES, MEN, OPEN_AGE, Pop, WOMEN};

/// A single-year life table from central death rates m(x).
#[derive(Debug, Clone)]
pub struct LifeTable {
    pub q: [f64; AGES],
    pub l: [f64; AGES],
    /// Person-years lived L(x); L(105) covers the open interval.
    pub big_l: [f64; AGES],
    pub t: [f64; AGES],
}

/// Life table from central death rates (Preston, Heuveline & Guillot 2001, ch. 3):
/// q = m / (1 + (1 − a)·m) with a = 0.1 at age 0 and 0.5 above, l(x+1) = l(x)(1 − q),
/// L(x) = l(x+1) + a·d(x), L(ω+) = l(ω)/m(ω), T(x) = Σ_{y≥x} L(y).
pub fn life_table(m: &[f64; AGES]) -> LifeTable {
    let mut q = [0.0; AGES];
    let mut l = [0.0; AGES];
    let mut big_l = [0.0; AGES];
    l[0] = 1.0;
    for x in 0..AGES {
        let a = if x == 0 { 0.1 } else { 0.5 };
        let mx = m[x].max(0.0);
        q[x] = if x == OPEN_AGE {
            1.0
        } else {
            (mx / (1.0 + (1.0 - a) * mx)).min(1.0)
        };
        let d = l[x] * q[x];
        if x < OPEN_AGE {
            l[x + 1] = l[x] - d;
            big_l[x] = l[x + 1] + a * d;
        } else {
            big_l[x] = if mx > 0.0 { l[x] / mx } else { l[x] };
        }
    }
    let mut t = [0.0; AGES];
    let mut acc = 0.0;
    for x in (0..AGES).rev() {
        acc += big_l[x];
        t[x] = acc;
    }
    LifeTable { q, l, big_l, t }
}

impl LifeTable {
    /// Life expectancy at age x: T(x)/l(x).
    pub fn e(&self, x: usize) -> f64 {
        if self.l[x] > 0.0 {
            self.t[x] / self.l[x]
        } else {
            0.0
        }
    }
    /// Survival of the cohort aged x on 1 January to 1 January next year: L(x+1)/L(x); the
    /// two top ages share T(ω)/T(ω−1).
    pub fn survival(&self) -> [f64; AGES] {
        let mut s = [0.0; AGES];
        for x in 0..OPEN_AGE - 1 {
            s[x] = if self.big_l[x] > 0.0 {
                self.big_l[x + 1] / self.big_l[x]
            } else {
                0.0
            };
        }
        let top = if self.t[OPEN_AGE - 1] > 0.0 {
            self.t[OPEN_AGE] / self.t[OPEN_AGE - 1]
        } else {
            0.0
        };
        s[OPEN_AGE - 1] = top;
        s[OPEN_AGE] = top;
        s
    }
    /// Survival of births during the year to 1 January: L(0)/l(0).
    pub fn birth_survival(&self) -> f64 {
        self.big_l[0]
    }
}

/// Central death rates m(x, s) = deaths / mean population of the year.
pub fn death_rates(deaths: &Pop, start: &Pop, end: &Pop) -> [[f64; AGES]; 2] {
    let mut m = [[0.0; AGES]; 2];
    for s in 0..2 {
        for x in 0..AGES {
            let exposure = (start.0[s][x] + end.0[s][x]) / 2.0;
            m[s][x] = if exposure > 0.0 {
                deaths.0[s][x] / exposure
            } else {
                0.0
            };
        }
    }
    m
}

/// Mortality: base rates, a yearly improvement per age and sex, and optional life expectancy
/// targets that the level is steered to.
#[derive(Debug, Clone)]
pub struct Mortality {
    pub base_year: u16,
    pub m_base: [[f64; AGES]; 2],
    /// Yearly relative decline of m(x) (e.g. 0.01 = 1 % a year).
    pub improvement: [[f64; AGES]; 2],
    /// e0 per year and sex to steer to (Kernprognose), if any.
    pub e0_targets: BTreeMap<u16, [f64; 2]>,
    /// e65 per year and sex to steer ages 65+ to (Kernprognose), if any.
    pub e65_targets: BTreeMap<u16, [f64; 2]>,
    /// Variant multiplier on m (1 = as estimated).
    pub multiplier: f64,
}

/// Mortality improvement per age and sex: the log-linear slope of m(x) over `years`, fitted on
/// 5-year age groups (to damp noise) and clamped to 0–4 % a year, tapering to zero between 85
/// and 105. Lee–Carter-style drift without the SVD: each age group gets its own rate of decline.
pub fn mortality_improvement(m_by_year: &BTreeMap<u16, [[f64; AGES]; 2]>) -> [[f64; AGES]; 2] {
    let mut out = [[0.0; AGES]; 2];
    let years: Vec<u16> = m_by_year.keys().copied().collect();
    if years.len() < 3 {
        return out;
    }
    for s in 0..2 {
        for g in (0..AGES).step_by(5) {
            let hi = (g + 4).min(OPEN_AGE);
            let pts: Vec<(f64, f64)> = years
                .iter()
                .filter_map(|y| {
                    let m = &m_by_year[y][s];
                    let avg: f64 = m[g..=hi].iter().sum::<f64>() / (hi - g + 1) as f64;
                    (avg > 0.0).then(|| (f64::from(*y), avg.ln()))
                })
                .collect();
            if pts.len() < 3 {
                continue;
            }
            let n = pts.len() as f64;
            let (mx, my) = (
                pts.iter().map(|p| p.0).sum::<f64>() / n,
                pts.iter().map(|p| p.1).sum::<f64>() / n,
            );
            let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
            let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
            let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
            let r = (-slope).clamp(0.0, 0.04);
            for x in g..=hi {
                // Improvement tapers off above 85 to nothing at 105: at the oldest ages the
                // log-linear fit is dominated by noise and selection (CMI and Lee–Carter practice).
                let taper = if x > 85 {
                    (OPEN_AGE - x) as f64 / (OPEN_AGE - 85) as f64
                } else {
                    1.0
                };
                out[s][x] = r * taper;
            }
        }
    }
    out
}

impl Mortality {
    /// m(x, s) in year t before steering and variant.
    fn trend(&self, t: u16) -> [[f64; AGES]; 2] {
        let dt = f64::from(t) - f64::from(self.base_year);
        let mut m = self.m_base;
        for s in 0..2 {
            for x in 0..AGES {
                m[s][x] *= (-self.improvement[s][x] * dt).exp();
            }
        }
        m
    }

    /// Death rates of year t: the trend, scaled per sex so that e0 meets the target of that
    /// year when there is one (bisection on a level factor k; e0 falls as k rises), then the
    /// variant multiplier.
    ///
    /// With an e65 target too, ages 65+ get their own factor first (e65 depends on them only),
    /// then ages below 65 are scaled so that e0 meets its target: two levels, two targets.
    pub fn rates(&self, t: u16) -> [[f64; AGES]; 2] {
        let mut m = self.trend(t);
        for s in 0..2 {
            if let Some(target) = self.e65_targets.get(&t) {
                let k_old = steer_to_e(&m[s], target[s], 65, 65);
                m[s][65..].iter_mut().for_each(|v| *v *= k_old);
                if let Some(target0) = self.e0_targets.get(&t) {
                    let k_young = steer_to_e(&m[s], target0[s], 0, 0);
                    m[s][..65].iter_mut().for_each(|v| *v *= k_young);
                }
            } else if let Some(target0) = self.e0_targets.get(&t) {
                let k = steer_to_e(&m[s], target0[s], 0, 0);
                m[s].iter_mut().for_each(|v| *v *= k);
            }
            m[s].iter_mut().for_each(|v| *v *= self.multiplier);
        }
        m
    }
}

/// The factor k such that the life table of k·m has life expectancy `target` at birth.
pub fn steer_to_e0(m: &[f64; AGES], target: f64) -> f64 {
    steer_to_e(m, target, 0, 0)
}

/// The factor k on m(x) for ages ≥ `from` such that life expectancy at age `at` meets `target`
/// (bisection; life expectancy falls as k rises). Returns 1 when the target is out of reach.
pub fn steer_to_e(m: &[f64; AGES], target: f64, from: usize, at: usize) -> f64 {
    let e = |k: f64| {
        let mut mk = *m;
        mk[from..].iter_mut().for_each(|v| *v *= k);
        life_table(&mk).e(at)
    };
    let (mut lo, mut hi) = (0.01, 50.0);
    if e(lo) < target || e(hi) > target {
        return 1.0;
    }
    for _ in 0..80 {
        let mid = (lo * hi).sqrt();
        if e(mid) > target { lo = mid } else { hi = mid }
    }
    (lo * hi).sqrt()
}

/// Fertility: an age schedule (sums to 1 over the mother's ages) times a TFR per year.
#[derive(Debug, Clone)]
pub struct Fertility {
    pub shape: [f64; AGES],
    pub tfr: BTreeMap<u16, f64>,
    /// TFR for years without a path value (last observed).
    pub tfr_default: f64,
    pub multiplier: f64,
}

impl Fertility {
    pub fn asfr(&self, t: u16) -> [f64; AGES] {
        let tfr = self.tfr.get(&t).copied().unwrap_or(self.tfr_default) * self.multiplier;
        let mut f = self.shape;
        f.iter_mut().for_each(|v| *v *= tfr);
        f
    }
}

/// Age-specific fertility rates: births by age of mother / mean women of that age.
pub fn asfr_from_births(births_by_age: &[f64; AGES], start: &Pop, end: &Pop) -> [f64; AGES] {
    let mut f = [0.0; AGES];
    for x in 0..AGES {
        let w = (start.0[WOMEN][x] + end.0[WOMEN][x]) / 2.0;
        f[x] = if w > 0.0 { births_by_age[x] / w } else { 0.0 };
    }
    f
}

/// Net migration: a profile by sex and age at the end of the year (sums to 1) times a yearly
/// total. Negative cells are allowed (ages that leave on balance).
#[derive(Debug, Clone)]
pub struct Migration {
    pub profile: [[f64; AGES]; 2],
    pub totals: BTreeMap<u16, f64>,
    pub total_default: f64,
    pub multiplier: f64,
}

impl Migration {
    pub fn total(&self, t: u16) -> f64 {
        self.totals.get(&t).copied().unwrap_or(self.total_default) * self.multiplier
    }
    pub fn by_age(&self, t: u16) -> Pop {
        let total = self.total(t);
        let mut p = Pop::default();
        for s in 0..2 {
            for a in 0..AGES {
                p.0[s][a] = self.profile[s][a] * total;
            }
        }
        p
    }
}

/// Residual net migration of one year by sex and age at the end of the year:
/// M(a) = P(a, t+1) − P(a−1, t)·S(a−1) for a ≥ 1 (the open age adds P(ω, t)·S(ω)), and
/// M(0) = P(0, t+1) − B_s·S_b. DemoTools `mig_resid_cohort`, one-year steps.
pub fn migration_residual(start: &Pop, end: &Pop, m: &[[f64; AGES]; 2], births: [f64; 2]) -> Pop {
    let mut out = Pop::default();
    for s in 0..2 {
        let lt = life_table(&m[s]);
        let surv = lt.survival();
        out.0[s][0] = end.0[s][0] - births[s] * lt.birth_survival();
        for a in 1..AGES {
            let mut survived = start.0[s][a - 1] * surv[a - 1];
            if a == OPEN_AGE {
                survived += start.0[s][OPEN_AGE] * surv[OPEN_AGE];
            }
            out.0[s][a] = end.0[s][a] - survived;
        }
    }
    out
}

/// Normalise a migration sum over years to a profile that sums to 1.
pub fn migration_profile(sum: &Pop) -> Result<[[f64; AGES]; 2], PopulationError> {
    let total = sum.total();
    if total.abs() < 1.0 {
        return Err(PopulationError::Method {
            method: "migration_profile".into(),
            message: "net migration over the chosen years is about zero".into(),
        });
    }
    let mut p = [[0.0; AGES]; 2];
    for s in 0..2 {
        for a in 0..AGES {
            p[s][a] = sum.0[s][a] / total;
        }
    }
    Ok(p)
}

/// Everything the cohort step needs for one year.
#[derive(Debug, Clone)]
pub struct YearRates {
    pub survival: [[f64; AGES]; 2],
    pub birth_survival: [f64; 2],
    pub asfr: [f64; AGES],
    /// Boys per girl at birth.
    pub srb: f64,
    /// Net migration by sex and age at the end of the year (absolute numbers).
    pub migration: Pop,
}

/// The rates of a projection: mortality, fertility, migration, sex ratio at birth.
#[derive(Debug, Clone)]
pub struct RateSet {
    pub mortality: Mortality,
    pub fertility: Fertility,
    pub migration: Migration,
    pub srb: f64,
}

impl RateSet {
    /// The rates of year t (the flows during year t, from 1 January t to 1 January t+1).
    pub fn year(&self, t: u16) -> YearRates {
        self.year_scaled(t, &self.mortality.rates(t), 1.0, 1.0)
    }

    /// The rates of year t from that year's death rates `m` (from [`Mortality::rates`], so the
    /// steering runs once per year), with death rates and fertility scaled by a gemeente's own
    /// level (1.0 = national).
    pub fn year_scaled(
        &self,
        t: u16,
        m: &[[f64; AGES]; 2],
        mortality: f64,
        fertility: f64,
    ) -> YearRates {
        let scaled = |s: usize| {
            let mut ms = m[s];
            ms.iter_mut().for_each(|v| *v *= mortality);
            life_table(&ms)
        };
        let (lm, lv) = (scaled(MEN), scaled(WOMEN));
        let mut asfr = self.fertility.asfr(t);
        asfr.iter_mut().for_each(|v| *v *= fertility);
        YearRates {
            survival: [lm.survival(), lv.survival()],
            birth_survival: [lm.birth_survival(), lv.birth_survival()],
            asfr,
            srb: self.srb,
            migration: self.migration.by_age(t),
        }
    }

    /// Life expectancy at birth and at 65 per sex in year t (for reporting and checks).
    pub fn life_expectancy(&self, t: u16) -> [[f64; 2]; 2] {
        let m = self.mortality.rates(t);
        let mut out = [[0.0; 2]; 2];
        for s in 0..2 {
            let lt = life_table(&m[s]);
            out[s] = [lt.e(0), lt.e(65)];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_hazard_life_table() {
        // m = 0.02 everywhere: e0 close to 1/m = 50 (discrete approximation).
        let m = [0.02; AGES];
        let lt = life_table(&m);
        assert!((lt.e(0) - 50.0).abs() < 1.5, "{}", lt.e(0));
        let s = lt.survival();
        assert!(s.iter().all(|v| *v > 0.0 && *v <= 1.0));
    }

    #[test]
    fn steering_hits_the_target() {
        let mut m = [0.0; AGES];
        for (x, v) in m.iter_mut().enumerate() {
            *v = 0.0001 * (0.09 * x as f64).exp();
        }
        let k = steer_to_e0(&m, 82.5);
        let mut mk = m;
        mk.iter_mut().for_each(|v| *v *= k);
        assert!((life_table(&mk).e(0) - 82.5).abs() < 1e-6);
    }
}
