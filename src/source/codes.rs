//! CBS conventions for cells, periods, ages and sexes, turned into one canonical form:
//! periods as CBS period codes (`2024JJ00`, `2024HJ01`, `2024KW03`, `2024MM07`, `2011TM15`),
//! ages as `37`, `95+`, `20-64` or `totaal`, sexes as `T`, `M`, `V`.

use crate::numbers::DUTCH_MONTHS;

/// A cell value as CBS publishes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(f64),
    Text(String),
    /// `.` (gegevens ontbreken), `x` (geheim), `?`, or an empty cell.
    Missing(MissingKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingKind {
    Empty,
    NotAvailable,
    Secret,
}

/// Status flags CBS attaches to figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Final,
    /// `*` voorlopig
    Provisional,
    /// `**` nader voorlopig
    Revised,
    /// `-` nihil: the value is zero
    Nil,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Final => "",
            Status::Provisional => "voorlopig",
            Status::Revised => "nader voorlopig",
            Status::Nil => "nihil",
        }
    }
}

/// Parse one data cell. Returns `None` when the text is neither a number nor a CBS marker;
/// the caller turns that into an error with the file position.
///
/// Accepts `.0` on integers, a decimal comma (`1,79`), surrounding spaces, and the markers
/// `.`, `x`, `?` (missing) and `-` (nihil = 0). Refuses NaN, infinity and thousands separators.
pub fn parse_number_cell(raw: &str) -> Option<(Cell, Status)> {
    let s = raw.trim();
    match s {
        "" => return Some((Cell::Missing(MissingKind::Empty), Status::Final)),
        "." | ".." => return Some((Cell::Missing(MissingKind::NotAvailable), Status::Final)),
        "x" | "X" => return Some((Cell::Missing(MissingKind::Secret), Status::Final)),
        "?" => return Some((Cell::Missing(MissingKind::NotAvailable), Status::Final)),
        "-" => return Some((Cell::Number(0.0), Status::Nil)),
        _ => {}
    }
    let (s, status) = split_status(s);
    parse_plain_number(s).map(|v| (Cell::Number(v), status))
}

/// Split CBS's status flag off a value or period: `123*` (voorlopig), `123**` (nader voorlopig).
fn split_status(s: &str) -> (&str, Status) {
    if let Some(t) = s.strip_suffix("**") {
        (t.trim(), Status::Revised)
    } else if let Some(t) = s.strip_suffix('*') {
        (t.trim(), Status::Provisional)
    } else {
        (s, Status::Final)
    }
}

/// A decimal number with `.` or `,` as decimal mark; no NaN, no infinity, no exponent abuse.
pub fn parse_plain_number(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let normalised = match (dots, commas) {
        (0, 0) | (1, 0) => s.to_string(),
        (0, 1) => s.replace(',', "."),
        _ => return None,
    };
    let v: f64 = normalised.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Whether a text looks like a CBS region code (`GM0363`, `NL01`, `PV27`, `CR17`, `ZK…`, `CE…`).
pub fn is_region_code(s: &str) -> bool {
    let s = s.trim();
    let b = s.as_bytes();
    if s == "NL01" || s == "NL00" {
        return true;
    }
    // GM0503, PV20, WK050301, BU05030100 (a buurt: ten characters); Amsterdam's wijken and
    // buurten carry letters after the gemeente's four digits (WK0363AA, BU0363AA01).
    b.len() >= 4
        && b.len() <= 10
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2..4].iter().all(|c| c.is_ascii_digit())
        && (b.len() <= 6 || b[2..6].iter().all(|c| c.is_ascii_digit()))
        && b[4..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && (b.len() < 6 || b[2..].iter().filter(|c| c.is_ascii_digit()).count() >= 4)
}

/// Parse a period code or label into a CBS period code.
///
/// Accepts CBS codes (`2024JJ00`, `2024HJ01`, `2024KW03`, `2024MM07`, `2011TM15`, `1861TM66`),
/// a bare year (`2024`, also `2021*`), and the Dutch labels CBS uses (`1e halfjaar 2024`,
/// `2024 1e kwartaal`, `2024 juli`, `2015 tot 2020`). Returns the code and any status flag.
pub fn parse_period(raw: &str) -> Option<(String, Status)> {
    let s = raw.trim();
    let (s, status) = split_status(s);
    let code = period_code(s)?;
    Some((code, status))
}

fn year_of(s: &str) -> Option<u16> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        let y: u16 = s.parse().ok()?;
        (1800..=2200).contains(&y).then_some(y)
    } else {
        None
    }
}

