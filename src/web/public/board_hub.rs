//! One shared "now serving" board per port, for every screen this process serves.
//!
//! A board is public, so anyone can open as many as they like. Without sharing, each open
//! feed asked the database for the port's revision every second and, on every change,
//! computed the whole board (queue snapshot, engine projection) for itself; the page and its
//! JSON computed it on every request. The hub keeps, per port, the latest computed board
//! (already serialized, as JSON and as a server-sent event) and the port's revision:
//!
//! - at most one revision check per port is in flight at a time (an async mutex per port);
//!   whoever waits behind a check that started after they arrived takes its answer instead
//!   of asking again, so a thousand requests at once cost one or two reads;
//! - the board is computed again only when the revision moved (or the cached one is older
//!   than [`BOARD_MAX_AGE`]), once per revision whatever the number of readers;
//! - feeds, the page and its JSON accept a check up to [`super::FEED_POLL`] old, provided
//!   this process applied no change to any queue since (`service::live::applied_changes`):
//!   all of them see every change made through this server at once and another server's
//!   within a second, and all the readers of a port together cost about one indexed read a
//!   second. A reader served from the last answer clones it from behind a plain mutex and
//!   never waits on a check in flight;
//! - while a check is in flight, a reader whose only reason to want a newer answer is a
//!   change applied since the last one is served the last answer (at most one check behind)
//!   instead of queueing behind the check: under a burst of registrations (every one a
//!   change) the board's readers do not wait in line for the database. The first reader
//!   after a change, with no check running, starts one and waits for it, so a change is
//!   on the next board read after it whenever the port is quiet, and within a feed's poll
//!   when it is not.
//!
//! Each server process has its own hub; the revision lives in the database, so several
//! processes on one PostgreSQL each see every change within a check.
//!
//! The hub also counts open feeds: past [`MAX_FEEDS`] (per process) a new feed is refused
//! with 503 and the board's script polls the JSON instead.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use futures_util::lock::Mutex as AsyncMutex;

use crate::AppState;
use crate::db::models::Port;
use crate::error::{AppError, AppResult};
use crate::service::{self, live, public::Board};

/// The most live feeds (`GET /board/{code}/events`) one server process keeps open at once,
/// all ports together. Each costs a connection and a timer; past this a new one is answered
/// 503 with `Retry-After`, and the board's script polls `board.json` until it gets in.
pub const MAX_FEEDS: usize = 500;

/// The most live feeds one client address keeps open at once: one address (a script, or a
/// browser reopening tabs) cannot take every place. A port's screens behind one NAT are a
/// handful; past this a feed is refused like past [`MAX_FEEDS`], and the script polls.
pub const MAX_FEEDS_PER_ADDRESS: usize = 50;

/// A board is computed again after this long even if its revision did not move: the queue's
/// order and estimates also follow the clock.
pub const BOARD_MAX_AGE: Duration = Duration::from_secs(60);

/// A reader served from a last answer at least this old starts the next check in the
/// background: under steady reading the answer is renewed before it is [`super::FEED_POLL`]
/// old, so no reader has to wait for a check (the wait showed as the page's and the board's
/// slowest answers). The rule of what may be served is unchanged.
pub const REFRESH_AHEAD: Duration = Duration::from_millis(700);

/// A board as computed once for everyone: the data, and its two wire forms.
#[derive(Debug)]
pub struct SharedBoard {
    pub board: Board,
    /// `GET /board/{code}.json`'s body.
    pub json: Bytes,
    /// The server-sent event carrying it (`id:` the revision, one `data:` line).
    pub event: Bytes,
    computed_at: Instant,
}

impl SharedBoard {
    fn new(board: Board) -> SharedBoard {
        // JSON has no raw newlines, so the whole board fits one `data:` line.
        let json = serde_json::to_string(&board).unwrap_or_else(|_| "{}".to_owned());
        let event = Bytes::from(format!("id: {}\ndata: {json}\n\n", board.revision));
        SharedBoard {
            board,
            json: Bytes::from(json),
            event,
            computed_at: Instant::now(),
        }
    }
}

/// What a reader gets: the shared board and the port as of the last check.
#[derive(Debug, Clone)]
pub struct Current {
    pub board: Arc<SharedBoard>,
    pub port: Arc<Port>,
}

/// Why the last check failed, for those who waited on it.
#[derive(Debug, Clone)]
enum Failure {
    NotFound(String),
    Other,
}

/// The last good answer of a port, readable without waiting: the board, when its check
/// started, and how many changes this process had applied then.
#[derive(Debug, Clone)]
struct Latest {
    current: Current,
    checked: Instant,
    applied: u64,
}

