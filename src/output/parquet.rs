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

/// A cell of a run table by what it is (see [`Run`]).
pub enum Typed<'a> {
    Text(&'a str),
    Integer(i32),
    Float(f64),
}

/// The cells of a run of rows added to a Parquet copy at once (`TypedColumns::push_run`).
pub enum Run<'a> {
    /// The same cell in every row.
    Same(Typed<'a>),
    /// Ages counting up from `first`; `open` is the open age group.
    Ages { first: i32, open: i32 },
    /// One number per row.
    Numbers(&'a [f64]),
}

#[cfg(feature = "parquet")]
pub use with_polars::*;

#[cfg(feature = "parquet")]
mod with_polars {
    use std::io::Write;

    use polars::prelude::*;
    use polars_arrow::array::{
        BooleanArray, MutableBinaryViewArray, MutableBooleanArray, MutablePrimitiveArray,
        PrimitiveArray,
    };
    use polars_io::parquet::write::BatchedWriter;

    use super::{ColumnType, Run, Typed, column_type, parse_age};
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

    /// A column being filled: polars-arrow's mutable arrays (optimised code; polars-core's
    /// builders, built at opt-level 0 to keep the release build short, took 3 s for the 3.7
    /// million rows of a national population table).
    enum Builder {
        Integer(MutablePrimitiveArray<i32>),
        Float(MutablePrimitiveArray<f64>),
        Age(MutablePrimitiveArray<i32>, MutableBooleanArray),
        Text(MutableBinaryViewArray<str>),
    }

    /// Rows per Parquet row group (polars' own default): the columns are written out each time
    /// they hold this many, so a table of millions of rows never sits whole in memory.
    const ROW_GROUP: usize = 512 * 512;

    /// A run table's Parquet copy, written as it is filled row by row, cell by cell, each column
    /// typed as [`column_type`] declares it, one row group at a time.
    pub struct TypedColumns {
        names: Vec<String>,
        builders: Vec<Builder>,
        /// Rows in the builders, not yet written.
        rows: usize,
        path: std::path::PathBuf,
        writer: Option<BatchedWriter<std::fs::File>>,
    }

    fn builders(names: &[String]) -> Vec<Builder> {
        let n = ROW_GROUP;
        names
            .iter()
            .map(|name| match column_type(name) {
                ColumnType::Integer => Builder::Integer(MutablePrimitiveArray::with_capacity(n)),
                ColumnType::Float => Builder::Float(MutablePrimitiveArray::with_capacity(n)),
                ColumnType::Age => Builder::Age(
                    MutablePrimitiveArray::with_capacity(n),
                    MutableBooleanArray::with_capacity(n),
                ),
                ColumnType::Text => Builder::Text(MutableBinaryViewArray::with_capacity(n)),
            })
            .collect()
    }

    impl TypedColumns {
        /// The Parquet copy at `path` of a table with these columns (the file is made at the
        /// first row group or at [`TypedColumns::finish`]).
        pub fn create(path: &std::path::Path, header: &[&str]) -> TypedColumns {
            let names: Vec<String> = header.iter().map(|h| h.to_string()).collect();
            TypedColumns {
                builders: builders(&names),
                names,
                rows: 0,
                path: path.to_path_buf(),
                writer: None,
            }
        }

        /// Add cell `col` of the current row as the CSV writes it (empty = null); what the
        /// cell should have been (`a whole number`, `a number`, `an age`, `UTF-8 text`) when it
        /// does not fit its column.
        #[inline]
        pub fn push_text(&mut self, col: usize, v: &[u8]) -> Result<(), &'static str> {
            fn text(v: &[u8]) -> Option<&str> {
                std::str::from_utf8(v).ok()
            }
            match &mut self.builders[col] {
                Builder::Integer(b) => match v {
                    b"" => b.push(None),
                    v => b.push_value(
                        text(v)
                            .and_then(|t| t.parse().ok())
                            .ok_or("a whole number")?,
                    ),
                },
                Builder::Float(b) => match v {
                    b"" => b.push(None),
                    v => b.push_value(text(v).and_then(|t| t.parse().ok()).ok_or("a number")?),
                },
                Builder::Age(age, open) => {
                    let (a, o) = text(v).and_then(parse_age).ok_or("an age")?;
                    age.push(a);
                    open.push_value(o);
                }
                Builder::Text(b) => b.push_value(text(v).ok_or("UTF-8 text")?),
            }
            Ok(())
        }

        /// Add `n` rows at once, column by column: a cell the same in every row, ages counting
        /// up from a first one (105 the open group), or one number per row. For the population
        /// table, whose 106 ages of a sex, year and area differ only in age and value.
        pub fn push_run(&mut self, n: usize, cells: &[Run<'_>]) -> PolarsResult<()> {
            let wrong = || PolarsError::ComputeError("a run does not fit its column's type".into());
            let mut done = 0;
            while done < n {
                let take = (n - done).min(ROW_GROUP - self.rows);
                for (b, cell) in self.builders.iter_mut().zip(cells) {
                    match (b, cell) {
                        (Builder::Text(b), Run::Same(Typed::Text(t))) => {
                            b.extend_constant(take, Some(*t))
                        }
                        (Builder::Integer(b), Run::Same(Typed::Integer(i))) => {
                            b.extend_constant(take, Some(*i))
                        }
                        (Builder::Float(b), Run::Numbers(x)) => {
                            b.extend_from_slice(&x[done..done + take])
                        }
                        (Builder::Age(age, is_open), Run::Ages { first, open }) => {
                            for a in first + done as i32..first + (done + take) as i32 {
                                age.push_value(a);
                                is_open.push_value(a == *open);
                            }
                        }
                        _ => return Err(wrong()),
                    }
                }
                self.rows += take;
                done += take;
                if self.rows == ROW_GROUP {
                    self.write_group()?;
                }
            }
            Ok(())
        }

        /// The current row is complete; a full row group is written out.
        #[inline]
        pub fn end_row(&mut self) -> PolarsResult<()> {
            self.rows += 1;
            if self.rows == ROW_GROUP {
                self.write_group()?;
            }
            Ok(())
        }

        /// The rows held as one row group (the file made with the first).
        fn write_group(&mut self) -> PolarsResult<()> {
            let fresh = builders(&self.names);
            let mut columns: Vec<Column> = Vec::with_capacity(fresh.len() + 1);
            let done = std::mem::replace(&mut self.builders, fresh);
            for (b, name) in done.into_iter().zip(&self.names) {
                let name = PlSmallStr::from(name.as_str());
                match b {
                    Builder::Integer(b) => columns.push(
                        Int32Chunked::with_chunk(name, PrimitiveArray::from(b)).into_column(),
                    ),
                    Builder::Float(b) => columns.push(
                        Float64Chunked::with_chunk(name, PrimitiveArray::from(b)).into_column(),
                    ),
                    Builder::Age(age, open) => {
                        let open_name = PlSmallStr::from(format!("{name}_open"));
                        columns.push(
                            Int32Chunked::with_chunk(name, PrimitiveArray::from(age)).into_column(),
                        );
                        columns.push(
                            BooleanChunked::with_chunk(open_name, BooleanArray::from(open))
                                .into_column(),
                        );
                    }
                    Builder::Text(b) => {
                        columns.push(StringChunked::with_chunk(name, b.freeze()).into_column())
                    }
                }
            }
            let df = DataFrame::new(std::mem::take(&mut self.rows), columns)?;
            if self.writer.is_none() {
                let f = std::fs::File::create(&self.path)?;
                // One thread per file: the copies are made side by side (rayon), and polars'
                // own pool of encoding threads beside them made the national run's copies three
                // times slower.
                self.writer = Some(
                    ParquetWriter::new(f)
                        .set_parallel(false)
                        .batched(df.schema())?,
                );
            }
            if let Some(w) = &mut self.writer {
                w.write_batch(&df)?;
            }
            Ok(())
        }

        /// Write the last rows and the file's footer.
        pub fn finish(mut self) -> PolarsResult<()> {
            if self.rows > 0 || self.writer.is_none() {
                self.write_group()?;
            }
            if let Some(w) = &self.writer {
                w.finish()?;
            }
            Ok(())
        }
    }

    /// Write a CSV table of a run as Parquet, each column typed as [`column_type`] declares:
    /// years and other whole numbers as Int32, ages as Int32 with the open age group in a
    /// Boolean column `age_open` beside it, counts and amounts as Float64 (an empty cell is
    /// null), codes and labels as String. A cell that does not fit its column's type is an
    /// error naming the column and the row, never a silent null.
    /// One pass over the file as bytes into one column builder each, so no cell is ever held
    /// as a `String` of its own; only text cells are checked as UTF-8.
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
        let names: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut columns = TypedColumns::create(parquet_path, &names);
        let mut rec = csv::ByteRecord::new();
        let mut row = 0usize;
        while r.read_byte_record(&mut rec).map_err(io)? {
            for (c, v) in rec.iter().enumerate().take(names.len()) {
                columns.push_text(c, v).map_err(|what| {
                    PolarsError::ComputeError(
                        format!(
                            "{}: row {}, column {}: {:?} is not {what}",
                            csv_path.display(),
                            row + 2,
                            header[c],
                            String::from_utf8_lossy(v)
                        )
                        .into(),
                    )
                })?;
            }
            columns.end_row()?;
            row += 1;
        }
        columns.finish()
    }
}

