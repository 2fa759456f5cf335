//! The registry of gemeenten per year (Gebieden in Nederland, 2016–2025) with each
//! gemeente's membership of provinces, COROP-gebieden, zorgkantoorregio's, centrumgemeenten
//! beschermd wonen / maatschappelijke opvang, GGD-regio's, arbeidsmarktregio's and more,
//! plus the historic gemeenten of the BRP gemeentetabel (RvIG Tabel 33).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::source::codes::Cell;
use crate::source::{self, Mapping, TidyTable};

use super::error::GeoError;

/// Classification prefixes kept in the shipped registry extract, in display order.
pub const ROLLUP_PREFIXES: [&str; 9] = ["PV", "CR", "ZK", "CE", "GG", "AM", "LD", "JZ", "VR"];

/// What a code prefix stands for (Dutch, for people).
pub fn classification_name(prefix: &str) -> &'static str {
    match prefix {
        "GM" => "gemeente",
        "PV" => "provincie",
        "CR" => "COROP-gebied",
        "ZK" => "zorgkantoorregio",
        "CE" => "centrumgemeente beschermd wonen/maatschappelijke opvang",
        "GG" => "GGD-regio",
        "AM" => "arbeidsmarktregio",
        "LD" => "landsdeel",
        "JZ" => "jeugdregio",
        "VR" => "veiligheidsregio",
        "RE" => "regionale eenheid politie",
        "ES" => "RES-regio",
        _ => "regio",
    }
}

/// One gemeente in one year's indeling.
#[derive(Debug, Clone, PartialEq)]
pub struct Gemeente {
    pub code: String,
    pub name: String,
    /// Inwonertal as published with that year's Gebieden in Nederland.
    pub inwoners: Option<f64>,
    /// Prefix (`PV`, `ZK`, …) → region code.
    pub member_of: BTreeMap<String, String>,
}

/// The indeling of one year.
#[derive(Debug, Clone, Default)]
pub struct Indeling {
    pub year: u16,
    pub gemeenten: BTreeMap<String, Gemeente>,
    /// Every region code of that year (all classifications) → name.
    pub region_names: BTreeMap<String, String>,
}

/// A gemeente of the BRP gemeentetabel, historic ones included.
#[derive(Debug, Clone, PartialEq)]
pub struct BrpGemeente {
    pub code: String,
    pub name: String,
    pub new_code: Option<String>,
    /// `YYYYMMDD`
    pub begin: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub years: BTreeMap<u16, Indeling>,
    pub brp: Vec<BrpGemeente>,
    /// Where it was read from (for the manifest).
    pub inputs: Vec<PathBuf>,
}

/// The column mapping of the BRP Landelijke Tabel 33 (gemeentecode as region, the rest text).
pub fn brp_mapping() -> Mapping {
    let mut m = Mapping {
        table_id: Some("BRP-tabel33".into()),
        title: Some("BRP Landelijke Tabel 33 Gemeententabel (RvIG)".into()),
        region_prefix: Some("GM".into()),
        wide: Some(source::mapping::Wide {
            headers: "measure".into(),
        }),
        source: Some("RvIG, BRP Landelijke Tabel 33".into()),
        ..Default::default()
    };
    m.columns
        .insert("92.10 Gemeentecode".into(), "region".into());
    m
}

fn year_of_table(t: &TidyTable) -> Option<u16> {
    let from_title = t
        .title
        .rsplit(' ')
        .next()
        .and_then(|y| y.parse::<u16>().ok());
    from_title.or_else(|| {
        t.path
            .file_name()?
            .to_string_lossy()
            .split(['_', '-', '.'])
            .find_map(|tok| tok.parse::<u16>().ok().filter(|y| (2000..2100).contains(y)))
    })
}

fn is_gebieden(t: &TidyTable) -> bool {
    t.title.starts_with("Gebieden in Nederland")
        || t.rows
            .iter()
            .take(60)
            .any(|r| r.measure == "Code_1" && r.text().is_some_and(|c| c.starts_with("GM")))
}

impl Registry {
    /// Build from the CBS files themselves: every Gebieden in Nederland table and the BRP
    /// gemeentetabel found in `dir`.
    pub fn from_cbs_dir(dir: &Path) -> Result<Registry, GeoError> {
        let mut reg = Registry::default();
        for path in source::find_tables(dir)? {
            let (text, _) = source::text::read_text(&path)?;
            if text
                .lines()
                .next()
                .is_some_and(|l| l.contains("92.10 Gemeentecode"))
            {
                let tables = source::read_table(&path, Some(&brp_mapping()))?;
                for t in &tables {
                    reg.add_brp_table(t);
                }
                reg.inputs.push(path);
                continue;
            }
            let tables = source::read_table(&path, None)?;
            for t in tables {
                if is_gebieden(&t) {
                    reg.add_gebieden_table(&t)?;
                    reg.inputs.push(path.clone());
                }
            }
        }
        if reg.years.is_empty() {
            return Err(GeoError::Registry {
                path: dir.to_path_buf(),
                message: "no 'Gebieden in Nederland' table found".into(),
                hint: "point to the folder with gebieden_in_nederland_<year>_<id>.csv files".into(),
            });
        }
        Ok(reg)
    }

