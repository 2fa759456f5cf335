//! manifest.json: what a run used and made — tool version, scenario, SHA-256 of every input
//! and output — so that it can be reproduced and checked.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Serialize)]
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
}

/// SHA-256 and size of a file (a folder: of every file in it, sorted by path).
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
