//! What a person gets from a run besides the tidy CSV: Parquet copies, one Excel workbook, the
//! woonzorgvisie annex (bijlage.md and a self-contained bijlage.html), and the headline for the
//! terminal. Everything is built from the tables the run wrote, so the annex, the workbook and
//! the CSV always show the same numbers.

use std::path::{Path, PathBuf};

use crate::groups::catalogue::TaakstellingSpec;
use crate::groups::methods::parse_half_year;
use crate::numbers::nl_number;

use super::report_places::annex_places;
use super::track_record::{TrackRecord, track_record_table};
use crate::numbers::signed;
use crate::output::annex::{Annex, AnnexTable, Section};
use crate::output::files::region_file_stem;
use crate::output::parquet::csv_to_parquet;
use crate::output::tables::{csv_to_dutch_dialect, filter_records};
use crate::output::xlsx::{Sheet, dutch_header};
use crate::source::sourced::sourced_entries;

use super::area::area_label;
use super::error::RunError;
use super::resolve::ChainFile;
use super::schema::Scenario;
use super::workbook::{WorkbookParts, write_workbook};

/// The tables of a run, their sheet names in the workbook, and a Dutch description.
pub const TABLES: &[(&str, &str, &str)] = &[
    (
        "groups",
        "Groepen",
        "aandachtsgroepen per regio en jaar, bruto en netto",
    ),
    (
        "dwellings",
        "Woningen",
        "woningen per groep en woningtype: vraag, aanbod, tekort",
    ),
    (
        "supply",
        "Aanbod",
        "woningvoorraad per woningtype: waargenomen, geschat of opgegeven",
    ),
    (
        "pressure",
        "Druk sociale huur",
        "toewijzingen die de aandachtsgroepen vragen",
    ),
    ("costs", "Kosten", "kosten per zorgvorm en betaler"),
    ("policy", "Beleidstoetsen", "beleidsregels: gehaald of niet"),
    (
        "verdeling",
        "Verdeelsleutel",
        "regionale opgave per gemeente",
    ),
    (
        "groups_bands",
        "Bandbreedte groepen",
        "Monte Carlo: percentielen per groep",
    ),
    (
        "dwellings_bands",
        "Bandbreedte woningen",
        "Monte Carlo: percentielen per woningtype",
    ),
    (
        "group_flows",
        "Stromen",
        "instroom, uitstroom, taakstelling",
    ),
    ("components", "Componenten", "geboorten, sterfte, migratie"),
    (
        "wijken",
        "Wijken",
        "wijken: bevolking, leeftijdsgroepen, woningvraag en voorraad",
    ),
    (
        "kaarten",
        "Kaarten",
        "de waarden op de kaarten per gemeente",
    ),
    (
        "population",
        "Bevolking",
        "bevolking naar leeftijd en geslacht",
    ),
];

/// One line of the headline: a group in the annex region.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Headline {
    pub group: String,
    pub label: String,
    /// Net persons in the base year, 2030 and the horizon.
    pub base: f64,
    pub mid: f64,
    pub horizon: f64,
    /// Gross persons (every member of the group) in the base year and the horizon.
    pub gross_base: f64,
    pub gross_horizon: f64,
}

/// What the report step made (nothing with `--no-report`).
#[derive(Default)]
pub struct Report {
    pub files: Vec<String>,
    pub region: String,
    pub region_name: String,
    pub headline: Vec<Headline>,
}

fn table_path(dir: &Path, table: &str) -> PathBuf {
    dir.join("tables").join(format!("{table}.csv"))
}

/// The rows of a run table where every (column, value) matches, read as they stream past (a
/// table of all 342 gemeenten is never held whole for the few rows the annex shows). `None`
/// when the table was not written or cannot be read.
fn read_where(dir: &Path, table: &str, conds: &[(&str, &str)]) -> Option<Sheet> {
    let p = table_path(dir, table);
    if !p.is_file() {
        return None;
    }
    let mut r = csv::Reader::from_path(&p).ok()?;
    let header: Vec<String> = r.headers().ok()?.iter().map(str::to_string).collect();
    let idx: Vec<(usize, &str)> = conds
        .iter()
        .filter_map(|(c, v)| header.iter().position(|h| h == c).map(|i| (i, *v)))
        .collect();
    let matches = |rec: &csv::StringRecord| idx.iter().all(|(i, v)| rec.get(*i) == Some(*v));
    let mut rows = Vec::new();
    // The region (else the year, else the first condition) picks the lines to parse: most rows
    // of a national table are of other regions and years.
    let at = |name: &str| header.iter().position(|h| h == name);
    let (region, year) = (at("region"), at("year"));
    let pick = idx
        .iter()
        .find(|(i, _)| Some(*i) == region)
        .or_else(|| idx.iter().find(|(i, _)| Some(*i) == year))
        .or(idx.first());
    match pick {
        Some(&(i, v)) => {
            for rec in filter_records(&p, i, |f| f == v).ok()? {
                if matches(&rec) {
                    rows.push(rec.iter().map(str::to_string).collect());
                }
            }
        }
        None => {
            let mut rec = csv::StringRecord::new();
            while r.read_record(&mut rec).ok()? {
                rows.push(rec.iter().map(str::to_string).collect());
            }
        }
    }
    Some(Sheet {
        name: table.to_string(),
        header,
        rows,
    })
}

/// The first row's variant and the last row's region and region name of the groups table (the
/// annex region when the scenario names none), read without keeping the rows.
fn groups_ends(dir: &Path, need_last: bool) -> Option<(String, (String, String))> {
    let mut r = csv::Reader::from_path(table_path(dir, "groups")).ok()?;
    let header = r.headers().ok()?.clone();
    let at = |name: &str, or: usize| header.iter().position(|h| h == name).unwrap_or(or);
    let (vi, ri, ni) = (at("variant", 1), at("region", 2), at("region_name", 3));
    let (mut rec, mut last) = (csv::StringRecord::new(), csv::StringRecord::new());
    let mut first_variant = None;
    while r.read_record(&mut rec).ok()? {
        if first_variant.is_none() {
            first_variant = rec.get(vi).map(str::to_string);
            if !need_last {
                return Some((first_variant?, Default::default()));
            }
        }
        // The record just read becomes the last one; the buffer of the one before is read into.
        std::mem::swap(&mut rec, &mut last);
    }
    let text = |i: usize| last.get(i).unwrap_or_default().to_string();
    Some((first_variant?, (text(ri), text(ni))))
}

