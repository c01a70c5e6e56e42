//! Exploration: strategies, parallel runs, shrinking, replay files, DFS.

use sim_core::{
    check_determinism, Control, ControlAction, ExploreError, Explorer, Outcome, ReplayFile, Sim,
    SimBuilder, StrategyKind, Term, Time,
};

/// Two writers race to a reader; the check fails when `b` arrives first.
fn race(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        cx.spawn(move |c| async move {
            c.send(me, Term::atom("a")).await?;
            Ok(Term::atom("ok"))
        })
        .await?;
        cx.spawn(move |c| async move {
            c.send(me, Term::atom("b")).await?;
            Ok(Term::atom("ok"))
        })
        .await?;
        // Something for the other node to do meanwhile, so connection
        // deliveries take part in the schedule too.
        cx.spawn_on("b@sim", |_| async move { Ok(Term::atom("far")) })
            .await?;
        let first = cx.recv().await;
        cx.check(first == Term::atom("a"), "a arrives first")?;
        Ok(first)
    })
    .unwrap();
    sim
}

fn explorer(threads: usize) -> Explorer {
    Explorer::new("race")
        .seeds(0..300)
        .threads(threads)
        .write_files(false)
        .quiet(true)
}

#[test]
fn same_seed_range_gives_same_report_on_one_and_two_threads() {
    for kind in [
        StrategyKind::Random,
        StrategyKind::Pos,
        StrategyKind::Pct { depth: 2 },
    ] {
        let one = explorer(1).strategy(kind).run(race);
        let two = explorer(2).strategy(kind).run(race);
        let (f1, f2) = (one.failure.expect("found"), two.failure.expect("found"));
        assert_eq!(one.runs, two.runs, "{kind:?}");
        assert_eq!(f1.seed, f2.seed, "{kind:?}");
        assert_eq!(f1.replay, f2.replay, "{kind:?}");
        assert_eq!(f1.report.digest, f2.report.digest, "{kind:?}");
    }
}

#[test]
fn every_strategy_is_deterministic_per_seed() {
    for kind in [
        StrategyKind::RoundRobin,
        StrategyKind::Random,
        StrategyKind::Pos,
        StrategyKind::Pct { depth: 3 },
    ] {
        for seed in 0..5 {
            let run = || race(Sim::builder().seed(seed).strategy_boxed(kind.build(50))).run();
            let (a, b) = (run(), run());
            assert_eq!(a.digest, b.digest, "{kind:?} seed {seed}");
            assert_eq!(a.schedule, b.schedule, "{kind:?} seed {seed}");
        }
    }
}

#[test]
fn random_seeds_give_different_schedules() {
    let digests: Vec<u64> = (0..20)
        .map(|s| race(Sim::builder().seed(s)).run().digest)
        .collect();
    let mut distinct = digests.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() > 1, "20 seeds, one schedule: {digests:?}");
}

/// Two independent processes of `steps` sync points each.
fn two_lines(steps: usize) -> impl Fn(SimBuilder) -> Sim + Sync {
    move |b| {
        let mut sim = b.nodes(["a@sim"]).build().unwrap();
        for _ in 0..2 {
            sim.spawn("a@sim", move |cx| async move {
                for _ in 0..steps {
                    cx.send(cx.self_pid(), Term::Int(0)).await?;
                }
                Ok(Term::atom("ok"))
            })
            .unwrap();
        }
        sim
    }
}

#[test]
fn dfs_counts_every_interleaving_of_two_independent_processes() {
    // Each process takes steps+1 scheduler steps (one per sync point, one to
    // finish); two such lines interleave in C(2k, k) ways: k = 3 gives 20.
    let (n, exhausted, failure) = Explorer::new("dfs").dfs(1_000, 10_000, two_lines(2));
    assert!(exhausted && failure.is_none());
    assert_eq!(n, 20);
    let (n, exhausted, _) = Explorer::new("dfs").dfs(1_000, 10_000, two_lines(3));
    assert!(exhausted);
    assert_eq!(n, 70, "C(8,4)");
}

#[test]
fn dfs_finds_the_race() {
    let (_, _, failure) = Explorer::new("dfs").dfs(1_000, 10_000, race);
    assert!(matches!(
        failure.map(|r| r.outcome),
        Some(Outcome::CheckFailed { .. })
    ));
}

