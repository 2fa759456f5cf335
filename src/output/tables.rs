//! Tidy tables to disk as CSV (RFC 4180, UTF-8); Parquet copies are in [`super::parquet`].

use std::io::Write;

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

/// Columns of the output tables that may be negative (gaps, differences, effects, balances);
/// every other numeric column holds a count, a share or a rate, which is never negative.
pub const SIGNED_COLUMNS: [&str; 9] = [
    "gap_",
    "extra_vs_base_net",
    "difference",
    "migration",
    "net_migration",
    "age_effect",
    "criterion_effect",
    "change",
    "verschil",
];

fn is_signed(column: &str) -> bool {
    SIGNED_COLUMNS.iter().any(|s| column.starts_with(s)) || column.starts_with("gap")
}

/// An internal invariant broken in an output table: a NaN or infinity, or a negative value in
/// a column that holds a count. A bug in woonzorg, not in the input; the run stops and its
/// staged output is discarded.
#[derive(Debug, thiserror::Error)]
#[error(
    "internal invariant broken: {table}:{line}, column '{column}' would hold '{value}' ({what})\n  hint: this is a bug in woonzorg, not in the input, and nothing was written; please report it with the scenario and this message"
)]
pub struct Invariant {
    pub table: std::path::PathBuf,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub what: &'static str,
}

/// The [`Invariant`] inside an I/O error from a [`TableWriter`], if that is what it is.
pub fn invariant_of(e: &std::io::Error) -> Option<&Invariant> {
    fn inner(e: &std::io::Error) -> Option<&(dyn std::error::Error + 'static)> {
        e.get_ref().map(|b| b as &(dyn std::error::Error + 'static))
    }
    let mut cur = inner(e);
    while let Some(c) = cur {
        if let Some(i) = c.downcast_ref::<Invariant>() {
            return Some(i);
        }
        cur = match c.downcast_ref::<std::io::Error>() {
            Some(io) => inner(io),
            None => c.source(),
        };
    }
    None
}

/// The writer of every output table: CSV with its header, and a check on every cell that no
/// NaN, infinity or negative count reaches a file ([`Invariant`]).
pub struct TableWriter {
    inner: csv::Writer<std::io::BufWriter<std::fs::File>>,
    path: std::path::PathBuf,
    header: Vec<String>,
    signed: Vec<bool>,
    line: u64,
}

impl TableWriter {
    /// Write one row. Text cells are written as given (neutralise them before).
    pub fn write_record<I, T>(&mut self, record: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.line += 1;
        // Check the whole row before any of it is written: a refused row leaves no trace.
        let fields: Vec<T> = record.into_iter().collect();
        for (i, field) in fields.iter().enumerate() {
            let f = field.as_ref();
            let what = match f {
                b"NaN" | b"-NaN" => Some("not a number"),
                b"inf" | b"-inf" => Some("infinite"),
                [b'-', d, ..]
                    if d.is_ascii_digit() && !self.signed.get(i).copied().unwrap_or(true) =>
                {
                    Some("a count or share cannot be negative")
                }
                _ => None,
            };
            if let Some(what) = what {
                return Err(std::io::Error::other(Invariant {
                    table: self.path.clone(),
                    line: self.line,
                    column: self.header.get(i).cloned().unwrap_or_default(),
                    value: String::from_utf8_lossy(f).into_owned(),
                    what,
                }));
            }
        }
        self.inner.write_record(&fields)?;
        Ok(())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A CSV file with its header written: the writer the output tables use.
pub fn create_csv(path: &std::path::Path, header: &[&str]) -> std::io::Result<TableWriter> {
    let f = std::fs::File::create(path)?;
    let mut inner = csv::Writer::from_writer(std::io::BufWriter::new(f));
    inner.write_record(header)?;
    Ok(TableWriter {
        inner,
        path: path.to_path_buf(),
        header: header.iter().map(|h| h.to_string()).collect(),
        signed: header.iter().map(|h| is_signed(h)).collect(),
        line: 1,
    })
}

/// The key columns every scenario output table starts with.
pub const AREA_KEYS: [&str; 5] = ["scenario", "variant", "region", "region_name", "year"];

/// A scenario output table: [`AREA_KEYS`], then `rest`.
pub fn create_keyed_csv(path: &std::path::Path, rest: &[&str]) -> std::io::Result<TableWriter> {
    let header: Vec<&str> = AREA_KEYS.iter().chain(rest).copied().collect();
    create_csv(path, &header)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_writer_refuses_nan_infinity_and_negative_counts_with_their_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = create_keyed_csv(&path, &["gross", "gap_net"]).unwrap();
        let row = |v: &str, gap: &str| {
            ["s", "midden", "GM0503", "Delft", "2030", v, gap].map(str::to_string)
        };
        w.write_record(row("12.5", "-3")).unwrap();
        for (v, what) in [
            ("NaN", "not a number"),
            ("inf", "infinite"),
            ("-0.25", "cannot be negative"),
        ] {
            let e = w.write_record(row(v, "1")).unwrap_err();
            let i = invariant_of(&e).expect("an invariant error");
            assert_eq!((i.column.as_str(), i.value.as_str()), ("gross", v));
            assert!(i.to_string().contains("t.csv:") && i.to_string().contains(what));
        }
        // Lines count every row offered (header = line 1): the fourth refused row is line 6.
        let e = w.write_record(row("NaN", "1")).unwrap_err();
        assert_eq!(invariant_of(&e).unwrap().line, 6);
        // A signed column may be negative; text is not a number.
        w.write_record(row("0", "-12.75")).unwrap();
        w.write_record(["s", "midden", "GM0503", "'-Delft", "2030", "1", "1"])
            .unwrap();
    }
}
