//! Scenario tables, one module per family of groups.

mod core;
mod dist;
mod erpc;
mod ordering;
mod rpc;

use crate::harness::Observed;

/// Every implemented scenario: its id and the function that reproduces it.
pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    let mut v = Vec::new();
    v.extend(core::all());
    v.extend(dist::all());
    v.extend(erpc::all());
    v.extend(ordering::all());
    v.extend(rpc::all());
    v
}
