//! A violation narrowed down: the smallest failing prefix of the partition,
//! then the acknowledged results in it that cannot all be true together.
//!
//! Linearizability is prefix-closed once the operations still open at the
//! cut are taken as unknown, so the smallest failing prefix is found by
//! bisection. Inside it, each acknowledged operation in turn is relaxed to
//! "unknown" (a weaker history); if the prefix still fails, that result was
//! not needed. What stays acknowledged is the conflict.

use std::fmt;

use sim_core::Time;

use crate::history::{History, OpId};
use crate::model::Model;
use crate::search::{search, Budget, Found, Item};

/// One operation of a counterexample.
///
/// ```
/// use sim_history::{check, History, Register, RegisterOp, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let r = h.invoke(4, RegisterOp::Read, t).unwrap();
/// h.ok(r, Ret::Value(1), t).unwrap();
/// let Verdict::Violation(v) = check(&Register::new(0), &h) else { panic!() };
/// assert_eq!(v.ops[0].process, 4);
/// assert_eq!(v.ops[0].description, "read() -> 1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Involved {
    /// The operation.
    pub id: OpId,
    /// Its process.
    pub process: u64,
    /// The model's description of it (`?` for an unknown outcome).
    pub description: String,
    /// Virtual time of its invocation.
    pub invoked_at: Time,
    /// Virtual time of its completion, if it completed.
    pub completed_at: Option<Time>,
    /// Event positions of invocation and completion (`None`: open).
    pub events: (u32, Option<u32>),
}

/// A non-linearizable history, narrowed to what shows it.
///
/// ```
/// use sim_history::{check, CasOp, CasRegister, History, Ret, Verdict};
/// let t = sim_core::Time::ZERO;
/// let mut h = History::new();
/// let w = h.invoke(0, CasOp::Write(1), t).unwrap();
/// h.ok(w, Ret::Ok, t).unwrap();
/// let r = h.invoke(1, CasOp::Read, t).unwrap();
/// h.ok(r, Ret::Value(0), t).unwrap();
/// let Verdict::Violation(v) = check(&CasRegister::new(0), &h) else { panic!() };
/// assert_eq!(v.ops.len(), 2);
/// assert!(v.to_string().contains("write(1) -> ok"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The partition key (the model's `Debug` of it), when split by key.
    pub partition: Option<String>,
    /// Events of the partition in the smallest prefix that fails.
    pub prefix_events: usize,
    /// Operations of the partition in that prefix.
    pub prefix_ops: usize,
    /// The operation whose completion ends the failing prefix.
    pub last: OpId,
    /// The acknowledged operations that cannot all be true together, in
    /// invocation order (the whole prefix when not narrowed).
    pub ops: Vec<Involved>,
    /// Whether `ops` was narrowed (the budget may stop the narrowing).
    pub narrowed: bool,
}

fn involved<M: Model>(model: &M, history: &History<M::Input, M::Output>, item: &Item) -> Involved {
    let op = &history.ops()[item.op];
    let output = if item.ret.is_some() {
        op.status.output()
    } else {
        None
    };
    Involved {
        id: OpId(item.op),
        process: op.process,
        description: model.describe(&op.input, output),
        invoked_at: op.invoked_at,
        completed_at: if item.ret.is_some() {
            op.completed_at
        } else {
            None
        },
        events: (item.call, item.ret),
    }
}

/// The items of the first `cut` positions' prefix: completions after the
/// cut become unknown.
fn prefix(items: &[Item], cut: u32) -> Vec<Item> {
    items
        .iter()
        .filter(|it| it.call <= cut)
        .map(|it| Item {
            ret: it.ret.filter(|&r| r <= cut),
            ..*it
        })
        .collect()
}

/// Steps one search of the narrowing may take: a prefix cut through many
/// open operations can be far harder than the whole history, and a search
/// that gives up only makes the answer less narrow, never wrong.
const STEPS_PER_SEARCH: u64 = 200_000;

fn capped<M: Model>(
    model: &M,
    history: &History<M::Input, M::Output>,
    items: &[Item],
    budget: &mut Budget,
) -> Found {
    let mut turn = Budget {
        steps: budget.steps.min(STEPS_PER_SEARCH),
        ..budget.child()
    };
    let found = search(model, history, items, &mut turn);
    budget.absorb(&turn);
    found
}

