//! Readers for every form of CBS data a user brings (see [`Form`]). Each reader turns its
//! form into a [`TidyTable`]; none of them knows about file names of particular tables.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::catalog;
use super::codes::{self, Cell, MissingKind, Status};
use super::error::{Pos, SourceError};
use super::mapping::{Mapping, Wide};
use super::text::{self, Encoding};
use super::tidy::{self, Dimension, Form, Role, TidyRow, TidyTable};

/// Read one table: a CSV file in any of the CBS forms, or an OData download folder.
/// A tidy file written by `woonzorg import` may hold several tables.
pub fn read_table(path: &Path, mapping: Option<&Mapping>) -> Result<Vec<TidyTable>, SourceError> {
    if path.is_dir() {
        if is_odata_dir(path) {
            return read_odata_dir(path).map(|t| vec![t]);
        }
        return Err(SourceError::Io {
            pos: Pos::file(path),
            cause: std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
            hint: "a directory is one table only when it holds an OData download (data.csv + DataProperties.csv)".into(),
        });
    }
    if path.file_name().is_some_and(|n| n == "data.csv")
        && let Some(dir) = path.parent().filter(|d| is_odata_dir(d))
    {
        return read_odata_dir(dir).map(|t| vec![t]);
    }
    let bytes = text::read_file(path)?;
    parse_bytes(path, &bytes, mapping)
}

/// Read one CSV table (any CBS form, or woonzorg's tidy CSV) from the bytes of a file; `path`
/// only names it in errors. The reader [`read_table`] uses, and the one the fuzz targets drive.
pub fn parse_bytes(
    path: &Path,
    bytes: &[u8],
    mapping: Option<&Mapping>,
) -> Result<Vec<TidyTable>, SourceError> {
    let (text, encoding) = text::decode(path, bytes)?;
    let first_line = text.lines().next().unwrap_or("");
    if mapping.is_none() && first_line.trim_end() == tidy::TIDY_COLUMNS.join(",") {
        return tidy::read_tidy(path, &text, encoding);
    }
    let table = if mapping.is_none() && is_typed_dataset(first_line) {
        read_typed_dataset(path, &text, encoding)?
    } else {
        read_plain(path, &text, encoding, mapping)?
    };
    table.check_unique_keys()?;
    Ok(vec![table])
}

/// Read a file that holds one table (any form), e.g. a data/ extract.
pub fn read_one(path: &Path) -> Result<TidyTable, SourceError> {
    let mut tables = read_table(path, None)?;
    Ok(tables.swap_remove(0))
}

/// Every table under a directory: CSV files, and folders that are OData downloads; sorted.
/// A folder reached twice (a symbolic link to a folder already read, or to one of its own
/// parents) or a file reached twice (two links to one file) is refused: its tables would be
/// read twice.
pub fn find_tables(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeMap::new();
    walk(dir, &mut out, &mut seen)?;
    out.sort();
    Ok(out)
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::BTreeMap<PathBuf, PathBuf>,
) -> Result<(), SourceError> {
    read_once(dir, seen)?;
    if is_odata_dir(dir) {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| SourceError::io(dir, e))?;
    let mut entries: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()).map_err(|e| SourceError::io(dir, e)))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out, seen)?;
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            read_once(&p, seen)?;
            out.push(p);
        }
    }
    Ok(())
}

/// Refuse a file or folder reached a second time (see [`find_tables`]).
fn read_once(
    p: &Path,
    seen: &mut std::collections::BTreeMap<PathBuf, PathBuf>,
) -> Result<(), SourceError> {
    let real = p.canonicalize().map_err(|e| SourceError::io(p, e))?;
    match seen.insert(real.clone(), p.to_path_buf()) {
        None => Ok(()),
        Some(first) => Err(SourceError::malformed(
            Pos::file(p),
            format!(
                "is {} again (through a symbolic link): its tables would be read twice",
                first.display()
            ),
            format!(
                "remove the link, or give the folders to import one by one (it points to {})",
                real.display()
            ),
        )),
    }
}

fn is_odata_dir(dir: &Path) -> bool {
    dir.join("data.csv").is_file() && dir.join("DataProperties.csv").is_file()
}

fn is_typed_dataset(first_line: &str) -> bool {
    let mut fields = first_line.split(';');
    fields.next().map(|f| f.trim_matches('"')) == Some("ID")
        && fields.any(|f| measure_key_number(f.trim_matches('"')).is_some())
}

