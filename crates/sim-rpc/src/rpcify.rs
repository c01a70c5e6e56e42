//! The pure translations of outcomes into what `rpc` returns, one exhaustive
//! `match` each, as in OTP's `rpc.erl`:
//!
//! - [`rpcify`]: an erpc outcome (`rpcify_exception/2` plus the `?RPCIFY`
//!   macro's returned-`{'EXIT', _}` rule), used by `call`, `yield`, `nb_yield`
//!   and `multicall`;
//! - `rex_reply`: what `rex` answers for a function it applied
//!   (`execute_call/3` of `rpc.erl`);
//! - `rpc_check` / `rpc_check_t`: what the caller makes of a `gen_server`
//!   call to `rex` (the `block_call` and fallback path);
//! - `rpcmulticallify`: a multicall's outcomes sorted into `{ResL, BadNodes}`.
//!
//! Plus [`BadRpc`], a typed view of `{badrpc, Reason}` for Rust callers.

use sim_core::{Atom, Class, Exception as CoreException, Frame, Term};
use sim_erpc::{ErpcError, Error, Exception, Exit};

/// `{badrpc, Reason}`.
pub(crate) fn badrpc(reason: Term) -> Term {
    Term::tuple([Term::atom("badrpc"), reason])
}

/// `{'EXIT', Reason}`.
fn exit_tuple(reason: Term) -> Term {
    Term::tuple([Term::atom("EXIT"), reason])
}

/// Whether `t` is `{'EXIT', _}`.
fn is_exit_tuple(t: &Term) -> bool {
    matches!(t.as_tuple(), Some([tag, _]) if tag.is_atom("EXIT"))
}

/// The `error:badarg` rpc raises for an argument erpc refused (raised inside
/// `rpc:rpcify_exception/2`, so that is its frame).
pub(crate) fn badarg() -> CoreException {
    CoreException::error(Term::atom("badarg")).with_frame(Frame::new("rpc", "rpcify_exception", 2))
}

/// What `rpc` makes of an erpc outcome (OTP's `?RPCIFY` and
/// `rpcify_exception/2`): a value is returned (a returned `{'EXIT', _}` as
/// `{badrpc, {'EXIT', _}}`), a throw returns the thrown value (`{badrpc, X}`
/// for a thrown `{'EXIT', _}` `X`), a failure becomes `{badrpc, Reason}`, and
/// `{erpc, badarg}` is raised as `error:badarg`.
///
/// | erpc outcome | rpc result |
/// | --- | --- |
/// | returns `{'EXIT', X}` | `{badrpc, {'EXIT', X}}` |
/// | returns `V` | `V` |
/// | `throw:{'EXIT', X}` | `{badrpc, {'EXIT', X}}` |
/// | `throw:V` | `V` |
/// | `exit:{exception, R}`, `exit:{signal, R}` | `{badrpc, {'EXIT', R}}` |
/// | `error:{exception, R, Stack}` | `{badrpc, {'EXIT', {R, Stack}}}` |
/// | `error:{erpc, badarg}` | raises `error:badarg` |
/// | `error:{erpc, noconnection}` | `{badrpc, nodedown}` |
/// | `error:{erpc, timeout}` | `{badrpc, timeout}` |
/// | `error:{erpc, notsup}` | `{badrpc, notsup}` |
/// | `error:{erpc, E}` (other) | `{badrpc, {'EXIT', E}}` |
///
/// ```
/// use sim_core::Term;
/// use sim_erpc::{ErpcError, Exception, Exit};
/// let down = sim_rpc::rpcify(Err(Exception::erpc(ErpcError::Noconnection)));
/// assert_eq!(down.unwrap().to_string(), "{badrpc,nodedown}");
/// let exit = sim_rpc::rpcify(Err(Exception::Exit(Exit::Signal(Term::atom("killed")))));
/// assert_eq!(exit.unwrap().to_string(), "{badrpc,{'EXIT',killed}}");
/// let bad = sim_rpc::rpcify(Err(Exception::erpc(ErpcError::Badarg)));
/// assert_eq!(bad.unwrap_err().class_reason().to_string(), "{error,badarg}");
/// ```
pub fn rpcify(outcome: Result<Term, Exception>) -> Result<Term, CoreException> {
    match outcome {
        Ok(v) if is_exit_tuple(&v) => Ok(badrpc(v)),
        Ok(v) => Ok(v),
        Err(Exception::Throw(v)) if is_exit_tuple(&v) => Ok(badrpc(v)),
        Err(Exception::Throw(v)) => Ok(v),
        Err(Exception::Exit(Exit::Exception(r) | Exit::Signal(r))) => Ok(badrpc(exit_tuple(r))),
        Err(Exception::Error(Error::Exception { reason, stack })) => {
            let stack = Term::List(stack.iter().map(Frame::to_term).collect());
            Ok(badrpc(exit_tuple(Term::tuple([reason, stack]))))
        }
        Err(Exception::Error(Error::Erpc(e))) => match e {
            ErpcError::Badarg => Err(badarg()),
            ErpcError::Noconnection => Ok(BadRpc::Nodedown.to_term()),
            ErpcError::Timeout => Ok(BadRpc::Timeout.to_term()),
            ErpcError::Notsup => Ok(BadRpc::Notsup.to_term()),
            ErpcError::SystemLimit => Ok(badrpc(exit_tuple(Term::Atom(e.atom())))),
        },
    }
}

