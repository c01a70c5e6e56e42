//! The progress line of a long exploration: after about two seconds, one
//! stderr line with schedules done, the rate, failures so far and the time
//! left; redrawn in place on a terminal, a plain line every few seconds
//! otherwise.
//!
//! The wall clock is read here for this display only: nothing read from it
//! reaches a simulation, which is a function of its seeds alone.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Nothing is shown before an exploration has run this long.
const QUIET_START: Duration = Duration::from_secs(2);
/// How often the line is redrawn on a terminal.
const TTY_EVERY: Duration = Duration::from_millis(200);
/// How often a plain line is printed when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(5);

pub(crate) struct Progress {
    name: String,
    /// Schedules the exploration will run, when known in advance.
    total: Option<u64>,
    enabled: bool,
    tty: bool,
    started: Instant,
    done: AtomicU64,
    failures: AtomicU64,
    /// When the line was last printed, if ever.
    last: Mutex<Option<Duration>>,
}

impl Progress {
    pub(crate) fn new(name: &str, total: Option<u64>, quiet: bool) -> Progress {
        #[allow(clippy::disallowed_methods)]
        let started = Instant::now(); // tidy: allow the progress display only, never simulated
        Progress {
            name: name.to_string(),
            total,
            enabled: !quiet,
            tty: std::io::stderr().is_terminal(),
            started,
            done: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            last: Mutex::new(None),
        }
    }

    /// Counts one finished run and redraws the line when it is due.
    pub(crate) fn record(&self, failed: bool) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if failed {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        if !self.enabled {
            return;
        }
        let elapsed = self.started.elapsed();
        // A worker that finds the line being printed goes on with its work.
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        if !due(elapsed, *last, self.tty) {
            return;
        }
        *last = Some(elapsed);
        let text = line(
            &self.name,
            done,
            self.total,
            self.failures.load(Ordering::Relaxed),
            elapsed,
        );
        let mut err = std::io::stderr().lock();
        let _ = if self.tty {
            write!(err, "\r{text}\x1b[K")
        } else {
            writeln!(err, "{text}")
        };
        let _ = err.flush();
    }

    /// Ends the line on a terminal, so what is printed next starts afresh.
    pub(crate) fn finish(&self) {
        let printed = self.last.lock().map(|l| l.is_some()).unwrap_or(false);
        if self.enabled && self.tty && printed {
            eprintln!();
        }
    }
}

/// Whether to print at `elapsed`, having last printed at `last`.
pub(crate) fn due(elapsed: Duration, last: Option<Duration>, tty: bool) -> bool {
    if elapsed < QUIET_START {
        return false;
    }
    let every = if tty { TTY_EVERY } else { LOG_EVERY };
    last.is_none_or(|l| elapsed.saturating_sub(l) >= every)
}

/// The progress line (with the time left when the total is known).
pub(crate) fn line(
    name: &str,
    done: u64,
    total: Option<u64>,
    failures: u64,
    elapsed: Duration,
) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let of = total.map_or(String::new(), |t| format!("/{t}"));
    let mut s = format!("{name}: {done}{of} schedules, {rate:.0}/s, {failures} failure(s)");
    if let Some(total) = total.filter(|&t| rate > 0.0 && done < t) {
        let left = (total - done) as f64 / rate;
        s.push_str(&format!(", ETA {}", eta(left)));
    }
    s
}

fn eta(secs: f64) -> String {
    let s = secs.ceil() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_waits_two_seconds_then_comes_at_its_pace() {
        let s = Duration::from_secs;
        assert!(!due(Duration::from_millis(1_999), None, true));
        assert!(due(s(2), None, true) && due(s(2), None, false));
        assert!(due(Duration::from_millis(2_200), Some(s(2)), true));
        assert!(!due(Duration::from_millis(2_100), Some(s(2)), true));
        assert!(!due(s(6), Some(s(2)), false), "a log gets a line every 5 s");
        assert!(due(s(7), Some(s(2)), false));
    }

    #[test]
    fn the_line_counts_rate_failures_and_time_left() {
        let l = line("kv", 300, Some(1_000), 1, Duration::from_secs(3));
        assert_eq!(l, "kv: 300/1000 schedules, 100/s, 1 failure(s), ETA 7s");
        let done = line("kv", 1_000, Some(1_000), 0, Duration::from_secs(4));
        assert!(!done.contains("ETA"), "{done}");
        let open = line("dfs", 50, None, 0, Duration::from_secs(5));
        assert_eq!(open, "dfs: 50 schedules, 10/s, 0 failure(s)");
        assert_eq!(eta(125.0), "2m05s");
        assert_eq!(eta(7_300.0), "2h01m");
    }
}
