//! Identities: nodes, process ids and references.
//!
//! Pids and refs are small `Copy` values. A pid carries the node it lives on and a
//! slot index with a generation, so a pid of a dead process never names a later
//! process that reuses the slot.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Index of a node in its simulation (`0` is the first node given to the builder).
///
/// ```
/// use sim_core::NodeId;
/// assert_eq!(NodeId(2).index(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index as a `usize`.
    ///
    /// ```
    /// use sim_core::NodeId;
    /// assert_eq!(NodeId(1).index(), 1usize);
    /// ```
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A process identifier, printed as Erlang does: `<Node.Index.Serial>`.
///
/// `node` is the node index, `index` the process slot and `serial` the slot's
/// generation: a slot reused by a later process gets a new serial, so a stale pid
/// never reaches the new process.
///
/// ```
/// use sim_core::Pid;
/// let p = Pid::new(0, 83, 0);
/// assert_eq!(p.to_string(), "<0.83.0>");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid {
    node: u32,
    index: u32,
    serial: u32,
}

impl Pid {
    /// Builds a pid from its three printed numbers.
    ///
    /// ```
    /// use sim_core::Pid;
    /// assert_eq!(Pid::new(1, 2, 3).node().0, 1);
    /// ```
    pub const fn new(node: u32, index: u32, serial: u32) -> Pid {
        Pid {
            node,
            index,
            serial,
        }
    }

    /// The node this process lives (or lived) on.
    ///
    /// ```
    /// use sim_core::{NodeId, Pid};
    /// assert_eq!(Pid::new(3, 0, 0).node(), NodeId(3));
    /// ```
    pub const fn node(self) -> NodeId {
        NodeId(self.node)
    }

    /// The slot index (the middle printed number).
    ///
    /// ```
    /// use sim_core::Pid;
    /// assert_eq!(Pid::new(0, 7, 1).index(), 7);
    /// ```
    pub const fn index(self) -> u32 {
        self.index
    }

    /// The slot generation (the last printed number).
    ///
    /// ```
    /// use sim_core::Pid;
    /// assert_eq!(Pid::new(0, 7, 1).serial(), 1);
    /// ```
    pub const fn serial(self) -> u32 {
        self.serial
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}.{}.{}>", self.node, self.index, self.serial)
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A reference, printed as Erlang does: `#Ref<Node.A.B.C>`.
///
/// References made by a simulation are unique within it: `words` holds a
/// per-simulation counter.
///
/// ```
/// use sim_core::Ref;
/// let r = Ref::new(0, [0, 1, 2]);
/// assert_eq!(r.to_string(), "#Ref<0.0.1.2>");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    node: u32,
    words: [u32; 3],
}

impl Ref {
    /// Builds a reference from its four printed numbers.
    ///
    /// ```
    /// use sim_core::Ref;
    /// assert_eq!(Ref::new(1, [2, 3, 4]).to_string(), "#Ref<1.2.3.4>");
    /// ```
    pub const fn new(node: u32, words: [u32; 3]) -> Ref {
        Ref { node, words }
    }

    /// Builds the `n`th reference made on `node` (the counter fills the low words).
    ///
    /// ```
    /// use sim_core::Ref;
    /// assert_eq!(Ref::from_counter(0, 5).to_string(), "#Ref<0.0.0.5>");
    /// ```
    pub const fn from_counter(node: u32, n: u64) -> Ref {
        Ref {
            node,
            words: [0, (n >> 32) as u32, n as u32],
        }
    }

    /// The node that made the reference.
    ///
    /// ```
    /// use sim_core::{NodeId, Ref};
    /// assert_eq!(Ref::new(2, [0, 0, 1]).node(), NodeId(2));
    /// ```
    pub const fn node(self) -> NodeId {
        NodeId(self.node)
    }

    /// The three numbers after the node.
    ///
    /// ```
    /// use sim_core::Ref;
    /// assert_eq!(Ref::new(0, [1, 2, 3]).words(), [1, 2, 3]);
    /// ```
    pub const fn words(self) -> [u32; 3] {
        self.words
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.words;
        write!(f, "#Ref<{}.{}.{}.{}>", self.node, a, b, c)
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn numbers<const N: usize>(s: &str) -> Option<[u32; N]> {
    let mut out = [0u32; N];
    let mut parts = s.split('.');
    for slot in &mut out {
        *slot = parts.next()?.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

impl std::str::FromStr for Pid {
    type Err = String;

    /// Parses `<A.B.C>`.
    fn from_str(s: &str) -> Result<Pid, String> {
        let inner = s
            .strip_prefix('<')
            .and_then(|x| x.strip_suffix('>'))
            .ok_or_else(|| format!("`{s}` is not a pid (expected <A.B.C>)"))?;
        let [a, b, c] = numbers::<3>(inner).ok_or_else(|| format!("`{s}` is not a pid"))?;
        Ok(Pid::new(a, b, c))
    }
}

impl std::str::FromStr for Ref {
    type Err = String;

    /// Parses `#Ref<A.B.C.D>`.
    fn from_str(s: &str) -> Result<Ref, String> {
        let inner = s
            .strip_prefix("#Ref<")
            .and_then(|x| x.strip_suffix('>'))
            .ok_or_else(|| format!("`{s}` is not a reference (expected #Ref<A.B.C.D>)"))?;
        let [n, a, b, c] =
            numbers::<4>(inner).ok_or_else(|| format!("`{s}` is not a reference"))?;
        Ok(Ref::new(n, [a, b, c]))
    }
}

/// Pids serialize as their printed form, `"<0.83.0>"`.
impl Serialize for Pid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Pid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pid, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// References serialize as their printed form, `"#Ref<0.1.2.3>"`.
impl Serialize for Ref {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ref, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_and_refs_serialize_as_printed() {
        let p = Pid::new(1, 2, 3);
        let j = serde_json::to_string(&p).unwrap();
        assert_eq!(j, "\"<1.2.3>\"");
        assert_eq!(serde_json::from_str::<Pid>(&j).unwrap(), p);
        let r = Ref::new(0, [1, 2, 3]);
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Ref>(&j).unwrap(), r);
        assert!("<1.2>".parse::<Pid>().is_err());
        assert!("#Ref<1.2.3>".parse::<Ref>().is_err());
    }
}