/// `Bevolking_1` → Some(1): CBS numbers every measure (topic) key.
fn measure_key_number(key: &str) -> Option<u32> {
    let (_, n) = key.rsplit_once('_')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// Records of a delimited text with their 1-based line numbers.
struct Records {
    header: Vec<String>,
    header_line: u64,
    rows: Vec<(u64, Vec<String>)>,
    title: Option<String>,
}

/// Guess the separator from the first lines: the candidate seen most often outside quotes.
fn sniff_separator(text: &str) -> u8 {
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0)];
    for line in text.lines().take(5) {
        let mut in_quotes = false;
        for b in line.bytes() {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                for c in counts.iter_mut() {
                    if b == c.0 {
                        c.1 += 1;
                    }
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|c| c.1)
        .map(|c| c.0)
        .unwrap_or(b';')
}

fn read_records(path: &Path, text: &str, sep: u8) -> Result<Records, SourceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep)
        .from_reader(text.as_bytes());
    let mut all: Vec<(u64, Vec<String>)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| tidy::csv_error(path, e))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        all.push((line, rec.iter().map(|f| f.to_string()).collect()));
    }
    // Title lines before the header (StatLine puts the table title there) have one field.
    let mut start = 0;
    let mut title = None;
    while start < all.len()
        && all[start].1.len() == 1
        && all.len() > start + 1
        && all[start + 1].1.len() > 1
    {
        title = Some(all[start].1[0].trim().to_string());
        start += 1;
    }
    let Some((header_line, header)) = all.get(start).cloned() else {
        return Err(SourceError::Empty {
            pos: Pos::file(path),
        });
    };
    if header.len() < 2 {
        let sep_name = if sep == b'\t' {
            "tab".to_string()
        } else {
            format!("'{}'", sep as char)
        };
        return Err(SourceError::malformed(
            Pos::line(path, header_line),
            format!("the header has one column when split on {sep_name}"),
            "the separator is probably different; CBS files use ';' (TypedDataSet, StatLine) or ',' (OData); set `separator` in a mapping TOML",
        ));
    }
    let mut rows: Vec<(u64, Vec<String>)> = all.split_off(start + 1);
    // Footer lines ("Bron: CBS") after the data have one field; drop them only at the end.
    while rows.last().is_some_and(|(_, r)| r.len() == 1) && header.len() > 1 {
        rows.pop();
    }
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    for (line, r) in &rows {
        if r.len() != header.len() {
            return Err(SourceError::malformed(
                Pos::line(path, *line),
                format!(
                    "{} fields, the header (line {header_line}) has {}",
                    r.len(),
                    header.len()
                ),
                "the row is truncated, or a field contains an unquoted separator",
            ));
        }
    }
    if rows.is_empty() {
        return Err(SourceError::malformed(
            Pos::line(path, header_line),
            "a header but no data rows",
            "export the table with at least one row",
        ));
    }
    Ok(Records {
        header,
        header_line,
        rows,
        title,
    })
}

fn role_of_dimension_key(key: &str) -> Role {
    let k = key.to_lowercase();
    if k.starts_with("regio")
        || k.starts_with("gemeente")
        || k == "regio's"
        || k == "wijkenenbuurten"
    {
        Role::Region
    } else if k == "perioden" || k == "periode" || k == "jaar" || k == "year" {
        Role::Period
    } else if k == "geslacht" || k == "sex" {
        Role::Sex
    } else if k.starts_with("leeftijd") || k == "age" {
        Role::Age
    } else {
        Role::Category
    }
}

/// What one data cell turns into, with the column it came from for errors.
fn number_cell(
    path: &Path,
    line: u64,
    column: &str,
    raw: &str,
) -> Result<(Cell, Status), SourceError> {
    codes::parse_number_cell(raw).ok_or_else(|| SourceError::BadNumber {
        pos: Pos::cell(path, line, column),
        value: raw.trim().to_string(),
        hint: "a count or rate is a number; CBS markers '.', 'x', '-' and empty cells are accepted"
            .into(),
    })
}

fn period_cell(
    path: &Path,
    line: u64,
    column: &str,
    raw: &str,
) -> Result<(String, Status), SourceError> {
    codes::parse_period(raw).ok_or_else(|| SourceError::UnknownPeriod {
        pos: Pos::cell(path, line, column),
        value: raw.trim().to_string(),
    })
}

