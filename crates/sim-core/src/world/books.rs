//! The signal books as the world keeps them: each counter moves only with
//! the signal's fate (sent, delivered, dropped), so `sent == delivered +
//! in flight + held + dropped` holds at every step. What is in flight or
//! held is not counted here but read from the queues that hold it.

use crate::report::SignalBooks;

#[derive(Default)]
pub(crate) struct Books(SignalBooks);

impl Books {
    /// A signal left its sender.
    #[inline]
    pub(crate) fn sent(&mut self) {
        self.0.sent += 1;
    }

    /// A signal reached its destination node (a live target or not).
    #[inline]
    pub(crate) fn delivered(&mut self) {
        self.0.delivered += 1;
    }

    /// A signal was lost, for `cause`.
    pub(crate) fn dropped(&mut self, cause: &str) {
        *self.0.dropped.entry(cause.to_string()).or_insert(0) += 1;
    }

    /// The books, with what the queues hold now in flight and held.
    pub(crate) fn snapshot(&self, in_flight: u64, held: u64) -> SignalBooks {
        let mut b = self.0.clone();
        b.in_flight = in_flight;
        b.held = held;
        b
    }
}
