//! Population pyramid by age band and sex. Bands of unequal width are drawn as persons per
//! year of age (band total / band width) so that bar areas, not lengths, carry the counts.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, ChartError, FONT, frame, render};
use crate::numbers::nl_number;

/// One bar pair of the pyramid.
#[derive(Debug, Clone)]
pub struct PyramidBand {
    pub lo: u16,
    /// Exclusive upper age for drawing (an open band is drawn up to `draw_to`).
    pub hi_excl: u16,
    pub label: String,
    pub men: f64,
    pub women: f64,
}

/// What the pyramid shows.
#[derive(Debug, Clone)]
pub struct Pyramid {
    pub title: String,
    pub subtitle: String,
    pub source_line: String,
    pub bands: Vec<PyramidBand>,
    /// A single-year outline to compare with (e.g. Nederland scaled to the same total).
    pub reference: Option<Reference>,
    /// Whether the split by sex is estimated (legend says "geschat").
    pub estimated: bool,
}

/// Persons per single year of age, index = age.
#[derive(Debug, Clone)]
pub struct Reference {
    pub label: String,
    pub men: Vec<f64>,
    pub women: Vec<f64>,
}

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 900;

pub fn draw_pyramid(c: &Pyramid, png: &Path, svg: &Path) -> Result<(), ChartError> {
    render(c, png, svg)
}

impl Chart for Pyramid {
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
        let p = self;
        let main = frame(root, &p.title, &p.subtitle, &p.source_line)?;

        let per_year = |v: f64, b: &PyramidBand| v / f64::from((b.hi_excl - b.lo).max(1));
        let ref_max = p
            .reference
            .as_ref()
            .map(|r| {
                r.men
                    .iter()
                    .chain(&r.women)
                    .copied()
                    .fold(0.0_f64, f64::max)
            })
            .unwrap_or(0.0);
        let max = p
            .bands
            .iter()
            .flat_map(|b| [per_year(b.men, b), per_year(b.women, b)])
            .fold(ref_max, f64::max)
            .max(1.0)
            * 1.1;
        let top_age = p.bands.iter().map(|b| b.hi_excl).max().unwrap_or(100);
        let mut chart = ChartBuilder::on(&main)
            .margin_left(20)
            .margin_right(40)
            .margin_top(10)
            .x_label_area_size(60)
            .y_label_area_size(80)
            .build_cartesian_2d(-max..max, 0u32..u32::from(top_age))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .x_labels(9)
            .x_label_formatter(&|v| nl_number(v.abs()))
            .y_labels(11)
            .y_label_formatter(&|a| format!("{a}"))
            .x_desc("Inwoners per leeftijdsjaar (mannen links, vrouwen rechts)")
            .y_desc("Leeftijd (jaren)")
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .draw()?;
        let men = RGBColor(52, 101, 164);
        let women = RGBColor(204, 85, 0);
        chart
            .draw_series(p.bands.iter().map(|b| {
                Rectangle::new(
                    [
                        (-per_year(b.men, b), u32::from(b.lo)),
                        (0.0, u32::from(b.hi_excl)),
                    ],
                    men.mix(0.85).filled(),
                )
            }))?
            .label(if p.estimated {
                "Mannen (geschat)"
            } else {
                "Mannen"
            })
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], men.filled()));
        chart
            .draw_series(p.bands.iter().map(|b| {
                Rectangle::new(
                    [
                        (0.0, u32::from(b.lo)),
                        (per_year(b.women, b), u32::from(b.hi_excl)),
                    ],
                    women.mix(0.85).filled(),
                )
            }))?
            .label(if p.estimated {
                "Vrouwen (geschat)"
            } else {
                "Vrouwen"
            })
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], women.filled()));
        if let Some(r) = &p.reference {
            let top = top_age as usize;
            let steps = |v: &[f64], sign: f64| -> Vec<(f64, u32)> {
                v.iter()
                    .take(top)
                    .enumerate()
                    .flat_map(|(a, x)| [(sign * x, a as u32), (sign * x, a as u32 + 1)])
                    .collect()
            };
            let line = ShapeStyle {
                color: BLACK.to_rgba(),
                filled: false,
                stroke_width: 2,
            };
            chart
                .draw_series(LineSeries::new(steps(&r.men, -1.0), line))?
                .label(r.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], line));
            chart.draw_series(LineSeries::new(steps(&r.women, 1.0), line))?;
        }
        // Band labels with totals, inside the bars next to the axis.
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        for b in &p.bands {
            let mid = u32::from(b.lo + (b.hi_excl - b.lo) / 2);
            let style = |h| {
                (FONT, 15)
                    .into_font()
                    .color(&WHITE)
                    .pos(Pos::new(h, VPos::Center))
            };
            chart.draw_series(std::iter::once(Text::new(
                format!("{}: {}", b.label, nl_number(b.men)),
                (-max * 0.02, mid),
                style(HPos::Right),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{}: {}", b.label, nl_number(b.women)),
                (max * 0.02, mid),
                style(HPos::Left),
            )))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FONT, 16))
            .draw()?;
        Ok(())
    }
}
