//! Costs per payer: persons in a care setting × cost per person-year, summed per payer
//! (Wmo/gemeente, Wlz/zorgkantoor, Zvw/zorgverzekeraar, corporatie). Who invests in prevention
//! is often not who profits: the scenario shows the path per payer and the shift between them.

use std::collections::BTreeMap;

/// One setting's cost in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingCost {
    pub setting: String,
    pub group: String,
    pub payer: String,
    pub persons: f64,
    pub per_person_year: f64,
    pub cost: f64,
}

/// **Cost of care settings**: cost = persons × share in the setting × euro per person-year.
pub fn setting_cost(
    setting: &str,
    group: &str,
    payer: &str,
    persons: f64,
    share: f64,
    per_person_year: f64,
) -> SettingCost {
    let p = persons * share;
    SettingCost {
        setting: setting.into(),
        group: group.into(),
        payer: payer.into(),
        persons: p,
        per_person_year,
        cost: p * per_person_year,
    }
}

/// Costs summed per payer (sorted by payer).
pub fn per_payer(costs: &[SettingCost]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for c in costs {
        *out.entry(c.payer.clone()).or_insert(0.0) += c.cost;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payers_add_up_to_the_total() {
        let c = vec![
            setting_cost("verpleeghuis", "wlz", "Wlz", 10.0, 1.0, 100.0),
            setting_cost("beschermd wonen", "bw", "Wmo", 4.0, 0.5, 50.0),
            setting_cost("begeleiding", "bw", "Wmo", 4.0, 0.5, 10.0),
        ];
        let p = per_payer(&c);
        assert_eq!(p["Wmo"], 120.0);
        assert_eq!(
            p.values().sum::<f64>(),
            c.iter().map(|x| x.cost).sum::<f64>()
        );
    }
}
