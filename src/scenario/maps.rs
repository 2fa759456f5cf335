//! The maps of a run: per map kind a choropleth of the gemeenten (the run's region and its
//! neighbours, their provincies, or Nederland) and, for the annex, of the annex region and its
//! neighbours; the values behind every map in `tables/kaarten.csv`.
//!
//! Growth of the 75+ comes from the projection, which holds every gemeente; the tekort per
//! dwelling type and the social-rent share from the run's tables, which hold the run's
//! gemeenten — the others are grey ("niet doorgerekend").

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::geo::boundaries::{Boundaries, outline};
use crate::output::charts::map::{Choropleth, MapShape, draw_map, quantile_classes};
use crate::output::files::StagedDir;
use crate::output::tables::{Cell, create_csv};
use crate::population::grid::OPEN_AGE;

use super::area::Area;
use super::error::RunError;
use super::prepare::Prepared;
use super::schema::MapSettings;

/// The attribution every map carries.
const BOUNDARY_SOURCE: &str = "Grenzen: CBS, PDOK (gemeenten 1-1-2024, gegeneraliseerd), CC BY 4.0";
/// Dwelling types with a tekort map in the annex.
pub const ANNEX_TEKORT_TYPES: [&str; 3] = ["nultreden", "geclusterd", "intramuraal"];

/// The boundaries of the base year's indeling, else the newest in the folder (every gemeente
/// of the run must then have a shape).
fn boundaries_for(dir: &Path, year: u16) -> Result<Boundaries, RunError> {
    let have = |y: &u16| dir.join(format!("gemeenten_{y}.geojson")).is_file();
    let year = std::iter::once(year)
        .chain((2016..=2030).rev())
        .find(have)
        .unwrap_or(year);
    Ok(Boundaries::read(dir, year)?)
}

/// One map's values: per gemeente code a value (absent: grey).
struct MapValues {
    stem: String,
    title: String,
    legend: String,
    unit: &'static str,
    missing: &'static str,
    source: String,
    values: BTreeMap<String, f64>,
}

/// The growth of the 75+ from the base year to the horizon (%), every gemeente projected.
fn growth_75(prepared: &Prepared) -> Option<MapValues> {
    let s = &prepared.plan.scenario;
    let v = prepared.variants.first()?;
    let g = v.gemeenten.as_ref()?;
    let h = usize::from(s.horizon - s.base_year);
    let values = g
        .codes
        .iter()
        .zip(&g.stocks)
        .filter_map(|(c, st)| {
            let (a, b) = (
                st.first()?.band(75, OPEN_AGE),
                st.get(h)?.band(75, OPEN_AGE),
            );
            (a > 0.0).then(|| (c.clone(), 100.0 * (b / a - 1.0)))
        })
        .collect();
    Some(MapValues {
        stem: "groei_75plus".into(),
        title: format!(
            "Groei van het aantal 75-plussers, {}–{}",
            s.base_year, s.horizon
        ),
        legend: format!("groei 75+ {}–{} (%)", s.base_year, s.horizon),
        unit: " %",
        missing: "geen prognose",
        source: format!(
            "Bron: CBS 85383NED, 7461bev, 86040NED; bewerking woonzorg (variant {}). {BOUNDARY_SOURCE}",
            v.name
        ),
        values,
    })
}

/// One row of a run table, its cells by column name.
struct Row<'a> {
    rec: &'a csv::StringRecord,
    index: &'a HashMap<String, usize>,
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> &'a str {
        self.index
            .get(name)
            .and_then(|&i| self.rec.get(i))
            .unwrap_or("")
    }
}

/// The number in `column` of the rows of a run table that `keep` gives a key.
fn table_values<K: Ord>(
    path: &Path,
    column: &str,
    keep: impl Fn(&Row) -> Option<K>,
) -> Result<BTreeMap<K, f64>, RunError> {
    let mut out = BTreeMap::new();
    if !path.is_file() {
        return Ok(out);
    }
    let werr = |e: csv::Error| RunError::write(path, std::io::Error::other(e.to_string()));
    let mut r = csv::Reader::from_path(path).map_err(werr)?;
    let index: HashMap<String, usize> = r
        .headers()
        .map_err(werr)?
        .iter()
        .enumerate()
        .map(|(i, n)| (n.to_string(), i))
        .collect();
    let Some(&vc) = index.get(column) else {
        return Ok(out);
    };
    for rec in r.records() {
        let rec = rec.map_err(werr)?;
        let row = Row {
            rec: &rec,
            index: &index,
        };
        if let (Some(key), Ok(v)) = (keep(&row), rec[vc].parse::<f64>()) {
            out.insert(key, v);
        }
    }
    Ok(out)
}

