//! Gemeentelijke herindelingen between consecutive years of the registry.
//!
//! Method: a gemeente code present in year y and absent in y+1 has gone. Its successor is
//! (1) the BRP gemeentetabel's "nieuwe code" when that code exists in y+1; otherwise
//! (2) one of the new codes of y+1 in the same COROP-gebied, chosen so that each new
//! gemeente's inwonertal in y+1 best matches the sum of the gemeenten assigned to it; or,
//! when no new code exists there, (3) the continuing gemeenten of the same province whose
//! inwonertal grew by more than the national growth, in proportion to that excess growth
//! (this splits a gemeente divided over several neighbours, such as Haaren in 2021).

use std::collections::{BTreeMap, BTreeSet};

use crate::source::{Cell, Status, TidyRow, TidyTable};

use super::error::GeoError;
use super::registry::{Indeling, Registry};

/// One part of a gemeente that went into another on 1 January of `year`.
#[derive(Debug, Clone, PartialEq)]
pub struct Merger {
    /// First year of the new indeling.
    pub year: u16,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    /// Share of `from` that went to `to` (1 for a merger; less for a split).
    pub share: f64,
    pub method: &'static str,
}

impl Registry {
    /// All herindelingen between consecutive years of the registry, derived as described in
    /// the module documentation.
    pub fn mergers(&self) -> Vec<Merger> {
        let mut out = Vec::new();
        let years: Vec<u16> = self.years.keys().copied().collect();
        for w in years.windows(2) {
            let (a, b) = (&self.years[&w[0]], &self.years[&w[1]]);
            out.extend(self.transition(a, b));
        }
        out
    }

    /// When `code` is a gemeente merged away before `year`: (message, hint) naming its
    /// successor(s) and the date.
    pub fn merged_before(&self, code: &str, year: u16) -> Option<(String, String)> {
        let merged: Vec<Merger> = self
            .mergers()
            .into_iter()
            .filter(|m| m.from == code && m.year <= year)
            .collect();
        let m = merged.first()?;
        let to: Vec<String> = merged
            .iter()
            .map(|m| format!("{} {}", m.to, m.to_name))
            .collect();
        Some((
            format!(
                "gemeente {code} ({}) is used for {year}, but it went into {} on 1 January {}",
                m.from_name,
                to.join(" and "),
                m.year
            ),
            format!(
                "use the indeling of {year} (woonzorg regions --year {year}), or a period before {}",
                m.year
            ),
        ))
    }

    /// [`Registry::merged_before`] for a gemeente given by its code or by its old name
    /// (`Beemster`, which no indeling after 2021 knows).
    pub fn merged_away(&self, query: &str, year: u16) -> Option<(String, String)> {
        self.merged_before(query, year).or_else(|| {
            self.resolve_name(query, None)
                .and_then(|code| self.merged_before(&code, year))
        })
    }

    /// What is wrong with gemeente code `code` in `year`, as (message, hint): merged away
    /// before that year ([`Registry::merged_before`]), or a code no year of the registry knows.
    /// `None` when the code is a gemeente of that year, or the year is outside the registry.
    pub fn code_problem(&self, code: &str, year: u16) -> Option<(String, String)> {
        let ind = self.years.get(&year)?;
        if ind.gemeenten.contains_key(code) {
            return None;
        }
        self.merged_before(code, year).or_else(|| {
            Some((
                format!("unknown gemeente code {code} in {year}"),
                format!(
                    "no indeling of {} has this code; list the codes with woonzorg regions --year {year}",
                    self.year_range()
                ),
            ))
        })
    }

    /// Refuse a gemeente code a table uses in a year when that gemeente did not exist then
    /// (see [`Registry::code_problem`]); names the file and line.
    pub fn check_gemeente_codes(&self, t: &TidyTable) -> Result<(), GeoError> {
        for r in &t.rows {
            if !r.region.starts_with("GM") {
                continue;
            }
            let Some(year) = crate::source::codes::period_year(&r.period) else {
                continue;
            };
            if let Some((message, hint)) = self.code_problem(&r.region, year) {
                return Err(GeoError::CodeInTable {
                    path: t.path.clone(),
                    line: r.line,
                    message,
                    hint,
                });
            }
        }
        Ok(())
    }