/// Whether a measure column holds text (codes, names) rather than numbers.
/// Text when the key says so (`Code_`, `Naam_`, …) or when no cell is a number; a column of
/// numbers with a stray word in it is an error at that word's line.
fn decide_text_column(
    path: &Path,
    table_id: &str,
    key: &str,
    cells: &[(u64, &str)],
) -> Result<bool, SourceError> {
    const TEXT_KEYS: [&str; 10] = [
        "Code_",
        "Naam_",
        "Omschrijving_",
        "SorteringNaam_",
        "Regiocode_",
        "Gemeentenaam",
        "Title",
        "Codering_",
        "SoortRegio_",
        "IndelingswijzigingWijkenEnBuurten_",
    ];
    if TEXT_KEYS.iter().any(|p| key.starts_with(p)) {
        return Ok(true);
    }
    // A number with a leading zero ("0686") is a code: keep the column as text.
    if cells.iter().any(|(_, c)| {
        let t = c.trim();
        t.len() > 1 && t.starts_with('0') && t.bytes().all(|b| b.is_ascii_digit())
    }) {
        return Ok(true);
    }
    // A value that only a number can be mistaken for (NaN, inf) is never text.
    let not_finite = |c: &str| {
        let t = c.trim().trim_start_matches(['+', '-']).to_ascii_lowercase();
        matches!(t.as_str(), "nan" | "inf" | "infinity")
    };
    if let Some((line, c)) = cells.iter().find(|(_, c)| not_finite(c)) {
        return Err(SourceError::BadNumber {
            pos: Pos::cell(path, *line, key),
            value: c.trim().to_string(),
            hint: format!(
                "column '{key}' is a measure: a count or number, or a CBS code for a missing value (., x, -)"
            ),
        });
    }
    // A measure of a known table that CBS publishes as numbers: every cell is a number or a
    // CBS code for a missing value.
    let numeric =
        !table_id.is_empty() && super::catalog::unit(table_id, key).is_some_and(|u| u != "code");
    if numeric
        && let Some((line, c)) = cells
            .iter()
            .find(|(_, c)| codes::parse_number_cell(c).is_none())
    {
        return Err(SourceError::BadNumber {
            pos: Pos::cell(path, *line, key),
            value: c.trim().to_string(),
            hint: format!(
                "column '{key}' of {table_id} holds numbers ({}); this cell is text",
                super::catalog::unit(table_id, key).unwrap_or("aantal")
            ),
        });
    }
    let mut numbers = 0usize;
    let mut first_text: Option<(u64, &str)> = None;
    let mut texts = 0usize;
    for (line, c) in cells {
        match codes::parse_number_cell(c) {
            Some((Cell::Missing(_), _)) => {}
            Some(_) => numbers += 1,
            None => {
                texts += 1;
                first_text.get_or_insert((*line, c));
            }
        }
    }
    if texts == 0 {
        return Ok(false);
    }
    if numbers == 0 || texts > numbers {
        return Ok(true);
    }
    let (line, c) = first_text.unwrap_or((0, ""));
    Err(SourceError::BadNumber {
        pos: Pos::cell(path, line, key),
        value: c.trim().to_string(),
        hint: format!("column '{key}' holds numbers in {numbers} rows; this cell is text"),
    })
}

/// TypedDataSet dump in label mode: `ID` column, dimension columns with labels, measure
/// columns with numbered keys. Region names are resolved later (geo stage); a column of
/// region codes inside the file (`Regiocode_73`, `Code_1`) is used directly.
pub fn read_typed_dataset(
    path: &Path,
    text: &str,
    encoding: Encoding,
) -> Result<TidyTable, SourceError> {
    let recs = read_records(path, text, b';')?;
    let table_id = path
        .file_name()
        .and_then(|n| catalog::id_from_file_name(&n.to_string_lossy()))
        .unwrap_or_default();
    let mut dims: Vec<(usize, Dimension)> = Vec::new();
    let mut measures: Vec<(usize, String)> = Vec::new();
    for (i, h) in recs.header.iter().enumerate() {
        if i == 0 && h == "ID" {
            continue;
        }
        if measure_key_number(h).is_some() {
            measures.push((i, h.clone()));
        } else {
            dims.push((
                i,
                Dimension {
                    key: h.clone(),
                    title: h.clone(),
                    role: role_of_dimension_key(h),
                },
            ));
        }
    }
    if measures.is_empty() {
        return Err(SourceError::malformed(
            Pos::line(path, recs.header_line),
            "no measure columns (keys like Bevolking_1)",
            "this does not look like a CBS TypedDataSet export",
        ));
    }
    // Decide per measure column: number or text.
    let mut is_text = Vec::with_capacity(measures.len());
    for (i, key) in &measures {
        let cells: Vec<(u64, &str)> = recs
            .rows
            .iter()
            .map(|(l, r)| (*l, r[*i].as_str()))
            .collect();
        is_text.push(decide_text_column(path, &table_id, key, &cells)?);
    }
    // Region codes inside the file: the first text column whose values are all region codes
    // (`Codering_3` of Kerncijfers wijken en buurten, `Code_1` of Gebieden in Nederland). Each
    // row takes the code on its own line: names repeat (every gemeente has a "Wijk 01 Centrum").
    let has_region = dims.iter().any(|(_, d)| d.role == Role::Region);
    let code_col: Option<usize> = measures
        .iter()
        .zip(&is_text)
        .filter(|(_, text_col)| has_region && **text_col)
        .map(|((mi, _), _)| *mi)
        .find(|mi| {
            let mut codes_seen = recs
                .rows
                .iter()
                .map(|(_, r)| r[*mi].trim())
                .filter(|c| !c.is_empty())
                .peekable();
            codes_seen.peek().is_some() && codes_seen.all(codes::is_region_code)
        });
    let mut rows = Vec::with_capacity(recs.rows.len() * measures.len());
    for (line, r) in &recs.rows {
        let mut base = TidyRow::empty(*line);
        let mut period_status = Status::Final;
        let mut cats: Vec<String> = Vec::new();
        for (i, d) in &dims {
            let v = r[*i].trim();
            match d.role {
                Role::Region => {
                    if codes::is_region_code(v) {
                        base.region = v.to_string();
                    } else {
                        base.region_name = v.to_string();
                        if let Some(c) = code_col.map(|ci| r[ci].trim()).filter(|c| !c.is_empty()) {
                            base.region = c.to_string();
                        }
                    }
                }
                Role::Period => {
                    let (p, st) = period_cell(path, *line, &d.key, v)?;
                    base.period = p;
                    period_status = st;
                }
                Role::Sex => {
                    base.sex = codes::parse_sex(v)
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                }
                Role::Age => base.age = codes::normalise_age(v),
                _ => cats.push(format!("{}={}", d.key, v)),
            }
        }
        base.category = cats.join("|");
        for ((mi, key), text_col) in measures.iter().zip(&is_text) {
            let raw = &r[*mi];
            let (value, status) = if *text_col {
                let t = raw.trim();
                if t.is_empty() || t == "." {
                    (Cell::Missing(MissingKind::Empty), Status::Final)
                } else {
                    (Cell::Text(t.to_string()), Status::Final)
                }
            } else {
                number_cell(path, *line, key, raw)?
            };
            let mut row = base.clone();
            row.measure = key.clone();
            row.unit = if *text_col {
                "code".to_string()
            } else {
                catalog::unit(&table_id, key).unwrap_or("").to_string()
            };
            row.value = value;
            row.status = if status == Status::Final {
                period_status
            } else {
                status
            };
            rows.push(row);
        }
    }
    let title = catalog::title(&table_id).unwrap_or("").to_string();
    Ok(TidyTable {
        path: path.to_path_buf(),
        form: Form::TypedDataSet,
        encoding,
        table_id,
        title,
        dimensions: dims.into_iter().map(|(_, d)| d).collect(),
        rows,
        layout_note: format!("{} meetwaarden", measures.len()),
    })
}