/// The tekort (net demand − supply) per 1,000 inhabitants at the horizon, per dwelling type,
/// for the run's gemeenten (tables/dwellings.csv, group totaal, first variant).
fn tekort(prepared: &Prepared, dir: &Path) -> Result<Vec<MapValues>, RunError> {
    let s = &prepared.plan.scenario;
    let Some(v) = prepared.variants.first() else {
        return Ok(Vec::new());
    };
    let horizon = s.horizon.to_string();
    let gaps = table_values(&dir.join("tables/dwellings.csv"), "gap_net", |r| {
        let keep = r.get("variant") == v.name
            && r.get("year") == horizon
            && r.get("group") == "totaal"
            && r.get("region").starts_with("GM")
            && !r.get("dwelling_type").contains(' ');
        keep.then(|| {
            (
                r.get("dwelling_type").to_string(),
                r.get("region").to_string(),
            )
        })
    })?;
    let people = |code: &str| {
        let g = v.gemeenten.as_ref()?;
        let st = g.stocks.get(g.index_of(code)?)?;
        st.get(usize::from(s.horizon - s.base_year))
            .map(|p| p.total())
    };
    let mut by_type: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for ((ty, code), gap) in gaps {
        if let Some(p) = people(&code).filter(|p| *p > 0.0) {
            by_type
                .entry(ty)
                .or_default()
                .insert(code.to_string(), 1000.0 * gap / p);
        }
    }
    Ok(by_type
        .into_iter()
        .map(|(ty, values)| MapValues {
            stem: format!("tekort_{ty}"),
            title: format!("Tekort aan woningen, type {ty}, {}", s.horizon),
            legend: format!("tekort per 1.000 inwoners in {} (negatief: overschot)", s.horizon),
            unit: "",
            missing: "niet in de run",
            source: format!("Bron: CBS 82900NED, 85035NED, 85383NED; woningcatalogus; bewerking woonzorg (variant {}). {BOUNDARY_SOURCE}", v.name),
            values,
        })
        .collect())
}

/// The share of social-rent lettings the aandachtsgroepen need at the horizon (%), from
/// tables/pressure.csv (group totaal, first variant).
fn social_rent(prepared: &Prepared, dir: &Path) -> Result<Option<MapValues>, RunError> {
    let s = &prepared.plan.scenario;
    let Some(v) = prepared.variants.first() else {
        return Ok(None);
    };
    let horizon = s.horizon.to_string();
    let values = table_values(&dir.join("tables/pressure.csv"), "share", |r| {
        let keep = r.get("variant") == v.name
            && r.get("year") == horizon
            && r.get("group") == "totaal"
            && r.get("region").starts_with("GM");
        keep.then(|| r.get("region").to_string())
    })?;
    if values.is_empty() {
        return Ok(None);
    }
    Ok(Some(MapValues {
        stem: "sociale_huur".into(),
        title: format!(
            "Sociale huur: toewijzingen voor aandachtsgroepen, {}",
            s.horizon
        ),
        legend: "% van de vrijkomende sociale huurwoningen".into(),
        unit: " %",
        missing: "niet in de run",
        source: format!(
            "Bron: CBS 82900NED; groeps- en woningcatalogus; bewerking woonzorg (variant {}). {BOUNDARY_SOURCE}",
            v.name
        ),
        values: values.into_iter().map(|(k, v)| (k, 100.0 * v)).collect(),
    }))
}