fn period_code(s: &str) -> Option<String> {
    if let Some(y) = year_of(s) {
        return Some(format!("{y}JJ00"));
    }
    // CBS codes: YYYY + two letters + two digits
    let code_parts = match (s.len(), s.get(..4), s.get(4..6), s.get(6..8)) {
        (8, Some(y), Some(kind), Some(n))
            if year_of(y).is_some() && kind.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            Some((kind, n))
        }
        _ => None,
    };
    if let Some((kind, n)) = code_parts {
        if !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u8 = n.parse().ok()?;
        let ok = match kind {
            "JJ" => n == 0,
            "HJ" => (1..=2).contains(&n),
            "KW" => (1..=4).contains(&n),
            "MM" => (1..=12).contains(&n),
            "TM" => true,
            _ => false,
        };
        return ok.then(|| s.to_string());
    }
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    match words.as_slice() {
        // "1e halfjaar 2024"
        [nth, "halfjaar", y] => {
            let y = year_of(y)?;
            let n = ordinal(nth).filter(|n| (1..=2).contains(n))?;
            Some(format!("{y}HJ{n:02}"))
        }
        // "2024 1e kwartaal"
        [y, nth, "kwartaal"] => {
            let y = year_of(y)?;
            let n = ordinal(nth).filter(|n| (1..=4).contains(n))?;
            Some(format!("{y}KW{n:02}"))
        }
        // "2024 juli"
        [y, m] if year_of(y).is_some() && DUTCH_MONTHS.contains(m) => {
            let n = DUTCH_MONTHS.iter().position(|x| x == m)? + 1;
            Some(format!("{}MM{n:02}", year_of(y)?))
        }
        // "2015 tot 2020", "2015 tot en met 2019"
        [a, "tot", b] | [a, "tot", "en", "met", b] | [a, "-", b] => {
            let a = year_of(a)?;
            let b = year_of(b)?;
            (b > a).then(|| format!("{a}TM{:02}", b % 100))
        }
        _ => None,
    }
}

fn ordinal(w: &str) -> Option<u8> {
    match w {
        "1e" | "eerste" | "1ste" => Some(1),
        "2e" | "tweede" | "2de" => Some(2),
        "3e" | "derde" | "3de" => Some(3),
        "4e" | "vierde" | "4de" => Some(4),
        _ => None,
    }
}

/// The year of a period code (`2024HJ01` → 2024).
pub fn period_year(code: &str) -> Option<u16> {
    code.get(..4).and_then(year_of)
}

/// Decode a CBS age code of tables such as 37360ned: `10010` = 0 jaar, `10100` = 1 jaar,
/// …, `19900` = 99 jaar, `22100` = 99 jaar of ouder. Only single years are decoded; other
/// codes (groups) are resolved through the table's dimension file.
pub fn decode_age_code(code: &str) -> Option<String> {
    let c = code.trim();
    if c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = c.parse().ok()?;
    if n == 10010 {
        return Some("0".into());
    }
    if (10100..=19900).contains(&n) && n.is_multiple_of(100) {
        return Some(((n - 10000) / 100).to_string());
    }
    None
}

/// Normalise an age label: `0 jaar` → `0`, `95 jaar of ouder` → `95+`, `0 tot 5 jaar` → `0-4`,
/// `15 jaar of jonger` → `0-15`, `Jonger dan 20 jaar` → `0-19`, `Totaal` → `totaal`.
/// Labels it does not recognise are kept as they are (trimmed).
pub fn normalise_age(raw: &str) -> String {
    let s = raw.trim();
    if let Some(a) = decode_age_code(s) {
        return a;
    }
    let l = s.to_lowercase().replace(" jaar", "").replace("jaar", "");
    let l = l.trim();
    if l.starts_with("totaal") {
        return "totaal".into();
    }
    let w: Vec<&str> = l.split_whitespace().collect();
    let num = |x: &str| x.parse::<u16>().ok();
    let out = match w.as_slice() {
        [a] if num(a).is_some() => Some(a.to_string()),
        [a] if a.ends_with('+') && num(&a[..a.len() - 1]).is_some() => Some(a.to_string()),
        [a, "of", "ouder"] | [a, "en", "ouder"] if num(a).is_some() => Some(format!("{a}+")),
        [a, "of", "jonger"] if num(a).is_some() => Some(format!("0-{a}")),
        ["jonger", "dan", a] if num(a).is_some_and(|n| n > 0) => {
            Some(format!("0-{}", num(a).unwrap_or(1) - 1))
        }
        [a, "tot", b] if num(a).is_some() && num(b).is_some_and(|n| n > 0) => {
            Some(format!("{a}-{}", num(b).unwrap_or(1) - 1))
        }
        [a, "tot", "en", "met", b] if num(a).is_some() && num(b).is_some() => {
            Some(format!("{a}-{b}"))
        }
        [a, "-", b] if num(a).is_some() && num(b).is_some() => Some(format!("{a}-{b}")),
        _ => None,
    };
    out.unwrap_or_else(|| s.to_string())
}

/// Normalise a sex label or code to `T`, `M` or `V`; `None` if it is not one.
pub fn parse_sex(raw: &str) -> Option<&'static str> {
    let l = raw.trim().to_lowercase();
    match l.as_str() {
        "t" | "totaal" | "totaal mannen en vrouwen" | "mannen en vrouwen" | "t001038" => Some("T"),
        "m" | "man" | "mannen" | "3000" => Some("M"),
        "v" | "f" | "vrouw" | "vrouwen" | "4000" => Some("V"),
        _ => None,
    }
}

