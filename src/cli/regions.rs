//! `woonzorg regions`: the gemeenten of a year and their regions, herindelingen, harmonising.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::geo::{Registry, load_own_regions};
use crate::output::files::write_file_atomic;
use crate::source::{self, TidyTable};

const AFTER_HELP: &str = "\
Regions are CBS codes: GM (gemeente), PV (provincie), CR (COROP), ZK (zorgkantoorregio),
CE (centrumgemeente beschermd wonen/maatschappelijke opvang, 2023–2024), GG (GGD-regio),
AM (arbeidsmarktregio), LD (landsdeel), JZ (jeugdregio), VR (veiligheidsregio); or a name,
optionally after its kind ('provincie Utrecht', 'centrumgemeente Hoorn'); or an own region from
a TOML file:
    [[region]]
    name = \"Beverwijk-Heemskerk\"
    members = [\"Beverwijk\", \"Heemskerk\"]
    source = \"aanname: gezamenlijke woonzorgvisie\"

Examples:
  woonzorg regions --year 2024                       all 342 gemeenten with their regions
  woonzorg regions --year 2023 --member-of CE0405    the centrumgemeente region of Hoorn
  woonzorg regions --year 2024 --member-of 'zorgkantoorregio Arnhem'   (kind word + name)
  woonzorg regions --mergers                         herindelingen 2016–2025 and how they were derived
  woonzorg regions --harmonise table.csv --indeling 2016 --year 2024 --out harmonised.csv
  woonzorg regions --from cbs/regions --export data/regions   (from the CBS Gebieden in Nederland files)
  woonzorg regions --year 2024 --boundaries cbs/geo --out data/geo
      the map boundaries the runs read: from the CBS/PDOK files gemeente_2024.geojson and
      provincie_2024.geojson (generalised, RD New), gemeenten_2024.geojson and
      provincies_2024.geojson with the registry's codes, names and provincies";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Indeling year (2016–2025)
    #[arg(long, default_value_t = 2024)]
    pub year: u16,
    /// List the gemeenten of this region (code, name, or own region)
    #[arg(long, value_name = "REGION")]
    pub member_of: Option<String>,
    /// List the herindelingen between consecutive years
    #[arg(long)]
    pub mergers: bool,
    /// Where the registry comes from: the shipped extract folder or a folder of CBS Gebieden in Nederland files
    #[arg(long, value_name = "DIR", default_value = "data/regions")]
    pub from: PathBuf,
    /// Own regions (TOML with [[region]] entries)
    #[arg(long, value_name = "TOML")]
    pub own: Option<PathBuf>,
    /// Write the registry extract (registry.csv, brp_gemeententabel.csv) into this folder
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,
    /// Harmonise the gemeente rows of this table (any form `import` reads) to --year's indeling
    #[arg(long, value_name = "FILE")]
    pub harmonise: Option<PathBuf>,
    /// The indeling the --harmonise table uses
    #[arg(long, value_name = "YEAR", requires = "harmonise")]
    pub indeling: Option<u16>,
    /// Write the map boundaries of --year into --out (DIR: the CBS/PDOK gemeente_<year>.geojson and provincie_<year>.geojson)
    #[arg(long, value_name = "DIR", requires = "out", conflicts_with_all = ["export", "harmonise"])]
    pub boundaries: Option<PathBuf>,
    /// Output for --harmonise (tidy CSV; without it totals are printed), or the folder for --boundaries
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    // Outputs are files: never an input, never inside the folder read (the next load would
    // read them back).
    if let Some(dir) = &args.export {
        for f in ["registry.csv", "brp_gemeententabel.csv"] {
            crate::output::files::output_file(&dir.join(f), std::slice::from_ref(&args.from))?;
        }
    }
    if let (Some(src), Some(dir)) = (&args.boundaries, &args.out) {
        return boundaries(&args.from, args.year, src, dir);
    }
    if let Some(p) = &args.out {
        let inputs: Vec<PathBuf> = args.harmonise.iter().chain([&args.from]).cloned().collect();
        crate::output::files::output_file(p, &inputs)?;
    }
    let reg = Registry::load(&args.from)?;
    let mut out = std::io::stdout().lock();
    if let Some(dir) = &args.export {
        write_file_atomic(&dir.join("registry.csv"), |w| reg.write_extract(w))
            .with_context(|| format!("writing {}", dir.display()))?;
        write_file_atomic(&dir.join("brp_gemeententabel.csv"), |w| {
            reg.write_brp_extract(w)
        })
        .with_context(|| format!("writing {}", dir.display()))?;
        writeln!(
            out,
            "registry {} ({} jaren) en BRP-gemeentetabel ({} gemeenten) geschreven naar {}",
            reg.year_range(),
            reg.years.len(),
            reg.brp.len(),
            dir.display()
        )?;
        return Ok(());
    }
    if args.mergers {
        writeln!(out, "jaar\tvan\t\tnaar\t\taandeel\tmethode")?;
        for m in reg.mergers() {
            writeln!(
                out,
                "{}\t{} {}\t{} {}\t{:.3}\t{}",
                m.year, m.from, m.from_name, m.to, m.to_name, m.share, m.method
            )?;
        }
        return Ok(());
    }
    if let Some(path) = &args.harmonise {
        return harmonise(
            &reg,
            path,
            args.indeling.unwrap_or(args.year),
            args.year,
            args.out.as_ref(),
            &mut out,
        );
    }
    let own = match &args.own {
        Some(p) => {
            let own = load_own_regions(p)?;
            crate::geo::rollup::check_own_regions(&reg, p, &own, args.year)?;
            own
        }
        None => Vec::new(),
    };
    let ind = reg.year(args.year)?;
    let (title, members) = match &args.member_of {
        Some(q) => {
            let r = reg.find_region(args.year, q, &own)?;
            (
                format!(
                    "{} {} ({}), {} gemeenten in {}",
                    r.code,
                    r.name,
                    r.kind,
                    r.members.len(),
                    args.year
                ),
                r.members,
            )
        }
        None => (
            format!("{} gemeenten in {}", ind.gemeenten.len(), args.year),
            ind.gemeenten.values().cloned().collect(),
        ),
    };
    writeln!(out, "{title}")?;
    writeln!(out, "code\tnaam\tinwoners\tPV\tCR\tZK\tCE\tGG\tAM")?;
    for g in members {
        let m = |p: &str| g.member_of.get(p).cloned().unwrap_or_else(|| "-".into());
        let inw = g
            .inwoners
            .map(crate::numbers::format_number)
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            g.code,
            g.name,
            inw,
            m("PV"),
            m("CR"),
            m("ZK"),
            m("CE"),
            m("GG"),
            m("AM")
        )?;
    }
    Ok(())
}

