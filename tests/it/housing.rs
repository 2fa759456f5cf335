//! Housing: dwellings per type, supply and gap, social-rent pressure, costs per payer, policy
//! checks and the verdeelsleutel, on the basis scenario (shipped CBS extracts, Delft example
//! supply).

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{cols, fails, read_csv, root, run_ok};
use crate::show;

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

#[test]
fn dwellings_supply_gap_pressure_costs_policy_and_verdeling() {
    let dir = tempfile::tempdir().unwrap();
    let text = run_ok(&root().join("scenarios/basis.toml"), dir.path());
    let t = dir.path().join("basis/tables");
    for f in ["dwellings", "pressure", "costs", "policy", "verdeling"] {
        assert!(t.join(format!("{f}.csv")).is_file(), "{f}.csv");
    }
    // Missing supply is reported, not read as zero.
    assert!(
        text.contains("Woningvoorraad ontbreekt") && text.contains("Enschede (GM0153)"),
        "{text}"
    );

    let (h, rows) = read_csv(&t.join("dwellings.csv"));
    let [reg, yr, grp, ty, pg, pn, ppu, dg, dn, sup, gg, gn, st, var] = cols(
        &h,
        [
            "region",
            "year",
            "group",
            "dwelling_type",
            "persons_gross",
            "persons_net",
            "persons_per_unit",
            "demand_gross",
            "demand_net",
            "supply",
            "gap_gross",
            "gap_net",
            "supply_status",
            "variant",
        ],
    );
    let years: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r[reg] == "GM0503")
        .map(|r| r[yr].as_str())
        .collect();
    assert_eq!(years.len(), 17, "2024–2040");
    let mut checked = 0;
    for r in &rows {
        if r[grp] != "totaal" {
            // demand in dwellings × persons per dwelling = persons of the group (per type).
            let (p, u) = (num(&r[ppu]), num(&r[dn]));
            assert!(
                (u * p - num(&r[pn])).abs() < 0.02 * p.max(1.0) + 1e-5 * u * p,
                "{r:?}"
            );
            assert!(
                (num(&r[dg]) * p - num(&r[pg])).abs() < 0.02 * p.max(1.0) + 1e-5 * num(&r[pg]),
                "{r:?}"
            );
            checked += 1;
        } else if !r[sup].is_empty() {
            // gap = demand − supply per cell.
            assert!(
                (num(&r[dn]) - num(&r[sup]) - num(&r[gn])).abs() < 0.02,
                "{r:?}"
            );
            assert!(
                (num(&r[dg]) - num(&r[sup]) - num(&r[gg])).abs() < 0.02,
                "{r:?}"
            );
        } else if !r[ty].starts_with("geclusterd_cbs") {
            // No supply: reported as missing, gap left empty.
            assert!(r[st].starts_with("ontbreekt: GM"), "{r:?}");
            assert!(r[gn].is_empty() && r[gg].is_empty(), "{r:?}");
        }
    }
    assert!(checked > 1000);
    // Delft has (example) supply for every type; Enschede none.
    let status = |region: &str, t: &str| -> String {
        rows.iter()
            .find(|r| {
                r[reg] == region
                    && r[yr] == "2030"
                    && r[grp] == "totaal"
                    && r[ty] == t
                    && r[var] == "midden"
            })
            .unwrap()[st]
            .clone()
    };
    assert_eq!(status("GM0503", "nultreden"), "voorbeeld (geen bron)");
    assert_eq!(status("GM0153", "nultreden"), "ontbreekt: GM0153");
    // The totals by type add up the groups plus the other households.
    for y in ["2024", "2040"] {
        let sum_groups: f64 = rows
            .iter()
            .filter(|r| {
                r[reg] == "GM0503"
                    && r[yr] == y
                    && r[var] == "midden"
                    && r[grp] != "totaal"
                    && r[ty] == "nultreden"
            })
            .map(|r| num(&r[dn]))
            .sum();
        let total = rows
            .iter()
            .find(|r| {
                r[reg] == "GM0503"
                    && r[yr] == y
                    && r[var] == "midden"
                    && r[grp] == "totaal"
                    && r[ty] == "nultreden"
            })
            .map(|r| num(&r[dn]))
            .unwrap();
        assert!(
            (sum_groups - total).abs() < 0.1,
            "{y}: {sum_groups} vs {total}"
        );
    }

    // Pressure: share = granted ÷ lettings; lettings = social stock × mutatiegraad.
    let (h, rows) = read_csv(&t.join("pressure.csv"));
    let [reg, yr, grp, need, granted, stock, lettings, share, var] = cols(
        &h,
        [
            "region",
            "year",
            "group",
            "needed",
            "granted",
            "social_stock",
            "lettings",
            "share",
            "variant",
        ],
    );
    let mut by_key: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for r in &rows {
        let l = num(&r[lettings]);
        assert!((l - num(&r[stock]) * 0.07).abs() < 0.02, "{r:?}");
        assert!(num(&r[granted]) <= num(&r[need]) + 1e-9);
        if r[grp] == "totaal" {
            // No caps in the basis scenario: granted = needed, so share = needed ÷ lettings.
            assert_eq!(r[granted], r[need]);
            assert!(
                // both rounded to 0.01 in the file
                (num(&r[share]) - num(&r[granted]) / l).abs() < 0.01 / l + 1e-6,
                "{r:?}"
            );
            let sum = by_key
                .remove(&(r[reg].clone(), r[yr].clone(), r[var].clone()))
                .unwrap_or(0.0);
            assert!((sum - num(&r[granted])).abs() < 0.05, "{r:?}");
        } else {
            *by_key
                .entry((r[reg].clone(), r[yr].clone(), r[var].clone()))
                .or_insert(0.0) += num(&r[granted]);
        }
    }
    // Delft 2024: 54,219 dwellings (85383NED) × 0.28 social × 0.07 = 1,062.7 lettings.
    let delft = rows
        .iter()
        .find(|r| r[reg] == "GM0503" && r[yr] == "2024" && r[grp] == "totaal" && r[var] == "midden")
        .unwrap();
    assert!((num(&delft[lettings]) - 54_219.0 * 0.28 * 0.07).abs() < 0.01);
    show!(
        "Delft 2024: {} toewijzingen, aandeel aandachtsgroepen {}",
        delft[lettings],
        delft[share]
    );

    // Costs: the payers add up to the total.
    let (h, rows) = read_csv(&t.join("costs.csv"));
    let [reg, yr, setting, payer, cost, var] = cols(
        &h,
        ["region", "year", "setting", "payer", "cost", "variant"],
    );
    let mut settings: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    let mut payers: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for r in &rows {
        let k = (r[reg].clone(), r[yr].clone(), r[var].clone());
        if r[setting] != "totaal" {
            *settings.entry(k).or_insert(0.0) += num(&r[cost]);
        } else if r[payer] != "totaal" {
            *payers.entry(k).or_insert(0.0) += num(&r[cost]);
        } else {
            let total = num(&r[cost]);
            assert!(
                (settings[&k] - total).abs() < 0.05 && (payers[&k] - total).abs() < 0.05,
                "{r:?}"
            );
        }
    }

    // Policy: every rule for every area, met / not met / n.v.t. with figures.
    let (h, rows) = read_csv(&t.join("policy.csv"));
    let [reg, rule, met, value] = cols(&h, ["region", "rule", "met", "value"]);
    let get = |region: &str, id: &str| {
        rows.iter()
            .find(|r| r[reg] == region && r[rule] == id)
            .unwrap()
    };
    // Delft's example pipeline 2024–2030: 1,460 sociale huur of 4,320 added = 33.8 % ≥ 30 %.
    assert_eq!(get("GM0503", "sociale_huur_30")[met], "ja");
    assert!((num(&get("GM0503", "sociale_huur_30")[value]) - 1460.0 / 4320.0).abs() < 1e-4);
    assert_eq!(get("GM0503", "twee_derde_betaalbaar")[met], "nee");
    assert_eq!(get("GM0153", "sociale_huur_30")[met], "n.v.t.");

    // Verdeelsleutel: the members' parts add up to the regional opgave exactly, whole units too.
    let (h, rows) = read_csv(&t.join("verdeling.csv"));
    let [reg, yr, v, val, units, var] = cols(
        &h,
        [
            "region",
            "year",
            "key_value",
            "value",
            "whole_units",
            "variant",
        ],
    );
    let (dh, drows) = read_csv(&t.join("dwellings.csv"));
    let [dreg, dyr, dgrp, dty, ddn, dvar] = cols(
        &dh,
        [
            "region",
            "year",
            "group",
            "dwelling_type",
            "demand_net",
            "variant",
        ],
    );
    for y in ["2024", "2030", "2040"] {
        let parts: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| r[reg] == "CE0202" && r[yr] == y && r[var] == "midden")
            .collect();
        assert_eq!(parts.len(), 10, "CE0202 has 10 gemeenten in 2024");
        let total: f64 = parts.iter().map(|r| num(&r[val])).sum();
        let whole: i64 = parts.iter().map(|r| r[units].parse::<i64>().unwrap()).sum();
        let opgave = num(&drows
            .iter()
            .find(|r| {
                r[dreg] == "CE0202"
                    && r[dyr] == y
                    && r[dgrp] == "beschermd_wonen_mo"
                    && r[dty] == "beschermd"
                    && r[dvar] == "midden"
            })
            .unwrap()[ddn]);
        assert!((total - opgave).abs() < 0.06, "{y}: {total} vs {opgave}");
        assert_eq!(whole, opgave.round() as i64, "{y}");
        assert!(parts.iter().all(|r| num(&r[v]) > 0.0));
    }
}

