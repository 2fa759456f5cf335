//! Benchmarks of the population engine on real inputs (the CBS extracts in data/): all 342 gemeenten of 2024, single years 0–105 × 2 sexes, projected to 2040
//! with Kernprognose-steered rates and the national constraint.
//!
//! Run: `cargo bench --bench projection` (release build; ~10 minutes the first time).

use std::path::PathBuf;

use woonzorg::population::grid::Pop;
use woonzorg::population::national::{
    NationalData, RateOptions, interval_name, kernprognose_paths,
};
use woonzorg::population::project::project;
use woonzorg::population::rates::RateSet;
use woonzorg::population::regional::{
    Gemeenten, fit_bases_to_national, gemeente_bands, own_net_migration, project_gemeenten,
    rake_pop,
};
use woonzorg::source::read_one;

// The allocator of the binary (src/main.rs), so that the benchmarks time what `woonzorg` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

struct Inputs {
    national: NationalData,
    rates: RateSet,
    gemeenten: Gemeenten,
}

fn inputs() -> &'static Inputs {
    static I: std::sync::OnceLock<Inputs> = std::sync::OnceLock::new();
    I.get_or_init(|| {
        let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
        let p = |f: &str| read_one(&d.join(f)).expect(f);
        let national = NationalData::from_tables(
            &p("population/7461bev_bevolking_nl.csv"),
            &p("population/37168_overledenen_nl.csv"),
            &p("population/37744ned_geboorten_leeftijd_moeder.csv"),
            &p("population/37422ned_geboorten.csv"),
        )
        .expect("national data");
        let kp = kernprognose_paths(
            &p("forecasts/86040NED_kernprognose.csv"),
            interval_name("midden").unwrap(),
        )
        .unwrap();
        let rates = national
            .estimate_rates(&RateOptions {
                base_year: 2024,
                steer: Some(kp),
                srb: 1.05,
                multipliers: [1.0; 3],
                migration_years: None,
            })
            .unwrap();
        let gemeenten = prepare(&national, &p("population/85383NED_inwoners.csv"));
        Inputs {
            national,
            rates,
            gemeenten,
        }
    })
}

fn prepare(national: &NationalData, gt: &woonzorg::source::TidyTable) -> Gemeenten {
    let base = national.population[&2024];
    let mut g = Gemeenten {
        codes: vec![],
        names: vec![],
        bases: vec![],
        bands: vec![],
        net_migration: vec![],
        observed: vec![],
        overrides: vec![],
        total_targets: Default::default(),
        targets_by_migration: false,
    };
    for (code, (name, b)) in gemeente_bands(gt, 2024) {
        g.bases.push(rake_pop(&base, &b).unwrap());
        g.codes.push(code);
        g.names.push(name);
        g.bands.push(b);
    }
    fit_bases_to_national(&mut g, &base).unwrap();
    g
}

/// NL-342 deterministic: national projection (steered) + all gemeenten, constrained, 2024 → 2040.
#[divan::bench(sample_count = 20)]
fn nl342_project_2024_2040() -> usize {
    let i = inputs();
    let base: Pop = i.national.population[&2024];
    let national = project(&base, 2024, 2040, &i.rates);
    let mut g = i.gemeenten.clone();
    g.net_migration = own_net_migration(&g.bases, &vec![100.0; g.bases.len()], &i.rates, 2024);
    let r = project_gemeenten(&g, &i.rates, &national, true).unwrap();
    divan::black_box(r.stocks.len())
}

/// Estimated single-year bases of all 342 gemeenten (raking to 85383NED bands) and the fit to
/// the national population (two-margin IPF).
#[divan::bench(sample_count = 10)]
fn nl342_estimate_bases() -> usize {
    let i = inputs();
    let gt = read_one(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/population/85383NED_inwoners.csv"),
    )
    .unwrap();
    divan::black_box(prepare(&i.national, &gt).bases.len())
}

