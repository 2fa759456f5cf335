//! Gemeenten: an estimated single-year base per gemeente, each gemeente's own net migration
//! level, and the joint projection of all gemeenten constrained to the national projection.

use std::collections::BTreeMap;

use crate::source::codes::period_year;
use crate::source::{Cell, TidyTable};

use super::PopulationError;
use super::constrain::{constrain_to_control, ipf_two_margins};
use super::grid::{AGES, OPEN_AGE, Pop};
use super::project::{Components, Projection, cohort_step};
use super::rates::{RateSet, YearRates};
use super::split::{BandTotal, rake_groups};

pub use super::base::gemeente_bands;

/// Raking of a reference population (national, single years × sex) to band totals that
/// cover both sexes: the estimated ("geschat") single-year base of a gemeente.
pub fn rake_pop(shape: &Pop, bands: &[BandTotal]) -> Result<Pop, PopulationError> {
    let groups: Vec<(Vec<usize>, f64)> = bands
        .iter()
        .map(|b| {
            (
                (b.lo..=b.hi).chain(AGES + b.lo..=AGES + b.hi).collect(),
                b.total,
            )
        })
        .collect();
    Ok(Pop::from_flat(&rake_groups(&shape.flat(), &groups)?))
}

/// The gemeenten of a regional projection.
#[derive(Debug, Clone)]
pub struct Gemeenten {
    pub codes: Vec<String>,
    pub names: Vec<String>,
    pub bases: Vec<Pop>,
    pub bands: Vec<Vec<BandTotal>>,
    /// Own net migration per year (level from recent population growth, or an override).
    pub net_migration: Vec<f64>,
    /// Whether the base is observed single years (an 03759ned-style table) rather than raked.
    pub observed: Vec<bool>,
    /// Per-gemeente rate overrides.
    pub overrides: Vec<RegionOverride>,
    /// Gemeente totals to meet per year (an external forecast used as control, or constant
    /// shares), by gemeente index; gemeenten without a value share the rest of the national
    /// total.
    pub total_targets: BTreeMap<u16, Vec<Option<f64>>>,
    /// Meet the total targets through each gemeente's net migration level (booked with its
    /// migration age pattern, see [`project_gemeenten`]) before the two-margin fit, instead of
    /// by the fit alone (which scales every age of a gemeente alike).
    pub targets_by_migration: bool,
}

/// Rates of one gemeente that differ from the national ones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionOverride {
    /// Multiplier on the death rates m(x).
    pub mortality: f64,
    /// Multiplier on the age-specific fertility rates.
    pub fertility: f64,
    /// Net migration per year, replacing the level from recent growth.
    pub net_migration: Option<f64>,
}

impl Default for RegionOverride {
    fn default() -> Self {
        RegionOverride {
            mortality: 1.0,
            fertility: 1.0,
            net_migration: None,
        }
    }
}

/// Observed single-year bases per gemeente from an 03759ned-style table (region × sex × single
/// age on 1 January `year`).
pub fn single_year_bases(t: &TidyTable, year: u16) -> BTreeMap<String, Pop> {
    let mut out: BTreeMap<String, Pop> = BTreeMap::new();
    for r in &t.rows {
        if period_year(&r.period) != Some(year)
            || !r.period.ends_with("JJ00")
            || r.region.is_empty()
        {
            continue;
        }
        let s = match r.sex.as_str() {
            "M" => 0,
            "V" => 1,
            _ => continue,
        };
        let Ok(a) = r.age.trim_end_matches('+').parse::<usize>() else {
            continue;
        };
        let Cell::Number(v) = r.value else { continue };
        out.entry(r.region.clone()).or_default().0[s][a.min(OPEN_AGE)] += v;
    }
    out.retain(|_, p| p.total() > 0.0);
    out
}

/// **Constant share** of the national projection (Smith, Tayman & Swanson 2013, ch. 8; "hard
/// to beat" at small-area level): the gemeente keeps its share of the national population of
/// the base year, `base_g / base_NL × projected_NL`.
pub fn constant_share(base: f64, base_nl: f64, projected_nl: f64) -> f64 {
    if base_nl > 0.0 {
        base * projected_nl / base_nl
    } else {
        0.0
    }
}

/// The length of the window of a gemeente's own growth (years), from which its net migration
/// level is taken: the run takes the growth of the five years to just after its base (1 January
/// base − 4 to base + 1, the last registry year), a backtest the five years up to its base.
pub const GROWTH_YEARS: u16 = 5;

/// Net migration level of each gemeente: mean yearly growth over the window minus its natural
/// increase (births − deaths of one step with the national rates, no migration).
pub fn own_net_migration(
    bases: &[Pop],
    growth_per_year: &[f64],
    rates: &RateSet,
    year: u16,
) -> Vec<f64> {
    let mut r = rates.year(year);
    r.migration = Pop::default();
    bases
        .iter()
        .zip(growth_per_year)
        .map(|(p, g)| {
            let (next, _) = cohort_step(p, &r);
            g - (next.total() - p.total())
        })
        .collect()
}

