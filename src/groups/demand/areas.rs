//! The areas: units added up to an area, gross and net ([`GroupCounts::area`], [`AreaSums`]):
//! the overlaps taken out by priority.

use crate::population::grid::Pop;

use crate::groups::GroupError;
use crate::groups::overlap::net_by_priority_into;

use super::counts::*;
use super::plan::*;

/// Gross and net of one area.
#[derive(Debug, Clone)]
pub struct AreaGroups {
    /// `gross[group][t]`, `net[group][t]`.
    pub gross: Vec<Vec<f64>>,
    pub net: Vec<Vec<f64>>,
    /// Profiles summed over the area (when the counts kept them).
    pub profiles: Vec<Option<Vec<Pop>>>,
    pub flows: Vec<Vec<(&'static str, Vec<f64>)>>,
    /// Persons of each group's profile over its own ages and sexes, and their households
    /// (with household rates): `[group][t]`; 0 for a group without a profile.
    pub persons: Vec<Vec<f64>>,
    pub households: Option<Vec<Vec<f64>>>,
}

/// The counts of one area, flat `[group][year]`: a buffer that is filled again for every area
/// (what a Monte Carlo draw uses; [`AreaGroups`] is the same in nested vectors, with flows).
#[derive(Debug, Clone, Default)]
pub struct AreaSums {
    pub(super) n_years: usize,
    pub(super) gross: Vec<f64>,
    pub(super) net: Vec<f64>,
    pub(super) persons: Vec<f64>,
    pub(super) households: Option<Vec<f64>>,
    pub(super) pairs: Vec<f64>,
    pub(super) applied: Vec<f64>,
    pub(super) scratch: Vec<f64>,
}

impl AreaSums {
    pub(super) fn row<'a>(&self, v: &'a [f64], g: usize) -> &'a [f64] {
        &v[g * self.n_years..(g + 1) * self.n_years]
    }
    pub fn gross(&self, g: usize) -> &[f64] {
        self.row(&self.gross, g)
    }
    pub fn net(&self, g: usize) -> &[f64] {
        self.row(&self.net, g)
    }
    pub fn persons(&self, g: usize) -> &[f64] {
        self.row(&self.persons, g)
    }
    pub fn households(&self, g: usize) -> Option<&[f64]> {
        self.households.as_deref().map(|h| self.row(h, g))
    }
}

