//! `woonzorg run`: run a scenario and write its outputs.

use std::io::Write;
use std::path::PathBuf;

use crate::output::charts::nl_number;

use super::truncate;
use crate::scenario::run::{RunOptions, run_scenario};

const AFTER_HELP: &str = "\
Without arguments runs scenarios/basis.toml on the extracts in data/ and writes out/basis/:
  bevolking_basisjaar.csv   base population per gemeente and region, by age band and sex (tidy)
  piramide_basisjaar.png    population pyramid of the scenario's gemeenten (also .svg)
  manifest.json             tool version, scenario, SHA-256 of every input and output

Stocks are on 1 January of the year. Figures by sex are estimated (geschat) and marked so.
The output folder is replaced only when the whole run succeeds.

With --draws N (or [uncertainty] draws in the scenario) every parameter that carries a
spread is drawn N times (and the population between the Kernprognose's laag and hoog variants
with [uncertainty] population = \"kernprognose\"); tables/groups_bands.csv and
tables/dwellings_bands.csv give p2_5, p16_5, p50, p83_5, p97_5 per cell. The same seed gives the
same bytes, whatever the number of threads (RAYON_NUM_THREADS).

Examples:
  woonzorg run
  woonzorg run scenarios/basis.toml --out out --no-charts
  woonzorg run scenarios/extramuralisering.toml --draws 500 --seed 7";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Scenario TOML
    #[arg(default_value = "scenarios/basis.toml", value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Folder for the outputs; the run writes <out>/<scenario name>/
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Skip charts
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    /// Monte Carlo draws (overrides [uncertainty] draws); adds tables/*_bands.csv
    #[arg(long, value_name = "N")]
    pub draws: Option<usize>,
    /// Seed of the draws (overrides [uncertainty] seed); same seed, same bytes
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let outcome = run_scenario(
        &args.scenario,
        &args.out,
        &RunOptions {
            no_charts: args.no_charts,
            draws: args.draws,
            seed: args.seed,
            progress: progress_bar(args.quiet),
        },
    )?;
    if args.quiet {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    let s = &outcome.scenario;
    writeln!(out, "{} — {}", s.name, s.title)?;
    let years: Vec<u16> = outcome
        .summary
        .first()
        .map(|r| r.projected.iter().map(|p| p.0).collect())
        .unwrap_or_default();
    let source = if s.regions.nederland {
        "CBS 7461bev"
    } else {
        "CBS 85383NED; M/V en losse leeftijden geschat"
    };
    let variant = s
        .projection
        .as_ref()
        .and_then(|p| p.variants.first())
        .map(String::as_str)
        .unwrap_or("midden");
    let tail = if years.is_empty() {
        String::new()
    } else {
        format!(" en prognose (variant {variant})")
    };
    writeln!(
        out,
        "Bevolking op 1 januari {} ({source}){tail}",
        s.base_year
    )?;
    let mut head = format!(
        "{:<9} {:<30} {:>11} {:>9}",
        "code",
        "naam",
        format!("inw. {}", s.base_year),
        "75+"
    );
    for y in &years {
        head.push_str(&format!(
            " {:>11} {:>9}",
            format!("inw. {y}"),
            format!("75+ {y}")
        ));
    }
    writeln!(out, "{head}")?;
    for r in &outcome.summary {
        let code = if r.region == r.name {
            "eigen"
        } else {
            r.region.as_str()
        };
        let mut line = format!(
            "{:<9} {:<30} {:>11} {:>9}",
            code,
            truncate(&r.name, 30),
            nl_number(r.total),
            nl_number(r.age_75_plus)
        );
        for (_, t, o) in &r.projected {
            line.push_str(&format!(" {:>11} {:>9}", nl_number(*t), nl_number(*o)));
        }
        writeln!(out, "{line}")?;
    }
    for w in &outcome.warnings {
        writeln!(out, "Let op: {w}")?;
    }
    writeln!(
        out,
        "Geschreven naar {}: {}",
        outcome.out_dir.display(),
        outcome.files.join(", ")
    )?;
    Ok(())
}

/// An indicatif bar on a terminal; nothing when stderr is not one (or with --quiet).
fn progress_bar(quiet: bool) -> Option<std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("trekkingen {bar:40} {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(std::sync::Arc::new(move |done: usize, all: usize| {
        bar.set_length(all as u64);
        bar.set_position(done as u64);
        if done >= all {
            bar.finish_and_clear();
        }
    }))
}