/// OData v3 raw download: `data.csv` with dimension keys, one `<Dimension>.csv` per dimension
/// (Key, Title), `DataProperties.csv` (roles and units), `TableInfos.csv` (title, id).
pub fn read_odata_dir(dir: &Path) -> Result<TidyTable, SourceError> {
    let props_path = dir.join("DataProperties.csv");
    let (props_text, _) = text::read_text(&props_path)?;
    let props = read_records(&props_path, &props_text, b',')?;
    let col = |recs: &Records, name: &str, p: &Path| -> Result<usize, SourceError> {
        recs.header.iter().position(|h| h == name).ok_or_else(|| {
            SourceError::malformed(
                Pos::line(p, recs.header_line),
                format!("column '{name}' is missing"),
                "an OData download writes this column; download the table again",
            )
        })
    };
    let (ti, ki, tti, ui) = (
        col(&props, "Type", &props_path)?,
        col(&props, "Key", &props_path)?,
        col(&props, "Title", &props_path)?,
        col(&props, "Unit", &props_path)?,
    );
    let dti = props.header.iter().position(|h| h == "Datatype");
    let mut dim_props: Vec<(String, String, String)> = Vec::new(); // key, title, type
    let mut topics: HashMap<String, (String, bool)> = HashMap::new(); // key → (unit, is_text)
    for (_, r) in &props.rows {
        let ty = r[ti].trim();
        let key = r[ki].trim().to_string();
        match ty {
            "Dimension" | "TimeDimension" | "GeoDimension" | "GeoDetail" => {
                dim_props.push((key, r[tti].trim().to_string(), ty.to_string()))
            }
            "Topic" => {
                let is_text = dti.is_some_and(|d| r[d].trim() == "String");
                topics.insert(key, (r[ui].trim().to_string(), is_text));
            }
            _ => {}
        }
    }
    // Code lists per dimension: key → (title, status)
    let mut code_lists: HashMap<String, HashMap<String, (String, String)>> = HashMap::new();
    for (key, _, _) in &dim_props {
        let p = dir.join(format!("{key}.csv"));
        let (t, _) = text::read_text(&p)?;
        let recs = read_records(&p, &t, b',')?;
        let kc = col(&recs, "Key", &p)?;
        let tc = col(&recs, "Title", &p)?;
        let sc = recs.header.iter().position(|h| h == "Status");
        let mut m = HashMap::new();
        for (_, r) in &recs.rows {
            m.insert(
                r[kc].trim().to_string(),
                (
                    r[tc].trim().to_string(),
                    sc.map(|s| r[s].trim().to_string()).unwrap_or_default(),
                ),
            );
        }
        code_lists.insert(key.clone(), m);
    }
    let (mut table_id, mut title) = (String::new(), String::new());
    let info_path = dir.join("TableInfos.csv");
    if info_path.is_file() {
        let (t, _) = text::read_text(&info_path)?;
        let recs = read_records(&info_path, &t, b',')?;
        if let (Some(ti), Some(ii), Some((_, r))) = (
            recs.header.iter().position(|h| h == "Title"),
            recs.header.iter().position(|h| h == "Identifier"),
            recs.rows.first(),
        ) {
            title = r[ti].trim().to_string();
            table_id = r[ii].trim().to_string();
        }
    }
    if table_id.is_empty() {
        table_id = dir
            .file_name()
            .and_then(|n| catalog::id_from_file_name(&n.to_string_lossy()))
            .unwrap_or_default();
    }
    let data_path = dir.join("data.csv");
    let (data_text, encoding) = text::read_text(&data_path)?;
    let recs = read_records(&data_path, &data_text, b',')?;
    let mut dim_cols: Vec<(usize, Dimension, String)> = Vec::new();
    let mut topic_cols: Vec<(usize, String, String, bool)> = Vec::new();
    for (i, h) in recs.header.iter().enumerate() {
        if let Some((key, t, ty)) = dim_props.iter().find(|(k, _, _)| k == h) {
            let role = match ty.as_str() {
                "TimeDimension" => Role::Period,
                "GeoDimension" | "GeoDetail" => Role::Region,
                _ => role_of_dimension_key(key),
            };
            dim_cols.push((
                i,
                Dimension {
                    key: key.clone(),
                    title: t.clone(),
                    role,
                },
                key.clone(),
            ));
        } else if let Some((unit, is_text)) = topics.get(h) {
            topic_cols.push((i, h.clone(), unit.clone(), *is_text));
        } else if h != "ID" {
            return Err(SourceError::malformed(
                Pos::cell(&data_path, recs.header_line, h),
                format!("column '{h}' is neither a dimension nor a topic in DataProperties.csv"),
                "data.csv and DataProperties.csv must come from the same download",
            ));
        }
    }
    let mut rows = Vec::with_capacity(recs.rows.len() * topic_cols.len());
    for (line, r) in &recs.rows {
        let mut base = TidyRow::empty(*line);
        let mut period_status = Status::Final;
        let mut cats = Vec::new();
        for (i, d, key) in &dim_cols {
            let code = r[*i].trim();
            let Some((label, status)) = code_lists.get(key).and_then(|m| m.get(code)) else {
                return Err(SourceError::malformed(
                    Pos::cell(&data_path, *line, key),
                    format!("code '{code}' is not in {key}.csv"),
                    "the dimension file of this download is incomplete or belongs to another table",
                ));
            };
            match d.role {
                Role::Region => {
                    base.region = code.to_string();
                    base.region_name = label.clone();
                }
                Role::Period => {
                    let (p, st) = period_cell(&data_path, *line, key, code)?;
                    base.period = p;
                    period_status = if status.eq_ignore_ascii_case("voorlopig") {
                        Status::Provisional
                    } else {
                        st
                    };
                }
                Role::Sex => {
                    base.sex = codes::parse_sex(code)
                        .or_else(|| codes::parse_sex(label))
                        .map(str::to_string)
                        .unwrap_or_else(|| label.clone())
                }
                Role::Age => base.age = codes::normalise_age(label),
                _ => cats.push(format!("{key}={label}")),
            }
        }
        base.category = cats.join("|");
        for (i, key, unit, is_text) in &topic_cols {
            let (value, status) = if *is_text {
                let t = r[*i].trim();
                (
                    if t.is_empty() {
                        Cell::Missing(MissingKind::Empty)
                    } else {
                        Cell::Text(t.to_string())
                    },
                    Status::Final,
                )
            } else {
                number_cell(&data_path, *line, key, &r[*i])?
            };
            let mut row = base.clone();
            row.measure = key.clone();
            row.unit = unit.clone();
            row.value = value;
            row.status = if status == Status::Final {
                period_status
            } else {
                status
            };
            rows.push(row);
        }
    }
    if title.is_empty() {
        title = catalog::title(&table_id).unwrap_or("").to_string();
    }
    let table = TidyTable {
        path: dir.to_path_buf(),
        form: Form::ODataRaw,
        encoding,
        table_id,
        title,
        dimensions: dim_cols.into_iter().map(|(_, d, _)| d).collect(),
        rows,
        layout_note: format!("{} onderwerpen", topic_cols.len()),
    };
    table.check_unique_keys()?;
    Ok(table)
}

