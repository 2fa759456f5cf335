//! Charts (plotters, PNG and SVG) with an embedded DejaVu font: no system font packages.

pub mod bars;
pub mod lines;
pub mod pyramid;

use std::sync::Once;

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

/// Dutch thousands separator: 1234567 → "1.234.567".
pub fn nl_number(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{}", v.abs().round() as i64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

#[derive(Debug, thiserror::Error)]
#[error("chart {path}: {message}")]
pub struct ChartError {
    pub path: std::path::PathBuf,
    pub message: String,
}

#[cfg(test)]
mod tests {
    #[test]
    fn dutch_numbers() {
        assert_eq!(super::nl_number(1234567.0), "1.234.567");
        assert_eq!(super::nl_number(999.0), "999");
        assert_eq!(super::nl_number(-1000.0), "-1.000");
        assert_eq!(super::nl_number(0.0), "0");
    }
}
