//! `woonzorg backtest`: project from a past base with rates known then, compare with what
//! happened.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::output::charts::bars::{BarChart, draw_bars};
use crate::output::files::StagedDir;
use std::collections::BTreeMap;

use crate::population::backtest::{
    MigrationMode, accuracy, backtest_projection, five_year_bands, forecast_population,
    head_to_head, run_backtest,
};
use crate::population::gemeente_backtest::{
    GemeenteInputs, Measures, Published, SIZE_CLASSES, gemeente_backtest, measures_by_method,
    pbl_cbs_2016, pbl_cbs_2019,
};
use crate::population::history::{HistoryTables, Known};
use crate::population::national::NationalData;
use crate::source::{Pos, SourceError, read_one};

const AFTER_HELP: &str = "\
Rates are estimated only from years before the base (deaths, births and population of CBS
7461bev, 37168, 37744ned, 37422ned; no Kernprognose), the realised population of 1 January of
the base is projected to --to, and every year is compared with the realised population by
5-year band and sex. Measures: MAPE (precision), MALPE (bias), RMSE (persons).

--migration trend       the mean net migration of the 5 years before the base, with the age
                        profile of those years (what was known; five chosen by the backtests
                        that end by 2019)
--migration waargenomen the realised net migration of each year (isolates mortality, fertility
                        and the age pattern from the migration level)

