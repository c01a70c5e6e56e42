//! Happens-before over a trace, and the causal past of one record.
//!
//! Edges: program order per process; a send before its delivery, drop, hold
//! or release; a delivered message before the receive that took it (matched
//! by value, oldest first); a delivery that acts on a process (exit, `'DOWN'`,
//! link, monitor) in that process's order; a spawn request's arrival before
//! the process it starts; a fault before the drops and connection losses
//! after it; a connection loss before what the runtime sends for it.

use crate::id::Pid;
use crate::signal::SignalKind;
use crate::term::Term;
use crate::trace::{TraceEvent, TraceRecord};
use indexmap::IndexMap;

/// For each record, whether it happened before (or is) record `focus`.
pub(crate) fn causal_past(records: &[TraceRecord], focus: usize) -> Vec<bool> {
    let preds = predecessors(records);
    let mut past = vec![false; records.len()];
    if focus >= records.len() {
        return past;
    }
    past[focus] = true;
    // Every edge points backwards, so one backward sweep closes the set.
    for i in (0..=focus).rev() {
        if past[i] {
            for p in preds[i].iter().flatten() {
                past[*p] = true;
            }
        }
    }
    past
}

/// Up to two direct predecessors per record: its process's previous event
/// and one edge from elsewhere.
fn predecessors(records: &[TraceRecord]) -> Vec<[Option<usize>; 2]> {
    let mut preds = vec![[None, None]; records.len()];
    let mut last: IndexMap<Pid, usize> = IndexMap::new();
    // Sends by id: the record and the signal's kind.
    let mut sends: IndexMap<u64, (usize, SignalKind)> = IndexMap::new();
    // Messages delivered but not yet received, per process: (value, record).
    let mut inbox: IndexMap<Pid, Vec<(&Term, usize)>> = IndexMap::new();
    let mut last_fault: Option<usize> = None;
    let mut last_conn: Option<(u64, usize)> = None;
    for (i, r) in records.iter().enumerate() {
        let mut own: Option<Pid> = None;
        let mut cross: Option<usize> = None;
        match &r.event {
            TraceEvent::Spawn { pid, parent, .. } => {
                let arrived = i.checked_sub(1).filter(|&j| {
                    matches!(&records[j].event, TraceEvent::Deliver { id, to: None }
                        if sends.get(id).is_some_and(|s| s.1 == SignalKind::SpawnRequest))
                });
                cross = arrived.or_else(|| parent.and_then(|p| last.get(&p).copied()));
                own = Some(*pid);
            }
            TraceEvent::Send { id, from, kind, .. } => {
                sends.insert(*id, (i, *kind));
                own = Some(*from);
                // What the runtime sends when a connection is lost.
                if from.index() == 0 && from.serial() == 0 {
                    cross = last_conn.filter(|c| c.0 == r.step).map(|c| c.1);
                }
            }
            TraceEvent::Deliver { id, to } => {
                if let Some(&(s, kind)) = sends.get(id) {
                    cross = Some(s);
                    if let (Some(p), SignalKind::Message) = (to, kind) {
                        if let TraceEvent::Send {
                            payload: Some(v), ..
                        } = &records[s].event
                        {
                            inbox.entry(*p).or_default().push((v, i));
                        }
                    } else {
                        own = *to;
                    }
                }
            }
            TraceEvent::Drop { id, .. } => {
                preds[i][0] = sends.get(id).map(|s| s.0);
                cross = last_fault;
            }
            TraceEvent::Hold { id } | TraceEvent::Release { id } => {
                preds[i][0] = sends.get(id).map(|s| s.0);
                cross = last_fault;
            }
            TraceEvent::Receive { pid, msg } => {
                own = Some(*pid);
                if let Some(q) = inbox.get_mut(pid) {
                    if let Some(k) = q.iter().position(|(v, _)| *v == msg) {
                        cross = Some(q.remove(k).1);
                    }
                }
            }
            TraceEvent::Exit { pid, .. }
            | TraceEvent::CheckFailed { pid, .. }
            | TraceEvent::Note { pid, .. }
            | TraceEvent::Label { pid, .. }
            | TraceEvent::Suspend { pid, .. }
            | TraceEvent::Resume { pid }
            | TraceEvent::Register { pid, .. }
            | TraceEvent::Unregister { pid, .. } => own = Some(*pid),
            TraceEvent::Fault { .. } => {
                cross = last_fault;
                last_fault = Some(i);
            }
            TraceEvent::ConnectionDown { .. } => {
                cross = last_fault;
                last_conn = Some((r.step, i));
            }
            TraceEvent::Advance { .. } => {}
        }
        if let Some(p) = own {
            preds[i][0] = last.insert(p, i);
        }
        if cross.is_some() {
            preds[i][1] = cross;
        }
    }
    preds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Sim, TraceMode};

    #[test]
    fn the_past_of_a_receive_holds_its_send_and_not_unrelated_work() {
        let mut sim = Sim::builder()
            .nodes(["a@sim", "b@sim"])
            .trace(TraceMode::Full)
            .build()
            .expect("two nodes");
        sim.spawn("b@sim", |cx| async move {
            // Unrelated to the receiver below.
            cx.send(cx.self_pid(), Term::atom("alone")).await?;
            Ok(cx.recv().await)
        })
        .expect("b@sim exists");
        sim.spawn("a@sim", |cx| async move {
            let p = cx
                .spawn_on("b@sim", |c| async move {
                    let m = c.recv().await;
                    c.check(false, "received")?;
                    Ok(m)
                })
                .await?;
            cx.send(p, Term::atom("hi")).await?;
            cx.sleep(crate::Time::ms(10)).await;
            Ok(Term::atom("ok"))
        })
        .expect("a@sim exists");
        let trace = sim.run().trace;
        let focus = trace
            .iter()
            .position(|r| matches!(r.event, TraceEvent::CheckFailed { .. }))
            .expect("the check fails");
        let past = causal_past(&trace, focus);
        let sent = |what: &str| {
            trace.iter().position(|r| {
                matches!(&r.event, TraceEvent::Send { payload: Some(v), .. } if v.is_atom(what))
            })
        };
        let hi = sent("hi").expect("hi sent");
        let alone = sent("alone").expect("alone sent");
        assert!(past[hi], "the message received is in the past");
        assert!(!past[alone], "a concurrent process's send is not");
    }
}