/// A copy of the basis scenario with absolute data paths, and extra text appended.
fn basis_with(dir: &Path, extra: &str, replace: &[(&str, &str)]) -> std::path::PathBuf {
    let basis = std::fs::read_to_string(root().join("scenarios/basis.toml")).unwrap();
    let abs = root().join("scenarios");
    let mut text = basis
        .replace("\"../", &format!("\"{}/../", abs.display()))
        .replace(
            "own = \"regios.toml\"",
            &format!("own = \"{}/regios.toml\"", abs.display()),
        );
    for (a, b) in replace {
        assert!(text.contains(a), "{a}");
        text = text.replace(a, b);
    }
    let p = dir.join("scenario.toml");
    std::fs::write(&p, format!("{text}\n{extra}")).unwrap();
    p
}

#[test]
fn zero_on_purpose_is_not_missing_and_a_payer_shift_moves_costs() {
    let dir = tempfile::tempdir().unwrap();
    let sc = basis_with(
        dir.path(),
        "[[housing.cost]]\nsetting = \"beschermd wonen en opvang\"\ngroup = \"beschermd_wonen_mo\"\npayer = \"Wlz (zorgkantoor)\"\nshare = 1.0\nper_person_year = 74000\nsource = \"aanname: test, beschermd wonen naar de Wlz (GGZ-Wlz)\"\n",
        &[(
            "pipeline = ",
            "zero_supply = [\"*:opvang\", \"GM0153:standplaats\"]\ncaps = { statushouders = { value = 0.05, source = \"aanname: test\" } }\npipeline = ",
        )],
    );
    run_ok(&sc, &dir.path().join("out"));
    let (h, rows) = read_csv(&dir.path().join("out/basis/tables/dwellings.csv"));
    let [reg, yr, grp, ty, st, sup] = cols(
        &h,
        [
            "region",
            "year",
            "group",
            "dwelling_type",
            "supply_status",
            "supply",
        ],
    );
    let find = |region: &str, t: &str| {
        rows.iter()
            .find(|r| r[reg] == region && r[yr] == "2030" && r[grp] == "totaal" && r[ty] == t)
            .unwrap()
    };
    assert_eq!(find("GM0153", "opvang")[st], "bekend");
    assert_eq!(find("GM0153", "opvang")[sup], "0");
    assert_eq!(find("GM0153", "standplaats")[st], "bekend");
    assert_eq!(find("GM0153", "regulier")[st], "ontbreekt: GM0153");
    let (h, rows) = read_csv(&dir.path().join("out/basis/tables/costs.csv"));
    let [reg, yr, setting, payer] = cols(&h, ["region", "year", "setting", "payer"]);
    let bw = rows
        .iter()
        .find(|r| {
            r[reg] == "GM0503" && r[yr] == "2030" && r[setting] == "beschermd wonen en opvang"
        })
        .unwrap();
    assert_eq!(bw[payer], "Wlz (zorgkantoor)");
    // The cap: statushouders get at most 5 % of the lettings.
    let (h, rows) = read_csv(&dir.path().join("out/basis/tables/pressure.csv"));
    let [grp, need, granted, lettings] = cols(&h, ["group", "needed", "granted", "lettings"]);
    let mut binding = 0;
    for r in rows.iter().filter(|r| r[grp] == "statushouders") {
        assert!(num(&r[granted]) <= 0.05 * num(&r[lettings]) + 0.01, "{r:?}");
        binding += usize::from(num(&r[granted]) < num(&r[need]));
    }
    assert!(binding > 0);
}

