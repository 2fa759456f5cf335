//! Gemeente backtests of population totals (docs/METHODS.md §1g): the benchmark methods every
//! small-area study reports, each one function with its source, and the measures of their
//! errors by size class of gemeente. The inputs (base and realised totals in one indeling, the
//! national projection, a published forecast) are read and harmonised by the caller.

use std::collections::BTreeMap;

use crate::geo::Registry;
use crate::source::TidyTable;

use super::PopulationError;
use super::grid::{OPEN_AGE, Pop};
use super::history::Known;
use super::project::Projection;
use super::rates::RateSet;
pub use super::regional::constant_share;
use super::regional::{
    Gemeenten, RegionalProjection, fit_bases_to_national, own_net_migration, project_gemeenten,
    rake_pop,
};
use super::split::BandTotal;

/// **Naive constant population** (Smith, Tayman & Swanson 2013, ch. 13: the benchmark that any
/// method must beat): the gemeente keeps its base population.
pub fn naive_constant(base: f64) -> f64 {
    base
}

/// **Linear extrapolation** (LINE; Smith, Tayman & Swanson 2013, ch. 8, a benchmark of every
/// small-area study, docs/METHODS.md §5D): the mean yearly change over the window before the
/// base carried on, `P_base + h · (P_base − P_earlier) / span`.
pub fn linear_trend(base: f64, earlier: f64, span: f64, horizon: f64) -> f64 {
    if span > 0.0 {
        base + horizon * (base - earlier) / span
    } else {
        base
    }
}

/// **Housing-led projection** (housing unit method: Smith, Nogle & Cody 2002; the way PBL/CBS
/// tie PEARL to the dwelling stock and the GLA's housing-led model, docs/METHODS.md §5A): the
/// population in households follows the dwelling stock × persons per dwelling, the persons in
/// institutions are held: `P = (D_base + h · ΔD) · ppd_base · f^h + I`, with
/// `ppd_base = (P_base − I) / D_base`, ΔD the net additions per year of the window before the
/// base and `f` the yearly change of the national persons per dwelling over that window.
pub fn housing_led(
    base: f64,
    institutional: f64,
    dwellings: f64,
    additions_per_year: f64,
    ppd_factor_per_year: f64,
    horizon: f64,
) -> f64 {
    if dwellings <= 0.0 {
        return base;
    }
    let ppd = (base - institutional) / dwellings;
    (dwellings + horizon * additions_per_year) * ppd * ppd_factor_per_year.powf(horizon)
        + institutional
}

/// **Scaling to a control total** (top-down constraint, docs/METHODS.md §1a): every gemeente
/// × control / Σ gemeenten, so the gemeenten add up to the national projection.
pub fn scale_to_total(values: &BTreeMap<String, f64>, control: f64) -> BTreeMap<String, f64> {
    let sum: f64 = values.values().sum();
    let f = if sum > 0.0 { control / sum } else { 0.0 };
    values.iter().map(|(c, v)| (c.clone(), v * f)).collect()
}

/// The size class of a gemeente by its base population, as the backtest tables group them.
pub fn size_class(base: f64) -> &'static str {
    match base {
        b if b < 20_000.0 => "< 20.000",
        b if b < 50_000.0 => "20.000–50.000",
        b if b < 100_000.0 => "50.000–100.000",
        _ => "≥ 100.000",
    }
}

/// The size classes in order.
pub const SIZE_CLASSES: [&str; 4] = ["< 20.000", "20.000–50.000", "50.000–100.000", "≥ 100.000"];

/// One gemeente, one method: its projected and realised total in the target year.
#[derive(Debug, Clone, PartialEq)]
pub struct GemeenteRow {
    pub method: String,
    pub region: String,
    pub region_name: String,
    pub base: u16,
    pub year: u16,
    /// `totaal` or `75+`.
    pub age_band: String,
    /// The base population (in the target year's indeling), for the size class.
    pub base_population: f64,
    pub realised: f64,
    pub projected: f64,
}

impl GemeenteRow {
    /// (projected − realised) / realised, in %.
    pub fn error_pct(&self) -> f64 {
        super::backtest::percent_error(self.projected, self.realised)
    }
}

