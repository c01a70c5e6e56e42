//! Random API sequences: seeded random programs of spawns, sends, links,
//! monitors, exit signals, `trap_exit`, registrations, timers and faults
//! (drop and defer partitions, cuts, heals, crashes, restarts) over two or
//! three nodes. Each program must
//!
//! - never panic the simulator (a panic inside a process is only that
//!   process's crash), and end in a documented outcome;
//! - conserve signals: everything sent is delivered, dropped by a named fault
//!   (or a lost connection), or still held or in flight;
//! - be deterministic: the same program and seed run twice give the same
//!   digest and the same trace.
//!
//! `ERPC_SIM_FUZZ_PROGRAMS=N` runs N programs instead of the default 500
//! (CI runs the tests in a debug build); `ERPC_SIM_FUZZ_FIRST=K` starts at
//! program K, to rerun one program a failure names.

use erpc_sim::core::{RunReport, SimBuilder};
use erpc_sim::partition::{is_fault_cause, Ledger};
use erpc_sim::prelude::*;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

const NODES: [&str; 3] = ["a@sim", "b@sim", "c@sim"];
const NAMES: [&str; 3] = ["alpha", "beta", "gamma"];
/// Programs of the default run (fast in a debug build).
const PROGRAMS: u64 = 500;

/// The program generator's own randomness (splitmix64), separate from the
/// simulator's, so a program is a pure function of its number.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One thing an actor does; actors are named by index, resolved to pids when
/// the program runs.
#[derive(Clone, Debug)]
enum Op {
    Send(usize),
    SendName(usize, usize),
    Register(usize),
    Unregister(usize),
    Link(usize),
    Unlink(usize),
    Monitor(usize),
    Exit(usize, u8),
    TrapExit(bool),
    SpawnChild { node: usize, linked: bool },
    SendAfter(u64, usize),
    Sleep(u64),
    Receive(u64),
    Panic,
    Return,
}

#[derive(Clone, Debug)]
enum FaultOp {
    Partition(Vec<usize>, Mode),
    OneWay(usize, usize, Mode),
    Cut(usize, usize, Mode),
    Heal,
    Crash(usize),
    Restart(usize),
}

#[derive(Clone, Debug)]
struct Program {
    nodes: usize,
    /// Each actor: its node, whether it is a foreground process, its script.
    actors: Vec<(usize, bool, Vec<Op>)>,
    /// Faults at virtual milliseconds.
    faults: Vec<(u64, FaultOp)>,
}

fn gen_op(g: &mut Gen, actors: usize, nodes: usize) -> Op {
    match g.below(30) {
        0..=5 => Op::Send(g.below(actors)),
        6 => Op::SendName(g.below(NAMES.len()), g.below(nodes)),
        7 | 8 => Op::Register(g.below(NAMES.len())),
        9 => Op::Unregister(g.below(NAMES.len())),
        10 | 11 => Op::Link(g.below(actors)),
        12 => Op::Unlink(g.below(actors)),
        13 | 14 => Op::Monitor(g.below(actors)),
        15 => Op::Exit(g.below(actors), g.below(3) as u8),
        16 => Op::TrapExit(g.below(2) == 0),
        17 | 18 => Op::SpawnChild {
            node: g.below(nodes),
            linked: g.below(2) == 0,
        },
        19 | 20 => Op::SendAfter(g.below(20) as u64, g.below(actors)),
        21 | 22 => Op::Sleep(g.below(8) as u64),
        23..=27 => Op::Receive(g.below(6) as u64),
        28 => Op::Panic,
        _ => Op::Return,
    }
}

fn gen_fault(g: &mut Gen, nodes: usize) -> FaultOp {
    let mode = if g.below(2) == 0 {
        Mode::Drop
    } else {
        Mode::Defer
    };
    let (x, y) = (g.below(nodes), g.below(nodes));
    let y = if x == y { (y + 1) % nodes } else { y };
    match g.below(8) {
        0 => FaultOp::Partition(vec![x], mode),
        1 => FaultOp::OneWay(x, y, mode),
        2 => FaultOp::Cut(x, y, mode),
        3 | 4 => FaultOp::Heal,
        5 => FaultOp::Crash(x),
        _ => FaultOp::Restart(x),
    }
}

