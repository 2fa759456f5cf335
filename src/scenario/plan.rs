//! The run plan: a scenario chain and the command line resolved once into plain values.
//!
//! [`RunOptions`] is what the command line says (`--draws`, `--seed`, `--no-charts`, …, a
//! `--manifest` rerun already turned into these by `cli/run.rs`); [`RunPlan::resolve`] reads
//! every file of the scenario's `extends` chain once, checks what can be checked without data
//! (the scenario's schema and its sourced numbers), makes every path absolute, and settles the
//! draws and the seed. The stages read the plan's values; none resolves a path against the
//! scenario file. The split follows ripgrep's LowArgs → HiArgs and uv's settings resolution.

use std::path::{Path, PathBuf};

use crate::source::sourced::require_sources;

use super::error::ScenarioError;
use super::resolve::{ChainFile, absolute, resolve};
use super::schema::Scenario;

/// The seed of a Monte Carlo run when neither the scenario nor `--seed` gives one.
pub const DEFAULT_SEED: u64 = 20_240_101;

/// Options of a run that are not part of the scenario (the command line).
#[derive(Clone, Default)]
pub struct RunOptions {
    pub no_charts: bool,
    /// Monte Carlo draws and seed (override the scenario's `[uncertainty]`).
    pub draws: Option<usize>,
    pub seed: Option<u64>,
    /// Write the CSV tables with `;` and a decimal comma (Dutch Excel).
    pub csv_dialect_nl: bool,
    /// Skip the workbook, the Parquet copies and the annex (only the CSV tables).
    pub no_report: bool,
    /// Called with (draws done, draws in all) during a Monte Carlo run.
    pub progress: Option<Progress>,
}

/// A progress callback: (draws done, draws in all).
pub type Progress = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("no_charts", &self.no_charts)
            .field("draws", &self.draws)
            .field("seed", &self.seed)
            .finish()
    }
}

/// A scenario resolved for a run: read once, checked, every path absolute.
pub struct RunPlan {
    /// The scenario file as given (errors at a key are said at this file).
    pub file: PathBuf,
    /// The merged scenario with every path absolute: what the stages read.
    pub scenario: Scenario,
    /// The merged scenario as written (paths as in the files): what the manifest records.
    pub written: Scenario,
    /// Every file of the `extends` chain (the scenario first) with its text.
    pub chain: Vec<ChainFile>,
    /// Monte Carlo draws (0: none) and their seed.
    pub draws: usize,
    pub seed: u64,
    /// Whether each draw moves the population between the Kernprognose intervals.
    pub draw_population: bool,
    pub charts: bool,
    pub report: bool,
    pub csv_dialect_nl: bool,
    pub progress: Option<Progress>,
}

impl RunPlan {
    /// Read the scenario chain at `path` once and resolve it with the command line's options.
    pub fn resolve(path: &Path, opts: &RunOptions) -> Result<RunPlan, ScenarioError> {
        let resolved = resolve(path)?;
        let written = Scenario::from_resolved(path, &resolved)?;
        for file in &resolved.chain {
            check_group_sources(file)?;
        }
        let scenario = written.with_absolute_paths(path);
        let u = written.uncertainty.as_ref();
        Ok(RunPlan {
            file: path.to_path_buf(),
            draws: opts.draws.or(u.map(|u| u.draws)).unwrap_or(0),
            seed: opts.seed.or(u.map(|u| u.seed)).unwrap_or(DEFAULT_SEED),
            draw_population: u.is_some_and(|u| u.population == "kernprognose"),
            charts: !opts.no_charts,
            report: !opts.no_report,
            csv_dialect_nl: opts.csv_dialect_nl,
            progress: opts.progress.clone(),
            scenario,
            written,
            chain: resolved.chain,
        })
    }

    /// An error of a scenario key, said at the scenario file.
    pub fn invalid(&self, key: &str, message: String, hint: &str) -> ScenarioError {
        ScenarioError::invalid(&self.file, key, message, hint)
    }

    /// Every file and folder the run reads, the scenario's chain first: what an output folder
    /// must neither be, hold, nor lie inside.
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.chain.iter().map(|f| absolute(&f.path)).collect();
        paths.extend(self.scenario.input_paths(&self.file).into_iter().skip(1));
        paths
    }
}

/// Numbers a scenario file adds to the groups carry a source (`source = "…"` in their table):
/// checked in every file of the chain, at that file.
fn check_group_sources(file: &ChainFile) -> Result<(), ScenarioError> {
    let Ok(raw) = toml::from_str::<toml::Value>(&file.text) else {
        return Ok(());
    };
    let Some(g) = raw.get("groups") else {
        return Ok(());
    };
    let wrapped = toml::Value::Table(toml::map::Map::from_iter([(
        "groups".to_string(),
        g.clone(),
    )]));
    require_sources(&file.path, &wrapped)
}
