//! Spawning: one entry point, [`Cx::spawn_with`], and the OTP shorthands
//! over it; spawn requests; the stacks of spawned `Module:Function(Args)`.

use super::{boxed_body, node_of, Cx, NodeRef};
use crate::body::BoxFuture;
use crate::exception::{Class, Exception, Frame, FrameArgs};
use crate::id::{Pid, Ref};
use crate::signal::{SpawnOpts, SpawnReply};
use crate::term::{Atom, Term};
use crate::time::Timeout;
use std::future::Future;

impl Cx {
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
        Ok(self
            .spawn_with(self.node_id(), SpawnOpts::default(), body)
            .await?
            .0)
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
        let opts = SpawnOpts {
            link: true,
            ..SpawnOpts::default()
        };
        Ok(self.spawn_with(self.node_id(), opts, body).await?.0)
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
        let opts = SpawnOpts {
            monitor: true,
            ..SpawnOpts::default()
        };
        monitored(self.spawn_with(self.node_id(), opts, body).await?, 1)
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
        Ok(self.spawn_with(node, SpawnOpts::default(), body).await?.0)
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
        let opts = SpawnOpts {
            link: true,
            ..SpawnOpts::default()
        };
        Ok(self.spawn_with(node, opts, body).await?.0)
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
        let opts = SpawnOpts {
            monitor: true,
            ..SpawnOpts::default()
        };
        monitored(self.spawn_with(node, opts, body).await?, 2)
    }

    /// `spawn_opt(Node, Fun, Opts)`: the one way to start a process from a
    /// process; every other spawn is a shorthand for it. On this node the
    /// child exists at once (`error:system_limit` when the node is full). On
    /// another node it waits for the spawn to be confirmed, and when the node
    /// cannot be reached it returns, as OTP does, the pid of a local stand-in
    /// process that exits `noconnection`. With `opts.link` the child is
    /// linked, with `opts.monitor` monitored (the reference is returned);
    /// `opts.reply` does not apply, the spawn always waits for its answer.
    ///
    /// ```
    /// # use sim_core::{Sim, SpawnOpts, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let opts = SpawnOpts { link: true, monitor: true, ..SpawnOpts::default() };
    ///     let (_p, r) = cx.spawn_with("b@sim", opts, |_| async move { Ok(Term::atom("x")) }).await?;
    ///     cx.check(r.is_some(), "monitored")?;
    ///     let (_q, r) = cx.spawn_with(cx.node_id(), opts, |_| async move { Ok(Term::atom("x")) }).await?;
    ///     cx.check(r.is_some(), "monitored here too")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub async fn spawn_with<F, Fut>(
        &self,
        node: impl Into<NodeRef>,
        opts: SpawnOpts,
        body: F,
    ) -> Result<(Pid, Option<Ref>), Exception>
    where
        F: FnOnce(Cx) -> Fut + 'static,
        Fut: Future<Output = Result<Term, Exception>> + 'static,
    {
        let node = node.into();
        if self.resolve_node(node) == Some(self.node_id()) {
            // The body goes straight into the one box of its future (not first
            // into a box of its own, as `boxed_body` would).
            let start = move |p| Box::pin(body(Cx::from(p))) as BoxFuture;
            let spawned = self.effect(move |w, key| w.spawn_local(key, opts, start));
            return spawned
                .await
                .ok_or_else(|| Exception::bif_error("system_limit", "erlang", "spawn_opt", 1));
        }
        let request = SpawnOpts {
            reply: SpawnReply::Yes,
            ..opts
        };
        let r = self.spawn_request(node, body, request).await;
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
        let monitor = opts.monitor.then_some(r);
        match (&t[2], &t[3]) {
            (ok, Term::Pid(p)) if ok.is_atom("ok") => Ok((*p, monitor)),
            (_, reason) if reason.is_atom("noconnection") => {
                // OTP answers an unreachable node with a local stand-in process
                // that exits `noconnection` at once.
                let stand_in =
                    boxed_body(|_| async move { Err(Exception::exit(Term::atom("noconnection"))) });
                let stand_in =
                    self.effect(move |w, key| w.spawn_stand_in(key, opts.link, monitor, stand_in));
                match stand_in.await {
                    Some(p) => Ok((p, monitor)),
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

    /// `spawn_opt(Module, Function, Args, Opts)` on this node ([`Cx::spawn_with`] of an MFA) (`spawn/3`,
    /// `spawn_link/3`, `spawn_monitor/3` with `link`/`monitor`): the new process
    /// applies `Module:Function(Args)` with this node's code. As in OTP the
    /// function is looked up by the new process, so an undefined one still gives
    /// a pid, and the process exits `{undef, [{Module, Function, Args}]}`. More
    /// than 255 arguments fail here, before any process is started, with the
    /// `error:system_limit` of [`Cx::apply`].
    ///
    /// ```
    /// # use sim_core::{Exception, Sim, SpawnOpts, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let mon = SpawnOpts { monitor: true, ..SpawnOpts::default() };
    ///     let many = vec![Term::Int(1); 256];
    ///     let e = cx.spawn_apply("no_such_mod", "f", many, mon).await.unwrap_err();
    ///     cx.check(e == Exception::bif_error("system_limit", "erlang", "apply", 3), "limit")?;
    ///     cx.check(cx.mailbox().is_empty(), "no process, no DOWN")?;
    ///     let (p, r) = cx.spawn_apply("no_such_mod", "f", vec![], mon).await?;
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
        opts: SpawnOpts,
    ) -> Result<(Pid, Option<Ref>), Exception> {
        self.spawn_apply_on(self.node_id(), module, function, args, opts)
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
    /// # use sim_core::{Exception, Sim, SpawnOpts, Term};
    /// # let mut sim = Sim::builder().nodes(["a@sim", "b@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let mon = SpawnOpts { monitor: true, ..SpawnOpts::default() };
    ///     let many = vec![Term::Int(1); 256];
    ///     let e = cx.spawn_apply_on("b@sim", "erlang", "max", many, mon).await.unwrap_err();
    ///     cx.check(e == Exception::bif_error("system_limit", "erlang", "apply", 3), "limit")?;
    ///     let args = vec![Term::atom("oops")];
    ///     let (_p, r) = cx.spawn_apply_on("b@sim", "erlang", "error", args, mon).await?;
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
        opts: SpawnOpts,
    ) -> Result<(Pid, Option<Ref>), Exception> {
        if args.len() > MAX_ARGS {
            return Err(too_many_args());
        }
        let node = node.into();
        let (m, f) = (module.into(), function.into());
        let arity = args.len() as u32;
        let remote = self.resolve_node(node) != Some(self.node_id());
        let body = move |c: Cx| async move {
            c.apply(m, f, args).await.map_err(|e| {
                if remote {
                    from_dist_spawn_init(e, m, f, arity)
                } else {
                    spawned_bif_frame_dropped(e, m, f, arity)
                }
            })
        };
        self.spawn_with(node, opts, body).await
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
        let body = boxed_body(body);
        let r = self.op(move |w, key| {
            let target = node_of(w, node);
            w.spawn_request(key, target, opts, body)
        });
        // A dead process never gets past its next sync point; any fresh
        // reference will do until then.
        r.unwrap_or_else(|| self.make_ref())
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
        self.op(|w, key| w.abandon_spawn_request(key, r))
            .unwrap_or(false)
    }
}

/// The pid and reference of a spawn that asked for a monitor.
fn monitored((pid, r): (Pid, Option<Ref>), arity: u32) -> Result<(Pid, Ref), Exception> {
    match r {
        Some(r) => Ok((pid, r)),
        None => Err(Exception::badarg("spawn_monitor", arity)),
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
