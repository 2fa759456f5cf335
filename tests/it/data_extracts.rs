//! The extracts in data/ are what `woonzorg` makes of ../shared/data today (data/refresh.sh).

use crate::common::root;
use crate::require_shared;

#[test]
fn shipped_extracts_rebuild_byte_identically() {
    let shared = require_shared!();
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("bash")
        .arg(root().join("data/refresh.sh"))
        .arg(&shared)
        .arg(dir.path())
        .env("WOONZORG", env!("CARGO_BIN_EXE_woonzorg"))
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    // Every extract shipped in data/ (all CSV files outside mappings/).
    let mut files: Vec<String> = Vec::new();
    for sub in [
        "regions",
        "population",
        "forecasts",
        "groups",
        "housing",
        "supply",
        "care",
        "history",
        "backtest",
        "wijken",
        "geo",
    ] {
        for e in std::fs::read_dir(root().join("data").join(sub)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") || name.ends_with(".geojson") {
                files.push(format!("{sub}/{name}"));
            }
        }
    }
    assert!(files.len() >= 10, "{files:?}");
    for f in &files {
        let fresh = std::fs::read(dir.path().join(f)).unwrap();
        let shipped = std::fs::read(root().join("data").join(f)).unwrap();
        assert!(
            fresh == shipped,
            "data/{f} differs from a fresh import; run data/refresh.sh"
        );
        assert!(shipped.len() < 5 * 1024 * 1024, "data/{f} is over 5 MB");
    }
}

#[test]
fn data_readme_names_sources_and_licence() {
    let readme = std::fs::read_to_string(root().join("data/README.md")).unwrap();
    assert!(readme.contains("Bron: CBS, CC BY 4.0"));
    for id in [
        "85383NED",
        "7461bev",
        "83287NED",
        "86059NED",
        "85755NED",
        "37168",
        "37744ned",
        "37422ned",
        "86040NED",
        "85171NED",
        "85745NED",
        "86060NED",
        "85012NED",
        "37620",
        "85616NED",
        "82900NED",
        "85035NED",
        "84839NED",
        "71488ned",
        "60039fvw",
        "85644NED",
        "82056NED",
        "85468NED",
        "83492NED",
        "84525NED",
        "84527NED",
        "84646NED",
        "85984NED",
        "Bron: CBS, PDOK",
    ] {
        assert!(readme.contains(id), "data/README.md does not name {id}");
    }
}

/// The value of one cell of a tidy extract in data/ (region, period, measure, and a category
/// when given).
fn cell(rows: &[Vec<String>], header: &[String], key: [&str; 4]) -> Option<f64> {
    let c = |n: &str| crate::common::col(header, n);
    let (r, p, m, k, v) = (
        c("region"),
        c("period"),
        c("measure"),
        c("category"),
        c("value"),
    );
    rows.iter()
        .find(|row| {
            row[r] == key[0]
                && row[p] == key[1]
                && row[m] == key[2]
                && (key[3].is_empty() || row[k] == key[3])
        })
        .and_then(|row| row[v].parse().ok())
}

