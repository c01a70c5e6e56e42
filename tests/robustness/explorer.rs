//! Robustness probes: the explorer, the builder and fault schedules.

use crate::Probe;
use erpc_sim::core::{ActionError, ControlAction, ExploreError, SimError};
use erpc_sim::prelude::*;

/// The probes of this group.
pub fn probes() -> Vec<Probe> {
    vec![
        (
            "explorer_reversed_seed_range_is_an_error",
            reversed_seed_range,
        ),
        ("explorer_empty_seed_range_is_an_error", empty_seed_range),
        (
            "explorer_run_refuses_an_empty_range_by_panicking_with_the_reason",
            run_refuses_empty_range,
        ),
        ("explorer_seeds_ending_at_u64_max_never_wrap", seeds_at_top),
        ("explorer_zero_threads_means_one", zero_threads),
        (
            "explorer_zero_shrink_budget_still_reports_the_failure",
            zero_shrink_budget,
        ),
        ("explorer_setup_panic_is_a_failure_not_a_crash", setup_panic),
        (
            "explorer_missing_or_garbage_replay_file_is_an_error",
            bad_replay_files,
        ),
        ("explorer_dfs_with_zero_schedules_runs_nothing", dfs_zero),
        ("explorer_shard_that_does_not_exist_is_an_error", bad_shards),
        (
            "explorer_shard_near_u64_max_runs_its_seeds_and_never_wraps",
            shard_at_top,
        ),
        (
            "explorer_panicking_end_check_is_a_failed_run_not_a_crash",
            panicking_end_check,
        ),
        (
            "panicking_at_action_is_a_failed_run_naming_it_and_its_time",
            at_action_panics,
        ),
        (
            "panicking_after_steps_action_is_a_failed_run",
            after_steps_action_panics,
        ),
        (
            "action_panic_with_a_non_string_payload_is_reported",
            non_string_panic,
        ),
        (
            "panicking_action_is_shrunk_and_replayed_not_a_setup_panic",
            explored_action_panic,
        ),
        (
            "action_rescheduling_itself_at_the_same_instant_is_bounded",
            self_rescheduling_action,
        ),
        (
            "fault_naming_an_unknown_node_is_refused_by_sim_at",
            unknown_node_faults,
        ),
        ("malformed_fault_is_refused_by_sim_at", malformed_faults),
        (
            "control_at_inside_an_action_refuses_an_unknown_node",
            control_at_validates,
        ),
        ("action_scheduled_in_the_past_runs_now", action_in_the_past),
        (
            "node_name_with_space_or_control_character_is_invalid",
            bad_node_names,
        ),
        ("node_name_over_255_characters_is_invalid", long_node_name),
        ("node_name_defined_twice_is_an_error", duplicate_node),
        ("builder_without_nodes_is_an_error", no_nodes),
        (
            "builder_setting_for_unknown_node_is_an_error",
            builder_unknown_node,
        ),
        (
            "exhaustive_setup_panic_is_a_failure_not_a_crash",
            exhaustive_setup_panic,
        ),
        (
            "exhaustive_program_that_never_ends_fails_on_its_step_budget",
            exhaustive_endless,
        ),
        (
            "exhaustive_with_zero_interleavings_runs_one_and_says_it_stopped",
            exhaustive_zero,
        ),
        (
            "exhaustive_nondeterministic_program_is_reported_not_explored",
            exhaustive_nondeterministic,
        ),
        (
            "explorer_a_fault_set_naming_an_unknown_node_fails_every_run_saying_so",
            fault_set_unknown_node,
        ),
    ]
}

fn exhaustive_setup_panic() -> Result<(), String> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(|| {
        quiet("setup").exhaustive(|b| {
            let _ = b;
            panic!("no simulation today")
        })
    });
    std::panic::set_hook(prev);
    let r = r.map_err(|_| "exhaustive let a setup panic through".to_string())?;
    let f = r.failure.as_ref().ok_or("no failure reported")?;
    expect(
        "outcome",
        &f.outcome,
        f.outcome.to_string().contains("no simulation today") && !r.complete,
    )
}

fn exhaustive_endless() -> Result<(), String> {
    let r = quiet("endless").exhaustive(|b| {
        let mut sim = b.nodes(["a@sim"]).max_steps(200).build().expect("one node");
        sim.spawn("a@sim", |cx| async move {
            loop {
                cx.send(cx.self_pid(), atom!("again")).await?;
                cx.recv().await;
            }
        })
        .expect("spawn");
        sim
    });
    let ok = matches!(
        r.failure.as_ref().map(|f| &f.outcome),
        Some(Outcome::StepBudget { .. })
    );
    expect("outcome", r.to_string(), ok)
}