/// The roles a plain table's columns get when no mapping is given: named dimension columns
/// by their header, and value columns whose header is a period (`2021*`) or a sex (`Mannen`,
/// `Levende vrouwen`), or a single `aantal`/`waarde` column.
pub fn guess_mapping(header: &[String]) -> Mapping {
    let mut m = Mapping::default();
    let mut period_headers = 0;
    let mut sex_headers = 0;
    for h in header {
        let l = h.trim().to_lowercase();
        let role = match l.as_str() {
            "" | "eenheid" | "unit" => Some("unit"),
            "onderwerp" | "onderwerpen" | "measure" => Some("measure"),
            "aantal" | "waarde" | "value" => Some("value"),
            _ if codes::parse_period(h).is_some() => {
                period_headers += 1;
                None
            }
            _ if codes::split_sex_header(h).is_some() && l != "geslacht" => {
                sex_headers += 1;
                None
            }
            _ => Some(role_of_dimension_key(h).name()),
        };
        if let Some(r) = role {
            m.columns.insert(h.trim().to_string(), r.to_string());
        }
    }
    if !m.columns.values().any(|r| r == "value") {
        if period_headers > 0 && period_headers >= sex_headers {
            m.wide = Some(Wide {
                headers: "period".into(),
            });
        } else if sex_headers > 0 {
            m.wide = Some(Wide {
                headers: "sex".into(),
            });
        } else {
            // A code list: the first column is the key, the others are measures.
            let first = header
                .first()
                .map(|h| h.trim().to_string())
                .unwrap_or_default();
            m.columns
                .retain(|k, r| k == &first || (r != "category" && r != "region"));
            m.columns.insert(first, "category".into());
            m.wide = Some(Wide {
                headers: "measure".into(),
            });
        }
    }
    m
}

