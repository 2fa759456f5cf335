//! The supply baseline of a run: the CBS counts of `housing.stock_data` (data/supply/) and the
//! group data (85383NED 75+ and inwoners in zorginstellingen), harmonised to the base year's
//! indeling, read into [`StockInputs`]; the baseline estimated
//! ([`crate::housing::baseline::baseline`]) for the run's gemeenten; the user's own stock and
//! plans applied on top ([`crate::housing::Supply::apply_baseline`]).

use std::collections::BTreeMap;

use crate::geo::{Merger, Registry};
use crate::groups::methods::prevalence;
use crate::groups::{GroupError, Observed};
use crate::housing::baseline::{StockInputs, StockParams, Trend, baseline, net_additions_per_year};
use crate::population::grid::OPEN_AGE;

use super::error::RunError;
use super::housing::HousingRun;
use super::projection::VariantResult;

/// The first year of the trend window: 82900NED starts in 2012, the registry's indelingen
/// (to harmonise with) in 2016; the later of the two.
const TREND_FROM: u16 = 2012;

const EIGENDOM: &str = "82900NED";
const EIGENDOM_ALL: &str = "StatusVanBewoning=Totaal";
const WONINGTYPE: &str = "85035NED";
const WMO: &str = "84839NED";

/// Complete the run's supply: the baseline of `gemeenten` (code, name) from the stock data
/// (when the scenario gives `housing.stock_data`), then the user's figures.
pub fn complete_supply(
    h: &mut HousingRun,
    registry: &Registry,
    variants: &[VariantResult],
    gemeenten: &[(String, String)],
) -> Result<(), RunError> {
    let codes: Vec<String> = gemeenten.iter().map(|(c, _)| c.clone()).collect();
    let (cells, trend) = match &h.stock {
        Some(stock) => {
            let inputs = stock_inputs(stock, &h.observed, h, registry, variants)?;
            let c = &h.catalogue;
            let params = StockParams {
                nultreden_share: &c.nultreden_share,
                geclusterd_national: &c.geclusterd_national,
                standplaatsen_national: &c.standplaatsen_national,
                opvang_share: &c.opvang_share,
                occupancy: &c.occupancy,
            };
            let types: Vec<String> = c.types.iter().map(|t| t.id.clone()).collect();
            let cells = baseline(&inputs, &params, &codes, &types);
            let trend = inputs
                .trend
                .into_iter()
                .filter(|(g, _)| codes.contains(g))
                .collect();
            (cells, trend)
        }
        None => (BTreeMap::new(), BTreeMap::new()),
    };
    h.supply.apply_baseline(cells, trend, gemeenten)?;
    Ok(())
}

/// The gemeente values (`GM…`) of one measure in one year of a table, in the indeling of that
/// year.
fn gemeente_values(
    o: &Observed,
    table: &str,
    measure: &str,
    category: Option<&str>,
    year: u16,
) -> Result<BTreeMap<String, f64>, GroupError> {
    Ok(o.by_region(table, measure, Some(year), category)?
        .into_iter()
        .filter(|(c, _)| c.starts_with("GM"))
        .collect())
}

/// The registry and its herindelingen, derived once for the tables of the baseline.
struct Indelingen<'a> {
    registry: &'a Registry,
    mergers: Vec<Merger>,
}

impl Indelingen<'_> {
    /// Values of `year`'s indeling in the base year's (merged gemeenten summed).
    fn harmonised(
        &self,
        values: BTreeMap<String, f64>,
        year: u16,
        base_year: u16,
    ) -> Result<BTreeMap<String, f64>, RunError> {
        if year == base_year {
            return Ok(values);
        }
        let known = &self.registry.year(year)?.gemeenten;
        let values: BTreeMap<String, f64> = values
            .into_iter()
            .filter(|(c, _)| known.contains_key(c))
            .collect();
        Ok(self
            .registry
            .harmonise_with(&self.mergers, &values, year, base_year)?)
    }
}