pub(crate) fn explain<M: Model>(
    model: &M,
    history: &History<M::Input, M::Output>,
    items: &[Item],
    partition: Option<String>,
    narrow: bool,
    budget: &mut Budget,
) -> Violation {
    let mut positions: Vec<u32> = items
        .iter()
        .flat_map(|it| [Some(it.call), it.ret])
        .flatten()
        .collect();
    positions.sort_unstable();
    // Smallest j such that the prefix of the first j events fails; the whole
    // partition is known to fail. A search out of budget counts as passing,
    // which keeps the answer a prefix that is proven to fail.
    let (mut lo, mut hi) = (1, positions.len());
    if narrow {
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let part = prefix(items, positions[mid - 1]);
            if capped(model, history, &part, budget) == Found::Violation {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
    } else {
        lo = positions.len();
    }
    let cut = positions.get(lo.saturating_sub(1)).copied().unwrap_or(0);
    let mut part = prefix(items, cut);
    let last = part
        .iter()
        .find(|it| it.ret == Some(cut))
        .map_or(OpId(items.last().map_or(0, |it| it.op)), |it| OpId(it.op));
    let mut narrowed = false;
    if narrow {
        narrowed = true;
        for k in (0..part.len()).rev() {
            if part[k].ret.is_none() || OpId(part[k].op) == last {
                continue;
            }
            let kept = part[k].ret.take();
            match capped(model, history, &part, budget) {
                Found::Violation => {}
                Found::Linearizable => part[k].ret = kept,
                Found::OutOfBudget => {
                    // Not proven unneeded: it stays in the conflict.
                    part[k].ret = kept;
                    if budget.steps == 0 {
                        narrowed = false;
                        break;
                    }
                }
            }
        }
    }
    let ops = part
        .iter()
        .filter(|it| it.ret.is_some() || !narrowed)
        .map(|it| involved(model, history, it))
        .collect();
    Violation {
        partition,
        prefix_events: lo,
        prefix_ops: part.len(),
        last,
        ops,
        narrowed,
    }
}

impl Violation {
    /// The operations drawn as intervals over event positions, one a row:
    /// `|` at invocation and completion, `-` between, `>` when still open.
    ///
    /// ```
    /// use sim_history::{check, History, Register, RegisterOp, Ret, Verdict};
    /// let t = sim_core::Time::ZERO;
    /// let mut h = History::new();
    /// let r = h.invoke(0, RegisterOp::Read, t).unwrap();
    /// h.ok(r, Ret::Value(1), t).unwrap();
    /// let Verdict::Violation(v) = check(&Register::new(0), &h) else { panic!() };
    /// assert!(v.diagram().contains("|--|"));
    /// ```
    pub fn diagram(&self) -> String {
        let mut cols: Vec<u32> = self
            .ops
            .iter()
            .flat_map(|o| [Some(o.events.0), o.events.1])
            .flatten()
            .collect();
        cols.sort_unstable();
        cols.dedup();
        let col = |p: u32| cols.binary_search(&p).unwrap_or(0) * 3;
        let width = cols.len() * 3;
        let label = self
            .ops
            .iter()
            .map(|o| o.description.len())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for o in &self.ops {
            let start = col(o.events.0);
            let end = o.events.1.map_or(width, col);
            let mut bar = vec![' '; width + 1];
            for c in bar.iter_mut().take(end).skip(start) {
                *c = '-';
            }
            bar[start] = '|';
            bar[end] = if o.events.1.is_some() { '|' } else { '>' };
            let bar: String = bar.into_iter().collect();
            out.push_str(&format!(
                "  p{:<4} {:<label$}  {}\n",
                o.process,
                o.description,
                bar.trim_end()
            ));
        }
        out
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not linearizable")?;
        if let Some(p) = &self.partition {
            write!(f, " (key {p})")?;
        }
        writeln!(
            f,
            ": the first {} events ({} operations) already fail, ending with the completion of operation {}",
            self.prefix_events, self.prefix_ops, self.last.0
        )?;
        if self.narrowed {
            writeln!(f, "these acknowledged results cannot all hold:")?;
        } else {
            writeln!(f, "operations of the failing prefix:")?;
        }
        for o in &self.ops {
            let done = o.completed_at.map_or("open".to_owned(), |t| t.to_string());
            writeln!(
                f,
                "  #{:<4} p{:<4} {:<32} [{} .. {}]",
                o.id.0, o.process, o.description, o.invoked_at, done
            )?;
        }
        write!(f, "{}", self.diagram())
    }
}
