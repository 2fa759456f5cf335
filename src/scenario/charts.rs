//! Charts of the groups and dwellings of a run: per key group the projected count with its
//! band (Monte Carlo 67 %/95 %, or the Kernprognose's laag–hoog variants), and the dwellings
//! per type as stacked bars per year, for the annex region.

use crate::output::charts::lines::{Band, LineChart, Panel, Series};
use crate::output::charts::stacked::StackedBars;

use super::groups::GroupRun;
use super::housing::{HousingRun, complete_supply_area};
use super::montecarlo::Bands;
use super::projection::VariantResult;
use super::run::Area;
use super::schema::Scenario;

/// A chart of either kind.
pub enum AnyChart {
    Lines(LineChart),
    Stacked(StackedBars),
}

/// The groups shown with their bands.
const KEY_GROUPS: [(&str, &str); 4] = [
    ("ouderen_75plus", "Ouderen 75+"),
    ("dementie", "Dementie"),
    ("wlz_verpleegzorg", "In zorginstelling"),
    ("dakloos", "Dakloos"),
];

/// The charts (file stem, chart) of a run.
pub fn group_charts(
    scenario: &Scenario,
    g: &GroupRun,
    h: Option<&HousingRun>,
    variants: &[VariantResult],
    areas: &[Area],
    bands: Option<&Bands>,
) -> Vec<(String, AnyChart)> {
    let mut out = Vec::new();
    let base = scenario.base_year;
    let area_i = h
        .and_then(|h| complete_supply_area(h, areas, base, scenario.horizon))
        .and_then(|a| areas.iter().position(|x| x.code == a.code))
        .unwrap_or(areas.len().saturating_sub(1));
    let Some(area) = areas.get(area_i) else {
        return out;
    };
    let Some((_, first)) = g.counts.first() else {
        return out;
    };
    let Ok(a) = first.area(&area.base_codes()) else {
        return out;
    };
    let n_years = a.gross.first().map(|v| v.len()).unwrap_or(0);
    let years: Vec<u16> = (0..n_years).map(|t| base + t as u16).collect();
    let n_groups = g.catalogue.groups.len();
    let mut panels = Vec::new();
    for (id, short) in KEY_GROUPS {
        let Some(gi) = g.catalogue.groups.iter().position(|x| x.id == id) else {
            continue;
        };
        let line = |vals: &[f64]| -> Vec<(u16, f64)> {
            years.iter().copied().zip(vals.iter().copied()).collect()
        };
        let mut band_list = Vec::new();
        match bands {
            Some(b) => {
                let q = |t: usize, k: usize| {
                    b.cells
                        .get(((area_i * n_groups + gi) * n_years + t) * 2)
                        .map(|c| c[k])
                        .unwrap_or(f64::NAN)
                };
                for (label, lo, hi) in [("95 %-interval", 0, 4), ("67 %-interval", 1, 3)] {
                    band_list.push(Band {
                        label: format!("{label} ({} trekkingen)", b.draws),
                        lower: (0..n_years).map(|t| (years[t], q(t, lo))).collect(),
                        upper: (0..n_years).map(|t| (years[t], q(t, hi))).collect(),
                    });
                }
            }
            None => {
                let of = |name: &str| -> Option<Vec<f64>> {
                    let i = g.counts.iter().position(|(v, _)| v == name)?;
                    let ag = g.counts[i].1.area(&area.base_codes()).ok()?;
                    Some(ag.gross[gi].clone())
                };
                if let (Some(lo), Some(hi)) = (of("laag"), of("hoog")) {
                    let (lo, hi): (Vec<f64>, Vec<f64>) = lo
                        .iter()
                        .zip(&hi)
                        .map(|(a, b)| (a.min(*b), a.max(*b)))
                        .unzip();
                    band_list.push(Band {
                        label: "Kernprognose laag–hoog (67 %)".into(),
                        lower: line(&lo),
                        upper: line(&hi),
                    });
                }
            }
        }
        panels.push(Panel {
            y_label: short.to_string(),
            series: vec![Series {
                label: format!(
                    "bruto, variant {}",
                    variants
                        .first()
                        .map(|v| v.name.as_str())
                        .unwrap_or("midden")
                ),
                points: line(&a.gross[gi]),
                main: true,
            }],
            bands: band_list,
        });
    }
    if !panels.is_empty() {
        out.push((
            "groepen_prognose".to_string(),
            AnyChart::Lines(LineChart {
                title: format!("Aandachtsgroepen {}–{}: {}", base, scenario.horizon, area.name),
                subtitle: format!("{}: personen op 1 januari (bruto), met bandbreedte", scenario.title),
                source_line: format!(
                    "Bron: CBS (bevolking, 85383NED, 37620, 85616NED; Kernprognose 86040NED); catalogus data/groups; bewerking woonzorg {}",
                    env!("CARGO_PKG_VERSION")
                ),
                panels,
            }),
        ));
    }
    if let Some(h) = h {
        let dw = crate::housing::dwellings::dwelling_demand(&h.catalogue, &g.catalogue, &a);
        let segments: Vec<(String, Vec<f64>)> = h
            .catalogue
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.id != "regulier")
            .map(|(ti, t)| {
                let v = (0..n_years)
                    .map(|y| {
                        dw.iter()
                            .flat_map(|d| d.by_type.iter())
                            .filter(|td| td.dwelling_type == ti)
                            .map(|td| td.net[y])
                            .sum()
                    })
                    .collect();
                (t.label.clone(), v)
            })
            .collect();
        out.push((
            "woningen_per_jaar".to_string(),
            AnyChart::Stacked(StackedBars {
                title: format!("Woonzorgwoningen en plaatsen per jaar: {}", area.name),
                subtitle: format!("{}: netto vraag van de aandachtsgroepen per woningtype, 1 januari", scenario.title),
                source_line: format!(
                    "Bron: CBS (bevolking, 37620, 85383NED); catalogus data/housing/woningen.toml; bewerking woonzorg {}",
                    env!("CARGO_PKG_VERSION")
                ),
                y_label: "woningen / plaatsen".into(),
                years: years.clone(),
                segments,
            }),
        ));
    }
    out
}
