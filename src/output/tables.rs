//! Tidy tables to disk as CSV (RFC 4180, UTF-8); Parquet copies are in [`super::parquet`].

use std::io::Write;

use super::manifest::FileHash;
pub use crate::numbers::cents;
use crate::numbers::{push_cents_bytes, push_decimals6_bytes};

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

/// One cell of a row written by [`TableWriter::write_cells`]: values are formatted straight
/// into the row, without a `String` per cell.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text, quoted where it must be and neutralised.
    Text(&'a str),
    /// A number rounded to cents ([`push_cents_bytes`]).
    Cents(f64),
    /// A number with six decimals (`format!("{:.6}")`): shares and rates.
    Decimals6(f64),
    Empty,
}

impl Cell<'_> {
    /// Cents, or an empty cell for `None`.
    pub fn cents_or_empty(v: Option<f64>) -> Cell<'static> {
        v.map_or(Cell::Empty, Cell::Cents)
    }
}

/// Columns of the output tables that may be negative (gaps, differences, effects, balances);
/// every other numeric column holds a count, a share or a rate, which is never negative.
pub const SIGNED_COLUMNS: [&str; 10] = [
    "gap_",
    // tables/kaarten.csv: a growth or a tekort per 1,000 inhabitants (negative: overschot).
    "map_value",
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

/// What a table is: its file and columns (shared by a writer and its parts).
struct Layout {
    path: std::path::PathBuf,
    header: Vec<String>,
    signed: Vec<bool>,
}

/// Bytes a file writer collects before it writes them out.
const FILE_BUFFER: usize = 1 << 18;

/// The writer of every output table: CSV (RFC 4180, `,`, `\n`, quotes only where a field
/// holds a comma, a quote or a line break — as the csv crate writes), with a check on every cell
/// that no NaN, infinity or negative count reaches a file ([`Invariant`]). After a refused row
/// the writer refuses everything: the run stops and its staged output is discarded.
///
/// A writer writes its file, or — made by [`TableWriter::part`] — a part of the table in
/// memory, for rows made in parallel and written in order ([`write_ordered`]).
pub struct TableWriter {
    /// The file, and the SHA-256 of what was written to it so far (for the manifest, without
    /// reading the file again); `None` for a part.
    file: Option<(std::fs::File, sha2::Sha256)>,
    /// Bytes written to the file so far.
    written: u64,
    /// Rows not yet written to the file (a part: all its rows).
    buf: Vec<u8>,
    layout: std::sync::Arc<Layout>,
    /// Rows written (with the header, for a file).
    line: u64,
    broken: bool,
}

/// Whether a field holds a comma, a quote or a line break (and must be quoted): eight bytes
/// at a time.
#[inline]
fn needs_quotes(f: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // A byte of `x` equals `b` where `x ^ (b × ONES)` has a zero byte.
    let has = |x: u64, b: u8| {
        let y = x ^ (ONES * b as u64);
        y.wrapping_sub(ONES) & !y & HIGH
    };
    let mut words = f.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        let x = u64::from_le_bytes(word);
        if has(x, b',') | has(x, b'"') | has(x, b'\n') | has(x, b'\r') != 0 {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// Append one CSV field (quoted when it must be), text a spreadsheet would run as a formula
/// neutralised ([`crate::source::tidy::neutralise`]).
fn push_field(row: &mut Vec<u8>, f: &[u8]) {
    let neutral = crate::source::tidy::needs_neutralising_bytes(f);
    if needs_quotes(f) {
        row.push(b'"');
        if neutral {
            row.push(b'\'');
        }
        for &b in f {
            if b == b'"' {
                row.push(b'"');
            }
            row.push(b);
        }
        row.push(b'"');
    } else {
        if neutral {
            row.push(b'\'');
        }
        row.extend_from_slice(f);
    }
}

impl TableWriter {
    /// After a refused row the writer refuses everything.
    #[inline]
    fn still_open(&self) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::other(format!(
                "{}: an earlier row was refused",
                self.layout.path.display()
            )));
        }
        Ok(())
    }

    /// Drop the row begun at `start` and refuse everything after: cell `i` holds `value`,
    /// which is `what`.
    #[cold]
    fn refused_row(
        &mut self,
        start: usize,
        i: usize,
        value: String,
        what: &'static str,
    ) -> std::io::Error {
        self.broken = true;
        self.buf.truncate(start);
        std::io::Error::other(Invariant {
            table: self.layout.path.clone(),
            line: self.line,
            column: self.layout.header.get(i).cloned().unwrap_or_default(),
            value,
            what,
        })
    }

    /// What is wrong with cell `i` holding `f`, if anything.
    #[inline]
    fn refuse(&self, i: usize, f: &[u8]) -> Option<&'static str> {
        // Most cells start with a digit or a letter other than N and i: nothing to check.
        if !matches!(f.first(), Some(b'N' | b'i' | b'-')) {
            return None;
        }
        match f {
            b"NaN" | b"-NaN" => Some("not a number"),
            b"inf" | b"-inf" => Some("infinite"),
            [b'-', d, ..]
                if d.is_ascii_digit() && !self.layout.signed.get(i).copied().unwrap_or(true) =>
            {
                Some("a count or share cannot be negative")
            }
            _ => None,
        }
    }

    /// The leading fields shared by many rows (`scenario,variant,region,region_name,year,`),
    /// encoded once for [`TableWriter::write_after`]. They are keys and text, not checked.
    pub fn prefix(fields: &[&str]) -> String {
        let mut row = Vec::new();
        for f in fields {
            push_field(&mut row, f.as_bytes());
            row.push(b',');
        }
        String::from_utf8(row).unwrap_or_default()
    }

    /// Write one row. Text cells are neutralised and quoted where they must be.
    pub fn write_record<I, T>(&mut self, record: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.write_after("", 0, record)
    }

    /// Write one row that starts with `prefix` (from [`TableWriter::prefix`], holding
    /// `prefix_fields` fields), followed by `record`.
    pub fn write_after<I, T>(
        &mut self,
        prefix: &str,
        prefix_fields: usize,
        record: I,
    ) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.still_open()?;
        self.line += 1;
        let start = self.buf.len();
        self.buf.extend_from_slice(prefix.as_bytes());
        for (k, field) in record.into_iter().enumerate() {
            let f = field.as_ref();
            let i = prefix_fields + k;
            if let Some(what) = self.refuse(i, f) {
                let value = String::from_utf8_lossy(f).into_owned();
                return Err(self.refused_row(start, i, value, what));
            }
            if k > 0 {
                self.buf.push(b',');
            }
            push_field(&mut self.buf, f);
        }
        self.buf.push(b'\n');
        self.spill(FILE_BUFFER)
    }

    /// Write one row: `prefix` (pieces from [`TableWriter::prefix`], holding `prefix_fields`
    /// fields in all), then `cells`, each checked as [`TableWriter::write_after`] checks its
    /// fields.
    pub fn write_cells(
        &mut self,
        prefix: &[&str],
        prefix_fields: usize,
        cells: &[Cell],
    ) -> std::io::Result<()> {
        self.still_open()?;
        self.line += 1;
        let start = self.buf.len();
        for piece in prefix {
            self.buf.extend_from_slice(piece.as_bytes());
        }
        for (k, cell) in cells.iter().enumerate() {
            if k > 0 {
                self.buf.push(b',');
            }
            let at = self.buf.len();
            match *cell {
                Cell::Text(t) => push_field(&mut self.buf, t.as_bytes()),
                Cell::Cents(v) => push_cents_bytes(&mut self.buf, v),
                Cell::Decimals6(v) => push_decimals6_bytes(&mut self.buf, v),
                Cell::Empty => {}
            }
            // Text is checked as given; numbers never need quotes, so what was written is it.
            let refused = match *cell {
                Cell::Text(t) => self.refuse(prefix_fields + k, t.as_bytes()),
                _ => self.refuse(prefix_fields + k, &self.buf[at..]),
            };
            if let Some(what) = refused {
                let value = match *cell {
                    Cell::Text(t) => t.to_string(),
                    _ => String::from_utf8_lossy(&self.buf[at..]).into_owned(),
                };
                return Err(self.refused_row(start, prefix_fields + k, value, what));
            }
        }
        self.buf.push(b'\n');
        self.spill(FILE_BUFFER)
    }

    /// Rows that differ only in their last keys and one value each: per `(keys, value)`,
    /// `prefix` (from [`TableWriter::prefix`]), `keys` (also from it: the row's own key
    /// fields), the value in cents, then `text`. The same rows as [`TableWriter::write_cells`]
    /// with `[&prefix, keys]` and `[Cell::Cents(value), Cell::Text(text)]`, for the largest
    /// table (population.csv): `text` is encoded and checked once.
    pub fn write_cents_rows<'a>(
        &mut self,
        prefix: &str,
        rows: impl IntoIterator<Item = (&'a str, f64)>,
        prefix_fields: usize,
        text: &str,
    ) -> std::io::Result<()> {
        self.still_open()?;
        let mut tail = vec![b','];
        push_field(&mut tail, text.as_bytes());
        tail.push(b'\n');
        let text_refused = self.refuse(prefix_fields + 1, text.as_bytes());
        for (keys, value) in rows {
            self.line += 1;
            let start = self.buf.len();
            self.buf.extend_from_slice(prefix.as_bytes());
            self.buf.extend_from_slice(keys.as_bytes());
            let at = self.buf.len();
            push_cents_bytes(&mut self.buf, value);
            if let Some(what) = self.refuse(prefix_fields, &self.buf[at..]) {
                let value = String::from_utf8_lossy(&self.buf[at..]).into_owned();
                return Err(self.refused_row(start, prefix_fields, value, what));
            }
            if let Some(what) = text_refused {
                return Err(self.refused_row(start, prefix_fields + 1, text.to_string(), what));
            }
            self.buf.extend_from_slice(&tail);
            self.spill(FILE_BUFFER)?;
        }
        Ok(())
    }

    /// Write the collected rows to the file once there are at least `at` bytes of them.
    fn spill(&mut self, at: usize) -> std::io::Result<()> {
        if self.file.is_none() || self.buf.len() < at {
            return Ok(());
        }
        let buf = std::mem::take(&mut self.buf);
        let written = self.write_out(&buf);
        self.buf = buf;
        self.buf.clear();
        written
    }

    /// Write `bytes` to the file (hashed on the way).
    fn write_out(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        use sha2::Digest as _;
        use std::io::Write as _;
        match &mut self.file {
            Some((f, hasher)) => {
                hasher.update(bytes);
                self.written += bytes.len() as u64;
                f.write_all(bytes)
            }
            None => Ok(()),
        }
    }

    /// An empty part of this table: rows written to it go to memory, and into the table
    /// (in order) by [`TableWriter::append`].
    pub fn part(&self) -> TableWriter {
        TableWriter {
            file: None,
            written: 0,
            buf: Vec::new(),
            layout: self.layout.clone(),
            line: 0,
            broken: false,
        }
    }

    /// Write the rows of `part` (made by [`TableWriter::part`]) after the rows so far, and
    /// empty the part for its next use.
    pub fn append(&mut self, part: &mut TableWriter) -> std::io::Result<()> {
        self.still_open()?;
        self.line += part.line;
        part.line = 0;
        // A small part is collected with the rows before it; a large one written as it is.
        let written = if self.file.is_some() && part.buf.len() >= FILE_BUFFER / 16 {
            self.spill(0).and_then(|_| self.write_out(&part.buf))
        } else {
            self.buf.extend_from_slice(&part.buf);
            self.spill(FILE_BUFFER)
        };
        part.buf.clear();
        written
    }

    /// An error from a part of this table, its line counted from the start of the table
    /// (the rows before the part are those written so far).
    fn rebase(&mut self, e: std::io::Error) -> std::io::Error {
        if invariant_of(&e).is_none_or(|i| i.table != self.layout.path) {
            return e;
        }
        self.broken = true;
        match e.into_inner().map(|b| b.downcast::<Invariant>()) {
            Some(Ok(mut i)) => {
                i.line += self.line;
                std::io::Error::other(*i)
            }
            Some(Err(other)) => std::io::Error::other(other),
            None => std::io::Error::other("an invariant error without its details"),
        }
    }

    /// The key prefixes ([`TableWriter::prefix`]) of an area's rows for each of `years` years
    /// from `base_year`: `scenario, variant, region, region_name, year,`.
    pub fn year_prefixes(
        scenario: &str,
        variant: &str,
        region: &str,
        region_name: &str,
        base_year: u16,
        years: usize,
    ) -> Vec<String> {
        (0..years)
            .map(|t| {
                let year = (base_year + t as u16).to_string();
                TableWriter::prefix(&[scenario, variant, region, region_name, &year])
            })
            .collect()
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        use std::io::Write as _;
        self.spill(0)?;
        match &mut self.file {
            Some((f, _)) => f.flush(),
            None => Ok(()),
        }
    }

    /// Write what is left; the file's size and SHA-256, from the bytes as they were written
    /// (the manifest needs no second read of the file).
    pub fn finish(mut self) -> std::io::Result<FileHash> {
        use sha2::Digest as _;
        self.flush()?;
        match self.file {
            Some((_, hasher)) => Ok(FileHash {
                path: self.layout.path.display().to_string(),
                bytes: self.written,
                sha256: format!("{:x}", hasher.finalize()),
            }),
            None => Err(std::io::Error::other(
                "a part of a table has no file of its own",
            )),
        }
    }
}

