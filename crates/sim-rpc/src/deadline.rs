//! One deadline for a whole rpc operation (OTP `rpc.erl`'s `deadline/1` and
//! `time_left/1`): a call that falls back to `rex` after erpc said `notsup`,
//! and a multicall whose nodes take different paths, wait against the same
//! end.

use crate::rpcify::badarg;
use sim_core::{Cx, Exception, Time, Timeout};
use sim_erpc::MAX_TIMEOUT_MS;

/// The end of a wait, fixed when it is made; `None` is `infinity`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline(Option<Time>);

impl Deadline {
    /// No end.
    pub(crate) const INFINITY: Deadline = Deadline(None);

    /// Checks `t` as erpc does (`badarg` beyond 4294967295 ms, `{abs, T}` in
    /// the past is "now") and fixes the instant it ends.
    pub(crate) fn new(cx: &Cx, t: Timeout) -> Result<Deadline, Exception> {
        let ms = match t {
            Timeout::Infinity => return Ok(Deadline(None)),
            Timeout::Ms(ms) => ms,
            Timeout::Abs(at) => u64::try_from(at.saturating_sub(cx.monotonic_ms())).unwrap_or(0),
        };
        if ms > MAX_TIMEOUT_MS {
            return Err(badarg());
        }
        Ok(Deadline(Some(cx.now().saturating_add(Time::ms(ms)))))
    }

    /// What is left of it (`Ms(0)` once it has passed).
    pub(crate) fn left(self, cx: &Cx) -> Timeout {
        match self.0 {
            None => Timeout::Infinity,
            Some(at) => Timeout::from(at.saturating_sub(cx.now())),
        }
    }
}