fn col(s: &Sheet, name: &str) -> Option<usize> {
    s.header.iter().position(|h| h == name)
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

/// What the report of a run is made from: the staged run folder with its tables, the scenario,
/// the annex region (the last region of the groups table when `None`), the input files whose
/// sources are listed, the Monte Carlo seed and draws, and the notes of the run.
pub struct ReportRequest<'a> {
    pub dir: &'a Path,
    pub scenario: &'a Scenario,
    /// The files of the scenario chain with their texts (read once, by the plan).
    pub chain: &'a [ChainFile],
    pub region: Option<AnnexRegion>,
    pub inputs: &'a [PathBuf],
    pub seed_and_draws: Option<(u64, usize)>,
    pub notes: &'a [String],
    /// The gemeente track record the annexes show.
    pub track_record: Option<&'a TrackRecord>,
    /// The regions with an annex of their own besides the main one (the report regions and
    /// `regions.annexes`).
    pub annexes: &'a [AnnexRegion],
    /// The region codes the workbook's table sheets hold (a run of many gemeenten); `None`:
    /// every row.
    pub workbook_detail: Option<&'a [String]>,
    /// Writes tables/population.parquet from what the run holds in memory (else it is read
    /// from the CSV like every other table).
    pub population_parquet: Option<&'a PopulationParquet<'a>>,
    /// The taakstelling groups of the run (label, parameters): the method section shows their
    /// half-years and up to when they are current.
    pub tasks: &'a [(&'a str, &'a TaakstellingSpec)],
}

/// A writer of tables/population.parquet (its path given).
pub type PopulationParquet<'a> = dyn Fn(&Path) -> Result<(), RunError> + Sync + 'a;

/// A region with an annex of its own, `bijlage_<stem>.md/.html` (stem: [`region_file_stem`]),
/// and a summary sheet in the workbook.
#[derive(Debug, Clone)]
pub struct AnnexRegion {
    pub code: String,
    pub name: String,
    /// `gemeente`, `selectie`, or the kind of region (Dutch, as the registry names it).
    pub kind: String,
    /// The names of its gemeenten.
    pub members: Vec<String>,
    /// The size class of a gemeente by its base population (the track record's row).
    pub size_class: Option<&'static str>,
}

/// The charts an annex shows: the main annex's (drawn for the annex region under their plain
/// names, the population chart as `prognose_bevolking_bijlage` when the annex region is not
/// the selection), or a region's own (`<chart>_<stem>`).
#[derive(Debug, Clone, Copy)]
enum AnnexCharts<'a> {
    Main,
    Region(&'a str),
}

impl AnnexCharts<'_> {
    /// The SVG of a chart for this annex, when the run drew it.
    fn file(self, dir: &Path, chart: &str) -> Option<String> {
        let f = match self {
            AnnexCharts::Main => format!("{chart}.svg"),
            AnnexCharts::Region(stem) => format!("{chart}_{stem}.svg"),
        };
        dir.join(&f).is_file().then_some(f)
    }

    /// The population chart: the main annex's own when drawn, else the selection's (which is
    /// then the annex region).
    fn population(self, dir: &Path) -> Option<String> {
        match self {
            AnnexCharts::Main => self
                .file(dir, "prognose_bevolking_bijlage")
                .or_else(|| self.file(dir, "prognose_bevolking")),
            AnnexCharts::Region(_) => self.file(dir, "prognose_bevolking"),
        }
    }
}

/// Build the workbook, the Parquet copies, the annexes and the headline in the staged run
/// folder. The Parquet copies (largest table first) and the workbook with the annexes share the
/// cores (rayon): all of them only read the tables. The tables are turned into the Dutch CSV
/// dialect after.
pub fn write_report(req: ReportRequest<'_>, csv_dialect_nl: bool) -> Result<Report, RunError> {
    let dir = req.dir;
    let population = req.population_parquet;
    let (parquet, report) = rayon::join(
        || parquet_copies(dir, population),
        || workbook_and_annex(req),
    );
    let mut files = parquet?;
    let mut report = report?;
    files.append(&mut report.files);
    report.files = files;
    if csv_dialect_nl {
        for (t, _, _) in TABLES {
            let csv = table_path(dir, t);
            if csv.is_file() {
                csv_to_dutch_dialect(&csv).map_err(|e| RunError::write(&csv, e))?;
            }
        }
    }
    Ok(report)
}

/// A Parquet copy of every table the run wrote (`tables/<table>.parquet`), in parallel, the
/// largest first; the files in the order of [`TABLES`].
fn parquet_copies(
    dir: &Path,
    population: Option<&PopulationParquet<'_>>,
) -> Result<Vec<String>, RunError> {
    use rayon::prelude::*;
    let mut tables: Vec<(usize, &str, u64)> = TABLES
        .iter()
        .enumerate()
        .filter_map(|(i, (t, _, _))| {
            let size = std::fs::metadata(table_path(dir, t)).ok()?.len();
            Some((i, *t, size))
        })
        .collect();
    tables.sort_by_key(|(_, _, size)| std::cmp::Reverse(*size));
    let mut done: Vec<(usize, String)> = tables
        .par_iter()
        .with_max_len(1)
        .map(|(i, t, _)| {
            let pq = dir.join("tables").join(format!("{t}.parquet"));
            match population.filter(|_| *t == "population") {
                Some(write) => write(&pq)?,
                None => csv_to_parquet(&table_path(dir, t), &pq).map_err(|e| RunError::Write {
                    path: pq.clone(),
                    source: std::io::Error::other(e.to_string()),
                })?,
            }
            Ok((*i, format!("tables/{t}.parquet")))
        })
        .collect::<Result<_, RunError>>()?;
    done.sort();
    Ok(done.into_iter().map(|(_, f)| f).collect())
}

/// The summary sheet of a region: its headline per group.
fn summary_sheet(
    name: String,
    (region, region_name): (&str, &str),
    headline: &[Headline],
    [base, mid, horizon]: [u16; 3],
) -> Sheet {
    Sheet {
        name,
        header: vec![
            "region".into(),
            "region_name".into(),
            "group".into(),
            "label".into(),
            format!("bruto {base}"),
            format!("netto {base}"),
            format!("netto {mid}"),
            format!("netto {horizon}"),
            format!("bruto {horizon}"),
        ],
        rows: headline
            .iter()
            .map(|h| {
                vec![
                    region.to_string(),
                    region_name.to_string(),
                    h.group.clone(),
                    h.label.clone(),
                    format!("{:.2}", h.gross_base),
                    format!("{:.2}", h.base),
                    format!("{:.2}", h.mid),
                    format!("{:.2}", h.horizon),
                    format!("{:.2}", h.gross_horizon),
                ]
            })
            .collect(),
    }
}

/// The sheet name of a region's summary: `Samenvatting <code>`, shortened to Excel's 31
/// characters, without the characters a sheet name cannot hold.
fn summary_sheet_name(code: &str) -> String {
    let clean: String = code
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | '?' | '*' | '[' | ']' | ':' | '\''))
        .collect();
    let long = format!("Samenvatting {clean}");
    let name = if long.chars().count() <= 31 {
        long
    } else {
        format!("Samenv. {clean}")
    };
    name.chars().take(31).collect()
}

