//! The trace: every observable event as a serde record, and a rolling digest.
//!
//! **API Boundary:** the JSON form of [`TraceRecord`] is the trace file format
//! (JSON Lines, one record a line). Add variants at the end; never rename fields.
//!
//! Events are emitted as `TraceEvent<&Term>` (borrowing the payload) and folded
//! into the digest (see `digest_event`); only when full recording is on are they
//! cloned into owned `TraceEvent<Term>` records. The digest is computed the same
//! way in both modes, so it does not depend on the trace mode.
//!
//! [`TraceEvent::Label`], [`TraceEvent::Note`], [`TraceEvent::Register`] and
//! [`TraceEvent::Unregister`] are annotations: they say what a process is
//! for or is called, not what it did to another, so the digest leaves them
//! out (a better label never changes a digest or invalidates a replay file)
//! and they are built only when records are kept.

use crate::id::{Pid, Ref};
use crate::signal::SignalKind;
use crate::term::{Atom, Term};
use crate::time::Time;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// What a run keeps of its trace.
///
/// ```
/// use sim_core::TraceMode;
/// assert_eq!(TraceMode::default(), TraceMode::Digest);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub enum TraceMode {
    /// Only the rolling digest (the default: no allocation per event).
    #[default]
    Digest,
    /// The digest and every record, for export and pictures.
    Full,
}

/// Where a traced signal went.
///
/// ```
/// use sim_core::{TraceDest, Pid, Atom};
/// assert_eq!(TraceDest::Pid(Pid::new(0, 1, 1)).to_string(), "<0.1.1>");
/// let n = TraceDest::Name { name: Atom::new("srv"), node: Atom::new("b@sim") };
/// assert_eq!(n.to_string(), "{srv,b@sim}");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceDest {
    /// A process.
    Pid(Pid),
    /// A registered name on a node.
    Name {
        /// The name.
        name: Atom,
        /// The node.
        node: Atom,
    },
    /// A node (spawn requests).
    Node(Atom),
}

impl std::fmt::Display for TraceDest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceDest::Pid(p) => write!(f, "{p}"),
            TraceDest::Name { name, node } => {
                write!(f, "{{{},{}}}", Term::Atom(*name), Term::Atom(*node))
            }
            TraceDest::Node(n) => write!(f, "{}", Term::Atom(*n)),
        }
    }
}

