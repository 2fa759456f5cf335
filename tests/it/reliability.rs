//! Reliability: rerunning a run from its manifest, and an interrupted run leaving the earlier
//! output as it was.

use std::path::Path;

use crate::common::{root, table_bytes, woonzorg};

#[test]
fn a_run_reruns_from_its_manifest_and_reports_changed_inputs() {
    let dir = tempfile::tempdir().unwrap();
    // A scenario with its own copy of the group catalogue, so that the test can change an input.
    let cat = dir.path().join("catalogus.toml");
    std::fs::copy(root().join("data/groups/catalogus.toml"), &cat).unwrap();
    let sc = dir.path().join("scenario.toml");
    std::fs::write(
        &sc,
        format!(
            "extends = \"{}\"\n\n[groups]\ncatalogue = \"catalogus.toml\"\n",
            root().join("scenarios/basis.toml").display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    woonzorg()
        .args([
            "run",
            "--no-charts",
            "--no-report",
            "--draws",
            "6",
            "--seed",
            "9",
            "--out",
        ])
        .arg(&out)
        .arg(&sc)
        .assert()
        .success();
    let first = table_bytes(&out.join("basis"));
    let manifest = out.join("basis/manifest.json");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(m["run"]["seed"], 9);
    assert_eq!(m["run"]["draws"], 6);
    // Rerun from another working directory: same bytes, nothing changed.
    let a = woonzorg()
        .current_dir(dir.path())
        .args(["run", "--manifest"])
        .arg(&manifest)
        .assert()
        .success();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("geen invoer gewijzigd"), "{err}");
    assert_eq!(table_bytes(&out.join("basis")), first);
    // Change an input: the rerun names it.
    let text = std::fs::read_to_string(&cat).unwrap();
    std::fs::write(&cat, format!("{text}\n# gewijzigd\n")).unwrap();
    let a = woonzorg()
        .args(["run", "--manifest"])
        .arg(&manifest)
        .assert()
        .success();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        err.contains("invoer gewijzigd") && err.contains("catalogus.toml"),
        "{err}"
    );
    // A manifest that is not one is refused.
    let bad = dir.path().join("kapot.json");
    std::fs::write(&bad, "{\"x\": 1}").unwrap();
    woonzorg()
        .args(["run", "--manifest"])
        .arg(&bad)
        .assert()
        .code(1);
}

#[test]
fn a_run_killed_halfway_leaves_the_earlier_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    woonzorg()
        .args(["run", "--no-charts", "--no-report", "--out"])
        .arg(&out)
        .assert()
        .success();
    let before = table_bytes(&out.join("basis"));
    let manifest = std::fs::read(out.join("basis/manifest.json")).unwrap();
    // A long run (many draws) into the same folder, interrupted after a few seconds: by Ctrl-C
    // (SIGINT), by Ctrl-C to a run started with SIGINT ignored (as a background shell starts
    // it: the run still stops cleanly), and by SIGKILL.
    let staging = |out: &Path| {
        std::fs::read_dir(out)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count()
    };
    for (signal, ignored) in [("INT", false), ("INT", true), ("KILL", false)] {
        let bin = env!("CARGO_BIN_EXE_woonzorg");
        let mut cmd = if ignored {
            let mut c = std::process::Command::new("sh");
            c.args(["-c", "trap '' INT; exec \"$0\" \"$@\"", bin]);
            c
        } else {
            std::process::Command::new(bin)
        };
        let mut child = cmd
            .current_dir(root())
            .args(["run", "--no-charts", "--draws", "100000", "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_secs(6));
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before SIG{signal}"
        );
        let sent = std::process::Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        assert!(!status.success(), "SIG{signal}: {status:?}");
        if signal == "INT" {
            // Stopped cleanly: exit 130, its staging folder removed.
            assert_eq!(status.code(), Some(130), "SIG{signal} (ignored: {ignored})");
            assert_eq!(staging(&out), 0, "SIG{signal}: staging left");
        }
        assert_eq!(table_bytes(&out.join("basis")), before, "SIG{signal}");
        assert_eq!(
            std::fs::read(out.join("basis/manifest.json")).unwrap(),
            manifest,
            "SIG{signal}"
        );
    }
    // The next run clears the interrupted staging folder and succeeds.
    woonzorg()
        .args(["run", "--no-charts", "--no-report", "--out"])
        .arg(&out)
        .assert()
        .success();
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["basis".to_string()], "{left:?}");
}

/// No `unwrap()` or `expect(` in library code outside its test modules: user input must give
/// an error, never a panic. (Also `#![deny(clippy::unwrap_used, clippy::expect_used)]` in lib.rs.)
#[test]
fn no_unwrap_or_expect_outside_tests() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            if line.contains(".unwrap()") || line.contains(".expect(") {
                found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
    assert!(
        std::fs::read_to_string(root().join("src/lib.rs"))
            .unwrap()
            .contains("clippy::unwrap_used")
    );
}

/// No NaN, no infinity, and no negative count in any table of a run (gaps, differences and
/// migration may be negative).
#[test]
fn no_nan_or_negative_count_reaches_an_output() {
    let dir = tempfile::tempdir().unwrap();
    woonzorg()
        .args(["run", "--no-charts", "--no-report", "--draws", "8", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let signed = [
        "gap_gross",
        "gap_net",
        "extra_vs_base_net",
        "difference",
        "difference_pct",
        "migration",
        "net_migration",
        "age_effect",
        "criterion_effect",
        "change",
    ];
    let mut cells = 0usize;
    for (name, bytes) in table_bytes(&dir.path().join("basis")) {
        let text = String::from_utf8(bytes).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        for rec in r.records() {
            let rec = rec.unwrap();
            for (h, v) in header.iter().zip(rec.iter()) {
                let l = v.to_ascii_lowercase();
                assert!(
                    !l.contains("nan") && !l.contains("inf"),
                    "{name}: {h} = {v}"
                );
                if let Ok(x) = v.parse::<f64>() {
                    cells += 1;
                    assert!(
                        x >= -1e-9 || signed.contains(&h.as_str()),
                        "{name}: {h} = {v}"
                    );
                }
            }
        }
    }
    assert!(cells > 100_000, "{cells}");
}
