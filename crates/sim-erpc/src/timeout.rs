//! Timeout validation as OTP's `timeout_value/1`: `infinity`, an integer
//! `0..=4294967295` milliseconds, or `{abs, T}` (a deadline on the monotonic
//! clock in milliseconds, at most 4294967295 ms ahead; one in the past means
//! "do not wait"). Anything else is `error:{erpc, badarg}`.

use crate::exception::{ErpcError, Exception};
use sim_core::{Cx, Term, Time, Timeout};

/// The largest relative timeout erpc accepts, in milliseconds (`2^32 - 1`).
///
/// ```
/// assert_eq!(sim_erpc::MAX_TIMEOUT_MS, 4_294_967_295);
/// ```
pub const MAX_TIMEOUT_MS: u64 = 4_294_967_295;

fn badarg() -> Exception {
    Exception::erpc(ErpcError::Badarg)
}

/// Reads a timeout given as an Erlang term (`infinity`, an integer, or
/// `{abs, Integer}`), checking its shape and range as OTP does; `{abs, T}` is
/// checked against the clock when the operation uses it. Raises
/// `{erpc, badarg}` for anything else (`-1`, `4294967296`, `foo`, `{abs, 1.5}`).
///
/// ```
/// use sim_erpc::{timeout_from_term, ErpcError};
/// use sim_core::{Term, Timeout};
/// assert_eq!(timeout_from_term(&Term::atom("infinity")), Ok(Timeout::Infinity));
/// assert_eq!(timeout_from_term(&Term::Int(4_294_967_295)), Ok(Timeout::Ms(4_294_967_295)));
/// let abs = Term::tuple([Term::atom("abs"), Term::Int(10)]);
/// assert_eq!(timeout_from_term(&abs), Ok(Timeout::Abs(10)));
/// for bad in [Term::Int(-1), Term::Int(4_294_967_296), Term::atom("foo")] {
///     assert_eq!(timeout_from_term(&bad).unwrap_err().erpc_error(), Some(ErpcError::Badarg));
/// }
/// ```
pub fn timeout_from_term(t: &Term) -> Result<Timeout, Exception> {
    match t {
        Term::Atom(a) if a.as_str() == "infinity" => Ok(Timeout::Infinity),
        Term::Int(n) => match u64::try_from(*n) {
            Ok(ms) if ms <= MAX_TIMEOUT_MS => Ok(Timeout::Ms(ms)),
            _ => Err(badarg()),
        },
        Term::Tuple(items) => match items.as_slice() {
            [tag, Term::Int(at)] if tag.is_atom("abs") => Ok(Timeout::Abs(*at)),
            _ => Err(badarg()),
        },
        _ => Err(badarg()),
    }
}

/// Validates `t` now: `Infinity`, or the milliseconds left (`Abs` converted
/// against `cx.monotonic_ms()`).
pub(crate) fn timeout_value(cx: &Cx, t: Timeout) -> Result<Timeout, Exception> {
    match t {
        Timeout::Infinity => Ok(Timeout::Infinity),
        Timeout::Ms(ms) if ms <= MAX_TIMEOUT_MS => Ok(Timeout::Ms(ms)),
        Timeout::Ms(_) => Err(badarg()),
        Timeout::Abs(at) => {
            let left = at.saturating_sub(cx.monotonic_ms());
            match u64::try_from(left) {
                Err(_) => Ok(Timeout::Ms(0)),
                Ok(ms) if ms <= MAX_TIMEOUT_MS => Ok(Timeout::Ms(ms)),
                Ok(_) => Err(badarg()),
            }
        }
    }
}

/// One deadline shared by several waits (multicall): fixed when it is made.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline(Option<Time>);

impl Deadline {
    /// Validates `t` and fixes the instant it ends.
    pub(crate) fn new(cx: &Cx, t: Timeout) -> Result<Deadline, Exception> {
        Ok(Deadline(match timeout_value(cx, t)? {
            Timeout::Ms(ms) => Some(cx.now().saturating_add(Time::ms(ms))),
            _ => None,
        }))
    }

    /// An already expired deadline.
    pub(crate) fn expired() -> Deadline {
        Deadline(Some(Time::ZERO))
    }

    /// Whether this is `infinity`.
    pub(crate) fn is_infinite(self) -> bool {
        self.0.is_none()
    }

    /// What is left of it, as a receive timeout.
    pub(crate) fn left(self, cx: &Cx) -> Timeout {
        match self.0 {
            None => Timeout::Infinity,
            Some(at) => Timeout::from(at.saturating_sub(cx.now())),
        }
    }
}
