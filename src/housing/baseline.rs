//! The supply baseline: the stock per gemeente and dwelling type on 1 January of the base year,
//! each figure marked for what it is — counted by CBS (`waargenomen`), estimated by a stated
//! method from counts and sourced national figures (`geschat`), given by the user
//! (`opgegeven`, applied later by [`crate::housing::Supply::apply_baseline`]), or missing
//! (`ontbreekt`) — and the trend of the net additions that carries it forward (docs/METHODS.md
//! §1h).
//!
//! The inputs are plain numbers per gemeente in the base year's indeling ([`StockInputs`], read
//! by the scenario from the extracts in data/supply/ and data/groups/); each method is one
//! function; [`baseline`] puts them together.

use std::collections::BTreeMap;

use crate::numbers::{nl_decimals, nl_number};
use crate::source::sourced::Param;

/// What a supply figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// A CBS count.
    Waargenomen,
    /// Derived by a stated method from counts and sourced shares.
    Geschat,
    /// Given by the user (housing.supply, housing.zero_supply).
    Opgegeven,
    /// Nothing to count or estimate it from.
    Ontbreekt,
}

impl Status {
    /// The Dutch word the outputs print.
    pub fn label(self) -> &'static str {
        match self {
            Status::Waargenomen => "waargenomen",
            Status::Geschat => "geschat",
            Status::Opgegeven => "opgegeven",
            Status::Ontbreekt => "ontbreekt",
        }
    }
}

/// One supply figure of a gemeente and dwelling type (or stock category).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// `None` exactly when the status is [`Status::Ontbreekt`].
    pub value: Option<f64>,
    pub status: Status,
    /// How it was obtained, in Dutch (for supply.csv and the annex).
    pub method: String,
    pub source: String,
}

impl Figure {
    fn counted(value: f64, method: &str, source: &str) -> Figure {
        Figure {
            value: Some(value),
            status: Status::Waargenomen,
            method: method.to_string(),
            source: source.to_string(),
        }
    }

    fn estimated(value: f64, method: String, source: String) -> Figure {
        Figure {
            value: Some(value),
            status: Status::Geschat,
            method,
            source,
        }
    }

    fn missing(method: String) -> Figure {
        Figure {
            value: None,
            status: Status::Ontbreekt,
            method,
            source: String::new(),
        }
    }
}

/// The stock categories CBS counts, beside the dwelling types of the catalogue: they are
/// written to supply.csv (`totaal` and `corporatie` for every year, the others for the base
/// year) and `corporatie` carries the social-rent lettings.
pub const COUNTS: [&str; 6] = [
    "totaal",
    "koop",
    "corporatie",
    "overige_verhuurders",
    "eengezins",
    "meergezins",
];

/// The net additions per year of a gemeente's stock over a window (CBS 82900NED), carried
/// forward from the base year unless the user gives plancapaciteit.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// All dwellings, per year.
    pub total: f64,
    /// Corporatie dwellings, per year (negative where corporaties sold or demolished more).
    pub corporatie: f64,
    pub from: u16,
    pub to: u16,
}

