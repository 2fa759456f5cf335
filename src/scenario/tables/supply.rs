//! tables/supply.csv: the supply per area, year and dwelling type (and the CBS stock
//! categories), each figure with its status (waargenomen, geschat, opgegeven, ontbreekt), its
//! method and its source, and what carries it forward from the base year (trend or
//! plancapaciteit).

use std::path::Path;

use crate::housing::baseline::COUNTS;
use crate::numbers::cents;
use crate::output::manifest::FileHash;
use crate::output::tables::create_csv;
use crate::scenario::area::Area;
use crate::scenario::housing::HousingRun;

/// The stock categories written for every year (the others only for the base year).
const EVERY_YEAR: [&str; 2] = ["totaal", "corporatie"];

/// What the rows of one area and type say, worked out once for all years.
struct TypeRows {
    t: String,
    /// The value and status per year from the base year (the value empty when a member's
    /// figure is missing).
    values: Vec<String>,
    status: Vec<String>,
    /// Base year, later years (status changes only where plans change the figure).
    method: [String; 2],
    source: [String; 2],
    carried_by: String,
}

fn type_rows(h: &HousingRun, members: &[String], t: &str, years: u16) -> TypeRows {
    let (s, base) = (&h.supply, h.base_year);
    let figures: Vec<_> = members
        .iter()
        .filter_map(|m| s.stock.get(&(m.clone(), t.to_string())))
        .collect();
    let series = s.series(members, t, base, years);
    let values = match &series.values {
        Some(v) => v.iter().map(|v| cents(*v)).collect(),
        None => vec![String::new(); usize::from(years) + 1],
    };
    let mut carried: Vec<String> = members.iter().map(|m| s.carried_by(m, t)).collect();
    carried.sort();
    carried.dedup();
    let carried_by = carried.join(" + ");
    let (method, source) = match figures.as_slice() {
        [f] if members.len() == 1 => {
            // Later years: the base year's figure (its row says how it was obtained) and
            // what carried it.
            let m = &members[0];
            let extra = if s.has_plans(m) {
                "; housing.pipeline"
            } else if carried_by.starts_with("trend") {
                "; CBS 82900NED (trend)"
            } else {
                ""
            };
            (
                [
                    f.method.clone(),
                    format!(
                        "stand 1-1-{base} ({}), daarna {carried_by}",
                        f.status.label()
                    ),
                ],
                [f.source.clone(), format!("{}{extra}", f.source)],
            )
        }
        _ => {
            let mut sources: Vec<&str> = figures
                .iter()
                .map(|f| f.source.as_str())
                .filter(|s| !s.is_empty())
                .collect();
            sources.sort_unstable();
            sources.dedup();
            let method = format!("som van de {} gemeenten (zie hun rijen)", members.len());
            let source = sources.join(" | ");
            ([method.clone(), method], [source.clone(), source])
        }
    };
    TypeRows {
        t: t.to_string(),
        values,
        status: series.status,
        method,
        source,
        carried_by,
    }
}

pub fn write_supply(
    path: &Path,
    scenario: &str,
    h: &HousingRun,
    areas: &[Area],
) -> std::io::Result<FileHash> {
    let mut w = create_csv(
        path,
        &[
            "scenario",
            "region",
            "region_name",
            "year",
            "dwelling_type",
            "value",
            "status",
            "method",
            "source",
            "carried_by",
        ],
    )?;
    let base = h.base_year;
    let years = h.horizon.saturating_sub(base);
    let mut types: Vec<&str> = COUNTS.to_vec();
    types.extend(h.catalogue.types.iter().map(|t| t.id.as_str()));
    for area in areas {
        let members = area.base_codes();
        if members.is_empty() {
            continue;
        }
        let rows: Vec<TypeRows> = types
            .iter()
            .map(|t| type_rows(h, &members, t, years))
            .collect();
        for k in 0..=years {
            let year = base + k;
            let later = usize::from(k > 0);
            for r in &rows {
                if k > 0 && COUNTS.contains(&r.t.as_str()) && !EVERY_YEAR.contains(&r.t.as_str()) {
                    continue;
                }
                w.write_record([
                    scenario,
                    &area.code,
                    &area.name,
                    &year.to_string(),
                    &r.t,
                    &r.values[usize::from(k)],
                    &r.status[usize::from(k)],
                    &r.method[later],
                    &r.source[later],
                    if k > 0 { &r.carried_by } else { "" },
                ])?;
            }
        }
    }
    w.finish()
}