/// The gemeenten a map draws: those of `region` and their neighbours (regio), of their
/// provincies (provincie), or all (nederland); then every gemeente whose label point lies in
/// that set's box (the map has no holes).
fn drawn(b: &Boundaries, region: &[String], extent: &str) -> Vec<String> {
    let core: Vec<String> = match extent {
        "nederland" => return b.gemeenten.iter().map(|s| s.code.clone()).collect(),
        "provincie" => {
            let pv: HashSet<Option<&String>> = region
                .iter()
                .filter_map(|c| b.gemeente(c))
                .map(|s| s.provincie.as_ref())
                .collect();
            b.gemeenten
                .iter()
                .filter(|s| pv.contains(&s.provincie.as_ref()))
                .map(|s| s.code.clone())
                .collect()
        }
        _ => {
            let mut c = region.to_vec();
            c.extend(b.neighbours(region));
            c
        }
    };
    let set: HashSet<&str> = core.iter().map(String::as_str).collect();
    let (x0, y0, x1, y1) =
        crate::geo::boundaries::bbox(b.gemeenten.iter().filter(|s| set.contains(s.code.as_str())));
    b.gemeenten
        .iter()
        .filter(|s| {
            let ((x, y), _) = s.label_point();
            set.contains(s.code.as_str()) || (x >= x0 && x <= x1 && y >= y0 && y <= y1)
        })
        .map(|s| s.code.clone())
        .collect()
}

/// One map: the shapes of `codes`, the values, the region's outline.
fn choropleth(
    b: &Boundaries,
    codes: &[String],
    region: &[String],
    m: &MapValues,
    subtitle: String,
    national: bool,
) -> Choropleth {
    let inside: HashSet<&str> = region.iter().map(String::as_str).collect();
    let shapes: Vec<MapShape> = codes
        .iter()
        .filter_map(|c| b.gemeente(c))
        .map(|s| MapShape {
            code: s.code.clone(),
            name: s.name.clone(),
            polygons: s.polygons.clone(),
            value: m.values.get(&s.code).copied(),
            in_region: inside.contains(s.code.as_str()) && !national,
            label_at: s.label_point(),
        })
        .collect();
    let values: Vec<f64> = shapes.iter().filter_map(|s| s.value).collect();
    let region_shapes: Vec<&crate::geo::Shape> =
        region.iter().filter_map(|c| b.gemeente(c)).collect();
    let borders = if national {
        b.provincies
            .iter()
            .flat_map(|p| p.polygons.iter().flatten().cloned())
            .collect()
    } else {
        Vec::new()
    };
    Choropleth {
        title: m.title.clone(),
        subtitle,
        source_line: m.source.clone(),
        legend_title: m.legend.clone(),
        missing: m.missing.into(),
        classes: quantile_classes(&values, 5, m.unit),
        outline: if national && region.len() == codes.len() {
            Vec::new()
        } else {
            outline(&region_shapes)
        },
        borders,
        name_all: !national,
        shapes,
    }
}

/// What the map stage made: the files, and the rows of tables/kaarten.csv.
#[derive(Debug, Default)]
pub struct Maps {
    pub files: Vec<String>,
    pub inputs: Vec<PathBuf>,
}

