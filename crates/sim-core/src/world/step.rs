//! The step loop: the candidates of a choice point, the horizon, and taking
//! the chosen event.
//!
//! Candidates are every runnable process, every connection head whose window
//! opens by the horizon, every local signal queue's head (`local`), and the
//! earliest live timer if it is due by the horizon. The horizon is the
//! earliest of: the end of every pending delivery's window, the earliest
//! timer's due time, and the latest instant the longest-waiting runnable
//! process or local signal may still be left waiting (`now` at the least).
//! Taking an event moves time to the earliest instant consistent with it, so
//! time never passes a window's end or a due timer unseen.

use super::{Advance, Next, Owner, Status, World};
use crate::exits::ExitPolicy;
use crate::report::{Outcome, RunError};
use crate::sched::footprint::{Obj, Op};
use crate::sched::{Choice, Event, Stamp};
use crate::time::Time;
use crate::trace::TraceEvent;

impl World {
    pub(crate) fn next_step(&mut self) -> Next {
        self.actions.plan();
        if self.results.ended() {
            return Next::Stop;
        }
        if self.results.all_done() {
            self.results.end(Outcome::Completed);
            return Next::Stop;
        }
        if let Some(idx) = self.actions.due_at_step(self.clock.steps()) {
            self.note_forced(None);
            self.run_control(idx);
            return Next::Again;
        }
        if !self.enabled.is_empty() {
            if self.clock.out_of_steps() {
                return self.step_budget();
            }
            while let Some(key) = self.boot_queue.pop_front() {
                if let Some(pos) = self.procs.get(key).and_then(|p| p.enabled_pos.get()) {
                    self.note_forced(Some(key));
                    return self.step_proc(pos);
                }
            }
        }
        let nproc = self.enabled.open_choice();
        if !self.only_processes() {
            let timer = self.next_timer();
            let horizon = self.horizon(timer);
            self.push_candidates(horizon, timer);
            if self.enabled.is_empty() {
                return self.end_of_run();
            }
            self.push_optional();
        }
        let n = self.enabled.len();
        if self.clock.out_of_steps() {
            self.truncate_candidates(nproc);
            return self.step_budget();
        }
        if self.recording() {
            self.note_candidates();
        }
        // A single event is no choice (nothing is recorded), but a strategy
        // that counts steps sees it: PCT's change points fall on steps.
        let i = if n == 1 && !self.every_step {
            0
        } else {
            let continuing = n > 1 && self.enabled.continuing();
            let choice = Choice {
                events: self.enabled.events(),
                stamps: self.enabled.stamps(),
                continuing,
                now: self.clock.now(),
                step: self.clock.steps(),
            };
            let i = self.strategy.choose(&choice) % n;
            if n > 1 {
                self.choices.push(i as u32);
                // Delivering a local signal is no preemption: the sender goes on.
                if continuing && i != 0 && !matches!(self.enabled.event(i), Event::Signal { .. }) {
                    self.preemptions += 1;
                }
            }
            i
        };
        let owner = self.owner_of(self.enabled.event(i));
        // Read before the candidates are dropped; a process's step keeps time.
        let earliest = match owner {
            Owner::Proc(_) => Time::ZERO,
            _ => self.enabled.stamps()[i].earliest,
        };
        if self.recording() {
            self.note_begin(i);
            if !matches!(owner, Owner::Proc(_) | Owner::Fault(_)) {
                // A delivery or a timer moves time and changes which of the
                // others may come next.
                self.note(Obj::Clock, Op::Write);
            }
        }
        self.truncate_candidates(nproc);
        match owner {
            Owner::Proc(_) => self.step_proc(i),
            Owner::Dir(di) => {
                if !self.advance_to(earliest) {
                    return Next::Stop;
                }
                self.clock.step();
                self.enabled.clear_current();
                let n = self.nodes.len();
                let (from, to) = (di as usize / n, di as usize % n);
                self.deliver_head(crate::id::NodeId(from as u32), crate::id::NodeId(to as u32));
                self.drain_local();
                Next::Again
            }
            Owner::Pair(pi) => {
                // Sent at or before now: time stays. The process that ran
                // last stays current, so it goes on after the signal.
                self.clock.step();
                self.deliver_pair_head(pi as usize);
                self.drain_local();
                Next::Again
            }
            Owner::Fault(k) => {
                self.enabled.clear_current();
                self.take_optional(k);
                Next::Again
            }
            Owner::Timer => {
                if !self.advance_to(earliest) {
                    return Next::Stop;
                }
                self.clock.step();
                self.enabled.clear_current();
                self.fire_next();
                Next::Again
            }
        }
    }

    fn step_budget(&mut self) -> Next {
        self.results.end(Outcome::StepBudget {
            last: self.last_ran,
        });
        Next::Stop
    }

