//! Aandachtsgroepen: the catalogue, gross and net counts of a run, party definitions and their
//! crosswalks, on the shipped CBS extracts (data/) and the basis scenario.

use std::collections::BTreeMap;
use std::path::Path;

use woonzorg::groups::catalogue::Catalogue;
use woonzorg::groups::demand::{GroupInputs, Unit};
use woonzorg::groups::{Observed, project_groups};
use woonzorg::population::grid::Pop;
use woonzorg::source::sourced::unsourced_numbers;

use crate::common::{cols, fails, read_csv, root, run_ok, woonzorg};
use crate::show;

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Every group the seed texts name, with the method the catalogue must use.
const SEED_GROUPS: [(&str, &str); 16] = [
    ("ouderen_65plus", "prevalentie"),
    ("ouderen_75plus", "prevalentie"),
    ("ouderen_85plus", "prevalentie"),
    ("dementie", "prevalentie"),
    ("lichamelijke_beperking", "prevalentie"),
    ("verstandelijke_beperking", "prevalentie"),
    ("beschermd_wonen_mo", "voorraad-stroom"),
    ("dakloos", "voorraad-stroom"),
    ("vrouwenopvang", "voorraad-stroom"),
    ("statushouders", "taakstelling"),
    ("arbeidsmigranten", "pad"),
    ("studenten", "prevalentie"),
    ("woonwagenbewoners", "pad"),
    ("kwetsbare_jongeren", "prevalentie"),
    ("wlz_verpleegzorg", "prevalentie"),
    ("jongeren", "prevalentie"),
];

#[test]
fn catalogue_has_every_seed_group_and_every_number_has_a_source() {
    let path = root().join("data/groups/catalogus.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let raw: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(unsourced_numbers(&raw), Vec::<String>::new());
    let c = Catalogue::load(&path).unwrap();
    for (id, method) in SEED_GROUPS {
        let g = c
            .group(id)
            .unwrap_or_else(|| panic!("catalogue lacks {id}"));
        assert_eq!(g.method.label(), method, "{id}");
        assert!(!g.source.trim().is_empty(), "{id} has no source");
    }
    // A catalogue with one source removed is refused, naming the table.
    let broken = text.replacen(
        "source = \"Zorg voor Beter: meer dan 40 % van de 90-plussers heeft dementie\"",
        "note = \"x\"",
        1,
    );
    assert_ne!(broken, text);
    let raw: toml::Value = toml::from_str(&broken).unwrap();
    assert_eq!(
        unsourced_numbers(&raw),
        vec!["group[dementie].rate[3]".to_string()]
    );
    let err = Catalogue::parse(Path::new("c.toml"), &broken)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("group[dementie].rate[3]") && err.contains("without a source"),
        "{err}"
    );
}

/// National checks of catalogue numbers against their sources, on the CBS population.
#[test]
fn catalogue_rates_reproduce_their_national_sources() {
    let c = Catalogue::load(&root().join("data/groups/catalogus.toml")).unwrap();
    let observed = Observed::load(&root().join("data/groups")).unwrap();
    let nl = woonzorg::source::read_one(&root().join("data/population/7461bev_bevolking_nl.csv"))
        .unwrap();
    let national = |year: u16| -> Pop {
        let (m, v) = woonzorg::population::base::national_by_age(&nl, year).unwrap();
        let mut p = Pop::default();
        p.0[0].copy_from_slice(&m);
        p.0[1].copy_from_slice(&v);
        p
    };
    let count = |year: u16, id: &str| -> f64 {
        let p = national(year);
        let inputs = GroupInputs {
            base_year: year,
            units: vec![Unit {
                code: "NL01".into(),
                stocks: vec![p],
            }],
            all_base: BTreeMap::new(),
            national: vec![p],
            ..Default::default()
        };
        let counts = project_groups(&c, &observed, &inputs).unwrap();
        let gi = c.groups.iter().position(|g| g.id == id).unwrap();
        counts.values(0, gi)[0]
    };
    // Dementia: 290,000 in 2021 (volksgezondheidenzorg.info).
    let dem = count(2021, "dementie");
    show!("dementie NL 2021: {dem:.0} (bron: 290.000)");
    assert!((dem / 290_000.0 - 1.0).abs() < 0.01, "{dem}");
    // Homeless (CBS definition): 32,900 on 1 January 2024 (85616NED: G4 10.6k + rest 22.3k).
    let dak = count(2024, "dakloos");
    show!("dakloos NL 2024: {dak:.0} (bron: 32.900)");
    assert!((dak - 32_900.0).abs() < 1e-6, "{dak}");
    // Vrouwenopvang: 2,555 residential clients a year × 0.5 year = 1,278 in 2015.
    let vo = count(2015, "vrouwenopvang");
    assert!((vo / 1277.5 - 1.0).abs() < 0.01, "{vo}");
    // Wlz: 65+ in institutions (37620: 143,297 in 2024) × the national calibration to
    // 85383NED (250,713 in zorginstellingen of 289,176 in institutional households).
    let wlz = count(2024, "wlz_verpleegzorg");
    show!("65+ in zorginstellingen NL 2024: {wlz:.0}");
    assert!(
        (wlz / (143_297.0 * 250_713.0 / 289_176.0) - 1.0).abs() < 0.01,
        "{wlz}"
    );
    // Kwetsbare jongeren: 0.92 % of 18–22.
    let kj = count(2023, "kwetsbare_jongeren");
    let p = national(2023);
    assert!((kj - 0.0092 * p.band(18, 22)).abs() < 1e-6);
}