Writes DIR/tables/backtest.csv (region, sex, age_band, year, realised, projected, error_pct) and
DIR/backtest_fouten.png/.svg (error by age band and sex in the last year). From --base 2019,
also the head-to-head with CBS's own Kernprognose 2019 (84646NED, data/forecasts/) in the last
year: DIR/tables/backtest_kernprognose.csv (method, region, sex, age_band, year, realised,
projected, error_pct; 5-year bands to 95+, the forecast's open age being 99+) and both MAPEs.

--level gemeente        every gemeente's total from --base to --to (CBS Gebieden in Nederland,
                        2016–2025, harmonised to the indeling of --to; a base from 2012 to 2015
                        from 60039fvw through the BRP table), projected with what was
                        known at the base only (data/history, data/supply, data/care): constant
                        population, constant share of the national backtest, linear
                        extrapolation of the 5 years before the base, the cohort-component method
                        of `woonzorg run` (own growth; and with totals held at constant share, the default;
                        needs the base's bands, 60039fvw 2010 and 2015–2017), housing-led
                        (dwelling trend × persons per dwelling + institutions; scaled and not),
                        and the published forecast of that base (PBL/CBS 2016: 83492NED, base
                        2016 → 2025; PBL/CBS 2019: 84527NED, base 2019); the 75+ against 85383NED
                        (1 January 2024) for the methods with ages; MAPE, MALPE, median and 90th
                        percentile of the error per method and size class; writes
                        DIR/tables/backtest_gemeenten.csv, the measures in
                        DIR/tables/backtest_gemeenten_maten.csv (the track record a run's annex
                        shows: data/backtest/) and DIR/backtest_gemeenten.png/.svg

Examples:
  woonzorg backtest --base 2015 --to 2025
  woonzorg backtest --level gemeente --base 2016 --to 2025
  woonzorg backtest --level gemeente --base 2015 --to 2025   (2015's gemeenten via the BRP table)
  woonzorg backtest --base 2019 --to 2025            (and against the Kernprognose 2019)
  woonzorg backtest --base 2010 --to 2020 --migration waargenomen --out out/backtest-2010";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Base year (1 January)
    #[arg(long, default_value_t = 2015)]
    pub base: u16,
    /// Last year compared (1 January)
    #[arg(long, default_value_t = 2025)]
    pub to: u16,
    /// Region; the national series is the only one with single years by sex (NL01)
    #[arg(long, default_value = "NL01")]
    pub region: String,
    /// Level: nationaal (bands by sex) or gemeente (every gemeente's total, benchmark methods
    /// and the published forecasts side by side)
    #[arg(long, default_value = "nationaal", value_parser = ["nationaal", "gemeente"])]
    pub level: String,
    /// Migration level: trend (known at the base) or waargenomen (realised)
    #[arg(long, default_value = "trend", value_parser = ["trend", "waargenomen"])]
    pub migration: String,
    /// Folder with the data extracts
    #[arg(long, default_value = "data", value_name = "DIR")]
    pub data: PathBuf,
    /// Output folder
    #[arg(long, default_value = "out/backtest", value_name = "DIR")]
    pub out: PathBuf,
    /// Skip the chart
    #[arg(long)]
    pub no_charts: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.level == "gemeente" {
        return run_gemeenten(&args);
    }
    if args.region != "NL01" {
        return Err(SourceError::malformed(
            Pos::key("--region", args.region.as_str()),
            format!("no single-year population series for {}", args.region),
            "only NL01: gemeente series by single year of age (03759ned) are not in data/",
        )
        .into());
    }
    let d = args.data.join("population");
    let out = crate::output::files::output_target(
        &args.out,
        "backtest",
        true,
        &[d.clone(), args.data.join("forecasts")],
    )?;
    let nd = national_data(&d)?;
    let mode = if args.migration == "waargenomen" {
        MigrationMode::Realised
    } else {
        MigrationMode::Trend
    };
    let bt = run_backtest(&nd, args.base, args.to, mode)?;
    // From base 2019: head to head with CBS's own Kernprognose 2019 (84646NED), when shipped.
    let kp_path = args.data.join("forecasts/84646NED_kernprognose_2019.csv");
    let versus = match (args.base, kp_path.is_file()) {
        (2019, true) => {
            let t = read_one(&kp_path)?;
            forecast_population(&t, args.to).map(|kp| head_to_head(&bt, &kp))
        }
        _ => None,
    };

    let staged = StagedDir::new(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::create_dir_all(staged.path("tables"))?;
    let table = staged.path("tables/backtest.csv");
    {
        let mut w = csv::Writer::from_path(&table)?;
        w.write_record([
            "region",
            "sex",
            "age_band",
            "year",
            "realised",
            "projected",
            "error_pct",
        ])?;
        for r in &bt.rows {
            w.write_record(r.fields())?;
        }
        w.flush()?;
    }
    if let Some((rows, _, _)) = &versus {
        write_head_to_head(&staged.path("tables/backtest_kernprognose.csv"), rows)?;
    }
    if !args.no_charts {
        let last: Vec<_> = bt
            .rows
            .iter()
            .filter(|r| r.year == bt.to && r.sex != "T")
            .collect();
        let labels: Vec<String> = five_year_bands().into_iter().map(|b| b.0).collect();
        let value = |sex: &str, band: &str| {
            last.iter()
                .find(|r| r.sex == sex && r.age_band == band)
                .map(|r| r.error_pct())
                .unwrap_or(0.0)
        };
        let chart = BarChart {
            title: format!(
                "Backtest {} → {}: afwijking per leeftijdsgroep",
                bt.base, bt.to
            ),
            subtitle: format!(
                "Projectie − realisatie op 1 januari {}, in % van de realisatie (migratie: {})",
                bt.to, args.migration
            ),
            source_line:
                "Bron: CBS (7461bev, 37168, 37744ned, 37422ned); cohort-componentenmodel woonzorg"
                    .into(),
            y_label: "Afwijking (%)".into(),
            categories: labels.clone(),
            series: vec![
                (
                    "Mannen".into(),
                    labels.iter().map(|b| value("M", b)).collect(),
                ),
                (
                    "Vrouwen".into(),
                    labels.iter().map(|b| value("V", b)).collect(),
                ),
            ],
        };
        draw_bars(
            &chart,
            &staged.path("backtest_fouten.png"),
            &staged.path("backtest_fouten.svg"),
        )?;
    }
    let out_dir = staged.commit()?;

    let mut out = std::io::stdout().lock();
    let mode_text = match mode {
        MigrationMode::Trend => "migratie: gemiddelde van de 5 jaar vóór het basisjaar",
        MigrationMode::Realised => "migratie: gerealiseerd saldo per jaar",
    };
    writeln!(
        out,
        "Backtest Nederland {} → {} (kansen uit jaren vóór {}; {mode_text})",
        bt.base, bt.to, bt.base
    )?;
    writeln!(
        out,
        "jaar   totaal     65+     75+   (projectie − realisatie, %)"
    )?;
    for (y, [t, a, b]) in &bt.headline {
        writeln!(out, "{y}  {t:+6.2}  {a:+6.2}  {b:+6.2}")?;
    }
    for sex in ["M", "V"] {
        let acc = accuracy(bt.rows.iter().filter(|r| r.sex == sex));
        writeln!(
            out,
            "{sex}: MAPE {:.2}%, MALPE {:+.2}%, RMSE {:.0} (5-jaarsgroepen × jaren, n = {})",
            acc.mape, acc.malpe, acc.rmse, acc.n
        )?;
    }
    if let Some((_, own, kp)) = &versus {
        writeln!(
            out,
            "Tegen de Kernprognose 2019 (CBS 84646NED) op 1 januari {}, 5-jaarsgroepen tot 95+ × M/V (n = {}):",
            bt.to, own.n
        )?;
        writeln!(
            out,
            "  woonzorg          MAPE {:.2}%, MALPE {:+.2}%",
            own.mape, own.malpe
        )?;
        writeln!(
            out,
            "  Kernprognose 2019 MAPE {:.2}%, MALPE {:+.2}%",
            kp.mape, kp.malpe
        )?;
    }
    writeln!(
        out,
        "Geschreven naar {}: tables/backtest.csv{}{}",
        out_dir.display(),
        if versus.is_some() {
            ", tables/backtest_kernprognose.csv"
        } else {
            ""
        },
        if args.no_charts {
            ""
        } else {
            ", backtest_fouten.png, backtest_fouten.svg"
        }
    )?;
    Ok(())
}

/// `--level gemeente`: every gemeente's total from `--base` to `--to` by every method and the
/// published forecasts of that base; measures per method, age band and size class.
fn run_gemeenten(args: &Args) -> anyhow::Result<()> {
    let d = args.data.join("population");
    let regions = args.data.join("regions");
    let forecasts = args.data.join("forecasts");
    let out = crate::output::files::output_target(
        &args.out,
        "backtest",
        true,
        &[d.clone(), regions.clone(), forecasts.clone()],
    )?;
    let registry = crate::geo::Registry::load(&regions)?;
    let nd = national_data(&d)?;
    // A base before the registry's first year is read from 60039fvw (1 January 2007–2017) and
    // brought to that first year's indeling through the BRP table.
    let first = registry.years.keys().next().copied().unwrap_or(args.base);
    for (key, year) in [("--base", args.base), ("--to", args.to)] {
        let from_history = key == "--base" && (2012..first).contains(&year);
        if !registry.years.contains_key(&year) && !from_history {
            return Err(SourceError::malformed(
                Pos::key(key, year.to_string()),
                format!("no gemeente indeling of {year}"),
                format!(
                    "the gemeente totals come from CBS Gebieden in Nederland ({}), a base from 2012 also from 60039fvw: e.g. --base 2015 --to 2025",
                    registry.year_range()
                ),
            )
            .into());
        }
    }
    let known = read_known(&args.data, &registry, &nd, args.base)?;
    let start = nd.population.get(&args.base).copied().unwrap_or_default();
    let (rates, national) =
        backtest_projection(&nd, &start, args.base, args.to, MigrationMode::Trend)?;
    let published = published_forecasts(&forecasts, &registry, args.base, args.to)?;
    let realised_75 = realised_over_75(&d.join("85383NED_inwoners.csv"), args.base, args.to)?;
    let rows = gemeente_backtest(&GemeenteInputs {
        registry: &registry,
        known: &known,
        to: args.to,
        national_base: &start,
        rates: &rates,
        national: &national,
        published: &published,
        realised_75,
    })?;
    let measures = measures_by_method(&rows);
    let staged = StagedDir::new(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::create_dir_all(staged.path("tables"))?;
    {
        let mut w = csv::Writer::from_path(staged.path("tables/backtest_gemeenten.csv"))?;
        w.write_record([
            "method",
            "region",
            "region_name",
            "base",
            "year",
            "age_band",
            "realised",
            "projected",
            "error_pct",
        ])?;
        for r in &rows {
            w.write_record([
                r.method.as_str(),
                &r.region,
                &r.region_name,
                &r.base.to_string(),
                &r.year.to_string(),
                &r.age_band,
                &format!("{:.0}", r.realised),
                &format!("{:.1}", r.projected),
                &format!("{:.3}", r.error_pct()),
            ])?;
        }
        w.flush()?;
    }
    write_measures(
        &staged.path("tables/backtest_gemeenten_maten.csv"),
        &measures,
    )?;
    if !args.no_charts {
        draw_gemeente_errors(&staged, &measures, args.base, args.to)?;
    }
    let out_dir = staged.commit()?;
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "Backtest gemeenten {} → {}: inwoners op 1 januari {} (CBS Gebieden in Nederland), naar de indeling van {}",
        args.base, args.to, args.to, args.to
    )?;
    writeln!(
        o,
        "methode              leeftijd grootteklasse        n    MAPE   MALPE  mediaan     P90"
    )?;
    for (method, band, class, m) in &measures {
        writeln!(
            o,
            "{method:<20} {band:<8} {class:<16} {:>5} {:>6.2}% {:>+6.2}% {:>6.2}% {:>6.2}%",
            m.n, m.mape, m.malpe, m.median, m.p90
        )?;
    }
    writeln!(o, "{}", METHOD_LEGEND)?;
    writeln!(
        o,
        "Geschreven naar {}: tables/backtest_gemeenten.csv, tables/backtest_gemeenten_maten.csv{}",
        out_dir.display(),
        if args.no_charts {
            ""
        } else {
            ", backtest_gemeenten.png, backtest_gemeenten.svg"
        }
    )?;
    Ok(())
}

/// What the method names of the gemeente backtest mean (printed under its table).
const METHOD_LEGEND: &str = "\
constant: de bevolking van het basisjaar; constant_aandeel: hetzelfde aandeel in de landelijke
backtestprojectie; lineair: de gemiddelde groei van de 5 jaar vóór het basisjaar doorgetrokken;
cohort_eigen_groei: cohort-componentenmodel met de eigen groei van de 5 jaar vóór het
basisjaar, landelijk begrensd; cohort_aandeel: hetzelfde model, elke gemeente houdt haar aandeel
(het verschil is migratie met het leeftijdspatroon van migratie; de methode van woonzorg run
sinds deze backtest); woningen: woningvoorraad (trend vóór het basisjaar) × personen
per woning (landelijke trend) + institutionele bevolking, begrensd tot het landelijke totaal;
woningen_vrij: hetzelfde zonder begrenzing; pbl_cbs_2016/2019: de gepubliceerde regionale
prognose (CBS 83492NED, 84527NED).";

/// What was known at `base` (data/history, data/supply, data/care and the registry), every
/// table cut to the years up to the base.
fn read_known(
    data: &std::path::Path,
    registry: &crate::geo::Registry,
    nd: &NationalData,
    base: u16,
) -> anyhow::Result<Known> {
    let h = data.join("history");
    let optional = |p: std::path::PathBuf| -> anyhow::Result<Option<crate::source::TidyTable>> {
        Ok(if p.is_file() {
            Some(read_one(&p)?)
        } else {
            None
        })
    };
    let totals = read_one(&h.join("60039fvw_bevolking_totaal.csv"))?;
    let totals_85644 = optional(h.join("85644NED_bevolking_totaal.csv"))?;
    let bands = optional(h.join(format!("60039fvw_bevolking_banden_{base}.csv")))?;
    let dwellings = optional(data.join("supply/82900NED_woningvoorraad_eigendom.csv"))?;
    let institutional = optional(data.join("care/71488ned_institutionele_huishoudens.csv"))?;
    let population_nl: BTreeMap<u16, f64> =
        nd.population.iter().map(|(y, p)| (*y, p.total())).collect();
    Ok(Known::at_base(
        registry,
        base,
        &HistoryTables {
            totals: &totals,
            totals_85644: totals_85644.as_ref(),
            bands: bands.as_ref(),
            dwellings: dwellings.as_ref(),
            institutional: institutional.as_ref(),
            population_nl: &population_nl,
        },
    )?)
}

/// The published regional forecasts made at `base` for `to`, when shipped: PBL/CBS 2016
/// (83492NED, base 2016, 1 January 2025) and PBL/CBS 2019 (84527NED, base 2019, yearly).
fn published_forecasts(
    forecasts: &std::path::Path,
    registry: &crate::geo::Registry,
    base: u16,
    to: u16,
) -> anyhow::Result<Vec<Published>> {
    let mut out = Vec::new();
    let pbl_2016 = forecasts.join("83492NED_regionale_prognose_2016.csv");
    if base == 2016 && to == 2025 && pbl_2016.is_file() {
        out.push((
            "pbl_cbs_2016".to_string(),
            2016,
            pbl_cbs_2016(&read_one(&pbl_2016)?, registry),
        ));
    }
    let pbl_2019 = forecasts.join("84527NED_regionale_prognose_2019_gemeenten.csv");
    if base == 2019 && pbl_2019.is_file() {
        out.push((
            "pbl_cbs_2019".to_string(),
            2018,
            pbl_cbs_2019(&read_one(&pbl_2019)?, to),
        ));
    }
    Ok(out)
}

/// The realised 75+ per gemeente (85383NED, 1 January) of the last year after `base` and up to
/// `to` that has it, in that year's indeling.
fn realised_over_75(
    path: &std::path::Path,
    base: u16,
    to: u16,
) -> anyhow::Result<Option<(u16, BTreeMap<String, f64>)>> {
    if !path.is_file() {
        return Ok(None);
    }
    let t = read_one(path)?;
    let mut by: BTreeMap<u16, BTreeMap<String, f64>> = BTreeMap::new();
    for r in t.rows.iter().filter(|r| {
        r.region.starts_with("GM")
            && r.measure == "Inwoners75Plus_7"
            && r.category == "StatusCijfer=Definitief"
    }) {
        let (Some(y), Some(v)) = (crate::source::codes::period_year(&r.period), r.number()) else {
            continue;
        };
        by.entry(y).or_default().insert(r.region.clone(), v);
    }
    Ok(by.into_iter().rev().find(|(y, _)| *y > base && *y <= to))
}

/// tables/backtest_gemeenten_maten.csv: the measures per method, age band and size class (the
/// track record a run's annex shows, shipped as data/backtest/).
fn write_measures(
    path: &std::path::Path,
    measures: &[(String, String, String, Measures)],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "method",
        "age_band",
        "size_class",
        "n",
        "mape",
        "malpe",
        "median",
        "p90",
    ])?;
    for (method, band, class, m) in measures {
        w.write_record([
            method.clone(),
            band.clone(),
            class.clone(),
            m.n.to_string(),
            format!("{:.3}", m.mape),
            format!("{:.3}", m.malpe),
            format!("{:.3}", m.median),
            format!("{:.3}", m.p90),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The chart of the gemeente backtest: MAPE of the totals per method and size class.
fn draw_gemeente_errors(
    staged: &StagedDir,
    measures: &[(String, String, String, Measures)],
    base: u16,
    to: u16,
) -> anyhow::Result<()> {
    let classes: Vec<String> = std::iter::once("alle")
        .chain(SIZE_CLASSES)
        .map(String::from)
        .collect();
    let mut methods: Vec<&str> = Vec::new();
    for (m, band, _, _) in measures {
        if band == "totaal" && !methods.contains(&m.as_str()) {
            methods.push(m);
        }
    }
    let value = |m: &str, class: &str| {
        measures
            .iter()
            .find(|(mm, b, c, _)| mm == m && b == "totaal" && c == class)
            .map(|(_, _, _, x)| x.mape)
            .unwrap_or(0.0)
    };
    let chart = BarChart {
        title: format!("Backtest gemeenten {base} → {to}: gemiddelde afwijking per methode"),
        subtitle: format!(
            "MAPE van de inwoners op 1 januari {to}, in % van de realisatie, per grootteklasse (inwoners {base})"
        ),
        source_line: "Bron: CBS (Gebieden in Nederland, 60039fvw, 82900NED, 71488ned, 7461bev, 83492NED, 84527NED); woonzorg"
            .into(),
        y_label: "MAPE (%)".into(),
        categories: classes.clone(),
        series: methods
            .iter()
            .map(|m| (m.to_string(), classes.iter().map(|c| value(m, c)).collect()))
            .collect(),
    };
    draw_bars(
        &chart,
        &staged.path("backtest_gemeenten.png"),
        &staged.path("backtest_gemeenten.svg"),
    )?;
    Ok(())
}

/// tables/backtest_kernprognose.csv: the backtest and the Kernprognose 2019 band by band.
fn write_head_to_head(
    path: &std::path::Path,
    rows: &[(&str, crate::population::backtest::BacktestRow)],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "method",
        "region",
        "sex",
        "age_band",
        "year",
        "realised",
        "projected",
        "error_pct",
    ])?;
    for (method, r) in rows {
        let method = if *method == "published" {
            "kernprognose_2019"
        } else {
            method
        };
        w.write_record(std::iter::once(method.to_string()).chain(r.fields()))?;
    }
    w.flush()?;
    Ok(())
}

/// The national series of the extracts in `dir` (data/population): population, deaths and
/// births, the inputs of every backtest.
fn national_data(dir: &std::path::Path) -> anyhow::Result<NationalData> {
    Ok(NationalData::from_tables(
        &read_one(&dir.join("7461bev_bevolking_nl.csv"))?,
        &read_one(&dir.join("37168_overledenen_nl.csv"))?,
        &read_one(&dir.join("37744ned_geboorten_leeftijd_moeder.csv"))?,
        &read_one(&dir.join("37422ned_geboorten.csv"))?,
    )?)
}