/// What `rex` answers for a function it applied (`execute_call/3` of
/// `rpc.erl`): the value, the thrown value, or `{badrpc, {'EXIT', _}}`.
pub(crate) fn rex_reply(outcome: Result<Term, CoreException>) -> Term {
    match outcome {
        Ok(v) => v,
        Err(e) => match e.class {
            Class::Throw => e.reason,
            Class::Exit => badrpc(exit_tuple(e.reason)),
            Class::Error => {
                let stack = e.stack_term();
                badrpc(exit_tuple(Term::tuple([e.reason, stack])))
            }
        },
    }
}

/// `rpc_check/1`: what the caller makes of `catch gen_server:call(...)` to
/// `rex` (`x` is the reply, or `{'EXIT', Reason}` if the call exited).
pub(crate) fn rpc_check(x: Term) -> Term {
    match x.as_tuple() {
        Some([tag, reason]) if tag.is_atom("EXIT") => match reason.as_tuple() {
            Some([Term::Tuple(nd), _]) if nd.len() == 2 && nd[0].is_atom("nodedown") => {
                BadRpc::Nodedown.to_term()
            }
            _ => badrpc(x),
        },
        _ => x,
    }
}

/// `rpc_check_t/1`: [`rpc_check`] for the exit reason of the middleman a
/// call with a timeout goes through, where `{timeout, _}` is the call's own
/// timeout.
pub(crate) fn rpc_check_t(x: Term) -> Term {
    match x.as_tuple() {
        Some([tag, reason]) if tag.is_atom("EXIT") => match reason.as_tuple() {
            Some([t, _]) if t.is_atom("timeout") => BadRpc::Timeout.to_term(),
            _ => rpc_check(x),
        },
        _ => rpc_check(x),
    }
}

/// One node's answer before the mapping into `{ResL, BadNodes}`.
#[derive(Debug)]
pub(crate) enum Slot {
    /// What `erpc:multicall` gave for the node.
    Erpc(Result<Term, Exception>),
    /// What `rex` gave, already mapped by `rpc_check/1`.
    Rex(Term),
}

/// `rpcmulticallify/4`: `{ResL, BadNodes}` in the order of `nodes`. A timeout
/// or a lost connection puts the node in `BadNodes`; every other outcome goes
/// to `ResL` as `call` would return it.
pub(crate) fn rpcmulticallify(nodes: &[Atom], slots: Vec<Slot>) -> Result<Term, CoreException> {
    let (mut res, mut bad) = (Vec::new(), Vec::new());
    for (&node, slot) in nodes.iter().zip(slots) {
        match slot {
            Slot::Erpc(Err(e))
                if matches!(
                    e.erpc_error(),
                    Some(ErpcError::Timeout | ErpcError::Noconnection)
                ) =>
            {
                bad.push(Term::Atom(node));
            }
            Slot::Erpc(outcome) => res.push(rpcify(outcome)?),
            Slot::Rex(x)
                if matches!(
                    BadRpc::from_term(&x),
                    Some(BadRpc::Timeout | BadRpc::Nodedown)
                ) =>
            {
                bad.push(Term::Atom(node));
            }
            Slot::Rex(x) => res.push(x),
        }
    }
    Ok(Term::tuple([Term::List(res), Term::List(bad)]))
}

/// `{badrpc, Reason}` as a Rust value.
///
/// ```
/// use sim_core::Term;
/// use sim_rpc::BadRpc;
/// let t = Term::tuple([Term::atom("badrpc"), Term::atom("nodedown")]);
/// assert_eq!(BadRpc::from_term(&t), Some(BadRpc::Nodedown));
/// assert_eq!(BadRpc::Timeout.to_term().to_string(), "{badrpc,timeout}");
/// assert_eq!(BadRpc::from_term(&Term::atom("ok")), None);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum BadRpc {
    /// `{badrpc, nodedown}`: the node could not be reached or went down.
    Nodedown,
    /// `{badrpc, timeout}`: no answer in time.
    Timeout,
    /// `{badrpc, notsup}`: the node cannot run the request.
    Notsup,
    /// `{badrpc, {'EXIT', Reason}}`: the function failed; `Reason` is what
    /// `catch` gives (`R` for `exit(R)` or a signal, `{R, Stack}` for
    /// `error(R)`, `R` for a thrown or returned `{'EXIT', R}`).
    Exit(Term),
    /// Any other `{badrpc, Reason}`.
    Other(Term),
}