    fn transition(&self, a: &Indeling, b: &Indeling) -> Vec<Merger> {
        let gone: BTreeSet<&String> = a
            .gemeenten
            .keys()
            .filter(|c| !b.gemeenten.contains_key(*c))
            .collect();
        let new: BTreeSet<&String> = b
            .gemeenten
            .keys()
            .filter(|c| !a.gemeenten.contains_key(*c))
            .collect();
        let mut out = Vec::new();
        let name_a = |c: &str| {
            a.gemeenten
                .get(c)
                .map(|g| g.name.clone())
                .unwrap_or_default()
        };
        let name_b = |c: &str| {
            b.gemeenten
                .get(c)
                .map(|g| g.name.clone())
                .unwrap_or_default()
        };
        let mut left: Vec<&String> = Vec::new();
        for d in &gone {
            let brp = self
                .brp
                .iter()
                .find(|g| &&g.code == d)
                .and_then(|g| g.new_code.clone())
                .filter(|n| b.gemeenten.contains_key(n));
            match brp {
                Some(to) => out.push(Merger {
                    year: b.year,
                    from: (*d).clone(),
                    from_name: name_a(d),
                    to_name: name_b(&to),
                    to,
                    share: 1.0,
                    method: "BRP-gemeentetabel",
                }),
                None => left.push(d),
            }
        }
        // (2) new codes in the same COROP-gebied, best population fit.
        let cr_of = |ind: &Indeling, c: &str| {
            ind.gemeenten
                .get(c)
                .and_then(|g| g.member_of.get("CR").cloned())
                .unwrap_or_default()
        };
        let inw =
            |ind: &Indeling, c: &str| ind.gemeenten.get(c).and_then(|g| g.inwoners).unwrap_or(0.0);
        let mut by_cr: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for d in &left {
            by_cr.entry(cr_of(a, d)).or_default().push(d);
        }
        let mut absorbed: Vec<&String> = Vec::new();
        for (cr, ds) in by_cr {
            let cands: Vec<&String> = new.iter().copied().filter(|n| cr_of(b, n) == cr).collect();
            if cands.is_empty() {
                absorbed.extend(ds);
                continue;
            }
            let assignment = best_assignment(&ds, &cands, |d| inw(a, d), |c| inw(b, c));
            for (d, c) in ds.iter().zip(assignment) {
                out.push(Merger {
                    year: b.year,
                    from: (*d).clone(),
                    from_name: name_a(d),
                    to: cands[c].clone(),
                    to_name: name_b(cands[c]),
                    share: 1.0,
                    method: "nieuwe gemeente in hetzelfde COROP-gebied",
                });
            }
        }
        // (3) absorbed by continuing gemeenten of the same province, by excess growth.
        if !absorbed.is_empty() {
            let continuing: Vec<&String> = a
                .gemeenten
                .keys()
                .filter(|c| b.gemeenten.contains_key(*c))
                .collect();
            let (sa, sb) = continuing
                .iter()
                .fold((0.0, 0.0), |(x, y), c| (x + inw(a, c), y + inw(b, c)));
            let gone_total: f64 = absorbed.iter().map(|d| inw(a, d)).sum();
            // National growth of continuing gemeenten, without the absorbed population.
            let growth = if sa > 0.0 {
                (sb - gone_total) / sa
            } else {
                1.0
            };
            let pv_of = |ind: &Indeling, c: &str| {
                ind.gemeenten
                    .get(c)
                    .and_then(|g| g.member_of.get("PV").cloned())
                    .unwrap_or_default()
            };
            for d in absorbed {
                let pv = pv_of(a, d);
                let size = inw(a, d);
                let mut excess: Vec<(&String, f64)> = continuing
                    .iter()
                    .copied()
                    .filter(|c| pv_of(b, c) == pv)
                    .map(|c| (c, inw(b, c) - inw(a, c) * growth))
                    .filter(|(_, e)| *e > 0.05 * size)
                    .collect();
                excess.sort_by(|x, y| y.1.total_cmp(&x.1));
                if excess.is_empty() {
                    continue;
                }
                let total: f64 = excess.iter().map(|(_, e)| e).sum();
                let single = excess[0].1 >= 0.75 * size || excess.len() == 1;
                let parts: Vec<(&String, f64)> = if single {
                    vec![(excess[0].0, 1.0)]
                } else {
                    excess.iter().map(|(c, e)| (*c, e / total)).collect()
                };
                let method = if single {
                    "opgegaan in bestaande gemeente (bevolkingsgroei)"
                } else {
                    "verdeeld over bestaande gemeenten (naar bevolkingsgroei)"
                };
                for (c, share) in parts {
                    out.push(Merger {
                        year: b.year,
                        from: d.clone(),
                        from_name: name_a(d),
                        to: c.clone(),
                        to_name: name_b(c),
                        share,
                        method,
                    });
                }
            }
        }
        out.sort_by(|x, y| (x.year, &x.to, &x.from).cmp(&(y.year, &y.to, &y.from)));
        out
    }

