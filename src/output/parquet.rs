//! Parquet copies of tidy tables and run tables (through polars). Behind the default feature
//! `parquet`: a build without it (the fuzz targets) leaves polars out and refuses Parquet output.

#[cfg(feature = "parquet")]
pub use with_polars::*;

#[cfg(feature = "parquet")]
mod with_polars {
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
}

#[cfg(not(feature = "parquet"))]
pub use without_polars::*;

#[cfg(not(feature = "parquet"))]
mod without_polars {
    use std::io::Write;

    use crate::source::tidy::TidyTable;

    fn unsupported() -> std::io::Error {
        std::io::Error::other("this build of woonzorg has no Parquet support (feature `parquet`)")
    }

    /// Without the `parquet` feature: an error.
    pub fn write_tidy_parquet<W: Write>(_out: W, _tables: &[&TidyTable]) -> std::io::Result<()> {
        Err(unsupported())
    }

    /// Without the `parquet` feature: an error.
    pub fn csv_to_parquet(
        _csv_path: &std::path::Path,
        _parquet_path: &std::path::Path,
    ) -> std::io::Result<()> {
        Err(unsupported())
    }
}
