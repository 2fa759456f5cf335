//! tables/supply.csv: the supply per area, year and dwelling type (and the CBS stock
//! categories), each figure with its status (waargenomen, geschat, opgegeven, ontbreekt), its
//! method and its source, and what carries it forward from the base year (trend or
//! plancapaciteit).

use std::path::Path;

use crate::housing::AreaSupply;
use crate::housing::baseline::COUNTS;
use crate::numbers::cents;
use crate::output::manifest::FileHash;
use crate::output::tables::create_csv;
use crate::scenario::area::Area;
use crate::scenario::housing::HousingRun;

/// The stock categories written for every year (the others only for the base year).
const EVERY_YEAR: [&str; 2] = ["totaal", "corporatie"];

pub fn write_supply(
    path: &Path,
    scenario: &str,
    h: &HousingRun,
    areas: &[Area],
) -> std::io::Result<FileHash> {
    let horizon = h.horizon;
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
    let mut types: Vec<&str> = COUNTS.to_vec();
    types.extend(h.catalogue.types.iter().map(|t| t.id.as_str()));
    for area in areas {
        let members = area.base_codes();
        if members.is_empty() {
            continue;
        }
        let one = members.len() == 1;
        for year in base..=horizon {
            for t in &types {
                if year > base && COUNTS.contains(t) && !EVERY_YEAR.contains(t) {
                    continue;
                }
                let value = match h.supply.area(&members, t, base, year) {
                    AreaSupply::Known(v) => cents(v),
                    AreaSupply::Missing(_) => String::new(),
                };
                let figures: Vec<_> = members
                    .iter()
                    .filter_map(|m| h.supply.stock.get(&(m.clone(), t.to_string())))
                    .collect();
                let (method, source) = if one {
                    figures
                        .first()
                        .map(|f| {
                            let method = if year > base {
                                let by = h.supply.carried_by(&members[0], t);
                                format!("{} (1-1-{base}); daarna {by}", f.method)
                            } else {
                                f.method.clone()
                            };
                            (method, f.source.clone())
                        })
                        .unwrap_or_default()
                } else {
                    let mut sources: Vec<&str> = figures
                        .iter()
                        .map(|f| f.source.as_str())
                        .filter(|s| !s.is_empty())
                        .collect();
                    sources.sort_unstable();
                    sources.dedup();
                    (
                        format!("som van de {} gemeenten (zie hun rijen)", members.len()),
                        sources.join(" | "),
                    )
                };
                let mut carried: Vec<String> =
                    members.iter().map(|m| h.supply.carried_by(m, t)).collect();
                carried.sort();
                carried.dedup();
                let carried = if year == base {
                    String::new()
                } else {
                    carried.join(" + ")
                };
                w.write_record([
                    scenario,
                    &area.code,
                    &area.name,
                    &year.to_string(),
                    t,
                    &value,
                    &h.supply.status(&members, t, base, year),
                    &method,
                    &source,
                    &carried,
                ])?;
            }
        }
    }
    w.finish()
}
