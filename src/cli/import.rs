//! `woonzorg import`: read CBS data in any form and write one tidy long table.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::geo::Registry;
use crate::output::files::write_file_atomic;
use crate::source::{self, Mapping, SourceError, TidyTable};

const AFTER_HELP: &str = "\
Forms read (recognised from the content, never from a file name):
  - CBS OData download folder: data.csv + DataProperties.csv + one CSV per dimension (codes resolved)
  - CBS TypedDataSet dump: ';', BOM, ID column, keys like BevolkingOp1Januari_1, region names
    (resolved to codes through Gebieden in Nederland of the matching year, see --regions)
  - StatLine web export: quoted fields, years (2021*) or Mannen/Vrouwen as column headers
  - any reshaped wide or long table: column roles from a mapping TOML (--mapping), e.g.
        table_id = \"7461bev\"
        measure = \"Bevolking\"
        unit = \"aantal\"
        region = \"NL01\"
        [columns]
        Geslacht = \"sex\"
        Leeftijd = \"age\"
        [wide]
        headers = \"period\"
  - a tidy CSV written by woonzorg import

Output columns: table_id, region, region_name, period, sex, age, category, measure, unit, value, status
(period as CBS code 2024JJ00; age as 37, 95+, 20-64 or totaal; sex T/M/V; status voorlopig/nihil/ontbreekt/geheim).

Examples:
  woonzorg import cbs/aandachtsgroepen cbs/care       (every table in two folders of CBS downloads)
  woonzorg import cbs/aandachtsgroepen/gemeente_maatstaven_gemeentefonds_2023-2025_85383NED.csv \\
      --where StatusCijfer=Definitief --measures 'Inwoners*' --out data/population/85383NED_inwoners.csv
  woonzorg import bevolking_wide.csv --mapping bevolking_wide.toml --out bevolking.parquet";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// CBS files or folders (a folder is searched for tables; an OData download folder is one table)
    #[arg(required = true, value_name = "FILE|DIR")]
    pub inputs: Vec<PathBuf>,
    /// Write the tidy table here (.csv, or .parquet)
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Column-mapping TOML for a reshaped wide/long table (applies to every FILE given)
    #[arg(long, value_name = "TOML")]
    pub mapping: Option<PathBuf>,
    /// Folder of mapping TOMLs; each applies to the file named by its `file` key
    #[arg(long, value_name = "DIR")]
    pub mappings: Option<PathBuf>,
    /// Region registry used to turn region names into codes (default: data/regions if present)
    #[arg(long, value_name = "DIR")]
    pub regions: Option<PathBuf>,
    /// Keep only these measures (comma-separated keys; a trailing * matches a prefix)
    #[arg(long, value_name = "LIST")]
    pub measures: Option<String>,
    /// Keep only rows where KEY=VALUE (KEY: region, period, sex, age, measure, or a category key;
    /// a trailing * in VALUE matches a prefix, e.g. region=WK*); repeatable
    #[arg(long = "where", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mapping = args.mapping.as_deref().map(Mapping::load).transpose()?;
    let by_file = match &args.mappings {
        Some(dir) => load_mapping_dir(dir)?,
        None => BTreeMap::new(),
    };
    let registry = load_registry(args.regions.as_deref())?;
    if let Some(out) = &args.out {
        crate::output::files::output_file(out, &args.inputs)?;
    }
    let mut paths = Vec::new();
    for input in &args.inputs {
        if input.is_dir() && !input.join("DataProperties.csv").is_file() {
            let found = source::find_tables(input)?;
            if found.is_empty() {
                return Err(SourceError::malformed(
                    source::Pos::file(input),
                    "no CSV tables in this folder",
                    "give a CSV file or a folder with CBS CSV files",
                )
                .into());
            }
            paths.extend(found);
        } else {
            paths.push(input.clone());
        }
    }
    let filters = parse_filters(&args.filters)?;
    let measures: Vec<&str> = args
        .measures
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut matched = Matched::default();
    let mut tables: Vec<TidyTable> = Vec::new();
    let mut out = std::io::stdout().lock();
    for path in &paths {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let m = mapping.as_ref().or_else(|| by_file.get(&file_name));
        for mut t in source::read_table(path, m)? {
            let unresolved = match &registry {
                Some(reg) => reg.resolve_regions(&mut t),
                None => t.unresolved_regions(),
            };
            apply_filters(&mut t, &measures, &filters, &mut matched);
            let mut doubles = Vec::new();
            let id = t.table_id.clone();
            for earlier in tables.iter().filter(|e| e.table_id == id) {
                let n = t.drop_rows_in(earlier)?;
                if n > 0 {
                    doubles.push(format!("{n} ook in {}", earlier.path.display()));
                }
            }
            if !args.quiet {
                print_summary(&mut out, &t, &unresolved, registry.is_some())?;
                if !doubles.is_empty() {
                    writeln!(
                        out,
                        "  dubbel:     rijen met dezelfde waarde {} (één keer geschreven)",
                        doubles.join("; ")
                    )?;
                }
            }
            tables.push(t);
        }
    }
    matched.check(&measures, &filters)?;
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    if let Some(path) = &args.out {
        let refs: Vec<&TidyTable> = tables.iter().collect();
        let is_parquet = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        write_file_atomic(path, |w| -> anyhow::Result<()> {
            if is_parquet {
                crate::output::parquet::write_tidy_parquet(w, &refs)?;
            } else {
                source::tidy::write_tidy_csv(w, &refs)?;
            }
            Ok(())
        })
        .with_context(|| format!("writing {}", path.display()))?;
    }
    if !args.quiet {
        writeln!(
            out,
            "{} tabel(len) gelezen, {} rijen{}",
            tables.len(),
            rows,
            match &args.out {
                Some(p) => format!(", geschreven naar {}", p.display()),
                None => String::new(),
            }
        )?;
    }
    Ok(())
}

