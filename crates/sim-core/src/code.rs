//! Per-node code: modules of named async functions, and `apply(M, F, A)`.
//!
//! A module is a table of functions keyed by name and arity. Nodes hold modules
//! as shared factories (`Rc`), so a restarted node gets its code back. Applying a
//! function a node lacks raises `error:undef`, exactly as OTP does.

use crate::cx::{Cx, Target};
use crate::exception::{Exception, Frame, FrameArgs};
use crate::fast_map::FastMap;
use crate::term::{Atom, Term};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// A boxed process body or function future.
pub type BoxFuture = Pin<Box<dyn Future<Output = Result<Term, Exception>>>>;

/// A module function: called with the process context and the argument list.
pub type Function = Rc<dyn Fn(Cx, Vec<Term>) -> BoxFuture>;

/// A named set of async functions, loadable on nodes.
///
/// ```
/// use sim_core::{Module, Term};
/// let m = Module::new("kv")
///     .function("ping", 0, |_cx, _args| async move { Ok(Term::atom("pong")) });
/// assert!(m.has("ping", 0));
/// assert!(!m.has("ping", 1));
/// ```
#[derive(Clone)]
pub struct Module {
    name: Atom,
    functions: FastMap<(Atom, u32), Function>,
}

impl fmt::Debug for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .functions
            .keys()
            .map(|(n, a)| format!("{}/{a}", n.as_str()))
            .collect();
        f.debug_struct("Module")
            .field("name", &self.name.as_str())
            .field("functions", &names)
            .finish()
    }
}

impl Module {
    /// An empty module.
    ///
    /// ```
    /// use sim_core::Module;
    /// assert_eq!(Module::new("m").name().as_str(), "m");
    /// ```
    pub fn new(name: &str) -> Module {
        Module {
            name: Atom::new(name),
            functions: FastMap::default(),
        }
    }

    /// The module's name.
    ///
    /// ```
    /// use sim_core::Module;
    /// assert_eq!(Module::new("kv").name().as_str(), "kv");
    /// ```
    pub fn name(&self) -> Atom {
        self.name
    }

    /// Adds (or replaces) `name/arity`.
    ///
    /// ```
    /// use sim_core::{Module, Term};
    /// let m = Module::new("math").function("double", 1, |_cx, args| async move {
    ///     match args.first() {
    ///         Some(Term::Int(n)) => Ok(Term::Int(n * 2)),
    ///         _ => Err(sim_core::Exception::error(Term::atom("badarg"))),
    ///     }
    /// });
    /// assert!(m.has("double", 1));
    /// ```
    pub fn function<F, Fut>(mut self, name: &str, arity: u32, f: F) -> Module
    where
        F: Fn(Cx, Vec<Term>) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let f: Function = Rc::new(move |cx, args| Box::pin(f(cx, args)));
        self.functions.insert((Atom::new(name), arity), f);
        self
    }

    /// Whether `name/arity` exists.
    ///
    /// ```
    /// use sim_core::Module;
    /// assert!(!Module::new("m").has("f", 0));
    /// ```
    pub fn has(&self, name: &str, arity: u32) -> bool {
        self.functions.contains_key(&(Atom::new(name), arity))
    }

    pub(crate) fn get(&self, name: Atom, arity: u32) -> Option<Function> {
        self.functions.get(&(name, arity)).cloned()
    }
}

/// The code loaded on one node.
#[derive(Clone, Debug, Default)]
pub(crate) struct CodeTable {
    modules: FastMap<Atom, Module>,
}

impl CodeTable {
    pub(crate) fn with_builtins() -> CodeTable {
        let mut t = CodeTable::default();
        t.load(erlang_module());
        t.load(timer_module());
        t
    }

    pub(crate) fn load(&mut self, m: Module) {
        match self.modules.get_mut(&m.name) {
            // Loading a module twice merges: later functions win.
            Some(existing) => existing.functions.extend(m.functions),
            None => {
                self.modules.insert(m.name, m);
            }
        }
    }

    pub(crate) fn lookup(&self, module: Atom, function: Atom, arity: u32) -> Option<Function> {
        self.modules.get(&module)?.get(function, arity)
    }
}

/// `error:undef` for `M:F(Args)`, with OTP's frame `{M, F, Args}`.
pub(crate) fn undef(module: Atom, function: Atom, args: Vec<Term>) -> Exception {
    Exception::error(Term::Atom(Atom::new("undef"))).with_frame(Frame {
        module,
        function,
        args: FrameArgs::Args(args),
    })
}

