//! Horizontal grouped bars: one row per category (long Dutch labels stay readable), one bar per
//! series, an optional reference line (an index of 100).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, ChartError, FONT, PALETTE, frame, render};

#[derive(Debug, Clone)]
pub struct HorizontalBars {
    pub title: String,
    pub subtitle: String,
    pub source_line: String,
    pub x_label: String,
    pub categories: Vec<String>,
    /// (label, one value per category; `None` = the series has no value there)
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// A vertical reference line (e.g. 100 for an index).
    pub reference: Option<f64>,
}

pub const WIDTH: u32 = 1200;

pub fn draw_hbars(c: &HorizontalBars, png: &Path, svg: &Path) -> Result<(), ChartError> {
    render(c, png, svg)
}

impl Chart for HorizontalBars {
    fn size(&self) -> (u32, u32) {
        let rows = self.categories.len() as u32 * (self.series.len() as u32 + 1);
        (WIDTH, 260 + rows * 11)
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
        let values: Vec<f64> = c
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().copied())
            .chain(c.reference)
            .collect();
        let hi = values.iter().copied().fold(0.0_f64, f64::max);
        let lo = values.iter().copied().fold(0.0_f64, f64::min);
        let left = if lo < 0.0 { lo * 1.15 - 1.0 } else { 0.0 };
        let n = c.categories.len() as u32;
        let k = c.series.len().max(1) as u32;
        let rows = n * (k + 1);
        let mut chart = ChartBuilder::on(&main)
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(330)
            .build_cartesian_2d(left..hi * 1.3 + 1.0, 0u32..rows)?;
        let cats = c.categories.clone();
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .y_labels(rows as usize)
            .y_label_formatter(&|y| {
                if *y >= rows || y % (k + 1) != (1 + k / 2) % (k + 1) {
                    return String::new();
                }
                let i = n - 1 - y / (k + 1);
                cats.get(i as usize).cloned().unwrap_or_default()
            })
            .x_label_formatter(&|v| crate::numbers::nl_number(*v))
            .x_desc(c.x_label.clone())
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()?;
        for (si, (label, vals)) in c.series.iter().enumerate() {
            let colour = PALETTE[si % PALETTE.len()];
            let si = si as u32;
            chart
                .draw_series(vals.iter().enumerate().filter_map(|(i, v)| {
                    let v = (*v)?;
                    let y = (n - 1 - i as u32) * (k + 1) + (k - si);
                    Some(Rectangle::new([(0.0, y), (v, y + 1)], colour.filled()))
                }))?
                .label(label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.filled())
                });
        }
        if let Some(r) = c.reference {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(r, 0), (r, rows)],
                BLACK.stroke_width(2),
            )))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FONT, 15))
            .draw()?;
        Ok(())
    }
}