impl GroupCounts {
    /// Gross and net for an area: the sum of its units (gemeente codes; `NL01` for a national
    /// run), with flows and profiles. Units not counted are an error.
    pub fn area(&self, members: &[String]) -> Result<AreaGroups, GroupError> {
        // Units added in the plan's order (as a Monte Carlo draw adds them).
        let mut units = self.member_units(members)?;
        units.sort_unstable();
        let mut sums = AreaSums::default();
        self.area_sums(&units, &mut sums);
        let n = self.n_groups;
        let rows =
            |v: &[f64]| -> Vec<Vec<f64>> { (0..n).map(|g| sums.row(v, g).to_vec()).collect() };
        let mut flows: Vec<Vec<(&'static str, Vec<f64>)>> = (0..n)
            .map(|g| {
                self.flow_names[g]
                    .iter()
                    .map(|name| (*name, vec![0.0; self.n_years]))
                    .collect()
            })
            .collect();
        let mut profiles: Vec<Option<Vec<Pop>>> = vec![None; n];
        for &u in &units {
            for g in 0..n {
                for (k, (_, vals)) in self.flows(u, g).enumerate() {
                    add_to(&mut flows[g][k].1, vals);
                }
                if let Some(p) = self.profiles(u, g) {
                    let acc = profiles[g].get_or_insert_with(|| vec![Pop::default(); self.n_years]);
                    for (a, x) in acc.iter_mut().zip(p) {
                        a.add(x);
                    }
                }
            }
        }
        Ok(AreaGroups {
            gross: rows(&sums.gross),
            net: rows(&sums.net),
            profiles,
            flows,
            persons: rows(&sums.persons),
            households: sums.households.as_deref().map(rows),
        })
    }

    /// The positions among the counted units of an area's members (gemeente codes).
    pub fn member_units(&self, members: &[String]) -> Result<Vec<usize>, GroupError> {
        members
            .iter()
            .map(|m| {
                self.plan_index
                    .get(m)
                    .and_then(|&u| self.local.get(u).copied())
                    .filter(|&l| l != usize::MAX)
                    .ok_or_else(|| GroupError::Data {
                        what: format!("region {m}"),
                        message: "not counted by the group stage".into(),
                        hint: "the area's gemeenten must be in the run".into(),
                    })
            })
            .collect()
    }

    /// Gross and net of the area of `units` (positions from [`GroupCounts::member_units`]) into
    /// `out`: the units' counts added up, then the overlaps taken out ([`AreaSums::finish`]).
    pub fn area_sums(&self, units: &[usize], out: &mut AreaSums) {
        let n = self.n_groups;
        let t_n = self.n_years;
        let n_pairs = self.overlaps.own.len();
        out.reset(n, t_n, n_pairs, self.households.is_some());
        for &u in units {
            let at = u * self.n_groups * t_n;
            let pat = u * n_pairs * t_n;
            out.add(
                &self.values[at..at + n * t_n],
                &self.persons[at..at + n * t_n],
                self.households.as_ref().map(|h| &h[at..at + n * t_n]),
                &self.pairs[pat..pat + n_pairs * t_n],
            );
        }
        out.finish(&self.overlaps);
    }
}

impl AreaSums {
    /// Empty sums for `n` groups, `t_n` years and `n_pairs` computed overlaps.
    pub fn reset(&mut self, n: usize, t_n: usize, n_pairs: usize, households: bool) {
        let zeros = |v: &mut Vec<f64>, len: usize| {
            v.clear();
            v.resize(len, 0.0);
        };
        self.n_years = t_n;
        zeros(&mut self.gross, n * t_n);
        zeros(&mut self.net, n * t_n);
        zeros(&mut self.persons, n * t_n);
        zeros(&mut self.pairs, n_pairs * t_n);
        match (&mut self.households, households) {
            (Some(h), true) => zeros(h, n * t_n),
            (h, true) => *h = Some(vec![0.0; n * t_n]),
            (h, false) => *h = None,
        }
    }

    /// Add one unit's counts (flat `[group][year]`, pairs `[slot][year]`).
    pub fn add(
        &mut self,
        values: &[f64],
        persons: &[f64],
        households: Option<&[f64]>,
        pairs: &[f64],
    ) {
        add_to(&mut self.gross, values);
        add_to(&mut self.persons, persons);
        if let (Some(acc), Some(hh)) = (self.households.as_mut(), households) {
            add_to(acc, hh);
        }
        add_to(&mut self.pairs, pairs);
    }

    /// The counts of one unit alone, from [`count_units`]: the same as [`AreaSums::reset`]
    /// then [`AreaSums::add_unit`] (`0 + x`, so a negative zero becomes a zero), in one pass.
    pub fn set_unit(&mut self, n_years: usize, unit: &UnitCounts) {
        fn set(acc: &mut Vec<f64>, values: &[f64]) {
            acc.clear();
            acc.extend(values.iter().map(|v| 0.0 + v));
        }
        self.n_years = n_years;
        set(&mut self.gross, &unit.values);
        set(&mut self.persons, &unit.persons);
        set(&mut self.pairs, &unit.pairs);
        match &unit.households {
            Some(h) => set(self.households.get_or_insert_with(Vec::new), h),
            None => self.households = None,
        }
    }

    /// Add one unit's counts from [`count_units`].
    pub fn add_unit(&mut self, unit: &UnitCounts) {
        self.add(
            &unit.values,
            &unit.persons,
            unit.households.as_deref(),
            &unit.pairs,
        );
    }

    /// The net counts: year by year the overlaps taken out in the claim order
    /// ([`crate::groups::overlap::net_by_priority`]).
    pub fn finish(&mut self, overlaps: &Overlaps) {
        let t_n = self.n_years;
        let (pairs, persons, gross) = (&self.pairs, &self.persons, &self.gross);
        net_by_priority_into(
            gross,
            t_n,
            &overlaps.order,
            &overlaps.earlier,
            |i, j, out| overlaps.both(i, j, t_n, gross, persons, pairs, out),
            (&mut self.net, &mut self.applied, &mut self.scratch),
        );
    }
}

pub(super) fn add_to(acc: &mut [f64], values: &[f64]) {
    for (a, v) in acc.iter_mut().zip(values) {
        *a += v;
    }
}
