//! The areas a run reports: each gemeente, each report region, the whole selection; or NL.

use crate::geo::ResolvedRegion;
use crate::population::grid::Pop;

use super::projection::VariantResult;

/// A region the outputs report: a gemeente, a roll-up of gemeenten, the selection, or NL.
#[derive(Debug, Clone)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// Gemeente codes (empty for NL01, which is the national projection).
    pub members: Vec<String>,
}

/// A region for people: "Delft (GM0503)", or the selection by its name alone.
pub fn area_label(code: &str, name: &str) -> String {
    if code == "selectie" || code == name || name.ends_with(&format!("({code})")) {
        name.to_string()
    } else {
        format!("{name} ({code})")
    }
}

/// The name an annex and its charts give a region: a gemeente's name ("Delft"); a region's
/// name with its code ("Arnhem (CE0202)": the region is not the gemeente).
pub fn shown_name(kind: &str, code: &str, name: &str) -> String {
    match kind {
        "gemeente" | "" | "selectie" => name.to_string(),
        _ => area_label(code, name),
    }
}

impl Area {
    /// The area's name as the annex shows it ([`shown_name`]).
    pub fn shown_name(&self) -> String {
        shown_name(&self.kind, &self.code, &self.name)
    }

    /// The area of a resolved region (its member gemeenten).
    pub fn of_region(r: &ResolvedRegion) -> Area {
        Area {
            code: r.code.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            members: r.members.iter().map(|g| g.code.clone()).collect(),
        }
    }

    pub fn base_codes(&self) -> Vec<String> {
        if self.members.is_empty() {
            vec![self.code.clone()]
        } else {
            self.members.clone()
        }
    }

    /// Whether the area's base is observed: NL01, or gemeenten whose single years were given.
    pub fn observed(&self, v: &VariantResult) -> bool {
        if self.members.is_empty() {
            return true;
        }
        let Some(g) = v.gemeenten.as_ref() else {
            return false;
        };
        self.members.iter().all(|m| {
            g.codes
                .iter()
                .position(|c| c == m)
                .is_some_and(|i| g.observed.get(i).copied().unwrap_or(false))
        })
    }

    /// The projected stock of this area in year `y` for a variant.
    pub fn stock(&self, v: &VariantResult, y: u16) -> Option<Pop> {
        let i = usize::from(y.checked_sub(v.national.base_year)?);
        if self.members.is_empty() {
            return v.national.stocks.get(i).copied();
        }
        let g = v.gemeenten.as_ref()?;
        let mut p = Pop::default();
        for m in &self.members {
            let gi = g.index_of(m)?;
            p.add(g.stocks[gi].get(i)?);
        }
        Some(p)
    }

    /// Births, deaths and net migration of this area during year `y`.
    pub fn flows(&self, v: &VariantResult, y: u16) -> Option<(f64, f64, f64)> {
        let i = usize::from(y.checked_sub(v.national.base_year)?);
        let sum = |c: &crate::population::project::Components| {
            (
                c.births[0] + c.births[1],
                c.deaths.total(),
                c.migration.total(),
            )
        };
        if self.members.is_empty() {
            return v.national.flows.get(i).map(sum);
        }
        let g = v.gemeenten.as_ref()?;
        let mut acc = (0.0, 0.0, 0.0);
        for m in &self.members {
            let gi = g.index_of(m)?;
            let (b, d, n) = sum(g.flows[gi].get(i)?);
            acc = (acc.0 + b, acc.1 + d, acc.2 + n);
        }
        Some(acc)
    }
}

/// The areas of the outputs: each gemeente, each report region, the whole selection; or NL.
pub fn output_areas(
    gemeenten: &[(String, String)],
    report: &[ResolvedRegion],
    nederland: bool,
) -> Vec<Area> {
    if nederland {
        return vec![Area {
            code: "NL01".into(),
            name: "Nederland".into(),
            kind: "land".into(),
            members: Vec::new(),
        }];
    }
    let mut areas: Vec<Area> = gemeenten
        .iter()
        .map(|(c, n)| Area {
            code: c.clone(),
            name: n.clone(),
            kind: "gemeente".into(),
            members: vec![c.clone()],
        })
        .collect();
    for r in report {
        areas.push(Area {
            code: r.code.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            members: r.members.iter().map(|g| g.code.clone()).collect(),
        });
    }
    areas.push(Area {
        code: "selectie".into(),
        name: "Alle gemeenten (selectie)".into(),
        kind: "selectie".into(),
        members: gemeenten.iter().map(|(c, _)| c.clone()).collect(),
    });
    areas
}
