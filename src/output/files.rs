//! Writing outputs so that a failure never leaves half a result, and nothing the tool did not
//! make is ever replaced (**the output guard**).
//!
//! - Files are written to a temporary sibling and renamed into place; a command's folder is
//!   built in a temporary folder in the same parent and swapped in when complete.
//! - A folder woonzorg made carries a marker file ([`MARKER`]). Only such a folder is ever
//!   replaced. An `--out` folder without the marker is written *into* (a subfolder per run or
//!   per command); a target that is a file, or that holds or lies among the inputs of the
//!   command, is refused before any work ([`output_target`]).
//! - Two commands writing into the same folder take turns: each holds a lock on the parent
//!   folder while it stages and swaps (an OS lock, released when a process dies), so one never
//!   removes another's staging folder.
//! - Ctrl-C (SIGINT), SIGTERM and SIGHUP remove what is being staged, leave the previous
//!   output as it was and exit with 130 ([`install_interrupt_handler`]).

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file that marks a folder as made by woonzorg (and so replaceable by it).
pub const MARKER: &str = ".woonzorg";

/// The exit code of a command stopped by Ctrl-C (128 + SIGINT).
pub const INTERRUPTED_EXIT: i32 = 130;

/// Why an output folder is refused (exit code 1; nothing was done).
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error(
        "{path}: is a file, not a folder; nothing was written\n  hint: give --out a folder (it is made when missing), or move the file away"
    )]
    IsFile { path: PathBuf },
    #[error(
        "{path}: is a folder, not a file; nothing was written\n  hint: give a file name, e.g. {}",
        path.join("tidy.csv").display()
    )]
    IsFolder { path: PathBuf },
    #[error("{path}: exists; it is not replaced and nothing was written\n  hint: {hint}")]
    Exists { path: PathBuf, hint: String },
    #[error(
        "{path}: exists and was not made by woonzorg (no {MARKER} in it); it is not replaced and nothing was written\n  hint: {hint}"
    )]
    NotOurs { path: PathBuf, hint: String },
    #[error(
        "{path}: {what} {input}; nothing was written\n  hint: choose an output folder outside the inputs, e.g. --out {suggest}"
    )]
    AmongInputs {
        path: PathBuf,
        what: &'static str,
        input: PathBuf,
        suggest: String,
    },
}

/// A path made absolute with its symbolic links and `..` resolved as far as it exists (the
/// part that does not exist yet is appended as given).
fn real(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for r in rest.iter().rev() {
                out.push(r);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// Whether `dir` carries the marker — or is a run folder of an earlier version, which had no
/// marker but a `manifest.json` written by woonzorg.
pub fn is_ours(dir: &Path) -> bool {
    if dir.join(MARKER).is_file() {
        return true;
    }
    fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("tool").and_then(|t| t.as_str()) == Some("woonzorg"))
}

/// The folder a command writes (and may replace), checked against what it reads.
///
/// - `out` is what the user gave with `--out`. With `sub = false` (a run) the folder is always
///   `out/<name>`, `name` being the scenario's. With `sub = true` (compare, definitions,
///   backtest) it is `out` itself when `out` is missing or made by woonzorg, and `out/<name>`
///   when `out` is someone else's folder (which is then written into, never replaced).
/// - Refused: a target (or `out`) that is a file; a target that exists without the marker; a
///   target that is, or holds, an input; a target inside an input folder; and an `out` that is
///   written into while it holds an input (the parent of a run being read).
pub fn output_target(
    out: &Path,
    name: &str,
    sub: bool,
    inputs: &[PathBuf],
) -> Result<PathBuf, GuardError> {
    if out.exists() && !out.is_dir() {
        return Err(GuardError::IsFile {
            path: out.to_path_buf(),
        });
    }
    let inputs = real_inputs(inputs);
    let suggest = |target: &Path| {
        target
            .parent()
            .map(|p| p.join(format!("{name}-uitvoer")))
            .unwrap_or_else(|| PathBuf::from("out"))
            .display()
            .to_string()
    };
    let written_into = !sub || (out.is_dir() && !is_ours(out));
    if sub && written_into {
        let r = real(out);
        if let Some((input, _)) = inputs.iter().find(|(i, _)| i.starts_with(&r)) {
            return Err(GuardError::AmongInputs {
                path: out.to_path_buf(),
                what: "is not made by woonzorg and holds an input of this command:",
                input: input.clone(),
                suggest: "out/".to_string() + name,
            });
        }
    }
    let target = if written_into {
        out.join(name)
    } else {
        out.to_path_buf()
    };
    if target.exists() {
        if !target.is_dir() {
            return Err(GuardError::IsFile { path: target });
        }
        if !is_ours(&target) {
            return Err(GuardError::NotOurs {
                hint: format!(
                    "move it away, or choose another output folder (e.g. --out {})",
                    suggest(&target)
                ),
                path: target,
            });
        }
    }
    let r = real(&target);
    if let Some((what, input)) = among_inputs(&r, &inputs) {
        return Err(GuardError::AmongInputs {
            suggest: suggest(&r),
            path: target,
            what,
            input: input.clone(),
        });
    }
    Ok(target)
}

/// How an output path (made [`real`]) stands to the inputs (made real, with whether each is a
/// folder), if it is among them: the first input it is, holds, or lies inside (when a folder).
fn among_inputs<'a>(
    out: &Path,
    inputs: &'a [(PathBuf, bool)],
) -> Option<(&'static str, &'a PathBuf)> {
    inputs.iter().find_map(|(input, is_dir)| {
        let what = if *input == out {
            "is an input of this command:"
        } else if input.starts_with(out) {
            "holds an input of this command:"
        } else if *is_dir && out.starts_with(input) {
            "lies inside an input folder of this command:"
        } else {
            return None;
        };
        Some((what, input))
    })
}

