//! A read/write register and a compare-and-set register.

use serde::Serialize;
use std::fmt::Debug;
use std::hash::Hash;

use super::{show, Ret};
use crate::history::{Edn, JepsenOp};
use crate::model::Model;

/// An operation on a [`Register`].
///
/// ```
/// use sim_history::RegisterOp;
/// let op: RegisterOp<i64> = RegisterOp::Write(1);
/// assert_ne!(op, RegisterOp::Read);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RegisterOp<V> {
    /// Read the value: returns [`Ret::Value`].
    Read,
    /// Write a value: returns [`Ret::Ok`] (any output is accepted).
    Write(V),
}

/// A single register with read and write, starting at a given value.
///
/// ```
/// use sim_history::{check, History, Register, RegisterOp, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let w = h.invoke(0, RegisterOp::Write(1), t).unwrap();
/// h.ok(w, Ret::Ok, t).unwrap();
/// let r = h.invoke(1, RegisterOp::Read, t).unwrap();
/// h.ok(r, Ret::Value(0), t).unwrap();
/// assert!(matches!(check(&Register::new(0), &h), Verdict::Violation(_)));
/// ```
#[derive(Clone, Debug)]
pub struct Register<V> {
    initial: V,
}

impl<V> Register<V> {
    /// A register holding `initial` before the first write.
    ///
    /// ```
    /// let r = sim_history::Register::new(None::<i64>);
    /// # let _ = r;
    /// ```
    pub fn new(initial: V) -> Self {
        Register { initial }
    }
}

fn read<V: PartialEq + Clone>(state: &V, output: Option<&Ret<V>>) -> Option<V> {
    match output {
        None => Some(state.clone()),
        Some(Ret::Value(v)) if v == state => Some(state.clone()),
        Some(_) => None,
    }
}

impl<V: Clone + Eq + Hash + Debug> Model for Register<V> {
    type State = V;
    type Input = RegisterOp<V>;
    type Output = Ret<V>;
    type Key = ();

    fn init(&self) -> V {
        self.initial.clone()
    }

    fn step(&self, state: &V, input: &RegisterOp<V>, output: Option<&Ret<V>>) -> Option<V> {
        match input {
            RegisterOp::Read => read(state, output),
            RegisterOp::Write(v) => Some(v.clone()),
        }
    }

    fn describe(&self, input: &RegisterOp<V>, output: Option<&Ret<V>>) -> String {
        match input {
            RegisterOp::Read => show("read()".to_owned(), output),
            RegisterOp::Write(v) => show(format!("write({v:?})"), output),
        }
    }
}

/// An operation on a [`CasRegister`].
///
/// ```
/// use sim_history::CasOp;
/// let op: CasOp<i64> = CasOp::Cas(1, 2);
/// assert_ne!(op, CasOp::Read);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CasOp<V> {
    /// Read the value: returns [`Ret::Value`].
    Read,
    /// Write a value: returns [`Ret::Ok`] (any output is accepted).
    Write(V),
    /// Swap `from` for `to` if the register holds `from`: returns
    /// [`Ret::Bool`] (whether it swapped; [`Ret::Ok`] counts as `true`).
    Cas(V, V),
}

/// A register with read, write and compare-and-set (Jepsen's etcd model).
///
/// ```
/// use sim_history::{check, CasOp, CasRegister, History, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let c = h.invoke(0, CasOp::Cas(0, 5), t).unwrap();
/// h.ok(c, Ret::Bool(true), t).unwrap();
/// let r = h.invoke(0, CasOp::Read, t).unwrap();
/// h.ok(r, Ret::Value(5), t).unwrap();
/// assert_eq!(check(&CasRegister::new(0), &h), Verdict::Linearizable);
/// ```
#[derive(Clone, Debug)]
pub struct CasRegister<V> {
    initial: V,
}

impl<V> CasRegister<V> {
    /// A register holding `initial` before the first write.
    ///
    /// ```
    /// let r = sim_history::CasRegister::new(0_i64);
    /// # let _ = r;
    /// ```
    pub fn new(initial: V) -> Self {
        CasRegister { initial }
    }
}

impl<V: Clone + Eq + Hash + Debug> Model for CasRegister<V> {
    type State = V;
    type Input = CasOp<V>;
    type Output = Ret<V>;
    type Key = ();

    fn init(&self) -> V {
        self.initial.clone()
    }

    fn step(&self, state: &V, input: &CasOp<V>, output: Option<&Ret<V>>) -> Option<V> {
        match input {
            CasOp::Read => read(state, output),
            CasOp::Write(v) => Some(v.clone()),
            CasOp::Cas(from, to) => {
                let swaps = from == state;
                match output {
                    None => Some(if swaps { to.clone() } else { state.clone() }),
                    Some(Ret::Bool(true) | Ret::Ok) if swaps => Some(to.clone()),
                    Some(Ret::Bool(false)) if !swaps => Some(state.clone()),
                    Some(_) => None,
                }
            }
        }
    }

    fn describe(&self, input: &CasOp<V>, output: Option<&Ret<V>>) -> String {
        match input {
            CasOp::Read => show("read()".to_owned(), output),
            CasOp::Write(v) => show(format!("write({v:?})"), output),
            CasOp::Cas(a, b) => show(format!("cas({a:?}, {b:?})"), output),
        }
    }
}

impl<V: Edn> JepsenOp for RegisterOp<V> {
    type Output = Ret<V>;

    fn f(&self) -> &'static str {
        match self {
            RegisterOp::Read => "read",
            RegisterOp::Write(_) => "write",
        }
    }

    fn invoke_value(&self) -> String {
        match self {
            RegisterOp::Read => "nil".to_owned(),
            RegisterOp::Write(v) => v.edn(),
        }
    }

    fn completion_value(&self, output: &Ret<V>) -> String {
        match self {
            RegisterOp::Read => output.edn(),
            RegisterOp::Write(v) => v.edn(),
        }
    }
}

impl<V: Edn> JepsenOp for CasOp<V> {
    type Output = Ret<V>;

    fn f(&self) -> &'static str {
        match self {
            CasOp::Read => "read",
            CasOp::Write(_) => "write",
            CasOp::Cas(..) => "cas",
        }
    }

    fn invoke_value(&self) -> String {
        match self {
            CasOp::Read => "nil".to_owned(),
            CasOp::Write(v) => v.edn(),
            CasOp::Cas(a, b) => format!("[{} {}]", a.edn(), b.edn()),
        }
    }

    fn completion_value(&self, output: &Ret<V>) -> String {
        match self {
            CasOp::Read => output.edn(),
            _ => self.invoke_value(),
        }
    }
}