fn run_basis(dir: &Path) {
    run_ok(&root().join("scenarios/basis.toml"), dir);
}

#[test]
fn run_writes_gross_and_net_per_group_to_2040() {
    let dir = tempfile::tempdir().unwrap();
    run_basis(dir.path());
    let (h, rows) = read_csv(&dir.path().join("basis/tables/groups.csv"));
    let [reg, yr, grp, gross, net, var] =
        cols(&h, ["region", "year", "group", "gross", "net", "variant"]);
    // Every group, every year 2024–2040, for Delft.
    for (id, _) in SEED_GROUPS {
        let years: Vec<u16> = rows
            .iter()
            .filter(|r| r[reg] == "GM0503" && r[grp] == id && r[var] == "midden")
            .map(|r| r[yr].parse().unwrap())
            .collect();
        assert_eq!(years, (2024..=2040).collect::<Vec<_>>(), "{id}");
    }
    // Net never above gross, never negative.
    for r in &rows {
        let (g, n) = (num(&r[gross]), num(&r[net]));
        assert!(n <= g + 1e-9 && n >= 0.0, "{r:?}");
    }
    // Net = gross − declared overlap: dementie loses 24.1 % to wlz_verpleegzorg, which claims
    // first and keeps all its members.
    let get = |region: &str, year: &str, id: &str, c: usize| -> f64 {
        num(&rows
            .iter()
            .find(|r| r[reg] == region && r[yr] == year && r[grp] == id && r[var] == "midden")
            .unwrap()[c])
    };
    for y in 2024..=2040 {
        let y = y.to_string();
        let g = get("GM0503", &y, "dementie", gross);
        let n = get("GM0503", &y, "dementie", net);
        assert!((n - g * (1.0 - 0.241)).abs() < 0.02, "{y}: {g} {n}");
        assert_eq!(
            get("GM0503", &y, "wlz_verpleegzorg", net),
            get("GM0503", &y, "wlz_verpleegzorg", gross)
        );
    }
    // Nested age groups become exclusive bands before need groups are taken out:
    // 85+ keeps what no need group claims; 65+ gross = the population 65+ of population.csv.
    let (ph, prow) = read_csv(&dir.path().join("basis/tables/population.csv"));
    let [pr, py, pa, pv, pvar] = cols(&ph, ["region", "year", "age", "value", "variant"]);
    let pop65: f64 = prow
        .iter()
        .filter(|r| r[pr] == "GM0503" && r[py] == "2040" && r[pvar] == "midden")
        .filter(|r| r[pa].trim_end_matches('+').parse::<u16>().unwrap() >= 65)
        .map(|r| num(&r[pv]))
        .sum();
    let g65 = get("GM0503", "2040", "ouderen_65plus", gross);
    assert!((pop65 - g65).abs() < 1.0, "{pop65} vs {g65}");
    show!(
        "Delft 2040: 65+ bruto {g65:.0}, netto {:.0}; dementie bruto {:.0}, netto {:.0}",
        get("GM0503", "2040", "ouderen_65plus", net),
        get("GM0503", "2040", "dementie", gross),
        get("GM0503", "2040", "dementie", net)
    );
    // Stock-flow accounting in group_flows.csv: S(t+1) = S(t) + instroom − uitstroom.
    let (fh, frows) = read_csv(&dir.path().join("basis/tables/group_flows.csv"));
    let [fr, fy, fg, ff, fv, fvar] =
        cols(&fh, ["region", "year", "group", "flow", "value", "variant"]);
    let flow = |y: u16, f: &str| -> f64 {
        num(&frows
            .iter()
            .find(|r| {
                r[fr] == "GM0503"
                    && r[fy] == y.to_string()
                    && r[fg] == "dakloos"
                    && r[ff] == f
                    && r[fvar] == "midden"
            })
            .unwrap()[fv])
    };
    for y in 2024..2040 {
        let s = get("GM0503", &y.to_string(), "dakloos", gross);
        let s1 = get("GM0503", &(y + 1).to_string(), "dakloos", gross);
        assert!(
            (s + flow(y, "instroom") - flow(y, "uitstroom") - s1).abs() < 0.05,
            "{y}"
        );
    }
}