    /// Harmonise a gemeente table of `from_year`'s indeling to `to_year`'s: counts of merged
    /// gemeenten are summed, split gemeenten divided by their shares. The total is preserved.
    pub fn harmonise(
        &self,
        values: &BTreeMap<String, f64>,
        from_year: u16,
        to_year: u16,
    ) -> Result<BTreeMap<String, f64>, GeoError> {
        self.harmonise_with(&self.mergers(), values, from_year, to_year)
    }

    /// A gemeente table of a year before the registry's first (`from_year`, 1 January) in the
    /// indeling of that first year: each code follows the BRP gemeentetabel's successor codes
    /// through every change dated after 1 January `from_year` up to 1 January of the first year
    /// (mergers and renumberings; the BRP table names one successor, so a gemeente divided over
    /// several goes whole to the one it names). Codes the first year does not know after that
    /// are returned apart, with their values.
    pub fn brp_forward(
        &self,
        values: &BTreeMap<String, f64>,
        from_year: u16,
    ) -> (BTreeMap<String, f64>, BTreeMap<String, f64>) {
        let Some((&first, ind)) = self.years.iter().next() else {
            return (BTreeMap::new(), values.clone());
        };
        let (after, until) = (format!("{from_year}0101"), format!("{first}0101"));
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        let mut unknown = BTreeMap::new();
        for (code, v) in values {
            let mut code = code.clone();
            // At most as many steps as the table has rows (a cycle cannot hang).
            for _ in 0..self.brp.len() {
                let next = self.brp.iter().find(|b| {
                    b.code == code
                        && b.end
                            .as_deref()
                            .is_some_and(|e| e > after.as_str() && e <= until.as_str())
                });
                match next.and_then(|b| b.new_code.clone()) {
                    Some(n) if n != code => code = n,
                    _ => break,
                }
            }
            if from_year >= first || ind.gemeenten.contains_key(&code) {
                *out.entry(code).or_default() += v;
            } else {
                unknown.insert(code, *v);
            }
        }
        (out, unknown)
    }

    /// [`Registry::harmonise`] with the mergers already derived (callers that harmonise many
    /// tables derive them once).
    pub fn harmonise_with(
        &self,
        mergers: &[Merger],
        values: &BTreeMap<String, f64>,
        from_year: u16,
        to_year: u16,
    ) -> Result<BTreeMap<String, f64>, GeoError> {
        if to_year < from_year {
            return Err(GeoError::UnknownYear {
                year: to_year,
                available: format!("harmonising goes forward only (from {from_year})"),
            });
        }
        let from = self.year(from_year)?;
        self.year(to_year)?;
        for code in values.keys() {
            if !from.gemeenten.contains_key(code) {
                return Err(GeoError::UnknownGemeente {
                    code: code.clone(),
                    year: from_year,
                    hint: format!("the table must use the indeling of {from_year}"),
                });
            }
        }
        let mut current = values.clone();
        for year in (from_year + 1)..=to_year {
            if !self.years.contains_key(&year) {
                continue;
            }
            let mut next: BTreeMap<String, f64> = BTreeMap::new();
            for (code, v) in current {
                let parts: Vec<&Merger> = mergers
                    .iter()
                    .filter(|m| m.year == year && m.from == code)
                    .collect();
                if parts.is_empty() {
                    *next.entry(code).or_default() += v;
                } else {
                    let total: f64 = parts.iter().map(|m| m.share).sum();
                    for m in parts {
                        *next.entry(m.to.clone()).or_default() += v * m.share / total;
                    }
                }
            }
            current = next;
        }
        Ok(current)
    }
}

