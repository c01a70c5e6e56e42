//! Built-in models: registers, a key-value map, a set, a queue and a counter,
//! all answering with [`Ret`].

mod collections;
mod kv;
mod register;

pub use collections::{Counter, CounterOp, Queue, QueueOp, Set, SetOp};
pub use kv::{KvMap, KvOp};
pub use register::{CasOp, CasRegister, Register, RegisterOp};

use serde::Serialize;
use std::fmt;

use crate::history::Edn;

/// What a built-in model's operation returns.
///
/// ```
/// use sim_history::Ret;
/// assert_eq!(Ret::Value(3).to_string(), "3");
/// assert_eq!(Ret::<i64>::Ok.to_string(), "ok");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Ret<V> {
    /// A write, put, append, add or enqueue was acknowledged.
    Ok,
    /// A read, get or dequeue returned this.
    Value(V),
    /// A compare-and-set swapped (`true`) or found another value (`false`).
    Bool(bool),
    /// A dequeue found the queue empty.
    Empty,
    /// A set read returned these elements.
    Values(Vec<V>),
}

impl<V: fmt::Debug> fmt::Display for Ret<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ret::Ok => f.write_str("ok"),
            Ret::Value(v) => write!(f, "{v:?}"),
            Ret::Bool(b) => write!(f, "{b}"),
            Ret::Empty => f.write_str("empty"),
            Ret::Values(vs) => write!(f, "{vs:?}"),
        }
    }
}

impl<V: Edn> Edn for Ret<V> {
    fn edn(&self) -> String {
        match self {
            Ret::Ok => ":ok".to_owned(),
            Ret::Value(v) => v.edn(),
            Ret::Bool(b) => b.edn(),
            Ret::Empty => "nil".to_owned(),
            Ret::Values(vs) => {
                let items: Vec<String> = vs.iter().map(Edn::edn).collect();
                format!("#{{{}}}", items.join(" "))
            }
        }
    }
}

/// `describe` for the built-ins: `f(args) -> out`, `?` when unknown.
fn show<V: fmt::Debug>(call: String, output: Option<&Ret<V>>) -> String {
    match output {
        Some(o) => format!("{call} -> {o}"),
        None => format!("{call} -> ?"),
    }
}
