//! Scenarios: `extends`, the shipped scenarios, Monte Carlo reproducibility and bands, compare.

use std::path::{Path, PathBuf};

use crate::common::{cols, fails, read_csv, root, run_ok, table_bytes, woonzorg};
use crate::show;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn manifest_scenario(out: &Path) -> serde_json::Value {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    m["scenario"].clone()
}

#[test]
fn extends_nests_overrides_tables_and_replaces_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let basis = root().join("scenarios/basis.toml");
    // The middle scenario lives in another folder than basis and changes a table key, an
    // array of strings and an array of tables.
    write(
        dir.path(),
        "midden.toml",
        &format!(
            "extends = \"{}\"\nname = \"midden_laag\"\ntitle = \"Tussenlaag\"\nhorizon = 2035\n\n[projection]\nvariants = [\"midden\"]\n\n[[housing.policy]]\nid = \"enige\"\nlabel = \"Eén regel\"\nkind = \"aandeel_nieuwbouw\"\nsegments = [\"koop\"]\nthreshold = 0.1\nuntil = 2030\nsource = \"test\"\n",
            basis.display()
        ),
    );
    // The child extends the middle one: overrides a scalar again, adds a group parameter.
    let child = write(
        dir.path(),
        "kind.toml",
        "extends = \"midden.toml\"\nname = \"kind\"\n\n[groups.parameters.statushouders]\nlater = { value = 25000, source = \"test\" }\n",
    );
    run_ok(&child, &dir.path().join("out"));
    let out = dir.path().join("out/kind");
    let s = manifest_scenario(&out);
    assert_eq!(s["name"], "kind"); // the child wins
    assert_eq!(s["title"], "Tussenlaag"); // from the middle
    assert_eq!(s["horizon"], 2035); // from the middle
    assert_eq!(s["base_year"], 2024); // from basis
    assert_eq!(s["projection"]["variants"], serde_json::json!(["midden"])); // array replaced
    assert_eq!(s["projection"]["steer"], "kernprognose"); // table merged: basis's key stays
    assert_eq!(
        s["groups"]["parameters"]["statushouders"]["later"]["value"],
        25000.0
    );
    assert_eq!(s["housing"]["policy"].as_array().unwrap().len(), 1); // array of tables replaced
    // basis's relative paths still point into the repository.
    let data = s["data"]["regions"].as_str().unwrap();
    assert!(
        Path::new(data).is_absolute() && Path::new(data).exists(),
        "{data}"
    );
    let (h, rows) = read_csv(&out.join("tables/policy.csv"));
    let [rule] = cols(&h, ["rule"]);
    assert!(rows.iter().all(|r| r[rule] == "enige"));
    let (h, rows) = read_csv(&out.join("tables/groups.csv"));
    let [yr] = cols(&h, ["year"]);
    assert_eq!(rows.iter().map(|r| r[yr].as_str()).max(), Some("2035"));

    // A cycle is refused, naming extends.
    write(dir.path(), "a.toml", "extends = \"b.toml\"\nname = \"a\"\n");
    let b = write(dir.path(), "b.toml", "extends = \"a.toml\"\nname = \"b\"\n");
    let err = fails(&["run"], &b, &dir.path().join("o1"));
    assert!(err.contains("extends cycle"), "{err}");
}

#[test]
fn a_typo_names_the_key_its_file_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let basis = root().join("scenarios/basis.toml");
    // In a child of basis: the file and line of the child, the key path, did you mean.
    let child = write(
        dir.path(),
        "kind.toml",
        &format!(
            "extends = \"{}\"\nname = \"kind\"\n\n[projection]\nvarianten = [\"midden\"]\n",
            basis.display()
        ),
    );
    let err = fails(&["run"], &child, &dir.path().join("o"));
    assert!(err.contains("kind.toml:5"), "{err}");
    assert!(
        err.contains("unknown key") && err.contains("did you mean 'variants'"),
        "{err}"
    );
    // In a scenario of its own: the table path too.
    for (i, (from, to, key, best)) in [
        ("horizon = 2040", "horizn = 2040", "'horizn'", "'horizon'"),
        ("srb = 1.05", "sbr = 1.05", "'projection.sbr'", "'srb'"),
    ]
    .into_iter()
    .enumerate()
    {
        let text = std::fs::read_to_string(&basis).unwrap().replace(from, to);
        let own = write(dir.path(), &format!("eigen{i}.toml"), &text);
        let err = fails(&["run"], &own, &dir.path().join(format!("o{i}")));
        assert!(
            err.contains(&format!("unknown key {key}"))
                && err.contains(&format!("did you mean {best}")),
            "{err}"
        );
    }
}

