//! A hostile but realistic user (issue 20): the output guard (nothing the tool did not make is
//! replaced, nothing among the inputs is written), text a spreadsheet would run neutralised in
//! every cell, bounds on what a run may be asked, and Ctrl-C. The malformed inputs that fail
//! with one message are in tests/corpus/ (see bad_input.rs); these need folders, processes or
//! outputs to look at.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::table_bytes;
use crate::common::{root, woonzorg};

/// A folder that is not woonzorg's: a file and a subfolder with a file.
fn precious(dir: &Path) -> PathBuf {
    let p = dir.join("mijn");
    std::fs::create_dir_all(p.join("sub")).unwrap();
    std::fs::write(p.join("precious.txt"), "niet weggooien").unwrap();
    std::fs::write(p.join("sub/ook.txt"), "ook niet").unwrap();
    p
}

fn assert_precious(p: &Path) {
    assert_eq!(
        std::fs::read_to_string(p.join("precious.txt")).unwrap(),
        "niet weggooien"
    );
    assert_eq!(
        std::fs::read_to_string(p.join("sub/ook.txt")).unwrap(),
        "ook niet"
    );
}

/// The names in a folder, sorted (hidden staging folders included).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Exit 1 with one `error:` line holding every `expect`, a hint, no panic.
fn refused(cmd: &mut Command, expect: &[&str]) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for e in expect {
        assert!(stderr.contains(e), "expected '{e}' in:\n{stderr}");
    }
    assert!(stderr.contains("\n  hint: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn quick_run(scenario: &str, out: &Path) -> Command {
    let mut c = woonzorg();
    c.args([
        "run",
        scenario,
        "--no-charts",
        "--no-report",
        "--quiet",
        "--out",
    ])
    .arg(out);
    c
}

#[test]
fn compare_never_replaces_the_runs_it_reads_nor_a_foreign_folder() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    quick_run("scenarios/basis.toml", &out).assert().success();
    quick_run("scenarios/extramuralisering.toml", &out)
        .assert()
        .success();
    let (basis, extra) = (out.join("basis"), out.join("extramuralisering"));
    let before = (table_bytes(&basis), table_bytes(&extra));
    let compare = |target: &Path| {
        let mut c = woonzorg();
        c.arg("compare")
            .arg(&basis)
            .arg(&extra)
            .arg("--out")
            .arg(target);
        c
    };
    // The reproducer: --out the folder that holds both runs (exit 0 and both gone before).
    refused(&mut compare(&out), &["holds an input of this command"]);
    // A run being read, and a folder inside one.
    refused(&mut compare(&basis), &["is an input of this command"]);
    refused(
        &mut compare(&basis.join("vergelijking")),
        &["lies inside an input folder"],
    );
    // A file: refused, the file as it was, nothing renamed beside it.
    let f = dir.path().join("f");
    std::fs::write(&f, "bestand").unwrap();
    refused(&mut compare(&f), &["is a file, not a folder"]);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "bestand");
    assert_eq!(names(dir.path()), ["f", "out"]);
    assert_eq!((table_bytes(&basis), table_bytes(&extra)), before);
    // A folder that is not woonzorg's is written into, never replaced; twice.
    let mijn = precious(dir.path());
    for _ in 0..2 {
        compare(&mijn).assert().success();
        assert_precious(&mijn);
        assert!(mijn.join("vergelijking/verschil_groepen.csv").is_file());
    }
    assert_eq!(names(&mijn), ["precious.txt", "sub", "vergelijking"]);
    // A folder compare made is replaced by the next compare.
    let v = dir.path().join("v");
    compare(&v).assert().success();
    compare(&v).assert().success();
    assert!(v.join("verschil_groepen.csv").is_file() && !v.join("vergelijking").exists());
}

