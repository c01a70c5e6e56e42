//! Virtual time: `Time` (microseconds since the start of a run) and `Timeout`.
//!
//! Nothing here reads a clock. Time moves only when the scheduler finds no event
//! enabled at the current instant and jumps to the next timer.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Sub};

/// A point on (or a span of) the virtual clock, in microseconds.
///
/// ```
/// use sim_core::Time;
/// assert_eq!(Time::ms(2), Time::us(2_000));
/// assert_eq!(Time::ms(2).as_ms(), 2);
/// assert_eq!((Time::ms(1) + Time::us(500)).to_string(), "1.500ms");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Time(u64);

impl Time {
    /// The start of every run.
    pub const ZERO: Time = Time(0);
    /// The largest representable time; used as "never".
    pub const MAX: Time = Time(u64::MAX);

    /// `n` microseconds.
    ///
    /// ```
    /// use sim_core::Time;
    /// assert_eq!(Time::us(7).as_us(), 7);
    /// ```
    pub const fn us(n: u64) -> Time {
        Time(n)
    }

    /// `n` milliseconds (saturating at [`Time::MAX`]).
    ///
    /// ```
    /// use sim_core::Time;
    /// assert_eq!(Time::ms(3).as_us(), 3_000);
    /// ```
    pub const fn ms(n: u64) -> Time {
        Time(n.saturating_mul(1_000))
    }

    /// `n` seconds (saturating).
    ///
    /// ```
    /// use sim_core::Time;
    /// assert_eq!(Time::secs(1), Time::ms(1_000));
    /// ```
    pub const fn secs(n: u64) -> Time {
        Time(n.saturating_mul(1_000_000))
    }

    /// Whole microseconds.
    ///
    /// ```
    /// use sim_core::Time;
    /// assert_eq!(Time::ms(1).as_us(), 1_000);
    /// ```
    pub const fn as_us(self) -> u64 {
        self.0
    }

    /// Whole milliseconds (rounded down).
    ///
    /// ```
    /// use sim_core::Time;
    /// assert_eq!(Time::us(1_999).as_ms(), 1);
    /// ```
    pub const fn as_ms(self) -> u64 {
        self.0 / 1_000
    }

    /// `self + d`, saturating at [`Time::MAX`].
    ///
    /// ```
    /// use sim_core::Time;
    /// assert_eq!(Time::MAX.saturating_add(Time::ms(1)), Time::MAX);
    /// ```
    pub const fn saturating_add(self, d: Time) -> Time {
        Time(self.0.saturating_add(d.0))
    }

    /// `self - d`, or zero when `d` is later.
    ///
    /// ```
    /// use sim_core::Time;
    /// assert_eq!(Time::ms(1).saturating_sub(Time::ms(5)), Time::ZERO);
    /// ```
    pub const fn saturating_sub(self, d: Time) -> Time {
        Time(self.0.saturating_sub(d.0))
    }
}

impl Add for Time {
    type Output = Time;
    fn add(self, rhs: Time) -> Time {
        self.saturating_add(rhs)
    }
}

impl Sub for Time {
    type Output = Time;
    fn sub(self, rhs: Time) -> Time {
        self.saturating_sub(rhs)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}ms", self.0 / 1_000, self.0 % 1_000)
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// How long an operation may wait, in Erlang's vocabulary.
///
/// `Ms(n)` is relative to now; `Abs(t)` is a deadline on the virtual monotonic
/// clock in milliseconds ([`crate::Cx::monotonic_ms`]). Range checks that OTP
/// applies (for example erpc's `0..=4294967295`) belong to the API that takes
/// the timeout; the core accepts any value.
///
/// ```
/// use sim_core::{Time, Timeout};
/// assert_eq!(Timeout::ms(5).deadline(Time::ms(10)), Some(Time::ms(15)));
/// assert_eq!(Timeout::Infinity.deadline(Time::ms(10)), None);
/// assert_eq!(Timeout::Abs(3).deadline(Time::ms(10)), Some(Time::ms(10)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Timeout {
    /// Wait forever.
    Infinity,
    /// Wait this many milliseconds.
    Ms(u64),
    /// Wait until this monotonic time in milliseconds (already past: do not wait).
    Abs(i64),
}

impl Timeout {
    /// `Timeout::Ms(n)`.
    ///
    /// ```
    /// use sim_core::Timeout;
    /// assert_eq!(Timeout::ms(100), Timeout::Ms(100));
    /// ```
    pub const fn ms(n: u64) -> Timeout {
        Timeout::Ms(n)
    }

    /// The instant at which the wait ends, given the current time, or `None` for
    /// infinity.
    ///
    /// ```
    /// use sim_core::{Time, Timeout};
    /// assert_eq!(Timeout::ms(0).deadline(Time::ZERO), Some(Time::ZERO));
    /// ```
    pub fn deadline(self, now: Time) -> Option<Time> {
        match self {
            Timeout::Infinity => None,
            Timeout::Ms(n) => Some(now.saturating_add(Time::ms(n))),
            Timeout::Abs(t) => {
                let at = Time::ms(u64::try_from(t).unwrap_or(0));
                Some(if at < now { now } else { at })
            }
        }
    }
}

impl From<Time> for Timeout {
    fn from(t: Time) -> Timeout {
        // Sub-millisecond spans round up so a non-zero wait never becomes zero.
        Timeout::Ms(t.as_us().div_ceil(1_000))
    }
}
