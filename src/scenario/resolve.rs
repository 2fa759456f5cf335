//! `extends`: a scenario names the scenario it builds on, and states only what differs.
//!
//! Override semantics (tested in tests/it/scenarios.rs):
//! - tables merge key by key, recursively: the child's value wins for every key it sets, the
//!   parent's stays for every key it does not;
//! - any other value — a number, a string, **an array** (also an array of tables such as
//!   `[[housing.policy]]`) — is replaced as a whole by the child's;
//! - inheritance nests (a child of a child) and a cycle is refused;
//! - relative paths are taken from the file that writes them: the parent's paths stay valid for
//!   a child in another folder;
//! - an inherited optional path is switched off with an empty string (`own = ""`).

use std::path::{Component, Path, PathBuf};

use crate::output::manifest::{FileHash, hash_bytes};

use super::error::ScenarioError;

/// Keys whose string values are paths (dotted; `*` = every key of that table, `[]` = every
/// element of an array of tables).
const PATH_KEYS: &[&str] = &[
    "data.*",
    "regions.own",
    "projection.overrides",
    "projection.external[].file",
    "groups.catalogue",
    "groups.data",
    "housing.catalogue",
    "housing.data",
    "housing.stock_data",
    "housing.supply",
    "housing.pipeline",
];

/// A TOML error of a scenario text, with its line: an unknown key with its table path and a
/// "did you mean"; otherwise the key of the line and the parser's message.
pub(crate) fn toml_error(path: &Path, text: &str, e: toml::de::Error) -> ScenarioError {
    let line = crate::source::sourced::error_line(text, &e);
    let raw = e.message().trim().to_string();
    let (message, hint) = if let Some((field, best)) = suggestion(&raw) {
        let table = table_at(text, line);
        let key = if table.is_empty() {
            field
        } else {
            format!("{table}.{field}")
        };
        let hint = match best {
            Some(b) => format!("did you mean '{b}'? ({raw})"),
            None => raw.clone(),
        };
        (format!("unknown key '{key}'"), hint)
    } else {
        let (message, hint) = if raw.contains("as i128") {
            (
                "a whole number too large for any setting".to_string(),
                format!("({raw})"),
            )
        } else {
            (
                raw,
                "see scenarios/basis.toml for the keys a scenario has".to_string(),
            )
        };
        let message = match key_at(text, line) {
            Some(key) => format!("key '{key}': {message}"),
            None => message,
        };
        (message, hint)
    };
    ScenarioError::Toml {
        path: path.to_path_buf(),
        line,
        message,
        hint,
    }
}

fn read(path: &Path) -> Result<(String, FileHash, toml::Table), ScenarioError> {
    let (bytes, text) = crate::source::text::read_toml(path)?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| toml_error(path, &text, e))?;
    Ok((text, hash_bytes(&absolute(path), &bytes), table))
}

/// The key path (`uncertainty.draws`) of a `key = value` line of a TOML text, if line `line`
/// (1-based) is one.
pub fn key_at(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim();
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return None;
    }
    let table = table_at(text, line);
    Some(if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    })
}

/// Make the relative path values of a table absolute against `dir`.
fn absolutise(t: &mut toml::Table, dir: &Path) {
    for key in PATH_KEYS {
        let parts: Vec<&str> = key.split('.').collect();
        absolutise_at(t, &parts, dir);
    }
}

fn absolutise_at(t: &mut toml::Table, parts: &[&str], dir: &Path) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    let fix = |v: &mut toml::Value| {
        if let toml::Value::String(s) = v
            && !s.is_empty()
            && Path::new(s.as_str()).is_relative()
        {
            *s = dir.join(s.as_str()).to_string_lossy().into_owned();
        }
    };
    if *first == "*" {
        for (_, v) in t.iter_mut() {
            fix(v);
        }
        return;
    }
    let (name, array) = match first.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (*first, false),
    };
    let Some(v) = t.get_mut(name) else { return };
    match (rest.is_empty(), array, v) {
        (true, _, v) => fix(v),
        (false, true, toml::Value::Array(items)) => {
            for item in items {
                if let toml::Value::Table(it) = item {
                    absolutise_at(it, rest, dir);
                }
            }
        }
        (false, false, toml::Value::Table(sub)) => absolutise_at(sub, rest, dir),
        _ => {}
    }
}

/// Merge `child` into `parent` (the semantics above).
pub fn merge(parent: &mut toml::Table, child: toml::Table) {
    for (k, v) in child {
        match (parent.get_mut(&k), v) {
            (Some(toml::Value::Table(p)), toml::Value::Table(c)) => merge(p, c),
            (_, v) => {
                parent.insert(k, v);
            }
        }
    }
}

/// A file of a scenario chain with its text and the SHA-256 of its bytes, read once per run.
#[derive(Debug, Clone)]
pub struct ChainFile {
    pub path: PathBuf,
    pub text: String,
    /// The hash of the file as read (recorded in the manifest under its absolute path).
    pub hash: FileHash,
}

/// A scenario with everything it extends merged in, and the files of the chain (the scenario
/// itself first), each read once.
pub struct Resolved {
    pub table: toml::Table,
    pub chain: Vec<ChainFile>,
}

