//! `History`: operations as invoked and completed, in the order they happened.
//!
//! The order of events is the order of the calls that recorded them (a
//! simulation is one thread, so that is the real order); the virtual-time
//! stamps are kept for display and export.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use sim_core::Time;

/// The index of an operation in its [`History`].
///
/// ```
/// use sim_history::{History, OpId};
/// let mut h: History<u8, u8> = History::new();
/// let id = h.invoke(0, 1, sim_core::Time::ZERO).unwrap();
/// assert_eq!(id, OpId(0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct OpId(pub usize);

/// How an operation ended, Jepsen's `:type` of its completion.
///
/// ```
/// use sim_history::Status;
/// let s: Status<i64> = Status::Info;
/// assert!(s.may_have_happened());
/// assert!(!Status::<i64>::Fail(0).may_have_happened());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Status<O> {
    /// Invoked, not completed (yet). A checker treats it as [`Status::Info`].
    Pending,
    /// It happened, and returned this.
    Ok(O),
    /// It certainly did not happen (the value says why). A checker drops it.
    Fail(O),
    /// Unknown (a timeout, `{badrpc, nodedown}`): it may take effect at any
    /// time after its invocation, or never.
    Info,
}

impl<O> Status<O> {
    /// Whether the operation may have taken effect (all but [`Status::Fail`]).
    ///
    /// ```
    /// use sim_history::Status;
    /// assert!(Status::Ok(1).may_have_happened());
    /// assert!(Status::<u8>::Pending.may_have_happened());
    /// ```
    pub fn may_have_happened(&self) -> bool {
        !matches!(self, Status::Fail(_))
    }

    /// The returned value of an [`Status::Ok`] operation.
    ///
    /// ```
    /// use sim_history::Status;
    /// assert_eq!(Status::Ok(3).output(), Some(&3));
    /// assert_eq!(Status::<u8>::Info.output(), None);
    /// ```
    pub fn output(&self) -> Option<&O> {
        match self {
            Status::Ok(o) => Some(o),
            _ => None,
        }
    }

    /// Jepsen's name of the completion type.
    ///
    /// ```
    /// use sim_history::Status;
    /// assert_eq!(Status::<u8>::Info.name(), "info");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Ok(_) => "ok",
            Status::Fail(_) => "fail",
            Status::Info => "info",
        }
    }
}

/// One operation: who invoked what, and how it ended.
///
/// ```
/// use sim_history::{History, Status};
/// use sim_core::Time;
/// let mut h: History<&str, i64> = History::new();
/// let id = h.invoke(7, "read", Time::ms(1)).unwrap();
/// h.ok(id, 42, Time::ms(2)).unwrap();
/// let op = h.op(id).unwrap();
/// assert_eq!((op.process, op.input, op.completed_at), (7, "read", Some(Time::ms(2))));
/// assert_eq!(op.status, Status::Ok(42));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Op<I, O> {
    /// The logical process (Jepsen's `:process`): one operation at a time.
    pub process: u64,
    /// What was asked.
    pub input: I,
    /// How it ended.
    pub status: Status<O>,
    /// Virtual time of the invocation.
    pub invoked_at: Time,
    /// Virtual time of the completion, if any.
    pub completed_at: Option<Time>,
    /// Position of the invocation among all events.
    pub call: u32,
    /// Position of the completion among all events.
    pub ret: Option<u32>,
}

/// What a history refuses to record.
///
/// ```
/// use sim_history::{History, HistoryError};
/// let mut h: History<u8, u8> = History::new();
/// let id = h.invoke(0, 1, sim_core::Time::ZERO).unwrap();
/// assert_eq!(h.invoke(0, 2, sim_core::Time::ZERO), Err(HistoryError::ProcessBusy { process: 0, pending: id }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// A process invoked while its previous operation was still pending.
    #[error("process {process} invoked while operation {} is pending", pending.0)]
    ProcessBusy {
        /// The process.
        process: u64,
        /// Its pending operation.
        pending: OpId,
    },
    /// No such operation.
    #[error("no operation {}", .0.0)]
    UnknownOp(OpId),
    /// The operation was already completed.
    #[error("operation {} was already completed ({status})", id.0)]
    AlreadyCompleted {
        /// The operation.
        id: OpId,
        /// Its completion type.
        status: &'static str,
    },
    /// More events than the checker can index (2^32).
    #[error("history too long")]
    TooLong,
    /// A value could not be exported.
    #[error("cannot export: {0}")]
    Export(String),
}

