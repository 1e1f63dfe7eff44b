//! Turns: at most so many callers at once, the others wait (a counting semaphore for
//! blocking threads). The app state holds its own, so two app states in one process (tests
//! that run in parallel) never wait for each other.

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// At most `limit` holders at a time; a turn ends when its [`Turn`] is dropped.
#[derive(Debug)]
pub struct Turns {
    limit: usize,
    running: Mutex<usize>,
    freed: Condvar,
}

impl Turns {
    pub fn new(limit: usize) -> Turns {
        Turns {
            limit: limit.max(1),
            running: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Waits for a turn.
    pub fn wait(self: &Arc<Self>) -> Turn {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= self.limit {
            running = self
                .freed
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        Turn(Arc::clone(self))
    }
}

/// One turn of [`Turns`], held until dropped.
#[derive(Debug)]
pub struct Turn(Arc<Turns>);

impl Drop for Turn {
    fn drop(&mut self) {
        *self
            .0
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner) -= 1;
        self.0.freed.notify_one();
    }
}

/// The queue an app's SQLite writers wait in before they begin a write
/// (`service::transaction`). SQLite lets one writer in at a time and makes the others poll
/// with growing sleeps, which under a burst of writes (32 officers pressing "call next")
/// gives some of them second-long waits; queued here first, they enter one after another.
///
/// The queue belongs to an app state ([`crate::AppState::writers`]); work the state runs
/// ([`crate::AppState::blocking`]) writes through it. Work outside any app state (the
/// command line, a test on a bare connection) has no queue and relies on SQLite's busy
/// timeout alone.
#[derive(Debug, Clone)]
pub struct WriterQueue(Arc<Turns>);

impl Default for WriterQueue {
    fn default() -> WriterQueue {
        WriterQueue(Arc::new(Turns::new(1)))
    }
}

thread_local! {
    /// The writer queue of the work running on this thread, and whether this thread holds
    /// its turn already (a write inside a write must not wait for itself).
    static CURRENT: RefCell<Option<(WriterQueue, bool)>> = const { RefCell::new(None) };
}

impl WriterQueue {
    /// Makes this the queue of the writes this thread makes until the scope is dropped.
    pub fn enter(&self) -> WriterScope {
        let previous = CURRENT.with(|c| c.borrow_mut().replace((self.clone(), false)));
        WriterScope { previous }
    }

    /// Waits for this thread's turn to write in the queue it entered, if any; `None` when
    /// it entered none or holds the turn already.
    pub fn turn() -> Option<WriterTurn> {
        let queue = CURRENT.with(|c| match &*c.borrow() {
            Some((queue, false)) => Some(queue.clone()),
            _ => None,
        })?;
        let turn = queue.0.wait();
        set_held(true);
        Some(WriterTurn(turn))
    }

    /// Whether two handles are the same queue.
    pub fn same(&self, other: &WriterQueue) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

fn set_held(held: bool) {
    CURRENT.with(|c| {
        if let Some((_, h)) = c.borrow_mut().as_mut() {
            *h = held;
        }
    });
}

/// The span in which a thread's writes queue in one [`WriterQueue`].
#[must_use]
pub struct WriterScope {
    previous: Option<(WriterQueue, bool)>,
}

impl Drop for WriterScope {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// A thread's turn to write, held until dropped.
pub struct WriterTurn(#[allow(dead_code)] Turn);

impl Drop for WriterTurn {
    fn drop(&mut self) {
        set_held(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn no_more_than_the_limit_hold_a_turn_at_once() {
        let turns = Arc::new(Turns::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (turns, inside, most) = (turns.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    let _turn = turns.wait();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_write_inside_a_write_takes_no_second_turn_and_no_scope_takes_none() {
        assert!(WriterQueue::turn().is_none(), "no queue entered");
        let queue = WriterQueue::default();
        let _scope = queue.enter();
        let outer = WriterQueue::turn().expect("a turn");
        // With a limit of one, a second wait here would never end.
        assert!(WriterQueue::turn().is_none());
        drop(outer);
        assert!(WriterQueue::turn().is_some(), "the turn is free again");
    }

    #[test]
    fn two_queues_do_not_wait_for_each_other() {
        let a = WriterQueue::default();
        let b = WriterQueue::default();
        assert!(!a.same(&b));
        let _scope = a.enter();
        let _held = WriterQueue::turn().expect("a's turn");
        let other = std::thread::spawn(move || {
            let _scope = b.enter();
            WriterQueue::turn().is_some()
        });
        assert!(other.join().unwrap(), "b's writer is not held up by a's");
    }
}
