//! Identities that must hold for any input: harmonising preserves totals; own stock replaces
//! exactly its rows.

use std::collections::BTreeMap;

use proptest::prelude::*;
use woonzorg::geo::Registry;

use crate::common::root;

fn registry() -> &'static Registry {
    static REG: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REG.get_or_init(|| Registry::load(&root().join("data/regions")).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any gemeente table of any year, harmonised to any later year: same total, only
    /// gemeenten of the target year, no negative counts.
    #[test]
    fn harmonising_preserves_the_total(from in 2016u16..=2025, span in 0u16..=9, seed in proptest::collection::vec(0.0f64..250_000.0, 400)) {
        let reg = registry();
        let to = (from + span).min(2025);
        let codes: Vec<String> = reg.years[&from].gemeenten.keys().cloned().collect();
        let values: BTreeMap<String, f64> = codes.iter().zip(&seed).map(|(c, v)| (c.clone(), v.round())).collect();
        let total: f64 = values.values().sum();
        let h = reg.harmonise(&values, from, to).unwrap();
        let after: f64 = h.values().sum();
        prop_assert!((after - total).abs() <= 1e-6 * total.max(1.0), "{} → {}", total, after);
        prop_assert!(h.keys().all(|c| reg.years[&to].gemeenten.contains_key(c)));
        prop_assert!(h.values().all(|v| *v >= 0.0));
    }
}

/// Every number in every table of a finished run: finite, not negative but where a column may
/// be (gaps, differences, migration), and — counts, not euros — below 100 million.
fn check_tables(run: &std::path::Path) -> Result<usize, String> {
    const SIGNED: [&str; 4] = ["gap", "extra_vs_base", "difference", "migration"];
    let mut cells = 0usize;
    for (name, bytes) in crate::common::table_bytes(run) {
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        for rec in r.records() {
            let rec = rec.unwrap();
            for (h, v) in header.iter().zip(rec.iter()) {
                let l = v.to_ascii_lowercase();
                if l == "nan" || l.ends_with("inf") {
                    return Err(format!("{name}: {h} = {v}"));
                }
                let Ok(x) = v.parse::<f64>() else { continue };
                cells += 1;
                let signed = SIGNED.iter().any(|s| h.contains(s));
                let euros = name.contains("costs") || h == "per_person_year";
                if (!signed && x < -1e-9) || (!euros && x.abs() >= 1e8) {
                    return Err(format!("{name}: {h} = {v}"));
                }
            }
        }
    }
    Ok(cells)
}

/// Run a one-gemeente scenario on the basis with `body` (TOML tables setting parameters) into
/// `dir/out/eigenschap`.
fn run_with(dir: &std::path::Path, body: &str) -> std::process::Output {
    let sc = scenario_with(dir, body);
    crate::common::woonzorg()
        .args(["run", "--no-charts", "--no-report", "--quiet", "--out"])
        .arg(dir.join("out"))
        .arg(&sc)
        .output()
        .unwrap()
}

/// The scenario file of [`run_with`].
fn scenario_with(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let p = dir.join("s.toml");
    std::fs::write(
        &p,
        format!(
            "extends = \"{}\"\nname = \"eigenschap\"\n\n[regions]\ngemeenten = [\"Delft\"]\ninclude = []\nreport = []\n\n{body}",
            root().join("scenarios/basis.toml").display()
        ),
    )
    .unwrap();
    p
}

/// A value inside a parameter's declared bounds (its ends included).
fn inside(name: &'static str) -> impl Strategy<Value = f64> {
    let b = woonzorg::groups::catalogue::bounds_of(name);
    prop_oneof![Just(b.low), Just(b.high), b.low..=b.high]
}

/// A value outside a parameter's declared bounds.
fn outside(name: &'static str) -> impl Strategy<Value = f64> {
    let b = woonzorg::groups::catalogue::bounds_of(name);
    let width = (b.high - b.low).max(1.0);
    prop_oneof![
        (b.high + 1e-3..b.high + 10.0 * width),
        (b.low - 10.0 * width..b.low - 1e-3)
    ]
}

