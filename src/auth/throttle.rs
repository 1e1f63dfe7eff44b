//! Sign-in throttling: failed sign-ins are counted per account and per client address, and
//! after a few free tries each further failure makes the next try wait longer (1 s, 2 s,
//! 4 s, …). The wait is checked *before* the password, so a guesser learns nothing while
//! it lasts, and the tries refused for waiting do not count.
//!
//! An account's wait never grows past [`ACCOUNT_MAX_WAIT_SECS`]: someone who does not know
//! the password can keep an account waiting for minutes at most, never lock it for good
//! (the address they guess from waits far longer). An admin can end an account's wait at
//! once. Counts are kept in the database, so every app server sees the same ones, and
//! forgotten after [`FORGET_AFTER_MINUTES`] without a failure.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::sign_in_throttle as st;
use crate::db::{DbConnection, from_db, to_db};
use crate::error::AppResult;
use crate::service::audit;

/// Failed sign-ins per account before any wait.
pub const ACCOUNT_FREE_FAILURES: i32 = 5;
/// The longest an account waits after failures: minutes, not a lock-out.
pub const ACCOUNT_MAX_WAIT_SECS: i64 = 5 * 60;
/// Failed sign-ins per client address (over all accounts) before any wait; generous,
/// because the officers of one port often share one address.
pub const ADDRESS_FREE_FAILURES: i32 = 20;
/// The longest a client address waits.
pub const ADDRESS_MAX_WAIT_SECS: i64 = 60 * 60;
/// Counts are forgotten after this long without a failure.
pub const FORGET_AFTER_MINUTES: i64 = 60;

/// A sign-in that must wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// Whole seconds left, at least 1.
    pub seconds: i64,
    /// Whether the account (rather than the address) is waiting.
    pub account: bool,
}

impl Wait {
    /// The message shown beside the password field.
    pub fn message(&self) -> String {
        let what = if self.account {
            "for this account"
        } else {
            "from this network address"
        };
        format!(
            "too many failed sign-ins {what}: wait {} and try again",
            human_wait(self.seconds)
        )
    }
}

/// "45 seconds", "3 minutes".
pub fn human_wait(seconds: i64) -> String {
    if seconds < 60 {
        format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
    } else {
        let minutes = (seconds + 59) / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    }
}

fn account_bucket(username: &str) -> String {
    format!("account:{}", super::username_key(username))
}

fn address_bucket(address: &str) -> String {
    format!("address:{address}")
}

/// The wait after `failures` failures, given the free ones and the cap.
fn wait_after(failures: i32, free: i32, max_secs: i64) -> Option<i64> {
    let over = failures - free;
    if over < 0 {
        return None;
    }
    let secs = 1_i64.checked_shl(over.min(40) as u32).unwrap_or(i64::MAX);
    Some(secs.min(max_secs))
}

fn blocked(conn: &mut DbConnection, bucket: &str, now: DateTime<Utc>) -> AppResult<Option<i64>> {
    let until: Option<Option<chrono::NaiveDateTime>> = st::table
        .filter(st::bucket.eq(bucket))
        .select(st::blocked_until)
        .get_result(conn)
        .optional()?;
    Ok(until
        .flatten()
        .map(from_db)
        .filter(|until| *until > now)
        .map(|until| ((until - now).num_milliseconds() + 999) / 1000)
        .map(|secs| secs.max(1)))
}

