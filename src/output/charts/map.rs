//! Choropleth maps of gemeenten (plotters, PNG and SVG): each gemeente filled by the class of
//! its value, a legend in Dutch, the region outlined, provincie borders, names where they fit.
//!
//! Coordinates are RD New metres (EPSG:28992), a conformal projection of the Netherlands: one
//! scale for x and y keeps the shapes true.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, ChartError, FONT, frame, render};

/// A closed ring of (x, y) in metres.
pub type Ring = Vec<(f64, f64)>;

/// One gemeente on the map.
#[derive(Debug, Clone)]
pub struct MapShape {
    pub code: String,
    pub name: String,
    /// Polygons, each an outer ring and its holes.
    pub polygons: Vec<Vec<Ring>>,
    /// The value; `None` is drawn grey with the legend's `missing` label.
    pub value: Option<f64>,
    /// A member of the region the map is about (named; the others only where room is ample).
    pub in_region: bool,
    /// Where its name goes and the area (m²) of its largest part.
    pub label_at: ((f64, f64), f64),
}

/// The classes of a choropleth: `breaks` between them (ascending), a colour and a label each.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    pub breaks: Vec<f64>,
    pub colours: Vec<RGBColor>,
    pub labels: Vec<String>,
}

impl Classes {
    /// The class of a value: the number of breaks at or below it.
    pub fn of(&self, v: f64) -> usize {
        self.breaks.iter().filter(|b| v >= **b).count()
    }
}

/// Sequential colours (light to dark; ColorBrewer YlGnBu, 5 classes).
const SEQUENTIAL: [RGBColor; 5] = [
    RGBColor(255, 255, 204),
    RGBColor(161, 218, 180),
    RGBColor(65, 182, 196),
    RGBColor(44, 127, 184),
    RGBColor(37, 52, 148),
];
/// Below zero (ColorBrewer RdBu, blue side, nearest zero first) and above (red side).
const BELOW: [RGBColor; 3] = [
    RGBColor(209, 229, 240),
    RGBColor(103, 169, 207),
    RGBColor(33, 102, 172),
];
const ABOVE: [RGBColor; 3] = [
    RGBColor(253, 219, 199),
    RGBColor(239, 138, 98),
    RGBColor(178, 24, 43),
];
/// The grey of a gemeente without a value.
pub const MISSING: RGBColor = RGBColor(217, 217, 217);

/// A step of 1, 2 or 5 × 10^k near `range / n`.
fn nice_step(range: f64, n: f64) -> f64 {
    let raw = (range / n).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw * 0.75)
        .unwrap_or(10.0 * p)
}

