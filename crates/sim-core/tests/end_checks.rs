//! End-of-run checks (`Sim::check_end`, `Explorer::check_end`,
//! `Explorer::run_checked`) and `cx.fail`: what they fail, and that the
//! explorer shrinks and replays their failures like a failed check.

use sim_core::{Explorer, Outcome, ReplayFile, Sim, SimBuilder, Term, Time};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Two processes each add one to a shared counter with a read, a pause and
/// a write: an interleaving that reads twice before writing loses an update.
fn lost_update(b: SimBuilder) -> (Sim, Rc<RefCell<i64>>) {
    let mut sim = b.nodes(["a@sim"]).build().expect("one node");
    let counter: Rc<RefCell<i64>> = Rc::default();
    for _ in 0..2 {
        let counter = counter.clone();
        sim.spawn("a@sim", move |cx| async move {
            let seen = *counter.borrow();
            cx.sleep(Time::ms(1)).await;
            *counter.borrow_mut() = seen + 1;
            Ok(Term::Int(seen))
        })
        .expect("a@sim");
    }
    (sim, counter)
}

fn counted(_: &sim_core::RunReport, counter: &Rc<RefCell<i64>>) -> Result<(), String> {
    match *counter.borrow() {
        2 => Ok(()),
        n => Err(format!("counter is {n}, want 2")),
    }
}

#[test]
fn an_end_check_fails_a_completed_run_once_and_leaves_a_failed_run_alone() {
    let calls = Rc::new(Cell::new(0));
    let mut sim = Sim::builder().nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |_| async move { Ok(Term::Int(1)) })
        .expect("a@sim");
    let c = calls.clone();
    sim.check_end(move |r| {
        c.set(c.get() + 1);
        Err(format!("{} result(s)", r.results.len()))
    });
    let first = sim.run();
    let again = sim.run();
    assert_eq!(
        first.outcome,
        Outcome::EndCheckFailed {
            message: "1 result(s)".into()
        }
    );
    assert_eq!(again.outcome, first.outcome);
    assert_eq!(calls.get(), 1, "the check runs once");
    assert_eq!(first.outcome.kind(), "end_check_failed");

    let calls = Rc::new(Cell::new(0));
    let mut sim = Sim::builder().nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        cx.check(false, "failed first")?;
        Ok(Term::Int(1))
    })
    .expect("a@sim");
    let c = calls.clone();
    sim.check_end(move |_| {
        c.set(c.get() + 1);
        Err("never asked".into())
    });
    assert!(matches!(sim.run().outcome, Outcome::CheckFailed { .. }));
    assert_eq!(calls.get(), 0, "a failed run keeps its own outcome");
}

#[test]
fn a_panicking_end_check_is_a_failed_run_not_a_crash() {
    let mut sim = Sim::builder().nodes(["a@sim"]).build().expect("one node");
    sim.check_end(|_| panic!("the checker broke"));
    let r = sim.run();
    let Outcome::EndCheckFailed { message } = &r.outcome else {
        panic!("{r}");
    };
    assert!(message.contains("the checker broke"), "{message}");
}

#[test]
fn cx_fail_fails_the_run_now_as_a_false_check() {
    let mut sim = Sim::builder().nodes(["a@sim"]).build().expect("one node");
    sim.spawn("a@sim", |cx| async move {
        let missing: Option<Term> = None;
        let v = missing.ok_or_else(|| cx.fail("no value"))?;
        Ok(v)
    })
    .expect("a@sim");
    let r = sim.run();
    let Outcome::CheckFailed { message, .. } = &r.outcome else {
        panic!("{r}");
    };
    assert_eq!(message, "no value");
    let reason = r.results[0].1.clone().expect("ended").expect_err("failed");
    assert_eq!(reason, Term::atom("check_failed"));
}

#[test]
fn run_checked_finds_shrinks_and_replays_a_lost_update() {
    let dir = std::env::temp_dir().join(format!("erpc-sim-end-check-{}", std::process::id()));
    let ex = Explorer::new("lost_update")
        .seeds(0..200)
        .threads(2)
        .out_dir(&dir)
        .quiet(true);
    let r = ex.run_checked(lost_update, counted);
    let f = r.failure.expect("an interleaving loses the update");
    let want = Outcome::EndCheckFailed {
        message: "counter is 1, want 2".into(),
    };
    assert_eq!(f.outcome, want);
    assert_eq!(f.report.outcome, want, "the shrunk run fails the same way");
    assert!(f.shrunk_choices <= f.original_choices);
    let path = f.replay_path.clone().expect("written");
    let file = ReplayFile::read(&path).expect("readable");
    assert_eq!(file.failure, "end_check_failed");
    // Replayed through a program that installs the same check itself.
    let again = ex.replay_file(&path, |b| {
        let (mut sim, counter) = lost_update(b);
        sim.check_end(move |r| counted(r, &counter));
        sim
    });
    let _ = std::fs::remove_dir_all(&dir);
    let again = again.expect("readable");
    assert_eq!(again.outcome, want);
    assert!(again.divergence.is_none(), "{again}");
}

#[test]
fn an_explorer_end_check_sees_every_run_and_the_shrinker_keeps_its_failure() {
    // The report-only hook: fail any run where the first process returned 0.
    let ex = Explorer::new("report_hook")
        .seeds(0..200)
        .threads(1)
        .write_files(false)
        .quiet(true)
        .check_end(|r| match r.value(0) {
            Some(Term::Int(0)) => Err("first writer read 0".into()),
            _ => Ok(()),
        });
    let f = ex
        .run(|b| lost_update(b).0)
        .failure
        .expect("the first writer reads 0 in every run");
    assert_eq!(f.seed, 0, "it fails on the first seed");
    assert_eq!(f.outcome.kind(), "end_check_failed");
}
