//! Snapshots of what a person reads: the regions listing and the import summary.

use crate::common::woonzorg;

fn stdout(args: &[&str]) -> String {
    let out = woonzorg().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn centrumgemeente_hoorn_2023() {
    insta::assert_snapshot!(stdout(&[
        "regions",
        "--year",
        "2023",
        "--member-of",
        "CE0405"
    ]));
}

#[test]
fn zorgkantoorregio_by_name() {
    insta::assert_snapshot!(stdout(&[
        "regions",
        "--year",
        "2024",
        "--member-of",
        "ZK04"
    ]));
}

#[test]
fn import_summary_of_an_own_table() {
    insta::assert_snapshot!(stdout(&[
        "import",
        "examples/eigen_tabel/wmo_clienten.csv",
        "--mapping",
        "examples/eigen_tabel/wmo_clienten.toml"
    ]));
}

#[test]
fn tidy_csv_of_an_own_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv");
    woonzorg()
        .args([
            "import",
            "examples/eigen_tabel/wmo_clienten.csv",
            "--mapping",
            "examples/eigen_tabel/wmo_clienten.toml",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    insta::assert_snapshot!(std::fs::read_to_string(&out).unwrap());
}

#[test]
fn definitions_of_four_parties_in_delft() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("defs");
    let text = stdout(&[
        "definitions",
        "examples/definities_delft.toml",
        "--years",
        "2025,2040",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    // The last line names the temp folder.
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("Geschreven naar"))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}
