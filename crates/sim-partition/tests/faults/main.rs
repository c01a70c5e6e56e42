//! Behaviour of partitions (drop and defer, one-way, single links, overlapping),
//! crashes and restarts, fault traces, the nemesis and signal conservation.
//!
//! Only sim-core and sim-partition are used: a remote call is emulated as erpc
//! does it (a spawn request with a monitor; the result travels in the exit
//! reason; a timeout abandons the request and demonitors).

use sim_core::{
    Cx, Exception, ExitPolicy, NodeId, Pid, RunReport, Sim, SpawnOpts, SpawnReply, Term, Time,
    Timeout, TraceEvent, TraceMode,
};
use sim_partition::{
    assert_conserved, is_fault_cause, CutId, Fault, Ledger, LinkState, Mode, Nemesis,
    PartitionNetwork,
};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

const A: &str = "a@sim";
const B: &str = "b@sim";
const C: &str = "c@sim";
const D: &str = "d@sim";

fn atom(s: &str) -> Term {
    Term::atom(s)
}

fn tagged(tag: &str, v: Term) -> Term {
    Term::tuple([atom(tag), v])
}

/// `erpc:call` in miniature: `Ok(value)`, or `Err(reason)` with `noconnection`,
/// `timeout` or the remote exit reason.
async fn call<F, Fut>(cx: &Cx, node: &str, f: F, timeout: Timeout) -> Result<Term, Term>
where
    F: FnOnce(Cx) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let opts = SpawnOpts {
        monitor: true,
        reply: SpawnReply::ErrorOnly,
        ..SpawnOpts::default()
    };
    let r = cx
        .spawn_request(
            node,
            move |c| async move {
                let v = f(c).await?;
                Err(Exception::exit(tagged("result", v)))
            },
            opts,
        )
        .await;
    let answer = cx
        .receive_marked(
            move |m| match m.as_tuple() {
                Some(t) if t.len() == 5 => t[0].is_atom("DOWN") && t[1] == Term::Ref(r),
                Some(t) if t.len() == 4 => t[0].is_atom("spawn_reply") && t[1] == Term::Ref(r),
                _ => false,
            },
            timeout,
        )
        .await;
    let Some(m) = answer else {
        cx.spawn_request_abandon(r);
        cx.demonitor_flush(r).await;
        return Err(atom("timeout"));
    };
    let t = m.as_tuple().unwrap_or_default();
    if t.len() == 4 {
        return Err(t[3].clone());
    }
    match t[4].as_tuple() {
        Some([tag, v]) if tag.is_atom("result") => Ok(v.clone()),
        _ => Err(t[4].clone()),
    }
}

/// A process that registers as `name` and collects every message until
/// `quiet` passes without one; returns the list.
async fn collector(cx: Cx, name: &str, quiet: Timeout) -> Result<Term, Exception> {
    cx.register(name, cx.self_pid()).await?;
    let mut got = Vec::new();
    while let Some(m) = cx.receive_timeout(|_| true, quiet).await {
        got.push(m);
    }
    Ok(Term::list(got))
}

/// A server registered as `server`: answers `{hello, From}` with `{pid, Self}`
/// until it gets `stop`.
async fn server(cx: Cx) -> Result<Term, Exception> {
    cx.register("server", cx.self_pid()).await?;
    loop {
        let m = cx.recv().await;
        if m.is_atom("stop") {
            break;
        }
        if let Some([tag, Term::Pid(from)]) = m.as_tuple() {
            if tag.is_atom("hello") {
                let reply = tagged("pid", Term::Pid(cx.self_pid()));
                cx.send(*from, reply).await?;
            }
        }
    }
    Ok(atom("stopped"))
}

/// Asks `{server, node}` for its pid.
async fn server_pid(cx: &Cx, node: &str) -> Option<Pid> {
    let hello = tagged("hello", Term::Pid(cx.self_pid()));
    cx.send(("server", node), hello).await.ok()?;
    let m = cx
        .receive_timeout(
            |m| matches!(m.as_tuple(), Some([t, _]) if t.is_atom("pid")),
            Timeout::ms(50),
        )
        .await?;
    m.as_tuple()?[1].as_pid()
}

fn is_down(m: &Term, r: sim_core::Ref) -> bool {
    matches!(m.as_tuple(), Some(t) if t.len() == 5 && t[0].is_atom("DOWN") && t[1] == Term::Ref(r))
}

fn down_reason(m: &Term) -> Term {
    m.as_tuple()
        .map(|t| t[4].clone())
        .unwrap_or_else(|| atom("none"))
}

fn faults(report: &RunReport) -> Vec<String> {
    report
        .trace
        .iter()
        .filter_map(|r| match &r.event {
            TraceEvent::Fault { what } => Some(what.clone()),
            _ => None,
        })
        .collect()
}

fn count(report: &RunReport, pred: impl Fn(&TraceEvent) -> bool) -> usize {
    report.trace.iter().filter(|r| pred(&r.event)).count()
}

fn id(sim: &Sim, name: &str) -> NodeId {
    sim.node_id(name).expect("node exists")
}

mod congest;
mod crash;
mod cuts;
mod edges;
mod nemesis;
