//! Malformed inputs: the corpus in tests/corpus/ (one folder per bad input, with `case.toml`:
//! what it is, the command line, and what the message must say) plus the inputs a repository
//! cannot hold (a file that loops, an unreadable file, a 200 MB file), generated here. Each
//! gives exit code 1, one `error:` line naming the file and the line (or key), a hint, and
//! writes nothing.

use std::path::{Path, PathBuf};

use crate::common::{root, woonzorg};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    what: String,
    args: Vec<String>,
    expect: Vec<String>,
}

/// Every file under `dir` with its size, to see that a case wrote nothing beside its input.
fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            let len = std::fs::symlink_metadata(&p).map(|m| m.len()).unwrap_or(0);
            out.push((p, len));
        }
    }
    out.sort();
    out
}

/// Run one bad input: `{case}` is its folder, `{out}` a fresh output folder. Returns stderr.
fn check_case(name: &str, case_dir: &Path, case: &Case) -> String {
    let out_parent = tempfile::tempdir().unwrap();
    let out = out_parent.path().join("uit");
    let before = listing(case_dir);
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("{case}", case_dir.to_str().unwrap())
                .replace("{out}", out.to_str().unwrap())
        })
        .collect();
    let output = woonzorg().args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let label = format!("{name} ({})", case.what);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{label}: exit code, stderr:\n{stderr}"
    );
    assert!(
        stderr.contains(case_dir.to_str().unwrap()),
        "{label}: the message does not name the file:\n{stderr}"
    );
    for e in &case.expect {
        assert!(
            stderr.contains(e.as_str()),
            "{label}: expected '{e}' in:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("\n  hint: "),
        "{label}: no hint in:\n{stderr}"
    );
    let errors = stderr.lines().filter(|l| l.starts_with("error:")).count();
    assert_eq!(errors, 1, "{label}: one message:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{label}: a panic:\n{stderr}");
    // Nothing written: no output folder (or an empty one), no file beside the input.
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().count() == 0,
        "{label}: output written"
    );
    assert_eq!(
        std::fs::read_dir(out_parent.path()).unwrap().count(),
        usize::from(out.exists()),
        "{label}: a temporary file was left beside the output"
    );
    assert_eq!(
        listing(case_dir),
        before,
        "{label}: a file was written beside the input"
    );
    stderr
}

fn corpus() -> Vec<(String, PathBuf, Case)> {
    let dir = root().join("tests/corpus");
    let mut out = Vec::new();
    for reader in std::fs::read_dir(&dir).unwrap() {
        let reader = reader.unwrap().path();
        if !reader.is_dir() {
            continue;
        }
        for c in std::fs::read_dir(&reader).unwrap() {
            let c = c.unwrap().path();
            let text = std::fs::read_to_string(c.join("case.toml")).unwrap();
            let case: Case = toml::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", c.join("case.toml").display()));
            let name = c.strip_prefix(&dir).unwrap().display().to_string();
            out.push((name, c, case));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn the_corpus_of_bad_inputs_fails_cleanly() {
    let cases = corpus();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    // Every reader is in the corpus.
    for reader in [
        "cbs",
        "tidy",
        "scenario",
        "definitions",
        "supply",
        "regions",
        "catalogue",
    ] {
        assert!(
            cases
                .iter()
                .filter(|(n, _, _)| n.starts_with(&format!("{reader}/")))
                .count()
                >= 2,
            "reader {reader}"
        );
    }
    use rayon::prelude::*;
    cases
        .par_iter()
        .for_each(|(name, dir, case)| drop(check_case(name, dir, case)));
}

/// A case written into a temp dir (for inputs git cannot hold).
fn generated(files: &[(&str, &[u8])], args: &[&str], expect: &[&str]) -> (tempfile::TempDir, Case) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let case = Case {
        what: "generated".into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        expect: expect.iter().map(|e| e.to_string()).collect(),
    };
    (dir, case)
}

#[test]
fn a_file_that_cannot_be_read_fails_cleanly() {
    // A symbolic link to itself: unreadable for every user, root included.
    let (dir, case) = generated(
        &[],
        &["import", "{case}/lus.csv", "--out", "{out}/t.csv"],
        &["lus.csv", "cannot read"],
    );
    std::os::unix::fs::symlink(dir.path().join("lus.csv"), dir.path().join("lus.csv")).unwrap();
    check_case("lus", dir.path(), &case);

    // A file without read permission (root reads it anyway: then there is nothing to test).
    let (dir, case) = generated(
        &[("geheim.csv", b"Regio;Perioden;Aantal\nGM0503;2024;1\n")],
        &["import", "{case}/geheim.csv", "--out", "{out}/t.csv"],
        &["geheim.csv", "cannot read", "not readable by this user"],
    );
    use std::os::unix::fs::PermissionsExt;
    let p = dir.path().join("geheim.csv");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        eprintln!("notice: running as root, a file without read permission is readable; skipped");
    } else {
        check_case("geheim", dir.path(), &case);
    }
}

#[test]
fn a_200_mb_file_with_a_bad_row_fails_at_that_row() {
    // A StatLine export of 200 MB: three good rows, a truncated one, then 200 MB of rows.
    let (dir, case) = generated(
        &[],
        &["import", "{case}/groot.csv", "--out", "{out}/t.csv"],
        &["groot.csv:5", "2 fields", "truncated"],
    );
    {
        use std::io::Write;
        let f = std::fs::File::create(dir.path().join("groot.csv")).unwrap();
        let mut w = std::io::BufWriter::new(f);
        w.write_all(
            b"Regio;Perioden;Aantal\nGM0503;2023;1\nGM0503;2024;2\nGM0828;2023;3\nGM0828;2024\n",
        )
        .unwrap();
        let mut written = 0usize;
        let mut i = 0u64;
        while written < 200 << 20 {
            let row = format!("R{i:09};2024;{i}\n");
            w.write_all(row.as_bytes()).unwrap();
            written += row.len();
            i += 1;
        }
    }
    assert!(
        std::fs::metadata(dir.path().join("groot.csv"))
            .unwrap()
            .len()
            >= 200 << 20
    );
    check_case("groot", dir.path(), &case);
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
