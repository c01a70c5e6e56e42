//! Rust values to terms: a serde `Serializer` whose output is a [`Term`].
//! The mapping is documented on [`crate::to_term`].

use crate::error::Error;
use serde::ser::{self, Serialize};
use sim_core::term::MAX_ATOM_CHARS;
use sim_core::{Atom, Pid, Ref, Term};
use std::collections::BTreeMap;
use std::fmt::Display;

/// The name sim-core's own `Term` serialization uses for its enum; a term
/// inside a Rust value is rebuilt from that form, so it passes through as is.
const TERM: &str = "Term";

/// Turns a Rust value into a term.
///
/// ```
/// use sim_server::to_term;
/// assert_eq!(to_term(&(1, "a", true)).unwrap().to_string(), "{1,<<\"a\">>,true}");
/// ```
pub fn to_term<T: Serialize + ?Sized>(value: &T) -> Result<Term, Error> {
    value.serialize(TermSerializer)
}

pub(crate) fn atom(name: &str) -> Result<Atom, Error> {
    let n = name.chars().count();
    if n > MAX_ATOM_CHARS {
        return Err(Error::AtomTooLong(n));
    }
    Ok(Atom::new(name))
}

fn int<T: TryInto<i64> + Display + Copy>(v: T, ty: &'static str) -> Result<Term, Error> {
    v.try_into()
        .map(Term::Int)
        .map_err(|_| Error::IntegerRange {
            value: v.to_string(),
            ty,
        })
}

struct TermSerializer;

impl ser::Serializer for TermSerializer {
    type Ok = Term;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = MapOut;
    type SerializeStruct = StructOut;
    type SerializeStructVariant = StructOut;

