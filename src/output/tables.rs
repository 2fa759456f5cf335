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
