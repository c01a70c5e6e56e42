//! Unit tests of the term parser: round trips with the printer, and errors with offsets.

use super::*;
use crate::id::{Pid, Ref};
use crate::term::tests_support::arb_term;
use proptest::prelude::*;

fn parse(s: &str) -> Result<Term, ParseError> {
    s.parse()
}

fn ok(s: &str) -> Term {
    match parse(s) {
        Ok(t) => t,
        Err(e) => panic!("{s:?}: {e}"),
    }
}

fn a(name: &str) -> Term {
    Term::atom(name)
}

#[test]
fn parses_each_kind() {
    assert_eq!(ok("42"), Term::Int(42));
    assert_eq!(ok("-42"), Term::Int(-42));
    assert_eq!(ok("+7"), Term::Int(7));
    assert_eq!(ok("-9223372036854775808"), Term::Int(i64::MIN));
    assert_eq!(ok("9223372036854775807"), Term::Int(i64::MAX));
    assert_eq!(ok("1.5"), Term::Float(1.5));
    assert_eq!(ok("-0.0"), Term::Float(-0.0));
    assert_eq!(ok("1.0e10"), Term::Float(1.0e10));
    assert_eq!(ok("2.5E-3"), Term::Float(2.5e-3));
    assert_eq!(ok("$a"), Term::Int(97));
    assert_eq!(ok("$\\n"), Term::Int(10));
    assert_eq!(ok("$\\s"), Term::Int(32));
    assert_eq!(ok("$é"), Term::Int(233));
    assert_eq!(ok("ok"), a("ok"));
    assert_eq!(ok("a@b_C9"), a("a@b_C9"));
    assert_eq!(ok("'EXIT'"), a("EXIT"));
    assert_eq!(ok("''"), a(""));
    assert_eq!(ok("end"), a("end"));
    assert_eq!(ok("'a\\'b\\\\c\\n'"), a("a'b\\c\n"));
    assert_eq!(ok("'\\x{1F600}\\x41\\101\\^a\\q'"), a("\u{1F600}AA\u{1}q"));
    assert_eq!(ok("\"ab\""), Term::string("ab"));
    assert_eq!(ok("\"\""), Term::nil());
    assert_eq!(ok("{}"), Term::tuple(Vec::<Term>::new()));
    assert_eq!(ok("{ a , 1 }"), Term::tuple([a("a"), Term::Int(1)]));
    assert_eq!(ok("[]"), Term::nil());
    assert_eq!(ok("[ ]"), Term::nil());
    assert_eq!(ok("[a|b]"), Term::improper_list([a("a")], a("b")));
    assert_eq!(ok("[a,b|c]"), Term::improper_list([a("a"), a("b")], a("c")));
    assert_eq!(ok("[a|[b]]"), Term::list([a("a"), a("b")]));
    assert_eq!(ok("[a|[]]"), Term::list([a("a")]));
    assert_eq!(ok("#{}"), Term::map(Vec::<(Term, Term)>::new()));
    assert_eq!(ok("#{a => 1, b=>2}"), Term::map([(a("a"), 1), (a("b"), 2)]));
    assert_eq!(ok("#{a => 1, a => 2}"), Term::map([(a("a"), 2)]));
    assert_eq!(ok("<<>>"), Term::binary(b""));
    assert_eq!(ok("<< \"ab\" , 0, $c >>"), Term::binary(b"ab\0c"));
    assert_eq!(ok("<<1,2,255>>"), Term::binary(&[1, 2, 255]));
    assert_eq!(ok("<0.83.0>"), Term::from(Pid::new(0, 83, 0)));
    assert_eq!(ok("#Ref<0.1.2.3>"), Term::from(Ref::new(0, [1, 2, 3])));
    assert_eq!(ok(" \n\t{ok}\r\n "), Term::tuple([a("ok")]));
}

#[test]
fn malformed_inputs_report_offsets() {
    let deep = "[".repeat(100_000);
    let cases: &[(&str, usize)] = &[
        ("{a,", 3),
        ("{a b}", 3),
        ("[1|]", 3),
        ("'unterminated", 13),
        ("\"abc", 4),
        ("<<256>>", 2),
        ("#{a}", 3),
        ("<0.1>", 4),
        ("#Ref<1.2>", 8),
        ("99999999999999999999", 0),
        ("-9223372036854775809", 0),
        ("{}}", 2),
        (",", 0),
        ("", 0),
        ("   ", 3),
        ("[a|b|c]", 4),
        ("1.", 2),
        (".5", 0),
        ("#{a => }", 7),
        ("<<\"a\",>>", 6),
        ("abc def", 4),
        ("{a,}", 3),
        (&deep, MAX_DEPTH),
        ("1.0e", 4),
        ("1.0e999", 0),
        ("-", 1),
        ("- 1", 1),
        ("$", 1),
        ("<<-1>>", 2),
        ("<<1.5>>", 2),
        ("<<\"é€\">>", 2),
        ("<4294967296.0.0>", 1),
        ("<0.0.0", 6),
        ("#Ref<0.1.2.3", 12),
        ("#x", 0),
        ("'\\x{110000}'", 1),
        ("'\\x{D800}'", 1),
        ("'\\x{}'", 4),
        ("\"\\xg\"", 3),
        ("Var", 0),
        ("[1 2]", 3),
        ("#{a => 1,}", 9),
        ("{'a'b}", 4),
        ("<<1 2>>", 4),
        ("[a|b c]", 5),
        ("<0.a.0>", 3),
    ];
    for (input, offset) in cases {
        match parse(input) {
            Ok(t) => panic!("{input:?} parsed as {t}"),
            Err(e) => assert_eq!(e.offset(), *offset, "{input:?}: {e}"),
        }
    }
}