/// The housing stock and care extracts for issue 22 (data/supply/) hold the figures CBS
/// publishes: Delft's stock by eigendom and woningtype, the 342 gemeenten of 2024 adding up to
/// the Nederland row, the clients with verblijf en opvang and the persons in institutions.
#[test]
fn supply_extracts_hold_the_cbs_figures() {
    let dir = root().join("data/supply");
    let (h, rows) = crate::common::read_csv(&dir.join("82900NED_woningvoorraad_eigendom.csv"));
    let stock = |region: &str, measure: &str| cell(&rows, &h, [region, "2024JJ00", measure, ""]);
    assert_eq!(stock("GM0503", "TotaleWoningvoorraad_1"), Some(54_219.0));
    assert_eq!(stock("GM0503", "Koopwoningen_2"), Some(19_920.0));
    assert_eq!(
        stock("GM0503", "EigendomWoningcorporatie_4"),
        Some(22_626.0)
    );
    assert_eq!(
        stock("GM0503", "EigendomOverigeVerhuurders_5"),
        Some(11_567.0)
    );
    assert_eq!(
        stock("GM0828", "EigendomWoningcorporatie_4"),
        Some(11_417.0)
    );
    assert_eq!(stock("NL01", "TotaleWoningvoorraad_1"), Some(8_204_049.0));
    // Every gemeente of 2024 has a 2024 stock (dissolved ones are empty), and they add up to NL.
    let (r, p, m, v) = (
        crate::common::col(&h, "region"),
        crate::common::col(&h, "period"),
        crate::common::col(&h, "measure"),
        crate::common::col(&h, "value"),
    );
    let gemeenten: Vec<f64> = rows
        .iter()
        .filter(|row| row[r].starts_with("GM") && row[p] == "2024JJ00")
        .filter(|row| row[m] == "TotaleWoningvoorraad_1")
        .filter_map(|row| row[v].parse().ok())
        .collect();
    assert_eq!(gemeenten.len(), 342);
    assert_eq!(gemeenten.iter().sum::<f64>(), 8_204_049.0);

    let (h, rows) = crate::common::read_csv(&dir.join("85035NED_woningvoorraad_woningtype.csv"));
    let kind = |k: &str| {
        let cat = format!("Woningtype={k}");
        cell(
            &rows,
            &h,
            ["GM0503", "2024JJ00", "BeginstandWoningvoorraad_1", &cat],
        )
    };
    assert_eq!(kind("Meergezinswoningen totaal"), Some(36_735.0));
    assert_eq!(kind("Eengezinswoningen totaal"), Some(17_484.0));
    assert_eq!(kind("Totaal woningen"), Some(54_219.0));

    let (h, rows) = crate::common::read_csv(&dir.join("84839NED_wmo_verblijf_opvang.csv"));
    let wmo = |region: &str, k: &str| {
        let cat = format!("TypeMaatwerkvoorziening={k}");
        cell(&rows, &h, [region, "2023JJ00", "WmoClienten_1", &cat])
    };
    let verblijf = |region: &str| {
        Some(wmo(region, "Totaal")? - wmo(region, "Totaal exclusief verblijf en opvang")?)
    };
    assert_eq!(verblijf("GM0503"), Some(155.0));
    assert_eq!(verblijf("GM0796"), Some(550.0));
    assert_eq!(verblijf("GM0375"), Some(0.0));

    let care = root().join("data/care/71488ned_institutionele_huishoudens.csv");
    let (h, rows) = crate::common::read_csv(&care);
    let inst = |region: &str| {
        cell(
            &rows,
            &h,
            [
                region,
                "2024JJ00",
                "PersonenInInstitutioneleHuishoudens_12",
                "",
            ],
        )
    };
    assert_eq!(inst("GM0503"), Some(1_275.0));
    assert_eq!(inst("GM0202"), Some(3_998.0));
}

/// The five bands of 60039fvw, both sexes.
const BANDS_60039FVW: [&str; 5] = [
    "JongerDan20Jaar_2",
    "k_20Tot65Jaar_3",
    "k_65Tot75Jaar_4",
    "k_75Tot85Jaar_5",
    "k_85JaarOfOuder_6",
];