#[test]
fn definitions_compare_parties_exactly_and_crosswalks_keep_the_canonical_total() {
    let dir = tempfile::tempdir().unwrap();
    let years: Vec<String> = (2024..=2040).map(|y| y.to_string()).collect();
    let out = woonzorg()
        .args([
            "definitions",
            "examples/definities_delft.toml",
            "--years",
            &years.join(","),
            "--out",
        ])
        .arg(dir.path().join("defs"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("Jongeren 18–27"), "{text}");
    assert!(
        text.contains("waarom: leeftijd 18–27 i.p.v. 18–26"),
        "{text}"
    );
    for f in [
        "definities.csv",
        "crosswalk.csv",
        "definities.png",
        "definities.svg",
    ] {
        assert!(dir.path().join("defs").join(f).is_file(), "{f}");
    }
    let (h, rows) = read_csv(&dir.path().join("defs/definities.csv"));
    let [yr, party, grp, count, canon, age_eff, crit_eff] = cols(
        &h,
        [
            "year",
            "party",
            "group",
            "count",
            "canonical",
            "age_effect",
            "criterion_effect",
        ],
    );
    assert!(
        rows.iter()
            .map(|r| &r[party])
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            >= 4
    );
    // Delft: jongeren 18–27 (woningcorporatie) − jongeren 18–23 (gemeente) = population 24–27.
    let dp = tempfile::tempdir().unwrap();
    run_basis(dp.path());
    let (ph, prow) = read_csv(&dp.path().join("basis/tables/population.csv"));
    let [pr, py, pa, pv, pvar] = cols(&ph, ["region", "year", "age", "value", "variant"]);
    for y in &years {
        let find = |p: &str| -> f64 {
            num(&rows
                .iter()
                .find(|r| &r[yr] == y && r[party] == p && r[grp] == "jongeren")
                .unwrap()[count])
        };
        let diff = find("Woningcorporatie") - find("Gemeente");
        let pop: f64 = prow
            .iter()
            .filter(|r| r[pr] == "GM0503" && &r[py] == y && r[pvar] == "midden")
            .filter(|r| matches!(r[pa].as_str(), "24" | "25" | "26" | "27"))
            .map(|r| num(&r[pv]))
            .sum();
        // Both files round to 0.01 per value (8 cells, 2 counts).
        assert!((diff - pop).abs() < 0.06, "{y}: {diff} vs {pop}");
    }
    // count − canonical = age effect + criterion effect, for every row.
    for r in &rows {
        let d = num(&r[count]) - num(&r[canon]) - num(&r[age_eff]) - num(&r[crit_eff]);
        assert!(d.abs() < 0.05, "{r:?}");
    }
    // Crosswalk: the parts of the canonical count add up to it; the party's parts to its count.
    let (xh, xrows) = read_csv(&dir.path().join("defs/crosswalk.csv"));
    let [xy, xg, xp, xpart, xv] = cols(&xh, ["year", "group", "party", "part", "value"]);
    for r in &rows {
        let parts: Vec<&Vec<String>> = xrows
            .iter()
            .filter(|x| x[xy] == r[yr] && x[xg] == r[grp] && x[xp] == r[party])
            .collect();
        let canonical: f64 = parts
            .iter()
            .filter(|x| x[xpart] != "extra bij partij")
            .map(|x| num(&x[xv]))
            .sum();
        let party_count: f64 = parts
            .iter()
            .filter(|x| x[xpart] == "binnen definitie partij" || x[xpart] == "extra bij partij")
            .map(|x| num(&x[xv]))
            .sum();
        assert!((canonical - num(&r[canon])).abs() < 0.05, "{r:?}");
        assert!((party_count - num(&r[count])).abs() < 0.05, "{r:?}");
    }
}

/// A scenario in a temp dir that uses the shipped data but its own catalogue text.
fn scenario_with_catalogue(dir: &Path, catalogue: &str) -> std::path::PathBuf {
    let basis = std::fs::read_to_string(root().join("scenarios/basis.toml")).unwrap();
    let abs = root().join("scenarios");
    let text = basis
        .replace("\"../", &format!("\"{}/../", abs.display()))
        .replace(
            "own = \"regios.toml\"",
            &format!("own = \"{}/regios.toml\"", abs.display()),
        )
        .replace(
            &format!(
                "catalogue = \"{}/../data/groups/catalogus.toml\"",
                abs.display()
            ),
            "catalogue = \"catalogus.toml\"",
        );
    std::fs::write(dir.join("catalogus.toml"), catalogue).unwrap();
    let p = dir.join("scenario.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn bad_catalogues_and_definitions_name_the_key() {
    let cat = std::fs::read_to_string(root().join("data/groups/catalogus.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Overlap share above 1.
    let bad = cat.replace("share = 0.241", "share = 1.241");
    let sc = scenario_with_catalogue(dir.path(), &bad);
    let out = dir.path().join("out");
    let err = fails(&["run", "--no-charts"], &sc, &out);
    assert!(
        err.contains("overlap[dementie+wlz_verpleegzorg].share"),
        "{err}"
    );
    assert!(!out.exists(), "partial output");
    // Priority cycle: the overlap claims against the priority list.
    let bad = cat.replace(
        "share = 0.241\n",
        "share = 0.241\nclaimed_by = \"dementie\"\n",
    );
    let sc = scenario_with_catalogue(dir.path(), &bad);
    let err = fails(&["run", "--no-charts"], &sc, &out);
    assert!(
        err.contains("priority cycle") && err.contains("priority / overlap.claimed_by"),
        "{err}"
    );

    // Definitions: unknown group, overlapping age bands, ages of a group without a profile.
    let defs = std::fs::read_to_string(root().join("examples/definities_delft.toml")).unwrap();
    let cases = [
        (
            defs.replacen("group = \"studenten\"", "group = \"studentn\"", 1),
            "party[Gemeente].group[studentn].group",
            "unknown group",
        ),
        (
            defs.replacen("categories = [[18, 20], [21, 23]]", "categories = [[18, 21], [21, 23]]", 1),
            "party[Gemeente].group[jongeren].categories",
            "overlapping age bands",
        ),
        (
            defs.replacen(
                "[[party.group]]\ngroup = \"statushouders\"\nlabel = \"Taakstelling vergunninghouders\"",
                "[[party.group]]\ngroup = \"jongeren\"\nlabel = \"Jongeren 20–30\"\nage = [20, 30]\nsource = \"x\"\n\n[[party.group]]\ngroup = \"statushouders\"\nlabel = \"Taakstelling vergunninghouders\"",
                1,
            ),
            "party[Gemeente].group[jongeren].age",
            "overlapping age bands in one party's group",
        ),
        (
            defs.replacen("criterion = \"taakstelling + achterstand\"", "age = [18, 64]", 1),
            "party[Gemeente].group[statushouders].age",
            "has no age profile",
        ),
        (
            defs.replacen("ratio = { value = 0.275, source = \"CBS-migratiestatistiek 220.000 / SEO ca. 800.000 (Adviesraad Migratie 2023)\" }", "ratio = { value = 0.275 }", 1),
            "party[Gemeente].group[arbeidsmigranten].ratio",
            "without a source",
        ),
    ];
    for (i, (text, key, msg)) in cases.iter().enumerate() {
        assert_ne!(text, &defs, "case {i} did not change the file");
        let p = dir.path().join(format!("defs{i}.toml"));
        std::fs::write(&p, text).unwrap();
        let out = dir.path().join(format!("out{i}"));
        let err = fails(&["definitions"], &p, &out);
        assert!(err.contains(key) && err.contains(msg), "case {i}: {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{err}"
        );
        assert!(!out.exists(), "case {i}: partial output");
    }
}

#[test]
fn scenario_parameters_change_a_group_and_unknown_ones_are_refused() {
    let cat = std::fs::read_to_string(root().join("data/groups/catalogus.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario_with_catalogue(dir.path(), &cat);
    let base = std::fs::read_to_string(&sc).unwrap();
    // Half the dwellings for uitstroom: people wait, and the stock grows faster.
    std::fs::write(
        &sc,
        format!("{base}\n[groups.parameters.dakloos]\ncapaciteit = {{ value = 0.5, source = \"aanname: test, halve uitstroomcapaciteit\" }}\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    run_ok(&sc, &out);
    let (h, rows) = read_csv(&out.join("basis/tables/group_flows.csv"));
    let [r, y, g, f, v] = cols(&h, ["region", "year", "group", "flow", "value"]);
    let waiting = |year: &str| -> f64 {
        num(&rows
            .iter()
            .find(|x| {
                x[r] == "GM0503"
                    && x[y] == year
                    && x[g] == "dakloos"
                    && x[f] == "wachtend_op_woning"
            })
            .unwrap()[v])
    };
    assert!(waiting("2024") > 0.0 && waiting("2040") > waiting("2024"));
    // An unknown parameter names its key.
    std::fs::write(
        &sc,
        format!("{base}\n[groups.parameters.dakloos]\nduration = {{ value = 2.0, source = \"aanname\" }}\n"),
    )
    .unwrap();
    let err = fails(&["run", "--no-charts"], &sc, &dir.path().join("o2"));
    assert!(err.contains("groups.parameters.dakloos.duration"), "{err}");
}

#[test]
fn a_scenario_can_replace_a_groups_method() {
    let cat = std::fs::read_to_string(root().join("data/groups/catalogus.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario_with_catalogue(dir.path(), &cat);
    let base = std::fs::read_to_string(&sc).unwrap();
    // Arbeidsmigranten by the CBS definition: a constant 220,000, as a prevalence would not do.
    let group = "\n[[groups.group]]\nid = \"arbeidsmigranten\"\nlabel = \"Arbeidsmigranten (CBS-migratiestatistiek)\"\nmethod = \"prevalentie\"\nage = [18, 64]\nsource = \"definitie: in de BRP ingeschreven arbeidsmigranten\"\nrate = [{ age = [18, 64], value = 0.02, source = \"aanname: test, 2 % van 18–64\" }]\n";
    std::fs::write(&sc, format!("{base}{group}")).unwrap();
    let out = dir.path().join("out");
    run_ok(&sc, &out);
    let (h, rows) = read_csv(&out.join("basis/tables/groups.csv"));
    let [r, y, g, m, gross] = cols(&h, ["region", "year", "group", "method", "gross"]);
    let row = rows
        .iter()
        .find(|x| x[r] == "GM0503" && x[y] == "2024" && x[g] == "arbeidsmigranten")
        .unwrap();
    assert_eq!(row[m], "prevalentie");
    let (ph, prow) = read_csv(&out.join("basis/tables/population.csv"));
    let [pr, py, pa, pv, pvar] = cols(&ph, ["region", "year", "age", "value", "variant"]);
    let pop: f64 = prow
        .iter()
        .filter(|x| x[pr] == "GM0503" && x[py] == "2024" && x[pvar] == "midden")
        .filter(|x| (18..=64).contains(&x[pa].trim_end_matches('+').parse::<u16>().unwrap()))
        .map(|x| num(&x[pv]))
        .sum();
    assert!((num(&row[gross]) - 0.02 * pop).abs() < 0.05);
    // The same group without a source for its rate is refused.
    std::fs::write(
        &sc,
        format!(
            "{base}{}",
            group.replace(", source = \"aanname: test, 2 % van 18–64\"", "")
        ),
    )
    .unwrap();
    let err = fails(&["run", "--no-charts"], &sc, &dir.path().join("o2"));
    // (serde sees it first: the message names the line and the missing field)
    assert!(
        err.contains("scenario.toml:") && err.contains("missing field `source`"),
        "{err}"
    );
}

/// A scenario restates the taakstelling with a `[[groups.group]]` of its own: here the
/// catalogue's half-years up to 2025 H1 only, so 2025 H2 takes the assumption (16.088 instead
/// of the 13.000 published). 2024 stays as it was, 2025 rises. A half-year left out of the
/// scenario's list is refused at the scenario's key.
#[test]
fn a_scenario_restates_the_taakstelling_and_a_gap_is_refused() {
    let cat = std::fs::read_to_string(root().join("data/groups/catalogus.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario_with_catalogue(dir.path(), &cat);
    let base = std::fs::read_to_string(&sc).unwrap();
    let start = cat.find("[[group]]\nid = \"statushouders\"").unwrap();
    let end = start + 9 + cat[start + 9..].find("[[group]]").unwrap();
    let line = |p: &str| {
        let l = cat
            .lines()
            .find(|l| l.contains(&format!("{{ period = \"{p}\"")))
            .unwrap();
        format!("{l}\n")
    };
    let group = cat[start..end]
        .replacen("[[group]]", "[[groups.group]]", 1)
        .replace(&line("2025H2"), "")
        .replace(
            "current_to = { period = \"2025H2\"",
            "current_to = { period = \"2025H1\"",
        );
    let delft = |out: &Path| -> Vec<f64> {
        let (h, rows) = read_csv(&out.join("basis/tables/groups.csv"));
        let [r, y, g, v, gross] = cols(&h, ["region", "year", "group", "variant", "gross"]);
        ["2024", "2025"]
            .iter()
            .map(|year| {
                rows.iter()
                    .find(|x| {
                        x[r] == "GM0503"
                            && x[y] == *year
                            && x[g] == "statushouders"
                            && x[v] == "midden"
                    })
                    .map(|x| num(&x[gross]))
                    .unwrap()
            })
            .collect()
    };
    let out = dir.path().join("out");
    run_ok(&sc, &out);
    let published = delft(&out);
    std::fs::write(&sc, format!("{base}\n{group}")).unwrap();
    let out2 = dir.path().join("out2");
    run_ok(&sc, &out2);
    let restated = delft(&out2);
    assert_eq!(restated[0], published[0]);
    assert!(restated[1] > published[1], "{restated:?} {published:?}");
    // The published list with 2025 H1 left out: a gap.
    let gap = cat[start..end]
        .replacen("[[group]]", "[[groups.group]]", 1)
        .replace(&line("2025H1"), "");
    std::fs::write(&sc, format!("{base}\n{gap}")).unwrap();
    let err = fails(&["run", "--no-charts"], &sc, &dir.path().join("o3"));
    assert!(
        err.contains("groups.group[statushouders].taakstelling.targets[6].period")
            && err.contains("half-year 2025H1 is missing"),
        "{err}"
    );
}

/// The age identity at full precision, through the library: jongeren 18–27 − 18–23 = the
/// population aged 24–27 of the projection, every year.
#[test]
fn party_age_ranges_differ_by_exactly_the_population_of_the_extra_ages() {
    use woonzorg::groups::Definitions;
    use woonzorg::groups::definitions::compare;
    let scenario = root().join("scenarios/basis.toml");
    let prepared = woonzorg::scenario::prepare::prepare_run(&scenario).unwrap();
    let settings = prepared.plan.scenario.groups.clone().unwrap();
    let (catalogue, observed, _) =
        woonzorg::scenario::groups::load_groups(&prepared.plan, &settings).unwrap();
    let defs =
        Definitions::load(&root().join("examples/definities_delft.toml"), &catalogue).unwrap();
    let v = &prepared.variants[0];
    let members = vec!["GM0503".to_string()];
    let mut inputs = woonzorg::scenario::groups::group_inputs(v, &members);
    inputs.keep_profiles = true;
    let counts = project_groups(&catalogue, &observed, &inputs).unwrap();
    let area = counts.area(&members).unwrap();
    let years: Vec<u16> = (2024..=2040).collect();
    let rows = compare(&defs, &catalogue, &area, &members, &observed, 2024, &years).unwrap();
    let gi = v
        .gemeenten
        .as_ref()
        .unwrap()
        .codes
        .iter()
        .position(|c| c == "GM0503")
        .unwrap();
    for y in years {
        let count = |p: &str| {
            rows.iter()
                .find(|c| c.year == y && c.party == p && c.group == "jongeren")
                .unwrap()
                .count
        };
        let stock = v.gemeenten.as_ref().unwrap().stocks[gi][usize::from(y - 2024)];
        let pop = stock.band(24, 27);
        let diff = count("Woningcorporatie") - count("Gemeente");
        assert!(
            (diff - pop).abs() < 1e-9 * pop.max(1.0),
            "{y}: {diff} vs {pop}"
        );
    }
}

/// The group stage's population sums are linear in the population: the methods on the mix of
/// two variants' sums give the counts of the mixed population itself (to rounding), which is
/// what lets a Monte Carlo draw mix sums instead of populations.
#[test]
fn counts_on_mixed_sums_are_the_counts_of_the_mixed_population() {
    use woonzorg::groups::demand::{GroupPlan, PopulationSums, count_from_sums};
    let scenario = root().join("scenarios/basis.toml");
    let prepared = woonzorg::scenario::prepare::prepare_run(&scenario).unwrap();
    let settings = prepared.plan.scenario.groups.clone().unwrap();
    let (catalogue, observed, _) =
        woonzorg::scenario::groups::load_groups(&prepared.plan, &settings).unwrap();
    let variant = |n: &str| prepared.variants.iter().find(|v| v.name == n).unwrap();
    let codes = variant("midden").gemeenten.as_ref().unwrap().codes.clone();
    let mid = woonzorg::scenario::groups::group_inputs(variant("midden"), &codes);
    let high = woonzorg::scenario::groups::group_inputs(variant("hoog"), &codes);
    let f = 0.37;
    let mix = |a: &Pop, b: &Pop| {
        let mut o = *a;
        for s in 0..2 {
            for x in 0..o.0[s].len() {
                o.0[s][x] += f * (b.0[s][x] - a.0[s][x]);
            }
        }
        o
    };
    let mut mixed = mid.clone();
    for (u, h) in mixed.units.iter_mut().zip(&high.units) {
        u.stocks = u
            .stocks
            .iter()
            .zip(&h.stocks)
            .map(|(a, b)| mix(a, b))
            .collect();
    }
    for (k, p) in mixed.all_base.iter_mut() {
        *p = mix(p, &high.all_base[k]);
    }
    mixed.national = mid
        .national
        .iter()
        .zip(&high.national)
        .map(|(a, b)| mix(a, b))
        .collect();
    let direct = project_groups(&catalogue, &observed, &mixed).unwrap();
    let plan = GroupPlan::new(&catalogue, &observed, &mid).unwrap();
    let (s_mid, s_high) = (
        PopulationSums::of(&plan, &catalogue, &mid),
        PopulationSums::of(&plan, &catalogue, &high),
    );
    let all: Vec<usize> = (0..codes.len()).collect();
    let via = count_from_sums(&catalogue, &plan, s_mid.mixed(&s_high, f), &all).unwrap();
    let mut worst = 0.0f64;
    for u in 0..codes.len() {
        for g in 0..catalogue.groups.len() {
            for (a, b) in direct.values(u, g).iter().zip(via.values(u, g)) {
                worst = worst.max((a - b).abs() / a.abs().max(1.0));
            }
        }
    }
    show!(
        "{} gemeenten × {} groups: largest relative difference {worst:.1e}",
        codes.len(),
        catalogue.groups.len()
    );
    assert!(worst < 1e-9, "{worst}");
}
