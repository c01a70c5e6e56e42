//! Arguments given as Erlang terms, checked as `rpc` checks them: node,
//! module and function atoms, args a list (`is_list/1`, so an improper list
//! passes and fails later in `apply/3` on the target), a timeout that erpc
//! accepts. Anything else raises `error:badarg` (`block_call` raises
//! `function_clause` from its own guard instead).

use crate::rpcify::badarg;
use sim_core::{Atom, Exception, Term, Timeout};

/// An atom, else `badarg`.
pub(crate) fn atom(t: &Term) -> Result<Atom, Exception> {
    t.as_atom().ok_or_else(badarg)
}

pub(crate) use sim_erpc::is_list;

/// An argument list (proper or improper), else `badarg`.
pub(crate) fn args(t: &Term) -> Result<Term, Exception> {
    sim_erpc::arg_list(t).ok_or_else(badarg)
}

/// A timeout erpc accepts (`infinity`, `0..=4294967295`, `{abs, Integer}`),
/// else `badarg`.
pub(crate) fn timeout(t: &Term) -> Result<Timeout, Exception> {
    sim_erpc::timeout_from_term(t).map_err(|_| badarg())
}

/// A node list: a proper list of atoms, else `badarg` (erpc's check).
pub(crate) fn nodes(t: &Term) -> Result<Vec<Atom>, Exception> {
    match t {
        Term::List(items) => items.iter().map(atom).collect(),
        _ => Err(badarg()),
    }
}

/// A timeout as the term an Erlang caller passes.
pub(crate) fn timeout_term(t: Timeout) -> Term {
    match t {
        Timeout::Infinity => Term::atom("infinity"),
        // Beyond i64 (only in a refused timeout): the largest integer a term holds.
        Timeout::Ms(ms) => Term::Int(i64::try_from(ms).unwrap_or(i64::MAX)),
        Timeout::Abs(at) => Term::tuple([Term::atom("abs"), Term::Int(at)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_arguments_as_rpc_does() {
        let improper = Term::improper_list([Term::atom("a")], Term::atom("b"));
        assert!(args(&improper).is_ok());
        assert!(args(&Term::atom("notalist")).is_err());
        assert!(atom(&Term::string("n1")).is_err());
        assert!(nodes(&Term::list([Term::atom("a@h"), Term::binary(b"x")])).is_err());
        assert!(nodes(&Term::atom("a@h")).is_err());
        assert_eq!(nodes(&Term::List(vec![])), Ok(vec![]));
        assert!(timeout(&Term::Int(4_294_967_296)).is_err());
        assert_eq!(timeout(&Term::Int(0)), Ok(Timeout::Ms(0)));
    }

    #[test]
    fn timeouts_print_as_erlang_passes_them() {
        assert_eq!(timeout_term(Timeout::Infinity).to_string(), "infinity");
        assert_eq!(timeout_term(Timeout::Ms(5)).to_string(), "5");
        assert_eq!(timeout_term(Timeout::Abs(-3)).to_string(), "{abs,-3}");
    }
}
