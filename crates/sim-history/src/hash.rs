//! A small deterministic hasher and an open-addressing index for the checker's
//! tables (no per-process random seed, so a check is reproducible).

use std::hash::{Hash, Hasher};

/// The Fx hash (as in rustc): one multiply per word, fine for the checker's
/// short keys.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0_u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(SEED);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The hash of any `Hash` value under [`FxHasher`], spread by [`mix`].
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = FxHasher::default();
    value.hash(&mut h);
    mix(h.finish())
}

/// SplitMix64's finaliser: spreads every input bit over the whole word.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An index from hashes to dense ids `0..len`; the caller keeps the entries
/// and says, through `eq`, whether an id holds the key being looked up.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// `0` is empty, otherwise id + 1. Length is a power of two.
    slots: Vec<u32>,
    /// The hash of each id, to grow without asking the caller.
    hashes: Vec<u64>,
}

impl Index {
    /// The id whose entry `eq` accepts, or a fresh id (the caller must then
    /// push its entry) and `true`.
    pub(crate) fn find_or_insert(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(u32) -> bool,
    ) -> (u32, bool) {
        if self.slots.len() < 2 * (self.hashes.len() + 1) {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                let id = u32::try_from(self.hashes.len()).unwrap_or(u32::MAX);
                self.slots[i] = id.saturating_add(1);
                self.hashes.push(hash);
                return (id, true);
            }
            let id = slot - 1;
            if self.hashes[id as usize] == hash && eq(id) {
                return (id, false);
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(64);
        self.slots = vec![0; size];
        let mask = size - 1;
        for (id, &hash) in self.hashes.iter().enumerate() {
            let mut i = (hash as usize) & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = u32::try_from(id + 1).unwrap_or(u32::MAX);
        }
    }
}
