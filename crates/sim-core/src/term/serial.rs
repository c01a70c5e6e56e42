//! serde support for [`Term`] and [`Atom`].
//!
//! A term serializes as a single-key object naming its type, which reads well
//! as JSON and round-trips exactly:
//!
//! | term              | JSON                                            |
//! |-------------------|-------------------------------------------------|
//! | `42`              | `{"int":42}`                                    |
//! | `0.1`             | `{"float":"0.1"}` (Erlang text, so exact)       |
//! | `ok`              | `{"atom":"ok"}`                                 |
//! | `#Ref<0.1.2.3>`   | `{"ref":[0,1,2,3]}`                             |
//! | `<0.83.0>`        | `{"pid":[0,83,0]}`                              |
//! | `{a,1}`           | `{"tuple":[{"atom":"a"},{"int":1}]}`            |
//! | `#{a => 1}`       | `{"map":[[{"atom":"a"},{"int":1}]]}`            |
//! | `[1]`             | `{"list":[{"int":1}]}`                          |
//! | `[1\|t]`          | `{"improper_list":{"elems":[{"int":1}],"tail":{"atom":"t"}}}` |
//! | `<<1,2>>`         | `{"binary":[1,2]}`                              |
//!
//! Floats are strings because JSON readers need not round-trip every `f64`;
//! a JSON number is accepted too. An atom alone serializes as its name.
//!
//! Terms nested deeper than [`MAX_DEPTH`] and non-finite floats are refused
//! with an error both ways (serde_json's reader also stops at its own
//! recursion limit, 128 JSON levels, which is 64 term levels).

use super::deep::deeper_than;
use super::print::format_float;
use super::{Atom, AtomError, Term, MAX_ATOM_CHARS, MAX_DEPTH};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A map's entries as a sequence of `[key, value]` pairs.
struct Pairs<'a>(&'a BTreeMap<Term, Term>);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(k, v)| (Checked(k), Checked(v))))
    }
}

#[derive(Serialize)]
#[serde(rename = "Term", rename_all = "snake_case")]
enum TermOut<'a> {
    Int(i64),
    Float(String),
    Atom(&'a str),
    Ref([u32; 4]),
    Pid([u32; 3]),
    Tuple(CheckedSeq<'a>),
    Map(Pairs<'a>),
    List(CheckedSeq<'a>),
    ImproperList {
        elems: CheckedSeq<'a>,
        tail: Checked<'a>,
    },
    Binary(&'a [u8]),
}

#[derive(Deserialize)]
#[serde(rename = "Term", rename_all = "snake_case", deny_unknown_fields)]
enum TermIn {
    Int(i64),
    Float(FloatIn),
    Atom(Atom),
    Ref([u32; 4]),
    Pid([u32; 3]),
    Tuple(Vec<Term>),
    Map(Vec<(Term, Term)>),
    List(Vec<Term>),
    ImproperList { elems: Vec<Term>, tail: Box<Term> },
    Binary(Vec<u8>),
}

/// A finite float, from its text or from a number.
struct FloatIn(f64);

impl<'de> Deserialize<'de> for FloatIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FloatIn, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a finite float, as text or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                // Only digits, signs, `.` and `e`: rejects "inf" and "NaN".
                let plain = v
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'));
                match v.parse::<f64>() {
                    Ok(f) if plain && f.is_finite() => Ok(f),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
        }
        d.deserialize_any(V).map(FloatIn)
    }
}

/// Serializes as the externally tagged form in the [module docs](self).
///
/// serde's serializers recurse once per level, so a term nested deeper than
/// [`MAX_DEPTH`] is refused with an error (as the parser refuses its text)
/// rather than overflowing the stack; so is a non-finite float, which is not
/// an Erlang value.
///
/// ```
/// use sim_core::{atom, tuple, Term};
/// let json = serde_json::to_string(&tuple![atom!("ok"), 1]).unwrap();
/// assert_eq!(json, r#"{"tuple":[{"atom":"ok"},{"int":1}]}"#);
/// let deep = (0..1000).fold(Term::nil(), |t, _| Term::list([t]));
/// assert!(serde_json::to_string(&deep).unwrap_err().to_string().contains("nested deeper"));
/// ```
impl Serialize for Term {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if deeper_than(self, MAX_DEPTH) {
            return Err(ser::Error::custom(format_args!(
                "term nested deeper than {MAX_DEPTH}"
            )));
        }
        Checked(self).serialize(s)
    }
}

/// A term whose depth is known to be within [`MAX_DEPTH`]: serializes without
/// checking again at every level.
struct Checked<'a>(&'a Term);

/// Elements of a checked term.
struct CheckedSeq<'a>(&'a [Term]);

impl Serialize for CheckedSeq<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Checked))
    }
}

impl Serialize for Checked<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let out = match self.0 {
            Term::Int(i) => TermOut::Int(*i),
            Term::Float(f) => match Term::float(*f) {
                Ok(_) => TermOut::Float(format_float(*f)),
                Err(e) => return Err(ser::Error::custom(e)),
            },
            Term::Atom(a) => TermOut::Atom(a.as_str()),
            Term::Ref(r) => {
                let [a, b, c] = r.words();
                TermOut::Ref([r.node().0, a, b, c])
            }
            Term::Pid(p) => TermOut::Pid([p.node().0, p.index(), p.serial()]),
            Term::Tuple(v) => TermOut::Tuple(CheckedSeq(v)),
            Term::Map(m) => TermOut::Map(Pairs(m)),
            Term::List(v) => TermOut::List(CheckedSeq(v)),
            Term::ImproperList(elems, tail) => TermOut::ImproperList {
                elems: CheckedSeq(elems),
                tail: Checked(tail),
            },
            Term::Binary(b) => TermOut::Binary(b),
        };
        out.serialize(s)
    }
}

