//! Social-rent pressure: the lettings the aandachtsgroepen need against the lettings the
//! social-rent stock yields (docs/METHODS.md §1d; §2: 11,000 of 162,000 corporation lettings went to
//! statushouders in 2022).

/// One group's claim on the lettings of a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub group: String,
    /// Lettings the group needs (households).
    pub needed: f64,
    /// After the group's cap (a share of all lettings), if any.
    pub granted: f64,
}

/// The pressure of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Pressure {
    pub social_stock: f64,
    pub lettings: f64,
    pub claims: Vec<Claim>,
    /// Σ granted ÷ lettings.
    pub share: f64,
    pub threshold: f64,
    /// share > threshold: the aandachtsgroepen crowd out the regular home-seekers.
    pub verdringing: bool,
}

/// **Lettings and pressure**: lettings = sociale huurvoorraad × mutatiegraad; each group's need
/// (capped at `cap` × lettings where a cap is set); share = Σ granted ÷ lettings; verdringing
/// when the share passes the threshold.
pub fn pressure(
    social_stock: f64,
    mutatiegraad: f64,
    threshold: f64,
    needs: &[(String, f64, Option<f64>)],
) -> Pressure {
    let lettings = social_stock * mutatiegraad;
    let claims: Vec<Claim> = needs
        .iter()
        .map(|(g, need, cap)| Claim {
            group: g.clone(),
            needed: *need,
            granted: cap.map(|c| need.min(c * lettings)).unwrap_or(*need),
        })
        .collect();
    let granted: f64 = claims.iter().map(|c| c.granted).sum();
    let share = if lettings > 0.0 {
        granted / lettings
    } else {
        0.0
    };
    Pressure {
        social_stock,
        lettings,
        claims,
        share,
        threshold,
        verdringing: share > threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_is_needed_over_lettings_and_caps_bind() {
        let p = pressure(
            10_000.0,
            0.07,
            0.4,
            &[("a".into(), 100.0, None), ("b".into(), 300.0, Some(0.2))],
        );
        assert!((p.lettings - 700.0).abs() < 1e-9);
        assert!((p.claims[1].granted - 140.0).abs() < 1e-9);
        assert!((p.share - 240.0 / 700.0).abs() < 1e-12);
        assert!(!p.verdringing);
    }
}
