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

use crate::body::BoxFuture;
use crate::exception::{Class, Exception, Frame, FrameArgs};
use crate::id::{NodeId, Pid, Ref};
use crate::mailbox::Cursor;
use crate::signal::{Dest, MonTarget, SpawnOpts, SpawnReply};
use crate::term::{Atom, Term};
use crate::time::{Time, Timeout};
use crate::trace::TraceEvent;
use crate::world::{
    timer_dest_name, timer_dest_pid, Body, MonOut, Pending, Priority, ProcKey, ProcRef, SpawnBody,
    StartFn, Status, Wait, World,
};
use std::cell::{RefCell, RefMut};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

fn atom(s: &str) -> Term {
    Term::Atom(Atom::new(s))
}

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

enum Attempt {
    Got(Term),
    TimedOut,
    Wait,
    /// Yield once before trying (a sync point owed by the operation before).
    Yield,
    Dead,
}

/// Where a receive starts scanning.
#[derive(Clone, Copy)]
enum Marker {
    /// At the head.
    None,
    /// After the latest receive marker.
    Latest,
    /// After the marker of this reference (the head if it has none).
    Of(Ref),
}

struct RecvState {
    cursor: Cursor,
    deadline: Option<Time>,
    token: Option<u64>,
    /// The receive marker this receive starts from, if any.
    marker: Option<Ref>,
    /// Whether the marker is this receive's own (`receive_for`), to be
    /// dropped once it takes a message.
    own_marker: bool,
}

/// The future of a receive with a timeout ([`Cx::receive_timeout`],
/// [`Cx::receive_marked`], [`Cx::receive_for`]): the earliest matching message,
/// or `None` when the timeout passes.
///
/// Written by hand rather than as an `async fn` so that an idle process (one
/// blocked here) stays small.
#[must_use = "a receive does nothing unless awaited"]
pub struct Receive<'a, F> {
    cx: &'a Cx,
    matcher: F,
    timeout: Timeout,
    marker: Marker,
    st: Option<RecvState>,
    // Whether the receive ever waited (an `after 0` that never waited yields
    // once before reporting the timeout).
    waited: bool,
    // Set while yielding after such a timeout: the next poll answers `None`.
    yielding: bool,
}

impl<F> fmt::Debug for Receive<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receive")
            .field("pid", &self.cx.pid)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<F: FnMut(&Term) -> bool + Unpin> Future for Receive<'_, F> {
    type Output = Option<Term>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Term>> {
        let this = self.get_mut();
        if this.yielding {
            return Poll::Ready(None);
        }
        let cx = this.cx;
        match cx.try_receive(&mut this.st, this.timeout, this.marker, &mut this.matcher) {
            Attempt::Got(t) => Poll::Ready(Some(t)),
            Attempt::TimedOut if this.waited => Poll::Ready(None),
            Attempt::TimedOut => {
                // `after 0` that finds nothing still lets the others run (BEAM
                // would preempt a polling loop), so a busy loop spends the step
                // budget instead of hanging the run.
                this.yielding = true;
                cx.op(|w, k| w.procs[k].status = Status::Runnable);
                Poll::Pending
            }
            Attempt::Wait => {
                this.waited = true;
                Poll::Pending
            }
            Attempt::Yield | Attempt::Dead => Poll::Pending,
        }
    }
}

/// The future of a receive without timeout ([`Cx::receive`], [`Cx::recv`]).
#[must_use = "a receive does nothing unless awaited"]
#[derive(Debug)]
pub struct ReceiveForever<'a, F>(Receive<'a, F>);

impl<F: FnMut(&Term) -> bool + Unpin> Future for ReceiveForever<'_, F> {
    type Output = Term;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Term> {
        match Pin::new(&mut self.get_mut().0).poll(cx) {
            Poll::Ready(Some(t)) => Poll::Ready(t),
            // An infinite receive only ends with a message.
            _ => Poll::Pending,
        }
    }
}

/// The future of [`Cx::send`]: the send happens at its first poll, which is a
/// sync point; the next poll returns the result.
///
/// Written by hand rather than as an `async fn`: a send is the most common
/// operation, and this keeps its future small and its poll a single step.
#[must_use = "a send does nothing unless awaited"]
#[derive(Debug)]
pub struct SendMsg<'a> {
    cx: &'a Cx,
    to: Target,
    /// The message until the send happens.
    msg: Option<Term>,
    /// What the sync point returns (boxed: errors are rare, and the future
    /// stays small).
    result: Result<(), Box<Exception>>,
    /// The process died (at the sync point or before): never completes.
    dead: bool,
}

