//! `Fun`: an Erlang fun value, a closure with an arity, for the term-level
//! entry points that check a fun's arity as OTP does (`call/2` wants arity 0;
//! `cast/2` does not check).

use crate::execute::Applied;
use sim_core::{BoxFuture, Cx, Exception as CoreException, Term};
use std::fmt;
use std::future::Future;
use std::rc::Rc;

/// An Erlang fun: a closure of some arity, callable on any node.
///
/// The typed API (`call_fun`, `multicall_fun`, ...) takes plain closures of
/// arity 0. `Fun` exists for the term-level entry points ([`crate::call_fun_term`]
/// and friends), which, like OTP, refuse a fun of the wrong arity with
/// `{erpc, badarg}` (or, for `cast`, let it fail on the target).
///
/// ```
/// use sim_erpc::Fun;
/// use sim_core::Term;
/// let zero = Fun::new(|cx| async move { Ok(Term::Atom(cx.node())) });
/// let one = Fun::with_arity(1, |_cx, args| async move { Ok(args[0].clone()) });
/// assert_eq!((zero.arity(), one.arity()), (0, 1));
/// ```
#[derive(Clone)]
pub struct Fun {
    arity: u32,
    body: Rc<dyn Fn(Cx, Vec<Term>) -> BoxFuture>,
}

impl fmt::Debug for Fun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fun").field("arity", &self.arity).finish()
    }
}

impl Fun {
    /// A fun of arity 0: `fun() -> ... end`.
    ///
    /// ```
    /// use sim_erpc::Fun;
    /// use sim_core::Term;
    /// assert_eq!(Fun::new(|_cx| async move { Ok(Term::Int(1)) }).arity(), 0);
    /// ```
    pub fn new<F, Fut>(f: F) -> Fun
    where
        F: Fn(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, CoreException>> + 'static,
    {
        Fun {
            arity: 0,
            body: Rc::new(move |cx, _args| Box::pin(f(cx)) as BoxFuture),
        }
    }

    /// A fun of the given arity: it is called with exactly `arity` arguments.
    ///
    /// ```
    /// use sim_erpc::Fun;
    /// let id = Fun::with_arity(1, |_cx, mut args| async move { Ok(args.remove(0)) });
    /// assert_eq!(id.arity(), 1);
    /// ```
    pub fn with_arity<F, Fut>(arity: u32, f: F) -> Fun
    where
        F: Fn(Cx, Vec<Term>) -> Fut + 'static,
        Fut: Future<Output = Result<Term, CoreException>> + 'static,
    {
        Fun {
            arity,
            body: Rc::new(move |cx, args| Box::pin(f(cx, args)) as BoxFuture),
        }
    }

    /// The number of arguments the fun takes.
    ///
    /// ```
    /// use sim_erpc::Fun;
    /// use sim_core::Term;
    /// assert_eq!(Fun::with_arity(2, |_cx, _a| async move { Ok(Term::Int(0)) }).arity(), 2);
    /// ```
    pub fn arity(&self) -> u32 {
        self.arity
    }

    /// `erlang:apply(Fun, [])` as the applier runs it: a fun of another arity
    /// fails with `error:{badarity, {Fun, []}}` (the fun printed as `'<fun>'`).
    pub(crate) fn applied(&self) -> Applied {
        let fun = self.clone();
        Applied::fun(move |cx| async move {
            if fun.arity != 0 {
                let reason = Term::tuple([
                    Term::atom("badarity"),
                    Term::tuple([Term::atom("<fun>"), Term::List(Vec::new())]),
                ]);
                return Err(CoreException::error(reason));
            }
            (fun.body)(cx, Vec::new()).await
        })
    }
}
