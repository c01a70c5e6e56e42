//! The Wing–Gong–Lowe search for one partition.
//!
//! Events sit in a doubly linked list (arrays of indices, "dancing links").
//! Walking from the head, a call whose operation can step the model from the
//! current state is *lifted* (its call and return leave the list) unless the
//! pair (linearized set, new state) was seen before (Lowe's memoisation);
//! reaching a return whose call is still in the list backtracks. Operations
//! with an unknown outcome have no return: they may be lifted at any point
//! after their call, or never, and the search succeeds as soon as the walk
//! falls off the end of the list (every known operation is linearized).
//! Such an operation is not lifted where it would leave the state unchanged.
//!
//! States are interned to dense ids and each (state, operation) step is
//! memoised, so the model runs once per distinct pair however often the
//! search revisits it.

use std::time::Instant;

use crate::hash::{hash_of, mix, Index};
use crate::history::History;
use crate::model::Model;

const NONE: u32 = u32::MAX;

/// One operation of a partition as the search sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item {
    /// Index into the history's operations.
    pub op: usize,
    /// Event position of the call.
    pub call: u32,
    /// Event position of the return; `None`: outcome unknown, open forever.
    pub ret: Option<u32>,
}

/// What one search found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    Linearizable,
    Violation,
    OutOfBudget,
}

/// Steps left and an optional wall-clock deadline, shared by the searches of
/// one check.
#[derive(Debug)]
pub(crate) struct Budget {
    pub steps: u64,
    pub deadline: Option<Instant>,
    pub used: u64,
    pub timed_out: bool,
}

impl Budget {
    /// A budget for one turn, sharing the deadline.
    pub(crate) fn child(&self) -> Budget {
        Budget {
            steps: self.steps,
            deadline: self.deadline,
            used: 0,
            timed_out: false,
        }
    }

    /// Charges a turn's spending to this budget.
    pub(crate) fn absorb(&mut self, turn: &Budget) {
        self.steps = self.steps.saturating_sub(turn.used);
        self.used += turn.used;
        if turn.timed_out {
            self.steps = 0;
            self.timed_out = true;
        }
    }

    /// Spends one step; `false` when the budget is gone.
    fn spend(&mut self) -> bool {
        if self.steps == 0 {
            return false;
        }
        self.steps -= 1;
        self.used += 1;
        if self.used % 4096 == 0 {
            if let Some(deadline) = self.deadline {
                if now() >= deadline {
                    self.steps = 0;
                    self.timed_out = true;
                    return false;
                }
            }
        }
        true
    }
}

/// The wall clock, for the checker's optional time budget only (the checker
/// runs after the simulation; the default budget is steps only).
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> Instant {
    Instant::now() // tidy: allow the checker's optional time budget
}

/// Interned states with memoised steps.
struct States<'m, M: Model> {
    model: &'m M,
    states: Vec<M::State>,
    index: Index,
    memo_keys: Vec<u64>,
    memo_vals: Vec<u32>,
    memo: Index,
}

impl<'m, M: Model> States<'m, M> {
    fn new(model: &'m M) -> Self {
        let mut s = States {
            model,
            states: Vec::new(),
            index: Index::default(),
            memo_keys: Vec::new(),
            memo_vals: Vec::new(),
            memo: Index::default(),
        };
        s.intern(model.init());
        s
    }

    fn intern(&mut self, state: M::State) -> u32 {
        let states = &mut self.states;
        let (id, fresh) = self
            .index
            .find_or_insert(hash_of(&state), |id| states[id as usize] == state);
        if fresh {
            states.push(state);
        }
        id
    }

    /// The state after `item` (operation `op`) from state `from`, or `NONE`.
    fn step(&mut self, from: u32, item: u32, input: &M::Input, output: Option<&M::Output>) -> u32 {
        let key = (u64::from(from) << 32) | u64::from(item);
        let keys = &self.memo_keys;
        let (id, fresh) = self
            .memo
            .find_or_insert(mix(key), |id| keys[id as usize] == key);
        if !fresh {
            return self.memo_vals[id as usize];
        }
        self.memo_keys.push(key);
        self.memo_vals.push(NONE);
        let next = match self.model.step(&self.states[from as usize], input, output) {
            Some(state) => self.intern(state),
            None => NONE,
        };
        self.memo_vals[id as usize] = next;
        next
    }
}

/// The set of (linearized operations, state) pairs already explored.
struct Seen {
    words: usize,
    bits: Vec<u64>,
    states: Vec<u32>,
    index: Index,
}

impl Seen {
    /// Records the pair; `false` if it was already there.
    fn insert(&mut self, linearized: &[u64], hash: u64, state: u32) -> bool {
        let (bits, states, words) = (&self.bits, &self.states, self.words);
        let h = hash ^ mix(u64::from(state) ^ 0x5bd1_e995);
        let (_, fresh) = self.index.find_or_insert(h, |id| {
            let id = id as usize;
            states[id] == state && bits[id * words..(id + 1) * words] == *linearized
        });
        if fresh {
            self.bits.extend_from_slice(linearized);
            self.states.push(state);
        }
        fresh
    }
}

