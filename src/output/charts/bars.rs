//! Grouped bar charts: categories on the x axis, one bar per series.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, ChartError, FONT, frame, render};

#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    pub subtitle: String,
    pub source_line: String,
    pub y_label: String,
    pub categories: Vec<String>,
    /// (label, one value per category)
    pub series: Vec<(String, Vec<f64>)>,
}

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;

pub fn draw_bars(c: &BarChart, png: &Path, svg: &Path) -> Result<(), ChartError> {
    render(c, png, svg)
}

impl Chart for BarChart {
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
        let values = c.series.iter().flat_map(|(_, v)| v.iter().copied());
        let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
        let n = c.categories.len() as u32;
        let k = c.series.len().max(1) as u32;
        // Room above the bars for a legend of more than three series.
        let headroom = if k > 3 {
            0.1 + 0.08 * f64::from(k)
        } else {
            0.1
        };
        let (pad_low, pad) = (((hi - lo) * 0.1).max(0.5), ((hi - lo) * headroom).max(0.5));
        let mut chart = ChartBuilder::on(&main)
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(0u32..n * (k + 1), (lo - pad_low)..(hi + pad))?;
        let cats = c.categories.clone();
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_labels(cats.len() * (k as usize + 1))
            .x_label_formatter(&|x| {
                let i = x / (k + 1);
                if x % (k + 1) == k / 2 {
                    cats.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:+.1}").replace('.', ","))
            .y_desc(c.y_label.clone())
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 16))
            .draw()?;
        // The palette of every chart, then teal: eight series apart.
        let colours: Vec<RGBColor> = super::PALETTE
            .into_iter()
            .chain([RGBColor(0, 128, 128)])
            .collect();
        for (si, (label, vals)) in c.series.iter().enumerate() {
            let colour = colours[si % colours.len()];
            let si = si as u32;
            chart
                .draw_series(vals.iter().enumerate().map(|(i, v)| {
                    let x = i as u32 * (k + 1) + si;
                    Rectangle::new([(x, 0.0), (x + 1, *v)], colour.filled())
                }))?
                .label(label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FONT, 15))
            .draw()?;
        Ok(())
    }
}