fn gen_program(n: u64) -> Program {
    let mut g = Gen(n);
    let nodes = 2 + g.below(2);
    let count = 2 + g.below(4);
    let actors = (0..count)
        .map(|_| {
            let len = 4 + g.below(28);
            let ops = (0..len).map(|_| gen_op(&mut g, count, nodes)).collect();
            (g.below(nodes), g.below(3) != 0, ops)
        })
        .collect();
    let faults = (0..g.below(9))
        .map(|_| (g.below(40) as u64, gen_fault(&mut g, nodes)))
        .collect();
    Program {
        nodes,
        actors,
        faults,
    }
}

fn fault_of(f: &FaultOp) -> Fault {
    match f {
        FaultOp::Partition(group, mode) => {
            Fault::partition([group.iter().map(|&i| NODES[i]).collect::<Vec<_>>()], *mode)
        }
        FaultOp::OneWay(x, y, mode) => Fault::one_way([NODES[*x]], [NODES[*y]], *mode),
        FaultOp::Cut(x, y, mode) => Fault::cut(NODES[*x], NODES[*y], *mode),
        FaultOp::Heal => Fault::heal(),
        FaultOp::Crash(x) => Fault::crash(NODES[*x]),
        FaultOp::Restart(x) => Fault::restart(NODES[*x]),
    }
}

/// Runs one actor's script. Errors a BIF raises (`badarg` from a taken name,
/// `noproc` from a link) crash the actor, as they would in Erlang.
async fn act(
    cx: Cx,
    me: usize,
    pids: Rc<RefCell<Vec<Pid>>>,
    ops: Vec<Op>,
) -> Result<Term, Exception> {
    let pid = |i: usize| pids.borrow().get(i).copied();
    for op in ops {
        match op {
            Op::Send(j) => {
                if let Some(p) = pid(j) {
                    cx.send(p, Term::Int(me as i64)).await?;
                }
            }
            Op::SendName(n, node) => cx.send((NAMES[n], NODES[node]), atom!("by_name")).await?,
            Op::Register(n) => {
                let _ = cx.register(NAMES[n], cx.self_pid()).await;
            }
            Op::Unregister(n) => {
                let _ = cx.unregister(NAMES[n]).await;
            }
            Op::Link(j) => {
                if let Some(p) = pid(j) {
                    cx.link(p).await?;
                }
            }
            Op::Unlink(j) => {
                if let Some(p) = pid(j) {
                    cx.unlink(p).await;
                }
            }
            Op::Monitor(j) => {
                if let Some(p) = pid(j) {
                    cx.monitor(p).await;
                }
            }
            Op::Exit(j, how) => {
                if let Some(p) = pid(j) {
                    let reason = match how {
                        0 => atom!("normal"),
                        1 => atom!("kill"),
                        _ => atom!("shutdown"),
                    };
                    cx.exit(p, reason).await;
                }
            }
            Op::TrapExit(on) => {
                cx.trap_exit(on);
            }
            Op::SpawnChild { node, linked } => {
                let parent = cx.self_pid();
                let body = move |c: Cx| async move {
                    c.send(parent, atom!("child")).await?;
                    c.sleep(Time::ms(2)).await;
                    Err(Exception::exit(atom!("child_done")))
                };
                if linked {
                    cx.spawn_link_on(NODES[node], body).await?;
                } else {
                    cx.spawn_on(NODES[node], body).await?;
                }
            }
            Op::SendAfter(ms, j) => {
                if let Some(p) = pid(j) {
                    cx.send_after(ms, p, atom!("tick")).await?;
                }
            }
            Op::Sleep(ms) => cx.sleep(Time::ms(ms)).await,
            Op::Receive(ms) => {
                cx.receive_timeout(|_| true, Timeout::ms(ms)).await;
            }
            Op::Panic => panic!("actor {me} panics on purpose"),
            Op::Return => return Ok(atom!("returned")),
        }
    }
    Ok(atom!("done"))
}

fn build(program: &Program) -> impl Fn(SimBuilder) -> Sim + '_ {
    move |b: SimBuilder| {
        let mut sim = b
            .nodes(&NODES[..program.nodes])
            .panic_is_failure(false)
            .max_steps(200_000)
            .max_time(Time::secs(30))
            .build()
            .expect("the program's nodes are valid");
        // Keeps the run going past the last fault, so every fault applies.
        sim.spawn(NODES[0], |cx| async move {
            cx.sleep(Time::ms(50)).await;
            Ok(atom!("kept"))
        })
        .expect("node a is up");
        let pids = Rc::new(RefCell::new(Vec::new()));
        for (i, (node, foreground, ops)) in program.actors.iter().enumerate() {
            let (pids2, ops) = (pids.clone(), ops.clone());
            let body = move |cx: Cx| act(cx, i, pids2, ops);
            let pid = if *foreground {
                sim.spawn(NODES[*node], body)
            } else {
                sim.spawn_background(NODES[*node], body)
            }
            .expect("every node is up before the run");
            pids.borrow_mut().push(pid);
        }
        for (ms, f) in &program.faults {
            sim.at(Time::ms(*ms), fault_of(f))
                .expect("faults name the program's nodes");
        }
        sim
    }
}