#[test]
fn error_messages() {
    let msg = |s: &str| {
        parse(s)
            .map(|t| t.to_string())
            .unwrap_or_else(|e| e.to_string())
    };
    assert_eq!(msg("{a b}"), "at byte 3: expected `,` or `}`, found `b`");
    assert_eq!(
        msg("[a"),
        "at byte 2: expected `,`, `|` or `]`, found end of input"
    );
    assert_eq!(
        msg("99999999999999999999"),
        "at byte 0: integer out of range"
    );
    assert_eq!(msg("<<256>>"), "at byte 2: 256 is not a byte (0..=255)");
    assert_eq!(msg("{}}"), "at byte 2: expected end of input, found `}`");
    assert_eq!(
        msg(&"{".repeat(600)),
        format!("at byte {MAX_DEPTH}: terms nested deeper than {MAX_DEPTH}")
    );
}

#[test]
fn long_atoms_are_rejected() {
    let name = "a".repeat(MAX_ATOM_CHARS);
    assert_eq!(ok(&name), a(&name));
    let long = "a".repeat(MAX_ATOM_CHARS + 1);
    assert_eq!(parse(&long).map_err(|e| e.offset()), Err(0));
    assert_eq!(
        parse(&format!("{{'{long}'}}")).map_err(|e| e.offset()),
        Err(1)
    );
}

#[test]
fn deep_nesting_within_the_limit_parses() {
    let depth = MAX_DEPTH;
    for (open, inner, close) in [("[", "", "]"), ("{", "", "}"), ("#{a => ", "1", "}")] {
        let s = open.repeat(depth) + inner + &close.repeat(depth);
        assert!(parse(&s).is_ok(), "{open}");
        let s = open.repeat(depth + 1) + inner + &close.repeat(depth + 1);
        assert_eq!(parse(&s).map_err(|e| e.offset()), Err(depth * open.len()));
    }
    // Binaries, pids and refs hold no terms, so they are fine at any depth.
    for leaf in ["<<1>>", "<0.1.2>", "#Ref<0.1.2.3>"] {
        let s = "[".repeat(depth) + leaf + &"]".repeat(depth);
        assert!(parse(&s).is_ok(), "{leaf}");
    }
}

#[test]
fn nested_list_tails_parse_in_linear_work() {
    // `[1,1,1|[1,1,1|...[]...]]`: each element is placed once, whatever the
    // nesting; building each tail and appending it to the list before it
    // moved every element once per level (quadratic: 1 MB took seconds).
    let nested = |levels: usize| "[1,1,1|".repeat(levels) + "[]" + &"]".repeat(levels);
    for levels in [10, 1_000, 4_000] {
        crate::term::APPENDED.with(|c| c.set(0));
        let t = ok(&nested(levels));
        assert!(matches!(&t, Term::List(v) if v.len() == 3 * levels));
        assert_eq!(crate::term::APPENDED.with(std::cell::Cell::get), 0);
    }
    // A string or improper tail at the end is appended once.
    crate::term::APPENDED.with(|c| c.set(0));
    let t = ok(&("[1|".repeat(1_000) + "\"ab\"" + &"]".repeat(1_000)));
    assert!(matches!(&t, Term::List(v) if v.len() == 1_002));
    assert_eq!(crate::term::APPENDED.with(std::cell::Cell::get), 2);
    assert_eq!(ok("[1|[2|x]]"), Term::improper_list([1, 2], a("x")));
    assert_eq!(ok("[1 | [ ] ]"), Term::list([1]));
    assert_eq!(ok("[1|[2|[]]]").to_string(), "[1,2]");
    for (bad, offset) in [
        ("[1|[2]", 6),
        ("[1|[2|]]", 6),
        ("[1|[2] x]", 7),
        ("[1|[,]]", 4),
    ] {
        assert_eq!(parse(bad).map_err(|e| e.offset()), Err(offset), "{bad}");
    }
}

#[test]
fn non_finite_floats_print_as_text_the_parser_refuses() {
    for (f, text) in [
        (f64::INFINITY, "#Float<inf>"),
        (f64::NEG_INFINITY, "#Float<-inf>"),
        (f64::NAN, "#Float<NaN>"),
    ] {
        let printed = Term::Float(f).to_string();
        assert_eq!(printed, text);
        assert_eq!(
            parse(&printed),
            Err(ParseError::NonFiniteFloat { offset: 0 })
        );
    }
    assert_eq!(parse("[1|#Float<inf>]").map_err(|e| e.offset()), Err(3));
}

proptest! {
    #[test]
    fn print_then_parse_round_trips(t in arb_term()) {
        let text = t.to_string();
        let back = parse(&text);
        prop_assert_eq!(back.as_ref(), Ok(&t), "{}", text);
        if let Ok(back) = back {
            prop_assert_eq!(back.to_string(), text);
        }
    }

    #[test]
    fn finite_floats_round_trip(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let text = Term::Float(f).to_string();
        match parse(&text) {
            Ok(Term::Float(g)) => prop_assert_eq!(g.to_bits(), f.to_bits(), "{}", text),
            other => prop_assert!(false, "{} parsed as {:?}", text, other),
        }
    }

    #[test]
    fn never_panics_on_any_string(s in ".{0,64}") {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_termish_strings(s in "[\\[\\]{}<>#,.|'\"$a-zA-Z0-9 =>\\\\^_@+eé-]{0,48}") {
        if let Ok(t) = parse(&s) {
            // Whatever parses prints to something that parses back the same.
            let text = t.to_string();
            prop_assert_eq!(parse(&text), Ok(t));
        }
    }
}