/// Ages at which a gemeente's own migration age pattern is used (see
/// [`own_migration_pattern`]): moving for study and first jobs sets the age structure here.
pub const OWN_PATTERN_AGES: (usize, usize) = (16, 30);

/// **Own migration age pattern of young adults** (constant-share / ratio method): the net
/// migration by age and sex, at the end of year t, that keeps the gemeente's share of the
/// national population at each age: `M(x) = P_g(x,t) / P_nat(x,t) · P_nat(x,t+1) − S_g(x)`,
/// with `S_g` the gemeente's survivors without migration. Only ages [`OWN_PATTERN_AGES`] are
/// kept: there a student town gains 18–24-year-olds and loses them again after 25, which the
/// national profile cannot show; at other ages a gemeente's share reflects its cohort history,
/// which the cohort step itself ages. Source: ratio (constant-share) methods, Smith, Tayman &
/// Swanson (2013), *A Practitioner's Guide to State and Local Population Projections*, ch. 9;
/// docs/METHODS.md §1a (regional migration by age). `r` must have no migration.
pub fn own_migration_pattern(
    base: &Pop,
    national_base: &Pop,
    national_next: &Pop,
    r: &YearRates,
) -> Pop {
    let (survivors, _) = cohort_step(base, r);
    let mut m = Pop::default();
    let (lo, hi) = OWN_PATTERN_AGES;
    for s in 0..2 {
        for x in lo..=hi {
            let nb = national_base.0[s][x];
            if nb > 0.0 {
                m.0[s][x] = base.0[s][x] / nb * national_next.0[s][x] - survivors.0[s][x];
            }
        }
    }
    m
}

/// The projection of all gemeenten, year by year.
#[derive(Debug, Clone)]
pub struct RegionalProjection {
    pub base_year: u16,
    pub codes: Vec<String>,
    pub names: Vec<String>,
    /// stocks[g][t − base]
    pub stocks: Vec<Vec<Pop>>,
    /// flows[g][t − base] for the year t → t+1 (migration includes the constraint adjustment)
    pub flows: Vec<Vec<Components>>,
    pub constrained: bool,
    /// Whether each gemeente's base was observed single years (else raked: "geschat").
    pub observed: Vec<bool>,
}

impl RegionalProjection {
    /// The position of a gemeente code: by bisection when the codes are in order (as the
    /// projection writes them), else by a scan.
    pub fn index_of(&self, code: &str) -> Option<usize> {
        match self.codes.binary_search_by(|c| c.as_str().cmp(code)) {
            Ok(i) => Some(i),
            Err(_) => self.codes.iter().position(|c| c == code),
        }
    }
}

/// Fit the estimated bases to both margins of the base year: each gemeente's band totals and
/// the national single-year × sex population (so that the gemeenten add up to Nederland).
pub fn fit_bases_to_national(
    g: &mut Gemeenten,
    national_base: &Pop,
) -> Result<usize, PopulationError> {
    ipf_two_margins(&mut g.bases, &g.bands, national_base)
}