/// One port's cache, behind its async mutex.
#[derive(Debug, Default)]
struct Cache {
    board: Option<Arc<SharedBoard>>,
    port: Option<Arc<Port>>,
    /// When the last successful check started.
    checked: Option<Instant>,
    /// The last failed check: when it ended, and why.
    failed: Option<(Instant, Failure)>,
}

#[derive(Debug, Default)]
struct Slot {
    /// Whether a check started ahead of time ([`REFRESH_AHEAD`]) is in flight.
    refreshing: AtomicBool,
    /// Whether any check is in flight (its starter holds `cache`).
    checking: AtomicBool,
    cache: AsyncMutex<Cache>,
    /// A copy of the last good answer behind a plain mutex held for a clone, so that readers
    /// served from it never queue behind a check in flight (an async mutex lets some waiters
    /// starve for seconds under many connections).
    latest: Mutex<Option<Latest>>,
}

/// The boards of this process's ports, and its count of open feeds. Shared through
/// [`AppState::board_hub`].
#[derive(Debug)]
pub struct BoardHub {
    /// Port code (upper case, as the database has it) to its slot. A code that turns out not
    /// to be a port is removed again, so made-up codes do not pile up.
    ports: Mutex<HashMap<String, Arc<Slot>>>,
    computations: AtomicU64,
    feeds: AtomicUsize,
    max_feeds: usize,
    /// Open feeds per client address.
    per_address: Mutex<HashMap<IpAddr, usize>>,
    max_per_address: usize,
}

impl Default for BoardHub {
    fn default() -> Self {
        BoardHub::new(MAX_FEEDS)
    }
}

impl BoardHub {
    /// A hub that keeps at most `max_feeds` live feeds open at once.
    pub fn new(max_feeds: usize) -> BoardHub {
        BoardHub::with_address_limit(max_feeds, MAX_FEEDS_PER_ADDRESS)
    }

    /// A hub with at most `max_feeds` live feeds, at most `per_address` from one address.
    pub fn with_address_limit(max_feeds: usize, per_address: usize) -> BoardHub {
        BoardHub {
            ports: Mutex::default(),
            computations: AtomicU64::new(0),
            feeds: AtomicUsize::new(0),
            max_feeds,
            per_address: Mutex::default(),
            max_per_address: per_address,
        }
    }

    /// How many boards this hub has computed since it started (for tests and metrics).
    pub fn computations(&self) -> u64 {
        self.computations.load(Ordering::Relaxed)
    }

    /// How many feeds are open now.
    pub fn open_feeds(&self) -> usize {
        self.feeds.load(Ordering::Relaxed)
    }

    /// The most feeds this hub keeps open at once.
    pub fn max_feeds(&self) -> usize {
        self.max_feeds
    }

