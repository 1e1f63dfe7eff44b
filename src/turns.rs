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
/// A write may also be handed to the queue instead ([`WriterQueue::hand_in`], used by
/// `service::grouped_transaction`): the writer whose turn comes next runs every write handed
/// in by then in its own transaction, each in a savepoint, and commits them together (group
/// commit: one flush to disk for many registrations).
///
/// The queue belongs to an app state ([`crate::AppState::writers`]); work the state runs
/// ([`crate::AppState::blocking`]) writes through it. Work outside any app state (the
/// command line, a test on a bare connection) has no queue and relies on SQLite's busy
/// timeout alone.
#[derive(Debug, Clone, Default)]
pub struct WriterQueue(Arc<Writers>);

/// A write handed to a [`WriterQueue`], run by whichever writer leads the next group.
pub trait HandedIn: Send {
    /// Runs the write on the leader's connection, inside the group's transaction.
    fn run(&mut self, conn: &mut crate::db::DbConnection);
    /// Makes `error` its answer (its group did not commit, or it never ran).
    fn fail(&mut self, error: crate::error::AppError);
    /// Makes its answer final and wakes its writer. The last thing done with it: its
    /// writer may return at once.
    fn settle(&mut self);
    /// The thread that handed it in and waits for it.
    fn writer(&self) -> &std::thread::Thread;
}

#[derive(Default)]
struct Writers {
    state: Mutex<WritersState>,
    /// Signalled (one waiter) when the turn is freed and a writer waits for it with
    /// [`WriterQueue::turn`]. A writer that handed a write in sleeps instead until its
    /// write is settled or it is woken to lead (`std::thread::park`): waking only the
    /// thread concerned, not every waiter, matters when sixteen kiosks register at once.
    freed: Condvar,
    /// Groups committed so far, the writes in them, and the most in one.
    groups: Mutex<GroupCounts>,
    /// The queue's own connection, on which every group is written once it is open (see
    /// `service::group`). Only the turn's holder uses it.
    connection: Mutex<GroupConnection>,
}

/// The connection groups are written on, opened by the first group's leader.
#[derive(Default)]
pub enum GroupConnection {
    /// Not opened yet.
    #[default]
    Unopened,
    /// Open: every group is written on it.
    Open(crate::db::DbConnection),
    /// It could not be opened (a database with no file, or no PostgreSQL here): each leader
    /// writes on its own connection.
    Unavailable,
}

/// What the groups of handed-in writes of one queue have been (for tests and metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCounts {
    /// Groups led.
    pub groups: u64,
    /// Writes run in them.
    pub writes: u64,
    /// The most writes in one group.
    pub largest: u64,
}

#[derive(Default)]
struct WritersState {
    held: bool,
    /// Writers waiting in [`WriterQueue::turn`].
    waiting_for_turn: usize,
    handed_in: std::collections::VecDeque<Box<dyn HandedIn>>,
}

impl std::fmt::Debug for Writers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Writers")
            .field("held", &state.held)
            .field("handed_in", &state.handed_in.len())
            .finish()
    }
}

thread_local! {
    /// The writer queue of the work running on this thread, and whether this thread holds
    /// its turn already (a write inside a write must not wait for itself).
    static CURRENT: RefCell<Option<(WriterQueue, bool)>> = const { RefCell::new(None) };
}

impl WriterQueue {
    /// Makes this the queue of the writes this thread makes until the scope is dropped.
    ///
    /// Entered again by a thread that holds this queue's turn (`AppState::blocking` called
    /// inside a write, a group's write among them), it still holds it: a write in there
    /// must not wait for the turn its own thread holds, which would stop every writer of
    /// the app for good.
    pub fn enter(&self) -> WriterScope {
        let previous = CURRENT.with(|c| {
            let holds = matches!(&*c.borrow(), Some((queue, true)) if queue.same(self));
            c.borrow_mut().replace((self.clone(), holds))
        });
        WriterScope { previous }
    }

    /// The queue this thread's writes wait in, unless it entered none or holds the turn
    /// already (a write inside a write).
    pub fn current() -> Option<WriterQueue> {
        CURRENT.with(|c| match &*c.borrow() {
            Some((queue, false)) => Some(queue.clone()),
            _ => None,
        })
    }

