//! Splitting age bands into single years of age. Both methods preserve every band total
//! exactly (to rounding); `sprague_split` for 5-year bands, `rake_to_bands` for any set of
//! (possibly overlapping) bands against a reference shape.

use super::PopulationError;

/// Sprague fifth-difference multipliers (Shryock & Siegel 1976, Table 22-3; the same panels as
/// R DemoTools `sprague`): rows = the 5 single years of the band being split, columns = the 5
/// bands the interpolation uses. The open top band is not split, so the last panel is not needed.
const SPRAGUE_FIRST: [[f64; 5]; 5] = [
    [0.3616, -0.2768, 0.1488, -0.0336, 0.0],
    [0.2640, -0.0960, 0.0400, -0.0080, 0.0],
    [0.1840, 0.0400, -0.0320, 0.0080, 0.0],
    [0.1200, 0.1360, -0.0720, 0.0160, 0.0],
    [0.0704, 0.1968, -0.0848, 0.0176, 0.0],
];
const SPRAGUE_SECOND: [[f64; 5]; 5] = [
    [0.0336, 0.2272, -0.0752, 0.0144, 0.0],
    [0.0080, 0.2320, -0.0480, 0.0080, 0.0],
    [-0.0080, 0.2160, -0.0080, 0.0, 0.0],
    [-0.0160, 0.1840, 0.0400, -0.0080, 0.0],
    [-0.0176, 0.1408, 0.0912, -0.0144, 0.0],
];
const SPRAGUE_MIDDLE: [[f64; 5]; 5] = [
    [-0.0128, 0.0848, 0.1504, -0.0240, 0.0016],
    [-0.0016, 0.0144, 0.2224, -0.0416, 0.0064],
    [0.0064, -0.0336, 0.2544, -0.0336, 0.0064],
    [0.0064, -0.0416, 0.2224, 0.0144, -0.0016],
    [0.0016, -0.0240, 0.1504, 0.0848, -0.0128],
];
const SPRAGUE_PENULTIMATE: [[f64; 5]; 5] = [
    [0.0, -0.0144, 0.0912, 0.1408, -0.0176],
    [0.0, -0.0080, 0.0400, 0.1840, -0.0160],
    [0.0, 0.0, -0.0080, 0.2160, -0.0080],
    [0.0, 0.0080, -0.0480, 0.2320, 0.0080],
    [0.0, 0.0144, -0.0752, 0.2272, 0.0336],
];

/// Sprague fifth-difference osculatory interpolation of 5-year bands into single years.
///
/// `bands` are consecutive 5-year totals from age 0; the last one is open (e.g. 95+) and is
/// returned as one value. Needs at least 5 bands (the open one included). Negative single
/// years (possible at steep slopes) are set to zero and the band's other years rescaled so the
/// band total stays exact (the usual non-negativity fix). Source: Shryock & Siegel (1976),
/// *The Methods and Materials of Demography*, §22; R DemoTools `graduate_sprague`.
pub fn sprague_split(bands: &[f64]) -> Result<Vec<f64>, PopulationError> {
    let n = bands.len();
    if n < 5 {
        return Err(PopulationError::Method {
            method: "sprague_split".into(),
            message: format!("needs at least 5 bands, got {n}"),
        });
    }
    if bands.iter().any(|b| !b.is_finite() || *b < 0.0) {
        return Err(PopulationError::Method {
            method: "sprague_split".into(),
            message: "band totals must be finite and ≥ 0".into(),
        });
    }
    let closed = n - 1;
    let mut out = Vec::with_capacity(closed * 5 + 1);
    for i in 0..closed {
        let (panel, start) = match i {
            0 => (&SPRAGUE_FIRST, 0),
            1 => (&SPRAGUE_SECOND, 0),
            _ if i == n - 2 => (&SPRAGUE_PENULTIMATE, n - 5),
            _ => (&SPRAGUE_MIDDLE, i - 2),
        };
        let mut years = [0.0; 5];
        for (r, row) in panel.iter().enumerate() {
            years[r] = row
                .iter()
                .enumerate()
                .map(|(c, w)| w * bands[start + c])
                .sum();
        }
        if years.iter().any(|y| *y < 0.0) {
            let pos: f64 = years.iter().filter(|y| **y > 0.0).sum();
            for y in years.iter_mut() {
                *y = if *y > 0.0 && pos > 0.0 {
                    *y * bands[i] / pos
                } else {
                    0.0
                };
            }
            if pos <= 0.0 {
                years = [bands[i] / 5.0; 5];
            }
        }
        // Remove floating-point drift so the band total is exact.
        let s: f64 = years.iter().sum();
        if s > 0.0 {
            for y in years.iter_mut() {
                *y *= bands[i] / s;
            }
        }
        out.extend_from_slice(&years);
    }
    out.push(bands[n - 1]);
    Ok(out)
}