fn read_eigendom(s: &mut StockInputs, stock: &Observed, ind: &Indelingen) -> Result<(), RunError> {
    let base = s.base_year;
    let year = stock.latest_year(EIGENDOM, "TotaleWoningvoorraad_1", base)?;
    s.eigendom_year = year;
    let values = |measure: &str, y: u16| -> Result<BTreeMap<String, f64>, RunError> {
        let v = gemeente_values(stock, EIGENDOM, measure, Some(EIGENDOM_ALL), y)?;
        ind.harmonised(v, y, base)
    };
    let all = stock.by_region(
        EIGENDOM,
        "TotaleWoningvoorraad_1",
        Some(year),
        Some(EIGENDOM_ALL),
    )?;
    let gemeenten = all.iter().filter(|(c, _)| c.starts_with("GM"));
    s.total = ind.harmonised(
        gemeenten.map(|(c, v)| (c.clone(), *v)).collect(),
        year,
        base,
    )?;
    s.total_nl = all
        .get("NL01")
        .copied()
        .unwrap_or_else(|| s.total.values().sum());
    s.koop = values("Koopwoningen_2", year)?;
    s.corporatie = values("EigendomWoningcorporatie_4", year)?;
    s.overige = values("EigendomOverigeVerhuurders_5", year)?;
    // The trend window: from the first year both the table and the registry know.
    let first_registry = ind.registry.years.keys().next().copied().unwrap_or(year);
    let from = TREND_FROM.max(first_registry);
    if from < year {
        let t0 = values("TotaleWoningvoorraad_1", from)?;
        let c0 = values("EigendomWoningcorporatie_4", from)?;
        for (g, v) in &s.total {
            let (Some(v0), Some(c0), Some(c1)) = (t0.get(g), c0.get(g), s.corporatie.get(g)) else {
                continue;
            };
            s.trend.insert(
                g.clone(),
                Trend {
                    total: net_additions_per_year((from, *v0), (year, *v)),
                    corporatie: net_additions_per_year((from, *c0), (year, *c1)),
                    from,
                    to: year,
                },
            );
        }
    }
    Ok(())
}

fn read_woningtype(
    s: &mut StockInputs,
    stock: &Observed,
    ind: &Indelingen,
) -> Result<(), RunError> {
    let base = s.base_year;
    let measure = "BeginstandWoningvoorraad_1";
    let year = stock.latest_year(WONINGTYPE, measure, base)?;
    s.woningtype_year = year;
    let (multi, single) = (
        "Woningtype=Meergezinswoningen totaal",
        "Woningtype=Eengezinswoningen totaal",
    );
    let all_m = stock.by_region(WONINGTYPE, measure, Some(year), Some(multi))?;
    let all_e = stock.by_region(WONINGTYPE, measure, Some(year), Some(single))?;
    // A gemeente counts only with both kinds (the table is cut off in the middle of one).
    let both = |m: &BTreeMap<String, f64>, other: &BTreeMap<String, f64>| {
        m.iter()
            .filter(|(c, _)| c.starts_with("GM") && other.contains_key(*c))
            .map(|(c, v)| (c.clone(), *v))
            .collect::<BTreeMap<_, _>>()
    };
    s.meergezins = ind.harmonised(both(&all_m, &all_e), year, base)?;
    s.eengezins = ind.harmonised(both(&all_e, &all_m), year, base)?;
    s.meergezins_nl = all_m.get("NL01").copied().unwrap_or(0.0);
    let share = |code: &str| -> Option<f64> {
        let (m, e) = (all_m.get(code)?, all_e.get(code)?);
        (m + e > 0.0).then(|| m / (m + e))
    };
    let indeling = ind.registry.year(base)?;
    for (g, gm) in &indeling.gemeenten {
        if s.meergezins.contains_key(g) {
            continue;
        }
        let found = ["CR", "PV"]
            .iter()
            .filter_map(|p| gm.member_of.get(*p))
            .chain(std::iter::once(&"NL01".to_string()))
            .find_map(|code| {
                let name = indeling
                    .region_names
                    .get(code)
                    .cloned()
                    .unwrap_or_else(|| "Nederland".into());
                share(code).map(|v| (v, format!("{name} ({code})")))
            });
        if let Some(f) = found {
            s.meergezins_share_of_region.insert(g.clone(), f);
        }
    }
    Ok(())
}