impl Resolved {
    /// The text of the scenario file itself.
    pub fn text(&self) -> &str {
        self.chain.first().map_or("", |f| f.text.as_str())
    }
}

/// Read a scenario and resolve its `extends` chain.
pub fn resolve(path: &Path) -> Result<Resolved, ScenarioError> {
    let mut chain = Vec::new();
    let table = resolve_into(path, &mut chain, true)?;
    Ok(Resolved { table, chain })
}

fn resolve_into(
    path: &Path,
    chain: &mut Vec<ChainFile>,
    top: bool,
) -> Result<toml::Table, ScenarioError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain
        .iter()
        .any(|f| f.path.canonicalize().ok().as_ref() == Some(&canonical))
    {
        return Err(ScenarioError::Invalid {
            path: path.to_path_buf(),
            key: "extends".into(),
            message: format!(
                "extends cycle: {} → {}",
                chain
                    .iter()
                    .map(|f| f.path.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" → "),
                path.display()
            ),
            hint: "a scenario cannot extend itself, directly or through another".into(),
        });
    }
    let (text, hash, mut table) = read(path)?;
    chain.push(ChainFile {
        path: path.to_path_buf(),
        text,
        hash,
    });
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    if !top {
        absolutise(&mut table, &dir);
    }
    let Some(ext) = table.remove("extends") else {
        return Ok(table);
    };
    let toml::Value::String(parent_name) = ext else {
        return Err(ScenarioError::Invalid {
            path: path.to_path_buf(),
            key: "extends".into(),
            message: "not a file name".into(),
            hint: "extends = \"basis.toml\" (relative to this file)".into(),
        });
    };
    let parent_path = dir.join(&parent_name);
    let mut parent = resolve_into(&parent_path, chain, false).map_err(|e| match e {
        // A file that cannot be read as text: said at this file's `extends`, which names it.
        ScenarioError::Text(inner) => {
            let text = inner.to_string();
            let (message, hint) = text.split_once("\n  hint: ").unwrap_or((&text, ""));
            ScenarioError::Invalid {
                path: path.to_path_buf(),
                key: "extends".into(),
                message: message.to_string(),
                hint: hint.to_string(),
            }
        }
        other => other,
    })?;
    merge(&mut parent, table);
    Ok(parent)
}

/// A path made absolute against the working folder, `.` and `..` taken out by their names
/// (`scenarios/../data/x` → `/…/data/x`); a path that is already absolute is cleaned the same way.
pub fn absolute(p: &Path) -> PathBuf {
    let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// For serde's "unknown field `x`, expected one of `a`, `b`": the unknown key and the closest
/// known one (if it is close).
pub fn suggestion(message: &str) -> Option<(String, Option<String>)> {
    let rest = message.split("unknown field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let best = expected
        .iter()
        .map(|e| (strsim::levenshtein(field, e), *e))
        .min()
        .filter(|(d, e)| *d <= (e.len() / 3).max(2))
        .map(|(_, e)| e.to_string());
    Some((field.to_string(), best))
}

/// The table a line of a TOML text belongs to (`projection`, `housing.policy`), from the last
/// `[header]` above it.
pub fn table_at(text: &str, line: usize) -> String {
    text.lines()
        .take(line)
        .filter_map(|l| {
            let l = l.trim();
            l.starts_with('[')
                .then(|| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
        })
        .last()
        .unwrap_or_default()
}

/// The first line of a file where `key` is set (`key =` or inside an inline table).
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            !t.starts_with('#')
                && (t.starts_with(&format!("{key} "))
                    || t.starts_with(&format!("{key}="))
                    || l.contains(&format!(" {key} ="))
                    || l.contains(&format!("{{{key} =")))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_overrides_tables_and_replaces_arrays() {
        let mut p: toml::Table =
            toml::from_str("a = 1\nlist = [1, 2]\n[t]\nx = 1\ny = 2\n[[arr]]\nid = \"p\"\n")
                .unwrap();
        let c: toml::Table =
            toml::from_str("list = [3]\n[t]\ny = 5\nz = 6\n[[arr]]\nid = \"c\"\n").unwrap();
        merge(&mut p, c);
        let want: toml::Table =
            toml::from_str("a = 1\nlist = [3]\n[t]\nx = 1\ny = 5\nz = 6\n[[arr]]\nid = \"c\"\n")
                .unwrap();
        assert_eq!(p, want);
    }

    #[test]
    fn absolute_takes_out_dots_by_name() {
        assert_eq!(
            absolute(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert!(absolute(Path::new("x/../y")).is_absolute());
        assert!(absolute(Path::new("x/../y")).ends_with("y"));
    }

    #[test]
    fn suggests_the_closest_key() {
        let m = "unknown field `horizn`, expected one of `name`, `title`, `horizon`, `data`";
        assert_eq!(
            suggestion(m),
            Some(("horizn".into(), Some("horizon".into())))
        );
        let m = "unknown field `zzzz`, expected one of `name`, `title`";
        assert_eq!(suggestion(m), Some(("zzzz".into(), None)));
        assert_eq!(
            table_at("a = 1\n[projection]\nsteer = 1\n", 3),
            "projection"
        );
    }
}
