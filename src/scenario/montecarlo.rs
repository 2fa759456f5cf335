//! Monte Carlo draws (docs/METHODS.md §1f): every parameter with a `spread` is drawn, the population
//! too when `[uncertainty] population = "kernprognose"`, and the groups and dwellings are
//! counted per draw. Percentiles per cell (p2_5, p16_5, p50, p83_5, p97_5 — the 67 % and 95 %
//! intervals CBS publishes) are exact sample quantiles of the draws ([`sample_quantiles`]);
//! the draws are kept per chunk of areas, so memory stays bounded for any number of draws
//! (besides the drawn parameters of every draw, some 15 kB a draw).
//!
//! A draw does not redo the work on age × sex arrays: the group stage's population sums are
//! linear in the population, so a population between midden and laag/hoog is a mix of their
//! sums ([`PopulationSums::mixed`]); the methods then run on the mixed sums with the drawn
//! parameters ([`count_from_sums`]), the same code as the run itself.
//!
//! Reproducible: draw `d` uses ChaCha8 seeded with the run's seed on stream `d`; draws run in
//! parallel (rayon) in fixed batches and each lands in its own place, so the result does not
//! depend on the number of threads.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{StandardNormal, Triangular, Uniform};
use rayon::prelude::*;

use crate::groups::catalogue::{Catalogue, GROUP_PARAMS, bounds_of};
use crate::groups::demand::{
    AreaSums, CountSteps, GroupPlan, PopulationSums, SumsView, UnitCounts, count_units_with,
};
use crate::housing::HousingCatalogue;
use crate::housing::dwellings::{DwellingLinks, net_units_by_type};
use crate::source::sourced::{Bounds, Param, Spread};

use super::area::Area;
use super::plan::RunPlan;
use super::projection::VariantResult;

/// The quantiles reported, as fractions.
pub const QUANTILES: [f64; 5] = [0.025, 0.165, 0.5, 0.835, 0.975];
/// Their column names.
pub const QUANTILE_COLUMNS: [&str; 5] = ["p2_5", "p16_5", "p50", "p83_5", "p97_5"];

/// Standard-normal quantile of the Kernprognose's 67 % bounds (16.5 % and 83.5 %).
const Z_67: f64 = 0.974_114;

/// Draw one value of a parameter (its path moves along: shifted for additive spreads, scaled
/// for the lognormal), kept inside the parameter's declared [`Bounds`].
pub fn draw_param(p: &mut Param, bounds: &Bounds, rng: &mut ChaCha8Rng) {
    let Some(spread) = p.spread else { return };
    let old = p.value;
    let new = match spread {
        Spread::Normal(sd) => old + sd * rng.sample::<f64, _>(StandardNormal),
        Spread::Lognormal(sd) => old * (sd * rng.sample::<f64, _>(StandardNormal)).exp(),
        Spread::Triangular([lo, hi]) => match Triangular::new(lo, hi, old.clamp(lo, hi)) {
            Ok(t) if hi > lo => rng.sample(t),
            _ => old,
        },
        Spread::Uniform([lo, hi]) => match Uniform::new_inclusive(lo, hi) {
            Ok(u) => rng.sample(u),
            Err(_) => old,
        },
    };
    let keep = |v: f64| v.clamp(bounds.low, bounds.high);
    let new = keep(new);
    let lognormal = matches!(spread, Spread::Lognormal(_));
    for v in p.path.values_mut() {
        *v = keep(if lognormal && old != 0.0 {
            *v * new / old
        } else {
            *v + (new - old)
        });
    }
    p.value = new;
}

/// Draw every parameter of the group catalogue that can carry a spread, inside its bounds, in
/// the order of [`GROUP_PARAMS`] per group.
fn draw_group_params(c: &mut Catalogue, rng: &mut ChaCha8Rng) {
    for g in &mut c.groups {
        for p in GROUP_PARAMS.iter().filter(|p| p.drawn) {
            if let Some(v) = (p.get_mut)(g) {
                draw_param(v, &p.bounds, rng);
            }
        }
    }
}

/// Every parameter of the housing catalogue that can carry a spread, with its bounds.
fn housing_params(h: &mut HousingCatalogue) -> Vec<(&mut Param, &'static Bounds)> {
    let mut out: Vec<(&mut Param, &'static Bounds)> = vec![
        (&mut h.occupancy, bounds_of("bezettingsgraad")),
        (&mut h.geclusterd_cbs, bounds_of("geclusterd_cbs")),
        (&mut h.social_share, bounds_of("sociale_huur_aandeel")),
        (&mut h.mutatiegraad, bounds_of("mutatiegraad")),
        (&mut h.threshold, bounds_of("verdringing_drempel")),
    ];
    for g in &mut h.groups {
        out.push((&mut g.sociale_huur, bounds_of("sociale_huur")));
    }
    out
}