#[test]
fn definitions_and_backtest_write_into_a_foreign_folder_and_never_among_their_inputs() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let mijn = precious(dir.path());
    woonzorg()
        .args([
            "definitions",
            "examples/definities_delft.toml",
            "--no-charts",
            "--out",
        ])
        .arg(&mijn)
        .assert()
        .success();
    woonzorg()
        .args(["backtest", "--no-charts", "--out"])
        .arg(&mijn)
        .assert()
        .success();
    assert_precious(&mijn);
    assert!(mijn.join("definities/definities.csv").is_file());
    assert!(mijn.join("backtest/tables/backtest.csv").is_file());
    // The project's data/ holds the inputs of both: refused before any work.
    let data_before = names(&root().join("data"));
    refused(
        woonzorg().args([
            "definitions",
            "examples/definities_delft.toml",
            "--out",
            "data",
        ]),
        &["data", "holds an input of this command"],
    );
    refused(
        woonzorg().args(["backtest", "--out", "data"]),
        &["data", "holds an input of this command"],
    );
    refused(
        woonzorg().args(["backtest", "--out", "data/population"]),
        &["holds an input of this command"],
    );
    assert_eq!(names(&root().join("data")), data_before);
    // A file as --out.
    let f = dir.path().join("f.txt");
    std::fs::write(&f, "x").unwrap();
    refused(
        woonzorg().args(["backtest", "--out"]).arg(&f),
        &["f.txt", "is a file, not a folder"],
    );
}

#[test]
fn a_run_never_replaces_a_folder_it_did_not_make() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    // A project of the user's: its own data/ beside a scenario named "data" (the reproducer
    // replaced data/ with the run's outputs, exit 0).
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("data")).unwrap();
    std::fs::write(project.join("data/eigen.csv"), "a,b\n1,2\n").unwrap();
    let sc = project.join("s.toml");
    std::fs::write(
        &sc,
        format!(
            "extends = \"{}\"\nname = \"data\"\n",
            root().join("scenarios/basis.toml").display()
        ),
    )
    .unwrap();
    refused(
        quick_run(sc.to_str().unwrap(), Path::new(".")).current_dir(&project),
        &["data", "was not made by woonzorg", "not replaced"],
    );
    assert_eq!(names(&project.join("data")), ["eigen.csv"]);
    // out/<name> a file: refused, the file kept, nothing beside it.
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("basis"), "een bestand").unwrap();
    refused(
        &mut quick_run("scenarios/basis.toml", &out),
        &["basis", "is a file, not a folder"],
    );
    assert_eq!(names(&out), ["basis"]);
    // --out a file.
    refused(
        &mut quick_run("scenarios/basis.toml", &out.join("basis")),
        &["is a file, not a folder"],
    );
    // A folder named like the run, not woonzorg's.
    std::fs::remove_file(out.join("basis")).unwrap();
    let mijn = precious(&out);
    std::fs::rename(&mijn, out.join("basis")).unwrap();
    refused(
        &mut quick_run("scenarios/basis.toml", &out),
        &["was not made by woonzorg"],
    );
    assert_precious(&out.join("basis"));
    // A run folder woonzorg made carries its marker and is replaced by the next run.
    let run_out = dir.path().join("runs");
    quick_run("scenarios/basis.toml", &run_out)
        .assert()
        .success();
    assert!(run_out.join("basis/.woonzorg").is_file());
    quick_run("scenarios/basis.toml", &run_out)
        .assert()
        .success();
    assert_eq!(names(&run_out), ["basis"]);
}

#[test]
fn two_runs_into_one_folder_at_once_both_succeed() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_woonzorg"))
            .current_dir(root())
            .args(["run", "--no-charts", "--no-report", "--quiet", "--out"])
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The reproducer: the later run deleted the earlier one's staging folder (exit 3).
    let a = spawn();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let b = spawn();
    for child in [a, b] {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(names(&out), ["basis"]);
    assert!(out.join("basis/tables/groups.csv").is_file());
}

/// Text a spreadsheet would run: `= + - @` (a number such as -3.5 is a number).
fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '@']) || (cell.starts_with('-') && cell.parse::<f64>().is_err())
}