/// One observable event. `T` is the payload type: `&Term` while emitting,
/// `Term` in stored records.
///
/// ```
/// use sim_core::{TraceEvent, Pid, Term, Atom};
/// let e: TraceEvent<Term> = TraceEvent::Exit { pid: Pid::new(0, 1, 1), reason: Term::Atom(Atom::new("normal")) };
/// let json = serde_json::to_string(&e).unwrap();
/// assert!(json.starts_with("{\"ev\":\"exit\""));
/// ```
#[derive(Clone, PartialEq, Debug, Hash, Serialize, Deserialize)]
#[serde(tag = "ev", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TraceEvent<T = Term> {
    /// A process started.
    Spawn {
        /// The new process.
        pid: Pid,
        /// Its node.
        node: Atom,
        /// The spawning process, if any.
        parent: Option<Pid>,
    },
    /// A signal left its sender. `id` links it to its delivery, drop or hold.
    Send {
        /// Unique per run.
        id: u64,
        /// The sender.
        from: Pid,
        /// The destination.
        to: TraceDest,
        /// What kind of signal.
        kind: SignalKind,
        /// The message, exit reason or DOWN reason, where the signal carries one.
        payload: Option<T>,
    },
    /// A signal reached its destination.
    Deliver {
        /// The id from its `Send`.
        id: u64,
        /// The process it reached (`None`: no such process, or a spawn request).
        to: Option<Pid>,
    },
    /// A signal was lost.
    Drop {
        /// The id from its `Send`.
        id: u64,
        /// Why (the fault's name, `noconnection`, ...).
        cause: String,
    },
    /// A signal was held by a deferring cut.
    Hold {
        /// The id from its `Send`.
        id: u64,
    },
    /// A held signal was released into flight again.
    Release {
        /// The id from its `Send`.
        id: u64,
    },
    /// A process took a message from its mailbox.
    Receive {
        /// The receiving process.
        pid: Pid,
        /// The message.
        msg: T,
    },
    /// A process ended.
    Exit {
        /// The process.
        pid: Pid,
        /// Its exit reason.
        reason: T,
    },
    /// A fault or control action was applied.
    Fault {
        /// A description (`partition drop [a@sim] | [b@sim]`, `crash b@sim`).
        what: String,
    },
    /// The connection between two nodes went down.
    ConnectionDown {
        /// One end.
        a: Atom,
        /// The other end.
        b: Atom,
        /// Why.
        cause: String,
    },
    /// Virtual time advanced.
    Advance {
        /// The new time.
        now: Time,
    },
    /// A check failed (the run ends).
    CheckFailed {
        /// The process that checked.
        pid: Pid,
        /// The check's message.
        message: String,
    },
    /// A process said what it is for (an erpc applier names the call it
    /// serves). An annotation: not in the digest.
    Label {
        /// The process.
        pid: Pid,
        /// What it is for (`kv:incr(visits)`).
        text: String,
        /// A reference that ties it to other annotations (the request's).
        key: Option<Ref>,
    },
    /// A process marked a moment (a call that timed out and abandoned its
    /// request). An annotation: not in the digest.
    Note {
        /// The process.
        pid: Pid,
        /// What kind of moment (`timeout`).
        tag: String,
        /// A description.
        text: String,
        /// A reference that ties it to a [`TraceEvent::Label`] with the same key.
        key: Option<Ref>,
    },
    /// A process was suspended by a send that left its connection's buffer
    /// at or over `dist_buf_busy_limit` (OTP's `busy_dist_port`).
    Suspend {
        /// The sender.
        pid: Pid,
        /// The node the busy connection leads to.
        node: Atom,
    },
    /// A suspended sender was resumed: its connection's buffer fell below
    /// the limit, or the connection was lost.
    Resume {
        /// The sender.
        pid: Pid,
    },
    /// A process was registered under a name (`register/2`). An
    /// annotation: not in the digest (what a name changes shows in the
    /// sends that use it).
    Register {
        /// The process.
        pid: Pid,
        /// The name.
        name: Atom,
    },
    /// A name was removed with `unregister/1` (a name also goes with its
    /// process's exit, which the trace shows as the exit). An annotation:
    /// not in the digest.
    Unregister {
        /// The process that had the name.
        pid: Pid,
        /// The name.
        name: Atom,
    },
}

impl TraceEvent<&Term> {
    /// The owned form of a borrowed event.
    ///
    /// ```
    /// use sim_core::{TraceEvent, Pid, Term};
    /// let t = Term::Int(1);
    /// let e = TraceEvent::Receive { pid: Pid::new(0, 1, 1), msg: &t };
    /// assert_eq!(e.to_owned_event(), TraceEvent::Receive { pid: Pid::new(0, 1, 1), msg: Term::Int(1) });
    /// ```
    pub fn to_owned_event(&self) -> TraceEvent<Term> {
        match self {
            TraceEvent::Spawn { pid, node, parent } => TraceEvent::Spawn {
                pid: *pid,
                node: *node,
                parent: *parent,
            },
            TraceEvent::Send {
                id,
                from,
                to,
                kind,
                payload,
            } => TraceEvent::Send {
                id: *id,
                from: *from,
                to: *to,
                kind: *kind,
                payload: payload.map(Term::clone),
            },
            TraceEvent::Deliver { id, to } => TraceEvent::Deliver { id: *id, to: *to },
            TraceEvent::Drop { id, cause } => TraceEvent::Drop {
                id: *id,
                cause: cause.clone(),
            },
            TraceEvent::Hold { id } => TraceEvent::Hold { id: *id },
            TraceEvent::Release { id } => TraceEvent::Release { id: *id },
            TraceEvent::Receive { pid, msg } => TraceEvent::Receive {
                pid: *pid,
                msg: Term::clone(msg),
            },
            TraceEvent::Exit { pid, reason } => TraceEvent::Exit {
                pid: *pid,
                reason: Term::clone(reason),
            },
            TraceEvent::Fault { what } => TraceEvent::Fault { what: what.clone() },
            TraceEvent::ConnectionDown { a, b, cause } => TraceEvent::ConnectionDown {
                a: *a,
                b: *b,
                cause: cause.clone(),
            },
            TraceEvent::Advance { now } => TraceEvent::Advance { now: *now },
            TraceEvent::CheckFailed { pid, message } => TraceEvent::CheckFailed {
                pid: *pid,
                message: message.clone(),
            },
            TraceEvent::Label { pid, text, key } => TraceEvent::Label {
                pid: *pid,
                text: text.clone(),
                key: *key,
            },
            TraceEvent::Note {
                pid,
                tag,
                text,
                key,
            } => TraceEvent::Note {
                pid: *pid,
                tag: tag.clone(),
                text: text.clone(),
                key: *key,
            },
            TraceEvent::Suspend { pid, node } => TraceEvent::Suspend {
                pid: *pid,
                node: *node,
            },
            TraceEvent::Resume { pid } => TraceEvent::Resume { pid: *pid },
            TraceEvent::Register { pid, name } => TraceEvent::Register {
                pid: *pid,
                name: *name,
            },
            TraceEvent::Unregister { pid, name } => TraceEvent::Unregister {
                pid: *pid,
                name: *name,
            },
        }
    }
}

