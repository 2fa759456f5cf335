//! The one tidy long table every reader produces and every later stage consumes:
//! `table_id, region, region_name, period, sex, age, category, measure, unit, value, status`.

use crate::numbers::format_number;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::codes::{Cell, MissingKind, Status};
use super::error::{Pos, SourceError};
use super::text::Encoding;

/// The header of a tidy CSV as `import` writes it.
pub const TIDY_COLUMNS: [&str; 11] = [
    "table_id",
    "region",
    "region_name",
    "period",
    "sex",
    "age",
    "category",
    "measure",
    "unit",
    "value",
    "status",
];

/// One observation.
#[derive(Debug, Clone, PartialEq)]
pub struct TidyRow {
    /// CBS region code once known (`GM0363`), otherwise empty.
    pub region: String,
    /// The region as the file names it (`'s-Gravenhage (gemeente)`).
    pub region_name: String,
    /// CBS period code (`2024JJ00`).
    pub period: String,
    /// `T`, `M`, `V`, or empty when the table has no sex dimension.
    pub sex: String,
    /// Normalised age (`37`, `95+`, `20-64`, `totaal`), or empty.
    pub age: String,
    /// Every other dimension as `Key=Label`, joined by `|`.
    pub category: String,
    pub measure: String,
    pub unit: String,
    pub value: Cell,
    pub status: Status,
    /// Line in the source file (1-based), for error messages; not written.
    pub line: u64,
}

impl TidyRow {
    /// What identifies a cell: region (its code, else its name), period, sex, age, category,
    /// measure. A table holds each key once.
    pub fn key(&self) -> (&str, &str, &str, &str, &str, &str) {
        let region = if self.region.is_empty() {
            self.region_name.as_str()
        } else {
            self.region.as_str()
        };
        (
            region,
            self.period.as_str(),
            self.sex.as_str(),
            self.age.as_str(),
            self.category.as_str(),
            self.measure.as_str(),
        )
    }

    /// A row with no dimensions and a missing value, from `line` of its file.
    pub fn empty(line: u64) -> TidyRow {
        TidyRow {
            region: String::new(),
            region_name: String::new(),
            period: String::new(),
            sex: String::new(),
            age: String::new(),
            category: String::new(),
            measure: String::new(),
            unit: String::new(),
            value: Cell::Missing(MissingKind::Empty),
            status: Status::Final,
            line,
        }
    }
    pub fn number(&self) -> Option<f64> {
        match self.value {
            Cell::Number(v) => Some(v),
            _ => None,
        }
    }
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Cell::Text(t) => Some(t),
            _ => None,
        }
    }
    /// The value of one `Key=Label` part of `category`.
    pub fn category_value(&self, key: &str) -> Option<&str> {
        self.category
            .split('|')
            .find_map(|kv| kv.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
    }
}

/// What a reader recognised about a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Region,
    Period,
    Sex,
    Age,
    Category,
    Measure,
    Unit,
    Value,
    Ignore,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "region" => Role::Region,
            "period" => Role::Period,
            "sex" => Role::Sex,
            "age" => Role::Age,
            "category" => Role::Category,
            "measure" => Role::Measure,
            "unit" => Role::Unit,
            "value" => Role::Value,
            "ignore" => Role::Ignore,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Role::Region => "region",
            Role::Period => "period",
            Role::Sex => "sex",
            Role::Age => "age",
            Role::Category => "category",
            Role::Measure => "measure",
            Role::Unit => "unit",
            Role::Value => "value",
            Role::Ignore => "ignore",
        }
    }
}

/// Which of the CBS forms a table came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// OData v3 raw download: data.csv + DataProperties.csv + one CSV per dimension.
    ODataRaw,
    /// TypedDataSet dump in label mode (`;`, BOM, `ID` column, keys like `Bevolking_1`).
    TypedDataSet,
    /// StatLine web export or a reshaped wide/long table, read by column roles.
    Plain,
    /// A tidy table written by `woonzorg import`.
    Tidy,
}