/// What every draw starts from.
pub struct DrawBase<'a> {
    /// The group catalogue as the deterministic run used it (spreads not yet drawn).
    pub catalogue: &'a Catalogue,
    pub plan: &'a GroupPlan,
    pub housing: Option<&'a HousingCatalogue>,
    /// The population sums of midden, and of laag and hoog when the population is drawn.
    pub midden: &'a PopulationSums,
    pub low_high: Option<(&'a PopulationSums, &'a PopulationSums)>,
    pub areas: &'a [Area],
    pub seed: u64,
}

impl DrawBase<'_> {
    fn n_years(&self) -> usize {
        self.plan.n_years()
    }
    /// Cells of one area: per group, per year gross then net.
    fn group_cells(&self) -> usize {
        self.catalogue.groups.len() * self.n_years() * 2
    }
    /// Cells of one area: per dwelling type, per year the net demand.
    fn dwelling_cells(&self) -> usize {
        self.housing.map_or(0, |h| h.types.len() * self.n_years())
    }
}

/// Areas whose cells are drawn together, the units counted for them, and where each unit's
/// counts go.
#[derive(Default)]
struct Chunk {
    /// The areas whose cells this chunk keeps (indices into the run's areas).
    areas: Vec<usize>,
    /// The units counted (indices into the plan's codes, ascending).
    units: Vec<usize>,
    /// Per unit: the chunk's areas it belongs to (positions in `areas`).
    areas_of: Vec<Vec<usize>>,
    /// Per unit: the carried areas it belongs to (positions among the carried areas).
    carried_of: Vec<Vec<usize>>,
    kind: ChunkKind,
    /// A carried chunk: the position of its first area among the carried areas.
    first_carried: usize,
}

/// What the areas of a chunk are.
#[derive(Default, Clone, Copy, PartialEq)]
enum ChunkKind {
    /// Areas of one gemeente each: finished as soon as their unit is counted.
    #[default]
    Single,
    /// The carried areas: their sums were added up along the other chunks, nothing is counted.
    Carried,
    /// Areas of several gemeenten that count their members themselves.
    Several,
}

/// Memory the draws may keep: the draws of one chunk of cells (4 bytes per cell and draw)
/// within the smaller [`CHUNK_MEMORY`], the sums of the carried areas within the rest.
pub const BAND_MEMORY: usize = 256 << 20;

/// The most memory one area's draws may take (they are kept whole to find their percentiles).
const MAX_AREA_DRAW_BYTES: u64 = 4 << 30;

/// The draws of one chunk of cells at most (at least one area a chunk): small enough to stay
/// mostly in the processor's last-level cache between being counted and being put in order
/// (16 MB ran 5–8 % faster than 8 MB here; 1–4 MB slower).
const CHUNK_MEMORY: usize = 16 << 20;

/// Split the areas into chunks whose cells × draws fit in [`CHUNK_MEMORY`] (or in `memory`
/// when that is less), so that every unit
/// is counted once per draw: the areas of one gemeente are grouped by their unit (ascending),
/// areas of several gemeenten (the selection, regions) are carried — their sums added up per
/// draw along those chunks — as far as their sums fit beside a chunk, the largest first; the
/// rest get chunks of their own, which count their members again.
fn chunks(b: &DrawBase, draws: usize, memory: usize) -> Vec<Chunk> {
    let draws = draws.max(1);
    let per_area = (b.group_cells() + b.dwelling_cells()).max(1);
    let chunk_memory = memory.min(CHUNK_MEMORY);
    let areas_per_chunk = (chunk_memory / 4 / draws / per_area).max(1);
    let n_groups = b.catalogue.groups.len();
    let area_bytes = 8 * (5 * n_groups + b.plan.own_pairs()) * b.n_years() + 1024;
    let codes: Vec<Vec<usize>> = b
        .areas
        .iter()
        .map(|a| {
            a.base_codes()
                .iter()
                .filter_map(|c| b.plan.unit(c))
                .collect()
        })
        .collect();
    let (singles, mut multis): (Vec<usize>, Vec<usize>) =
        (0..b.areas.len()).partition(|&a| codes[a].len() == 1);
    // The areas with the most members are carried first: counting them again costs most.
    multis.sort_by_key(|&a| std::cmp::Reverse(codes[a].len()));
    let carry = multis
        .len()
        .min((memory - chunk_memory) / area_bytes / draws);
    let (carried, rest) = multis.split_at(carry);
    let mut out = Vec::new();
    // Phase A: the units of the single areas and of the carried areas, in ascending order.
    let mut single_of: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for &a in &singles {
        single_of.entry(codes[a][0]).or_default().push(a);
    }
    for &a in carried {
        for &u in &codes[a] {
            single_of.entry(u).or_default();
        }
    }
    let carried_at = |u: usize| -> Vec<usize> {
        carried
            .iter()
            .enumerate()
            .filter(|(_, a)| codes[**a].contains(&u))
            .map(|(k, _)| k)
            .collect()
    };
    let mut chunk = Chunk::default();
    for (u, areas) in single_of {
        if chunk.areas.len() + areas.len() > areas_per_chunk && !chunk.units.is_empty() {
            out.push(std::mem::take(&mut chunk));
        }
        let first = chunk.areas.len();
        chunk.areas.extend(&areas);
        chunk.areas_of.push((first..first + areas.len()).collect());
        chunk.carried_of.push(carried_at(u));
        chunk.units.push(u);
    }
    if !chunk.units.is_empty() {
        out.push(chunk);
    }
    // The carried areas' cells, as many areas a chunk as the others.
    for (k, group) in carried.chunks(areas_per_chunk).enumerate() {
        out.push(Chunk {
            areas: group.to_vec(),
            kind: ChunkKind::Carried,
            first_carried: k * areas_per_chunk,
            ..Chunk::default()
        });
    }
    // Phase B: the other areas of several gemeenten, counting their members again.
    for group in rest.chunks(areas_per_chunk) {
        let units: Vec<usize> = group
            .iter()
            .flat_map(|&a| codes[a].iter().copied())
            .collect::<std::collections::BTreeSet<usize>>()
            .into_iter()
            .collect();
        let mut areas_of = vec![Vec::new(); units.len()];
        for (k, &a) in group.iter().enumerate() {
            for u in &codes[a] {
                if let Ok(position) = units.binary_search(u) {
                    areas_of[position].push(k);
                }
            }
        }
        out.push(Chunk {
            areas: group.to_vec(),
            carried_of: vec![Vec::new(); units.len()],
            units,
            areas_of,
            kind: ChunkKind::Several,
            first_carried: 0,
        });
    }
    out
}

