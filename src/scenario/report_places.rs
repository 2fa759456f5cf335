//! The annex section "Waar": the maps of the annex region and the wijken of its gemeente, read
//! from what the run wrote (the map files, tables/kaarten.csv and tables/wijken.csv).

use std::collections::BTreeMap;
use std::path::Path;

use crate::numbers::{nl_decimals, nl_number};
use crate::output::annex::{AnnexTable, Section};

use super::maps::ANNEX_TEKORT_TYPES;
use super::schema::Scenario;
use super::wijken::WIJK_COLUMNS;

/// The map of a kind for an annex: its own (`_bijlage` for the main annex, `_<stem>` for a
/// region's) when the run drew one, else the run's.
fn map_file(dir: &Path, stem: &str, suffix: &str) -> Option<String> {
    [
        format!("kaart_{stem}_{suffix}.svg"),
        format!("kaart_{stem}.svg"),
    ]
    .into_iter()
    .find(|f| dir.join(f).is_file())
}

/// The rows of tables/wijken.csv of one gemeente and variant: (wijk, name, year, kind,
/// measure) → value.
type WijkRows = BTreeMap<(String, String, u16, String, String), f64>;

fn wijk_rows(dir: &Path, gemeente: &str, variant: &str) -> WijkRows {
    let mut out = WijkRows::new();
    let Ok(mut r) = csv::Reader::from_path(dir.join("tables/wijken.csv")) else {
        return out;
    };
    // The columns as the wijk stage writes them.
    let [v, g, w, wn, y, k, m, val] = [
        "variant",
        "gemeente",
        "wijk",
        "wijk_name",
        "year",
        "kind",
        "measure",
        "value",
    ]
    .map(|n| {
        WIJK_COLUMNS
            .iter()
            .position(|c| *c == n)
            .unwrap_or(usize::MAX)
    });
    for rec in r.records().flatten() {
        if rec.get(g) != Some(gemeente) || rec.get(v) != Some(variant) {
            continue;
        }
        let (Some(year), Some(value), Some(wijk), Some(name), Some(kind), Some(measure)) = (
            rec.get(y).and_then(|x| x.parse().ok()),
            rec.get(val).and_then(|x| x.parse().ok()),
            rec.get(w),
            rec.get(wn),
            rec.get(k),
            rec.get(m),
        ) else {
            continue;
        };
        out.insert(
            (
                wijk.to_string(),
                name.to_string(),
                year,
                kind.to_string(),
                measure.to_string(),
            ),
            value,
        );
    }
    out
}

/// The annex section "Waar": the maps and the wijken of the annex region; the maps the run
/// drew of its region (`kaart_<kind>_<maps>`: `bijlage` for the main annex, the region's file
/// stem for a region's) where there are, else the run's.
pub fn annex_places(
    dir: &Path,
    scenario: &Scenario,
    (region, region_name): (&str, &str),
    variant: &str,
    maps: &str,
) -> Option<Section> {
    if scenario.maps.is_none() && scenario.wijken.is_none() {
        return None;
    }
    let (base, horizon) = (scenario.base_year, scenario.horizon);
    let mut s = Section {
        heading: "4. Waar: kaarten en wijken".into(),
        ..Default::default()
    };
    if scenario.maps.is_some() {
        let area = if dir.join(format!("kaart_groei_75plus_{maps}.svg")).is_file() {
            format!(
                "{region_name} (omlijnd) en de gemeenten eromheen; het tekort en de sociale huur, waar \
de buurgemeenten niet zijn doorgerekend, het gebied van de run"
            )
        } else {
            "het gebied van de run (de gemeenten van de run omlijnd)".to_string()
        };
        if dir.join("kaart_groei_75plus.svg").is_file() {
            s.paragraphs.push(format!(
                "De kaarten tonen {area}. De groei van de 75-plussers is er voor elke gemeente (de prognose \
rekent alle 342 gemeenten door); het tekort en de sociale huur alleen voor de gemeenten van de run; de andere zijn \
grijs (neem ze op in regions.gemeenten of regions.include om ze mee te rekenen). Klassen: afgeronde kwantielen. De \
waarden achter elke kaart staan in tables/kaarten.csv; grenzen: CBS/PDOK, 1 januari 2024, gegeneraliseerd."
            ));
        } else {
            s.paragraphs
                .push("Deze run tekende geen kaarten (--no-charts).".into());
        }
        let mut kinds = vec![(
            "groei_75plus".to_string(),
            format!("Groei 75+ {base}–{horizon}"),
        )];
        kinds.extend(ANNEX_TEKORT_TYPES.iter().map(|t| {
            (
                format!("tekort_{t}"),
                format!("Tekort {t} in {horizon} per 1.000 inwoners"),
            )
        }));
        kinds.push((
            "sociale_huur".into(),
            format!("Sociale huur voor aandachtsgroepen, {horizon}"),
        ));
        for (stem, alt) in kinds {
            if let Some(f) = map_file(dir, &stem, maps) {
                s.charts.push((alt, f));
            }
        }
    }
    if scenario.wijken.is_some() {
        annex_wijken(dir, &mut s, region, region_name, variant, [base, horizon]);
    }
    Some(s)
}