/// One annex written as `<stem>.md` and `<stem>.html`; the file names.
fn write_annex(dir: &Path, stem: &str, annex: &Annex) -> Result<[String; 2], RunError> {
    let md = dir.join(format!("{stem}.md"));
    std::fs::write(&md, annex.to_markdown()).map_err(|e| RunError::write(&md, e))?;
    let svg = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let html = dir.join(format!("{stem}.html"));
    std::fs::write(&html, annex.to_html(&svg)).map_err(|e| RunError::write(&html, e))?;
    Ok([format!("{stem}.md"), format!("{stem}.html")])
}

/// The one line an index gives an annex: the 75+ and the people with dementia, base year and
/// horizon (gross).
fn index_line(headline: &[Headline], [base, _, horizon]: [u16; 3]) -> String {
    let of = |id: &str| headline.iter().find(|h| h.group == id);
    let mut parts = Vec::new();
    for (id, label) in [
        ("ouderen_75plus", "75-plussers"),
        ("dementie", "mensen met dementie"),
    ] {
        if let Some(h) = of(id) {
            parts.push(format!(
                "{label} {} ({base}) → {} ({horizon})",
                nl_number(h.gross_base),
                nl_number(h.gross_horizon)
            ));
        }
    }
    if parts.is_empty() {
        "bevolking en groepen: zie de bijlage".into()
    } else {
        parts.join("; ")
    }
}

