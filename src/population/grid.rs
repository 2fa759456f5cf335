//! The dense population array the engine works on: single years of age 0..=105 (105 = 105 jaar
//! of ouder) × sex (M, V).

/// Number of single-year age classes (0..=105, the last open).
pub const AGES: usize = 106;
/// The open top age.
pub const OPEN_AGE: usize = AGES - 1;
/// Index of men and women in the sex dimension.
pub const MEN: usize = 0;
pub const WOMEN: usize = 1;
/// CBS sex codes by index.
pub const SEX_CODES: [&str; 2] = ["M", "V"];

/// Population (or any count) by sex and single year of age.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pop(pub [[f64; AGES]; 2]);

impl Default for Pop {
    fn default() -> Self {
        Pop([[0.0; AGES]; 2])
    }
}

impl Pop {
    pub fn total(&self) -> f64 {
        self.0.iter().flat_map(|s| s.iter()).sum()
    }
    /// Both sexes, ages `lo..=hi`.
    pub fn band(&self, lo: usize, hi: usize) -> f64 {
        self.0
            .iter()
            .map(|s| s[lo..=hi.min(OPEN_AGE)].iter().sum::<f64>())
            .sum()
    }
    /// One sex, ages `lo..=hi`.
    pub fn band_sex(&self, sex: usize, lo: usize, hi: usize) -> f64 {
        self.0[sex][lo..=hi.min(OPEN_AGE)].iter().sum()
    }
    /// Add another array cell by cell.
    pub fn add(&mut self, other: &Pop) {
        for s in 0..2 {
            for a in 0..AGES {
                self.0[s][a] += other.0[s][a];
            }
        }
    }
    /// The cells as one slice per sex, flattened M then V (212 values).
    pub fn flat(&self) -> Vec<f64> {
        self.0.iter().flat_map(|s| s.iter().copied()).collect()
    }
    pub fn from_flat(v: &[f64]) -> Pop {
        let mut p = Pop::default();
        for (i, x) in v.iter().enumerate().take(2 * AGES) {
            p.0[i / AGES][i % AGES] = *x;
        }
        p
    }
    pub fn min_cell(&self) -> f64 {
        self.0
            .iter()
            .flat_map(|s| s.iter())
            .copied()
            .fold(f64::INFINITY, f64::min)
    }
}