/// Totals of one harmonised group (measure × period × sex × age × category), before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct HarmoniseTotal {
    pub measure: String,
    pub period: String,
    pub gemeenten_before: usize,
    pub gemeenten_after: usize,
    pub before: f64,
    pub after: f64,
}

/// Everything that identifies a value but the region.
type GroupKey = (String, String, String, String, String, String);

impl Registry {
    /// Harmonise the gemeente rows of a tidy table from `from`'s indeling to `to`'s, per
    /// measure, period, sex, age and category. Rows of other regions are dropped.
    pub fn harmonise_table(
        &self,
        t: &TidyTable,
        from: u16,
        to: u16,
    ) -> Result<(TidyTable, Vec<HarmoniseTotal>), GeoError> {
        let mut groups: BTreeMap<GroupKey, BTreeMap<String, f64>> = BTreeMap::new();
        for r in &t.rows {
            if let (true, Cell::Number(v)) = (r.region.starts_with("GM"), &r.value) {
                let key = (
                    r.period.clone(),
                    r.sex.clone(),
                    r.age.clone(),
                    r.category.clone(),
                    r.measure.clone(),
                    r.unit.clone(),
                );
                *groups
                    .entry(key)
                    .or_default()
                    .entry(r.region.clone())
                    .or_default() += v;
            }
        }
        if groups.is_empty() {
            return Err(GeoError::Registry {
                path: t.path.clone(),
                message: "no gemeente rows with numbers".into(),
                hint: "the table needs GM codes or gemeente names".into(),
            });
        }
        let mergers = self.mergers();
        let names = &self.year(to)?.gemeenten;
        let mut rows = Vec::new();
        let mut totals = Vec::new();
        for ((period, sex, age, category, measure, unit), values) in groups {
            let after = self.harmonise_with(&mergers, &values, from, to)?;
            totals.push(HarmoniseTotal {
                measure: measure.clone(),
                period: period.clone(),
                gemeenten_before: values.len(),
                gemeenten_after: after.len(),
                before: values.values().sum(),
                after: after.values().sum(),
            });
            for (code, v) in after {
                rows.push(TidyRow {
                    region_name: names.get(&code).map(|g| g.name.clone()).unwrap_or_default(),
                    region: code,
                    period: period.clone(),
                    sex: sex.clone(),
                    age: age.clone(),
                    category: category.clone(),
                    measure: measure.clone(),
                    unit: unit.clone(),
                    value: Cell::Number(v),
                    status: Status::Final,
                    line: 0,
                });
            }
        }
        let mut out = t.clone();
        out.rows = rows;
        Ok((out, totals))
    }
}

/// Assign each gone gemeente to one candidate so that the candidates' populations are met
/// best (least sum of squared relative misfits); exhaustive for small groups.
fn best_assignment(
    ds: &[&String],
    cands: &[&String],
    pop_d: impl Fn(&str) -> f64,
    pop_c: impl Fn(&str) -> f64,
) -> Vec<usize> {
    let k = cands.len();
    if k == 1 || ds.len() > 10 {
        return vec![0; ds.len()];
    }
    let combos = k.pow(ds.len() as u32);
    let mut best = (f64::INFINITY, vec![0; ds.len()]);
    for mut n in 0..combos {
        let mut assign = Vec::with_capacity(ds.len());
        for _ in 0..ds.len() {
            assign.push(n % k);
            n /= k;
        }
        let mut sums = vec![0.0; k];
        for (d, &c) in ds.iter().zip(&assign) {
            sums[c] += pop_d(d);
        }
        let cost: f64 = cands
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let target = pop_c(c).max(1.0);
                ((sums[i] - target) / target).powi(2)
            })
            .sum();
        if cost < best.0 {
            best = (cost, assign);
        }
    }
    best.1
}
