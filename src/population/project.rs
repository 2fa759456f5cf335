//! The cohort-component projection: one-year steps from 1 January t to 1 January t+1.

use super::grid::{AGES, OPEN_AGE, Pop, WOMEN};
use super::rates::{RateSet, YearRates};

/// The flows of one year by sex and age at the end of the year (1 January t+1), so that for
/// every sex and age a ≥ 1: P(a, t+1) = P(a−1, t) − deaths(a) + migration(a) (the open age
/// also takes P(105, t)), and P(0, t+1) = births − deaths(0) + migration(0).
#[derive(Debug, Clone, Default)]
pub struct Components {
    pub deaths: Pop,
    pub births: [f64; 2],
    pub migration: Pop,
}

/// One cohort-component step (Preston, Heuveline & Guillot 2001, Box 6.2; migration counted
/// at the end of the year by age reached, as the residual method measures it):
/// survivors P(a−1)·S(a−1), births Σ f(x)·(W(x, t) + W(x, t+1))/2 split by the sex ratio and
/// survived with L(0)/l(0), plus net migration. A cell that migration would make negative is
/// set to zero and its migration reduced accordingly, so no cell is ever negative.
pub fn cohort_step(p: &Pop, r: &YearRates) -> (Pop, Components) {
    let mut next = Pop::default();
    let mut c = Components::default();
    for s in 0..2 {
        for a in 1..AGES {
            let mut start = p.0[s][a - 1];
            let mut survived = start * r.survival[s][a - 1];
            if a == OPEN_AGE {
                start += p.0[s][OPEN_AGE];
                survived += p.0[s][OPEN_AGE] * r.survival[s][OPEN_AGE];
            }
            c.deaths.0[s][a] = start - survived;
            let mig = r.migration.0[s][a].max(-survived);
            c.migration.0[s][a] = mig;
            next.0[s][a] = survived + mig;
        }
    }
    // Births: mean of women at the start and at the end of the year (ages ≥ 1 are known now).
    let births: f64 = (0..AGES)
        .map(|x| r.asfr[x] * (p.0[WOMEN][x] + next.0[WOMEN][x]) / 2.0)
        .sum();
    let girls = births / (1.0 + r.srb);
    c.births = [births - girls, girls];
    for s in 0..2 {
        let survived = c.births[s] * r.birth_survival[s];
        c.deaths.0[s][0] = c.births[s] - survived;
        let mig = r.migration.0[s][0].max(-survived);
        c.migration.0[s][0] = mig;
        next.0[s][0] = survived + mig;
    }
    (next, c)
}

/// A projection: the population on 1 January of each year from the base to the horizon, and
/// the flows of each year in between.
#[derive(Debug, Clone)]
pub struct Projection {
    pub base_year: u16,
    pub stocks: Vec<Pop>,
    pub flows: Vec<Components>,
}

impl Projection {
    pub fn year(&self, t: u16) -> Option<&Pop> {
        t.checked_sub(self.base_year)
            .and_then(|i| self.stocks.get(usize::from(i)))
    }
    pub fn horizon(&self) -> u16 {
        self.base_year + (self.stocks.len() as u16).saturating_sub(1)
    }
}

/// Project `base` (1 January `base_year`) to 1 January `horizon` with the rate set.
pub fn project(base: &Pop, base_year: u16, horizon: u16, rates: &RateSet) -> Projection {
    project_adjusted(base, base_year, horizon, rates, |_, _| {})
}

/// Project like [`project`], letting `adjust` change each new stock (year, population) before
/// the next step starts from it, e.g. to meet a control. The change is booked as migration, so
/// every year still balances.
pub fn project_adjusted(
    base: &Pop,
    base_year: u16,
    horizon: u16,
    rates: &RateSet,
    mut adjust: impl FnMut(u16, &mut Pop),
) -> Projection {
    let mut stocks = vec![*base];
    let mut flows = Vec::new();
    for t in base_year..horizon {
        let (mut next, mut c) = cohort_step(&stocks[stocks.len() - 1], &rates.year(t));
        let before = next;
        adjust(t + 1, &mut next);
        for s in 0..2 {
            for a in 0..AGES {
                c.migration.0[s][a] += next.0[s][a] - before.0[s][a];
            }
        }
        stocks.push(next);
        flows.push(c);
    }
    Projection {
        base_year,
        stocks,
        flows,
    }
}

/// Check the accounting identity of one step; returns the largest relative error.
pub fn accounting_error(start: &Pop, end: &Pop, c: &Components) -> f64 {
    let mut worst: f64 = 0.0;
    for s in 0..2 {
        for a in 0..AGES {
            let before = match a {
                0 => c.births[s],
                OPEN_AGE => start.0[s][OPEN_AGE - 1] + start.0[s][OPEN_AGE],
                _ => start.0[s][a - 1],
            };
            let expected = before - c.deaths.0[s][a] + c.migration.0[s][a];
            let err = (end.0[s][a] - expected).abs() / end.0[s][a].abs().max(1.0);
            worst = worst.max(err);
        }
    }
    worst
}