/// What a draw draws: where its population lies between the variants, and the parameters
/// (draw `None`: the run itself, midden with every parameter at its value). The drawn group
/// catalogue is kept as what counting takes from it ([`CountSteps`]).
struct Drawn {
    /// (towards hoog, fraction of the way to the 67 % bound) when the population is drawn.
    population: Option<(bool, f64)>,
    housing: Option<(HousingCatalogue, DwellingLinks)>,
    /// What counting a unit takes from the drawn catalogue and the draw's sums.
    steps: CountSteps,
}

impl Drawn {
    fn new(draw: Option<u64>, b: &DrawBase) -> Result<Drawn, crate::groups::GroupError> {
        let mut rng = ChaCha8Rng::seed_from_u64(b.seed);
        rng.set_stream(draw.unwrap_or(0));
        let population = match (&b.low_high, draw) {
            (Some(_), Some(_)) => {
                let z: f64 = rng.sample(StandardNormal);
                Some((z >= 0.0, z.abs() / Z_67))
            }
            _ => None,
        };
        let mut catalogue = b.catalogue.clone();
        let mut housing = b.housing.cloned();
        if draw.is_some() {
            draw_group_params(&mut catalogue, &mut rng);
            if let Some(h) = housing.as_mut() {
                for (p, bounds) in housing_params(h) {
                    draw_param(p, bounds, &mut rng);
                }
            }
        }
        let housing = housing.map(|h| {
            let links = DwellingLinks::of(&h, &catalogue);
            (h, links)
        });
        let steps = CountSteps::new(&catalogue, b.plan, &population_sums(population, b))?;
        Ok(Drawn {
            population,
            housing,
            steps,
        })
    }

    fn sums<'a>(&self, b: &DrawBase<'a>) -> SumsView<'a> {
        population_sums(self.population, b)
    }
}

/// The population sums of a draw: midden moved towards hoog (z > 0) or laag (z < 0), the 67 %
/// bound reached at |z| = 0.974 (the Kernprognose's intervals by a standard-normal draw;
/// docs/METHODS.md §1f). Every sum the group methods take from the population mixes the same way.
fn population_sums<'a>(population: Option<(bool, f64)>, b: &DrawBase<'a>) -> SumsView<'a> {
    match (population, &b.low_high) {
        (Some((true, f)), Some((_, hi))) => b.midden.mixed(hi, f),
        (Some((false, f)), Some((lo, _))) => b.midden.mixed(lo, f),
        _ => b.midden.view(),
    }
}

/// Finish an area (its net) and write its cells: per group, per year gross then net into
/// `groups`; per dwelling type, per year the net demand into `dwellings`.
fn area_cells(
    area: &mut AreaSums,
    b: &DrawBase,
    housing: Option<(&HousingCatalogue, &DwellingLinks)>,
    groups: &mut [f64],
    dwellings: &mut [f64],
) {
    let n = b.n_years();
    area.finish(b.plan.overlaps());
    for gi in 0..b.catalogue.groups.len() {
        let (gross, net) = (area.gross(gi), area.net(gi));
        for t in 0..n {
            groups[(gi * n + t) * 2] = gross[t];
            groups[(gi * n + t) * 2 + 1] = net[t];
        }
    }
    if let Some((h, links)) = housing {
        dwellings.iter_mut().for_each(|x| *x = 0.0);
        net_units_by_type(h, links, area, n, dwellings);
    }
}

