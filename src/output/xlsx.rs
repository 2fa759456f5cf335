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
        "status" => "Status",
        "carried_by" => "Daarna gedragen door",
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

/// Text columns that look like numbers but are codes (never written as numbers).
const CODE_COLUMNS: &[&str] = &["region", "member", "age", "year", "until", "seed"];

/// Data rows a worksheet holds: Excel's limit of 1,048,576 rows less the header row and one
/// spare. Longer tables are cut there; the CSV and Parquet hold everything.
pub const MAX_DATA_ROWS: usize = 1_048_574;

/// A row of text cells: a row of a [`Sheet`] or a record read straight from a CSV file.
pub trait Row {
    fn cells(&self) -> impl Iterator<Item = &str>;
}

impl Row for Vec<String> {
    fn cells(&self) -> impl Iterator<Item = &str> {
        self.iter().map(String::as_str)
    }
}

impl Row for csv::StringRecord {
    fn cells(&self) -> impl Iterator<Item = &str> {
        self.iter()
    }
}

impl<R: Row> Row for &R {
    fn cells(&self) -> impl Iterator<Item = &str> {
        (*self).cells()
    }
}

/// Why a workbook could not be written: the workbook itself, or a table read for it.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
    #[error(transparent)]
    Read(#[from] csv::Error),
}

/// A workbook written sheet by sheet, each sheet row by row (constant memory: a sheet of a
/// million rows never sits in memory, neither here nor in rust_xlsxwriter). Numbers as numbers
/// (`#,##0` or `#,##0.00`, shown as 1.234 and 1.234,56 in Dutch Excel); everything else as
/// text, exactly as in the CSV (so neutralised text stays neutralised).
pub struct WorkbookWriter {
    wb: Workbook,
    head: Format,
    int: Format,
    dec: Format,
}

impl WorkbookWriter {
    /// An empty workbook with its title and a fixed creation date (the same run gives the same
    /// bytes). Zip level 3, as Excel itself uses: about a third faster than rust_xlsxwriter's
    /// default 6 for a file a few per cent larger.
    pub fn new(title: &str) -> Result<WorkbookWriter, XlsxError> {
        let mut wb = Workbook::new();
        let props = DocProperties::new()
            .set_title(title)
            .set_author(format!("woonzorg {}", env!("CARGO_PKG_VERSION")))
            .set_creation_datetime(&ExcelDateTime::from_ymd(2024, 1, 1)?);
        wb.set_properties(&props);
        wb.set_zip_compression_level(3);
        Ok(WorkbookWriter {
            wb,
            head: Format::new().set_bold().set_background_color("DCE6F1"),
            int: Format::new().set_num_format("#,##0"),
            dec: Format::new().set_num_format("#,##0.00"),
        })
    }

    /// A sheet held in memory.
    pub fn add_sheet(&mut self, s: &Sheet) -> Result<(), WorkbookError> {
        self.add_rows(&s.name, &s.header, s.rows.iter().map(Ok))
    }

    /// A sheet from rows as they come (at most [`MAX_DATA_ROWS`]): Dutch headers, column widths
    /// from the header and the first thousand rows, a frozen header row and an autofilter.
    pub fn add_rows<R: Row>(
        &mut self,
        name: &str,
        header: &[String],
        rows: impl Iterator<Item = Result<R, csv::Error>>,
    ) -> Result<(), WorkbookError> {
        let mut rows = rows.take(MAX_DATA_ROWS);
        let first: Vec<R> = rows.by_ref().take(1000).collect::<Result<_, _>>()?;
        let ws = self.wb.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        let n_cols = header.len();
        let mut widths: Vec<usize> = header
            .iter()
            .map(|h| dutch_header(h).chars().count())
            .collect();
        for r in &first {
            for (w, v) in widths.iter_mut().zip(r.cells()) {
                *w = (*w).max(v.chars().count());
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 2.0)?;
        }
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, dutch_header(h), &self.head)?;
        }
        let is_code: Vec<bool> = header
            .iter()
            .map(|h| CODE_COLUMNS.contains(&h.as_str()))
            .collect();
        let mut n_rows = 0u32;
        for r in first.into_iter().map(Ok).chain(rows) {
            let r = r?;
            n_rows += 1;
            for (c, v) in r.cells().enumerate() {
                if v.is_empty() {
                    continue;
                }
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() && !is_code.get(c).copied().unwrap_or(false) => {
                        let f = if x.fract() == 0.0 {
                            &self.int
                        } else {
                            &self.dec
                        };
                        ws.write_number_with_format(n_rows, c as u16, x, f)?;
                    }
                    _ => {
                        // Text from a table is neutralised already (`'=…`); the workbook's own
                        // texts (summary, sources) pass through the same function here.
                        let v = if crate::source::tidy::is_formula_like(v.as_bytes()) {
                            crate::source::tidy::neutralise(v)
                        } else {
                            std::borrow::Cow::Borrowed(v)
                        };
                        ws.write_string(n_rows, c as u16, v.as_ref())?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        if n_cols > 0 {
            ws.autofilter(0, 0, n_rows, n_cols as u16 - 1)?;
        }
        Ok(())
    }

    /// Write the workbook to `path`.
    pub fn save(mut self, path: &Path) -> Result<(), XlsxError> {
        self.wb.save(path)
    }
}
