//! Overlap between groups: gross (each group counted in full) versus net (each person counted
//! once, in the first group in the claim order that holds them).
//!
//! Method: priority assignment into mutually exclusive states with pairwise overlaps
//! (docs/METHODS.md §1e, approaches 2 and 3; the WOZO report *Overlap tussen de opgaven aan
//! verpleegzorgplekken en geclusterde woningen*, 2022, is the Dutch precedent). Overlaps are
//! either declared (a sourced share of one group that is also in the other) or computed exactly
//! where one group is a pure age definition (65+ ∩ dementie = dementie at ages 65+).

use std::collections::BTreeMap;

/// The claim order: groups in `priority` first (in that order), the others in catalogue order,
/// and every `(claimer, other)` pair respected. Returns the cycle if the claims contradict.
pub fn claim_order(
    ids: &[String],
    priority: &[String],
    claims: &[(String, String)],
) -> Result<Vec<String>, Vec<String>> {
    let n = ids.len();
    let idx: BTreeMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let rank = |i: usize| -> (usize, usize) {
        let p = priority
            .iter()
            .position(|p| p == &ids[i])
            .unwrap_or(usize::MAX);
        (p, i)
    };
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut add = |a: &str, b: &str| {
        if let (Some(&x), Some(&y)) = (idx.get(a), idx.get(b))
            && x != y
            && !after[x].contains(&y)
        {
            after[x].push(y);
        }
    };
    for w in priority.windows(2) {
        add(&w[0], &w[1]);
    }
    for (c, o) in claims {
        add(c, o);
    }
    let mut indeg = vec![0usize; n];
    for a in &after {
        for &b in a {
            indeg[b] += 1;
        }
    }
    let mut done = vec![false; n];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let next = (0..n)
            .filter(|&i| !done[i] && indeg[i] == 0)
            .min_by_key(|&i| rank(i));
        let Some(i) = next else {
            return Err(find_cycle(&after, &done, ids));
        };
        done[i] = true;
        out.push(ids[i].clone());
        for &b in &after[i] {
            indeg[b] -= 1;
        }
    }
    Ok(out)
}

fn find_cycle(after: &[Vec<usize>], done: &[bool], ids: &[String]) -> Vec<String> {
    // Every remaining node has an incoming edge from a remaining node: walk backwards... or
    // forwards along remaining edges until a node repeats.
    let start = (0..ids.len()).find(|&i| !done[i]).unwrap_or(0);
    let mut path = vec![start];
    loop {
        let cur = *path.last().unwrap_or(&start);
        let Some(&nxt) = after[cur].iter().find(|&&b| !done[b]) else {
            return path.iter().map(|&i| ids[i].clone()).collect();
        };
        if let Some(p) = path.iter().position(|&x| x == nxt) {
            let mut cyc: Vec<String> = path[p..].iter().map(|&i| ids[i].clone()).collect();
            cyc.push(ids[nxt].clone());
            return cyc;
        }
        path.push(nxt);
    }
}

/// Net counts by priority assignment.
///
/// `both[i][j]` = persons in groups i and j (symmetric; 0 when unknown or disjoint); `order`
/// lists group indices in claim order. Group j keeps `gross_j − Σ_{i before j} both[i][j] ·
/// net_i / gross_i`: the shared persons go to the earlier group, but only the share the earlier
/// group itself kept (so a person in three groups is not taken twice). Returns (net, applied
/// overlap per group); `net = gross − applied`, `0 ≤ net ≤ gross`.
pub fn net_by_priority(gross: &[f64], both: &[Vec<f64>], order: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let earlier: Vec<Vec<usize>> = {
        let mut e = vec![Vec::new(); gross.len()];
        for (k, &j) in order.iter().enumerate() {
            e[j] = order[..k].to_vec();
        }
        e
    };
    let (mut net, mut applied) = (Vec::new(), Vec::new());
    net_by_priority_into(
        gross,
        1,
        order,
        &earlier,
        |i, j, out| out[0] = both[i][j],
        (&mut net, &mut applied, &mut Vec::new()),
    );
    (net, applied)
}

