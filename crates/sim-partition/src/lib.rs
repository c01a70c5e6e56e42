//! sim-partition: drop and defer partitions, one-way partitions, single-link
//! cuts, node crash and restart, fault schedules and a seeded nemesis for
//! erpc-sim, plugged into sim-core through its [`sim_core::Network`] hook.
//!
//! ```
//! use sim_core::{Sim, Term, Time};
//! use sim_partition::{assert_conserved, Fault, Mode};
//!
//! let mut sim = Sim::builder().nodes(["a@sim", "b@sim", "c@sim"]).build().unwrap();
//! sim.at(Time::ms(5), Fault::partition((["a@sim"], ["b@sim", "c@sim"]), Mode::Defer)).unwrap();
//! sim.at(Time::ms(50), Fault::heal()).unwrap();
//! sim.spawn("a@sim", |cx| async move {
//!     let me = cx.self_pid();
//!     let echo = cx.spawn_on("b@sim", move |c| async move {
//!         let m = c.recv().await;
//!         c.send(me, m).await?;
//!         Ok(Term::atom("done"))
//!     }).await?;
//!     cx.sleep(Time::ms(10)).await;                 // now cut off: the message is held
//!     cx.send(echo, Term::atom("ping")).await?;
//!     let back = cx.recv().await;                   // arrives after the heal
//!     cx.check(back == Term::atom("ping") && cx.now() >= Time::ms(50), "held until heal")?;
//!     Ok(back)
//! }).unwrap();
//! let report = sim.run();
//! report.assert_ok();
//! assert_conserved(&report);
//! ```
//!
//! # Fault vocabulary
//!
//! - [`Fault::partition`]`(groups, mode)`: nodes in different groups cannot
//!   reach each other. **Nodes named in no group form one extra group
//!   together** (so `Fault::partition([["a@sim"]], mode)`, also written
//!   [`Fault::isolate`]`("a@sim", mode)`, cuts `a` off from everyone else).
//!   A node named in two groups is an error. Groups of one length are an array
//!   (`[[N0], [N1]]`); groups of different lengths are a tuple
//!   (`(["a@sim"], ["b@sim", "c@sim"])`), see [`IntoGroups`].
//! - [`Fault::one_way`]`(from, to, mode)`: `from` cannot reach `to`; `to`
//!   still reaches `from`.
//! - [`Fault::cut`]`(a, b, mode)`: the single link between `a` and `b`, both ways.
//! - [`Fault::heal`]`()`: heals every installed cut; [`Fault::heal_cut`]`(id)`
//!   heals one. Cuts are numbered from 1 in the order they are applied
//!   ([`CutId`]); each is named after its shape, number and mode
//!   (`partition#1 drop`, `one_way#2 defer`, `cut#3 drop`), and that name is the
//!   cause its dropped signals are counted under.
//! - [`Fault::crash`]`(node)`, [`Fault::restart`]`(node)`: a crash kills every
//!   process on the node and loses its connections; a restart brings it back
//!   as a new incarnation (old pids stay dead).
//!
//! Overlapping cuts are allowed. For each direction `from -> to`, the installed
//! cuts are consulted in install order and the first one covering it decides
//! it ([`LinkState`]); healing one cut leaves the others in force. So a drop
//! cut over a direction that an earlier defer cut holds does not take it down
//! until that defer cut heals (then the held signals are lost to the drop cut).
//!
//! # Drop and defer
//!
//! **Drop** ([`Mode::Drop`]): applying the cut takes every connection across it
//! down at once. Signals in flight across it are lost; links across it deliver
//! `{'EXIT', Pid, noconnection}` (killing a non-trapping process); monitors
//! fire `'DOWN'` with `noconnection`; node monitors get `{nodedown, Node}`;
//! pending remote spawns answer `noconnection`. Every later signal across the
//! cut is lost too, and sim-core turns each into `noconnection` for whatever it
//! would have set up (a link, a monitor, a spawn request). With
//! [`Fault::net_ticktime`]`(t)` the connections go down only at `now + t`:
//! until then signals across the cut are held (a frozen peer's buffered
//! traffic; a heal in time delivers them), and at `now + t` what is held is
//! lost and everything fires `noconnection`, so a call whose request crossed
//! before the cut but whose reply comes after it ends in `noconnection`.
//!
//! **Defer** ([`Mode::Defer`]): signals across the cut are held, in send order,
//! and nothing is reported down. At heal every held direction is released and
//! its signals delivered in their original order (a direction still covered by
//! another defer cut stays held; one covered by a drop cut goes down). A call
//! with a timeout shorter than the partition times out; its request is applied
//! after the heal, but its reply never reaches the caller.
//!
//! One-way cuts are per direction, but connections are two-way: in drop mode the
//! first signal that tries to cross takes the whole connection down (as a
//! broken link does), so a call whose reply cannot come back ends in
//! `noconnection` while its request still ran.
//!
//! # Installation
//!
//! Nothing needs configuring: the first cut applied to a simulation wraps
//! whatever network it was built with in a [`PartitionNetwork`] (which keeps
//! asking the inner network for latencies). Faults are values: schedule them
//! with `sim.at(time, fault)` or `sim.after_steps(n, fault)`, collect them in
//! a [`FaultPlan`], or let a [`Nemesis`] draw them from the seed. Every applied
//! fault is a trace event (`partition drop [a@sim] | [b@sim,c@sim] (partition#1)`);
//! a fault naming an unknown node is recorded as rejected and changes nothing
//! ([`Fault::validate`] checks it up front).
//!
//! # Modules
//!
//! - `fault`: [`Fault`], [`CutId`], [`FaultError`];
//! - `partition`: [`Mode`], [`IntoGroups`], partitions, one-way partitions, cuts, heals;
//! - `crash`: node crash and restart;
//! - `link`: [`LinkState`], the per-direction state the cuts decide;
//! - `network`: [`PartitionNetwork`], the `Network` hook;
//! - `schedule`: faults as `ControlAction`s, [`FaultPlan`], [`When`];
//! - `nemesis`: [`Nemesis`], seeded random faults;
//! - `ledger`: [`Ledger`], [`assert_conserved`]: conservation of signals.
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod congest;
mod crash;
mod cut;
mod fault;
mod ledger;
mod link;
mod nemesis;
mod network;
mod partition;
mod schedule;
mod space;

pub use cut::{CutId, FaultError, Mode};
pub use fault::Fault;
pub use ledger::{assert_conserved, is_fault_cause, Ledger, LedgerError};
pub use link::LinkState;
pub use nemesis::Nemesis;
pub use network::PartitionNetwork;
pub use partition::IntoGroups;
pub use schedule::{FaultPlan, When};
pub use space::FaultSpace;
