//! `woonzorg definitions`: one projection, counted the way each party at the table counts.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::groups::crosswalk::Part;
use crate::numbers::nl_number;
use crate::numbers::signed;
use crate::scenario::definitions::{DefinitionsOptions, run_definitions};

use super::truncate;

const AFTER_HELP: &str = "\
A definitions file lists the parties at the table (gemeente, woningcorporatie, zorgaanbieder,
zorgkantoor, or any name) and, for each group of the catalogue they count, their own ages, sex
and criterion, with the source of their definition:

  title = \"Definities woonzorgvisie Delft\"
  region = \"Delft\"
  years = [2025, 2030, 2040]

  [[party]]
  name = \"Gemeente Delft\"
  kind = \"gemeente\"

  [[party.group]]
  group = \"jongeren\"                       # a group of the catalogue
  label = \"Jongeren 18–23\"
  age = [18, 23]
  categories = [[18, 20], [21, 23]]          # the party's own categories (optional)
  source = \"Jeugdwet: verlengde jeugdhulp tot 23 jaar\"

  [[party.group]]
  group = \"arbeidsmigranten\"
  label = \"Arbeidsmigranten in de BRP\"
  criterion = \"ingeschreven in de BRP\"
  ratio = { value = 0.275, source = \"CBS 220.000 / SEO 800.000 (Adviesraad Migratie 2023)\" }
  source = \"...\"

Age differences are computed exactly from the single-year population of the scenario's
projection; criterion differences from the declared ratio, or from an observed count
(ratio_observed = { table, measure, year, source }). For every party × group × year the
command prints the count next to the canonical one, and why they differ.

Writes DIR/definities.csv (year, party, group, label, count, canonical, difference, age_effect,
criterion_effect, why), DIR/crosswalk.csv (where the canonical count ends up: in each of the
party's categories, outside its ages, outside its criterion, plus what the party counts extra)
and DIR/definities.png/.svg (each party as an index of the canonical count).

Examples:
  woonzorg definitions examples/definities_delft.toml
  woonzorg definitions examples/definities_delft.toml --years 2025,2040 --region Oss
  woonzorg definitions my_defs.toml --scenario scenarios/nederland.toml --out out/nl-defs";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// The definitions TOML (parties and their definitions per group)
    #[arg(value_name = "DEFS.toml")]
    pub definitions: PathBuf,
    /// Scenario whose projection and group catalogue are used
    #[arg(long, default_value = "scenarios/basis.toml", value_name = "FILE")]
    pub scenario: PathBuf,
    /// Years shown (1 January), comma-separated; default: the file's `years`, else 2025,2030,2040
    #[arg(long, value_delimiter = ',', value_name = "YEARS")]
    pub years: Option<Vec<u16>>,
    /// Region instead of the file's `region` (gemeente name or code, CE/ZK/CR/PV code, own region)
    #[arg(long)]
    pub region: Option<String>,
    /// Output folder
    #[arg(long, default_value = "out/definities", value_name = "DIR")]
    pub out: PathBuf,
    /// Skip the chart
    #[arg(long)]
    pub no_charts: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let opts = DefinitionsOptions {
        years: args.years.clone(),
        region: args.region.clone(),
        no_charts: args.no_charts,
    };
    let o = run_definitions(&args.definitions, &args.scenario, &args.out, &opts)
        .with_context(|| format!("definitions {}", args.definitions.display()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "{} — {} ({}), stand 1 januari",
        o.definitions.title, o.region_name, o.region_code
    )?;
    let mut groups: Vec<&str> = Vec::new();
    for c in &o.comparisons {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    let last = o.years.last().copied().unwrap_or_default();
    for g in groups {
        let rows: Vec<_> = o.comparisons.iter().filter(|c| c.group == g).collect();
        let Some(first) = rows.first() else { continue };
        writeln!(out)?;
        let mut head = format!("{:<52}", format!("{} (canoniek)", first.group_label));
        let mut canon = String::new();
        for y in &o.years {
            head.push_str(&format!(" {:>9}", y));
            let v = rows
                .iter()
                .find(|c| c.year == *y)
                .map(|c| c.canonical)
                .unwrap_or(0.0);
            canon.push_str(&format!(" {:>9}", nl_number(v)));
        }
        head.push_str(&format!(" {:>9}", format!("Δ {last}")));
        writeln!(out, "{head}")?;
        writeln!(out, "{:<52}{canon}", "  canonieke definitie")?;
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for c in &rows {
            let key = (c.party.as_str(), c.label.as_str());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let name = format!("  {}: {}", c.party, c.label);
            let mut line = format!("{:<52}", truncate(&name, 52));
            let mut why = String::new();
            let mut diff = 0.0;
            for y in &o.years {
                let r = rows
                    .iter()
                    .find(|x| x.year == *y && x.party == c.party && x.label == c.label);
                let v = r.map(|x| x.count).unwrap_or(0.0);
                line.push_str(&format!(" {:>9}", nl_number(v)));
                if *y == last
                    && let Some(x) = r
                {
                    why = x.why.clone();
                    diff = x.count - x.canonical;
                }
            }
            line.push_str(&format!(" {:>9}", signed(diff)));
            writeln!(out, "{line}")?;
            writeln!(out, "      waarom: {why}")?;
            let cats = rows
                .iter()
                .find(|x| x.year == last && x.party == c.party && x.label == c.label)
                .map(|x| x.categories.as_slice())
                .unwrap_or(&[]);
            if cats.len() > 1 {
                let list: Vec<String> = cats
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", nl_number(*v)))
                    .collect();
                writeln!(out, "      eigen klassen {last}: {}", list.join("; "))?;
            }
        }
    }
    let outside: f64 = o
        .comparisons
        .iter()
        .filter(|c| c.year == last)
        .flat_map(|c| c.crosswalk.rows.iter())
        .filter(|r| r.1 == Part::BuitenLeeftijd || r.1 == Part::BuitenCriterium)
        .map(|r| r.2)
        .sum();
    writeln!(out)?;
    writeln!(
        out,
        "In {last} vallen {} personen van de canonieke definities buiten de definitie van een partij (crosswalk.csv).",
        nl_number(outside)
    )?;
    super::written_to(&mut out, &o.out_dir, &o.files)?;
    Ok(())
}
