//! The builder's settings of connection buffers: bandwidth per direction and
//! `dist_buf_busy_limit` (see `world::buffer` for what they do).

use super::builder::NodeSpec;
use super::{SimBuilder, SimError};
use crate::id::NodeId;
use crate::term::Atom;
use crate::world::{DistConfig, DEFAULT_DIST_BUF_BUSY_LIMIT};
use indexmap::IndexMap;

#[cfg(doc)]
use crate::{term::Term, world::DIST_SIGNAL_HEADER_BYTES};

impl SimBuilder {
    /// The bandwidth of every connection direction, in bytes per second
    /// (default: unlimited, and connections have no buffer). With a
    /// bandwidth, each cross-node signal is sized (its payload's
    /// [`Term::external_size`] plus [`DIST_SIGNAL_HEADER_BYTES`]) and queued
    /// in its direction's buffer, which drains at this rate; its latency
    /// window opens when its last byte has left. A process whose send leaves
    /// the buffer holding [`SimBuilder::dist_buf_busy_limit`] bytes or more
    /// is suspended until it holds fewer (OTP's `busy_dist_port`). Zero is
    /// refused by [`SimBuilder::build`].
    ///
    /// ```
    /// use sim_core::{Sim, Term};
    /// let mut sim = Sim::builder()
    ///     .nodes(["a@sim", "b@sim"])
    ///     .bandwidth(1_000_000)
    ///     .dist_buf_busy_limit(4_096)
    ///     .build()
    ///     .unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     // 10 KB on a 1 MB/s link: the sender waits until it has drained
    ///     // below 4 KB (about 6 ms).
    ///     cx.send(("nobody", "b@sim"), Term::Binary(vec![0; 10_000])).await?;
    ///     cx.check(cx.now().as_us() > 5_000, "suspended while the buffer drained")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// let report = sim.run();
    /// report.assert_ok();
    /// assert_eq!(report.busy_dist_port.len(), 1);
    /// ```
    pub fn bandwidth(mut self, bytes_per_sec: u64) -> SimBuilder {
        self.bandwidth = Some(bytes_per_sec);
        self
    }

    /// The bandwidth of the one direction `from -> to`, in bytes per second,
    /// over the default of [`SimBuilder::bandwidth`] (the other direction
    /// keeps the default). Unknown nodes and zero are refused by
    /// [`SimBuilder::build`].
    ///
    /// ```
    /// use sim_core::{Sim, SimError};
    /// let b = || Sim::builder().nodes(["a@sim", "b@sim"]);
    /// assert!(b().link_bandwidth("a@sim", "b@sim", 10_000_000).build().is_ok());
    /// assert!(matches!(b().link_bandwidth("a@sim", "z@sim", 1).build(), Err(SimError::UnknownNode(_))));
    /// assert!(matches!(b().link_bandwidth("a@sim", "b@sim", 0).build(), Err(SimError::ZeroBandwidth)));
    /// ```
    pub fn link_bandwidth(mut self, from: &str, to: &str, bytes_per_sec: u64) -> SimBuilder {
        self.link_bandwidths
            .push((from.to_string(), to.to_string(), bytes_per_sec));
        self
    }

    /// OTP's `dist_buf_busy_limit` (`+zdbbl`, there in kilobytes), here in
    /// bytes: how full a connection's buffer may get before a sender is
    /// suspended (default [`DEFAULT_DIST_BUF_BUSY_LIMIT`], 1 MiB). Has an
    /// effect only with a bandwidth. Zero is refused by [`SimBuilder::build`].
    ///
    /// ```
    /// use sim_core::{Sim, SimError};
    /// let sim = Sim::builder().nodes(["a@sim"]).dist_buf_busy_limit(0).build();
    /// assert!(matches!(sim, Err(SimError::ZeroBusyLimit)));
    /// ```
    pub fn dist_buf_busy_limit(mut self, bytes: u64) -> SimBuilder {
        self.busy_limit = Some(bytes);
        self
    }

    /// The connection buffers' settings, checked (`None`: no bandwidth, off).
    pub(super) fn dist_config(
        &self,
        specs: &IndexMap<Atom, NodeSpec>,
    ) -> Result<Option<DistConfig>, SimError> {
        if self.bandwidth.is_none() && self.link_bandwidths.is_empty() && self.busy_limit.is_none()
        {
            return Ok(None);
        }
        if self.bandwidth == Some(0) || self.link_bandwidths.iter().any(|l| l.2 == 0) {
            return Err(SimError::ZeroBandwidth);
        }
        if self.busy_limit == Some(0) {
            return Err(SimError::ZeroBusyLimit);
        }
        let node = |n: &str| {
            specs
                .get_index_of(&Atom::new(n))
                .map(|i| NodeId(i as u32))
                .ok_or_else(|| SimError::UnknownNode(n.to_string()))
        };
        let links = self
            .link_bandwidths
            .iter()
            .map(|(a, b, bw)| Ok((node(a)?, node(b)?, *bw)))
            .collect::<Result<Vec<_>, SimError>>()?;
        Ok(Some(DistConfig {
            busy_limit: self.busy_limit.unwrap_or(DEFAULT_DIST_BUF_BUSY_LIMIT),
            bandwidth: self.bandwidth,
            links,
        }))
    }
}