    fn end_of_run(&mut self) -> Next {
        let outcome = if self.results.policy() == ExitPolicy::AnyProcess {
            let mut errors = self.results.take_exit_errors();
            let mut blocked = self.blocked_where(|p| !p.boot);
            blocked.sort_by_key(|b| b.pid);
            errors.extend(blocked.into_iter().map(RunError::Blocked));
            if errors.is_empty() {
                Outcome::Completed
            } else {
                Outcome::Errors { errors }
            }
        } else if self.results.alive() > 0 {
            Outcome::Deadlock {
                blocked: self.blocked(),
            }
        } else {
            Outcome::Completed
        };
        self.results.end(outcome);
        Next::Stop
    }

    /// Whether the runnable processes are the only candidates: one is
    /// runnable, no run window lets time pass (so the horizon is `now`),
    /// nothing travels between nodes or waits in a pair queue, no optional
    /// fault is left, and no timer (live or dead) is due by `now`. The full
    /// candidate pass would then add nothing, so it is skipped.
    #[inline]
    fn only_processes(&self) -> bool {
        !self.enabled.is_empty()
            && self.run_window == Time::ZERO
            && self.dirs.active().is_empty()
            && self.pairs.is_empty()
            && self.optional.is_spent()
            && self
                .clock
                .peek_timer()
                .is_none_or(|(at, _, _)| at > self.clock.now())
    }

    /// The latest instant the next event may happen at.
    fn horizon(&mut self, timer: Option<(Time, u64)>) -> Time {
        let mut h = Time::MAX;
        if self.run_window == Time::ZERO {
            // Any runnable process holds time at `now` (it became runnable
            // by then), so which one waited longest does not matter.
            if !self.enabled.is_empty() {
                h = self.clock.now();
            }
        } else if let Some(since) = self.oldest_runnable() {
            h = h.min(since.saturating_add(self.run_window));
        }
        for &di in self.dirs.active() {
            if let Some((w, _)) = self.head_window(di as usize) {
                h = h.min(w.hi);
            }
        }
        if let Some((at, _)) = timer {
            h = h.min(at);
        }
        if let Some(at) = self.pairs_horizon() {
            h = h.min(at);
        }
        h.max(self.clock.now())
    }

    /// Appends the deliveries and the timer that may happen by `horizon`
    /// after the runnable processes.
    fn push_candidates(&mut self, horizon: Time, timer: Option<(Time, u64)>) {
        let n = self.nodes.len() as u32;
        for k in 0..self.dirs.active().len() {
            let di = self.dirs.active()[k];
            let Some((w, id)) = self.head_window(di as usize) else {
                continue;
            };
            if w.lo <= horizon {
                self.enabled.push_candidate(
                    Event::Deliver {
                        from: crate::id::NodeId(di / n),
                        to: crate::id::NodeId(di % n),
                    },
                    Stamp {
                        earliest: w.lo,
                        seq: id,
                    },
                );
            }
        }
        if !self.pairs.is_empty() {
            self.push_pair_candidates();
        }
        if let Some((at, seq)) = timer {
            if at <= horizon {
                self.enabled
                    .push_candidate(Event::Fire { id: seq }, Stamp { earliest: at, seq });
            }
        }
    }

    fn truncate_candidates(&mut self, nproc: usize) {
        self.enabled.close_choice(nproc);
    }

    /// Moves time forward to `at` (never back); `false` when that passes
    /// the time budget, which ends the run.
    fn advance_to(&mut self, at: Time) -> bool {
        match self.clock.advance_to(at) {
            Advance::Stayed => true,
            Advance::Moved => {
                self.trace(TraceEvent::Advance { now: at });
                true
            }
            Advance::OverBudget => {
                self.results.end(Outcome::TimeBudget);
                false
            }
        }
    }

