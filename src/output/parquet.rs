//! Parquet copies of tidy tables and run tables (through polars). Behind the default feature
//! `parquet`: a build without it (the fuzz targets) leaves polars out and refuses Parquet output.

/// The type of a run table's column in its Parquet copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Int32: a year or another whole number.
    Integer,
    /// Float64: a count, amount, share or rate (empty = null).
    Float,
    /// Int32 age 0–105, where 105 is the open group "105 and older" (`105+` in the CSV) and
    /// null the total over all ages (`totaal`); beside it a Boolean `<column>_open` that is
    /// true for the open group.
    Age,
    /// String: codes, names, labels, statuses.
    Text,
}

/// The columns of the run tables that are not text, with their type; every other column is
/// [`ColumnType::Text`]. Declared once: the Parquet copies, the README's schema and the test
/// that reads every copy back follow it.
pub const TYPED_COLUMNS: &[(&str, ColumnType)] = &[
    ("year", ColumnType::Integer),
    ("until", ColumnType::Integer),
    ("draws", ColumnType::Integer),
    ("whole_units", ColumnType::Integer),
    ("age", ColumnType::Age),
    ("value", ColumnType::Float),
    ("births", ColumnType::Float),
    ("deaths", ColumnType::Float),
    ("net_migration", ColumnType::Float),
    ("gross", ColumnType::Float),
    ("net", ColumnType::Float),
    ("persons", ColumnType::Float),
    ("per_person_year", ColumnType::Float),
    ("cost", ColumnType::Float),
    ("persons_gross", ColumnType::Float),
    ("persons_net", ColumnType::Float),
    ("persons_per_unit", ColumnType::Float),
    ("demand_gross", ColumnType::Float),
    ("demand_net", ColumnType::Float),
    ("supply", ColumnType::Float),
    ("gap_gross", ColumnType::Float),
    ("gap_net", ColumnType::Float),
    ("extra_vs_base_net", ColumnType::Float),
    ("needed", ColumnType::Float),
    ("granted", ColumnType::Float),
    ("social_stock", ColumnType::Float),
    ("lettings", ColumnType::Float),
    ("share", ColumnType::Float),
    ("threshold", ColumnType::Float),
    ("key_value", ColumnType::Float),
    ("map_value", ColumnType::Float),
    ("p2_5", ColumnType::Float),
    ("p16_5", ColumnType::Float),
    ("p50", ColumnType::Float),
    ("p83_5", ColumnType::Float),
    ("p97_5", ColumnType::Float),
];

/// The Parquet type of a run table's column (see [`TYPED_COLUMNS`]).
pub fn column_type(name: &str) -> ColumnType {
    TYPED_COLUMNS
        .iter()
        .find(|(c, _)| *c == name)
        .map_or(ColumnType::Text, |(_, t)| *t)
}

/// An age cell of a run table: `Some((age, open))` for `0`–`104` and `105+` (105, open), `(None,
/// false)` for `totaal`; `None` for anything else.
pub fn parse_age(cell: &str) -> Option<(Option<i32>, bool)> {
    match cell {
        "totaal" => Some((None, false)),
        "105+" => Some((Some(105), true)),
        v => v
            .parse::<i32>()
            .ok()
            .filter(|a| (0..105).contains(a))
            .map(|a| (Some(a), false)),
    }
}

#[cfg(feature = "parquet")]
pub use with_polars::*;

#[cfg(feature = "parquet")]
mod with_polars {
    use std::io::Write;

    use polars::prelude::*;

    use super::{ColumnType, column_type, parse_age};
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

    /// Write a CSV table of a run as Parquet, each column typed as [`column_type`] declares:
    /// years and other whole numbers as Int32, ages as Int32 with the open age group in a
    /// Boolean column `age_open` beside it, counts and amounts as Float64 (an empty cell is
    /// null), codes and labels as String. A cell that does not fit its column's type is an
    /// error naming the column and the row, never a silent null.
    /// Two passes over the file: the first counts the rows, the second fills one column
    /// builder each, so no cell is ever held as a `String` of its own (the population table of
    /// all 342 gemeenten has 3.7 million rows).
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
        let mut rec = csv::ByteRecord::new();
        let mut n = 0usize;
        while r.read_byte_record(&mut rec).map_err(io)? {
            n += 1;
        }
        enum Builder {
            Integer(PrimitiveChunkedBuilder<Int32Type>),
            Float(PrimitiveChunkedBuilder<Float64Type>),
            Age(PrimitiveChunkedBuilder<Int32Type>, BooleanChunkedBuilder),
            Text(StringChunkedBuilder),
        }
        let mut builders: Vec<Builder> = header
            .iter()
            .map(|name| {
                let name = name.as_str();
                match column_type(name) {
                    ColumnType::Integer => {
                        Builder::Integer(PrimitiveChunkedBuilder::new(name.into(), n))
                    }
                    ColumnType::Float => {
                        Builder::Float(PrimitiveChunkedBuilder::new(name.into(), n))
                    }
                    ColumnType::Age => Builder::Age(
                        PrimitiveChunkedBuilder::new(name.into(), n),
                        BooleanChunkedBuilder::new(format!("{name}_open").into(), n),
                    ),
                    ColumnType::Text => Builder::Text(StringChunkedBuilder::new(name.into(), n)),
                }
            })
            .collect();
        let bad = |row: usize, col: usize, v: &str, what: &str| {
            PolarsError::ComputeError(
                format!(
                    "{}: row {}, column {}: {v:?} is not {what}",
                    csv_path.display(),
                    row + 2,
                    header[col]
                )
                .into(),
            )
        };
        let mut r = csv::Reader::from_path(csv_path).map_err(io)?;
        let mut rec = csv::StringRecord::new();
        let mut row = 0usize;
        while r.read_record(&mut rec).map_err(io)? {
            for (c, (b, v)) in builders.iter_mut().zip(rec.iter()).enumerate() {
                match b {
                    Builder::Integer(b) => match v {
                        "" => b.append_null(),
                        v => {
                            b.append_value(v.parse().map_err(|_| bad(row, c, v, "a whole number"))?)
                        }
                    },
                    Builder::Float(b) => match v {
                        "" => b.append_null(),
                        v => b.append_value(v.parse().map_err(|_| bad(row, c, v, "a number"))?),
                    },
                    Builder::Age(age, open) => {
                        let (a, o) = parse_age(v).ok_or_else(|| bad(row, c, v, "an age"))?;
                        age.append_option(a);
                        open.append_value(o);
                    }
                    Builder::Text(b) => b.append_value(v),
                }
            }
            row += 1;
        }
        let mut columns: Vec<Column> = Vec::with_capacity(builders.len() + 1);
        for b in builders {
            match b {
                Builder::Integer(b) => columns.push(b.finish().into_column()),
                Builder::Float(b) => columns.push(b.finish().into_column()),
                Builder::Age(age, open) => {
                    columns.push(age.finish().into_column());
                    columns.push(open.finish().into_column());
                }
                Builder::Text(b) => columns.push(b.finish().into_column()),
            }
        }
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
