//! The conformance harness: the oracle's topology rebuilt in the simulator, the
//! helper module `oracle_fns`, and the normalisation the corpus applies before
//! printing (node names become `'N0'`.., pids `'<self>'`/`'<pid@N1>'`, refs
//! `'<ref>'`, stacks their first frame `[{M,F,Arity}]`).

use erpc_sim::prelude::*;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

/// One line of `otp25.jsonl`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Record {
    pub id: String,
    pub group: String,
    pub observed: String,
    pub mailbox_after: String,
}

pub fn records() -> Vec<Record> {
    include_str!("otp25.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("otp25.jsonl line parses"))
        .collect()
}

/// What a scenario produced, printed after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub observed: String,
    pub mailbox_after: String,
}

/// Node names of the oracle's topology: `N0` is the caller, `N1`..`N3` peers
/// (`N1` and `N2` run `oracle_reg`), `T` a node scenarios crash and restart,
/// `NX` a name no node has.
pub const N0: &str = "n0@sim";
pub const N1: &str = "n1@sim";
pub const N2: &str = "n2@sim";
pub const N3: &str = "n3@sim";
pub const T: &str = "t@sim";
pub const NX: &str = "nx@sim";

/// What a scenario body gets: its process context and the node names.
#[derive(Clone, Debug)]
#[allow(dead_code)] // each field is used by some scenario group
pub struct Env {
    pub cx: Cx,
    pub n0: Atom,
    pub n1: Atom,
    pub n2: Atom,
    pub n3: Atom,
    pub t: Atom,
    pub nx: Atom,
}

/// Seeds the reachability check runs every scenario under with the explorer's
/// default strategy ([`Random`]): the recorded outcome must be among what they
/// print.
pub const REACH_SEEDS: std::ops::Range<u64> = 0..20;

thread_local! {
    /// What the default strategy printed over [`REACH_SEEDS`] for the latest
    /// scenario, distinct, in first-seen order.
    static SEEN: RefCell<Vec<Observed>> = const { RefCell::new(Vec::new()) };
}

/// Takes what the default strategy printed for the scenario that just ran.
pub fn take_seen() -> Vec<Observed> {
    SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

/// Options for unusual scenarios.
#[derive(Clone, Copy, Debug, Default)]
pub struct Opts {
    /// Nodes refusing spawn requests (`notsup`).
    pub no_spawn_request: &'static [&'static str],
    /// A process limit for `N1`.
    pub n1_process_limit: Option<usize>,
    /// Installs faults before the run (`sim.at(time, fault)`): what the
    /// oracle did to its nodes from outside (a freeze, a kill, a restart).
    pub faults: Option<fn(&mut Sim)>,
}

/// Runs `body` on `N0` under the BEAM-like order ([`RoundRobin`]), whose
/// outcome must be the recorded one (and the same with
/// [`LocalSignals::Instant`]), and under [`Random`] with every seed of
/// [`REACH_SEEDS`] (see [`take_seen`]); panics if a run does not finish.
pub fn run<F, Fut>(body: F) -> Observed
where
    F: Fn(Env) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    run_with(Opts::default(), body)
}

/// [`run`] with `faults` installed in the simulation before it runs (the same
/// schedule under every seed).
pub fn run_with_faults<F, Fut>(faults: fn(&mut Sim), body: F) -> Observed
where
    F: Fn(Env) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let opts = Opts {
        faults: Some(faults),
        ..Opts::default()
    };
    run_with(opts, body)
}

/// [`run`] with options.
pub fn run_with<F, Fut>(opts: Opts, body: F) -> Observed
where
    F: Fn(Env) -> Fut + Clone + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let beam = run_seed(0, true, LocalSignals::Async, opts, body.clone());
    // The BEAM-like order delivers a local signal before anything else, so
    // it must print the same whether local signals are events or instant.
    let instant = run_seed(0, true, LocalSignals::Instant, opts, body.clone());
    assert_eq!(beam, instant, "local signals as events vs instant");
    let mut seen: Vec<Observed> = Vec::new();
    for seed in REACH_SEEDS {
        let got = run_seed(seed, false, LocalSignals::Async, opts, body.clone());
        if !seen.contains(&got) {
            seen.push(got);
        }
    }
    SEEN.with(|s| *s.borrow_mut() = seen);
    beam
}

