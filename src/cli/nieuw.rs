//! `woonzorg nieuw` (alias `new`): a scenario for a gemeente or region, ready to run.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::geo::Registry;
use crate::output::files::{GuardError, write_file_atomic};
use crate::scenario::new::{file_name, find_subject, scenario_text};

const AFTER_HELP: &str = "\
Writes scenarios/<naam>.toml, which extends scenarios/basis.toml for one gemeente or region:
the gemeente, its centrumgemeente region (beschermd wonen en maatschappelijke opvang) and its
zorgkantoorregio as report regions, the annex about the gemeente, with Dutch comments saying
what to fill in (own stock, plans, party definitions). Then `woonzorg run scenarios/<naam>.toml`
is all it takes.

Names are found as `regions` finds them: a gemeente by name or code (GM0828), a region by code
(CE0796, ZK04) or with its kind word ('zorgkantoorregio Arnhem', 'centrumgemeente Hoorn'). An
unknown name is refused with the nearest names ('Den Bosch' → 's-Hertogenbosch). An existing
file is not replaced unless --overschrijven is given.

Examples:
  woonzorg nieuw Oss
  woonzorg nieuw \"'s-Hertogenbosch\" --naam den_bosch
  woonzorg nieuw 'zorgkantoorregio Arnhem'
  woonzorg nieuw GM0503 --map /tmp/scenarios   (extends the basis scenario by its full path)";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// The gemeente or region (name, code, or kind word and name)
    #[arg(value_name = "GEMEENTE_OF_REGIO")]
    pub query: String,
    /// The scenario's name and file name (default: from the gemeente's or region's name)
    #[arg(long, value_name = "N")]
    pub naam: Option<String>,
    /// The folder the scenario goes into
    #[arg(long = "map", value_name = "DIR", default_value = "scenarios")]
    pub dir: PathBuf,
    /// The scenario it extends
    #[arg(long, value_name = "TOML", default_value = "scenarios/basis.toml")]
    pub basis: PathBuf,
    /// The region registry
    #[arg(long, value_name = "DIR", default_value = "data/regions")]
    pub regions: PathBuf,
    /// Replace an existing file
    #[arg(long)]
    pub overschrijven: bool,
}

/// The indeling a new scenario is written for (the basis scenario's base year).
const YEAR: u16 = 2024;

pub fn run(args: Args) -> anyhow::Result<()> {
    let reg = Registry::load(&args.regions)?;
    let subject = find_subject(&reg, YEAR, &args.query)?;
    let name = file_name(args.naam.as_deref().unwrap_or(&subject.name));
    anyhow::ensure!(!name.is_empty(), "--naam gives no usable file name");
    let path = args.dir.join(format!("{name}.toml"));
    if path.exists() && !args.overschrijven {
        return Err(GuardError::Exists {
            path,
            hint: "woonzorg nieuw … --overschrijven replaces it, or --naam gives another name"
                .into(),
        }
        .into());
    }
    let extends = extends_path(&args.dir, &args.basis)?;
    let shown = path.display().to_string();
    let text = scenario_text(&reg, YEAR, &subject, (&name, &shown), &extends);
    std::fs::create_dir_all(&args.dir).with_context(|| format!("making {}", args.dir.display()))?;
    write_file_atomic(&path, |w| w.write_all(text.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "{} ({}, {} gemeente(n)) → {}\nvolgende stap: woonzorg run {}",
        subject.name,
        subject.code,
        subject.members.len(),
        path.display(),
        path.display()
    );
    Ok(())
}

/// How the new file names the basis scenario: its file name when they share a folder, else
/// its absolute path.
fn extends_path(dir: &Path, basis: &Path) -> anyhow::Result<String> {
    let basis = std::fs::canonicalize(basis)
        .with_context(|| format!("the basis scenario {} is not there", basis.display()))?;
    let same = std::fs::canonicalize(dir).ok() == basis.parent().map(Path::to_path_buf);
    Ok(if same {
        basis
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        basis.display().to_string()
    })
}