/// Draw the maps the scenario asks for (PNG and SVG), with `kaart_<kind>` over the run's
/// extent and `kaart_<kind>_bijlage` over the annex region and its neighbours, and write
/// tables/kaarten.csv.
pub fn draw_maps(
    staged: &StagedDir,
    prepared: &Prepared,
    settings: &MapSettings,
    annexes: &[(String, &Area)],
) -> Result<Maps, RunError> {
    let s = &prepared.plan.scenario;
    let Some(dir) = &s.data.boundaries else {
        return Ok(Maps::default());
    };
    let b = boundaries_for(dir, s.base_year)?;
    b.require(&prepared.gemeenten)?;
    let out = staged.path("");
    let mut maps: Vec<MapValues> = Vec::new();
    for kind in &settings.kinds {
        match kind.as_str() {
            "groei_75plus" => maps.extend(growth_75(prepared)),
            "tekort" => maps.extend(tekort(prepared, &out)?),
            _ => maps.extend(social_rent(prepared, &out)?),
        }
    }
    let run_region: Vec<String> = prepared.gemeenten.iter().map(|(c, _)| c.clone()).collect();
    let national = settings.extent == "nederland";
    let run_codes = drawn(&b, &run_region, &settings.extent);
    // Each annex with its own maps (suffix `bijlage` for the main one, the file stem for a
    // region's): its gemeenten, and what its maps draw (them and their neighbours).
    let annex_maps: Vec<(&str, &Area, Vec<String>, Vec<String>)> = annexes
        .iter()
        .filter(|(_, a)| !a.members.is_empty() || a.kind == "gemeente")
        .map(|(suffix, a)| {
            let region = if a.members.is_empty() {
                vec![a.code.clone()]
            } else {
                a.members.clone()
            };
            let codes = drawn(&b, &region, "regio");
            (suffix.as_str(), *a, region, codes)
        })
        .collect();
    let mut result = Maps {
        inputs: vec![
            b.path.clone(),
            dir.join(crate::geo::boundaries::file_names(b.year)[1].as_str()),
        ],
        ..Default::default()
    };
    let table = staged.path("tables/kaarten.csv");
    let werr = |e: std::io::Error| RunError::write(&table, e);
    let mut w = create_csv(
        &table,
        &[
            "scenario",
            "kaart",
            "gebied",
            "gemeente",
            "gemeente_name",
            "in_regio",
            "map_value",
            "class",
        ],
    )
    .map_err(werr)?;
    let extent_label = match settings.extent.as_str() {
        "nederland" => "Nederland, provinciegrenzen".to_string(),
        "provincie" => "de provincies van de run".to_string(),
        _ => "de gemeenten van de run (omlijnd) en hun buren".to_string(),
    };
    // (file stem, map kind, map, gebied of tables/kaarten.csv, the gemeenten outlined)
    let mut jobs: Vec<(String, &str, Choropleth, String, &[String])> = Vec::new();
    for m in &maps {
        let sub = format!("per gemeente; {extent_label}");
        jobs.push((
            format!("kaart_{}", m.stem),
            &m.stem,
            choropleth(&b, &run_codes, &run_region, m, sub, national),
            "run".into(),
            &run_region,
        ));
        // The annex shows the 75+, the woonzorg types' tekort and the social rent.
        let in_annex = !m.stem.starts_with("tekort_")
            || ANNEX_TEKORT_TYPES
                .iter()
                .any(|t| m.stem == format!("tekort_{t}"));
        // An annex map with fewer than two gemeenten of the run on it says nothing the run's
        // map does not: the annex then shows the run's.
        for (suffix, a, region, codes) in annex_maps.iter().filter(|_| in_annex) {
            if codes == &run_codes || codes.iter().filter(|c| m.values.contains_key(*c)).count() < 2
            {
                continue;
            }
            let sub = format!(
                "per gemeente; {} (omlijnd) en de buurgemeenten",
                a.shown_name()
            );
            let gebied = if *suffix == "bijlage" {
                "bijlage".to_string()
            } else {
                format!("bijlage_{suffix}")
            };
            jobs.push((
                format!("kaart_{}_{suffix}", m.stem),
                &m.stem,
                choropleth(&b, codes, region, m, sub, false),
                gebied,
                region,
            ));
        }
    }
    let names: BTreeMap<&str, &str> = b
        .gemeenten
        .iter()
        .map(|s| (s.code.as_str(), s.name.as_str()))
        .collect();
    for (_, kaart, map, gebied, region) in &jobs {
        for shape in &map.shapes {
            let class = shape.value.map_or_else(
                || map.missing.clone(),
                |v| map.classes.labels[map.classes.of(v)].clone(),
            );
            let inside = if region.contains(&shape.code) {
                "ja"
            } else {
                "nee"
            };
            let name = names.get(shape.code.as_str()).copied().unwrap_or("");
            w.write_cells(
                &[],
                0,
                &[
                    Cell::Text(&s.name),
                    Cell::Text(kaart),
                    Cell::Text(gebied),
                    Cell::Text(&shape.code),
                    Cell::Text(name),
                    Cell::Text(inside),
                    Cell::cents_or_empty(shape.value),
                    Cell::Text(&class),
                ],
            )
            .map_err(werr)?;
        }
    }
    w.finish().map_err(werr)?;
    result.files.push("tables/kaarten.csv".into());
    let drawn: Result<Vec<Vec<String>>, RunError> = {
        use rayon::prelude::*;
        jobs.par_iter()
            .map(|(stem, _, map, _, _)| {
                let (png, svg) = (
                    staged.path(&format!("{stem}.png")),
                    staged.path(&format!("{stem}.svg")),
                );
                draw_map(map, &png, &svg)?;
                Ok(vec![format!("{stem}.png"), format!("{stem}.svg")])
            })
            .collect()
    };
    result.files.extend(drawn?.into_iter().flatten());
    Ok(result)
}
