//! Interned atoms: compared by name, never by interning order.
//!
//! The interner is a process-wide table behind a mutex, so many simulations on
//! several threads share one set of atoms. Interning leaks each distinct name once
//! (as the BEAM never frees atoms either); an `Atom` is then a `&'static` pointer
//! to its name and the name's hash, computed once at interning: equality is a
//! pointer compare, and hashing an atom (map lookups, the trace digest) writes one
//! word instead of re-hashing the name.
//!
//! As on the BEAM, a name is at most [`MAX_ATOM_CHARS`] characters (not bytes)
//! and the table holds at most [`MAX_ATOMS`] atoms; past either limit
//! [`Atom::try_new`] answers an [`AtomError`] (Erlang's `system_limit`), so the
//! leak is bounded.

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock};

/// The longest atom Erlang accepts, in characters (OTP 25:
/// `list_to_atom(lists:duplicate(256, $a))` is `system_limit`, and so is 256
/// times `$é`, while 255 emoji are fine).
pub const MAX_ATOM_CHARS: usize = 255;

/// The most atoms the table holds: the BEAM's default atom limit
/// (`erlang:system_info(atom_limit)` on OTP 25), shared by every simulation in
/// the program, well-known atoms included.
pub const MAX_ATOMS: usize = 1_048_576;

/// Why a name cannot become an atom: both are Erlang's `system_limit`.
///
/// ```
/// use sim_core::term::{AtomError, MAX_ATOM_CHARS};
/// use sim_core::Atom;
/// let e = Atom::try_new(&"a".repeat(MAX_ATOM_CHARS + 1)).unwrap_err();
/// assert_eq!(e, AtomError::TooLong { chars: MAX_ATOM_CHARS + 1 });
/// assert_eq!(e.to_string(), "system_limit: atom name of 256 characters (at most 255)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AtomError {
    /// The name has more than [`MAX_ATOM_CHARS`] characters.
    #[error("system_limit: atom name of {chars} characters (at most {MAX_ATOM_CHARS})")]
    TooLong {
        /// How many characters the name has.
        chars: usize,
    },
    /// The table already holds [`MAX_ATOMS`] atoms and the name is new.
    #[error("system_limit: the atom table is full ({MAX_ATOMS} atoms)")]
    TableFull,
}

/// An interned Erlang atom.
///
/// Two atoms are equal when their names are equal; they order alphabetically by
/// name (byte-wise, as Erlang orders atoms), whatever order they were interned in.
///
/// ```
/// use sim_core::Atom;
/// let a = Atom::new("apple");
/// let b = Atom::new("banana");
/// assert!(a < b);
/// assert_eq!(a, Atom::new("apple"));
/// assert_eq!(a.as_str(), "apple");
/// ```
#[derive(Clone, Copy)]
pub struct Atom(&'static AtomData);

/// What an atom points at: its name and the name's hash, one per name.
pub(crate) struct AtomData {
    name: &'static str,
    hash: u64,
}

/// The hash of an atom's name: deterministic (the same in every run, on every
/// thread and platform), Fx-style over the name's little-endian 8-byte words, the
/// short tail zero-padded, seeded with the length. `const`, so the well-known
/// atoms carry theirs from compile time.
pub(crate) const fn name_hash(name: &str) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let b = name.as_bytes();
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ b.len() as u64;
    let mut i = 0;
    while i < b.len() {
        let mut w = 0u64;
        let mut j = 0;
        while j < 8 && i + j < b.len() {
            w |= (b[i + j] as u64) << (8 * j);
            j += 1;
        }
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        i += 8;
    }
    h
}

const CACHE_SLOTS: usize = 256;