    /// A place for one more feed from `address`, or `None` when [`BoardHub::max_feeds`] are
    /// open or that address holds its share. The feed holds the permit while it lives;
    /// dropping it frees the place.
    pub fn open_feed(self: &Arc<Self>, address: Option<IpAddr>) -> Option<FeedPermit> {
        if let Some(address) = address {
            let mut per_address = self
                .per_address
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let open = per_address.entry(address).or_default();
            if *open >= self.max_per_address {
                return None;
            }
            *open += 1;
        }
        let mut permit = FeedPermit {
            hub: Arc::clone(self),
            address,
            counted: false,
        };
        permit.counted = self
            .feeds
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.max_feeds).then_some(open + 1)
            })
            .is_ok();
        // Dropped without a place, the permit gives back the address's count only.
        permit.counted.then_some(permit)
    }

    /// How many feeds `address` holds open now.
    pub fn open_feeds_from(&self, address: IpAddr) -> usize {
        self.per_address
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&address)
            .copied()
            .unwrap_or(0)
    }

    fn slot(&self, key: &str) -> Arc<Slot> {
        let mut ports = self.ports.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(ports.entry(key.to_owned()).or_default())
    }

    /// Forgets `key` if it still maps to `slot`.
    fn forget(&self, key: &str, slot: &Arc<Slot>) {
        let mut ports = self.ports.lock().unwrap_or_else(PoisonError::into_inner);
        if ports.get(key).is_some_and(|s| Arc::ptr_eq(s, slot)) {
            ports.remove(key);
        }
    }

    /// The board of the port `code`, from a revision check that started no earlier than
    /// `fresh_since`; computed again only if the revision moved since the cached board.
    /// 404 when there is no such port.
    pub async fn current(
        &self,
        state: &AppState,
        code: &str,
        fresh_since: Instant,
    ) -> AppResult<Current> {
        let key = code.trim().to_ascii_uppercase();
        let slot = self.slot(&key);
        let arrived = Instant::now();
        let applied = live::applied_changes();
        // The last answer if fresh; or, behind a change while a check runs, the last answer
        // rather than a place in line (then no refresh ahead: the check is that).
        let checking = slot.checking.load(Ordering::Acquire);
        let served = slot
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|l| {
                if fresh(l, fresh_since, applied) {
                    Some((l.current.clone(), l.checked.elapsed()))
                } else if checking && fresh(l, fresh_since, l.applied) {
                    Some((l.current.clone(), Duration::ZERO))
                } else {
                    None
                }
            });
        if let Some((current, age)) = served {
            if age >= REFRESH_AHEAD && !slot.refreshing.swap(true, Ordering::AcqRel) {
                let state = state.clone();
                let refreshed = Arc::clone(&slot);
                actix_web::rt::spawn(Box::pin(async move {
                    let hub = Arc::clone(&state.board_hub);
                    // Errors are logged by the check; the next reader tries again.
                    let _ = hub.current(&state, &key, Instant::now()).await;
                    refreshed.refreshing.store(false, Ordering::Release);
                }));
            }
            return Ok(current);
        }
        let mut cache = slot.cache.lock().await;

        // A check that ended while we waited for the lock may serve us.
        let applied = live::applied_changes();
        if let Some(latest) = slot
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|l| fresh(l, fresh_since, applied))
        {
            return Ok(latest.current.clone());
        }
        // A check that ended while we waited for it failed: share its answer rather than
        // queue one more read behind a database that is not answering.
        if let Some((ended, failure)) = &cache.failed
            && *ended >= arrived
        {
            return Err(match failure {
                Failure::NotFound(message) => AppError::NotFound(message.clone()),
                Failure::Other => AppError::Internal(format!("board of {key}: check failed")),
            });
        }

        let started = Instant::now();
        slot.checking.store(true, Ordering::Release);
        let _checking = Checking(&slot.checking);
        let known = cache
            .board
            .as_ref()
            .filter(|b| b.computed_at.elapsed() < BOARD_MAX_AGE)
            .map(|b| b.board.revision);
        let lookup = key.clone();
        let checked = state
            .run(move |conn, now| {
                let port = service::port_by_code(conn, &lookup)?;
                if Some(port.revision) == known {
                    return Ok((port, None));
                }
                let board = service::public::board_of(conn, &port, now)?;
                Ok((port, Some(board)))
            })
            .await;
        match checked {
            Ok((port, computed)) => {
                if let Some(board) = computed {
                    self.computations.fetch_add(1, Ordering::Relaxed);
                    cache.board = Some(Arc::new(SharedBoard::new(board)));
                }
                cache.port = Some(Arc::new(port));
                cache.checked = Some(started);
                cache.failed = None;
                match (&cache.board, &cache.port) {
                    (Some(board), Some(port)) => {
                        let current = Current {
                            board: Arc::clone(board),
                            port: Arc::clone(port),
                        };
                        *slot.latest.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some(Latest {
                                current: current.clone(),
                                checked: started,
                                applied,
                            });
                        Ok(current)
                    }
                    _ => Err(AppError::Internal(format!("board of {key}: not cached"))),
                }
            }
            Err(AppError::NotFound(message)) => {
                cache.failed = Some((Instant::now(), Failure::NotFound(message.clone())));
                drop(cache);
                self.forget(&key, &slot);
                Err(AppError::NotFound(message))
            }
            Err(e) => {
                log::warn!("board of {key}: {e:?}");
                cache.failed = Some((Instant::now(), Failure::Other));
                Err(e)
            }
        }
    }
}

/// Clears a slot's "check in flight" flag when the check ends, however it ends (a reader
/// that hangs up drops the check's future).
struct Checking<'a>(&'a AtomicBool);

impl Drop for Checking<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Whether a kept answer may serve a reader who accepts a check started at `fresh_since`
/// or later: it may, if this process applied no change to any queue since that check, and
/// the board is not past [`BOARD_MAX_AGE`].
fn fresh(latest: &Latest, fresh_since: Instant, applied: u64) -> bool {
    latest.checked >= fresh_since
        && latest.applied == applied
        && latest.current.board.computed_at.elapsed() < BOARD_MAX_AGE
}

/// One open feed's place in [`BoardHub`]'s count and its address's; freed on drop (when the
/// browser goes away and the response body is dropped).
#[derive(Debug)]
pub struct FeedPermit {
    hub: Arc<BoardHub>,
    address: Option<IpAddr>,
    /// Whether it holds a place in the process's count (not only its address's).
    counted: bool,
}

impl Drop for FeedPermit {
    fn drop(&mut self) {
        if self.counted {
            self.hub.feeds.fetch_sub(1, Ordering::AcqRel);
        }
        if let Some(address) = self.address {
            let mut per_address = self
                .hub
                .per_address
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(open) = per_address.get_mut(&address) {
                *open = open.saturating_sub(1);
                if *open == 0 {
                    per_address.remove(&address);
                }
            }
        }
    }
}