/// The parameters a scenario can set, with the TOML that sets `v` and the key an error names.
const PARAMETERS: [(&str, &str, &str); 12] = [
    (
        "trend",
        "[groups.parameters.dementie]\ntrend = {{ value = {v}, source = \"aanname: p\" }}",
        "groups.parameters.dementie.trend",
    ),
    (
        "duur",
        "[groups.parameters.dakloos]\nduur = {{ value = {v}, source = \"aanname: p\" }}",
        "groups.parameters.dakloos.duur",
    ),
    (
        "capaciteit",
        "[groups.parameters.beschermd_wonen_mo]\ncapaciteit = {{ value = {v}, source = \"aanname: p\" }}",
        "groups.parameters.beschermd_wonen_mo.capaciteit",
    ),
    (
        "realisatie",
        "[groups.parameters.statushouders]\nrealisatie = {{ value = {v}, source = \"aanname: p\" }}",
        "groups.parameters.statushouders.realisatie",
    ),
    (
        "later",
        "[groups.parameters.statushouders]\nlater = {{ value = {v}, source = \"aanname: p\" }}",
        "groups.parameters.statushouders.later",
    ),
    (
        "mutatiegraad",
        "[housing.parameters]\nmutatiegraad = {{ value = {v}, source = \"aanname: p\" }}",
        "housing.parameters.mutatiegraad",
    ),
    (
        "bezettingsgraad",
        "[housing.parameters]\nbezettingsgraad = {{ value = {v}, source = \"aanname: p\" }}",
        "housing.parameters.bezettingsgraad",
    ),
    (
        "cap",
        "[housing.caps]\ndakloos = {{ value = {v}, source = \"aanname: p\" }}",
        "housing.caps.dakloos",
    ),
    (
        "multiplier",
        "[projection]\nvariants = [\"midden\", \"eigen\"]\n[projection.multipliers]\neigen = [1.0, 1.0, {v}]",
        "projection.multipliers.eigen",
    ),
    (
        "per_person_year",
        "[[housing.cost]]\nsetting = \"thuis\"\ngroup = \"dementie\"\npayer = \"Wmo (gemeente)\"\nshare = 1.0\nper_person_year = {v}\nsource = \"aanname: p\"",
        "housing.cost[0].per_person_year",
    ),
    (
        "threshold",
        "[[housing.policy]]\nid = \"p\"\nlabel = \"P\"\nkind = \"aandeel_nieuwbouw\"\nsegments = [\"sociale_huur\"]\nthreshold = {v}\nuntil = 2030\nsource = \"aanname: p\"",
        "housing.policy[0].threshold",
    ),
    (
        "national_target",
        "[[housing.policy]]\nid = \"p\"\nlabel = \"P\"\nkind = \"opgave_aandeel\"\ngroup = \"ouderen_75plus\"\ndwelling_type = \"nultreden\"\nnational_target = {v}\nuntil = 2030\nsource = \"aanname: p\"",
        "housing.policy[0].national_target",
    ),
];

