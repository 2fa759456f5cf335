//! The Excel workbook of a run: the summary sheets, a sheet per table streamed from its CSV, the
//! sources. A run of many gemeenten gets a compact workbook: its regions (the report regions,
//! the annex regions, the selection) in detail and one row per gemeente × group × key year,
//! while the CSV and Parquet copies keep every row. Nobody reads 4.5 million rows in Excel, and
//! writing them took 16–23 s of a national run.

use std::collections::HashSet;
use std::path::Path;

use crate::output::tables::filter_records;
use crate::output::xlsx::{Sheet, WorkbookError, WorkbookWriter};

/// The most gemeenten a run may have for its workbook to hold every gemeente's rows; a run with
/// more (a provincie, Nederland) holds its regions in detail and the gemeenten in summary.
pub const DETAILED_GEMEENTEN: usize = 25;

/// What the workbook is made of.
pub struct WorkbookParts<'a> {
    /// The staged run folder with `tables/`.
    pub dir: &'a Path,
    /// The workbook's title (document properties).
    pub title: &'a str,
    /// The run tables: (file stem, sheet name, description).
    pub tables: &'a [(&'a str, &'a str, &'a str)],
    /// The summary sheets, first in the workbook.
    pub summaries: Vec<Sheet>,
    /// The sources sheet, last.
    pub sources: Sheet,
    /// The region codes whose rows the tables' sheets hold; `None`: every row.
    pub detail: Option<&'a [String]>,
    /// The variant and the key years (base, middle, horizon) of the gemeente summary.
    pub variant: &'a str,
    pub key_years: [u16; 3],
}

/// Write the workbook to `path`.
pub fn write_workbook(parts: WorkbookParts<'_>, path: &Path) -> Result<(), WorkbookError> {
    let mut wb = WorkbookWriter::new(parts.title)?;
    for s in &parts.summaries {
        wb.add_sheet(s)?;
    }
    if let Some(detail) = parts.detail {
        wb.add_sheet(&about_compact(detail, parts.key_years))?;
        wb.add_sheet(&gemeente_summary(
            parts.dir,
            parts.variant,
            parts.key_years,
        )?)?;
    }
    let keep: Option<HashSet<&str>> = parts.detail.map(|d| d.iter().map(String::as_str).collect());
    for (t, name, _) in parts.tables {
        let p = parts.dir.join("tables").join(format!("{t}.csv"));
        if !p.is_file() {
            continue;
        }
        let mut r = csv::Reader::from_path(&p)?;
        let header: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
        let region = header.iter().position(|h| h == "region");
        let rows: RecordStream = match (&keep, region) {
            (Some(keep), Some(i)) => {
                let rows = filter_records(&p, i, |f| keep.contains(f))?;
                Box::new(rows.into_iter().map(Ok))
            }
            _ => Box::new(r.into_records()),
        };
        if *t == "population" {
            let (header, rows) = five_year_bands(header, rows);
            wb.add_rows(name, &header, rows)?;
        } else {
            wb.add_rows(name, &header, rows)?;
        }
    }
    wb.add_sheet(&parts.sources)?;
    wb.save(path)?;
    Ok(())
}

/// The sheet that says what a compact workbook holds and where the rest is.
fn about_compact(detail: &[String], [base, mid, horizon]: [u16; 3]) -> Sheet {
    let text = [
        format!(
            "Deze run telt meer dan {DETAILED_GEMEENTEN} gemeenten. De tabelbladen bevatten de regio's van de run in detail: {}.",
            detail.join(", ")
        ),
        format!(
            "Per gemeente staat op het blad 'Gemeenten' één rij per groep en sleuteljaar ({base}, {mid}, {horizon}): bruto en netto personen."
        ),
        "Alle rijen van elke gemeente (elk jaar, elke leeftijd, elk woningtype) staan in tables/*.csv en tables/*.parquet.".to_string(),
    ];
    Sheet {
        name: "Over deze werkmap".into(),
        header: vec!["detail".into()],
        rows: text.into_iter().map(|t| vec![t]).collect(),
    }
}