/// A column header that names a sex inside a measure (`Levende mannen`): the sex and the rest.
pub fn split_sex_header(header: &str) -> Option<(&'static str, String)> {
    if let Some(sex) = parse_sex(header) {
        return Some((sex, String::new()));
    }
    let l = header.trim().to_lowercase();
    for (word, sex) in [("mannen", "M"), ("vrouwen", "V")] {
        if let Some(rest) = l.strip_suffix(word)
            && rest.ends_with(' ')
        {
            return Some((sex, header.trim()[..rest.len()].trim().to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let p = |s: &str| parse_period(s).map(|(c, _)| c);
        assert_eq!(p("2é2401"), None);
        assert_eq!(p("20€4"), None);
        assert_eq!(p("2024").as_deref(), Some("2024JJ00"));
        assert_eq!(p("2024JJ00").as_deref(), Some("2024JJ00"));
        assert_eq!(p("2024HJ01").as_deref(), Some("2024HJ01"));
        assert_eq!(p("2024KW03").as_deref(), Some("2024KW03"));
        assert_eq!(p("2024MM07").as_deref(), Some("2024MM07"));
        assert_eq!(p("2011TM15").as_deref(), Some("2011TM15"));
        assert_eq!(p("1e halfjaar 2024").as_deref(), Some("2024HJ01"));
        assert_eq!(p("2e halfjaar 2017").as_deref(), Some("2017HJ02"));
        assert_eq!(p("2024 3e kwartaal").as_deref(), Some("2024KW03"));
        assert_eq!(p("2024 juli").as_deref(), Some("2024MM07"));
        assert_eq!(p("2024 mei").as_deref(), Some("2024MM05"));
        assert_eq!(p("2015 tot 2020").as_deref(), Some("2015TM20"));
        assert_eq!(
            parse_period("2021*"),
            Some(("2021JJ00".into(), Status::Provisional))
        );
        assert_eq!(p("2024XX01"), None);
        assert_eq!(p("2024HJ03"), None);
        assert_eq!(p("2024MM13"), None);
        assert_eq!(p("volgend jaar"), None);
    }

    #[test]
    fn ages() {
        assert_eq!(normalise_age("0 jaar"), "0");
        assert_eq!(normalise_age("95 jaar of ouder"), "95+");
        assert_eq!(normalise_age("0 tot 5 jaar"), "0-4");
        assert_eq!(normalise_age("20 tot 65 jaar"), "20-64");
        assert_eq!(normalise_age("65 jaar of ouder"), "65+");
        assert_eq!(normalise_age("65 of ouder"), "65+");
        assert_eq!(normalise_age("18 tot 65"), "18-64");
        assert_eq!(normalise_age("15 jaar of jonger"), "0-15");
        assert_eq!(normalise_age("Jonger dan 20 jaar"), "0-19");
        assert_eq!(normalise_age("Totaal leeftijd"), "totaal");
        assert_eq!(normalise_age("10010"), "0");
        assert_eq!(normalise_age("10100"), "1");
        assert_eq!(normalise_age("19900"), "99");
        assert_eq!(normalise_age("37"), "37");
        assert_eq!(normalise_age("Onbekend"), "Onbekend");
    }

    #[test]
    fn cells() {
        assert_eq!(
            parse_number_cell("17407585.0"),
            Some((Cell::Number(17407585.0), Status::Final))
        );
        assert_eq!(
            parse_number_cell(" 1,79 "),
            Some((Cell::Number(1.79), Status::Final))
        );
        assert_eq!(
            parse_number_cell("."),
            Some((Cell::Missing(MissingKind::NotAvailable), Status::Final))
        );
        assert_eq!(
            parse_number_cell("x"),
            Some((Cell::Missing(MissingKind::Secret), Status::Final))
        );
        assert_eq!(
            parse_number_cell("-"),
            Some((Cell::Number(0.0), Status::Nil))
        );
        assert_eq!(
            parse_number_cell("-12"),
            Some((Cell::Number(-12.0), Status::Final))
        );
        assert_eq!(
            parse_number_cell("123*"),
            Some((Cell::Number(123.0), Status::Provisional))
        );
        assert!(parse_number_cell("NaN").is_none());
        assert!(parse_number_cell("inf").is_none());
        assert!(parse_number_cell("1.234,5").is_none());
        assert!(parse_number_cell("12a").is_none());
    }

    #[test]
    fn sexes() {
        assert_eq!(parse_sex("Totaal mannen en vrouwen"), Some("T"));
        assert_eq!(parse_sex("3000   "), Some("M"));
        assert_eq!(parse_sex("F"), Some("V"));
        assert_eq!(
            split_sex_header("Levende vrouwen"),
            Some(("V", "Levende".to_string()))
        );
        assert_eq!(split_sex_header("Mannen"), Some(("M", String::new())));
        assert_eq!(split_sex_header("Leeftijd"), None);
    }

    #[test]
    fn region_codes() {
        assert!(is_region_code("GM0363"));
        assert!(is_region_code("NL01  "));
        assert!(is_region_code("PV27"));
        assert!(!is_region_code("Amsterdam"));
        assert!(!is_region_code("2024"));
    }
}
