//! Gemeente and provincie boundaries for the maps: generalised CBS/PDOK shapes of one indeling
//! (RD New, EPSG:28992, metres), which gemeenten border on which, and the outline of a set.
//!
//! The shipped files (`data/geo/`) are GeoJSON feature collections written by
//! `woonzorg regions --boundaries` from the CBS/PDOK files: one feature per gemeente (or
//! provincie) with the properties `code`, `naam` and, for gemeenten, `provincie`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::GeoError;
use super::registry::Indeling;

/// A closed ring of (x, y) in metres.
pub type Ring = Vec<(f64, f64)>;

/// One gemeente or provincie: its polygons, each an outer ring and its holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub code: String,
    pub name: String,
    /// The provincie code of a gemeente.
    pub provincie: Option<String>,
    pub polygons: Vec<Vec<Ring>>,
}

impl Shape {
    /// The bounding box (x0, y0, x1, y1).
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        bbox(std::iter::once(self))
    }

    /// Where a label goes: the area-weighted centroid of the largest outer ring, and that
    /// ring's area (m²).
    pub fn label_point(&self) -> ((f64, f64), f64) {
        let mut best = ((0.0, 0.0), -1.0);
        for p in &self.polygons {
            let Some(outer) = p.first() else { continue };
            let (c, a) = centroid(outer);
            if a > best.1 {
                best = (c, a);
            }
        }
        best
    }
}

/// Centroid and (absolute) area of a ring, by the shoelace formula.
fn centroid(ring: &Ring) -> ((f64, f64), f64) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in ring.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let cross = x0 * y1 - x1 * y0;
        a += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    if a.abs() < f64::EPSILON {
        let n = ring.len().max(1) as f64;
        let sx: f64 = ring.iter().map(|p| p.0).sum();
        let sy: f64 = ring.iter().map(|p| p.1).sum();
        return ((sx / n, sy / n), 0.0);
    }
    ((cx / (3.0 * a), cy / (3.0 * a)), (a / 2.0).abs())
}

/// The bounding box of shapes (x0, y0, x1, y1).
pub fn bbox<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for s in shapes {
        for (x, y) in s.polygons.iter().flatten().flatten() {
            b = (b.0.min(*x), b.1.min(*y), b.2.max(*x), b.3.max(*y));
        }
    }
    b
}

/// The gemeenten and provincies of one indeling.
#[derive(Debug, Clone, Default)]
pub struct Boundaries {
    pub year: u16,
    pub gemeenten: Vec<Shape>,
    pub provincies: Vec<Shape>,
    /// Where the gemeenten were read from (for errors).
    pub path: PathBuf,
}

/// The file names of the shipped boundaries of `year`.
pub fn file_names(year: u16) -> [String; 2] {
    [
        format!("gemeenten_{year}.geojson"),
        format!("provincies_{year}.geojson"),
    ]
}

impl Boundaries {
    /// Read `gemeenten_<year>.geojson` and `provincies_<year>.geojson` from `dir`.
    pub fn read(dir: &Path, year: u16) -> Result<Boundaries, GeoError> {
        let [g, p] = file_names(year);
        let path = dir.join(g);
        Ok(Boundaries {
            year,
            gemeenten: read_shapes(&path)?,
            provincies: read_shapes(&dir.join(p))?,
            path,
        })
    }

    pub fn gemeente(&self, code: &str) -> Option<&Shape> {
        self.gemeenten.iter().find(|s| s.code == code)
    }

    /// Every code must have a shape: a gemeente missing from the boundaries is an error that
    /// names it, never a blank on the map.
    pub fn require(&self, codes: &[(String, String)]) -> Result<(), GeoError> {
        let have: HashSet<&str> = self.gemeenten.iter().map(|s| s.code.as_str()).collect();
        match codes.iter().find(|(c, _)| !have.contains(c.as_str())) {
            None => Ok(()),
            Some((code, name)) => Err(GeoError::Boundaries {
                path: self.path.clone(),
                feature: None,
                message: format!("gemeente {code} ({name}) of the run has no boundary"),
                hint: format!(
                    "the boundaries are those of 1 januari {}; a run on another indeling needs the \
                     boundaries of that year (woonzorg regions --boundaries)",
                    self.year
                ),
            }),
        }
    }