/// One row per gemeente × group × key year of the first variant: gross and net persons (from
/// tables/groups.csv, read as it streams past).
fn gemeente_summary(dir: &Path, variant: &str, years: [u16; 3]) -> Result<Sheet, csv::Error> {
    let columns = [
        "region",
        "region_name",
        "group",
        "group_label",
        "year",
        "gross",
        "net",
    ];
    let mut rows = Vec::new();
    let p = dir.join("tables").join("groups.csv");
    if p.is_file() {
        let header = csv::Reader::from_path(&p)?.headers()?.clone();
        let at = |n: &str| header.iter().position(|h| h == n);
        let idx: Vec<Option<usize>> = columns.iter().map(|c| at(c)).collect();
        let (vi, ri, yi) = (at("variant"), at("region"), at("year"));
        let years: Vec<String> = years.iter().map(u16::to_string).collect();
        // The key years pick the lines to parse (3 of 17).
        let kept = match yi {
            Some(yi) => filter_records(&p, yi, |y| years.iter().any(|k| k == y))?,
            None => Vec::new(),
        };
        for rec in kept {
            let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or_default();
            if get(vi) == variant && get(ri).starts_with("GM") {
                rows.push(idx.iter().map(|i| get(*i).to_string()).collect());
            }
        }
    }
    Ok(Sheet {
        name: "Gemeenten".into(),
        header: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    })
}

type RowStream = Box<dyn Iterator<Item = Result<Vec<String>, csv::Error>>>;
type RecordStream = Box<dyn Iterator<Item = Result<csv::StringRecord, csv::Error>>>;

/// The population sheet of the workbook by 5-year age band (0-4 … 95+): a fifth of the rows;
/// the single years stay in the CSV and Parquet. The rows of a band follow each other in
/// population.csv (age is its innermost column), so a band's row is complete when the next
/// band starts and the rows stream through without being kept.
fn five_year_bands(mut header: Vec<String>, mut records: RecordStream) -> (Vec<String>, RowStream) {
    let (Some(ai), Some(vi)) = (
        header.iter().position(|h| h == "age"),
        header.iter().position(|h| h == "value"),
    ) else {
        return (
            header,
            Box::new(records.map(|rec| rec.map(|rec| rec.iter().map(str::to_string).collect()))),
        );
    };
    header[ai] = "age_band".into();
    let band = |age: &str| -> String {
        let age: usize = age.trim_end_matches('+').parse().unwrap_or(0);
        if age >= 95 {
            "95+".to_string()
        } else {
            format!("{}-{}", age / 5 * 5, age / 5 * 5 + 4)
        }
    };
    // The band being summed: its key (the row with the band for the age and no value) and sum.
    let mut current: Option<(Vec<String>, f64)> = None;
    let finished = move |(mut key, sum): (Vec<String>, f64)| {
        key[vi] = format!("{sum:.2}");
        key
    };
    let rows = std::iter::from_fn(move || {
        loop {
            let rec = match records.next() {
                Some(Err(e)) => return Some(Err(e)),
                None => return current.take().map(finished).map(Ok),
                Some(Ok(rec)) => rec,
            };
            let b = band(rec.get(ai).unwrap_or_default());
            let same =
                current.as_ref().is_some_and(|(key, _)| {
                    key.len() == rec.len()
                        && key.iter().zip(rec.iter()).enumerate().all(|(i, (k, v))| {
                            i == vi || (i == ai && *k == b) || (i != ai && k == v)
                        })
                });
            let v: f64 = rec.get(vi).unwrap_or_default().parse().unwrap_or(0.0);
            if same {
                if let Some((_, sum)) = current.as_mut() {
                    *sum += v;
                }
                continue;
            }
            let mut key: Vec<String> = rec.iter().map(str::to_string).collect();
            key[ai] = b;
            key[vi] = String::new();
            if let Some(done) = current.replace((key, v)) {
                return Some(Ok(finished(done)));
            }
        }
    });
    (header, Box::new(rows))
}
