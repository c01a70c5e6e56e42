//! Exhaustive exploration with a fault set: every interleaving, with the
//! fault at every place it can take or not at all, checked.

use erpc_sim::core::{Control, ControlAction, Explorer, RunReport, Sim, SimBuilder, Term, Time};
use erpc_sim::partition::{Fault, Mode};
use std::cell::Cell;
use std::rc::Rc;

fn quiet(name: &str) -> Explorer {
    Explorer::new(name)
        .quiet(true)
        .write_files(false)
        .threads(1)
}

/// A client on a@sim asks the server on b@sim to do a job once. It watches
/// b@sim; on `nodedown` it concludes the server is gone and does the job
/// itself (`failover`), or reports it as not done (the fixed version). The
/// job counts its executions; a second one fails the run.
fn job(b: SimBuilder, failover: bool) -> Sim {
    let mut sim = b.nodes(["a@sim", "b@sim"]).build().expect("two nodes");
    let done = Rc::new(Cell::new(0u32));
    let run_job = {
        let done = done.clone();
        move || {
            done.set(done.get() + 1);
            done.get() == 1
        }
    };
    let server_job = run_job.clone();
    let srv = sim
        .spawn_background("b@sim", move |cx| async move {
            let req = cx.recv().await;
            let Term::Tuple(ref v) = req else {
                return Ok(Term::atom("bad"));
            };
            let Term::Pid(from) = v[1] else {
                return Ok(Term::atom("bad"));
            };
            let ok = server_job();
            cx.send(from, Term::atom("ack")).await?;
            cx.check(ok, "the job ran twice")?;
            Ok(Term::atom("served"))
        })
        .expect("server");
    sim.spawn("a@sim", move |cx| async move {
        cx.monitor_node("b@sim", true).await;
        let me = Term::Pid(cx.self_pid());
        cx.send(srv, Term::tuple([Term::atom("job"), me])).await?;
        let reply = cx.recv().await;
        if reply == Term::atom("ack") {
            return Ok(Term::atom("remote"));
        }
        if !failover {
            return Ok(Term::atom("unknown"));
        }
        let ok = run_job();
        cx.check(ok, "the job ran twice")?;
        Ok(Term::atom("local"))
    })
    .expect("client");
    sim
}

fn buggy(b: SimBuilder) -> Sim {
    job(b, true)
}

fn fixed(b: SimBuilder) -> Sim {
    job(b, false)
}

fn partition() -> Fault {
    Fault::isolate("b@sim", Mode::Drop)
}

#[test]
fn a_failover_that_needs_a_partition_is_found_only_with_the_fault_set() {
    let plain = quiet("failover-plain").exhaustive(buggy);
    println!("{plain}");
    assert!(plain.complete && plain.failure.is_none(), "{plain}");

    let dir = std::env::temp_dir().join(format!("erpc-sim-dporfaults-{}", std::process::id()));
    let ex = Explorer::new("failover-partition")
        .quiet(true)
        .threads(1)
        .out_dir(&dir)
        .may_fault(partition());
    let r = ex.exhaustive(buggy);
    println!("{r}");
    let f = r.failure.as_ref().expect("a partition after the job ran");
    assert!(r.to_string().contains("FAILED"), "{r}");
    assert!(
        f.report
            .faults
            .iter()
            .any(|e| e.what == partition().to_string()),
        "{:?}",
        f.report.faults
    );
    // The fault is a recorded choice: a strict replay reproduces it.
    let path = f.replay_path.clone().expect("a replay file");
    let again = ex.replay_file(&path, buggy).expect("readable");
    // An explorer without the fault set cannot replay it.
    let other = quiet("failover-partition")
        .replay_file(&path, buggy)
        .expect("readable");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(again.divergence.is_none(), "{:?}", again.divergence);
    assert_eq!(again.outcome, f.report.outcome);
    assert_eq!(again.faults.len(), 1, "{:?}", again.faults);
    assert!(other.divergence.is_some());

    let ok = quiet("failover-fixed")
        .may_fault(partition())
        .exhaustive(fixed);
    println!("{ok}");
    assert!(ok.complete && ok.failure.is_none(), "{ok}");
    assert!(
        ok.to_string().contains(&format!(
            "{} interleavings with up to one of [{}], all checked",
            ok.interleavings,
            partition()
        )),
        "{ok}"
    );
    assert!(ok.interleavings > plain.interleavings);
}

/// What a run ended with: its outcome, every foreground result, and the
/// faults it took.
fn state(r: &RunReport) -> String {
    let results: Vec<String> = r
        .results
        .iter()
        .map(|(_, v)| match v {
            Some(Ok(t)) => format!("ok {t}"),
            Some(Err(e)) => format!("exit {e}"),
            None => "running".to_string(),
        })
        .collect();
    let faults: Vec<&str> = r.faults.iter().map(|f| f.what.as_str()).collect();
    format!(
        "{} | {} | {}",
        r.outcome.kind(),
        results.join(", "),
        faults.join(", ")
    )
}