#[test]
fn shipped_scenarios_run_and_explain_themselves() {
    let dir = tempfile::tempdir().unwrap();
    for s in [
        "hoge_vergrijzing",
        "extramuralisering",
        "versnelde_uitstroom_bw",
        "hogere_statushouders",
        "dalende_dementie",
    ] {
        let path = root().join(format!("scenarios/{s}.toml"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("extends = \"basis.toml\""), "{s}");
        let comment: usize = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(str::len)
            .sum();
        assert!(comment > 300, "{s}: a paragraph of explanation");
        run_ok(&path, dir.path());
        let s2 = manifest_scenario(&dir.path().join(s));
        assert!(!s2["description"].as_str().unwrap().is_empty());
    }
    // Compare them with basis: extramuralisering has fewer people in institutions, more 85+ at home.
    run_ok(&root().join("scenarios/basis.toml"), dir.path());
    let cmp = dir.path().join("vgl");
    woonzorg()
        .args(["compare", "--no-charts", "--out"])
        .arg(&cmp)
        .arg(dir.path().join("basis"))
        .arg(dir.path().join("extramuralisering"))
        .arg(dir.path().join("versnelde_uitstroom_bw"))
        .arg(dir.path().join("dalende_dementie"))
        .assert()
        .success();
    let (h, rows) = read_csv(&cmp.join("verschil_groepen.csv"));
    let [reg, yr, grp, sc, v, refv, diff] = cols(
        &h,
        [
            "region",
            "year",
            "group",
            "scenario",
            "value",
            "reference_value",
            "difference",
        ],
    );
    let get = |s: &str, g: &str| {
        rows.iter()
            .find(|r| r[reg] == "GM0503" && r[yr] == "2040" && r[sc] == s && r[grp] == g)
            .unwrap()
    };
    let num = |s: &str| s.parse::<f64>().unwrap();
    let wlz = get("extramuralisering", "wlz_verpleegzorg");
    assert!(num(&wlz[diff]) < 0.0);
    // 2 % a year for 16 years: (0.98)^16 = 0.724 of the basis.
    assert!(
        (num(&wlz[v]) / num(&wlz[refv]) - 0.98f64.powi(16)).abs() < 1e-3,
        "{wlz:?}"
    );
    for r in &rows {
        assert!(
            (num(&r[v]) - num(&r[refv]) - num(&r[diff])).abs() < 0.011,
            "{r:?}"
        );
    }
    // Dalende dementie: the age-specific prevalence 1.4 % a year lower, (0.986)^16 of the basis.
    let dem = get("dalende_dementie", "dementie");
    assert!(
        (num(&dem[v]) / num(&dem[refv]) - 0.986f64.powi(16)).abs() < 1e-3,
        "{dem:?}"
    );
    // Versnelde uitstroom: fewer in beschermd wonen by 2040.
    assert!(num(&get("versnelde_uitstroom_bw", "beschermd_wonen_mo")[diff]) < 0.0);
    assert!(cmp.join("verschil_woningen.csv").is_file());
}

#[test]
fn monte_carlo_is_reproducible_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let basis = root().join("scenarios/basis.toml");
    let mut runs = Vec::new();
    for (i, threads) in ["1", "2", "2"].iter().enumerate() {
        let out = dir.path().join(format!("o{i}"));
        woonzorg()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "run",
                "--no-charts",
                "--draws",
                "40",
                "--seed",
                "5",
                "--out",
            ])
            .arg(&out)
            .arg(&basis)
            .assert()
            .success();
        runs.push(table_bytes(&out.join("basis")));
    }
    assert!(runs[0].iter().any(|(n, _)| n == "groups_bands.csv"));
    assert_eq!(runs[0], runs[1], "1 vs 2 threads");
    assert_eq!(runs[1], runs[2], "twice with 2 threads");
    // Another seed gives other bands.
    let out = dir.path().join("o3");
    woonzorg()
        .args([
            "run",
            "--no-charts",
            "--draws",
            "40",
            "--seed",
            "6",
            "--out",
        ])
        .arg(&out)
        .arg(&basis)
        .assert()
        .success();
    let other = table_bytes(&out.join("basis"));
    let bands = |r: &Vec<(String, Vec<u8>)>| {
        r.iter()
            .find(|(n, _)| n == "groups_bands.csv")
            .unwrap()
            .1
            .clone()
    };
    assert_ne!(bands(&runs[0]), bands(&other));
    // The bands are ordered and hold the deterministic run for 75+ in Delft 2040.
    let (h, rows) = read_csv(&dir.path().join("o0/basis/tables/groups_bands.csv"));
    let [reg, yr, grp, m, p2, p16, p50, p83, p97] = cols(
        &h,
        [
            "region", "year", "group", "measure", "p2_5", "p16_5", "p50", "p83_5", "p97_5",
        ],
    );
    let num = |s: &str| s.parse::<f64>().unwrap();
    for r in &rows {
        let q = [
            num(&r[p2]),
            num(&r[p16]),
            num(&r[p50]),
            num(&r[p83]),
            num(&r[p97]),
        ];
        assert!(q.windows(2).all(|w| w[0] <= w[1] + 1e-9), "{r:?}");
    }
    let r = rows
        .iter()
        .find(|r| {
            r[reg] == "GM0503" && r[yr] == "2040" && r[grp] == "ouderen_75plus" && r[m] == "gross"
        })
        .unwrap();
    show!(
        "Delft 75+ 2040, 40 trekkingen: p2,5 {} p50 {} p97,5 {}",
        r[p2],
        r[p50],
        r[p97]
    );
    assert!(num(&r[p2]) < 12_596.0 && 12_596.0 < num(&r[p97]));
}

