//! Writing outputs so that a failure never leaves half a result: files are written to a
//! temporary sibling and renamed into place; a run's folder is built in a temporary folder
//! in the same parent and swapped in when complete.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

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
/// `.<name>.old-<pid>` of another process id). A killed run cannot clean up after itself; the
/// next run into the same folder does (and puts back an old output a run died swapping out).
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
    let tmp = sibling(path, "tmp")?;
    let result = (|| {
        let f = fs::File::create(&tmp)?;
        let mut w = BufWriter::new(f);
        fill(&mut w)?;
        w.flush().map_err(E::from)?;
        w.into_inner()
            .map_err(|e| E::from(e.into_error()))?
            .sync_all()?;
        fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A run's output folder under construction. Files go into a temporary folder beside the
/// target; [`StagedDir::commit`] swaps it into place. Dropped without commit, it is removed.
pub struct StagedDir {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl StagedDir {
    pub fn new(target: &Path) -> io::Result<StagedDir> {
        let tmp = sibling(target, "tmp")?;
        remove_stale_siblings(target, &tmp);
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp)?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            tmp,
            committed: false,
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

    /// Replace the target folder with the staged one.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        let old = sibling(&self.target, "old")?;
        if self.target.exists() {
            fs::rename(&self.target, &old)?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            if old.exists() {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
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
        assert!(!target.join("old.txt").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
