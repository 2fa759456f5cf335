//! What a gemeente backtest may know at its base: the gemeente histories of CBS (totals and
//! bands on 1 January, dwelling stock, persons in institutions), every year up to the base
//! only, each brought to the base year's indeling. A figure of a later year is never read, so
//! the backtest's projections are those a forecaster could have made at the base.

use std::collections::BTreeMap;

use crate::geo::{Merger, Registry};
use crate::source::TidyTable;
use crate::source::codes::period_year;

use super::PopulationError;
use super::grid::OPEN_AGE;
use super::split::BandTotal;

/// 60039fvw: population by band, both sexes, 1 January (2007–2017 filled).
const BANDS_60039FVW: [(&str, usize, usize); 5] = [
    ("JongerDan20Jaar_2", 0, 19),
    ("k_20Tot65Jaar_3", 20, 64),
    ("k_65Tot75Jaar_4", 65, 74),
    ("k_75Tot85Jaar_5", 75, 84),
    ("k_85JaarOfOuder_6", 85, OPEN_AGE),
];

/// Everything known at the base, in the base year's indeling (codes of the registry's base
/// year; for a base before the registry's first year, that first year's indeling, reached
/// through the BRP table), years ≤ base only.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub base: u16,
    /// The indeling every map is in: the base year, or the registry's first year if later.
    pub indeling: u16,
    /// Population on 1 January per year: CBS Gebieden in Nederland (the registry) from its
    /// first year, 60039fvw (1 January 2007–2017) before it.
    pub totals: BTreeMap<u16, BTreeMap<String, f64>>,
    /// The base year's population by band (60039fvw), where the extract has the gemeente.
    pub bands: BTreeMap<String, Vec<BandTotal>>,
    /// Dwelling stock on 1 January per year (82900NED, all dwellings).
    pub dwellings: BTreeMap<u16, BTreeMap<String, f64>>,
    /// The national dwelling stock per year (82900NED, Nederland).
    pub dwellings_nl: BTreeMap<u16, f64>,
    /// Persons in institutional households on 1 January of the base (71488ned), where known.
    pub institutional: BTreeMap<String, f64>,
    /// The same for Nederland, per year.
    pub institutional_nl: BTreeMap<u16, f64>,
    /// The national population on 1 January per year (7461bev).
    pub population_nl: BTreeMap<u16, f64>,
}

/// The tables a [`Known`] is read from (each optional but the totals).
pub struct HistoryTables<'a> {
    /// 60039fvw, measure `TotaalMannenEnVrouwen_1`, any years.
    pub totals: &'a TidyTable,
    /// 85644NED, `Bevolking_1` (2014–2024): the totals of the gemeenten the 60039fvw extract
    /// lacks (it stops at Zevenaar).
    pub totals_85644: Option<&'a TidyTable>,
    /// 60039fvw of the base year with the band measures.
    pub bands: Option<&'a TidyTable>,
    /// 82900NED (eigendom), `TotaleWoningvoorraad_1`, `StatusVanBewoning=Totaal`.
    pub dwellings: Option<&'a TidyTable>,
    /// 71488ned, `PersonenInInstitutioneleHuishoudens_12`.
    pub institutional: Option<&'a TidyTable>,
    /// The national population on 1 January per year (7461bev).
    pub population_nl: &'a BTreeMap<u16, f64>,
}

/// Values of one measure per year and region from a tidy table (rows with a number; an
/// optional category filter), years ≤ `up_to` only.
fn by_year(
    t: &TidyTable,
    measure: &str,
    category: Option<&str>,
    up_to: u16,
) -> BTreeMap<u16, BTreeMap<String, f64>> {
    let mut out: BTreeMap<u16, BTreeMap<String, f64>> = BTreeMap::new();
    for r in &t.rows {
        if r.measure != measure || category.is_some_and(|c| r.category != c) {
            continue;
        }
        let (Some(y), Some(v)) = (period_year(&r.period), r.number()) else {
            continue;
        };
        if y <= up_to {
            out.entry(y).or_default().insert(r.region.clone(), v);
        }
    }
    out
}

