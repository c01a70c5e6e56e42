//! Shrinking moves faults in time: a partition placed at a random time with
//! a long window shrinks to the moment it matters and a window of nothing.

use super::{quiet, written};
use erpc_sim::core::FaultRetime;
use erpc_sim::core::{FaultEntry, ReplayFile};
use erpc_sim::prelude::*;

/// When the pinger sends its one ping.
const PING_AT: Time = Time::ms(300);
/// How long it waits for the answer.
const PING_WAIT: u64 = 5;

/// A pinger on a@sim sends one ping to an echo server on b@sim at 300 ms and
/// waits 5 ms for the answer. A drop partition isolating a@sim is placed at
/// a time drawn from the data seed in the first 250 ms, and healed 500 ms
/// later: the ping is lost and the check fails, on every seed. The
/// hand-minimal run has the partition while the ping or its answer is in
/// flight, healed at once (a window of 0): a drop cut loses what is in
/// flight, and a lost signal stays lost after the heal.
pub(super) fn window_program(b: SimBuilder) -> Sim {
    let mut sim = b
        .nodes(["a@sim", "b@sim"])
        .latency(Time::us(100), Time::us(300))
        .build()
        .expect("two nodes");
    sim.at(Time::ZERO, |c: &mut Control<'_>| {
        let at = Time::us(c.keyed_rng(1, 0).below(250_000));
        // Both name nodes of this simulation: neither can be refused.
        let _ = c.at(at, Fault::isolate("a@sim", Mode::Drop));
        let _ = c.at(at + Time::ms(500), Fault::heal());
    })
    .expect("the fault placer");
    spawn_echo(&mut sim);
    sim.spawn("a@sim", |cx| async move {
        cx.sleep(PING_AT).await;
        let me = cx.self_pid();
        cx.send((Atom::new("echo"), Atom::new("b@sim")), tuple![me, 1])
            .await?;
        let got = cx
            .receive_timeout(|m| *m == Term::Int(1), Timeout::ms(PING_WAIT))
            .await;
        cx.check(got.is_some(), "the ping is answered")?;
        Ok(atom!("ok"))
    })
    .expect("pinger");
    sim
}

fn window(e: &FaultEntry, end: Time) -> Time {
    e.until.unwrap_or(end).saturating_sub(e.at)
}

pub(super) fn check_shrink_window() -> Result<String, String> {
    let ex = quiet("shrink-window").seeds(0..5);
    // The run as found, unshrunk: where the partition was and how long.
    let found = quiet("shrink-window")
        .seeds(0..5)
        .shrink(false)
        .run(window_program)
        .failure
        .ok_or("the partition never lost the ping")?;
    let before = found
        .report
        .faults
        .first()
        .ok_or("the failing run has no fault")?
        .clone();
    let f = ex
        .run(window_program)
        .failure
        .ok_or("the partition never lost the ping")?;
    let [cut] = f.report.faults.as_slice() else {
        return Err(format!("kept {:?}, hand-minimal 1 fault", f.report.faults));
    };
    // The same replay file, through its JSON form.
    let path = std::env::temp_dir().join(format!("erpc-sim-window-{}.json", std::process::id()));
    f.replay.write(&path).map_err(|e| e.to_string())?;
    let file = ReplayFile::read(&path).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&path);
    let file = file?;
    if file.retimed_faults.is_empty() {
        return Err("the replay file does not record the moved fault".into());
    }
    let again = ex.replay(&file, window_program);
    if again.divergence.is_some() || again.digest != f.report.digest {
        return Err(format!(
            "the shrunk run does not replay: {:?}",
            again.divergence
        ));
    }
    // The hand-minimal run, written down: the same data, the partition moved
    // by hand to 50 µs after the ping left (it is in flight for at least
    // 100 µs) and healed at once; no choice made by hand.
    let hand_at = PING_AT + Time::us(50);
    let hand = written::hand_minimal(
        &|b| {
            let mut sim = window_program(b);
            sim.retime_faults(&[FaultRetime {
                key: before.key,
                at: Some(hand_at),
                until: Some(hand_at),
            }]);
            sim
        },
        f.seed,
        written::GO_ON,
        &f.outcome,
    )?;
    let shrunk = (f.report.steps, f.report.preemptions);
    if !written::within_twice(shrunk, hand) {
        return Err(format!(
            "shrunk to {shrunk:?} (steps, preemptions), hand-minimal {hand:?}"
        ));
    }
    let (w0, w1) = (
        window(&before, found.report.time),
        window(cut, f.report.time),
    );
    let flight = PING_AT..=PING_AT + Time::ms(PING_WAIT);
    if w1 != Time::ZERO || !flight.contains(&cut.at) {
        return Err(format!(
            "shrunk to {} at {} for {w1} (hand-minimal: in flight, {:?}, for 0)",
            cut.what, cut.at, flight
        ));
    }
    Ok(format!(
        "seed {}: {} at {} for {w0} -> at {} for {w1}, {} -> {} steps, {} preemptions (hand-minimal: at {hand_at} for 0, {} steps, {} preemptions); {} replays",
        f.seed, cut.what, before.at, cut.at, f.original_steps, shrunk.0, shrunk.1, hand.0, hand.1, f.shrink_runs
    ))
}

/// The echo server both fault programs ping: `echo` on b@sim, answering
/// `{From, N}` with `N`.
pub(super) fn spawn_echo(sim: &mut Sim) {
    sim.spawn("b@sim", |cx| async move {
        cx.register("echo", cx.self_pid()).await?;
        loop {
            let m = cx.recv().await;
            if let Some([Term::Pid(from), n]) = m.as_tuple() {
                cx.send(*from, n.clone()).await?;
            }
        }
    })
    .expect("server");
}
