//! The picture's model: a trace turned into node lanes, rows, arrows and
//! bands, with short-lived spawn-requested processes that label themselves
//! (erpc appliers) folded into the call they serve.

use super::causal::causal_past;
use crate::id::{Pid, Ref};
use crate::signal::SignalKind;
use crate::term::{Atom, Term};
use crate::trace::{TraceDest, TraceEvent, TraceRecord};
use indexmap::IndexMap;
use serde::Serialize;

/// Labels longer than this are cut (the full text stays in the tooltip).
const SHORT: usize = 48;
/// Rows of the causal chain shown in full before the failure, by default.
const WINDOW: usize = 40;

/// Everything the page draws.
#[derive(Serialize, Debug)]
pub(crate) struct Model {
    pub(crate) title: String,
    /// One lane per node, in node order.
    pub(crate) nodes: Vec<String>,
    pub(crate) actors: Vec<Actor>,
    pub(crate) rows: Vec<Row>,
    pub(crate) arrows: Vec<Arrow>,
    pub(crate) bands: Vec<Band>,
    /// The failing row (the check that failed, else the last abnormal exit).
    pub(crate) focus: Option<usize>,
    pub(crate) calls: usize,
    pub(crate) timeouts: usize,
    pub(crate) retries: usize,
}

/// A process, named by its label, its registered name or its pid.
#[derive(Serialize, Debug)]
pub(crate) struct Actor {
    pub(crate) name: String,
    pub(crate) pid: String,
    pub(crate) node: usize,
    /// Folded into the call it serves: no lane, no rows of its own by default.
    pub(crate) folded: bool,
}

/// One trace record the picture may show.
#[derive(Serialize, Debug)]
pub(crate) struct Row {
    /// The record's index in the trace.
    pub(crate) rec: usize,
    pub(crate) step: u64,
    /// Virtual time in microseconds.
    pub(crate) t: u64,
    /// The lane (`None`: spans all lanes).
    pub(crate) node: Option<usize>,
    pub(crate) actor: Option<usize>,
    pub(crate) text: String,
    /// `fail`, `fault`, `conn`, `timeout`, `abandoned`, `retry`, `drop`,
    /// `held`, `crash`, `busy` (a sender suspended on a busy connection),
    /// `resumed`, or empty.
    pub(crate) mark: &'static str,
    /// In the causal past of the focus.
    pub(crate) chain: bool,
    /// Shown by default (the window around the failure).
    pub(crate) shown: bool,
    /// Inside a folded call (hidden while calls are folded).
    pub(crate) inner: bool,
}

/// A signal from its send to its arrival.
#[derive(Serialize, Debug)]
pub(crate) struct Arrow {
    pub(crate) from: usize,
    /// `None`: never arrived (dropped or still held).
    pub(crate) to: Option<usize>,
    /// The lane it went towards.
    pub(crate) dest: Option<usize>,
    /// `message`, `call`, `return`, `cast`, `exit`, `down`, `spawn`, `signal`.
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) full: String,
    pub(crate) chain: bool,
    /// `timeout`, `abandoned`, `retry`, `dropped`, `held`, or empty.
    pub(crate) status: &'static str,
}

/// A fault in force, from the row that applied it to the row that ended it.
#[derive(Serialize, Debug)]
pub(crate) struct Band {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) label: String,
}

pub(crate) fn short(s: &str) -> String {
    if s.chars().count() > SHORT {
        let cut: String = s.chars().take(SHORT - 1).collect();
        format!("{cut}…")
    } else {
        s.to_string()
    }
}

/// A result tagged with a reference (`{Ref, return, V}`) without the tag:
/// `V` for a return, `Class Reason` otherwise.
fn result_text(reason: &Term) -> String {
    if let Some([Term::Ref(_), class, rest @ ..]) = reason.as_tuple() {
        return match (class.is_atom("return"), rest) {
            (true, [v]) => v.to_string(),
            (_, [r, ..]) => format!("{class} {r}"),
            _ => reason.to_string(),
        };
    }
    reason.to_string()
}

fn kind_name(k: SignalKind) -> &'static str {
    match k {
        SignalKind::Message => "message",
        SignalKind::Exit => "exit",
        SignalKind::Down => "down",
        SignalKind::SpawnRequest | SignalKind::SpawnReply => "spawn",
        _ => "signal",
    }
}

/// The signal's name as the trace file spells it (`demonitor`).
fn signal_name(k: SignalKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{k:?}"))
}

