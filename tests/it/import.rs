//! `woonzorg import` on every table in ../shared/data, and the figures CBS publishes.

use crate::common::{col, import_csv, read_csv, sum_where, woonzorg};
use crate::require_shared;

/// A CSV file, or a folder with one somewhere below it.
fn has_csv(p: &std::path::Path) -> bool {
    if p.is_dir() {
        std::fs::read_dir(p)
            .unwrap()
            .any(|e| has_csv(&e.unwrap().path()))
    } else {
        p.extension().is_some_and(|x| x == "csv")
    }
}

#[test]
fn imports_every_table_in_shared_data() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alles.csv");
    // The whole folder holds 7461bev twice, and the two files disagree on 2024 (shared/data's
    // README: the long file's 2024 is an estimate, "use the wide file"): refused, naming both,
    // rather than writing two values for one cell.
    let long = shared.join("population/nl_bevolking_leeftijd_geslacht_1960-2024_long.csv");
    let refused = woonzorg()
        .args([
            "import",
            shared.to_str().unwrap(),
            "--mappings",
            "data/mappings",
        ])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let refused = String::from_utf8_lossy(&refused);
    assert!(
        refused.contains("nl_bevolking_leeftijd_geslacht_2000-2025_wide.csv:")
            && refused.contains("another value than")
            && refused.contains("1960-2024_long.csv:"),
        "{refused}"
    );
    // Everything but the long file.
    let mut inputs: Vec<std::path::PathBuf> = Vec::new();
    for e in std::fs::read_dir(&shared).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().is_some_and(|n| n == "population") {
            for f in std::fs::read_dir(&p).unwrap() {
                let f = f.unwrap().path();
                if f != long {
                    inputs.push(f);
                }
            }
        } else if has_csv(&p) {
            inputs.push(p);
        }
    }
    let assert = woonzorg()
        .arg("import")
        .args(&inputs)
        .args([
            "--mappings",
            "data/mappings",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let last = stdout.lines().last().unwrap_or("");
    // Written straight to stderr so the count shows in CI logs (libtest captures println!).
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("import ../shared/data: {last}\n").as_bytes(),
    );
    // Every CSV file outside fixtures/ (the long population file left out) and the 2 OData
    // download folders in fixtures/.
    fn csv_files(p: &std::path::Path) -> usize {
        if p.is_dir() {
            std::fs::read_dir(p)
                .unwrap()
                .map(|e| csv_files(&e.unwrap().path()))
                .sum()
        } else {
            usize::from(p.extension().is_some_and(|x| x == "csv"))
        }
    }
    let expected = inputs
        .iter()
        .filter(|p| !p.ends_with("fixtures"))
        .map(|p| csv_files(p))
        .sum::<usize>()
        + 2;
    assert!(expected >= 42, "{expected}");
    assert!(
        last.starts_with(&format!("{expected} tabel(len) gelezen")),
        "{last}"
    );
    let (h, rows) = read_csv(&out);
    let tables: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r[col(&h, "table_id")].as_str())
        .collect();
    for id in [
        "85383NED",
        "86040NED",
        "7461bev",
        "37360ned",
        "83262NED",
        "85755NED",
        "BRP-tabel33",
        "37744ned",
    ] {
        assert!(tables.contains(id), "{id} missing from {tables:?}");
    }
    // Both OData fixtures resolved their codes: 37360ned qx for 0 jaar in 2021.
    assert!(rows.iter().any(|r| r[col(&h, "table_id")] == "37360ned"
        && r[col(&h, "period")] == "2021JJ00"
        && r[col(&h, "age")] == "0"
        && r[col(&h, "sex")] == "T"));
}

