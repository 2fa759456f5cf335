//! Grouped bar charts: categories on the x axis, one bar per series.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ChartError, FONT, register_fonts};

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

/// Draw the chart as PNG and SVG.
pub fn draw_bars(c: &BarChart, png: &Path, svg: &Path) -> Result<(), ChartError> {
    register_fonts();
    let fail = |p: &Path, e: String| ChartError {
        path: p.to_path_buf(),
        message: e,
    };
    {
        let root = BitMapBackend::new(png, (WIDTH, HEIGHT)).into_drawing_area();
        draw(c, &root).map_err(|e| fail(png, e.to_string()))?;
        root.present().map_err(|e| fail(png, e.to_string()))?;
    }
    {
        let root = SVGBackend::new(svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(c, &root).map_err(|e| fail(svg, e.to_string()))?;
        root.present().map_err(|e| fail(svg, e.to_string()))?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    c: &BarChart,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (top, rest) = root.split_vertically(90);
    let (main, bottom) = rest.split_vertically(HEIGHT - 90 - 40);
    top.draw(&Text::new(
        c.title.clone(),
        (40, 18),
        (FONT, 28).into_font().style(FontStyle::Bold).color(&BLACK),
    ))?;
    top.draw(&Text::new(
        c.subtitle.clone(),
        (40, 58),
        (FONT, 17).into_font().color(&RGBColor(70, 70, 70)),
    ))?;
    bottom.draw(&Text::new(
        c.source_line.clone(),
        (40, 12),
        (FONT, 14).into_font().color(&RGBColor(90, 90, 90)),
    ))?;
    let values = c.series.iter().flat_map(|(_, v)| v.iter().copied());
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((hi - lo) * 0.1).max(0.5);
    let n = c.categories.len() as u32;
    let k = c.series.len().max(1) as u32;
    let mut chart = ChartBuilder::on(&main)
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0u32..n * (k + 1), (lo - pad)..(hi + pad))?;
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
    let colours = [
        RGBColor(52, 101, 164),
        RGBColor(204, 85, 0),
        RGBColor(46, 139, 87),
    ];
    for (si, (label, vals)) in c.series.iter().enumerate() {
        let colour = colours[si % colours.len()];
        let si = si as u32;
        chart
            .draw_series(vals.iter().enumerate().map(|(i, v)| {
                let x = i as u32 * (k + 1) + si;
                Rectangle::new([(x, 0.0), (x + 1, *v)], colour.filled())
            }))?
            .label(label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.filled()));
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