/// The counts and keys the baseline is estimated from, per gemeente code of the base year.
#[derive(Debug, Clone, Default)]
pub struct StockInputs {
    pub base_year: u16,
    /// The year of the eigendom counts (82900NED, 1 January), the latest up to the base year.
    pub eigendom_year: u16,
    pub total: BTreeMap<String, f64>,
    pub koop: BTreeMap<String, f64>,
    pub corporatie: BTreeMap<String, f64>,
    pub overige: BTreeMap<String, f64>,
    pub total_nl: f64,
    /// The year of the woningtype counts (85035NED); the table covers 235 gemeenten.
    pub woningtype_year: u16,
    pub meergezins: BTreeMap<String, f64>,
    pub eengezins: BTreeMap<String, f64>,
    pub meergezins_nl: f64,
    /// Where 85035NED lacks a gemeente: the meergezins share of the smallest region that has
    /// it (COROP, else provincie), with that region's name.
    pub meergezins_share_of_region: BTreeMap<String, (f64, String)>,
    /// Inhabitants 75+ (85383NED Inwoners75Plus_7) and their year.
    pub over75: BTreeMap<String, f64>,
    pub over75_nl: f64,
    pub over75_year: u16,
    /// Inhabitants of zorginstellingen (85383NED InwonersInZorginstellingen_8), its year, and
    /// the national share of 65+ among persons in institutional households (37620 × population).
    pub in_care: BTreeMap<String, f64>,
    pub in_care_year: u16,
    /// Per gemeente: the persons in institutional households the national rates by age and
    /// sex (CBS 37620) give on its own population, (65+, all ages) — the 65+ share of its
    /// inhabitants of zorginstellingen, and their number where CBS publishes none (e.g.
    /// Schiermonnikoog).
    pub institutional: BTreeMap<String, (f64, f64)>,
    /// Wmo clients with verblijf en opvang (84839NED, total minus "exclusief verblijf en
    /// opvang") per centrumgemeente region (`CE…`), and the period.
    pub verblijf_opvang: BTreeMap<String, f64>,
    pub verblijf_opvang_period: String,
    /// Clients with verblijf en opvang per inhabitant of 18–64 over the regions the table has,
    /// and how many regions that is: the estimate for a region whose centrumgemeente the
    /// (truncated) table lacks.
    pub verblijf_opvang_rate: Option<(f64, usize)>,
    /// The centrumgemeente region (`CE…`) of each gemeente, with its name.
    pub centrumgemeente: BTreeMap<String, (String, String)>,
    /// Inhabitants 18–64 and all inhabitants in the base year (the run's base population).
    pub adults: BTreeMap<String, f64>,
    pub population: BTreeMap<String, f64>,
    pub population_nl: f64,
    /// The trend of every gemeente with counts at both ends of the window.
    pub trend: BTreeMap<String, Trend>,
}

impl StockInputs {
    /// The inhabitants of 18–64 of the gemeenten of a centrumgemeente region.
    pub fn adults_of_region(&self, ce: &str) -> f64 {
        self.centrumgemeente
            .iter()
            .filter(|(_, (c, _))| c == ce)
            .filter_map(|(g, _)| self.adults.get(g))
            .sum()
    }
}

/// The national anchors of the estimates (the housing catalogue's parameters).
pub struct StockParams<'a> {
    pub nultreden_share: &'a Param,
    pub geclusterd_national: &'a Param,
    pub standplaatsen_national: &'a Param,
    pub opvang_share: &'a Param,
    pub occupancy: &'a Param,
}

/// **Nultreden, meergezins fallback** (docs/METHODS.md §1h; RIGO 2014's BAG method in
/// Leidelmeijer, Van Iersel & Leering 2017 calibrates to a national anchor, here WoON 2006's
/// ≈ 21 %): the national nultreden stock outside geclusterde complexes,
/// `share × total_NL − geclusterd_NL`, distributed over gemeenten by their meergezins stock.
pub fn nultreden_by_meergezins(
    meergezins: f64,
    meergezins_nl: f64,
    total_nl: f64,
    share: f64,
    geclusterd_nl: f64,
) -> f64 {
    if meergezins_nl <= 0.0 {
        return 0.0;
    }
    (share * total_nl - geclusterd_nl).max(0.0) * meergezins / meergezins_nl
}

/// **Proportional allocation of a national total** by a key (docs/METHODS.md §1h: RIGO's
/// geclusterde woningen by 75+; standplaatsen by population): `national × key / key_NL`.
pub fn share_of_national(national: f64, key: f64, key_nl: f64) -> f64 {
    if key_nl <= 0.0 {
        0.0
    } else {
        national * key / key_nl
    }
}

/// **Intramural places from registered residents** (docs/METHODS.md §1h, §1d): the 65+
/// residents of zorginstellingen (85383NED inwoners in zorginstellingen × the national 65+
/// share of persons in institutional households, CBS 37620) divided by the bezettingsgraad.
pub fn intramural_places(in_care: f64, share_65plus: f64, occupancy: f64) -> f64 {
    in_care * share_65plus / occupancy
}

/// **Centrumgemeente clients by 18–64 population** (docs/METHODS.md §1h): the Wmo clients with
/// verblijf en opvang of a centrumgemeente region, booked at the centrumgemeente (84839NED),
/// shared over its gemeenten by their inhabitants 18–64; the places are clients / bezettingsgraad.
pub fn places_by_adults(clients: f64, adults: f64, adults_region: f64, occupancy: f64) -> f64 {
    share_of_national(clients, adults, adults_region) / occupancy
}

