//! The target-side half of erpc, as OTP's `erpc:execute_call/4` and
//! `execute_cast/3`: apply the function in a fresh process, catch by class, and
//! (for a call) **exit** with the outcome encoded in the exit reason, which
//! reaches the caller inside the monitor's `'DOWN'`:
//! `{Res, return, V}`, `{Res, throw, V}`, `{Res, exit, R}`, `{Res, error, R, Stack}`.

use sim_core::{Atom, BoxFuture, Class, Cx, Exception as CoreException, Frame, Ref, Term};
use std::fmt;
use std::future::Future;
use std::sync::OnceLock;

/// What a request applies: `M:F(Args)` (args a proper or improper list: OTP
/// does not check properness on the caller's side) or a fun of arity 0.
pub(crate) enum Applied {
    Mfa {
        module: Atom,
        function: Atom,
        args: Args,
    },
    Fun(Box<dyn FnOnce(Cx) -> BoxFuture>),
}

/// The argument list of an MFA: a proper list, as the typed calls give it (and
/// the applier takes it as is), or any other term the dynamic calls pass on.
pub(crate) enum Args {
    List(Vec<Term>),
    Other(Term),
}

impl From<Term> for Args {
    fn from(t: Term) -> Args {
        let mut t = t;
        match &mut t {
            Term::List(v) => Args::List(std::mem::take(v)),
            _ => Args::Other(t),
        }
    }
}

impl Args {
    fn into_term(self) -> Term {
        match self {
            Args::List(v) => Term::List(v),
            Args::Other(t) => t,
        }
    }
}

impl fmt::Display for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Args::List(v) => {
                f.write_str("[")?;
                comma_separated(f, v)?;
                f.write_str("]")
            }
            Args::Other(t) => write!(f, "{t}"),
        }
    }
}

/// `a,b,c`.
fn comma_separated(f: &mut fmt::Formatter<'_>, terms: &[Term]) -> fmt::Result {
    for (i, a) in terms.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{a}")?;
    }
    Ok(())
}

impl fmt::Debug for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Applied::Mfa {
                module,
                function,
                args,
            } => write!(f, "{}:{}({})", module.as_str(), function.as_str(), args),
            Applied::Fun(_) => f.write_str("fun/0"),
        }
    }
}

/// OTP's `MAX_ARG`: the most arguments a function can be applied to.
const MAX_ARGS: usize = 255;

/// `erpc:is_arg_error/4`: whether an `error` with `reason`, raised by applying
/// a function to `args`, is about the argument list itself rather than raised
/// by the function: `system_limit` for a proper list of more than 255
/// arguments, which `apply/3` refuses before calling anything. erpc reports it
/// as `{erpc, system_limit}` (`rpc` as `{badrpc, {'EXIT', system_limit}}`),
/// without a stack.
///
/// ```
/// use sim_core::Term;
/// let many = Term::List((0..256).map(Term::Int).collect());
/// let limit = Term::atom("system_limit");
/// assert!(sim_erpc::is_arg_error(&limit, &many));
/// assert!(!sim_erpc::is_arg_error(&limit, &Term::List(vec![])));
/// assert!(!sim_erpc::is_arg_error(&Term::atom("badarg"), &many));
/// ```
pub fn is_arg_error(reason: &Term, args: &Term) -> bool {
    reason.is_atom("system_limit") && matches!(args, Term::List(a) if a.len() > MAX_ARGS)
}

/// `Module:Function(A1,A2)` (or `fun/0`): what an applier labels itself with.
struct CallLabel<'a>(&'a Applied);

impl fmt::Display for CallLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Applied::Mfa {
                module,
                function,
                args: Args::List(args),
            } => {
                write!(f, "{}:{}(", Term::Atom(*module), Term::Atom(*function))?;
                comma_separated(f, args)?;
                f.write_str(")")
            }
            Applied::Mfa {
                module,
                function,
                args,
            } => write!(
                f,
                "{}:{}({args})",
                Term::Atom(*module),
                Term::Atom(*function)
            ),
            Applied::Fun(_) => f.write_str("fun/0"),
        }
    }
}

impl Applied {
    /// Whether applying this fails before the function runs because of its
    /// argument count (see [`is_arg_error`]); a fun is applied with `[]`.
    pub(crate) fn too_many_args(&self) -> bool {
        matches!(self, Applied::Mfa { args: Args::List(a), .. } if a.len() > MAX_ARGS)
    }

    pub(crate) fn mfa(module: Atom, function: Atom, args: Vec<Term>) -> Applied {
        Applied::Mfa {
            module,
            function,
            args: Args::List(args),
        }
    }

    pub(crate) fn fun<F, Fut>(f: F) -> Applied
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, CoreException>> + 'static,
    {
        Applied::Fun(Box::new(move |cx| Box::pin(f(cx)) as BoxFuture))
    }
}

/// Notes in the caller's trace what a request asks for, before it goes out:
/// the picture labels the request with it even if no applier ever runs.
/// `res` (`None` for a cast) is the key the applier's label and a timeout's
/// note carry.
pub(crate) fn note_request(cx: &Cx, what: &Applied, res: Option<Ref>) {
    cx.note("request", CallLabel(what), res);
}