/// The gemeente histories and forecasts for the backtests of issue 23 (data/history/,
/// data/forecasts/) hold the figures CBS publishes.
#[test]
fn history_extracts_hold_the_cbs_figures() {
    let dir = root().join("data/history");
    // Delft on 1 January 2015 by band (60039fvw): 101,030 = 19,334 + 66,741 + 8,461 + 4,458 + 2,036.
    let (h, rows) = crate::common::read_csv(&dir.join("60039fvw_bevolking_banden_2015.csv"));
    let delft = |m: &str| {
        cell(
            &rows,
            &h,
            ["GM0503", "2015JJ00", m, "StatusCijfer=Voorlopig"],
        )
    };
    assert_eq!(delft("TotaalMannenEnVrouwen_1"), Some(101_030.0));
    let bands: f64 = BANDS_60039FVW.iter().map(|m| delft(m).unwrap()).sum();
    assert_eq!(bands, 101_030.0);
    // Men and women add up to the total in every gemeente with values.
    let (reg, meas, val) = (
        crate::common::col(&h, "region"),
        crate::common::col(&h, "measure"),
        crate::common::col(&h, "value"),
    );
    let mut by: std::collections::BTreeMap<&str, [f64; 3]> = Default::default();
    for r in rows
        .iter()
        .filter(|r| r[reg].starts_with("GM") && !r[val].is_empty())
    {
        let i = match r[meas].as_str() {
            "TotaalMannenEnVrouwen_1" => 0,
            "TotaalMannen_7" => 1,
            "TotaalVrouwen_13" => 2,
            _ => continue,
        };
        by.entry(r[reg].as_str()).or_default()[i] = r[val].parse().unwrap();
    }
    // The dump stops at Zevenaar: 383 of the 393 gemeenten of 2015.
    assert_eq!(by.len(), 383);
    assert!(by.values().all(|[t, m, v]| t == &(m + v)));

    // Totals of every year 2007–2017 (60039fvw): Delft 95,379 (2007), 97,690 (2011), 101,034
    // (2016, equal to 85644NED and the registry); the 2016 bands add up to it.
    let (h, rows) = crate::common::read_csv(&dir.join("60039fvw_bevolking_totaal.csv"));
    let total = |y: &str| {
        cell(
            &rows,
            &h,
            [
                "GM0503",
                y,
                "TotaalMannenEnVrouwen_1",
                "StatusCijfer=Voorlopig",
            ],
        )
    };
    assert_eq!(total("2007JJ00"), Some(95_379.0));
    assert_eq!(total("2011JJ00"), Some(97_690.0));
    assert_eq!(total("2016JJ00"), Some(101_034.0));
    assert_eq!(total("2018JJ00"), None);
    let (h, rows) = crate::common::read_csv(&dir.join("60039fvw_bevolking_banden_2016.csv"));
    let bands: f64 = BANDS_60039FVW
        .iter()
        .map(|m| {
            cell(
                &rows,
                &h,
                ["GM0503", "2016JJ00", m, "StatusCijfer=Voorlopig"],
            )
            .unwrap()
        })
        .sum();
    assert_eq!(bands, 101_034.0);
    let (h, rows) = crate::common::read_csv(&dir.join("85644NED_bevolking_totaal.csv"));
    let total = |g: &str, y: &str| cell(&rows, &h, [g, y, "Bevolking_1", "Nationaliteit=Totaal"]);
    assert_eq!(total("GM0503", "2014JJ00"), Some(100_046.0));
    assert_eq!(total("GM0503", "2024JJ00"), Some(109_577.0));
    let (h, rows) = crate::common::read_csv(&dir.join("82056NED_levendgeborenen.csv"));
    let cat = "SamenstellingHuishouden=Totaal huishoudens";
    assert_eq!(
        cell(
            &rows,
            &h,
            ["GM0503", "2023JJ00", "LevendGeborenKinderen_1", cat]
        ),
        Some(840.0)
    );
    let (h, rows) = crate::common::read_csv(&dir.join("85468NED_migratie.csv"));
    let mig = |m: &str| cell(&rows, &h, ["GM0503", "2023JJ00", m, "Geboorteland=Totaal"]);
    assert_eq!(mig("Immigratie_1"), Some(4_690.0));
    assert_eq!(mig("EmigratieInclusiefAdministratieveC_2"), Some(2_872.0));

    // The forecasts to beat: PBL/CBS 2016, population at the end of 2020–2025 (× 1 000).
    let f = root().join("data/forecasts");
    let (h, rows) = crate::common::read_csv(&f.join("83492NED_regionale_prognose_2016.csv"));
    let end = "BevolkingAanHetEindVanDePeriode_8";
    assert_eq!(
        cell(&rows, &h, ["NL01", "2020TM25", end, ""]),
        Some(17_616.3)
    );
    assert_eq!(
        cell(&rows, &h, ["GM0503", "2020TM25", end, ""]),
        Some(109.9)
    );
    let (h, rows) =
        crate::common::read_csv(&f.join("84527NED_regionale_prognose_2019_gemeenten.csv"));
    assert_eq!(
        cell(
            &rows,
            &h,
            [
                "NL01",
                "2020JJ00",
                "TotaleBevolking_1",
                "PrognoseInterval=Prognose"
            ]
        ),
        Some(17_378.2)
    );
    let (h, rows) = crate::common::read_csv(&f.join("84646NED_kernprognose_2019.csv"));
    assert_eq!(
        cell(&rows, &h, ["", "2020JJ00", "Bevolking_1", ""]),
        Some(17_414_598.0)
    );
}