/// Every final state plain DFS reaches with `fault` after `k` steps, for
/// every `k` up to the longest run, and without it; and the number of runs.
fn dfs_with_fault_everywhere(
    program: &dyn Fn(SimBuilder) -> Sim,
    fault: &dyn Fn() -> Box<dyn ControlAction>,
) -> (u64, Vec<String>) {
    let mut out = Vec::new();
    let mut runs = 0;
    let mut k = 0u64;
    let mut longest = 0u64;
    // k = None: no fault; then every step count a run reaches.
    let mut at: Option<u64> = None;
    loop {
        let mut prefix = Vec::new();
        loop {
            let d = erpc_sim::core::Dfs::new(100_000).restart(prefix);
            let mut sim = program(Sim::builder().strategy(d.clone()).run_window(Time::MAX));
            if let Some(k) = at {
                let f = fault();
                sim.after_steps(k, ForFault(f)).expect("a known node");
            }
            let r = sim.run();
            runs += 1;
            longest = longest.max(r.steps);
            out.push(state(&r));
            assert!(runs < 500_000, "too many schedules");
            match d.next_prefix() {
                Some(p) => prefix = p,
                None => break,
            }
        }
        if k > longest {
            break;
        }
        at = Some(k);
        k += 1;
    }
    out.sort();
    out.dedup();
    (runs, out)
}

/// A boxed action as an action (`Sim::after_steps` takes one by value).
struct ForFault(Box<dyn ControlAction>);

impl ControlAction for ForFault {
    fn run(self: Box<Self>, c: &mut Control<'_>) {
        self.0.run(c);
    }
}

/// Exploring `program` with `fault` anywhere reaches exactly the final
/// states DFS reaches with the fault after every step count, with
/// source-DPOR and with optimal DPOR.
///
/// Returns the interleavings (and blocked runs) of source-DPOR and of
/// optimal DPOR, in that order, for a caller to pin.
fn soundness(name: &str, program: fn(SimBuilder) -> Sim, fault: Fault) -> [(u64, u64); 2] {
    let (runs, dfs) = dfs_with_fault_everywhere(&program, &|| Box::new(fault.clone()));
    let mut counts = [(0, 0); 2];
    for (slot, optimal) in counts.iter_mut().zip([false, true]) {
        let mut got = Vec::new();
        let r = quiet(name)
            .keep_going(true)
            .optimal_dpor(optimal)
            .may_fault(fault.clone())
            .exhaustive_each(program, |rep| got.push(state(rep)));
        assert!(r.complete, "{r}");
        got.sort();
        got.dedup();
        println!(
            "{name} (optimal {optimal}): {} interleavings with the fault set ({} blocked), dfs {runs} runs over every placement; {} final states",
            r.interleavings,
            r.blocked,
            dfs.len()
        );
        assert_eq!(
            got, dfs,
            "{name} (optimal {optimal}): the final states differ"
        );
        *slot = (r.interleavings, r.blocked);
    }
    counts
}

/// What a message says, for a final state: its tag, and a `'DOWN'`'s
/// reason (its reference is fresh in every run).
fn kind(m: &Term) -> Term {
    match m.as_tuple() {
        Some([t, _, _, _, reason]) if t.is_atom("DOWN") => Term::tuple([t.clone(), reason.clone()]),
        Some([t, ..]) => t.clone(),
        _ => m.clone(),
    }
}

/// A watcher on a@sim monitors a server on b@sim and asks it: a crash of
/// b@sim makes the `'DOWN'` (`noconnection`) race the server's reply
/// (and its `normal` exit).
fn down_races_a_reply(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim", "b@sim"]).build().expect("two nodes");
    let srv = sim
        .spawn_background("b@sim", |cx| async move {
            let m = cx.recv().await;
            if let Some([_, Term::Pid(from)]) = m.as_tuple() {
                cx.send(*from, Term::atom("pong")).await?;
            }
            Ok(Term::atom("served"))
        })
        .expect("server");
    sim.spawn("a@sim", move |cx| async move {
        cx.monitor(srv).await;
        let me = Term::Pid(cx.self_pid());
        cx.send(srv, Term::tuple([Term::atom("ping"), me])).await?;
        let first = kind(&cx.recv().await);
        let second = kind(&cx.recv().await);
        Ok(Term::List(vec![first, second]))
    })
    .expect("watcher");
    sim
}

