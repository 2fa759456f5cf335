//! Crosswalks between definitions: where the canonical count of a group ends up in one party's
//! definition (docs/METHODS.md §1e, approach 4).
//!
//! The canonical count is split, without loss, into the party's own age categories (the persons
//! the party also counts), the persons the party leaves out by age or sex, and those it leaves
//! out by its criterion. What the party counts beyond the canonical definition (other ages, a
//! wider criterion) is listed separately as `extra`. For age the weights come from the
//! single-year population (exact); for a criterion from the declared ratio.

use crate::population::grid::Pop;

use super::methods::profile_sum;

/// Where a row of the crosswalk belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Canonical members the party counts, in one of its categories.
    Binnen,
    /// Canonical members outside the party's ages or sex.
    BuitenLeeftijd,
    /// Canonical members within the party's ages that its criterion leaves out.
    BuitenCriterium,
    /// Persons the party counts that the canonical definition does not.
    Extra,
}

impl Part {
    pub fn label(self) -> &'static str {
        match self {
            Part::Binnen => "binnen definitie partij",
            Part::BuitenLeeftijd => "buiten leeftijd/geslacht partij",
            Part::BuitenCriterium => "buiten criterium partij",
            Part::Extra => "extra bij partij",
        }
    }
}

/// One crosswalk from the canonical count of a group to a party's categories.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosswalk {
    /// (category label, part, persons)
    pub rows: Vec<(String, Part, f64)>,
    pub canonical: f64,
    pub party_total: f64,
}

/// An age × sex window: ages `lo..=hi` (inclusive) of the sexes listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub lo: usize,
    pub hi: usize,
    pub sexes: Vec<usize>,
}

impl Window {
    fn sum(&self, p: &Pop) -> f64 {
        if self.lo > self.hi {
            return 0.0;
        }
        profile_sum(p, self.lo, self.hi, &self.sexes)
    }
    fn intersect(&self, o: &Window) -> Window {
        Window {
            lo: self.lo.max(o.lo),
            hi: self.hi.min(o.hi),
            sexes: self
                .sexes
                .iter()
                .copied()
                .filter(|s| o.sexes.contains(s))
                .collect(),
        }
    }
}

fn label(lo: usize, hi: usize) -> String {
    if hi >= 105 {
        format!("{lo}+")
    } else {
        format!("{lo}–{hi}")
    }
}

impl Crosswalk {
    /// Crosswalk with an age profile. `canon` and `party` are the two windows, `categories` the
    /// party's own age bands (a partition of the party's ages), `ratio` the party's criterion
    /// relative to the canonical one.
    pub fn by_age(
        profile: &Pop,
        canon: &Window,
        party: &Window,
        categories: &[(usize, usize)],
        ratio: f64,
    ) -> Crosswalk {
        let canonical = canon.sum(profile);
        let kept = ratio.min(1.0);
        let mut rows = Vec::new();
        let mut party_total = 0.0;
        let mut inside = 0.0;
        for &(lo, hi) in categories {
            let cat = Window {
                lo,
                hi,
                sexes: party.sexes.clone(),
            };
            let shared = cat.intersect(canon).sum(profile);
            inside += shared;
            rows.push((label(lo, hi), Part::Binnen, kept * shared));
            party_total += ratio * cat.sum(profile);
        }
        rows.push(("overig".into(), Part::BuitenLeeftijd, canonical - inside));
        rows.push((
            "overig".into(),
            Part::BuitenCriterium,
            (1.0 - kept) * inside,
        ));
        let extra_age = party_total - ratio * inside;
        if extra_age.abs() > 0.0 {
            rows.push(("andere leeftijden".into(), Part::Extra, extra_age));
        }
        if ratio > 1.0 {
            rows.push((
                "ruimer criterium".into(),
                Part::Extra,
                (ratio - 1.0) * inside,
            ));
        }
        Crosswalk {
            rows,
            canonical,
            party_total,
        }
    }

    /// Crosswalk for a group without an age profile: only the criterion differs.
    pub fn by_ratio(canonical: f64, ratio: f64) -> Crosswalk {
        let kept = ratio.min(1.0);
        let mut rows = vec![
            ("totaal".to_string(), Part::Binnen, kept * canonical),
            ("overig".to_string(), Part::BuitenLeeftijd, 0.0),
            (
                "overig".to_string(),
                Part::BuitenCriterium,
                (1.0 - kept) * canonical,
            ),
        ];
        if ratio > 1.0 {
            rows.push((
                "ruimer criterium".into(),
                Part::Extra,
                (ratio - 1.0) * canonical,
            ));
        }
        Crosswalk {
            rows,
            canonical,
            party_total: ratio * canonical,
        }
    }

    /// The canonical count rebuilt from the crosswalk (equals `canonical`).
    pub fn canonical_from_rows(&self) -> f64 {
        self.rows
            .iter()
            .filter(|r| r.1 != Part::Extra)
            .map(|r| r.2)
            .sum()
    }

    /// The party's count rebuilt from the crosswalk (equals `party_total`).
    pub fn party_from_rows(&self) -> f64 {
        self.rows
            .iter()
            .filter(|r| matches!(r.1, Part::Binnen | Part::Extra))
            .map(|r| r.2)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn crosswalk_preserves_both_totals(
            cells in proptest::collection::vec(0.0f64..1000.0, 212),
            c in (0usize..106, 0usize..106),
            p in (0usize..106, 0usize..106),
            cuts in proptest::collection::vec(0usize..106, 0..4),
            ratio in 0.0f64..2.0,
            psex in 0usize..3,
        ) {
            let profile = Pop::from_flat(&cells);
            let canon = Window { lo: c.0.min(c.1), hi: c.0.max(c.1), sexes: vec![0, 1] };
            let sexes = match psex { 0 => vec![0], 1 => vec![1], _ => vec![0, 1] };
            let party = Window { lo: p.0.min(p.1), hi: p.0.max(p.1), sexes };
            // Categories: the party's ages cut at some points.
            let mut bounds: Vec<usize> = cuts.into_iter().filter(|x| *x > party.lo && *x <= party.hi).collect();
            bounds.sort();
            bounds.dedup();
            let mut cats = Vec::new();
            let mut lo = party.lo;
            for b in bounds { cats.push((lo, b - 1)); lo = b; }
            cats.push((lo, party.hi));
            let x = Crosswalk::by_age(&profile, &canon, &party, &cats, ratio);
            let tol = 1e-9 * (1.0 + x.canonical.abs() + x.party_total.abs());
            prop_assert!((x.canonical_from_rows() - x.canonical).abs() < tol);
            prop_assert!((x.party_from_rows() - x.party_total).abs() < tol);
            prop_assert!((party.sum(&profile) * ratio - x.party_total).abs() < tol);
        }
    }
}