/// The workbook, the annexes (the main one and one per annex region), their index and the
/// headline.
fn workbook_and_annex(req: ReportRequest<'_>) -> Result<Report, RunError> {
    let ReportRequest {
        dir,
        scenario,
        chain,
        region,
        inputs,
        seed_and_draws,
        notes,
        track_record,
        annexes,
        workbook_detail,
        population_parquet: _,
        tasks,
    } = req;
    let mut files = Vec::new();
    let base = scenario.base_year;
    let horizon = scenario.horizon;
    let years = [base, 2030.clamp(base, horizon), horizon];

    // The region of the annex and the headline.
    let ends = groups_ends(dir, region.is_none());
    let main_region = region.unwrap_or_else(|| {
        let (code, name) = ends
            .as_ref()
            .map(|(_, last)| last.clone())
            .unwrap_or_default();
        AnnexRegion {
            code,
            name,
            kind: String::new(),
            members: Vec::new(),
            size_class: None,
        }
    });
    let (region, region_name) = (main_region.code.clone(), main_region.name.clone());
    let first_variant = ends.map_or_else(|| "midden".to_string(), |(v, _)| v);
    let headline = headline_of(dir, &region, &first_variant, years);
    let headlines: Vec<Vec<Headline>> = annexes
        .iter()
        .map(|a| headline_of(dir, &a.code, &first_variant, years))
        .collect();
    let sources = sources_of(chain, inputs);

    // The workbook: the summaries, then the tables streamed from their CSV into their sheets.
    let mut summaries = vec![summary_sheet(
        "Samenvatting".into(),
        (&region, &region_name),
        &headline,
        years,
    )];
    for (a, h) in annexes.iter().zip(&headlines) {
        let name = summary_sheet_name(&a.code);
        if !summaries.iter().any(|s| s.name.eq_ignore_ascii_case(&name)) {
            summaries.push(summary_sheet(name, (&a.code, &a.name), h, years));
        }
    }
    let xlsx = dir.join(format!("{}.xlsx", scenario.name));
    let parts = WorkbookParts {
        dir,
        title: &scenario.title,
        tables: TABLES,
        summaries,
        sources: Sheet {
            name: "Bronnen".into(),
            header: vec!["part".into(), "key".into(), "value".into(), "source".into()],
            rows: sources.clone(),
        },
        detail: workbook_detail,
        variant: &first_variant,
        key_years: years,
    };
    write_workbook(parts, &xlsx).map_err(|e| RunError::Write {
        path: xlsx.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    files.push(format!("{}.xlsx", scenario.name));

    // The annexes: the main one, then one per annex region.
    let mut index = Vec::new();
    let main = AnnexInputs {
        dir,
        scenario,
        region: &region,
        region_name: &shown_name(&main_region),
        variant: &first_variant,
        headline: &headline,
        sources: &sources,
        inputs,
        seed_and_draws,
        notes,
        tasks,
        track_record: track_record.map(|t| (t, main_region.size_class)),
        about: &main_region,
        charts: AnnexCharts::Main,
    };
    files.extend(write_annex(dir, "bijlage", &annex(&main))?);
    index.push((
        "bijlage.html".to_string(),
        region_label(&main_region),
        index_line(&headline, years),
    ));
    for (a, h) in annexes.iter().zip(&headlines) {
        let stem = region_file_stem(&a.code);
        let cx = AnnexInputs {
            region: &a.code,
            region_name: &shown_name(a),
            headline: h,
            track_record: track_record.map(|t| (t, a.size_class)),
            about: a,
            charts: AnnexCharts::Region(&stem),
            ..main
        };
        let file_stem = format!("bijlage_{stem}");
        files.extend(write_annex(dir, &file_stem, &annex(&cx))?);
        index.push((
            format!("{file_stem}.html"),
            region_label(a),
            index_line(h, years),
        ));
    }
    {
        let page = crate::output::annex::index_html(
            &format!("Bijlagen: {}", scenario.title),
            &format!(
                "Scenario {} — prognose {base}–{horizon}, stand 1 januari, variant {first_variant}. Bron: CBS; bewerking woonzorg {}",
                scenario.name,
                env!("CARGO_PKG_VERSION")
            ),
            &index,
        );
        let p = dir.join("index.html");
        std::fs::write(&p, page).map_err(|e| RunError::write(&p, e))?;
        files.push("index.html".into());
    }

    Ok(Report {
        files,
        region,
        region_name,
        headline,
    })
}

/// What a region of several gemeenten is and which gemeenten it holds (none for a gemeente).
fn members_sentence(a: &AnnexRegion) -> Option<String> {
    let n = a.members.len();
    if a.kind == "gemeente" || a.kind.is_empty() || n == 0 {
        return None;
    }
    let who = match a.kind.as_str() {
        "selectie" => format!("{} (de selectie van dit scenario)", a.name),
        kind => format!("{} ({kind})", area_label(&a.code, &a.name)),
    };
    let names = if n <= 40 {
        format!(": {}", a.members.join(", "))
    } else {
        String::new()
    };
    Some(format!(
        "{who} telt {n} gemeenten{names}. De cijfers zijn de som van die gemeenten."
    ))
}

/// A region with its kind for people: "Delft (GM0503)", "Arnhem (CE0202), centrumgemeente
/// beschermd wonen/maatschappelijke opvang, 10 gemeenten".
fn region_label(a: &AnnexRegion) -> String {
    let label = area_label(&a.code, &a.name);
    match a.kind.as_str() {
        "gemeente" | "" => label,
        "selectie" => format!("{label}, {} gemeenten", a.members.len()),
        kind => format!("{label}, {kind}, {} gemeenten", a.members.len()),
    }
}

/// The name an annex gives its region in its text and captions: a gemeente's name ("Delft"); a
/// region's name with its code ("Arnhem (CE0202)": the region is not the gemeente).
fn shown_name(a: &AnnexRegion) -> String {
    super::area::shown_name(&a.kind, &a.code, &a.name)
}

/// The headline per group of the annex region in the first variant: net in the base year, the
/// middle year and the horizon, gross in the base year and the horizon (from tables/groups.csv).
fn headline_of(dir: &Path, region: &str, first_variant: &str, years: [u16; 3]) -> Vec<Headline> {
    let [base, mid_year, horizon] = years;
    let groups = read_where(
        dir,
        "groups",
        &[("region", region), ("variant", first_variant)],
    );
    let mut headline = Vec::new();
    if let Some(g) = &groups {
        let rows = &g.rows;
        let (gi, li, yi, ni, bi) = (
            col(g, "group"),
            col(g, "group_label"),
            col(g, "year"),
            col(g, "net"),
            col(g, "gross"),
        );
        if let (Some(gi), Some(li), Some(yi), Some(ni), Some(bi)) = (gi, li, yi, ni, bi) {
            let mut ids: Vec<(String, String)> = Vec::new();
            for r in rows {
                if !ids.iter().any(|(i, _)| i == &r[gi]) {
                    ids.push((r[gi].clone(), r[li].clone()));
                }
            }
            for (id, label) in ids {
                let at = |y: u16, c: usize| -> f64 {
                    rows.iter()
                        .find(|r| r[gi] == id && r[yi] == y.to_string())
                        .map(|r| num(&r[c]))
                        .unwrap_or(0.0)
                };
                let (net, gross) = (
                    [at(base, ni), at(mid_year, ni), at(horizon, ni)],
                    [at(base, bi), at(horizon, bi)],
                );
                headline.push(Headline {
                    group: id,
                    label,
                    base: net[0],
                    mid: net[1],
                    horizon: net[2],
                    gross_base: gross[0],
                    gross_horizon: gross[1],
                });
            }
        }
    }

    headline
}

/// Every number of the scenario chain and the catalogues with its source: (part, key, value,
/// source). The scenario itself is `scenario`; the files it extends and the catalogues go by
/// their file name.
fn sources_of(chain: &[ChainFile], inputs: &[PathBuf]) -> Vec<Vec<String>> {
    let mut sources: Vec<Vec<String>> = Vec::new();
    let mut add_sources = |text: &str, part: &str| {
        if let Ok(v) = toml::from_str::<toml::Value>(text) {
            for (k, val, src) in sourced_entries(&v) {
                sources.push(vec![part.to_string(), k, val, src]);
            }
        }
    };
    // The scenario itself is listed once, as `scenario`; the files it extends and the
    // catalogues by their name (the chain's texts as the plan read them).
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    let mut listed: Vec<&Path> = Vec::new();
    for p in chain.iter().map(|f| f.path.as_path()).chain(
        inputs
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(PathBuf::as_path),
    ) {
        if listed.iter().any(|l| same(l, p)) {
            continue;
        }
        let name = match listed.is_empty() {
            true => "scenario".to_string(),
            false => p
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or("catalogus")
                .to_string(),
        };
        listed.push(p);
        match chain.iter().find(|f| f.path == p) {
            Some(f) => add_sources(&f.text, &name),
            None => {
                if let Ok(text) = std::fs::read_to_string(p) {
                    add_sources(&text, &name);
                }
            }
        }
    }

    sources
}

/// What the annex is made from: the staged run folder, the scenario, its region and variant,
/// the headline, the sources, the inputs, the Monte Carlo seed and draws, the notes.
struct AnnexInputs<'a> {
    dir: &'a Path,
    scenario: &'a Scenario,
    region: &'a str,
    region_name: &'a str,
    variant: &'a str,
    headline: &'a [Headline],
    sources: &'a [Vec<String>],
    inputs: &'a [PathBuf],
    seed_and_draws: Option<(u64, usize)>,
    notes: &'a [String],
    tasks: &'a [(&'a str, &'a TaakstellingSpec)],
    track_record: Option<(&'a TrackRecord, Option<&'static str>)>,
    /// The region's kind and gemeenten.
    about: &'a AnnexRegion,
    charts: AnnexCharts<'a>,
}

/// The annex, section by section.
fn annex(cx: &AnnexInputs<'_>) -> Annex {
    let mut sections = Vec::new();
    annex_summary(cx, &mut sections);
    annex_dwellings(cx, &mut sections);
    annex_pressure_costs_policy(cx, &mut sections);
    sections.extend(annex_places(
        cx.dir,
        cx.scenario,
        (cx.region, cx.region_name),
        cx.variant,
        match cx.charts {
            AnnexCharts::Main => "bijlage",
            AnnexCharts::Region(stem) => stem,
        },
    ));
    annex_method_and_uncertainty(cx, &mut sections);
    annex_sources_and_accounts(cx, &mut sections);
    // Numbered in order (the places section is there only when the scenario asks for it).
    for (i, s) in sections.iter_mut().enumerate() {
        if let Some((_, rest)) = s.heading.split_once(". ") {
            s.heading = format!("{}. {rest}", i + 1);
        }
    }
    let AnnexInputs {
        scenario,
        region_name,
        ..
    } = *cx;
    let (base, horizon) = (scenario.base_year, scenario.horizon);
    // A region by its name and code (Arnhem the centrumgemeente region is not Arnhem).
    let region_name = match cx.about.kind.as_str() {
        "gemeente" | "" => region_name.to_string(),
        _ => area_label(cx.region, region_name),
    };
    Annex {
        title: format!("Bijlage woonzorgvisie: {}", scenario.title),
        subtitle: format!(
            "{region_name} — prognose {base}–{horizon}, stand 1 januari. Bron: CBS; bewerking woonzorg {}",
            env!("CARGO_PKG_VERSION")
        ),
        sections,
    }
}

/// 1. Samenvatting: the opgave per group, with the population chart.
fn annex_summary(cx: &AnnexInputs<'_>, sections: &mut Vec<Section>) {
    let AnnexInputs {
        dir,
        scenario,
        region,
        region_name,
        variant,
        headline,
        ..
    } = *cx;
    let (base, horizon) = (scenario.base_year, scenario.horizon);
    let mid = 2030.clamp(base, horizon);
    // 1. Samenvatting: the opgave per group.
    let mut s = Section {
        heading: "1. Samenvatting: de opgave per aandachtsgroep".into(),
        ..Default::default()
    };
    s.paragraphs.push(format!(
        "Deze bijlage hoort bij het scenario '{}' ({}). Alle aantallen zijn standen op 1 januari, voor {}, variant {}. \
Netto telt iedereen één keer: wie tot meer groepen behoort, telt mee bij de groep die voorgaat (zie Methode).",
        scenario.title, scenario.name, area_label(region, region_name), variant
    ));
    if let Some(members) = members_sentence(cx.about) {
        s.paragraphs.push(members);
    }
    s.paragraphs.push(
        "Bruto telt alle leden van een groep (alle 65-plussers, ook wie 75+ is of dementie heeft); \
netto alleen wie niet al bij een groep telt die voorgaat. Netto 'Ouderen 65+' zijn dus de 65–74-jarigen \
die tot geen andere groep behoren, niet alle 65-plussers."
            .into(),
    );
    s.tables.push(AnnexTable {
        caption: format!("Aandachtsgroepen in {region_name}: bruto en netto personen"),
        header: vec![
            "Groep".into(),
            format!("Bruto {base}"),
            format!("Netto {base}"),
            format!("Netto {mid}"),
            format!("Netto {horizon}"),
            format!("Verschil netto {base}–{horizon}"),
            format!("Bruto {horizon}"),
        ],
        rows: headline
            .iter()
            .map(|h| {
                vec![
                    h.label.clone(),
                    nl_number(h.gross_base),
                    nl_number(h.base),
                    nl_number(h.mid),
                    nl_number(h.horizon),
                    signed(h.horizon - h.base),
                    nl_number(h.gross_horizon),
                ]
            })
            .collect(),
    });
    // The population chart of the annex region.
    if let Some(chart) = cx.charts.population(dir) {
        s.charts
            .push((format!("Bevolkingsprognose {region_name}"), chart));
    }
    sections.push(s);
}

/// What the supply figures are, in plain Dutch; the annex region's stock per type with its
/// status and method; and the tekort at the horizon for every gemeente and region of the run.
fn annex_supply(cx: &AnnexInputs<'_>, s: &mut Section) {
    let AnnexInputs {
        dir,
        region,
        region_name,
        variant,
        scenario,
        ..
    } = *cx;
    let (base, horizon) = (scenario.base_year, scenario.horizon);
    s.paragraphs.push(String::from(
        "Waar het aanbod vandaan komt. Geteld door het CBS (waargenomen): de hele woningvoorraad en de eigendom — koop, woningcorporatie, overige verhuurders (82900NED) — en eengezins- en meergezinswoningen (85035NED). Geen register telt nultredenwoningen, geclusterde woningen, intramurale plaatsen, plaatsen voor beschermd wonen en opvang of standplaatsen; die zijn geschat, elk met een vermelde methode en bron (docs/METHODS.md §1h): nultreden als landelijk aandeel verdeeld naar meergezinswoningen, geclusterd als de landelijke telling (RIGO) verdeeld naar 75-plussers, intramuraal uit de inwoners van zorginstellingen en de bezettingsgraad, beschermd wonen en opvang uit de Wmo-cliënten met verblijf en opvang van de centrumgemeente, verdeeld naar inwoners van 18–64 jaar. Zo'n schatting is een orde van grootte, geen telling: bij nultreden scheelt de definitie een factor vier (WoON 2006: 21 %; 'geschikt of aanpasbaar': 86 %). Elk cijfer staat met zijn status, methode en bron in tables/supply.csv; 'woningcatalogus: …' verwijst naar de parameters van de woningcatalogus in het hoofdstuk Aannames en bronnen.",
    ));
    s.paragraphs.push(String::from(
        "Eigen cijfers geven. Een gemeente of corporatie die het beter weet, zet haar telling in een CSV-bestand (region,dwelling_type,value,source) onder housing.supply en haar planlijst onder housing.pipeline; elke rij vervangt precies de schatting of telling van dezelfde gemeente en hetzelfde type (status opgegeven), en eigen plannen vervangen de trend. Een voorbeeld staat in scenarios/delft_eigen_voorraad.toml. Wie een bijzonder type opgeeft, geeft ook regulier: dat is anders de hele voorraad min de geschatte typen.",
    ));
    if let Some(d) = read_where(
        dir,
        "supply",
        &[("region", region), ("year", &base.to_string())],
    ) {
        let (ti, vi, si, mi) = (
            col(&d, "dwelling_type"),
            col(&d, "value"),
            col(&d, "status"),
            col(&d, "method"),
        );
        if let (Some(ti), Some(vi), Some(si), Some(mi)) = (ti, vi, si, mi) {
            s.tables.push(AnnexTable {
                caption: format!("Woningvoorraad in {region_name} op 1 januari {base}"),
                header: vec![
                    "Woningtype".into(),
                    "Aantal".into(),
                    "Status".into(),
                    "Methode".into(),
                ],
                rows: d
                    .rows
                    .iter()
                    .map(|r| {
                        vec![
                            r[ti].clone(),
                            if r[vi].is_empty() {
                                "—".into()
                            } else {
                                nl_number(num(&r[vi]))
                            },
                            r[si].clone(),
                            r[mi].clone(),
                        ]
                    })
                    .collect(),
            });
        }
    }
    let Some(d) = read_where(
        dir,
        "dwellings",
        &[
            ("variant", variant),
            ("group", "totaal"),
            ("year", &horizon.to_string()),
        ],
    ) else {
        return;
    };
    let (ci, ni, ti, gi, st) = (
        col(&d, "region"),
        col(&d, "region_name"),
        col(&d, "dwelling_type"),
        col(&d, "gap_net"),
        col(&d, "supply_status"),
    );
    let (Some(ci), Some(ni), Some(ti), Some(gi), Some(st)) = (ci, ni, ti, gi, st) else {
        return;
    };
    let mut types: Vec<String> = Vec::new();
    let mut areas: Vec<(String, String)> = Vec::new();
    for r in &d.rows {
        if r[ti].starts_with("geclusterd_cbs") {
            continue;
        }
        if !types.contains(&r[ti]) {
            types.push(r[ti].clone());
        }
        let key = (r[ci].clone(), r[ni].clone());
        if !areas.contains(&key) {
            areas.push(key);
        }
    }
    let rows = areas
        .iter()
        .map(|(code, name)| {
            let of = |t: &str| d.rows.iter().find(|r| &r[ci] == code && r[ti] == t);
            let label = if code == name || code == "selectie" {
                name.clone()
            } else {
                format!("{name} ({code})")
            };
            let mut row = vec![label];
            let mut statuses: Vec<String> = Vec::new();
            for t in &types {
                let r = of(t);
                row.push(
                    r.map(|r| {
                        if r[gi].is_empty() {
                            "—".into()
                        } else {
                            signed(num(&r[gi]))
                        }
                    })
                    .unwrap_or_default(),
                );
                for part in r.map(|r| r[st].as_str()).unwrap_or("").split(" + ") {
                    if !part.is_empty() && !statuses.iter().any(|x| x == part) {
                        statuses.push(part.to_string());
                    }
                }
            }
            row.push(statuses.join(", "));
            row
        })
        .collect();
    let mut header = vec!["Gemeente of regio".to_string()];
    header.extend(types.iter().cloned());
    header.push("Aanbod".into());
    s.tables.push(AnnexTable {
        caption: format!(
            "Tekort {horizon} per gemeente en regio (netto vraag min aanbod; negatief = overschot), variant {variant}"
        ),
        header,
        rows,
    });
    s.paragraphs.push(String::from(
        "Lees een tekort aan reguliere woningen naast een overschot aan nultredenwoningen samen: de vraag naar nultredenwoningen telt alleen de aandachtsgroepen die er een nodig hebben, terwijl de nultredenwoningen ook door andere huishoudens bewoond worden.",
    ));
}

/// 2. Woningen: demand, supply and tekort per dwelling type.
fn annex_dwellings(cx: &AnnexInputs<'_>, sections: &mut Vec<Section>) {
    let AnnexInputs {
        dir,
        region,
        region_name,
        variant,
        scenario,
        ..
    } = *cx;
    let (base, horizon) = (scenario.base_year, scenario.horizon);
    // 2. Woningen.
    let mut s = Section {
        heading: "2. Woningen per type: vraag, aanbod en tekort".into(),
        ..Default::default()
    };
    if let Some(d) = read_where(
        dir,
        "dwellings",
        &[
            ("region", region),
            ("variant", variant),
            ("group", "totaal"),
        ],
    ) {
        let rows = &d.rows;
        let (ti, yi, di, si, gi, st) = (
            col(&d, "dwelling_type"),
            col(&d, "year"),
            col(&d, "demand_net"),
            col(&d, "supply"),
            col(&d, "gap_net"),
            col(&d, "supply_status"),
        );
        if let (Some(ti), Some(yi), Some(di), Some(si), Some(gi), Some(st)) =
            (ti, yi, di, si, gi, st)
        {
            let types: Vec<String> = rows
                .iter()
                .filter(|r| r[yi] == base.to_string())
                .map(|r| r[ti].clone())
                .collect();
            let at = |t: &str, y: u16| rows.iter().find(|r| r[ti] == t && r[yi] == y.to_string());
            s.paragraphs.push(String::from(
                "Vraag: de netto aantallen per groep omgezet in woningen (personen per woning uit de huishoudensposities, CBS 37620) en plaatsen (intramuraal, beschermd wonen, opvang: één plaats per cliënt gedeeld door de bezettingsgraad), plus de huishoudens die niet tot een groep behoren. Aanbod: de voorraad op 1 januari van het basisjaar plus de plancapaciteit, of — waar de gemeente geen plannen opgeeft — de trend van de netto toevoegingen. Een leeg aanbod betekent dat het ontbreekt — het is niet als nul gelezen."
            ));
            s.tables.push(AnnexTable {
                caption: format!("Woningen en plaatsen in {region_name}"),
                header: vec![
                    "Woningtype".into(),
                    format!("Vraag {base}"),
                    format!("Vraag {horizon}"),
                    format!("Aanbod {horizon}"),
                    format!("Tekort {horizon}"),
                    "Aanbod".into(),
                ],
                rows: types
                    .iter()
                    .map(|t| {
                        let b = at(t, base);
                        let h = at(t, horizon);
                        let f = |r: Option<&Vec<String>>, i: usize| {
                            r.map(|r| {
                                if r[i].is_empty() {
                                    "—".to_string()
                                } else {
                                    nl_number(num(&r[i]))
                                }
                            })
                            .unwrap_or_default()
                        };
                        vec![
                            t.clone(),
                            f(b, di),
                            f(h, di),
                            f(h, si),
                            h.map(|r| {
                                if r[gi].is_empty() {
                                    "—".into()
                                } else {
                                    signed(num(&r[gi]))
                                }
                            })
                            .unwrap_or_default(),
                            h.map(|r| r[st].clone()).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            });
        }
    }
    annex_supply(cx, &mut s);
    for (alt, f) in [
        ("Woonzorgwoningen per type", "woningen_per_type"),
        ("Woningen per type en jaar", "woningen_per_jaar"),
    ] {
        if let Some(f) = cx.charts.file(dir, f) {
            s.charts.push((alt.into(), f));
        }
    }
    sections.push(s);
}

/// 3. Druk, kosten en beleid.
fn annex_pressure_costs_policy(cx: &AnnexInputs<'_>, sections: &mut Vec<Section>) {
    let AnnexInputs {
        dir,
        region,
        variant,
        scenario,
        ..
    } = *cx;
    let (base, horizon) = (scenario.base_year, scenario.horizon);
    let mid = 2030.clamp(base, horizon);
    // 3. Druk, kosten en beleid.
    let mut s = Section {
        heading: "3. Sociale huur, kosten en beleidstoetsen".into(),
        ..Default::default()
    };
    if let Some(p) = read_where(
        dir,
        "pressure",
        &[
            ("region", region),
            ("variant", variant),
            ("group", "totaal"),
        ],
    ) && let (Some(yi), Some(li), Some(ni), Some(shi), Some(vi)) = (
        col(&p, "year"),
        col(&p, "lettings"),
        col(&p, "needed"),
        col(&p, "share"),
        col(&p, "verdringing"),
    ) {
        let rows = &p.rows;
        s.tables.push(AnnexTable {
            caption: "Toewijzingen van sociale huurwoningen".into(),
            header: vec![
                "Jaar".into(),
                "Toewijzingen".into(),
                "Voor aandachtsgroepen".into(),
                "Aandeel".into(),
                "Verdringing".into(),
            ],
            rows: rows
                .iter()
                .filter(|r| [base, mid, horizon].iter().any(|y| r[yi] == y.to_string()))
                .map(|r| {
                    vec![
                        r[yi].clone(),
                        nl_number(num(&r[li])),
                        nl_number(num(&r[ni])),
                        format!("{:.0} %", 100.0 * num(&r[shi])),
                        r[vi].clone(),
                    ]
                })
                .collect(),
        });
    }
    if let Some(c) = read_where(
        dir,
        "costs",
        &[
            ("region", region),
            ("variant", variant),
            ("setting", "totaal"),
        ],
    ) && let (Some(yi), Some(pi), Some(ci)) =
        (col(&c, "year"), col(&c, "payer"), col(&c, "cost"))
    {
        let rows = &c.rows;
        let payers: Vec<String> = rows
            .iter()
            .filter(|r| r[yi] == base.to_string())
            .map(|r| r[pi].clone())
            .collect();
        s.tables.push(AnnexTable {
            caption: "Kosten per betaler (euro per jaar)".into(),
            header: vec!["Betaler".into(), base.to_string(), horizon.to_string()],
            rows: payers
                .iter()
                .map(|p| {
                    let at = |y: u16| {
                        rows.iter()
                            .find(|r| &r[pi] == p && r[yi] == y.to_string())
                            .map(|r| nl_number(num(&r[ci])))
                            .unwrap_or_default()
                    };
                    vec![p.clone(), at(base), at(horizon)]
                })
                .collect(),
        });
    }
    if let Some(p) = read_where(dir, "policy", &[("region", region)])
        && let (Some(li), Some(mi), Some(di)) =
            (col(&p, "label"), col(&p, "met"), col(&p, "detail"))
    {
        let rows = &p.rows;
        s.tables.push(AnnexTable {
            caption: "Beleidstoetsen".into(),
            header: vec!["Regel".into(), "Gehaald".into(), "Toelichting".into()],
            rows: rows
                .iter()
                .map(|r| vec![r[li].clone(), r[mi].clone(), r[di].clone()])
                .collect(),
        });
    }
    sections.push(s);
}

/// 4. Methode and 5. Onzekerheid.
fn annex_method_and_uncertainty(cx: &AnnexInputs<'_>, sections: &mut Vec<Section>) {
    let AnnexInputs {
        dir,
        region,
        seed_and_draws,
        scenario,
        ..
    } = *cx;
    let horizon = scenario.horizon;
    // 4. Methode.
    let own_method = match scenario
        .projection
        .as_ref()
        .map(|p| p.gemeente_totals.as_str())
    {
        Some("constant_aandeel") => "cohort_aandeel",
        _ => "cohort_eigen_groei",
    };
    let gemeente_text = if own_method == "cohort_aandeel" {
        "Gemeenten: elke gemeente houdt haar aandeel in de landelijke bevolking van het basisjaar; wat geboorte en sterfte daarvan laten is migratie, verdeeld naar het leeftijdspatroon van migratie, zodat de oudste leeftijden hun eigen cohortverloop houden. Die keuze volgt uit de backtest hieronder: vanaf 2016 met alleen gegevens tot 2016 doorgerekend zat het constante aandeel het dichtst bij de werkelijke inwonertallen van 2025, en het cohortmodel het dichtst bij de 75-plussers. Voor de grote gemeenten zat de PBL/CBS-prognose dichter bij; daarom staat de laatste PBL/CBS-prognose naast de eigen prognose."
    } else {
        "Gemeenten: elke gemeente heeft een eigen migratieniveau uit haar groei over de jaren vóór het basisjaar (growth_window). In de backtest hieronder zat deze methode verder van de werkelijkheid dan een constant aandeel van Nederland (gemeente_totals = \"constant_aandeel\")."
    };
    let mut method = Section {
        heading: "4. Methode".into(),
        paragraphs: vec![
            "Bevolking: cohort-componentenmodel met losse leeftijden (0 tot 105 jaar en ouder) en geslacht, stappen van één jaar. Sterfte uit CBS 37168 en 7461bev, geboorten naar leeftijd van de moeder (CBS 37744ned), migratie naar leeftijd; gestuurd op de Kernprognose 2024 (CBS 86040NED) en per leeftijd en geslacht afgestemd op de landelijke prognose. Per gemeente zijn de leeftijdsklassen waargenomen (CBS 85383NED); losse leeftijden en de verdeling naar geslacht zijn geschat. Geschatte aantallen zijn in de tabellen gemarkeerd als 'geschat'.".into(),
            gemeente_text.into(),
            "Aandachtsgroepen: per groep een methode uit de catalogus — prevalentie (bevolking × kans × trend, per gemeente gekalibreerd op waargenomen aantallen), voorraad-stroom (instroom, uitstroom begrensd door beschikbare woningen), taakstelling (statushouders naar bevolkingsaandeel, achterstand schuift door) of een gegeven pad.".into(),
            "Overlap: een persoon kan tot meer groepen behoren (75-plus, dementie, verpleeghuis). Bruto telt elke groep volledig; netto telt iedereen één keer, bij de groep die volgens de prioriteit voorgaat (intramuraal, beschermd wonen en opvang, dakloos, zorgvragen, dan leeftijdsgroepen). Overlap tussen een leeftijdsgroep en een groep met een leeftijdsprofiel is exact berekend; andere overlap is opgegeven met bron.".into(),
            "Woningen: personen per woning uit huishoudensposities naar leeftijd en geslacht (CBS 37620), verdeeld over woningtypen volgens de catalogus; plaatsen (intramuraal, beschermd wonen, opvang) zijn geen huishoudens.".into(),
        ],
        ..Default::default()
    };
    if let Some((tr, class)) = cx.track_record {
        method.paragraphs.push(format!(
            "Trefzekerheid. Elke methode is vanaf 1 januari 2016 doorgerekend met alleen wat toen bekend was (CBS 60039fvw, 85644NED, 82900NED, 71488ned, 7461bev, Gebieden in Nederland), en vergeleken met de werkelijke inwonertallen van alle 342 gemeenten op 1 januari 2025 (75-plussers: CBS 85383NED, 1 januari 2024); de PBL/CBS-prognose 2016 (CBS 83492NED) zoals gepubliceerd. Te herhalen met `woonzorg backtest --level gemeente --base 2016 --to 2025`; bron van de tabel: {}.",
            tr.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        method
            .tables
            .push(track_record_table(tr, class, own_method));
    }
    sections.push(method);

    // 5. Onzekerheid.
    let mut s = Section {
        heading: "5. Onzekerheid".into(),
        ..Default::default()
    };
    match seed_and_draws {
        Some((seed, draws)) if draws > 0 => {
            s.paragraphs.push(format!(
                "Monte Carlo met {draws} trekkingen (seed {seed}): elke parameter met een spreiding is getrokken, en de bevolking tussen de varianten laag en hoog van de Kernprognose waar dat is gevraagd. De 67 %- en 95 %-intervallen per groep staan in tables/groups_bands.csv."
            ));
            if let Some(b) = read_where(dir, "groups_bands", &[("region", region)])
                && let (Some(gi), Some(yi), Some(mi), Some(p16), Some(p50), Some(p83)) = (col(&b, "group"), col(&b, "year"), col(&b, "measure"), col(&b, "p16_5"), col(&b, "p50"), col(&b, "p83_5"))
            {
                let rows = &b.rows;
                s.tables.push(AnnexTable {
                    caption: format!("Netto personen {horizon}: mediaan en 67 %-interval"),
                    header: vec!["Groep".into(), "P16,5".into(), "Mediaan".into(), "P83,5".into()],
                    rows: rows
                        .iter()
                        .filter(|r| r[yi] == horizon.to_string() && r[mi] == "net")
                        .map(|r| vec![r[gi].clone(), nl_number(num(&r[p16])), nl_number(num(&r[p50])), nl_number(num(&r[p83]))])
                        .collect(),
                });
            }
        }
        _ => s.paragraphs.push(
            "Deze run heeft geen Monte Carlo-trekkingen; de varianten laag en hoog van de Kernprognose staan in tables/population.csv. Met `woonzorg run --draws 500` komen intervallen per groep en gemeente in tables/groups_bands.csv.".into(),
        ),
    }
    if let Some(f) = cx.charts.file(dir, "groepen_prognose") {
        s.charts
            .push(("Aandachtsgroepen met bandbreedte".into(), f));
    }
    sections.push(s);
}

/// A half-year as the annex writes it: `2024H1` → "1e helft van 2024" in a sentence,
/// "2024 1e helft" in a table's first column.
fn half_label(period: &str, in_table: bool) -> String {
    match parse_half_year(period) {
        Some((y, h)) if in_table => format!("{y} {h}e helft"),
        Some((y, h)) => format!("{h}e helft van {y}"),
        None => period.to_string(),
    }
}

/// What a reader should know of the taakstelling's currency: up to which half-year it is
/// published (or given), which half-years were not found, where the model starts.
fn taakstelling_note(label: &str, spec: &TaakstellingSpec) -> String {
    let half = |p: &str| half_label(p, false);
    let missing: Vec<String> = spec
        .targets
        .iter()
        .filter(|t| t.value.is_none())
        .map(|t| half(&t.period))
        .collect();
    let observed: Vec<String> = spec
        .targets
        .iter()
        .filter(|t| t.gehuisvest.is_some() && spec.modelled(t))
        .map(|t| half(&t.period))
        .collect();
    let given = spec.targets.last().is_some_and(|t| t.given());
    let current = half(&spec.current_to.period);
    let mut s = format!(
        "{label}: landelijke taakstelling {} tot en met de {current} (gecontroleerd {}).",
        if given { "opgegeven" } else { "gepubliceerd" },
        crate::numbers::dutch_date(&spec.current_to.checked)
            .unwrap_or_else(|| spec.current_to.checked.clone())
    );
    let later = nl_number(spec.later.value);
    if missing.is_empty() {
        s.push_str(&format!(
            " Na de {current} geldt de aanname van {later} per halfjaar."
        ));
    } else {
        s.push_str(&format!(
            " Niet gevonden: {}; daar geldt de aanname van {later} per halfjaar, net als na de {current}.",
            missing.join(", ")
        ));
    }
    if let Some((y, h)) = spec.start_half() {
        s.push_str(&format!(
            " Achterstand {} bij de start van de {h}e helft van {y}",
            nl_number(spec.achterstand.value)
        ));
        if !observed.is_empty() {
            s.push_str(&format!(
                "; gehuisvest waargenomen in de {}",
                observed.join(", ")
            ));
        }
        s.push_str(&format!(
            "; daarna {} % van taak plus achterstand per halfjaar (aanname).",
            nl_number(spec.realisatie.value * 100.0)
        ));
    }
    s
}

/// The taakstelling per half-year as the catalogue lists it: published (or given), housed where
/// the realisation was published, not found (the assumption applies), and the assumption after
/// the last one listed.
fn taakstelling_table(label: &str, spec: &TaakstellingSpec) -> AnnexTable {
    let mut rows: Vec<Vec<String>> = spec
        .targets
        .iter()
        .map(|t| {
            let status = match (t.value, spec.modelled(t), t.given()) {
                (Some(_), true, true) => "opgegeven",
                (Some(_), false, true) => "opgegeven (vóór de start van de berekening)",
                (Some(_), true, false) => "gepubliceerd",
                (Some(_), false, false) => "gepubliceerd (vóór de start van de berekening)",
                (None, _, _) => "niet gevonden: aanname",
            };
            vec![
                half_label(&t.period, true),
                nl_number(t.value.unwrap_or(spec.later.value)),
                t.gehuisvest.map_or_else(|| "–".to_string(), nl_number),
                status.to_string(),
                t.source.clone(),
            ]
        })
        .collect();
    rows.push(vec![
        format!("na {}", half_label(&spec.current_to.period, true)),
        nl_number(spec.later.value),
        "–".into(),
        "aanname".into(),
        spec.later.source.clone(),
    ]);
    AnnexTable {
        caption: format!("{label}: landelijke taakstelling per halfjaar"),
        header: vec![
            "Halfjaar".into(),
            "Taakstelling".into(),
            "Gehuisvest".into(),
            "Status".into(),
            "Bron".into(),
        ],
        rows,
    }
}

/// 6. Aannames en bronnen and 7. Verantwoording.
fn annex_sources_and_accounts(cx: &AnnexInputs<'_>, sections: &mut Vec<Section>) {
    let AnnexInputs {
        sources,
        inputs,
        seed_and_draws,
        notes,
        tasks,
        ..
    } = *cx;
    // 6. Aannames en bronnen: the taakstelling per half-year and up to when it is current,
    // then every number with its source.
    let mut s = Section {
        heading: "6. Aannames en bronnen".into(),
        paragraphs: vec!["Elk getal in het scenario en de catalogi heeft een bron: een CBS-tabel, een rapport, of een aanname die als zodanig is benoemd.".into()],
        ..Default::default()
    };
    for (label, spec) in tasks {
        s.paragraphs.push(taakstelling_note(label, spec));
        s.tables.push(taakstelling_table(label, spec));
    }
    s.tables.push(AnnexTable {
        caption: String::new(),
        header: vec![
            "Onderdeel".into(),
            "Sleutel".into(),
            "Waarde".into(),
            "Bron".into(),
        ],
        rows: sources.to_vec(),
    });
    sections.push(s);

    // 7. Verantwoording.
    let mut bullets: Vec<String> = inputs
        .iter()
        .map(|p| {
            format!(
                "invoer: {}",
                p.file_name().and_then(|f| f.to_str()).unwrap_or("")
            )
        })
        .collect();
    bullets.dedup();
    bullets.extend(notes.iter().cloned());
    sections.push(Section {
        heading: "7. Verantwoording".into(),
        paragraphs: vec![format!(
            "Gemaakt met woonzorg {}; manifest.json in dezelfde map geeft de SHA-256 van elke invoer en uitvoer{}. Kolomnamen: {}.",
            env!("CARGO_PKG_VERSION"),
            seed_and_draws.map(|(s, d)| format!(", seed {s} en {d} trekkingen")).unwrap_or_default(),
            ["region", "year", "gross", "net", "demand_net", "supply", "gap_net"].iter().map(|c| format!("{c} = {}", dutch_header(c))).collect::<Vec<_>>().join(", ")
        )],
        bullets,
        ..Default::default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Up to when the catalogue's taakstelling is current, said in the annex's words.
    #[test]
    fn the_taakstelling_note_says_up_to_when_it_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/groups/catalogus.toml");
        let cat = crate::groups::Catalogue::load(&path).unwrap();
        let g = cat.groups.iter().find(|g| g.id == "statushouders").unwrap();
        let t = g.taakstelling.as_ref().unwrap();
        let note = taakstelling_note("Statushouders", t);
        assert!(note.contains("tot en met de 2e helft van 2025"), "{note}");
        assert!(note.contains("Niet gevonden: 2e helft van 2024"), "{note}");
    }
}