    /// The gemeenten that share a boundary vertex with any of `codes` (not in `codes`), in the
    /// order of the file. The generalised shapes share their vertices exactly.
    pub fn neighbours(&self, codes: &[String]) -> Vec<String> {
        let key = |(x, y): (f64, f64)| ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
        let inside: HashSet<&str> = codes.iter().map(String::as_str).collect();
        let mut vertices = HashSet::new();
        for s in self
            .gemeenten
            .iter()
            .filter(|s| inside.contains(s.code.as_str()))
        {
            vertices.extend(s.polygons.iter().flatten().flatten().map(|p| key(*p)));
        }
        self.gemeenten
            .iter()
            .filter(|s| !inside.contains(s.code.as_str()))
            .filter(|s| {
                s.polygons
                    .iter()
                    .flatten()
                    .flatten()
                    .any(|p| vertices.contains(&key(*p)))
            })
            .map(|s| s.code.clone())
            .collect()
    }
}

/// The outline of a set of shapes: the edges that only one of them has (the edges two
/// members share are inside the set).
pub fn outline(shapes: &[&Shape]) -> Vec<[(f64, f64); 2]> {
    type Edge = ((i64, i64), (i64, i64));
    let key = |(x, y): (f64, f64)| ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
    let mut count: HashMap<Edge, usize> = HashMap::new();
    let mut edges = Vec::new();
    for s in shapes {
        for ring in s.polygons.iter().flatten() {
            for w in ring.windows(2) {
                let (a, b) = (key(w[0]), key(w[1]));
                *count
                    .entry(if a < b { (a, b) } else { (b, a) })
                    .or_default() += 1;
                edges.push((w[0], w[1], if a < b { (a, b) } else { (b, a) }));
            }
        }
    }
    edges
        .into_iter()
        .filter(|(_, _, k)| count.get(k) == Some(&1))
        .map(|(a, b, _)| [a, b])
        .collect()
}

fn bad(path: &Path, feature: Option<usize>, message: String) -> GeoError {
    GeoError::Boundaries {
        path: path.to_path_buf(),
        feature,
        message,
        hint: "a GeoJSON FeatureCollection of Polygon/MultiPolygon features with a code \
               (statcode) and a name (statnaam), as woonzorg regions --boundaries writes"
            .into(),
    }
}

/// Read the shapes of a GeoJSON feature collection: the code from `code` or `statcode`, the
/// name from `naam` or `statnaam`, the provincie from `provincie`.
pub fn read_shapes(path: &Path) -> Result<Vec<Shape>, GeoError> {
    let text = std::fs::read_to_string(path).map_err(|e| bad(path, None, e.to_string()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        bad(
            path,
            None,
            format!("line {}, column {}: {e}", e.line(), e.column()),
        )
    })?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(path, None, "no 'features' array".into()))?;
    let mut out = Vec::with_capacity(features.len());
    let mut seen = HashSet::new();
    for (i, f) in features.iter().enumerate() {
        let shape = read_feature(f).map_err(|m| bad(path, Some(i + 1), m))?;
        if !seen.insert(shape.code.clone()) {
            return Err(bad(path, Some(i + 1), format!("code {} twice", shape.code)));
        }
        out.push(shape);
    }
    Ok(out)
}

fn read_feature(f: &Value) -> Result<Shape, String> {
    let props = f.get("properties").ok_or("no properties")?;
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| props.get(*k).and_then(Value::as_str))
            .map(|s| s.trim().to_string())
    };
    let code = text(&["code", "statcode"]).ok_or("no code (statcode)")?;
    let name = text(&["naam", "statnaam"]).ok_or_else(|| format!("{code}: no name"))?;
    let geometry = f
        .get("geometry")
        .ok_or_else(|| format!("{code}: no geometry"))?;
    let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = geometry
        .get("coordinates")
        .ok_or_else(|| format!("{code}: no coordinates"))?;
    let polygons: Vec<Vec<Ring>> = match kind {
        "Polygon" => vec![polygon(coords).ok_or_else(|| format!("{code}: bad polygon"))?],
        "MultiPolygon" => coords
            .as_array()
            .ok_or_else(|| format!("{code}: bad multipolygon"))?
            .iter()
            .map(|p| polygon(p).ok_or_else(|| format!("{code}: bad polygon")))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "{code}: geometry type '{other}', not a (Multi)Polygon"
            ));
        }
    };
    for ring in polygons.iter().flatten() {
        if ring.len() < 4 || ring.first() != ring.last() {
            return Err(format!("{code}: a ring that is not closed"));
        }
    }
    Ok(Shape {
        code,
        name,
        provincie: text(&["provincie"]),
        polygons,
    })
}