/// Classes by rounded quantiles (up to `k` classes of about equally many gemeenten; the breaks
/// rounded to a step of 1, 2 or 5 × 10^k near a tenth of the spread of the middle 80 % of the
/// values, so a legend reads "5 tot 10"), with zero as a break
/// and a diverging blue–red scale when the values have both signs.
pub fn quantile_classes(values: &[f64], k: usize, unit: &str) -> Classes {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let (lo, hi) = (
        v.first().copied().unwrap_or(0.0),
        v.last().copied().unwrap_or(0.0),
    );
    // The step from the middle 80 % of the values: one outlier does not coarsen every break.
    let at = |q: f64| {
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let spread = if at(0.9) > at(0.1) {
        at(0.9) - at(0.1)
    } else {
        hi - lo
    };
    let step = nice_step(spread, 2.0 * k as f64);
    let mut breaks: Vec<f64> = (1..k)
        .filter_map(|i| {
            let q = *v.get(i * v.len() / k)?;
            Some((q / step).round() * step + 0.0)
        })
        .filter(|b| *b > lo && *b <= hi)
        .collect();
    let diverging = lo < 0.0 && hi > 0.0;
    if diverging {
        breaks.push(0.0);
    }
    breaks.sort_by(f64::total_cmp);
    breaks.dedup_by(|a, b| (*a - *b).abs() < step * 1e-6);
    let n = breaks.len() + 1;
    let colours = if diverging {
        let zero = breaks.iter().position(|b| *b == 0.0).unwrap_or(0);
        (0..n)
            .map(|i| {
                if i <= zero {
                    BELOW[(zero - i).min(BELOW.len() - 1)]
                } else {
                    ABOVE[(i - zero - 1).min(ABOVE.len() - 1)]
                }
            })
            .collect()
    } else {
        // Spread over the ramp: 3 classes take the light, middle and dark colours.
        (0..n)
            .map(|i| SEQUENTIAL[if n == 1 { 2 } else { i * 4 / (n - 1) }])
            .collect()
    };
    // Dutch decimals, a typographic minus, and never "−0".
    let f = |x: f64| {
        let t = crate::numbers::nl_decimals(x + 0.0, if step < 1.0 { 1 } else { 0 });
        match t.strip_prefix('-') {
            Some(rest) if rest.trim_matches(|c| c == '0' || c == ',').is_empty() => {
                rest.to_string()
            }
            Some(rest) => format!("−{rest}"),
            None => t,
        }
    };
    let labels = (0..n)
        .map(
            |i| match (i.checked_sub(1).map(|j| breaks[j]), breaks.get(i)) {
                (None, Some(b)) => format!("minder dan {}{unit}", f(*b)),
                (Some(a), Some(b)) => format!("{} tot {}{unit}", f(a), f(*b)),
                (Some(a), None) => format!("{}{unit} of meer", f(a)),
                (None, None) if f(lo) == f(hi) => format!("{}{unit}", f(lo)),
                (None, None) => format!("alle waarden ({} tot {}{unit})", f(lo), f(hi)),
            },
        )
        .collect();
    Classes {
        breaks,
        colours,
        labels,
    }
}

/// A choropleth map.
#[derive(Debug, Clone)]
pub struct Choropleth {
    pub title: String,
    pub subtitle: String,
    pub source_line: String,
    pub legend_title: String,
    /// The legend text of a gemeente without a value.
    pub missing: String,
    pub shapes: Vec<MapShape>,
    pub classes: Classes,
    /// The region's outline (drawn thick).
    pub outline: Vec<[(f64, f64); 2]>,
    /// Provincie borders (drawn thin and dark).
    pub borders: Vec<Ring>,
    /// Name every gemeente whose name fits, not only the region's.
    pub name_all: bool,
}

impl Choropleth {
    /// The number of polygons the map fills (one per part of every gemeente drawn).
    pub fn polygons(&self) -> usize {
        self.shapes.iter().map(|s| s.polygons.len()).sum()
    }
}

pub fn draw_map(c: &Choropleth, png: &Path, svg: &Path) -> Result<(), ChartError> {
    render(c, png, svg)
}

const LEGEND_WIDTH: i32 = 440;

impl Chart for Choropleth {
    fn size(&self) -> (u32, u32) {
        let (x0, y0, x1, y1) = bbox(&self.shapes);
        let aspect = ((y1 - y0) / (x1 - x0).max(1.0)).clamp(0.5, 1.6);
        // 1,200 px wide like every chart: the map beside its legend.
        let w = f64::from(super::hbars::WIDTH) - f64::from(LEGEND_WIDTH) - 30.0;
        (super::hbars::WIDTH, (w * aspect) as u32 + 90 + 45 + 40)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let main = frame(root, &self.title, &self.subtitle, &self.source_line)?;
        let (w, h) = main.dim_in_pixel();
        let (map_w, map_h) = (w as f64 - LEGEND_WIDTH as f64 - 30.0, h as f64 - 20.0);
        let (x0, y0, x1, y1) = bbox(&self.shapes);
        let scale = (map_w / (x1 - x0).max(1.0)).min(map_h / (y1 - y0).max(1.0));
        let (ox, oy) = (
            20.0 + (map_w - (x1 - x0) * scale) / 2.0,
            10.0 + (map_h - (y1 - y0) * scale) / 2.0,
        );
        let px = |(x, y): (f64, f64)| -> (i32, i32) {
            (
                (ox + (x - x0) * scale).round() as i32,
                (oy + (y1 - y) * scale).round() as i32,
            )
        };
        let edge = RGBColor(255, 255, 255);
        // Largest parts first: an enclave drawn later lies on top of the gemeente around it.
        let mut order: Vec<&MapShape> = self.shapes.iter().collect();
        order.sort_by(|a, b| b.label_at.1.total_cmp(&a.label_at.1));
        for s in &order {
            let fill = match s.value {
                Some(v) => self.classes.colours[self.classes.of(v)],
                None => MISSING,
            };
            for p in &s.polygons {
                let Some(outer) = p.first() else { continue };
                let pts: Vec<(i32, i32)> = outer.iter().map(|q| px(*q)).collect();
                main.draw(&Polygon::new(pts.clone(), fill.filled()))?;
                main.draw(&PathElement::new(pts, edge.stroke_width(1)))?;
                for hole in &p[1..] {
                    let pts: Vec<(i32, i32)> = hole.iter().map(|q| px(*q)).collect();
                    main.draw(&PathElement::new(pts, edge.stroke_width(1)))?;
                }
            }
        }
        for ring in &self.borders {
            let pts: Vec<(i32, i32)> = ring.iter().map(|q| px(*q)).collect();
            main.draw(&PathElement::new(pts, RGBColor(90, 90, 90).stroke_width(1)))?;
        }
        for [a, b] in &self.outline {
            main.draw(&PathElement::new(
                vec![px(*a), px(*b)],
                BLACK.stroke_width(3),
            ))?;
        }
        self.draw_names(&main, &px, scale)?;
        self.draw_legend(&main, w as i32 - LEGEND_WIDTH)?;
        Ok(())
    }
}

impl Choropleth {
    /// Names where they fit: inside the gemeente's largest part, wide enough for the text.
    fn draw_names<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        px: &dyn Fn((f64, f64)) -> (i32, i32),
        scale: f64,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        for s in self.shapes.iter().filter(|s| s.in_region || self.name_all) {
            let size = if s.in_region { 24.0 } else { 19.0 };
            let text_w = s.name.chars().count() as f64 * size * 0.56;
            // The part's size on the map: a square of its area.
            let side = s.label_at.1.sqrt() * scale;
            if side < text_w * 0.8 || side < size * 1.6 {
                continue;
            }
            let (x, y) = px(s.label_at.0);
            let dark = match s.value {
                Some(v) => {
                    let RGBColor(r, g, b) = self.classes.colours[self.classes.of(v)];
                    0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b) < 120.0
                }
                None => false,
            };
            let colour = if dark { WHITE } else { RGBColor(20, 20, 20) };
            let style = (FONT, size)
                .into_font()
                .style(if s.in_region {
                    FontStyle::Bold
                } else {
                    FontStyle::Normal
                })
                .color(&colour)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ));
            area.draw(&Text::new(s.name.clone(), (x, y), style))?;
        }
        Ok(())
    }

    fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        left: i32,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let text = |size: f64| (FONT, size).into_font().color(&RGBColor(30, 30, 30));
        let mut y = 20;
        for line in wrap(&self.legend_title, 26) {
            let bold = (FONT, 24.0)
                .into_font()
                .style(FontStyle::Bold)
                .color(&RGBColor(30, 30, 30));
            area.draw(&Text::new(line, (left, y), bold))?;
            y += 31;
        }
        y += 8;
        let mut rows: Vec<(RGBColor, String)> = self
            .classes
            .colours
            .iter()
            .copied()
            .zip(self.classes.labels.iter().cloned())
            .collect();
        if self.shapes.iter().any(|s| s.value.is_none()) {
            rows.push((MISSING, self.missing.clone()));
        }
        for (colour, label) in rows {
            area.draw(&Rectangle::new(
                [(left, y), (left + 44, y + 32)],
                colour.filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(left, y), (left + 44, y + 32)],
                RGBColor(120, 120, 120).stroke_width(1),
            ))?;
            area.draw(&Text::new(label, (left + 56, y + 4), text(23.0)))?;
            y += 44;
        }
        if !self.outline.is_empty() {
            y += 6;
            area.draw(&PathElement::new(
                vec![(left, y + 16), (left + 44, y + 16)],
                BLACK.stroke_width(4),
            ))?;
            area.draw(&Text::new("regio", (left + 56, y + 4), text(23.0)))?;
        }
        Ok(())
    }
}