fn exhaustive_zero() -> Result<(), String> {
    let r = quiet("zero").max_interleavings(0).exhaustive(|b| {
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        for _ in 0..2 {
            sim.spawn("a@sim", |cx| async move {
                // Both write one name (refused: nobody holds it), so the
                // two orders are two interleavings.
                let x = i64::from(cx.unregister("shared").await.is_err());
                cx.send(cx.self_pid(), Term::Int(x)).await?;
                Ok(atom!("ok"))
            })
            .expect("spawn");
        }
        sim
    });
    expect(
        "result",
        r.to_string(),
        r.interleavings == 1 && !r.complete && r.bound_hit.is_some(),
    )
}

fn exhaustive_nondeterministic() -> Result<(), String> {
    // The program changes from run to run: a second process appears.
    let runs = std::sync::atomic::AtomicU64::new(0);
    let r = quiet("nondeterministic").exhaustive(|b| {
        let n = runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut sim = b.nodes(["a@sim"]).build().expect("one node");
        for i in 0..2 + n.min(1) {
            sim.spawn("a@sim", move |cx| async move {
                // Both write one name (refused: nobody holds it), so the
                // two orders are two interleavings.
                let x = i64::from(cx.unregister("shared").await.is_err());
                cx.send(cx.self_pid(), Term::Int(x)).await?;
                Ok(Term::Int(i as i64))
            })
            .expect("spawn");
        }
        sim
    });
    let said = r
        .bound_hit
        .as_deref()
        .is_some_and(|b| b.contains("not deterministic"));
    expect("result", r.to_string(), said && !r.complete)
}

fn expect<T: std::fmt::Debug>(what: &str, got: T, ok: bool) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}"))
    }
}

fn fault_set_unknown_node() -> Result<(), String> {
    let r = quiet("fault set unknown node")
        .may_fault(erpc_sim::partition::Fault::crash("zz@sim"))
        .max_interleavings(10)
        .exhaustive(one_node);
    let said = r.failure.as_ref().is_some_and(|f| {
        f.outcome
            .to_string()
            .contains("the fault set refuses `crash zz@sim`: unknown node `zz@sim`")
    });
    expect(
        "may_fault(crash zz@sim)",
        r.to_string(),
        said && !r.complete,
    )
}

fn one_node(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node builds");
    sim.spawn("a@sim", |_| async move { Ok(atom!("ok")) })
        .expect("spawn on a@sim");
    sim
}

fn quiet(name: &str) -> Explorer {
    Explorer::new(name)
        .quiet(true)
        .write_files(false)
        .threads(2)
}

// The reversed range is the misuse under test.
#[allow(clippy::reversed_empty_ranges)]
fn reversed_seed_range() -> Result<(), String> {
    let r = quiet("rev").seeds(5..3).try_run(one_node);
    let ok = matches!(r, Err(ExploreError::EmptySeedRange { start: 5, end: 3 }));
    expect("seeds(5..3)", r.map(|e| e.runs), ok)
}

fn empty_seed_range() -> Result<(), String> {
    for (s, e) in [(4u64, 4u64), (u64::MAX, u64::MAX), (u64::MAX, 0)] {
        let r = quiet("empty").seeds(s..e).try_run(one_node);
        let ok = matches!(r, Err(ExploreError::EmptySeedRange { .. }));
        expect(&format!("seeds({s}..{e})"), r.map(|x| x.runs), ok)?;
    }
    let r = quiet("zero").iterations(0).try_run(one_node);
    let ok = matches!(r, Err(ExploreError::EmptySeedRange { start: 0, end: 0 }));
    expect("iterations(0)", r.map(|x| x.runs), ok)
}

// The reversed range is the misuse under test.
#[allow(clippy::reversed_empty_ranges)]
fn run_refuses_empty_range() -> Result<(), String> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(|| quiet("rev").seeds(9..2).run(one_node));
    std::panic::set_hook(prev);
    match r {
        Ok(e) => Err(format!("ran {} schedules", e.runs)),
        Err(p) => {
            let msg = p.downcast_ref::<String>().cloned().unwrap_or_default();
            expect(
                "panic message",
                &msg,
                msg.contains("9..2") && msg.contains("empty"),
            )
        }
    }
}