fn polygon(v: &Value) -> Option<Vec<Ring>> {
    v.as_array()?
        .iter()
        .map(|ring| {
            ring.as_array()?
                .iter()
                .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                .collect()
        })
        .collect()
}

/// The shipped form of CBS/PDOK boundaries: the features of `source` whose code is a gemeente
/// (or, with `provincies`, a provincie) of `indeling`, named as in the registry, with their
/// provincie, as a GeoJSON text with one feature per line. Every gemeente of the indeling must
/// be there.
pub fn derive_geojson(
    source: &Path,
    indeling: &Indeling,
    provincies: bool,
) -> Result<String, GeoError> {
    let shapes = read_shapes(source)?;
    let names: BTreeMap<&str, (&str, Option<&str>)> = if provincies {
        indeling
            .region_names
            .iter()
            .filter(|(c, _)| c.starts_with("PV"))
            .map(|(c, n)| (c.as_str(), (n.as_str(), None)))
            .collect()
    } else {
        indeling
            .gemeenten
            .values()
            .map(|g| {
                let pv = g.member_of.get("PV").map(String::as_str);
                (g.code.as_str(), (g.name.as_str(), pv))
            })
            .collect()
    };
    let by_code: HashMap<&str, &Shape> = shapes.iter().map(|s| (s.code.as_str(), s)).collect();
    if let Some(missing) = names.keys().find(|c| !by_code.contains_key(*c)) {
        return Err(bad(
            source,
            None,
            format!("{missing} of {} has no feature", indeling.year),
        ));
    }
    let level = if provincies {
        "provincies"
    } else {
        "gemeenten"
    };
    let mut out = format!(
        "{{\"type\":\"FeatureCollection\",\"name\":\"{level}_{year}\",\
\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}}}},\
\"bron\":\"Bron: CBS, PDOK (gebiedsindelingen {year}, gegeneraliseerd; via cartomap/nl), CC BY 4.0; geschreven door woonzorg regions --boundaries\",\n\"features\":[\n",
        year = indeling.year
    );
    for (i, (code, (name, pv))) in names.iter().enumerate() {
        let s = by_code[code];
        let mut props = serde_json::Map::new();
        props.insert("code".into(), Value::from(*code));
        props.insert("naam".into(), Value::from(*name));
        if let Some(pv) = pv {
            props.insert("provincie".into(), Value::from(*pv));
        }
        let ring = |r: &Ring| -> Value {
            Value::Array(
                r.iter()
                    .map(|(x, y)| serde_json::json!([x.round() as i64, y.round() as i64]))
                    .collect(),
            )
        };
        let polys: Vec<Value> = s
            .polygons
            .iter()
            .map(|p| Value::Array(p.iter().map(ring).collect()))
            .collect();
        let feature = serde_json::json!({
            "type": "Feature",
            "properties": Value::Object(props),
            "geometry": {"type": "MultiPolygon", "coordinates": polys},
        });
        out.push_str(&feature.to_string());
        out.push_str(if i + 1 < names.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, x: f64) -> Shape {
        Shape {
            code: code.into(),
            name: code.into(),
            provincie: None,
            polygons: vec![vec![vec![
                (x, 0.0),
                (x + 1.0, 0.0),
                (x + 1.0, 1.0),
                (x, 1.0),
                (x, 0.0),
            ]]],
        }
    }

    #[test]
    fn neighbours_share_a_vertex_and_the_outline_drops_shared_edges() {
        let b = Boundaries {
            gemeenten: vec![square("A", 0.0), square("B", 1.0), square("C", 5.0)],
            ..Default::default()
        };
        assert_eq!(b.neighbours(&["A".into()]), vec!["B".to_string()]);
        assert!(b.neighbours(&["C".into()]).is_empty());
        let (a, bb) = (&b.gemeenten[0], &b.gemeenten[1]);
        // Two unit squares side by side: 8 edges, the shared one counted twice → 6 outside.
        assert_eq!(outline(&[a, bb]).len(), 6);
        assert_eq!(a.label_point(), ((0.5, 0.5), 1.0));
        assert!(b.require(&[("D".into(), "Dorp".into())]).is_err());
    }
}