impl std::fmt::Display for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Form::ODataRaw => "CBS OData-download (codes + dimensiebestanden)",
            Form::TypedDataSet => "CBS TypedDataSet (labels)",
            Form::Plain => "StatLine-export / eigen tabel (kolomrollen)",
            Form::Tidy => "woonzorg tidy-tabel",
        })
    }
}

/// A dimension as the reader saw it: its key in the file, a title, and its role.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub key: String,
    pub title: String,
    pub role: Role,
}

/// A table read from one CBS file or download folder.
#[derive(Debug, Clone)]
pub struct TidyTable {
    pub path: PathBuf,
    pub form: Form,
    pub encoding: Encoding,
    pub table_id: String,
    pub title: String,
    pub dimensions: Vec<Dimension>,
    pub rows: Vec<TidyRow>,
    /// How the layout was decided (mapping file, or what the heuristics recognised).
    pub layout_note: String,
}

impl TidyTable {
    /// Distinct periods, sorted.
    pub fn periods(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.period.clone())
            .filter(|p| !p.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    }
    /// Distinct regions (code if known, else name).
    pub fn regions(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                if r.region.is_empty() {
                    r.region_name.clone()
                } else {
                    r.region.clone()
                }
            })
            .filter(|p| !p.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    }
    pub fn missing_cells(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.value, Cell::Missing(_)))
            .count()
    }
    pub fn unresolved_regions(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.region.is_empty() && !r.region_name.is_empty())
            .map(|r| r.region_name.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Refuse a value that cannot be a count of persons, births, deaths or dwellings in a
    /// table whose unit is `aantal`: negative, fractional, or larger than [`MAX_COUNT`].
    /// Callers use it on the tables that must hold counts (a balance such as a migration
    /// saldo is signed and is not checked here).
    pub fn check_counts(&self) -> Result<(), SourceError> {
        for r in &self.rows {
            let Cell::Number(v) = r.value else { continue };
            if !r.unit.eq_ignore_ascii_case("aantal") {
                continue;
            }
            let problem = if v < 0.0 {
                "a negative count"
            } else if v.fract() != 0.0 {
                "a fractional count"
            } else if v > MAX_COUNT {
                "a count larger than any Dutch population (over 100 million)"
            } else {
                continue;
            };
            return Err(SourceError::malformed(
                Pos::cell(&self.path, r.line, "value"),
                format!(
                    "{problem}: {} ({} {}, {}{})",
                    format_number(v),
                    r.measure,
                    r.period,
                    if r.region.is_empty() {
                        &r.region_name
                    } else {
                        &r.region
                    },
                    if r.age.is_empty() {
                        String::new()
                    } else {
                        format!(", leeftijd {}", r.age)
                    },
                ),
                "this table holds whole numbers of persons (unit 'aantal'); export it again from StatLine",
            ));
        }
        Ok(())
    }

    /// Rows of `self` that a row of `earlier` (another file of the same table, e.g. a long and
    /// a wide export of overlapping years) has already: dropped when they hold the same value,
    /// so that nothing is counted twice; refused, naming both files and lines, when they do
    /// not. Returns how many were dropped.
    pub fn drop_rows_in(&mut self, earlier: &TidyTable) -> Result<usize, SourceError> {
        let seen: HashMap<_, &TidyRow> = earlier.rows.iter().map(|r| (r.key(), r)).collect();
        if seen.is_empty() {
            return Ok(0);
        }
        let mut keep = Vec::with_capacity(self.rows.len());
        for r in &self.rows {
            let k = r.key();
            let first = seen.get(&k);
            keep.push(first.is_none());
            if let Some(first) = first
                && first.value != r.value
            {
                return Err(SourceError::malformed(
                    Pos::line(&self.path, r.line),
                    format!(
                        "another value than {}:{} for the same cell (table {}: regio {}, periode {}, onderwerp {}): {:?} against {:?}",
                        earlier.path.display(),
                        first.line,
                        self.table_id,
                        k.0,
                        k.1,
                        k.5,
                        r.value,
                        first.value
                    ),
                    "the table is in two files that disagree (another status or vintage?): import one of them",
                ));
            }
        }
        let dropped = keep.iter().filter(|k| !**k).count();
        let mut keep = keep.into_iter();
        self.rows.retain(|_| keep.next().unwrap_or(true));
        Ok(dropped)
    }

    /// Refuse two rows with the same key; names both lines.
    pub fn check_unique_keys(&self) -> Result<(), SourceError> {
        let mut seen: HashMap<(&str, &str, &str, &str, &str, &str), u64> =
            HashMap::with_capacity(self.rows.len());
        for r in &self.rows {
            let key = r.key();
            let region = key.0;
            if let Some(first) = seen.insert(key, r.line) {
                return Err(SourceError::DuplicateKey {
                    pos: Pos::line(&self.path, r.line),
                    key: format!(
                        "(regio {region}, periode {}, geslacht {}, leeftijd {}, categorie {}, onderwerp {})",
                        r.period, r.sex, r.age, r.category, r.measure
                    ),
                    first_line: first,
                });
            }
        }
        Ok(())
    }
}

