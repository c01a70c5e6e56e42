//! The serde mapping between Rust values and terms: the documented forms,
//! round trips of typed values, and errors (never panics) for terms of the
//! wrong shape.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use sim_core::{Pid, Ref, Term};
use sim_server::{from_term, to_term, Error};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Msg {
    Stop,
    Ping(Pid),
    Move(i64, i64),
    Put { key: String, value: Option<u32> },
    Raw(Term),
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Order {
    id: u64,
    items: Vec<(String, i32)>,
    note: Option<String>,
    paid: bool,
    total: f64,
    by: Ref,
    tags: BTreeMap<String, u8>,
    msgs: Vec<Msg>,
}

fn text(t: &Term) -> String {
    t.to_string()
}

#[test]
fn values_map_to_the_documented_terms() {
    let pid = Pid::new(0, 83, 0);
    let cases: Vec<(Term, &str)> = vec![
        (to_term(&true).unwrap(), "true"),
        (to_term(&-7_i8).unwrap(), "-7"),
        (to_term(&1.5_f64).unwrap(), "1.5"),
        (to_term(&'a').unwrap(), "97"),
        (to_term("hi").unwrap(), "<<\"hi\">>"),
        (to_term(&None::<i32>).unwrap(), "undefined"),
        (to_term(&Some(3)).unwrap(), "3"),
        (to_term(&()).unwrap(), "ok"),
        (to_term(&vec![1, 2]).unwrap(), "[1,2]"),
        (to_term(&(1, "a")).unwrap(), "{1,<<\"a\">>}"),
        (to_term(&Msg::Stop).unwrap(), "stop"),
        (to_term(&Msg::Ping(pid)).unwrap(), "{ping,<0.83.0>}"),
        (to_term(&Msg::Move(1, -2)).unwrap(), "{move,1,-2}"),
        (
            to_term(&Msg::Put {
                key: "k".into(),
                value: None,
            })
            .unwrap(),
            "{put,#{key => <<\"k\">>,value => undefined}}",
        ),
        (
            to_term(&Msg::Raw("[1|t]".parse().unwrap())).unwrap(),
            "{raw,[1|t]}",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(text(&got), want);
    }
    let m: BTreeMap<i32, bool> = [(1, true)].into_iter().collect();
    assert_eq!(text(&to_term(&m).unwrap()), "#{1 => true}");
}

#[test]
fn terms_inside_values_pass_through_unchanged() {
    for src in [
        "{a,1.5,<<1,2>>,[x|y],#{k => [1]},\"str\"}",
        "<0.4.2>",
        "#Ref<0.1.2.3>",
        "[]",
        "'A b'",
    ] {
        let t: Term = src.parse().unwrap();
        let wrapped = to_term(&Msg::Raw(t.clone())).unwrap();
        assert_eq!(wrapped, Term::tuple([Term::atom("raw"), t.clone()]));
        assert_eq!(from_term::<Msg>(&wrapped).unwrap(), Msg::Raw(t.clone()));
        assert_eq!(from_term::<Term>(&t).unwrap(), t);
    }
}

#[test]
fn mismatched_terms_are_errors_naming_what_was_found() {
    let parse = |s: &str| -> Term { s.parse().unwrap() };
    assert_eq!(
        from_term::<u8>(&Term::Int(-1)).unwrap_err(),
        Error::IntegerRange {
            value: "-1".into(),
            ty: "u8"
        }
    );
    assert!(matches!(
        to_term(&u64::MAX).unwrap_err(),
        Error::IntegerRange { ty: "i64", .. }
    ));
    assert!(matches!(
        to_term(&f64::NAN).unwrap_err(),
        Error::NonFiniteFloat(_)
    ));
    assert!(matches!(
        from_term::<String>(&Term::Int(1)).unwrap_err(),
        Error::Mismatch {
            found: Term::Int(1),
            ..
        }
    ));
    assert!(matches!(
        from_term::<String>(&Term::binary(&[0xff])),
        Err(Error::Mismatch { .. })
    ));
    // A tuple of the wrong size, a list for a tuple, an unknown variant, a
    // missing field, a variant with too many elements.
    for (bad, what) in [("{1,2,3}", "tuple size"), ("[1,2]", "list for tuple")] {
        assert!(from_term::<(i64, i64)>(&parse(bad)).is_err(), "{what}");
    }
    for bad in [
        "jump",
        "{ping}",
        "{ping,1}",
        "{move,1}",
        "{move,1,2,3}",
        "{put,#{key => <<\"k\">>}}",
        "{stop,1}",
        "{1,2}",
        "[stop]",
    ] {
        let err = from_term::<Msg>(&parse(bad));
        // `value: Option<_>` may be missing (serde reads it as None); the rest fail.
        if bad.starts_with("{put") {
            assert!(err.is_ok(), "{bad}");
        } else {
            assert!(err.is_err(), "{bad}: {err:?}");
        }
    }
}

#[test]
fn a_bad_term_becomes_a_badterm_error_exception() {
    let e: sim_core::Exception = from_term::<Msg>(&Term::Int(5)).unwrap_err().into();
    assert_eq!(e.class, sim_core::Class::Error);
    assert!(
        e.reason.to_string().starts_with("{badterm,<<\""),
        "{}",
        e.reason
    );
}

fn arb_term() -> impl Strategy<Value = Term> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Term::Int),
        (-1e9..1e9f64).prop_map(Term::Float),
        "[a-z]{1,8}".prop_map(|s| Term::atom(&s)),
        (0u32..3, 0u32..100, 0u32..5).prop_map(|(n, i, s)| Term::Pid(Pid::new(n, i, s))),
        (0u32..3, any::<[u32; 3]>()).prop_map(|(n, w)| Term::Ref(Ref::new(n, w))),
        proptest::collection::vec(any::<u8>(), 0..6).prop_map(Term::Binary),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Term::Tuple),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Term::List),
            (
                proptest::collection::vec(inner.clone(), 1..3),
                inner.clone()
            )
                .prop_map(|(e, t)| Term::improper_list(e, t)),
            proptest::collection::vec((inner.clone(), inner), 0..3).prop_map(Term::map),
        ]
    })
}

