//! The national series the rates are estimated from (population 1 January by single year and
//! sex, deaths, births by age of mother and by sex) and the Kernprognose paths they are
//! steered to, read from tidy tables.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::source::codes::period_year;
use crate::source::{Cell, TidyTable};

use super::PopulationError;
use super::grid::{AGES, OPEN_AGE, Pop};
use super::rates::{
    Fertility, Migration, Mortality, RateSet, asfr_from_births, death_rates, migration_profile,
    migration_residual, mortality_improvement,
};

fn sex_index(s: &str) -> Option<usize> {
    match s {
        "M" => Some(0),
        "V" => Some(1),
        _ => None,
    }
}

/// Age of a tidy row as a single year (`95+` → 95, `0-15` → 15 for mothers "15 jaar of jonger").
fn single_age(age: &str) -> Option<usize> {
    if let Some((_, hi)) = age.split_once('-') {
        return hi.parse::<usize>().ok().map(|a| a.min(OPEN_AGE));
    }
    age.trim_end_matches('+')
        .parse::<usize>()
        .ok()
        .map(|a| a.min(OPEN_AGE))
}

/// Population or deaths by year, sex and single age from a tidy table (rows with sex M/V,
/// a single age and a yearly period; one measure). Each year and sex must cover its ages once,
/// without a gap from 0 to its highest age (an open class `95+` ends the ages): an overlapping
/// or missing age is an error naming the line, not a silent zero.
pub fn series_by_year(
    t: &TidyTable,
    measure_prefix: &str,
) -> Result<BTreeMap<u16, Pop>, PopulationError> {
    let mut out: BTreeMap<u16, Pop> = BTreeMap::new();
    // Per (year, sex): the line that gave each age, and the age of an open class.
    let mut seen: BTreeMap<(u16, usize), ([u64; AGES], Option<usize>)> = BTreeMap::new();
    let err = |line: u64, message: String| {
        PopulationError::InTable {
        path: t.path.clone(),
        line,
        message,
        hint: "a single-year table has each age 0, 1, 2, … once per year and sex, the last one may be open (95+)".into(),
    }
    };
    let sex_name = |s: usize| if s == 0 { "men" } else { "women" };
    for r in &t.rows {
        if !r.period.ends_with("JJ00") || !r.measure.starts_with(measure_prefix) {
            continue;
        }
        let (Some(y), Some(s), Cell::Number(v)) =
            (period_year(&r.period), sex_index(&r.sex), &r.value)
        else {
            continue;
        };
        if r.age.contains('-') {
            return Err(err(
                r.line,
                format!("age band '{}' in a table of single years", r.age),
            ));
        }
        let Some(a) = single_age(&r.age) else {
            continue;
        };
        let (lines, open) = seen.entry((y, s)).or_insert(([0; AGES], None));
        let overlap = if lines[a] != 0 {
            Some(lines[a])
        } else {
            open.filter(|o| a > *o).map(|o| lines[o])
        };
        if let Some(first) = overlap {
            return Err(err(
                r.line,
                format!(
                    "age {} of {} in {y} overlaps line {first} (overlapping age bands)",
                    r.age,
                    sex_name(s)
                ),
            ));
        }
        if r.age.ends_with('+') {
            if let Some(above) = (a + 1..AGES).find(|x| lines[*x] != 0) {
                return Err(err(
                    r.line,
                    format!(
                        "open age {} of {} in {y} overlaps age {above} on line {} (overlapping age bands)",
                        r.age,
                        sex_name(s),
                        lines[above]
                    ),
                ));
            }
            *open = Some(a);
        }
        lines[a] = r.line;
        out.entry(y).or_default().0[s][a] += v;
    }
    for ((y, s), (lines, _)) in &seen {
        let top = (0..AGES).rev().find(|a| lines[*a] != 0).unwrap_or(0);
        if let Some(gap) = (0..top).find(|a| lines[*a] == 0) {
            let next = (gap..=top).find(|a| lines[*a] != 0).unwrap_or(top);
            return Err(err(
                lines[next],
                format!(
                    "age {gap} of {} in {y} is missing (a gap in the ages below {top})",
                    sex_name(*s)
                ),
            ));
        }
    }
    Ok(out)
}

