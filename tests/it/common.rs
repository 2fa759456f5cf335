//! Helpers: the binary, the shared data folder, temp dirs, CSV reading.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `woonzorg` binary, run from the project root.
pub fn woonzorg() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_woonzorg"));
    c.current_dir(root());
    c
}

/// ../shared/data, or None (with a notice) when it is absent. Under CI=true its absence fails.
pub fn shared_data() -> Option<PathBuf> {
    let p = root().join("..").join("shared").join("data");
    if p.join("README.md").is_file() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but ../shared/data is missing: the tests that read the CBS files cannot run"
        );
    }
    eprintln!("notice: ../shared/data not found; skipping a test that reads the CBS files");
    None
}

/// Skip the calling test when ../shared/data is absent (fails under CI=true).
#[macro_export]
macro_rules! require_shared {
    () => {
        match $crate::common::shared_data() {
            Some(p) => p,
            None => return,
        }
    };
}

/// Read a CSV into header + rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Index of a column.
pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// Sum of `value` over rows matching all (column, value) pairs.
pub fn sum_where(header: &[String], rows: &[Vec<String>], conds: &[(&str, &str)]) -> f64 {
    let idx: Vec<(usize, &str)> = conds.iter().map(|(c, v)| (col(header, c), *v)).collect();
    let vi = col(header, "value");
    rows.iter()
        .filter(|r| idx.iter().all(|(i, v)| r[*i] == *v))
        .filter_map(|r| r[vi].parse::<f64>().ok())
        .sum()
}

/// Run `woonzorg import <input> [extra…] --out <tmp>.csv` and read the tidy result.
pub fn import_csv(input: &Path, extra: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tidy.csv");
    woonzorg()
        .arg("import")
        .arg(input)
        .args(extra)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    read_csv(&out)
}

/// Print a line that shows in CI logs too (libtest captures `println!`, not direct writes).
#[macro_export]
macro_rules! show {
    ($($arg:tt)*) => {{
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("{}\n", format!($($arg)*)).as_bytes());
    }};
}

/// Indices of several columns at once.
pub fn cols<const N: usize>(header: &[String], names: [&str; N]) -> [usize; N] {
    names.map(|n| col(header, n))
}

/// Run `woonzorg run --no-charts <scenario> --out <out>`, expect success, return stdout.
pub fn run_ok(scenario: &Path, out: &Path) -> String {
    let o = woonzorg()
        .args(["run", "--no-charts", "--no-report"])
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(o).unwrap()
}

/// Run `woonzorg <args> <file> --out <out>`, expect exit code 1, return stderr.
pub fn fails(args: &[&str], file: &Path, out: &Path) -> String {
    let a = woonzorg()
        .args(args)
        .arg(file)
        .arg("--out")
        .arg(out)
        .assert()
        .code(1);
    String::from_utf8_lossy(&a.get_output().stderr).to_string()
}

/// The files of `<dir>/tables`, sorted, with their bytes (to compare runs byte for byte).
pub fn table_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("tables"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}