/// Split a legend title into lines of at most `width` characters (at spaces).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in s.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn bbox(shapes: &[MapShape]) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in shapes
        .iter()
        .flat_map(|s| s.polygons.iter().flatten().flatten())
    {
        b = (b.0.min(*x), b.1.min(*y), b.2.max(*x), b.3.max(*y));
    }
    if b.0 > b.2 {
        return (0.0, 0.0, 1.0, 1.0);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_classes_round_their_breaks_and_split_at_zero() {
        let v: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.37).collect();
        let c = quantile_classes(&v, 5, " %");
        // Values 0 to 36.6: quintiles 7.4, 14.8, 22.2, 29.6 rounded to a step of 5.
        assert_eq!(c.breaks, vec![5.0, 15.0, 20.0, 30.0]);
        assert_eq!(c.labels[0], "minder dan 5 %");
        assert_eq!(c.labels[1], "5 tot 15 %");
        assert_eq!(c.labels[4], "30 % of meer");
        assert_eq!(c.of(4.9), 0);
        assert_eq!(c.of(30.0), 4);
        let d = quantile_classes(&[-30.0, -5.0, 2.0, 10.0, 40.0, 80.0], 4, "");
        assert!(d.breaks.contains(&0.0), "{:?}", d.breaks);
        let e = quantile_classes(
            &[-90., -70., -50., -30., -10., 10., 30., 50., 70., 90.],
            5,
            "",
        );
        assert_eq!(e.breaks, vec![-60.0, -20.0, 0.0, 40.0, 80.0]);
        assert_eq!(e.labels[0], "minder dan −60");
        assert_eq!(e.labels[2], "−20 tot 0");
        assert!(e.labels.iter().all(|l| !l.contains('-')), "{:?}", e.labels);
        assert_eq!(quantile_classes(&[27.3], 5, " %").labels, ["27,3 %"]);
        let zero = d.of(0.0);
        assert_eq!(d.colours[zero - 1], BELOW[0]);
        assert_eq!(d.colours[zero], ABOVE[0]);
    }

    #[test]
    fn a_map_fills_one_polygon_per_part() {
        let sq = |x: f64| {
            vec![vec![vec![
                (x, 0.0),
                (x + 1000.0, 0.0),
                (x + 1000.0, 1000.0),
                (x, 1000.0),
                (x, 0.0),
            ]]]
        };
        let shape = |code: &str, x: f64, value: Option<f64>| MapShape {
            code: code.into(),
            name: code.into(),
            polygons: sq(x),
            value,
            in_region: true,
            label_at: ((x + 500.0, 500.0), 1e6),
        };
        let c = Choropleth {
            title: "t".into(),
            subtitle: "s".into(),
            source_line: "Bron: CBS".into(),
            legend_title: "groei".into(),
            missing: "geen gegevens".into(),
            shapes: vec![shape("A", 0.0, Some(1.0)), shape("B", 1000.0, None)],
            classes: quantile_classes(&[1.0, 2.0], 2, " %"),
            outline: vec![],
            borders: vec![],
            name_all: false,
        };
        let dir = tempfile::tempdir().unwrap();
        let (png, svg) = (dir.path().join("m.png"), dir.path().join("m.svg"));
        draw_map(&c, &png, &svg).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert_eq!(text.matches("<polygon").count(), c.polygons());
        assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    }
}