/// The inputs made [`real`], each with whether it is a folder.
fn real_inputs(inputs: &[PathBuf]) -> Vec<(PathBuf, bool)> {
    inputs.iter().map(|p| (real(p), p.is_dir())).collect()
}

/// The file a command writes (`import --out`, `regions --harmonise`): not a folder, not an
/// input, not inside an input folder (where the next import would read it back).
pub fn output_file(out: &Path, inputs: &[PathBuf]) -> Result<(), GuardError> {
    if out.is_dir() {
        return Err(GuardError::IsFolder {
            path: out.to_path_buf(),
        });
    }
    match among_inputs(&real(out), &real_inputs(inputs)) {
        Some((what, input)) => Err(GuardError::AmongInputs {
            path: out.to_path_buf(),
            what,
            input: input.clone(),
            suggest: "out/tidy.csv".into(),
        }),
        None => Ok(()),
    }
}

/// What is being staged now (temporary folders and files), removed by the interrupt handler.
/// The handler holds the lock until the process ends, so a swap in [`StagedDir::commit`] (which
/// holds it too) is either done or not begun.
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn staging() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    STAGING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn register(p: &Path) {
    staging().push(p.to_path_buf());
}

fn unregister(p: &Path) {
    staging().retain(|q| q != p);
}

/// On Ctrl-C (and SIGTERM, SIGHUP): remove what is being staged, say so, exit with 130. The
/// previous output stays as it was. Installed once by the command line; also when SIGINT was
/// ignored by the shell that started the process.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        let held = staging();
        for p in held.iter() {
            if p.is_dir() {
                let _ = fs::remove_dir_all(p);
            } else {
                let _ = fs::remove_file(p);
            }
        }
        eprintln!("onderbroken: niets geschreven, eerdere uitvoer ongewijzigd");
        std::process::exit(INTERRUPTED_EXIT);
    });
}

/// A hidden path beside `path` (`.name.tag-PID`) in the same folder, which is created.
fn sibling(path: &Path, tag: &str) -> io::Result<PathBuf> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    Ok(parent.join(format!(".{name}.{tag}-{}", std::process::id())))
}

