//! One formatted Excel workbook of a run (rust_xlsxwriter): a summary sheet, a sheet per table
//! with Dutch headers, number format `#.##0`, a frozen header row, an autofilter and column
//! widths, and a sheet with every source.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// The Dutch header of a tidy column name (the name itself when unknown).
pub fn dutch_header(column: &str) -> &str {
    match column {
        "scenario" => "Scenario",
        "variant" => "Variant",
        "region" => "Regiocode",
        "region_name" => "Regio",
        "region_kind" => "Soort regio",
        "year" => "Jaar (1 januari)",
        "sex" => "Geslacht",
        "age" => "Leeftijd",
        "age_band" => "Leeftijdsklasse",
        "value" => "Waarde",
        "base" => "Basisbevolking",
        "quality" => "Kwaliteit",
        "births" => "Geboorten",
        "deaths" => "Overledenen",
        "net_migration" => "Migratiesaldo",
        "group" => "Groep",
        "group_label" => "Omschrijving groep",
        "method" => "Methode",
        "unit" => "Eenheid",
        "measure" => "Maatstaf",
        "gross" => "Bruto",
        "net" => "Netto",
        "flow" => "Stroom",
        "dwelling_type" => "Woningtype",
        "persons_gross" => "Personen bruto",
        "persons_net" => "Personen netto",
        "persons_per_unit" => "Personen per woning/plaats",
        "demand_gross" => "Vraag bruto",
        "demand_net" => "Vraag netto",
        "supply" => "Aanbod",
        "gap_gross" => "Tekort bruto",
        "gap_net" => "Tekort netto",
        "extra_vs_base_net" => "Extra t.o.v. basisjaar (netto)",
        "supply_status" => "Status aanbod",
        "needed" => "Benodigde toewijzingen",
        "granted" => "Toegekende toewijzingen",
        "social_stock" => "Sociale huurvoorraad",
        "lettings" => "Toewijzingen per jaar",
        "share" => "Aandeel",
        "threshold" => "Drempel",
        "verdringing" => "Verdringing",
        "setting" => "Zorgvorm",
        "payer" => "Betaler",
        "persons" => "Personen",
        "per_person_year" => "Kosten per persoon per jaar (€)",
        "cost" => "Kosten (€)",
        "rule" => "Regel",
        "label" => "Omschrijving",
        "until" => "Tot en met",
        "met" => "Gehaald",
        "detail" => "Toelichting",
        "source" => "Bron",
        "member" => "Gemeentecode",
        "member_name" => "Gemeente",
        "key" => "Verdeelsleutel",
        "key_value" => "Sleutelwaarde",
        "whole_units" => "Hele eenheden",
        "draws" => "Trekkingen",
        "p2_5" => "P2,5",
        "p16_5" => "P16,5",
        "p50" => "P50 (mediaan)",
        "p83_5" => "P83,5",
        "p97_5" => "P97,5",
        "party" => "Partij",
        "party_kind" => "Soort partij",
        "count" => "Telling partij",
        "canonical" => "Canonieke telling",
        "difference" => "Verschil",
        "age_effect" => "Waarvan leeftijd",
        "criterion_effect" => "Waarvan criterium",
        "why" => "Waarom",
        _ => column,
    }
}

/// A sheet: its name and header + rows (text as read from the CSV; numbers are recognised).
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// A sheet from a CSV file written by the run.
    pub fn from_csv(name: &str, path: &Path) -> std::io::Result<Sheet> {
        let mut r = csv::Reader::from_path(path).map_err(std::io::Error::other)?;
        let header = r
            .headers()
            .map_err(std::io::Error::other)?
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .map(|rec| rec.map(|r| r.iter().map(str::to_string).collect()))
            .collect::<Result<_, _>>()
            .map_err(std::io::Error::other)?;
        Ok(Sheet {
            name: name.to_string(),
            header,
            rows,
        })
    }
}

/// Text columns that look like numbers but are codes (never written as numbers).
const CODE_COLUMNS: &[&str] = &["region", "member", "age", "year", "until", "seed"];

/// Write the workbook. Numbers as numbers (`#,##0` or `#,##0.00`, shown as 1.234 and 1.234,56
/// in Dutch Excel); everything else as text, exactly as in the CSV (so neutralised text stays
/// neutralised).
pub fn write_workbook(path: &Path, title: &str, sheets: &[Sheet]) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation date: the same run gives the same bytes.
    let props = DocProperties::new()
        .set_title(title)
        .set_author(format!("woonzorg {}", env!("CARGO_PKG_VERSION")))
        .set_creation_datetime(&ExcelDateTime::from_ymd(2024, 1, 1)?);
    wb.set_properties(&props);
    let head = Format::new().set_bold().set_background_color("DCE6F1");
    let int = Format::new().set_num_format("#,##0");
    let dec = Format::new().set_num_format("#,##0.00");
    for s in sheets {
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(&s.name)?;
        let n_cols = s.header.len();
        // Widths from the header and the first thousand rows.
        for c in 0..n_cols {
            let w = std::iter::once(dutch_header(&s.header[c]).chars().count())
                .chain(
                    s.rows
                        .iter()
                        .take(1000)
                        .filter_map(|r| r.get(c))
                        .map(|v| v.chars().count()),
                )
                .max()
                .unwrap_or(8)
                .clamp(6, 60);
            ws.set_column_width(c as u16, w as f64 + 2.0)?;
        }
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, dutch_header(h), &head)?;
        }
        let is_code: Vec<bool> = s
            .header
            .iter()
            .map(|h| CODE_COLUMNS.contains(&h.as_str()))
            .collect();
        for (i, r) in s.rows.iter().enumerate() {
            let row = i as u32 + 1;
            for (c, v) in r.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() && !is_code.get(c).copied().unwrap_or(false) => {
                        let f = if x.fract() == 0.0 { &int } else { &dec };
                        ws.write_number_with_format(row, c as u16, x, f)?;
                    }
                    _ => {
                        ws.write_string(row, c as u16, v)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        if n_cols > 0 {
            ws.autofilter(0, 0, s.rows.len() as u32, n_cols as u16 - 1)?;
        }
    }
    wb.save(path)
}