/// The runtime's own pseudo-pid on a node (it answers for the dead).
fn is_runtime(p: Pid) -> bool {
    p.index() == 0 && p.serial() == 0
}

/// A send not yet resolved to rows: where it starts, where it went.
struct Sent {
    arrow: usize,
    from: Pid,
    kind: SignalKind,
    /// The node it went to, and the registered name it was addressed to.
    dest: Option<usize>,
    name: Option<Atom>,
}

/// A folded call: its request, its applier, how it ended.
struct Call {
    caller: Pid,
    key: Option<Ref>,
    label: String,
    out: usize,
    back: Option<usize>,
    timed_out: bool,
    /// It returned a value (a later identical call is not a retry).
    ok: bool,
}

struct Builder<'a> {
    records: &'a [TraceRecord],
    node_ix: IndexMap<u32, usize>,
    node_by_name: IndexMap<Atom, usize>,
    actor_ix: IndexMap<Pid, usize>,
    actors: Vec<Actor>,
    rows: Vec<Row>,
    /// The row of each record, if it has one.
    row_of: Vec<Option<usize>>,
    arrows: Vec<Arrow>,
    sent: IndexMap<u64, Sent>,
    calls: Vec<Call>,
    /// Applier pid to its call.
    call_of: IndexMap<Pid, usize>,
}

impl Builder<'_> {
    fn node_of(&self, p: Pid) -> usize {
        self.node_ix.get(&p.node().0).copied().unwrap_or(0)
    }

    fn actor(&mut self, p: Pid) -> usize {
        if let Some(&a) = self.actor_ix.get(&p) {
            return a;
        }
        let a = self.actors.len();
        let name = if is_runtime(p) {
            "runtime".to_string()
        } else {
            p.to_string()
        };
        self.actors.push(Actor {
            name,
            pid: p.to_string(),
            node: self.node_of(p),
            folded: false,
        });
        self.actor_ix.insert(p, a);
        a
    }

    fn row(&mut self, i: usize, who: Option<Pid>, node: Option<usize>, text: String) -> usize {
        let actor = who.map(|p| self.actor(p));
        let node = node.or_else(|| who.map(|p| self.node_of(p)));
        let r = &self.records[i];
        self.rows.push(Row {
            rec: i,
            step: r.step,
            t: r.time.as_us(),
            node,
            actor,
            text,
            mark: "",
            chain: false,
            shown: false,
            inner: false,
        });
        self.row_of[i] = Some(self.rows.len() - 1);
        self.rows.len() - 1
    }

    fn dest_node(&self, to: &TraceDest) -> Option<usize> {
        match to {
            TraceDest::Pid(p) => Some(self.node_of(*p)),
            TraceDest::Name { node, .. } | TraceDest::Node(node) => {
                self.node_by_name.get(node).copied()
            }
        }
    }
}