/// The gemeenten of a table of `year` in the indeling of `target` (≥ `year`): through the
/// BRP gemeentetabel up to the registry's first year, then the registry's mergers. Codes the
/// registry does not know in that year are left out.
pub fn to_indeling(
    registry: &Registry,
    mergers: &[Merger],
    values: &BTreeMap<String, f64>,
    year: u16,
    target: u16,
) -> Result<BTreeMap<String, f64>, PopulationError> {
    let gemeenten: BTreeMap<String, f64> = values
        .iter()
        .filter(|(c, _)| c.starts_with("GM"))
        .map(|(c, v)| (c.clone(), *v))
        .collect();
    let first = registry.years.keys().next().copied().unwrap_or(year);
    let (from, start) = if year < first {
        (first, registry.brp_forward(&gemeenten, year).0)
    } else {
        (year, gemeenten)
    };
    let known = &registry.year(from)?.gemeenten;
    let start: BTreeMap<String, f64> = start
        .into_iter()
        .filter(|(c, _)| known.contains_key(c))
        .collect();
    Ok(registry.harmonise_with(mergers, &start, from, target)?)
}

impl Known {
    /// Read what was known on 1 January `base`: every table cut to the years up to `base`
    /// before anything else is done with it.
    pub fn at_base(
        registry: &Registry,
        base: u16,
        tables: &HistoryTables,
    ) -> Result<Known, PopulationError> {
        let mergers = registry.mergers();
        let first = registry.years.keys().next().copied().unwrap_or(base);
        let indeling = base.max(first);
        let mut known = Known {
            base,
            indeling,
            population_nl: tables
                .population_nl
                .range(..=base)
                .map(|(y, v)| (*y, *v))
                .collect(),
            ..Known::default()
        };
        let bring = |values: &BTreeMap<String, f64>, y: u16| {
            to_indeling(registry, &mergers, values, y, indeling)
        };
        let mut before: BTreeMap<u16, BTreeMap<String, f64>> = match tables.totals_85644 {
            Some(t) => by_year(t, "Bevolking_1", Some("Nationaliteit=Totaal"), base),
            None => BTreeMap::new(),
        };
        for (y, v) in by_year(tables.totals, "TotaalMannenEnVrouwen_1", None, base) {
            before.entry(y).or_default().extend(v);
        }
        for (y, v) in before.range(..first) {
            known.totals.insert(*y, bring(v, *y)?);
        }
        for (&y, ind) in registry.years.range(..=base) {
            let v: BTreeMap<String, f64> = ind
                .gemeenten
                .iter()
                .filter_map(|(c, g)| Some((c.clone(), g.inwoners?)))
                .collect();
            known.totals.insert(y, bring(&v, y)?);
        }
        if let Some(t) = tables.bands {
            let by_band: Vec<BTreeMap<String, f64>> = BANDS_60039FVW
                .iter()
                .map(|(m, _, _)| {
                    bring(
                        &by_year(t, m, None, base).remove(&base).unwrap_or_default(),
                        base,
                    )
                })
                .collect::<Result<_, _>>()?;
            let totals = known.totals.get(&base).cloned().unwrap_or_default();
            for code in by_band[0].keys() {
                let bands: Option<Vec<BandTotal>> = BANDS_60039FVW
                    .iter()
                    .zip(&by_band)
                    .map(|((_, lo, hi), v)| {
                        Some(BandTotal {
                            lo: *lo,
                            hi: *hi,
                            total: *v.get(code)?,
                        })
                    })
                    .collect();
                // Only where the bands cover the whole gemeente (a gemeente formed from one the
                // extract lacks would have bands of a part).
                let whole = |b: &Vec<BandTotal>| {
                    let sum: f64 = b.iter().map(|b| b.total).sum();
                    totals
                        .get(code)
                        .is_some_and(|t| (sum - t).abs() <= 0.01 * t)
                };
                if let Some(b) = bands.filter(|b| code.starts_with("GM") && whole(b)) {
                    known.bands.insert(code.clone(), b);
                }
            }
        }
        if let Some(t) = tables.dwellings {
            let all = Some("StatusVanBewoning=Totaal");
            for (y, v) in by_year(t, "TotaleWoningvoorraad_1", all, base) {
                if let Some(nl) = v.get("NL01") {
                    known.dwellings_nl.insert(y, *nl);
                }
                known.dwellings.insert(y, bring(&v, y)?);
            }
        }
        if let Some(t) = tables.institutional {
            for (y, v) in by_year(t, "PersonenInInstitutioneleHuishoudens_12", None, base) {
                if let Some(nl) = v.get("NL01") {
                    known.institutional_nl.insert(y, *nl);
                }
                if y == base {
                    known.institutional = bring(&v, y)?;
                }
            }
        }
        Ok(known)
    }

    /// The gemeente's total of the earliest year of the window `[base − years, base)` that has
    /// it: (year, total).
    pub fn earliest_in_window(&self, code: &str, years: u16) -> Option<(u16, f64)> {
        self.totals
            .range(self.base.saturating_sub(years)..self.base)
            .find_map(|(y, v)| v.get(code).map(|p| (*y, *p)))
    }
}