    /// Takes the runnable process at `i` as this step.
    fn step_proc(&mut self, i: usize) -> Next {
        self.clock.step();
        let Some((key, p)) = self.enabled.take_proc(i, &mut self.procs) else {
            return Next::Again;
        };
        p.status = Status::Running;
        self.last_ran = Some(p.pid);
        match p.future.take() {
            Some(f) => Next::Poll(key, f),
            None => Next::Again,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::sched::{Dfs, Strategy};
    use crate::{Sim, SimBuilder, Term, Time, Timeout};

    /// Every schedule of `program` (depth-first), with its result.
    fn all_results(program: impl Fn(SimBuilder) -> Sim) -> Vec<Term> {
        let mut out = Vec::new();
        let mut prefix = Vec::new();
        for _ in 0..10_000 {
            let d = Dfs::new(1_000).restart(prefix);
            let r = program(Sim::builder().strategy(d.clone())).run();
            r.assert_ok();
            out.push(r.value(0).cloned().unwrap_or(Term::atom("none")));
            match d.next_prefix() {
                Some(p) => prefix = p,
                None => return out,
            }
        }
        panic!("more than 10,000 schedules");
    }

    /// A receiver on b waits 2 ms for a message a sends at once over a link
    /// of 1 to 3 ms; it answers what it got and when.
    fn race(b: SimBuilder) -> Sim {
        let mut sim = b
            .nodes(["a@sim", "b@sim"])
            .latency(Time::ms(1), Time::ms(3))
            .build()
            .unwrap();
        sim.spawn("b@sim", |cx| async move {
            cx.register("rx", cx.self_pid()).await?;
            let m = cx.receive_timeout(|_| true, Timeout::ms(2)).await;
            let at = Term::Int(cx.now().as_us() as i64);
            Ok(Term::tuple([m.unwrap_or(Term::atom("timeout")), at]))
        })
        .unwrap();
        sim.spawn_background("a@sim", |cx| async move {
            cx.send(("rx", "b@sim"), Term::atom("msg")).await?;
            Ok(Term::atom("ok"))
        })
        .unwrap();
        sim
    }

    #[test]
    fn a_message_and_a_timeout_race_both_ways_when_windows_overlap() {
        let results = all_results(race);
        let got = |t: &Term| matches!(t, Term::Tuple(v) if v[0] == Term::atom("msg"));
        assert!(results.iter().any(got), "{results:?}");
        assert!(results.iter().any(|t| !got(t)), "{results:?}");
    }

    #[test]
    fn a_delivery_arrives_inside_its_window_and_nowhere_else() {
        let program = |b: SimBuilder| {
            let mut sim = b
                .nodes(["a@sim", "b@sim"])
                .latency(Time::ms(1), Time::ms(3))
                .build()
                .unwrap();
            sim.spawn("b@sim", |cx| async move {
                cx.register("rx", cx.self_pid()).await?;
                // A sleeper's timer at 2 ms gives the strategy an instant
                // inside the window to deliver at.
                cx.spawn(|c| async move {
                    c.sleep(Time::ms(2)).await;
                    Ok(Term::atom("ok"))
                })
                .await?;
                cx.recv().await;
                Ok(Term::Int(cx.now().as_us() as i64))
            })
            .unwrap();
            sim.spawn_background("a@sim", |cx| async move {
                cx.send(("rx", "b@sim"), Term::atom("msg")).await?;
                Ok(Term::atom("ok"))
            })
            .unwrap();
            sim
        };
        let mut times: Vec<Term> = all_results(program);
        times.sort();
        times.dedup();
        assert!(times.len() > 1, "{times:?}");
        for t in &times {
            let Term::Int(us) = t else { panic!("{t:?}") };
            assert!((1_000..=3_000).contains(us), "{times:?}");
        }
    }

    #[test]
    fn index_zero_is_the_current_process_going_on() {
        use crate::sched::Choice;
        #[derive(Debug, Default)]
        struct Watch(std::rc::Rc<std::cell::Cell<(u32, u32)>>);
        impl Strategy for Watch {
            fn name(&self) -> String {
                "watch".into()
            }
            fn start(&mut self, _: u64) {}
            fn pick(&mut self, _: &[crate::Event]) -> usize {
                0
            }
            fn choose(&mut self, c: &Choice<'_>) -> usize {
                let (n, cont) = self.0.get();
                self.0.set((n + 1, cont + u32::from(c.continuing)));
                // Always switch when possible: every such pick preempts.
                usize::from(c.continuing && c.events.len() > 1)
            }
        }
        let seen = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
        let mut sim = Sim::builder()
            .nodes(["a@sim"])
            .strategy(Watch(seen.clone()))
            .build()
            .unwrap();
        for _ in 0..2 {
            sim.spawn("a@sim", |cx| async move {
                for i in 0..3 {
                    cx.send(cx.self_pid(), Term::Int(i)).await?;
                }
                Ok(Term::atom("ok"))
            })
            .unwrap();
        }
        let r = sim.run();
        r.assert_ok();
        let (_, continuing) = seen.get();
        assert!(continuing > 0);
        assert_eq!(r.preemptions, u64::from(continuing));
    }

    #[test]
    fn a_strategy_that_counts_steps_sees_single_event_steps_too() {
        use crate::sched::Choice;
        #[derive(Debug)]
        struct Count(std::rc::Rc<std::cell::Cell<u64>>, bool);
        impl Strategy for Count {
            fn name(&self) -> String {
                "count".into()
            }
            fn start(&mut self, _: u64) {}
            fn pick(&mut self, _: &[crate::Event]) -> usize {
                0
            }
            fn choose(&mut self, _: &Choice<'_>) -> usize {
                self.0.set(self.0.get() + 1);
                0
            }
            fn sees_every_step(&self) -> bool {
                self.1
            }
        }
        let run = |every: bool| {
            let calls = std::rc::Rc::new(std::cell::Cell::new(0));
            let mut sim = Sim::builder()
                .nodes(["a@sim"])
                .strategy(Count(calls.clone(), every))
                .build()
                .unwrap();
            sim.spawn("a@sim", |cx| async move {
                for i in 0..5 {
                    cx.send(cx.self_pid(), Term::Int(i)).await?;
                }
                Ok(Term::atom("ok"))
            })
            .unwrap();
            let r = sim.run();
            r.assert_ok();
            (calls.get(), r.steps, r.schedule.len() as u64)
        };
        // One process alone: no step is a choice.
        let (calls, steps, choices) = run(false);
        assert_eq!((calls, choices), (0, 0), "{steps} steps");
        let (calls, steps, choices) = run(true);
        assert_eq!(choices, 0, "single-event steps are not recorded");
        assert!(
            calls + 1 >= steps && calls > 0,
            "{calls} calls for {steps} steps"
        );
    }
}
