//! `Cx`: the only way a process body reaches the world.
//!
//! Every operation that another process could observe (send, spawn, link,
//! monitor, exit, register, receive that has to wait) is a **sync point**: its
//! effect happens, then control returns to the scheduler, which decides what
//! runs next, also when the operation is answered at once (a spawn request
//! to an unknown node yields before its receive takes the refusal; `apply`
//! yields unless the applied function did). Purely local queries (`self_pid`,
//! `now`, `make_ref`) are not.
//! Between sync points a process runs alone, so the only nondeterminism is the
//! scheduler's recorded choices and the seeded random draws.
//!
//! This file holds `Cx` itself and the one way an operation reaches the world
//! (`op`, and `effect` for one with a sync point); the operations sit in
//! `cx/*`, one file per topic, each a thin typed call of a `World` rule.

use crate::body::BoxFuture;
use crate::exception::Exception;
use crate::id::{NodeId, Pid};
use crate::term::{Atom, Term};
use crate::world::{ProcKey, ProcRef, StartFn, World};
use std::cell::{RefCell, RefMut};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

mod label;
mod link;
mod message;
mod node;
mod receive;
mod registry;
mod spawn;
mod timer;

pub use message::SendMsg;
pub use receive::{Receive, ReceiveForever};
pub(crate) use spawn::{too_many_args, MAX_ARGS};

/// Where a message goes: a pid, a local registered name, or `{Name, Node}`.
///
/// ```
/// use sim_core::{Target, Pid, Atom};
/// let t: Target = Pid::new(0, 1, 1).into();
/// assert!(matches!(t, Target::Pid(_)));
/// let n: Target = "server".into();
/// assert!(matches!(n, Target::Name(_)));
/// let r: Target = ("server", "b@sim").into();
/// assert!(matches!(r, Target::Remote(_, _)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A process.
    Pid(Pid),
    /// A name registered on the sender's node (`Name ! Msg`).
    Name(Atom),
    /// A name on a node (`{Name, Node} ! Msg`).
    Remote(Atom, Atom),
}

impl From<Pid> for Target {
    fn from(p: Pid) -> Target {
        Target::Pid(p)
    }
}

impl From<Atom> for Target {
    fn from(a: Atom) -> Target {
        Target::Name(a)
    }
}

impl From<&str> for Target {
    fn from(a: &str) -> Target {
        Target::Name(Atom::new(a))
    }
}

impl From<(Atom, Atom)> for Target {
    fn from((n, node): (Atom, Atom)) -> Target {
        Target::Remote(n, node)
    }
}

impl From<(&str, &str)> for Target {
    fn from((n, node): (&str, &str)) -> Target {
        Target::Remote(Atom::new(n), Atom::new(node))
    }
}

/// A node given by name or id.
///
/// ```
/// use sim_core::{NodeRef, NodeId, Atom};
/// let n: NodeRef = "b@sim".into();
/// assert_eq!(n, NodeRef::Name(Atom::new("b@sim")));
/// let i: NodeRef = NodeId(1).into();
/// assert_eq!(i, NodeRef::Id(NodeId(1)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// A node name (which may name no node at all).
    Name(Atom),
    /// A node of the simulation.
    Id(NodeId),
}

impl From<&str> for NodeRef {
    fn from(s: &str) -> NodeRef {
        NodeRef::Name(Atom::new(s))
    }
}

impl From<Atom> for NodeRef {
    fn from(a: Atom) -> NodeRef {
        NodeRef::Name(a)
    }
}

impl From<NodeId> for NodeRef {
    fn from(n: NodeId) -> NodeRef {
        NodeRef::Id(n)
    }
}

/// A process body: an async closure from its context to its result.
pub(crate) fn boxed_body<F, Fut>(body: F) -> StartFn
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    Box::new(move |start| Box::pin(body(Cx::from(start))) as BoxFuture)
}

/// Returns `Pending` once: the scheduler takes over until the process is
/// enabled again.
struct Suspend(bool);

impl Future for Suspend {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

/// Never completes: the process is dead and its future is about to be dropped.
struct Never;

impl Future for Never {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

/// A process's context: its identity and every operation on the world.
///
/// `Cx` is cheap to clone; clones refer to the same process. Do not call `Cx`
/// methods from inside a receive matcher (the matcher runs while the world is
/// borrowed; such a call crashes the process).
///
/// ```
/// use sim_core::{Sim, Term, Timeout};
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let me = cx.self_pid();
///     cx.send(me, Term::atom("hello")).await?;
///     let got = cx.receive(|m| m.is_atom("hello")).await;
///     cx.check(got == Term::atom("hello"), "got my own message")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
#[derive(Clone)]
pub struct Cx {
    pub(crate) w: Rc<RefCell<World>>,
    key: ProcKey,
    pub(crate) pid: Pid,
}

impl fmt::Debug for Cx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cx").field("pid", &self.pid).finish()
    }
}

impl From<ProcRef> for Cx {
    fn from(p: ProcRef) -> Cx {
        Cx {
            w: p.world,
            key: p.key,
            pid: p.pid,
        }
    }
}

impl Cx {
    pub(crate) fn world(&self) -> RefMut<'_, World> {
        match self.w.try_borrow_mut() {
            Ok(w) => w,
            // Only reachable by calling `Cx` inside a receive matcher; a panic
            // here is a crash of this process, not of the simulator.
            Err(_) => panic!(
                "a Cx method was called while the world was busy (inside a receive matcher?)"
            ),
        }
    }

    /// Runs `f` on the world if this process is alive; then delivers what it
    /// caused locally.
    #[inline]
    fn op<R>(&self, f: impl FnOnce(&mut World, ProcKey) -> R) -> Option<R> {
        let mut w = self.world();
        if !w.is_alive(self.key) {
            return None;
        }
        let r = f(&mut w, self.key);
        w.drain_local();
        Some(r)
    }

    /// [`Cx::op`] for an operation that is a sync point whatever it does and
    /// never ends its own process (a send): the process is runnable again
    /// before `f` runs, set in the same look-up as the liveness check.
    #[inline]
    fn op_then_runnable<R>(&self, f: impl FnOnce(&mut World, ProcKey) -> R) -> Option<R> {
        let mut w = self.world();
        if !w.sync_point(self.key) {
            return None;
        }
        let r = f(&mut w, self.key);
        w.drain_local();
        Some(r)
    }

    /// A sync point with no effect of its own.
    pub(crate) async fn yield_now(&self) {
        self.effect(|_, _| ()).await
    }

    /// An operation with an observable effect, followed by a sync point.
    async fn effect<R>(&self, f: impl FnOnce(&mut World, ProcKey) -> R) -> R {
        // One borrow for the effect and the yield (this is the hot path).
        // `None`: the effect ended this very process (exit(self(), kill)).
        let r = self.op(|w, key| {
            let r = f(w, key);
            w.sync_point(key).then_some(r)
        });
        match r.flatten() {
            Some(r) => {
                Suspend(false).await;
                r
            }
            None => {
                Never.await;
                unreachable!("a dead process is never polled again")
            }
        }
    }
}

/// The simulated node a [`NodeRef`] names, if any.
fn node_of(w: &World, node: NodeRef) -> Option<NodeId> {
    match node {
        NodeRef::Name(a) => w.node_id(a),
        NodeRef::Id(id) => w.sim_node(id),
    }
}