fn arg(args: &[Term], i: usize) -> Term {
    args.get(i).cloned().unwrap_or(Term::List(Vec::new()))
}

/// The built-in functions of module `erlang` that remote calls commonly use,
/// and the BIFs whose arguments Rust's types cannot get wrong through `Cx`
/// (`send/2`, `process_flag/2`, the timer BIFs): applied with terms they raise
/// OTP's `badarg`.
fn erlang_module() -> Module {
    Module::new("erlang")
        .function("node", 0, |cx, _| async move { Ok(Term::Atom(cx.node())) })
        .function("group_leader", 0, |cx, _| async move {
            Ok(Term::Pid(cx.group_leader()))
        })
        .function("halt", 0, |cx, _| async move {
            cx.halt().await;
            Ok(Term::Atom(Atom::new("ok")))
        })
        .function(
            "self",
            0,
            |cx, _| async move { Ok(Term::Pid(cx.self_pid())) },
        )
        .function("error", 1, |_, a| async move {
            Err(Exception::error(arg(&a, 0)).with_frame(Frame::new("erlang", "error", 1)))
        })
        .function("error", 2, |_, a| async move {
            let reason = arg(&a, 0);
            let args = arg(&a, 1).into_list().unwrap_or_default();
            Err(Exception::error(reason).with_frame(Frame {
                module: Atom::new("erlang"),
                function: Atom::new("error"),
                args: FrameArgs::Args(args),
            }))
        })
        .function(
            "exit",
            1,
            |_, a| async move { Err(Exception::exit(arg(&a, 0))) },
        )
        .function("throw", 1, |_, a| async move {
            Err(Exception::throw(arg(&a, 0)))
        })
        .function("/", 2, |_, a| async move {
            let num = |t: &Term| match t {
                Term::Int(i) => Some(*i as f64),
                Term::Float(f) => Some(*f),
                _ => None,
            };
            match (num(&arg(&a, 0)), num(&arg(&a, 1))) {
                // A quotient too large for a float is `badarith` too (OTP:
                // `1.0e308 / 1.0e-308`), never an infinite term.
                (Some(x), Some(y)) if y != 0.0 => Term::float(x / y)
                    .map_err(|_| Exception::bif_error("badarith", "erlang", "/", 2)),
                _ => Err(Exception::bif_error("badarith", "erlang", "/", 2)),
            }
        })
        .function("apply", 3, |cx, a| async move {
            match (arg(&a, 0), arg(&a, 1), arg(&a, 2).into_list()) {
                (Term::Atom(m), Term::Atom(f), Ok(args)) => cx.apply(m, f, args).await,
                _ => Err(Exception::badarg("apply", 3)),
            }
        })
        .function("is_process_alive", 1, |cx, a| async move {
            match arg(&a, 0) {
                Term::Pid(p) => Ok(Term::from(cx.is_process_alive(p).await?)),
                _ => Err(Exception::badarg("is_process_alive", 1)),
            }
        })
        .function("send", 2, |cx, a| async move {
            // `erlang:send(Dest, Msg)`, the same as `Dest ! Msg`: returns `Msg`.
            let to = match &arg(&a, 0) {
                Term::Pid(p) => Target::Pid(*p),
                Term::Atom(n) => Target::Name(*n),
                Term::Tuple(t) => match t.as_slice() {
                    [Term::Atom(n), Term::Atom(node)] => Target::Remote(*n, *node),
                    _ => return Err(Exception::badarg("send", 2)),
                },
                _ => return Err(Exception::badarg("send", 2)),
            };
            let msg = arg(&a, 1);
            cx.send(to, msg.clone()).await?;
            Ok(msg)
        })
        .function("process_flag", 2, |cx, a| async move {
            match arg(&a, 0) {
                Term::Atom(flag) => cx.process_flag(flag, arg(&a, 1)),
                _ => Err(Exception::badarg("process_flag", 2)),
            }
        })
        .function("send_after", 3, |cx, a| async move {
            let (ms, to) = timer_args(&a, "send_after")?;
            Ok(Term::Ref(cx.send_after(ms, to, arg(&a, 2)).await?))
        })
        .function("start_timer", 3, |cx, a| async move {
            let (ms, to) = timer_args(&a, "start_timer")?;
            Ok(Term::Ref(cx.start_timer(ms, to, arg(&a, 2)).await?))
        })
        .function("cancel_timer", 1, |cx, a| async move {
            match arg(&a, 0) {
                Term::Ref(r) => Ok(ms_or_false(cx.cancel_timer(r).await)),
                _ => Err(Exception::badarg("cancel_timer", 1)),
            }
        })
        .function("read_timer", 1, |cx, a| async move {
            match arg(&a, 0) {
                Term::Ref(r) => Ok(ms_or_false(cx.read_timer(r))),
                _ => Err(Exception::badarg("read_timer", 1)),
            }
        })
        .function("whereis", 1, |cx, a| async move {
            match arg(&a, 0) {
                Term::Atom(n) => Ok(cx
                    .whereis(n)
                    .await
                    .map(Term::Pid)
                    .unwrap_or(Term::Atom(Atom::new("undefined")))),
                _ => Err(Exception::badarg("whereis", 1)),
            }
        })
        .function("+", 2, |_, a| async move {
            arith("+", &a, i64::checked_add, |x, y| x + y)
        })
        .function("-", 2, |_, a| async move {
            arith("-", &a, i64::checked_sub, |x, y| x - y)
        })
        .function("atom_to_list", 1, |_, a| async move {
            match arg(&a, 0) {
                Term::Atom(n) => Ok(Term::string(n.as_str())),
                _ => Err(Exception::badarg("atom_to_list", 1)),
            }
        })
        .function("list_to_atom", 1, |_, a| async move {
            // A list of character codes, else badarg; a name past the atom
            // limits is system_limit, as on OTP 25.
            let name: Option<String> = arg(&a, 0).as_list().and_then(|codes| {
                codes
                    .iter()
                    .map(|c| {
                        c.as_int()
                            .and_then(|c| u32::try_from(c).ok())
                            .and_then(char::from_u32)
                    })
                    .collect()
            });
            match name.map(|n| Atom::try_new(&n)) {
                Some(Ok(atom)) => Ok(Term::Atom(atom)),
                Some(Err(_)) => Err(Exception::bif_error(
                    "system_limit",
                    "erlang",
                    "list_to_atom",
                    1,
                )),
                None => Err(Exception::badarg("list_to_atom", 1)),
            }
        })
}