/// StatLine web exports and reshaped wide/long tables, read by column roles from a mapping
/// (given, or guessed by [`guess_mapping`]).
pub fn read_plain(
    path: &Path,
    text: &str,
    encoding: Encoding,
    mapping: Option<&Mapping>,
) -> Result<TidyTable, SourceError> {
    let sep = mapping
        .and_then(|m| m.separator_byte())
        .unwrap_or_else(|| sniff_separator(text));
    let mut recs = read_records(path, text, sep)?;
    if let Some(m) = mapping {
        apply_corrections(path, &mut recs, m)?;
    }
    let guessed;
    let m = match mapping {
        Some(m) if m.columns.is_empty() && m.wide.is_none() => {
            let g = guess_mapping(&recs.header);
            guessed = Mapping {
                columns: g.columns,
                wide: g.wide,
                ..m.clone()
            };
            &guessed
        }
        Some(m) => {
            for col in m.columns.keys() {
                if !recs.header.iter().any(|h| h == col) {
                    return Err(SourceError::Mapping {
                        pos: Pos::key(path, format!("columns.{col}")),
                        message: format!(
                            "the file has no column '{col}' (header: {})",
                            recs.header.join(", ")
                        ),
                        hint: "column names in [columns] must match the header exactly".into(),
                    });
                }
            }
            m
        }
        None => {
            guessed = guess_mapping(&recs.header);
            &guessed
        }
    };
    let wide_role = m
        .wide
        .as_ref()
        .map(|w| Role::parse(&w.headers).unwrap_or(Role::Period));
    let mut dim_cols: Vec<(usize, Role)> = Vec::new();
    let mut value_cols: Vec<usize> = Vec::new();
    for (i, h) in recs.header.iter().enumerate() {
        match m.role_of(h) {
            Some(Role::Value) => value_cols.push(i),
            Some(Role::Ignore) => {}
            Some(r) => dim_cols.push((i, r)),
            None if wide_role == Some(Role::Measure)
                && dim_cols.is_empty()
                && mapping.is_none() =>
            {
                dim_cols.push((i, Role::Category))
            }
            None if wide_role.is_some() => value_cols.push(i),
            None => {
                return Err(SourceError::Mapping {
                    pos: Pos::key(path, format!("columns.{h}")),
                    message: format!(
                        "column '{h}' has no role and the mapping has no [wide] section"
                    ),
                    hint: "give the column a role in [columns], or add [wide] headers = \"period\""
                        .into(),
                });
            }
        }
    }
    if value_cols.is_empty() {
        return Err(SourceError::malformed(
            Pos::line(path, recs.header_line),
            "cannot tell which columns hold the values",
            "write a column-mapping TOML (see `woonzorg import --help`) and pass it with --mapping",
        ));
    }
    // A units row right under the header (StatLine: "";"";"aantal"): dimension cells empty,
    // value cells text.
    if let Some((_, first)) = recs.rows.first() {
        let dims_empty = dim_cols.iter().all(|(i, _)| first[*i].trim().is_empty());
        let values_text = value_cols.iter().all(|i| {
            !first[*i].trim().is_empty() && codes::parse_number_cell(&first[*i]).is_none()
        });
        if dims_empty && values_text && wide_role != Some(Role::Measure) && recs.rows.len() > 1 {
            let units: Vec<String> = value_cols
                .iter()
                .map(|i| first[*i].trim().to_string())
                .collect();
            recs.rows.remove(0);
            if units.iter().all(|u| u == &units[0]) && m.unit.is_none() {
                let mut m2 = m.clone();
                m2.unit = Some(units[0].clone());
                return finish_plain(
                    path,
                    encoding,
                    recs,
                    &m2,
                    mapping.is_some(),
                    dim_cols,
                    value_cols,
                    wide_role,
                );
            }
        }
    }
    finish_plain(
        path,
        encoding,
        recs,
        m,
        mapping.is_some(),
        dim_cols,
        value_cols,
        wide_role,
    )
}

