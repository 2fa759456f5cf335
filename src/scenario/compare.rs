//! `woonzorg compare`: scenarios side by side. Reads the tables of finished runs (the first
//! variant of each) and writes the differences with the first run per group, dwelling type,
//! region and year, plus a chart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::output::charts::hbars::{HorizontalBars, draw_hbars};
use crate::output::files::{StagedDir, output_target};
use crate::output::tables::create_csv;

use super::error::RunError;
use super::schema::ScenarioError;
use crate::numbers::cents;

/// One run's values: (region, year, key) → value, with region names and the run's name.
struct RunTable {
    name: String,
    values: BTreeMap<(String, String, String), f64>,
    names: BTreeMap<String, String>,
}

fn bad(path: &Path, message: String) -> RunError {
    ScenarioError::Invalid {
        path: path.to_path_buf(),
        key: "tables".into(),
        message,
        hint: "give the output folders of `woonzorg run` (e.g. out/basis out/extramuralisering)"
            .into(),
    }
    .into()
}

/// Read `file` of a run folder: rows of the first variant, keyed by region, year and `key`
/// columns, value from `value_col`; `filter` keeps rows by (column, value).
fn read_run(
    dir: &Path,
    file: &str,
    key: &[&str],
    value_col: &str,
    filter: &[(&str, &str)],
) -> Result<RunTable, RunError> {
    let path = dir.join("tables").join(file);
    let mut r =
        csv::Reader::from_path(&path).map_err(|e| bad(&path, format!("cannot read: {e}")))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| bad(&path, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |c: &str| -> Result<usize, RunError> {
        header
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| bad(&path, format!("no column '{c}'")))
    };
    let (sc, var, reg, rname, yr, val) = (
        col("scenario")?,
        col("variant")?,
        col("region")?,
        col("region_name")?,
        col("year")?,
        col(value_col)?,
    );
    let keys: Vec<usize> = key.iter().map(|k| col(k)).collect::<Result<_, _>>()?;
    let filters: Vec<(usize, &str)> = filter
        .iter()
        .map(|(c, v)| col(c).map(|i| (i, *v)))
        .collect::<Result<_, _>>()?;
    let mut t = RunTable {
        name: String::new(),
        values: BTreeMap::new(),
        names: BTreeMap::new(),
    };
    let mut first_variant: Option<String> = None;
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(&path, format!("line {}: {e}", i + 2)))?;
        let variant = rec.get(var).unwrap_or("").to_string();
        let fv = first_variant.get_or_insert_with(|| variant.clone());
        if *fv != variant || !filters.iter().all(|(c, v)| rec.get(*c) == Some(v)) {
            continue;
        }
        t.name = rec.get(sc).unwrap_or("").to_string();
        let Some(v) = rec.get(val).and_then(|v| v.parse::<f64>().ok()) else {
            continue;
        };
        let k = keys
            .iter()
            .map(|&c| rec.get(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("|");
        let region = rec.get(reg).unwrap_or("").to_string();
        t.names
            .insert(region.clone(), rec.get(rname).unwrap_or("").to_string());
        t.values
            .insert((region, rec.get(yr).unwrap_or("").to_string(), k), v);
    }
    if t.values.is_empty() {
        return Err(bad(&path, "no rows".into()));
    }
    Ok(t)
}

/// What `compare` produced.
pub struct CompareOutcome {
    pub out_dir: PathBuf,
    pub files: Vec<String>,
    /// (scenario, group, region, year, value, difference with the first) at the last year of
    /// the first region, for the terminal.
    pub summary: Vec<(String, String, f64, f64)>,
    pub region: String,
    pub year: String,
}

fn write_diff(path: &Path, what: &str, runs: &[RunTable]) -> std::io::Result<()> {
    let mut w = create_csv(
        path,
        &[
            "region",
            "region_name",
            "year",
            what,
            "scenario",
            "value",
            "reference",
            "reference_value",
            "difference",
            "difference_pct",
        ],
    )?;
    let Some((first, rest)) = runs.split_first() else {
        return w.flush();
    };
    for ((region, year, key), base) in &first.values {
        for r in rest {
            let Some(v) = r.values.get(&(region.clone(), year.clone(), key.clone())) else {
                continue;
            };
            let pct = if *base != 0.0 {
                format!("{:.4}", 100.0 * (v - base) / base)
            } else {
                String::new()
            };
            w.write_record([
                region.as_str(),
                first.names.get(region).map(String::as_str).unwrap_or(""),
                year,
                key,
                &r.name,
                &cents(*v),
                &first.name,
                &cents(*base),
                &cents(v - base),
                &pct,
            ])?;
        }
    }
    w.flush()
}