impl BadRpc {
    /// Reads `{badrpc, Reason}`; `None` for any other term.
    ///
    /// ```
    /// use sim_core::{Term, Frame};
    /// use sim_rpc::BadRpc;
    /// let exit = Term::tuple([Term::atom("EXIT"), Term::atom("oops")]);
    /// let t = Term::tuple([Term::atom("badrpc"), exit]);
    /// assert_eq!(BadRpc::from_term(&t), Some(BadRpc::Exit(Term::atom("oops"))));
    /// ```
    pub fn from_term(t: &Term) -> Option<BadRpc> {
        let [tag, reason] = t.as_tuple()? else {
            return None;
        };
        if !tag.is_atom("badrpc") {
            return None;
        }
        Some(match reason {
            Term::Atom(a) if *a == Atom::new("nodedown") => BadRpc::Nodedown,
            Term::Atom(a) if *a == Atom::new("timeout") => BadRpc::Timeout,
            Term::Atom(a) if *a == Atom::new("notsup") => BadRpc::Notsup,
            _ => match reason.as_tuple() {
                Some([x, r]) if x.is_atom("EXIT") => BadRpc::Exit(r.clone()),
                _ => BadRpc::Other(reason.clone()),
            },
        })
    }

    /// `{badrpc, Reason}`.
    ///
    /// ```
    /// use sim_core::Term;
    /// use sim_rpc::BadRpc;
    /// assert_eq!(BadRpc::Exit(Term::atom("x")).to_term().to_string(), "{badrpc,{'EXIT',x}}");
    /// assert_eq!(BadRpc::Other(Term::Int(1)).to_term().to_string(), "{badrpc,1}");
    /// ```
    pub fn to_term(&self) -> Term {
        badrpc(match self {
            BadRpc::Nodedown => Term::atom("nodedown"),
            BadRpc::Timeout => Term::atom("timeout"),
            BadRpc::Notsup => Term::atom("notsup"),
            BadRpc::Exit(r) => exit_tuple(r.clone()),
            BadRpc::Other(r) => r.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Term {
        Term::atom("x")
    }

    fn exit_x() -> Term {
        exit_tuple(x())
    }

    fn printed(r: Result<Term, CoreException>) -> String {
        match r {
            Ok(v) => v.to_string(),
            Err(e) => format!("raise {}", e.class_reason()),
        }
    }

    #[test]
    fn rpcify_maps_each_erpc_outcome_as_rpcify_exception_does() {
        let stack = vec![Frame::new("erlang", "error", 1)];
        let rows: Vec<(Result<Term, Exception>, &str)> = vec![
            (Ok(exit_x()), "{badrpc,{'EXIT',x}}"),
            (Ok(x()), "x"),
            (Err(Exception::Throw(exit_x())), "{badrpc,{'EXIT',x}}"),
            (Err(Exception::Throw(x())), "x"),
            (
                Err(Exception::Exit(Exit::Exception(x()))),
                "{badrpc,{'EXIT',x}}",
            ),
            (
                Err(Exception::Exit(Exit::Signal(x()))),
                "{badrpc,{'EXIT',x}}",
            ),
            (
                Err(Exception::Error(Error::Exception { reason: x(), stack })),
                "{badrpc,{'EXIT',{x,[{erlang,error,1,[]}]}}}",
            ),
            (
                Err(Exception::erpc(ErpcError::Badarg)),
                "raise {error,badarg}",
            ),
            (
                Err(Exception::erpc(ErpcError::Noconnection)),
                "{badrpc,nodedown}",
            ),
            (Err(Exception::erpc(ErpcError::Timeout)), "{badrpc,timeout}"),
            (Err(Exception::erpc(ErpcError::Notsup)), "{badrpc,notsup}"),
            (
                Err(Exception::erpc(ErpcError::SystemLimit)),
                "{badrpc,{'EXIT',system_limit}}",
            ),
        ];
        for (outcome, want) in rows {
            let shown = format!("{outcome:?}");
            assert_eq!(printed(rpcify(outcome)), want, "row {shown}");
        }
    }

    #[test]
    fn rex_reply_maps_like_execute_call_3() {
        let rows = [
            (Ok(x()), "x"),
            (Ok(exit_x()), "{'EXIT',x}"),
            (Err(CoreException::throw(x())), "x"),
            (Err(CoreException::throw(exit_x())), "{'EXIT',x}"),
            (Err(CoreException::exit(x())), "{badrpc,{'EXIT',x}}"),
            (
                Err(CoreException::bif_error("x", "erlang", "error", 1)),
                "{badrpc,{'EXIT',{x,[{erlang,error,1,[]}]}}}",
            ),
        ];
        for (outcome, want) in rows {
            assert_eq!(rex_reply(outcome).to_string(), want);
        }
    }

    #[test]
    fn rpc_check_maps_server_call_outcomes() {
        let call = Term::tuple([
            Term::atom("gen_server"),
            Term::atom("call"),
            Term::List(vec![]),
        ]);
        let caught = |r: Term| exit_tuple(Term::tuple([r, call.clone()]));
        let nodedown = Term::tuple([Term::atom("nodedown"), Term::atom("n@h")]);
        let rows = [
            (x(), "x", "x"),
            (exit_x(), "{badrpc,{'EXIT',x}}", "{badrpc,{'EXIT',x}}"),
            (caught(nodedown), "{badrpc,nodedown}", "{badrpc,nodedown}"),
            (
                caught(Term::atom("timeout")),
                "{badrpc,{'EXIT',{timeout,{gen_server,call,[]}}}}",
                "{badrpc,timeout}",
            ),
            (
                caught(Term::atom("noproc")),
                "{badrpc,{'EXIT',{noproc,{gen_server,call,[]}}}}",
                "{badrpc,{'EXIT',{noproc,{gen_server,call,[]}}}}",
            ),
            (
                BadRpc::Timeout.to_term(),
                "{badrpc,timeout}",
                "{badrpc,timeout}",
            ),
        ];
        for (caught, want, want_t) in rows {
            assert_eq!(
                rpc_check(caught.clone()).to_string(),
                want,
                "rpc_check {caught}"
            );
            assert_eq!(
                rpc_check_t(caught.clone()).to_string(),
                want_t,
                "rpc_check_t {caught}"
            );
        }
    }

    #[test]
    fn badrpc_round_trips_through_its_term() {
        for b in [
            BadRpc::Nodedown,
            BadRpc::Timeout,
            BadRpc::Notsup,
            BadRpc::Exit(x()),
            BadRpc::Other(Term::Int(7)),
        ] {
            assert_eq!(BadRpc::from_term(&b.to_term()), Some(b));
        }
        assert_eq!(
            BadRpc::from_term(&Term::tuple([Term::atom("badrpc")])),
            None
        );
    }

    #[test]
    fn rpcmulticallify_sorts_outcomes_into_resl_and_badnodes() {
        let n = |s: &str| Atom::new(s);
        let exit = Term::tuple([Term::atom("EXIT"), Term::atom("x")]);
        let rows: Vec<(Slot, &str)> = vec![
            (Slot::Erpc(Ok(Term::atom("v"))), "{[v],[]}"),
            (Slot::Erpc(Ok(exit.clone())), "{[{badrpc,{'EXIT',x}}],[]}"),
            (
                Slot::Erpc(Err(Exception::Throw(Term::atom("t")))),
                "{[t],[]}",
            ),
            (
                Slot::Erpc(Err(Exception::Exit(Exit::Signal(Term::atom("killed"))))),
                "{[{badrpc,{'EXIT',killed}}],[]}",
            ),
            (
                Slot::Erpc(Err(Exception::erpc(ErpcError::Timeout))),
                "{[],[n@h]}",
            ),
            (
                Slot::Erpc(Err(Exception::erpc(ErpcError::Noconnection))),
                "{[],[n@h]}",
            ),
            (
                Slot::Erpc(Err(Exception::erpc(ErpcError::Notsup))),
                "{[{badrpc,notsup}],[]}",
            ),
            (Slot::Rex(Term::atom("v")), "{[v],[]}"),
            (Slot::Rex(BadRpc::Timeout.to_term()), "{[],[n@h]}"),
            (Slot::Rex(BadRpc::Nodedown.to_term()), "{[],[n@h]}"),
            (
                Slot::Rex(BadRpc::Exit(Term::atom("x")).to_term()),
                "{[{badrpc,{'EXIT',x}}],[]}",
            ),
        ];
        for (slot, want) in rows {
            let shown = format!("{slot:?}");
            let got = rpcmulticallify(&[n("n@h")], vec![slot]).unwrap();
            assert_eq!(got.to_string(), want, "row {shown}");
        }
        let bad = rpcmulticallify(
            &[n("n@h")],
            vec![Slot::Erpc(Err(Exception::erpc(ErpcError::Badarg)))],
        );
        assert_eq!(
            bad.unwrap_err().class_reason().to_string(),
            "{error,badarg}"
        );
    }
}
