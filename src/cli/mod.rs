//! The command line: one file per subcommand, each with its own help text and examples.
//! Commands take parsed arguments, call the library stages and print; `main.rs` maps the
//! result to an exit code (0 ok, 1 bad input, 2 usage, 3 internal).

use clap::{Parser, Subcommand};

pub mod backtest;
pub mod compare;
pub mod definitions;
pub mod import;
pub mod nieuw;
pub mod regions;
pub mod run;

#[derive(Debug, Parser)]
#[command(
    name = "woonzorg",
    version,
    about = "Open engine for Dutch woonzorgvisies: CBS data in, homes per aandachtsgroep out",
    long_about = "woonzorg is an open engine for Dutch woonzorgvisies: it reads CBS data in every form \
StatLine and the CBS open-data feeds deliver, knows the gemeenten of each year 2016-2025 and the regions they \
belong to, and runs scenario TOML files into tidy tables, charts and a manifest.\n\n\
Start with `woonzorg run` (the shipped basis scenario on the extracts in data/).",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read CBS data in any form and write one tidy long table
    Import(import::Args),
    /// List gemeenten and regions of a year, mergers, and harmonise to an indeling
    Regions(regions::Args),
    /// Run a scenario (default scenarios/basis.toml) and write its outputs
    Run(run::Args),
    /// Project from a past base year and compare with the realised population
    Backtest(backtest::Args),
    /// Show one projection in each party's own definitions of the aandachtsgroepen
    Definitions(definitions::Args),
    /// Compare finished runs: differences per group, dwelling type, region and year
    Compare(compare::Args),
    /// Write a scenario for a gemeente or region that extends the basis scenario
    #[command(alias = "new")]
    Nieuw(nieuw::Args),
}

/// Run the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    crate::output::files::install_interrupt_handler();
    match cli.command {
        Command::Import(a) => import::run(a),
        Command::Regions(a) => regions::run(a),
        Command::Run(a) => run::run(a),
        Command::Backtest(a) => backtest::run(a),
        Command::Definitions(a) => definitions::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Nieuw(a) => nieuw::run(a),
    }
}

/// The exit code for an error: 1 when the user's input is at fault, 3 otherwise.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<crate::source::SourceError>()
            || cause.is::<crate::geo::GeoError>()
            || cause.is::<crate::scenario::ScenarioError>()
            || cause.is::<crate::population::PopulationError>()
            || cause.is::<crate::groups::GroupError>()
            || cause.is::<crate::output::files::GuardError>()
            || cause
                .downcast_ref::<crate::scenario::RunError>()
                .is_some_and(|e| e.is_input_error())
        {
            return 1;
        }
    }
    3
}

/// Whether an error is a broken pipe (output piped into `head`): not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The last line of a command that wrote a folder: where, and which files.
pub(crate) fn written_to(
    out: &mut impl std::io::Write,
    dir: &std::path::Path,
    files: &[String],
) -> std::io::Result<()> {
    writeln!(
        out,
        "Geschreven naar {}: {}",
        dir.display(),
        files.join(", ")
    )
}

/// Cut a text to `n` characters with an ellipsis.
pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