impl std::fmt::Display for TraceEvent<Term> {
    /// One readable line: `<0.3.1> -> {bob,'b@sim'}: message {call,...}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceEvent::Spawn { pid, node, parent } => match parent {
                Some(p) => write!(f, "{p} spawns {pid} on {}", Term::Atom(*node)),
                None => write!(f, "{pid} starts on {}", Term::Atom(*node)),
            },
            TraceEvent::Send {
                id,
                from,
                to,
                kind,
                payload,
            } => {
                let kind = serde_json::to_string(kind).unwrap_or_default();
                let kind = kind.trim_matches('"');
                match payload {
                    Some(p) => write!(f, "#{id} {from} -> {to}: {kind} {p}"),
                    None => write!(f, "#{id} {from} -> {to}: {kind}"),
                }
            }
            TraceEvent::Deliver { id, to: Some(p) } => write!(f, "#{id} delivered to {p}"),
            TraceEvent::Deliver { id, to: None } => write!(f, "#{id} delivered"),
            TraceEvent::Drop { id, cause } => write!(f, "#{id} dropped ({cause})"),
            TraceEvent::Hold { id } => write!(f, "#{id} held"),
            TraceEvent::Release { id } => write!(f, "#{id} released"),
            TraceEvent::Receive { pid, msg } => write!(f, "{pid} receives {msg}"),
            TraceEvent::Exit { pid, reason } => write!(f, "{pid} exits: {reason}"),
            TraceEvent::Fault { what } => write!(f, "fault: {what}"),
            TraceEvent::ConnectionDown { a, b, cause } => write!(
                f,
                "connection {} - {} down ({cause})",
                Term::Atom(*a),
                Term::Atom(*b)
            ),
            TraceEvent::Advance { now } => write!(f, "time advances to {now}"),
            TraceEvent::CheckFailed { pid, message } => write!(f, "{pid} check failed: {message}"),
            TraceEvent::Label { pid, text, .. } => write!(f, "{pid} serves {text}"),
            TraceEvent::Note { pid, tag, text, .. } => write!(f, "{pid} {tag}: {text}"),
            TraceEvent::Suspend { pid, node } => {
                write!(
                    f,
                    "{pid} suspended: busy_dist_port to {}",
                    Term::Atom(*node)
                )
            }
            TraceEvent::Resume { pid } => write!(f, "{pid} resumed"),
            TraceEvent::Register { pid, name } => {
                write!(f, "{pid} registered as {}", Term::Atom(*name))
            }
            TraceEvent::Unregister { pid, name } => {
                write!(f, "{pid} unregistered {}", Term::Atom(*name))
            }
        }
    }
}