fn set(i: usize, v: f64) -> String {
    // TOML wants a decimal point or exponent in a float; `{:?}` writes one.
    PARAMETERS[i]
        .1
        .replace("{{", "{")
        .replace("}}", "}")
        .replace("{v}", &format!("{v:?}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Any values inside the declared bounds — every parameter at once, the ends included — give
    /// tables whose every count is finite, non-negative and below 100 million.
    #[test]
    fn parameters_inside_their_bounds_give_possible_counts(
        values in (inside("trend"), inside("duur"), inside("capaciteit"), inside("realisatie"), inside("later"), inside("mutatiegraad"))
            .prop_flat_map(|a| (Just(a), (inside("bezettingsgraad"), inside("cap"), inside("multiplier"), inside("per_person_year"), inside("national_target"))))
    ) {
        let Some(_) = crate::common::shared_data() else { return Ok(()) };
        let ((t, d, c, r, l, m), (b, cap, mult, cost, target)) = values;
        // One TOML table per parameter; the two statushouder ones share theirs.
        let body = [
            set(0, t), set(1, d), set(2, c),
            format!("[groups.parameters.statushouders]\nrealisatie = {{ value = {r:?}, source = \"aanname: p\" }}\nlater = {{ value = {l:?}, source = \"aanname: p\" }}"),
            format!("[housing.parameters]\nmutatiegraad = {{ value = {m:?}, source = \"aanname: p\" }}\nbezettingsgraad = {{ value = {b:?}, source = \"aanname: p\" }}"),
            set(7, cap), set(8, mult), set(9, cost), set(11, target),
        ].join("\n\n");
        let dir = tempfile::tempdir().unwrap();
        let out = run_with(dir.path(), &body);
        prop_assert!(out.status.success(), "{}\n{}", body, String::from_utf8_lossy(&out.stderr));
        let cells = check_tables(&dir.path().join("out/eigenschap"));
        prop_assert!(cells.as_ref().is_ok_and(|n| *n > 10_000), "{:?}\n{}", cells, body);
    }

    /// A value outside its bounds: exit 1 naming the key, nothing written.
    #[test]
    fn a_parameter_outside_its_bounds_is_refused_at_its_key(
        (i, v) in (0usize..PARAMETERS.len()).prop_flat_map(|i| (Just(i), outside(PARAMETERS[i].0)))
    ) {
        let Some(_) = crate::common::shared_data() else { return Ok(()) };
        let dir = tempfile::tempdir().unwrap();
        let out = run_with(dir.path(), &set(i, v));
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert_eq!(out.status.code(), Some(1), "{}", stderr);
        prop_assert!(stderr.contains(&format!("key '{}'", PARAMETERS[i].2)), "{}", stderr);
        prop_assert!(stderr.contains("outside the range"), "{}", stderr);
        prop_assert!(!dir.path().join("out").exists());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The user's stock rows replace exactly their own (gemeente, type) figures: those become
    /// `opgegeven` with the given value and source; every other figure of the baseline is left
    /// as it was, and no figure appears or disappears.
    #[test]
    fn own_stock_replaces_exactly_its_rows(
        base in proptest::collection::vec((0usize..6, 0usize..5, 0.0f64..50_000.0, any::<bool>()), 1..40),
        given in proptest::collection::vec((0usize..6, 0usize..5, 0u32..50_000), 0..15),
    ) {
        use woonzorg::housing::Supply;
        use woonzorg::housing::baseline::{Figure, Status};
        use woonzorg::housing::supply::GivenRow;
        let gemeenten: Vec<(String, String)> = (0..6).map(|i| (format!("GM{i:04}"), format!("G{i}"))).collect();
        let types = ["regulier", "nultreden", "geclusterd", "intramuraal", "standplaats"];
        let key = |g: usize, t: usize| (gemeenten[g].0.clone(), types[t].to_string());
        let mut baseline = BTreeMap::new();
        for (g, t, v, counted) in &base {
            let f = Figure {
                value: Some(v.round()),
                status: if *counted { Status::Waargenomen } else { Status::Geschat },
                method: "m".into(),
                source: "s".into(),
            };
            baseline.insert(key(*g, *t), f);
        }
        let mut supply = Supply::default();
        supply.stock_file = Some("voorraad.csv".into());
        for (line, (g, t, v)) in given.iter().enumerate() {
            let row = GivenRow { value: f64::from(*v), source: format!("telling {line}"), line: line as u64 + 2 };
            supply.given.insert(key(*g, *t), row);
        }
        supply.apply_baseline(baseline.clone(), BTreeMap::new(), &gemeenten).unwrap();
        for (k, row) in &supply.given {
            let f = &supply.stock[k];
            prop_assert_eq!(f.value, Some(row.value));
            prop_assert_eq!(f.status, Status::Opgegeven);
            prop_assert_eq!(&f.source, &row.source);
        }
        for (k, f) in &baseline {
            if !supply.given.contains_key(k) {
                prop_assert_eq!(&supply.stock[k], f);
            }
        }
        let keys: std::collections::BTreeSet<_> = baseline.keys().chain(supply.given.keys()).collect();
        prop_assert_eq!(supply.stock.len(), keys.len());
    }
}
