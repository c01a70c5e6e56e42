//! Scenario tables, one module per family of groups.

mod core;

use crate::harness::Observed;

/// Every implemented scenario: its id and the function that reproduces it.
pub fn all() -> Vec<(&'static str, fn() -> Observed)> {
    let mut v = Vec::new();
    v.extend(core::all());
    v
}