#[test]
fn hostile_names_are_neutralised_in_every_cell_of_every_table_and_the_workbook() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let hostile = "=HYPERLINK(\"http://x\")";
    std::fs::write(
        dir.path().join("regios.toml"),
        format!(
            "[[region]]\nname = '{hostile}'\nmembers = [\"Beverwijk\", \"Heemskerk\"]\nsource = \"test\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        format!(
            r#"extends = "{basis}"
name = "vijandig"

[regions]
own = "regios.toml"
report = ['{hostile}']

[[housing.policy]]
id = "=cmd|'/c calc'!A0"
label = "+label"
kind = "aandeel_nieuwbouw"
segments = ["sociale_huur"]
threshold = 0.3
until = 2030
source = "@bron"

[[groups.group]]
id = "=grp"
label = "=Eigen groep"
method = "prevalentie"
age = [18, 64]
source = "definitie: t"
rate = [{{ age = [18, 64], value = 0.01, source = "aanname: t" }}]

[[housing.cost]]
setting = "-thuis"
group = "dementie"
payer = "@betaler"
share = 0.5
per_person_year = 1000
source = "aanname: t"
"#,
            basis = root().join("scenarios/basis.toml").display()
        ),
    )
    .unwrap();
    let sc = dir.path().join("s.toml");
    for dialect in ["rfc", "nl"] {
        let out = dir.path().join(dialect);
        woonzorg()
            .args([
                "run",
                "--no-charts",
                "--quiet",
                "--csv-dialect",
                dialect,
                "--out",
            ])
            .arg(&out)
            .arg(&sc)
            .assert()
            .success();
        let run = out.join("vijandig");
        let mut seen = std::collections::BTreeSet::new();
        let base_table = (
            "bevolking_basisjaar.csv".to_string(),
            std::fs::read(run.join("bevolking_basisjaar.csv")).unwrap(),
        );
        let tables = table_bytes(&run)
            .into_iter()
            .filter(|(n, _)| n.ends_with(".csv"))
            .chain([base_table]);
        for (name, bytes) in tables {
            let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
            let delimiter = if first.contains(&b';') { b';' } else { b',' };
            let mut r = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .from_reader(bytes.as_slice());
            for rec in r.records() {
                for cell in rec.unwrap().iter() {
                    let cell = if delimiter == b';' {
                        cell.replace(',', ".")
                    } else {
                        cell.to_string()
                    };
                    assert!(!formula_like(&cell), "{dialect} {name}: {cell}");
                    if cell.starts_with('\'') {
                        seen.insert(cell);
                    }
                }
            }
        }
        // The region (code and name), the rule, its label and source, the cost's setting and
        // payer all reached a table, neutralised.
        for want in [
            format!("'{hostile}"),
            "'=cmd|'/c calc'!A0".to_string(),
            "'+label".into(),
            "'@bron".into(),
            "'-thuis".into(),
            "'=grp".into(),
            "'=Eigen groep".into(),
            "'@betaler".into(),
        ] {
            assert!(seen.contains(&want), "{dialect}: {want} not in {seen:?}");
        }
        // The workbook: no text cell a spreadsheet would run.
        use calamine::{Data, Reader, open_workbook_auto};
        let mut wb = open_workbook_auto(run.join("vijandig.xlsx")).unwrap();
        let mut strings = 0;
        for sheet in wb.sheet_names() {
            let range = wb.worksheet_range(&sheet).unwrap();
            for row in range.rows() {
                for c in row {
                    if let Data::String(s) = c {
                        strings += 1;
                        assert!(!formula_like(s), "{dialect} workbook {sheet}: {s}");
                    }
                }
            }
        }
        assert!(strings > 1000, "{strings}");
    }
}

