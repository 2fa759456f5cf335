//! manifest.json: what a run used and made — tool version, scenario, SHA-256 of every input
//! and output — so that it can be reproduced and checked.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileHash {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub scenario_name: String,
    pub scenario_file: FileHash,
    pub scenario: serde_json::Value,
    pub base_year: u16,
    pub horizon: u16,
    pub gemeenten: Vec<String>,
    pub inputs: Vec<FileHash>,
    pub outputs: Vec<FileHash>,
    pub notes: Vec<String>,
    /// How the run was called: enough to rerun it (`woonzorg run --manifest`).
    pub run: RunRecord,
}

/// The options of a run and where its scenario is (absolute), for a rerun.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    pub scenario_path: String,
    pub draws: usize,
    pub seed: u64,
    pub no_charts: bool,
    pub no_report: bool,
    pub csv_dialect: String,
}

/// The parts of a manifest a rerun needs.
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestForRerun {
    pub scenario_name: String,
    pub scenario_file: FileHash,
    pub inputs: Vec<FileHash>,
    pub run: RunRecord,
}

/// Inputs whose file changed (or vanished) since the manifest was written: (path, was, now).
pub fn changed_inputs(m: &ManifestForRerun) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for f in std::iter::once(&m.scenario_file).chain(&m.inputs) {
        let now = hash_path(Path::new(&f.path))
            .map(|h| h.sha256)
            .unwrap_or_else(|_| "ontbreekt".into());
        if now != f.sha256 {
            out.push((f.path.clone(), f.sha256.clone(), now));
        }
    }
    out
}

/// SHA-256 and size of a file (a folder: of every file in it, sorted by path).
/// The hash of a file's bytes already read (`path` as it is to be recorded).
pub fn hash_bytes(path: &Path, bytes: &[u8]) -> FileHash {
    FileHash {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
        sha256: format!("{:x}", Sha256::digest(bytes)),
    }
}

pub fn hash_path(path: &Path) -> std::io::Result<FileHash> {
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut files: Vec<PathBuf> = Vec::new();
    collect(path, &mut files)?;
    files.sort();
    for f in &files {
        let mut file = std::fs::File::open(f)?;
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            hasher.update(&buf[..n]);
        }
    }
    Ok(FileHash {
        path: path.display().to_string(),
        bytes,
        sha256: format!("{:x}", hasher.finalize()),
    })
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for e in std::fs::read_dir(path)? {
            collect(&e?.path(), out)?;
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}