/// Operations with inputs `I` and outputs `O`, in the order they happened.
///
/// ```
/// use sim_history::History;
/// use sim_core::Time;
/// let mut h: History<&str, i64> = History::new();
/// let a = h.invoke(0, "inc", Time::ms(1)).unwrap();
/// let b = h.invoke(1, "inc", Time::ms(1)).unwrap();
/// h.ok(b, 1, Time::ms(2)).unwrap();
/// h.info(a, Time::ms(3)).unwrap();
/// assert_eq!(h.len(), 2);
/// assert_eq!(h.events().len(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History<I, O> {
    ops: Vec<Op<I, O>>,
    events: u32,
    pending: BTreeMap<u64, OpId>,
}

impl<I, O> Default for History<I, O> {
    fn default() -> Self {
        History {
            ops: Vec::new(),
            events: 0,
            pending: BTreeMap::new(),
        }
    }
}

/// One line of a history: an invocation or a completion.
///
/// ```
/// use sim_history::{EventKind, History};
/// let mut h: History<u8, u8> = History::new();
/// h.invoke(3, 1, sim_core::Time::ZERO).unwrap();
/// assert_eq!(h.events()[0].kind, EventKind::Invoke);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The operation.
    pub op: OpId,
    /// Invocation or completion.
    pub kind: EventKind,
}

/// Whether an [`Event`] opens or closes its operation.
///
/// ```
/// use sim_history::EventKind;
/// assert_ne!(EventKind::Invoke, EventKind::Complete);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The operation was invoked.
    Invoke,
    /// The operation completed (ok, fail or info).
    Complete,
}

impl<I, O> History<I, O> {
    /// An empty history.
    ///
    /// ```
    /// let h: sim_history::History<u8, u8> = sim_history::History::new();
    /// assert!(h.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of operations.
    ///
    /// ```
    /// let h: sim_history::History<u8, u8> = sim_history::History::new();
    /// assert_eq!(h.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether no operation was recorded.
    ///
    /// ```
    /// let h: sim_history::History<u8, u8> = sim_history::History::new();
    /// assert!(h.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// All operations, in invocation order.
    ///
    /// ```
    /// let mut h: sim_history::History<u8, u8> = sim_history::History::new();
    /// h.invoke(0, 9, sim_core::Time::ZERO).unwrap();
    /// assert_eq!(h.ops()[0].input, 9);
    /// ```
    pub fn ops(&self) -> &[Op<I, O>] {
        &self.ops
    }

    /// One operation.
    ///
    /// ```
    /// let h: sim_history::History<u8, u8> = sim_history::History::new();
    /// assert!(h.op(sim_history::OpId(0)).is_none());
    /// ```
    pub fn op(&self, id: OpId) -> Option<&Op<I, O>> {
        self.ops.get(id.0)
    }

    fn next_event(&mut self) -> Result<u32, HistoryError> {
        let e = self.events;
        self.events = e.checked_add(1).ok_or(HistoryError::TooLong)?;
        Ok(e)
    }

    /// Records that `process` invoked `input` at `at`.
    ///
    /// ```
    /// let mut h: sim_history::History<u8, u8> = sim_history::History::new();
    /// let id = h.invoke(0, 1, sim_core::Time::ms(4)).unwrap();
    /// assert_eq!(h.op(id).unwrap().invoked_at, sim_core::Time::ms(4));
    /// ```
    pub fn invoke(&mut self, process: u64, input: I, at: Time) -> Result<OpId, HistoryError> {
        if let Some(&pending) = self.pending.get(&process) {
            return Err(HistoryError::ProcessBusy { process, pending });
        }
        let call = self.next_event()?;
        let id = OpId(self.ops.len());
        self.ops.push(Op {
            process,
            input,
            status: Status::Pending,
            invoked_at: at,
            completed_at: None,
            call,
            ret: None,
        });
        self.pending.insert(process, id);
        Ok(id)
    }

    fn complete(&mut self, id: OpId, status: Status<O>, at: Time) -> Result<(), HistoryError> {
        let current = match self.ops.get(id.0) {
            None => return Err(HistoryError::UnknownOp(id)),
            Some(op) => op.status.name(),
        };
        if current != "pending" {
            return Err(HistoryError::AlreadyCompleted {
                id,
                status: current,
            });
        }
        let ret = self.next_event()?;
        let op = &mut self.ops[id.0];
        op.status = status;
        op.completed_at = Some(at);
        op.ret = Some(ret);
        self.pending.remove(&op.process);
        Ok(())
    }