fn seeds_at_top() -> Result<(), String> {
    let seen = std::sync::Mutex::new(Vec::new());
    let r = quiet("top")
        .threads(4)
        .seeds(u64::MAX - 2..u64::MAX)
        .run(|b| {
            let sim = one_node(b);
            if let Ok(mut v) = seen.lock() {
                v.push(sim.seed());
            }
            sim
        });
    let mut got = seen.into_inner().map_err(|e| e.to_string())?;
    got.sort_unstable();
    expect(
        "seeds run",
        (&got, r.runs),
        got == [u64::MAX - 2, u64::MAX - 1] && r.runs == 2,
    )
}

fn zero_threads() -> Result<(), String> {
    let r = quiet("t0").threads(0).iterations(3).run(one_node);
    expect(
        "threads(0)",
        (r.threads, r.runs),
        r.threads == 1 && r.runs == 3,
    )
}

/// A program whose check fails on every seed.
fn always_fails(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().expect("builds");
    sim.spawn("a@sim", |cx| async move {
        cx.check(false, "never holds")?;
        Ok(atom!("unreachable"))
    })
    .expect("spawn");
    sim
}

fn zero_shrink_budget() -> Result<(), String> {
    let r = quiet("nobudget")
        .shrink_budget(0)
        .iterations(3)
        .run(always_fails);
    let f = r.failure.ok_or("no failure reported")?;
    expect(
        "failure",
        (&f.outcome, f.shrink_runs),
        f.seed == 0 && f.shrink_runs == 0 && f.outcome.kind() == "check_failed",
    )
}

fn setup_panic() -> Result<(), String> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(|| {
        quiet("setup").iterations(2).run(|b| {
            let _ = b;
            panic!("no simulation today")
        })
    });
    std::panic::set_hook(prev);
    let r = r.map_err(|_| "the explorer let a setup panic through".to_string())?;
    let f = r.failure.ok_or("no failure reported")?;
    expect(
        "outcome",
        &f.outcome,
        f.outcome.to_string().contains("no simulation today"),
    )
}

fn bad_replay_files() -> Result<(), String> {
    let missing = quiet("r").replay_file("/no/such/replay.json", one_node);
    expect(
        "missing file",
        missing.as_ref().map(|r| r.steps),
        missing.is_err(),
    )?;
    let dir = std::env::temp_dir().join(format!("erpc-sim-probe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("garbage.json");
    std::fs::write(&path, "{ not json").map_err(|e| e.to_string())?;
    let garbage = quiet("r").replay_file(&path, one_node);
    let _ = std::fs::remove_dir_all(&dir);
    expect(
        "garbage file",
        garbage.as_ref().map(|r| r.steps),
        garbage.is_err(),
    )
}

fn dfs_zero() -> Result<(), String> {
    let (n, done, failure) = quiet("dfs").dfs(10, 0, one_node);
    expect(
        "dfs(.., 0, ..)",
        (n, done),
        n == 0 && !done && failure.is_none(),
    )
}

fn bad_shards() -> Result<(), String> {
    for (k, n) in [(0, 0), (4, 4), (u64::MAX, 3)] {
        let r = quiet("shard").shard(k, n).try_run(one_node);
        let ok = matches!(&r, Err(ExploreError::BadShard { index, count }) if (*index, *count) == (k, n));
        expect(&format!("shard({k}, {n})"), r.map(|e| e.runs), ok)?;
    }
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(|| quiet("shard").shard(2, 1).run(one_node));
    std::panic::set_hook(prev);
    match r {
        Ok(e) => Err(format!("ran {} schedules", e.runs)),
        Err(p) => {
            let msg = p.downcast_ref::<String>().cloned().unwrap_or_default();
            expect("panic message", &msg, msg.contains("shard 2/1"))
        }
    }
}

fn shard_at_top() -> Result<(), String> {
    // Seeds u64::MAX-5 ..= u64::MAX-1: three even (u64::MAX is odd), two odd.
    let range = u64::MAX - 5..u64::MAX;
    let evens = quiet("top")
        .seeds(range.clone())
        .shard(0, 2)
        .try_run(one_node);
    expect(
        "shard 0/2",
        evens.as_ref().map(|e| e.runs),
        evens.as_ref().is_ok_and(|e| e.runs == 3),
    )?;
    let odds = quiet("top")
        .seeds(range.clone())
        .shard(1, 2)
        .try_run(one_node);
    expect(
        "shard 1/2",
        odds.as_ref().map(|e| e.runs),
        odds.as_ref().is_ok_and(|e| e.runs == 2),
    )?;
    // A shard count larger than the range: one shard holds a seed, most none.
    let huge = quiet("top")
        .seeds(range)
        .shard(u64::MAX - 2, u64::MAX)
        .try_run(one_node);
    expect(
        "shard MAX-2/MAX",
        huge.as_ref().map(|e| e.runs),
        huge.as_ref().is_ok_and(|e| e.runs == 1),
    )
}

fn panicking_end_check() -> Result<(), String> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(|| {
        quiet("endcheck")
            .iterations(5)
            .check_end(|_| panic!("the checker broke"))
            .run(one_node)
    });
    std::panic::set_hook(prev);
    let r = r.map_err(|_| "the end check's panic escaped the explorer".to_string())?;
    let f = r.failure.ok_or("no failure reported")?;
    let ok = matches!(&f.outcome, Outcome::EndCheckFailed { message } if message.contains("the checker broke"));
    expect("outcome", &f.outcome, ok && f.seed == 0)
}

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

fn sleeper(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim", "b@sim"]).build().expect("builds");
    sim.spawn("a@sim", |cx| async move {
        cx.spawn_on("b@sim", |_| async move { Ok(atom!("far")) })
            .await?;
        cx.sleep(Time::ms(10)).await;
        Ok(atom!("ok"))
    })
    .expect("spawn");
    sim
}

fn silently<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, String> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(f);
    std::panic::set_hook(prev);
    r.map_err(|_| "the panic escaped Sim::run".to_string())
}