/// A search in progress over one partition; [`Search::run`] resumes it.
pub(crate) struct Search<'a, M: Model> {
    history: &'a History<M::Input, M::Output>,
    items: &'a [Item],
    next: Vec<u32>,
    prev: Vec<u32>,
    item_of: Vec<u32>,
    is_ret: Vec<bool>,
    ret_node: Vec<u32>,
    zobrist: Vec<u64>,
    linearized: Vec<u64>,
    hash: u64,
    states: States<'a, M>,
    seen: Seen,
    stack: Vec<(u32, u32)>,
    state: u32,
    cur: u32,
}

impl<'a, M: Model> Search<'a, M> {
    /// A search over `items` (sorted by call) from the model's initial state.
    pub(crate) fn new(
        model: &'a M,
        history: &'a History<M::Input, M::Output>,
        items: &'a [Item],
    ) -> Self {
        // Node 0 is the head; node k + 1 is the k-th event of the partition.
        let mut events: Vec<(u32, u32, bool)> = Vec::with_capacity(items.len() * 2);
        for (i, item) in items.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(NONE);
            events.push((item.call, i, false));
            if let Some(r) = item.ret {
                events.push((r, i, true));
            }
        }
        events.sort_unstable_by_key(|e| e.0);
        let len = events.len();
        let node = |k: usize| u32::try_from(k).unwrap_or(NONE);
        let next: Vec<u32> = (0..=len)
            .map(|k| if k == len { NONE } else { node(k + 1) })
            .collect();
        let prev: Vec<u32> = (0..=len).map(|k| node(k.saturating_sub(1))).collect();
        let mut item_of = vec![NONE; len + 1];
        let mut is_ret = vec![false; len + 1];
        let mut ret_node = vec![NONE; items.len()];
        for (k, &(_, i, ret)) in events.iter().enumerate() {
            item_of[k + 1] = i;
            is_ret[k + 1] = ret;
            if ret {
                ret_node[i as usize] = node(k + 1);
            }
        }
        let words = items.len().div_ceil(64).max(1);
        let cur = next[0];
        Search {
            history,
            items,
            next,
            prev,
            item_of,
            is_ret,
            ret_node,
            zobrist: (0..items.len())
                .map(|i| mix(i as u64 ^ 0x9e37_79b9_7f4a_7c15))
                .collect(),
            linearized: vec![0; words],
            hash: 0,
            states: States::new(model),
            seen: Seen {
                words,
                bits: Vec::new(),
                states: Vec::new(),
                index: Index::default(),
            },
            stack: Vec::new(),
            state: 0,
            cur,
        }
    }

    fn unlink(&mut self, n: u32) {
        let (p, q) = (self.prev[n as usize], self.next[n as usize]);
        self.next[p as usize] = q;
        if q != NONE {
            self.prev[q as usize] = p;
        }
    }

    fn relink(&mut self, n: u32) {
        let (p, q) = (self.prev[n as usize], self.next[n as usize]);
        self.next[p as usize] = n;
        if q != NONE {
            self.prev[q as usize] = n;
        }
    }

    /// Searches on until an answer or the budget is spent (then it can be
    /// resumed with more).
    pub(crate) fn run(&mut self, budget: &mut Budget) -> Found {
        let ops = self.history.ops();
        loop {
            if self.cur == NONE {
                return Found::Linearizable;
            }
            if !budget.spend() {
                return Found::OutOfBudget;
            }
            let c = self.cur as usize;
            let i = self.item_of[c];
            if self.is_ret[c] {
                let Some((call, from)) = self.stack.pop() else {
                    return Found::Violation;
                };
                let j = self.item_of[call as usize] as usize;
                self.linearized[j / 64] &= !(1 << (j % 64));
                self.hash ^= self.zobrist[j];
                self.state = from;
                if self.ret_node[j] != NONE {
                    self.relink(self.ret_node[j]);
                }
                self.relink(call);
                self.cur = self.next[call as usize];
                continue;
            }
            let item = &self.items[i as usize];
            let op = &ops[item.op];
            let output = if item.ret.is_some() {
                op.status.output()
            } else {
                None
            };
            let to = self.states.step(self.state, i, &op.input, output);
            // An operation with an unknown outcome that leaves the state as
            // it is gains nothing from being linearized here: every order
            // that follows from lifting it also follows from leaving it out.
            let pointless = item.ret.is_none() && to == self.state;
            if to != NONE && !pointless {
                let j = i as usize;
                self.linearized[j / 64] |= 1 << (j % 64);
                if self
                    .seen
                    .insert(&self.linearized, self.hash ^ self.zobrist[j], to)
                {
                    self.hash ^= self.zobrist[j];
                    self.stack.push((self.cur, self.state));
                    self.state = to;
                    self.unlink(self.cur);
                    if self.ret_node[j] != NONE {
                        self.unlink(self.ret_node[j]);
                    }
                    self.cur = self.next[0];
                    continue;
                }
                self.linearized[j / 64] &= !(1 << (j % 64));
            }
            self.cur = self.next[c];
        }
    }
}

/// Whether `items` (sorted by call) are linearizable under `model`.
pub(crate) fn search<M: Model>(
    model: &M,
    history: &History<M::Input, M::Output>,
    items: &[Item],
    budget: &mut Budget,
) -> Found {
    Search::new(model, history, items).run(budget)
}
