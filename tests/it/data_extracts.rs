//! The extracts in data/ are what `woonzorg` makes of ../shared/data today (data/refresh.sh).

use crate::common::root;
use crate::require_shared;

#[test]
fn shipped_extracts_rebuild_byte_identically() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash")
        .arg(root().join("data/refresh.sh"))
        .arg(&shared)
        .arg(dir.path())
        .env("WOONZORG", env!("CARGO_BIN_EXE_woonzorg"))
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    // Every extract shipped in data/ (all CSV files outside mappings/).
    let mut files: Vec<String> = Vec::new();
    for sub in ["regions", "population", "forecasts", "groups", "housing"] {
        for e in std::fs::read_dir(root().join("data").join(sub)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") {
                files.push(format!("{sub}/{name}"));
            }
        }
    }
    assert!(files.len() >= 10, "{files:?}");
    for f in &files {
        let fresh = std::fs::read(dir.path().join(f)).unwrap();
        let shipped = std::fs::read(root().join("data").join(f)).unwrap();
        assert!(
            fresh == shipped,
            "data/{f} differs from a fresh import; run data/refresh.sh"
        );
        assert!(shipped.len() < 5 * 1024 * 1024, "data/{f} is over 5 MB");
    }
}

#[test]
fn data_readme_names_sources_and_licence() {
    let readme = std::fs::read_to_string(root().join("data/README.md")).unwrap();
    assert!(readme.contains("Bron: CBS, CC BY 4.0"));
    for id in [
        "85383NED", "7461bev", "83287NED", "86059NED", "85755NED", "37168", "37744ned", "37422ned",
        "86040NED", "85171NED", "85745NED", "86060NED", "85012NED", "37620", "85616NED",
    ] {
        assert!(readme.contains(id), "data/README.md does not name {id}");
    }
}
