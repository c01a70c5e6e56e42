//! Robustness probes: explorer.

use crate::Probe;

/// The probes of this group.
pub fn probes() -> Vec<Probe> {
    vec![]
}
