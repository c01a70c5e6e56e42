//! The scheduled actions of a run (faults and control actions set with
//! `Sim::at`, `Sim::after_steps`, `Control::at`): each has an index, given
//! in the order they were scheduled, which the shrinker names to switch one
//! off. An action runs at most once; a suppressed one never runs.

use super::ControlFn;

#[derive(Default)]
pub(crate) struct Actions {
    /// Every action scheduled so far, by index; `None` once it has run.
    all: Vec<Option<ControlFn>>,
    /// Actions due at a step count, `(step, index)`, sorted.
    at_steps: Vec<(u64, usize)>,
    /// Indices switched off (by the shrinker).
    suppressed: Vec<usize>,
    /// How many were scheduled before the first step (the planned ones).
    planned: Option<usize>,
    /// The action running now.
    current: Option<usize>,
}

impl Actions {
    /// Adds an action; returns its index.
    pub(crate) fn add(&mut self, action: ControlFn) -> usize {
        self.all.push(Some(action));
        self.all.len() - 1
    }

    /// Adds an action due when the run has taken `step` steps; returns its index.
    pub(crate) fn add_at_step(&mut self, step: u64, action: ControlFn) -> usize {
        let idx = self.add(action);
        let pos = self
            .at_steps
            .partition_point(|&(s, i)| (s, i) <= (step, idx));
        self.at_steps.insert(pos, (step, idx));
        idx
    }

    /// The first action due at or before `steps`, taken off the step list.
    pub(crate) fn due_at_step(&mut self, steps: u64) -> Option<usize> {
        let &(at, idx) = self.at_steps.first()?;
        if at > steps {
            return None;
        }
        self.at_steps.remove(0);
        Some(idx)
    }

    /// Whether action `idx` may still run.
    pub(crate) fn is_live(&self, idx: usize) -> bool {
        self.all.get(idx).is_some_and(Option::is_some) && !self.suppressed.contains(&idx)
    }

    /// Takes action `idx` to run it: `None` if it ran already or is switched off.
    pub(crate) fn take(&mut self, idx: usize) -> Option<ControlFn> {
        if self.suppressed.contains(&idx) {
            return None;
        }
        self.all.get_mut(idx).and_then(Option::take)
    }

    /// Marks the actions scheduled so far as the planned ones (at the first step).
    pub(crate) fn plan(&mut self) {
        if self.planned.is_none() {
            self.planned = Some(self.all.len());
        }
    }

    /// How many actions were planned before the run started.
    pub(crate) fn planned(&self) -> usize {
        self.planned.unwrap_or(self.all.len())
    }

    /// Switches off the actions `indices`.
    pub(crate) fn suppress(&mut self, indices: &[usize]) {
        self.suppressed = indices.to_vec();
    }

    /// The switched-off indices.
    pub(crate) fn suppressed(&self) -> &[usize] {
        &self.suppressed
    }

    /// The action running now, if any.
    pub(crate) fn current(&self) -> Option<usize> {
        self.current
    }

    /// Sets (or clears) the action running now.
    pub(crate) fn set_current(&mut self, idx: Option<usize>) {
        self.current = idx;
    }

    /// Drops every action (at teardown: they may hold the world's handles).
    pub(crate) fn clear(&mut self) {
        self.all.clear();
    }
}
