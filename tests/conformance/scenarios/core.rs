//! Groups `core_*`: links, trap_exit, monitors, exits, registry, receive, spawn.

use crate::harness::{run, Observed};
use erpc_sim::prelude::*;

pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    vec![("cp02_link_normal_not_propagated", cp02)]
}

/// A linked partner exiting `normal` does not take a non-trapping process down.
fn cp02() -> Observed {
    run(|e| async move {
        let cx = e.cx.clone();
        let (watcher, r) = cx
            .spawn_monitor(|c| async move {
                let me = c.self_pid();
                c.spawn_link(move |_| async move {
                    let _ = me;
                    Ok(Term::atom("done"))
                })
                .await?;
                c.sleep(Time::ms(100)).await;
                Err(Exception::exit(Term::atom("survived")))
            })
            .await?;
        let _ = r;
        let down = cx.recv().await;
        let reason = match &down {
            Term::Tuple(t) if t.len() == 5 => t[4].clone(),
            _ => down.clone(),
        };
        Ok(Term::tuple([
            Term::atom("DOWN"),
            Term::Pid(watcher),
            reason,
        ]))
    })
}