/// **Net additions per year** (CBS 82900NED): the change of the stock over a window divided by
/// its years.
pub fn net_additions_per_year(first: (u16, f64), last: (u16, f64)) -> f64 {
    let years = f64::from(last.0.saturating_sub(first.0));
    if years > 0.0 {
        (last.1 - first.1) / years
    } else {
        0.0
    }
}

/// A fraction in Dutch with two decimals (`0,95`).
fn decimal(v: f64) -> String {
    nl_decimals(v, 2)
}

/// A fraction as a Dutch percentage with one decimal (`0.496` → `49,6`).
fn percent(v: f64) -> String {
    nl_decimals(v * 100.0, 1)
}

/// The baseline of `gemeenten` for the dwelling types `types` (catalogue ids; `regulier`,
/// `nultreden`, `geclusterd`, `intramuraal`, `beschermd`, `opvang` and `standplaats` are
/// estimated, others are missing) and the stock categories [`COUNTS`]. `regulier` is the total
/// minus the estimated nultreden and geclusterde dwellings (places and standplaatsen are not in
/// the woningvoorraad).
pub fn baseline(
    inputs: &StockInputs,
    params: &StockParams,
    gemeenten: &[String],
    types: &[String],
) -> BTreeMap<(String, String), Figure> {
    let mut out = BTreeMap::new();
    for g in gemeenten {
        let mut cx = Gemeente {
            s: inputs,
            p: params,
            g,
            eig: format!("CBS 82900NED, 1-1-{}", inputs.eigendom_year),
            meergezins: None,
        };
        for (t, f) in cx.counts() {
            out.insert((g.clone(), t.to_string()), f);
        }
        for t in types {
            out.insert((g.clone(), t.clone()), cx.estimate(t));
        }
    }
    out
}

/// The baseline of one gemeente, figure by figure.
struct Gemeente<'a> {
    s: &'a StockInputs,
    p: &'a StockParams<'a>,
    g: &'a str,
    /// The source of the eigendom counts.
    eig: String,
    /// Its meergezins stock, counted or estimated (after [`Gemeente::counts`]).
    meergezins: Option<f64>,
}

