//! Line charts over the years: one line per series (variant), optionally in two panels.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, ChartError, FONT, frame, render};
use crate::numbers::nl_number;

/// One line: label and (year, value) points; `main` lines are drawn solid and thick.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<(u16, f64)>,
    pub main: bool,
}

/// A panel: title of the y axis, its lines, and shaded bands (an interval around a line).
#[derive(Debug, Clone)]
pub struct Panel {
    pub y_label: String,
    pub series: Vec<Series>,
    pub bands: Vec<Band>,
}

/// A shaded interval: lower and upper points per year.
#[derive(Debug, Clone)]
pub struct Band {
    pub label: String,
    pub lower: Vec<(u16, f64)>,
    pub upper: Vec<(u16, f64)>,
}

#[derive(Debug, Clone)]
pub struct LineChart {
    pub title: String,
    pub subtitle: String,
    pub source_line: String,
    pub panels: Vec<Panel>,
}

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 900;

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 78, 121),
    RGBColor(204, 85, 0),
    RGBColor(46, 139, 87),
    RGBColor(128, 0, 128),
    RGBColor(120, 120, 120),
    RGBColor(178, 34, 34),
];

pub fn draw_lines(c: &LineChart, png: &Path, svg: &Path) -> Result<(), ChartError> {
    render(c, png, svg)
}

impl Chart for LineChart {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let c = self;
        let main = frame(root, &c.title, &c.subtitle, &c.source_line)?;
        let areas = main.split_evenly((c.panels.len().max(1), 1));
        for (panel, area) in c.panels.iter().zip(areas.iter()) {
            let pts = panel.series.iter().flat_map(|s| s.points.iter()).chain(
                panel
                    .bands
                    .iter()
                    .flat_map(|b| b.lower.iter().chain(&b.upper)),
            );
            let (mut x0, mut x1, mut y0, mut y1) =
                (u16::MAX, 0u16, f64::INFINITY, f64::NEG_INFINITY);
            for (x, y) in pts {
                x0 = x0.min(*x);
                x1 = x1.max(*x);
                y0 = y0.min(*y);
                y1 = y1.max(*y);
            }
            if x0 > x1 {
                continue;
            }
            let pad = ((y1 - y0) * 0.08).max(1.0);
            let mut chart = ChartBuilder::on(area)
                .margin(15)
                .x_label_area_size(40)
                .y_label_area_size(110)
                .build_cartesian_2d(u32::from(x0)..u32::from(x1), (y0 - pad)..(y1 + pad))?;
            chart
                .configure_mesh()
                .light_line_style(WHITE)
                .x_labels(usize::from(x1 - x0 + 1).min(17))
                .x_label_formatter(&|x| format!("{x}"))
                .y_label_formatter(&|v| nl_number(*v))
                .y_desc(panel.y_label.clone())
                .label_style((FONT, 15))
                .axis_desc_style((FONT, 17))
                .draw()?;
            for (i, b) in panel.bands.iter().enumerate() {
                let shade = RGBColor(31, 78, 121).mix(if i == 0 { 0.12 } else { 0.25 });
                let poly: Vec<(u32, f64)> = b
                    .upper
                    .iter()
                    .map(|(x, y)| (u32::from(*x), *y))
                    .chain(b.lower.iter().rev().map(|(x, y)| (u32::from(*x), *y)))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, shade.filled())))?
                    .label(b.label.clone())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 6), (x + 18, y + 6)], shade.filled())
                    });
            }
            for (i, s) in panel.series.iter().enumerate() {
                let colour = COLOURS[i % COLOURS.len()];
                let style = ShapeStyle {
                    color: colour.to_rgba(),
                    filled: false,
                    stroke_width: if s.main { 3 } else { 2 },
                };
                chart
                    .draw_series(LineSeries::new(
                        s.points.iter().map(|(x, y)| (u32::from(*x), *y)),
                        style,
                    ))?
                    .label(s.label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.9))
                .border_style(RGBColor(180, 180, 180))
                .label_font((FONT, 15))
                .draw()?;
        }
        Ok(())
    }
}