#[test]
fn population_wide_file_matches_cbs_totals() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bev.csv");
    woonzorg()
        .args(["import"])
        .arg(shared.join("population/nl_bevolking_leeftijd_geslacht_2000-2025_wide.csv"))
        .args([
            "--mapping",
            "data/mappings/nl_bevolking_wide_7461bev.toml",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = read_csv(&out);
    assert_eq!(
        sum_where(&h, &rows, &[("period", "2020JJ00")]),
        17_407_585.0
    );
    assert_eq!(
        sum_where(&h, &rows, &[("period", "2024JJ00")]),
        17_942_942.0
    );
    assert_eq!(
        sum_where(&h, &rows, &[("period", "2025JJ00")]),
        18_044_027.0
    );
    assert_eq!(rows.len(), 212 * 26);
}

#[test]
fn kernprognose_2024_population_on_1_january_2025() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kp.csv");
    woonzorg()
        .arg("import")
        .arg(shared.join("forecasts/kernprognose_2024-2070_kerncijfers_86040NED.csv"))
        .args([
            "--where",
            "PrognoseInterval=Prognose",
            "--measures",
            "BevolkingOp1Januari_1",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = read_csv(&out);
    assert_eq!(
        sum_where(&h, &rows, &[("period", "2025JJ00")]),
        18_048_111.0
    );
    // The base year 2024 has no population value: it is reported missing, not zero.
    let st = col(&h, "status");
    assert!(
        rows.iter()
            .any(|r| r[col(&h, "period")] == "2024JJ00" && r[st] == "ontbreekt")
    );
}

#[test]
fn gemeenten_of_85383ned_sum_to_nederland_definitief_only() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.csv");
    woonzorg()
        .arg("import")
        .arg(
            shared
                .join("aandachtsgroepen/gemeente_maatstaven_gemeentefonds_2023-2025_85383NED.csv"),
        )
        .args(["--measures", "InwonersTotaal_1", "--out"])
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = read_csv(&out);
    let (ri, pi, ci, vi) = (
        col(&h, "region"),
        col(&h, "period"),
        col(&h, "category"),
        col(&h, "value"),
    );
    for (year, expected) in [("2023JJ00", 17_811_291.0), ("2024JJ00", 17_942_942.0)] {
        let def = |r: &Vec<String>| r[pi] == year && r[ci] == "StatusCijfer=Definitief";
        let gm: f64 = rows
            .iter()
            .filter(|r| def(r) && r[ri].starts_with("GM"))
            .filter_map(|r| r[vi].parse::<f64>().ok())
            .sum();
        let nl: f64 = rows
            .iter()
            .filter(|r| def(r) && r[ri] == "NL01")
            .filter_map(|r| r[vi].parse::<f64>().ok())
            .sum();
        let n_gm = rows
            .iter()
            .filter(|r| def(r) && r[ri].starts_with("GM"))
            .count();
        assert_eq!(n_gm, 342, "{year}");
        assert_eq!(gm, expected, "{year}");
        assert_eq!(nl, expected, "{year}");
        // The Voorlopig rows are there too, kept apart by their category.
        assert_eq!(
            rows.iter()
                .filter(|r| r[pi] == year
                    && r[ci] == "StatusCijfer=Voorlopig"
                    && r[ri].starts_with("GM"))
                .count(),
            342
        );
    }
}

#[test]
fn label_mode_region_names_resolve_to_codes() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wmo.csv");
    let a = woonzorg()
        .arg("import")
        .arg(shared.join(
            "aandachtsgroepen/gemeente_wmo_clienten_aantal_maatwerkvoorzieningen_2024_86060NED.csv",
        ))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(!stdout.contains("zonder code"), "{stdout}");
    let (h, rows) = read_csv(&out);
    let (ri, ni) = (col(&h, "region"), col(&h, "region_name"));
    let find = |name: &str| rows.iter().find(|r| r[ni] == name).map(|r| r[ri].clone());
    assert_eq!(find("'s-Gravenhage (gemeente)").as_deref(), Some("GM0518"));
    assert_eq!(find("Hengelo (O.)").as_deref(), Some("GM0164"));
    assert_eq!(find("Beek (L.)").as_deref(), Some("GM0888"));
    assert_eq!(
        rows.iter()
            .filter(|r| r[ri].starts_with("GM"))
            .map(|r| &r[ri])
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        342
    );
    // Period label "1e halfjaar 2024" becomes the CBS code.
    assert!(rows.iter().all(|r| r[col(&h, "period")] == "2024HJ01"));
}

#[test]
fn statline_export_with_provisional_year_and_dissolved_gemeenten() {
    let shared = require_shared!();
    let (h, rows) = import_csv(
        &shared.join("rates/gemeente_overledenen_2002-2021_statline_export.csv"),
        &[],
    );
    let (ri, pi, si, ui) = (
        col(&h, "region"),
        col(&h, "period"),
        col(&h, "status"),
        col(&h, "unit"),
    );
    // "2021*" is provisional.
    assert!(
        rows.iter()
            .filter(|r| r[pi] == "2021JJ00" && r[ri] == "NL01")
            .all(|r| r[si] == "voorlopig")
    );
    assert_eq!(
        sum_where(&h, &rows, &[("region", "NL01"), ("period", "2020JJ00")]),
        168_678.0
    );
    assert!(rows.iter().all(|r| r[ui] == "aantal"));
    // A gemeente dissolved in 2019 (Haren) is found through the BRP gemeentetabel.
    assert!(rows.iter().any(|r| r[ri] == "GM0017"));
}

