//! Terms to Rust values: a serde `Deserializer` reading a [`Term`]. The
//! mapping is documented on [`crate::to_term`]; a term of the wrong shape is an
//! [`Error`], never a panic.

use crate::error::Error;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use sim_core::Term;
use std::collections::btree_map;
use std::collections::BTreeMap;

/// sim-core's name for the `Term` enum in its serde form (see `ser.rs`).
const TERM: &str = "Term";

/// Reads a Rust value from a term.
///
/// ```
/// use sim_core::Term;
/// use sim_server::from_term;
/// let t: Term = "{1,<<\"a\">>,true}".parse().unwrap();
/// let v: (i64, String, bool) = from_term(&t).unwrap();
/// assert_eq!(v, (1, "a".to_string(), true));
/// ```
pub fn from_term<T: DeserializeOwned>(term: &Term) -> Result<T, Error> {
    T::deserialize(De(term))
}

/// A deserializer over one borrowed term.
#[derive(Clone, Copy)]
struct De<'a>(&'a Term);

impl De<'_> {
    fn int<T: TryFrom<i64>>(self, ty: &'static str) -> Result<T, Error> {
        match self.0 {
            Term::Int(i) => T::try_from(*i).map_err(|_| Error::IntegerRange {
                value: i.to_string(),
                ty,
            }),
            other => Err(Error::mismatch("an integer", other)),
        }
    }

    fn text(self) -> Result<String, Error> {
        match self.0 {
            Term::Binary(b) => {
                String::from_utf8(b.clone()).map_err(|_| Error::mismatch("a UTF-8 binary", self.0))
            }
            // Atoms, pids and references read as their printed names, so a
            // field of type `Atom`, `Pid` or `Ref` reads them back.
            Term::Atom(a) => Ok(a.as_str().to_owned()),
            Term::Pid(p) => Ok(p.to_string()),
            Term::Ref(r) => Ok(r.to_string()),
            other => Err(Error::mismatch("a binary", other)),
        }
    }
}

fn proper_list(t: &Term) -> Result<&[Term], Error> {
    match t {
        Term::List(v) => Ok(v),
        other => Err(Error::mismatch("a proper list", other)),
    }
}