#[test]
fn zero_spreads_give_the_deterministic_run_as_p50() {
    let dir = tempfile::tempdir().unwrap();
    // Copies of the catalogues without spreads, and no population draw.
    let zero = |text: &str| -> String {
        let mut out = String::new();
        for line in text.lines() {
            let l = match line.find(", spread = {") {
                Some(i) => {
                    let end = line[i..].find('}').map(|j| i + j + 1).unwrap();
                    format!("{}{}", &line[..i], &line[end..])
                }
                None => line.to_string(),
            };
            out.push_str(&l);
            out.push('\n');
        }
        out
    };
    let cat = zero(&std::fs::read_to_string(root().join("data/groups/catalogus.toml")).unwrap());
    let woningen =
        zero(&std::fs::read_to_string(root().join("data/housing/woningen.toml")).unwrap());
    assert!(!cat.contains("spread") && !woningen.contains("spread"));
    let c = write(dir.path(), "catalogus.toml", &cat);
    let w = write(dir.path(), "woningen.toml", &woningen);
    let sc = write(
        dir.path(),
        "zonder.toml",
        &format!(
            "extends = \"{}\"\n\n[uncertainty]\npopulation = \"geen\"\n\n[groups]\ncatalogue = \"{}\"\n\n[housing]\ncatalogue = \"{}\"\n",
            root().join("scenarios/basis.toml").display(),
            c.display(),
            w.display()
        ),
    );
    let out = dir.path().join("out");
    woonzorg()
        .args([
            "run",
            "--no-charts",
            "--no-report",
            "--draws",
            "12",
            "--out",
        ])
        .arg(&out)
        .arg(&sc)
        .assert()
        .success();
    let (h, det) = read_csv(&out.join("basis/tables/groups.csv"));
    let [reg, yr, grp, gross, net, var] =
        cols(&h, ["region", "year", "group", "gross", "net", "variant"]);
    let (bh, bands) = read_csv(&out.join("basis/tables/groups_bands.csv"));
    let [breg, byr, bgrp, bm, p2, p50, p97] = cols(
        &bh,
        ["region", "year", "group", "measure", "p2_5", "p50", "p97_5"],
    );
    let mut n = 0;
    for r in det.iter().filter(|r| r[var] == "midden") {
        for (m, c) in [("gross", gross), ("net", net)] {
            let b = bands
                .iter()
                .find(|b| b[breg] == r[reg] && b[byr] == r[yr] && b[bgrp] == r[grp] && b[bm] == m)
                .unwrap();
            assert_eq!(b[p50], r[c], "{r:?}");
            assert_eq!(b[p2], b[p97], "{b:?}");
            n += 1;
        }
    }
    assert!(n > 1000);
}

/// The bands do not depend on how the draws are split into chunks: with memory for one area at
/// a time (every area of several gemeenten then counts its members again) they are the same
/// bits as with every area in one chunk and the selection carried along.
#[test]
fn monte_carlo_bands_do_not_depend_on_the_chunks() {
    use woonzorg::scenario::montecarlo::{DrawBase, run_draws_within};
    let scenario = root().join("scenarios/basis.toml");
    let prepared = woonzorg::scenario::prepare::prepare_run(&scenario).unwrap();
    let (g, housing) = woonzorg::scenario::count::count_groups_and_housing(
        &prepared.plan,
        &prepared.registry,
        &prepared.variants,
        &prepared.areas,
    )
    .unwrap();
    let (g, housing) = (g.unwrap(), housing.unwrap());
    let several = prepared
        .areas
        .iter()
        .filter(|a| a.members.len() > 1)
        .count();
    assert!(several >= 2, "basis has regions and the selection");
    let sums = |name: &str| &g.sums.iter().find(|(v, _)| v == name).unwrap().1;
    let base = DrawBase {
        catalogue: &g.catalogue,
        plan: &g.plan,
        housing: Some(&housing.catalogue),
        midden: sums("midden"),
        low_high: Some((sums("laag"), sums("hoog"))),
        areas: &prepared.areas,
        seed: 7,
    };
    let one = run_draws_within(&base, 24, 1 << 30, &|_| {}).unwrap();
    let tiny = run_draws_within(&base, 24, 1, &|_| {}).unwrap();
    assert_eq!(one.cells.len(), tiny.cells.len());
    assert!(one.cells.iter().all(|q| q.iter().all(|v| v.is_finite())));
    for (i, (a, b)) in one.cells.iter().zip(&tiny.cells).enumerate() {
        assert_eq!(
            a.map(f64::to_bits),
            b.map(f64::to_bits),
            "cell {i}: {a:?} vs {b:?}"
        );
    }
    show!(
        "{} areas ({several} of several gemeenten), {} cells: the same with 1 chunk and with one area per chunk",
        prepared.areas.len(),
        one.cells.len()
    );
}
