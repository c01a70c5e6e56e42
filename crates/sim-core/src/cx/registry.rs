//! Registered names on this process's node.

use super::Cx;
use crate::exception::Exception;
use crate::id::Pid;
use crate::term::Atom;

impl Cx {
    /// `register(Name, Pid)`: `error:badarg` if the name is taken, the pid
    /// already has a name, is dead or remote, or the name is `undefined`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.register("me", cx.self_pid()).await?;
    ///     cx.check(cx.register("me", cx.self_pid()).await.is_err(), "taken")?;
    ///     cx.check(cx.whereis("me").await == Some(cx.self_pid()), "found")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn register(&self, name: impl Into<Atom>, pid: Pid) -> Result<(), Exception> {
        let name = name.into();
        let node = self.pid.node();
        self.effect(move |w, _| w.register(node, name, pid)).await
    }

    /// `unregister(Name)`: `error:badarg` for a name nobody has.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.unregister("nobody").await.is_err(), "badarg")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn unregister(&self, name: impl Into<Atom>) -> Result<(), Exception> {
        let name = name.into();
        let node = self.pid.node();
        self.effect(move |w, _| w.unregister(node, name)).await
    }

    /// `whereis(Name)` on this node.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.whereis("nobody").await.is_none(), "undefined")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn whereis(&self, name: impl Into<Atom>) -> Option<Pid> {
        let name = name.into();
        let node = self.pid.node();
        self.effect(move |w, _| w.whereis(node, name)).await
    }

    /// `registered()`: the names registered on this node, in registration order.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.registered().is_empty(), "none")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn registered(&self) -> Vec<Atom> {
        self.w.borrow().registered(self.pid.node())
    }
}
