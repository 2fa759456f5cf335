//! Where: the maps per gemeente and the wijken of a gemeente (issue 24).

use std::collections::BTreeMap;
use std::path::Path;

use woonzorg::geo::boundaries::read_shapes;

use crate::common::{col, read_csv, root, woonzorg};

/// The polygons of each gemeente in the shipped boundaries.
fn polygons_per_gemeente() -> BTreeMap<String, usize> {
    read_shapes(&root().join("data/geo/gemeenten_2024.geojson"))
        .unwrap()
        .into_iter()
        .map(|s| (s.code, s.polygons.len()))
        .collect()
}

/// The map's rows of tables/kaarten.csv: (gemeente, in_regio, value).
fn map_rows(out: &Path, kaart: &str, gebied: &str) -> Vec<(String, String, String)> {
    let (h, rows) = read_csv(&out.join("tables/kaarten.csv"));
    let [k, g, c, r, v] =
        ["kaart", "gebied", "gemeente", "in_regio", "map_value"].map(|n| col(&h, n));
    rows.iter()
        .filter(|x| x[k] == kaart && x[g] == gebied)
        .map(|x| (x[c].clone(), x[r].clone(), x[v].clone()))
        .collect()
}

/// A map's SVG fills one polygon per part of every gemeente its table lists, and its PNG is an
/// image.
fn assert_map_draws(out: &Path, stem: &str, codes: &[String]) {
    let per = polygons_per_gemeente();
    let svg = std::fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
    let want: usize = codes.iter().map(|c| per[c]).sum();
    assert_eq!(svg.matches("<polygon").count(), want, "{stem}");
    let png = std::fs::read(out.join(format!("{stem}.png"))).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}");
    assert!(png.len() > 20_000, "{stem}: {} bytes", png.len());
}

