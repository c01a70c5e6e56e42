//! `FastMap`: an `IndexMap` with a small multiplicative hasher instead of SipHash.
//!
//! The runtime looks names up on every remote call (node names, registered names,
//! modules and functions, timer references); SipHash's setup dominated those
//! lookups. An `IndexMap` iterates in insertion order whatever the hasher, so
//! this changes no order the simulation can see; the keys come from the
//! simulation itself, so flooding resistance buys nothing here.

use indexmap::IndexMap;
use std::hash::{BuildHasherDefault, Hasher};

/// An insertion-ordered map with [`FastHasher`].
pub(crate) type FastMap<K, V> = IndexMap<K, V, BuildHasherDefault<FastHasher>>;

/// The Fx hash (as in rustc): one rotate, xor and multiply per word.
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        // The tail without a variable-length copy (a `memcpy` call otherwise).
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(
                rest.iter()
                    .rev()
                    .fold(0u64, |w, &b| (w << 8) | u64::from(b)),
            );
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::Atom;

    #[test]
    fn keeps_insertion_order_and_finds_keys() {
        let mut m: FastMap<Atom, u32> = FastMap::default();
        for (i, n) in ["zeta", "alpha", "mid"].iter().enumerate() {
            m.insert(Atom::new(n), i as u32);
        }
        let keys: Vec<&str> = m.keys().map(|a| a.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha", "mid"]);
        assert_eq!(m.get(&Atom::new("alpha")), Some(&1));
        assert_eq!(m.get(&Atom::new("nope")), None);
    }
}