    /// Waits for this thread's turn to write in the queue it entered, if any; `None` when
    /// it entered none or holds the turn already.
    pub fn turn() -> Option<WriterTurn> {
        let queue = Self::current()?;
        let mut state = queue.lock();
        while state.held {
            state.waiting_for_turn += 1;
            state = queue
                .0
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.waiting_for_turn -= 1;
        }
        state.held = true;
        drop(state);
        Some(queue.held())
    }

    /// Hands a write in, then waits until it is settled (another writer ran it in its
    /// group: `None`) or the turn is free while it still waits to be run (`Some`: this
    /// thread leads the next group, and must run it before it gives the turn back).
    /// `settled` is the flag [`HandedIn::settle`] sets.
    pub fn hand_in(
        &self,
        write: Box<dyn HandedIn>,
        settled: &std::sync::atomic::AtomicBool,
    ) -> Option<WriterTurn> {
        self.lock().handed_in.push_back(write);
        self.wait_for(settled)
    }

    /// Waits until a handed-in write is settled (`None`) or the turn is free while it
    /// still waits to be run (`Some`: this thread leads the next group). Called by the
    /// thread that handed it in ([`HandedIn::writer`]), which is woken for either.
    pub fn wait_for(&self, settled: &std::sync::atomic::AtomicBool) -> Option<WriterTurn> {
        use std::sync::atomic::Ordering;
        loop {
            let mut state = self.lock();
            // A write is taken only by a turn's holder, and settled before that turn is
            // given back: a free turn with this write unsettled means it is still queued.
            if settled.load(Ordering::Acquire) {
                return None;
            }
            if !state.held {
                state.held = true;
                drop(state);
                return Some(self.held());
            }
            drop(state);
            // Woken by `settle`, or by the turn's release while its write is first in the
            // queue; a wake-up that comes before the park makes it return at once.
            std::thread::park();
        }
    }

    /// Takes up to `most` handed-in writes, oldest first. Only the turn's holder calls it.
    pub fn take_handed_in(&self, most: usize) -> Vec<Box<dyn HandedIn>> {
        let mut state = self.lock();
        let n = state.handed_in.len().min(most);
        state.handed_in.drain(..n).collect()
    }

    /// How many handed-in writes wait to be run.
    pub fn handed_in_waiting(&self) -> usize {
        self.lock().handed_in.len()
    }

    /// The groups this queue's writers led so far.
    pub fn group_counts(&self) -> GroupCounts {
        *self.0.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a group of `writes` handed-in writes, led by the turn's holder.
    pub fn count_group(&self, writes: usize) {
        let writes = writes as u64;
        let mut counts = self.0.groups.lock().unwrap_or_else(PoisonError::into_inner);
        counts.groups += 1;
        counts.writes += writes;
        counts.largest = counts.largest.max(writes);
    }

    /// The queue's own connection for groups, for the turn's holder alone.
    pub fn group_connection(&self) -> std::sync::MutexGuard<'_, GroupConnection> {
        self.0
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether two handles are the same queue.
    pub fn same(&self, other: &WriterQueue) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WritersState> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn held(&self) -> WriterTurn {
        set_held(true);
        WriterTurn(self.clone())
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
pub struct WriterTurn(WriterQueue);

impl Drop for WriterTurn {
    fn drop(&mut self) {
        set_held(false);
        let mut state = self.0.lock();
        state.held = false;
        // Whoever takes the turn first: a writer waiting for it, or the writer of the
        // oldest handed-in write (it leads the next group, which runs every write queued).
        // The other finds the turn held and waits again, to be woken by this same rule.
        if let Some(first) = state.handed_in.front() {
            first.writer().unpark();
        }
        if state.waiting_for_turn > 0 {
            self.0.0.freed.notify_one();
        }
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
    fn a_thread_that_holds_the_turn_and_enters_its_queue_again_still_holds_it() {
        // Run apart, so that a wait for the thread's own turn fails the test, not hangs it.
        let (done, answer) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let queue = WriterQueue::default();
            let _scope = queue.enter();
            let _outer = WriterQueue::turn().expect("a turn");
            let inner_scope = queue.enter();
            let _ = done.send(WriterQueue::turn().is_none());
            drop(inner_scope);
            assert!(
                WriterQueue::current().is_none(),
                "the outer scope still holds it"
            );
        });
        let none = answer
            .recv_timeout(Duration::from_secs(10))
            .expect("a write inside a write never waits for its own thread's turn");
        assert!(none, "no second turn");
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
