//! Gemeente backtests of population totals (docs/METHODS.md §1g): the benchmark methods every
//! small-area study reports, each one function with its source, and the measures of their
//! errors by size class of gemeente. The inputs (base and realised totals in one indeling, the
//! national projection, a published forecast) are read and harmonised by the caller.

use std::collections::BTreeMap;

use crate::geo::Registry;
use crate::source::TidyTable;

use super::PopulationError;

/// **Naive constant population** (Smith, Tayman & Swanson 2013, ch. 13: the benchmark that any
/// method must beat): the gemeente keeps its base population.
pub fn naive_constant(base: f64) -> f64 {
    base
}

/// **Constant share** of the national projection (Smith, Tayman & Swanson 2013, ch. 8; "hard
/// to beat" at small-area level): the gemeente keeps its share of the national population of
/// the base year, `base_g / base_NL × projected_NL`.
pub fn constant_share(base: f64, base_nl: f64, projected_nl: f64) -> f64 {
    if base_nl > 0.0 {
        base * projected_nl / base_nl
    } else {
        0.0
    }
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

/// The measures of every method, overall (`alle`) and per size class, in the order methods
/// first appear.
pub fn measures_by_method(rows: &[GemeenteRow]) -> Vec<(String, String, Measures)> {
    let mut methods: Vec<&str> = Vec::new();
    for r in rows {
        if !methods.contains(&r.method.as_str()) {
            methods.push(&r.method);
        }
    }
    let mut out = Vec::new();
    for m in methods {
        let mut by: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.method == m) {
            by.entry("alle").or_default().push(r.error_pct());
            by.entry(size_class(r.base_population))
                .or_default()
                .push(r.error_pct());
        }
        for class in std::iter::once("alle").chain(SIZE_CLASSES) {
            if let Some(e) = by.get(class) {
                out.push((m.to_string(), class.to_string(), measures(e)));
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
    let mut out = BTreeMap::new();
    for r in t.rows.iter().filter(|r| {
        r.region.starts_with("GM")
            && r.period == "2020TM25"
            && r.measure == "BevolkingAanHetEindVanDePeriode_8"
    }) {
        let Some(v) = r.number() else { continue };
        // Follow the BRP table through the changes of 2015 (De Friese Meren became De Fryske
        // Marren, GM1921 → GM1940, on 1 July 2015) and the mergers of 1 January 2016.
        let mut code = r.region.clone();
        while let Some(next) = registry
            .brp
            .iter()
            .find(|b| {
                b.code == code
                    && b.end
                        .as_deref()
                        .is_some_and(|e| e > "20150101" && e <= "20160101")
            })
            .and_then(|b| b.new_code.clone())
        {
            code = next;
        }
        *out.entry(code).or_insert(0.0) += v * 1000.0;
    }
    out
}

/// The gemeente backtest of totals from `base` to `to` (both 1 January, years of the
/// registry): every gemeente of `to`'s indeling with a realised total, by each benchmark
/// method and by `published` forecasts (name → totals in `base`'s indeling). `projected_nl` is
/// the national projection from `base` for `to` (the national backtest's). Base totals come
/// from the registry's inwonertal of `base`, harmonised to `to`'s indeling; nothing after the
/// base is used but the realised totals it is compared with.
pub fn gemeente_backtest(
    registry: &Registry,
    base: u16,
    to: u16,
    projected_nl: f64,
    published: &[(String, BTreeMap<String, f64>)],
) -> Result<Vec<GemeenteRow>, PopulationError> {
    let totals = |year: u16| -> Result<BTreeMap<String, f64>, PopulationError> {
        Ok(registry
            .year(year)?
            .gemeenten
            .iter()
            .filter_map(|(c, g)| Some((c.clone(), g.inwoners?)))
            .collect())
    };
    let realised = totals(to)?;
    let mergers = registry.mergers();
    let base_then = totals(base)?;
    let base_now = registry.harmonise_with(&mergers, &base_then, base, to)?;
    let base_nl: f64 = base_then.values().sum();
    let names = &registry.year(to)?.gemeenten;
    let mut methods: Vec<(String, BTreeMap<String, f64>)> = vec![
        (
            "constant".into(),
            base_now
                .iter()
                .map(|(c, v)| (c.clone(), naive_constant(*v)))
                .collect(),
        ),
        (
            "constant_aandeel".into(),
            base_now
                .iter()
                .map(|(c, v)| (c.clone(), constant_share(*v, base_nl, projected_nl)))
                .collect(),
        ),
    ];
    for (name, values) in published {
        let known = &registry.year(base)?.gemeenten;
        let values: BTreeMap<String, f64> = values
            .iter()
            .filter(|(c, _)| known.contains_key(*c))
            .map(|(c, v)| (c.clone(), *v))
            .collect();
        methods.push((
            name.clone(),
            registry.harmonise_with(&mergers, &values, base, to)?,
        ));
    }
    let mut rows = Vec::new();
    for (method, projected) in &methods {
        for (code, re) in &realised {
            let (Some(pr), Some(b)) = (projected.get(code), base_now.get(code)) else {
                continue;
            };
            rows.push(GemeenteRow {
                method: method.clone(),
                region: code.clone(),
                region_name: names.get(code).map(|g| g.name.clone()).unwrap_or_default(),
                base,
                year: to,
                base_population: *b,
                realised: *re,
                projected: *pr,
            });
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
