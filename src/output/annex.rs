//! The woonzorgvisie annex (bijlage): one document model written as Markdown and as one
//! self-contained, printable HTML file (charts inlined as SVG).

use std::fmt::Write;

/// A table of the annex: header and rows, already formatted for people.
#[derive(Debug, Clone, Default)]
pub struct AnnexTable {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A section: heading, paragraphs, tables, charts (file names of SVG charts in the run folder).
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub bullets: Vec<String>,
    pub tables: Vec<AnnexTable>,
    pub charts: Vec<(String, String)>,
}

/// The annex.
#[derive(Debug, Clone, Default)]
pub struct Annex {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The start of an HTML page of the annex's style, up to and including `<body>`.
fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
body{{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60em;margin:2em auto;color:#222;line-height:1.4}}\n\
h1{{font-size:1.7em}} h2{{font-size:1.3em;border-bottom:1px solid #999;margin-top:2em}}\n\
table{{border-collapse:collapse;margin:1em 0;font-size:0.85em}} th,td{{border:1px solid #bbb;padding:0.2em 0.5em}}\n\
th{{background:#dce6f1;text-align:left}} td.n{{text-align:right}} caption{{font-weight:bold;text-align:left;margin-bottom:0.3em}}\n\
figure{{margin:1em 0}} figure svg{{width:100%;height:auto}}\n\
@media print{{body{{max-width:none;margin:1cm}} h2{{page-break-before:always}} figure,table{{page-break-inside:avoid}}}}\n\
</style>\n</head>\n<body>\n",
        html(title)
    )
}

/// The index of a run's annexes: one page that links each annex (file, region) with its line.
pub fn index_html(title: &str, subtitle: &str, entries: &[(String, String, String)]) -> String {
    let mut o = head(title);
    let _ = write!(
        o,
        "<h1>{}</h1>\n<p><em>{}</em></p>\n<ul>\n",
        html(title),
        html(subtitle)
    );
    for (file, region, line) in entries {
        let _ = writeln!(
            o,
            "<li><a href=\"{}\">{}</a>: {}</li>",
            html(file),
            html(region),
            html(line)
        );
    }
    o.push_str("</ul>\n<p>Elke bijlage is één zelfstandig HTML-bestand (met de figuren), met daarnaast dezelfde tekst als Markdown (.md). De tabellen van de run staan in tables/ (CSV en Parquet), de werkmap in het .xlsx-bestand.</p>\n</body>\n</html>\n");
    o
}

impl Annex {
    /// Markdown (charts linked as PNG next to the file).
    pub fn to_markdown(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "# {}\n\n_{}_\n", self.title, self.subtitle);
        for s in &self.sections {
            let _ = writeln!(o, "## {}\n", s.heading);
            for p in &s.paragraphs {
                let _ = writeln!(o, "{p}\n");
            }
            for b in &s.bullets {
                let _ = writeln!(o, "- {b}");
            }
            if !s.bullets.is_empty() {
                o.push('\n');
            }
            for t in &s.tables {
                if !t.caption.is_empty() {
                    let _ = writeln!(o, "**{}**\n", t.caption);
                }
                let _ = writeln!(
                    o,
                    "| {} |",
                    t.header
                        .iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(
                    o,
                    "|{}|",
                    t.header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
                );
                for r in &t.rows {
                    let _ = writeln!(
                        o,
                        "| {} |",
                        r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
                o.push('\n');
            }
            for (alt, file) in &s.charts {
                let png = file.replace(".svg", ".png");
                let _ = writeln!(o, "![{alt}]({png})\n");
            }
        }
        o
    }

    /// One self-contained HTML file; `svg(file)` gives the SVG text of a chart.
    pub fn to_html(&self, svg: &dyn Fn(&str) -> Option<String>) -> String {
        let mut o = String::new();
        let _ = write!(
            o,
            "{}<h1>{}</h1>\n<p><em>{}</em></p>\n",
            head(&self.title),
            html(&self.title),
            html(&self.subtitle)
        );
        for s in &self.sections {
            let _ = writeln!(o, "<h2>{}</h2>", html(&s.heading));
            for p in &s.paragraphs {
                let _ = writeln!(o, "<p>{}</p>", html(p));
            }
            if !s.bullets.is_empty() {
                o.push_str("<ul>\n");
                for b in &s.bullets {
                    let _ = writeln!(o, "<li>{}</li>", html(b));
                }
                o.push_str("</ul>\n");
            }
            for t in &s.tables {
                o.push_str("<table>\n");
                if !t.caption.is_empty() {
                    let _ = writeln!(o, "<caption>{}</caption>", html(&t.caption));
                }
                let _ = writeln!(
                    o,
                    "<tr>{}</tr>",
                    t.header
                        .iter()
                        .map(|h| format!("<th>{}</th>", html(h)))
                        .collect::<String>()
                );
                for r in &t.rows {
                    let cells: String = r
                        .iter()
                        .map(|c| {
                            let numeric = is_figure(c);
                            format!(
                                "<td{}>{}</td>",
                                if numeric { " class=\"n\"" } else { "" },
                                html(c)
                            )
                        })
                        .collect();
                    let _ = writeln!(o, "<tr>{cells}</tr>");
                }
                o.push_str("</table>\n");
            }
            for (alt, file) in &s.charts {
                match svg(file) {
                    Some(text) => {
                        let body = text.find("<svg").map(|i| &text[i..]).unwrap_or(&text);
                        let _ = writeln!(
                            o,
                            "<figure role=\"img\" aria-label=\"{}\">{body}</figure>",
                            html(alt)
                        );
                    }
                    None => {
                        let _ = writeln!(o, "<p>[grafiek {} ontbreekt]</p>", html(file));
                    }
                }
            }
        }
        o.push_str("</body>\n</html>\n");
        o
    }
}

/// Whether a table cell is a figure (right-aligned in the HTML): digits with Dutch separators,
/// a sign, a per cent or euro sign, and nothing else (`1.584`, `+4.231`, `±0`, `36 %`); a text
/// that starts with a number (`132.001 geclusterde woningen …`) is not.
fn is_figure(c: &str) -> bool {
    c.chars().any(|ch| ch.is_ascii_digit())
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || ".,−+±-% €".contains(ch))
}

#[cfg(test)]
mod tests {
    use super::is_figure;

    #[test]
    fn figures_are_told_from_texts_that_start_with_one() {
        for f in ["1.584", "+4.231", "−13.725", "±0", "36 %", "2024", "0,95"] {
            assert!(is_figure(f), "{f}");
        }
        for t in ["132.001 geclusterde woningen", "geschat", "", "—", "n.v.t."] {
            assert!(!is_figure(t), "{t}");
        }
    }
}