/// Reads the form [`Serialize`] writes; improper lists are normalised as by
/// [`Term::improper_list`] and a repeated map key keeps the later value.
///
/// ```
/// use sim_core::Term;
/// let t: Term = serde_json::from_str(r#"{"float":"1.0e-5"}"#).unwrap();
/// assert_eq!(t, Term::Float(1.0e-5));
/// assert!(serde_json::from_str::<Term>(r#"{"float":"NaN"}"#).is_err());
/// ```
impl<'de> Deserialize<'de> for Term {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Term, D::Error> {
        Ok(match TermIn::deserialize(d)? {
            TermIn::Int(i) => Term::Int(i),
            TermIn::Float(f) => Term::Float(f.0),
            TermIn::Atom(a) => Term::Atom(a),
            TermIn::Ref([node, a, b, c]) => Term::Ref(crate::id::Ref::new(node, [a, b, c])),
            TermIn::Pid([node, index, serial]) => {
                Term::Pid(crate::id::Pid::new(node, index, serial))
            }
            TermIn::Tuple(v) => Term::Tuple(v),
            TermIn::Map(pairs) => Term::map(pairs),
            TermIn::List(v) => Term::List(v),
            TermIn::ImproperList { elems, tail } => Term::improper_list(elems, *tail),
            TermIn::Binary(b) => Term::Binary(b),
        })
    }
}

/// Serializes as the atom's name.
///
/// ```
/// use sim_core::Atom;
/// assert_eq!(serde_json::to_string(&Atom::new("ok")).unwrap(), r#""ok""#);
/// ```
impl Serialize for Atom {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads an atom from its name (at most [`MAX_ATOM_CHARS`] characters).
///
/// ```
/// use sim_core::Atom;
/// let a: Atom = serde_json::from_str(r#""EXIT""#).unwrap();
/// assert_eq!(a, Atom::new("EXIT"));
/// ```
impl<'de> Deserialize<'de> for Atom {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Atom, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Atom;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an atom name of at most {MAX_ATOM_CHARS} characters")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Atom, E> {
                Atom::try_new(v).map_err(|e| match e {
                    AtomError::TooLong { chars } => E::invalid_length(chars, &self),
                    AtomError::TableFull => E::custom(e),
                })
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::term::tests_support::arb_term;
    use proptest::prelude::*;

    fn json(t: &Term) -> String {
        serde_json::to_string(t).unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    #[test]
    fn documented_forms() {
        let cases = [
            ("42", r#"{"int":42}"#),
            ("0.1", r#"{"float":"0.1"}"#),
            ("-0.0", r#"{"float":"-0.0"}"#),
            ("ok", r#"{"atom":"ok"}"#),
            ("#Ref<0.1.2.3>", r#"{"ref":[0,1,2,3]}"#),
            ("<0.83.0>", r#"{"pid":[0,83,0]}"#),
            ("{a,1}", r#"{"tuple":[{"atom":"a"},{"int":1}]}"#),
            ("#{a => 1}", r#"{"map":[[{"atom":"a"},{"int":1}]]}"#),
            ("[]", r#"{"list":[]}"#),
            (
                "[1|t]",
                r#"{"improper_list":{"elems":[{"int":1}],"tail":{"atom":"t"}}}"#,
            ),
            ("<<1,2>>", r#"{"binary":[1,2]}"#),
        ];
        for (text, expected) in cases {
            let t: Term = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(json(&t), expected);
            let back: Term = serde_json::from_str(expected).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, t);
        }
    }

    #[test]
    fn lenient_and_strict_reading() {
        let t: Term = serde_json::from_str(r#"{"float":2.5}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t, Term::Float(2.5));
        for bad in [
            r#"{"float":"inf"}"#,
            r#"{"float":"1e999"}"#,
            r#"{"int":1,"atom":"a"}"#,
            r#"{"int":9223372036854775808}"#,
            r#"{"fun":1}"#,
            r#"{"binary":[256]}"#,
            r#"{"pid":[0,1]}"#,
            r#"{"improper_list":{"elems":[],"tail":{"int":1},"x":1}}"#,
        ] {
            assert!(serde_json::from_str::<Term>(bad).is_err(), "{bad}");
        }
        let long = format!(r#"{{"atom":"{}"}}"#, "a".repeat(MAX_ATOM_CHARS + 1));
        assert!(serde_json::from_str::<Term>(&long).is_err());
    }

    proptest! {
        #[test]
        fn json_round_trips(t in arb_term()) {
            let text = json(&t);
            let back: Result<Term, _> = serde_json::from_str(&text);
            match back {
                Ok(back) => {
                    prop_assert_eq!(&back, &t, "{}", text);
                    prop_assert_eq!(back.to_string(), t.to_string());
                }
                Err(e) => prop_assert!(false, "{}: {}", text, e),
            }
        }
    }
}
