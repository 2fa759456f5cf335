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
    /// Two passes over the file: the first finds the number columns, the second fills one
    /// column builder each, so no cell is ever held as a `String` of its own (the population
    /// table of all 342 gemeenten has 3.7 million rows).
    pub fn csv_to_parquet(
        csv_path: &std::path::Path,
        parquet_path: &std::path::Path,
    ) -> PolarsResult<()> {
        let io = |e: csv::Error| PolarsError::ComputeError(e.to_string().into());
        let codes = ["region", "member", "age", "year", "until"];
        let mut r = csv::Reader::from_path(csv_path).map_err(io)?;
        let header: Vec<String> = r
            .headers()
            .map_err(io)?
            .iter()
            .map(str::to_string)
            .collect();
        // Pass 1: which columns hold numbers only (and at least one).
        let mut numeric: Vec<bool> = header
            .iter()
            .map(|h| !codes.contains(&h.as_str()))
            .collect();
        let mut filled = vec![false; header.len()];
        let mut rec = csv::StringRecord::new();
        let mut n = 0usize;
        while r.read_record(&mut rec).map_err(io)? {
            n += 1;
            for (c, v) in rec.iter().enumerate().take(header.len()) {
                if !v.is_empty() {
                    filled[c] = true;
                    numeric[c] = numeric[c] && v.parse::<f64>().is_ok();
                }
            }
        }
        for (num, filled) in numeric.iter_mut().zip(&filled) {
            *num = *num && *filled;
        }
        // Pass 2: one builder per column.
        enum Builder {
            Number(PrimitiveChunkedBuilder<Float64Type>),
            Text(StringChunkedBuilder),
        }
        let mut builders: Vec<Builder> = header
            .iter()
            .zip(&numeric)
            .map(|(name, num)| {
                if *num {
                    Builder::Number(PrimitiveChunkedBuilder::new(name.as_str().into(), n))
                } else {
                    Builder::Text(StringChunkedBuilder::new(name.as_str().into(), n))
                }
            })
            .collect();
        let mut r = csv::Reader::from_path(csv_path).map_err(io)?;
        while r.read_record(&mut rec).map_err(io)? {
            for (b, v) in builders.iter_mut().zip(rec.iter()) {
                match b {
                    Builder::Number(b) => b.append_option(v.parse().ok()),
                    Builder::Text(b) => b.append_value(v),
                }
            }
        }
        let columns: Vec<Column> = builders
            .into_iter()
            .map(|b| match b {
                Builder::Number(b) => b.finish().into_column(),
                Builder::Text(b) => b.finish().into_column(),
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
