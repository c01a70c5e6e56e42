//! Recording a history from process code, and checking it at the end of a run.
//!
//! A simulation runs on one thread, so one [`Recorder`] is shared by cloning
//! it into every process that records; the order of the calls is the order of
//! the events.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use sim_core::{Cx, Exception, Term};

use crate::check::{Checker, Verdict};
use crate::history::{History, HistoryError, OpId};
use crate::model::Model;

impl From<HistoryError> for Exception {
    /// `error:{history_error, Message}`, so `?` works in a process body.
    fn from(e: HistoryError) -> Exception {
        Exception::error(Term::tuple(vec![
            Term::atom("history_error"),
            Term::binary(e.to_string().as_bytes()),
        ]))
    }
}

/// A history shared by the processes of one simulation, stamped with
/// virtual time.
///
/// ```
/// use sim_core::{Sim, Term, Time};
/// use sim_history::{check, Register, RegisterOp, Recorder, Ret, Verdict};
///
/// let rec: Recorder<RegisterOp<i64>, Ret<i64>> = Recorder::new();
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// for p in 0..2 {
///     let rec = rec.clone();
///     sim.spawn("a@sim", move |cx| async move {
///         let op = rec.invoke(&cx, p, RegisterOp::Write(p as i64))?;
///         cx.sleep(Time::ms(1)).await;
///         op.ok(&cx, Ret::Ok)?;
///         Ok(Term::atom("ok"))
///     }).unwrap();
/// }
/// sim.run().assert_ok();
/// assert_eq!(rec.history().len(), 2);
/// assert_eq!(check(&Register::new(0), &rec.history()), Verdict::Linearizable);
/// ```
pub struct Recorder<I, O> {
    inner: Rc<RefCell<History<I, O>>>,
}

impl<I, O> Clone for Recorder<I, O> {
    fn clone(&self) -> Self {
        Recorder {
            inner: Rc::clone(&self.inner),
        }
    }
}

impl<I, O> Default for Recorder<I, O> {
    fn default() -> Self {
        Recorder {
            inner: Rc::new(RefCell::new(History::new())),
        }
    }
}

impl<I, O> fmt::Debug for Recorder<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recorder({} operations)", self.inner.borrow().len())
    }
}

impl<I, O> Recorder<I, O> {
    /// An empty recorder.
    ///
    /// ```
    /// let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// assert!(rec.with(|h| h.is_empty()));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `process` (Jepsen's logical process: one operation at a
    /// time) invokes `input` now.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// # let r = rec.clone();
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", move |cx| async move {
    ///     let op = r.invoke(&cx, 0, 1)?;
    ///     cx.check(r.invoke(&cx, 0, 2).is_err(), "process 0 is busy")?;
    ///     op.info(&cx)?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn invoke(
        &self,
        cx: &Cx,
        process: u64,
        input: I,
    ) -> Result<Invocation<I, O>, HistoryError> {
        let id = self.inner.borrow_mut().invoke(process, input, cx.now())?;
        Ok(Invocation {
            rec: self.clone(),
            id,
        })
    }

    /// Runs `f` on the history recorded so far.
    ///
    /// ```
    /// let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// assert_eq!(rec.with(|h| h.len()), 0);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&History<I, O>) -> R) -> R {
        f(&self.inner.borrow())
    }
}

impl<I: Clone, O: Clone> Recorder<I, O> {
    /// A copy of the history recorded so far.
    ///
    /// ```
    /// let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// assert!(rec.history().is_empty());
    /// ```
    pub fn history(&self) -> History<I, O> {
        self.inner.borrow().clone()
    }
}

/// An invoked operation waiting for its completion. Dropping it leaves the
/// operation pending, which a checker treats as unknown.
///
/// ```
/// # use sim_core::{Sim, Term};
/// # let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
/// # let r = rec.clone();
/// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", move |cx| async move {
///     let op = r.invoke(&cx, 0, 1)?;
///     cx.check(op.id().0 == 0, "the first operation")?;
///     op.fail(&cx, 0)?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// # sim.run().assert_ok();
/// # assert_eq!(rec.with(|h| h.ops()[0].status.name()), "fail");
/// ```
#[derive(Debug)]
#[must_use = "an operation never completed stays pending (unknown)"]
pub struct Invocation<I, O> {
    rec: Recorder<I, O>,
    id: OpId,
}

impl<I, O> Invocation<I, O> {
    /// The operation's id in the history.
    ///
    /// ```
    /// # let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// # let mut h = sim_history::History::<u8, u8>::new();
    /// # let id = h.invoke(0, 0, sim_core::Time::ZERO).unwrap();
    /// assert_eq!(id, sim_history::OpId(0));
    /// ```
    pub fn id(&self) -> OpId {
        self.id
    }