/// Whether a sign-in for `username` from `address` must wait first.
pub fn check(
    conn: &mut DbConnection,
    username: &str,
    address: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Wait>> {
    if let Some(seconds) = blocked(conn, &account_bucket(username), now)? {
        return Ok(Some(Wait {
            seconds,
            account: true,
        }));
    }
    Ok(
        blocked(conn, &address_bucket(address), now)?.map(|seconds| Wait {
            seconds,
            account: false,
        }),
    )
}

/// Counts one failure in `bucket`; returns the failures so far and the wait it set.
fn count_failure(
    conn: &mut DbConnection,
    bucket: &str,
    free: i32,
    max_secs: i64,
    now: DateTime<Utc>,
) -> AppResult<(i32, Option<i64>)> {
    let forget_before = to_db(now - Duration::minutes(FORGET_AFTER_MINUTES));
    let row: Option<(i32, chrono::NaiveDateTime)> = st::table
        .filter(st::bucket.eq(bucket))
        .select((st::failures, st::last_failure_at))
        .get_result(conn)
        .optional()?;
    let failures = match row {
        Some((n, last)) if last >= forget_before => n + 1,
        _ => 1,
    };
    let wait = wait_after(failures, free, max_secs);
    let blocked_until = wait.map(|secs| to_db(now + Duration::seconds(secs)));
    if row.is_some() {
        diesel::update(st::table.filter(st::bucket.eq(bucket)))
            .set((
                st::failures.eq(failures),
                st::last_failure_at.eq(to_db(now)),
                st::blocked_until.eq(blocked_until),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(st::table)
            .values((
                st::bucket.eq(bucket),
                st::failures.eq(failures),
                st::last_failure_at.eq(to_db(now)),
                st::blocked_until.eq(blocked_until),
            ))
            .execute(conn)?;
    }
    Ok((failures, wait))
}

/// Records a failed sign-in for the account and the address; a failure that starts a wait
/// is written to the audit log.
pub fn record_failure(
    conn: &mut DbConnection,
    username: &str,
    address: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let username = super::username_key(username);
    crate::service::transaction(conn, |conn| {
        // Old counts of names nobody tries any more are of no use.
        diesel::delete(
            st::table.filter(
                st::last_failure_at.lt(to_db(now - Duration::minutes(FORGET_AFTER_MINUTES))),
            ),
        )
        .execute(conn)?;
        let (failures, wait) = count_failure(
            conn,
            &account_bucket(&username),
            ACCOUNT_FREE_FAILURES,
            ACCOUNT_MAX_WAIT_SECS,
            now,
        )?;
        if let Some(secs) = wait {
            log::warn!(
                "sign-in throttled: account `{username}` after {failures} failures (last from {address}); waits {secs} s"
            );
            audit::record(
                conn,
                audit::Kind::SignInThrottled,
                None,
                None,
                Some(&username),
                &format!(
                    "account after {failures} failed sign-ins (last from {address}); waits {secs} s"
                ),
                now,
            )?;
        }
        let (failures, wait) = count_failure(
            conn,
            &address_bucket(address),
            ADDRESS_FREE_FAILURES,
            ADDRESS_MAX_WAIT_SECS,
            now,
        )?;
        if let Some(secs) = wait {
            log::warn!(
                "sign-in throttled: address {address} after {failures} failures; waits {secs} s"
            );
            audit::record(
                conn,
                audit::Kind::SignInThrottled,
                None,
                None,
                Some(&username),
                &format!("address {address} after {failures} failed sign-ins; waits {secs} s"),
                now,
            )?;
        }
        Ok(())
    })
}

/// A successful sign-in clears the account's count (not the address's: signing in to one's
/// own account must not buy more guesses at another).
pub fn record_success(conn: &mut DbConnection, username: &str) -> AppResult<()> {
    diesel::delete(st::table.filter(st::bucket.eq(account_bucket(username)))).execute(conn)?;
    Ok(())
}

/// The account's current wait, if any (for the admin's accounts page).
pub fn account_wait(
    conn: &mut DbConnection,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    blocked(conn, &account_bucket(username), now)
}

/// Ends an account's wait and forgets its failures (an admin's action, audited).
pub fn unlock(
    conn: &mut DbConnection,
    actor: &crate::auth::Actor,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    actor.require_role(crate::auth::Role::Admin)?;
    crate::service::transaction(conn, |conn| {
        let removed = diesel::delete(st::table.filter(st::bucket.eq(account_bucket(username))))
            .execute(conn)?;
        audit::record(
            conn,
            audit::Kind::SignInUnlocked,
            actor.id(),
            None,
            Some(username),
            "failed sign-ins forgotten by an admin",
            now,
        )?;
        Ok(removed > 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_tries_and_stop_at_the_cap() {
        assert_eq!(wait_after(4, 5, 300), None);
        assert_eq!(wait_after(5, 5, 300), Some(1));
        assert_eq!(wait_after(6, 5, 300), Some(2));
        assert_eq!(wait_after(10, 5, 300), Some(32));
        assert_eq!(wait_after(200, 5, 300), Some(300));
        assert_eq!(human_wait(1), "1 second");
        assert_eq!(human_wait(61), "2 minutes");
    }
}