/// Apply a mapping's documented corrections to the records; refuse any that does not match.
fn apply_corrections(path: &Path, recs: &mut Records, m: &Mapping) -> Result<(), SourceError> {
    for (i, c) in m.correction.iter().enumerate() {
        let key = format!("correction[{i}]");
        let col = recs
            .header
            .iter()
            .position(|h| h == &c.column)
            .ok_or_else(|| SourceError::Mapping {
                pos: Pos::key(path, format!("{key}.column")),
                message: format!("the file has no column '{}'", c.column),
                hint: format!("columns: {}", recs.header.join(", ")),
            })?;
        let row = recs
            .rows
            .iter_mut()
            .find(|(l, _)| *l == c.line)
            .ok_or_else(|| SourceError::Mapping {
                pos: Pos::key(path, format!("{key}.line")),
                message: format!("line {} is not a data row", c.line),
                hint: "line numbers count from 1, the header included".into(),
            })?;
        if row.1[col].trim() != c.from {
            return Err(SourceError::Mapping {
                pos: Pos::key(path, format!("{key}.from")),
                message: format!(
                    "line {} column '{}' holds '{}', not '{}'",
                    c.line,
                    c.column,
                    row.1[col].trim(),
                    c.from
                ),
                hint: "the correction was written for another version of this file".into(),
            });
        }
        row.1[col] = c.to.clone();
    }
    Ok(())
}

/// What the header of one value column says in a wide table.
struct HeaderMeaning {
    column: usize,
    period: Option<(String, Status)>,
    sex: Option<String>,
    measure: Option<String>,
    age: Option<String>,
    region: Option<String>,
}

/// What each value column's header says in a wide table (`wide_role`: what the headers are).
fn header_meanings(
    path: &Path,
    recs: &Records,
    value_cols: &[usize],
    wide_role: Option<Role>,
) -> Result<Vec<HeaderMeaning>, SourceError> {
    let mut header_meaning: Vec<HeaderMeaning> = Vec::new();
    for &i in value_cols {
        let h = &recs.header[i];
        let (mut period, mut sex, mut measure, mut age, mut region) =
            (None, None, None, None, None);
        match wide_role {
            Some(Role::Period) => {
                period = Some(period_cell(path, recs.header_line, h, h)?);
            }
            Some(Role::Sex) => match codes::split_sex_header(h) {
                Some((s, rest)) => {
                    sex = Some(s.to_string());
                    if !rest.is_empty() {
                        measure = Some(rest);
                    }
                }
                None => {
                    return Err(SourceError::malformed(
                        Pos::cell(path, recs.header_line, h),
                        format!("header '{h}' is not a sex"),
                        "with [wide] headers = \"sex\" every value column is Mannen, Vrouwen or Totaal",
                    ));
                }
            },
            Some(Role::Measure) => measure = Some(h.clone()),
            Some(Role::Age) => age = Some(codes::normalise_age(h)),
            Some(Role::Region) => region = Some(h.trim().to_string()),
            _ => {}
        }
        header_meaning.push(HeaderMeaning {
            column: i,
            period,
            sex,
            measure,
            age,
            region,
        });
    }
    Ok(header_meaning)
}

