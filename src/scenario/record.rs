//! The record of a run: manifest.json with the SHA-256 of every input and output, the plan's
//! options (enough for `woonzorg run --manifest`) and the notes of the run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::output::files::StagedDir;
use crate::output::manifest::{FileHash, Manifest, RunRecord, hash_path};

use super::error::RunError;
use super::plan::RunPlan;
use super::resolve::absolute;

/// What the manifest records besides the plan.
pub struct Record<'a> {
    /// Every file the run read (data, catalogues), in the order they were read.
    pub inputs: Vec<PathBuf>,
    /// Every file the run wrote, relative to the output folder.
    pub files: &'a [String],
    /// Hashes taken while writing, by output path (the rest is hashed here).
    pub hashed: &'a HashMap<String, FileHash>,
    /// The gemeente codes of the run (NL01 for a national run).
    pub gemeenten: Vec<String>,
    pub notes: Vec<String>,
    /// Whether Monte Carlo draws were made (the groups were counted).
    pub drawn: bool,
}

/// Write `manifest.json` into the staged folder.
pub fn write_manifest(staged: &StagedDir, plan: &RunPlan, r: Record<'_>) -> Result<(), RunError> {
    let hash = |p: &Path| hash_path(&absolute(p)).map_err(|e| RunError::write(p, e));
    let inputs = r
        .inputs
        .iter()
        .map(|p| hash(p))
        .collect::<Result<Vec<_>, _>>()?;
    // The outputs in parallel: population.csv of a national run alone is 234 MB.
    let outputs = r
        .files
        .par_iter()
        .map(|f| {
            if let Some(h) = r.hashed.get(f) {
                return Ok(h.clone());
            }
            let mut h = hash(&staged.path(f))?;
            h.path = f.clone();
            Ok(h)
        })
        .collect::<Result<Vec<_>, RunError>>()?;
    let s = &plan.written;
    let manifest = Manifest {
        tool: "woonzorg",
        version: env!("CARGO_PKG_VERSION"),
        scenario_name: s.name.clone(),
        scenario_file: match plan.chain.first() {
            Some(f) => f.hash.clone(),
            None => hash(&plan.file)?,
        },
        scenario: serde_json::to_value(s).unwrap_or(serde_json::Value::Null),
        base_year: s.base_year,
        horizon: s.horizon,
        gemeenten: r.gemeenten,
        inputs,
        outputs,
        notes: r.notes,
        run: RunRecord {
            scenario_path: absolute(&plan.file).display().to_string(),
            draws: if r.drawn { plan.draws } else { 0 },
            seed: plan.seed,
            no_charts: !plan.charts,
            no_report: !plan.report,
            csv_dialect: if plan.csv_dialect_nl { "nl" } else { "rfc" }.into(),
        },
    };
    let manifest_path = staged.path("manifest.json");
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| RunError::Write {
        path: manifest_path.clone(),
        source: e.into(),
    })?;
    std::fs::write(&manifest_path, json + "\n").map_err(|e| RunError::write(&manifest_path, e))
}