/// `erlang:'+'/2` and `'-'/2`: integers stay integers, a float makes the
/// result a float; anything else (or an integer overflow) is `badarith`.
fn arith(
    op: &str,
    a: &[Term],
    int: fn(i64, i64) -> Option<i64>,
    float: fn(f64, f64) -> f64,
) -> Result<Term, Exception> {
    let badarith = || Exception::bif_error("badarith", "erlang", op, 2);
    let num = |t: &Term| match t {
        Term::Int(i) => Some(*i as f64),
        Term::Float(f) => Some(*f),
        _ => None,
    };
    match (arg(a, 0), arg(a, 1)) {
        (Term::Int(x), Term::Int(y)) => int(x, y).map(Term::Int).ok_or_else(badarith),
        (x, y) => match (num(&x), num(&y)) {
            (Some(x), Some(y)) => Term::float(float(x, y)).map_err(|_| badarith()),
            _ => Err(badarith()),
        },
    }
}

/// The `Time` and `Dest` of `send_after/3` and `start_timer/3`: a
/// non-negative integer and a pid or atom, else `badarg` (OTP).
fn timer_args(a: &[Term], bif: &str) -> Result<(u64, Target), Exception> {
    let ms = match arg(a, 0) {
        Term::Int(ms) => u64::try_from(ms).map_err(|_| Exception::badarg(bif, 3))?,
        _ => return Err(Exception::badarg(bif, 3)),
    };
    let to = match arg(a, 1) {
        Term::Pid(p) => Target::Pid(p),
        Term::Atom(n) => Target::Name(n),
        _ => return Err(Exception::badarg(bif, 3)),
    };
    Ok((ms, to))
}

/// Milliseconds left, or `false`.
fn ms_or_false(left: Option<u64>) -> Term {
    match left {
        Some(ms) => Term::Int(i64::try_from(ms).unwrap_or(i64::MAX)),
        None => Term::from(false),
    }
}

/// `timer:sleep/1`.
fn timer_module() -> Module {
    Module::new("timer").function("sleep", 1, |cx, a| async move {
        match arg(&a, 0) {
            Term::Int(ms) if ms >= 0 => {
                cx.sleep(crate::time::Time::ms(ms as u64)).await;
                Ok(Term::Atom(Atom::new("ok")))
            }
            Term::Atom(a) if a.as_str() == "infinity" => {
                cx.sleep(crate::time::Time::MAX).await;
                Ok(Term::Atom(Atom::new("ok")))
            }
            _ => Err(Exception::error(Term::Atom(Atom::new("function_clause")))
                .with_frame(Frame::new("timer", "sleep", 1))),
        }
    })
}
