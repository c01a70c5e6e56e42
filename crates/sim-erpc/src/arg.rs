//! The argument checks erpc and rpc share, on arguments given as Erlang terms.
//! Each answers `None` (or `false`) where OTP raises `badarg`; the caller raises
//! its own flavour (`{erpc, badarg}` in erpc, `error:badarg` in rpc).

use sim_core::Term;

/// `is_list(T)`: a proper or an improper list. OTP checks no more than this on the
/// caller's side; an improper argument list fails later, in `apply/3` on the target.
///
/// ```
/// use sim_core::Term;
/// assert!(sim_erpc::is_list(&Term::list([Term::Int(1)])));
/// assert!(sim_erpc::is_list(&Term::improper_list([Term::Int(1)], Term::Int(2))));
/// assert!(!sim_erpc::is_list(&Term::atom("x")));
/// ```
pub fn is_list(t: &Term) -> bool {
    matches!(t, Term::List(_) | Term::ImproperList(..))
}

/// The argument list of an apply, if `t` passes [`is_list`].
///
/// ```
/// use sim_core::Term;
/// assert_eq!(sim_erpc::arg_list(&Term::List(vec![])), Some(Term::List(vec![])));
/// assert_eq!(sim_erpc::arg_list(&Term::Int(3)), None);
/// ```
pub fn arg_list(t: &Term) -> Option<Term> {
    is_list(t).then(|| t.clone())
}
