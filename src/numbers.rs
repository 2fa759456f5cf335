//! Numbers as the outputs write them, in one place: the shortest form that round-trips
//! (tidy tables), cents and six decimals written straight into a row's bytes (the output
//! tables, byte for byte what `format!` would write), and Dutch for people — thousands with a
//! point (`1.234.567`) and signed counts (`+1.234`, `−56`, `±0`) in the annex, the terminal and
//! the charts.

/// Format a number the shortest way that round-trips (`17407585`, `1.79`).
pub fn format_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
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

/// A Dutch decimal with a fixed number of places and a decimal comma, no thousands separator:
/// `nl_decimals(0.95, 2)` → "0,95", `nl_decimals(49.63, 1)` → "49,6".
pub fn nl_decimals(v: f64, places: usize) -> String {
    format!("{v:.places$}").replace('.', ",")
}

/// The months in Dutch, January first.
pub const DUTCH_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// `2026-12-06` → "6 december 2026"; `None` when it is not such a date.
pub fn dutch_date(iso: &str) -> Option<String> {
    let mut it = iso.splitn(3, '-');
    let y: u16 = it.next()?.parse().ok()?;
    let m: usize = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d) && (1990..=2100).contains(&y))
        .then(|| format!("{d} {} {y}", DUTCH_MONTHS[m - 1]))
}

/// A signed Dutch count: `+1.234`, `−56`, `±0`.
pub fn signed(v: f64) -> String {
    let s = nl_number(v.abs());
    if v.round() > 0.0 {
        format!("+{s}")
    } else if v.round() < 0.0 {
        format!("−{s}")
    } else {
        "±0".into()
    }
}

/// `v` rounded to cents as text (see [`push_cents_bytes`]).
pub fn cents(v: f64) -> String {
    let mut b = Vec::with_capacity(24);
    push_cents_bytes(&mut b, v);
    String::from_utf8(b).unwrap_or_default()
}

/// "00", "01", … "99": numbers are written two digits at a time.
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Write `n` in decimal into `out` from `at`; returns where the digits end. `out` has room
/// for the 20 digits of any `u64` after `at` (callers keep `at` ≤ 8).
#[inline]
fn put_digits(out: &mut [u8; 32], at: usize, mut n: u64) -> usize {
    let len = n.checked_ilog10().map_or(1, |d| d as usize + 1);
    let mut end = at + len;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        out[end - 2..end].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        end -= 2;
    }
    if n >= 10 {
        out[end - 2..end].copy_from_slice(&DIGIT_PAIRS[n as usize * 2..n as usize * 2 + 2]);
    } else {
        out[end - 1] = b'0' + n as u8;
    }
    at + len
}

/// Write the sign (when `negative`) and the whole part of a number at the start of `text`;
/// returns where it ends.
#[inline]
fn put_signed_whole(text: &mut [u8; 32], negative: bool, whole: u64) -> usize {
    let at = if negative {
        text[0] = b'-';
        1
    } else {
        0
    };
    put_digits(text, at, whole)
}

/// Append the first `len` bytes of `text` to `out`: the whole (fixed-size) buffer is copied
/// and the rest cut off again, which is cheaper than a copy of variable length.
#[inline]
fn push_prefix_of(out: &mut Vec<u8>, text: &[u8; 32], len: usize) {
    let end = out.len() + len;
    out.extend_from_slice(text);
    out.truncate(end);
}

/// Half away from zero, as `f64::round`, without the library call (`x - trunc(x)` is exact
/// for |x| < 2^52). Also returns the part after the point.
#[inline]
fn round_half_away(x: f64) -> (i64, f64) {
    let whole = x as i64;
    let rest = x - whole as f64;
    let rounded = if rest >= 0.5 {
        whole + 1
    } else if rest <= -0.5 {
        whole - 1
    } else {
        whole
    };
    (rounded, rest)
}

/// Append `v` rounded to cents, written exactly as
/// `format_number((v * 100.0).round() / 100.0)` writes it (`1234.5`, `-0.25`, `17`), but
/// from the whole number of cents instead of a shortest-round-trip float conversion. NaN and
/// infinity are written as such, for [`crate::output::tables::TableWriter`] to refuse.
pub fn push_cents_bytes(out: &mut Vec<u8>, v: f64) {
    let x = v * 100.0;
    // Beyond 13 digits before the point, a double's shortest form may differ: the slow path
    // (also for NaN and infinity).
    if x.is_nan() || x.abs() >= 1e15 - 1.0 {
        out.extend_from_slice(format_number(x.round() / 100.0).as_bytes());
        return;
    }
    let (c, _) = round_half_away(x);
    let a = c.unsigned_abs();
    let (whole, frac) = (a / 100, (a % 100) as u8);
    let mut text = [0u8; 32];
    let mut len = put_signed_whole(&mut text, c < 0, whole);
    if frac != 0 {
        text[len] = b'.';
        text[len + 1] = b'0' + frac / 10;
        len += 2;
        if frac % 10 != 0 {
            text[len] = b'0' + frac % 10;
            len += 1;
        }
    }
    push_prefix_of(out, &text, len);
}