/// The dimensions of a plain table and the note on its layout (which columns had which role,
/// from a mapping or recognised, and the corrections applied).
fn plain_layout(
    header: &[String],
    dim_cols: &[(usize, Role)],
    n_value_cols: usize,
    wide_role: Option<Role>,
    m: &Mapping,
    from_file: bool,
) -> (Vec<Dimension>, String) {
    let mut dimensions: Vec<Dimension> = dim_cols
        .iter()
        .map(|(i, role)| Dimension {
            key: header[*i].clone(),
            title: header[*i].clone(),
            role: *role,
        })
        .collect();
    if let Some(w) = wide_role {
        dimensions.push(Dimension {
            key: format!("({} kolommen)", n_value_cols),
            title: "kolomkoppen".into(),
            role: w,
        });
    }
    let mut roles: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for d in &dimensions {
        roles.entry(d.role.name()).or_default().push(&d.key);
    }
    let note = format!(
        "{}{}; {}",
        if from_file {
            "kolomrollen uit mapping"
        } else {
            "kolomrollen herkend"
        },
        if m.correction.is_empty() {
            String::new()
        } else {
            format!(
                ", {} correctie(s) toegepast (regel {})",
                m.correction.len(),
                m.correction
                    .iter()
                    .map(|c| c.line.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        roles
            .iter()
            .map(|(r, ks)| format!("{r}: {}", ks.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    );
    (dimensions, note)
}

#[allow(clippy::too_many_arguments)]
fn finish_plain(
    path: &Path,
    encoding: Encoding,
    recs: Records,
    m: &Mapping,
    from_file: bool,
    dim_cols: Vec<(usize, Role)>,
    value_cols: Vec<usize>,
    wide_role: Option<Role>,
) -> Result<TidyTable, SourceError> {
    let table_id = m
        .table_id
        .clone()
        .or_else(|| {
            path.file_name()
                .and_then(|n| catalog::id_from_file_name(&n.to_string_lossy()))
        })
        .unwrap_or_default();
    let title = m
        .title
        .clone()
        .or_else(|| catalog::title(&table_id).map(str::to_string))
        .or(recs.title.clone())
        .unwrap_or_default();
    let header_meaning = header_meanings(path, &recs, &value_cols, wide_role)?;
    // Text columns only where headers are measures (code lists).
    let mut text_cols: HashMap<usize, bool> = HashMap::new();
    for &i in &value_cols {
        let t = if wide_role == Some(Role::Measure) {
            let cells: Vec<(u64, &str)> =
                recs.rows.iter().map(|(l, r)| (*l, r[i].as_str())).collect();
            decide_text_column(path, &table_id, &recs.header[i], &cells)?
        } else {
            false
        };
        text_cols.insert(i, t);
    }
    let const_period = match &m.period {
        Some(p) => Some(codes::parse_period(p).ok_or_else(|| SourceError::Mapping {
            pos: Pos::key(path, "period"),
            message: format!("'{p}' is not a period"),
            hint: "a year (2024) or a CBS period code".into(),
        })?),
        None => None,
    };
    let mut rows = Vec::with_capacity(recs.rows.len() * value_cols.len());
    for (line, r) in &recs.rows {
        let mut base = TidyRow::empty(*line);
        base.period = const_period
            .as_ref()
            .map(|p| p.0.clone())
            .unwrap_or_default();
        base.measure = m.measure.clone().unwrap_or_default();
        base.unit = m.unit.clone().unwrap_or_default();
        if let Some(reg) = &m.region {
            base.region = reg.clone();
        }
        let mut period_status = Status::Final;
        let mut cats = Vec::new();
        for (i, role) in &dim_cols {
            let h = &recs.header[*i];
            let v = r[*i].trim();
            match role {
                Role::Region => {
                    let with_prefix = match &m.region_prefix {
                        Some(p) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                            format!("{p}{v}")
                        }
                        _ => v.to_string(),
                    };
                    if codes::is_region_code(&with_prefix) {
                        base.region = with_prefix;
                    } else {
                        base.region_name = v.to_string();
                    }
                }
                Role::Period => {
                    let (p, st) = period_cell(path, *line, h, v)?;
                    base.period = p;
                    period_status = st;
                }
                Role::Sex => {
                    base.sex = codes::parse_sex(v).map(str::to_string).ok_or_else(|| {
                        SourceError::malformed(
                            Pos::cell(path, *line, h),
                            format!("'{v}' is not a sex"),
                            "expected Mannen, Vrouwen, Totaal mannen en vrouwen, M, V, F or T",
                        )
                    })?
                }
                Role::Age => base.age = codes::normalise_age(v),
                Role::Measure => base.measure = v.to_string(),
                Role::Unit => base.unit = v.to_string(),
                Role::Category => cats.push(format!("{h}={v}")),
                Role::Value | Role::Ignore => {}
            }
        }
        base.category = cats.join("|");
        if base.measure.is_empty() && wide_role != Some(Role::Measure) {
            base.measure = "waarde".into();
        }
        for HeaderMeaning {
            column: i,
            period,
            sex,
            measure,
            age,
            region,
        } in &header_meaning
        {
            let mut row = base.clone();
            if let Some(a) = age {
                row.age = a.clone();
            }
            if let Some(reg) = region {
                if codes::is_region_code(reg) {
                    row.region = reg.clone();
                } else {
                    row.region_name = reg.clone();
                }
            }
            let (value, status) = if text_cols.get(i).copied().unwrap_or(false) {
                let t = r[*i].trim();
                (
                    if t.is_empty() {
                        Cell::Missing(MissingKind::Empty)
                    } else {
                        Cell::Text(t.to_string())
                    },
                    Status::Final,
                )
            } else {
                number_cell(path, *line, &recs.header[*i], &r[*i])?
            };
            let mut st = if status == Status::Final {
                period_status
            } else {
                status
            };
            if let Some((p, pst)) = period {
                row.period = p.clone();
                if st == Status::Final {
                    st = *pst;
                }
            }
            if let Some(s) = sex {
                row.sex = s.clone();
            }
            if let Some(me) = measure {
                row.measure = if wide_role == Some(Role::Measure)
                    || row.measure.is_empty()
                    || row.measure == "waarde"
                {
                    me.clone()
                } else if m.measure.is_some() {
                    row.measure
                } else {
                    format!("{} {}", row.measure, me)
                };
            }
            if text_cols.get(i).copied().unwrap_or(false) {
                row.unit = "code".into();
            } else if row.unit.is_empty() && measure_key_number(&row.measure).is_some() {
                row.unit = catalog::unit(&table_id, &row.measure)
                    .unwrap_or("")
                    .to_string();
            }
            row.value = value;
            row.status = st;
            rows.push(row);
        }
    }
    let (dimensions, note) = plain_layout(
        &recs.header,
        &dim_cols,
        value_cols.len(),
        wide_role,
        m,
        from_file,
    );
    Ok(TidyTable {
        path: path.to_path_buf(),
        form: Form::Plain,
        encoding,
        table_id,
        title,
        dimensions,
        rows,
        layout_note: note,
    })
}