    /// Add one year's Gebieden in Nederland table (rows: region = GM code, measures Code_n /
    /// Naam_n+1 pairs and Inwonertal).
    pub fn add_gebieden_table(&mut self, t: &TidyTable) -> Result<(), GeoError> {
        let year = year_of_table(t).ok_or_else(|| GeoError::Registry {
            path: t.path.clone(),
            message: "cannot tell the year of this Gebieden in Nederland table".into(),
            hint: "keep the year in the file name (gebieden_in_nederland_2024_85755NED.csv)".into(),
        })?;
        let mut by_gm: BTreeMap<String, BTreeMap<String, &Cell>> = BTreeMap::new();
        for r in &t.rows {
            if r.region.starts_with("GM") {
                by_gm
                    .entry(r.region.clone())
                    .or_default()
                    .insert(r.measure.clone(), &r.value);
            }
        }
        let mut ind = Indeling {
            year,
            ..Default::default()
        };
        for (gm, measures) in by_gm {
            let mut g = Gemeente {
                code: gm.clone(),
                name: String::new(),
                inwoners: None,
                member_of: BTreeMap::new(),
            };
            let number = |k: &str| k.rsplit_once('_').and_then(|(_, n)| n.parse::<u32>().ok());
            for (key, cell) in &measures {
                if key.starts_with("Inwonertal")
                    && let Cell::Number(v) = cell
                {
                    g.inwoners = Some(*v);
                }
                let Some(n) = number(key).filter(|_| key.starts_with("Code_")) else {
                    continue;
                };
                let Cell::Text(code) = cell else { continue };
                let code = code.trim();
                if code.len() < 3 || !code.as_bytes()[..2].iter().all(|b| b.is_ascii_uppercase()) {
                    continue;
                }
                let name = measures
                    .iter()
                    .find(|(k, _)| {
                        (k.starts_with("Naam_") || k.starts_with("Omschrijving_"))
                            && number(k) == Some(n + 1)
                    })
                    .and_then(|(_, c)| {
                        if let Cell::Text(s) = c {
                            Some(s.trim().to_string())
                        } else {
                            None
                        }
                    })
                    .unwrap_or_default();
                let prefix = &code[..2];
                if prefix == "GM" {
                    g.name = name.clone();
                } else {
                    g.member_of.insert(prefix.to_string(), code.to_string());
                }
                ind.region_names.insert(code.to_string(), name);
            }
            ind.gemeenten.insert(gm, g);
        }
        self.years.insert(year, ind);
        Ok(())
    }

    /// Add the BRP gemeentetabel (read with [`brp_mapping`] or from its tidy extract).
    pub fn add_brp_table(&mut self, t: &TidyTable) {
        let mut by_code: BTreeMap<String, BrpGemeente> = BTreeMap::new();
        for r in &t.rows {
            if !r.region.starts_with("GM") {
                continue;
            }
            let e = by_code
                .entry(r.region.clone())
                .or_insert_with(|| BrpGemeente {
                    code: r.region.clone(),
                    name: String::new(),
                    new_code: None,
                    begin: None,
                    end: None,
                });
            let text = match &r.value {
                Cell::Text(s) => Some(s.trim().to_string()),
                Cell::Number(v) => Some(crate::numbers::format_number(*v)),
                Cell::Missing(_) => None,
            }
            .filter(|s| !s.is_empty());
            match r.measure.as_str() {
                m if m.ends_with("Omschrijving") => e.name = text.unwrap_or_default(),
                m if m.ends_with("Nieuwe code") => e.new_code = text.map(|c| format!("GM{c:0>4}")),
                m if m.ends_with("Datum ingang") => e.begin = text,
                m if m.ends_with("Datum einde") => e.end = text,
                _ => {}
            }
        }
        self.brp = by_code.into_values().collect();
        self.inputs.push(t.path.clone());
    }

    /// The indeling of a year.
    pub fn year(&self, year: u16) -> Result<&Indeling, GeoError> {
        self.years.get(&year).ok_or_else(|| GeoError::UnknownYear {
            year,
            available: self.year_range(),
        })
    }