/// The largest count a table of persons, births, deaths or dwellings may hold: five times the
/// population of Nederland; anything above is a unit or export error.
pub const MAX_COUNT: f64 = 1e8;

/// Whether a spreadsheet would run this text as a formula (`= + - @`, tab, CR), also after
/// an earlier neutralising quote. A plain number (`-12.5`, `+3`, `1e-3`) is not text.
fn needs_neutralising(s: &str) -> bool {
    needs_neutralising_bytes(s.as_bytes())
}

/// [`needs_neutralising`] on the bytes of a cell.
#[inline]
pub fn needs_neutralising_bytes(s: &[u8]) -> bool {
    match s.first() {
        Some(b'\'') => needs_neutralising_bytes(&s[1..]),
        _ => is_formula_like(s),
    }
}

/// Whether a spreadsheet would run this text as a formula as it stands (`= + - @`, tab, CR;
/// a plain number is not text). Text neutralised before starts with `'` and is not.
#[inline]
pub fn is_formula_like(s: &[u8]) -> bool {
    match s.first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(s),
        _ => false,
    }
}

/// A decimal number as the tables write it: sign, digits, optional fraction and exponent (no
/// `inf` or `NaN`, which a spreadsheet reads as text or a formula).
fn is_plain_number(s: &[u8]) -> bool {
    let s = s
        .strip_prefix(b"-")
        .or_else(|| s.strip_prefix(b"+"))
        .unwrap_or(s);
    let (mantissa, exponent) = match s.iter().position(|b| matches!(b, b'e' | b'E')) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (whole, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, &[][..]),
    };
    let digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e
            .strip_prefix(b"-")
            .or_else(|| e.strip_prefix(b"+"))
            .unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    (!whole.is_empty() || !frac.is_empty()) && digits(whole) && digits(frac) && exponent_ok
}

/// Neutralise a text cell that a spreadsheet would run as a formula by a leading `'`.
/// Reversible with [`unneutralise`]. The one function every text cell of every CSV (both
/// dialects) and workbook passes through: the table writers call it on each field
/// ([`crate::output::tables`]), the workbook on the texts of its own sheets.
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    if needs_neutralising(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Undo [`neutralise`].
pub fn unneutralise(s: String) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if needs_neutralising(rest) => rest.to_string(),
        _ => s,
    }
}

/// The `status` column of a row: `geheim`/`ontbreekt` for missing cells, else the CBS flag.
pub fn status_text(row: &TidyRow) -> &'static str {
    match row.value {
        Cell::Missing(MissingKind::Secret) => "geheim",
        Cell::Missing(_) => "ontbreekt",
        _ => row.status.label(),
    }
}