/// Compare finished runs with the first one.
pub fn compare_runs(
    dirs: &[PathBuf],
    out: &Path,
    no_charts: bool,
) -> Result<CompareOutcome, RunError> {
    if dirs.len() < 2 {
        return Err(bad(
            Path::new("compare"),
            "needs at least two run folders".into(),
        ));
    }
    let out = &output_target(out, "vergelijking", true, dirs)?;
    let groups: Vec<RunTable> = dirs
        .iter()
        .map(|d| read_run(d, "groups.csv", &["group"], "net", &[]))
        .collect::<Result<_, _>>()?;
    let dwellings: Vec<Option<RunTable>> = dirs
        .iter()
        .map(|d| {
            read_run(
                d,
                "dwellings.csv",
                &["dwelling_type"],
                "demand_net",
                &[("group", "totaal")],
            )
            .ok()
        })
        .collect();
    let staged = StagedDir::new(out).map_err(|source| RunError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let werr = |p: PathBuf| move |source: std::io::Error| RunError::write(&p, source);
    let mut files = Vec::new();
    let p = staged.path("verschil_groepen.csv");
    write_diff(&p, "group", &groups).map_err(werr(p.clone()))?;
    files.push("verschil_groepen.csv".to_string());
    if dwellings.iter().all(Option::is_some) {
        let d: Vec<RunTable> = dwellings.into_iter().flatten().collect();
        let p = staged.path("verschil_woningen.csv");
        write_diff(&p, "dwelling_type", &d).map_err(werr(p.clone()))?;
        files.push("verschil_woningen.csv".to_string());
    }
    // The summary: the first region and the last year of the first run.
    let first = &groups[0];
    let region = first
        .values
        .keys()
        .next()
        .map(|k| k.0.clone())
        .unwrap_or_default();
    let region = if first.names.contains_key("GM0503") {
        "GM0503".to_string()
    } else {
        region
    };
    let year = first
        .values
        .keys()
        .filter(|k| k.0 == region)
        .map(|k| k.1.clone())
        .max()
        .unwrap_or_default();
    let group_ids: Vec<String> = first
        .values
        .keys()
        .filter(|k| k.0 == region && k.1 == year)
        .map(|k| k.2.clone())
        .collect();
    let mut summary = Vec::new();
    for r in &groups[1..] {
        for g in &group_ids {
            let key = (region.clone(), year.clone(), g.clone());
            if let (Some(a), Some(b)) = (first.values.get(&key), r.values.get(&key)) {
                summary.push((r.name.clone(), g.clone(), *b, b - a));
            }
        }
    }
    if !no_charts {
        let chart = HorizontalBars {
            title: format!(
                "Scenario's vergeleken met {}: {}, 1 januari {year}",
                first.name,
                first.names.get(&region).cloned().unwrap_or_default()
            ),
            subtitle:
                "Verschil in personen per aandachtsgroep (netto), eerste variant van elk scenario"
                    .into(),
            source_line: format!(
                "Bron: woonzorg-runs {}; bewerking woonzorg {}",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                env!("CARGO_PKG_VERSION")
            ),
            x_label: "verschil met het eerste scenario (personen)".into(),
            categories: group_ids.clone(),
            series: groups[1..]
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        group_ids
                            .iter()
                            .map(|g| {
                                let key = (region.clone(), year.clone(), g.clone());
                                Some(r.values.get(&key)? - first.values.get(&key)?)
                            })
                            .collect(),
                    )
                })
                .collect(),
            reference: Some(0.0),
        };
        draw_hbars(
            &chart,
            &staged.path("verschil_groepen.png"),
            &staged.path("verschil_groepen.svg"),
        )?;
        files.push("verschil_groepen.png".into());
        files.push("verschil_groepen.svg".into());
    }
    let out_dir = staged.commit().map_err(werr(out.to_path_buf()))?;
    Ok(CompareOutcome {
        out_dir,
        files,
        summary,
        region,
        year,
    })
}