/// Items (areas, say) whose rows in `writers.len()` tables are made in parallel by `rows` —
/// each item into parts of its own ([`TableWriter::part`]) — and written in the order of
/// `items`, so that the tables hold the same bytes as when written one item after another.
/// A batch of items is written while the next is made; memory holds two batches.
pub fn write_ordered<T, F>(writers: &mut [TableWriter], items: &[T], rows: F) -> std::io::Result<()>
where
    T: Sync,
    F: Fn(&T, &mut [TableWriter]) -> std::io::Result<()> + Sync,
{
    use rayon::prelude::*;
    /// Items per batch: for the largest tables (population.csv) about 200 kB an item.
    const BATCH: usize = 32;
    type Made = Vec<std::io::Result<Vec<TableWriter>>>;
    // Parts, emptied after they are written, are used again: their buffers keep their size.
    let blank: Vec<TableWriter> = writers.iter().map(TableWriter::part).collect();
    let used: std::sync::Mutex<Vec<Vec<TableWriter>>> = std::sync::Mutex::new(Vec::new());
    let make = |batch: &[T]| -> Made {
        batch
            .par_iter()
            .map(|item| {
                let reused = used.lock().ok().and_then(|mut u| u.pop());
                let mut parts =
                    reused.unwrap_or_else(|| blank.iter().map(TableWriter::part).collect());
                rows(item, &mut parts)?;
                Ok(parts)
            })
            .collect()
    };
    let write = |writers: &mut [TableWriter], made: Made| -> std::io::Result<()> {
        for parts in made {
            let mut parts = match parts {
                Ok(p) => p,
                Err(e) => {
                    // Only the table the error names has the rows before it counted.
                    return Err(
                        match writers
                            .iter_mut()
                            .find(|w| invariant_of(&e).is_some_and(|i| i.table == w.layout.path))
                        {
                            Some(w) => w.rebase(e),
                            None => e,
                        },
                    );
                }
            };
            for (w, p) in writers.iter_mut().zip(&mut parts) {
                w.append(p)?;
            }
            if let Ok(mut u) = used.lock() {
                u.push(parts);
            }
        }
        Ok(())
    };
    let mut batches = items.chunks(BATCH);
    let mut pending = batches.next().map(make);
    while let Some(made) = pending.take() {
        let next = batches.next();
        let (written, next) = rayon::join(|| write(&mut *writers, made), || next.map(make));
        written?;
        pending = next;
    }
    Ok(())
}