/// Write tables as one tidy CSV (RFC 4180, UTF-8, `,`).
pub fn write_tidy_csv<W: Write>(out: W, tables: &[&TidyTable]) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(TIDY_COLUMNS)?;
    for t in tables {
        for r in &t.rows {
            let value = match &r.value {
                Cell::Number(v) => format_number(*v),
                Cell::Text(s) => neutralise(s).into_owned(),
                Cell::Missing(_) => String::new(),
            };
            w.write_record([
                neutralise(&t.table_id).as_ref(),
                neutralise(&r.region).as_ref(),
                neutralise(&r.region_name).as_ref(),
                &r.period,
                &r.sex,
                neutralise(&r.age).as_ref(),
                neutralise(&r.category).as_ref(),
                neutralise(&r.measure).as_ref(),
                neutralise(&r.unit).as_ref(),
                &value,
                status_text(r),
            ])?;
        }
    }
    w.flush()
}

/// Read back a tidy CSV written by `write_tidy_csv` (one table per distinct table_id).
pub fn read_tidy(
    path: &Path,
    text: &str,
    encoding: Encoding,
) -> Result<Vec<TidyTable>, SourceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| csv_error(path, e))?.clone();
    if headers.iter().collect::<Vec<_>>() != TIDY_COLUMNS {
        return Err(SourceError::malformed(
            Pos::line(path, 1),
            "not a woonzorg tidy table",
            format!("expected the header {}", TIDY_COLUMNS.join(",")),
        ));
    }
    let mut by_id: Vec<TidyTable> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, e))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() != TIDY_COLUMNS.len() {
            return Err(SourceError::malformed(
                Pos::line(path, line),
                format!(
                    "{} fields, the header has {}",
                    rec.len(),
                    TIDY_COLUMNS.len()
                ),
                "the row is truncated or has an unquoted separator",
            ));
        }
        let f = |i: usize| rec.get(i).unwrap_or("").to_string();
        let unneutral = unneutralise;
        let status_s = f(10);
        let raw_value = f(9);
        let (value, status) = match status_s.as_str() {
            "ontbreekt" => (Cell::Missing(MissingKind::NotAvailable), Status::Final),
            "geheim" => (Cell::Missing(MissingKind::Secret), Status::Final),
            s => {
                let st = match s {
                    "voorlopig" => Status::Provisional,
                    "nader voorlopig" => Status::Revised,
                    "nihil" => Status::Nil,
                    "" => Status::Final,
                    other => {
                        return Err(SourceError::malformed(
                            Pos::cell(path, line, "status"),
                            format!("unknown status '{other}'"),
                            "status is empty, voorlopig, nader voorlopig, nihil, ontbreekt or geheim",
                        ));
                    }
                };
                let unit = f(8);
                let v = if unit == "tekst" || unit == "code" {
                    Cell::Text(unneutral(raw_value))
                } else if raw_value.is_empty() {
                    Cell::Missing(MissingKind::Empty)
                } else {
                    match super::codes::parse_plain_number(&raw_value) {
                        Some(v) => Cell::Number(v),
                        None => {
                            return Err(SourceError::BadNumber {
                                pos: Pos::cell(path, line, "value"),
                                value: raw_value,
                                hint:
                                    "a tidy value is a number unless its unit is 'tekst' or 'code'"
                                        .into(),
                            });
                        }
                    }
                };
                (v, st)
            }
        };
        let table_id = unneutral(f(0));
        let row = TidyRow {
            region: f(1),
            region_name: unneutral(f(2)),
            period: f(3),
            sex: f(4),
            age: unneutral(f(5)),
            category: unneutral(f(6)),
            measure: unneutral(f(7)),
            unit: unneutral(f(8)),
            value,
            status,
            line,
        };
        match by_id.iter_mut().find(|t| t.table_id == table_id) {
            Some(t) => t.rows.push(row),
            None => by_id.push(TidyTable {
                path: path.to_path_buf(),
                form: Form::Tidy,
                encoding,
                title: super::catalog::title(&table_id)
                    .unwrap_or_default()
                    .to_string(),
                table_id,
                dimensions: Vec::new(),
                rows: vec![row],
                layout_note: "tidy".into(),
            }),
        }
    }
    if by_id.is_empty() {
        return Err(SourceError::malformed(
            Pos::file(path),
            "tidy table without rows",
            "import a table with data",
        ));
    }
    for t in &by_id {
        t.check_unique_keys()?;
    }
    Ok(by_id)
}

