//! Robustness probes: terms.

use crate::Probe;

/// The probes of this group.
pub fn probes() -> Vec<Probe> {
    vec![]
}
