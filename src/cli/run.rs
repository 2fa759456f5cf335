//! `woonzorg run`: run a scenario and write its outputs.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::numbers::nl_number;

use super::truncate;
use crate::scenario::schema::MAX_DRAWS;
use crate::scenario::{RunOptions, run_scenario};

const AFTER_HELP: &str = "\
Without arguments runs scenarios/basis.toml on the extracts in data/ and writes out/basis/:
  tables/*.csv, *.parquet   tidy tables: population, components, groups, group_flows, dwellings,
                            pressure, costs, policy, verdeling, wijken, kaarten (and *_bands
                            with --draws)
  <name>.xlsx               one workbook: summary, a sheet per table (Dutch headers), sources
  bijlage.md, bijlage.html  the woonzorgvisie annex (HTML self-contained and printable)
  *.png, *.svg              charts (pyramid, projection, groups, dwellings), maps per gemeente
                            (kaart_*: [maps] in the scenario) and the 75+ per wijk (wijken_75plus_*)
  bevolking_basisjaar.csv   base population per gemeente and region, by age band and sex
  manifest.json             tool version, scenario, seed, SHA-256 of every input and output

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
  woonzorg run scenarios/extramuralisering.toml --draws 500 --seed 7
  woonzorg run scenarios/nl-342.toml --no-charts --no-report --profile   (time per stage)";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Scenario TOML
    #[arg(default_value = "scenarios/basis.toml", value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Folder for the outputs; the run writes <out>/<scenario name>/
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Skip charts and maps
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    /// Monte Carlo draws (overrides [uncertainty] draws); adds tables/*_bands.csv
    #[arg(long, value_name = "N", value_parser = parse_draws)]
    pub draws: Option<usize>,
    /// Seed of the draws (overrides [uncertainty] seed); same seed, same bytes
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// CSV dialect: rfc (`,`, decimal point; default) or nl (`;`, decimal comma, for Dutch Excel)
    #[arg(long, default_value = "rfc", value_parser = ["rfc", "nl"])]
    pub csv_dialect: String,
    /// Print the summary as JSON (for scripts)
    #[arg(long)]
    pub json: bool,
    /// Only the CSV tables and charts: no workbook, Parquet copies or annex
    #[arg(long)]
    pub no_report: bool,
    /// Rerun the run a manifest.json records (its scenario, seed, draws and options) into the
    /// manifest's output folder, and report every input whose hash changed since
    #[arg(long, value_name = "MANIFEST", conflicts_with_all = ["draws", "seed"])]
    pub manifest: Option<PathBuf>,
    /// Print the wall time of each stage of the run (on stderr)
    #[arg(long)]
    pub profile: bool,
}

/// `--draws`: a whole number up to [`MAX_DRAWS`], refused before any work.
fn parse_draws(s: &str) -> Result<usize, String> {
    let n: usize = s
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number of draws"))?;
    if n > MAX_DRAWS {
        return Err(format!(
            "{n} draws is more than the {MAX_DRAWS} a run can hold (each area keeps 4 bytes per cell and draw in memory); 500 to 1,000 give stable percentiles"
        ));
    }
    Ok(n)
}

pub fn run(mut args: Args) -> anyhow::Result<()> {
    let mut changed = Vec::new();
    if let Some(m) = &args.manifest {
        let text = std::fs::read_to_string(m)
            .with_context(|| format!("{}: cannot read the manifest", m.display()))?;
        let rec: crate::output::manifest::ManifestForRerun =
            serde_json::from_str(&text).map_err(|e| crate::scenario::ScenarioError::Invalid {
                path: m.clone(),
                key: "run".into(),
                message: format!("not a woonzorg manifest: {e}"),
                hint: "give the manifest.json of a run made by this version of woonzorg".into(),
            })?;
        changed = crate::output::manifest::changed_inputs(&rec);
        args.scenario = PathBuf::from(&rec.run.scenario_path);
        args.draws = Some(rec.run.draws);
        args.seed = Some(rec.run.seed);
        args.no_charts = rec.run.no_charts;
        args.no_report = rec.run.no_report;
        args.csv_dialect = rec.run.csv_dialect.clone();
        // The output goes where the manifest's run went: <out>/<name>/manifest.json.
        if let Some(out) = m.parent().and_then(|d| d.parent()) {
            args.out = out.to_path_buf();
        }
    }
    let outcome = run_scenario(
        &args.scenario,
        &args.out,
        &RunOptions {
            no_charts: args.no_charts,
            draws: args.draws,
            seed: args.seed,
            progress: progress_bar(args.quiet || args.json),
            csv_dialect_nl: args.csv_dialect == "nl",
            no_report: args.no_report,
        },
    )?;
    if args.profile {
        eprint!("{}", outcome.times.report());
    }
    if args.manifest.is_some() && !args.json {
        let mut err = std::io::stderr().lock();
        if changed.is_empty() {
            writeln!(
                err,
                "Herhaald uit {}: geen invoer gewijzigd.",
                args.manifest
                    .as_deref()
                    .unwrap_or(std::path::Path::new(""))
                    .display()
            )?;
        }
        for (path, was, now) in &changed {
            writeln!(
                err,
                "Let op: invoer gewijzigd sinds de vorige run: {path} (sha256 {} → {})",
                &was[..12.min(was.len())],
                &now[..12.min(now.len())]
            )?;
        }
    }
    if args.quiet {
        return Ok(());
    }
    if args.json {
        let j = serde_json::json!({
            "scenario": outcome.scenario.name,
            "out_dir": outcome.out_dir,
            "files": outcome.files,
            "warnings": outcome.warnings,
            "region": outcome.headline_region.0,
            "region_name": outcome.headline_region.1,
            "groups": outcome.headline,
            "population": outcome.summary.iter().map(|r| serde_json::json!({
                "region": r.region, "name": r.name, "total": r.total, "age_75_plus": r.age_75_plus,
                "projected": r.projected.iter().map(|(y, t, o)| serde_json::json!({"year": y, "total": t, "age_75_plus": o})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string_pretty(&j)?
        )?;
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
    if !outcome.headline.is_empty() {
        let (code, name) = &outcome.headline_region;
        writeln!(out)?;
        // "Delft (GM0503)"; the selection and own regions have no CBS code.
        let place = if crate::source::codes::is_region_code(code) {
            format!("{name} ({code})")
        } else {
            name.clone()
        };
        writeln!(
            out,
            "Aandachtsgroepen in {place}: bruto = alle leden van de groep, netto = iedereen één keer"
        )?;
        writeln!(
            out,
            "(netto telt wie tot meer groepen behoort bij de groep die voorgaat: netto 65+ zijn de 65–74-jarigen zonder andere groep)"
        )?;
        let netto = |y: u16| format!("netto {y}");
        writeln!(
            out,
            "{:<52} {:>10} {:>10} {:>10} {:>10} {:>9}",
            "groep",
            format!("bruto {}", s.base_year),
            netto(s.base_year),
            netto(2030.clamp(s.base_year, s.horizon)),
            netto(s.horizon),
            "verschil"
        )?;
        for h in &outcome.headline {
            writeln!(
                out,
                "{:<52} {:>10} {:>10} {:>10} {:>10} {:>9}",
                truncate(&h.label, 52),
                nl_number(h.gross_base),
                nl_number(h.base),
                nl_number(h.mid),
                nl_number(h.horizon),
                crate::numbers::signed(h.horizon - h.base)
            )?;
        }
    }
    for w in &outcome.warnings {
        writeln!(out, "Let op: {w}")?;
    }
    super::written_to(&mut out, &outcome.out_dir, &outcome.files)?;
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