/// Applies in the process of `cx`. A fun is applied as `erlang:apply(Fun, [])`,
/// so an error's stack ends with `{erlang, apply, 2}`; an improper argument
/// list fails as `erlang:apply/3` does.
pub(crate) async fn apply(cx: &Cx, what: Applied) -> Result<Term, CoreException> {
    if what.too_many_args() {
        // `apply/3` refuses more than 255 arguments before looking anything up.
        let Applied::Mfa {
            module,
            function,
            args,
        } = what
        else {
            unreachable!("only an MFA has an argument list");
        };
        return Err(
            CoreException::error(Term::atom("system_limit")).with_frame(Frame::with_args(
                "erlang",
                "apply",
                vec![Term::Atom(module), Term::Atom(function), args.into_term()],
            )),
        );
    }
    match what {
        Applied::Mfa {
            module,
            function,
            args,
        } => match args {
            Args::List(args) => cx.apply(module, function, args).await,
            Args::Other(args) => match args.into_list() {
                Ok(args) => cx.apply(module, function, args).await,
                Err(args) => Err(CoreException::error(Term::atom("badarg")).with_frame(
                    Frame::with_args(
                        "erlang",
                        "apply",
                        vec![Term::Atom(module), Term::Atom(function), args],
                    ),
                )),
            },
        },
        Applied::Fun(f) => match f(cx.clone()).await {
            Err(e) if e.class == Class::Error => {
                Err(e.with_frame(Frame::new("erlang", "apply", 2)))
            }
            other => other,
        },
    }
}

/// `erpc:execute_call(Module, Function, Args)`, for a server that applies
/// requests in its own process: applies `Module:Function(Args)` with erpc's handling
/// of the arguments (`args` a proper or improper list; an improper one fails as
/// `erlang:apply/3` does) and of the stack, and returns the value or the
/// exception raised, by class.
///
/// ```
/// use sim_core::{Atom, Sim, Term};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let (m, f) = (Atom::new("erlang"), Atom::new("error"));
///     let e = sim_erpc::execute_mfa(&cx, m, f, Term::list([Term::atom("oops")])).await.unwrap_err();
///     cx.check(e.class_reason().to_string() == "{error,oops}", "raised in the caller")?;
///     let improper = Term::improper_list([Term::atom("oops")], Term::atom("invalid"));
///     let e = sim_erpc::execute_mfa(&cx, m, f, improper).await.unwrap_err();
///     let stack = e.stack_term();
///     Ok(Term::tuple([e.reason, stack]))
/// }).unwrap();
/// let out = sim.run().value(0).map(|v| v.to_string());
/// assert_eq!(out.as_deref(), Some("{badarg,[{erlang,apply,[erlang,error,[oops|invalid]],[]}]}"));
/// ```
pub async fn execute_mfa(
    cx: &Cx,
    module: Atom,
    function: Atom,
    args: Term,
) -> Result<Term, CoreException> {
    apply(
        cx,
        Applied::Mfa {
            module,
            function,
            args: args.into(),
        },
    )
    .await
}

/// The body of the process a call spawns: never returns normally, its exit
/// reason is the encoded outcome (`{Res, error, {erpc, system_limit}}` for too
/// many arguments, as OTP's `is_arg_error/4` decides).
pub(crate) async fn execute_call(cx: Cx, res: Ref, what: Applied) -> Result<Term, CoreException> {
    cx.label(CallLabel(&what), Some(res));
    let res = Term::Ref(res);
    let arg_error = what.too_many_args();
    let reply = match apply(&cx, what).await {
        Ok(v) => Term::Tuple(vec![res, return_tag(), v]),
        Err(e) => match e.class {
            Class::Throw => Term::tuple([res, Term::atom("throw"), e.reason]),
            Class::Exit => Term::tuple([res, Term::atom("exit"), e.reason]),
            Class::Error if arg_error && e.reason.is_atom("system_limit") => {
                let erpc = Term::tuple([Term::atom("erpc"), e.reason]);
                Term::tuple([res, Term::atom("error"), erpc])
            }
            Class::Error => {
                let stack = e.stack_term();
                Term::tuple([res, Term::atom("error"), e.reason, stack])
            }
        },
    };
    Err(CoreException::exit(reply))
}

/// The atom `return`, interned once: it tags the reply of every call that
/// returns, so it is not looked up again at each.
fn return_tag() -> Term {
    static RETURN: OnceLock<Atom> = OnceLock::new();
    Term::Atom(*RETURN.get_or_init(|| Atom::new("return")))
}

/// The body of the process a cast spawns: an error leaves it as
/// `error:{exception, {Reason, Stack}}`, or `error:{erpc, system_limit}` for
/// too many arguments (OTP logs it; nobody is told).
pub(crate) async fn execute_cast(cx: Cx, what: Applied) -> Result<Term, CoreException> {
    cx.label(CallLabel(&what), None);
    let arg_error = what.too_many_args();
    match apply(&cx, what).await {
        Err(e) if arg_error && e.class == Class::Error && e.reason.is_atom("system_limit") => {
            Err(CoreException::error(Term::tuple([
                Term::atom("erpc"),
                e.reason,
            ])))
        }
        Err(e) if e.class == Class::Error => {
            let inner = Term::tuple([e.reason.clone(), e.stack_term()]);
            Err(CoreException::error(Term::tuple([
                Term::atom("exception"),
                inner,
            ])))
        }
        other => other,
    }
}
