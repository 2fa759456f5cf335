//! Verdeelsleutel: a regional opgave (the beschermd-wonen places of a centrumgemeente region,
//! say) divided over the member gemeenten — "welke gemeente neemt dat voor zijn rekening?".

/// **Proportional distribution** of `total` by `keys` (population, social-rent stock, or a
/// custom key): member i gets total × key_i / Σ key. The last member takes what rounding leaves,
/// so the parts add up to the total exactly. Returns `None` when the keys sum to zero.
pub fn distribute(total: f64, keys: &[f64]) -> Option<Vec<f64>> {
    let sum: f64 = keys.iter().sum();
    if keys.is_empty() || sum <= 0.0 || keys.iter().any(|k| *k < 0.0 || !k.is_finite()) {
        return None;
    }
    let mut out: Vec<f64> = keys.iter().map(|k| total * k / sum).collect();
    let head: f64 = out[..out.len() - 1].iter().sum();
    if let Some(last) = out.last_mut() {
        *last = total - head;
    }
    Some(out)
}

/// **Largest-remainder (Hamilton) rounding** of a distribution to whole units that add up to
/// the rounded total: each part gets its floor, the units left go to the largest remainders.
pub fn whole_units(parts: &[f64]) -> Vec<i64> {
    let total = parts.iter().sum::<f64>().round() as i64;
    let mut out: Vec<i64> = parts.iter().map(|p| p.floor() as i64).collect();
    let mut left = total - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (parts[a] - parts[a].floor(), parts[b] - parts[b].floor());
        rb.partial_cmp(&ra)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(parts.len().max(1) * 2) {
        if left == 0 {
            break;
        }
        out[i] += left.signum();
        left -= left.signum();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parts_add_up_to_the_total(total in 0.0f64..1e6, keys in proptest::collection::vec(0.001f64..1e5, 1..40)) {
            let parts = distribute(total, &keys).unwrap();
            let sum: f64 = parts.iter().sum();
            prop_assert!((sum - total).abs() <= 1e-9 * total.max(1.0));
            let units = whole_units(&parts);
            prop_assert_eq!(units.iter().sum::<i64>(), total.round() as i64);
        }
    }

    #[test]
    fn zero_keys_are_refused() {
        assert_eq!(distribute(10.0, &[0.0, 0.0]), None);
        assert_eq!(whole_units(&[1.5, 1.5, 1.0]), vec![2, 1, 1]);
    }
}