/// The cells of one draw for the areas of a chunk: per area, per group, per year gross then
/// net; then (with housing) per area, per dwelling type, per year the net demand. The units
/// counted are also added to the draw's `carried` area sums; a carried chunk finishes those.
fn draw_cells(
    drawn: &Drawn,
    b: &DrawBase,
    chunk: &Chunk,
    scratch: &mut DrawScratch,
    cells: &mut [f64],
    carried: &mut [AreaSums],
) -> Result<(), crate::groups::GroupError> {
    let sums = drawn.sums(b);
    let DrawScratch {
        unit,
        areas,
        single,
    } = scratch;
    let n = b.n_years();
    let n_areas = chunk.areas.len();
    let (gc, dc) = (b.group_cells(), b.dwelling_cells());
    let housing = drawn.housing.as_ref().map(|(h, l)| (h, l));
    let (group_cells, dwelling_cells) = cells.split_at_mut(n_areas * gc);
    let mut write = |k: usize, area: &mut AreaSums| {
        area_cells(
            area,
            b,
            housing,
            &mut group_cells[k * gc..(k + 1) * gc],
            &mut dwelling_cells[k * dc..(k + 1) * dc],
        )
    };
    if chunk.kind == ChunkKind::Carried {
        let first = chunk.first_carried;
        for (k, area) in carried.iter_mut().skip(first).take(n_areas).enumerate() {
            write(k, area);
        }
        return Ok(());
    }
    let n_groups = b.catalogue.groups.len();
    let (own_pairs, households) = (b.plan.own_pairs(), b.plan.has_households());
    let several = chunk.kind == ChunkKind::Several;
    if several {
        areas.resize_with(n_areas, AreaSums::default);
        for a in areas.iter_mut() {
            a.reset(n_groups, n, own_pairs, households);
        }
    }
    // Each unit counted once: an area of that unit alone is finished at once, areas of
    // several add it up.
    count_units_with(
        &drawn.steps,
        b.plan,
        sums,
        &chunk.units,
        unit,
        |position, counts| {
            for &k in &chunk.areas_of[position] {
                if several {
                    areas[k].add_unit(counts);
                } else {
                    single.set_unit(n, counts);
                    write(k, single);
                }
            }
            for &m in &chunk.carried_of[position] {
                if let Some(c) = carried.get_mut(m) {
                    c.add_unit(counts);
                }
            }
        },
    );
    if several {
        for (k, area) in areas.iter_mut().enumerate().take(n_areas) {
            write(k, area);
        }
    }
    Ok(())
}

/// Buffers a thread reuses from one draw to the next.
#[derive(Default)]
struct DrawScratch {
    unit: UnitCounts,
    areas: Vec<AreaSums>,
    single: AreaSums,
}

/// Percentiles of every cell over all draws.
pub struct Bands {
    pub draws: usize,
    /// `cells[i][q]`: the QUANTILES of cell i.
    pub cells: Vec<[f64; 5]>,
}