fn load_registry(dir: Option<&Path>) -> anyhow::Result<Option<Registry>> {
    match dir {
        Some(d) => Ok(Some(Registry::load(d)?)),
        None => {
            let default = Path::new("data/regions");
            if default.join("registry.csv").is_file() {
                Ok(Some(Registry::load(default)?))
            } else {
                Ok(None)
            }
        }
    }
}

fn load_mapping_dir(dir: &Path) -> anyhow::Result<BTreeMap<String, Mapping>> {
    let mut out = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| SourceError::io(dir, e))?;
    for e in entries {
        let p = e.map_err(|e| SourceError::io(dir, e))?.path();
        if p.extension().is_some_and(|x| x == "toml") {
            let m = Mapping::load(&p)?;
            let Some(file) = m.file.clone() else {
                return Err(SourceError::Mapping {
                    pos: source::Pos::key(&p, "file"),
                    message: "a mapping in a --mappings folder needs `file`".into(),
                    hint: "file = \"name_of_the_table.csv\"".into(),
                }
                .into());
            };
            out.insert(file, m);
        }
    }
    Ok(out)
}

fn parse_filters(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    anyhow::Error::from(SourceError::malformed(
                        source::Pos::key("--where", f.as_str()),
                        format!("'{f}' is not KEY=VALUE"),
                        "e.g. --where StatusCijfer=Definitief",
                    ))
                })
        })
        .collect()
}

/// What `--measures` and `--where` matched over all tables read: a name or condition that
/// matches no row is a mistake (a typo), not an empty table.
#[derive(Default)]
struct Matched {
    measures: Vec<bool>,
    filters: Vec<bool>,
    /// Measures seen, for the hint.
    seen: std::collections::BTreeSet<String>,
}

