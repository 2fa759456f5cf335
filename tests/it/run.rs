//! `woonzorg run` on the shipped basis scenario: the files, their figures, the manifest.

use crate::common::{col, read_csv, root, woonzorg};

fn run_basis() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    woonzorg()
        .args(["run", "scenarios/basis.toml", "--no-report", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("Geschreven naar"));
    dir
}

#[test]
fn basis_run_writes_table_pyramid_and_manifest() {
    let dir = run_basis();
    let out = dir.path().join("basis");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ".woonzorg",
            "bevolking_basisjaar.csv",
            "groepen_prognose.png",
            "groepen_prognose.svg",
            "kaart_groei_75plus.png",
            "kaart_groei_75plus.svg",
            "kaart_groei_75plus_bijlage.png",
            "kaart_groei_75plus_bijlage.svg",
            "kaart_sociale_huur.png",
            "kaart_sociale_huur.svg",
            "kaart_tekort_beschermd.png",
            "kaart_tekort_beschermd.svg",
            "kaart_tekort_geclusterd.png",
            "kaart_tekort_geclusterd.svg",
            "kaart_tekort_intramuraal.png",
            "kaart_tekort_intramuraal.svg",
            "kaart_tekort_nultreden.png",
            "kaart_tekort_nultreden.svg",
            "kaart_tekort_opvang.png",
            "kaart_tekort_opvang.svg",
            "kaart_tekort_regulier.png",
            "kaart_tekort_regulier.svg",
            "kaart_tekort_standplaats.png",
            "kaart_tekort_standplaats.svg",
            "manifest.json",
            "piramide_basis_horizon.png",
            "piramide_basis_horizon.svg",
            "piramide_basisjaar.png",
            "piramide_basisjaar.svg",
            "prognose_bevolking.png",
            "prognose_bevolking.svg",
            "tables",
            "wijken_75plus_GM0153.png",
            "wijken_75plus_GM0153.svg",
            "wijken_75plus_GM0375.png",
            "wijken_75plus_GM0375.svg",
            "wijken_75plus_GM0396.png",
            "wijken_75plus_GM0396.svg",
            "wijken_75plus_GM0503.png",
            "wijken_75plus_GM0503.svg",
            "wijken_75plus_GM0796.png",
            "wijken_75plus_GM0796.svg",
            "woningen_per_jaar.png",
            "woningen_per_jaar.svg",
            "woningen_per_type.png",
            "woningen_per_type.svg",
        ]
    );
    // Nothing else left in the parent (no temporary folders).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // gemeente_totals = "constant_aandeel": every gemeente grows with Nederland (the same factor
    // 2024 → 2040 for each), while its ages follow its own cohorts (Delft's 75+ grow otherwise).
    let (h, rows) = read_csv(&out.join("tables/population.csv"));
    let [ri, yi, vi, vari, ai] =
        crate::common::cols(&h, ["region", "year", "value", "variant", "age"]);
    let total = |region: &str, year: &str, old: bool| -> f64 {
        rows.iter()
            .filter(|r| r[ri] == region && r[yi] == year && r[vari] == "midden")
            .filter(|r| !old || r[ai].trim_end_matches('+').parse::<u32>().unwrap() >= 75)
            .map(|r| r[vi].parse::<f64>().unwrap())
            .sum()
    };
    let factor = |g: &str, old: bool| total(g, "2040", old) / total(g, "2024", old);
    for g in ["GM0153", "GM0202", "GM0277", "GM0828", "GM1734"] {
        assert!(
            // population.csv has two decimals: Rozendaal's 1,957 inhabitants of 2040 in 212 cells.
            (factor(g, false) / factor("GM0503", false) - 1.0).abs() < 1e-4,
            "{g}"
        );
    }
    assert!((factor("GM0503", true) / factor("GM0828", true) - 1.0).abs() > 0.01);

    let (h, rows) = read_csv(&out.join("bevolking_basisjaar.csv"));
    let get = |region: &str, sex: &str, band: &str| -> f64 {
        rows.iter()
            .find(|r| {
                r[col(&h, "region")] == region
                    && r[col(&h, "sex")] == sex
                    && r[col(&h, "age_band")] == band
            })
            .map(|r| r[col(&h, "value")].parse().unwrap())
            .unwrap_or_else(|| panic!("no row {region} {sex} {band}"))
    };
    let bands = ["0-17", "18-44", "45-64", "65-74", "75+"];
    // Delft on 1 January 2024 (85383NED Definitief): 109,577 inwoners, 8,082 aged 75+, 15,701 under 18.
    assert_eq!(
        bands.iter().map(|b| get("GM0503", "T", b)).sum::<f64>(),
        109_577.0
    );
    assert_eq!(get("GM0503", "T", "75+"), 8_082.0);
    assert_eq!(get("GM0503", "T", "0-17"), 15_701.0);
    // Men + women = total in every cell; the sex split is marked geschat.
    for r in rows.iter().filter(|r| r[col(&h, "sex")] == "M") {
        let (reg, band) = (&r[col(&h, "region")], &r[col(&h, "age_band")]);
        assert_eq!(
            get(reg, "M", band) + get(reg, "V", band),
            get(reg, "T", band),
            "{reg} {band}"
        );
        assert_eq!(r[col(&h, "quality")], "geschat");
    }
    // The CE0202 roll-up is the sum of its 10 gemeenten.
    let members = [
        "GM0202", "GM0221", "GM0226", "GM0274", "GM0275", "GM0277", "GM0293", "GM0299", "GM1705",
        "GM1734",
    ];
    for b in bands {
        assert_eq!(
            get("CE0202", "T", b),
            members.iter().map(|m| get(m, "T", b)).sum::<f64>()
        );
    }
    assert_eq!(
        get("Beverwijk-Heemskerk", "T", "75+"),
        get("GM0375", "T", "75+") + get("GM0396", "T", "75+")
    );

    // Pyramid: PNG of the documented size; SVG with Dutch text.
    let png = std::fs::read(out.join("piramide_basisjaar.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (w, hgt) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!(
        (w, hgt),
        (
            woonzorg::output::charts::pyramid::WIDTH,
            woonzorg::output::charts::pyramid::HEIGHT
        )
    );
    let svg = std::fs::read_to_string(out.join("piramide_basisjaar.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("Bevolking naar leeftijd en geslacht, 1 januari 2024"));
    assert!(svg.contains("Bron: CBS"));

    // Manifest: version, inputs with SHA-256 that match the files.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["gemeenten"].as_array().unwrap().len(), 16);
    let inputs = m["inputs"].as_array().unwrap();
    assert!(inputs.len() >= 4);
    let pop = inputs
        .iter()
        .find(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .ends_with("85383NED_inwoners.csv")
        })
        .unwrap();
    let bytes = std::fs::read(root().join("data/population/85383NED_inwoners.csv")).unwrap();
    use sha2::Digest;
    assert_eq!(
        pop["sha256"].as_str().unwrap(),
        format!("{:x}", sha2::Sha256::digest(&bytes))
    );
}

#[test]
fn two_runs_give_identical_tables() {
    let a = run_basis();
    let b = run_basis();
    for f in [
        "basis/bevolking_basisjaar.csv",
        "basis/tables/population.csv",
        "basis/tables/components.csv",
    ] {
        assert!(
            std::fs::read(a.path().join(f)).unwrap() == std::fs::read(b.path().join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
}

#[test]
fn no_charts_skips_the_pyramid_and_profile_times_every_stage() {
    let dir = tempfile::tempdir().unwrap();
    let out = woonzorg()
        .args([
            "run",
            "--no-charts",
            "--no-report",
            "--quiet",
            "--profile",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout("")
        .get_output()
        .clone();
    assert!(dir.path().join("basis/bevolking_basisjaar.csv").is_file());
    assert!(!dir.path().join("basis/piramide_basisjaar.png").exists());
    // --profile: one line per stage with its milliseconds, and the total, on stderr.
    let err = String::from_utf8(out.stderr).unwrap();
    let ms = |stage: &str| -> f64 {
        let line = err
            .lines()
            .find(|l| l.starts_with(stage))
            .unwrap_or_else(|| panic!("no stage {stage} in:\n{err}"));
        line[stage.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let stages = [
        "scenario en gebieden",
        "bevolking: invoer en basis",
        "bevolking: projectie",
        "groepen en wonen",
        "tabellen: bevolking, groepen en wonen",
        "wijken",
        "grafieken",
        "rapport: xlsx, parquet, bijlage",
        "manifest (sha-256) en verplaatsen",
    ];
    let sum: f64 = stages.iter().map(|s| ms(s)).sum();
    let total = ms("totaal");
    assert!(
        total > 0.0 && (sum - total).abs() <= 0.1 * stages.len() as f64,
        "{err}"
    );
}

#[test]
fn nl_342_is_every_gemeente_of_2024() {
    let s = woonzorg::scenario::Scenario::load(&root().join("scenarios/nl-342.toml")).unwrap();
    assert_eq!(s.name, "nl-342");
    assert_eq!((s.base_year, s.horizon), (2024, 2040));
    assert_eq!(s.regions.include.len(), 12, "the twelve provinces");
    assert!(s.regions.gemeenten.is_empty() && s.regions.report.is_empty());
    let p = s.projection.unwrap();
    assert_eq!(p.variants, ["midden", "laag", "hoog"]);
    assert!(s.groups.is_some() && s.housing.is_some());
}

#[test]
fn failed_run_keeps_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    woonzorg()
        .args(["run", "--no-charts", "--no-report", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let before = std::fs::read(dir.path().join("basis/bevolking_basisjaar.csv")).unwrap();
    // Same scenario name, but one gemeente does not exist: the run fails after loading data.
    let sc = dir.path().join("kapot.toml");
    let text = std::fs::read_to_string(root().join("scenarios/basis.toml"))
        .unwrap()
        .replace("\"Oss\"", "\"Atlantis\"");
    let text = text
        .replace("\"../", &format!("\"{}/", root().display()))
        .replace(
            "own = \"regios.toml\"",
            &format!("own = \"{}/scenarios/regios.toml\"", root().display()),
        );
    std::fs::write(&sc, text).unwrap();
    woonzorg()
        .arg("run")
        .arg(&sc)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("Atlantis"));
    assert_eq!(
        std::fs::read(dir.path().join("basis/bevolking_basisjaar.csv")).unwrap(),
        before
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}"); // basis/ and kapot.toml
}

#[test]
fn basis_run_projects_every_selected_gemeente_to_2040() {
    let dir = run_basis();
    let (h, rows) = read_csv(&dir.path().join("basis/tables/population.csv"));
    assert_eq!(
        h,
        vec![
            "scenario",
            "variant",
            "region",
            "region_name",
            "year",
            "sex",
            "age",
            "value",
            "base"
        ]
    );
    let (vi, ri, yi, val, bi) = (
        col(&h, "variant"),
        col(&h, "region"),
        col(&h, "year"),
        col(&h, "value"),
        col(&h, "base"),
    );
    let total = |variant: &str, region: &str, year: &str| -> f64 {
        rows.iter()
            .filter(|r| r[vi] == variant && r[ri] == region && r[yi] == year)
            .map(|r| r[val].parse::<f64>().unwrap())
            .sum()
    };
    let gemeenten = [
        "GM0153", "GM0202", "GM0221", "GM0226", "GM0274", "GM0275", "GM0277", "GM0293", "GM0299",
        "GM0375", "GM0396", "GM0503", "GM0796", "GM0828", "GM1705", "GM1734",
    ];
    for v in ["midden", "laag", "hoog"] {
        for g in gemeenten {
            assert!(total(v, g, "2040") > 0.0, "{v} {g}");
        }
        // The selection is the sum of its gemeenten (to rounding of the written values).
        let sum: f64 = gemeenten.iter().map(|g| total(v, g, "2040")).sum();
        assert!((total(v, "selectie", "2040") - sum).abs() < 50.0);
    }
    // Base year: Delft keeps its observed total; the projection orders the variants.
    assert!((total("midden", "GM0503", "2024") - 109_577.0).abs() < 1.0);
    assert!(total("laag", "selectie", "2040") < total("midden", "selectie", "2040"));
    assert!(total("midden", "selectie", "2040") < total("hoog", "selectie", "2040"));
    // Gemeente rows are marked as resting on an estimated base.
    assert!(
        rows.iter()
            .filter(|r| r[ri].starts_with("GM") && !r[vi].starts_with("extern"))
            .all(|r| r[bi] == "geschat")
    );
    assert!(rows.iter().all(|r| r[val].parse::<f64>().unwrap() >= 0.0));
    let (ch, crow) = read_csv(&dir.path().join("basis/tables/components.csv"));
    assert_eq!(
        ch,
        vec![
            "scenario",
            "variant",
            "region",
            "region_name",
            "year",
            "births",
            "deaths",
            "net_migration"
        ]
    );
    assert!(crow.iter().any(|r| r[2] == "GM0503" && r[4] == "2039"));
}

#[test]
fn nederland_run_follows_the_kernprognose() {
    let dir = tempfile::tempdir().unwrap();
    woonzorg()
        .args([
            "run",
            "scenarios/nederland.toml",
            "--no-charts",
            "--no-report",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "NL01      Nederland                       18.044.027",
        ));
    let (h, rows) = read_csv(&dir.path().join("nederland/tables/population.csv"));
    let (vi, yi, val) = (col(&h, "variant"), col(&h, "year"), col(&h, "value"));
    let total = |v: &str, y: &str| -> f64 {
        rows.iter()
            .filter(|r| r[vi] == v && r[yi] == y)
            .map(|r| r[val].parse::<f64>().unwrap())
            .sum()
    };
    assert!((total("midden", "2025") - 18_044_027.0).abs() < 1.0);
    // Kernprognose 2024 (86040NED): 19,180,111 on 1 January 2040; the own model within 1 %.
    let d = total("midden", "2040") / 19_180_111.0 - 1.0;
    assert!(d.abs() < 0.01, "{d}");
    assert!(
        rows.iter()
            .filter(|r| !r[vi].starts_with("extern"))
            .all(|r| r[col(&h, "base")] == "waargenomen")
    );
    // The Kernprognose itself is written beside it.
    assert_eq!(total("extern: Kernprognose 2024", "2040"), 19_180_111.0);
}

#[test]
fn backtest_command_writes_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let a = woonzorg()
        .args([
            "backtest",
            "--base",
            "2015",
            "--to",
            "2025",
            "--no-charts",
            "--out",
        ])
        .arg(dir.path().join("bt"))
        .assert()
        .success()
        .stdout(predicates::str::contains("Backtest Nederland 2015 → 2025"));
    crate::show!("{}", String::from_utf8_lossy(&a.get_output().stdout));
    let (h, rows) = read_csv(&dir.path().join("bt/tables/backtest.csv"));
    assert_eq!(
        h,
        vec![
            "region",
            "sex",
            "age_band",
            "year",
            "realised",
            "projected",
            "error_pct"
        ]
    );
    assert_eq!(rows.len(), 10 * 21 * 3);
    // Realised 1 January 2025, all ages, both sexes: 18,044,027.
    let realised: f64 = rows
        .iter()
        .filter(|r| r[1] == "T" && r[3] == "2025")
        .map(|r| r[4].parse::<f64>().unwrap())
        .sum();
    assert_eq!(realised, 18_044_027.0);
    woonzorg()
        .args(["backtest", "--region", "GM0503"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("only NL01"));
}

/// The basis scenario, rewritten with absolute paths into `dir`, with `extra` appended to
/// its [projection] table.
fn basis_variant(dir: &std::path::Path, name: &str, extra_projection: &str) -> std::path::PathBuf {
    let root = root();
    let mut text = std::fs::read_to_string(root.join("scenarios/basis.toml")).unwrap();
    text = text.replace("\"../", &format!("\"{}/", root.display()));
    text = text.replace(
        "own = \"regios.toml\"",
        &format!("own = \"{}/scenarios/regios.toml\"", root.display()),
    );
    text = text.replace("name = \"basis\"", &format!("name = \"{name}\""));
    text = text.replace(
        "variants = [\"midden\", \"laag\", \"hoog\"]",
        &format!("variants = [\"midden\"]\n{extra_projection}"),
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn rate_overrides_change_one_gemeente_within_the_national_control() {
    let dir = tempfile::tempdir().unwrap();
    let ov = dir.path().join("overrides.csv");
    std::fs::write(&ov, "region,component,value,source\nGM0503,migratiesaldo,0,aanname: geen migratie\nGM0503,sterfte,1.2,aanname: test\n").unwrap();
    let plain = basis_variant(dir.path(), "zonder", "");
    let with = basis_variant(
        dir.path(),
        "met",
        &format!("overrides = \"{}\"", ov.display()),
    );
    for sc in [&plain, &with] {
        woonzorg()
            .arg("run")
            .arg(sc)
            .args(["--no-charts", "--quiet", "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .success();
    }
    let total = |name: &str, region: &str, year: &str| -> f64 {
        let (h, rows) = read_csv(&dir.path().join(format!("out/{name}/tables/population.csv")));
        let (ri, yi, vi) = (col(&h, "region"), col(&h, "year"), col(&h, "value"));
        rows.iter()
            .filter(|r| r[ri] == region && r[yi] == year)
            .map(|r| r[vi].parse::<f64>().unwrap())
            .sum()
    };
    let (a, b) = (
        total("zonder", "GM0503", "2040"),
        total("met", "GM0503", "2040"),
    );
    assert!(b < a - 5_000.0, "Delft without net migration: {a} → {b}");
    // A bad override is refused with its line.
    std::fs::write(
        &ov,
        "region,component,value,source\nGM0503,sterfte,veel,aanname\n",
    )
    .unwrap();
    woonzorg()
        .arg("run")
        .arg(&with)
        .args(["--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("overrides.csv:2"));
}

#[test]
fn external_forecast_as_gemeente_totals() {
    let dir = tempfile::tempdir().unwrap();
    let sc = basis_variant(dir.path(), "pbl", "");
    let text = std::fs::read_to_string(&sc).unwrap().replace(
        "source = \"CBS 85171NED\"",
        "source = \"CBS 85171NED\"\ngebruik = \"totalen\"",
    );
    std::fs::write(&sc, text).unwrap();
    woonzorg()
        .arg("run")
        .arg(&sc)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let (h, rows) = read_csv(&dir.path().join("out/pbl/tables/population.csv"));
    let (vi, ri, yi, val) = (
        col(&h, "variant"),
        col(&h, "region"),
        col(&h, "year"),
        col(&h, "value"),
    );
    let total = |v: &str, region: &str, year: &str| -> f64 {
        rows.iter()
            .filter(|r| r[vi] == v && r[ri] == region && r[yi] == year)
            .map(|r| r[val].parse::<f64>().unwrap())
            .sum()
    };
    // PBL/CBS 85171NED: Delft 123.7 thousand on 1 January 2040; the own projection meets it,
    // with its own age × sex detail.
    assert!(
        (total("midden", "GM0503", "2040") - 123_700.0).abs() < 1.0,
        "{}",
        total("midden", "GM0503", "2040")
    );
    assert!(
        (total("midden", "GM0828", "2030")
            - total("extern: PBL/CBS regionale prognose 2023", "GM0828", "2030"))
        .abs()
            < 1.0
    );
    // A gemeente the forecast does not cover keeps its own projection.
    assert!(total("midden", "GM0277", "2040") > 0.0);
}

#[test]
fn national_control_by_band_and_sex_from_85745ned() {
    let dir = tempfile::tempdir().unwrap();
    let root = root();
    let text = std::fs::read_to_string(root.join("scenarios/nederland.toml"))
        .unwrap()
        .replace("\"../", &format!("\"{}/", root.display()))
        .replace("constrain = false ", "constrain = true\ncontrol = \"85745NED\" ")
        .replace("[regions]", &format!("kernprognose_age_sex = \"{}/data/forecasts/85745NED_kernprognose_leeftijd_geslacht.csv\"\n\n[regions]", root.display()))
        .replace("variants = [\"midden\", \"laag\", \"hoog\"]", "variants = [\"midden\"]");
    let sc = dir.path().join("nl.toml");
    std::fs::write(&sc, text).unwrap();
    woonzorg()
        .arg("run")
        .arg(&sc)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let (h, rows) = read_csv(&dir.path().join("nederland/tables/population.csv"));
    let (vi, yi, si, ai, val) = (
        col(&h, "variant"),
        col(&h, "year"),
        col(&h, "sex"),
        col(&h, "age"),
        col(&h, "value"),
    );
    let sum = |year: &str, sex: &str, lo: u32, hi: u32| -> f64 {
        rows.iter()
            .filter(|r| r[vi] == "midden" && r[yi] == year && (sex == "T" || r[si] == sex))
            .filter(|r| {
                r[ai]
                    .trim_end_matches('+')
                    .parse::<u32>()
                    .is_ok_and(|a| a >= lo && a <= hi)
            })
            .map(|r| r[val].parse::<f64>().unwrap())
            .sum()
    };
    // Total = 86040NED 2040 (19,180,111); men 80–84 = 85745NED (381,585 in the 2023 vintage)
    // scaled by 19,180,111 / 19,186,084.
    assert!((sum("2040", "T", 0, 105) - 19_180_111.0).abs() < 5.0);
    let t = read_csv(&root.join("data/forecasts/85745NED_kernprognose_leeftijd_geslacht.csv"));
    let m8084: f64 =
        t.1.iter()
            .find(|r| {
                r[3] == "2040JJ00"
                    && r[4] == "M"
                    && r[5] == "80-84"
                    && r[6] == "PrognoseInterval=Prognose"
            })
            .unwrap()[9]
            .parse()
            .unwrap();
    let expected = m8084 * 19_180_111.0 / 19_186_084.0;
    assert!(
        (sum("2040", "M", 80, 84) - expected).abs() < 5.0,
        "{} vs {expected}",
        sum("2040", "M", 80, 84)
    );
}