#[test]
fn odata_download_resolves_codes_and_half_years() {
    let shared = require_shared!();
    let (h, rows) = import_csv(&shared.join("fixtures/cbsodata_v3_raw_83262NED"), &[]);
    let regions: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r[col(&h, "region")].as_str()).collect();
    assert_eq!(
        regions.into_iter().collect::<Vec<_>>(),
        vec!["GM0518", "NL01"]
    );
    let periods: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r[col(&h, "period")].as_str()).collect();
    assert!(periods.contains("2015HJ01") && periods.contains("2020HJ01"));
    assert!(
        rows.iter()
            .any(|r| r[col(&h, "unit")] == "per 1 000 inwoners")
    );
    assert!(
        rows.iter().all(|r| r[col(&h, "sex")] == "T"
            || r[col(&h, "sex")] == "M"
            || r[col(&h, "sex")] == "V")
    );
}

#[test]
fn utf16_brp_table_reads_with_its_mapping() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("brp.csv");
    woonzorg()
        .arg("import")
        .arg(shared.join("regions/brp_landelijke_tabel33_gemeententabel_2020_utf16.csv"))
        .args([
            "--mapping",
            "data/mappings/brp_tabel33_gemeenten.toml",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("UTF-16 LE"));
    let (h, rows) = read_csv(&out);
    let (ri, mi, vi) = (col(&h, "region"), col(&h, "measure"), col(&h, "value"));
    let new_code = rows
        .iter()
        .find(|r| r[ri] == "GM0017" && r[mi] == "92.12 Nieuwe code")
        .map(|r| r[vi].clone());
    assert_eq!(
        new_code.as_deref(),
        Some("0014"),
        "Haren went into Groningen"
    );
}

#[test]
fn tidy_output_reads_back_identically_and_as_parquet() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    let pq = dir.path().join("a.parquet");
    let src =
        shared.join("forecasts/kernprognose_2025-2070_personen_positie_huishouden_86036NED.csv");
    woonzorg()
        .arg("import")
        .arg(&src)
        .arg("--out")
        .arg(&a)
        .assert()
        .success();
    woonzorg()
        .arg("import")
        .arg(&a)
        .arg("--out")
        .arg(&b)
        .assert()
        .success();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    woonzorg()
        .arg("import")
        .arg(&src)
        .arg("--out")
        .arg(&pq)
        .assert()
        .success();
    let bytes = std::fs::read(&pq).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
}

#[test]
fn unknown_table_prints_what_it_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("eigen.csv");
    std::fs::write(
        &f,
        "Regio's;Perioden;Aantal\nGM0503;2024;109577\nGM0363;2024;931298\n",
    )
    .unwrap();
    woonzorg()
        .arg("import")
        .arg(&f)
        .assert()
        .success()
        .stdout(predicates::str::contains("regio's:    2"))
        .stdout(predicates::str::contains("perioden:   2024JJ00"))
        .stdout(predicates::str::contains(
            "rijen:      2, ontbrekende cellen: 0",
        ));
}

#[test]
fn example_table_with_its_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wmo.csv");
    woonzorg()
        .args([
            "import",
            "examples/eigen_tabel/wmo_clienten.csv",
            "--mapping",
            "examples/eigen_tabel/wmo_clienten.toml",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("kolomrollen uit mapping"));
    let (h, rows) = read_csv(&out);
    assert_eq!(rows.len(), 12);
    // CBS 86050NED: Delft had 7,405 Wmo-cliënten in 2022; the name became the code.
    assert_eq!(
        sum_where(
            &h,
            &rows,
            &[
                ("region", "GM0503"),
                ("period", "2022JJ00"),
                ("measure", "Wmo-cliënten")
            ]
        ),
        7405.0
    );
    assert_eq!(
        sum_where(
            &h,
            &rows,
            &[
                ("region", "GM0796"),
                ("period", "2023JJ00"),
                ("measure", "Wmo-cliënten")
            ]
        ),
        11365.0
    );
}