fn arb_msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        Just(Msg::Stop),
        (0u32..3, 0u32..50).prop_map(|(n, i)| Msg::Ping(Pid::new(n, i, 0))),
        (any::<i64>(), any::<i64>()).prop_map(|(a, b)| Msg::Move(a, b)),
        (".{0,6}", proptest::option::of(any::<u32>()))
            .prop_map(|(key, value)| Msg::Put { key, value }),
        arb_term().prop_map(Msg::Raw),
    ]
}

fn arb_order() -> impl Strategy<Value = Order> {
    (
        0..=i64::MAX as u64,
        proptest::collection::vec((".{0,4}", any::<i32>()), 0..3),
        proptest::option::of(".{0,4}"),
        any::<bool>(),
        -1e12..1e12f64,
        any::<[u32; 3]>(),
        proptest::collection::btree_map(".{0,3}", any::<u8>(), 0..3),
        proptest::collection::vec(arb_msg(), 0..3),
    )
        .prop_map(|(id, items, note, paid, total, w, tags, msgs)| Order {
            id,
            items,
            note,
            paid,
            total,
            by: Ref::new(0, w),
            tags,
            msgs,
        })
}

proptest! {
    #[test]
    fn typed_values_round_trip(order in arb_order()) {
        let t = to_term(&order).unwrap();
        prop_assert_eq!(from_term::<Order>(&t).unwrap(), order);
    }

    #[test]
    fn terms_round_trip_as_terms(t in arb_term()) {
        prop_assert_eq!(from_term::<Term>(&to_term(&t).unwrap()).unwrap(), t);
    }

    #[test]
    fn any_term_read_as_any_type_is_a_value_or_an_error(t in arb_term()) {
        // Only that it returns: a panic fails the test.
        let _ = from_term::<Order>(&t);
        let _ = from_term::<Msg>(&t);
        let _ = from_term::<Vec<(u8, String)>>(&t);
        let _ = from_term::<Option<BTreeMap<String, f32>>>(&t);
        let _ = from_term::<(bool, char, ())>(&t);
    }
}