/// The Wmo clients with verblijf en opvang per centrumgemeente region: total minus "exclusief
/// verblijf en opvang" of the latest second half-year before the base year, per gemeente
/// (booked at the centrumgemeente), summed over the region.
fn read_wmo(s: &mut StockInputs, stock: &Observed, ind: &Indelingen) -> Result<(), RunError> {
    let Some(t) = stock
        .tables
        .iter()
        .find(|t| t.table_id.eq_ignore_ascii_case(WMO))
    else {
        return Ok(());
    };
    let Some(period) = t
        .rows
        .iter()
        .filter(|r| r.period.ends_with("HJ02") && r.number().is_some())
        .map(|r| r.period.clone())
        .filter(|p| p.get(..4).and_then(|y| y.parse::<u16>().ok()) < Some(s.base_year))
        .max()
    else {
        return Ok(());
    };
    let of = |category: &str| -> BTreeMap<String, f64> {
        t.rows
            .iter()
            .filter(|r| {
                r.period == period
                    && r.measure == "WmoClienten_1"
                    && r.region.starts_with("GM")
                    && r.category == category
            })
            .filter_map(|r| Some((r.region.clone(), r.number()?)))
            .collect()
    };
    let all = of("TypeMaatwerkvoorziening=Totaal");
    let without = of("TypeMaatwerkvoorziening=Totaal exclusief verblijf en opvang");
    let diff: BTreeMap<String, f64> = all
        .iter()
        .filter_map(|(g, a)| Some((g.clone(), (a - without.get(g)?).max(0.0))))
        .collect();
    let year = period
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(s.base_year);
    let diff = ind.harmonised(diff, year, s.base_year)?;
    // A region counts only when the table has its centrumgemeente (CE0202 → GM0202): the
    // extract is cut off alphabetically, and the other gemeenten book no clients of their own.
    let mut clients: BTreeMap<String, f64> = BTreeMap::new();
    for (g, v) in &diff {
        if let Some((ce, _)) = s.centrumgemeente.get(g) {
            *clients.entry(ce.clone()).or_insert(0.0) += v;
        }
    }
    clients.retain(|ce, _| diff.contains_key(&format!("GM{}", ce.get(2..).unwrap_or(""))));
    // The clients per inhabitant of 18–64 of the regions it has: the fallback for the others.
    let adults: f64 = clients.keys().map(|ce| s.adults_of_region(ce)).sum();
    let total: f64 = clients.values().sum();
    if adults > 0.0 {
        s.verblijf_opvang_rate = Some((total / adults, clients.len()));
    }
    s.verblijf_opvang = clients;
    s.verblijf_opvang_period = format!("{}, 2e halfjaar", &period[..4]);
    Ok(())
}

/// Everything the baseline is estimated from.
fn stock_inputs(
    stock: &Observed,
    observed: &Observed,
    h: &HousingRun,
    registry: &Registry,
    variants: &[VariantResult],
) -> Result<StockInputs, RunError> {
    let base = h.base_year;
    let mut s = StockInputs {
        base_year: base,
        ..Default::default()
    };
    let ind = Indelingen {
        registry,
        mergers: registry.mergers(),
    };
    read_eigendom(&mut s, stock, &ind)?;
    read_woningtype(&mut s, stock, &ind)?;
    let indeling = registry.year(base)?;
    for (g, gm) in &indeling.gemeenten {
        if let Some(ce) = gm.member_of.get("CE") {
            let name = indeling.region_names.get(ce).cloned().unwrap_or_default();
            s.centrumgemeente.insert(g.clone(), (ce.clone(), name));
        }
    }
    let t85383 = "85383NED";
    s.over75_year = observed.latest_year(t85383, "Inwoners75Plus_7", base)?;
    let over75 = observed.by_region(t85383, "Inwoners75Plus_7", Some(s.over75_year), None)?;
    s.over75_nl = over75.get("NL01").copied().unwrap_or(0.0);
    s.over75 = ind.harmonised(
        over75
            .into_iter()
            .filter(|(c, _)| c.starts_with("GM"))
            .collect(),
        s.over75_year,
        base,
    )?;
    let care = "InwonersInZorginstellingen_8";
    s.in_care_year = observed.latest_year(t85383, care, base)?;
    s.in_care = ind.harmonised(
        gemeente_values(observed, t85383, care, None, s.in_care_year)?,
        s.in_care_year,
        base,
    )?;
    // The population of the base year: the run's own base (every gemeente of the base year).
    if let Some(g) = variants.first().and_then(|v| v.gemeenten.as_ref()) {
        for (code, stocks) in g.codes.iter().zip(&g.stocks) {
            let Some(p) = stocks.first() else { continue };
            s.adults.insert(code.clone(), p.band(18, 64));
            s.population.insert(code.clone(), p.total());
            let expected = prevalence(p, &h.institution, 1.0, 1.0);
            s.institutional.insert(
                code.clone(),
                (expected.band(65, OPEN_AGE), expected.total()),
            );
        }
        s.population_nl = s.population.values().sum();
    }
    read_wmo(&mut s, stock, &ind)?;
    Ok(s)
}
