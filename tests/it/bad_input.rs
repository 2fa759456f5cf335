//! Malformed inputs: each gives exit code 1, one message naming the file and the line (or
//! key), and leaves no output file behind.

use std::path::Path;

use crate::common::woonzorg;

const TYPED_HEADER: &str = "\u{FEFF}ID;RegioS;Perioden;Bevolking_1;Aandeel_2\n";

struct Case {
    name: &'static str,
    /// (file name, content) written into a temp dir; the first is the input.
    files: Vec<(&'static str, Vec<u8>)>,
    /// Extra arguments; `{dir}` is replaced by the temp dir.
    extra: Vec<&'static str>,
    /// Substrings the error must contain (besides the file name).
    expect: Vec<&'static str>,
}

fn s(x: &str) -> Vec<u8> {
    x.as_bytes().to_vec()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "truncated row",
            files: vec![(
                "t.csv",
                s(&format!(
                    "{TYPED_HEADER}0;Delft (gemeente);2024;109577;1.0\n1;Oss;2024;94634\n"
                )),
            )],
            extra: vec![],
            expect: vec![":3", "4 fields", "truncated"],
        },
        Case {
            name: "wrong separator",
            files: vec![("t.csv", s("Regio|Perioden|Aantal\nGM0503|2024|109577\n"))],
            extra: vec![],
            expect: vec![":1", "one column", "separator"],
        },
        Case {
            name: "wrong separator given in mapping",
            files: vec![
                ("t.csv", s("Regio,Perioden,Aantal\nGM0503,2024,109577\n")),
                ("m.toml", s("separator = \";\"\n")),
            ],
            extra: vec!["--mapping", "{dir}/m.toml"],
            expect: vec![":1", "one column when split on ';'"],
        },
        Case {
            name: "unknown period code",
            files: vec![(
                "t.csv",
                s(&format!("{TYPED_HEADER}0;Delft;2024XX01;109577;1.0\n")),
            )],
            extra: vec![],
            expect: vec![":2", "unknown period '2024XX01'", "Perioden"],
        },
        Case {
            name: "text in a count column",
            files: vec![(
                "t.csv",
                s(&format!(
                    "{TYPED_HEADER}0;Delft;2023;1;1\n1;Delft;2024;2;1\n2;Oss;2023;12a;1\n3;Oss;2024;4;1\n"
                )),
            )],
            extra: vec![],
            expect: vec![":4", "column 'Bevolking_1'", "'12a' is not a number"],
        },
        Case {
            name: "duplicate key",
            files: vec![(
                "t.csv",
                s(
                    "\"Regio's\";\"Perioden\";\"Aantal\"\n\"GM0503\";\"2024\";\"1\"\n\"GM0828\";\"2024\";\"2\"\n\"GM0503\";\"2024\";\"3\"\n",
                ),
            )],
            extra: vec![],
            expect: vec![":4", "duplicate key", "line 2"],
        },
        Case {
            name: "empty file",
            files: vec![("t.csv", vec![])],
            extra: vec![],
            expect: vec!["file is empty"],
        },
        Case {
            name: "only whitespace",
            files: vec![("t.csv", s("\n\n  \n"))],
            extra: vec![],
            expect: vec!["file is empty"],
        },
        Case {
            name: "header without rows",
            files: vec![("t.csv", s(TYPED_HEADER))],
            extra: vec![],
            expect: vec![":1", "no data rows"],
        },
        Case {
            name: "Windows-1252 instead of UTF-8",
            files: vec![(
                "t.csv",
                b"Regio;Perioden;Aantal\nGM0503;2024;1\nZo\xEB;2024;2\n".to_vec(),
            )],
            extra: vec![],
            expect: vec![":3", "invalid UTF-8"],
        },
        Case {
            name: "UTF-16 without BOM",
            files: vec![(
                "t.csv",
                "Regio;Perioden;Aantal\nGM0503;2024;1\n"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes())
                    .collect(),
            )],
            extra: vec![],
            expect: vec![":1", "UTF-16 without a byte-order mark"],
        },
        Case {
            name: "BOM in the middle (two exports concatenated)",
            files: vec![(
                "t.csv",
                s(&format!(
                    "{TYPED_HEADER}0;Delft;2024;1;1\n{TYPED_HEADER}0;Oss;2024;2;1\n"
                )),
            )],
            extra: vec![],
            expect: vec![":3", "byte-order mark"],
        },
        Case {
            name: "NaN as a value",
            files: vec![("t.csv", s("Regio;Perioden;Aantal\nGM0503;2024;NaN\n"))],
            extra: vec![],
            expect: vec![":2", "'NaN' is not a number"],
        },
        Case {
            name: "infinite value",
            files: vec![("t.csv", s("Regio;2023;2024\nGM0503;1;inf\n"))],
            extra: vec![],
            expect: vec![":2", "column '2024'", "'inf' is not a number"],
        },
        Case {
            name: "wide header that is not a period",
            files: vec![
                ("t.csv", s("Leeftijd;2023;volgend jaar\n0;1;2\n")),
                (
                    "m.toml",
                    s("[columns]\nLeeftijd = \"age\"\n[wide]\nheaders = \"period\"\n"),
                ),
            ],
            extra: vec!["--mapping", "{dir}/m.toml"],
            expect: vec![":1", "unknown period 'volgend jaar'"],
        },
        Case {
            name: "unknown key in mapping TOML",
            files: vec![
                ("t.csv", s("Regio;Perioden;Aantal\nGM0503;2024;1\n")),
                ("m.toml", s("table_id = \"x\"\nmeasuer = \"Bevolking\"\n")),
            ],
            extra: vec!["--mapping", "{dir}/m.toml"],
            expect: vec!["m.toml:2", "unknown field `measuer`"],
        },
        Case {
            name: "mapping names a column the file lacks",
            files: vec![
                ("t.csv", s("Regio;Perioden;Aantal\nGM0503;2024;1\n")),
                (
                    "m.toml",
                    s("[columns]\nGemeente = \"region\"\nAantal = \"value\"\n"),
                ),
            ],
            extra: vec!["--mapping", "{dir}/m.toml"],
            expect: vec!["key 'columns.Gemeente'", "no column 'Gemeente'"],
        },
        Case {
            name: "sex that is not a sex",
            files: vec![(
                "t.csv",
                s("Geslacht;Perioden;Aantal\nMannen;2024;1\nOnbekend;2024;2\n"),
            )],
            extra: vec![],
            expect: vec![":3", "'Onbekend' is not a sex"],
        },
        Case {
            name: "unquoted separator inside a field",
            files: vec![(
                "t.csv",
                s("Regio;Onderwerp;Aantal\nGM0503;Bevolking; 1 januari;1\n"),
            )],
            extra: vec![],
            expect: vec![":2", "4 fields", "unquoted separator"],
        },
        Case {
            name: "correction that does not match the file",
            files: vec![
                (
                    "t.csv",
                    s("Leeftijd;Jaar;Mannen;Vrouwen\n25;2011;0.1;0.2\n25;2011;0.3;0.4\n"),
                ),
                (
                    "m.toml",
                    s(
                        "[[correction]]\nline = 3\ncolumn = \"Leeftijd\"\nfrom = \"24\"\nto = \"26\"\nreason = \"x\"\n",
                    ),
                ),
            ],
            extra: vec!["--mapping", "{dir}/m.toml"],
            expect: vec!["key 'correction[0].from'", "holds '25', not '24'"],
        },
        Case {
            name: "OData download with a code missing from its dimension file",
            files: vec![
                (
                    "odata/data.csv",
                    s("\"ID\",\"Perioden\",\"Aantal_1\"\n0,\"2024JJ00\",5\n1,\"2025JJ00\",6\n"),
                ),
                (
                    "odata/DataProperties.csv",
                    s(
                        "\"Type\",\"Key\",\"Title\",\"Unit\"\n\"TimeDimension\",\"Perioden\",\"Perioden\",\"\"\n\"Topic\",\"Aantal_1\",\"Aantal\",\"aantal\"\n",
                    ),
                ),
                (
                    "odata/Perioden.csv",
                    s("\"Key\",\"Title\"\n\"2024JJ00\",\"2024\"\n"),
                ),
            ],
            extra: vec![],
            expect: vec!["data.csv:3", "code '2025JJ00' is not in Perioden.csv"],
        },
        Case {
            name: "a folder without tables",
            files: vec![("leeg/notities.txt", s("geen tabel\n"))],
            extra: vec![],
            expect: vec!["no CSV tables in this folder"],
        },
    ]
}