/// Births by age of the mother per year (ages 15…49; the open classes at both ends included).
pub fn births_by_mother_age(t: &TidyTable) -> BTreeMap<u16, [f64; AGES]> {
    let mut out: BTreeMap<u16, [f64; AGES]> = BTreeMap::new();
    for r in &t.rows {
        let (Some(y), Some(a), Cell::Number(v)) =
            (period_year(&r.period), single_age(&r.age), &r.value)
        else {
            continue;
        };
        if r.age == "totaal" {
            continue;
        }
        out.entry(y).or_insert([0.0; AGES])[a] += v;
    }
    out
}

/// Live births by sex per year (37422ned: Jongens_5, Meisjes_6).
pub fn births_by_sex(t: &TidyTable) -> BTreeMap<u16, [f64; 2]> {
    let mut out: BTreeMap<u16, [f64; 2]> = BTreeMap::new();
    for r in &t.rows {
        let (Some(y), Cell::Number(v)) = (period_year(&r.period), &r.value) else {
            continue;
        };
        let i = if r.measure.starts_with("Jongens_") {
            0
        } else if r.measure.starts_with("Meisjes_") {
            1
        } else {
            continue;
        };
        out.entry(y).or_insert([0.0; 2])[i] = *v;
    }
    out
}

/// One interval of the Kernprognose (86040NED): the paths a projection is steered to and the
/// totals it is checked or constrained against.
#[derive(Debug, Clone, Default)]
pub struct KernprognosePaths {
    pub interval: String,
    pub e0: BTreeMap<u16, [f64; 2]>,
    pub e65: BTreeMap<u16, [f64; 2]>,
    pub tfr: BTreeMap<u16, f64>,
    pub net_migration: BTreeMap<u16, f64>,
    pub population: BTreeMap<u16, f64>,
    /// 0–19, 20–64, 65+ on 1 January.
    pub bands: BTreeMap<u16, [f64; 3]>,
}

/// The interval names of 86040NED for the variants.
pub fn interval_name(variant: &str) -> Option<&'static str> {
    match variant {
        "midden" => Some("Prognose"),
        "laag" => Some("Ondergrens 67%-prognose-interval"),
        "hoog" => Some("Bovengrens 67%-prognose-interval"),
        "laag95" => Some("Ondergrens 95%-prognose-interval"),
        "hoog95" => Some("Bovengrens 95%-prognose-interval"),
        _ => None,
    }
}

/// Read one interval of 86040NED (Kernprognose kerncijfers) from its tidy table.
pub fn kernprognose_paths(
    t: &TidyTable,
    interval: &str,
) -> Result<KernprognosePaths, PopulationError> {
    let mut k = KernprognosePaths {
        interval: interval.to_string(),
        ..Default::default()
    };
    for r in &t.rows {
        if r.category_value("PrognoseInterval") != Some(interval) {
            continue;
        }
        let (Some(y), Cell::Number(v)) = (period_year(&r.period), &r.value) else {
            continue;
        };
        let v = *v;
        match r.measure.as_str() {
            "BevolkingOp1Januari_1" => {
                k.population.insert(y, v);
            }
            "k_0Tot20Jaar_2" => k.bands.entry(y).or_default()[0] = v,
            "k_20Tot65Jaar_3" => k.bands.entry(y).or_default()[1] = v,
            "k_65JaarEnOuder_4" => k.bands.entry(y).or_default()[2] = v,
            "TotaalVruchtbaarheidscijfer_12" => {
                k.tfr.insert(y, v);
            }
            "Mannen_15" => k.e0.entry(y).or_default()[0] = v,
            "Vrouwen_16" => k.e0.entry(y).or_default()[1] = v,
            "Mannen_18" => k.e65.entry(y).or_default()[0] = v,
            "Vrouwen_19" => k.e65.entry(y).or_default()[1] = v,
            "MigratiesaldoInclusiefCorrecties_22" => {
                k.net_migration.insert(y, v);
            }
            _ => {}
        }
    }
    if k.e0.is_empty() || k.tfr.is_empty() || k.net_migration.is_empty() {
        return Err(PopulationError::Missing {
            path: t.path.clone(),
            what: format!(
                "Kernprognose paths (e0 by sex, TFR, net migration) for interval '{interval}'"
            ),
            hint: "use the 86040NED extract (Kernprognose 2024–2070, kerncijfers)".into(),
        });
    }
    Ok(k)
}

