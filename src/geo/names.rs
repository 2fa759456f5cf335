//! Region names → CBS codes. Label-mode CBS files name regions (`'s-Gravenhage (gemeente)`,
//! `Utrecht (PV)`, `Delft en Westland (CR)`); the Gebieden in Nederland table of the matching
//! year, then of the other years, then the BRP gemeentetabel, give the code.

use std::collections::HashMap;

use crate::source::TidyTable;
use crate::source::codes::period_year;

use super::registry::Registry;

/// Suffixes CBS puts behind region names, and the code prefix each stands for.
const SUFFIXES: [(&str, &str); 8] = [
    ("(gemeente)", "GM"),
    ("(PV)", "PV"),
    ("(CR)", "CR"),
    ("(LD)", "LD"),
    ("(GG)", "GG"),
    ("(ZK)", "ZK"),
    ("(AM)", "AM"),
    ("(COROP)", "CR"),
];

fn simplify(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .replace(['.', '’'], "")
        .replace("  ", " ")
}

/// Whether `short` abbreviates `long` word by word (`veiligh en gez x` ↔ `veiligheids- en gezondheidsregio x`).
fn abbreviates(short: &str, long: &str) -> bool {
    let a: Vec<&str> = short.split_whitespace().collect();
    let b: Vec<&str> = long.split_whitespace().collect();
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| y.starts_with(x))
}

impl Registry {
    /// The names of `year` nearest to `query`, for "did you mean": first the gemeenten and
    /// regions whose name holds a word of the query of four letters or more ("Den Bosch" →
    /// 's-Hertogenbosch), then the closest by edit distance (Levenshtein, `strsim`) within a
    /// third of the query's length; at most `n`, as (code, name).
    pub fn nearest_names(&self, year: u16, query: &str, n: usize) -> Vec<(String, String)> {
        let Ok(ind) = self.year(year) else {
            return Vec::new();
        };
        let want = simplify(query);
        let words: Vec<&str> = want
            .split_whitespace()
            .filter(|w| w.chars().count() >= 4)
            .collect();
        let limit = (want.chars().count() / 3).max(2);
        let mut scored: Vec<(usize, &String, &String)> = ind
            .region_names
            .iter()
            .filter_map(|(code, name)| {
                let s = simplify(name);
                let score = if words.iter().any(|w| s.contains(w)) {
                    0
                } else {
                    let d = strsim::levenshtein(&want, &s);
                    if d > limit {
                        return None;
                    }
                    d
                };
                Some((score, code, name))
            })
            .collect();
        // Gemeenten before regions of the same name, then by code.
        scored.sort_by(|a, b| {
            (a.0, !a.1.starts_with("GM"), a.1).cmp(&(b.0, !b.1.starts_with("GM"), b.1))
        });
        scored
            .into_iter()
            .take(n)
            .map(|(_, c, name)| (c.clone(), name.clone()))
            .collect()
    }

    /// The code of a region name in a given year (or near it).
    pub fn resolve_name(&self, name: &str, year: Option<u16>) -> Option<String> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("nederland") {
            return Some("NL01".into());
        }
        let (base, prefix) = SUFFIXES
            .iter()
            .find_map(|(suf, p)| name.strip_suffix(suf).map(|b| (b.trim(), Some(*p))))
            .unwrap_or((name, None));
        let want = simplify(base);
        // Years to try: the given year first, then nearest.
        let mut years: Vec<u16> = self.years.keys().copied().collect();
        let y0 = year.unwrap_or_else(|| years.last().copied().unwrap_or(2024));
        years.sort_by_key(|y| (i32::from(*y) - i32::from(y0)).abs());
        let prefix = prefix.unwrap_or("GM");
        for y in &years {
            let ind = &self.years[y];
            if prefix == "GM" {
                if let Some(g) = ind.gemeenten.values().find(|g| simplify(&g.name) == want) {
                    return Some(g.code.clone());
                }
            } else if let Some((code, _)) = ind
                .region_names
                .iter()
                .find(|(c, n)| c.starts_with(prefix) && simplify(n) == want)
            {
                return Some(code.clone());
            }
        }
        if prefix != "GM" {
            // Abbreviated names ("Veiligh. en Gez. Gelderland-Midden"): every word a prefix of
            // the word at the same place, and only one region of that kind matching.
            for y in &years {
                let hits: Vec<&String> = self.years[y]
                    .region_names
                    .iter()
                    .filter(|(c, n)| c.starts_with(prefix) && abbreviates(&want, &simplify(n)))
                    .map(|(c, _)| c)
                    .collect();
                if hits.len() == 1 {
                    return Some(hits[0].clone());
                }
            }
        }
        if prefix == "GM" {
            // Historic gemeenten: the BRP gemeentetabel; the latest one of that name.
            let mut hits: Vec<_> = self
                .brp
                .iter()
                .filter(|g| simplify(&g.name) == want)
                .collect();
            hits.sort_by_key(|g| g.end.clone().unwrap_or_else(|| "99999999".into()));
            if let Some(g) = hits.last() {
                return Some(g.code.clone());
            }
        }
        None
    }

    /// Fill `region` in every row that only has a name; returns the names left unresolved.
    pub fn resolve_regions(&self, table: &mut TidyTable) -> Vec<String> {
        let mut cache: HashMap<(String, Option<u16>), Option<String>> = HashMap::new();
        let mut unresolved = Vec::new();
        for r in table
            .rows
            .iter_mut()
            .filter(|r| r.region.is_empty() && !r.region_name.is_empty())
        {
            let y = period_year(&r.period);
            let code = cache
                .entry((r.region_name.clone(), y))
                .or_insert_with(|| self.resolve_name(&r.region_name, y))
                .clone();
            match code {
                Some(c) => r.region = c,
                None => unresolved.push(r.region_name.clone()),
            }
        }
        unresolved.sort();
        unresolved.dedup();
        unresolved
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn abbreviations() {
        assert!(super::abbreviates(
            "veiligh en gez gelderland-midden",
            "veiligheids- en gezondheidsregio gelderland-midden"
        ));
        assert!(!super::abbreviates(
            "veiligh gelderland",
            "veiligheids- en gezondheidsregio gelderland-midden"
        ));
    }
}