impl Matched {
    /// The first `--measures` name or `--where` condition that matched no row.
    fn check(&self, measures: &[&str], filters: &[(String, String)]) -> anyhow::Result<()> {
        if let Some(i) = self.measures.iter().position(|m| !m) {
            let known: Vec<&str> = self.seen.iter().take(12).map(String::as_str).collect();
            return Err(SourceError::malformed(
                source::Pos::key("--measures", measures[i]),
                format!("'{}' matches no measure of the tables read", measures[i]),
                format!(
                    "measures: {}{}",
                    known.join(", "),
                    if self.seen.len() > 12 { ", …" } else { "" }
                ),
            )
            .into());
        }
        if let Some(i) = self.filters.iter().position(|m| !m) {
            let (k, v) = &filters[i];
            return Err(SourceError::malformed(
                source::Pos::key("--where", k.as_str()),
                format!("'{k}={v}' matches no row of the tables read"),
                "check the key (region, period, sex, age, measure or a dimension) and its value as `import` prints them",
            )
            .into());
        }
        Ok(())
    }
}

fn apply_filters(
    t: &mut TidyTable,
    measures: &[&str],
    filters: &[(String, String)],
    matched: &mut Matched,
) {
    matched.measures.resize(measures.len(), false);
    matched.filters.resize(filters.len(), false);
    matched
        .seen
        .extend(t.rows.iter().map(|r| r.measure.clone()));
    if !measures.is_empty() {
        let hits = |p: &str, measure: &str| match p.strip_suffix('*') {
            Some(prefix) => measure.starts_with(prefix),
            None => measure == p,
        };
        for (i, p) in measures.iter().enumerate() {
            matched.measures[i] |= t.rows.iter().any(|r| hits(p, &r.measure));
        }
        t.rows
            .retain(|r| measures.iter().any(|p| hits(p, &r.measure)));
    }
    for (i, (k, v)) in filters.iter().enumerate() {
        let is = |x: &str| match v.strip_suffix('*') {
            Some(prefix) => x.starts_with(prefix),
            None => x == v,
        };
        t.rows.retain(|r| match k.as_str() {
            "region" => is(&r.region),
            "period" => is(&r.period),
            "sex" => is(&r.sex),
            "age" => is(&r.age),
            "measure" => is(&r.measure),
            key => r.category_value(key).is_some_and(is),
        });
        matched.filters[i] |= !t.rows.is_empty();
    }
}

fn print_summary(
    out: &mut impl Write,
    t: &TidyTable,
    unresolved: &[String],
    have_registry: bool,
) -> std::io::Result<()> {
    let id = if t.table_id.is_empty() {
        "(onbekende tabel)"
    } else {
        &t.table_id
    };
    writeln!(
        out,
        "{id}  {}",
        if t.title.is_empty() {
            "(titel onbekend)"
        } else {
            &t.title
        }
    )?;
    writeln!(out, "  bestand:    {}", t.path.display())?;
    writeln!(
        out,
        "  vorm:       {} ({}); {}",
        t.form, t.encoding, t.layout_note
    )?;
    if !t.dimensions.is_empty() {
        let dims: Vec<String> = t
            .dimensions
            .iter()
            .map(|d| format!("{} ({})", d.key, d.role.name()))
            .collect();
        writeln!(out, "  dimensies:  {}", dims.join(", "))?;
    }
    let periods = t.periods();
    match periods.len() {
        0 => {}
        1 => writeln!(out, "  perioden:   {}", periods[0])?,
        n => writeln!(
            out,
            "  perioden:   {} … {} ({n})",
            periods[0],
            periods[n - 1]
        )?,
    }
    let regions = t.regions();
    if !regions.is_empty() {
        let note = if unresolved.is_empty() {
            String::new()
        } else if have_registry {
            format!(
                ", {} namen zonder code: {}",
                unresolved.len(),
                unresolved
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        } else {
            format!(
                ", {} namen zonder code (geen regioregister; zie --regions)",
                unresolved.len()
            )
        };
        writeln!(out, "  regio's:    {}{note}", regions.len())?;
    }
    writeln!(
        out,
        "  rijen:      {}, ontbrekende cellen: {}",
        t.rows.len(),
        t.missing_cells()
    )?;
    Ok(())
}
