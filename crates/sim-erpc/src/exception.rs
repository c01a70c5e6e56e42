//! The exceptions erpc raises, one to one with OTP's `caught_call_exception()`
//! in `erpc.erl`: five shapes, each printable as the `{Class, Reason}` pair OTP
//! raises.
//!
//! They are plain data (not `std::error::Error`): a process body re-raises one
//! with `?`, which converts it into a `sim_core::Exception` of the same class and
//! reason.

use sim_core::{Atom, Class, Frame, Term};
use std::fmt;

/// Why the erpc operation itself failed (`error:{erpc, Reason}`).
///
/// ```
/// use sim_erpc::ErpcError;
/// assert_eq!(ErpcError::Noconnection.to_term().to_string(), "{erpc,noconnection}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErpcError {
    /// A bad argument: node, module or function not an atom, args not a list,
    /// an invalid timeout, request id or collection, or a reused request id.
    Badarg,
    /// The connection to the node was lost or could not be set up; the
    /// function may or may not have been applied.
    Noconnection,
    /// The target node could not start the process (its process limit).
    SystemLimit,
    /// No answer before the timeout; the request was abandoned.
    Timeout,
    /// The target node does not support spawn requests.
    Notsup,
}

impl ErpcError {
    /// The reason as an atom (`badarg`, `noconnection`, `system_limit`,
    /// `timeout`, `notsup`).
    ///
    /// ```
    /// use sim_erpc::ErpcError;
    /// assert_eq!(ErpcError::SystemLimit.atom().as_str(), "system_limit");
    /// ```
    pub fn atom(self) -> Atom {
        Atom::new(match self {
            ErpcError::Badarg => "badarg",
            ErpcError::Noconnection => "noconnection",
            ErpcError::SystemLimit => "system_limit",
            ErpcError::Timeout => "timeout",
            ErpcError::Notsup => "notsup",
        })
    }

    /// The error named by `reason`, if it is one of the five.
    ///
    /// ```
    /// use sim_erpc::ErpcError;
    /// use sim_core::Term;
    /// assert_eq!(ErpcError::from_term(&Term::atom("notsup")), Some(ErpcError::Notsup));
    /// assert_eq!(ErpcError::from_term(&Term::atom("other")), None);
    /// ```
    pub fn from_term(reason: &Term) -> Option<ErpcError> {
        let Term::Atom(a) = reason else {
            return None;
        };
        Some(match a.as_str() {
            "badarg" => ErpcError::Badarg,
            "noconnection" => ErpcError::Noconnection,
            "system_limit" => ErpcError::SystemLimit,
            "timeout" => ErpcError::Timeout,
            "notsup" => ErpcError::Notsup,
            _ => return None,
        })
    }

    /// The exception reason `{erpc, Reason}`.
    ///
    /// ```
    /// use sim_erpc::ErpcError;
    /// assert_eq!(ErpcError::Timeout.to_term().to_string(), "{erpc,timeout}");
    /// ```
    pub fn to_term(self) -> Term {
        Term::tuple([Term::atom("erpc"), Term::Atom(self.atom())])
    }
}

/// The reason of an `exit` exception.
///
/// ```
/// use sim_erpc::Exit;
/// use sim_core::Term;
/// assert_eq!(Exit::Signal(Term::atom("killed")).to_term().to_string(), "{signal,killed}");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Exit {
    /// The applied function called `exit(Reason)`: `{exception, Reason}`.
    Exception(Term),
    /// The applying process was killed by an exit signal: `{signal, Reason}`.
    Signal(Term),
}

impl Exit {
    /// `{exception, Reason}` or `{signal, Reason}`.
    ///
    /// ```
    /// use sim_erpc::Exit;
    /// use sim_core::Term;
    /// assert_eq!(Exit::Exception(Term::atom("x")).to_term().to_string(), "{exception,x}");
    /// ```
    pub fn to_term(&self) -> Term {
        match self {
            Exit::Exception(r) => Term::tuple([Term::atom("exception"), r.clone()]),
            Exit::Signal(r) => Term::tuple([Term::atom("signal"), r.clone()]),
        }
    }
}