#[test]
fn shrinking_keeps_the_failure_and_never_grows_the_schedule() {
    let ex = explorer(2).strategy(StrategyKind::Random);
    let f = ex.run(race).failure.expect("found");
    assert!(f.shrunk_choices <= f.original_choices);
    assert!(
        matches!(f.report.outcome, Outcome::CheckFailed { ref message, .. } if message == "a arrives first")
    );
}

#[test]
fn replay_file_round_trip_reproduces_failure_and_digest() {
    let dir = std::env::temp_dir().join(format!("erpc-sim-test-{}", std::process::id()));
    let ex = Explorer::new("race-replay")
        .seeds(0..300)
        .threads(2)
        .out_dir(&dir)
        .quiet(true);
    let f = ex.run(race).failure.expect("found");
    let path = f.replay_path.clone().expect("written");
    assert!(f.trace_path.is_some() && f.picture_path.is_some());
    let file = ReplayFile::read(&path).unwrap();
    let again = ex.replay(&file, race);
    assert_eq!(again.divergence, None);
    assert_eq!(again.outcome, f.report.outcome);
    assert_eq!(again.digest, f.report.digest);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_of_a_changed_program_reports_divergence() {
    let ex = explorer(1);
    let f = ex.run(race).failure.expect("found");
    // A different program: an extra process changes the schedule's meaning.
    let changed = |b: SimBuilder| {
        let mut sim = race(b);
        sim.spawn("b@sim", |cx| async move {
            cx.sleep(Time::us(1)).await;
            Ok(Term::atom("extra"))
        })
        .unwrap();
        sim
    };
    let r = ex.replay(&f.replay, changed);
    assert!(r.divergence.is_some(), "{r}");
}

#[test]
fn a_diverged_replay_fails_assert_ok_even_when_the_run_completed() {
    let ex = explorer(1);
    let f = ex.run(race).failure.expect("found");
    // A program that passes: the replay runs to completion but off its schedule.
    let calm = |b: SimBuilder| {
        let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
        sim.spawn("a@sim", |_cx| async move { Ok(Term::atom("calm")) })
            .unwrap();
        sim
    };
    let r = ex.replay(&f.replay, calm);
    assert!(r.outcome.is_ok(), "{r}");
    assert!(r.divergence.is_some(), "{r}");
    let panicked = std::panic::catch_unwind(|| r.assert_ok());
    assert!(panicked.is_err(), "assert_ok passed a diverged replay");
    // The same run replayed against its own program passes.
    let same = ex.replay(&f.replay, race);
    assert_eq!(same.divergence, None, "{same}");
}

#[test]
fn determinism_check_passes_on_a_multi_node_program() {
    check_determinism(11, race).unwrap();
}

#[test]
fn a_failed_run_replays_from_its_report_schedule() {
    // Find a failing seed, then replay its report's schedule strictly.
    let failing = (0..300)
        .map(|s| race(Sim::builder().seed(s)).run())
        .find(|r| !r.outcome.is_ok())
        .expect("some seed fails");
    // The report prints one line to rerun it: the same program, the same seeds.
    let line = failing.replay_line();
    assert_eq!(failing.to_string().matches(&line).count(), 1, "{failing}");
    assert!(line.contains(&format!(".seed({})", failing.seed)), "{line}");
    let rebuilt = race(Sim::builder().seed(failing.seed)).run();
    assert_eq!(rebuilt.digest, failing.digest, "the line's seeds rerun it");
    let again = race(
        Sim::builder()
            .seed(failing.seed)
            .strategy(sim_core::Replay::new(failing.schedule.clone())),
    )
    .run();
    assert_eq!(again.divergence, None);
    assert_eq!(again.outcome, failing.outcome);
    assert_eq!(again.digest, failing.digest);
}

// ---- bad seed ranges -----------------------------------------------------------

fn one_node(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", |_| async move { Ok(Term::atom("ok")) })
        .unwrap();
    sim
}

// The reversed range is the misuse under test.
#[allow(clippy::reversed_empty_ranges)]
#[test]
fn an_empty_or_reversed_seed_range_is_an_error() {
    for (start, end) in [(5, 3), (4, 4), (0, 0), (u64::MAX, u64::MAX), (u64::MAX, 0)] {
        let err = Explorer::new("bad")
            .seeds(start..end)
            .quiet(true)
            .try_run(one_node)
            .unwrap_err();
        assert!(
            matches!(err, ExploreError::EmptySeedRange { start: s, end: e } if s == start && e == end),
            "{start}..{end}: {err}"
        );
        assert!(
            err.to_string().contains(&format!("{start}..{end}")),
            "{err}"
        );
    }
    assert!(matches!(
        Explorer::new("none").iterations(0).try_run(one_node),
        Err(ExploreError::EmptySeedRange { start: 0, end: 0 })
    ));
    // `run` refuses it with the same message rather than looping or wrapping.
    let panic = std::panic::catch_unwind(|| Explorer::new("bad").seeds(5..3).run(one_node))
        .expect_err("run refuses an empty range");
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("5..3"), "{text}");
}