impl Future for SendMsg<'_> {
    type Output = Result<(), Exception>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Exception>> {
        let this = self.get_mut();
        if let Some(msg) = this.msg.take() {
            match this.cx.send_op(this.to, msg) {
                Some(r) => this.result = r.map_err(Box::new),
                None => this.dead = true,
            }
            return Poll::Pending;
        }
        if this.dead {
            return Poll::Pending;
        }
        Poll::Ready(std::mem::replace(&mut this.result, Ok(())).map_err(|e| *e))
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
    fn op<R>(&self, f: impl FnOnce(&mut World, ProcKey) -> R) -> Option<R> {
        let mut w = self.world();
        if !w.procs.contains_key(self.key) {
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
        let r = self.op(|w, key| {
            let r = f(w, key);
            if let Some(p) = w.procs.get_mut(key) {
                p.status = Status::Runnable;
                Some(r)
            } else {
                // The effect ended this very process (exit(self(), kill)).
                None
            }
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

    // ---- identity and clocks ----------------------------------------------

    /// `self()`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move { Ok(Term::Pid(cx.self_pid())) }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn self_pid(&self) -> Pid {
        self.pid
    }

    /// `node()`: the name of this process's node.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.node().as_str() == "a@sim", "node name")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn node(&self) -> Atom {
        self.w.borrow().node_name(self.pid.node())
    }

    /// This process's node id.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, NodeId};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.node_id() == NodeId(0), "first node")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn node_id(&self) -> NodeId {
        self.pid.node()
    }

    /// `nodes()`: the other nodes of the simulation this node is connected to,
    /// in builder order. Nodes start out connected to each other (a connection
    /// is made on first use, as OTP's `dist_auto_connect` makes it), so this is
    /// every other node that is up, except those whose connection was lost (by
    /// [`Cx::disconnect_node`], a drop partition or a crash) and that no signal
    /// has reconnected since.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.nodes().len() == 1, "one peer")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn nodes(&self) -> Vec<Atom> {
        let w = self.w.borrow();
        let me = self.pid.node();
        (0..w.nodes.len() as u32)
            .map(NodeId)
            .filter(|&n| w.visible(me, n))
            .map(|n| w.node_name(n))
            .collect()
    }

    /// `erlang:disconnect_node(Node)`: closes the connection between this node
    /// and `node`. As OTP closes the socket, what this node already sent to
    /// `node` still reaches it (at once, ahead of the close), while what `node`
    /// sent that has not arrived yet is lost. Then links and monitors across
    /// the connection fire `noconnection` on both sides (a linked process that
    /// does not trap exits dies), node monitors get `{nodedown, Node}`, and
    /// `node` leaves [`Cx::nodes`]. Processes on `node` keep running. The next
    /// signal to `node` connects again (OTP's `dist_auto_connect`). A cut
    /// connection that loses everything in flight is a drop partition instead.
    ///
    /// Returns `true` if `node` was connected (it is in [`Cx::nodes`]), and
    /// `false` for this node, a node nobody runs, a node that is down or one
    /// already disconnected.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let p = cx.spawn_on("b@sim", |c| async move { c.sleep(Time::ms(50)).await; Ok(Term::atom("x")) }).await?;
    ///     let r = cx.monitor(p).await;
    ///     cx.check(cx.disconnect_node("b@sim").await, "was connected")?;
    ///     let down = cx.recv().await;
    ///     cx.check(down.to_string().ends_with(",noconnection}"), "DOWN noconnection")?;
    ///     cx.check(matches!(down.as_tuple(), Some([_, Term::Ref(d), ..]) if *d == r), "its DOWN")?;
    ///     cx.check(cx.nodes().is_empty(), "b left nodes()")?;
    ///     cx.check(!cx.disconnect_node("b@sim").await, "already disconnected")?;
    ///     cx.check(!cx.disconnect_node("nx@sim").await, "nobody runs nx")?;
    ///     cx.send(("any_name", "b@sim"), Term::atom("hello")).await?; // reconnects
    ///     cx.check(cx.nodes().len() == 1, "b is back")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn disconnect_node(&self, node: impl Into<NodeRef>) -> bool {
        let node = node.into();
        let me = self.pid.node();
        self.effect(move |w, _| {
            let id = match node {
                NodeRef::Name(a) => w.node_id(a),
                NodeRef::Id(id) => Some(id),
            };
            match id {
                Some(id) if w.visible(me, id) => {
                    w.flush_dir(me, id);
                    crate::world::Control { w }.disconnect(me, id, "disconnect_node");
                    true
                }
                _ => false,
            }
        })
        .await
    }

    /// The id of a node name, if the simulation has such a node.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, NodeId};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.resolve_node("b@sim") == Some(NodeId(1)), "b is node 1")?;
    ///     cx.check(cx.resolve_node("nx@sim").is_none(), "no such node")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn resolve_node(&self, node: impl Into<NodeRef>) -> Option<NodeId> {
        let w = self.w.borrow();
        match node.into() {
            NodeRef::Name(a) => w.node_id(a),
            NodeRef::Id(id) => (id.index() < w.nodes.len()).then_some(id),
        }
    }

    /// The name of a node given by name or id: a simulated node, or a node a
    /// pid was made for with [`Cx::external_pid`] (an id neither names prints
    /// as `nonode@nohost`). This is `node(Pid)` for `Pid`'s node.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, NodeId};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.node_name(NodeId(0)).as_str() == "a@sim", "name")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn node_name(&self, node: impl Into<NodeRef>) -> Atom {
        match node.into() {
            NodeRef::Name(a) => a,
            NodeRef::Id(id) => self.w.borrow().node_name(id),
        }
    }

    /// A pid of process `index`/`serial` on `node`, as `binary_to_term` of an
    /// external pid makes one. A node the simulation does not run is
    /// remembered by name, so the pid keeps it (`node(Pid)` is `node`) and
    /// prints and parses back to the same pid; signals to it find the node
    /// unreachable: a message is dropped, a monitor gives `'DOWN'`
    /// `noconnection`, a link an exit signal `noconnection` (OTP 25).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Pid};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let p = cx.external_pid("nx@sim", 9, 0);
    ///     cx.check(cx.node_name(p.node()).as_str() == "nx@sim", "keeps its node")?;
    ///     cx.check(p.to_string().parse::<Pid>() == Ok(p), "round-trips")?;
    ///     cx.check(cx.external_pid("a@sim", 9, 0).node() == cx.node_id(), "a simulated node")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn external_pid(&self, node: impl Into<Atom>, index: u32, serial: u32) -> Pid {
        let id = self.w.borrow_mut().intern_node(node.into());
        Pid::new(id.0, index, serial)
    }

    /// Whether `node` is simulated or was named by [`Cx::external_pid`].
    pub(crate) fn node_known(&self, node: NodeId) -> bool {
        self.w.borrow().node_known(node)
    }

    /// Whether `node` accepts spawn requests: what a node learns of a peer's
    /// capabilities when they connect (OTP's distribution flags, which rpc
    /// reads to pick `erpc` or the older `rex` protocol). `false` only for a
    /// node built with [`crate::SimBuilder::without_spawn_request`]; a name no
    /// node has answers `true` (a request to it fails with `noconnection`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder().nodes(["a@sim", "c@sim"]).without_spawn_request("c@sim").build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.spawn_request_supported("a@sim"), "a supports them")?;
    ///     cx.check(!cx.spawn_request_supported("c@sim"), "c does not")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn spawn_request_supported(&self, node: impl Into<NodeRef>) -> bool {
        let Some(id) = self.resolve_node(node) else {
            return true;
        };
        self.w.borrow().nodes[id.index()].spawn_supported
    }

    /// `make_ref()`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.make_ref() != cx.make_ref(), "refs are unique")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn make_ref(&self) -> Ref {
        self.world().make_ref(self.pid.node())
    }

    /// `make_ref()` followed by a receive marker: a later
    /// [`Cx::receive_marked`] scans only messages that arrive after this call
    /// (OTP's optimisation for `Ref = make_ref(), ..., receive {Ref, _} -> ...`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let me = cx.self_pid();
    ///     cx.send(me, Term::atom("old")).await?;
    ///     let r = cx.make_ref_marked();
    ///     cx.send(me, Term::Ref(r)).await?;
    ///     let got = cx.receive_marked(|_| true, Timeout::Infinity).await;
    ///     cx.check(got == Some(Term::Ref(r)), "skipped the old message")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn make_ref_marked(&self) -> Ref {
        let mut w = self.world();
        let r = w.make_ref(self.pid.node());
        if let Some(p) = w.procs.get_mut(self.key) {
            p.mailbox.set_mark(r);
        }
        r
    }

    /// Virtual time since the start of the run.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.sleep(Time::ms(5)).await;
    ///     cx.check(cx.now() == Time::ms(5), "slept 5 ms")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn now(&self) -> Time {
        self.w.borrow().now
    }

    /// `erlang:monotonic_time(millisecond)` on the virtual clock (the base of
    /// `{abs, T}` timeouts).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.monotonic_ms() == 0, "starts at 0")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn monotonic_ms(&self) -> i64 {
        i64::try_from(self.now().as_ms()).unwrap_or(i64::MAX)
    }

    /// A seeded random number in `0..n` (deterministic per seed).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.random(6) < 6, "a die roll")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn random(&self, n: u64) -> u64 {
        self.world().user_rng.below(n)
    }

    // ---- checks -----------------------------------------------------------

    /// Fails the run unless `cond` holds. On failure it returns an `exit`
    /// exception (`check_failed`) so `?` ends the process, and the run stops
    /// after this step with [`crate::Outcome::CheckFailed`].
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Outcome};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(1 + 1 == 3, "arithmetic")?;
    ///     Ok(Term::atom("unreachable"))
    /// }).unwrap();
    /// assert!(matches!(sim.run().outcome, Outcome::CheckFailed { .. }));
    /// ```
    pub fn check(&self, cond: bool, message: impl Into<String>) -> Result<(), Exception> {
        if cond {
            return Ok(());
        }
        let message = message.into();
        let mut w = self.world();
        w.trace(TraceEvent::CheckFailed {
            pid: self.pid,
            message: message.clone(),
        });
        if w.outcome.is_none() {
            w.outcome = Some(crate::report::Outcome::CheckFailed {
                pid: self.pid,
                message,
            });
        }
        Err(Exception::exit(atom("check_failed")))
    }

    // ---- messages ---------------------------------------------------------

    /// `To ! Msg`. To a pid: never fails (a dead pid silently drops it). To a
    /// local name: `error:badarg` if nothing is registered. To `{Name, Node}`:
    /// never fails (a missing name or node silently drops it).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let err = cx.send("nobody", Term::Int(1)).await.unwrap_err();
    ///     cx.check(err.reason == Term::atom("badarg"), "badarg for a missing name")?;
    ///     cx.send(("nobody", "a@sim"), Term::Int(1)).await?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn send(&self, to: impl Into<Target>, msg: impl Into<Term>) -> SendMsg<'_> {
        // The conversions are pure; the send itself happens at the first poll.
        SendMsg {
            cx: self,
            to: to.into(),
            msg: Some(msg.into()),
            result: Ok(()),
            dead: false,
        }
    }

    /// The effect of a send: `None` if this process is dead.
    fn send_op(&self, to: Target, msg: Term) -> Option<Result<(), Exception>> {
        let me = self.pid;
        self.op(move |w, key| {
            // A message never ends its sender, so the sync point's status can
            // be set first (as `effect` sets it after, on the same borrow).
            w.procs[key].status = Status::Runnable;
            let dest = match to {
                Target::Pid(p) => Dest::Pid(p),
                Target::Name(n) => {
                    let local = w.nodes[me.node().index()].registry.get(&n).copied();
                    match local {
                        Some(p) => Dest::Pid(p),
                        None => return Err(Exception::badarg("send", 2)),
                    }
                }
                Target::Remote(n, node) => match w.node_id(node) {
                    Some(id) => Dest::Name(n, id),
                    None => return Ok(()),
                },
            };
            w.send_message_now(me, dest, msg);
            Ok(())
        })
    }

    fn try_receive(
        &self,
        state: &mut Option<RecvState>,
        timeout: Timeout,
        marker: Marker,
        matcher: &mut dyn FnMut(&Term) -> bool,
    ) -> Attempt {
        let mut w = self.world();
        let now = w.now;
        // The first attempt sets the receive up in the same borrow.
        let st = match state {
            Some(st) => st,
            None => state.insert(Self::receive_state(&w, self.key, timeout, marker)),
        };
        let World {
            procs,
            arena,
            yield_owed,
            ..
        } = &mut *w;
        let Some(p) = procs.get_mut(self.key) else {
            return Attempt::Dead;
        };
        if *yield_owed {
            // The sync point an operation before this receive owes (a spawn
            // request answered at once, an apply that did not yield).
            *yield_owed = false;
            p.status = Status::Runnable;
            return Attempt::Yield;
        }
        if let Some(t) = p.mailbox.take_first(arena, &mut st.cursor, matcher) {
            if st.token.is_some() {
                // Invalidate the pending timer.
                p.timer_token += 1;
            }
            if let Some(r) = st.marker.filter(|_| st.own_marker) {
                // As OTP does, a marker serves the one receive it was made for.
                p.mailbox.clear_mark(r);
            }
            p.status = Status::Running;
            let w = &mut *w;
            w.tracer.receive(w.steps, w.now, self.pid, &t);
            return Attempt::Got(t);
        }
        let fired = st.token.is_some_and(|tok| p.timed_out == tok);
        if fired || st.deadline.is_some_and(|d| d <= now) {
            p.status = Status::Running;
            return Attempt::TimedOut;
        }
        p.status = Status::Waiting(Wait::Receive {
            marked: st.marker.is_some(),
        });
        if st.token.is_none() {
            if let Some(d) = st.deadline {
                st.token = Some(w.start_wait_timer(self.key, d));
            }
        }
        Attempt::Wait
    }

    fn receive_future<F: FnMut(&Term) -> bool + Unpin>(
        &self,
        matcher: F,
        timeout: Timeout,
        marker: Marker,
    ) -> Receive<'_, F> {
        Receive {
            cx: self,
            matcher,
            timeout,
            marker,
            st: None,
            waited: false,
            yielding: false,
        }
    }

    fn receive_state(w: &World, key: ProcKey, timeout: Timeout, marker: Marker) -> RecvState {
        let own_marker = matches!(marker, Marker::Of(_));
        // Only a marked receive needs the mailbox to set itself up.
        let mailbox = || w.procs.get(key).map(|p| &p.mailbox);
        let marker = match marker {
            Marker::None => None,
            Marker::Latest => mailbox().and_then(|m| m.latest_mark()),
            Marker::Of(r) => Some(r),
        };
        RecvState {
            cursor: marker.and_then(|r| mailbox().and_then(|m| m.mark_of(r))),
            deadline: timeout.deadline(w.now),
            token: None,
            marker,
            own_marker,
        }
    }

    /// `receive Pattern -> ... end`: takes the earliest-arrived message for which
    /// `matcher` holds, waiting as long as it takes. Other messages stay queued
    /// in arrival order.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let me = cx.self_pid();
    ///     cx.send(me, Term::Int(1)).await?;
    ///     cx.send(me, Term::Int(2)).await?;
    ///     let two = cx.receive(|m| *m == Term::Int(2)).await;
    ///     cx.check(two == Term::Int(2) && cx.mailbox() == vec![Term::Int(1)], "selective")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive<F: FnMut(&Term) -> bool + Unpin>(&self, matcher: F) -> ReceiveForever<'_, F> {
        ReceiveForever(self.receive_future(matcher, Timeout::Infinity, Marker::None))
    }

    /// `receive ... after Timeout -> ... end`: the earliest matching message, or
    /// `None` when the timeout passes first (`Timeout::ms(0)` only looks).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let got = cx.receive_timeout(|_| true, Timeout::ms(10)).await;
    ///     cx.check(got.is_none() && cx.now() == Time::ms(10), "timed out at 10 ms")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_timeout<F: FnMut(&Term) -> bool + Unpin>(
        &self,
        matcher: F,
        timeout: Timeout,
    ) -> Receive<'_, F> {
        self.receive_future(matcher, timeout, Marker::None)
    }

    /// Like [`Cx::receive_timeout`], but scans only messages that arrived after
    /// the latest receive marker, set by the last [`Cx::make_ref_marked`] or
    /// [`Cx::spawn_request`], so its cost does not grow with older messages.
    /// With several references outstanding, use [`Cx::receive_for`]: the
    /// latest marker may come after an earlier reference's reply.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.make_ref_marked();
    ///     let got = cx.receive_marked(move |m| *m == Term::Ref(r), Timeout::ms(0)).await;
    ///     cx.check(got.is_none(), "nothing yet")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_marked<F: FnMut(&Term) -> bool + Unpin>(
        &self,
        matcher: F,
        timeout: Timeout,
    ) -> Receive<'_, F> {
        self.receive_future(matcher, timeout, Marker::Latest)
    }

    /// `receive` for a reply carrying `r` (made by [`Cx::make_ref_marked`] or
    /// [`Cx::spawn_request`]): like [`Cx::receive_timeout`], scanning only what
    /// arrived after `r` was made, as OTP does for a receive bound to a fresh
    /// reference. Each reference has its own marker, so outstanding requests
    /// can be collected in any order; a process keeps a few markers, and a
    /// receive whose marker was dropped scans from the head. The marker is
    /// dropped once the receive takes a message. `matcher` should only match
    /// messages that carry `r` (only those are sure to come after it).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let me = cx.self_pid();
    ///     let r1 = cx.make_ref_marked();
    ///     cx.send(me, Term::Ref(r1)).await?;
    ///     let r2 = cx.make_ref_marked();
    ///     cx.send(me, Term::Ref(r2)).await?;
    ///     // r1's message came before r2's marker, and is still found.
    ///     let got = cx.receive_for(r1, move |m| *m == Term::Ref(r1), Timeout::Infinity).await;
    ///     cx.check(got == Some(Term::Ref(r1)), "first reply")?;
    ///     let got = cx.receive_for(r2, move |m| *m == Term::Ref(r2), Timeout::Infinity).await;
    ///     cx.check(got == Some(Term::Ref(r2)), "second reply")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn receive_for<F: FnMut(&Term) -> bool + Unpin>(
        &self,
        r: Ref,
        matcher: F,
        timeout: Timeout,
    ) -> Receive<'_, F> {
        self.receive_future(matcher, timeout, Marker::Of(r))
    }

    /// Any message, waiting as long as it takes.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.send(cx.self_pid(), Term::Int(7)).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::Int(7), "got it")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn recv(&self) -> ReceiveForever<'_, fn(&Term) -> bool> {
        fn any(_: &Term) -> bool {
            true
        }
        self.receive(any as fn(&Term) -> bool)
    }

    /// A copy of the queued messages, in arrival order (`process_info(self(),
    /// messages)`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.mailbox().is_empty(), "empty")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn mailbox(&self) -> Vec<Term> {
        let w = self.w.borrow();
        w.procs
            .get(self.key)
            .map(|p| p.mailbox.snapshot(&w.arena))
            .unwrap_or_default()
    }

    /// Removes and returns every queued message (the test suites' `flush()`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.send(cx.self_pid(), Term::Int(1)).await?;
    ///     let all = cx.flush();
    ///     cx.check(all == vec![Term::Int(1)] && cx.mailbox().is_empty(), "flushed")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn flush(&self) -> Vec<Term> {
        let mut w = self.world();
        let World { procs, arena, .. } = &mut *w;
        let Some(p) = procs.get_mut(self.key) else {
            return Vec::new();
        };
        let all = p.mailbox.snapshot(arena);
        p.mailbox.clear(arena);
        all
    }

    // ---- spawning ---------------------------------------------------------

    /// `spawn(Fun)` on this node. `error:system_limit` when the node is full.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let parent = cx.self_pid();
    ///     cx.spawn(move |c| async move { c.send(parent, Term::atom("hi")).await?; Ok(Term::atom("done")) }).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::atom("hi"), "child wrote")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn<F, Fut>(&self, body: F) -> Result<Pid, Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let (pid, _) = self.spawn_opt(body, false, false).await?;
        Ok(pid)
    }

    /// `spawn_link(Fun)` on this node.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Exception};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.trap_exit(true);
    ///     let child = cx.spawn_link(|_| async move { Err(Exception::exit(Term::atom("boom"))) }).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::tuple([Term::atom("EXIT"), Term::Pid(child), Term::atom("boom")]), "EXIT")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_link<F, Fut>(&self, body: F) -> Result<Pid, Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let (pid, _) = self.spawn_opt(body, true, false).await?;
        Ok(pid)
    }

    /// `spawn_monitor(Fun)` on this node: the pid and the monitor reference.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (pid, r) = cx.spawn_monitor(|_| async move { Ok(Term::atom("x")) }).await?;
    ///     let down = cx.recv().await;
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), Term::Pid(pid), Term::atom("normal")]);
    ///     cx.check(down == want, "DOWN normal")?;
    ///     Ok(down)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_monitor<F, Fut>(&self, body: F) -> Result<(Pid, Ref), Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let (pid, r) = self.spawn_opt(body, false, true).await?;
        match r {
            Some(r) => Ok((pid, r)),
            None => Err(Exception::badarg("spawn_monitor", 1)),
        }
    }

    /// `spawn_opt(Fun, [link, monitor])` on this node.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (_pid, r) = cx.spawn_opt(|_| async move { Ok(Term::atom("x")) }, false, true).await?;
    ///     cx.check(r.is_some(), "monitor ref")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_opt<F, Fut>(
        &self,
        body: F,
        link: bool,
        monitor: bool,
    ) -> Result<(Pid, Option<Ref>), Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let me = self.pid;
        self.effect(move |w, key| {
            let node = me.node();
            if !w.has_room(node) {
                return Err(Exception::bif_error(
                    "system_limit",
                    "erlang",
                    "spawn_opt",
                    1,
                ));
            }
            // The body goes straight into the one box of its future (not first
            // into a box of its own, as `boxed_body` would).
            let Some((child_key, child_cx)) = w.new_process(node, Some(me), false) else {
                return Err(Exception::bif_error(
                    "system_limit",
                    "erlang",
                    "spawn_opt",
                    1,
                ));
            };
            let child = w.start_process(child_key, Box::pin(body(Cx::from(child_cx))));
            let r = monitor.then(|| w.make_ref(node));
            link_pair(w, key, me, child, link, r);
            Ok((child, r))
        })
        .await
    }

    /// `spawn(Node, Fun)`: a process on another node (or this one). Waits for
    /// the spawn to be confirmed. When the node cannot be reached it returns, as
    /// OTP does, the pid of a local stand-in process that exits `noconnection`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let p = cx.spawn_on("b@sim", |_| async move { Ok(Term::atom("x")) }).await?;
    ///     cx.check(cx.node_name(p.node()).as_str() == "b@sim", "runs on b")?;
    ///     let q = cx.spawn_on("nx@sim", |_| async move { Ok(Term::atom("x")) }).await?;
    ///     cx.check(q.node() == cx.node_id(), "stand-in is local")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_on<F, Fut>(
        &self,
        node: impl Into<NodeRef>,
        body: F,
    ) -> Result<Pid, Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        Ok(self.spawn_opt_on(node, body, false, false).await?.0)
    }

    /// `spawn_link(Node, Fun)`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.trap_exit(true);
    ///     let p = cx.spawn_link_on("nx@sim", |_| async move { Ok(Term::atom("x")) }).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::tuple([Term::atom("EXIT"), Term::Pid(p), Term::atom("noconnection")]), "noconnection")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_link_on<F, Fut>(
        &self,
        node: impl Into<NodeRef>,
        body: F,
    ) -> Result<Pid, Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        Ok(self.spawn_opt_on(node, body, true, false).await?.0)
    }

    /// `spawn_monitor(Node, Fun)`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (p, r) = cx.spawn_monitor_on("b@sim", |_| async move { Ok(Term::atom("x")) }).await?;
    ///     let m = cx.recv().await;
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), Term::Pid(p), Term::atom("normal")]);
    ///     cx.check(m == want, "DOWN from b")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_monitor_on<F, Fut>(
        &self,
        node: impl Into<NodeRef>,
        body: F,
    ) -> Result<(Pid, Ref), Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let (p, r) = self.spawn_opt_on(node, body, false, true).await?;
        match r {
            Some(r) => Ok((p, r)),
            None => Err(Exception::badarg("spawn_monitor", 2)),
        }
    }

    /// `spawn_opt(Node, Fun, [link, monitor])`; see [`Cx::spawn_on`].
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (_p, r) = cx.spawn_opt_on("b@sim", |_| async move { Ok(Term::atom("x")) }, true, true).await?;
    ///     cx.check(r.is_some(), "monitored")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_opt_on<F, Fut>(
        &self,
        node: impl Into<NodeRef>,
        body: F,
        link: bool,
        monitor: bool,
    ) -> Result<(Pid, Option<Ref>), Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let node = node.into();
        if self.resolve_node(node) == Some(self.node_id()) {
            return self.spawn_opt(body, link, monitor).await;
        }
        let opts = SpawnOpts {
            link,
            monitor,
            reply: SpawnReply::Yes,
        };
        let r = self.spawn_request(node, body, opts).await;
        let reply = self
            .receive_for(
                r,
                move |m| {
                    matches!(m, Term::Tuple(t) if t.len() == 4
                        && t[0].is_atom("spawn_reply") && t[1] == Term::Ref(r))
                },
                Timeout::Infinity,
            )
            .await;
        let Some(Term::Tuple(t)) = &reply else {
            return Err(Exception::badarg("spawn_opt", 4));
        };
        match (&t[2], &t[3]) {
            (ok, Term::Pid(p)) if ok.is_atom("ok") => Ok((*p, monitor.then_some(r))),
            (_, reason) if reason.is_atom("noconnection") => {
                // OTP answers an unreachable node with a local stand-in process
                // that exits `noconnection` at once.
                let me = self.pid;
                let stand_in = self.effect(move |w, key| {
                    let node = me.node();
                    let child = w.spawn_process(
                        node,
                        Some(me),
                        false,
                        boxed_body(|_| async move { Err(Exception::exit(atom("noconnection"))) }),
                    )?;
                    link_pair(w, key, me, child, link, monitor.then_some(r));
                    Some(child)
                });
                match stand_in.await {
                    Some(p) => Ok((p, monitor.then_some(r))),
                    None => Err(Exception::bif_error(
                        "system_limit",
                        "erlang",
                        "spawn_opt",
                        4,
                    )),
                }
            }
            (_, reason) => Err(Exception::error(reason.clone()).with_frame(Frame::new(
                "erlang",
                "spawn_opt",
                4,
            ))),
        }
    }

    /// `spawn_opt(Module, Function, Args, Opts)` on this node (`spawn/3`,
    /// `spawn_link/3`, `spawn_monitor/3` with `link`/`monitor`): the new process
    /// applies `Module:Function(Args)` with this node's code. As in OTP the
    /// function is looked up by the new process, so an undefined one still gives
    /// a pid, and the process exits `{undef, [{Module, Function, Args}]}`. More
    /// than 255 arguments fail here, before any process is started, with the
    /// `error:system_limit` of [`Cx::apply`].
    ///
    /// ```
    /// # use sim_core::{Exception, Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let many = vec![Term::Int(1); 256];
    ///     let e = cx.spawn_apply("no_such_mod", "f", many, false, true).await.unwrap_err();
    ///     cx.check(e == Exception::bif_error("system_limit", "erlang", "apply", 3), "limit")?;
    ///     cx.check(cx.mailbox().is_empty(), "no process, no DOWN")?;
    ///     let (p, r) = cx.spawn_apply("no_such_mod", "f", vec![], false, true).await?;
    ///     let r = r.expect("a monitor was asked for");
    ///     let down = cx.recv().await;
    ///     let Term::Tuple(t) = &down else { unreachable!() };
    ///     cx.check(t[1] == Term::Ref(r) && t[3] == Term::Pid(p), "its DOWN")?;
    ///     cx.check(t[4].to_string() == "{undef,[{no_such_mod,f,[],[]}]}", "undef")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_apply(
        &self,
        module: impl Into<Atom>,
        function: impl Into<Atom>,
        args: Vec<Term>,
        link: bool,
        monitor: bool,
    ) -> Result<(Pid, Option<Ref>), Exception> {
        if args.len() > MAX_ARGS {
            return Err(too_many_args());
        }
        let (m, f) = (module.into(), function.into());
        let arity = args.len() as u32;
        self.spawn_opt(
            move |c| async move {
                c.apply(m, f, args)
                    .await
                    .map_err(|e| spawned_bif_frame_dropped(e, m, f, arity))
            },
            link,
            monitor,
        )
        .await
    }

    /// `spawn_opt(Node, Module, Function, Args, Opts)`: [`Cx::spawn_apply`] on
    /// `node`, with that node's code. OTP starts a remotely spawned function
    /// from `erts_internal:dist_spawn_init/1`, and so does this: an error or
    /// throw leaving it has that frame below the function's own, and a BIF that
    /// raises as the spawned function itself has no frame of its own, so
    /// `spawn(N, erlang, error, [oops])` exits
    /// `{oops, [{erts_internal, dist_spawn_init, 1}]}`. An unreachable node gives
    /// a local stand-in that exits `noconnection`, as [`Cx::spawn_on`] does.
    /// More than 255 arguments fail in the caller, before any request is sent,
    /// with the `error:system_limit` of [`Cx::apply`].
    ///
    /// ```
    /// # use sim_core::{Exception, Sim, Term, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let many = vec![Term::Int(1); 256];
    ///     let e = cx.spawn_apply_on("b@sim", "erlang", "max", many, false, true).await.unwrap_err();
    ///     cx.check(e == Exception::bif_error("system_limit", "erlang", "apply", 3), "limit")?;
    ///     let args = vec![Term::atom("oops")];
    ///     let (_p, r) = cx.spawn_apply_on("b@sim", "erlang", "error", args, false, true).await?;
    ///     let down = cx.recv().await;
    ///     let Term::Tuple(t) = &down else { unreachable!() };
    ///     cx.check(r.map(Term::Ref) == Some(t[1].clone()), "its DOWN")?;
    ///     let want = "{oops,[{erts_internal,dist_spawn_init,1,[]}]}";
    ///     cx.check(t[4].to_string() == want, "first frame")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_apply_on(
        &self,
        node: impl Into<NodeRef>,
        module: impl Into<Atom>,
        function: impl Into<Atom>,
        args: Vec<Term>,
        link: bool,
        monitor: bool,
    ) -> Result<(Pid, Option<Ref>), Exception> {
        if args.len() > MAX_ARGS {
            return Err(too_many_args());
        }
        let node = node.into();
        let (m, f) = (module.into(), function.into());
        if self.resolve_node(node) == Some(self.node_id()) {
            return self.spawn_apply(m, f, args, link, monitor).await;
        }
        let arity = args.len() as u32;
        let body = move |c: Cx| async move {
            c.apply(m, f, args)
                .await
                .map_err(|e| from_dist_spawn_init(e, m, f, arity))
        };
        self.spawn_opt_on(node, body, link, monitor).await
    }

    /// `erlang:spawn_request(Node, Fun, Opts)`: asks `node` to start a process
    /// and returns the request's reference at once (also setting the receive
    /// marker). The answer comes as messages, as the options say:
    /// `{spawn_reply, Ref, ok, Pid}` / `{spawn_reply, Ref, error, Reason}`
    /// (`noconnection`, `notsup`, `system_limit`), and with `monitor` a
    /// `'DOWN'` tagged with the same reference.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, SpawnOpts, SpawnReply, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let opts = SpawnOpts { monitor: true, reply: SpawnReply::ErrorOnly, ..SpawnOpts::default() };
    ///     let r = cx.spawn_request("b@sim", |_| async move { Err(sim_core::Exception::exit(Term::atom("result"))) }, opts).await;
    ///     let down = cx.receive_marked(move |_| true, Timeout::Infinity).await.unwrap();
    ///     let Term::Tuple(t) = &down else { unreachable!() };
    ///     cx.check(t[1] == Term::Ref(r) && t[4] == Term::atom("result"), "result in DOWN")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_request<F, Fut>(
        &self,
        node: impl Into<NodeRef>,
        body: F,
        opts: SpawnOpts,
    ) -> Ref
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let r = self.spawn_request_now(node, body, opts);
        self.yield_now().await;
        r
    }

    /// [`Cx::spawn_request`] without the sync point after it: the caller goes
    /// on before anything else runs, as on BEAM, which does not preempt a
    /// process at `spawn_request`. For a request followed at once by its
    /// receive (erpc's `call`): the receive is the sync point, and an
    /// `after 0` sees only what the request itself caused (a refusal), never
    /// a local child that ran its whole life in between.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, SpawnOpts, SpawnReply, Timeout};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let opts = SpawnOpts { monitor: true, reply: SpawnReply::ErrorOnly, ..SpawnOpts::default() };
    ///     let r = cx.spawn_request_now("a@sim", |_| async move { Ok(Term::atom("x")) }, opts);
    ///     let none = cx.receive_marked(move |_| true, Timeout::ms(0)).await;
    ///     cx.check(none.is_none(), "the child has not run yet")?;
    ///     let down = cx.receive_marked(move |_| true, Timeout::Infinity).await.unwrap();
    ///     let Term::Tuple(t) = &down else { unreachable!() };
    ///     cx.check(t[1] == Term::Ref(r) && t[4] == Term::atom("normal"), "then its DOWN")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn spawn_request_now<F, Fut>(
        &self,
        node: impl Into<NodeRef>,
        body: F,
        opts: SpawnOpts,
    ) -> Ref
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let node = node.into();
        let me = self.pid;
        let body = boxed_body(body);
        let done = self.op(move |w, key| {
            let here = me.node();
            let r = w.make_ref(here);
            let before = w.procs[key].mailbox.len();
            w.procs[key].mailbox.set_mark(r);
            let target = match node {
                NodeRef::Name(a) => w.node_id(a),
                NodeRef::Id(id) => (id.index() < w.nodes.len()).then_some(id),
            };
            let refuse = |w: &mut World, reason: &str| {
                if opts.reply != SpawnReply::No {
                    let msg = crate::world::spawn_error(r, atom(reason));
                    w.enqueue(key, msg);
                }
            };
            match target {
                None => refuse(w, "noconnection"),
                Some(t) if t == here => {
                    if !w.nodes[here.index()].spawn_supported {
                        refuse(w, "notsup");
                    } else if !w.has_room(here) {
                        refuse(w, "system_limit");
                    } else if let Some(child) = w.spawn_process(here, Some(me), false, body) {
                        link_pair(w, key, me, child, opts.link, opts.monitor.then_some(r));
                        if opts.reply == SpawnReply::Yes {
                            w.enqueue(key, crate::world::spawn_ok(r, child));
                        }
                    }
                }
                Some(t) => {
                    w.procs[key].pending.push(Pending {
                        r,
                        node: t,
                        opts,
                        abandoned: false,
                    });
                    w.send(
                        me,
                        Dest::Node(t),
                        Body::SpawnRequest {
                            r,
                            body: SpawnBody(body),
                            opts,
                        },
                    );
                }
            }
            // Answered at once (a refusal, a connection that could not be
            // made, a local reply): the receive that takes the answer must
            // still yield, or a retry loop would never let anything else run.
            // Otherwise the receive waits, which pays any yield owed before.
            w.yield_owed = w.procs.get(key).is_some_and(|p| p.mailbox.len() > before);
            r
        });
        // A dead process never gets past its next sync point; any fresh
        // reference will do until then.
        done.unwrap_or_else(|| self.make_ref())
    }

    /// `erlang:spawn_request_abandon(Ref)`: `true` if the request was still
    /// unanswered (no reply will be delivered; a link is undone with exit reason
    /// `abandoned`, a monitor removed), `false` otherwise.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.make_ref();
    ///     cx.check(!cx.spawn_request_abandon(r), "not a request")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn spawn_request_abandon(&self, r: Ref) -> bool {
        self.op(|w, key| {
            let p = &mut w.procs[key];
            match p.pending.iter_mut().find(|x| x.r == r && !x.abandoned) {
                Some(x) => {
                    x.abandoned = true;
                    true
                }
                None => false,
            }
        })
        .unwrap_or(false)
    }

    // ---- links, monitors, exits -------------------------------------------

    /// `link(Pid)`. A dead local pid raises `error:noproc` unless this process
    /// traps exits (then `{'EXIT', Pid, noproc}` arrives); a dead remote pid
    /// sends back an exit signal `noproc`, as OTP does.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let p = cx.spawn(|c| async move { c.recv().await; Ok(Term::atom("x")) }).await?;
    ///     cx.link(p).await?;
    ///     cx.check(cx.links() == vec![p], "linked")?;
    ///     cx.exit(p, Term::atom("kill")).await;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # let r = sim.run();
    /// ```
    pub async fn link(&self, pid: Pid) -> Result<(), Exception> {
        let me = self.pid;
        self.effect(move |w, key| {
            if pid == me {
                return Ok(());
            }
            let local = pid.node() == me.node();
            if local && w.key_of(pid).is_none() && !w.procs[key].trap_exit {
                return Err(
                    Exception::error(atom("noproc")).with_frame(Frame::with_args(
                        "erlang",
                        "link",
                        vec![Term::Pid(pid)],
                    )),
                );
            }
            let p = &mut w.procs[key];
            if !p.links.contains(&pid) {
                p.links.push(pid);
                w.send(me, Dest::Pid(pid), Body::Link);
            }
            Ok(())
        })
        .await
    }

    /// `unlink(Pid)`: always succeeds.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Pid};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.unlink(Pid::new(0, 99, 1)).await;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn unlink(&self, pid: Pid) {
        let me = self.pid;
        self.effect(move |w, key| {
            let p = &mut w.procs[key];
            if let Some(i) = p.links.iter().position(|&l| l == pid) {
                p.links.remove(i);
                w.send(me, Dest::Pid(pid), Body::Unlink);
            }
        })
        .await
    }

    /// `process_info(self(), links)`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.links().is_empty(), "no links")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn links(&self) -> Vec<Pid> {
        let w = self.w.borrow();
        w.procs
            .get(self.key)
            .map(|p| p.links.to_vec())
            .unwrap_or_default()
    }

    /// `monitor(process, Pid)`. A dead or unknown pid gives `'DOWN'` `noproc`; an
    /// unreachable node `noconnection`; monitoring oneself gives a reference and
    /// nothing else.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Pid};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let dead = Pid::new(0, 99, 1);
    ///     let r = cx.monitor(dead).await;
    ///     let m = cx.recv().await;
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), Term::Pid(dead), Term::atom("noproc")]);
    ///     cx.check(m == want, "noproc")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn monitor(&self, pid: Pid) -> Ref {
        let me = self.pid;
        self.effect(move |w, key| {
            let r = w.make_ref(me.node());
            if pid != me {
                w.procs[key].mon_out.push(MonOut {
                    r,
                    target: MonTarget::Pid(pid),
                });
                w.send(
                    me,
                    Dest::Pid(pid),
                    Body::Monitor {
                        r,
                        target: MonTarget::Pid(pid),
                    },
                );
            }
            r
        })
        .await
    }

    /// `monitor(process, {Name, Node})`: the `'DOWN'` names `{Name, Node}`; a
    /// missing name gives `noproc`, an unknown node `noconnection`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.monitor_name("ghost", "a@sim").await;
    ///     let m = cx.recv().await;
    ///     let obj = Term::tuple([Term::atom("ghost"), Term::atom("a@sim")]);
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), obj, Term::atom("noproc")]);
    ///     cx.check(m == want, "noproc for a missing name")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn monitor_name(&self, name: impl Into<Atom>, node: impl Into<NodeRef>) -> Ref {
        let name = name.into();
        let node = node.into();
        let me = self.pid;
        self.effect(move |w, key| {
            let r = w.make_ref(me.node());
            let target = match node {
                NodeRef::Name(a) => w.node_id(a).ok_or(a),
                NodeRef::Id(id) => Ok(id),
            };
            match target {
                Ok(nid) => {
                    let t = MonTarget::Name(name, nid);
                    w.procs[key].mon_out.push(MonOut { r, target: t });
                    w.send(me, Dest::Name(name, nid), Body::Monitor { r, target: t });
                }
                Err(node_name) => {
                    let msg = Term::Tuple(vec![
                        atom("DOWN"),
                        Term::Ref(r),
                        atom("process"),
                        Term::Tuple(vec![Term::Atom(name), Term::Atom(node_name)]),
                        atom("noconnection"),
                    ]);
                    w.enqueue(key, msg);
                }
            }
            r
        })
        .await
    }

    /// `demonitor(Ref, [info])`: removes the monitor; `true` if it was active,
    /// `false` if its `'DOWN'` was already sent (a `'DOWN'` already queued stays
    /// queued; one still travelling is discarded on arrival).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let p = cx.spawn(|c| async move { c.recv().await; Ok(Term::atom("x")) }).await?;
    ///     let r = cx.monitor(p).await;
    ///     cx.check(cx.demonitor(r).await, "was active")?;
    ///     cx.check(!cx.demonitor(r).await, "gone now")?;
    ///     cx.exit(p, Term::atom("kill")).await;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn demonitor(&self, r: Ref) -> bool {
        self.demonitor_opts(r, false).await
    }

    /// `demonitor(Ref, [flush, info])`: also removes a queued `'DOWN'` for `Ref`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (_p, r) = cx.spawn_monitor(|_| async move { Ok(Term::atom("x")) }).await?;
    ///     cx.sleep(sim_core::Time::ms(1)).await;
    ///     cx.check(cx.mailbox().len() == 1, "DOWN queued")?;
    ///     cx.demonitor_flush(r).await;
    ///     cx.check(cx.mailbox().is_empty(), "flushed")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn demonitor_flush(&self, r: Ref) -> bool {
        self.demonitor_opts(r, true).await
    }

    async fn demonitor_opts(&self, r: Ref, flush: bool) -> bool {
        let me = self.pid;
        self.effect(move |w, key| {
            let p = &mut w.procs[key];
            let active = match p.mon_out.iter().position(|m| m.r == r) {
                Some(i) => {
                    let m = p.mon_out.remove(i);
                    let dest = match m.target {
                        MonTarget::Pid(t) => Dest::Pid(t),
                        MonTarget::Name(n, node) => Dest::Name(n, node),
                    };
                    w.send(me, dest, Body::Demonitor { r });
                    true
                }
                None => false,
            };
            if flush {
                let World { procs, arena, .. } = w;
                if let Some(p) = procs.get_mut(key) {
                    p.mailbox.remove_all(arena, &mut |m| {
                        matches!(m, Term::Tuple(t) if t.len() == 5
                            && t[0].is_atom("DOWN") && t[1] == Term::Ref(r))
                    });
                }
            }
            active
        })
        .await
    }

    /// `exit(Pid, Reason)`: sends an exit signal. `kill` cannot be trapped (the
    /// target dies `killed`); `normal` is ignored unless the target traps exits
    /// or is this process itself.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (p, r) = cx.spawn_monitor(|c| async move { c.recv().await; Ok(Term::atom("x")) }).await?;
    ///     cx.exit(p, Term::atom("kill")).await;
    ///     let m = cx.recv().await;
    ///     let want = Term::tuple([Term::atom("DOWN"), Term::Ref(r), Term::atom("process"), Term::Pid(p), Term::atom("killed")]);
    ///     cx.check(m == want, "killed")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn exit(&self, pid: Pid, reason: impl Into<Term>) {
        let reason = reason.into();
        let me = self.pid;
        self.effect(move |w, _| {
            w.send(
                me,
                Dest::Pid(pid),
                Body::Exit {
                    reason,
                    linked: false,
                },
            );
        })
        .await
    }

    /// `group_leader()`: inherited from the process that spawned this one (for
    /// a spawn request, from the requester, so an erpc applier shares its
    /// caller's); a process the test started has its node's runtime.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let mine = cx.group_leader();
    ///     let me = cx.self_pid();
    ///     cx.spawn_on("b@sim", move |c| async move {
    ///         c.send(me, Term::Pid(c.group_leader())).await?;
    ///         Ok(Term::atom("done"))
    ///     }).await?;
    ///     let theirs = cx.recv().await;
    ///     cx.check(theirs == Term::Pid(mine), "inherited")?;
    ///     Ok(theirs)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn group_leader(&self) -> Pid {
        let w = self.w.borrow();
        w.procs.get(self.key).map_or(self.pid, |p| p.group_leader)
    }

    /// `process_flag(trap_exit, Flag)`: returns the old value.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(!cx.trap_exit(true), "was false")?;
    ///     cx.check(cx.trap_exit(false), "was true")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn trap_exit(&self, flag: bool) -> bool {
        self.op(|w, key| std::mem::replace(&mut w.procs[key].trap_exit, flag))
            .unwrap_or(false)
    }

    /// `process_flag(Flag, Value)` as OTP takes it: `trap_exit` (`true` or
    /// `false`, see [`Cx::trap_exit`]) or `priority` (`low`, `normal`, `high`,
    /// `max`). Returns the old value. Any other flag, or a value the flag does
    /// not take, raises `error:badarg`. The priority is recorded (it shows in
    /// `process_info(Pid, priority)`) but does not bind the scheduler: with
    /// several schedulers BEAM interleaves processes of any priority, so every
    /// schedule a strategy picks stays one OTP could produce.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let old = cx.process_flag("priority", Term::atom("high"))?;
    ///     cx.check(old == Term::atom("normal"), "was normal")?;
    ///     let old = cx.process_flag("trap_exit", true)?;
    ///     cx.check(old == Term::atom("false"), "was not trapping")?;
    ///     let bad = cx.process_flag("trap_exit", Term::atom("maybe")).unwrap_err();
    ///     cx.check(bad.reason == Term::atom("badarg"), "badarg")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn process_flag(
        &self,
        flag: impl Into<Atom>,
        value: impl Into<Term>,
    ) -> Result<Term, Exception> {
        let (flag, value) = (flag.into(), value.into());
        let badarg = || Exception::badarg("process_flag", 2);
        let value = value.as_atom().ok_or_else(badarg)?;
        let old = self.op(|w, key| {
            let p = &mut w.procs[key];
            match flag.as_str() {
                "trap_exit" => {
                    let new = match value.as_str() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(badarg()),
                    };
                    Ok(Term::from(std::mem::replace(&mut p.trap_exit, new)))
                }
                "priority" => {
                    let new = Priority::from_name(value.as_str()).ok_or_else(badarg)?;
                    Ok(atom(std::mem::replace(&mut p.priority, new).name()))
                }
                _ => Err(badarg()),
            }
        });
        // A dead process is never polled again, so `None` is not observable.
        old.unwrap_or_else(|| Err(badarg()))
    }

    /// `is_process_alive(Pid)` for a pid on this node; `error:badarg` for a
    /// remote pid, as in OTP.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.check(cx.is_process_alive(cx.self_pid()).await?, "I am alive")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn is_process_alive(&self, pid: Pid) -> Result<bool, Exception> {
        let me = self.pid;
        self.effect(move |w, _| {
            if pid.node() != me.node() {
                return Err(Exception::badarg("is_process_alive", 1));
            }
            Ok(w.key_of(pid).is_some())
        })
        .await
    }

    /// `process_info(Pid, Item)` for a local pid: `links`, `monitored_by`,
    /// `monitors`, `trap_exit`, `priority`, `registered_name`,
    /// `message_queue_len`, `messages`. `Ok(None)` for a dead pid (`undefined`); `error:badarg` for a
    /// remote pid or an unknown item.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let v = cx.process_info(cx.self_pid(), "trap_exit")?;
    ///     cx.check(v == Some(Term::tuple([Term::atom("trap_exit"), Term::atom("false")])), "info")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn process_info(&self, pid: Pid, item: &str) -> Result<Option<Term>, Exception> {
        if pid.node() != self.pid.node() {
            return Err(Exception::badarg("process_info", 2));
        }
        let w = self.w.borrow();
        let Some(k) = w.key_of(pid) else {
            return Ok(None);
        };
        let p = &w.procs[k];
        let pids = |v: Vec<Pid>| Term::List(v.into_iter().map(Term::Pid).collect());
        let value = match item {
            "links" => pids(p.links.to_vec()),
            "monitored_by" => pids(p.mon_in.iter().map(|m| m.watcher).collect()),
            "monitors" => Term::List(
                p.mon_out
                    .iter()
                    .map(|m| match m.target {
                        MonTarget::Pid(t) => Term::Tuple(vec![atom("process"), Term::Pid(t)]),
                        MonTarget::Name(n, node) => Term::Tuple(vec![
                            atom("process"),
                            Term::Tuple(vec![Term::Atom(n), Term::Atom(w.node_name(node))]),
                        ]),
                    })
                    .collect(),
            ),
            "trap_exit" => Term::from(p.trap_exit),
            "priority" => atom(p.priority.name()),
            "registered_name" => match p.name {
                Some(n) => Term::Atom(n),
                // OTP answers `[]`, not a tuple, for an unregistered process.
                None => return Ok(Some(Term::List(Vec::new()))),
            },
            "message_queue_len" => Term::Int(p.mailbox.len() as i64),
            "messages" => Term::List(p.mailbox.snapshot(&w.arena)),
            _ => return Err(Exception::badarg("process_info", 2)),
        };
        Ok(Some(Term::Tuple(vec![atom(item), value])))
    }

    // ---- registry ---------------------------------------------------------

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
        let me = self.pid;
        self.effect(move |w, _| {
            let bad = || Exception::badarg("register", 2);
            if name.as_str() == "undefined" || pid.node() != me.node() {
                return Err(bad());
            }
            let Some(k) = w.key_of(pid) else {
                return Err(bad());
            };
            let node = &mut w.nodes[me.node().index()];
            if node.registry.contains_key(&name) || w.procs[k].name.is_some() {
                return Err(bad());
            }
            node.registry.insert(name, pid);
            w.procs[k].name = Some(name);
            Ok(())
        })
        .await
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
        let me = self.pid;
        self.effect(move |w, _| {
            let Some(pid) = w.nodes[me.node().index()].registry.shift_remove(&name) else {
                return Err(Exception::badarg("unregister", 1));
            };
            if let Some(k) = w.key_of(pid) {
                w.procs[k].name = None;
            }
            Ok(())
        })
        .await
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
        let me = self.pid;
        self.effect(move |w, _| w.nodes[me.node().index()].registry.get(&name).copied())
            .await
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
        let w = self.w.borrow();
        w.nodes[self.pid.node().index()]
            .registry
            .keys()
            .copied()
            .collect()
    }

    // ---- time -------------------------------------------------------------

    /// `timer:sleep(T)` in virtual time (`Time::MAX` sleeps forever). Messages
    /// do not wake a sleeping process.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.sleep(Time::ms(100)).await;
    ///     cx.check(cx.now() == Time::ms(100), "100 ms later")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn sleep(&self, d: Time) {
        let armed = self.op(|w, key| {
            let at = w.now.saturating_add(d);
            let token = if d == Time::MAX {
                0
            } else {
                w.start_wait_timer(key, at)
            };
            w.procs[key].status = Status::Waiting(Wait::Sleep);
            token
        });
        let Some(token) = armed else {
            return Never.await;
        };
        loop {
            Suspend(false).await;
            let done = self.op(|w, key| {
                let p = &mut w.procs[key];
                if token != 0 && p.timed_out == token {
                    p.status = Status::Running;
                    true
                } else {
                    p.status = Status::Waiting(Wait::Sleep);
                    false
                }
            });
            match done {
                Some(true) => return,
                Some(false) => {}
                None => return Never.await,
            }
        }
    }

    /// `erlang:send_after(Ms, Dest, Msg)`: `Dest` is a pid or a local name
    /// (resolved when the timer fires; a missing name drops the message).
    /// `error:badarg` for a remote name or a pid of another node, as in OTP.
    /// As OTP does, a timer whose destination process dies is cancelled:
    /// nothing is sent and `read_timer`/`cancel_timer` answer `None` (`false`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Target, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.send_after(10, cx.self_pid(), Term::atom("tick")).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::atom("tick") && cx.now() == Time::ms(10), "ticked")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn send_after(
        &self,
        ms: u64,
        dest: impl Into<Target>,
        msg: impl Into<Term>,
    ) -> Result<Ref, Exception> {
        self.timer(ms, dest.into(), msg.into(), false).await
    }

    /// `erlang:start_timer(Ms, Dest, Msg)`: like `send_after`, the message being
    /// `{timeout, TimerRef, Msg}`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.start_timer(5, cx.self_pid(), Term::atom("ping")).await?;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::tuple([Term::atom("timeout"), Term::Ref(r), Term::atom("ping")]), "timeout msg")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn start_timer(
        &self,
        ms: u64,
        dest: impl Into<Target>,
        msg: impl Into<Term>,
    ) -> Result<Ref, Exception> {
        self.timer(ms, dest.into(), msg.into(), true).await
    }

    async fn timer(&self, ms: u64, dest: Target, msg: Term, wrap: bool) -> Result<Ref, Exception> {
        let me = self.pid;
        self.effect(move |w, _| {
            let f = if wrap { "start_timer" } else { "send_after" };
            let dest = match dest {
                Target::Pid(p) if p.node() == me.node() => timer_dest_pid(p),
                Target::Name(n) => timer_dest_name(n),
                // OTP: a pid "created on the current runtime system instance"
                // or a local name; anything else is `badarg`.
                Target::Pid(_) | Target::Remote(..) => return Err(Exception::badarg(f, 3)),
            };
            let r = w.make_ref(me.node());
            let msg = if wrap {
                Term::Tuple(vec![atom("timeout"), Term::Ref(r), msg])
            } else {
                msg
            };
            w.add_erl_timer(r, me, Time::ms(ms), dest, msg);
            Ok(r)
        })
        .await
    }

    /// `erlang:cancel_timer(Ref)`: the milliseconds that were left, or `None`
    /// (`false`) if the timer already fired or was cancelled.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.send_after(50, cx.self_pid(), Term::atom("never")).await?;
    ///     cx.check(cx.cancel_timer(r).await == Some(50), "50 ms left")?;
    ///     cx.check(cx.cancel_timer(r).await.is_none(), "already cancelled")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn cancel_timer(&self, r: Ref) -> Option<u64> {
        self.effect(move |w, _| {
            // No order of this map is ever observed: O(1) removal.
            let t = w.erl_timers.swap_remove(&r)?;
            w.erl_timer_left(&t)
        })
        .await
    }

    /// `erlang:read_timer(Ref)`: milliseconds left, or `None` (`false`).
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let r = cx.send_after(50, cx.self_pid(), Term::atom("x")).await?;
    ///     cx.check(cx.read_timer(r) == Some(50), "50 left")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn read_timer(&self, r: Ref) -> Option<u64> {
        let w = self.w.borrow();
        w.erl_timer_left(w.erl_timers.get(&r)?)
    }

    /// `monitor_node(Node, Flag)`: with `true`, one `{nodedown, Node}` message
    /// per call when the connection to `Node` is lost (at once if it cannot be
    /// reached); `false` removes every such monitor.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.monitor_node("nx@sim", true).await;
    ///     let m = cx.recv().await;
    ///     cx.check(m == Term::tuple([Term::atom("nodedown"), Term::atom("nx@sim")]), "nodedown")?;
    ///     Ok(m)
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn monitor_node(&self, node: impl Into<NodeRef>, flag: bool) -> bool {
        let node = node.into();
        let me = self.pid;
        self.effect(move |w, key| {
            let (id, name) = match node {
                NodeRef::Name(a) => (w.node_id(a), a),
                NodeRef::Id(id) => (Some(id), w.node_name(id)),
            };
            if !flag {
                if let Some(id) = id {
                    w.procs[key].node_mons.retain(|&n| n != id);
                }
                return true;
            }
            match id {
                Some(id) if id == me.node() => {}
                Some(id) if w.node_up(id) => w.procs[key].node_mons.push(id),
                _ => {
                    let msg = Term::Tuple(vec![atom("nodedown"), Term::Atom(name)]);
                    w.enqueue(key, msg);
                }
            }
            true
        })
        .await
    }

    /// `erlang:halt()`: stops this process's whole node at once, as a crash
    /// (every process on it dies; peers see `noconnection`). The node stays down
    /// until a fault schedule restarts it.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Time};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let (_p, r) = cx.spawn_monitor_on("b@sim", |c| async move { c.halt().await; Ok(Term::atom("x")) }).await?;
    ///     let m = cx.recv().await;
    ///     let Term::Tuple(t) = &m else { unreachable!() };
    ///     cx.check(t[1] == Term::Ref(r) && t[4] == Term::atom("noconnection"), "node gone")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn halt(&self) {
        let node = self.pid.node();
        self.op(|w, _| {
            crate::world::Control { w }.crash(node, "halt");
        });
        Never.await
    }
}

