//! Identities that must hold for any input: harmonising preserves totals.

use std::collections::BTreeMap;

use proptest::prelude::*;
use woonzorg::geo::Registry;

use crate::common::root;

fn registry() -> &'static Registry {
    static REG: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REG.get_or_init(|| Registry::load(&root().join("data/regions")).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any gemeente table of any year, harmonised to any later year: same total, only
    /// gemeenten of the target year, no negative counts.
    #[test]
    fn harmonising_preserves_the_total(from in 2016u16..=2025, span in 0u16..=9, seed in proptest::collection::vec(0.0f64..250_000.0, 400)) {
        let reg = registry();
        let to = (from + span).min(2025);
        let codes: Vec<String> = reg.years[&from].gemeenten.keys().cloned().collect();
        let values: BTreeMap<String, f64> = codes.iter().zip(&seed).map(|(c, v)| (c.clone(), v.round())).collect();
        let total: f64 = values.values().sum();
        let h = reg.harmonise(&values, from, to).unwrap();
        let after: f64 = h.values().sum();
        prop_assert!((after - total).abs() <= 1e-6 * total.max(1.0), "{} → {}", total, after);
        prop_assert!(h.keys().all(|c| reg.years[&to].gemeenten.contains_key(c)));
        prop_assert!(h.values().all(|v| *v >= 0.0));
    }
}
