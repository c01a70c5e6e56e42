//! Erlang exceptions raised inside process code, and the exit reasons they become.
//!
//! A process body, a module function and most `Cx` operations return
//! `Result<_, Exception>`: `Err` is an Erlang exception of class `throw`, `exit`
//! or `error`, with a stack for `error`. When one escapes a process body the
//! process exits with the reason Erlang would give ([`Exception::exit_reason`]).

use crate::term::{Atom, Term};
use std::fmt;

/// The class of an Erlang exception.
///
/// ```
/// use sim_core::Class;
/// assert_eq!(Class::Error.to_string(), "error");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Class {
    /// `throw(V)`: a non-local return.
    Throw,
    /// `exit(R)`: the process wants to stop.
    Exit,
    /// `error(R)`: a run-time error, with a stack.
    Error,
}

impl Class {
    /// The class as an atom (`throw`, `exit`, `error`).
    ///
    /// ```
    /// use sim_core::{Atom, Class};
    /// assert_eq!(Class::Throw.atom(), Atom::new("throw"));
    /// ```
    pub fn atom(self) -> Atom {
        Atom::new(self.name())
    }

    fn name(self) -> &'static str {
        match self {
            Class::Throw => "throw",
            Class::Exit => "exit",
            Class::Error => "error",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The third element of a stack frame: the arity, or the actual arguments (as
/// Erlang records for the frame that raised).
///
/// ```
/// use sim_core::{FrameArgs, Term};
/// assert_eq!(FrameArgs::Arity(2).to_term(), Term::Int(2));
/// ```
#[derive(Clone, PartialEq, Debug)]
pub enum FrameArgs {
    /// The function's arity.
    Arity(u32),
    /// The arguments it was called with.
    Args(Vec<Term>),
}

impl FrameArgs {
    /// `Arity` as an integer, `Args` as a list.
    ///
    /// ```
    /// use sim_core::{FrameArgs, Term};
    /// assert_eq!(FrameArgs::Args(vec![]).to_term(), Term::List(vec![]));
    /// ```
    pub fn to_term(&self) -> Term {
        match self {
            FrameArgs::Arity(n) => Term::Int(i64::from(*n)),
            FrameArgs::Args(a) => Term::List(a.clone()),
        }
    }
}

/// One stack frame `{Module, Function, ArityOrArgs, Location}`.
///
/// ```
/// use sim_core::Frame;
/// let f = Frame::new("erlang", "error", 1);
/// assert_eq!(f.to_term().to_string(), "{erlang,error,1,[]}");
/// ```
#[derive(Clone, PartialEq, Debug)]
pub struct Frame {
    /// The module.
    pub module: Atom,
    /// The function (`'<fun>'`-style names are allowed for anonymous funs).
    pub function: Atom,
    /// Arity or arguments.
    pub args: FrameArgs,
}

impl Frame {
    /// A frame `{module, function, arity, []}`.
    ///
    /// ```
    /// use sim_core::Frame;
    /// assert_eq!(Frame::new("m", "f", 0).function.as_str(), "f");
    /// ```
    pub fn new(module: &str, function: &str, arity: u32) -> Frame {
        Frame {
            module: Atom::new(module),
            function: Atom::new(function),
            args: FrameArgs::Arity(arity),
        }
    }

    /// A frame that records the actual arguments.
    ///
    /// ```
    /// use sim_core::{Frame, Term};
    /// let f = Frame::with_args("m", "f", vec![Term::Int(1)]);
    /// assert_eq!(f.to_term().to_string(), "{m,f,[1],[]}");
    /// ```
    pub fn with_args(module: &str, function: &str, args: Vec<Term>) -> Frame {
        Frame {
            module: Atom::new(module),
            function: Atom::new(function),
            args: FrameArgs::Args(args),
        }
    }

    /// The frame as Erlang prints it in a stack trace (location list empty).
    ///
    /// ```
    /// use sim_core::Frame;
    /// assert_eq!(Frame::new("a", "b", 3).to_term().to_string(), "{a,b,3,[]}");
    /// ```
    pub fn to_term(&self) -> Term {
        Term::Tuple(vec![
            Term::Atom(self.module),
            Term::Atom(self.function),
            self.args.to_term(),
            Term::List(Vec::new()),
        ])
    }

    /// Reads a frame back from `{M, F, A, _}` or `{M, F, A}`.
    ///
    /// ```
    /// use sim_core::Frame;
    /// let t = Frame::new("m", "f", 1).to_term();
    /// assert_eq!(Frame::from_term(&t), Some(Frame::new("m", "f", 1)));
    /// ```
    pub fn from_term(t: &Term) -> Option<Frame> {
        let Term::Tuple(items) = t else { return None };
        if items.len() != 3 && items.len() != 4 {
            return None;
        }
        let (Term::Atom(m), Term::Atom(f)) = (&items[0], &items[1]) else {
            return None;
        };
        let args = match &items[2] {
            Term::Int(n) => FrameArgs::Arity(u32::try_from(*n).ok()?),
            Term::List(a) => FrameArgs::Args(a.clone()),
            _ => return None,
        };
        Some(Frame {
            module: *m,
            function: *f,
            args,
        })
    }
}

/// An Erlang exception: class, reason and (for `error`) a stack.
///
/// ```
/// use sim_core::{Class, Exception, Term, Atom};
/// let e = Exception::error(Term::Atom(Atom::new("badarg")));
/// assert_eq!(e.class, Class::Error);
/// assert_eq!(e.to_string(), "error:badarg");
/// ```
#[derive(Clone, PartialEq, Debug)]
pub struct Exception {
    /// The class.
    pub class: Class,
    /// The reason (the thrown value for `throw`).
    pub reason: Term,
    /// The stack, innermost frame first (empty for `throw` and `exit` unless set).
    pub stack: Vec<Frame>,
}

impl Exception {
    /// `throw(value)`.
    ///
    /// ```
    /// use sim_core::{Exception, Term};
    /// assert_eq!(Exception::throw(Term::Int(1)).to_string(), "throw:1");
    /// ```
    pub fn throw(value: impl Into<Term>) -> Exception {
        Exception {
            class: Class::Throw,
            reason: value.into(),
            stack: Vec::new(),
        }
    }

    /// `exit(reason)`.
    ///
    /// ```
    /// use sim_core::{Exception, Atom, Term};
    /// assert_eq!(Exception::exit(Term::Atom(Atom::new("normal"))).to_string(), "exit:normal");
    /// ```
    pub fn exit(reason: impl Into<Term>) -> Exception {
        Exception {
            class: Class::Exit,
            reason: reason.into(),
            stack: Vec::new(),
        }
    }

    /// `error(reason)` with an empty stack (an applied function's frame is added
    /// when the error leaves it through `Cx::apply`).
    ///
    /// ```
    /// use sim_core::{Exception, Atom, Term};
    /// assert!(Exception::error(Term::Atom(Atom::new("x"))).stack.is_empty());
    /// ```
    pub fn error(reason: impl Into<Term>) -> Exception {
        Exception {
            class: Class::Error,
            reason: reason.into(),
            stack: Vec::new(),
        }
    }

    /// An `error` raised by a built-in function: its stack is the BIF's frame, as
    /// OTP reports (`[{erlang,'/',2}]`).
    ///
    /// ```
    /// use sim_core::{Exception, Atom, Term};
    /// let e = Exception::bif_error("badarith", "erlang", "/", 2);
    /// assert_eq!(e.stack[0].function, Atom::new("/"));
    /// ```
    pub fn bif_error(reason: &str, module: &str, function: &str, arity: u32) -> Exception {
        Exception::error(Term::Atom(Atom::new(reason)))
            .with_frame(Frame::new(module, function, arity))
    }

    /// `error:badarg` from the BIF `erlang:function/arity`.
    ///
    /// ```
    /// use sim_core::Exception;
    /// assert_eq!(Exception::badarg("register", 2).to_string(), "error:badarg");
    /// ```
    pub fn badarg(function: &str, arity: u32) -> Exception {
        Exception::bif_error("badarg", "erlang", function, arity)
    }

    /// Appends a frame (an outer caller) to the stack.
    ///
    /// ```
    /// use sim_core::{Exception, Frame, Atom, Term};
    /// let e = Exception::error(Term::Atom(Atom::new("x"))).with_frame(Frame::new("m", "f", 0));
    /// assert_eq!(e.stack.len(), 1);
    /// ```
    pub fn with_frame(mut self, frame: Frame) -> Exception {
        self.stack.push(frame);
        self
    }

    /// The stack as an Erlang list of frames.
    ///
    /// ```
    /// use sim_core::Exception;
    /// let e = Exception::badarg("link", 1);
    /// assert_eq!(e.stack_term().to_string(), "[{erlang,link,1,[]}]");
    /// ```
    pub fn stack_term(&self) -> Term {
        Term::List(self.stack.iter().map(Frame::to_term).collect())
    }

    /// The exit reason of a process this exception escapes from: `R` for
    /// `exit(R)`, `{R, Stack}` for `error(R)`, `{{nocatch, V}, Stack}` for `throw(V)`.
    ///
    /// ```
    /// use sim_core::{Exception, Term};
    /// assert_eq!(Exception::throw(Term::Int(1)).exit_reason().to_string(), "{{nocatch,1},[]}");
    /// ```
    pub fn exit_reason(&self) -> Term {
        self.exit_shape(self.reason.clone())
    }

    /// [`Exception::exit_reason`] of an exception no longer needed: the reason
    /// moves into the exit reason instead of being copied (the exit path of
    /// every process that fails, an erpc applier's at every call).
    pub(crate) fn into_exit_reason(mut self) -> Term {
        // The common case (an exit, each erpc applier's) moves and is done.
        if matches!(self.class, Class::Exit) {
            return self.reason;
        }
        let reason = std::mem::replace(&mut self.reason, Term::Int(0));
        self.exit_shape(reason)
    }

    /// The exit reason of this exception's class and stack around `reason`.
    fn exit_shape(&self, reason: Term) -> Term {
        match self.class {
            Class::Exit => reason,
            Class::Error => Term::Tuple(vec![reason, self.stack_term()]),
            Class::Throw => Term::Tuple(vec![
                Term::Tuple(vec![Term::Atom(Atom::new("nocatch")), reason]),
                self.stack_term(),
            ]),
        }
    }

    /// `{Class, Reason}`, the shape the conformance data prints for a caught
    /// exception.
    ///
    /// ```
    /// use sim_core::{Exception, Term, Atom};
    /// let e = Exception::exit(Term::Atom(Atom::new("boom")));
    /// assert_eq!(e.class_reason().to_string(), "{exit,boom}");
    /// ```
    pub fn class_reason(&self) -> Term {
        Term::Tuple(vec![Term::Atom(self.class.atom()), self.reason.clone()])
    }
}

/// A name that cannot be an atom is `error:system_limit`, as `list_to_atom/1`
/// raises on a real node, so `Atom::try_new(name)?` in a process body behaves
/// as Erlang does.
///
/// ```
/// use sim_core::{Atom, Exception};
/// let e: Exception = Atom::try_new(&"x".repeat(256)).unwrap_err().into();
/// assert_eq!(e.to_string(), "error:system_limit");
/// ```
impl From<crate::term::AtomError> for Exception {
    fn from(_: crate::term::AtomError) -> Exception {
        Exception::error(Term::Atom(crate::term::SYSTEM_LIMIT))
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.class, self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exit_reason_moved_out_is_the_one_copied() {
        let reason = || Term::Tuple(vec![Term::atom("r"), Term::Int(1)]);
        let frame = Frame::new("m", "f", 2);
        for e in [
            Exception::exit(reason()),
            Exception::error(reason()).with_frame(frame.clone()),
            Exception::throw(reason()).with_frame(frame),
        ] {
            let copied = e.exit_reason();
            assert_eq!(e.into_exit_reason(), copied);
        }
    }
}