/// A stored trace record: the step and virtual time at which an event happened.
///
/// ```
/// use sim_core::{TraceRecord, TraceEvent, Time};
/// let r = TraceRecord { step: 3, time: Time::ms(1), event: TraceEvent::Advance { now: Time::ms(1) } };
/// let line = serde_json::to_string(&r).unwrap();
/// let back: TraceRecord = serde_json::from_str(&line).unwrap();
/// assert_eq!(back, r);
/// ```
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct TraceRecord {
    /// The scheduler step (0 before the first step).
    pub step: u64,
    /// The virtual time.
    pub time: Time,
    /// What happened.
    pub event: TraceEvent<Term>,
}

/// A rolling 64-bit digest: deterministic across runs, threads and trace modes.
///
/// ```
/// use sim_core::Digest;
/// use std::hash::Hasher;
/// let mut a = Digest::default();
/// let mut b = Digest::default();
/// a.write_u64(1);
/// b.write_u64(1);
/// assert_eq!(a.value(), b.value());
/// b.write_u64(2);
/// assert_ne!(a.value(), b.value());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }
}

impl Digest {
    /// The current value.
    ///
    /// ```
    /// use sim_core::Digest;
    /// assert_ne!(Digest::default().value(), 0);
    /// ```
    pub fn value(self) -> u64 {
        self.0
    }

    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    /// Mixes `bytes` as little-endian words; a short tail is zero-padded and, if
    /// `tag_tail`, carries its length in the top byte. The tail is assembled
    /// without a variable-length copy (a `memcpy` call per atom otherwise).
    #[inline]
    fn mix_bytes(&mut self, bytes: &[u8], tag_tail: bool) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let w = rest
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b));
            let tag = if tag_tail {
                (rest.len() as u64) << 56
            } else {
                0
            };
            self.mix(w ^ tag);
        }
    }
}

impl Hasher for Digest {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.mix_bytes(bytes, true);
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }

    fn write_isize(&mut self, i: isize) {
        self.mix(i as u64);
    }
}

/// The trace of one run: digest always, records when [`TraceMode::Full`].
#[derive(Debug)]
pub(crate) struct Tracer {
    pub(crate) mode: TraceMode,
    pub(crate) digest: Digest,
    pub(crate) records: Vec<TraceRecord>,
}

impl Tracer {
    pub(crate) fn new(mode: TraceMode) -> Tracer {
        Tracer {
            mode,
            digest: Digest::default(),
            records: Vec::new(),
        }
    }

    pub(crate) fn emit(&mut self, step: u64, time: Time, ev: TraceEvent<&Term>) {
        digest_event(&mut self.digest, &ev);
        if self.mode == TraceMode::Full {
            self.record(step, time, &ev);
        }
    }

    // The three events of every message, hashed without building (or
    // matching on) a `TraceEvent` unless the run keeps records. They hash
    // exactly as `emit` hashes the same event.

    #[inline(always)]
    pub(crate) fn send(
        &mut self,
        (step, time): (u64, Time),
        id: u64,
        from: Pid,
        to: TraceDest,
        kind: SignalKind,
        payload: Option<&Term>,
    ) {
        digest_send(&mut self.digest, id, from, &to, kind, payload);
        if self.mode == TraceMode::Full {
            let ev = TraceEvent::Send {
                id,
                from,
                to,
                kind,
                payload,
            };
            self.record(step, time, &ev);
        }
    }

    #[inline(always)]
    pub(crate) fn deliver(&mut self, step: u64, time: Time, id: u64, to: Option<Pid>) {
        digest_deliver(&mut self.digest, id, to);
        if self.mode == TraceMode::Full {
            self.record(step, time, &TraceEvent::Deliver { id, to });
        }
    }

    #[inline(always)]
    pub(crate) fn receive(&mut self, step: u64, time: Time, pid: Pid, msg: &Term) {
        digest_receive(&mut self.digest, pid, msg);
        if self.mode == TraceMode::Full {
            self.record(step, time, &TraceEvent::Receive { pid, msg });
        }
    }

