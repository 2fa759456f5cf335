//! The charts of a run, each as PNG and SVG: the base year's population pyramid, the
//! projection (total and 75+ per variant, external forecasts beside it) and the pyramid of the
//! horizon; per key group the projected count with its band (Monte Carlo 67 %/95 %, or the
//! Kernprognose's laag–hoog variants), and the dwellings per type as stacked bars per year, for
//! the annex region.

use std::path::Path;

use crate::output::charts::lines::{Band, LineChart, Panel, Series};
use crate::output::charts::stacked::StackedBars;

use crate::numbers::nl_number;
use crate::output::charts::hbars::draw_hbars;
use crate::output::charts::lines::draw_lines;
use crate::output::charts::pyramid::{Pyramid, PyramidBand, Reference, draw_pyramid};
use crate::output::charts::stacked::draw_stacked;
use crate::output::files::{StagedDir, region_file_stem};
use crate::population::BasePopulation;
use crate::population::base::{BANDS_85383, national_by_age};
use crate::population::grid::{OPEN_AGE, Pop};

use super::area::Area;
use super::error::RunError;
use super::groups::GroupRun;
use super::housing::{HousingRun, dwellings_chart};
use super::montecarlo::Bands;
use super::prepare::Prepared;
use super::projection::{ExternalSeries, VariantResult};
use super::schema::Scenario;

/// Draw every chart of a run into the staged folder; the files written, in order. `annex`:
/// the main annex's region, which gets its own projection chart when it is not the selection;
/// `regions`: the regions with an annex of their own, whose charts carry their file stem
/// (`prognose_bevolking_<stem>`, `groepen_prognose_<stem>`, `woningen_per_jaar_<stem>`,
/// `woningen_per_type_<stem>`; with the report only).
pub fn draw_charts(
    staged: &StagedDir,
    prepared: &Prepared,
    (groups, housing): (Option<&GroupRun>, Option<&HousingRun>),
    bands: Option<&Bands>,
    (annex, regions): (Option<&Area>, &[&Area]),
) -> Result<Vec<String>, RunError> {
    let Prepared {
        plan,
        variants,
        externals,
        areas,
        ..
    } = prepared;
    let scenario = &plan.scenario;
    let mut files = Vec::new();
    let mut save = |name: &str, draw: &dyn Fn(&Path, &Path) -> Result<(), RunError>| {
        draw(
            &staged.path(&format!("{name}.png")),
            &staged.path(&format!("{name}.svg")),
        )?;
        files.push(format!("{name}.png"));
        files.push(format!("{name}.svg"));
        Ok::<_, RunError>(())
    };
    let projection = |area: &Area| projection_chart(scenario, variants, externals, area);
    let pyramid = base_pyramid(prepared)?;
    save("piramide_basisjaar", &|png, svg| {
        Ok(draw_pyramid(&pyramid, png, svg)?)
    })?;
    if let Some(area) = areas.last().filter(|_| !variants.is_empty()) {
        let chart = projection(area);
        save("prognose_bevolking", &|png, svg| {
            Ok(draw_lines(&chart, png, svg)?)
        })?;
        if let Some(chart) = horizon_pyramid(scenario, variants, area) {
            save("piramide_basis_horizon", &|png, svg| {
                Ok(draw_pyramid(&chart, png, svg)?)
            })?;
        }
    }
    // The annex region's own population chart, when it is not the selection.
    if let Some(area) = annex
        .filter(|a| Some(a.code.as_str()) != areas.last().map(|l| l.code.as_str()))
        .filter(|_| !variants.is_empty() && plan.report)
    {
        let chart = projection(area);
        save("prognose_bevolking_bijlage", &|png, svg| {
            Ok(draw_lines(&chart, png, svg)?)
        })?;
    }
    if let Some(g) = groups {
        for (name, chart) in group_charts(scenario, g, housing, variants, areas, annex, bands) {
            save(&name, &|png, svg| chart.draw(png, svg))?;
        }
    }
    if let (Some(g), Some(h)) = (groups, housing)
        && let Some(area) = annex.or(areas.last())
        && let Some(chart) = dwellings_chart(scenario, g, h, area)
    {
        save("woningen_per_type", &|png, svg| {
            Ok(draw_hbars(&chart, png, svg)?)
        })?;
    }
    // The regions with an annex of their own: the same charts under their stem.
    for area in regions
        .iter()
        .filter(|_| plan.report && !variants.is_empty())
    {
        let stem = region_file_stem(&area.code);
        let chart = projection(area);
        save(&format!("prognose_bevolking_{stem}"), &|png, svg| {
            Ok(draw_lines(&chart, png, svg)?)
        })?;
        if let Some(g) = groups {
            for (name, chart) in
                group_charts(scenario, g, housing, variants, areas, Some(area), bands)
            {
                save(&format!("{name}_{stem}"), &|png, svg| chart.draw(png, svg))?;
            }
        }
        if let (Some(g), Some(h)) = (groups, housing)
            && let Some(chart) = dwellings_chart(scenario, g, h, area)
        {
            save(&format!("woningen_per_type_{stem}"), &|png, svg| {
                Ok(draw_hbars(&chart, png, svg)?)
            })?;
        }
    }
    Ok(files)
}

