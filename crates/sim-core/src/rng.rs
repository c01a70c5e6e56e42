//! The simulation's only source of randomness: a seeded PCG.
//!
//! Every random draw made by a simulation (latencies, strategy choices, user
//! draws through `Cx`) comes from a `SimRng` seeded from the run's seed, so a run
//! is a pure function of its seed and its recorded choices.

use rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A seeded pseudo-random generator (PCG 64/128 MCG).
///
/// ```
/// use sim_core::SimRng;
/// let mut a = SimRng::new(7, 0);
/// let mut b = SimRng::new(7, 0);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let x = a.below(10);
/// assert!(x < 10);
/// ```
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: Gen,
}

/// The generator, or the key it will be seeded from at its first draw: a
/// keyed generator is made per signal, and most networks never draw from
/// it, so mixing its key and seeding it (all of its cost) wait until a draw
/// needs them. The draws are the same either way.
#[derive(Clone, Debug)]
enum Gen {
    Ready(Pcg64Mcg),
    Keyed {
        seed: u64,
        stream: u64,
        entity: u64,
        k: u64,
    },
}

impl SimRng {
    /// A generator for `seed`; `stream` separates independent uses of one seed
    /// (the world's draws, the strategy's draws), so they do not perturb each other.
    ///
    /// ```
    /// use sim_core::SimRng;
    /// let mut a = SimRng::new(1, 0);
    /// let mut b = SimRng::new(1, 1);
    /// assert_ne!(a.next_u64(), b.next_u64());
    /// ```
    pub fn new(seed: u64, stream: u64) -> SimRng {
        let mixed = splitmix(seed ^ splitmix(stream.wrapping_add(0x9e37_79b9_7f4a_7c15)));
        SimRng {
            inner: Gen::Ready(Pcg64Mcg::seed_from_u64(mixed)),
        }
    }

    /// A generator for draw `k` of entity `entity` on stream `stream` of
    /// `seed`: keyed, so it does not depend on how many draws other entities
    /// made before it (a schedule edit elsewhere leaves it unchanged).
    ///
    /// ```
    /// use sim_core::SimRng;
    /// let mut a = SimRng::keyed(1, 5, 3, 0);
    /// let mut b = SimRng::keyed(1, 5, 3, 0);
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// assert_ne!(SimRng::keyed(1, 5, 3, 1).next_u64(), SimRng::keyed(1, 5, 3, 0).next_u64());
    /// ```
    pub fn keyed(seed: u64, stream: u64, entity: u64, k: u64) -> SimRng {
        SimRng {
            inner: Gen::Keyed {
                seed,
                stream,
                entity,
                k,
            },
        }
    }

    /// A uniformly random `u64`.
    ///
    /// ```
    /// use sim_core::SimRng;
    /// let _ = SimRng::new(0, 0).next_u64();
    /// ```
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        match &mut self.inner {
            Gen::Ready(g) => g.next_u64(),
            &mut Gen::Keyed {
                seed,
                stream,
                entity,
                k,
            } => self.first_draw(seed, stream, entity, k),
        }
    }

    #[cold]
    #[inline(never)]
    fn first_draw(&mut self, seed: u64, stream: u64, entity: u64, k: u64) -> u64 {
        let base = splitmix(seed ^ splitmix(stream.wrapping_add(0x9e37_79b9_7f4a_7c15)));
        let mixed = splitmix(splitmix(base ^ splitmix(entity)) ^ k);
        let mut g = Pcg64Mcg::seed_from_u64(mixed);
        let v = g.next_u64();
        self.inner = Gen::Ready(g);
        v
    }

    /// A uniformly random value in `0..n` (`0` when `n` is `0`).
    ///
    /// ```
    /// use sim_core::SimRng;
    /// let mut r = SimRng::new(3, 0);
    /// assert!((0..100).all(|_| r.below(3) < 3));
    /// assert_eq!(r.below(0), 0);
    /// ```
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Lemire's multiply-shift; the tiny bias is irrelevant for scheduling and
        // it keeps one draw per call, which keeps replays aligned.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniformly random value in `lo..=hi` (`lo` when `hi <= lo`).
    ///
    /// ```
    /// use sim_core::SimRng;
    /// let mut r = SimRng::new(3, 0);
    /// let v = r.range_inclusive(5, 9);
    /// assert!((5..=9).contains(&v));
    /// ```
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }

    /// `true` with probability `p` (clamped to `0.0..=1.0`).
    ///
    /// ```
    /// use sim_core::SimRng;
    /// let mut r = SimRng::new(3, 0);
    /// assert!(!r.chance(0.0));
    /// assert!(r.chance(1.0));
    /// ```
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