/// The most arguments a function can be applied to (OTP's `MAX_ARG`).
pub(crate) const MAX_ARGS: usize = 255;

/// `apply/3` (and a spawn of an MFA) refusing more than [`MAX_ARGS`] arguments.
pub(crate) fn too_many_args() -> Exception {
    Exception::bif_error("system_limit", "erlang", "apply", 3)
}

/// The stack of an exception leaving a remotely spawned `M:F/Arity`: OTP runs
/// it from `erts_internal:dist_spawn_init/1`, below the function's own frames.
fn from_dist_spawn_init(e: Exception, m: Atom, f: Atom, arity: u32) -> Exception {
    if e.class == Class::Exit {
        return e;
    }
    spawned_bif_frame_dropped(e, m, f, arity).with_frame(Frame::new(
        "erts_internal",
        "dist_spawn_init",
        1,
    ))
}

/// A BIF of module `erlang` raising as the spawned function itself leaves no
/// frame of its own (OTP 25: `spawn(erlang, error, [oops])` exits
/// `{oops, []}`).
fn spawned_bif_frame_dropped(mut e: Exception, m: Atom, f: Atom, arity: u32) -> Exception {
    let raised_by_spawned_bif = e.class == Class::Error
        && m.as_str() == "erlang"
        && !e.reason.is_atom("undef")
        && e.stack.first().is_some_and(|fr| {
            fr.module == m
                && fr.function == f
                && match &fr.args {
                    FrameArgs::Arity(a) => *a == arity,
                    FrameArgs::Args(v) => v.len() == arity as usize,
                }
        });
    if raised_by_spawned_bif {
        e.stack.remove(0);
    }
    e
}

/// Sets up link and monitor between a spawner and a freshly started local child.
fn link_pair(w: &mut World, key: ProcKey, me: Pid, child: Pid, link: bool, monitor: Option<Ref>) {
    let Some(ck) = w.key_of(child) else { return };
    if link {
        w.procs[key].links.push(child);
        w.procs[ck].links.push(me);
    }
    if let Some(r) = monitor {
        w.procs[key].mon_out.push(MonOut {
            r,
            target: MonTarget::Pid(child),
        });
        w.procs[ck].mon_in.push(crate::world::MonIn {
            r,
            watcher: me,
            object: Term::Pid(child),
        });
    }
}