fn run_seed<F, Fut>(
    seed: u64,
    beam: bool,
    local_signals: LocalSignals,
    opts: Opts,
    body: F,
) -> Observed
where
    F: Fn(Env) -> Fut + 'static,
    Fut: Future<Output = Result<Term, Exception>> + 'static,
{
    let marks = Rc::new(RefCell::new(Vec::<(Atom, Term)>::new()));
    let mut b = erpc_sim::builder()
        .seed(seed)
        .local_signals(local_signals)
        .nodes([N0, N1, N2, N3, T])
        .module_everywhere(oracle_fns(marks))
        .boot(N1, reg_loop)
        .boot(N2, reg_loop)
        .max_time(Time::secs(600));
    b = if beam {
        b.strategy(RoundRobin::default())
    } else {
        b.strategy(Random::default())
    };
    for n in opts.no_spawn_request {
        b = b.without_spawn_request(n);
    }
    if let Some(l) = opts.n1_process_limit {
        b = b.process_limit(N1, l);
    }
    let mut sim = b.build().expect("the oracle topology builds");
    if let Some(install) = opts.faults {
        install(&mut sim);
    }
    let out: Rc<RefCell<Option<(Term, Term, Pid)>>> = Rc::new(RefCell::new(None));
    let out2 = out.clone();
    sim.spawn(N0, move |cx| async move {
        let env = Env {
            cx: cx.clone(),
            n0: Atom::new(N0),
            n1: Atom::new(N1),
            n2: Atom::new(N2),
            n3: Atom::new(N3),
            t: Atom::new(T),
            nx: Atom::new(NX),
        };
        let v = body(env).await?;
        // The recording read the mailbox 100 ms after the scenario returned.
        cx.sleep(Time::ms(100)).await;
        let mb = Term::List(cx.flush());
        *out2.borrow_mut() = Some((v, mb, cx.self_pid()));
        Ok(Term::atom("done"))
    })
    .expect("spawn the scenario process");
    let report = sim.run();
    let Some((v, mb, me)) = out.borrow_mut().take() else {
        panic!("scenario did not finish (seed {seed}):\n{report}");
    };
    Observed {
        observed: normalize(&v, me).to_string(),
        mailbox_after: normalize(&mb, me).to_string(),
    }
}

fn node_label(a: &str) -> Option<&'static str> {
    Some(match a {
        N0 => "N0",
        N1 => "N1",
        N2 => "N2",
        N3 => "N3",
        T => "T",
        NX => "NX",
        _ => return None,
    })
}

fn label_of_node_index(i: u32) -> &'static str {
    ["N0", "N1", "N2", "N3", "T"]
        .get(i as usize)
        .copied()
        .unwrap_or("N?")
}

fn is_frame(t: &Term) -> bool {
    matches!(t, Term::Tuple(f) if f.len() == 4
        && matches!(f[0], Term::Atom(_)) && matches!(f[1], Term::Atom(_))
        && matches!(f[2], Term::Int(_) | Term::List(_)) && matches!(f[3], Term::List(_)))
}

/// The corpus's normalisation, applied to a scenario's raw result.
pub fn normalize(t: &Term, me: Pid) -> Term {
    match t {
        Term::Atom(a) => match node_label(a.as_str()) {
            Some(l) => Term::atom(l),
            None => t.clone(),
        },
        Term::Pid(p) if *p == me => Term::atom("<self>"),
        Term::Pid(p) => Term::atom(&format!("<pid@{}>", label_of_node_index(p.node().0))),
        Term::Ref(_) => Term::atom("<ref>"),
        Term::List(items) if !items.is_empty() && items.iter().all(is_frame) => {
            // A stack trace: keep its first frame as {M, F, Arity}.
            let Term::Tuple(f) = &items[0] else {
                unreachable!()
            };
            let arity = match &f[2] {
                Term::List(a) => Term::Int(a.len() as i64),
                other => other.clone(),
            };
            Term::List(vec![Term::Tuple(vec![f[0].clone(), f[1].clone(), arity])])
        }
        Term::Tuple(items) => Term::Tuple(items.iter().map(|x| normalize(x, me)).collect()),
        Term::List(items) => Term::List(items.iter().map(|x| normalize(x, me)).collect()),
        Term::ImproperList(items, tail) => Term::ImproperList(
            items.iter().map(|x| normalize(x, me)).collect(),
            Box::new(normalize(tail, me)),
        ),
        Term::Map(m) => Term::Map(
            m.iter()
                .map(|(k, v)| (normalize(k, me), normalize(v, me)))
                .collect(),
        ),
        _ => t.clone(),
    }
}