/// **Measures of a set of percentage errors** (docs/METHODS.md §1g; Smith, Tayman & Swanson
/// 2013, ch. 13): MAPE (precision), MALPE (bias), and the median and 90th percentile of the
/// absolute percentage error (robust to a few outliers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    pub mape: f64,
    pub malpe: f64,
    pub median: f64,
    pub p90: f64,
    pub n: usize,
}

pub fn measures(errors: &[f64]) -> Measures {
    let n = errors.len();
    if n == 0 {
        return Measures {
            mape: f64::NAN,
            malpe: f64::NAN,
            median: f64::NAN,
            p90: f64::NAN,
            n,
        };
    }
    let mut abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    // MAPE and MALPE as the national backtest's accuracy has them (summed in order).
    let (mape, malpe) = super::backtest::mean_errors(errors);
    abs.sort_by(f64::total_cmp);
    // Nearest-rank percentiles.
    let rank = |p: f64| abs[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    Measures {
        mape,
        malpe,
        median: rank(0.5),
        p90: rank(0.9),
        n,
    }
}

/// The measures of every method and age band (`totaal`, `75+`), overall (`alle`), per size
/// class and, where a method (a published forecast) covers fewer gemeenten than the others, on
/// its gemeenten (`zoals NAME`: every method on the same gemeenten), in the order methods first
/// appear.
pub fn measures_by_method(rows: &[GemeenteRow]) -> Vec<(String, String, String, Measures)> {
    let mut methods: Vec<&str> = Vec::new();
    for r in rows {
        if !methods.contains(&r.method.as_str()) {
            methods.push(&r.method);
        }
    }
    // Published forecasts that cover fewer gemeenten than the others: ("zoals NAME", codes).
    let total_n = |m: &str| {
        rows.iter()
            .filter(|r| r.method == m && r.age_band == "totaal")
            .count()
    };
    let most = methods.iter().map(|m| total_n(m)).max().unwrap_or(0);
    let partial: Vec<(String, std::collections::BTreeSet<&str>)> = methods
        .iter()
        .filter(|m| total_n(m) < most)
        .map(|m| {
            (
                format!("zoals {m}"),
                rows.iter()
                    .filter(|r| r.method == *m && r.age_band == "totaal")
                    .map(|r| r.region.as_str())
                    .collect(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for band in ["totaal", "75+"] {
        for m in &methods {
            let mut by: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            for r in rows.iter().filter(|r| r.method == *m && r.age_band == band) {
                by.entry("alle").or_default().push(r.error_pct());
                by.entry(size_class(r.base_population))
                    .or_default()
                    .push(r.error_pct());
                // The same gemeenten as a published forecast that covers only some.
                for p in &partial {
                    if p.1.contains(r.region.as_str()) {
                        by.entry(p.0.as_str()).or_default().push(r.error_pct());
                    }
                }
            }
            let classes = std::iter::once("alle")
                .chain(SIZE_CLASSES)
                .chain(partial.iter().map(|p| p.0.as_str()));
            for class in classes {
                if let Some(e) = by.get(class) {
                    out.push((
                        m.to_string(),
                        band.to_string(),
                        class.to_string(),
                        measures(e),
                    ));
                }
            }
        }
    }
    out
}

/// The published PBL/CBS regional forecast 2016 (83492NED, regio-indeling 2015): each
/// gemeente's population at the end of 2020–2025 (1 January 2025, × 1 000 in the table), in the
/// indeling of 2016 (a gemeente that changed its code in 2015 or merged on 1 January 2016 summed
/// into its successor, from the BRP table).
pub fn pbl_cbs_2016(t: &TidyTable, registry: &Registry) -> BTreeMap<String, f64> {
    let values: BTreeMap<String, f64> = t
        .rows
        .iter()
        .filter(|r| {
            r.region.starts_with("GM")
                && r.period == "2020TM25"
                && r.measure == "BevolkingAanHetEindVanDePeriode_8"
        })
        .filter_map(|r| Some((r.region.clone(), r.number()? * 1000.0)))
        .collect();
    // The BRP table through the changes of 2015 (De Friese Meren became De Fryske Marren,
    // GM1921 → GM1940, on 1 July 2015) and the mergers of 1 January 2016.
    let (mut out, unknown) = registry.brp_forward(&values, 2015);
    out.extend(unknown);
    out
}

/// The published PBL/CBS regional forecast 2019 (84527NED, regio-indeling 2018): each
/// gemeente's population on 1 January `year` (× 1 000 in the table), in the indeling of 2018.
pub fn pbl_cbs_2019(t: &TidyTable, year: u16) -> BTreeMap<String, f64> {
    let period = format!("{year}JJ00");
    t.rows
        .iter()
        .filter(|r| {
            r.region.starts_with("GM")
                && r.period == period
                && r.measure == "TotaleBevolking_1"
                && r.category == "PrognoseInterval=Prognose"
                && r.age == "totaal"
        })
        .filter_map(|r| Some((r.region.clone(), r.number()? * 1000.0)))
        .collect()
}

/// **The own-growth cohort-component method**, the tool's gemeente projection (README, "The
/// population projection"; docs/METHODS.md §1a): each gemeente's single-year base estimated by
/// raking the national structure to its bands (60039fvw; a gemeente the extract lacks, to its
/// total), fitted to the national base; national rates; its own net migration level = its
/// mean yearly growth over the [`GROWTH_YEARS`](super::regional::GROWTH_YEARS) years before the
/// base minus its natural increase; the young-adult pattern from its own age structure; every
/// year scaled per age × sex to the national projection. With `constant_share_totals`, each
/// year's gemeente totals are instead held at their share of the base (the
/// [`constant_share`] benchmark), met through the net migration level with the age pattern of
/// migration ([`Gemeenten::targets_by_migration`]) and then both margins
/// ([`fit_totals_and_cells`](super::regional::fit_totals_and_cells)): the cohort method gives
/// the age structure, constant share the size.
pub fn own_growth_cohort(
    known: &Known,
    national_base: &Pop,
    rates: &RateSet,
    national: &Projection,
    constant_share_totals: bool,
) -> Result<RegionalProjection, PopulationError> {
    let base = known.base;
    let totals = known.totals.get(&base).cloned().unwrap_or_default();
    let n = totals.len();
    let mut g = Gemeenten {
        codes: totals.keys().cloned().collect(),
        names: totals.keys().cloned().collect(),
        bases: Vec::with_capacity(n),
        bands: Vec::with_capacity(n),
        net_migration: Vec::new(),
        observed: vec![false; n],
        overrides: vec![Default::default(); n],
        total_targets: BTreeMap::new(),
        targets_by_migration: constant_share_totals,
    };
    let mut growth = Vec::with_capacity(n);
    for (code, total) in &totals {
        let bands = known.bands.get(code).cloned().unwrap_or_else(|| {
            vec![BandTotal {
                lo: 0,
                hi: OPEN_AGE,
                total: *total,
            }]
        });
        g.bases.push(rake_pop(national_base, &bands)?);
        g.bands.push(bands);
        growth.push(
            match known.earliest_in_window(code, super::regional::GROWTH_YEARS) {
                Some((y, earlier)) => (total - earlier) / f64::from(base - y),
                None => 0.0,
            },
        );
    }
    fit_bases_to_national(&mut g, national_base)?;
    g.net_migration = own_net_migration(&g.bases, &growth, rates, base);
    if constant_share_totals {
        let sum: f64 = totals.values().sum();
        for (t, p) in national.stocks.iter().enumerate().skip(1) {
            let year = base + t as u16;
            g.total_targets.insert(
                year,
                totals
                    .values()
                    .map(|v| Some(constant_share(*v, sum, p.total())))
                    .collect(),
            );
        }
    }
    project_gemeenten(&g, rates, national, true)
}

/// Every gemeente of the base by [`housing_led`], with what was known at the base: its dwelling
/// stock and net additions over the [`GROWTH_YEARS`](super::regional::GROWTH_YEARS) years before
/// it (82900NED, from 2012), its persons in institutional households (71488ned; where the
/// extract lacks the gemeente, the national share of the base year × its population), and the
/// national persons per dwelling over the same window. Gemeenten without a dwelling count are
/// left out.
pub fn housing_led_all(known: &Known, to: u16) -> BTreeMap<String, f64> {
    let base = known.base;
    let window = base.saturating_sub(super::regional::GROWTH_YEARS)..base;
    let (Some(totals), Some(stock)) = (known.totals.get(&base), known.dwellings.get(&base)) else {
        return BTreeMap::new();
    };
    let ppd_nl = |y: u16| -> Option<f64> {
        let (p, i, d) = (
            known.population_nl.get(&y)?,
            known.institutional_nl.get(&y)?,
            known.dwellings_nl.get(&y)?,
        );
        Some((p - i) / d)
    };
    let factor = known
        .dwellings_nl
        .range(window.clone())
        .find_map(|(y, _)| Some((*y, ppd_nl(*y)?)))
        .and_then(|(y0, p0)| Some((ppd_nl(base)? / p0).powf(1.0 / f64::from(base - y0))))
        .unwrap_or(1.0);
    let institutional_share = match (
        known.institutional_nl.get(&base),
        known.population_nl.get(&base),
    ) {
        (Some(i), Some(p)) if *p > 0.0 => i / p,
        _ => 0.0,
    };
    let horizon = f64::from(to.saturating_sub(base));
    let mut out = BTreeMap::new();
    for (code, p) in totals {
        let Some(d) = stock.get(code) else { continue };
        let additions = known
            .dwellings
            .range(window.clone())
            .find_map(|(y, v)| v.get(code).map(|d0| (d - d0) / f64::from(base - y)))
            .unwrap_or(0.0);
        let inst = known
            .institutional
            .get(code)
            .copied()
            .unwrap_or(institutional_share * p);
        out.insert(
            code.clone(),
            housing_led(*p, inst, *d, additions, factor, horizon),
        );
    }
    out
}

/// A published forecast: (name, the year of its indeling, its totals at the target year).
pub type Published = (String, u16, BTreeMap<String, f64>);

/// The inputs of a gemeente backtest: what was known at the base, the national backtest from
/// it, the published forecasts, and the realisations.
pub struct GemeenteInputs<'a> {
    pub registry: &'a Registry,
    pub known: &'a Known,
    /// Target year (1 January) of the totals.
    pub to: u16,
    /// The national population of the base by single year and sex (7461bev).
    pub national_base: &'a Pop,
    /// Rates and national projection of the backtest (years before the base only).
    pub rates: &'a RateSet,
    pub national: &'a Projection,
    pub published: &'a [Published],
    /// The realised 75+ of one year after the base (85383NED), in that year's indeling.
    pub realised_75: Option<(u16, BTreeMap<String, f64>)>,
}

/// One method's projections in the base year's indeling: totals at `to`, and the 75+ of the
/// realised 75+ year where the method has ages.
type MethodProjection = (String, BTreeMap<String, f64>, Option<BTreeMap<String, f64>>);

/// Every method's projection from the base.
fn projections(i: &GemeenteInputs) -> Result<Vec<MethodProjection>, PopulationError> {
    let k = i.known;
    let base = k.base;
    let base_now = k.totals.get(&base).cloned().unwrap_or_default();
    let base_nl: f64 = base_now.values().sum();
    let at = |y: u16| i.national.year(y).copied().unwrap_or_default();
    let projected_nl = at(i.to).total();
    let y75 = i.realised_75.as_ref().map(|(y, _)| *y);
    // The 75+ of the base: the gemeenten the 60039fvw extract has.
    let over_75: BTreeMap<String, f64> = k
        .bands
        .iter()
        .map(|(c, b)| {
            (
                c.clone(),
                b.iter().filter(|b| b.lo >= 75).map(|b| b.total).sum(),
            )
        })
        .collect();
    let map = |f: &dyn Fn(&str, f64) -> f64, from: &BTreeMap<String, f64>| {
        from.iter()
            .map(|(c, v)| (c.clone(), f(c, *v)))
            .collect::<BTreeMap<String, f64>>()
    };
    let base_75_nl = i.national_base.band(75, OPEN_AGE);
    let mut out: Vec<MethodProjection> = vec![
        (
            "constant".into(),
            map(&|_, v| naive_constant(v), &base_now),
            y75.map(|_| over_75.clone()),
        ),
        (
            "constant_aandeel".into(),
            map(&|_, v| constant_share(v, base_nl, projected_nl), &base_now),
            y75.map(|y| {
                map(
                    &|_, v| constant_share(v, base_75_nl, at(y).band(75, OPEN_AGE)),
                    &over_75,
                )
            }),
        ),
    ];
    let horizon = f64::from(i.to - base);
    out.push((
        "lineair".into(),
        map(
            &|c, v| match k.earliest_in_window(c, super::regional::GROWTH_YEARS) {
                Some((y, earlier)) => linear_trend(v, earlier, f64::from(base - y), horizon),
                None => v,
            },
            &base_now,
        ),
        None,
    ));
    for (name, shares) in [("cohort_eigen_groei", false), ("cohort_aandeel", true)] {
        if k.bands.is_empty() {
            break;
        }
        let rp = own_growth_cohort(k, i.national_base, i.rates, i.national, shares)?;
        let year = |y: u16, only: Option<&BTreeMap<String, f64>>| -> BTreeMap<String, f64> {
            rp.codes
                .iter()
                .zip(&rp.stocks)
                .filter(|(c, _)| only.is_none_or(|o| o.contains_key(*c)))
                .filter_map(|(c, s)| {
                    let p = s.get(usize::from(y - base))?;
                    Some((
                        c.clone(),
                        if only.is_some() {
                            p.band(75, OPEN_AGE)
                        } else {
                            p.total()
                        },
                    ))
                })
                .collect()
        };
        out.push((
            name.into(),
            year(i.to, None),
            y75.map(|y| year(y, Some(&over_75))),
        ));
    }
    let housing = housing_led_all(k, i.to);
    if !housing.is_empty() {
        out.push((
            "woningen".into(),
            scale_to_total(&housing, projected_nl),
            None,
        ));
        out.push(("woningen_vrij".into(), housing, None));
    }
    Ok(out)
}

/// The gemeenten of `to`'s indeling that a part of `from`'s (`part`, a subset of `whole`'s
/// codes) covers whole: a forecast or extract that lacks one of the gemeenten that went into a
/// later gemeente cannot be compared with that gemeente.
fn covered_whole(
    registry: &Registry,
    mergers: &[crate::geo::Merger],
    part: &BTreeMap<String, f64>,
    whole: &BTreeMap<String, f64>,
    from: u16,
    to: u16,
) -> Result<std::collections::BTreeSet<String>, PopulationError> {
    let mask: BTreeMap<String, f64> = whole
        .iter()
        .map(|(c, v)| (c.clone(), if part.contains_key(c) { *v } else { 0.0 }))
        .collect();
    let (a, b) = (
        registry.harmonise_with(mergers, &mask, from, to)?,
        registry.harmonise_with(mergers, whole, from, to)?,
    );
    Ok(b.into_iter()
        .filter(|(c, v)| {
            a.get(c)
                .is_some_and(|x| *v > 0.0 && (x - v).abs() <= 1e-9 * v)
        })
        .map(|(c, _)| c)
        .collect())
}

/// The entries of `values` whose code is in `codes`.
fn only(
    values: &BTreeMap<String, f64>,
    codes: &std::collections::BTreeSet<String>,
) -> BTreeMap<String, f64> {
    values
        .iter()
        .filter(|(c, _)| codes.contains(*c))
        .map(|(c, v)| (c.clone(), *v))
        .collect()
}

/// The gemeente backtest (docs/METHODS.md §1g, §5D): every gemeente of `to`'s indeling with a
/// realised total, by every method (see [`projections`]: the benchmarks, linear
/// extrapolation, the own-growth cohort-component method, the housing-led method, the
/// published forecasts), harmonised from the base year's indeling to `to`'s with the
/// registry's mergers; and the 75+ of the realised 75+ year where a method has ages. Nothing
/// after the base is used but the realisations it is compared with.
pub fn gemeente_backtest(i: &GemeenteInputs) -> Result<Vec<GemeenteRow>, PopulationError> {
    let registry = i.registry;
    let base = i.known.base;
    let realised: BTreeMap<String, f64> = registry
        .year(i.to)?
        .gemeenten
        .iter()
        .filter_map(|(c, g)| Some((c.clone(), g.inwoners?)))
        .collect();
    let mergers = registry.mergers();
    let base_then = i.known.totals.get(&base).cloned().unwrap_or_default();
    let indeling = i.known.indeling;
    let harmonise =
        |v: &BTreeMap<String, f64>, y: u16| registry.harmonise_with(&mergers, v, indeling, y);
    let mut rows = Vec::new();
    let mut push = |method: &str,
                    year: u16,
                    age_band: &str,
                    projected: &BTreeMap<String, f64>,
                    realised: &BTreeMap<String, f64>|
     -> Result<(), PopulationError> {
        let names = &registry.year(year)?.gemeenten;
        let base_now = harmonise(&base_then, year)?;
        for (code, re) in realised {
            let (Some(pr), Some(b)) = (projected.get(code), base_now.get(code)) else {
                continue;
            };
            rows.push(GemeenteRow {
                method: method.to_string(),
                region: code.clone(),
                region_name: names.get(code).map(|g| g.name.clone()).unwrap_or_default(),
                base,
                year,
                age_band: age_band.to_string(),
                base_population: *b,
                realised: *re,
                projected: *pr,
            });
        }
        Ok(())
    };
    let methods = projections(i)?;
    for (method, totals, _) in &methods {
        // A method that leaves a gemeente out (the housing-led one without its dwelling count)
        // is not compared where that gemeente went into another.
        let covered = covered_whole(registry, &mergers, totals, &base_then, indeling, i.to)?;
        push(
            method,
            i.to,
            "totaal",
            &harmonise(totals, i.to)?,
            &only(&realised, &covered),
        )?;
    }
    // A published forecast in its own indeling, on the gemeenten it covers whole.
    for (name, from, values) in i.published {
        let whole: BTreeMap<String, f64> = registry
            .year(*from)?
            .gemeenten
            .iter()
            .filter_map(|(c, g)| Some((c.clone(), g.inwoners?)))
            .collect();
        let values: BTreeMap<String, f64> = values
            .iter()
            .filter(|(c, _)| whole.contains_key(*c))
            .map(|(c, v)| (c.clone(), *v))
            .collect();
        let covered = covered_whole(registry, &mergers, &values, &whole, *from, i.to)?;
        let projected = registry.harmonise_with(&mergers, &values, *from, i.to)?;
        push(name, i.to, "totaal", &projected, &only(&realised, &covered))?;
    }
    if let Some((y, re75)) = &i.realised_75 {
        // Only gemeenten whose every part of the base has its bands (the extract stops at
        // Zevenaar: Westerkwartier without Zuidhorn would compare a part with the whole).
        let with_bands: BTreeMap<String, f64> = base_then
            .iter()
            .filter(|(c, _)| i.known.bands.contains_key(*c))
            .map(|(c, v)| (c.clone(), *v))
            .collect();
        let covered = covered_whole(registry, &mergers, &with_bands, &base_then, indeling, *y)?;
        let re75 = only(re75, &covered);
        for (method, _, over_75) in &methods {
            if let Some(p) = over_75 {
                push(method, *y, "75+", &harmonise(p, *y)?, &re75)?;
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmarks_and_measures() {
        assert_eq!(naive_constant(101_034.0), 101_034.0);
        // Delft's share of 2016 (101,034 of 16,979,120) on a national 18,044,027.
        let s = constant_share(101_034.0, 16_979_120.0, 18_044_027.0);
        assert!((s - 107_371.0).abs() < 1.0, "{s}");
        let m = measures(&[-4.0, 2.0, 1.0, -3.0, 10.0]);
        assert_eq!(m.mape, 4.0);
        assert_eq!(m.malpe, 1.2);
        assert_eq!(m.median, 3.0);
        assert_eq!(m.p90, 10.0);
        assert_eq!(size_class(19_999.0), "< 20.000");
        assert_eq!(size_class(100_000.0), "≥ 100.000");
    }
}
