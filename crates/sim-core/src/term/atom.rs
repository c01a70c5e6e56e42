//! Interned atoms: compared by name, never by interning order.
//!
//! The interner is a process-wide table behind a mutex, so many simulations on
//! several threads share one set of atoms. Interning leaks each distinct name once
//! (as the BEAM never frees atoms either); an `Atom` is then a `&'static str`
//! whose pointer identifies it, which makes equality a pointer compare.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock};

/// The longest atom Erlang accepts, in characters.
pub const MAX_ATOM_CHARS: usize = 255;

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
pub struct Atom(&'static str);

const CACHE_SLOTS: usize = 256;

thread_local! {
    static CACHE: RefCell<[Option<&'static str>; CACHE_SLOTS]> =
        const { RefCell::new([None; CACHE_SLOTS]) };
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
            pub(crate) static $id: Atom = Atom($name);
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
}

fn table() -> &'static Mutex<BTreeSet<&'static str>> {
    static TABLE: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    // The well-known atoms go in first, so interning their names finds the
    // statics' own pointers.
    TABLE.get_or_init(|| Mutex::new(WELL_KNOWN.iter().map(|a| a.0).collect()))
}

impl Atom {
    /// Interns `name` and returns its atom.
    ///
    /// ```
    /// use sim_core::Atom;
    /// assert_eq!(Atom::new("ok").as_str(), "ok");
    /// ```
    pub fn new(name: &str) -> Atom {
        // Most names are interned already and looked up again and again (`normal`,
        // `'DOWN'`, a module's name at every call): a small per-thread cache of
        // interned names answers those without the lock and the tree search.
        // It holds only pointers from the table, so atoms stay one per name.
        let slot = cache_slot(name);
        let hit = CACHE.with(|c| c.borrow()[slot].filter(|s| *s == name));
        if let Some(s) = hit {
            return Atom(s);
        }
        let atom = Atom::intern(name);
        CACHE.with(|c| c.borrow_mut()[slot] = Some(atom.0));
        atom
    }

    fn intern(name: &str) -> Atom {
        // A poisoned lock only means another thread panicked while inserting; the
        // set itself is still consistent (insertion is a single call).
        let mut set = table().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = set.get(name) {
            return Atom(existing);
        }
        let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
        set.insert(leaked);
        Atom(leaked)
    }

    /// The atom's name.
    ///
    /// ```
    /// use sim_core::Atom;
    /// assert_eq!(Atom::new("EXIT").as_str(), "EXIT");
    /// ```
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Atom) -> bool {
        // Interning makes the pointer unique per name.
        std::ptr::eq(self.0.as_ptr(), other.0.as_ptr()) && self.0.len() == other.0.len()
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
            self.0.as_bytes().cmp(other.0.as_bytes())
        }
    }
}

impl Hash for Atom {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Hash the name, not the pointer, so hashes are the same in every run.
        self.0.hash(state);
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atom({:?})", self.0)
    }
}

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
    fn interning_is_safe_across_threads() {
        let handles: Vec<_> = (0..4)
            .map(|i| std::thread::spawn(move || Atom::new(&format!("t{}", i % 2))))
            .collect();
        let atoms: Vec<Atom> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(atoms[0], atoms[2]);
        assert_eq!(atoms[1], atoms[3]);
    }
}