/// `?T(Expr)`: `{ok, V}` or `{Class, Reason}`.
#[allow(dead_code)] // used by scenario groups as they are added
pub fn t(r: Result<Term, Exception>) -> Term {
    match r {
        Ok(v) => Term::tuple([Term::atom("ok"), v]),
        Err(e) => e.class_reason(),
    }
}

fn arg(a: &[Term], i: usize) -> Term {
    a.get(i).cloned().unwrap_or(Term::atom("undefined"))
}

fn ms(t: &Term) -> Time {
    match t {
        Term::Int(n) if *n >= 0 => Time::ms(*n as u64),
        _ => Time::ZERO,
    }
}

/// `oracle_fns`, the helper module the oracle loaded on every node.
pub fn oracle_fns(marks: Rc<RefCell<Vec<(Atom, Term)>>>) -> Module {
    let m1 = marks.clone();
    let m2 = marks.clone();
    let m3 = marks;
    Module::new("oracle_fns")
        .function(
            "node_name",
            0,
            |cx, _| async move { Ok(Term::Atom(cx.node())) },
        )
        .function("sleep_ret", 2, |cx, a| async move {
            cx.sleep(ms(&arg(&a, 0))).await;
            Ok(arg(&a, 1))
        })
        .function("sleep_mark", 3, move |cx, a| {
            let marks = m1.clone();
            async move {
                cx.sleep(ms(&arg(&a, 0))).await;
                marks.borrow_mut().push((cx.node(), arg(&a, 1)));
                Ok(arg(&a, 2))
            }
        })
        .function("mark", 1, move |cx, a| {
            let marks = m2.clone();
            async move {
                marks.borrow_mut().push((cx.node(), arg(&a, 0)));
                Ok(Term::atom("done"))
            }
        })
        .function("get_mark", 1, move |cx, a| {
            let marks = m3.clone();
            async move {
                let k = arg(&a, 0);
                let found = marks
                    .borrow()
                    .iter()
                    .any(|(n, x)| *n == cx.node() && *x == k);
                Ok(Term::atom(if found { "done" } else { "missing" }))
            }
        })
        .function("exit_self_signal", 1, |cx, a| async move {
            cx.exit(cx.self_pid(), arg(&a, 0)).await;
            cx.sleep(Time::MAX).await;
            Ok(Term::atom("ok"))
        })
        .function("deep_error", 1, |_cx, a| async move {
            Err(deep_error(arg(&a, 0)))
        })
        .function("level1", 1, |_cx, a| async move {
            let mut e = deep_error(arg(&a, 0));
            e.stack.truncate(2);
            Err(e)
        })
        .function("send_then_return", 3, |cx, a| async move {
            if let Term::Pid(to) = arg(&a, 0) {
                cx.send(to, arg(&a, 1)).await?;
            }
            Ok(arg(&a, 2))
        })
        .function("send_seq", 2, |cx, a| async move {
            if let (Term::Pid(to), Term::Int(n)) = (arg(&a, 0), arg(&a, 1)) {
                for i in 1..=n {
                    cx.send(to, Term::tuple([Term::atom("seq"), Term::Int(i)]))
                        .await?;
                }
            }
            Ok(Term::atom("sent"))
        })
        .function("send_node", 2, |cx, a| async move {
            if let Term::Pid(to) = arg(&a, 0) {
                cx.send(to, Term::tuple([arg(&a, 1), Term::Atom(cx.node())]))
                    .await?;
            }
            Ok(Term::atom("ok"))
        })
        .function("halt_after", 1, |cx, a| async move {
            cx.sleep(ms(&arg(&a, 0))).await;
            cx.halt().await;
            Ok(Term::atom("ok"))
        })
        .function("return_exit_tuple", 1, |_cx, a| async move {
            Ok(Term::tuple([Term::atom("EXIT"), arg(&a, 0)]))
        })
        .function("throw_exit_tuple", 1, |_cx, a| async move {
            Err(Exception::throw(Term::tuple([
                Term::atom("EXIT"),
                arg(&a, 0),
            ])))
        })
}