fn at_action_panics() -> Result<(), String> {
    let report = silently(|| {
        let mut sim = sleeper(Sim::builder());
        sim.at(Time::ms(4), Tripwire).map_err(|e| e.to_string())?;
        Ok::<_, String>(sim.run())
    })??;
    let ok = matches!(&report.outcome,
        Outcome::ActionPanicked { action, time, message, .. }
            if action == "tripwire" && *time == Time::ms(4) && message == "tripwire hit");
    expect("outcome", &report.outcome, ok)
}

fn after_steps_action_panics() -> Result<(), String> {
    let report = silently(|| {
        let mut sim = sleeper(Sim::builder());
        sim.after_steps(2, Tripwire).map_err(|e| e.to_string())?;
        Ok::<_, String>(sim.run())
    })??;
    let ok = matches!(&report.outcome, Outcome::ActionPanicked { step, .. } if *step == 2);
    expect("outcome", &report.outcome, ok)
}

fn non_string_panic() -> Result<(), String> {
    let report = silently(|| {
        let mut sim = sleeper(Sim::builder());
        sim.at(Time::ms(1), |_c: &mut Control<'_>| {
            std::panic::panic_any(42_u32)
        })
        .map_err(|e| e.to_string())?;
        Ok::<_, String>(sim.run())
    })??;
    expect(
        "outcome",
        &report.outcome,
        report.outcome.kind() == "action_panicked",
    )
}

fn explored_action_panic() -> Result<(), String> {
    let program = |b: SimBuilder| {
        let mut sim = sleeper(b);
        let _ = sim.at(Time::ms(1), |c: &mut Control<'_>| c.record("noise"));
        let _ = sim.at(Time::ms(3), Tripwire);
        sim
    };
    let ex = quiet("tripwire").iterations(4);
    let r = silently(|| ex.run(program))?;
    let f = r.failure.as_ref().ok_or("no failure reported")?;
    let shown = r.to_string();
    if shown.contains("setup panicked") || !shown.contains("tripwire") {
        return Err(format!("report: {shown}"));
    }
    let again = silently(|| ex.replay(&f.replay, program))?;
    expect(
        "shrunk and replayed",
        (&f.removed_actions, &again.outcome, &again.divergence),
        f.removed_actions == [0] && again.outcome == f.report.outcome && again.divergence.is_none(),
    )
}

/// Reschedules itself at the same instant, forever.
struct Again;

impl ControlAction for Again {
    fn run(self: Box<Self>, c: &mut Control<'_>) {
        let now = c.now();
        let _ = c.at(now, *self);
    }
}

fn self_rescheduling_action() -> Result<(), String> {
    let mut sim = Sim::builder()
        .nodes(["a@sim"])
        .max_steps(10_000)
        .build()
        .map_err(|e| e.to_string())?;
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::ms(5)).await;
        Ok(atom!("ok"))
    })
    .map_err(|e| e.to_string())?;
    sim.at(Time::ms(1), Again).map_err(|e| e.to_string())?;
    let report = sim.run();
    expect(
        "outcome",
        &report.outcome,
        matches!(report.outcome, Outcome::StepBudget { .. }),
    )
}

