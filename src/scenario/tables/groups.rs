//! tables/groups.csv and tables/group_flows.csv: per area, variant, year and group the gross
//! and net counts, and the flows of the stock-flow and taakstelling groups.

use std::path::Path;

use crate::groups::GroupCounts;
use crate::groups::demand::AreaGroups;
use crate::output::manifest::FileHash;
use crate::output::tables::{AREA_KEYS, Cell, TableWriter, write_ordered};
use crate::scenario::area::Area;
use crate::scenario::groups::GroupRun;

/// tables/groups.csv (scenario, variant, region, region_name, year, group, group_label, method,
/// unit, measure, gross, net) and tables/group_flows.csv (instroom, uitstroom and waiting of
/// stock-flow groups, task, backlog and housed of the taakstelling, the range of given paths),
/// in one pass: the gross and net of an area are computed once for both.
pub fn write_group_tables(
    groups_path: &Path,
    flows_path: &Path,
    scenario: &str,
    g: &GroupRun,
    areas: &[Area],
) -> std::io::Result<Vec<FileHash>> {
    let w = crate::output::tables::create_keyed_csv(
        groups_path,
        &[
            "group",
            "group_label",
            "method",
            "unit",
            "measure",
            "gross",
            "net",
        ],
    )?;
    let wf = crate::output::tables::create_keyed_csv(flows_path, &["group", "flow", "value"])?;
    let labels: Vec<String> = g
        .catalogue
        .groups
        .iter()
        .map(|grp| grp.label.clone())
        .collect();
    let mut writers = [w, wf];
    write_area_parts(
        g,
        areas,
        &mut writers,
        |variant, area, base_year, a, parts| {
            let [w, wf] = parts else { return Ok(()) };
            let n_years = a.gross.first().map(Vec::len).unwrap_or(0);
            // The key columns of each year, encoded once for the area.
            let prefixes = TableWriter::year_prefixes(
                scenario, variant, &area.code, &area.name, base_year, n_years,
            );
            for (gi, grp) in g.catalogue.groups.iter().enumerate() {
                for (t, (gross, net)) in a.gross[gi].iter().zip(&a.net[gi]).enumerate() {
                    w.write_cells(
                        &[&prefixes[t]],
                        AREA_KEYS.len(),
                        &[
                            Cell::Text(&grp.id),
                            Cell::Text(&labels[gi]),
                            Cell::Text(grp.method.label()),
                            Cell::Text(&grp.unit),
                            Cell::Text(grp.measure()),
                            Cell::Cents(*gross),
                            Cell::Cents(*net),
                        ],
                    )?;
                }
                for (flow, vals) in &a.flows[gi] {
                    for (t, v) in vals.iter().enumerate() {
                        wf.write_cells(
                            &[&prefixes[t]],
                            AREA_KEYS.len(),
                            &[Cell::Text(&grp.id), Cell::Text(flow), Cell::Cents(*v)],
                        )?;
                    }
                }
            }
            Ok(())
        },
    )?;
    writers.into_iter().map(TableWriter::finish).collect()
}

/// Rows of every variant and area into `writers`, made in parallel and written in order
/// ([`write_ordered`]): `rows(variant, area, base year, gross/net/flows of the area, parts)`.
fn write_area_parts(
    g: &GroupRun,
    areas: &[Area],
    writers: &mut [TableWriter],
    rows: impl Fn(&str, &Area, u16, &AreaGroups, &mut [TableWriter]) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    let items: Vec<(&str, &GroupCounts, &Area)> = g
        .counts
        .iter()
        .flat_map(|(variant, counts)| areas.iter().map(move |a| (variant.as_str(), counts, a)))
        .collect();
    write_ordered(writers, &items, |(variant, counts, area), parts| {
        let a = counts
            .area(&area.base_codes())
            .map_err(std::io::Error::other)?;
        rows(variant, area, counts.base_year, &a, parts)
    })
}
