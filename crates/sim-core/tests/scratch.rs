#![allow(missing_docs)]
use sim_core::{
    Exception, ExitPolicy, Explorer, Pid, RunReport, Sim, SimBuilder, Term, Time, TraceEvent,
    TraceMode,
};
fn exit_reason(r: &RunReport, pid: Option<Pid>) -> Term {
    pid.and_then(|pid| {
        r.trace.iter().find_map(|t| match &t.event {
            TraceEvent::Exit { pid: p, reason } if *p == pid => Some(reason.clone()),
            _ => None,
        })
    })
    .unwrap_or(Term::atom("none"))
}
fn children(r: &RunReport, parent: Pid) -> Vec<Pid> {
    r.trace
        .iter()
        .filter_map(|t| match t.event {
            TraceEvent::Spawn {
                pid,
                parent: Some(p),
                ..
            } if p == parent => Some(pid),
            _ => None,
        })
        .collect()
}
fn three(b: SimBuilder) -> Sim {
    let mut sim = b.nodes(["a@sim"]).build().unwrap();
    sim.spawn("a@sim", |cx| async move {
        cx.spawn_link(|_| async { Err(Exception::exit(Term::atom("r1"))) })
            .await?;
        Err::<Term, _>(Exception::exit(Term::atom("r0")))
    })
    .unwrap();
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(Time::secs(1)).await;
        Ok(Term::atom("ok"))
    })
    .unwrap();
    sim
}
#[test]
fn scratch() {
    for opt in [false, true] {
        let mut got = std::collections::BTreeSet::new();
        eprintln!("=== optimal {opt}");
        let r = Explorer::new("x")
            .quiet(true)
            .write_files(false)
            .threads(1)
            .keep_going(true)
            .optimal_dpor(opt)
            .exhaustive_each(
                |b| three(b.exit_policy(ExitPolicy::Allow).trace(TraceMode::Full)),
                |r| {
                    let main = r.results[0].0;
                    let kids = children(r, main);
                    got.insert(format!(
                        "{{{}, {}}}",
                        exit_reason(r, Some(main)),
                        exit_reason(r, kids.first().copied())
                    ));
                },
            );
        println!("optimal {opt}: {r} {got:?}");
    }
}
