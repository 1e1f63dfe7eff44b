//! Forms that create something act once: each rendered form carries a random submission
//! key, and a second post of the same key (an Enter pressed twice in a hurry, a reload of
//! the answer) lands on what the first one made instead of making it again.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a key is remembered: far longer than any double press or reload.
const KEEP: Duration = Duration::from_secs(30 * 60);
/// Keys remembered at most; the oldest go first.
const MAX_KEYS: usize = 20_000;
/// How long a repeat waits for the first post of its key to finish.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The first post is still being worked on.
    Pending,
    /// The first post made this (an entry id).
    Made(i64),
}

/// What to do with a post of a submission key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The first post of this key: go ahead, then [`Submissions::made`] or
    /// [`Submissions::failed`].
    First,
    /// Already made: show this instead of making it again.
    Made(i64),
}

/// The submission keys of this process's recent posts.
#[derive(Debug, Default)]
pub struct Submissions {
    keys: Mutex<HashMap<String, (Outcome, Instant)>>,
}

/// A fresh key for a rendered form.
pub fn new_key() -> String {
    use rand::Rng;
    hex::encode(rand::rng().random::<[u8; 16]>())
}

impl Submissions {
    /// Claims `key` for a post. A repeat of a post still in progress waits for it (a few
    /// seconds at most, then it is treated as failed and the repeat goes ahead).
    pub async fn claim(&self, key: &str) -> Claim {
        if key.is_empty() || key.len() > 64 {
            return Claim::First;
        }
        let deadline = Instant::now() + WAIT_FOR_FIRST;
        loop {
            {
                let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                match keys.get(key) {
                    Some((Outcome::Made(id), at)) if now - *at < KEEP => return Claim::Made(*id),
                    Some((Outcome::Pending, _)) if now < deadline => {}
                    _ => {
                        if keys.len() >= MAX_KEYS {
                            keys.retain(|_, (_, at)| now - *at < KEEP);
                            if keys.len() >= MAX_KEYS
                                && let Some(oldest) = keys
                                    .iter()
                                    .min_by_key(|(_, (_, at))| *at)
                                    .map(|(k, _)| k.clone())
                            {
                                keys.remove(&oldest);
                            }
                        }
                        keys.insert(key.to_owned(), (Outcome::Pending, now));
                        return Claim::First;
                    }
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The first post of `key` made `id`.
    pub fn made(&self, key: &str, id: i64) {
        if key.is_empty() || key.len() > 64 {
            return;
        }
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        keys.insert(key.to_owned(), (Outcome::Made(id), Instant::now()));
    }

    /// The first post of `key` made nothing (refused input): the corrected form may go.
    pub fn failed(&self, key: &str) {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        keys.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_key_makes_once_and_a_failed_one_may_go_again() {
        let s = Submissions::default();
        assert_eq!(s.claim("k1").await, Claim::First);
        s.made("k1", 42);
        assert_eq!(s.claim("k1").await, Claim::Made(42));
        assert_eq!(s.claim("k2").await, Claim::First);
        s.failed("k2");
        assert_eq!(s.claim("k2").await, Claim::First);
        // No key: nothing to remember.
        assert_eq!(s.claim("").await, Claim::First);
        assert_eq!(s.claim("").await, Claim::First);
    }
}