    /// Records that operation `id` happened and returned `output`.
    ///
    /// ```
    /// let mut h: sim_history::History<u8, u8> = sim_history::History::new();
    /// let id = h.invoke(0, 1, sim_core::Time::ZERO).unwrap();
    /// h.ok(id, 2, sim_core::Time::ms(1)).unwrap();
    /// assert!(h.ok(id, 2, sim_core::Time::ms(1)).is_err());
    /// ```
    pub fn ok(&mut self, id: OpId, output: O, at: Time) -> Result<(), HistoryError> {
        self.complete(id, Status::Ok(output), at)
    }

    /// Records that operation `id` certainly did not happen (`why` says why).
    ///
    /// ```
    /// let mut h: sim_history::History<u8, u8> = sim_history::History::new();
    /// let id = h.invoke(0, 1, sim_core::Time::ZERO).unwrap();
    /// h.fail(id, 0, sim_core::Time::ms(1)).unwrap();
    /// assert_eq!(h.op(id).unwrap().status.name(), "fail");
    /// ```
    pub fn fail(&mut self, id: OpId, why: O, at: Time) -> Result<(), HistoryError> {
        self.complete(id, Status::Fail(why), at)
    }

    /// Records that the outcome of operation `id` is unknown: it may take
    /// effect at any time after its invocation, or never.
    ///
    /// ```
    /// let mut h: sim_history::History<u8, u8> = sim_history::History::new();
    /// let id = h.invoke(0, 1, sim_core::Time::ZERO).unwrap();
    /// h.info(id, sim_core::Time::ms(1)).unwrap();
    /// h.invoke(0, 2, sim_core::Time::ms(2)).unwrap();
    /// ```
    pub fn info(&mut self, id: OpId, at: Time) -> Result<(), HistoryError> {
        self.complete(id, Status::Info, at)
    }

    /// Every event in the order it happened.
    ///
    /// ```
    /// use sim_history::{EventKind, History, OpId};
    /// let mut h: History<u8, u8> = History::new();
    /// let a = h.invoke(0, 1, sim_core::Time::ZERO).unwrap();
    /// h.ok(a, 1, sim_core::Time::ZERO).unwrap();
    /// assert_eq!(h.events()[1].op, OpId(0));
    /// assert_eq!(h.events()[1].kind, EventKind::Complete);
    /// ```
    pub fn events(&self) -> Vec<Event> {
        let mut out = Vec::with_capacity(self.events as usize);
        for (i, op) in self.ops.iter().enumerate() {
            out.push((
                op.call,
                Event {
                    op: OpId(i),
                    kind: EventKind::Invoke,
                },
            ));
            if let Some(r) = op.ret {
                out.push((
                    r,
                    Event {
                        op: OpId(i),
                        kind: EventKind::Complete,
                    },
                ));
            }
        }
        out.sort_by_key(|(pos, _)| *pos);
        out.into_iter().map(|(_, e)| e).collect()
    }
}

impl<I: Serialize, O: Serialize> History<I, O> {
    /// The history as JSON Lines, one event a line:
    /// `{"index":N,"process":P,"type":"invoke|ok|fail|info","time_us":T,"value":V}`
    /// (an invocation's value is its input, an ok's or fail's its output, an
    /// info's `null`).
    ///
    /// ```
    /// let mut h: sim_history::History<&str, i64> = sim_history::History::new();
    /// let id = h.invoke(0, "read", sim_core::Time::us(5)).unwrap();
    /// h.ok(id, 3, sim_core::Time::us(9)).unwrap();
    /// let text = h.to_jsonl().unwrap();
    /// assert_eq!(text.lines().nth(1), Some(r#"{"index":0,"process":0,"type":"ok","time_us":9,"value":3}"#));
    /// ```
    pub fn to_jsonl(&self) -> Result<String, HistoryError> {
        #[derive(Serialize)]
        struct Line<'a, V: Serialize> {
            index: usize,
            process: u64,
            #[serde(rename = "type")]
            kind: &'static str,
            time_us: u64,
            value: Option<&'a V>,
        }
        fn push<V: Serialize>(out: &mut String, line: &Line<'_, V>) -> Result<(), HistoryError> {
            let text =
                serde_json::to_string(line).map_err(|e| HistoryError::Export(e.to_string()))?;
            out.push_str(&text);
            out.push('\n');
            Ok(())
        }
        let mut out = String::new();
        for e in self.events() {
            let op = &self.ops[e.op.0];
            match e.kind {
                EventKind::Invoke => push(
                    &mut out,
                    &Line {
                        index: e.op.0,
                        process: op.process,
                        kind: "invoke",
                        time_us: op.invoked_at.as_us(),
                        value: Some(&op.input),
                    },
                )?,
                EventKind::Complete => {
                    let value = match &op.status {
                        Status::Ok(o) | Status::Fail(o) => Some(o),
                        Status::Info | Status::Pending => None,
                    };
                    let time_us = op.completed_at.unwrap_or(op.invoked_at).as_us();
                    push(
                        &mut out,
                        &Line {
                            index: e.op.0,
                            process: op.process,
                            kind: op.status.name(),
                            time_us,
                            value,
                        },
                    )?;
                }
            }
        }
        Ok(out)
    }
}