/// A CSV file with its header written: the writer the output tables use.
pub fn create_csv(path: &std::path::Path, header: &[&str]) -> std::io::Result<TableWriter> {
    let file = std::fs::File::create(path)?;
    let mut buf = Vec::with_capacity(FILE_BUFFER + (1 << 12));
    for (i, h) in header.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_field(&mut buf, h.as_bytes());
    }
    buf.push(b'\n');
    Ok(TableWriter {
        file: Some((file, sha2::Sha256::default())),
        written: 0,
        buf,
        layout: std::sync::Arc::new(Layout {
            path: path.to_path_buf(),
            header: header.iter().map(|h| h.to_string()).collect(),
            signed: header.iter().map(|h| is_signed(h)).collect(),
        }),
        line: 1,
        broken: false,
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

/// The records of a CSV table (after its header) whose field `col` passes `keep`: most rows of
/// a national table are of other regions, so a record is parsed as CSV only when its field
/// `col`, found by counting commas, passes (or when a quote comes before it and the commas
/// cannot simply be counted). The file is read in large blocks and split at line ends; a record
/// runs on over line ends while its quotes are open (RFC 4180: `""` inside a quoted field keeps
/// the count even).
pub fn filter_records(
    path: &std::path::Path,
    col: usize,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<csv::StringRecord>, csv::Error> {
    use std::io::Read;
    const BLOCK: usize = 1 << 20;
    let mut f = std::fs::File::open(path)?;
    let mut buf: Vec<u8> = Vec::with_capacity(2 * BLOCK);
    let mut kept: Vec<u8> = Vec::new();
    let mut header = true;
    let mut eof = false;
    while !eof {
        let held = buf.len();
        buf.resize(held + BLOCK, 0);
        let n = f.read(&mut buf[held..])?;
        buf.truncate(held + n);
        eof = n == 0;
        let mut pos = 0;
        loop {
            // The end of the record from `pos`: the first line end with its quotes closed.
            let mut end = None;
            let mut from = pos;
            let mut quotes = 0usize;
            while let Some(nl) = memchr::memchr(b'\n', &buf[from..]) {
                quotes += memchr::memchr_iter(b'"', &buf[from..from + nl]).count();
                from += nl + 1;
                if quotes.is_multiple_of(2) {
                    end = Some(from);
                    break;
                }
            }
            let end = match (end, eof) {
                (Some(e), _) => e,
                (None, true) if pos < buf.len() => buf.len(),
                _ => break,
            };
            let rec = &buf[pos..end];
            pos = end;
            if std::mem::take(&mut header) {
                continue;
            }
            let mut starts =
                std::iter::once(0).chain(memchr::memchr_iter(b',', rec).map(|i| i + 1));
            let field = starts.nth(col).and_then(|a| {
                let b = memchr::memchr2(b',', b'\n', &rec[a..]).map_or(rec.len(), |e| a + e);
                memchr::memchr(b'"', &rec[..b])
                    .is_none()
                    .then(|| &rec[a..b])
            });
            let field = field.map(|f| f.strip_suffix(b"\r").unwrap_or(f));
            if field.is_some_and(|f| !std::str::from_utf8(f).is_ok_and(&keep)) {
                continue;
            }
            kept.extend_from_slice(rec);
            if !rec.ends_with(b"\n") {
                kept.push(b'\n');
            }
        }
        buf.drain(..pos);
    }
    // The records kept, parsed as CSV in one go (and checked once more: those whose field
    // could not be found by counting commas).
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(kept.as_slice());
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        if rec.get(col).is_some_and(&keep) {
            out.push(rec);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_they_hold_a_separator_quote_or_line_break() {
        let naive = |f: &[u8]| f.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
        let base = b"geclusterd_cbs (waarvan \xe2\x89\xa5 12 woningen)";
        for len in 0..base.len() {
            for at in 0..=len {
                for special in [b',', b'"', b'\n', b'\r', b'a', 0x2c + 0x80, 0x0a + 0x80] {
                    let mut f = base[..len].to_vec();
                    f.insert(at, special);
                    assert_eq!(needs_quotes(&f), naive(&f), "{f:?}");
                }
            }
        }
        let mut row = Vec::new();
        push_field(&mut row, b"a \"b\", c");
        assert_eq!(row, b"\"a \"\"b\"\", c\"");
    }

    #[test]
    fn the_table_writer_refuses_nan_infinity_and_negative_counts_with_their_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut w = create_keyed_csv(&path, &["gross", "gap_net"]).unwrap();
        let row = |v: &str, gap: &str| {
            ["s", "midden", "GM0503", "Delft", "2030", v, gap].map(str::to_string)
        };
        w.write_record(row("12.5", "-3")).unwrap();
        // A signed column may be negative; text is not a number (and is neutralised by the
        // writer); a comma is quoted.
        w.write_record(row("0", "-12.75")).unwrap();
        w.write_record([
            "s",
            "midden",
            "GM0503",
            "-Delft, \"Zuid\"",
            "2030",
            "1",
            "1",
        ])
        .unwrap();
        w.flush().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "scenario,variant,region,region_name,year,gross,gap_net\n\
             s,midden,GM0503,Delft,2030,12.5,-3\n\
             s,midden,GM0503,Delft,2030,0,-12.75\n\
             s,midden,GM0503,\"'-Delft, \"\"Zuid\"\"\",2030,1,1\n"
        );
        for (v, what) in [
            ("NaN", "not a number"),
            ("inf", "infinite"),
            ("-0.25", "cannot be negative"),
        ] {
            let mut w = create_keyed_csv(&path, &["gross", "gap_net"]).unwrap();
            w.write_record(row("1", "1")).unwrap();
            let e = w.write_record(row(v, "1")).unwrap_err();
            let i = invariant_of(&e).expect("an invariant error");
            assert_eq!(
                (i.column.as_str(), i.value.as_str(), i.line),
                ("gross", v, 3)
            );
            assert!(i.to_string().contains("t.csv:3") && i.to_string().contains(what));
            // After a refused row the writer refuses everything.
            assert!(w.write_record(row("1", "1")).is_err());
        }
    }
}