fn unknown_node_faults() -> Result<(), String> {
    let mut sim = sleeper(Sim::builder());
    let unknown = |n: &str| Err(SimError::UnknownNode(n.into()));
    let cases = [
        ("crash", sim.at(Time::ms(1), Fault::crash("x@sim")), "x@sim"),
        (
            "restart",
            sim.at(Time::ms(1), Fault::restart("r@sim")),
            "r@sim",
        ),
        (
            "cut",
            sim.after_steps(1, Fault::cut("a@sim", "c@sim", Mode::Drop)),
            "c@sim",
        ),
        (
            "isolate",
            sim.at(Time::ms(1), Fault::isolate("i@sim", Mode::Defer)),
            "i@sim",
        ),
        (
            "nemesis",
            sim.at(Time::ZERO, Nemesis::new().nodes(["b@sim", "n@sim"])),
            "n@sim",
        ),
    ];
    for (what, got, node) in cases {
        expect(what, &got, got == unknown(node))?;
    }
    let report = sim.run();
    expect(
        "nothing scheduled",
        (&report.outcome, report.planned_actions),
        report.outcome.is_ok() && report.planned_actions == 0,
    )
}

fn malformed_faults() -> Result<(), String> {
    let mut sim = sleeper(Sim::builder());
    let self_cut = sim.at(Time::ms(1), Fault::cut("a@sim", "a@sim", Mode::Drop));
    expect(
        "self cut",
        &self_cut,
        matches!(self_cut, Err(SimError::InvalidAction { .. })),
    )?;
    let twice = sim.at(
        Time::ms(1),
        Fault::partition((["a@sim"], ["a@sim", "b@sim"]), Mode::Drop),
    );
    expect(
        "node in two groups",
        &twice,
        matches!(twice, Err(SimError::InvalidAction { .. })),
    )
}

fn control_at_validates() -> Result<(), String> {
    let mut sim = sleeper(Sim::builder());
    let got = std::rc::Rc::new(std::cell::RefCell::new(None));
    let got2 = got.clone();
    sim.at(Time::ms(1), move |c: &mut Control<'_>| {
        *got2.borrow_mut() = Some(c.at(Time::ms(2), Fault::crash("ghost@sim")));
    })
    .map_err(|e| e.to_string())?;
    sim.run().assert_ok();
    let got = got.borrow().clone();
    expect(
        "c.at",
        &got,
        got == Some(Err(ActionError::UnknownNode("ghost@sim".into()))),
    )
}

fn action_in_the_past() -> Result<(), String> {
    let mut sim = sleeper(Sim::builder().trace(TraceMode::Full));
    sim.at(Time::ms(3), |c: &mut Control<'_>| {
        let _ = c.at(Time::ZERO, |c: &mut Control<'_>| c.record("late"));
    })
    .map_err(|e| e.to_string())?;
    let report = sim.run();
    let at = report
        .trace
        .iter()
        .find(|r| r.event.to_string().contains("late"))
        .map(|r| r.time);
    expect("ran at", at, at == Some(Time::ms(3)))
}

fn bad_node_names() -> Result<(), String> {
    for name in [
        "a b@host", " a@b", "a@b\n", "a\0@b", "a@b c", "a@b@c", "a.b@c", "a@\u{7}x",
    ] {
        let r = Sim::builder().nodes([name]).build().map(|_| ());
        expect(
            &format!("{name:?}"),
            &r,
            r == Err(SimError::InvalidNodeName(name.into())),
        )?;
    }
    Ok(())
}

fn long_node_name() -> Result<(), String> {
    let name = format!("a@{}", "h".repeat(300));
    let r = Sim::builder().nodes([name.as_str()]).build().map(|_| ());
    expect(
        "long name",
        &r,
        r == Err(SimError::InvalidNodeName(name.clone())),
    )
}

fn duplicate_node() -> Result<(), String> {
    let r = Sim::builder().nodes(["a@sim", "a@sim"]).build().map(|_| ());
    expect(
        "twice",
        &r,
        r == Err(SimError::DuplicateNode("a@sim".into())),
    )
}

fn no_nodes() -> Result<(), String> {
    let r = Sim::builder().build().map(|_| ());
    expect("no nodes", &r, r == Err(SimError::NoNodes))
}

fn builder_unknown_node() -> Result<(), String> {
    let r = Sim::builder()
        .nodes(["a@sim"])
        .process_limit("zz@sim", 3)
        .build()
        .map(|_| ());
    expect(
        "process_limit",
        &r,
        r == Err(SimError::UnknownNode("zz@sim".into())),
    )
}
