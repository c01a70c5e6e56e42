//! Per-node code: modules of named async functions, and `apply(M, F, A)`.
//!
//! A module is a table of functions keyed by name and arity. Nodes hold modules
//! as shared factories (`Rc`), so a restarted node gets its code back. Applying a
//! function a node lacks raises `error:undef`, exactly as OTP does.

use crate::body::BoxFuture;
use crate::cx::{too_many_args, Cx, MAX_ARGS};
use crate::exception::Class;
use crate::exception::{Exception, Frame, FrameArgs};
use crate::fast_map::FastMap;
use crate::term::{Atom, Term};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::rc::Rc;

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

/// The code table a node keeps (the world stores it without knowing its type).
pub(crate) fn table(code: &Rc<dyn Any>) -> Option<&CodeTable> {
    code.downcast_ref::<CodeTable>()
}

/// Applying functions: `apply/3` in the calling process.
impl Cx {
    /// `apply(Module, Function, Args)` in this process, with the code of this
    /// node: `error:undef` if the node lacks the function. An `error` leaving
    /// the function with an empty stack gets the function's frame. More than
    /// 255 arguments (OTP's `MAX_ARG`) raise `error:system_limit` from
    /// `erlang:apply/3` before anything is looked up.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Atom, Module};
    /// let m = Module::new("m").function("f", 0, |_cx, _| async move { Ok(Term::Int(42)) });
    /// let mut sim = Sim::builder().nodes(["a@sim"]).module_everywhere(m).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let v = cx.apply(Atom::new("m"), Atom::new("f"), vec![]).await?;
    ///     cx.check(v == Term::Int(42), "applied")?;
    ///     let e = cx.apply(Atom::new("m"), Atom::new("g"), vec![]).await.unwrap_err();
    ///     cx.check(e.reason == Term::atom("undef"), "undef")?;
    ///     let e = cx.apply(Atom::new("m"), Atom::new("g"), vec![Term::Int(0); 256]).await.unwrap_err();
    ///     cx.check(e == sim_core::Exception::bif_error("system_limit", "erlang", "apply", 3), "limit")?;
    ///     let e = cx.apply(Atom::new("m"), Atom::new("g"), vec![Term::Int(0); 255]).await.unwrap_err();
    ///     cx.check(e.reason == Term::atom("undef"), "255 arguments are looked up")?;
    ///     Ok(v)
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub async fn apply(
        &self,
        module: Atom,
        function: Atom,
        args: Vec<Term>,
    ) -> Result<Term, Exception> {
        // One sync point, unless the function yielded itself (a step taken
        // since means this process was scheduled again), so that a loop of
        // applies of `undef` or of a BIF cannot hang the run. The yield is
        // owed rather than taken: the next receive, apply or return to the
        // scheduler pays it, so an erpc call's process, which ends right
        // after its apply, takes no extra step.
        if self.w.borrow().yield_owed {
            self.yield_now().await;
        }
        let before = self.w.borrow().clock.steps();
        let r = self.apply_now(module, function, args).await;
        let mut w = self.world();
        if w.clock.steps() == before {
            w.yield_owed = true;
        }
        r
    }

    async fn apply_now(
        &self,
        module: Atom,
        function: Atom,
        args: Vec<Term>,
    ) -> Result<Term, Exception> {
        if args.len() > MAX_ARGS {
            return Err(too_many_args());
        }
        let arity = args.len() as u32;
        let f = {
            let w = self.w.borrow();
            w.node_code(self.pid.node())
                .and_then(table)
                .and_then(|t| t.lookup(module, function, arity))
        };
        let Some(f) = f else {
            return Err(undef(module, function, args));
        };
        match f(self.clone(), args).await {
            Err(mut e) if e.class == Class::Error && e.stack.is_empty() => {
                e.stack.push(Frame {
                    module,
                    function,
                    args: crate::exception::FrameArgs::Arity(arity),
                });
                Err(e)
            }
            other => other,
        }
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
