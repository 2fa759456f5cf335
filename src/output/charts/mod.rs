//! Charts (plotters, PNG and SVG) with an embedded DejaVu font: no system font packages.

pub mod bars;
pub mod hbars;
pub mod lines;
pub mod map;
pub mod pyramid;
pub mod stacked;

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

/// The font family every chart uses; registered from the embedded DejaVu Sans faces.
pub const FONT: &str = "sans-serif";

static FONTS: Once = Once::new();

/// Register the embedded fonts with plotters (once per process).
pub fn register_fonts() {
    FONTS.call_once(|| {
        use plotters::style::{FontStyle, register_font};
        // Registering embedded static bytes cannot fail for valid TTFs; ignore the Result type.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The colours of series, in order (blue, orange, green, purple, ochre, grey, red).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(52, 101, 164),
    RGBColor(204, 85, 0),
    RGBColor(46, 139, 87),
    RGBColor(128, 90, 160),
    RGBColor(200, 160, 0),
    RGBColor(90, 90, 90),
    RGBColor(178, 34, 34),
];

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static;
}

/// Render a chart as PNG and as SVG (same drawing code, embedded fonts for the PNG).
pub fn render(chart: &impl Chart, png: &Path, svg: &Path) -> Result<(), ChartError> {
    register_fonts();
    let fail = |p: &Path, e: String| ChartError {
        path: p.to_path_buf(),
        message: e,
    };
    {
        let root = BitMapBackend::new(png, chart.size()).into_drawing_area();
        chart.draw(&root).map_err(|e| fail(png, e.to_string()))?;
        root.present().map_err(|e| fail(png, e.to_string()))?;
    }
    {
        let root = SVGBackend::new(svg, chart.size()).into_drawing_area();
        chart.draw(&root).map_err(|e| fail(svg, e.to_string()))?;
        root.present().map_err(|e| fail(svg, e.to_string()))?;
    }
    Ok(())
}

/// Draw the common frame (white background, title, subtitle, source line at the bottom) and
/// return the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    source_line: &str,
) -> Result<DrawingArea<DB, Shift>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (_, height) = root.dim_in_pixel();
    let (top, rest) = root.split_vertically(90);
    let (main, bottom) = rest.split_vertically(height.saturating_sub(90 + 45));
    top.draw(&Text::new(
        title.to_string(),
        (40, 18),
        (FONT, 28).into_font().style(FontStyle::Bold).color(&BLACK),
    ))?;
    top.draw(&Text::new(
        subtitle.to_string(),
        (40, 58),
        (FONT, 17).into_font().color(&RGBColor(70, 70, 70)),
    ))?;
    bottom.draw(&Text::new(
        source_line.to_string(),
        (40, 14),
        (FONT, 14).into_font().color(&RGBColor(90, 90, 90)),
    ))?;
    Ok(main)
}

#[derive(Debug, thiserror::Error)]
#[error("chart {path}: {message}")]
pub struct ChartError {
    pub path: std::path::PathBuf,
    pub message: String,
}
