//! Exploration: the strategies find interleaving-only bugs, DFS enumerates,
//! PCT keeps its probabilistic bound, the shrinker reaches small runs, and
//! schedules record compactly.
//!
//! A custom runner (`harness = false`): one line per check,
//! `exploration: <check>: <figure>`, and last `exploration: N/M checks hold`;
//! it exits with 1 if any check fails.

use erpc_sim::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

mod nemesis;
mod race;
mod window;
mod written;

const S: &str = "s@sim";
const C1: &str = "c1@sim";
const C2: &str = "c2@sim";
/// The second client starts this much later, so the order in which the
/// network delivers at the start of each window never exposes the bugs.
const STAGGER: Time = Time::us(500);

type Check = (&'static str, fn() -> Result<String, String>);

/// Always the first enabled event: the current process goes on, else the
/// first process, else the first delivery or timer.
#[derive(Debug, Default)]
struct First;

impl Strategy for First {
    fn name(&self) -> String {
        "first".into()
    }
    fn start(&mut self, _seed: u64) {}
    fn pick(&mut self, _enabled: &[Event]) -> usize {
        0
    }
}

fn msg(cx: &Cx) -> Result<Term, Exception> {
    Ok(Term::Pid(cx.self_pid()))
}

/// The counter: `{get, From}` answers `{value, N}`, `{put, V, From}` sets it,
/// `{incr, From}` adds one atomically (the fixed protocol). After two writes
/// it checks that neither was lost.
async fn counter(cx: Cx) -> Result<Term, Exception> {
    cx.register("counter", cx.self_pid()).await?;
    let (mut n, mut writes) = (0i64, 0);
    while writes < 2 {
        let m = cx.recv().await;
        match m.as_tuple() {
            Some([t, Term::Pid(from)]) if t.is_atom("get") => {
                cx.send(*from, tuple![atom!("value"), n]).await?;
            }
            Some([t, Term::Int(v), Term::Pid(from)]) if t.is_atom("put") => {
                n = *v;
                writes += 1;
                cx.send(*from, atom!("ok")).await?;
            }
            Some([t, Term::Pid(from)]) if t.is_atom("incr") => {
                n += 1;
                writes += 1;
                cx.send(*from, atom!("ok")).await?;
            }
            _ => {}
        }
    }
    cx.check(n == 2, "no update is lost")?;
    Ok(Term::Int(n))
}

/// Two servers on two nodes calling each other synchronously.
fn deadlock_program(b: SimBuilder) -> Sim {
    deadlock_by_pid(false)(b)
}

const DATA_SEED: u64 = 3;

fn first_passes(program: fn(SimBuilder) -> Sim) -> Result<(), String> {
    let r = program(Sim::builder().seed(DATA_SEED).strategy(First)).run();
    if r.outcome.is_ok() {
        Ok(())
    } else {
        Err(format!(
            "first-enabled fails on data seed {DATA_SEED}: {}",
            r.outcome
        ))
    }
}

/// Schedules until the strategy finds the planted bug (`want`), or why not.
fn schedules_to_failure(
    kind: StrategyKind,
    program: fn(SimBuilder) -> Sim,
    want: fn(&Outcome) -> bool,
) -> Result<u64, String> {
    let r = Explorer::new("sensitivity")
        .strategy(kind)
        .data_seed(DATA_SEED)
        .iterations(50)
        .threads(1)
        .shrink(false)
        .write_files(false)
        .quiet(true)
        .run(program);
    match r.failure {
        Some(f) if want(&f.outcome) => Ok(r.runs),
        Some(f) => Err(format!("found another failure: {}", f.outcome)),
        None => Err("found nothing in 50 schedules".into()),
    }
}

fn sensitivity(
    program: fn(SimBuilder) -> Sim,
    want: fn(&Outcome) -> bool,
) -> Result<String, String> {
    first_passes(program)?;
    let mut out = Vec::new();
    for (name, kind) in [
        ("random", StrategyKind::Random),
        ("pct(2)", StrategyKind::Pct { depth: 2 }),
        ("pos", StrategyKind::Pos),
    ] {
        match schedules_to_failure(kind, program, want) {
            Ok(n) => out.push(format!("{name} {n}")),
            Err(e) => return Err(format!("{name}: {e}")),
        }
    }
    Ok(format!(
        "first-enabled passes; schedules to failure: {}",
        out.join(", ")
    ))
}

// The clients talk to the counter by pid, and the callers to each other by
// pid: a message to a registered name can arrive before a just-spawned
// process has registered it (the explorer's run window lets it), and is
// then lost, which Erlang allows and is not the bug these programs plant.
fn lost_update(b: SimBuilder) -> Sim {
    counter_by_pid(false)(b)
}

fn lost_update_fixed(b: SimBuilder) -> Sim {
    counter_by_pid(true)(b)
}

fn check_sensitivity_lost_update() -> Result<String, String> {
    sensitivity(
        lost_update,
        |o| matches!(o, Outcome::CheckFailed { message, .. } if message == "no update is lost"),
    )
}

fn check_sensitivity_deadlock() -> Result<String, String> {
    sensitivity(deadlock_program, |o| matches!(o, Outcome::Deadlock { .. }))
}

fn quiet(name: &str) -> Explorer {
    Explorer::new(name)
        .threads(1)
        .write_files(false)
        .quiet(true)
}

/// `n` processes on one node, each sending itself `k` messages (each send a
/// sync point), started together.
fn self_senders(n: usize, k: usize) -> impl Fn(SimBuilder) -> Sim + Sync {
    move |b: SimBuilder| {
        let mut sim = b.nodes([S]).build().expect("one node");
        for _ in 0..n {
            sim.spawn(S, move |cx| async move {
                for i in 0..k {
                    cx.send(cx.self_pid(), Term::Int(i as i64)).await?;
                }
                Ok(atom!("ok"))
            })
            .expect("spawn");
        }
        sim
    }
}

fn binomial(n: u64, k: u64) -> u64 {
    (1..=k).fold(1, |acc, i| acc * (n + 1 - i) / i)
}

fn check_dfs_counts() -> Result<String, String> {
    // By hand: a process sending itself k messages takes k + 1 steps (one
    // up to each send, one to return), and two such processes interleave
    // in C(2(k+1), k+1) ways: every order of their steps is one schedule.
    for k in 1..=3u64 {
        let r =
            quiet("dfs-count").explore_dfs(Dfs::new(10_000), 100_000, self_senders(2, k as usize));
        let want = binomial(2 * (k + 1), k + 1);
        if !r.exhausted || r.runs != want {
            return Err(format!(
                "two processes of {k} sends: {} schedules (exhausted {}), by hand {want}",
                r.runs, r.exhausted
            ));
        }
    }
    // Preemption-bounded: with no preemption, each process runs to its end
    // once started: 2 schedules (who goes first).
    let r = quiet("dfs-bound").explore_dfs(
        Dfs::new(10_000).preemption_bound(0),
        1_000,
        self_senders(2, 3),
    );
    if !r.exhausted || r.runs != 2 {
        return Err(format!("bound 0: {} schedules", r.runs));
    }
    Ok(
        "2 processes x k sends: C(2(k+1), k+1) = 2, 6, 20 for k = 1, 2, 3; 2 with no preemption"
            .into(),
    )
}

fn check_dfs_lost_update() -> Result<String, String> {
    let mut found = Vec::new();
    for seed in 0..5u64 {
        let r = quiet("dfs-lost-update").data_seed(seed).explore_dfs(
            Dfs::new(10_000),
            200_000,
            lost_update,
        );
        match r.failure {
            Some(_) => found.push(r.runs),
            None => {
                return Err(format!(
                    "data seed {seed}: no failure in {} schedules",
                    r.runs
                ))
            }
        }
    }
    let fixed = quiet("dfs-fixed").explore_dfs(Dfs::new(10_000), 2_000_000, lost_update_fixed);
    if !fixed.exhausted || fixed.failure.is_some() {
        return Err(format!(
            "fixed version: {} schedules, exhausted {}, failure {}",
            fixed.runs,
            fixed.exhausted,
            fixed.failure.is_some()
        ));
    }
    Ok(format!(
        "bug found on 5 data seeds after {found:?} schedules; fixed version: all {} interleavings pass",
        fixed.runs
    ))
}

type Log = Rc<RefCell<Vec<(usize, usize)>>>;

/// `n` processes of `m` steps each, logging their steps in one shared list,
/// under PCT(2) with schedule seed `seed` and length estimate `k` (or the
/// default strategy when `k` is 0).
fn pct_program(n: usize, m: usize, log: Log, seed: u64, k: u64) -> Sim {
    let mut b = Sim::builder().schedule_seed(seed).nodes([S]);
    if k > 0 {
        b = b.strategy(Pct::with_estimate(2, k));
    }
    let mut sim = b.build().expect("one node");
    for p in 0..n {
        let log = log.clone();
        sim.spawn(S, move |cx| async move {
            for s in 0..m {
                log.borrow_mut().push((p, s));
                cx.send(cx.self_pid(), Term::Int(s as i64)).await?;
            }
            Ok(atom!("ok"))
        })
        .expect("spawn");
    }
    sim
}

fn check_pct_bound() -> Result<String, String> {
    let (n, m) = (4usize, 4usize);
    // The planted bug, of depth 2: process 0 takes its first step, then
    // process 1 runs to its end, and only then process 0 goes on.
    let bug = |log: &[(usize, usize)]| {
        let pos = |e: (usize, usize)| log.iter().position(|x| *x == e);
        match (pos((0, 0)), pos((0, 1)), pos((1, 0)), pos((1, m - 1))) {
            (Some(a0), Some(a1), Some(b0), Some(b1)) => a0 < b0 && b1 < a1,
            _ => false,
        }
    };
    let k = pct_program(n, m, Rc::default(), 0, 0).run().steps;
    let runs = 1_000u64;
    let mut hits = 0u64;
    for seed in 0..runs {
        let log: Log = Rc::default();
        pct_program(n, m, log.clone(), seed, k).run().assert_ok();
        if bug(&log.borrow()) {
            hits += 1;
        }
    }
    let bound = runs as f64 / (n as f64 * k as f64);
    if (hits as f64) < bound {
        return Err(format!(
            "{hits}/{runs} runs, bound 1/(n k) = {bound:.1} (n {n}, k {k})"
        ));
    }
    Ok(format!(
        "{hits}/{runs} runs hit it, bound 1/(n k) gives {bound:.1} (n = {n}, k = {k} steps)"
    ))
}

/// Shrinks the first failure `strategy` finds and compares it with the
/// hand-minimal run, written as an order the simulator follows on the same
/// data seed: `(steps, preemptions)`.
fn shrinks_to(
    name: &str,
    program: fn(SimBuilder) -> Sim,
    order: written::Written,
) -> Result<String, String> {
    let r = quiet(name)
        .data_seed(DATA_SEED)
        .iterations(200)
        .run(program);
    let f = r.failure.ok_or("no failure found")?;
    let (steps, pre) = (f.report.steps, f.report.preemptions);
    let minimal = written::hand_minimal(&program, DATA_SEED, order, &f.outcome)?;
    let again = quiet(name).replay(&f.replay, program);
    if again.divergence.is_some() || again.digest != f.report.digest {
        return Err(format!(
            "the shrunk run does not replay: {:?}",
            again.divergence
        ));
    }
    if !written::within_twice((steps, pre), minimal) {
        return Err(format!(
            "shrunk to {steps} steps, {pre} preemptions; hand-minimal {} and {}",
            minimal.0, minimal.1
        ));
    }
    Ok(format!(
        "{} -> {steps} steps, {pre} preemptions, {} replays (hand-minimal {} and {})",
        f.original_steps, f.shrink_runs, minimal.0, minimal.1
    ))
}

/// The hand-minimal lost update: both gets must be served before the first
/// put, which needs the second client's timer to fire before the first
/// client's put arrives: the order of a timer and a delivery, not a
/// preemption. Written: timers before deliveries, otherwise the current
/// process goes on. (By hand: the server registers, blocks, and four times
/// takes a request and answers, the check failing after the second put;
/// each client sends a get, takes the value, sends a put; six deliveries;
/// the second client's timer: about 26 steps, 0 preemptions.)
fn check_shrink_lost_update() -> Result<String, String> {
    shrinks_to("shrink-lost-update", lost_update, written::TIMERS_FIRST)
}

/// The hand-minimal mutual call deadlock: the second trigger's timer must
/// fire before the first request arrives, again the order of a timer and a
/// delivery. Written: timers before deliveries. (By hand: per server
/// register, spawn the trigger, block, take `go` and send the request,
/// block; the triggers; one wake-up for nothing; the two requests: about
/// 19 steps, 0 preemptions.)
fn check_shrink_deadlock() -> Result<String, String> {
    shrinks_to("shrink-deadlock", deadlock_program, written::TIMERS_FIRST)
}

/// W1 (ping-pong on one node) at 10^6 messages, the largest a debug build
/// runs in a few seconds: its recorded schedule in packed bytes per step and
/// in heap. Then a fresh recorder is fed the run's real choice stream ten
/// times over, the picks of a 10^7-message run (W1's stream is one pick per
/// message, the same pattern throughout), and its heap must stay within
/// 10 MB. `cargo xtask bench` runs W1 at 10^7 messages in release and
/// reports the same figures (`schedule_bytes_per_step`: `value`, `bytes`,
/// `heap_bytes`, `messages` in `target/bench/workloads.json`).
fn check_memory() -> Result<String, String> {
    let n: u64 = 1_000_000;
    let mut sim = Sim::builder().nodes([S]).build().expect("one node");
    sim.spawn(S, move |cx| async move {
        let me = cx.self_pid();
        let echo = cx
            .spawn(move |c| async move {
                loop {
                    let m = c.recv().await;
                    if m == Term::Int(-1) {
                        return Ok(atom!("done"));
                    }
                    c.send(me, m).await?;
                }
            })
            .await?;
        for i in 0..(n / 2) as i64 {
            cx.send(echo, Term::Int(i)).await?;
            cx.recv().await;
        }
        cx.send(echo, Term::Int(-1)).await?;
        Ok(atom!("ok"))
    })
    .expect("spawn");
    let r = sim.run();
    r.assert_ok();
    let c = &r.schedule.choices;
    let per_step = c.bytes() as f64 / r.steps as f64;
    let mut at_1e7 = erpc_sim::core::Choices::new();
    for _ in 0..10 {
        for v in c.iter() {
            at_1e7.push(v);
        }
    }
    if per_step > 1.0 || at_1e7.heap_bytes() > 10_000_000 {
        return Err(format!(
            "{per_step:.2} bytes/step; 10^7 messages' picks hold {} bytes of heap",
            at_1e7.heap_bytes()
        ));
    }
    Ok(format!(
        "W1 at 10^6 messages: {} choice points over {} steps in {} bytes ({per_step:.2} bytes/step); \
         the recorder fed 10x its real picks (10^7 messages): {} bytes, {:.1} MB of heap (bound 10 MB; \
         measured in release by `cargo xtask bench`: schedule_bytes_per_step)",
        c.len(),
        r.steps,
        c.bytes(),
        at_1e7.bytes(),
        at_1e7.heap_bytes() as f64 / 1e6
    ))
}

/// Exhaustive exploration finds a planted bug on one data seed, and proves
/// its fixed version: every interleaving, up to equivalence.
fn exhaustive_finds_and_proves(
    name: &str,
    buggy: impl Fn(SimBuilder) -> Sim + Sync,
    fixed: impl Fn(SimBuilder) -> Sim + Sync,
    planted: fn(&Outcome) -> bool,
) -> Result<String, String> {
    let found = quiet(name).data_seed(DATA_SEED).exhaustive(buggy);
    let Some(f) = &found.failure else {
        return Err(format!("no failure: {found}"));
    };
    if !planted(&f.outcome) {
        return Err(format!("not the planted bug: {found}"));
    }
    let proved = quiet(name).data_seed(DATA_SEED).exhaustive(fixed);
    if !proved.complete || proved.failure.is_some() || proved.blocked > proved.interleavings {
        return Err(format!("fixed version: {proved}"));
    }
    Ok(format!(
        "bug found at interleaving {} ({}); fixed version: {} interleavings, all checked ({} blocked runs)",
        found.interleavings, f.outcome, proved.interleavings, proved.blocked
    ))
}

/// The counter program with the clients given the counter's pid: under
/// exhaustive exploration a message to a name may otherwise arrive before
/// the name is registered (a real race, reported as a deadlock), which
/// would hide the planted bug.
fn counter_by_pid(fixed: bool) -> impl Fn(SimBuilder) -> Sim + Sync + Copy {
    move |b: SimBuilder| {
        let mut sim = b.nodes([S, C1, C2]).build().expect("three nodes");
        let srv = sim.spawn(S, counter).expect("server");
        for (node, delay) in [(C1, Time::ZERO), (C2, STAGGER)] {
            sim.spawn(node, move |c| client_of(c, srv, delay, fixed))
                .expect("client");
        }
        sim
    }
}

/// [`client`], talking to the counter by pid.
async fn client_of(cx: Cx, srv: Pid, delay: Time, fixed: bool) -> Result<Term, Exception> {
    if delay > Time::ZERO {
        cx.sleep(delay).await;
    }
    let me = msg(&cx)?;
    if fixed {
        cx.send(srv, tuple![atom!("incr"), me]).await?;
        cx.recv().await;
        return Ok(atom!("ok"));
    }
    cx.send(srv, tuple![atom!("get"), me.clone()]).await?;
    let v = match cx.recv().await.as_tuple() {
        Some([_, Term::Int(v)]) => *v,
        _ => 0,
    };
    cx.send(srv, tuple![atom!("put"), v + 1, me]).await?;
    cx.recv().await;
    Ok(atom!("ok"))
}

fn check_exhaustive_lost_update() -> Result<String, String> {
    exhaustive_finds_and_proves(
        "exhaustive-lost-update",
        counter_by_pid(false),
        counter_by_pid(true),
        |o| matches!(o, Outcome::CheckFailed { .. }),
    )
}

/// [`caller`] with its peer given by pid (the first process is told it by
/// the second); with `serve_while_waiting`, the fix: it answers a request
/// while it waits for its own reply.
async fn caller_of(
    cx: Cx,
    peer: Option<Pid>,
    delay: Time,
    serve_while_waiting: bool,
) -> Result<Term, Exception> {
    let me = cx.self_pid();
    let peer = match peer {
        Some(p) => {
            cx.send(p, tuple![atom!("peer"), Term::Pid(me)]).await?;
            p
        }
        None => match cx
            .receive(|m| {
                m.as_tuple()
                    .is_some_and(|t| t.first() == Some(&atom!("peer")))
            })
            .await
            .as_tuple()
        {
            Some([_, Term::Pid(p)]) => *p,
            _ => return Ok(atom!("no_peer")),
        },
    };
    cx.spawn(move |c| async move {
        if delay > Time::ZERO {
            c.sleep(delay).await;
        }
        c.send(me, tuple![atom!("go")]).await?;
        Ok(atom!("ok"))
    })
    .await?;
    let is_req = |m: &Term| matches!(m.as_tuple(), Some([t, Term::Pid(_)]) if t.is_atom("req"));
    let (mut called, mut served) = (false, false);
    while !(called && served) {
        let m = cx.recv().await;
        match m.as_tuple() {
            Some([t]) if t.is_atom("go") => {
                cx.send(peer, tuple![atom!("req"), Term::Pid(me)]).await?;
                loop {
                    let m = cx
                        .receive(move |m| {
                            *m == atom!("reply") || (serve_while_waiting && is_req(m))
                        })
                        .await;
                    match m.as_tuple() {
                        Some([_, Term::Pid(from)]) => {
                            cx.send(*from, atom!("reply")).await?;
                            served = true;
                        }
                        _ => break,
                    }
                }
                called = true;
            }
            Some([t, Term::Pid(from)]) if t.is_atom("req") => {
                cx.send(*from, atom!("reply")).await?;
                served = true;
            }
            _ => {}
        }
    }
    Ok(atom!("ok"))
}

fn deadlock_by_pid(fixed: bool) -> impl Fn(SimBuilder) -> Sim + Sync + Copy {
    move |b: SimBuilder| {
        let mut sim = b.nodes([C1, C2]).build().expect("two nodes");
        let x = sim
            .spawn(C1, move |cx| caller_of(cx, None, Time::ZERO, fixed))
            .expect("x");
        sim.spawn(C2, move |cx| caller_of(cx, Some(x), STAGGER, fixed))
            .expect("y");
        sim
    }
}

fn check_exhaustive_deadlock() -> Result<String, String> {
    exhaustive_finds_and_proves(
        "exhaustive-deadlock",
        deadlock_by_pid(false),
        deadlock_by_pid(true),
        |o| matches!(o, Outcome::Deadlock { .. }),
    )
}

/// A client calls `erlang:node()` on another node with a 1 ms timeout, while
/// the network takes 0.1 to 1 ms each way: a reply or a timeout.
fn erpc_with_timeout(b: SimBuilder) -> Sim {
    let mut sim = b
        .run_window(Time::MAX)
        .nodes([C1, S])
        .build()
        .expect("two nodes");
    sim.spawn(C1, |cx| async move {
        let r = erpc::call(&cx, S, "erlang", "node", vec![], Timeout::ms(1)).await;
        Ok(match r {
            Ok(v) => tuple![atom!("ok"), v],
            // The kind of error (its variant), without its details.
            Err(e) => {
                let kind: String = format!("{e:?}")
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                tuple![atom!("error"), Term::atom(&kind)]
            }
        })
    })
    .expect("client");
    sim
}

/// The final states of every interleaving, as printed results.
fn states(reports: &mut Vec<String>, r: &RunReport) {
    let s = format!("{} {:?}", r.outcome.kind(), r.value(0));
    if !reports.contains(&s) {
        reports.push(s);
    }
}

fn check_exhaustive_erpc_states() -> Result<String, String> {
    let mut dpor = Vec::new();
    let ex = quiet("exhaustive-erpc").keep_going(true);
    let r = ex.exhaustive_each(erpc_with_timeout, |rep| states(&mut dpor, rep));
    if !r.complete {
        return Err(format!("not complete: {r}"));
    }
    let mut dfs = Vec::new();
    let mut prefix = Vec::new();
    let mut runs = 0u64;
    loop {
        let d = Dfs::new(100_000).restart(prefix);
        let rep = erpc_with_timeout(Sim::builder().strategy(d.clone())).run();
        states(&mut dfs, &rep);
        runs += 1;
        match d.next_prefix() {
            Some(p) if runs < 200_000 => prefix = p,
            Some(_) => return Err("dfs: more than 200,000 schedules".into()),
            None => break,
        }
    }
    dpor.sort();
    dfs.sort();
    if dpor != dfs || dpor.len() < 2 {
        return Err(format!("dpor reached {dpor:?}, dfs {dfs:?}"));
    }
    Ok(format!(
        "erpc call with a timeout: dpor {} interleavings, dfs {runs} schedules, the same {} final states",
        r.interleavings,
        dpor.len()
    ))
}

fn main() {
    let checks: Vec<Check> = vec![
        (
            "schedule sensitivity (lost update)",
            check_sensitivity_lost_update,
        ),
        (
            "schedule sensitivity (mutual call deadlock)",
            check_sensitivity_deadlock,
        ),
        ("dfs counts interleavings", check_dfs_counts),
        (
            "dfs finds the lost update and proves the fix",
            check_dfs_lost_update,
        ),
        ("pct depth-2 bound", check_pct_bound),
        ("shrinking (lost update)", check_shrink_lost_update),
        ("shrinking (mutual call deadlock)", check_shrink_deadlock),
        (
            "shrinking (a nemesis's faults)",
            nemesis::check_shrink_nemesis,
        ),
        (
            "shrinking moves a fault and shortens its window",
            window::check_shrink_window,
        ),
        ("memory", check_memory),
        ("timeout races a runnable process", race::check_timeout_race),
        (
            "exhaustive finds the lost update and proves the fix",
            check_exhaustive_lost_update,
        ),
        (
            "exhaustive finds the mutual call deadlock and proves the fix",
            check_exhaustive_deadlock,
        ),
        (
            "exhaustive reaches every final state of an erpc call that dfs reaches",
            check_exhaustive_erpc_states,
        ),
    ];
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let mut held = 0;
    let mut total = 0;
    for (name, check) in checks {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        total += 1;
        match std::panic::catch_unwind(check) {
            Ok(Ok(fig)) => {
                held += 1;
                println!("exploration: {name}: {fig}");
            }
            Ok(Err(e)) => println!("exploration: {name}: FAILED: {e}"),
            Err(_) => println!("exploration: {name}: FAILED (panicked)"),
        }
    }
    println!("exploration: {held}/{total} checks hold");
    if held != total {
        std::process::exit(1);
    }
}