/// Builds the model of `records`.
pub(crate) fn build(records: &[TraceRecord], title: &str) -> Model {
    // Nodes: every node a pid or a name mentions, in node-number order.
    let mut names: IndexMap<u32, Atom> = IndexMap::new();
    for r in records {
        if let TraceEvent::Spawn { pid, node, .. } = &r.event {
            names.entry(pid.node().0).or_insert(*node);
        }
    }
    let mut seen_nodes: Vec<u32> = names.keys().copied().collect();
    for r in records {
        let pids: [Option<Pid>; 2] = match &r.event {
            TraceEvent::Send { from, to, .. } => (
                Some(*from),
                match to {
                    TraceDest::Pid(p) => Some(*p),
                    _ => None,
                },
            )
                .into(),
            _ => [None, None],
        };
        for p in pids.into_iter().flatten() {
            if !seen_nodes.contains(&p.node().0) {
                seen_nodes.push(p.node().0);
            }
        }
    }
    seen_nodes.sort_unstable();
    let mut b = Builder {
        records,
        node_ix: IndexMap::new(),
        node_by_name: IndexMap::new(),
        actor_ix: IndexMap::new(),
        actors: Vec::new(),
        rows: Vec::new(),
        row_of: vec![None; records.len()],
        arrows: Vec::new(),
        sent: IndexMap::new(),
        calls: Vec::new(),
        call_of: IndexMap::new(),
    };
    let mut nodes = Vec::new();
    for n in &seen_nodes {
        b.node_ix.insert(*n, nodes.len());
        match names.get(n) {
            Some(a) => {
                b.node_by_name.insert(*a, nodes.len());
                nodes.push(Term::Atom(*a).to_string());
            }
            None => nodes.push(format!("node {n}")),
        }
    }
    // Labels first: a process's name is known from its first row on.
    let mut labels: IndexMap<Pid, (String, Option<Ref>)> = IndexMap::new();
    for r in records {
        if let TraceEvent::Label { pid, text, key } = &r.event {
            labels.entry(*pid).or_insert((text.clone(), *key));
        }
    }
    let mut bands = Vec::new();
    let mut open_fault: Option<(usize, String)> = None;
    let mut focus = None;
    let mut last_abnormal = None;
    let mut registered: IndexMap<Pid, Atom> = IndexMap::new();
    // A request noted by its caller, waiting for the spawn request it names.
    let mut requests: IndexMap<Pid, (String, Option<Ref>)> = IndexMap::new();
    for (i, r) in records.iter().enumerate() {
        match &r.event {
            TraceEvent::Spawn { pid, node, parent } => {
                let by = parent.map(|p| format!(" by {p}")).unwrap_or_default();
                let text = format!("spawned on {}{by}", Term::Atom(*node));
                let row = b.row(i, Some(*pid), None, text);
                // A spawn request answered here: the record before is its
                // arrival. If it carried a call, this process serves it.
                let call = i
                    .checked_sub(1)
                    .and_then(|j| match &records[j].event {
                        TraceEvent::Deliver { id, to: None } => b.sent.get(id),
                        _ => None,
                    })
                    .filter(|s| s.kind == SignalKind::SpawnRequest && Some(s.from) == *parent)
                    .and_then(|s| b.calls.iter().rposition(|c| c.out == s.arrow));
                let a = b.actor(*pid);
                if let Some(c) = call {
                    b.call_of.insert(*pid, c);
                    b.rows[row].inner = true;
                    b.actors[a].folded = true;
                    b.actors[a].name.clone_from(&b.calls[c].label);
                }
                if let Some((label, _)) = labels.get(pid) {
                    b.actors[a].name.clone_from(label);
                }
            }
            TraceEvent::Send {
                id,
                from,
                to,
                kind,
                payload,
            } => {
                let full = match payload {
                    Some(p) if *kind == SignalKind::Down => result_text(p),
                    Some(p) => p.to_string(),
                    None => signal_name(*kind),
                };
                let row = b.row(i, Some(*from), None, format!("→ {to}: {}", short(&full)));
                let arrow = b.arrows.len();
                let dest = b.dest_node(to);
                let request = match kind {
                    SignalKind::SpawnRequest => requests.shift_remove(from),
                    _ => None,
                };
                b.arrows.push(Arrow {
                    from: row,
                    to: None,
                    dest,
                    kind: kind_name(*kind),
                    label: short(&full),
                    full,
                    chain: false,
                    status: "",
                });
                if let Some((label, key)) = request {
                    let caller = *from;
                    let prev = b.calls.iter().rev().find(|c| c.caller == caller);
                    let retry = prev.is_some_and(|c| c.label == label && (c.timed_out || !c.ok));
                    let a = &mut b.arrows[arrow];
                    a.kind = if key.is_none() { "cast" } else { "call" };
                    a.label = short(&label);
                    a.full.clone_from(&label);
                    if retry {
                        a.status = "retry";
                        b.rows[row].mark = "retry";
                    }
                    b.rows[row].text = format!("→ {to}: {}", short(&label));
                    b.calls.push(Call {
                        caller,
                        key,
                        label,
                        out: arrow,
                        back: None,
                        timed_out: false,
                        ok: false,
                    });
                }
                // The DOWN of a folded applier is its call's return.
                if *kind == SignalKind::Down {
                    if let Some(&c) = b.call_of.get(from) {
                        let call = &mut b.calls[c];
                        if matches!(to, TraceDest::Pid(p) if *p == call.caller) {
                            call.back = Some(arrow);
                            let a = &mut b.arrows[arrow];
                            a.kind = "return";
                            if call.timed_out {
                                a.status = "abandoned";
                            }
                            let ok = payload
                                .as_ref()
                                .and_then(|p| p.as_tuple())
                                .is_some_and(|t| t.get(1).is_some_and(|c| c.is_atom("return")));
                            call.ok = ok;
                        }
                    }
                }
                // The rest of a folded call's signals (its spawn reply, a
                // demonitor) fold with it.
                let to_folded = matches!(to, TraceDest::Pid(p) if b.call_of.contains_key(p));
                if (b.call_of.contains_key(from) && b.arrows[arrow].kind != "return") || to_folded {
                    b.rows[row].inner = true;
                }
                let name = match to {
                    TraceDest::Name { name, .. } => Some(*name),
                    _ => None,
                };
                b.sent.insert(
                    *id,
                    Sent {
                        arrow,
                        from: *from,
                        kind: *kind,
                        dest,
                        name,
                    },
                );
            }
            TraceEvent::Deliver { id, to } => {
                let Some(s) = b.sent.get(id) else { continue };
                let (arrow, dest, name, from) = (s.arrow, s.dest, s.name, s.from);
                let node = to.map(|p| b.node_of(p)).or(dest);
                let row = b.row(i, *to, node, String::new());
                b.arrows[arrow].to = Some(row);
                let from_row = b.arrows[arrow].from;
                if b.rows[from_row].inner && b.call_of.contains_key(&from) {
                    b.rows[row].inner = true;
                }
                if let Some(p) = to {
                    if b.call_of.contains_key(p) {
                        b.rows[row].inner = true;
                    }
                    if let Some(n) = name {
                        registered.entry(*p).or_insert(n);
                    }
                }
            }
            TraceEvent::Drop { id, cause } => {
                let Some(s) = b.sent.get(id) else { continue };
                let (arrow, from) = (s.arrow, s.from);
                let label = b.arrows[arrow].label.clone();
                let row = b.row(i, Some(from), None, format!("✗ dropped {label} ({cause})"));
                b.rows[row].mark = "drop";
                b.arrows[arrow].status = "dropped";
            }
            TraceEvent::Hold { id } => {
                let Some(s) = b.sent.get(id) else { continue };
                let (arrow, from) = (s.arrow, s.from);
                let label = b.arrows[arrow].label.clone();
                let row = b.row(i, Some(from), None, format!("held: {label}"));
                b.rows[row].mark = "held";
                b.arrows[arrow].status = "held";
            }
            TraceEvent::Release { id } => {
                let Some(s) = b.sent.get(id) else { continue };
                let (arrow, from) = (s.arrow, s.from);
                let label = b.arrows[arrow].label.clone();
                b.row(i, Some(from), None, format!("released: {label}"));
                if b.arrows[arrow].status == "held" {
                    b.arrows[arrow].status = "";
                }
            }
            TraceEvent::Receive { pid, msg } => {
                // The `'DOWN'` that carries a folded call's result.
                let result_of = match msg.as_tuple() {
                    Some([tag, _, _, Term::Pid(p), _]) if tag.is_atom("DOWN") => {
                        b.call_of.get(p).map(|&c| b.calls[c].label.clone())
                    }
                    _ => None,
                };
                let text = match result_of {
                    Some(label) => format!("receives the result of {}", short(&label)),
                    None => format!("receives {}", short(&msg.to_string())),
                };
                let row = b.row(i, Some(*pid), None, text);
                if b.call_of.contains_key(pid) {
                    b.rows[row].inner = true;
                }
            }
            TraceEvent::Exit { pid, reason } => {
                let text = match b.call_of.get(pid).map(|&c| &b.calls[c]) {
                    Some(_) => format!("→ {}", result_text(reason)),
                    None => format!("exits: {}", short(&reason.to_string())),
                };
                let row = b.row(i, Some(*pid), None, short(&text));
                match b.call_of.get(pid).map(|&c| &b.calls[c]) {
                    // The caller gave up before the result: an abandoned reply.
                    Some(c) if c.timed_out => {
                        b.rows[row].mark = "abandoned";
                        b.rows[row].text = short(&format!("abandoned reply {text}"));
                    }
                    Some(_) => b.rows[row].inner = true,
                    None if !reason.is_atom("normal") => {
                        b.rows[row].mark = "crash";
                        last_abnormal = Some(row);
                    }
                    None => {}
                }
            }
            TraceEvent::Fault { what } => {
                let row = b.row(i, None, None, format!("⚡ {what}"));
                b.rows[row].mark = "fault";
                let ends = what.starts_with("heal") || what.starts_with("restart");
                if ends {
                    if let Some((from, label)) = open_fault.take() {
                        bands.push(Band {
                            from,
                            to: row,
                            label,
                        });
                    }
                } else if open_fault.is_none() {
                    open_fault = Some((row, what.clone()));
                }
            }
            TraceEvent::ConnectionDown { a, b: other, cause } => {
                let row = b.row(
                    i,
                    None,
                    None,
                    format!(
                        "connection {} - {} down ({cause})",
                        Term::Atom(*a),
                        Term::Atom(*other)
                    ),
                );
                b.rows[row].mark = "conn";
            }
            TraceEvent::CheckFailed { pid, message } => {
                let row = b.row(i, Some(*pid), None, format!("check failed: {message}"));
                b.rows[row].mark = "fail";
                focus = Some(row);
            }
            TraceEvent::Note {
                pid,
                tag,
                text,
                key,
            } if tag == "request" => {
                requests.insert(*pid, (text.clone(), *key));
            }
            TraceEvent::Note {
                pid,
                tag,
                text,
                key,
            } => {
                let call = b.calls.iter().rposition(|c| {
                    c.caller == *pid && c.key.is_some() && c.key == *key && c.back.is_none()
                });
                let about = call
                    .map(|c| format!(" {}", short(&b.calls[c].label)))
                    .unwrap_or_default();
                let row = b.row(i, Some(*pid), None, format!("{tag}:{about} ({text})"));
                if tag == "timeout" {
                    b.rows[row].mark = "timeout";
                    // Every call of this key still out (a multicall shares one).
                    let k = *key;
                    for c in b.calls.iter_mut() {
                        if c.caller == *pid && c.key.is_some() && c.key == k && c.back.is_none() {
                            c.timed_out = true;
                            b.arrows[c.out].status = "timeout";
                        }
                    }
                } else {
                    b.rows[row].mark = "note";
                }
            }
            TraceEvent::Suspend { pid, node } => {
                let text = format!("suspended: busy_dist_port to {}", Term::Atom(*node));
                let row = b.row(i, Some(*pid), None, text);
                b.rows[row].mark = "busy";
            }
            TraceEvent::Resume { pid } => {
                let row = b.row(i, Some(*pid), None, "resumed".to_string());
                b.rows[row].mark = "resumed";
            }
            // Its first registered name names a process (unless it labelled itself).
            TraceEvent::Register { pid, name } => {
                registered.entry(*pid).or_insert(*name);
            }
            TraceEvent::Advance { .. }
            | TraceEvent::Label { .. }
            | TraceEvent::Unregister { .. } => {}
        }
    }
    if let Some((from, label)) = open_fault.take() {
        let to = b.rows.len().saturating_sub(1);
        bands.push(Band { from, to, label });
    }
    // A registered name (or one a send was addressed to) names the pid,
    // unless the process labelled itself.
    for (p, n) in &registered {
        if let Some(&a) = b.actor_ix.get(p) {
            if !labels.contains_key(p) {
                b.actors[a].name = format!("{} {}", Term::Atom(*n), p);
            }
        }
    }
    let focus = focus.or(last_abnormal).or(b.rows.len().checked_sub(1));
    let calls = b.calls.len();
    let timeouts = b.calls.iter().filter(|c| c.timed_out).count();
    let retries = b.rows.iter().filter(|r| r.mark == "retry").count();
    let mut model = Model {
        title: title.to_string(),
        nodes,
        actors: b.actors,
        rows: b.rows,
        arrows: b.arrows,
        bands,
        focus,
        calls,
        timeouts,
        retries,
    };
    if let Some(f) = focus {
        let chain = causal_past(records, model.rows[f].rec);
        mark_chain(&mut model, &b.row_of, &chain, f);
    }
    model
}