/// The base year's pyramid of the selection, with Nederland scaled to the same total as the
/// reference line.
fn base_pyramid(prepared: &Prepared) -> Result<Pyramid, RunError> {
    let scenario = &prepared.plan.scenario;
    let year = scenario.base_year;
    let all_codes = prepared.gemeente_codes();
    let total = base_total(&prepared.base, &all_codes);
    let (nl_men, nl_women) = national_by_age(&prepared.nl_table, year)?;
    let nl_total: f64 = nl_men.iter().chain(&nl_women).sum();
    let scale = total / nl_total;
    let estimated = !scenario.regions.nederland;
    let base = &prepared.base;
    Ok(Pyramid {
        title: format!("Bevolking naar leeftijd en geslacht, 1 januari {year}"),
        subtitle: if estimated {
            format!(
                "{}: {} gemeenten, {} inwoners",
                scenario.title,
                prepared.gemeenten.len(),
                nl_number(total)
            )
        } else {
            format!(
                "{}: Nederland, {} inwoners",
                scenario.title,
                nl_number(total)
            )
        },
        reference: Some(Reference {
            label: if estimated {
                "Nederland, zelfde totaal (per leeftijdsjaar)".into()
            } else {
                "Nederland (per leeftijdsjaar)".into()
            },
            men: nl_men.iter().map(|v| v * scale).collect(),
            women: nl_women.iter().map(|v| v * scale).collect(),
        }),
        source_line: if estimated {
            format!(
                "Bron: CBS (85383NED klassen per gemeente; 7461bev Nederland; mannen/vrouwen geschat; 75+ getekend tot 100 jaar); bewerking woonzorg {}",
                env!("CARGO_PKG_VERSION")
            )
        } else {
            format!(
                "Bron: CBS (7461bev); 75+ getekend tot 100 jaar; bewerking woonzorg {}",
                env!("CARGO_PKG_VERSION")
            )
        },
        estimated,
        bands: BANDS_85383
            .iter()
            .map(|b| PyramidBand {
                lo: b.lo,
                hi_excl: b.hi.map(|h| h + 1).unwrap_or(100),
                label: b.label(),
                men: base.total(&all_codes, *b, "M"),
                women: base.total(&all_codes, *b, "V"),
            })
            .collect(),
    })
}