#[test]
fn an_inherited_supply_is_switched_off_with_an_empty_path() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    std::fs::write(
        &sc,
        format!(
            "extends = \"{}\"\nname = \"zonder\"\n\n[housing]\nstock_data = \"\"\n",
            root().join("scenarios/basis.toml").display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    quick_run(sc.to_str().unwrap(), &out).assert().success();
    // Without the CBS stock data, Delft's stock is missing, said so (never read as zero).
    let (h, rows) = crate::common::read_csv(&out.join("zonder/tables/dwellings.csv"));
    let (ri, si) = (
        crate::common::col(&h, "region"),
        crate::common::col(&h, "supply_status"),
    );
    let delft: Vec<&Vec<String>> = rows.iter().filter(|r| r[ri] == "GM0503").collect();
    assert!(!delft.is_empty());
    assert!(
        delft
            .iter()
            .filter(|r| !r[si].is_empty())
            .all(|r| r[si].starts_with("ontbreekt")),
        "{:?}",
        delft[0]
    );
}

#[test]
fn import_refuses_a_folder_read_twice_and_a_device() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("tabellen");
    std::fs::create_dir_all(&tables).unwrap();
    let good = "Regio;Perioden;Aantal\nGM0503;2024;1\n";
    std::fs::write(tables.join("a.csv"), good).unwrap();
    // A link to its own folder (read 41 times before, thousands of duplicate keys, exit 0).
    std::os::unix::fs::symlink(&tables, tables.join("lus")).unwrap();
    let out = dir.path().join("t.csv");
    refused(
        woonzorg().arg("import").arg(&tables).arg("--out").arg(&out),
        &["lus", "read twice"],
    );
    std::fs::remove_file(tables.join("lus")).unwrap();
    // Two links to one file.
    std::os::unix::fs::symlink(tables.join("a.csv"), tables.join("b.csv")).unwrap();
    refused(
        woonzorg().arg("import").arg(&tables).arg("--out").arg(&out),
        &["b.csv", "read twice"],
    );
    std::fs::remove_file(tables.join("b.csv")).unwrap();
    // A copy of a table beside it with another value: refused (which one is right?).
    std::fs::write(
        tables.join("a (1).csv"),
        "Regio;Perioden;Aantal\nGM0503;2024;2\n",
    )
    .unwrap();
    refused(
        woonzorg().arg("import").arg(&tables).arg("--out").arg(&out),
        &["a.csv:2", "another value than", "a (1).csv:2"],
    );
    assert!(!out.exists());
    // The same values: written once (twice before).
    std::fs::write(tables.join("a (1).csv"), good).unwrap();
    woonzorg()
        .arg("import")
        .arg(&tables)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("één keer geschreven"));
    let (_, rows) = crate::common::read_csv(&out);
    assert_eq!(rows.len(), 1);
    // A device that never ends.
    refused(
        woonzorg().args(["import", "/dev/zero"]),
        &["/dev/zero", "not a regular file"],
    );
    // --out an existing folder.
    refused(
        woonzorg()
            .arg("import")
            .arg(tables.join("a.csv"))
            .arg("--out")
            .arg(dir.path()),
        &["give a file name"],
    );
}