/// The reason of an `error` exception.
///
/// ```
/// use sim_erpc::{Error, ErpcError};
/// assert_eq!(Error::Erpc(ErpcError::Badarg).to_term().to_string(), "{erpc,badarg}");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The applied function raised `error(Reason)`:
    /// `{exception, Reason, Stack}`, the stack limited to the applied function
    /// and what it called.
    Exception {
        /// The error reason.
        reason: Term,
        /// The stack, innermost frame first.
        stack: Vec<Frame>,
    },
    /// The erpc operation failed: `{erpc, Reason}`.
    Erpc(ErpcError),
}

impl Error {
    /// `{exception, Reason, Stack}` or `{erpc, Reason}`.
    ///
    /// ```
    /// use sim_erpc::Error;
    /// use sim_core::{Frame, Term};
    /// let e = Error::Exception { reason: Term::atom("oops"), stack: vec![Frame::new("erlang", "error", 1)] };
    /// assert_eq!(e.to_term().to_string(), "{exception,oops,[{erlang,error,1,[]}]}");
    /// ```
    pub fn to_term(&self) -> Term {
        match self {
            Error::Exception { reason, stack } => Term::tuple([
                Term::atom("exception"),
                reason.clone(),
                Term::List(stack.iter().map(Frame::to_term).collect()),
            ]),
            Error::Erpc(e) => e.to_term(),
        }
    }
}

/// An exception raised by an erpc operation, as OTP raises it in the caller.
///
/// ```
/// use sim_erpc::{Exception, Exit};
/// use sim_core::Term;
/// let e = Exception::Exit(Exit::Exception(Term::atom("oops")));
/// assert_eq!(e.to_string(), "{exit,{exception,oops}}");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Exception {
    /// The applied function threw `Value`: class `throw`, reason `Value`.
    Throw(Term),
    /// Class `exit`.
    Exit(Exit),
    /// Class `error`.
    Error(Error),
}

impl Exception {
    /// `error:{erpc, e}`.
    ///
    /// ```
    /// use sim_erpc::{Exception, ErpcError};
    /// assert_eq!(Exception::erpc(ErpcError::Timeout).to_string(), "{error,{erpc,timeout}}");
    /// ```
    pub fn erpc(e: ErpcError) -> Exception {
        Exception::Error(Error::Erpc(e))
    }

    /// The erpc error, if this is one (`error:{erpc, _}`).
    ///
    /// ```
    /// use sim_erpc::{Exception, ErpcError};
    /// use sim_core::Term;
    /// assert_eq!(Exception::erpc(ErpcError::Badarg).erpc_error(), Some(ErpcError::Badarg));
    /// assert_eq!(Exception::Throw(Term::atom("x")).erpc_error(), None);
    /// ```
    pub fn erpc_error(&self) -> Option<ErpcError> {
        match self {
            Exception::Error(Error::Erpc(e)) => Some(*e),
            _ => None,
        }
    }

    /// The class: `throw`, `exit` or `error`.
    ///
    /// ```
    /// use sim_erpc::{Exception, ErpcError};
    /// use sim_core::Class;
    /// assert_eq!(Exception::erpc(ErpcError::Notsup).class(), Class::Error);
    /// ```
    pub fn class(&self) -> Class {
        match self {
            Exception::Throw(_) => Class::Throw,
            Exception::Exit(_) => Class::Exit,
            Exception::Error(_) => Class::Error,
        }
    }

    /// The reason OTP raises (the thrown value for `throw`).
    ///
    /// ```
    /// use sim_erpc::{Exception, Exit};
    /// use sim_core::Term;
    /// let e = Exception::Exit(Exit::Signal(Term::atom("killed")));
    /// assert_eq!(e.reason().to_string(), "{signal,killed}");
    /// ```
    pub fn reason(&self) -> Term {
        match self {
            Exception::Throw(v) => v.clone(),
            Exception::Exit(e) => e.to_term(),
            Exception::Error(e) => e.to_term(),
        }
    }