/// `--boundaries`: the shipped map boundaries of a year from the CBS/PDOK files.
fn boundaries(from: &Path, year: u16, src: &Path, dir: &Path) -> anyhow::Result<()> {
    let reg = Registry::load(from)?;
    let indeling = reg.year(year)?;
    let names = crate::geo::boundaries::file_names(year);
    for (i, source) in [
        format!("gemeente_{year}.geojson"),
        format!("provincie_{year}.geojson"),
    ]
    .iter()
    .enumerate()
    {
        let target = dir.join(&names[i]);
        crate::output::files::output_file(&target, &[src.to_path_buf(), from.to_path_buf()])?;
        let text = crate::geo::boundaries::derive_geojson(&src.join(source), indeling, i == 1)?;
        write_file_atomic(&target, |w| w.write_all(text.as_bytes()))
            .with_context(|| format!("writing {}", target.display()))?;
    }
    println!(
        "grenzen {year} (gemeenten en provincies) geschreven naar {}",
        dir.display()
    );
    Ok(())
}

fn harmonise(
    reg: &Registry,
    path: &Path,
    from: u16,
    to: u16,
    out_path: Option<&PathBuf>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut result: Vec<TidyTable> = Vec::new();
    for mut t in source::read_table(path, None)? {
        reg.resolve_regions(&mut t);
        let (h, totals) = reg.harmonise_table(&t, from, to)?;
        for tot in totals {
            writeln!(
                out,
                "{} {}: {} gemeenten ({from}) → {} gemeenten ({to}); totaal {} → {}",
                tot.measure,
                tot.period,
                tot.gemeenten_before,
                tot.gemeenten_after,
                crate::numbers::format_number(tot.before),
                crate::numbers::format_number(tot.after)
            )?;
        }
        result.push(h);
    }
    if let Some(p) = out_path {
        let refs: Vec<&TidyTable> = result.iter().collect();
        write_file_atomic(p, |w| source::tidy::write_tidy_csv(w, &refs))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}
