//! Timeout validation as OTP's `timeout_value/1`: `infinity`, an integer
//! `0..=4294967295` milliseconds, or `{abs, T}` (a deadline on the monotonic
//! clock in milliseconds, at most 4294967295 ms ahead; one in the past means
//! "do not wait"). Anything else is `error:{erpc, badarg}`.

use crate::exception::Exception;
use sim_core::{Cx, Term, Time, Timeout};

/// The largest relative timeout erpc accepts, in milliseconds (`2^32 - 1`).
///
/// ```
/// assert_eq!(sim_erpc::MAX_TIMEOUT_MS, 4_294_967_295);
/// ```
pub const MAX_TIMEOUT_MS: u64 = 4_294_967_295;

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
            _ => Err(Exception::badarg()),
        },
        Term::Tuple(items) => match items.as_slice() {
            [tag, Term::Int(at)] if tag.is_atom("abs") => Ok(Timeout::Abs(*at)),
            _ => Err(Exception::badarg()),
        },
        _ => Err(Exception::badarg()),
    }
}

/// Validates `t` now: `Infinity`, or the milliseconds left (`Abs` converted
/// against `cx.monotonic_ms()`).
pub(crate) fn timeout_value(cx: &Cx, t: Timeout) -> Result<Timeout, Exception> {
    match t {
        Timeout::Infinity => Ok(Timeout::Infinity),
        Timeout::Ms(ms) if ms <= MAX_TIMEOUT_MS => Ok(Timeout::Ms(ms)),
        Timeout::Ms(_) => Err(Exception::badarg()),
        Timeout::Abs(at) => {
            let left = at.saturating_sub(cx.monotonic_ms());
            match u64::try_from(left) {
                Err(_) => Ok(Timeout::Ms(0)),
                Ok(ms) if ms <= MAX_TIMEOUT_MS => Ok(Timeout::Ms(ms)),
                Ok(_) => Err(Exception::badarg()),
            }
        }
    }
}

/// One deadline shared by several waits (a multicall's replies, an rpc call that
/// falls back to `rex`): fixed when it is made, so every wait ends at the same
/// instant. `infinity` never ends.
///
/// ```
/// use sim_core::{Sim, Term, Time, Timeout};
/// use sim_erpc::Deadline;
/// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
/// sim.spawn("a@sim", |cx| async move {
///     let d = Deadline::new(&cx, Timeout::ms(30))?;
///     cx.sleep(Time::ms(10)).await;
///     cx.check(d.left(&cx) == Timeout::ms(20), "20 ms left")?;
///     cx.check(Deadline::new(&cx, Timeout::Ms(1 << 40)).is_err(), "too long is badarg")?;
///     cx.check(Deadline::INFINITY.left(&cx) == Timeout::Infinity, "no end")?;
///     Ok(Term::atom("ok"))
/// }).unwrap();
/// sim.run().assert_ok();
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Option<Time>);

impl Deadline {
    /// No end.
    pub const INFINITY: Deadline = Deadline(None);

    /// Checks `t` as erpc does (`{erpc, badarg}` beyond 4294967295 ms; `{abs, T}`
    /// in the past is "now") and fixes the instant it ends.
    ///
    /// ```
    /// use sim_core::{Sim, Term, Timeout};
    /// use sim_erpc::Deadline;
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let past = Deadline::new(&cx, Timeout::Abs(-5))?;
    ///     cx.check(past.left(&cx) == Timeout::ms(0), "a past end is now")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn new(cx: &Cx, t: Timeout) -> Result<Deadline, Exception> {
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

    /// What is left of it, as a receive timeout (`Ms(0)` once it has passed).
    ///
    /// ```
    /// use sim_core::{Sim, Term, Time, Timeout};
    /// use sim_erpc::Deadline;
    /// let mut sim = Sim::builder().nodes(["a@sim"]).build().unwrap();
    /// sim.spawn("a@sim", |cx| async move {
    ///     let d = Deadline::new(&cx, Timeout::ms(5))?;
    ///     cx.sleep(Time::ms(10)).await;
    ///     cx.check(d.left(&cx) == Timeout::ms(0), "passed")?;
    ///     Ok(Term::atom("ok"))
    /// }).unwrap();
    /// sim.run().assert_ok();
    /// ```
    pub fn left(self, cx: &Cx) -> Timeout {
        match self.0 {
            None => Timeout::Infinity,
            Some(at) => Timeout::from(at.saturating_sub(cx.now())),
        }
    }
}