fn run(program: &Program, seed: u64) -> Result<RunReport, String> {
    let setup = build(program);
    catch_unwind(AssertUnwindSafe(|| {
        // The programs exit abnormally on purpose.
        let b = Sim::builder().exit_policy(ExitPolicy::Allow);
        setup(b.seed(seed).trace(TraceMode::Full)).run()
    }))
    .map_err(|_| "the simulator panicked".to_string())
}

/// Checks the three invariants for program `n`; returns how many signals
/// faults dropped or held.
fn check(n: u64) -> Result<u64, String> {
    let program = gen_program(n);
    let first = run(&program, n)?;
    match &first.outcome {
        Outcome::Completed
        | Outcome::Deadlock { .. }
        | Outcome::TimeBudget
        | Outcome::StepBudget { .. } => {}
        other => return Err(format!("unexpected outcome: {other}")),
    }
    let ledger = Ledger::of(&first);
    ledger.check().map_err(|e| e.to_string())?;
    if let Some((cause, _)) = ledger
        .dropped
        .iter()
        .find(|(c, _)| !is_fault_cause(c) && c != "noconnection")
    {
        return Err(format!("a signal dropped by an unnamed cause: {cause}"));
    }
    let second = run(&program, n)?;
    if first.digest != second.digest || first.trace != second.trace || first.steps != second.steps {
        return Err(format!(
            "two runs differ: digests {:016x} / {:016x}, {} / {} records",
            first.digest,
            second.digest,
            first.trace.len(),
            second.trace.len()
        ));
    }
    Ok(ledger.dropped_by_faults() + ledger.held)
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_api_sequences_never_panic_the_simulator_conserve_signals_and_are_deterministic() {
    let first = env("ERPC_SIM_FUZZ_FIRST", 0);
    let count = env("ERPC_SIM_FUZZ_PROGRAMS", PROGRAMS);
    let prev = std::panic::take_hook();
    // The programs panic on purpose inside processes; keep the output short.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    let mut faulted = 0;
    for n in first..first.saturating_add(count) {
        match check(n) {
            Ok(k) => faulted += k,
            Err(e) => failures.push(format!(
                "program {n} (rerun: ERPC_SIM_FUZZ_FIRST={n} ERPC_SIM_FUZZ_PROGRAMS=1): {e}\n{:?}",
                gen_program(n)
            )),
        }
    }
    std::panic::set_hook(prev);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    if count >= PROGRAMS {
        assert!(faulted > 0, "faults dropped or held some signals");
    }
}

#[test]
fn the_generator_exercises_every_kind_of_operation_and_fault() {
    // A fuzz test whose programs never use an operation would prove nothing
    // about it: the default run covers every one.
    let (mut ops, mut faults) = (vec![false; 15], vec![false; 6]);
    for n in 0..PROGRAMS {
        let p = gen_program(n);
        for (_, _, script) in &p.actors {
            for op in script {
                let i = match op {
                    Op::Send(_) => 0,
                    Op::SendName(..) => 1,
                    Op::Register(_) => 2,
                    Op::Unregister(_) => 3,
                    Op::Link(_) => 4,
                    Op::Unlink(_) => 5,
                    Op::Monitor(_) => 6,
                    Op::Exit(..) => 7,
                    Op::TrapExit(_) => 8,
                    Op::SpawnChild { .. } => 9,
                    Op::SendAfter(..) => 10,
                    Op::Sleep(_) => 11,
                    Op::Receive(_) => 12,
                    Op::Panic => 13,
                    Op::Return => 14,
                };
                ops[i] = true;
            }
        }
        for (_, f) in &p.faults {
            let i = match f {
                FaultOp::Partition(..) => 0,
                FaultOp::OneWay(..) => 1,
                FaultOp::Cut(..) => 2,
                FaultOp::Heal => 3,
                FaultOp::Crash(_) => 4,
                FaultOp::Restart(_) => 5,
            };
            faults[i] = true;
        }
    }
    assert!(ops.iter().all(|&b| b), "operations used: {ops:?}");
    assert!(faults.iter().all(|&b| b), "faults used: {faults:?}");
}