/// A value written the way Jepsen's EDN histories write it.
///
/// ```
/// use sim_history::Edn;
/// assert_eq!("a\"b".to_string().edn(), r#""a\"b""#);
/// assert_eq!(None::<i64>.edn(), "nil");
/// ```
pub trait Edn {
    /// The EDN text of the value.
    fn edn(&self) -> String;
}

impl Edn for i64 {
    fn edn(&self) -> String {
        self.to_string()
    }
}

impl Edn for u64 {
    fn edn(&self) -> String {
        self.to_string()
    }
}

impl Edn for bool {
    fn edn(&self) -> String {
        self.to_string()
    }
}

impl Edn for String {
    fn edn(&self) -> String {
        let mut s = String::with_capacity(self.len() + 2);
        s.push('"');
        for c in self.chars() {
            if c == '"' || c == '\\' {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
        s
    }
}

impl<T: Edn> Edn for Option<T> {
    fn edn(&self) -> String {
        self.as_ref().map_or_else(|| "nil".to_owned(), Edn::edn)
    }
}

impl<T: Edn> Edn for Vec<T> {
    fn edn(&self) -> String {
        let items: Vec<String> = self.iter().map(Edn::edn).collect();
        format!("[{}]", items.join(" "))
    }
}

impl Edn for sim_core::Term {
    /// Erlang's printed form (EDN-like, not EDN).
    fn edn(&self) -> String {
        self.to_string()
    }
}

/// An operation input as a Jepsen map: `:f`, an optional `:key`, `:value`.
///
/// ```
/// use sim_history::{JepsenOp, RegisterOp, Ret};
/// let op: RegisterOp<i64> = RegisterOp::Write(3);
/// assert_eq!(op.f(), "write");
/// assert_eq!(op.completion_value(&Ret::Ok), "3");
/// ```
pub trait JepsenOp {
    /// The output type of completions.
    type Output;
    /// Jepsen's `:f`.
    fn f(&self) -> &'static str;
    /// Jepsen's `:key` as EDN text, for keyed models.
    fn key(&self) -> Option<String> {
        None
    }
    /// `:value` of the invocation.
    fn invoke_value(&self) -> String;
    /// `:value` of an ok or fail completion.
    fn completion_value(&self, output: &Self::Output) -> String;
}

impl<I: JepsenOp<Output = O>, O> History<I, O> {
    /// The history as Jepsen's EDN-like text, one map a line:
    /// `{:process 0, :type :invoke, :f :get, :key "k", :value nil}`.
    ///
    /// ```
    /// use sim_history::{History, KvOp, Ret};
    /// let mut h: History<KvOp<String>, Ret<String>> = History::new();
    /// let id = h.invoke(0, KvOp::Get("k".into()), sim_core::Time::ZERO).unwrap();
    /// h.ok(id, Ret::Value("v".into()), sim_core::Time::ZERO).unwrap();
    /// assert_eq!(h.to_edn().lines().nth(1), Some(r#"{:process 0, :type :ok, :f :get, :key "k", :value "v"}"#));
    /// ```
    pub fn to_edn(&self) -> String {
        let mut out = String::new();
        for e in self.events() {
            let op = &self.ops[e.op.0];
            let (kind, value) = match (e.kind, &op.status) {
                (EventKind::Invoke, _) => ("invoke", op.input.invoke_value()),
                (EventKind::Complete, Status::Ok(o)) => ("ok", op.input.completion_value(o)),
                (EventKind::Complete, Status::Fail(o)) => ("fail", op.input.completion_value(o)),
                (EventKind::Complete, _) => ("info", op.input.invoke_value()),
            };
            let key = op
                .input
                .key()
                .map(|k| format!(", :key {k}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "{{:process {}, :type :{kind}, :f :{}{key}, :value {value}}}\n",
                op.process,
                op.input.f()
            ));
        }
        out
    }
}

impl<I: fmt::Debug, O: fmt::Debug> fmt::Display for History<I, O> {
    /// One event a line: `index process type value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in self.events() {
            let op = &self.ops[e.op.0];
            match e.kind {
                EventKind::Invoke => {
                    writeln!(f, "{} {} invoke {:?}", e.op.0, op.process, op.input)?
                }
                EventKind::Complete => writeln!(f, "{} {} {:?}", e.op.0, op.process, op.status)?,
            }
        }
        Ok(())
    }
}
