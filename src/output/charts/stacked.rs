//! Stacked bars over the years: one bar per year, one segment per category.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, ChartError, FONT, PALETTE, frame, render};
use crate::numbers::nl_number;

#[derive(Debug, Clone)]
pub struct StackedBars {
    pub title: String,
    pub subtitle: String,
    pub source_line: String,
    pub y_label: String,
    pub years: Vec<u16>,
    /// (label, one value per year)
    pub segments: Vec<(String, Vec<f64>)>,
}

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 750;

pub fn draw_stacked(c: &StackedBars, png: &Path, svg: &Path) -> Result<(), ChartError> {
    render(c, png, svg)
}

impl Chart for StackedBars {
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
        let n = c.years.len();
        let top = (0..n)
            .map(|i| {
                c.segments
                    .iter()
                    .map(|(_, v)| v.get(i).copied().unwrap_or(0.0).max(0.0))
                    .sum::<f64>()
            })
            .fold(0.0_f64, f64::max);
        let (y0, y1) = (
            c.years.first().copied().unwrap_or(0) as i32,
            c.years.last().copied().unwrap_or(0) as i32,
        );
        let mut chart = ChartBuilder::on(&main)
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(100)
            .build_cartesian_2d((y0 * 4 - 2)..(y1 * 4 + 2), 0.0..top * 1.25 + 1.0)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_labels(n.min(17))
            .x_label_formatter(&|x| {
                if x % 4 == 0 {
                    format!("{}", x / 4)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| nl_number(*v))
            .y_desc(c.y_label.clone())
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .draw()?;
        let mut base = vec![0.0; n];
        for (si, (label, vals)) in c.segments.iter().enumerate() {
            let colour = PALETTE[si % PALETTE.len()];
            let bars: Vec<Rectangle<(i32, f64)>> = c
                .years
                .iter()
                .enumerate()
                .map(|(i, y)| {
                    let v = vals.get(i).copied().unwrap_or(0.0).max(0.0);
                    let x = *y as i32 * 4;
                    let r =
                        Rectangle::new([(x - 1, base[i]), (x + 1, base[i] + v)], colour.filled());
                    base[i] += v;
                    r
                })
                .collect();
            chart
                .draw_series(bars)?
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
            .label_font((FONT, 14))
            .draw()?;
        Ok(())
    }
}