/// Project every gemeente with the national rates and its own migration level (the national
/// age-sex profile scaled to the gemeente's total); with `constrain`, each year's gemeenten are
/// scaled per age × sex to the national projection (fit the bases first with
/// [`fit_bases_to_national`]). Where a year has total targets and
/// [`Gemeenten::targets_by_migration`] is set, a gemeente's level that year is the one that
/// meets its target after births and deaths (**housing-led / target-led migration**: the gap
/// between the target and the natural change is net migration, with the age pattern of
/// migration; GLA housing-led model, docs/METHODS.md §5A step 4), so the ages that hardly
/// migrate, the oldest, keep their own cohort course.
pub fn project_gemeenten(
    g: &Gemeenten,
    rates: &RateSet,
    national: &Projection,
    constrain: bool,
) -> Result<RegionalProjection, PopulationError> {
    let base_year = national.base_year;
    let mut current = g.bases.clone();
    let n = current.len();
    let years = usize::from(national.horizon().saturating_sub(base_year));
    let mut stocks: Vec<Vec<Pop>> = current
        .iter()
        .map(|p| {
            let mut s = Vec::with_capacity(years + 1);
            s.push(*p);
            s
        })
        .collect();
    let mut flows: Vec<Vec<Components>> = (0..n).map(|_| Vec::with_capacity(years)).collect();
    let national_total_profile = rates.migration.profile;
    // Young-adult migration pattern of each gemeente from its base-year age structure.
    let patterns: Vec<Pop> = match national.stocks.get(1) {
        Some(next) => {
            let mut r0 = rates.year(base_year);
            r0.migration = Pop::default();
            current
                .iter()
                .map(|p| own_migration_pattern(p, &national.stocks[0], next, &r0))
                .collect()
        }
        None => vec![Pop::default(); n],
    };
    for (i, t) in (base_year..national.horizon()).enumerate() {
        let m_t = rates.mortality.rates(t);
        let yr = rates.year_scaled(t, &m_t, 1.0, 1.0);
        let targets = g.total_targets.get(&(t + 1));
        // Every gemeente's step on its own, in parallel; the year's rates copied once per
        // thread, only their migration differs between gemeenten.
        use rayon::prelude::*;
        let (mut next, mut year_flows): (Vec<Pop>, Vec<Components>) = current
            .par_iter()
            .enumerate()
            .map_init(
                || yr.clone(),
                |shared, (gi, p)| {
                    let o = g.overrides.get(gi).copied().unwrap_or_default();
                    let mut scaled = (o.mortality != 1.0 || o.fertility != 1.0)
                        .then(|| rates.year_scaled(t, &m_t, o.mortality, o.fertility));
                    let own = scaled.as_mut().unwrap_or(shared);
                    let mut level = o
                        .net_migration
                        .unwrap_or_else(|| g.net_migration.get(gi).copied().unwrap_or(0.0));
                    let pat = &patterns[gi];
                    // A total to meet: the level that closes the gap left by births and deaths.
                    if let Some(target) = targets
                        .filter(|_| g.targets_by_migration)
                        .and_then(|t| t.get(gi).copied().flatten())
                    {
                        own.migration = Pop::default();
                        level = target - cohort_step(p, own).0.total();
                    }
                    let rest = level - pat.total();
                    for s in 0..2 {
                        for a in 0..AGES {
                            own.migration.0[s][a] =
                                pat.0[s][a] + national_total_profile[s][a] * rest;
                        }
                    }
                    cohort_step(p, own)
                },
            )
            .unzip();
        if constrain {
            match targets {
                Some(targets) => fit_totals_and_cells(
                    &mut next,
                    &mut year_flows,
                    targets,
                    &national.stocks[i + 1],
                )?,
                None => constrain_to_control(&mut next, &mut year_flows, &national.stocks[i + 1])?,
            }
        }
        stocks
            .par_iter_mut()
            .zip(flows.par_iter_mut())
            .zip(next.par_iter().zip(year_flows.into_par_iter()))
            .for_each(|((s, f), (p, c))| {
                s.push(*p);
                f.push(c);
            });
        current = next;
    }
    Ok(RegionalProjection {
        base_year,
        codes: g.codes.clone(),
        names: g.names.clone(),
        stocks,
        flows,
        constrained: constrain,
        observed: g.observed.clone(),
    })
}

/// Two margins (docs/METHODS.md §1a, "if only margins are given"): gemeente totals from an external
/// forecast (rows; gemeenten without one share what the national total leaves) and the
/// national age × sex cells (columns), by iterative proportional fitting. The change to each
/// gemeente is booked as migration.
pub fn fit_totals_and_cells(
    regions: &mut [Pop],
    flows: &mut [Components],
    targets: &[Option<f64>],
    control: &Pop,
) -> Result<(), PopulationError> {
    let before: Vec<Pop> = regions.to_vec();
    let national = control.total();
    let fixed: f64 = targets.iter().flatten().sum();
    // Rounding aside: targets that add up to the national total exactly are allowed.
    if fixed > national * (1.0 + 1e-12) {
        return Err(PopulationError::Method {
            method: "fit_totals_and_cells".into(),
            message: format!(
                "the external gemeente totals ({fixed:.0}) exceed the national total ({national:.0})"
            ),
        });
    }
    let mut none: Vec<Components> = Vec::new();
    for _ in 0..200 {
        // Rows: gemeenten with a target meet it; the others share the remainder.
        let free: f64 = regions
            .iter()
            .zip(targets)
            .filter(|(_, t)| t.is_none())
            .map(|(p, _)| p.total())
            .sum();
        let free_factor = if free > 0.0 {
            (national - fixed) / free
        } else {
            1.0
        };
        let mut worst: f64 = 0.0;
        for (p, t) in regions.iter_mut().zip(targets) {
            let total = p.total();
            let f = match t {
                Some(v) if total > 0.0 => v / total,
                Some(_) => 1.0,
                None => free_factor,
            };
            worst = worst.max((f - 1.0).abs());
            p.0.iter_mut()
                .for_each(|s| s.iter_mut().for_each(|x| *x *= f));
        }
        // Columns: the national cells.
        constrain_to_control(regions, &mut none, control)?;
        // Every gemeente within a millionth of its target (Amsterdam: one person).
        if worst < 1e-6 {
            break;
        }
    }
    for ((p, b), f) in regions.iter().zip(&before).zip(flows.iter_mut()) {
        for s in 0..2 {
            for a in 0..AGES {
                f.migration.0[s][a] += p.0[s][a] - b.0[s][a];
            }
        }
    }
    Ok(())
}