/// A client on a@sim tells a watcher on c@sim, which watches b@sim with
/// `monitor_node`: the `nodedown` of a crash of b@sim races the client's
/// word, though neither talks to b@sim.
fn nodedown_on_a_third_node(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim", "c@sim"])
        .build()
        .expect("three nodes");
    let watcher = sim
        .spawn("c@sim", |cx| async move {
            cx.monitor_node("b@sim", true).await;
            // Without a crash the second never comes: the run ends with
            // the watcher waiting.
            let first = kind(&cx.recv().await);
            let second = kind(&cx.recv().await);
            Ok(Term::List(vec![first, second]))
        })
        .expect("watcher");
    sim.spawn("a@sim", move |cx| async move {
        cx.send(watcher, Term::atom("word")).await?;
        Ok(Term::atom("sent"))
    })
    .expect("client");
    sim
}

/// A process on c@sim asks a server on a@sim, which forwards to a process
/// on b@sim, and tells that one too: a cut between a@sim and b@sim drops
/// the forward while c@sim's traffic goes on (a partition of the two also
/// cuts c@sim, which it leaves unnamed, from both).
fn a_cut_beside_a_third_node(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim", "c@sim"])
        .build()
        .expect("three nodes");
    let bsrv = sim
        .spawn("b@sim", |cx| async move { Ok(kind(&cx.recv().await)) })
        .expect("b process");
    let asrv = sim
        .spawn_background("a@sim", move |cx| async move {
            let _ = cx.recv().await;
            cx.send(bsrv, Term::atom("fwd")).await?;
            Ok(Term::atom("served"))
        })
        .expect("a server");
    sim.spawn("c@sim", move |cx| async move {
        cx.send(asrv, Term::atom("ping")).await?;
        cx.send(bsrv, Term::atom("from_c")).await?;
        Ok(Term::atom("sent"))
    })
    .expect("client");
    sim
}

#[test]
fn soundness_a_partition_anywhere_reaches_what_dfs_reaches() {
    soundness("fault-soundness-failover", fixed, partition());
    soundness("fault-soundness-failover-bug", buggy, partition());
    soundness("fault-soundness-crash", fixed, Fault::crash("b@sim"));
    // Interleavings and blocked runs of source-DPOR and of optimal DPOR,
    // pinned so that a change of the dependency relation cannot make them
    // grow unnoticed (the final states are checked against DFS above).
    let counts = soundness("fault-soundness-crash-client", fixed, Fault::crash("a@sim"));
    assert_eq!(counts, [(7, 0), (7, 0)], "crash-client interleavings");
}

#[test]
fn soundness_a_crash_racing_a_down_reaches_what_dfs_reaches() {
    soundness(
        "fault-soundness-down",
        down_races_a_reply,
        Fault::crash("b@sim"),
    );
}

#[test]
fn soundness_a_crash_seen_by_a_node_monitor_elsewhere_reaches_what_dfs_reaches() {
    soundness(
        "fault-soundness-nodedown",
        nodedown_on_a_third_node,
        Fault::crash("b@sim"),
    );
}

#[test]
fn soundness_a_cut_beside_a_third_node_reaches_what_dfs_reaches() {
    soundness(
        "fault-soundness-cut",
        a_cut_beside_a_third_node,
        Fault::cut("a@sim", "b@sim", Mode::Drop),
    );
    soundness(
        "fault-soundness-partition",
        a_cut_beside_a_third_node,
        Fault::partition((["a@sim"], ["b@sim"]), Mode::Drop),
    );
}

/// The final states of an exhaustive exploration of `program` by `ex`.
fn states(ex: Explorer, program: fn(SimBuilder) -> Sim) -> (String, Vec<String>) {
    let mut got = Vec::new();
    let r = ex
        .keep_going(true)
        .exhaustive_each(program, |rep| got.push(state(rep)));
    assert!(r.complete, "{r}");
    got.sort();
    got.dedup();
    (r.to_string(), got)
}

#[test]
fn any_one_of_several_faults_reaches_what_each_reaches_and_two_reach_more() {
    let crash = || Fault::crash("b@sim");
    let (_, p) = states(quiet("one-of-p").may_fault(partition()), fixed);
    let (_, c) = states(quiet("one-of-c").may_fault(crash()), fixed);
    let (line, either) = states(
        quiet("one-of").may_fault_one_of([partition(), crash()]),
        fixed,
    );
    println!("{line}");
    let mut union: Vec<String> = p.iter().chain(&c).cloned().collect();
    union.sort();
    union.dedup();
    assert_eq!(either, union);
    assert!(
        line.contains(&format!("up to one of [{}, {}]", partition(), crash())),
        "{line}"
    );
    let (line, two) = states(
        quiet("two-of")
            .may_fault_one_of([partition(), crash()])
            .max_faults(2),
        fixed,
    );
    println!("{line}");
    assert!(line.contains("up to 2 of"), "{line}");
    // Both faults in one run: the partition, then the crash (or the crash
    // alone, the partition finding nothing to cut).
    assert!(
        two.iter()
            .any(|s| s.ends_with(&format!("{}, {}", partition(), crash()))),
        "{two:?}"
    );
    assert!(either.iter().all(|s| two.contains(s)));
}