thread_local! {
    static CACHE: [Cell<Option<&'static AtomData>>; CACHE_SLOTS] =
        const { [const { Cell::new(None) }; CACHE_SLOTS] };
}

/// A name's slot in the cache: its length and first and last bytes (cheap, and
/// enough to spread the few dozen names a program uses).
fn cache_slot(name: &str) -> usize {
    let b = name.as_bytes();
    let (first, last) = match b {
        [] => (0, 0),
        [f, .., l] => (usize::from(*f), usize::from(*l)),
        [f] => (usize::from(*f), 0),
    };
    (b.len().wrapping_mul(31) ^ first.wrapping_mul(7) ^ last.wrapping_mul(131)) % CACHE_SLOTS
}

macro_rules! well_known {
    ($($id:ident = $name:literal,)*) => {
        $(
            #[doc = concat!("The atom `", $name, "`, interned from the start: the runtime")]
            /// names it at every exit, `'DOWN'` or reply, without a lookup.
            pub(crate) static $id: Atom = Atom(&AtomData { name: $name, hash: name_hash($name) });
        )*
        static WELL_KNOWN: &[&Atom] = &[$(&$id),*];
    };
}

well_known! {
    NORMAL = "normal",
    DOWN = "DOWN",
    PROCESS = "process",
    EXIT = "EXIT",
    SPAWN_REPLY = "spawn_reply",
    OK = "ok",
    ERROR = "error",
    NOPROC = "noproc",
    NOCONNECTION = "noconnection",
    KILL = "kill",
    KILLED = "killed",
    // What a full table answers with must not need a new atom.
    SYSTEM_LIMIT = "system_limit",
}

type Table = BTreeMap<&'static str, &'static AtomData>;

fn table() -> &'static Mutex<Table> {
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    // The well-known atoms go in first, so interning their names finds the
    // statics' own pointers.
    TABLE.get_or_init(|| Mutex::new(WELL_KNOWN.iter().map(|a| (a.0.name, a.0)).collect()))
}

impl Atom {
    /// Interns `name` and returns its atom, for names known to be valid (literals,
    /// names the program chose). Names that come from data go through
    /// [`Atom::try_new`].
    ///
    /// # Panics
    ///
    /// Panics when `name` is longer than [`MAX_ATOM_CHARS`] characters or the
    /// table is full ([`AtomError`]). In a process body that panic is a crash of
    /// that process, never of the simulator.
    ///
    /// ```
    /// use sim_core::Atom;
    /// assert_eq!(Atom::new("ok").as_str(), "ok");
    /// ```
    #[inline]
    pub fn new(name: &str) -> Atom {
        match Atom::try_new(name) {
            Ok(atom) => atom,
            Err(e) => refused(e),
        }
    }

    /// Interns `name`, or says why it cannot be an atom: longer than
    /// [`MAX_ATOM_CHARS`] characters, or new while the table holds [`MAX_ATOMS`].
    /// In a process body, `?` turns the error into `error:system_limit`, as
    /// `list_to_atom/1` raises.
    ///
    /// ```
    /// use sim_core::{Atom, Exception};
    /// assert_eq!(Atom::try_new("ok"), Ok(Atom::new("ok")));
    /// let long = "\u{e9}".repeat(256);
    /// assert!(Atom::try_new(&long).is_err());
    /// let e: Exception = Atom::try_new(&long).unwrap_err().into();
    /// assert_eq!(e.to_string(), "error:system_limit");
    /// ```
    pub fn try_new(name: &str) -> Result<Atom, AtomError> {
        // Most names are interned already and looked up again and again (`normal`,
        // `'DOWN'`, a module's name at every call): a small per-thread cache of
        // interned names answers those without the lock and the tree search.
        // It holds only pointers from the table, so atoms stay one per name.
        let slot = cache_slot(name);
        let hit = CACHE.with(|c| c[slot].get());
        if let Some(d) = hit.filter(|d| d.name == name) {
            return Ok(Atom(d));
        }
        // A name of at most 255 bytes has at most 255 characters; only longer
        // ones need counting.
        if name.len() > MAX_ATOM_CHARS {
            let chars = name.chars().count();
            if chars > MAX_ATOM_CHARS {
                return Err(AtomError::TooLong { chars });
            }
        }
        let atom = Atom::intern(name)?;
        CACHE.with(|c| c[slot].set(Some(atom.0)));
        Ok(atom)
    }

