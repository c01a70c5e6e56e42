//! Deep terms: a term nested hundreds of thousands of levels deep clones, compares, hashes,
//! prints and drops without overflowing the stack, and what cannot handle it
//! (serde, the parser) refuses it with an error. Each check runs on a thread
//! with a small stack (smaller than an explorer worker's), so a recursion that
//! came back would abort this test binary.

use sim_core::term::{ParseError, MAX_DEPTH};
use sim_core::{Atom, Term};
use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// A stack far too small for a million frames of anything.
const SMALL_STACK: usize = 256 * 1024;

/// Half the stack of an explorer worker: the parser recurses once per level
/// up to `MAX_DEPTH`, which must fit.
const PARSER_STACK: usize = 1024 * 1024;

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let worker = std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap_or_else(|e| panic!("cannot start a thread: {e}"));
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

fn hash_of(t: &Term) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// `depth` levels of `wrap` around `leaf`, built bottom-up (no recursion).
fn nest(depth: usize, leaf: Term, wrap: fn(Term) -> Term) -> Term {
    (0..depth).fold(leaf, |t, _| wrap(t))
}

const MILLION: usize = 1_000_000;

fn tuple1(t: Term) -> Term {
    Term::Tuple(vec![t])
}

fn list_last(t: Term) -> Term {
    Term::List(vec![Term::Int(1), t])
}

fn list_first(t: Term) -> Term {
    Term::List(vec![t, Term::atom("x")])
}

fn improper_tail(t: Term) -> Term {
    Term::ImproperList(vec![Term::Int(1)], Box::new(Term::Tuple(vec![t])))
}

fn map_value(t: Term) -> Term {
    Term::map([(Term::Int(1), t)])
}

/// Every operation on `depth` levels of `wrap`; the copy built around `2`
/// compares greater at the innermost level.
fn exercise(depth: usize, wrap: fn(Term) -> Term) {
    let t = nest(depth, Term::Int(1), wrap);
    let same = t.clone();
    let greater = nest(depth, Term::Int(2), wrap);
    assert_eq!(t, same);
    assert_eq!(t.cmp(&greater), Ordering::Less);
    assert_eq!(greater.cmp(&t), Ordering::Greater);
    let float = nest(depth, Term::Float(1.0), wrap);
    assert!(t.erl_eq(&float));
    assert_ne!(t, float);
    drop(float);
    assert_eq!(hash_of(&t), hash_of(&same));
    let text = t.to_string();
    assert!(text.len() > depth);
    assert_eq!(format!("{t:?}"), text);
    assert_eq!(
        text.matches(['{', '[']).count(),
        text.matches(['}', ']']).count()
    );
    // Text this deep is refused by the parser, at the first container past
    // its limit (the parser recurses up to MAX_DEPTH levels: it needs more
    // stack than the rest, but less than an explorer worker has).
    let parsed = std::thread::Builder::new()
        .stack_size(PARSER_STACK)
        .spawn(move || text.parse::<Term>().map(drop))
        .and_then(|h| {
            h.join()
                .map_err(|_| std::io::Error::other("parser panicked"))
        });
    assert!(
        matches!(parsed, Ok(Err(ParseError::TooDeep { .. }))),
        "a term {depth} deep parsed as {parsed:?}"
    );
    // serde refuses the term itself.
    let json = serde_json::to_string(&t);
    assert!(
        json.as_ref()
            .is_err_and(|e| e.to_string().contains("nested deeper")),
        "serde wrote a term {depth} deep"
    );
    drop((t, same, greater));
}

#[test]
fn a_deep_tuple_works_on_a_small_stack() {
    on_small_stack(|| exercise(MILLION / 4, tuple1));
}

#[test]
fn a_deep_list_works_on_a_small_stack() {
    on_small_stack(|| exercise(MILLION / 4, list_last));
}

#[test]
fn deep_terms_of_every_shape_work_on_a_small_stack() {
    on_small_stack(|| {
        exercise(50_000, list_first);
        exercise(50_000, improper_tail);
        exercise(50_000, map_value);
    });
}

#[test]
fn a_deep_map_key_drops_and_clones_on_a_small_stack() {
    on_small_stack(|| {
        let t = nest(50_000, Term::atom("k"), |t| Term::map([(t, Term::Int(0))]));
        let c = t.clone();
        assert_eq!(hash_of(&t), hash_of(&c));
        drop((t, c));
    });
}

#[test]
fn a_million_nested_list_tails_parse_as_one_flat_list() {
    // `[1|[1|...[1]...]]` is one list, not a nesting: it parses at any length.
    on_small_stack(|| {
        let text = "[1|".repeat(MILLION) + "[]" + &"]".repeat(MILLION);
        let t: Term = text.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.as_list().map(<[Term]>::len), Some(MILLION));
    });
}

#[test]
fn terms_at_the_depth_limit_serialize_and_read_back() {
    // Within MAX_DEPTH, serde writes the term; serde_json's own reader stops
    // at 128 JSON levels (two per term level), so read back a shallower one.
    let at_limit = nest(MAX_DEPTH, Term::atom("x"), tuple1);
    assert!(serde_json::to_string(&at_limit).is_ok());
    let past = nest(MAX_DEPTH + 1, Term::atom("x"), tuple1);
    assert!(serde_json::to_string(&past).is_err());
    let shallow = nest(60, Term::Atom(Atom::new("x")), list_last);
    let json = serde_json::to_string(&shallow).unwrap_or_else(|e| panic!("{e}"));
    let back: Term = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, shallow);
}