/// A band constraint: ages `lo..=hi` (indices into the shape) must add up to `total`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandTotal {
    pub lo: usize,
    pub hi: usize,
    pub total: f64,
}

/// Raking (iterative proportional fitting) of a reference shape to band totals.
///
/// Each pass scales the cells of every band in turn so that the band matches its total; with
/// overlapping bands (85383NED: <18, <65, 10–24, 15–64, 18–44, 75+ and the total) passes repeat
/// until every band is within `1e-10` relative. Cells outside every band keep the shape's
/// value. Source: Deming & Stephan (1940); the raking step of docs/METHODS.md §1b.
pub fn rake_to_bands(shape: &[f64], bands: &[BandTotal]) -> Result<Vec<f64>, PopulationError> {
    for b in bands {
        if b.hi >= shape.len() || b.lo > b.hi {
            return Err(PopulationError::Method {
                method: "rake_to_bands".into(),
                message: format!(
                    "band {}..={} outside the shape (len {})",
                    b.lo,
                    b.hi,
                    shape.len()
                ),
            });
        }
    }
    let groups: Vec<(Vec<usize>, f64)> = bands
        .iter()
        .map(|b| ((b.lo..=b.hi).collect(), b.total))
        .collect();
    rake_groups(shape, &groups)
}

/// Raking of any cells to group totals: the IPF loop behind [`rake_to_bands`]. A group is the
/// list of cell indices it covers and its total (e.g. both sexes of ages 75–105).
pub fn rake_groups(
    shape: &[f64],
    groups: &[(Vec<usize>, f64)],
) -> Result<Vec<f64>, PopulationError> {
    let err = |message: String| PopulationError::Method {
        method: "rake_to_bands".into(),
        message,
    };
    let sum = |v: &[f64], idx: &[usize]| idx.iter().map(|i| v[*i]).sum::<f64>();
    for (idx, total) in groups {
        if idx.iter().any(|i| *i >= shape.len()) {
            return Err(err(format!(
                "a group refers to a cell outside the shape (len {})",
                shape.len()
            )));
        }
        if !total.is_finite() || *total < 0.0 {
            return Err(err(format!("group total {total} is not a count")));
        }
        if *total > 0.0 && sum(shape, idx) <= 0.0 {
            return Err(err(format!(
                "group total {total} but the reference shape is zero there"
            )));
        }
    }
    // Cells covered by exactly the same groups form an atom; raking only ever scales whole
    // atoms, so the iteration runs on atom sums and the cells are scaled once at the end.
    let mut signature: Vec<Vec<usize>> = vec![Vec::new(); shape.len()];
    for (gi, (idx, _)) in groups.iter().enumerate() {
        for i in idx {
            signature[*i].push(gi);
        }
    }
    let mut atom_of_sig: std::collections::HashMap<Vec<usize>, usize> =
        std::collections::HashMap::new();
    let mut atom_of_cell = vec![usize::MAX; shape.len()];
    for (i, sig) in signature.into_iter().enumerate() {
        if sig.is_empty() {
            continue;
        }
        let n = atom_of_sig.len();
        atom_of_cell[i] = *atom_of_sig.entry(sig).or_insert(n);
    }
    let mut atom_sum = vec![0.0; atom_of_sig.len()];
    for (i, a) in atom_of_cell.iter().enumerate() {
        if *a != usize::MAX {
            atom_sum[*a] += shape[i];
        }
    }
    let group_atoms: Vec<Vec<usize>> = groups
        .iter()
        .map(|(idx, _)| {
            let mut a: Vec<usize> = idx.iter().map(|i| atom_of_cell[*i]).collect();
            a.sort_unstable();
            a.dedup();
            a
        })
        .collect();
    let mut factor = vec![1.0; atom_sum.len()];
    let current =
        |f: &[f64], atoms: &[usize]| atoms.iter().map(|a| atom_sum[*a] * f[*a]).sum::<f64>();
    for _ in 0..100_000 {
        for ((_, total), atoms) in groups.iter().zip(&group_atoms) {
            let s = current(&factor, atoms);
            if s > 0.0 {
                let f = total / s;
                atoms.iter().for_each(|a| factor[*a] *= f);
            }
        }
        let worst = groups
            .iter()
            .zip(&group_atoms)
            .map(|((_, total), atoms)| (current(&factor, atoms) - total).abs() / total.max(1.0))
            .fold(0.0, f64::max);
        if worst < 1e-12 {
            let mut v = shape.to_vec();
            for (i, a) in atom_of_cell.iter().enumerate() {
                if *a != usize::MAX {
                    v[i] *= factor[*a];
                }
            }
            return Ok(v);
        }
    }
    Err(err(
        "the band totals contradict each other (raking did not converge)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn sprague_preserves_totals_and_is_smooth_on_a_linear_profile() {
        // A linearly falling population: single years should fall linearly too.
        let bands: Vec<f64> = (0..10)
            .map(|i| 5.0 * (1000.0 - 50.0 * i as f64) - 50.0 * 10.0)
            .collect();
        let mut b = bands.clone();
        b.push(100.0);
        let s = sprague_split(&b).unwrap();
        assert_eq!(s.len(), 51);
        for (i, band) in bands.iter().enumerate() {
            let t: f64 = s[i * 5..i * 5 + 5].iter().sum();
            assert!((t - band).abs() < 1e-9);
        }
        for w in s[5..35].windows(2) {
            assert!((w[0] - w[1] - 10.0).abs() < 1e-6, "{w:?}");
        }
    }

    #[test]
    fn raking_fits_overlapping_bands() {
        let shape = vec![1.0; 100];
        let bands = [
            BandTotal {
                lo: 0,
                hi: 99,
                total: 1000.0,
            },
            BandTotal {
                lo: 0,
                hi: 17,
                total: 200.0,
            },
            BandTotal {
                lo: 10,
                hi: 24,
                total: 160.0,
            },
            BandTotal {
                lo: 75,
                hi: 99,
                total: 150.0,
            },
        ];
        let v = rake_to_bands(&shape, &bands).unwrap();
        for b in bands {
            assert!((v[b.lo..=b.hi].iter().sum::<f64>() - b.total).abs() < 1e-7);
        }
    }

    #[test]
    fn raking_refuses_contradictions() {
        let shape = vec![1.0; 10];
        let bands = [
            BandTotal {
                lo: 0,
                hi: 9,
                total: 10.0,
            },
            BandTotal {
                lo: 0,
                hi: 4,
                total: 20.0,
            },
        ];
        assert!(rake_to_bands(&shape, &bands).is_err());
    }

    proptest! {
        #[test]
        fn sprague_keeps_band_totals_and_no_negatives(bands in proptest::collection::vec(0.0f64..1e6, 5..22)) {
            let s = sprague_split(&bands).unwrap();
            prop_assert_eq!(s.len(), (bands.len() - 1) * 5 + 1);
            prop_assert!(s.iter().all(|x| *x >= 0.0));
            for i in 0..bands.len() - 1 {
                let t: f64 = s[i * 5..i * 5 + 5].iter().sum();
                prop_assert!((t - bands[i]).abs() <= 1e-9 * bands[i].max(1.0), "band {}: {} vs {}", i, t, bands[i]);
            }
            prop_assert_eq!(*s.last().unwrap(), *bands.last().unwrap());
        }

        #[test]
        fn raking_keeps_disjoint_band_totals(shape in proptest::collection::vec(0.1f64..100.0, 30), totals in proptest::collection::vec(0.0f64..1e5, 3)) {
            let bands = [
                BandTotal { lo: 0, hi: 9, total: totals[0] },
                BandTotal { lo: 10, hi: 19, total: totals[1] },
                BandTotal { lo: 20, hi: 29, total: totals[2] },
            ];
            let v = rake_to_bands(&shape, &bands).unwrap();
            for b in bands {
                prop_assert!((v[b.lo..=b.hi].iter().sum::<f64>() - b.total).abs() <= 1e-9 * b.total.max(1.0));
            }
        }
    }
}
