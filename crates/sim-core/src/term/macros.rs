//! Terse term construction: [`atom!`](crate::atom), [`tuple!`](crate::tuple),
//! [`list!`](crate::list) and [`args!`](crate::args).
//!
//! Elements are converted with `Term::from`, so integers, floats, booleans,
//! atoms, pids, refs, `Vec<Term>` and terms themselves can be mixed freely.

/// The atom with the given name, as a [`Term`](crate::Term).
///
/// ```
/// use sim_core::{atom, Term};
/// assert_eq!(atom!("ok"), Term::atom("ok"));
/// assert_eq!(atom!("EXIT").to_string(), "'EXIT'");
/// ```
#[macro_export]
macro_rules! atom {
    ($name:expr) => {
        $crate::Term::Atom($crate::Atom::new($name))
    };
}

/// A tuple term of the given elements, each converted with `Term::from`.
///
/// ```
/// use sim_core::{atom, tuple};
/// let t = tuple![atom!("ok"), 1, 2.5, true];
/// assert_eq!(t.to_string(), "{ok,1,2.5,true}");
/// assert_eq!(tuple![].to_string(), "{}");
/// ```
#[macro_export]
macro_rules! tuple {
    ($($elem:expr),* $(,)?) => {
        $crate::Term::Tuple(::std::vec![$($crate::Term::from($elem)),*])
    };
}

/// A proper list term of the given elements, each converted with `Term::from`.
///
/// ```
/// use sim_core::{atom, list, tuple};
/// let l = list![1, atom!("a"), tuple![2]];
/// assert_eq!(l.to_string(), "[1,a,{2}]");
/// assert_eq!(list![].to_string(), "[]");
/// ```
#[macro_export]
macro_rules! list {
    ($($elem:expr),* $(,)?) => {
        $crate::Term::List(::std::vec![$($crate::Term::from($elem)),*])
    };
}

/// The arguments of an MFA call: a `Vec<Term>` of the given elements, each
/// converted with `Term::from`.
///
/// ```
/// use sim_core::{args, atom, Term};
/// let a: Vec<Term> = args![atom!("oops"), 1];
/// assert_eq!(a, vec![Term::atom("oops"), Term::Int(1)]);
/// assert!(args![].is_empty());
/// ```
#[macro_export]
macro_rules! args {
    ($($elem:expr),* $(,)?) => {
        <::std::vec::Vec<$crate::Term>>::from([$($crate::Term::from($elem)),*])
    };
}