/// [`net_by_priority`] for `n_years` years at once, with the overlaps given sparsely: `gross`
/// is `[group][year]`; `earlier[j]` lists the groups before `j` in the claim order (in that
/// order) that can share persons with it; `both(i, j, out)` writes how many per year. Each year
/// is netted on its own, exactly as [`net_by_priority`] does; `buffers` = (net, applied,
/// scratch) are reused between calls (no allocation per call).
pub fn net_by_priority_into(
    gross: &[f64],
    n_years: usize,
    order: &[usize],
    earlier: &[Vec<usize>],
    both: impl Fn(usize, usize, &mut [f64]),
    buffers: (&mut Vec<f64>, &mut Vec<f64>, &mut Vec<f64>),
) {
    let (net, applied, scratch) = buffers;
    let t_n = n_years;
    net.clear();
    net.extend_from_slice(gross);
    applied.clear();
    applied.resize(gross.len(), 0.0);
    scratch.clear();
    scratch.resize(2 * t_n, 0.0);
    let (shared, taken) = scratch.split_at_mut(t_n);
    for &j in order {
        taken.iter_mut().for_each(|x| *x = 0.0);
        for &i in &earlier[j] {
            both(i, j, shared);
            let (gross_i, net_i) = (&gross[i * t_n..][..t_n], &net[i * t_n..][..t_n]);
            // Without a branch (so the years go through together): adding a zero where
            // nothing is shared leaves `taken` as it was, a positive zero included.
            for (((x, &g), &b), &n) in taken.iter_mut().zip(gross_i).zip(&*shared).zip(net_i) {
                let part = b * n / g;
                *x += if g > 0.0 && b > 0.0 { part } else { 0.0 };
            }
        }
        let at = j * t_n..(j + 1) * t_n;
        for (((x, &g), a), n) in taken
            .iter()
            .zip(&gross[at.clone()])
            .zip(&mut applied[at.clone()])
            .zip(&mut net[at])
        {
            let y = x.min(g).max(0.0);
            *a = y;
            *n = g - y;
        }
    }
}

/// The union of all groups (persons counted once): Σ net.
pub fn union(net: &[f64]) -> f64 {
    net.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn order_and_cycle() {
        let ids = s(&["a", "b", "c"]);
        assert_eq!(
            claim_order(&ids, &s(&["c"]), &[]).unwrap(),
            s(&["c", "a", "b"])
        );
        let claims = vec![("b".to_string(), "a".to_string())];
        assert_eq!(
            claim_order(&ids, &[], &claims).unwrap(),
            s(&["b", "a", "c"])
        );
        let cyc = vec![
            ("a".to_string(), "b".to_string()),
            ("b".to_string(), "c".to_string()),
            ("c".to_string(), "a".to_string()),
        ];
        let e = claim_order(&ids, &[], &cyc).unwrap_err();
        assert_eq!(e.first(), e.last());
        assert_eq!(e.len(), 4);
    }

    #[test]
    fn nested_age_groups_become_exclusive_bands() {
        // 85+ ⊂ 75+ ⊂ 65+, claim order 85+, 75+, 65+.
        let gross = [100.0, 300.0, 1000.0];
        let both = vec![
            vec![0.0, 100.0, 100.0],
            vec![100.0, 0.0, 300.0],
            vec![100.0, 300.0, 0.0],
        ];
        let (net, applied) = net_by_priority(&gross, &both, &[0, 1, 2]);
        assert_eq!(net, vec![100.0, 200.0, 700.0]);
        assert_eq!(union(&net), 1000.0);
        for i in 0..3 {
            assert_eq!(net[i], gross[i] - applied[i]);
        }
    }
}