    fn serialize_bool(self, v: bool) -> Result<Term, Error> {
        Ok(Term::Atom(Atom::new(if v { "true" } else { "false" })))
    }
    fn serialize_i8(self, v: i8) -> Result<Term, Error> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Term, Error> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Term, Error> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Term, Error> {
        Ok(Term::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Term, Error> {
        int(v, "i64")
    }
    fn serialize_u8(self, v: u8) -> Result<Term, Error> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Term, Error> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Term, Error> {
        Ok(Term::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Term, Error> {
        int(v, "i64")
    }
    fn serialize_u128(self, v: u128) -> Result<Term, Error> {
        int(v, "i64")
    }
    fn serialize_f32(self, v: f32) -> Result<Term, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Term, Error> {
        Term::float(v).map_err(|_| Error::NonFiniteFloat(v))
    }
    fn serialize_char(self, v: char) -> Result<Term, Error> {
        Ok(Term::Int(u32::from(v).into()))
    }
    fn serialize_str(self, v: &str) -> Result<Term, Error> {
        Ok(Term::binary(v.as_bytes()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Term, Error> {
        Ok(Term::binary(v))
    }
    fn serialize_none(self) -> Result<Term, Error> {
        Ok(Term::atom("undefined"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Term, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Term, Error> {
        Ok(Term::atom("ok"))
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Term, Error> {
        Ok(Term::Atom(atom(name)?))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Term, Error> {
        Ok(Term::Atom(atom(variant)?))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Term, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Term, Error> {
        let inner = value.serialize(TermSerializer)?;
        if name == TERM {
            return rebuild(variant, inner);
        }
        Ok(Term::Tuple(vec![Term::Atom(atom(variant)?), inner]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq::new(SeqKind::List, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        Ok(Seq::new(SeqKind::Tuple, len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, Error> {
        Ok(Seq::new(SeqKind::Tuple, len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Seq, Error> {
        let mut seq = Seq::new(SeqKind::Tuple, len + 1);
        seq.items.push(Term::Atom(atom(variant)?));
        Ok(seq)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapOut, Error> {
        Ok(MapOut {
            map: BTreeMap::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<StructOut, Error> {
        Ok(StructOut {
            fields: BTreeMap::new(),
            variant: None,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<StructOut, Error> {
        Ok(StructOut {
            fields: BTreeMap::new(),
            variant: Some((name, variant)),
        })
    }
    /// Pids and references write themselves with `collect_str`; their printed
    /// form becomes the pid or reference again, anything else a binary.
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<Term, Error> {
        let text = value.to_string();
        if let Ok(p) = text.parse::<Pid>() {
            return Ok(Term::Pid(p));
        }
        if let Ok(r) = text.parse::<Ref>() {
            return Ok(Term::Ref(r));
        }
        Ok(Term::binary(text.as_bytes()))
    }
}

/// A term from sim-core's serialized form of it (`{"int": 1}` and so on), as
/// this serializer wrote the variant's content.
fn rebuild(variant: &str, inner: Term) -> Result<Term, Error> {
    let ints = |t: &Term| -> Option<Vec<u32>> {
        t.as_tuple()?
            .iter()
            .map(|x| x.as_int().and_then(|i| u32::try_from(i).ok()))
            .collect()
    };
    let bad = || Error::mismatch("a serialized term", &inner);
    Ok(match variant {
        "int" => inner,
        "float" => {
            let text = inner.as_binary().and_then(|b| std::str::from_utf8(b).ok());
            match text.and_then(|t| t.parse::<f64>().ok()) {
                Some(f) => Term::float(f).map_err(|_| Error::NonFiniteFloat(f))?,
                None => return Err(bad()),
            }
        }
        "atom" => match inner.as_binary().and_then(|b| std::str::from_utf8(b).ok()) {
            Some(name) => Term::Atom(atom(name)?),
            None => return Err(bad()),
        },
        "pid" => match ints(&inner).as_deref() {
            Some(&[node, index, serial]) => Term::Pid(Pid::new(node, index, serial)),
            _ => return Err(bad()),
        },
        "ref" => match ints(&inner).as_deref() {
            Some(&[node, a, b, c]) => Term::Ref(Ref::new(node, [a, b, c])),
            _ => return Err(bad()),
        },
        "tuple" => match inner.into_list() {
            Ok(v) => Term::Tuple(v),
            Err(t) => return Err(Error::mismatch("a serialized term", &t)),
        },
        "list" => inner,
        "map" => match inner.into_list() {
            Ok(pairs) => {
                let mut map = BTreeMap::new();
                for pair in pairs {
                    match pair.as_tuple() {
                        Some([k, v]) => {
                            map.insert(k.clone(), v.clone());
                        }
                        _ => return Err(Error::mismatch("a {Key, Value} pair", &pair)),
                    }
                }
                Term::Map(map)
            }
            Err(t) => return Err(Error::mismatch("a serialized term", &t)),
        },
        "binary" => match inner.as_list() {
            Some(bytes) => Term::Binary(
                bytes
                    .iter()
                    .map(|b| b.as_int().and_then(|i| u8::try_from(i).ok()))
                    .collect::<Option<Vec<u8>>>()
                    .ok_or_else(bad)?,
            ),
            None => return Err(bad()),
        },
        _ => return Err(bad()),
    })
}

#[derive(Clone, Copy)]
enum SeqKind {
    List,
    Tuple,
}

/// A list or tuple being written.
struct Seq {
    kind: SeqKind,
    items: Vec<Term>,
}

impl Seq {
    fn new(kind: SeqKind, len: usize) -> Seq {
        Seq {
            kind,
            // A length hint from the value is not trusted for more than a page.
            items: Vec::with_capacity(len.min(1024)),
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(value.serialize(TermSerializer)?);
        Ok(())
    }

    fn finish(self) -> Term {
        match self.kind {
            SeqKind::List => Term::List(self.items),
            SeqKind::Tuple => Term::Tuple(self.items),
        }
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = Term;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Term, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Term;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Term, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Term;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Term, Error> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for Seq {
    type Ok = Term;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Term, Error> {
        Ok(self.finish())
    }
}

/// A map being written; keys may be any term.
struct MapOut {
    map: BTreeMap<Term, Term>,
    key: Option<Term>,
}

impl ser::SerializeMap for MapOut {
    type Ok = Term;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(TermSerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error::Custom("map value without a key".into()))?;
        self.map.insert(key, value.serialize(TermSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Term, Error> {
        Ok(Term::Map(self.map))
    }
}

/// A struct (a map with atom keys) or struct variant (`{Tag, Map}`).
struct StructOut {
    fields: BTreeMap<Term, Term>,
    variant: Option<(&'static str, &'static str)>,
}

impl StructOut {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        let value = value.serialize(TermSerializer)?;
        self.fields.insert(Term::Atom(atom(key)?), value);
        Ok(())
    }
}

impl ser::SerializeStruct for StructOut {
    type Ok = Term;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<Term, Error> {
        Ok(Term::Map(self.fields))
    }
}

impl ser::SerializeStructVariant for StructOut {
    type Ok = Term;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(mut self) -> Result<Term, Error> {
        match self.variant {
            // sim-core's only struct variant: `[E1, ... | Tail]`.
            Some((TERM, "improper_list")) => {
                let elems = self.fields.remove(&Term::atom("elems"));
                let tail = self.fields.remove(&Term::atom("tail"));
                match (elems.map(Term::into_list), tail) {
                    (Some(Ok(elems)), Some(tail)) => Ok(Term::improper_list(elems, tail)),
                    _ => Err(Error::Custom("malformed improper list".into())),
                }
            }
            Some((_, variant)) => Ok(Term::Tuple(vec![
                Term::Atom(atom(variant)?),
                Term::Map(self.fields),
            ])),
            None => Ok(Term::Map(self.fields)),
        }
    }
}