/// One national projection 2025 → 2040 with Kernprognose steering (e0/e65 bisection each year).
#[divan::bench(sample_count = 50)]
fn nl01_project_2025_2040() -> f64 {
    let i = inputs();
    let p = project(&i.national.population[&2025], 2025, 2040, &i.rates);
    divan::black_box(p.stocks[15].total())
}

struct GroupBench {
    catalogue: woonzorg::groups::Catalogue,
    observed: woonzorg::groups::Observed,
    inputs: woonzorg::groups::GroupInputs,
    codes: Vec<String>,
}

fn group_inputs() -> &'static GroupBench {
    static G: std::sync::OnceLock<GroupBench> = std::sync::OnceLock::new();
    G.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let scenario = root.join("scenarios/basis.toml");
        let prepared = woonzorg::scenario::prepare::prepare_run(&scenario).unwrap();
        let v = &prepared.variants[0];
        let codes = v.gemeenten.as_ref().unwrap().codes.clone();
        let settings = prepared.plan.scenario.groups.clone().unwrap();
        let (catalogue, observed, _) =
            woonzorg::scenario::groups::load_groups(&prepared.plan, &settings).unwrap();
        GroupBench {
            catalogue,
            observed,
            inputs: woonzorg::scenario::groups::group_inputs(v, &codes),
            codes,
        }
    })
}

/// All 16 aandachtsgroepen for all 342 gemeenten, 2024 → 2040 (gross), and gross/net with
/// overlaps for Nederland as the sum of the gemeenten.
#[divan::bench(sample_count = 10)]
fn nl342_groups_2024_2040() -> f64 {
    let g = group_inputs();
    let counts = woonzorg::groups::project_groups(&g.catalogue, &g.observed, &g.inputs).unwrap();
    let area = counts.area(&g.codes).unwrap();
    divan::black_box(area.net[0][16])
}

/// Monte Carlo: 1,000 draws for all 342 gemeenten and their sum, 2024 → 2040 (population
/// between the Kernprognose bounds, every parameter with a spread drawn; all groups and
/// dwelling types per area; exact percentiles).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn nl342_monte_carlo_1000_draws(bencher: divan::Bencher) {
    // The inputs (projection, group and housing stages) are made before the timing starts.
    nl342();
    bencher.bench(|| divan::black_box(draws_on(342, 1000)));
}

/// The whole NL-342 run as `woonzorg run scenarios/nl-342.toml --no-charts --no-report
/// [--draws N --seed 1]` does it: read, project three variants, count, write every table and
/// the manifest (into the system's temporary folder); with `report`, also the workbook, the
/// Parquet copies and the annex (`woonzorg run scenarios/nl-342.toml --no-charts`).
fn run_nl342_with(draws: Option<usize>, report: bool) -> usize {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join("woonzorg-bench");
    let outcome = woonzorg::scenario::run::run_scenario(
        &root.join("scenarios/nl-342.toml"),
        &out,
        &woonzorg::scenario::RunOptions {
            no_charts: true,
            no_report: !report,
            draws,
            seed: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    outcome.files.len()
}

fn run_nl342(draws: Option<usize>) -> usize {
    run_nl342_with(draws, false)
}

/// NL-342 with its report (workbook, Parquet copies, annex), without charts (target ≤ 3 s).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn nl342_run_with_report() -> usize {
    divan::black_box(run_nl342_with(None, true))
}

/// NL-342 deterministic: the whole run without charts and report (target ≤ 1 s).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn nl342_run_deterministic() -> usize {
    divan::black_box(run_nl342(None))
}

/// NL-342 with 1,000 Monte Carlo draws: the whole run without charts and report (target ≤ 3 s).
#[divan::bench(sample_count = 2, sample_size = 1)]
fn nl342_run_1000_draws() -> usize {
    divan::black_box(run_nl342(Some(1000)))
}