/// A value as a key whose unsigned order is the order of the values (IEEE 754 total order).
fn order_key(x: f32) -> u32 {
    let b = x.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

fn from_order_key(k: u32) -> f32 {
    f32::from_bits(if k & 0x8000_0000 != 0 {
        k & 0x7fff_ffff
    } else {
        !k
    })
}

/// Put the `ranks`-th smallest values (ascending, distinct; ranks of the whole slice of which
/// `v` starts at `offset`) in their places: a selection per rank, each on the part the earlier
/// ones left (Hoare's FIND on a sorted set of ranks).
fn select_ranks(v: &mut [u32], offset: usize, ranks: &[usize]) {
    let mid = ranks.len() / 2;
    let Some(&r) = ranks.get(mid) else {
        return;
    };
    let local = r - offset;
    v.select_nth_unstable(local);
    let (left, right) = v.split_at_mut(local);
    select_ranks(left, offset, &ranks[..mid]);
    select_ranks(&mut right[1..], r + 1, &ranks[mid + 1..]);
}

/// Buckets of the histogram that narrows a selection ([`order_statistics`]).
const BUCKETS: usize = 256;

/// Buffers [`sample_quantiles_with`] reuses from one cell to the next.
#[derive(Default)]
pub struct QuantileScratch {
    counts: Vec<u32>,
    buckets: Vec<u8>,
    gathered: Vec<u32>,
    /// (bucket, keys in the buckets before it, keys in it, where its keys are gathered)
    needed: Vec<(usize, usize, usize, usize)>,
    ranks: Vec<usize>,
    values: Vec<u32>,
}

/// [`order_statistics`] by selection on the whole slice.
fn select_directly(keys: &mut [u32], ranks: &[usize], out: &mut Vec<u32>) {
    select_ranks(keys, 0, ranks);
    out.extend(ranks.iter().map(|&r| keys[r]));
}

/// The order statistics of `keys` at `ranks` (ascending, distinct, each < `keys.len()`),
/// into `out` in the same order. **Bucket selection** (a distribution select, as in radix
/// select): a pass finds the smallest and largest key, a second counts the keys in
/// [`BUCKETS`] equal ranges of their values (the bucket of a key never decreases with the key),
/// the buckets that hold the ranks are gathered in a third pass and only they are put in
/// order ([`select_ranks`]). Exact: the same keys a sort would put at those ranks. Short
/// slices are selected directly.
fn order_statistics(
    keys: &mut [u32],
    ranks: &[usize],
    scratch: &mut QuantileScratch,
    out: &mut Vec<u32>,
) {
    out.clear();
    if keys.len() < 2 * BUCKETS {
        return select_directly(keys, ranks, out);
    }
    // Two plain reductions, which the compiler vectorises.
    let lo = keys.iter().copied().fold(u32::MAX, u32::min);
    let hi = keys.iter().copied().fold(0, u32::max);
    if lo == hi {
        out.extend(ranks.iter().map(|_| lo));
        return;
    }
    // The bucket of a key: its value's place between the smallest and the largest value, in
    // BUCKETS equal steps (each operation rounds monotonically, so the bucket never decreases
    // as the key grows; −0 and +0 share a bucket, where their keys still order them).
    let (low, high) = (from_order_key(lo), from_order_key(hi));
    let scale = BUCKETS as f32 / (high - low);
    if !scale.is_finite() || !low.is_finite() || !high.is_finite() {
        return select_directly(keys, ranks, out);
    }
    let QuantileScratch {
        counts,
        buckets,
        gathered,
        needed,
        ..
    } = scratch;
    // Written so that the compiler vectorises it: `from_order_key` without a branch, and the
    // place (0 ≤ x ≤ BUCKETS, within rounding) rounded to a whole number by adding 2^23, which
    // leaves it in the low bits of the sum (rounding to nearest is monotonic too).
    const ROUND: f32 = 8_388_608.0;
    buckets.resize(keys.len(), 0);
    for (b, &k) in buckets.iter_mut().zip(keys.iter()) {
        let negative = ((k as i32) >> 31) as u32;
        let value = f32::from_bits(k ^ (!negative | 0x8000_0000));
        let place = ((value - low) * scale + ROUND).to_bits() & 0x1ff;
        *b = place.min(BUCKETS as u32 - 1) as u8;
    }
    // Four counts per bucket, so that runs of one bucket do not wait on each other.
    counts.clear();
    counts.resize(4 * BUCKETS, 0);
    let mut quads = buckets.chunks_exact(4);
    for q in &mut quads {
        counts[q[0] as usize] += 1;
        counts[BUCKETS + q[1] as usize] += 1;
        counts[2 * BUCKETS + q[2] as usize] += 1;
        counts[3 * BUCKETS + q[3] as usize] += 1;
    }
    for &b in quads.remainder() {
        counts[b as usize] += 1;
    }
    needed.clear();
    let (mut before, mut next_rank, mut size) = (0usize, 0usize, 0usize);
    let (total, others) = counts.split_at_mut(BUCKETS);
    for (b, c) in total.iter_mut().enumerate() {
        *c += others[b] + others[BUCKETS + b] + others[2 * BUCKETS + b];
    }
    for (b, &c) in total.iter().enumerate() {
        if next_rank == ranks.len() {
            break;
        }
        let c = c as usize;
        while next_rank < ranks.len() && ranks[next_rank] < before + c {
            if needed.last().map(|n| n.0) != Some(b) {
                needed.push((b, before, c, size));
                size += c;
            }
            next_rank += 1;
        }
        before += c;
    }
    let mut fill: [usize; 16] = [0; 16];
    if needed.len() > fill.len() {
        return select_directly(keys, ranks, out);
    }
    // The needed buckets marked: their position in `needed` plus one.
    let mut slot = [0u8; BUCKETS];
    for (s, n) in needed.iter().enumerate() {
        slot[n.0] = s as u8 + 1;
    }
    gathered.clear();
    gathered.resize(size, 0);
    for (f, n) in fill.iter_mut().zip(needed.iter()) {
        *f = n.3;
    }
    for (&k, &b) in keys.iter().zip(buckets.iter()) {
        let s = slot[b as usize] as usize;
        if s != 0 {
            gathered[fill[s - 1]] = k;
            fill[s - 1] += 1;
        }
    }
    let mut r0 = 0;
    for &(_, before, c, at) in needed.iter() {
        let r1 = r0 + ranks[r0..].iter().take_while(|&&r| r < before + c).count();
        let part = &mut gathered[at..at + c];
        select_ranks(part, before, &ranks[r0..r1]);
        out.extend(ranks[r0..r1].iter().map(|&r| part[r - before]));
        r0 = r1;
    }
}

/// **Sample quantiles** of the draws of one cell (Hyndman & Fan 1996, definition 7 — linear
/// interpolation between order statistics, R's and numpy's default): for probability p the
/// value at rank h = (n − 1)·p. `keys` are the cell's draws as [`order_key`]s (reordered).
pub fn sample_quantiles(keys: &mut [u32], probabilities: &[f64; 5]) -> [f64; 5] {
    sample_quantiles_with(keys, probabilities, &mut QuantileScratch::default())
}

/// [`sample_quantiles`] with buffers reused from cell to cell; the order statistics by
/// [`order_statistics`].
pub fn sample_quantiles_with(
    keys: &mut [u32],
    probabilities: &[f64; 5],
    scratch: &mut QuantileScratch,
) -> [f64; 5] {
    let n = keys.len();
    if n == 0 {
        return [f64::NAN; 5];
    }
    let at = |p: f64| {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        (lo, h - lo as f64)
    };
    let mut ranks = std::mem::take(&mut scratch.ranks);
    let mut values = std::mem::take(&mut scratch.values);
    ranks.clear();
    for p in probabilities {
        let (lo, frac) = at(*p);
        ranks.push(lo);
        if frac > 0.0 && lo + 1 < n {
            ranks.push(lo + 1);
        }
    }
    ranks.sort_unstable();
    ranks.dedup();
    order_statistics(keys, &ranks, scratch, &mut values);
    let value = |r: usize| {
        let i = ranks.partition_point(|&x| x < r);
        f64::from(from_order_key(values[i]))
    };
    let q = probabilities.map(|p| {
        let (lo, frac) = at(p);
        let x = value(lo);
        if frac > 0.0 && lo + 1 < n {
            x + frac * (value(lo + 1) - x)
        } else {
            x
        }
    });
    scratch.ranks = ranks;
    scratch.values = values;
    q
}

/// Run `draws` draws and take the percentiles of every cell. The draws of a chunk of areas are
/// kept (as the difference from the run itself, in single precision: exact for draws equal to
/// the run) and the percentiles are exact sample quantiles; chunks keep the memory within
/// [`BAND_MEMORY`] for any number of draws. Draws run in parallel in batches; every result is
/// the same for any number of threads. `progress` is called with the number of draws done.
pub fn run_draws(
    b: &DrawBase,
    draws: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Bands, crate::groups::GroupError> {
    run_draws_within(b, draws, BAND_MEMORY, progress)
}

/// [`run_draws`] within `memory` bytes for the draws kept (smaller: more chunks, the same
/// result).
pub fn run_draws_within(
    b: &DrawBase,
    draws: usize,
    memory: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Bands, crate::groups::GroupError> {
    const BATCH: usize = 250;
    let (gc, dc) = (b.group_cells(), b.dwelling_cells());
    let n_areas = b.areas.len();
    let mut out = vec![[f64::NAN; 5]; n_areas * (gc + dc)];
    if draws == 0 {
        return Ok(Bands { draws, cells: out });
    }
    let chunks = chunks(b, draws, memory);
    let n_chunks = chunks.len();
    // The sums of the carried areas, per draw (and of the run itself), reset once.
    let n_carried = chunks
        .iter()
        .filter(|c| c.kind == ChunkKind::Carried)
        .map(|c| c.areas.len())
        .sum();
    let empty_sums = || {
        let mut a = AreaSums::default();
        a.reset(
            b.catalogue.groups.len(),
            b.n_years(),
            b.plan.own_pairs(),
            b.plan.has_households(),
        );
        a
    };
    let mut carried: Vec<Vec<AreaSums>> = (0..draws)
        .map(|_| (0..n_carried).map(|_| empty_sums()).collect())
        .collect();
    let mut carried_reference: Vec<AreaSums> = (0..n_carried).map(|_| empty_sums()).collect();
    // keys[d * stride + c]: draw d of cell c, a row per draw (one buffer for all chunks).
    let mut keys: Vec<u32> = Vec::new();
    // Cells whose draws are gathered together for their percentiles.
    const TILE: usize = 128;
    let run_itself = Drawn::new(None, b)?;
    // Every draw's parameters, drawn once for all chunks.
    let drawn_all: Vec<Drawn> = (0..draws)
        .into_par_iter()
        .map(|d| Drawn::new(Some(d as u64), b))
        .collect::<Result<_, _>>()?;
    for (ci, chunk) in chunks.iter().enumerate() {
        let n_cells = chunk.areas.len() * (gc + dc);
        let mut reference = vec![0.0; n_cells];
        draw_cells(
            &run_itself,
            b,
            chunk,
            &mut DrawScratch::default(),
            &mut reference,
            &mut carried_reference,
        )?;
        // Every draw gets a row, also when the chunk keeps no cells (it still adds up the
        // carried areas).
        let stride = n_cells.max(1);
        keys.resize(stride * draws, 0);
        let mut done = 0;
        while done < draws {
            let end = (done + BATCH).min(draws);
            keys[stride * done..stride * end]
                .par_chunks_mut(stride)
                .zip(carried[done..end].par_iter_mut())
                .enumerate()
                .try_for_each_init(
                    // Per thread: the counting buffers and the draw's cells, before they are
                    // made keys.
                    || (DrawScratch::default(), vec![0.0; n_cells]),
                    |(scratch, cells), (i, (row, carried))| {
                        draw_cells(&drawn_all[done + i], b, chunk, scratch, cells, carried)?;
                        for ((key, c), r) in row.iter_mut().zip(cells.iter()).zip(&reference) {
                            *key = order_key((c - r) as f32);
                        }
                        Ok::<(), crate::groups::GroupError>(())
                    },
                )?;
            done = end;
            progress((ci * draws + done) / n_chunks);
        }
        if n_cells == 0 {
            continue;
        }
        // A tile of cells at a time: its draws gathered from the rows (512 bytes of a row),
        // then each cell's percentiles.
        let keys = &keys;
        let quantiles: Vec<[f64; 5]> = reference
            .par_chunks(TILE)
            .enumerate()
            .map_init(
                || (QuantileScratch::default(), Vec::new()),
                |(scratch, column), (tile, refs)| {
                    let c0 = tile * TILE;
                    column.resize(refs.len() * draws, 0u32);
                    // Sixteen draws at a time: their rows stay in the first-level cache
                    // while each cell's sixteen keys fill one cache line of its column.
                    for d0 in (0..draws).step_by(16) {
                        let block = d0..(d0 + 16).min(draws);
                        for i in 0..refs.len() {
                            let at = i * draws;
                            for d in block.clone() {
                                column[at + d] = keys[d * stride + c0 + i];
                            }
                        }
                    }
                    column
                        .chunks_mut(draws)
                        .zip(refs)
                        .map(|(cell, r)| {
                            sample_quantiles_with(cell, &QUANTILES, scratch).map(|q| r + q)
                        })
                        .collect::<Vec<_>>()
                },
            )
            .flatten_iter()
            .collect();
        let (groups, dwellings) = quantiles.split_at(chunk.areas.len() * gc);
        for (k, &a) in chunk.areas.iter().enumerate() {
            out[a * gc..(a + 1) * gc].copy_from_slice(&groups[k * gc..(k + 1) * gc]);
            let d0 = n_areas * gc + a * dc;
            out[d0..d0 + dc].copy_from_slice(&dwellings[k * dc..(k + 1) * dc]);
        }
    }
    Ok(Bands { draws, cells: out })
}

/// The Monte Carlo part of a run: the draws' bases, the draws, the bands (the plan's draws,
/// seed and whether the population is drawn too).
pub fn monte_carlo(
    plan: &RunPlan,
    g: &super::groups::GroupRun,
    h: Option<&super::housing::HousingRun>,
    variants: &[VariantResult],
    areas: &[Area],
) -> Result<Bands, super::error::RunError> {
    let (draws, seed, population) = (plan.draws, plan.seed, plan.draw_population);
    let find = |name: &str| g.sums.iter().find(|(n, _)| n == name).map(|(_, s)| s);
    let first = variants.first().and_then(|v| find(&v.name));
    let midden = find("midden").or(first).ok_or_else(|| {
        plan.invalid(
            "projection",
            "Monte Carlo needs a projection".into(),
            "add [projection]",
        )
    })?;
    let low_high = if population {
        match (find("laag"), find("hoog")) {
            (Some(l), Some(hh)) => Some((l, hh)),
            _ => {
                let message = "drawing the population needs the variants laag and hoog";
                let hint = "projection.variants = [\"midden\", \"laag\", \"hoog\"]";
                return Err(plan
                    .invalid("uncertainty.population", message.into(), hint)
                    .into());
            }
        }
    } else {
        None
    };
    let base = DrawBase {
        catalogue: &g.catalogue,
        plan: &g.plan,
        housing: h.map(|h| &h.catalogue),
        midden,
        low_high,
        areas,
        seed,
    };
    // One area's draws are kept in memory at once (4 bytes a cell and draw): refused up front
    // when that alone would not fit (also for draws a manifest or a library caller asks).
    let one_area = (base.group_cells() + base.dwelling_cells()) as u128 * 4 * draws as u128;
    if draws > super::schema::MAX_DRAWS || one_area > u128::from(MAX_AREA_DRAW_BYTES) {
        let message = format!(
            "{draws} draws would keep {:.1} GB per area in memory (at most {} draws, {} GB)",
            one_area as f64 / 1e9,
            super::schema::MAX_DRAWS,
            MAX_AREA_DRAW_BYTES >> 30
        );
        let hint = "500 to 1,000 draws give stable 2.5 % and 97.5 % percentiles";
        return Err(plan.invalid("uncertainty.draws", message, hint).into());
    }
    let progress = |done: usize| {
        if let Some(p) = &plan.progress {
            p(done, draws);
        }
    };
    Ok(run_draws(&base, draws, &progress)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_quantiles_interpolate_between_order_statistics() {
        // 1..=1000 shuffled: definition 7 gives 1 + 999·p.
        let mut x: u64 = 12345;
        let mut values: Vec<f32> = (1..=1000).map(|v| v as f32).collect();
        for i in (1..values.len()).rev() {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            values.swap(i, (x >> 33) as usize % (i + 1));
        }
        let mut keys: Vec<u32> = values.iter().map(|v| order_key(*v)).collect();
        let q = sample_quantiles(&mut keys, &QUANTILES);
        for (got, p) in q.iter().zip(QUANTILES) {
            assert!((got - (1.0 + 999.0 * p)).abs() < 1e-9, "{got} at {p}");
        }
        // Negative values, zero and one draw.
        let mut keys: Vec<u32> = [-3.0f32, 2.0, -0.5].iter().map(|v| order_key(*v)).collect();
        assert_eq!(sample_quantiles(&mut keys, &QUANTILES)[2], -0.5);
        let mut one = vec![order_key(7.25)];
        assert_eq!(sample_quantiles(&mut one, &QUANTILES), [7.25; 5]);
        for v in [-1e30f32, -1.0, -0.0, 0.0, 1e-30, 3.5, f32::MAX] {
            assert_eq!(from_order_key(order_key(v)).to_bits(), v.to_bits());
        }
    }

    #[test]
    fn bucket_selection_finds_the_order_statistics_a_sort_finds() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut scratch = QuantileScratch::default();
        let mut out = Vec::new();
        for case in 0..3000 {
            let n = [1, 2, 511, 512, 513, 1000, 1000, 1000, 2500, 4000][case % 10];
            // Spreads of every shape: wide and narrow, one-sided, a few distinct values,
            // outliers (one bucket holds nearly all), all equal.
            let scale = [1e-6f64, 1.0, 50.0, 1e6][(case / 10) % 4];
            let kind = (case / 40) % 6;
            let values: Vec<f32> = (0..n)
                .map(|_| {
                    let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
                    let v = match kind {
                        0 => (u - 0.5) * scale,
                        1 => u * scale,
                        2 => ((u * 4.0).floor() - 2.0) * scale,
                        3 if u > 0.999 => 1e30,
                        3 => u * scale,
                        4 => scale,
                        _ => (u - 0.5).powi(5) * scale,
                    };
                    v as f32
                })
                .collect();
            let keys: Vec<u32> = values.iter().map(|v| order_key(*v)).collect();
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            let mut ranks: Vec<usize> = (0..1 + next() as usize % 10)
                .map(|_| next() as usize % n)
                .collect();
            if case % 7 == 0 {
                ranks = (0..n).collect();
            }
            ranks.sort_unstable();
            ranks.dedup();
            let mut work = keys.clone();
            order_statistics(&mut work, &ranks, &mut scratch, &mut out);
            let expected: Vec<u32> = ranks.iter().map(|&r| sorted[r]).collect();
            assert_eq!(out, expected, "case {case}, n {n}, kind {kind}");
            let mut a = keys.clone();
            assert_eq!(
                sample_quantiles_with(&mut a, &QUANTILES, &mut scratch),
                {
                    let m = n - 1;
                    QUANTILES.map(|p| {
                        let h = m as f64 * p;
                        let lo = h.floor() as usize;
                        let x = f64::from(from_order_key(sorted[lo]));
                        if h > lo as f64 && lo + 1 < n {
                            x + (h - lo as f64) * (f64::from(from_order_key(sorted[lo + 1])) - x)
                        } else {
                            x
                        }
                    })
                },
                "case {case}"
            );
        }
    }

    #[test]
    fn zero_spreads_draw_the_value() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for s in [
            Spread::Normal(0.0),
            Spread::Lognormal(0.0),
            Spread::Triangular([2.0, 2.0]),
            Spread::Uniform([2.0, 2.0]),
        ] {
            let mut p: Param = toml::from_str("value = 2.0\nsource = \"x\"").unwrap();
            p.spread = Some(s);
            draw_param(&mut p, bounds_of("duur"), &mut rng);
            assert_eq!(p.value, 2.0, "{s:?}");
        }
    }
}