/// The pyramid of the horizon (bars, first variant) against the base year (line) of an area.
fn horizon_pyramid(
    scenario: &Scenario,
    variants: &[VariantResult],
    area: &Area,
) -> Option<Pyramid> {
    let year = scenario.base_year;
    let v = variants.first()?;
    let (p0, p1) = (area.stock(v, year)?, area.stock(v, scenario.horizon)?);
    let bands = (0..21u16)
        .map(|i| {
            let (lo, hi) = (i * 5, if i == 20 { OPEN_AGE as u16 } else { i * 5 + 4 });
            PyramidBand {
                lo,
                hi_excl: if i == 20 { 105 } else { hi + 1 },
                label: if i == 20 {
                    "100+".into()
                } else {
                    format!("{lo}–{hi}")
                },
                men: p1.band_sex(0, lo.into(), hi.into()),
                women: p1.band_sex(1, lo.into(), hi.into()),
            }
        })
        .collect();
    Some(Pyramid {
        title: format!(
            "Bevolking {} en {}: {}",
            year,
            scenario.horizon,
            area.shown_name()
        ),
        subtitle: format!(
            "{}: balken 1 januari {} (variant {}), lijn 1 januari {}",
            scenario.title, scenario.horizon, v.name, year
        ),
        reference: Some(Reference {
            label: format!("{year} (per leeftijdsjaar)"),
            men: p0.0[0].to_vec(),
            women: p0.0[1].to_vec(),
        }),
        source_line: format!(
            "Bron: CBS (85383NED, 7461bev, Kernprognose 86040NED); cohort-componentenmodel woonzorg {}",
            env!("CARGO_PKG_VERSION")
        ),
        estimated: !scenario.regions.nederland,
        bands,
    })
}

/// The projection chart: total population and 75+ of an area, one line per variant.
fn projection_chart(
    scenario: &Scenario,
    variants: &[VariantResult],
    externals: &[ExternalSeries],
    area: &Area,
) -> LineChart {
    let series = |f: &dyn Fn(&Pop) -> f64| -> Vec<Series> {
        variants
            .iter()
            .map(|v| Series {
                label: format!("{} ({})", v.name, v.description),
                points: (v.national.base_year..=v.national.horizon())
                    .filter_map(|y| area.stock(v, y).map(|p| (y, f(&p))))
                    .collect(),
                main: v.name == "midden",
            })
            .collect()
    };
    let mut totals = series(&|p| p.total());
    let (from, to) = (scenario.base_year, scenario.horizon);
    for e in externals {
        let members = area.base_codes();
        let points: Vec<(u16, f64)> = (from..=to)
            .filter_map(|y| e.total(&members, y).map(|v| (y, v)))
            .collect();
        if !points.is_empty() {
            totals.push(Series {
                label: format!("{} ({})", e.name, e.source),
                points,
                main: false,
            });
        }
    }
    LineChart {
        title: format!(
            "Bevolkingsprognose {} – {}",
            scenario.base_year, scenario.horizon
        ),
        subtitle: format!("{}: {}", scenario.title, area.shown_name()),
        source_line: format!(
            "Bron: CBS (7461bev, 37168, 37744ned, 37422ned, 86040NED Kernprognose 2024); cohort-componentenmodel woonzorg {}; stand 1 januari",
            env!("CARGO_PKG_VERSION")
        ),
        panels: vec![
            Panel {
                y_label: "Inwoners".into(),
                series: totals,
                bands: Vec::new(),
            },
            Panel {
                y_label: "Inwoners 75 jaar en ouder".into(),
                bands: Vec::new(),
                series: series(&|p| p.band(75, OPEN_AGE)),
            },
        ],
    }
}

fn base_total(base: &BasePopulation, codes: &[String]) -> f64 {
    base.band_totals(codes).iter().map(|b| b[0]).sum()
}

/// A chart of either kind.
pub enum AnyChart {
    Lines(LineChart),
    Stacked(StackedBars),
}

impl AnyChart {
    /// Draw the chart as PNG and SVG.
    fn draw(&self, png: &Path, svg: &Path) -> Result<(), RunError> {
        match self {
            AnyChart::Lines(c) => Ok(draw_lines(c, png, svg)?),
            AnyChart::Stacked(c) => Ok(draw_stacked(c, png, svg)?),
        }
    }
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
    annex: Option<&Area>,
    bands: Option<&Bands>,
) -> Vec<(String, AnyChart)> {
    let mut out = Vec::new();
    let base = scenario.base_year;
    let area_i = annex
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
                title: format!("Aandachtsgroepen {}–{}: {}", base, scenario.horizon, area.shown_name()),
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
                title: format!("Woonzorgwoningen en plaatsen per jaar: {}", area.shown_name()),
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