/// The stack OTP reports for `oracle_fns:deep_error(X)`: raised in `level2/1`
/// with its arguments, then the callers.
pub fn deep_error(x: Term) -> Exception {
    Exception::error(x.clone())
        .with_frame(Frame::with_args("oracle_fns", "level2", vec![x]))
        .with_frame(Frame::new("oracle_fns", "level1", 1))
        .with_frame(Frame::new("oracle_fns", "deep_error", 1))
}

/// `oracle_fns:reg_loop/0` registered as `oracle_reg` (booted on `N1`, `N2`).
pub async fn reg_loop(cx: Cx) -> Result<Term, Exception> {
    cx.register("oracle_reg", cx.self_pid()).await?;
    let mut acc: Vec<Term> = Vec::new();
    loop {
        let m = cx.recv().await;
        let items = match &m {
            Term::Tuple(t) => t.clone(),
            _ => Vec::new(),
        };
        match items.as_slice() {
            [tag, Term::Pid(to), payload] if tag.is_atom("fwd") => {
                cx.send(
                    *to,
                    Term::tuple([Term::atom("got"), Term::Atom(cx.node()), payload.clone()]),
                )
                .await?;
            }
            [Term::Pid(from), Term::Tuple(req)] if req.len() == 2 && req[0].is_atom("ping") => {
                let pong = Term::tuple([Term::atom("pong"), req[1].clone()]);
                cx.send(
                    *from,
                    Term::tuple([Term::atom("oracle_reg"), Term::Atom(cx.node()), pong]),
                )
                .await?;
            }
            [Term::Pid(from), what] if what.is_atom("mailbox_dump") => {
                let dump = Term::List(std::mem::take(&mut acc));
                cx.send(
                    *from,
                    Term::tuple([Term::atom("oracle_reg"), Term::Atom(cx.node()), dump]),
                )
                .await?;
            }
            _ => acc.push(m),
        }
    }
}

// ---- helpers shared by the scenario groups ---------------------------------

/// `oracle:flush(Ms)` as the recording ran it: sleep `ms`, then take every
/// message already queued.
pub async fn flush(cx: &Cx, ms: u64) -> Term {
    cx.sleep(Time::ms(ms)).await;
    Term::List(cx.flush())
}

/// `erlang:F(Args)` applied with terms: the value the BIF computes.
#[allow(dead_code)] // not every group uses every helper
pub async fn erl(cx: &Cx, f: &str, args: Vec<Term>) -> Result<Term, Exception> {
    cx.apply(Atom::new("erlang"), Atom::new(f), args).await
}

/// `element(I + 1, M)` of a tuple message, or `undefined`.
#[allow(dead_code)] // not every group uses every helper
pub fn elem(m: &Term, i: usize) -> Term {
    m.as_tuple()
        .and_then(|t| t.get(i))
        .cloned()
        .unwrap_or(Term::atom("undefined"))
}

/// Whether `m` is a tuple whose first element is the atom `tag`.
#[allow(dead_code)]
pub fn tagged(m: &Term, tag: &str) -> bool {
    matches!(m.as_tuple(), Some([t, ..]) if t.is_atom(tag))
}

/// `oracle:nsort/1`: a list sorted (anything else unchanged).
#[allow(dead_code)]
pub fn nsort(t: Term) -> Term {
    match t.into_list() {
        Ok(mut v) => {
            v.sort();
            Term::List(v)
        }
        Err(other) => other,
    }
}

/// `error(Reason)` raised inside an anonymous fun of `oracle_scenarios`.
#[allow(dead_code)]
pub fn fun_error(reason: Term) -> Exception {
    Exception::error(reason).with_frame(Frame::new("oracle_scenarios", "<fun>", 0))
}

/// `oracle:kill9(Node)`: the node dies at once.
#[allow(dead_code)]
pub async fn kill9(cx: &Cx, node: Atom) -> Result<(), Exception> {
    cx.spawn_on(node, |c| async move {
        c.halt().await;
        Ok(Term::atom("ok"))
    })
    .await?;
    Ok(())
}
