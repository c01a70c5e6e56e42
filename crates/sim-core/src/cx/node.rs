//! Identity, clocks, seeded draws, checks, and what a process asks of nodes.

use super::{node_of, Cx, Never, NodeRef};
use crate::exception::Exception;
use crate::id::{NodeId, Pid, Ref};
use crate::term::{Atom, Term};
use crate::time::Time;

impl Cx {
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
        self.w.borrow().visible_nodes(self.pid.node())
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
            w.disconnect_node(me, id)
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
        node_of(&self.w.borrow(), node.into())
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
        self.w.borrow().spawn_supported(id)
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
        self.w.borrow().clock.now()
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

    /// A seeded random number in `0..n` (deterministic per seed). Each
    /// process draws from a stream of its own, keyed by its pid and how many
    /// draws it made before: a different interleaving of other processes does
    /// not change what this process draws.
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
        self.world().user_draw(self.pid, n)
    }

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
        self.world().check_failed(self.pid, message.into());
        Err(Exception::exit(Term::atom("check_failed")))
    }

    /// Fails the run now, as a [`Cx::check`] whose condition is false: the
    /// run stops after this step with [`crate::Outcome::CheckFailed`], and the
    /// returned `exit` exception (`check_failed`) ends the process when
    /// returned or raised with `?`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term, Outcome};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let reply: Option<Term> = None;
    ///     let v = reply.ok_or_else(|| cx.fail("no reply"))?;
    ///     Ok(v)
    /// }).unwrap();
    /// let r = sim.run();
    /// assert!(matches!(r.outcome, Outcome::CheckFailed { ref message, .. } if message == "no reply"));
    /// ```
    pub fn fail(&self, message: impl Into<String>) -> Exception {
        self.world().check_failed(self.pid, message.into());
        Exception::exit(Term::atom("check_failed"))
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
        self.effect(move |w, key| {
            let (id, name) = match node {
                NodeRef::Name(a) => (w.node_id(a), a),
                NodeRef::Id(id) => (Some(id), w.node_name(id)),
            };
            w.monitor_node(key, id, name, flag);
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
        self.op(|w, _| w.halt(node));
        Never.await
    }
}