    /// It happened and returned `output`.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// # let r = rec.clone();
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", move |cx| async move {
    ///     r.invoke(&cx, 0, 1)?.ok(&cx, 7)?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn ok(self, cx: &Cx, output: O) -> Result<(), HistoryError> {
        self.rec.inner.borrow_mut().ok(self.id, output, cx.now())
    }

    /// It certainly did not happen; `why` is kept for display.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// # let r = rec.clone();
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", move |cx| async move {
    ///     r.invoke(&cx, 0, 1)?.fail(&cx, 0)?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn fail(self, cx: &Cx, why: O) -> Result<(), HistoryError> {
        self.rec.inner.borrow_mut().fail(self.id, why, cx.now())
    }

    /// Its outcome is unknown (a timeout, `{badrpc, nodedown}`): it may take
    /// effect at any time after its invocation, or never.
    ///
    /// ```
    /// # use sim_core::{Sim, Term};
    /// # let rec: sim_history::Recorder<u8, u8> = sim_history::Recorder::new();
    /// # let r = rec.clone();
    /// # let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", move |cx| async move {
    ///     r.invoke(&cx, 0, 1)?.info(&cx)?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// # sim.run().assert_ok();
    /// ```
    pub fn info(self, cx: &Cx) -> Result<(), HistoryError> {
        self.rec.inner.borrow_mut().info(self.id, cx.now())
    }
}

/// The end-of-run check, in one line of a process body: checks what `rec`
/// recorded against `model` and fails the run like a failed `cx.check` (so
/// the explorer shrinks and replays it) when it is not linearizable, with
/// the counterexample as the message. Each operation of the counterexample is
/// also marked in the trace (`conflict` notes: process, operation, interval),
/// so the sequence diagram shows them next to the failure. An unknown verdict (budget spent) does
/// not fail the run; it is returned so the caller may decide.
///
/// ```
/// use sim_core::{Outcome, Sim, Term};
/// use sim_history::{check_linearizable, Recorder, Register, RegisterOp, Ret};
///
/// let rec: Recorder<RegisterOp<i64>, Ret<i64>> = Recorder::new();
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", move |cx| async move {
///     rec.invoke(&cx, 0, RegisterOp::Read)?.ok(&cx, Ret::Value(5))?;
///     check_linearizable(&cx, &Register::new(0), &rec)?;
///     Ok(Term::atom("unreachable"))
/// }).unwrap();
/// let report = sim.run();
/// let Outcome::CheckFailed { message, .. } = &report.outcome else { panic!("{report}") };
/// assert!(message.contains("read() -> 5"));
/// ```
///
/// With a full trace, the picture marks the conflicting operations:
///
/// ```
/// use sim_core::{sequence_diagram_html, Sim, Term, TraceMode};
/// use sim_history::{check_linearizable, Recorder, Register, RegisterOp, Ret};
///
/// let rec: Recorder<RegisterOp<i64>, Ret<i64>> = Recorder::new();
/// let mut sim = Sim::builder().nodes(["a@sim"]).trace(TraceMode::Full).build().unwrap();
/// sim.spawn("a@sim", move |cx| async move {
///     rec.invoke(&cx, 0, RegisterOp::Read)?.ok(&cx, Ret::Value(5))?;
///     check_linearizable(&cx, &Register::new(0), &rec)?;
///     Ok(Term::atom("unreachable"))
/// }).unwrap();
/// let report = sim.run();
/// let page = sequence_diagram_html(&report.trace, "register");
/// assert!(page.contains("conflict") && page.contains("process 0: read()"));
/// ```
pub fn check_linearizable<M: Model>(
    cx: &Cx,
    model: &M,
    rec: &Recorder<M::Input, M::Output>,
) -> Result<Verdict, Exception> {
    let verdict = rec.with(|h| Checker::new().check(model, h));
    if let Verdict::Violation(v) = &verdict {
        // The operations that cannot all hold, as marks in the sequence
        // diagram (a full trace only), just before the failure they explain.
        for op in &v.ops {
            let done = op
                .completed_at
                .map_or_else(|| "open".to_string(), |t| t.to_string());
            cx.note(
                "conflict",
                format_args!(
                    "process {}: {} from {} to {done}",
                    op.process, op.description, op.invoked_at
                ),
                None,
            );
        }
        cx.check(false, v.to_string())?;
    }
    Ok(verdict)
}