    fn intern(name: &str) -> Result<Atom, AtomError> {
        // A poisoned lock only means another thread panicked while inserting; the
        // set itself is still consistent (insertion is a single call).
        let mut set = table().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = set.get(name) {
            return Ok(Atom(existing));
        }
        if set.len() >= MAX_ATOMS {
            return Err(AtomError::TableFull);
        }
        let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let data: &'static AtomData = Box::leak(Box::new(AtomData {
            name: leaked,
            hash: name_hash(leaked),
        }));
        set.insert(leaked, data);
        Ok(Atom(data))
    }

    /// The atom's name.
    ///
    /// ```
    /// use sim_core::Atom;
    /// assert_eq!(Atom::new("EXIT").as_str(), "EXIT");
    /// ```
    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    /// The name's hash ([`name_hash`]), computed once at interning.
    #[inline]
    pub(crate) fn hash_word(self) -> u64 {
        self.0.hash
    }
}

#[cold]
#[inline(never)]
fn refused(e: AtomError) -> ! {
    panic!("Atom::new: {e}")
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        // Interning makes the pointer unique per name.
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Atom {}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Atom) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Atom {
    fn cmp(&self, other: &Atom) -> Ordering {
        if self == other {
            Ordering::Equal
        } else {
            self.0.name.as_bytes().cmp(other.0.name.as_bytes())
        }
    }
}

impl Hash for Atom {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The name's hash, not the pointer, so hashes are the same in every run.
        state.write_u64(self.0.hash);
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atom({:?})", self.0.name)
    }
}

/// As [`Atom::new`], so it panics on a name [`Atom::try_new`] refuses.
///
/// ```
/// use sim_core::Atom;
/// assert_eq!(Atom::from("ok"), Atom::new("ok"));
/// ```
impl From<&str> for Atom {
    fn from(s: &str) -> Atom {
        Atom::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms_compare_by_name_not_interning_order() {
        let z = Atom::new("zzz_first_interned");
        let a = Atom::new("aaa_second_interned");
        assert!(a < z);
    }

    #[test]
    fn well_known_atoms_are_the_interned_ones() {
        assert_eq!(Atom::new("normal"), NORMAL);
        assert_eq!(Atom::new(&String::from("DOWN")), DOWN);
        assert!(std::ptr::eq(Atom::new("EXIT").as_str(), EXIT.as_str()));
    }

    #[test]
    fn the_cached_hash_is_the_names_hash() {
        assert_eq!(NORMAL.hash_word(), name_hash("normal"));
        let long = Atom::new("a_name_longer_than_eight_bytes");
        assert_eq!(
            long.hash_word(),
            name_hash("a_name_longer_than_eight_bytes")
        );
        assert_ne!(name_hash("a"), name_hash("a\0"));
    }

    #[test]
    fn atom_names_are_limited_in_characters_not_bytes() {
        // OTP 25: 255 four-byte characters make an atom, 256 `é` do not.
        let emoji = "\u{1F600}".repeat(MAX_ATOM_CHARS);
        assert_eq!(Atom::try_new(&emoji).map(|a| a.as_str().len()), Ok(4 * 255));
        assert_eq!(
            Atom::try_new(&"é".repeat(MAX_ATOM_CHARS + 1)),
            Err(AtomError::TooLong {
                chars: MAX_ATOM_CHARS + 1
            })
        );
        assert!(Atom::try_new(&"a".repeat(MAX_ATOM_CHARS)).is_ok());
    }

    #[test]
    fn atom_new_panics_on_a_name_try_new_refuses() {
        let long = "b".repeat(MAX_ATOM_CHARS + 1);
        let caught = std::panic::catch_unwind(|| Atom::new(&long));
        assert!(caught.is_err());
    }

    #[test]
    fn interning_is_safe_across_threads() {
        // The atom table is shared by explorer threads; this unit test runs
        // no simulation.
        let intern = |i: i32| move || Atom::new(&format!("t{}", i % 2));
        let handles: Vec<_> = (0..4)
            .map(|i| std::thread::spawn(intern(i))) // tidy: allow unit test, no simulation
            .collect();
        let atoms: Vec<Atom> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(atoms[0], atoms[2]);
        assert_eq!(atoms[1], atoms[3]);
    }
}
