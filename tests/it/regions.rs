//! The region registry: gemeenten per year, roll-ups, herindelingen, harmonising.

use std::collections::BTreeMap;

use woonzorg::geo::Registry;

use crate::common::{root, woonzorg};
use crate::require_shared;

fn shipped() -> Registry {
    Registry::load(&root().join("data/regions")).expect("shipped registry")
}

#[test]
fn gemeente_counts_per_year() {
    let reg = shipped();
    let counts: Vec<(u16, usize)> = reg
        .years
        .iter()
        .map(|(y, i)| (*y, i.gemeenten.len()))
        .collect();
    assert_eq!(
        counts,
        vec![
            (2016, 390),
            (2017, 388),
            (2018, 380),
            (2019, 355),
            (2020, 355),
            (2021, 352),
            (2022, 345),
            (2023, 342),
            (2024, 342),
            (2025, 342)
        ]
    );
}

#[test]
fn registry_from_cbs_files_equals_the_shipped_extract() {
    let shared = require_shared!();
    let from_cbs = Registry::load(&shared.join("regions")).unwrap();
    let mut a = Vec::new();
    from_cbs.write_extract(&mut a).unwrap();
    assert_eq!(
        a,
        std::fs::read(root().join("data/regions/registry.csv")).unwrap()
    );
    assert_eq!(from_cbs.brp.len(), 1474);
    // The CBS files carry every classification, e.g. RES-regio's.
    assert!(
        from_cbs.years[&2024].gemeenten["GM0363"]
            .member_of
            .contains_key("ES")
    );
}

#[test]
fn medemblik_rolls_up_to_centrumgemeente_hoorn_in_2023() {
    let reg = shipped();
    let g = &reg.years[&2023].gemeenten["GM0420"];
    assert_eq!(g.name, "Medemblik");
    assert_eq!(g.member_of["CE"], "CE0405");
    let members = reg.members(2023, "CE0405").unwrap();
    assert!(members.iter().any(|m| m.code == "GM0405"));
    // No CE classification in 2025.
    assert!(
        !reg.years[&2025].gemeenten["GM0420"]
            .member_of
            .contains_key("CE")
    );
}

#[test]
fn harmonising_2016_inwonertal_to_2024_preserves_the_total() {
    let reg = shipped();
    let values: BTreeMap<String, f64> = reg.years[&2016]
        .gemeenten
        .values()
        .map(|g| (g.code.clone(), g.inwoners.unwrap()))
        .collect();
    let total: f64 = values.values().sum();
    let h = reg.harmonise(&values, 2016, 2024).unwrap();
    assert_eq!(h.len(), 342);
    let after: f64 = h.values().sum();
    assert!((after - total).abs() < 1e-6, "{total} → {after}");
    // Every code is a gemeente of 2024.
    assert!(h.keys().all(|c| reg.years[&2024].gemeenten.contains_key(c)));
    // Meierijstad (2017) = Schijndel + Sint-Oedenrode + Veghel of 2016.
    let m = values["GM0844"]
        + values["GM0846"]
        + values["GM0860"]
        + values.get("GM1948").copied().unwrap_or(0.0);
    assert_eq!(h["GM1948"], m);
}

#[test]
fn mergers_after_2019_are_derived_from_the_year_diffs() {
    let reg = shipped();
    let m = reg.mergers();
    let to = |from: &str| {
        m.iter()
            .filter(|x| x.from == from)
            .map(|x| x.to.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        to("GM0457"),
        vec!["GM0363"],
        "Weesp → Amsterdam (2022/2023)"
    );
    assert_eq!(to("GM0370"), vec!["GM0439"], "Beemster → Purmerend");
    assert_eq!(to("GM0856"), vec!["GM1991"], "Uden → Maashorst");
    assert_eq!(to("GM1685"), vec!["GM1991"], "Landerd → Maashorst");
    assert_eq!(to("GM1684"), vec!["GM1982"], "Cuijk → Land van Cuijk");
    assert_eq!(
        to("GM0398"),
        vec!["GM1980"],
        "Heerhugowaard → Dijk en Waard"
    );
    // Haaren (2021) was divided over Oisterwijk, Vught, Boxtel and Tilburg.
    let mut haaren = to("GM0788");
    haaren.sort();
    assert_eq!(haaren, vec!["GM0757", "GM0824", "GM0855", "GM0865"]);
    let share: f64 = m
        .iter()
        .filter(|x| x.from == "GM0788")
        .map(|x| x.share)
        .sum();
    assert!((share - 1.0).abs() < 1e-12);
}

#[test]
fn regions_command_lists_and_filters() {
    woonzorg()
        .args(["regions", "--year", "2024"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("342 gemeenten in 2024"));
    woonzorg()
        .args(["regions", "--year", "2016"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("390 gemeenten in 2016"));
    woonzorg()
        .args(["regions", "--year", "2023", "--member-of", "CE0405"])
        .assert()
        .success()
        .stdout(predicates::str::contains("GM0420\tMedemblik"))
        .stdout(predicates::str::contains("7 gemeenten in 2023"));
    woonzorg()
        .args([
            "regions",
            "--year",
            "2024",
            "--member-of",
            "Beverwijk-Heemskerk",
            "--own",
            "scenarios/regios.toml",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("GM0375\tBeverwijk"))
        .stdout(predicates::str::contains("GM0396\tHeemskerk"));
    woonzorg()
        .args([
            "regions",
            "--year",
            "2024",
            "--member-of",
            "zorgkantoorregio Arnhem",
        ])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "ZK04 Arnhem (zorgkantoorregio)",
        ));
    woonzorg()
        .args([
            "regions",
            "--year",
            "2023",
            "--member-of",
            "centrumgemeente Hoorn",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("GM0420\tMedemblik"));
    woonzorg()
        .args(["regions", "--year", "2024", "--member-of", "ZK99"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("unknown region 'ZK99'"));
}

#[test]
fn harmonise_command_sums_merged_gemeenten() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.csv");
    // Three 2022 gemeenten that became Voorne aan Zee in 2023, plus Delft.
    std::fs::write(&f, "Regio's;Perioden;Aantal\nGM0501;2022;100\nGM0530;2022;200\nGM0614;2022;300\nGM0503;2022;50\n").unwrap();
    let out = dir.path().join("h.csv");
    woonzorg()
        .args(["regions", "--harmonise"])
        .arg(&f)
        .args(["--indeling", "2022", "--year", "2024", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("totaal 650 → 650"));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("GM1992,Voorne aan Zee,2022JJ00,,,,waarde,,600,"),
        "{text}"
    );
    assert!(
        text.contains("GM0503,Delft,2022JJ00,,,,waarde,,50,"),
        "{text}"
    );
}

#[test]
fn a_merged_gemeente_after_its_merger_says_where_it_went() {
    woonzorg()
        .args(["regions", "--year", "2024", "--member-of", "GM0457"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "GM0457 (Weesp) went into GM0363 Amsterdam on 1 January 2023",
        ));
    woonzorg()
        .args(["regions", "--year", "2025", "--member-of", "CE0405"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "CE0405 exists in the indeling of 2023, 2024 only",
        ));
}