/// Append `v` with six decimals, exactly as `format!("{v:.6}")` writes it, from the whole
/// number of millionths where that number is certain; near a tie, for large values, negative
/// zero, NaN and infinity through `fmt`.
pub fn push_decimals6_bytes(out: &mut Vec<u8>, v: f64) {
    use std::io::Write as _;
    let x = v * 1e6;
    // `fmt` rounds the exact binary value; `x` is within half an ulp (≤ 2^-13 below 1e12) of
    // v × 10^6, so away from a tie its rounding is the same.
    let certain = (x.abs() < 1e12)
        .then(|| round_half_away(x))
        .filter(|&(m, rest)| (rest.abs() - 0.5).abs() >= 1e-3 && !(m == 0 && v.is_sign_negative()));
    let Some((m, _)) = certain else {
        let _ = write!(out, "{v:.6}");
        return;
    };
    let a = m.unsigned_abs();
    let (whole, mut frac) = (a / 1_000_000, a % 1_000_000);
    let mut text = [0u8; 32];
    let len = put_signed_whole(&mut text, m < 0, whole);
    text[len] = b'.';
    for k in (0..3).rev() {
        let pair = (frac % 100) as usize * 2;
        frac /= 100;
        text[len + 1 + 2 * k..len + 3 + 2 * k].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    push_prefix_of(out, &text, len + 7);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next number of a xorshift sequence (test values over many magnitudes).
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn cents_are_written_as_the_rounded_float_would_be() {
        let slow = |v: f64| format_number((v * 100.0).round() / 100.0);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values = vec![
            0.0,
            -0.0,
            -0.004,
            -0.005,
            0.005,
            0.1,
            0.3,
            1.005,
            12.5,
            17.0,
            1234.567,
            -0.25,
            18_044_027.0,
            99_999_999.99,
            1e12 + 0.37,
            1e13 + 0.5,
            1e16,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
        ];
        for _ in 0..200_000 {
            // values over many magnitudes, both signs
            let x = xorshift(&mut x);
            let m = (x % 1_000_000_000) as f64 / 1000.0;
            let e = 10f64.powi((x >> 40) as i32 % 9 - 3);
            values.push(if x & 1 == 0 { m * e } else { -m * e });
        }
        for v in values {
            assert_eq!(cents(v), slow(v), "{v}");
        }
    }

    #[test]
    fn six_decimals_are_written_as_fmt_writes_them() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut values = vec![
            0.0,
            -0.0,
            -1e-9,
            1e-9,
            0.95,
            0.0000005,
            0.0000015,
            -0.0000025,
            1.0 / 3.0,
            2.0 / 3.0,
            123_456.123_456_5,
            999_999.999_999_5,
            1e6,
            1e12,
            -1e13,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ];
        for _ in 0..200_000 {
            let x = xorshift(&mut x);
            let m = (x % 10_000_000_000) as f64 / 1e7;
            let e = 10f64.powi((x >> 40) as i32 % 12 - 6);
            values.push(if x & 1 == 0 { m * e } else { -m * e });
            // exact ties and their neighbours
            let tie = ((x >> 20) % 1_000_000) as f64 / 1e6 + 5e-7;
            values.extend([tie, tie.next_up(), tie.next_down()]);
        }
        let mut out = Vec::new();
        for v in values {
            out.clear();
            push_decimals6_bytes(&mut out, v);
            assert_eq!(String::from_utf8_lossy(&out), format!("{v:.6}"), "{v:e}");
        }
    }

    #[test]
    fn dutch_numbers_group_thousands_and_sign_counts() {
        assert_eq!(nl_number(1234567.0), "1.234.567");
        assert_eq!(nl_number(-999.4), "-999");
        assert_eq!(nl_number(-1000.0), "-1.000");
        assert_eq!(nl_number(0.0), "0");
        assert_eq!(signed(1234.0), "+1.234");
        assert_eq!(signed(-56.2), "−56");
        assert_eq!(signed(0.4), "±0");
        assert_eq!(format_number(17407585.0), "17407585");
        assert_eq!(format_number(1.79), "1.79");
        assert_eq!(dutch_date("2026-12-06").as_deref(), Some("6 december 2026"));
        assert_eq!(dutch_date("2025-01-31").as_deref(), Some("31 januari 2025"));
        assert_eq!(dutch_date("2026-13-01"), None);
        assert_eq!(dutch_date("december"), None);
    }
}