#[test]
fn bad_housing_inputs_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let supply = dir.path().join("voorraad.csv");
    let cases: Vec<(String, &str)> = vec![
        (
            "region,dwelling_type,value,source\nGM0503,paleis,10,x\n".into(),
            "voorraad.csv:2",
        ),
        (
            "region,dwelling_type,value,source\nGM0503,regulier,tien,x\n".into(),
            "value 'tien' is not a number",
        ),
        (
            "region,dwelling_type,value,source\nGM0503,regulier,10,\n".into(),
            "a number without a source",
        ),
        (
            "region,type,value,source\nGM0503,regulier,10,x\n".into(),
            "the header must be",
        ),
    ];
    for (i, (csv, msg)) in cases.iter().enumerate() {
        std::fs::write(&supply, csv).unwrap();
        let sc = basis_with(
            dir.path(),
            "",
            &[(
                "supply = \"",
                &format!("supply = \"{}\"\n# was: \"", supply.display()),
            )],
        );
        let out = dir.path().join(format!("out{i}"));
        let err = fails(&["run", "--no-charts"], &sc, &out);
        assert!(
            err.contains(msg) && err.contains("voorraad.csv"),
            "case {i}: {err}"
        );
        assert!(!out.exists(), "case {i}: partial output");
    }
    // A housing parameter the catalogue does not know names its key.
    let sc = basis_with(
        dir.path(),
        "[housing.parameters]\nmutatie = { value = 0.06, source = \"x\" }\n",
        &[],
    );
    let err = fails(&["run", "--no-charts"], &sc, &dir.path().join("o"));
    assert!(err.contains("housing.parameters.mutatie"), "{err}");
}