#[cfg(not(feature = "parquet"))]
pub use without_polars::*;

#[cfg(not(feature = "parquet"))]
mod without_polars {
    use std::io::Write;

    use super::Run;
    use crate::source::tidy::TidyTable;

    fn unsupported() -> std::io::Error {
        std::io::Error::other("this build of woonzorg has no Parquet support (feature `parquet`)")
    }

    /// Without the `parquet` feature: an error.
    pub fn write_tidy_parquet<W: Write>(_out: W, _tables: &[&TidyTable]) -> std::io::Result<()> {
        Err(unsupported())
    }

    /// Without the `parquet` feature: columns that can only refuse to be written.
    pub struct TypedColumns;

    impl TypedColumns {
        pub fn create(_path: &std::path::Path, _header: &[&str]) -> TypedColumns {
            TypedColumns
        }
        pub fn push_text(&mut self, _col: usize, _v: &[u8]) -> Result<(), &'static str> {
            Ok(())
        }
        pub fn push_run(&mut self, _n: usize, _cells: &[Run<'_>]) -> std::io::Result<()> {
            Ok(())
        }
        pub fn end_row(&mut self) -> std::io::Result<()> {
            Ok(())
        }
        pub fn finish(self) -> std::io::Result<()> {
            Err(unsupported())
        }
    }

    /// Without the `parquet` feature: an error.
    pub fn csv_to_parquet(
        _csv_path: &std::path::Path,
        _parquet_path: &std::path::Path,
    ) -> std::io::Result<()> {
        Err(unsupported())
    }
}
