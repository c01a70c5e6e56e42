//! Hand-minimal runs, written down: a schedule given as a rule the simulator
//! follows, so its step and preemption counts are computed by running it,
//! and compared with what the shrinker reaches.

use erpc_sim::prelude::*;

/// What kind of event a written order names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(dead_code)] // each test binary writes the orders it needs
pub enum Kind {
    /// Run a process.
    Run,
    /// Deliver a signal between nodes.
    Deliver,
    /// Deliver a signal between two processes of one node.
    Signal,
    /// Fire a timer or run a scheduled action.
    Fire,
}

fn kind(e: &Event) -> Option<Kind> {
    match e {
        Event::Run(_) => Some(Kind::Run),
        Event::Deliver { .. } => Some(Kind::Deliver),
        Event::Signal { .. } => Some(Kind::Signal),
        Event::Fire { .. } => Some(Kind::Fire),
        _ => None,
    }
}

/// A schedule written by hand: at every choice point, the first enabled
/// event of the first kind in `order` that has one (the current process,
/// when it can go on, is the first process). With the kinds in the order a
/// choice point lists them (processes, deliveries, local signals, timers)
/// it is "the current process goes on, else the first enabled event", a run
/// without a preemption.
#[derive(Debug, Clone)]
pub struct Written(pub &'static [Kind]);

/// The current process goes on, else the first process, delivery, local
/// signal, timer: no choice made by hand.
#[allow(dead_code)]
pub const GO_ON: Written = Written(&[Kind::Run, Kind::Deliver, Kind::Signal, Kind::Fire]);

/// Timers before deliveries: a process that sleeps wakes before what is in
/// flight lands, when both may come next.
#[allow(dead_code)]
pub const TIMERS_FIRST: Written = Written(&[Kind::Run, Kind::Fire, Kind::Deliver, Kind::Signal]);

impl Strategy for Written {
    fn name(&self) -> String {
        format!("written {:?}", self.0)
    }
    fn start(&mut self, _seed: u64) {}
    fn pick(&mut self, enabled: &[Event]) -> usize {
        self.0
            .iter()
            .find_map(|k| enabled.iter().position(|e| kind(e) == Some(*k)))
            .unwrap_or(0)
    }
}

/// A failure as the shrinker tells failures apart: its kind, and its
/// message with every number blanked out.
pub fn shape(o: &Outcome) -> (&'static str, String) {
    let text = match o {
        Outcome::CheckFailed { message, .. } => message.clone(),
        other => other.kind().to_string(),
    };
    let mut out = String::new();
    for ch in text.chars() {
        if !ch.is_ascii_digit() {
            out.push(ch);
        } else if !out.ends_with('#') {
            out.push('#');
        }
    }
    (o.kind(), out)
}

/// Runs the hand-minimal run `order` of `program` on data seed `seed`,
/// checks that it fails as `like` does, and returns its steps and
/// preemptions.
pub fn hand_minimal(
    program: &dyn Fn(SimBuilder) -> Sim,
    seed: u64,
    order: Written,
    like: &Outcome,
) -> Result<(u64, u64), String> {
    let r = program(Sim::builder().seed(seed).strategy(order.clone())).run();
    if shape(&r.outcome) != shape(like) {
        return Err(format!(
            "the hand-minimal run {} on seed {seed} does not fail as the found one: {} (found: {like})",
            order.name(),
            r.outcome
        ));
    }
    Ok((r.steps, r.preemptions))
}

/// Whether a shrunk run is within twice the hand-minimal one, in steps and
/// in preemptions (none, when the hand-minimal run has none).
pub fn within_twice(shrunk: (u64, u64), hand: (u64, u64)) -> bool {
    shrunk.0 <= 2 * hand.0 && shrunk.1 <= 2 * hand.1
}