/// Remove staging folders an interrupted earlier run left beside `target` (`.<name>.tmp-<pid>`,
/// `.<name>.old-<pid>` of another process id). Called with the parent's lock held, so no other
/// process is staging there: a killed run cannot clean up after itself; the next run into the
/// same folder does (and puts back an old output a run died swapping out).
fn remove_stale_siblings(target: &Path, ours: &Path) {
    let (Some(parent), Some(name)) = (ours.parent(), target.file_name()) else {
        return;
    };
    let name = name.to_string_lossy();
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let f = e.file_name().to_string_lossy().into_owned();
        let stale = [format!(".{name}.tmp-"), format!(".{name}.old-")]
            .iter()
            .any(|prefix| {
                f.strip_prefix(prefix.as_str())
                    .is_some_and(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
            });
        if stale && e.path() != ours {
            // An `.old-` folder with no target means a run died between its two renames: the
            // old output is the one to keep.
            if f.starts_with(&format!(".{name}.old-")) && !target.exists() {
                let _ = fs::rename(e.path(), target);
            } else {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Write one file atomically: `fill` writes into a temporary file next to `path`, which is
/// renamed over `path` only when `fill` succeeds.
pub fn write_file_atomic<E>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<io::Error>,
{
    if path.is_dir() {
        return Err(E::from(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{}: is a folder; give a file name", path.display()),
        )));
    }
    let tmp = sibling(path, "tmp")?;
    register(&tmp);
    let result = (|| {
        let f = fs::File::create(&tmp)?;
        let mut w = BufWriter::new(f);
        fill(&mut w)?;
        w.flush().map_err(E::from)?;
        w.into_inner()
            .map_err(|e| E::from(e.into_error()))?
            .sync_all()?;
        let _held = staging();
        fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    unregister(&tmp);
    result
}

/// A run's output folder under construction. Files go into a temporary folder beside the
/// target; [`StagedDir::commit`] swaps it into place. Dropped without commit, it is removed.
pub struct StagedDir {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
    /// The parent folder when this command created it (removed again, if empty, when the
    /// command fails: a failed run leaves nothing behind).
    created_parent: Option<PathBuf>,
    /// The parent folder, locked while this command stages and swaps.
    _lock: fs::File,
}

impl StagedDir {
    /// Stage a new `target` (checked by [`output_target`] first). Waits while another
    /// woonzorg process stages into the same parent folder.
    pub fn new(target: &Path) -> io::Result<StagedDir> {
        let parent_before = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .filter(|p| !p.exists())
            .map(Path::to_path_buf);
        let tmp = sibling(target, "tmp")?;
        let parent = tmp.parent().unwrap_or(Path::new("."));
        let lock = fs::File::open(parent)?;
        lock.lock()?;
        remove_stale_siblings(target, &tmp);
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        register(&tmp);
        fs::create_dir_all(&tmp)?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            tmp,
            committed: false,
            created_parent: parent_before,
            _lock: lock,
        })
    }

    /// Path of a file inside the staged folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Replace the target folder with the staged one (marked as woonzorg's). A target that
    /// appeared meanwhile and is not woonzorg's is left alone (an error).
    pub fn commit(mut self) -> io::Result<PathBuf> {
        fs::write(
            self.tmp.join(MARKER),
            "Deze map is gemaakt door woonzorg; woonzorg mag haar vervangen.\n",
        )?;
        let old = sibling(&self.target, "old")?;
        let mut held = staging();
        if self.target.exists() {
            if !self.target.is_dir() || !is_ours(&self.target) {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} appeared while this command ran and was not made by woonzorg; it is left alone",
                        self.target.display()
                    ),
                ));
            }
            fs::rename(&self.target, &old)?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            if old.exists() {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        self.committed = true;
        held.retain(|q| q != &self.tmp);
        drop(held);
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
            unregister(&self.tmp);
            if let Some(p) = &self.created_parent {
                // Only when empty: another run may have written beside us meanwhile.
                let _ = fs::remove_dir(p);
            }
        }
    }
}

/// A region code as part of a file name (`bijlage_<stem>.html`, `prognose_bevolking_<stem>.svg`):
/// letters, digits, `-` and `_` kept, anything else `_` (an own region's code is its name).
pub fn region_file_stem(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        let r: Result<(), io::Error> = write_file_atomic(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("boom"))
        });
        assert!(r.is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn staged_dir_replaces_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("basis");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("old.txt"), "old").unwrap();
        fs::write(target.join(MARKER), "").unwrap();
        {
            let s = StagedDir::new(&target).unwrap();
            fs::write(s.path("new.txt"), "new").unwrap();
            // dropped without commit
        }
        assert!(target.join("old.txt").exists());
        let s = StagedDir::new(&target).unwrap();
        fs::write(s.path("new.txt"), "new").unwrap();
        s.commit().unwrap();
        assert!(target.join("new.txt").exists());
        assert!(target.join(MARKER).exists());
        assert!(!target.join("old.txt").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_not_made_by_woonzorg_is_written_into_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("mijn");
        fs::create_dir_all(mine.join("sub")).unwrap();
        fs::write(mine.join("precious.txt"), "x").unwrap();
        // A command's --out: written into.
        let t = output_target(&mine, "vergelijking", true, &[]).unwrap();
        assert_eq!(t, mine.join("vergelijking"));
        // A run whose name is the folder's: refused.
        let e = output_target(dir.path(), "mijn", false, &[]).unwrap_err();
        assert!(matches!(e, GuardError::NotOurs { .. }), "{e}");
        // A marked folder is the target itself.
        let ours = dir.path().join("ons");
        fs::create_dir_all(&ours).unwrap();
        fs::write(ours.join(MARKER), "").unwrap();
        assert_eq!(output_target(&ours, "x", true, &[]).unwrap(), ours);
        // A file.
        let f = dir.path().join("f");
        fs::write(&f, "x").unwrap();
        assert!(matches!(
            output_target(&f, "x", true, &[]),
            Err(GuardError::IsFile { .. })
        ));
        // The parent of an input, an input, inside an input folder.
        let run = dir.path().join("out/basis");
        fs::create_dir_all(&run).unwrap();
        fs::write(run.join(MARKER), "").unwrap();
        let inputs = [run.clone()];
        for out in [dir.path().join("out"), run.clone(), run.join("x")] {
            let e = output_target(&out, "vergelijking", true, &inputs).unwrap_err();
            assert!(
                matches!(e, GuardError::AmongInputs { .. }),
                "{}: {e}",
                out.display()
            );
        }
        assert!(output_target(&dir.path().join("elders"), "v", true, &inputs).is_ok());
        assert!(fs::read_dir(&mine).unwrap().count() == 2);
    }
}