/// The national data the rates come from.
#[derive(Debug, Clone)]
pub struct NationalData {
    pub population: BTreeMap<u16, Pop>,
    pub deaths: BTreeMap<u16, Pop>,
    pub births_mother_age: BTreeMap<u16, [f64; AGES]>,
    pub births_sex: BTreeMap<u16, [f64; 2]>,
    pub source: PathBuf,
}

/// How the rates are estimated and steered.
#[derive(Debug, Clone)]
pub struct RateOptions {
    /// First year projected; only data of earlier years is used (a backtest sets it to its base).
    pub base_year: u16,
    /// Steer to a Kernprognose interval (e0, TFR, net migration totals), or not.
    pub steer: Option<KernprognosePaths>,
    pub srb: f64,
    /// Variant multipliers on mortality, fertility and migration.
    pub multipliers: [f64; 3],
    /// Years whose residual net migration gives the age-sex profile (default: the 20 before the
    /// base, on own trends the last [`MIGRATION_YEARS`] of them; 2020–2022 left out).
    pub migration_years: Option<(u16, u16)>,
}

/// How many usable years before the base give the migration age profile and level of a
/// projection on its own trends (not steered: the backtests, `steer = "geen"`) (**residual
/// method**, DemoTools `mig_resid`; docs/METHODS.md §1a). Five, chosen by the national
/// backtests that end by 2019 (bases 2012, 2013, 2014): the band MAPE with five years was 2.52,
/// 2.27 and 2.00 %, with ten 3.15, 3.25, 2.34 %, with twenty 2.61, 2.39, 2.04 % (README, "Head
/// to head with the Kernprognose 2019"). Steered to the Kernprognose, the profile stays the one
/// of the twenty years before the base: with it the steered projection keeps the Kernprognose's
/// 65+ within 1 % to 2040 (test `national_projection_tracks_the_kernprognose`), with five it
/// drifts to +1.05 % by 2037 — CBS's own age pattern of migration is a long-run one.
pub const MIGRATION_YEARS: usize = 5;

impl NationalData {
    fn years_with(&self, y: u16) -> bool {
        self.deaths.contains_key(&y)
            && self.population.contains_key(&y)
            && self.population.contains_key(&(y + 1))
    }

    /// Death rates of year y.
    pub fn death_rates(&self, y: u16) -> Option<[[f64; AGES]; 2]> {
        self.years_with(y).then(|| {
            death_rates(
                &self.deaths[&y],
                &self.population[&y],
                &self.population[&(y + 1)],
            )
        })
    }

