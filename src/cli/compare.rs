//! `woonzorg compare`: finished runs side by side, as differences with the first.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::numbers::nl_number;
use crate::numbers::signed;
use crate::scenario::compare::compare_runs;

const AFTER_HELP: &str = "\
Reads tables/groups.csv and tables/dwellings.csv of each run folder (the first variant of each
run) and writes, against the first folder:
  verschil_groepen.csv   per region, year and group: value, reference value, difference, %
  verschil_woningen.csv  per region, year and dwelling type: net demand, difference, %
  verschil_groepen.png   the differences per group in the last year (also .svg)

Examples:
  woonzorg run scenarios/basis.toml && woonzorg run scenarios/extramuralisering.toml
  woonzorg compare out/basis out/extramuralisering
  woonzorg compare out/basis out/hoge_vergrijzing out/hogere_statushouders --out out/vergelijking";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Output folders of `woonzorg run`; the first is the reference
    #[arg(required = true, num_args = 2.., value_name = "RUN_DIR")]
    pub runs: Vec<PathBuf>,
    /// Output folder
    #[arg(long, default_value = "out/vergelijking", value_name = "DIR")]
    pub out: PathBuf,
    /// Skip the chart
    #[arg(long)]
    pub no_charts: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let o = compare_runs(&args.runs, &args.out, args.no_charts).context("compare")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Verschil met {} in {} op 1 januari {} (netto personen)",
        args.runs[0].display(),
        o.region,
        o.year
    )?;
    writeln!(
        out,
        "{:<28} {:<26} {:>12} {:>12}",
        "scenario", "groep", "waarde", "verschil"
    )?;
    for (scenario, group, value, diff) in &o.summary {
        let d = signed(*diff);
        writeln!(
            out,
            "{:<28} {:<26} {:>12} {:>12}",
            scenario,
            group,
            nl_number(*value),
            d
        )?;
    }
    super::written_to(&mut out, &o.out_dir, &o.files)?;
    Ok(())
}