#[test]
fn seeds_at_the_top_of_the_range_never_wrap() {
    use std::sync::Mutex;
    let seen: Mutex<Vec<u64>> = Mutex::new(Vec::new());
    let record = |b: SimBuilder| {
        let sim = one_node(b);
        seen.lock().unwrap().push(sim.seed());
        sim
    };
    for threads in [1, 4] {
        seen.lock().unwrap().clear();
        let r = Explorer::new("top")
            .seeds(u64::MAX - 3..u64::MAX)
            .threads(threads)
            .quiet(true)
            .run(record);
        assert!(r.failure.is_none());
        assert_eq!(r.runs, 3);
        let mut got = seen.lock().unwrap().clone();
        got.sort_unstable();
        assert_eq!(
            got,
            [u64::MAX - 3, u64::MAX - 2, u64::MAX - 1],
            "{threads} threads"
        );
    }
}

// ---- a panicking scheduled action ----------------------------------------------

/// A scheduled action that always panics.
struct Tripwire;

impl ControlAction for Tripwire {
    fn run(self: Box<Self>, _c: &mut Control<'_>) {
        panic!("tripwire hit");
    }
    fn describe(&self) -> String {
        "tripwire".into()
    }
}

fn with_tripwire(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim", "b@sim"]).build().unwrap();
    // A harmless planned action the shrinker can remove (planned action 0).
    sim.at(Time::ms(1), |c: &mut Control<'_>| c.record("noise"))
        .unwrap();
    sim.at(Time::ms(5), Tripwire).unwrap();
    sim.spawn("a@sim", |cx| async move {
        for i in 0..3 {
            cx.spawn_on("b@sim", move |_| async move { Ok(Term::Int(i)) })
                .await?;
        }
        cx.sleep(Time::ms(10)).await;
        Ok(Term::atom("ok"))
    })
    .unwrap();
    sim
}

#[test]
fn a_panicking_action_is_a_failed_run_naming_the_action_and_its_time() {
    let report = with_tripwire(Sim::builder().seed(3).trace(sim_core::TraceMode::Full)).run();
    let Outcome::ActionPanicked {
        action,
        time,
        message,
        ..
    } = &report.outcome
    else {
        panic!("expected ActionPanicked, got {}", report.outcome);
    };
    assert_eq!(action, "tripwire");
    assert_eq!(*time, Time::ms(5));
    assert_eq!(message, "tripwire hit");
    assert_eq!(report.time, Time::ms(5), "the run ends at the panic");
    let text = report.outcome.to_string();
    assert!(
        text.contains("tripwire") && text.contains(&Time::ms(5).to_string()),
        "{text}"
    );
    assert!(
        report
            .trace
            .iter()
            .any(|r| r.event.to_string().contains("tripwire hit")),
        "the panic is in the trace"
    );

    // A step-scheduled action panics the same way.
    let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    sim.after_steps(0, Tripwire).unwrap();
    assert_eq!(sim.run().outcome.kind(), "action_panicked");
}

#[test]
fn a_panicking_action_is_shrunk_and_replayed_like_any_failure() {
    let ex = Explorer::new("tripwire")
        .seeds(0..5)
        .threads(1)
        .write_files(false)
        .quiet(true);
    let result = ex.run(with_tripwire);
    let failure = result.failure.as_ref().expect("the tripwire fails seed 0");
    assert_eq!(failure.seed, 0);
    assert_eq!(failure.outcome.kind(), "action_panicked");
    assert_eq!(failure.report.outcome.kind(), "action_panicked");
    assert_eq!(
        failure.removed_actions,
        [0],
        "the harmless action is shrunk away"
    );
    assert_eq!(failure.replay.failure, "action_panicked");
    let shown = result.to_string();
    assert!(
        shown.contains("tripwire") && shown.contains(&Time::ms(5).to_string()),
        "{shown}"
    );
    assert!(!shown.contains("setup panicked"), "{shown}");
    let again = ex.replay(&failure.replay, with_tripwire);
    assert_eq!(again.divergence, None);
    assert_eq!(again.outcome, failure.report.outcome);
}

/// Reschedules itself for the instant it runs at, forever.
struct Again;

impl ControlAction for Again {
    fn run(self: Box<Self>, c: &mut Control<'_>) {
        let now = c.now();
        c.at(now, *self).unwrap();
    }
}

#[test]
fn an_action_rescheduling_itself_at_the_same_instant_spends_the_step_budget() {
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .max_steps(500)
        .build()
        .unwrap();
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::ms(5)).await;
        Ok(Term::atom("ok"))
    })
    .unwrap();
    sim.at(Time::ms(1), Again).unwrap();
    let report = sim.run();
    assert!(
        matches!(report.outcome, Outcome::StepBudget { .. }),
        "{report}"
    );
    assert_eq!(report.time, Time::ms(1), "time never moved past the loop");
}