    /// Estimate a national rate set from data of years before `opts.base_year` only:
    /// - mortality: m(x, s) averaged over the last 3 years with deaths; improvement from the
    ///   log-linear trend over up to 15 years before (2020–2022, the COVID years, left out of the
    ///   trend); steered to the e65 and e0 paths when given;
    /// - fertility: ASFR averaged over the last 3 years with births by age of mother, as a
    ///   schedule × TFR (path when steered, else the observed TFR);
    /// - migration: the residual net migration by age and sex summed over the 20 years before
    ///   the base, or on own trends the last [`MIGRATION_YEARS`] of them (2020–2022 left out:
    ///   COVID and the Ukrainian arrivals distort the age pattern) as the profile; totals from
    ///   the path, else the mean of the last five of those years.
    pub fn estimate_rates(&self, opts: &RateOptions) -> Result<RateSet, PopulationError> {
        let base = opts.base_year;
        let missing = |what: String| PopulationError::Missing {
            path: self.source.clone(),
            what,
            hint: "the national series must cover the years before the base year".into(),
        };
        // Mortality.
        let recent: Vec<u16> = (base.saturating_sub(6)..base)
            .rev()
            .filter(|y| self.years_with(*y))
            .take(3)
            .collect();
        if recent.is_empty() {
            return Err(missing(format!(
                "deaths and population for the years before {base}"
            )));
        }
        let mut m_base = [[0.0; AGES]; 2];
        for y in &recent {
            let m = self.death_rates(*y).unwrap_or([[0.0; AGES]; 2]);
            for s in 0..2 {
                for x in 0..AGES {
                    m_base[s][x] += m[s][x] / recent.len() as f64;
                }
            }
        }
        let trend_years: BTreeMap<u16, [[f64; AGES]; 2]> = (base.saturating_sub(16)..base)
            .filter(|y| !(2020..=2022).contains(y))
            .filter_map(|y| self.death_rates(y).map(|m| (y, m)))
            .collect();
        let mid_recent = recent.iter().map(|y| f64::from(*y)).sum::<f64>() / recent.len() as f64;
        let mortality = Mortality {
            base_year: mid_recent.round() as u16,
            m_base,
            improvement: mortality_improvement(&trend_years),
            e0_targets: opts
                .steer
                .as_ref()
                .map(|k| k.e0.clone())
                .unwrap_or_default(),
            e65_targets: opts
                .steer
                .as_ref()
                .map(|k| k.e65.clone())
                .unwrap_or_default(),
            multiplier: opts.multipliers[0],
        };
        // Fertility.
        let fert_years: Vec<u16> = self
            .births_mother_age
            .keys()
            .copied()
            .filter(|y| {
                *y < base
                    && self.population.contains_key(y)
                    && self.population.contains_key(&(y + 1))
            })
            .rev()
            .take(3)
            .collect();
        if fert_years.is_empty() {
            return Err(missing(format!("births by age of mother before {base}")));
        }
        let mut asfr = [0.0; AGES];
        for y in &fert_years {
            let f = asfr_from_births(
                &self.births_mother_age[y],
                &self.population[y],
                &self.population[&(y + 1)],
            );
            for x in 0..AGES {
                asfr[x] += f[x] / fert_years.len() as f64;
            }
        }
        let tfr_observed: f64 = asfr.iter().sum();
        let mut shape = asfr;
        shape.iter_mut().for_each(|v| *v /= tfr_observed);
        let fertility = Fertility {
            shape,
            tfr: opts
                .steer
                .as_ref()
                .map(|k| k.tfr.clone())
                .unwrap_or_default(),
            tfr_default: tfr_observed,
            multiplier: opts.multipliers[1],
        };
        // Migration.
        let (y0, y1) = opts
            .migration_years
            .unwrap_or((base.saturating_sub(20), base - 1));
        let mut mig_years: Vec<u16> = (y0..=y1.min(base - 1))
            .filter(|y| opts.migration_years.is_some() || !(2020..=2022).contains(y))
            .filter(|y| self.years_with(*y) && self.births_sex.contains_key(y))
            .collect();
        // Own trends (not steered): the recent years only; steered, the longer pattern.
        if opts.migration_years.is_none() && opts.steer.is_none() {
            let skip = mig_years.len().saturating_sub(MIGRATION_YEARS);
            mig_years.drain(..skip);
        }
        if mig_years.is_empty() {
            return Err(missing(format!(
                "population, deaths and births by sex for the years before {base}"
            )));
        }
        let mut sum = Pop::default();
        let mut totals = Vec::new();
        for y in &mig_years {
            let m = self.death_rates(*y).unwrap_or([[0.0; AGES]; 2]);
            let r = migration_residual(
                &self.population[y],
                &self.population[&(y + 1)],
                &m,
                self.births_sex[y],
            );
            totals.push(r.total());
            sum.add(&r);
        }
        let last5: Vec<f64> = totals.iter().rev().take(MIGRATION_YEARS).copied().collect();
        let migration = Migration {
            profile: migration_profile(&sum)?,
            totals: opts
                .steer
                .as_ref()
                .map(|k| k.net_migration.clone())
                .unwrap_or_default(),
            total_default: last5.iter().sum::<f64>() / last5.len() as f64,
            multiplier: opts.multipliers[2],
        };
        Ok(RateSet {
            mortality,
            fertility,
            migration,
            srb: opts.srb,
        })
    }
}

