//! Tidy tables to disk: CSV (RFC 4180, UTF-8) and Parquet (through polars).

use std::io::Write;

use polars::prelude::*;

use crate::source::codes::Cell;
use crate::source::tidy::{TIDY_COLUMNS, TidyTable, status_text};

/// A tidy table as a polars DataFrame (value as Float64, text values in `value_text`).
pub fn tidy_to_dataframe(tables: &[&TidyTable]) -> PolarsResult<DataFrame> {
    let n: usize = tables.iter().map(|t| t.rows.len()).sum();
    let mut cols: Vec<Vec<String>> = (0..9).map(|_| Vec::with_capacity(n)).collect();
    let mut value: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut value_text: Vec<Option<String>> = Vec::with_capacity(n);
    let mut status: Vec<String> = Vec::with_capacity(n);
    for t in tables {
        for r in &t.rows {
            for (i, s) in [
                &t.table_id,
                &r.region,
                &r.region_name,
                &r.period,
                &r.sex,
                &r.age,
                &r.category,
                &r.measure,
                &r.unit,
            ]
            .into_iter()
            .enumerate()
            {
                cols[i].push(s.clone());
            }
            match &r.value {
                Cell::Number(v) => {
                    value.push(Some(*v));
                    value_text.push(None);
                }
                Cell::Text(s) => {
                    value.push(None);
                    value_text.push(Some(s.clone()));
                }
                Cell::Missing(_) => {
                    value.push(None);
                    value_text.push(None);
                }
            }
            status.push(status_text(r).to_string());
        }
    }
    let mut columns: Vec<Column> = cols
        .into_iter()
        .zip(TIDY_COLUMNS)
        .map(|(v, name)| Column::new(name.into(), v))
        .collect();
    columns.push(Column::new("value".into(), value));
    columns.push(Column::new("value_text".into(), value_text));
    columns.push(Column::new("status".into(), status));
    DataFrame::new(n, columns)
}

/// Write tidy tables as Parquet.
pub fn write_tidy_parquet<W: Write>(out: W, tables: &[&TidyTable]) -> PolarsResult<()> {
    let mut df = tidy_to_dataframe(tables)?;
    ParquetWriter::new(out).finish(&mut df)?;
    Ok(())
}

/// A plain table writer: header + rows of strings, text cells neutralised.
pub fn write_rows<W: Write>(out: W, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header)?;
    for r in rows {
        w.write_record(
            r.iter()
                .map(|s| crate::source::tidy::neutralise(s).into_owned()),
        )?;
    }
    w.flush()
}

/// A CSV file with its header written: the writer the tidy output tables use.
pub fn create_csv(
    path: &std::path::Path,
    header: &[&str],
) -> std::io::Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
    let f = std::fs::File::create(path)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(f));
    w.write_record(header)?;
    Ok(w)
}

/// The key columns every scenario output table starts with.
pub const AREA_KEYS: [&str; 5] = ["scenario", "variant", "region", "region_name", "year"];

/// A scenario output table: [`AREA_KEYS`], then `rest`.
pub fn create_keyed_csv(
    path: &std::path::Path,
    rest: &[&str],
) -> std::io::Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
    let header: Vec<&str> = AREA_KEYS.iter().chain(rest).copied().collect();
    create_csv(path, &header)
}

/// Write a CSV table of a run as Parquet: columns whose every non-empty cell is a number become
/// Float64 (empty = null), the others (and code columns such as region and year) stay text.
pub fn csv_to_parquet(
    csv_path: &std::path::Path,
    parquet_path: &std::path::Path,
) -> PolarsResult<()> {
    let io = |e: csv::Error| PolarsError::ComputeError(e.to_string().into());
    let mut r = csv::Reader::from_path(csv_path).map_err(io)?;
    let header: Vec<String> = r
        .headers()
        .map_err(io)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for rec in r.records() {
        let rec = rec.map_err(io)?;
        for (c, v) in rec.iter().enumerate().take(header.len()) {
            cols[c].push(v.to_string());
        }
    }
    let n = cols.first().map(Vec::len).unwrap_or(0);
    let codes = ["region", "member", "age", "year", "until"];
    let columns: Vec<Column> = header
        .iter()
        .zip(cols)
        .map(|(name, v)| {
            let numeric = !codes.contains(&name.as_str())
                && v.iter().any(|s| !s.is_empty())
                && v.iter().all(|s| s.is_empty() || s.parse::<f64>().is_ok());
            if numeric {
                let x: Vec<Option<f64>> = v.iter().map(|s| s.parse().ok()).collect();
                Column::new(name.as_str().into(), x)
            } else {
                Column::new(name.as_str().into(), v)
            }
        })
        .collect();
    let mut df = DataFrame::new(n, columns)?;
    let f = std::fs::File::create(parquet_path)?;
    ParquetWriter::new(f).finish(&mut df)?;
    Ok(())
}

/// Rewrite a CSV table in the Dutch Excel dialect: `;` between fields, decimal comma in numbers.
pub fn csv_to_dutch_dialect(path: &std::path::Path) -> std::io::Result<()> {
    let mut r = csv::Reader::from_path(path).map_err(std::io::Error::other)?;
    let header: Vec<String> = r
        .headers()
        .map_err(std::io::Error::other)?
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.map(|r| r.iter().map(str::to_string).collect()))
        .collect::<Result<_, _>>()
        .map_err(std::io::Error::other)?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .map_err(std::io::Error::other)?;
    w.write_record(&header)?;
    for row in rows {
        w.write_record(row.iter().map(|v| {
            if v.parse::<f64>().is_ok() && v.contains('.') {
                v.replace('.', ",")
            } else {
                v.clone()
            }
        }))?;
    }
    w.flush()
}
