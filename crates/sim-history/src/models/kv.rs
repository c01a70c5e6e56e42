//! A key-value map with get, put and append, split by key.

use serde::Serialize;
use std::fmt::Debug;
use std::hash::Hash;
use std::marker::PhantomData;

use super::{show, Ret};
use crate::history::{Edn, JepsenOp};
use crate::model::Model;

/// An operation on a [`KvMap`].
///
/// ```
/// use sim_history::KvOp;
/// let op = KvOp::Append("k".to_string(), "x".to_string());
/// assert_eq!(op.key(), &"k".to_string());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KvOp<K> {
    /// Read a key: returns [`Ret::Value`] (a missing key reads as `""`).
    Get(K),
    /// Set a key: returns [`Ret::Ok`].
    Put(K, String),
    /// Append to a key's value: returns [`Ret::Ok`].
    Append(K, String),
}

impl<K> KvOp<K> {
    /// The key the operation touches.
    ///
    /// ```
    /// assert_eq!(sim_history::KvOp::Get(3).key(), &3);
    /// ```
    pub fn key(&self) -> &K {
        match self {
            KvOp::Get(k) | KvOp::Put(k, _) | KvOp::Append(k, _) => k,
        }
    }
}

/// A map from keys to strings; keys are independent, so the checker splits
/// a history by key (P-compositionality).
///
/// ```
/// use sim_history::{check, History, KvMap, KvOp, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let a = h.invoke(0, KvOp::Append("k", "x".into()), t).unwrap();
/// h.ok(a, Ret::Ok, t).unwrap();
/// let g = h.invoke(0, KvOp::Get("k"), t).unwrap();
/// h.ok(g, Ret::Value("x".into()), t).unwrap();
/// assert_eq!(check(&KvMap::new(), &h), Verdict::Linearizable);
/// ```
#[derive(Clone, Debug, Default)]
pub struct KvMap<K> {
    keys: PhantomData<fn() -> K>,
}

impl<K> KvMap<K> {
    /// An empty map.
    ///
    /// ```
    /// let m = sim_history::KvMap::<String>::new();
    /// # let _ = m;
    /// ```
    pub fn new() -> Self {
        KvMap { keys: PhantomData }
    }
}

impl<K: Clone + Ord + Hash + Debug> Model for KvMap<K> {
    /// The keys written so far and their values, sorted by key (one entry
    /// per partition when split by key).
    type State = Vec<(K, String)>;
    type Input = KvOp<K>;
    type Output = Ret<String>;
    type Key = K;

    fn init(&self) -> Self::State {
        Vec::new()
    }

    fn step(
        &self,
        state: &Self::State,
        input: &KvOp<K>,
        output: Option<&Ret<String>>,
    ) -> Option<Self::State> {
        let at = state.binary_search_by(|(k, _)| k.cmp(input.key()));
        let current = at.ok().map_or("", |i| state[i].1.as_str());
        let mut next = state.clone();
        let mut set = |value: String| match at {
            Ok(i) => next[i].1 = value,
            Err(i) => next.insert(i, (input.key().clone(), value)),
        };
        match input {
            KvOp::Get(_) => {
                return match output {
                    None => Some(next),
                    Some(Ret::Value(v)) if v == current => Some(next),
                    Some(_) => None,
                };
            }
            KvOp::Put(_, v) => set(v.clone()),
            KvOp::Append(_, v) => set(format!("{current}{v}")),
        }
        Some(next)
    }

    fn partition(&self, input: &KvOp<K>) -> Option<K> {
        Some(input.key().clone())
    }

    fn describe(&self, input: &KvOp<K>, output: Option<&Ret<String>>) -> String {
        match input {
            KvOp::Get(k) => show(format!("get({k:?})"), output),
            KvOp::Put(k, v) => show(format!("put({k:?}, {v:?})"), output),
            KvOp::Append(k, v) => show(format!("append({k:?}, {v:?})"), output),
        }
    }
}

impl<K: Edn> JepsenOp for KvOp<K> {
    type Output = Ret<String>;

    fn f(&self) -> &'static str {
        match self {
            KvOp::Get(_) => "get",
            KvOp::Put(..) => "put",
            KvOp::Append(..) => "append",
        }
    }

    fn key(&self) -> Option<String> {
        Some(self.key().edn())
    }

    fn invoke_value(&self) -> String {
        match self {
            KvOp::Get(_) => "nil".to_owned(),
            KvOp::Put(_, v) | KvOp::Append(_, v) => v.edn(),
        }
    }

    fn completion_value(&self, output: &Ret<String>) -> String {
        match self {
            KvOp::Get(_) => output.edn(),
            _ => self.invoke_value(),
        }
    }
}
