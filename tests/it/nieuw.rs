//! `woonzorg nieuw`: a scenario for any gemeente in one command (issue 25, step 1).

use predicates::str::contains;

use crate::common::woonzorg;

#[test]
fn nieuw_writes_a_scenario_that_runs_into_an_annex_about_the_gemeente() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    woonzorg()
        .args(["nieuw", "Oss", "--map"])
        .arg(&scenarios)
        .assert()
        .success()
        .stdout(contains("Oss (GM0828, 1 gemeente(n))"));
    let path = scenarios.join("oss.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    for part in [
        "name = \"oss\"",
        "title = \"Woonzorgvisie Oss\"",
        "gemeenten = [\"Oss\"]",
        // Its centrumgemeente region (beschermd wonen/MO) and zorgkantoorregio, CBS 85755NED.
        "include = [\"CE0828\", \"ZK19\"]",
        "report = [\"CE0828\", \"ZK19\"]",
        "# Wat u hier invult:",
    ] {
        assert!(text.contains(part), "{part}:\n{text}");
    }

    // An existing file is not replaced, unless asked.
    std::fs::write(&path, format!("# eigen aantekening\n{text}")).unwrap();
    woonzorg()
        .args(["nieuw", "Oss", "--map"])
        .arg(&scenarios)
        .assert()
        .code(1)
        .stderr(contains("exists; it is not replaced"));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("# eigen aantekening")
    );
    woonzorg()
        .args(["new", "Oss", "--overschrijven", "--map"])
        .arg(&scenarios)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // "Den Bosch" is no gemeente: the nearest names, 's-Hertogenbosch first.
    woonzorg()
        .args(["nieuw", "Den Bosch", "--map"])
        .arg(&scenarios)
        .assert()
        .code(1)
        .stderr(contains("did you mean 's-Hertogenbosch (GM0796)"));
    assert!(!scenarios.join("den_bosch.toml").exists());

    // Then one command runs it, and the annex is about Oss.
    woonzorg()
        .arg("run")
        .arg(&path)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let annex = std::fs::read_to_string(dir.path().join("out/oss/bijlage.md")).unwrap();
    assert!(
        annex.starts_with("# Bijlage woonzorgvisie: Woonzorgvisie Oss"),
        "{annex}"
    );
    assert!(
        annex.contains("voor Oss (GM0828), variant midden"),
        "{annex}"
    );
    // Its care regions each get an annex, and the index links the three.
    let index = std::fs::read_to_string(dir.path().join("out/oss/index.html")).unwrap();
    for (file, label) in [
        ("bijlage.html", "Oss (GM0828)"),
        (
            "bijlage_CE0828.html",
            "Oss (CE0828), centrumgemeente beschermd wonen/maatschappelijke opvang",
        ),
        (
            "bijlage_ZK19.html",
            "Noordoost-Brabant (ZK19), zorgkantoorregio",
        ),
    ] {
        assert!(
            index.contains(&format!("<a href=\"{file}\">{label}")),
            "{file}: {index}"
        );
        assert!(dir.path().join("out/oss").join(file).is_file(), "{file}");
    }
}