#[test]
fn too_many_draws_are_refused_before_any_work() {
    let started = std::time::Instant::now();
    let out = woonzorg()
        .args(["run", "--no-charts", "--draws", "1000000000"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("more than the 100000"), "{stderr}");
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn a_settings_file_beyond_a_sane_size_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("groot.toml");
    let mut text = String::from("name = \"groot\"\n");
    while text.len() <= 17 << 20 {
        text.push_str("# opvulling opvulling opvulling opvulling opvulling opvulling\n");
    }
    std::fs::write(&big, text).unwrap();
    let sc = dir.path().join("s.toml");
    std::fs::write(&sc, "extends = \"groot.toml\"\nname = \"s\"\n").unwrap();
    refused(
        &mut quick_run(sc.to_str().unwrap(), &dir.path().join("out")),
        &["groot.toml", "too large for a settings file"],
    );
}

#[test]
fn the_annex_lists_each_source_once_and_shows_its_own_region() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let stdout = woonzorg()
        .args(["run", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(stdout.status.success());
    let terminal = String::from_utf8(stdout.stdout).unwrap();
    let run = out.join("basis");
    let md = std::fs::read_to_string(run.join("bijlage.md")).unwrap();
    // The scenario's own numbers once (as `scenario`), not again as `basis.toml`.
    assert_eq!(
        md.matches("| scenario | housing.policy[sociale_huur_30] |")
            .count(),
        1
    );
    assert!(!md.contains("| basis.toml |"), "sources listed twice");
    // Delft's annex: Delft's population chart, not the selection's.
    assert!(md.contains("![Bevolkingsprognose Delft](prognose_bevolking_bijlage.png)"));
    let svg = std::fs::read_to_string(run.join("prognose_bevolking_bijlage.svg")).unwrap();
    assert!(svg.contains("Delft") && !svg.contains("Alle gemeenten"));
    // Bruto beside netto: all 65+ of Delft (about 17,800) besides the netto 65–74 (6,903).
    assert!(md.contains("| Bruto 2024 | Netto 2024 |"), "{}", &md[..600]);
    let row = md
        .lines()
        .find(|l| l.starts_with("| Ouderen 65+ |"))
        .unwrap();
    let cells: Vec<f64> = row
        .split('|')
        .skip(2)
        .take(2)
        .map(|c| c.trim().replace('.', "").parse().unwrap())
        .collect();
    assert!((17_000.0..19_000.0).contains(&cells[0]), "{row}");
    assert!((6_000.0..8_000.0).contains(&cells[1]), "{row}");
    assert!(
        terminal.contains("Aandachtsgroepen in Delft (GM0503): bruto"),
        "{terminal}"
    );
    assert!(terminal.contains("bruto 2024"), "{terminal}");
}

#[test]
fn a_one_gemeente_run_reports_that_gemeente() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("oss.toml");
    std::fs::write(
        &sc,
        format!(
            "extends = \"{}\"\nname = \"oss\"\n\n[regions]\ngemeenten = [\"Oss\"]\ninclude = []\nreport = []\n\n[housing]\nverdeel = []\n",
            root().join("scenarios/basis.toml").display()
        ),
    )
    .unwrap();
    let out = woonzorg()
        .args(["run", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .arg(&sc)
        .output()
        .unwrap();
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        terminal.contains("Aandachtsgroepen in Oss (GM0828): bruto"),
        "{terminal}"
    );
    assert!(!terminal.contains("(selectie) (selectie)"), "{terminal}");
    let md = std::fs::read_to_string(dir.path().join("out/oss/bijlage.md")).unwrap();
    assert!(md.contains("voor Oss (GM0828)"), "{}", &md[..600]);
}

#[test]
fn regions_refuses_doubled_members_and_writing_over_what_it_reads() {
    crate::require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("regios.toml");
    // By name and by code: the same gemeente twice (it counted twice before).
    std::fs::write(
        &own,
        "[[region]]\nname = \"Kust\"\nmembers = [\"Beverwijk\", \"GM0375\", \"Heemskerk\"]\nsource = \"aanname\"\n",
    )
    .unwrap();
    refused(
        woonzorg()
            .args(["regions", "--member-of", "Kust", "--own"])
            .arg(&own),
        &[
            "regios.toml",
            "region[Kust].members",
            "the same gemeente (GM0375)",
        ],
    );
    // A dissolved gemeente by name: where it went.
    std::fs::write(
        &own,
        "[[region]]\nname = \"Noord\"\nmembers = [\"Beemster\", \"Purmerend\"]\nsource = \"aanname\"\n",
    )
    .unwrap();
    refused(
        woonzorg()
            .args(["regions", "--member-of", "Noord", "--own"])
            .arg(&own),
        &[
            "regios.toml",
            "region[Noord].members",
            "Purmerend on 1 January 2022",
        ],
    );
    // --harmonise writing over its own table; --out a folder; --export into the folder read.
    let t = dir.path().join("t.csv");
    std::fs::write(&t, "Regio;Perioden;Aantal\nGM0503;2016;1\n").unwrap();
    let harmonise = |out: &Path| {
        let mut c = woonzorg();
        c.args(["regions", "--harmonise"])
            .arg(&t)
            .args(["--indeling", "2016", "--year", "2024", "--out"])
            .arg(out);
        c
    };
    refused(
        &mut harmonise(&t),
        &["t.csv", "is an input of this command"],
    );
    refused(&mut harmonise(dir.path()), &["give a file name"]);
    assert_eq!(
        std::fs::read_to_string(&t).unwrap(),
        "Regio;Perioden;Aantal\nGM0503;2016;1\n"
    );
    let before = std::fs::read(root().join("data/regions/registry.csv")).unwrap();
    refused(
        woonzorg().args([
            "regions",
            "--from",
            "data/regions",
            "--export",
            "data/regions",
        ]),
        &["registry.csv", "lies inside an input folder"],
    );
    assert_eq!(
        std::fs::read(root().join("data/regions/registry.csv")).unwrap(),
        before
    );
    harmonise(&dir.path().join("h.csv")).assert().success();
}

#[test]
fn import_filters_that_match_nothing_are_a_mistake_not_an_empty_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv");
    let import = |extra: &[&str]| {
        let mut c = woonzorg();
        c.args(["import", "data/population/85383NED_inwoners.csv", "--out"])
            .arg(&out)
            .args(extra);
        c
    };
    // A typo in a measure (an empty table with exit 0 before): the measures it has.
    refused(
        &mut import(&["--measures", "InwonersTotal_1"]),
        &[
            "--measures",
            "'InwonersTotal_1' matches no measure",
            "InwonersTotaal_1",
        ],
    );
    refused(
        &mut import(&["--where", "period=1999JJ00"]),
        &["--where", "'period=1999JJ00' matches no row"],
    );
    assert!(!out.exists());
    import(&["--measures", "Inwoners75*", "--where", "period=2024JJ00"])
        .assert()
        .success();
    let (_, rows) = crate::common::read_csv(&out);
    assert!(rows.len() > 300, "{}", rows.len());
}