macro_rules! ints {
    ($($method:ident $visit:ident $ty:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.$visit(self.int::<$ty>(stringify!($ty))?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0 {
            Term::Int(i) => v.visit_i64(*i),
            Term::Float(f) => v.visit_f64(*f),
            Term::Atom(a) if a.as_str() == "true" => v.visit_bool(true),
            Term::Atom(a) if a.as_str() == "false" => v.visit_bool(false),
            Term::Atom(a) if a.as_str() == "undefined" => v.visit_none(),
            Term::Binary(b) => match std::str::from_utf8(b) {
                Ok(s) => v.visit_str(s),
                Err(_) => v.visit_bytes(b),
            },
            Term::Atom(_) | Term::Pid(_) | Term::Ref(_) => v.visit_string(self.text()?),
            Term::List(items) | Term::Tuple(items) => v.visit_seq(SeqIn::new(items)),
            Term::Map(m) => v.visit_map(MapIn::new(m)),
            Term::ImproperList(..) => Err(Error::mismatch("a proper list", self.0)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0.as_atom().map(|a| a.as_str()) {
            Some("true") => v.visit_bool(true),
            Some("false") => v.visit_bool(false),
            _ => Err(Error::mismatch("the atom true or false", self.0)),
        }
    }

    ints!(
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32, deserialize_i64 visit_i64 i64,
        deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64,
        deserialize_i128 visit_i128 i128, deserialize_u128 visit_u128 u128
    );

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_f64(v)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0 {
            Term::Float(f) => v.visit_f64(*f),
            other => Err(Error::mismatch("a float", other)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let code: u32 = self.int("char")?;
        match char::from_u32(code) {
            Some(c) => v.visit_char(c),
            None => Err(Error::mismatch("a Unicode code point", self.0)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_string(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_string(self.text()?)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0 {
            Term::Binary(b) => v.visit_bytes(b),
            other => Err(Error::mismatch("a binary", other)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.0.is_atom("undefined") {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.0.is_atom("ok") {
            v.visit_unit()
        } else {
            Err(Error::mismatch("the atom ok", self.0))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        if self.0.is_atom(name) {
            v.visit_unit()
        } else {
            Err(Error::mismatch("the atom named as the unit struct", self.0))
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let items = proper_list(self.0)?;
        let mut seq = SeqIn::new(items);
        let value = v.visit_seq(&mut seq)?;
        seq.finish()?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, Error> {
        match self.0 {
            Term::Tuple(items) if items.len() == len => {
                let mut seq = SeqIn::new(items);
                let value = v.visit_seq(&mut seq)?;
                seq.finish()?;
                Ok(value)
            }
            other => Err(Error::mismatch("a tuple of the type's size", other)),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0 {
            Term::Map(m) => v.visit_map(MapIn::new(m)),
            other => Err(Error::mismatch("a map", other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Term::Map(m) => v.visit_map(MapIn::new(m)),
            other => Err(Error::mismatch("a map with atom keys", other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        if name == TERM {
            return v.visit_enum(serial_form(self.0));
        }
        match self.0 {
            Term::Atom(a) => v.visit_enum(EnumIn {
                tag: a.as_str().to_owned(),
                content: Content::None,
            }),
            Term::Tuple(items) if items.len() >= 2 => match items[0].as_atom() {
                Some(tag) => v.visit_enum(EnumIn {
                    tag: tag.as_str().to_owned(),
                    content: Content::Borrowed(&items[1..]),
                }),
                None => Err(Error::mismatch("a tuple tagged with an atom", self.0)),
            },
            other => Err(Error::mismatch("an atom or a tagged tuple", other)),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self.0 {
            Term::Atom(a) => v.visit_str(a.as_str()),
            Term::Binary(_) => v.visit_string(self.text()?),
            Term::Int(i) => match u64::try_from(*i) {
                Ok(n) => v.visit_u64(n),
                Err(_) => Err(Error::mismatch("an atom", self.0)),
            },
            other => Err(Error::mismatch("an atom", other)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }
}

/// The elements of a list or tuple, one by one.
struct SeqIn<'a> {
    items: std::slice::Iter<'a, Term>,
}

impl<'a> SeqIn<'a> {
    fn new(items: &'a [Term]) -> SeqIn<'a> {
        SeqIn {
            items: items.iter(),
        }
    }

    /// A value that read fewer elements than there are is a mismatch, not a
    /// silent loss.
    fn finish(self) -> Result<(), Error> {
        match self.items.len() {
            0 => Ok(()),
            n => Err(Error::Custom(format!("{n} element(s) left unread"))),
        }
    }
}

impl<'de> de::SeqAccess<'de> for SeqIn<'_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.items
            .next()
            .map(|t| seed.deserialize(De(t)))
            .transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a map, in term order.
struct MapIn<'a> {
    entries: btree_map::Iter<'a, Term, Term>,
    value: Option<&'a Term>,
}

impl<'a> MapIn<'a> {
    fn new(m: &'a BTreeMap<Term, Term>) -> MapIn<'a> {
        MapIn {
            entries: m.iter(),
            value: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for MapIn<'_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(De(k)).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(De(v)),
            None => Err(Error::Custom("map value without a key".into())),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// What follows a variant's tag: nothing, the rest of a tagged tuple, or a
/// term built for sim-core's own `Term` form.
enum Content<'a> {
    None,
    Borrowed(&'a [Term]),
    Owned(Term),
}

/// One variant: its tag and its content.
struct EnumIn<'a> {
    tag: String,
    content: Content<'a>,
}

/// A term as sim-core's `Term` deserializer expects it: the variant naming its
/// kind, and the content in the shape that variant reads.
fn serial_form(t: &Term) -> EnumIn<'static> {
    let ints = |v: Vec<u32>| Term::Tuple(v.into_iter().map(|i| Term::Int(i.into())).collect());
    let (tag, content) = match t {
        Term::Int(_) => ("int", t.clone()),
        Term::Float(_) => ("float", t.clone()),
        Term::Atom(_) => ("atom", t.clone()),
        Term::Ref(r) => {
            let [a, b, c] = r.words();
            ("ref", ints(vec![r.node().0, a, b, c]))
        }
        Term::Pid(p) => ("pid", ints(vec![p.node().0, p.index(), p.serial()])),
        Term::Tuple(v) => ("tuple", Term::List(v.clone())),
        Term::Map(m) => (
            "map",
            Term::List(
                m.iter()
                    .map(|(k, v)| Term::Tuple(vec![k.clone(), v.clone()]))
                    .collect(),
            ),
        ),
        Term::List(_) => ("list", t.clone()),
        Term::ImproperList(elems, tail) => (
            "improper_list",
            Term::map([
                (Term::atom("elems"), Term::List(elems.clone())),
                (Term::atom("tail"), (**tail).clone()),
            ]),
        ),
        Term::Binary(b) => (
            "binary",
            Term::List(b.iter().map(|x| Term::Int((*x).into())).collect()),
        ),
    };
    EnumIn {
        tag: tag.to_owned(),
        content: Content::Owned(content),
    }
}

impl<'de, 'a> de::EnumAccess<'de> for EnumIn<'a> {
    type Error = Error;
    type Variant = Content<'a>;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Content<'a>), Error> {
        let tag: de::value::StringDeserializer<Error> = self.tag.into_deserializer();
        Ok((seed.deserialize(tag)?, self.content))
    }
}

impl Content<'_> {
    fn one(&self) -> Result<&Term, Error> {
        match self {
            Content::Owned(t) => Ok(t),
            Content::Borrowed([t]) => Ok(t),
            Content::Borrowed(items) => Err(Error::Custom(format!(
                "a newtype or struct variant has one element after its tag, not {}",
                items.len()
            ))),
            Content::None => Err(Error::Custom(
                "a variant with content given as a bare atom".into(),
            )),
        }
    }
}

impl<'de> de::VariantAccess<'de> for Content<'_> {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        match self {
            Content::None => Ok(()),
            _ => Err(Error::Custom(
                "a unit variant is a bare atom, not a tuple".into(),
            )),
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(De(self.one()?))
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, Error> {
        let items: &[Term] = match &self {
            Content::Borrowed(items) => items,
            Content::Owned(t) => proper_list(t)?,
            Content::None => &[],
        };
        if items.len() != len {
            return Err(Error::Custom(format!(
                "a tuple variant of {len} field(s) given {}",
                items.len()
            )));
        }
        let mut seq = SeqIn::new(items);
        let value = v.visit_seq(&mut seq)?;
        seq.finish()?;
        Ok(value)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(De(self.one()?), "", fields, v)
    }
}