/// What `drawer` draws, with `other` drawing first on another process when
/// `busy` is set.
fn draws(busy: bool) -> Term {
    let mut sim = Sim::builder().seed(11).nodes(["a@sim"]).build().unwrap();
    if busy {
        sim.spawn("a@sim", |cx| async move {
            for _ in 0..5 {
                cx.random(1_000);
            }
            Ok(Term::atom("ok"))
        })
        .unwrap();
    }
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::ms(1)).await;
        Ok(Term::List(
            (0..4)
                .map(|_| Term::Int(cx.random(1_000_000) as i64))
                .collect(),
        ))
    })
    .unwrap();
    let r = sim.run();
    r.assert_ok();
    match r.results.last() {
        Some((_, Some(Ok(t)))) => t.clone(),
        other => panic!("no result: {other:?}"),
    }
}

#[test]
fn a_process_draws_the_same_numbers_whatever_other_processes_draw() {
    // The drawer's pid is the same in both runs (it is the first process
    // spawned only in the second; slots differ), so compare its draws with a
    // run where the busy process draws nothing but still exists.
    let quiet = {
        let mut sim = Sim::builder().seed(11).nodes(["a@sim"]).build().unwrap();
        sim.spawn("a@sim", |_cx| async move { Ok(Term::atom("ok")) })
            .unwrap();
        sim.spawn("a@sim", |cx| async move {
            cx.sleep(Time::ms(1)).await;
            Ok(Term::List(
                (0..4)
                    .map(|_| Term::Int(cx.random(1_000_000) as i64))
                    .collect(),
            ))
        })
        .unwrap();
        let r = sim.run();
        match r.results.last() {
            Some((_, Some(Ok(t)))) => t.clone(),
            other => panic!("no result: {other:?}"),
        }
    };
    assert_eq!(draws(true), quiet, "the other process's draws moved these");
    assert_ne!(draws(false), Term::nil());
}

/// As `race`, but the client fails by returning an error when `b` comes
/// first (a `?` on a bad answer), not by a check.
fn race_exit(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", |cx| async move {
        let me = cx.self_pid();
        for tag in ["a", "b"] {
            cx.spawn(move |c| async move {
                c.send(me, Term::atom(tag)).await?;
                Ok(Term::atom("ok"))
            })
            .await?;
        }
        let first = cx.recv().await;
        if first != Term::atom("a") {
            return Err(sim_core::Exception::error(Term::tuple([
                Term::atom("badmatch"),
                first,
            ])));
        }
        Ok(first)
    })
    .unwrap();
    sim
}

#[test]
fn an_abnormal_client_exit_is_found_and_shrunk_as_the_same_process_exit() {
    let r = explorer(1).seeds(0..200).run(race_exit);
    let f = r.failure.expect("some schedule lets b in first");
    let Outcome::ProcessExited { pid, reason } = &f.outcome else {
        panic!("{}", f.outcome);
    };
    assert_eq!(reason.to_string(), "{{badmatch,b},[]}");
    let Outcome::ProcessExited { pid: shrunk, .. } = &f.report.outcome else {
        panic!("the shrunk run fails another way: {}", f.report.outcome);
    };
    assert_eq!(pid, shrunk);
    assert_eq!(f.replay.failure, "process_exited");
}