    pub fn year_range(&self) -> String {
        match (self.years.keys().next(), self.years.keys().last()) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            _ => "no years".into(),
        }
    }

    /// Write the registry extract shipped in data/regions (tidy long: one row per gemeente,
    /// year and classification).
    pub fn write_extract<W: Write>(&self, out: W) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "year",
            "gemeente",
            "gemeente_name",
            "inwoners",
            "classification",
            "code",
            "name",
        ])?;
        for (year, ind) in &self.years {
            for g in ind.gemeenten.values() {
                let inw = g
                    .inwoners
                    .map(crate::numbers::format_number)
                    .unwrap_or_default();
                for prefix in ROLLUP_PREFIXES {
                    if let Some(code) = g.member_of.get(prefix) {
                        let name = ind.region_names.get(code).map(String::as_str).unwrap_or("");
                        w.write_record([
                            year.to_string().as_str(),
                            &g.code,
                            &g.name,
                            &inw,
                            prefix,
                            code,
                            name,
                        ])?;
                    }
                }
            }
        }
        w.flush()
    }

    /// Write the BRP gemeentetabel extract (code, name, new code, begin, end).
    pub fn write_brp_extract<W: Write>(&self, out: W) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["code", "name", "new_code", "begin", "end"])?;
        for b in &self.brp {
            w.write_record([
                &b.code,
                &b.name,
                b.new_code.as_deref().unwrap_or(""),
                b.begin.as_deref().unwrap_or(""),
                b.end.as_deref().unwrap_or(""),
            ])?;
        }
        w.flush()
    }

    /// Read the shipped extracts (`registry.csv`, `brp_gemeententabel.csv`) from a folder.
    pub fn from_extract_dir(dir: &Path) -> Result<Registry, GeoError> {
        let mut reg = Registry::default();
        let reg_path = dir.join("registry.csv");
        let (text, _) = source::text::read_text(&reg_path)?;
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let bad = |line: u64, msg: String| {
            GeoError::Registry {
            path: reg_path.clone(),
            message: format!("line {line}: {msg}"),
            hint: "regenerate it with `woonzorg regions --from <folder with the CBS Gebieden in Nederland files> --export data/regions` (data/refresh.sh)".into(),
        }
        };
        // One record, read into again and again; a code's strings are made once.
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    return Err(bad(
                        e.position().map(|p| p.line()).unwrap_or(0),
                        e.to_string(),
                    ));
                }
            }
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.len() != 7 {
                return Err(bad(line, format!("{} fields, expected 7", rec.len())));
            }
            let year: u16 = rec[0]
                .parse()
                .map_err(|_| bad(line, format!("year '{}' is not a number", &rec[0])))?;
            let ind = reg.years.entry(year).or_insert_with(|| Indeling {
                year,
                ..Default::default()
            });
            let g = match ind.gemeenten.get_mut(&rec[1]) {
                Some(g) => g,
                None => ind
                    .gemeenten
                    .entry(rec[1].to_string())
                    .or_insert_with(|| Gemeente {
                        code: rec[1].to_string(),
                        name: rec[2].to_string(),
                        inwoners: source::codes::parse_plain_number(&rec[3]),
                        member_of: BTreeMap::new(),
                    }),
            };
            set_text(&mut g.member_of, &rec[4], &rec[5]);
            set_text(&mut ind.region_names, &rec[1], &rec[2]);
            set_text(&mut ind.region_names, &rec[5], &rec[6]);
        }
        reg.inputs.push(reg_path.clone());
        let brp_path = dir.join("brp_gemeententabel.csv");
        if brp_path.is_file() {
            let (text, _) = source::text::read_text(&brp_path)?;
            let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            for rec in rdr.records() {
                let rec = rec
                    .map_err(|e| bad(e.position().map(|p| p.line()).unwrap_or(0), e.to_string()))?;
                let opt = |i: usize| rec.get(i).filter(|s| !s.is_empty()).map(str::to_string);
                reg.brp.push(BrpGemeente {
                    code: rec[0].to_string(),
                    name: rec[1].to_string(),
                    new_code: opt(2),
                    begin: opt(3),
                    end: opt(4),
                });
            }
            reg.inputs.push(brp_path);
        }
        if reg.years.is_empty() {
            return Err(bad(1, "no rows".into()));
        }
        Ok(reg)
    }

    /// Load from a folder that holds either the shipped extracts or the CBS files.
    pub fn load(dir: &Path) -> Result<Registry, GeoError> {
        if dir.join("registry.csv").is_file() {
            Registry::from_extract_dir(dir)
        } else {
            Registry::from_cbs_dir(dir)
        }
    }

    /// The gemeente codes of a year, sorted.
    pub fn gemeente_codes(&self, year: u16) -> Result<Vec<String>, GeoError> {
        Ok(self.year(year)?.gemeenten.keys().cloned().collect())
    }
}

/// `map[key] = value`, allocating only for what is new or changed (a registry row repeats its
/// gemeente's code and name once per classification).
fn set_text(map: &mut BTreeMap<String, String>, key: &str, value: &str) {
    match map.get_mut(key) {
        Some(v) if v == value => {}
        Some(v) => *v = value.to_string(),
        None => {
            map.insert(key.to_string(), value.to_string());
        }
    }
}