impl NationalData {
    /// Assemble from the four tables: population 1 January by single year and sex (7461bev),
    /// deaths (37168), births by age of mother (37744ned), births by sex (37422ned).
    pub fn from_tables(
        population: &TidyTable,
        deaths: &TidyTable,
        births_mother_age: &TidyTable,
        births_sex: &TidyTable,
    ) -> Result<NationalData, PopulationError> {
        Ok(NationalData {
            population: series_by_year(population, "")?,
            deaths: series_by_year(deaths, "")?,
            births_mother_age: self::births_by_mother_age(births_mother_age),
            births_sex: self::births_by_sex(births_sex),
            source: population.path.clone(),
        })
    }
}

/// An age band `lo..=hi` with its count for men and women.
pub type SexBand = (usize, usize, [f64; 2]);

/// Kernprognose population by 5-year band and sex per year (85745NED, 2023 vintage):
/// `(lo, hi, [men, women])` for 0–4 … 85–89 and 90+. Women = total − men; men 90+ = men's total −
/// their bands below 90 (the dump lacks the men's 90–94 and 95+ rows).
pub fn kp_age_sex_bands(
    t: &TidyTable,
    interval: &str,
) -> Result<BTreeMap<u16, Vec<SexBand>>, PopulationError> {
    let mut total: BTreeMap<u16, BTreeMap<String, f64>> = BTreeMap::new();
    let mut men: BTreeMap<u16, BTreeMap<String, f64>> = BTreeMap::new();
    for r in &t.rows {
        if r.category_value("PrognoseInterval") != Some(interval) {
            continue;
        }
        let (Some(y), Some(v)) = (period_year(&r.period), r.number()) else {
            continue;
        };
        let m = match r.sex.as_str() {
            "T" => &mut total,
            "M" => &mut men,
            _ => continue,
        };
        m.entry(y).or_default().insert(r.age.clone(), v);
    }
    let mut out = BTreeMap::new();
    for (y, tb) in &total {
        let Some(mb) = men.get(y) else { continue };
        let mut bands = Vec::new();
        let mut men_below_90 = 0.0;
        let mut complete = true;
        for lo in (0..90).step_by(5) {
            let key = format!("{lo}-{}", lo + 4);
            match (tb.get(&key), mb.get(&key)) {
                (Some(t), Some(m)) => {
                    men_below_90 += m;
                    bands.push((lo, lo + 4, [*m, t - m]));
                }
                _ => complete = false,
            }
        }
        let (Some(t90), Some(t95), Some(mtot)) = (tb.get("90-94"), tb.get("95+"), mb.get("totaal"))
        else {
            continue;
        };
        if !complete {
            continue;
        }
        let m90 = mtot - men_below_90;
        bands.push((90, OPEN_AGE, [m90, t90 + t95 - m90]));
        out.insert(*y, bands);
    }
    if out.is_empty() {
        return Err(PopulationError::Missing {
            path: t.path.clone(),
            what: format!("5-year bands by sex for interval '{interval}'"),
            hint: "use the 85745NED extract (Kernprognose, geslacht en leeftijd in 5-jaarsgroepen)"
                .into(),
        });
    }
    Ok(out)
}
