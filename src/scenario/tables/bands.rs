//! tables/groups_bands.csv and tables/dwellings_bands.csv: the Monte Carlo percentiles per
//! area, variant, year and group (or dwelling type).

use crate::output::tables::{AREA_KEYS, TableWriter, create_keyed_csv};
use crate::scenario::area::Area;
use crate::scenario::groups::GroupRun;
use crate::scenario::housing::HousingRun;
use crate::scenario::montecarlo::{Bands, QUANTILE_COLUMNS};

/// The base year and the number of years of a run's group counts.
fn years_of(g: &GroupRun) -> (u16, usize) {
    g.counts
        .first()
        .map(|(_, c)| (c.base_year, c.n_years()))
        .unwrap_or((0, 0))
}

fn bands_header() -> Vec<&'static str> {
    let mut h = vec!["measure", "draws"];
    h.extend(QUANTILE_COLUMNS);
    h
}

/// One row of a bands table: the area's year prefix, what is drawn, the measure, the number of
/// draws and the percentiles.
fn write_band(
    w: &mut TableWriter,
    prefix: &str,
    what: &str,
    measure: &str,
    draws: &str,
    q: &[f64; 5],
) -> std::io::Result<()> {
    let q = q.map(crate::numbers::cents);
    let fields = [what, measure, draws]
        .into_iter()
        .chain(q.iter().map(String::as_str));
    w.write_after(prefix, AREA_KEYS.len(), fields)
}

/// The year prefixes of an area's rows in a bands table (variant "monte carlo").
fn band_prefixes(scenario: &str, area: &Area, base_year: u16, n_years: usize) -> Vec<String> {
    let name = area.name.as_str();
    TableWriter::year_prefixes(
        scenario,
        "monte carlo",
        &area.code,
        name,
        base_year,
        n_years,
    )
}

/// tables/groups_bands.csv: per area, year, group and measure (gross, net) the percentiles.
pub fn write_group_bands(
    path: &std::path::Path,
    scenario: &str,
    g: &GroupRun,
    bands: &Bands,
    areas: &[Area],
) -> std::io::Result<()> {
    let mut header = vec!["group"];
    header.extend(bands_header());
    let mut w = create_keyed_csv(path, &header)?;
    let (base_year, n_years) = years_of(g);
    let mut cells = bands.cells.iter();
    let draws = bands.draws.to_string();
    for area in areas {
        let prefixes = band_prefixes(scenario, area, base_year, n_years);
        for grp in &g.catalogue.groups {
            for prefix in &prefixes {
                for measure in ["gross", "net"] {
                    let Some(q) = cells.next() else {
                        return w.flush();
                    };
                    write_band(&mut w, prefix, &grp.id, measure, &draws, q)?;
                }
            }
        }
    }
    w.flush()
}

/// tables/dwellings_bands.csv: per area, year and dwelling type the percentiles of the net
/// demand (the groups' units; the other households are not drawn).
pub fn write_dwelling_bands(
    path: &std::path::Path,
    scenario: &str,
    g: &GroupRun,
    h: &HousingRun,
    bands: &Bands,
    areas: &[Area],
) -> std::io::Result<()> {
    let mut header = vec!["dwelling_type"];
    header.extend(bands_header());
    let mut w = create_keyed_csv(path, &header)?;
    let (base_year, n_years) = years_of(g);
    // The dwelling cells follow the group cells (see DrawCells).
    let mut cells = bands
        .cells
        .iter()
        .skip(areas.len() * g.catalogue.groups.len() * n_years * 2);
    let draws = bands.draws.to_string();
    for area in areas {
        let prefixes = band_prefixes(scenario, area, base_year, n_years);
        for ty in &h.catalogue.types {
            for prefix in &prefixes {
                let Some(q) = cells.next() else {
                    return w.flush();
                };
                write_band(&mut w, prefix, &ty.id, "demand_net", &draws, q)?;
            }
        }
    }
    w.flush()
}
