//! What a person gets: the workbook, the Parquet copies, the annex, the charts, the terminal
//! headline and JSON, the Dutch CSV dialect, and neutralised text.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use polars::prelude::*;

use crate::common::{cols, read_csv, root, woonzorg};
use crate::show;

fn full_run(dir: &Path, extra: &[&str]) -> String {
    let out = woonzorg()
        .args(["run", "scenarios/basis.toml", "--draws", "8", "--out"])
        .arg(dir)
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

/// Width and height of a PNG from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn a_run_writes_workbook_parquet_annex_and_charts_with_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let text = full_run(dir.path(), &[]);
    // The headline on the terminal.
    assert!(
        text.contains("Aandachtsgroepen in Delft (GM0503): bruto = alle leden van de groep, netto = iedereen één keer"),
        "{text}"
    );
    assert!(text.contains("Mensen met dementie"), "{text}");
    let out = dir.path().join("basis");
    for f in [
        "basis.xlsx",
        "bijlage.md",
        "bijlage.html",
        "tables/groups.parquet",
        "tables/dwellings.parquet",
        "tables/groups_bands.csv",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }

    // XLSX read back: the Groepen sheet has the CSV's cells, with Dutch headers.
    let (h, rows) = read_csv(&out.join("tables/groups.csv"));
    let mut wb = open_workbook_auto(out.join("basis.xlsx")).unwrap();
    let names = wb.sheet_names().to_vec();
    for s in [
        "Samenvatting",
        "Groepen",
        "Woningen",
        "Kosten",
        "Beleidstoetsen",
        "Bevolking",
        "Bronnen",
    ] {
        assert!(names.iter().any(|n| n == s), "sheet {s} in {names:?}");
    }
    let range = wb.worksheet_range("Groepen").unwrap();
    assert_eq!(range.height(), rows.len() + 1);
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "Scenario");
    assert_eq!(header[2], "Regiocode");
    assert_eq!(header[h.iter().position(|c| c == "net").unwrap()], "Netto");
    for (r, csv_row) in range.rows().skip(1).zip(&rows).step_by(97) {
        for (cell, v) in r.iter().zip(csv_row) {
            match cell {
                Data::Float(x) => {
                    assert!((x - v.parse::<f64>().unwrap()).abs() < 1e-9, "{x} vs {v}")
                }
                Data::String(s) => assert_eq!(s, v),
                Data::Empty => assert!(v.is_empty()),
                other => panic!("unexpected cell {other:?} for {v}"),
            }
        }
    }
    // A summary sheet per report region, its rows the region's groups in groups.csv.
    for (sheet, code) in [
        ("Samenvatting CE0202", "CE0202"),
        ("Samenv. Beverwijk-Heemskerk", "Beverwijk-Heemskerk"),
    ] {
        let range = wb
            .worksheet_range(sheet)
            .unwrap_or_else(|e| panic!("{sheet}: {e}"));
        let [reg, var, grp, yr, gross] = cols(&h, ["region", "variant", "group", "year", "gross"]);
        let gross_2040 = |g: &str| -> f64 {
            rows.iter()
                .find(|r| r[reg] == code && r[var] == "midden" && r[grp] == g && r[yr] == "2040")
                .map(|r| r[gross].parse().unwrap())
                .unwrap()
        };
        let body: Vec<_> = range.rows().skip(1).collect();
        assert_eq!(body.len(), 16, "{sheet}");
        for r in body {
            assert_eq!(r[0].to_string(), code);
            let want = gross_2040(&r[2].to_string());
            match &r[8] {
                Data::Float(x) => assert!((x - want).abs() < 0.006, "{sheet}: {x} vs {want}"),
                other => panic!("{other:?}"),
            }
        }
    }
    // The sources sheet lists the catalogue's numbers with their sources.
    let src = wb.worksheet_range("Bronnen").unwrap();
    assert!(
        src.rows()
            .any(|r| r.iter().any(|c| c.to_string().contains("Zorg voor Beter")))
    );
    assert!(src.height() > 50);

    // Parquet read back with polars: the same rows and totals as the CSV.
    let df = ParquetReader::new(std::fs::File::open(out.join("tables/groups.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), rows.len());
    let [net] = cols(&h, ["net"]);
    let csv_sum: f64 = rows.iter().map(|r| r[net].parse::<f64>().unwrap()).sum();
    let pq_sum = df
        .column("net")
        .unwrap()
        .as_materialized_series()
        .f64()
        .unwrap()
        .sum()
        .unwrap();
    assert!(
        (csv_sum - pq_sum).abs() < 1e-6 * csv_sum,
        "{csv_sum} vs {pq_sum}"
    );
    assert_eq!(df.column("region").unwrap().dtype(), &DataType::String);
    // Every table's copy typed, cell for cell the CSV (the years as integers: an analyst's
    // `pl.col("year") > 2030` works).
    let typed = check_parquet_copies(&out);
    assert_eq!(
        typed,
        [
            "components",
            "costs",
            "dwellings",
            "dwellings_bands",
            "group_flows",
            "groups",
            "groups_bands",
            "kaarten",
            "policy",
            "population",
            "pressure",
            "supply",
            "verdeling",
            "wijken"
        ]
    );

    // Every chart is a valid PNG of its size and an SVG with text.
    let charts = check_charts(&out);
    assert!(charts >= 6, "{charts} charts");

    // The annex: Markdown (snapshot) and one self-contained HTML file with the charts inlined.
    let md = std::fs::read_to_string(out.join("bijlage.md")).unwrap();
    insta::assert_snapshot!("bijlage_basis", md);
    // The taakstelling: up to which half-year the catalogue is current, and every half-year
    // from 2022 to then with its status — 2024 H2 not found, the assumption after 2025 H2.
    assert!(md.contains(
        "landelijke taakstelling gepubliceerd tot en met de 2e helft van 2025 (gecontroleerd 6 december 2026)"
    ));
    for row in [
        "| 2024 1e helft | 18.750 | 14.271 | gepubliceerd |",
        "| 2024 2e helft | 16.088 | – | niet gevonden: aanname |",
        "| 2025 1e helft | 15.000 | – | gepubliceerd |",
        "| 2025 2e helft | 13.000 | – | gepubliceerd |",
        "| na 2025 2e helft | 16.088 | – | aanname |",
    ] {
        assert!(md.contains(row), "{row}");
    }
    let html = std::fs::read_to_string(out.join("bijlage.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("<img"));
    assert!(html.contains("Aannames en bronnen") && html.contains("geschat"));
    // An annex per report region, with its own charts, and an index that links them all.
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    for (file, label, chart) in [
        (
            "bijlage.html",
            "Delft (GM0503)",
            "prognose_bevolking_bijlage.svg",
        ),
        (
            "bijlage_CE0202.html",
            "Arnhem (CE0202), centrumgemeente beschermd wonen/maatschappelijke opvang, 10 gemeenten",
            "prognose_bevolking_CE0202.svg",
        ),
        (
            "bijlage_Beverwijk-Heemskerk.html",
            "Beverwijk-Heemskerk, eigen regio, 2 gemeenten",
            "prognose_bevolking_Beverwijk-Heemskerk.svg",
        ),
    ] {
        assert!(
            index.contains(&format!("<a href=\"{file}\">{label}</a>: 75-plussers ")),
            "{file} in {index}"
        );
        assert!(
            out.join(file).is_file() && out.join(file).with_extension("md").is_file(),
            "{file}"
        );
        assert!(out.join(chart).is_file(), "{chart}");
    }
    let ce = std::fs::read_to_string(out.join("bijlage_CE0202.md")).unwrap();
    assert!(ce.contains("_Arnhem (CE0202) — prognose 2024–2040"), "{ce}");
    assert!(ce.contains("telt 10 gemeenten: Arnhem, Doesburg, Duiven, Renkum, Rheden, Rozendaal, Westervoort, Zevenaar, Lingewaard, Overbetuwe."));
    for f in [
        "prognose_bevolking_CE0202.png",
        "woningen_per_type_CE0202.png",
        "groepen_prognose_CE0202.png",
    ] {
        assert!(ce.contains(f), "{f}");
        // Its charts name the region as its annex does (Arnhem the region is not the gemeente).
        let svg = std::fs::read_to_string(out.join(f.replace(".png", ".svg"))).unwrap();
        assert!(svg.contains("Arnhem (CE0202)"), "{f}");
    }
    // Its maps are its own: its 10 gemeenten outlined among their neighbours.
    assert!(ce.contains("(kaart_groei_75plus_CE0202.png)"), "{ce}");
    let (kh, krows) = read_csv(&out.join("tables/kaarten.csv"));
    let [kk, kg, ki] = cols(&kh, ["kaart", "gebied", "in_regio"]);
    let outlined = |gebied: &str| {
        krows
            .iter()
            .filter(|r| r[kk] == "groei_75plus" && r[kg] == gebied && r[ki] == "ja")
            .count()
    };
    assert_eq!(outlined("bijlage_CE0202"), 10);
    assert_eq!(outlined("bijlage_Beverwijk-Heemskerk"), 2);
    assert_eq!(outlined("bijlage"), 1);
    // Its headline is the region's: the 75+ of CE0202 in the base year, from groups.csv.
    let [reg, var, grp, yr, gross] = cols(&h, ["region", "variant", "group", "year", "gross"]);
    let ce_75 = rows
        .iter()
        .find(|r| {
            r[reg] == "CE0202"
                && r[var] == "midden"
                && r[grp] == "ouderen_75plus"
                && r[yr] == "2024"
        })
        .map(|r| r[gross].parse::<f64>().unwrap())
        .unwrap();
    assert!(
        ce.contains(&format!(
            "| Ouderen 75+ | {} |",
            woonzorg::numbers::nl_number(ce_75)
        )),
        "{ce_75}"
    );
    // Its summary is about the region, not about the main annex's Delft (which the table of
    // every gemeente's tekort in section 2 does list).
    let summary = &ce[..ce.find("## 2.").unwrap()];
    assert!(!summary.contains("Delft"), "{summary}");
    show!(
        "bijlage.html: {} kB, basis.xlsx: {} kB",
        html.len() / 1024,
        std::fs::metadata(out.join("basis.xlsx")).unwrap().len() / 1024
    );
}

#[test]
fn json_summary_dutch_csv_and_neutralised_names() {
    let dir = tempfile::tempdir().unwrap();
    // An own region whose name a spreadsheet would run as a formula.
    let regions = dir.path().join("regios.toml");
    std::fs::write(
        &regions,
        "[[region]]\nname = \"=SOM(1;2)\"\nmembers = [\"Beverwijk\", \"Heemskerk\"]\nsource = \"test\"\n",
    )
    .unwrap();
    let basis = std::fs::read_to_string(root().join("scenarios/basis.toml")).unwrap();
    let abs = root().join("scenarios");
    let text = basis
        .replace("\"../", &format!("\"{}/../", abs.display()))
        .replace(
            "own = \"regios.toml\"",
            &format!("own = \"{}\"", regions.display()),
        )
        .replace(
            "report = [\"CE0202\", \"Beverwijk-Heemskerk\"]",
            "report = [\"=SOM(1;2)\"]\nannexes = [\"Enschede\"]",
        );
    let sc = dir.path().join("scenario.toml");
    std::fs::write(&sc, text).unwrap();
    let out = woonzorg()
        .args([
            "run",
            "--no-charts",
            "--json",
            "--csv-dialect",
            "nl",
            "--out",
        ])
        .arg(dir.path())
        .arg(&sc)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let j: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(j["scenario"], "basis");
    assert!(j["groups"].as_array().unwrap().len() >= 16);
    assert!(
        j["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "bijlage.html")
    );
    let base = dir.path().join("basis");
    // Dutch dialect: `;` and decimal comma.
    let csv = std::fs::read_to_string(base.join("tables/groups.csv")).unwrap();
    let first = csv.lines().nth(1).unwrap();
    assert!(csv.lines().next().unwrap().contains(";region;"), "{first}");
    assert!(csv.lines().any(|l| {
        l.split(';')
            .any(|c| c.contains(',') && c.replace(',', ".").parse::<f64>().is_ok())
    }));
    // The formula-like name is neutralised in the CSV and in the workbook.
    assert!(
        csv.contains(";'=SOM(1;2);") || csv.contains(";\"'=SOM(1;2)\";"),
        "{}",
        &csv[..400]
    );
    let mut wb = open_workbook_auto(base.join("basis.xlsx")).unwrap();
    let range = wb.worksheet_range("Groepen").unwrap();
    let names: Vec<String> = range.rows().skip(1).map(|r| r[3].to_string()).collect();
    assert!(names.iter().any(|n| n == "'=SOM(1;2)"), "{:?}", &names[..3]);
    assert!(!names.iter().any(|n| n.starts_with('=')));
    // regions.annexes: Enschede gets an annex of its own; the own region's file name keeps
    // only letters, digits, '-' and '_'.
    let ens = std::fs::read_to_string(base.join("bijlage_GM0153.md")).unwrap();
    assert!(
        ens.contains("voor Enschede (GM0153), variant midden"),
        "{}",
        &ens[..600]
    );
    assert!(base.join("bijlage__SOM_1_2_.html").is_file());
    let index = std::fs::read_to_string(base.join("index.html")).unwrap();
    assert!(index.contains("<a href=\"bijlage_GM0153.html\">Enschede (GM0153)</a>"));
}

/// Check every PNG in a folder (and its SVG): valid, 1,200 px wide, with text and a source.
fn check_charts(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) == Some("png") {
            let (w, h) = png_size(&std::fs::read(&p).unwrap());
            assert_eq!(w, 1200, "{}", p.display());
            assert!((500..=2400).contains(&h), "{}: {h}", p.display());
            let svg = std::fs::read_to_string(p.with_extension("svg")).unwrap();
            assert!(
                svg.contains("<text") && svg.contains("Bron:"),
                "{}",
                p.display()
            );
            n += 1;
        }
    }
    n
}

#[test]
fn the_charts_of_definitions_backtest_and_compare_are_valid() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("defs");
    woonzorg()
        .args([
            "definitions",
            "examples/definities_delft.toml",
            "--years",
            "2030",
            "--out",
        ])
        .arg(&d)
        .assert()
        .success();
    assert_eq!(check_charts(&d), 1);
    let b = dir.path().join("bt");
    woonzorg()
        .args(["backtest", "--base", "2015", "--to", "2020", "--out"])
        .arg(&b)
        .assert()
        .success();
    assert_eq!(check_charts(&b), 1);
    for s in ["basis", "hogere_statushouders"] {
        crate::common::run_ok(
            &root().join(format!("scenarios/{s}.toml")),
            &dir.path().join("runs"),
        );
    }
    let c = dir.path().join("vgl");
    woonzorg()
        .arg("compare")
        .arg(dir.path().join("runs/basis"))
        .arg(dir.path().join("runs/hogere_statushouders"))
        .arg("--out")
        .arg(&c)
        .assert()
        .success();
    assert_eq!(check_charts(&c), 1);
}

/// Every Parquet copy of a run table read back with polars: typed columns (years and other whole
/// numbers Int32, ages Int32 with `age_open`, counts Float64, text String) whose values are the
/// CSV's, cell by cell. Returns the tables checked.
fn check_parquet_copies(dir: &Path) -> Vec<String> {
    const WHOLE: [&str; 4] = ["year", "until", "draws", "whole_units"];
    let mut checked = Vec::new();
    for e in std::fs::read_dir(dir.join("tables")).unwrap() {
        let pq = e.unwrap().path();
        if pq.extension().and_then(|x| x.to_str()) != Some("parquet") {
            continue;
        }
        let table = pq.file_stem().unwrap().to_str().unwrap().to_string();
        let (h, rows) = read_csv(&pq.with_extension("csv"));
        let df = ParquetReader::new(std::fs::File::open(&pq).unwrap())
            .finish()
            .unwrap();
        assert_eq!(df.height(), rows.len(), "{table}");
        let mut expected: Vec<String> = Vec::new();
        for c in &h {
            expected.push(c.clone());
            if c == "age" {
                expected.push("age_open".into());
            }
        }
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(names, expected, "{table}");
        for (i, name) in h.iter().enumerate() {
            let cells = rows.iter().map(|r| r[i].as_str());
            let s = df.column(name).unwrap().as_materialized_series();
            let what = format!("{table}.{name}");
            if WHOLE.contains(&name.as_str()) {
                assert_eq!(s.dtype(), &DataType::Int32, "{what}");
                for (v, c) in s.i32().unwrap().iter().zip(cells) {
                    assert_eq!(v, (!c.is_empty()).then(|| c.parse().unwrap()), "{what}");
                }
            } else if name == "age" {
                let open = df.column("age_open").unwrap().as_materialized_series();
                assert_eq!(
                    (s.dtype(), open.dtype()),
                    (&DataType::Int32, &DataType::Boolean)
                );
                let pairs = s.i32().unwrap().iter().zip(open.bool().unwrap().iter());
                for ((age, open), c) in pairs.zip(cells) {
                    let want = match c {
                        "totaal" => (None, false),
                        "105+" => (Some(105), true),
                        c => (Some(c.parse().unwrap()), false),
                    };
                    assert_eq!((age, open.unwrap()), want, "{what} {c}");
                }
            } else if s.dtype() == &DataType::Float64 {
                for (v, c) in s.f64().unwrap().iter().zip(cells) {
                    assert_eq!(
                        v,
                        (!c.is_empty()).then(|| c.parse::<f64>().unwrap()),
                        "{what}"
                    );
                }
            } else {
                assert_eq!(s.dtype(), &DataType::String, "{what}");
                let texts: Vec<&str> = s.str().unwrap().iter().map(Option::unwrap).collect();
                assert!(texts.iter().copied().eq(cells.clone()), "{what}");
                // A text column holds text: not numbers only (a count left as text).
                assert!(
                    cells.clone().all(str::is_empty)
                        || cells
                            .clone()
                            .any(|c| !c.is_empty() && c.parse::<f64>().is_err()),
                    "{what} holds only numbers but is text"
                );
            }
        }
        checked.push(table);
    }
    checked.sort();
    checked
}
