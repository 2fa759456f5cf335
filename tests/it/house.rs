//! The house keeps its shape (docs/DESIGN.md): no two files of a room import each other, no
//! function is longer than a reader can hold, and a run reads each file of its scenario chain
//! once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::root;

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// The first identifier (or brace group's top-level identifiers) after each `prefix` in `text`.
fn names_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices(prefix) {
        // Not the tail of a longer path (`a::super::x` does not occur; `xsuper::` would).
        if text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &text[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use super::{a, b::C, c}`: the first segment of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        item_start = true;
                        continue;
                    }
                    _ => {}
                }
                if item_start && depth == 0 && (c.is_ascii_alphanumeric() || c == '_') {
                    out.insert(ident(&group[j..]));
                    item_start = false;
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// Per room (a folder of `src/`): which of its files (by stem) names which sibling, through
/// `super::x` or `crate::<room>::x`. `mod.rs`, the room's door, is left out.
fn room_imports() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let src = root().join("src");
    let mut rooms: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in rust_files(&src) {
        let dir = file.parent().unwrap();
        if dir == src || file.file_name().is_some_and(|f| f == "mod.rs") {
            continue;
        }
        let room = dir.strip_prefix(&src).unwrap();
        let room_path = room
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("::");
        let siblings: BTreeSet<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .filter(|s| s != "mod")
            .collect();
        let text = std::fs::read_to_string(&file).unwrap();
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let mut named = names_after(&text, "super::");
        named.extend(names_after(&text, &format!("crate::{room_path}::")));
        named.retain(|n| siblings.contains(n) && *n != stem);
        rooms.entry(room_path).or_default().insert(stem, named);
    }
    rooms
}

#[test]
fn the_reader_of_imports_sees_groups_and_paths() {
    let text = "use super::{area::Area, error::{RunError, X}, plan};\nlet x = super::charts::f();\nuse crate::scenario::schema::S;";
    let names: Vec<String> = names_after(text, "super::").into_iter().collect();
    assert_eq!(names, ["area", "charts", "error", "plan"]);
    let names: Vec<String> = names_after(text, "crate::scenario::").into_iter().collect();
    assert_eq!(names, ["schema"]);
}

#[test]
fn no_two_files_of_a_room_import_each_other() {
    let rooms = room_imports();
    assert!(
        rooms["scenario"]["run"].contains("plan"),
        "the reader of imports finds nothing: {:?}",
        rooms["scenario"]
    );
    let mut both_ways = Vec::new();
    for (room, files) in &rooms {
        for (a, named) in files {
            for b in named {
                if a < b && files.get(b).is_some_and(|n| n.contains(a)) {
                    both_ways.push(format!("src/{room}: {a}.rs ↔ {b}.rs"));
                }
            }
        }
    }
    assert!(
        both_ways.is_empty(),
        "files that import each other (move what both need into a module of its own):\n{}",
        both_ways.join("\n")
    );
}

/// Every function of `src/` with its length in lines: from its `fn` line to the line that
/// closes it at the same indentation.
fn function_lengths() -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let src = root().join("src");
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            let indent = line.len() - t.len();
            let t = t
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub(super) ")
                .trim_start_matches("pub ")
                .trim_start_matches("const ")
                .trim_start_matches("unsafe ");
            let Some(rest) = t.strip_prefix("fn ") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // The body opens on the signature's last line; a declaration without one is skipped.
            let Some(open) = (i..lines.len()).find(|&j| {
                let l = lines[j].trim_end();
                l.ends_with('{') || l.ends_with(';')
            }) else {
                continue;
            };
            if lines[open].trim_end().ends_with(';') {
                continue;
            }
            let close = format!("{}}}", " ".repeat(indent));
            if let Some(end) = (open + 1..lines.len()).find(|&j| lines[j].starts_with(&close)) {
                let rel = file.strip_prefix(root()).unwrap().display().to_string();
                out.push((end - i + 1, format!("{rel}:{} {name}", i + 1)));
            }
        }
    }
    out
}

#[test]
fn no_function_is_longer_than_200_lines() {
    let all = function_lengths();
    let run = all
        .iter()
        .find(|(_, f)| f.ends_with(" run_scenario"))
        .expect("run_scenario is found");
    assert!(run.0 < 120, "run_scenario has {} lines", run.0);
    assert!(
        all.len() > 500,
        "only {} functions found: the reader is broken",
        all.len()
    );
    let long: Vec<String> = all
        .iter()
        .filter(|(n, _)| *n > 200)
        .map(|(n, f)| format!("{f}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "functions over 200 lines (split them along their steps):\n{}",
        long.join("\n")
    );
}

/// Each file of a scenario chain is opened once per run: the plan reads the chain and keeps
/// the texts (for the schema, the sources check, the annex's sources). The files are watched
/// with inotify while the binary runs a three-file chain with Monte Carlo and the report.
#[cfg(target_os = "linux")]
#[test]
fn a_run_reads_each_file_of_its_scenario_chain_once() {
    use inotify::{Inotify, WatchMask};
    let tmp = tempfile::tempdir().unwrap();
    let scen = tmp.path().join("scenarios");
    std::fs::create_dir(&scen).unwrap();
    // basis.toml copied with its paths made absolute (the project's own copy is read by other
    // tests at the same time); a parent and a child extend it.
    let r = root();
    let basis = std::fs::read_to_string(r.join("scenarios/basis.toml"))
        .unwrap()
        .replace("\"../", &format!("\"{}/", r.display()))
        .replace(
            "\"regios.toml\"",
            &format!("\"{}\"", r.join("scenarios/regios.toml").display()),
        );
    let files = [
        ("grootouder.toml", basis),
        (
            "ouder.toml",
            "extends = \"grootouder.toml\"\ntitle = \"Keten van drie\"\n".to_string(),
        ),
        (
            "kind.toml",
            "extends = \"ouder.toml\"\nname = \"keten\"\n\n[uncertainty]\ndraws = 5\nseed = 7\n"
                .to_string(),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(scen.join(name), text).unwrap();
    }
    let mut inotify = Inotify::init().unwrap();
    let watches: Vec<_> = files
        .iter()
        .map(|(name, _)| {
            let wd = inotify
                .watches()
                .add(scen.join(name), WatchMask::OPEN)
                .unwrap();
            (wd, *name)
        })
        .collect();
    let out = tmp.path().join("out");
    crate::common::woonzorg()
        .args(["run", "--no-charts", "--quiet", "--out"])
        .arg(&out)
        .arg(scen.join("kind.toml"))
        .assert()
        .success();
    assert!(out.join("keten/bijlage.md").is_file());
    assert!(out.join("keten/tables/groups_bands.csv").is_file());
    let mut opened: BTreeMap<&str, usize> = BTreeMap::new();
    let mut buffer = [0u8; 4096];
    loop {
        let events = match inotify.read_events(&mut buffer) {
            Ok(events) => events,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("inotify: {e}"),
        };
        let mut any = false;
        for e in events {
            any = true;
            if let Some((_, name)) = watches.iter().find(|(wd, _)| *wd == e.wd) {
                *opened.entry(name).or_default() += 1;
            }
        }
        if !any {
            break;
        }
    }
    let want: BTreeMap<&str, usize> = files.iter().map(|(n, _)| (*n, 1)).collect();
    assert_eq!(opened, want, "times each file of the chain was opened");
}