/// The group inputs restricted to the first `n` gemeenten (calibration still sees all).
fn first_gemeenten(
    inputs: &woonzorg::groups::GroupInputs,
    n: usize,
) -> woonzorg::groups::GroupInputs {
    let mut sub = inputs.clone();
    sub.units.truncate(n);
    sub
}

/// Scaling in gemeenten: all groups, gross, for the first 50, 100 and all 342 gemeenten.
#[divan::bench(args = [50, 100, 342], sample_count = 10)]
fn groups_by_gemeenten(n: usize) -> usize {
    let g = group_inputs();
    let inputs = first_gemeenten(&g.inputs, n);
    let counts = woonzorg::groups::project_groups(&g.catalogue, &g.observed, &inputs).unwrap();
    divan::black_box(counts.n_units())
}

/// The NL-342 scenario prepared, its groups counted for every area (all gemeenten and the
/// selection) in the three variants, and its housing catalogue.
struct Nl342 {
    prepared: woonzorg::scenario::prepare::Prepared,
    groups: woonzorg::scenario::groups::GroupRun,
    housing: woonzorg::scenario::housing::HousingRun,
}

fn nl342() -> &'static Nl342 {
    static N: std::sync::OnceLock<Nl342> = std::sync::OnceLock::new();
    N.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let path = root.join("scenarios/nl-342.toml");
        let prepared = woonzorg::scenario::prepare::prepare_run(&path).unwrap();
        let (groups, housing) = woonzorg::scenario::count::count_groups_and_housing(
            &prepared.plan,
            &prepared.registry,
            &prepared.variants,
            &prepared.areas,
        )
        .unwrap();
        let (groups, housing) = (groups.unwrap(), housing.unwrap());
        Nl342 {
            prepared,
            groups,
            housing,
        }
    })
}

/// Monte Carlo draws on the first `n` gemeenten of NL-342 and their sum (one area per gemeente
/// plus the selection; population drawn between laag and hoog; all groups and dwelling types).
fn draws_on(n: usize, draws: usize) -> usize {
    let w = nl342();
    let gemeenten: Vec<&woonzorg::scenario::area::Area> = w
        .prepared
        .areas
        .iter()
        .filter(|a| a.kind == "gemeente")
        .take(n)
        .collect();
    let mut areas: Vec<woonzorg::scenario::area::Area> =
        gemeenten.iter().map(|a| (*a).clone()).collect();
    areas.push(woonzorg::scenario::area::Area {
        code: "selectie".into(),
        name: "selectie".into(),
        kind: "selectie".into(),
        members: gemeenten.iter().map(|a| a.code.clone()).collect(),
    });
    let sums = |name: &str| &w.groups.sums.iter().find(|(v, _)| v == name).unwrap().1;
    let base = woonzorg::scenario::montecarlo::DrawBase {
        catalogue: &w.groups.catalogue,
        plan: &w.groups.plan,
        housing: Some(&w.housing.catalogue),
        midden: sums("midden"),
        low_high: Some((sums("laag"), sums("hoog"))),
        areas: &areas,
        seed: 1,
    };
    let bands = woonzorg::scenario::montecarlo::run_draws(&base, draws, &|_| {}).unwrap();
    bands.cells.len()
}

/// Scaling in gemeenten: 32 draws (one parallel batch) on 50, 100 and 342 gemeenten.
#[divan::bench(args = [50, 100, 342], sample_count = 3, sample_size = 1)]
fn monte_carlo_32_draws_by_gemeenten(bencher: divan::Bencher, n: usize) {
    nl342();
    bencher.bench(|| divan::black_box(draws_on(n, 32)));
}

/// Scaling in draws: 32, 64 and 128 draws on all 342 gemeenten.
#[divan::bench(args = [32, 64, 128], sample_count = 3, sample_size = 1)]
fn monte_carlo_342_gemeenten_by_draws(bencher: divan::Bencher, draws: usize) {
    nl342();
    bencher.bench(|| divan::black_box(draws_on(342, draws)));
}
