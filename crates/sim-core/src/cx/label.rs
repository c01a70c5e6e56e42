//! Annotations a process records about itself: what it is for, and moments
//! worth marking. They feed the sequence diagram; they are not sync points,
//! not part of the digest, and are formatted only when the run keeps records.

use super::Cx;
use crate::id::Ref;
use crate::trace::{TraceEvent, TraceMode};
use std::fmt::Display;

impl Cx {
    /// Names what this process is for (`kv:incr(visits)`, `kv server`): the
    /// sequence diagram shows it instead of the pid. `key` ties the label to
    /// notes about the same work (an erpc applier passes its request's
    /// reference). Not a sync point; `text` is formatted only when the run
    /// keeps a full trace.
    ///
    /// ```
    /// use sim_core::{Sim, Term, TraceEvent, TraceMode};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).trace(TraceMode::Full).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.label("kv server", None);
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// let report = sim.run();
    /// assert!(report.trace.iter().any(|r| matches!(&r.event, TraceEvent::Label { text, .. } if text == "kv server")));
    /// ```
    pub fn label(&self, text: impl Display, key: Option<Ref>) {
        let mut w = self.world();
        if w.tracer.mode == TraceMode::Full {
            w.trace(TraceEvent::Label {
                pid: self.pid,
                text: text.to_string(),
                key,
            });
        }
    }

    /// Marks a moment in this process's life in the trace: `tag` says what
    /// kind (`timeout`, `retry`), `text` describes it, and `key` ties it to a
    /// [`Cx::label`] with the same key. Not a sync point; formatted only when
    /// the run keeps a full trace.
    ///
    /// ```
    /// use sim_core::{Sim, Term, TraceEvent, TraceMode};
    /// let mut sim = Sim::builder().nodes(["a@sim"]).trace(TraceMode::Full).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     cx.note("retry", "second attempt", None);
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// let report = sim.run();
    /// assert!(report.trace.iter().any(|r| matches!(&r.event, TraceEvent::Note { tag, .. } if tag == "retry")));
    /// ```
    pub fn note(&self, tag: &str, text: impl Display, key: Option<Ref>) {
        let mut w = self.world();
        if w.tracer.mode == TraceMode::Full {
            w.trace(TraceEvent::Note {
                pid: self.pid,
                tag: tag.to_string(),
                text: text.to_string(),
                key,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Sim, Term, TraceMode};

    fn digest_with(mode: TraceMode, annotate: bool) -> u64 {
        let mut sim = Sim::builder()
            .nodes(["a@sim"])
            .trace(mode)
            .build()
            .expect("one node");
        sim.spawn("a@sim", move |cx| async move {
            if annotate {
                cx.label("worker", None);
                cx.note("timeout", "gave up", None);
            }
            cx.send(cx.self_pid(), Term::Int(1)).await?;
            Ok(cx.recv().await)
        })
        .expect("a@sim exists");
        sim.run().digest
    }

    #[test]
    fn annotations_leave_the_digest_alone() {
        let plain = digest_with(TraceMode::Digest, false);
        assert_eq!(digest_with(TraceMode::Digest, true), plain);
        assert_eq!(digest_with(TraceMode::Full, true), plain);
    }
}
