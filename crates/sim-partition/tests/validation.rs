//! Faults are checked when they are scheduled: one naming a node the
//! simulation does not have is refused by `sim.at` as `sim.spawn` refuses it.

use sim_core::{Sim, SimError, Term, Time, TraceEvent, TraceMode};
use sim_partition::{Fault, FaultPlan, Mode, Nemesis};

fn sim() -> Sim {
    let mut sim = Sim::builder()
        .nodes(["a@sim", "b@sim"])
        .trace(TraceMode::Full)
        .build()
        .unwrap();
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::ms(20)).await;
        Ok(Term::atom("ok"))
    })
    .unwrap();
    sim
}

fn unknown(n: &str) -> Result<(), SimError> {
    Err(SimError::UnknownNode(n.to_string()))
}

#[test]
fn faults_naming_unknown_nodes_are_refused_when_scheduled() {
    let mut sim = sim();
    // The same answer as spawning there.
    assert_eq!(
        sim.spawn("x@sim", |_| async move { Ok(Term::Int(0)) })
            .map(|_| ()),
        unknown("x@sim")
    );
    assert_eq!(sim.at(Time::ms(1), Fault::crash("x@sim")), unknown("x@sim"));
    assert_eq!(
        sim.at(Time::ms(1), Fault::restart("y@sim")),
        unknown("y@sim")
    );
    assert_eq!(
        sim.after_steps(3, Fault::cut("a@sim", "z@sim", Mode::Drop)),
        unknown("z@sim")
    );
    assert_eq!(
        sim.at(
            Time::ms(1),
            Fault::partition((["a@sim"], ["b@sim", "q@sim"]), Mode::Defer)
        ),
        unknown("q@sim")
    );
    assert_eq!(
        sim.at(
            Time::ms(1),
            Fault::one_way(["w@sim"], ["a@sim"], Mode::Drop)
        ),
        unknown("w@sim")
    );
    assert_eq!(
        sim.at(Time::ZERO, Nemesis::new().nodes(["a@sim", "n@sim"])),
        unknown("n@sim")
    );
    let plan = FaultPlan::new()
        .at(Time::ms(1), Fault::heal())
        .at(Time::ms(2), Fault::crash("p@sim"));
    assert_eq!(plan.install(&mut sim), unknown("p@sim"));
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.planned_actions, 0, "nothing refused was scheduled");
    assert!(
        !report
            .trace
            .iter()
            .any(|r| matches!(r.event, TraceEvent::Fault { .. })),
        "no fault ran"
    );
}

#[test]
fn malformed_faults_are_refused_when_scheduled() {
    let mut sim = sim();
    let two_groups = Fault::partition((["a@sim"], ["a@sim", "b@sim"]), Mode::Drop);
    assert_eq!(
        sim.at(Time::ms(1), two_groups.clone()),
        Err(SimError::InvalidAction {
            action: two_groups.to_string(),
            reason: "node `a@sim` is in more than one group".into(),
        })
    );
    let self_cut = Fault::cut("b@sim", "b@sim", Mode::Defer);
    assert!(matches!(
        sim.after_steps(1, self_cut),
        Err(SimError::InvalidAction { .. })
    ));
    // Valid faults are accepted and run.
    sim.at(Time::ms(1), Fault::isolate("b@sim", Mode::Drop))
        .unwrap();
    sim.at(Time::ms(2), Fault::heal()).unwrap();
    sim.at(
        Time::ZERO,
        Nemesis::new().nodes(["b@sim"]).until(Time::ms(10)),
    )
    .unwrap();
    let report = sim.run();
    report.assert_ok();
    assert_eq!(report.planned_actions, 3);
}
