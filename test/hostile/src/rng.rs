//! The seeded random source: `rand_xorshift` behind the few draws the
//! generator needs.

use rand_core::{Rng as _, SeedableRng};
use rand_xorshift::XorShiftRng;

/// A deterministic random stream.
#[derive(Clone, Debug)]
pub struct Rng(XorShiftRng);

impl Rng {
    /// The stream for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(XorShiftRng::seed_from_u64(seed))
    }

    /// 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            ((u128::from(self.0.next_u32()) * u128::from(n)) >> 32) as u64
        }
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// One of `items` (`None` when empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        items.get(self.below(items.len() as u64) as usize).copied()
    }
}

/// The seed of process `index` of a run with base seed `base`.
pub fn process_seed(base: u64, index: u64) -> u64 {
    Rng::new(base ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15)).bits()
}
