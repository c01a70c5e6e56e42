//! Single faults of a run can be switched off, and the rest stay as they were.

use sim_core::{FaultKey, RunReport, Sim, Term, Time};
use sim_partition::Nemesis;

/// A nemesis whose first fault is switched off still draws, at every later
/// wake-up, what it drew before.
#[test]
fn removing_a_fault_leaves_the_others_as_they_were() {
    let run = |off: &[FaultKey]| {
        let mut sim = Sim::builder()
            .seed(5)
            .nodes(["a@sim", "b@sim", "c@sim"])
            .build()
            .unwrap();
        sim.at(
            Time::ZERO,
            Nemesis::new()
                .period(Time::ms(2))
                .until(Time::ms(100))
                .partition(0.5)
                .heal(0.5),
        )
        .unwrap();
        sim.spawn("a@sim", |cx| async move {
            cx.sleep(Time::ms(120)).await;
            Ok(Term::atom("ok"))
        })
        .unwrap();
        sim.suppress_faults(off);
        sim.run()
    };
    let all = run(&[]);
    assert!(all.faults.len() >= 4, "{:?}", all.faults);
    // Remove a partition that is not healed at the same instant.
    let first = all.faults[0].key;
    let fewer = run(&[first]);
    assert_eq!(fewer.suppressed_faults, vec![first]);
    let later = |r: &RunReport| -> Vec<(FaultKey, String)> {
        r.faults
            .iter()
            .filter(|e| e.key.time > first.time && !e.what.starts_with("heal"))
            .map(|e| (e.key, e.what.clone()))
            .collect()
    };
    // Cuts are numbered as installed, so compare what they cut, not their ids.
    let shape = |v: Vec<(FaultKey, String)>| -> Vec<(FaultKey, String)> {
        v.into_iter()
            .map(|(k, w)| (k, w.split(" (").next().unwrap_or("").to_string()))
            .collect()
    };
    assert_eq!(shape(later(&all)), shape(later(&fewer)));
    assert!(!fewer.faults.iter().any(|e| e.key == first));
}

/// A retimed fault is applied later under the key it was asked for, and the
/// window it opens (a cut, a crash, a congestion) ends at its `until`: the
/// trace shows the early end, and a fault without a window ignores `until`.
#[test]
fn a_retimed_fault_applies_later_and_its_window_ends_early() {
    use sim_core::{FaultRetime, TraceEvent};
    use sim_partition::{Fault, Mode};
    let run = |retimes: &[FaultRetime]| {
        let mut sim = Sim::builder()
            .nodes(["a@sim", "b@sim"])
            .trace(sim_core::TraceMode::Full)
            .build()
            .unwrap();
        sim.at(Time::ms(1), Fault::isolate("a@sim", Mode::Drop))
            .unwrap();
        sim.at(Time::ms(2), Fault::crash("b@sim")).unwrap();
        sim.at(
            Time::ms(3),
            Fault::congest("a@sim", "b@sim", 10, Time::ms(50)),
        )
        .unwrap();
        sim.at(Time::ms(90), Fault::heal()).unwrap();
        sim.spawn("a@sim", |cx| async move {
            cx.sleep(Time::ms(100)).await;
            Ok(Term::atom("ok"))
        })
        .unwrap();
        sim.retime_faults(retimes);
        sim.run()
    };
    let plain = run(&[]);
    let keys: Vec<FaultKey> = plain.faults.iter().map(|e| e.key).collect();
    assert_eq!(keys.len(), 4, "{:?}", plain.faults);
    assert_eq!(
        plain.faults.iter().map(|e| e.window).collect::<Vec<_>>(),
        [true, true, true, false]
    );
    let ms = |n| Some(Time::ms(n));
    let moved = run(&[
        FaultRetime {
            key: keys[0],
            at: ms(5),
            until: ms(6),
        },
        FaultRetime {
            key: keys[1],
            at: None,
            until: ms(4),
        },
        FaultRetime {
            key: keys[2],
            at: None,
            until: ms(10),
        },
        FaultRetime {
            key: keys[3],
            at: None,
            until: ms(95),
        },
    ]);
    moved.assert_ok();
    let seen: Vec<(FaultKey, Time, Option<Time>)> = moved
        .faults
        .iter()
        .map(|e| (e.key, e.at, e.until))
        .collect();
    assert_eq!(
        seen,
        [
            (keys[1], Time::ms(2), ms(4)),
            (keys[2], Time::ms(3), ms(10)),
            (keys[0], Time::ms(5), ms(6)),
            (keys[3], Time::ms(90), None),
        ]
    );
    let fault_at = |what: &str| {
        moved.trace.iter().find_map(|r| match &r.event {
            TraceEvent::Fault { what: w } if w.starts_with(what) => Some(r.time),
            _ => None,
        })
    };
    assert_eq!(fault_at("end of window: restart b@sim"), Some(Time::ms(4)));
    assert_eq!(
        fault_at("congestion a@sim -> b@sim ends"),
        Some(Time::ms(10))
    );
    assert_eq!(fault_at("end of window: heal"), Some(Time::ms(6)));
}
