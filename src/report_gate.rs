//! The reports' own concurrency limit.
//!
//! A report over many days can take seconds of CPU and holds a database connection while it
//! reads. Without a limit, a dozen supervisors (or one script) asking for month reports at
//! once took every connection of the shared pool, and the queue, the board, registrations
//! and `/healthz` of every port failed. So reports run at most [`ReportGate::limit`] at a
//! time per process; a few more may wait a moment for a place, and beyond that a request is
//! refused at once with 503 and `Retry-After` ([`AppError::Busy`]), before it touches the
//! database. Everything else keeps the rest of the pool and the CPU.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::error::{AppError, AppResult};

/// Reports running at once per process, unless `PORTQUEUE_REPORT_WORKERS` says otherwise:
/// half the CPU cores, at least one. Each running report keeps a core busy; on a 2-core
/// machine two of them left the board's p99 at 86 ms, one at 40 ms (BENCHMARKS.md).
pub fn default_limit() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}
/// Requests that may wait for a place, beyond which the answer is 503 at once.
pub const DEFAULT_WAITING: usize = 8;
/// How long a request waits for a place before the 503.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);
/// What `Retry-After` says, in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// How often a waiting request looks for a free place.
const POLL: Duration = Duration::from_millis(50);

/// Counts the reports running and waiting in this process.
#[derive(Debug)]
pub struct ReportGate {
    limit: usize,
    waiting_limit: usize,
    wait: Duration,
    running: AtomicUsize,
    waiting: AtomicUsize,
}

impl Default for ReportGate {
    fn default() -> Self {
        let limit = std::env::var("PORTQUEUE_REPORT_WORKERS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .unwrap_or_else(default_limit);
        Self::new(limit, DEFAULT_WAITING, DEFAULT_WAIT)
    }
}

/// A place among the running reports, given back when dropped.
#[derive(Debug)]
pub struct ReportPermit(Arc<ReportGate>);

impl Drop for ReportPermit {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::AcqRel);
    }
}

impl ReportGate {
    pub fn new(limit: usize, waiting_limit: usize, wait: Duration) -> Self {
        Self {
            limit: limit.max(1),
            waiting_limit,
            wait,
            running: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Reports that may run at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Reports running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// A place now, if one is free.
    pub fn try_enter(self: &Arc<Self>) -> Option<ReportPermit> {
        self.running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .ok()
            .map(|_| ReportPermit(Arc::clone(self)))
    }

    /// A place, waiting up to the gate's wait for one; [`AppError::Busy`] when none came or
    /// too many are already waiting.
    pub async fn enter(self: &Arc<Self>) -> AppResult<ReportPermit> {
        if let Some(permit) = self.try_enter() {
            return Ok(permit);
        }
        let queued = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.waiting_limit).then_some(n + 1)
            })
            .is_ok();
        if !queued {
            return Err(busy());
        }
        let _waiting = Waiting(self);
        let mut waited = Duration::ZERO;
        while waited < self.wait {
            actix_web::rt::time::sleep(POLL).await;
            waited += POLL;
            if let Some(permit) = self.try_enter() {
                return Ok(permit);
            }
        }
        Err(busy())
    }
}

/// Counts a waiting request until it stops waiting, however it stops.
struct Waiting<'a>(&'a ReportGate);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

fn busy() -> AppError {
    AppError::Busy {
        message: "Reports are busy: the most this server computes at once are running now. \
                  Nothing else is affected; try again in a few seconds."
            .into(),
        retry_after_seconds: RETRY_AFTER_SECONDS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_limited_and_given_back() {
        let gate = Arc::new(ReportGate::new(2, 0, Duration::ZERO));
        let a = gate.try_enter().expect("first");
        let _b = gate.try_enter().expect("second");
        assert!(gate.try_enter().is_none(), "a third must wait");
        drop(a);
        assert!(gate.try_enter().is_some(), "a place came free");
    }

    #[actix_web::test]
    async fn a_full_gate_answers_busy_with_a_retry_time() {
        let gate = Arc::new(ReportGate::new(1, 1, Duration::from_millis(120)));
        let _held = gate.enter().await.unwrap();
        match gate.enter().await {
            Err(AppError::Busy {
                retry_after_seconds,
                ..
            }) => assert_eq!(retry_after_seconds, RETRY_AFTER_SECONDS),
            other => panic!("expected busy, got {other:?}"),
        }
        assert_eq!(gate.waiting.load(Ordering::Acquire), 0);
    }
}