/// The wijken of the annex gemeente: the method, the ranked chart and the table, or why there
/// are none.
fn annex_wijken(
    dir: &Path,
    s: &mut Section,
    region: &str,
    region_name: &str,
    variant: &str,
    [base, horizon]: [u16; 2],
) {
    let rows = wijk_rows(dir, region, variant);
    if rows.is_empty() && !region.starts_with("GM") {
        s.paragraphs.push(if dir.join("tables/wijken.csv").is_file() {
            "Wijken: per gemeente in tables/wijken.csv (de gemeenten die wijken.gemeenten of regions.gemeenten \
noemt en die de KWB 2024 dekt); deze bijlage gaat over een regio."
                .to_string()
        } else {
            "Wijken: deze run noemt geen gemeente met wijken (wijken.gemeenten of regions.gemeenten).".to_string()
        });
        return;
    }
    if rows.is_empty() {
        s.paragraphs.push(format!(
            "Wijken: de Kerncijfers wijken en buurten 2024 (CBS 85984NED) zoals meegeleverd in data/wijken/ dekken \
{region_name} niet (de download loopt alfabetisch tot Losser): deze bijlage heeft geen wijkniveau."
        ));
        return;
    }
    s.paragraphs.push(format!(
        "Wijken van {region_name}: de basis is de KWB 2024 (CBS 85984NED, 1 januari 2024). Elke wijk krijgt per \
leeftijd het aandeel dat zij heeft in haar KWB-leeftijdsklasse (0–14, 15–24, 25–44, 45–64, 65+), geharkt zodat de wijk \
haar KWB-inwoners houdt; de 65+ van een wijk wordt zo verdeeld over 65–74, 75+ en 85+ als in de gemeente. Daarna \
schuift het aandeel met het cohort mee (λ = 0,5, docs/METHODS.md §1i; niet gekalibreerd: daarvoor is een oudere KWB nodig). \
De wijken tellen per leeftijd en jaar precies op tot de gemeenteprognose. Dementie en de ouderengroepen volgen de \
gemeentetelling naar de leeftijdsopbouw van de wijk, hun woningvraag de netto vraag van de gemeente. Kleine wijken \
(minder dan 500 inwoners) zijn onzeker."
    ));
    let chart = format!("wijken_75plus_{region}.svg");
    if dir.join(&chart).is_file() {
        s.charts
            .push((format!("75-plussers per wijk, {region_name}"), chart));
    }
    // One row per wijk, ranked by the 75+ at the horizon.
    let get = |w: &(String, String), year: u16, kind: &str, m: &str| {
        rows.get(&(w.0.clone(), w.1.clone(), year, kind.into(), m.into()))
            .copied()
    };
    let mut wijken: Vec<(String, String)> = rows
        .keys()
        .map(|(c, n, ..)| (c.clone(), n.clone()))
        .collect();
    wijken.dedup();
    wijken.sort_by(|a, b| {
        let v = |w| get(w, horizon, "leeftijd", "75+").unwrap_or(0.0);
        v(b).total_cmp(&v(a))
    });
    let f = |v: Option<f64>| v.map_or_else(|| "—".into(), nl_number);
    let table_rows = wijken
        .iter()
        .map(|w| {
            let (a, b) = (
                get(w, base, "leeftijd", "75+"),
                get(w, horizon, "leeftijd", "75+"),
            );
            let growth = match (a, b) {
                (Some(a), Some(b)) if a > 0.0 => {
                    format!("{} %", nl_decimals(100.0 * (b / a - 1.0), 0))
                }
                _ => "—".into(),
            };
            let demand: f64 = ["nultreden", "geclusterd"]
                .iter()
                .filter_map(|t| get(w, horizon, "vraag", t))
                .sum();
            vec![
                w.1.clone(),
                f(get(w, 2024, "kwb", "inwoners")),
                f(a),
                f(b),
                growth,
                f(get(w, horizon, "leeftijd", "85+")),
                f(get(w, horizon, "groep", "dementie")),
                f(get(w, 2024, "kwb", "woningen")),
                get(w, 2024, "kwb", "corporatie_pct")
                    .map_or_else(|| "—".into(), |p| format!("{} %", nl_number(p))),
                f(Some(demand)),
            ]
        })
        .collect();
    s.tables.push(AnnexTable {
        caption: format!(
            "Wijken van {region_name}, variant {variant}: inwoners (KWB {base}), 75+ en 85+, dementie, woningen en de vraag \
van ouderen en mensen met dementie naar nultreden- en geclusterde woningen"
        ),
        header: vec![
            "Wijk".into(),
            "Inwoners 2024 (KWB)".into(),
            format!("75+ {base}"),
            format!("75+ {horizon}"),
            "Groei 75+".into(),
            format!("85+ {horizon}"),
            format!("Dementie {horizon}"),
            "Woningen 2024 (KWB)".into(),
            "Corporatie".into(),
            format!("Vraag nultreden en geclusterd {horizon}"),
        ],
        rows: table_rows,
    });
}