    #[cold]
    #[inline(never)]
    fn record(&mut self, step: u64, time: Time, ev: &TraceEvent<&Term>) {
        self.records.push(TraceRecord {
            step,
            time,
            event: ev.to_owned_event(),
        });
    }
}

// ---- the digest of one event ----------------------------------------------
//
// The digest used to be `derive(Hash)` over the event: one multiply per field,
// pids three words, a term's rank and tag a word each, every multiply in one
// dependent chain (27 for a local message's send, delivery and receive). Each
// event now folds its tags and node numbers into one header word, a pid into
// one word and a scalar term into one word (11 for the same message). It still
// covers every field of every event.

const K_NODE: u64 = 0x9e37_79b9_7f4a_7c15;

/// A pid as one word: index and serial exact, the node folded in.
#[inline(always)]
fn pid_word(p: Pid) -> u64 {
    ((u64::from(p.index()) << 32) | u64::from(p.serial()))
        ^ u64::from(p.node().0).wrapping_mul(K_NODE)
}

fn str_word(s: &str) -> u64 {
    let mut d = Digest(Digest::default().0 ^ s.len() as u64);
    d.mix_bytes(s.as_bytes(), false);
    d.value()
}

/// An atom as one word: its name's hash, cached at interning (the same word
/// `str_word` gives its name, so scalar atoms digest as they did).
#[inline]
fn atom_word(a: Atom) -> u64 {
    a.hash_word()
}

/// A term as a tag (for the header) and one word. Compound terms go through
/// `Term`'s `Hash`, which agrees with `=:=` (every spelling of a list alike).
#[inline(always)]
fn term_word(t: &Term) -> (u64, u64) {
    term_word_at(t, 0)
}

/// Tuples nested deeper than this digest through `Term`'s `Hash`, which needs
/// no recursion, so no message depth can overflow the stack here.
const TUPLE_WORD_DEPTH: u32 = 32;

#[inline]
fn term_word_at(t: &Term, depth: u32) -> (u64, u64) {
    match t {
        Term::Int(i) => (1, *i as u64),
        Term::Atom(a) => (2, atom_word(*a)),
        Term::Pid(p) => (3, pid_word(*p)),
        Term::Ref(r) => {
            let [a, b, c] = r.words();
            (
                4,
                ((u64::from(b) << 32) | u64::from(c))
                    ^ u64::from(a).rotate_left(24)
                    ^ u64::from(r.node().0).wrapping_mul(K_NODE),
            )
        }
        _ => (5, compound_word(t, depth)),
    }
}

#[inline(never)]
fn compound_word(t: &Term, depth: u32) -> u64 {
    let mut d = Digest::default();
    match t {
        // Tuples (`'DOWN'`, replies) element by element, each as one word;
        // they have one spelling, so this agrees with `=:=`.
        Term::Tuple(v) if depth < TUPLE_WORD_DEPTH => {
            d.mix(0x7475_706c_6500 | v.len() as u64);
            for e in v {
                let (tag, w) = term_word_at(e, depth + 1);
                d.mix(w ^ tag.wrapping_mul(K_NODE).rotate_left(17));
            }
        }
        _ => t.hash(&mut d),
    }
    d.value()
}

#[inline]
fn dest_word(to: &TraceDest) -> (u64, u64) {
    match *to {
        TraceDest::Pid(p) => (1, pid_word(p)),
        TraceDest::Name { name, node } => (2, atom_word(name) ^ atom_word(node).rotate_left(32)),
        TraceDest::Node(n) => (3, atom_word(n)),
    }
}

/// Header word: the event's tag and up to three small tags.
#[inline]
fn header(event: u64, a: u64, b: u64, c: u64) -> u64 {
    event | (a << 8) | (b << 16) | (c << 24)
}

#[inline(always)]
fn digest_send(
    d: &mut Digest,
    id: u64,
    from: Pid,
    to: &TraceDest,
    kind: SignalKind,
    payload: Option<&Term>,
) {
    let (dt, dw) = dest_word(to);
    let (tt, tw) = payload.map_or((0, 0), term_word);
    d.mix(header(1, kind as u64, dt, tt));
    d.mix(id);
    d.mix(pid_word(from));
    d.mix(dw);
    if payload.is_some() {
        d.mix(tw);
    }
}