impl Gemeente<'_> {
    /// Counted when the eigendom year is the base year; carried forward by the trend
    /// (`per_year`) otherwise.
    fn carried(&self, v: f64, per_year: Option<f64>, what: &str) -> Figure {
        let s = self.s;
        let gap = s.base_year.saturating_sub(s.eigendom_year);
        match (gap, per_year) {
            (0, _) => Figure::counted(v, "CBS-telling", &self.eig),
            (_, Some(p)) => Figure::estimated(
                v + p * f64::from(gap),
                format!(
                    "telling 1-1-{} plus {gap} jaar trend van {what}",
                    s.eigendom_year
                ),
                format!("{}; trend {}", self.eig, self.g),
            ),
            (_, None) => Figure::missing(format!(
                "geen telling voor 1-1-{} en geen trend",
                s.base_year
            )),
        }
    }

    fn total(&self) -> Option<f64> {
        let v = *self.s.total.get(self.g)?;
        let trend = self.s.trend.get(self.g).map(|t| t.total);
        self.carried(v, trend, "de hele voorraad").value
    }

    /// The stock categories CBS counts: total and eigendom (82900NED), eengezins and
    /// meergezins (85035NED, or the region's share of meergezins × the total).
    fn counts(&mut self) -> Vec<(&'static str, Figure)> {
        let (s, g) = (self.s, self.g);
        let trend = s.trend.get(g);
        let mut out = Vec::new();
        for (t, map, per_year, what) in [
            (
                "totaal",
                &s.total,
                trend.map(|t| t.total),
                "de hele voorraad",
            ),
            ("koop", &s.koop, None, ""),
            (
                "corporatie",
                &s.corporatie,
                trend.map(|t| t.corporatie),
                "de corporatievoorraad",
            ),
            ("overige_verhuurders", &s.overige, None, ""),
        ] {
            let f = match map.get(g) {
                Some(v) => self.carried(*v, per_year, what),
                None => Figure::missing(format!("CBS 82900NED heeft geen {t} voor {g}")),
            };
            out.push((t, f));
        }
        let wt = format!("CBS 85035NED, 1-1-{}", s.woningtype_year);
        let (m, e) = match (s.meergezins.get(g), s.eengezins.get(g)) {
            (Some(m), Some(e)) => (
                Figure::counted(*m, "CBS-telling", &wt),
                Figure::counted(*e, "CBS-telling", &wt),
            ),
            _ => match (self.total(), s.meergezins_share_of_region.get(g)) {
                (Some(tot), Some((share, region))) => {
                    let method = format!(
                        "CBS 85035NED telt deze gemeente niet (het extract is afgekapt); het aandeel meergezinswoningen van {region} ({} %) × de hele voorraad",
                        percent(*share)
                    );
                    let source = format!("{wt}; {}", self.eig);
                    (
                        Figure::estimated(tot * share, method.clone(), source.clone()),
                        Figure::estimated(tot * (1.0 - share), method, source),
                    )
                }
                _ => (
                    Figure::missing("geen woningtype en geen totaal".into()),
                    Figure::missing("geen woningtype en geen totaal".into()),
                ),
            },
        };
        self.meergezins = m.value;
        out.push(("eengezins", e));
        out.push(("meergezins", m));
        out
    }

    fn geclusterd(&self) -> Option<f64> {
        let v = self.s.over75.get(self.g)?;
        Some(share_of_national(
            self.p.geclusterd_national.value,
            *v,
            self.s.over75_nl,
        ))
    }

    fn nultreden(&self) -> Option<f64> {
        let p = self.p;
        Some(nultreden_by_meergezins(
            self.meergezins?,
            self.s.meergezins_nl,
            self.s.total_nl,
            p.nultreden_share.value,
            p.geclusterd_national.value,
        ))
    }

    /// One dwelling type of the catalogue.
    fn estimate(&self, t: &str) -> Figure {
        let (s, p, g) = (self.s, self.p, self.g);
        match t {
            "nultreden" => match self.nultreden() {
                Some(v) => Figure::estimated(
                    v,
                    format!(
                        "landelijk {} % van alle woningen nultreden, min de geclusterde woningen, verdeeld naar meergezinswoningen (METHODS §1h)",
                        percent(p.nultreden_share.value)
                    ),
                    "CBS 85035NED, 82900NED; woningcatalogus: nultreden_aandeel, geclusterd_landelijk".into(),
                ),
                None => Figure::missing("geen meergezinswoningen bekend".into()),
            },
            "geclusterd" => match self.geclusterd() {
                Some(v) => Figure::estimated(
                    v,
                    format!(
                        "{} geclusterde woningen in Nederland verdeeld naar inwoners van 75 jaar en ouder (1-1-{})",
                        nl_number(p.geclusterd_national.value),
                        s.over75_year
                    ),
                    "CBS 85383NED Inwoners75Plus_7; woningcatalogus: geclusterd_landelijk".into(),
                ),
                None => Figure::missing("geen inwoners 75+ bekend (CBS 85383NED)".into()),
            },
            "regulier" => match (self.total(), self.nultreden(), self.geclusterd()) {
                (Some(tot), Some(n), Some(c)) => Figure::estimated(
                    (tot - n - c).max(0.0),
                    "de hele voorraad min de geschatte nultreden- en geclusterde woningen".into(),
                    format!("{}; zie nultreden en geclusterd", self.eig),
                ),
                _ => Figure::missing(
                    "de voorraad of de schatting van nultreden/geclusterd ontbreekt".into(),
                ),
            },
            "intramuraal" => self.intramural(),
            "beschermd" | "opvang" => self.beschermd_opvang(t),
            "standplaats" => match s.population.get(g) {
                Some(v) => Figure::estimated(
                    share_of_national(p.standplaatsen_national.value, *v, s.population_nl),
                    format!(
                        "{} standplaatsen in Nederland verdeeld naar inwoners (geen telling per gemeente; vervang door de eigen telling)",
                        nl_number(p.standplaatsen_national.value)
                    ),
                    "woningcatalogus: standplaatsen_landelijk".into(),
                ),
                None => Figure::missing("geen inwonertal".into()),
            },
            other => Figure::missing(format!(
                "woonzorg schat het type '{other}' niet; geef het in housing.supply"
            )),
        }
    }

    fn intramural(&self) -> Figure {
        let (s, p, g) = (self.s, self.p, self.g);
        let occupancy = p.occupancy.value;
        let source = "CBS 37620; woningcatalogus: bezettingsgraad".to_string();
        let expected = s.institutional.get(g).filter(|(_, all)| *all > 0.0);
        match (s.in_care.get(g), expected) {
            (Some(v), Some((old, all))) => Figure::estimated(
                intramural_places(*v, old / all, occupancy),
                format!(
                    "{} inwoners in zorginstellingen (1-1-{}) × {} % 65-plus (de landelijke kansen naar leeftijd en geslacht, CBS 37620, op de eigen bevolking) / bezettingsgraad {}",
                    nl_number(*v),
                    s.in_care_year,
                    percent(old / all),
                    decimal(occupancy)
                ),
                format!("CBS 85383NED InwonersInZorginstellingen_8, {source}"),
            ),
            _ => match s.institutional.get(g) {
                Some((old, _)) => Figure::estimated(
                    old / occupancy,
                    format!(
                        "CBS 85383NED publiceert geen inwoners in zorginstellingen voor deze gemeente; de 65-plussers in instellingen volgens de landelijke kansen naar leeftijd en geslacht (CBS 37620) op de eigen bevolking / bezettingsgraad {}",
                        decimal(occupancy)
                    ),
                    source,
                ),
                None => Figure::missing(
                    "geen inwoners in zorginstellingen bekend (CBS 85383NED)".into(),
                ),
            },
        }
    }

    fn beschermd_opvang(&self, t: &str) -> Figure {
        let (s, p, g) = (self.s, self.p, self.g);
        let occupancy = p.occupancy.value;
        let opvang = t == "opvang";
        let share = if opvang {
            p.opvang_share.value
        } else {
            1.0 - p.opvang_share.value
        };
        let what = if opvang {
            "opvang"
        } else {
            "beschermd wonen en maatschappelijke opvang"
        };
        let source = "CBS 84839NED; woningcatalogus: opvang_aandeel, bezettingsgraad";
        let adults = s.adults.get(g).copied().unwrap_or(0.0);
        let Some(((c, name), clients)) = s
            .centrumgemeente
            .get(g)
            .and_then(|ce| Some((ce, s.verblijf_opvang.get(&ce.0)?)))
        else {
            let region = s
                .centrumgemeente
                .get(g)
                .map(|(c, n)| format!("{n} ({c})"))
                .unwrap_or_else(|| "de centrumgemeente".into());
            return match s.verblijf_opvang_rate {
                Some((rate, n)) if s.adults.contains_key(g) => Figure::estimated(
                    rate * adults * share / occupancy,
                    format!(
                        "CBS 84839NED (het extract is afgekapt) heeft centrumgemeente {region} niet: {} Wmo-cliënten met verblijf en opvang per 1.000 inwoners van 18–64 jaar in de {n} centrumgemeenteregio's die het wel heeft × de eigen inwoners van 18–64 jaar × {} % {what} / bezettingsgraad {}",
                        decimal(rate * 1000.0),
                        percent(share),
                        decimal(occupancy)
                    ),
                    source.into(),
                ),
                _ => Figure::missing(format!(
                    "geen Wmo-cliënten met verblijf en opvang voor {region} (CBS 84839NED)"
                )),
            };
        };
        Figure::estimated(
            places_by_adults(clients * share, adults, s.adults_of_region(c), occupancy),
            format!(
                "{} Wmo-cliënten met verblijf en opvang van centrumgemeente {name} ({c}, {}) × {} % {what}, verdeeld naar inwoners van 18–64 jaar / bezettingsgraad {}",
                nl_number(*clients),
                s.verblijf_opvang_period,
                percent(share),
                decimal(occupancy)
            ),
            source.into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(v: f64) -> Param {
        Param {
            value: v,
            source: "test".into(),
            path: Default::default(),
            spread: None,
        }
    }

    #[test]
    fn methods_hold_their_totals() {
        // Distributed national totals add up to the national figure.
        let keys = [10.0, 30.0, 60.0];
        let sum: f64 = keys
            .iter()
            .map(|k| share_of_national(1000.0, *k, 100.0))
            .sum();
        assert!((sum - 1000.0).abs() < 1e-9);
        // Nultreden: 21 % of 8,204,049 minus 132,001 over 3,014,543 meergezins (NL 2024).
        let nl = nultreden_by_meergezins(3_014_543.0, 3_014_543.0, 8_204_049.0, 0.21, 132_001.0);
        assert!((nl - (0.21 * 8_204_049.0 - 132_001.0)).abs() < 1e-6);
        // Delft: 36,735 meergezins (85035NED 2024).
        let delft = nultreden_by_meergezins(36_735.0, 3_014_543.0, 8_204_049.0, 0.21, 132_001.0);
        assert!((delft - 19_385.6).abs() < 1.0, "{delft}");
        assert_eq!(net_additions_per_year((2016, 100.0), (2024, 180.0)), 10.0);
        assert_eq!(intramural_places(950.0, 0.8, 0.95), 800.0);
    }

    #[test]
    fn every_estimate_has_a_method_and_a_source() {
        let mut s = StockInputs {
            base_year: 2024,
            eigendom_year: 2024,
            woningtype_year: 2024,
            over75_year: 2024,
            in_care_year: 2024,
            total_nl: 1000.0,
            meergezins_nl: 400.0,
            over75_nl: 100.0,
            population_nl: 2000.0,
            institutional: [
                ("GM1".to_string(), (8.0, 10.0)),
                ("GM2".to_string(), (9.5, 13.0)),
            ]
            .into(),
            verblijf_opvang_period: "2023HJ02".into(),
            ..Default::default()
        };
        for (g, tot) in [("GM1", 600.0), ("GM2", 400.0)] {
            s.total.insert(g.into(), tot);
            s.koop.insert(g.into(), tot / 2.0);
            s.corporatie.insert(g.into(), tot / 4.0);
            s.overige.insert(g.into(), tot / 4.0);
            s.over75.insert(g.into(), tot / 10.0);
            s.adults.insert(g.into(), tot);
            s.population.insert(g.into(), tot * 2.0);
            s.centrumgemeente
                .insert(g.into(), ("CE1".into(), "Een".into()));
        }
        // GM2 as Schiermonnikoog: no inhabitants of zorginstellingen published.
        s.in_care.insert("GM1".into(), 10.0);
        s.meergezins.insert("GM1".into(), 300.0);
        s.eengezins.insert("GM1".into(), 300.0);
        s.meergezins_share_of_region
            .insert("GM2".into(), (0.25, "COROP X".into()));
        s.verblijf_opvang.insert("CE1".into(), 95.0);
        let (a, b, c, d, e) = (
            param(0.21),
            param(100.0),
            param(10.0),
            param(0.05),
            param(0.95),
        );
        let p = StockParams {
            nultreden_share: &a,
            geclusterd_national: &b,
            standplaatsen_national: &c,
            opvang_share: &d,
            occupancy: &e,
        };
        let types: Vec<String> = [
            "regulier",
            "nultreden",
            "geclusterd",
            "beschermd",
            "opvang",
            "intramuraal",
            "standplaats",
            "anders",
        ]
        .map(String::from)
        .to_vec();
        let b = baseline(&s, &p, &["GM1".into(), "GM2".into()], &types);
        for ((g, t), f) in &b {
            match f.status {
                Status::Geschat => assert!(
                    !f.method.is_empty() && !f.source.is_empty(),
                    "{g} {t}: {f:?}"
                ),
                Status::Ontbreekt => assert!(f.value.is_none() && t == "anders"),
                _ => assert!(f.value.is_some()),
            }
        }
        let v = |g: &str, t: &str| b[&(g.to_string(), t.to_string())].value.unwrap();
        // GM2's meergezins from its region's share; eengezins + meergezins = totaal.
        assert_eq!(v("GM2", "meergezins"), 100.0);
        assert_eq!(
            v("GM2", "meergezins") + v("GM2", "eengezins"),
            v("GM2", "totaal")
        );
        assert_eq!(v("GM1", "intramuraal"), 10.0 * 0.8 / 0.95);
        assert_eq!(v("GM2", "intramuraal"), 10.0);
        // The national totals are kept: geclusterd, standplaatsen, clients / occupancy.
        let sum = |t: &str| v("GM1", t) + v("GM2", t);
        assert!((sum("geclusterd") - 100.0).abs() < 1e-9);
        assert!((sum("standplaats") - 10.0).abs() < 1e-9);
        assert!((sum("beschermd") + sum("opvang") - 100.0).abs() < 1e-9);
        // Regulier + nultreden + geclusterd = totaal.
        for g in ["GM1", "GM2"] {
            let parts = v(g, "regulier") + v(g, "nultreden") + v(g, "geclusterd");
            assert!((parts - v(g, "totaal")).abs() < 1e-9);
        }
    }
}