#[test]
fn basis_draws_the_map_of_delft_and_projects_its_wijken_to_the_gemeente() {
    let dir = tempfile::tempdir().unwrap();
    woonzorg()
        .args(["run", "scenarios/basis.toml", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let out = dir.path().join("basis");

    // The annex map: Delft outlined among its neighbours, every one drawn.
    let rows = map_rows(&out, "groei_75plus", "bijlage");
    let codes: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    for neighbour in ["GM0518", "GM0603", "GM1842", "GM1926", "GM1621", "GM0599"] {
        assert!(
            codes.contains(&neighbour.to_string()),
            "{neighbour}: {codes:?}"
        );
    }
    assert_eq!(
        rows.iter()
            .filter(|r| r.1 == "ja")
            .map(|r| r.0.as_str())
            .collect::<Vec<_>>(),
        ["GM0503"]
    );
    // The 75+ grow in every gemeente on it (all 342 are projected): no grey.
    assert!(rows.iter().all(|r| !r.2.is_empty()), "{rows:?}");
    assert_map_draws(&out, "kaart_groei_75plus_bijlage", &codes);
    // The run's map: all the run's gemeenten are on it and in the region.
    let run_rows = map_rows(&out, "tekort_nultreden", "run");
    for g in [
        "GM0503", "GM0796", "GM0828", "GM0153", "GM0375", "GM0396", "GM0202",
    ] {
        let r = run_rows.iter().find(|r| r.0 == g).unwrap();
        assert_eq!(r.1, "ja", "{g}");
        assert!(!r.2.is_empty(), "{g}: a gemeente of the run has its tekort");
    }
    let run_codes: Vec<String> = run_rows.iter().map(|r| r.0.clone()).collect();
    assert_map_draws(&out, "kaart_tekort_nultreden", &run_codes);

    // The wijken of Delft keep their KWB 2024 inhabitants in the base year (the KWB rounds
    // each wijk to 5; the wijken are scaled to the gemeente's 109,577 from their sum 109,585).
    let (h, rows) = read_csv(&out.join("tables/wijken.csv"));
    let [v, g, w, y, k, m, val] = [
        "variant", "gemeente", "wijk", "year", "kind", "measure", "value",
    ]
    .map(|n| col(&h, n));
    let delft: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[g] == "GM0503" && r[v] == "midden")
        .collect();
    let pick = |kind: &str, measure: &str, year: &str| -> BTreeMap<String, f64> {
        delft
            .iter()
            .filter(|r| r[k] == kind && r[m] == measure && r[y] == year)
            .map(|r| (r[w].clone(), r[val].parse().unwrap()))
            .collect()
    };
    let kwb = pick("kwb", "inwoners", "2024");
    let model = pick("leeftijd", "totaal", "2024");
    assert_eq!(kwb.len(), 13);
    assert_eq!(kwb["WK050311"], 13_935.0);
    for (wijk, n) in &kwb {
        assert!(
            (model[wijk] - n).abs() <= 5.0,
            "{wijk}: {} vs KWB {n}",
            model[wijk]
        );
    }
    // In every year the wijken add up to the gemeente: the 75+ of population.csv and the
    // gross ouderen_75plus of groups.csv.
    let (ph, prow) = read_csv(&out.join("tables/population.csv"));
    let [pv, pr, py, pa, pval] = ["variant", "region", "year", "age", "value"].map(|n| col(&ph, n));
    let (gh, grow) = read_csv(&out.join("tables/groups.csv"));
    let [gv, gr, gy, gg, ggross] =
        ["variant", "region", "year", "group", "gross"].map(|n| col(&gh, n));
    for year in ["2024", "2030", "2040"] {
        let wijken: f64 = pick("leeftijd", "75+", year).values().sum();
        let gemeente: f64 = prow
            .iter()
            .filter(|r| r[pv] == "midden" && r[pr] == "GM0503" && r[py] == year)
            .filter(|r| r[pa].trim_end_matches('+').parse::<u32>().unwrap() >= 75)
            .map(|r| r[pval].parse::<f64>().unwrap())
            .sum();
        // population.csv rounds each of its 62 cells 75–105 × M/V to cents.
        assert!(
            (wijken - gemeente).abs() < 0.5,
            "{year}: {wijken} vs {gemeente}"
        );
        let group: f64 = grow
            .iter()
            .find(|r| {
                r[gv] == "midden" && r[gr] == "GM0503" && r[gy] == year && r[gg] == "ouderen_75plus"
            })
            .map(|r| r[ggross].parse().unwrap())
            .unwrap();
        let in_wijken: f64 = pick("groep", "ouderen_75plus", year).values().sum();
        assert!(
            (in_wijken - group).abs() < 0.2,
            "{year}: {in_wijken} vs {group}"
        );
    }
    // Delft's 75+ 2024 in its wijken: the gemeente's 8,082 (CBS 85383NED).
    let base_75: f64 = pick("leeftijd", "75+", "2024").values().sum();
    assert!((base_75 - 8082.0).abs() < 0.1, "{base_75}");

    // The annex shows the map and the wijk chart of Delft, and the wijk table.
    let html = std::fs::read_to_string(out.join("bijlage.html")).unwrap();
    assert!(html.contains("4. Waar: kaarten en wijken"));
    assert!(html.contains("aria-label=\"Groei 75+ 2024–2040\""));
    assert!(html.contains("Groei van het aantal 75-plussers, 2024–2040"));
    assert!(html.contains("aria-label=\"75-plussers per wijk, Delft\""));
    assert!(html.contains("Wijk 25 Buitenhof"));
    let md = std::fs::read_to_string(out.join("bijlage.md")).unwrap();
    assert!(md.contains("![Groei 75+ 2024–2040](kaart_groei_75plus_bijlage.png)"));
    assert!(md.contains("![75-plussers per wijk, Delft](wijken_75plus_GM0503.png)"));
    assert!(out.join("tables/wijken.parquet").is_file());
}

/// A scenario for one gemeente with the national map of the 75+, written beside `dir`.
fn national_map_scenario(dir: &Path, boundaries: &Path) -> std::path::PathBuf {
    let text = format!(
        "extends = \"{root}/scenarios/basis.toml\"\nname = \"oss_kaart\"\ntitle = \"Oss\"\n\n\
[data]\nboundaries = \"{b}\"\n\n\
[regions]\ngemeenten = [\"Oss\"]\ninclude = []\nown = \"\"\nreport = []\n\n\
[projection]\nvariants = [\"midden\"]\n\n\
[housing]\nverdeel = []\n\n\
[maps]\nkinds = [\"groei_75plus\"]\nextent = \"nederland\"\n",
        root = root().display(),
        b = boundaries.display()
    );
    let p = dir.join("oss_kaart.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_national_map_draws_342_gemeenten_and_a_gemeente_without_a_boundary_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let sc = national_map_scenario(dir.path(), &root().join("data/geo"));
    woonzorg()
        .arg("run")
        .arg(&sc)
        .args(["--quiet", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let out = dir.path().join("out/oss_kaart");
    let rows = map_rows(&out, "groei_75plus", "run");
    assert_eq!(rows.len(), 342);
    assert!(rows.iter().all(|r| !r.2.is_empty()));
    let codes: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    assert_map_draws(&out, "kaart_groei_75plus", &codes);
    // KWB 2024 as shipped stops at Losser: the annex says Oss has no wijk level.
    let md = std::fs::read_to_string(out.join("bijlage.md")).unwrap();
    assert!(md.contains("dekken Oss niet"), "{md}");
    assert!(!out.join("tables/wijken.csv").exists());

    // Boundaries without Oss: an error naming it, and nothing written.
    let geo = dir.path().join("geo");
    std::fs::create_dir(&geo).unwrap();
    let text = std::fs::read_to_string(root().join("data/geo/gemeenten_2024.geojson")).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains("\"GM0828\"")).collect();
    // GM0828 is not the last feature: its line goes with its comma.
    std::fs::write(geo.join("gemeenten_2024.geojson"), kept.join("\n")).unwrap();
    std::fs::copy(
        root().join("data/geo/provincies_2024.geojson"),
        geo.join("provincies_2024.geojson"),
    )
    .unwrap();
    let sc = national_map_scenario(dir.path(), &geo);
    let bad_out = dir.path().join("bad");
    woonzorg()
        .arg("run")
        .arg(&sc)
        .args(["--quiet", "--out"])
        .arg(&bad_out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "gemeente GM0828 (Oss) of the run has no boundary",
        ));
    assert!(!bad_out.join("oss_kaart").exists());
}
