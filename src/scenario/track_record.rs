//! The gemeente track record a run's annex shows: how far each method of the gemeente backtest
//! (`woonzorg backtest --level gemeente`, shipped as data/backtest/) was off, over all gemeenten
//! and for the size class of the annex gemeente.

use std::path::Path;

use crate::numbers::nl_decimals;
use crate::output::annex::AnnexTable;
use crate::source::{Pos, SourceError};

/// One measure row: method, age band (`totaal`, `75+`), size class (`alle`, `< 20.000`, …),
/// number of gemeenten, MAPE and MALPE (%).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRow {
    pub method: String,
    pub age_band: String,
    pub size_class: String,
    pub n: usize,
    pub mape: f64,
    pub malpe: f64,
}

/// The track record file: its rows and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRecord {
    pub path: std::path::PathBuf,
    pub rows: Vec<TrackRow>,
}

/// The Dutch name of each method, in the order the annex lists them.
const METHODS: [(&str, &str); 8] = [
    ("constant", "Constante bevolking"),
    ("constant_aandeel", "Constant aandeel van Nederland"),
    ("lineair", "Lineaire trend van de 5 jaar ervoor"),
    (
        "cohort_eigen_groei",
        "Cohortmodel, eigen groei van de 5 jaar ervoor",
    ),
    ("cohort_aandeel", "Cohortmodel, constant aandeel"),
    ("woningen", "Woninggestuurd (voorraadtrend × bewoning)"),
    ("woningen_vrij", "Woninggestuurd, niet landelijk begrensd"),
    ("pbl_cbs_2016", "PBL/CBS regionale prognose 2016"),
];

/// Read a track record (tables/backtest_gemeenten_maten.csv of the gemeente backtest): every
/// row with its method, age band, size class, n, MAPE and MALPE; a bad cell is an error at its
/// line and column.
pub fn read_track_record(path: &Path) -> Result<TrackRecord, SourceError> {
    let (text, _) = crate::source::text::read_text(path)?;
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map_err(|e| SourceError::malformed(Pos::line(path, 1), e.to_string(), "a CSV file"))?
        .clone();
    let col = |name: &str| -> Result<usize, SourceError> {
        header.iter().position(|h| h == name).ok_or_else(|| {
            SourceError::malformed(
                Pos::line(path, 1),
                format!("no column '{name}'"),
                "the measures of `woonzorg backtest --level gemeente` (tables/backtest_gemeenten_maten.csv): method,age_band,size_class,n,mape,malpe,median,p90",
            )
        })
    };
    let [m, b, c, n, mape, malpe] = [
        col("method")?,
        col("age_band")?,
        col("size_class")?,
        col("n")?,
        col("mape")?,
        col("malpe")?,
    ];
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| {
            SourceError::malformed(Pos::line(path, line), e.to_string(), "a CSV row")
        })?;
        let number = |k: usize, name: &str| -> Result<f64, SourceError> {
            rec.get(k)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    SourceError::malformed(
                        Pos::cell(path, line, name),
                        format!("'{}' is not a number", rec.get(k).unwrap_or("")),
                        "a percentage such as 3.517",
                    )
                })
        };
        rows.push(TrackRow {
            method: rec.get(m).unwrap_or("").to_string(),
            age_band: rec.get(b).unwrap_or("").to_string(),
            size_class: rec.get(c).unwrap_or("").to_string(),
            n: number(n, "n")? as usize,
            mape: number(mape, "mape")?,
            malpe: number(malpe, "malpe")?,
        });
    }
    Ok(TrackRecord {
        path: path.to_path_buf(),
        rows,
    })
}

/// The annex table of the track record: per method the MAPE of the totals over all gemeenten
/// and over the size class `class` (when given), and of the 75+ over that class; `own` is the
/// method of this run, marked as such.
pub fn track_record_table(tr: &TrackRecord, class: Option<&str>, own: &str) -> AnnexTable {
    let get = |method: &str, band: &str, class: &str| {
        tr.rows
            .iter()
            .find(|r| r.method == method && r.age_band == band && r.size_class == class)
    };
    let pct = |r: Option<&TrackRow>| match r {
        Some(r) => format!("{} %", nl_decimals(r.mape, 2)),
        None => "—".into(),
    };
    let class75 = class.unwrap_or("alle");
    let n_class = get("constant", "totaal", class75).map(|r| r.n).unwrap_or(0);
    let mut header = vec![
        "Methode".to_string(),
        "Alle gemeenten: afwijking totaal".to_string(),
    ];
    if let Some(c) = class {
        header.push(format!(
            "Gemeenten {c} inwoners ({n_class}): afwijking totaal"
        ));
    }
    header.push(format!(
        "75-plussers{}: afwijking",
        class.map(|c| format!(", {c}")).unwrap_or_default()
    ));
    let rows = METHODS
        .iter()
        .filter(|(m, _)| get(m, "totaal", "alle").is_some())
        .map(|(m, label)| {
            let mut row = vec![if *m == own {
                format!("{label} (deze prognose)")
            } else {
                label.to_string()
            }];
            row.push(pct(get(m, "totaal", "alle")));
            if let Some(c) = class {
                row.push(pct(get(m, "totaal", c)));
            }
            row.push(pct(get(m, "75+", class75)));
            row
        })
        .collect();
    AnnexTable {
        caption: "Trefzekerheid: backtest 2016 → 2025, gemiddelde absolute afwijking (MAPE) van de inwoners op 1 januari 2025 (75-plussers: 1 januari 2024), in % van de realisatie".into(),
        header,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_tables_a_track_record() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(
            &p,
            "method,age_band,size_class,n,mape,malpe,median,p90\n\
             constant,totaal,alle,342,5.411,-5.100,5.190,9.520\n\
             constant,totaal,≥ 100.000,31,6.850,-6.850,6.680,9.760\n\
             cohort_aandeel,totaal,alle,342,3.517,-1.910,2.730,6.810\n\
             cohort_aandeel,totaal,≥ 100.000,31,3.910,-3.720,3.540,6.720\n\
             cohort_aandeel,75+,≥ 100.000,29,6.620,6.570,6.750,11.660\n",
        )
        .unwrap();
        let tr = read_track_record(&p).unwrap();
        assert_eq!(tr.rows.len(), 5);
        let t = track_record_table(&tr, Some("≥ 100.000"), "cohort_aandeel");
        assert_eq!(
            t.rows,
            vec![
                vec!["Constante bevolking", "5,41 %", "6,85 %", "—"],
                vec![
                    "Cohortmodel, constant aandeel (deze prognose)",
                    "3,52 %",
                    "3,91 %",
                    "6,62 %"
                ],
            ]
        );
        assert!(t.header[2].contains("(31)"));
        // A bad number names its line and column.
        std::fs::write(
            &p,
            "method,age_band,size_class,n,mape,malpe\nconstant,totaal,alle,342,x,1\n",
        )
        .unwrap();
        let e = read_track_record(&p).unwrap_err().to_string();
        assert!(e.contains(":2") && e.contains("mape"), "{e}");
    }
}