pub(crate) fn csv_error(path: &Path, e: csv::Error) -> SourceError {
    let line = e.position().map(|p| p.line());
    let pos = Pos {
        path: path.to_path_buf(),
        line,
        column: None,
    };
    match e.kind() {
        csv::ErrorKind::Io(_) => {
            SourceError::malformed(pos, format!("{e}"), "the file could not be read to the end")
        }
        csv::ErrorKind::Utf8 { .. } => SourceError::Encoding {
            pos,
            message: format!("{e}"),
            hint: "save the file as UTF-8".into(),
        },
        _ => SourceError::malformed(
            pos,
            format!("{e}"),
            "check quoting and separators on this line",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_starts() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("'s-Hertogenbosch"), "'s-Hertogenbosch");
        assert_eq!(neutralise("Delft"), "Delft");
    }

    #[test]
    fn numbers_format_shortest() {
        assert_eq!(format_number(17407585.0), "17407585");
        assert_eq!(format_number(1.79), "1.79");
        assert_eq!(format_number(-3.0), "-3");
    }
}

#[cfg(test)]
mod roundtrip {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[=+@a-zA-Z0-9 ,;\"'\n-]{0,12}").unwrap()
    }

    proptest! {
        /// Whatever text and numbers go in, writing and reading the tidy CSV gives them back.
        #[test]
        fn tidy_csv_round_trips(rows in proptest::collection::vec((text(), text(), -1e9f64..1e9, 0u8..3), 1..20)) {
            let mut t = TidyTable {
                path: "x.csv".into(),
                form: Form::Tidy,
                encoding: Encoding::Utf8,
                table_id: "T1".into(),
                title: String::new(),
                dimensions: vec![],
                rows: vec![],
                layout_note: String::new(),
            };
            for (i, (name, cat, v, kind)) in rows.iter().enumerate() {
                let mut r = TidyRow::empty(0);
                r.region = format!("GM{i:04}");
                r.region_name = name.clone();
                r.category = cat.clone();
                r.measure = "m".into();
                r.period = "2024JJ00".into();
                (r.value, r.unit) = match kind {
                    0 => (Cell::Number((v * 1000.0).round() / 1000.0), "aantal".to_string()),
                    1 => (Cell::Text(name.clone()), "code".to_string()),
                    _ => (Cell::Missing(MissingKind::NotAvailable), "aantal".to_string()),
                };
                t.rows.push(r);
            }
            let mut buf = Vec::new();
            write_tidy_csv(&mut buf, &[&t]).unwrap();
            let text = String::from_utf8(buf).unwrap();
            let back = read_tidy(Path::new("x.csv"), &text, Encoding::Utf8).unwrap();
            prop_assert_eq!(back.len(), 1);
            for (a, b) in t.rows.iter().zip(&back[0].rows) {
                prop_assert_eq!(&a.region_name, &b.region_name);
                prop_assert_eq!(&a.category, &b.category);
                prop_assert_eq!(&a.value, &b.value);
            }
        }

        /// Parsing cells and periods never panics, whatever the text.
        #[test]
        fn cell_parsers_never_panic(s in "\\PC{0,20}") {
            let _ = crate::source::codes::parse_number_cell(&s);
            let _ = crate::source::codes::parse_period(&s);
            let _ = crate::source::codes::normalise_age(&s);
        }

        /// Decoding arbitrary bytes never panics.
        #[test]
        fn decoding_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = crate::source::text::decode(Path::new("x"), &b);
        }
    }
}