#[inline(always)]
fn digest_deliver(d: &mut Digest, id: u64, to: Option<Pid>) {
    d.mix(header(2, u64::from(to.is_some()), 0, 0));
    d.mix(id);
    if let Some(p) = to {
        d.mix(pid_word(p));
    }
}

#[inline(always)]
fn digest_receive(d: &mut Digest, pid: Pid, msg: &Term) {
    let (tt, tw) = term_word(msg);
    d.mix(header(6, tt, 0, 0));
    d.mix(pid_word(pid));
    d.mix(tw);
}

fn digest_event(d: &mut Digest, ev: &TraceEvent<&Term>) {
    match ev {
        TraceEvent::Spawn { pid, node, parent } => {
            d.mix(header(0, u64::from(parent.is_some()), 0, 0));
            d.mix(pid_word(*pid));
            d.mix(atom_word(*node));
            if let Some(p) = parent {
                d.mix(pid_word(*p));
            }
        }
        TraceEvent::Send {
            id,
            from,
            to,
            kind,
            payload,
        } => digest_send(d, *id, *from, to, *kind, *payload),
        TraceEvent::Deliver { id, to } => digest_deliver(d, *id, *to),
        TraceEvent::Drop { id, cause } => {
            d.mix(header(3, 0, 0, 0));
            d.mix(*id);
            d.mix(str_word(cause));
        }
        TraceEvent::Hold { id } => {
            d.mix(header(4, 0, 0, 0));
            d.mix(*id);
        }
        TraceEvent::Release { id } => {
            d.mix(header(5, 0, 0, 0));
            d.mix(*id);
        }
        TraceEvent::Receive { pid, msg } => digest_receive(d, *pid, msg),
        TraceEvent::Exit { pid, reason } => {
            let (tt, tw) = term_word(reason);
            d.mix(header(7, tt, 0, 0));
            d.mix(pid_word(*pid));
            d.mix(tw);
        }
        TraceEvent::Fault { what } => {
            d.mix(header(8, 0, 0, 0));
            d.mix(str_word(what));
        }
        TraceEvent::ConnectionDown { a, b, cause } => {
            d.mix(header(9, 0, 0, 0));
            d.mix(atom_word(*a));
            d.mix(atom_word(*b));
            d.mix(str_word(cause));
        }
        TraceEvent::Advance { now } => {
            d.mix(header(10, 0, 0, 0));
            d.mix(now.as_us());
        }
        TraceEvent::CheckFailed { pid, message } => {
            d.mix(header(11, 0, 0, 0));
            d.mix(pid_word(*pid));
            d.mix(str_word(message));
        }
        // Emitted only when connection buffers are on, so a run without
        // them digests as it always did.
        TraceEvent::Suspend { pid, node } => {
            d.mix(header(12, 0, 0, 0));
            d.mix(pid_word(*pid));
            d.mix(atom_word(*node));
        }
        TraceEvent::Resume { pid } => {
            d.mix(header(13, 0, 0, 0));
            d.mix(pid_word(*pid));
        }
        // Annotations: see the module documentation.
        TraceEvent::Label { .. }
        | TraceEvent::Note { .. }
        | TraceEvent::Register { .. }
        | TraceEvent::Unregister { .. } => {}
    }
}

/// Writes records as JSON Lines (one JSON object a line).
///
/// ```
/// use sim_core::{trace_to_jsonl, TraceRecord, TraceEvent, Time};
/// let recs = vec![TraceRecord { step: 0, time: Time::ZERO, event: TraceEvent::Advance { now: Time::ZERO } }];
/// let text = trace_to_jsonl(&recs).unwrap();
/// assert_eq!(text.lines().count(), 1);
/// ```
pub fn trace_to_jsonl(records: &[TraceRecord]) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for r in records {
        out.push_str(&serde_json::to_string(r)?);
        out.push('\n');
    }
    Ok(out)
}