    /// `{Class, Reason}`, the pair a `try ... catch Class:Reason` sees.
    ///
    /// ```
    /// use sim_erpc::Exception;
    /// use sim_core::Term;
    /// assert_eq!(Exception::Throw(Term::atom("x")).to_term().to_string(), "{throw,x}");
    /// ```
    pub fn to_term(&self) -> Term {
        Term::tuple([Term::Atom(self.class().atom()), self.reason()])
    }

    /// How an exception caught around a function applied in the calling
    /// process looks to the caller (`throw` passes, `exit:R` becomes
    /// `exit:{exception, R}`, `error:R` becomes `error:{exception, R, Stack}`).
    ///
    /// `arg_error`: the applied MFA had more than 255 arguments, so an
    /// `error:system_limit` is `apply/3` refusing them, raised as
    /// `error:{erpc, system_limit}` (OTP's `is_arg_error/4`).
    /// `{erpc, badarg}`, the error every argument check raises.
    pub(crate) fn badarg() -> Exception {
        Exception::erpc(ErpcError::Badarg)
    }

    pub(crate) fn caught(e: sim_core::Exception, arg_error: bool) -> Exception {
        match e.class {
            Class::Error if arg_error && e.reason.is_atom("system_limit") => {
                Exception::erpc(ErpcError::SystemLimit)
            }
            Class::Throw => Exception::Throw(e.reason),
            Class::Exit => Exception::Exit(Exit::Exception(e.reason)),
            Class::Error => Exception::Error(Error::Exception {
                reason: e.reason,
                stack: e.stack,
            }),
        }
    }
}

impl From<ErpcError> for Exception {
    fn from(e: ErpcError) -> Exception {
        Exception::erpc(e)
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_term())
    }
}

/// Re-raises in the caller with the same class and reason, so `?` works in a
/// process body.
///
/// ```
/// use sim_erpc::{Exception, ErpcError};
/// let core: sim_core::Exception = Exception::erpc(ErpcError::Timeout).into();
/// assert_eq!(core.to_string(), "error:{erpc,timeout}");
/// ```
impl From<Exception> for sim_core::Exception {
    fn from(e: Exception) -> sim_core::Exception {
        sim_core::Exception {
            class: e.class(),
            reason: e.reason(),
            stack: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_prints_as_otp_raises_it() {
        let stack = vec![Frame::new("erlang", "error", 1)];
        let cases = [
            (Exception::Throw(Term::atom("v")), "{throw,v}"),
            (
                Exception::Exit(Exit::Exception(Term::atom("r"))),
                "{exit,{exception,r}}",
            ),
            (
                Exception::Exit(Exit::Signal(Term::atom("r"))),
                "{exit,{signal,r}}",
            ),
            (
                Exception::Error(Error::Exception {
                    reason: Term::atom("r"),
                    stack,
                }),
                "{error,{exception,r,[{erlang,error,1,[]}]}}",
            ),
            (
                Exception::erpc(ErpcError::Noconnection),
                "{error,{erpc,noconnection}}",
            ),
            (
                Exception::erpc(ErpcError::SystemLimit),
                "{error,{erpc,system_limit}}",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn erpc_errors_round_trip_through_their_atoms() {
        for e in [
            ErpcError::Badarg,
            ErpcError::Noconnection,
            ErpcError::SystemLimit,
            ErpcError::Timeout,
            ErpcError::Notsup,
        ] {
            assert_eq!(ErpcError::from_term(&Term::Atom(e.atom())), Some(e));
        }
    }

    #[test]
    fn reraising_keeps_class_and_reason() {
        let e = Exception::Exit(Exit::Signal(Term::atom("killed")));
        let core = sim_core::Exception::from(e);
        assert_eq!(core.class, Class::Exit);
        assert_eq!(core.class_reason().to_string(), "{exit,{signal,killed}}");
    }
}
