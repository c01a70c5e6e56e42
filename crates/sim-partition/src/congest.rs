//! A congested link: one direction's bandwidth lowered for a window of
//! virtual time, over sim-core's `Control::set_bandwidth`.
//!
//! While it lasts, what is sent on the direction queues in its connection
//! buffer and drains at the lowered rate, so signals arrive late and senders
//! that fill the buffer to `dist_buf_busy_limit` are suspended
//! (`busy_dist_port`): calls across it time out late, or their replies come
//! after the caller gave up. At the end the direction gets back the bandwidth
//! it had when the congestion began; what is still in the buffer then drains
//! at that rate (its signals' windows move up).

use crate::cut::{CutId, FaultError};
use sim_core::{Control, ControlAction, NodeId, Time};

/// One direction, its lowered bandwidth and for how long.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Congestion {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) bytes_per_sec: u64,
    pub(crate) duration: Time,
}

impl Congestion {
    /// Checks the names (through `known`) and the numbers.
    pub(crate) fn check(&self, known: &dyn Fn(&str) -> bool) -> Result<(), FaultError> {
        for n in [&self.from, &self.to] {
            if !known(n) {
                return Err(FaultError::UnknownNode(n.clone()));
            }
        }
        if self.from == self.to {
            return Err(FaultError::SameNode(self.from.clone()));
        }
        if self.bytes_per_sec == 0 {
            return Err(FaultError::ZeroBandwidth);
        }
        Ok(())
    }
}

/// Congests the direction until `until` if given (a shrinker shortened the
/// window), otherwise for its duration.
pub(crate) fn apply_congest(
    c: &mut Control<'_>,
    g: &Congestion,
    until: Option<Time>,
) -> Result<Option<CutId>, FaultError> {
    g.check(&|n| c.node_id(n).is_some())?;
    let id = |n: &str| {
        c.node_id(n)
            .ok_or_else(|| FaultError::UnknownNode(n.to_string()))
    };
    let (from, to) = (id(&g.from)?, id(&g.to)?);
    let before = c.bandwidth(from, to);
    // Checked above: two different nodes of the simulation, not zero.
    let _ = c.set_bandwidth(from, to, Some(g.bytes_per_sec));
    c.record(format!(
        "congest {} -> {} to {} B/s for {}",
        g.from, g.to, g.bytes_per_sec, g.duration
    ));
    let end = Decongest {
        from,
        to,
        names: format!("{} -> {}", g.from, g.to),
        bandwidth: before,
    };
    // The nodes were checked: scheduling the end cannot be refused.
    let natural = c.now().saturating_add(g.duration);
    let _ = c.at(until.map_or(natural, |t| t.min(natural)), end);
    Ok(None)
}

/// The end of a congestion: the direction's bandwidth as it was before.
#[derive(Debug)]
struct Decongest {
    from: NodeId,
    to: NodeId,
    names: String,
    bandwidth: Option<u64>,
}

impl ControlAction for Decongest {
    fn describe(&self) -> String {
        format!("end of congestion {}", self.names)
    }

    fn run(self: Box<Self>, c: &mut Control<'_>) {
        // The nodes and the bandwidth were accepted when it began.
        let _ = c.set_bandwidth(self.from, self.to, self.bandwidth);
        let to = match self.bandwidth {
            Some(bw) => format!("{bw} B/s"),
            None => "unlimited".to_string(),
        };
        c.record(format!("congestion {} ends: back to {to}", self.names));
    }
}
