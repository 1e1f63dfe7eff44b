//! Rendered status pages kept in memory, so that a phone reloading its ticket's page (or a
//! crowd of them) costs a lookup, not a database read and a rendering each time.
//!
//! A page is kept per (status token, chosen language, paused) with what it was made from:
//! the port's revision, the projection minute, and until when the link answers at all. It is
//! served again only while all of these still hold:
//! - the same projection minute (positions and windows are projected from the minute, and a
//!   window's date follows the day);
//! - the link still answers (a closed ticket's link stops a day after it closed);
//! - the board hub's answer for the port (`super::board_hub`) is fresh by the board's own
//!   rule — its revision check started at most [`super::FEED_POLL`] ago and this process
//!   applied no change since — and carries the same revision as the page.
//!
//! So the page shows every change made through this server at once and another server's
//! within a second, exactly like the board, and all the status pages of a port together
//! cost about one revision read a second. Only pages that were found are kept: an unknown or
//! mistyped token is looked up every time, so the cache tells a prober nothing and fills
//! with nothing they choose. Keys are bounded in number and bytes; past either bound the
//! least recently served page is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};

/// The most pages kept at once.
pub const MAX_PAGES: usize = 2_048;
/// The most bytes of page bodies kept at once (a page is 6-10 KB).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// What a page is kept under: the token, the language chosen with the switch (ISO 639-3, or
/// empty for the ticket's own) and whether updates are paused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub token: String,
    pub language: &'static str,
    pub paused: bool,
}

/// A rendered status page and what it was made from.
#[derive(Debug)]
pub struct Page {
    pub body: Bytes,
    /// The ticket's port, whose revision tells whether the page is still right.
    pub port_code: String,
    pub revision: i64,
    /// The projection minute it was made for.
    pub minute: DateTime<Utc>,
    /// When the link stops answering (a closed ticket's), if ever.
    pub answers_until: Option<DateTime<Utc>>,
}

impl Page {
    /// Whether the page may still serve a request at `now` (projection minute `minute`),
    /// before the revision is compared.
    pub fn usable(&self, minute: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.minute == minute && self.answers_until.is_none_or(|until| now <= until)
    }
}

#[derive(Debug)]
struct Kept {
    page: Arc<Page>,
    /// When it was last served, in [`Pages::tick`]s.
    used: u64,
}

#[derive(Debug, Default)]
struct Pages {
    map: HashMap<Key, Kept>,
    bytes: usize,
    tick: u64,
}

/// The kept status pages of this process. Shared through `AppState::status_pages`.
#[derive(Debug, Default)]
pub struct StatusPages {
    pages: Mutex<Pages>,
}

impl StatusPages {
    /// The page kept under `key`, if any (marked as just used).
    pub fn get(&self, key: &Key) -> Option<Arc<Page>> {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        pages.tick += 1;
        let tick = pages.tick;
        let kept = pages.map.get_mut(key)?;
        kept.used = tick;
        Some(Arc::clone(&kept.page))
    }

    /// Keeps `page` under `key` (replacing the one there), dropping the least recently used
    /// pages past [`MAX_PAGES`] or [`MAX_BYTES`].
    pub fn keep(&self, key: Key, page: Page) {
        let size = page.body.len() + key.token.len();
        if size > MAX_BYTES {
            return;
        }
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        pages.tick += 1;
        let tick = pages.tick;
        if let Some(old) = pages.map.remove(&key) {
            pages.bytes -= old.page.body.len() + key.token.len();
        }
        while !pages.map.is_empty()
            && (pages.map.len() >= MAX_PAGES || pages.bytes + size > MAX_BYTES)
        {
            // A linear pass: at most MAX_PAGES entries, and only when full.
            let Some(oldest) = pages
                .map
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some(old) = pages.map.remove(&oldest) {
                pages.bytes -= old.page.body.len() + oldest.token.len();
            }
        }
        pages.bytes += size;
        pages.map.insert(
            key,
            Kept {
                page: Arc::new(page),
                used: tick,
            },
        );
    }

    /// Drops the page kept under `key` (it no longer answers).
    pub fn forget(&self, key: &Key) {
        let mut pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = pages.map.remove(key) {
            pages.bytes -= old.page.body.len() + key.token.len();
        }
    }

    /// How many pages are kept, and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        (pages.map.len(), pages.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(bytes: usize) -> Page {
        Page {
            body: Bytes::from(vec![b'x'; bytes]),
            port_code: "SYS".into(),
            revision: 1,
            minute: DateTime::<Utc>::UNIX_EPOCH,
            answers_until: None,
        }
    }

    fn key(n: usize) -> Key {
        Key {
            token: format!("{n:064x}"),
            language: "",
            paused: false,
        }
    }

    #[test]
    fn the_least_recently_served_page_goes_first_and_both_bounds_hold() {
        let pages = StatusPages::default();
        for n in 0..MAX_PAGES {
            pages.keep(key(n), page(10));
        }
        assert!(pages.get(&key(0)).is_some(), "served: now the most recent");
        pages.keep(key(MAX_PAGES), page(10));
        assert_eq!(pages.size().0, MAX_PAGES);
        assert!(pages.get(&key(0)).is_some());
        assert!(
            pages.get(&key(1)).is_none(),
            "the least recently served went"
        );
        assert!(pages.get(&key(MAX_PAGES)).is_some());

        let big = MAX_BYTES / 4;
        for n in 0..6 {
            pages.keep(key(10_000 + n), page(big));
            assert!(pages.size().1 <= MAX_BYTES);
        }
        assert!(pages.get(&key(10_005)).is_some());
        assert!(pages.get(&key(10_000)).is_none());
        pages.forget(&key(10_005));
        assert!(pages.get(&key(10_005)).is_none());
        pages.keep(key(1), page(MAX_BYTES + 1));
        assert!(
            pages.get(&key(1)).is_none(),
            "a page past the bound is not kept"
        );
    }

    #[test]
    fn a_page_serves_its_own_minute_only_and_not_past_its_link_end() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let mut p = page(1);
        assert!(p.usable(at, at));
        assert!(!p.usable(at + chrono::Duration::minutes(1), at));
        p.answers_until = Some(at);
        assert!(p.usable(at, at));
        assert!(!p.usable(at, at + chrono::Duration::seconds(1)));
    }
}