fn input_path(dir: &Path, first: &str) -> std::path::PathBuf {
    let p = dir.join(first);
    match first.split_once('/') {
        Some((folder, _)) => dir.join(folder),
        None => p,
    }
}

#[test]
fn malformed_inputs_fail_cleanly() {
    let cases = cases();
    assert!(cases.len() >= 15);
    for case in cases {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in &case.files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, content).unwrap();
        }
        let input = input_path(dir.path(), case.files[0].0);
        let out = dir.path().join("uit").join("tidy.csv");
        let mut cmd = woonzorg();
        cmd.arg("import").arg(&input).arg("--out").arg(&out);
        for a in &case.extra {
            cmd.arg(a.replace("{dir}", dir.path().to_str().unwrap()));
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}: exit code, stderr:\n{stderr}",
            case.name
        );
        let file_named = case
            .files
            .iter()
            .any(|(n, _)| stderr.contains(Path::new(n).file_name().unwrap().to_str().unwrap()))
            || stderr.contains(input.to_str().unwrap());
        assert!(
            file_named,
            "{}: the message does not name the file:\n{stderr}",
            case.name
        );
        for e in &case.expect {
            assert!(
                stderr.contains(e),
                "{}: expected '{e}' in:\n{stderr}",
                case.name
            );
        }
        assert!(
            stderr.contains("hint:"),
            "{}: no hint in:\n{stderr}",
            case.name
        );
        assert!(!out.exists(), "{}: output written", case.name);
        assert!(
            !dir.path().join("uit").exists()
                || std::fs::read_dir(dir.path().join("uit")).unwrap().count() == 0,
            "{}: temp file left",
            case.name
        );
        assert_eq!(
            stderr
                .trim()
                .lines()
                .filter(|l| l.starts_with("error:"))
                .count(),
            1,
            "{}: one message:\n{stderr}",
            case.name
        );
    }
}

#[test]
fn scenario_with_a_typo_fails_with_the_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.toml");
    let basis =
        std::fs::read_to_string(crate::common::root().join("scenarios/basis.toml")).unwrap();
    std::fs::write(&sc, basis.replace("horizon = 2040", "horizn = 2040")).unwrap();
    woonzorg()
        .arg("run")
        .arg(&sc)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("s.toml:"))
        .stderr(predicates::str::contains("horizn"));
    assert!(!dir.path().join("out").join("basis").exists());
}

#[test]
fn missing_file_is_exit_1_and_usage_error_is_exit_2() {
    woonzorg()
        .args(["import", "bestaat/niet.csv"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("bestaat/niet.csv"))
        .stderr(predicates::str::contains("check the path"));
    woonzorg().args(["import"]).assert().code(2);
    woonzorg().args(["run", "--onbekend"]).assert().code(2);
}