/// Marks the causal chain of the focus, and what is shown by default: the
/// chain's marks and its last [`WINDOW`] rows; faults, timeouts, retries,
/// abandoned replies and the failure always.
fn mark_chain(m: &mut Model, row_of: &[Option<usize>], chain: &[bool], focus: usize) {
    for (rec, row) in row_of.iter().enumerate() {
        if let Some(r) = row {
            m.rows[*r].chain = chain.get(rec).copied().unwrap_or(false);
        }
    }
    for a in &mut m.arrows {
        a.chain = m.rows[a.from].chain && a.to.is_some_and(|t| m.rows[t].chain);
        let ends = [Some(a.from), a.to];
        // A timed-out, retried or abandoned call is the story of most
        // failures: both its ends are shown.
        if matches!(a.status, "timeout" | "retry" | "abandoned") {
            for r in ends.into_iter().flatten() {
                m.rows[r].shown = true;
            }
        }
    }
    let mut near = 0;
    for r in (0..=focus).rev() {
        let row = &mut m.rows[r];
        if row.chain && near < WINDOW && !row.inner {
            row.shown = true;
            near += 1;
        }
    }
    for row in &mut m.rows {
        if matches!(
            row.mark,
            "fail" | "fault" | "conn" | "timeout" | "abandoned" | "retry"
        ) || (row.chain && !row.mark.is_empty())
        {
            row.shown = true;
        }
    }
}
