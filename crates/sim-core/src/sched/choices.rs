//! `Choices`: the recorded picks of a run, four bits each.
//!
//! Nearly every pick is a small index (most choice points have a handful of
//! events), so a pick below 15 takes one nibble and anything larger an escape
//! nibble followed by eight nibbles of the value. A ten-million-step run
//! records in a few megabytes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const ESCAPE: u8 = 0xF;

/// The picks at every choice point of a run, packed into nibbles.
///
/// ```
/// use sim_core::Choices;
/// let c: Choices = [0, 3, 0, 70_000].into_iter().collect();
/// assert_eq!(c.len(), 4);
/// assert_eq!(c.to_vec(), vec![0, 3, 0, 70_000]);
/// assert_eq!(c.get(3), Some(70_000));
/// assert!(c.bytes() <= 6);
/// ```
#[derive(Clone, PartialEq, Eq, Default, Hash)]
pub struct Choices {
    nibbles: Vec<u8>,
    /// Nibbles used (the last byte may hold one).
    used: usize,
    /// Picks recorded.
    len: usize,
    /// Nibble offset of every 64th pick, so `get` does not decode from the
    /// start (32 bits: half a byte per 64 picks; a run past 2^32 nibbles
    /// records no further marks and `get` decodes on from the last).
    marks: Vec<u32>,
}

/// Makes room for one more element, growing by an eighth rather than
/// doubling: a recording of 10^7 picks holds at most an eighth more than
/// it uses, where doubling could hold twice.
fn room_for_one<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 8).max(16));
    }
}

impl std::fmt::Debug for Choices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Choices {
    /// No picks.
    ///
    /// ```
    /// assert!(sim_core::Choices::new().is_empty());
    /// ```
    pub fn new() -> Choices {
        Choices::default()
    }

    /// Number of picks.
    ///
    /// ```
    /// let c: sim_core::Choices = [1, 2].into_iter().collect();
    /// assert_eq!(c.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when nothing is recorded.
    ///
    /// ```
    /// assert!(sim_core::Choices::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of memory the picks occupy (the packed form only).
    ///
    /// ```
    /// let c: sim_core::Choices = std::iter::repeat(1).take(1000).collect();
    /// assert_eq!(c.bytes(), 500);
    /// ```
    pub fn bytes(&self) -> usize {
        self.used.div_ceil(2)
    }

    /// Bytes of heap the recorder holds: the packed picks and the index of
    /// every 64th pick, as allocated (what a run's memory grows by while it
    /// records), at least [`Choices::bytes`].
    ///
    /// ```
    /// let c: sim_core::Choices = std::iter::repeat(1).take(1000).collect();
    /// assert!(c.heap_bytes() >= c.bytes());
    /// assert!(c.heap_bytes() <= c.bytes() + c.bytes() / 4 + 64);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.nibbles.capacity() + self.marks.capacity() * std::mem::size_of::<u32>()
    }

    #[inline]
    fn put(&mut self, n: u8) {
        if self.used % 2 == 0 {
            room_for_one(&mut self.nibbles);
            self.nibbles.push(n);
        } else if let Some(b) = self.nibbles.last_mut() {
            *b |= n << 4;
        }
        self.used += 1;
    }

    fn nibble(&self, at: usize) -> u8 {
        let b = self.nibbles.get(at / 2).copied().unwrap_or(0);
        if at % 2 == 0 {
            b & 0xF
        } else {
            b >> 4
        }
    }

    /// Appends a pick.
    ///
    /// ```
    /// let mut c = sim_core::Choices::new();
    /// c.push(20);
    /// assert_eq!(c.to_vec(), vec![20]);
    /// ```
    #[inline]
    pub fn push(&mut self, v: u32) {
        if self.len % 64 == 0 {
            if let Ok(at) = u32::try_from(self.used) {
                room_for_one(&mut self.marks);
                self.marks.push(at);
            }
        }
        self.len += 1;
        if v < u32::from(ESCAPE) {
            self.put(v as u8);
        } else {
            self.put(ESCAPE);
            for k in 0..8 {
                self.put(((v >> (4 * k)) & 0xF) as u8);
            }
        }
    }

    /// Decodes the pick at nibble offset `at`; returns it and the next offset.
    fn decode(&self, at: usize) -> (u32, usize) {
        let n = self.nibble(at);
        if n != ESCAPE {
            return (u32::from(n), at + 1);
        }
        let v = (0..8).fold(0u32, |v, k| {
            v | (u32::from(self.nibble(at + 1 + k)) << (4 * k))
        });
        (v, at + 9)
    }

    /// The pick at `i`.
    ///
    /// ```
    /// let c: sim_core::Choices = (0..200).collect();
    /// assert_eq!(c.get(130), Some(130));
    /// assert_eq!(c.get(200), None);
    /// ```
    pub fn get(&self, i: usize) -> Option<u32> {
        if i >= self.len {
            return None;
        }
        // The last mark at or before pick `i`.
        let m = (i / 64).min(self.marks.len().saturating_sub(1));
        let mut at = self.marks.get(m).map_or(0, |&a| a as usize);
        for _ in m * 64..i {
            at = self.decode(at).1;
        }
        Some(self.decode(at).0)
    }

    /// The picks in order.
    ///
    /// ```
    /// let c: sim_core::Choices = [2, 0].into_iter().collect();
    /// assert_eq!(c.iter().sum::<u32>(), 2);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = 0;
        (0..self.len).map(move |_| {
            let (v, next) = self.decode(at);
            at = next;
            v
        })
    }

    /// The picks as a vector.
    ///
    /// ```
    /// let c: sim_core::Choices = [4].into_iter().collect();
    /// assert_eq!(c.to_vec(), vec![4]);
    /// ```
    pub fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }
}

impl FromIterator<u32> for Choices {
    fn from_iter<I: IntoIterator<Item = u32>>(it: I) -> Choices {
        let mut c = Choices::new();
        for v in it {
            c.push(v);
        }
        c
    }
}

impl From<Vec<u32>> for Choices {
    fn from(v: Vec<u32>) -> Choices {
        v.into_iter().collect()
    }
}

impl From<&[u32]> for Choices {
    fn from(v: &[u32]) -> Choices {
        v.iter().copied().collect()
    }
}

// Serialized as a list of picks: replay files stay readable, and a shrunk
// schedule is short.
impl Serialize for Choices {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Choices {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Choices, D::Error> {
        Ok(Vec::<u32>::deserialize(d)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_small_and_large_picks() {
        let v: Vec<u32> = (0..1000u32)
            .map(|i| (i * 7919) % 40)
            .chain([u32::MAX])
            .collect();
        let c: Choices = v.clone().into();
        assert_eq!(c.to_vec(), v);
        for (i, x) in v.iter().enumerate() {
            assert_eq!(c.get(i), Some(*x));
        }
        let json = serde_json::to_string(&c).unwrap();
        let back: Choices = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}