/// Read per-gemeente rate overrides: a CSV with columns `region, component, value, source`;
/// component `sterfte` (multiplier on death rates), `vruchtbaarheid` (multiplier on fertility)
/// or `migratiesaldo` (net migration per year). Every row needs a source.
pub fn load_overrides(
    path: &std::path::Path,
) -> Result<BTreeMap<String, RegionOverride>, crate::source::SourceError> {
    use crate::source::{Pos, SourceError};
    let (text, _) = crate::source::text::read_text(path)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| {
            SourceError::malformed(Pos::line(path, 1), e.to_string(), "a CSV with a header row")
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if header != ["region", "component", "value", "source"] {
        return Err(SourceError::malformed(
            Pos::line(path, 1),
            format!("header is {}", header.join(",")),
            "the header must be region,component,value,source",
        ));
    }
    let mut out: BTreeMap<String, RegionOverride> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            SourceError::malformed(
                Pos {
                    path: path.to_path_buf(),
                    line: e.position().map(|p| p.line()),
                    column: None,
                },
                e.to_string(),
                "check quoting",
            )
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() != 4 {
            return Err(SourceError::malformed(
                Pos::line(path, line),
                format!("{} fields, expected 4", rec.len()),
                "region,component,value,source",
            ));
        }
        let (region, component, raw, source) =
            (rec[0].trim(), rec[1].trim(), rec[2].trim(), rec[3].trim());
        if !region.starts_with("GM") || !crate::source::codes::is_region_code(region) {
            return Err(SourceError::malformed(
                Pos::cell(path, line, "region"),
                format!("'{region}' is not a gemeente code"),
                "use codes like GM0503",
            ));
        }
        if source.is_empty() {
            return Err(SourceError::malformed(
                Pos::cell(path, line, "source"),
                "no source".to_string(),
                "every number carries a source: a table id, a report, or \"aanname: …\"",
            ));
        }
        let value = crate::source::codes::parse_plain_number(raw).ok_or_else(|| {
            SourceError::BadNumber {
                pos: Pos::cell(path, line, "value"),
                value: raw.to_string(),
                hint: "a multiplier (e.g. 1.05) or a yearly net migration (e.g. -250)".into(),
            }
        })?;
        let o = out.entry(region.to_string()).or_default();
        match component {
            "sterfte" | "vruchtbaarheid" if value < 0.0 => {
                return Err(SourceError::malformed(
                    Pos::cell(path, line, "value"),
                    format!("multiplier {value} is negative"),
                    "a multiplier is ≥ 0",
                ));
            }
            "sterfte" => o.mortality = value,
            "vruchtbaarheid" => o.fertility = value,
            "migratiesaldo" => o.net_migration = Some(value),
            other => {
                return Err(SourceError::malformed(
                    Pos::cell(path, line, "component"),
                    format!("unknown component '{other}'"),
                    "sterfte, vruchtbaarheid or migratiesaldo",
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_year_bases_read_region_sex_age() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/population/7461bev_bevolking_nl.csv");
        let t = crate::source::read_one(&path).unwrap();
        let b = single_year_bases(&t, 2025);
        assert_eq!(b.len(), 1);
        assert_eq!(b["NL01"].total(), 18_044_027.0);
    }

    #[test]
    fn overrides_are_checked_row_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.csv");
        std::fs::write(&ok, "region,component,value,source\nGM0503,migratiesaldo,-250,aanname: test\nGM0503,sterfte,1.1,aanname: test\n").unwrap();
        let o = load_overrides(&ok).unwrap();
        assert_eq!(
            o["GM0503"],
            RegionOverride {
                mortality: 1.1,
                fertility: 1.0,
                net_migration: Some(-250.0)
            }
        );
        for (body, needle) in [
            (
                "region,component,value,source\nGM0503,sterfte,x,bron\n",
                "'x' is not a number",
            ),
            (
                "region,component,value,source\nGM0503,geluk,1,bron\n",
                "unknown component",
            ),
            (
                "region,component,value,source\nDelft,sterfte,1,bron\n",
                "not a gemeente code",
            ),
            (
                "region,component,value,source\nGM0503,sterfte,1,\n",
                "no source",
            ),
            (
                "region,component,value,source\nGM0503,sterfte,-1,bron\n",
                "negative",
            ),
        ] {
            let p = dir.path().join("bad.csv");
            std::fs::write(&p, body).unwrap();
            let e = load_overrides(&p).unwrap_err().to_string();
            assert!(e.contains(needle) && e.contains("bad.csv:2"), "{e}");
        }
    }
}
