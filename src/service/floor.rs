//! What officers plan the floor with, beside the queue's order: the language each waiting
//! entry speaks (to find interpreters) and the counters open but free now.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use portqueue_core::Status;

use crate::db::schema::{entries, entry_events};
use crate::db::{DbConnection, to_db};
use crate::error::AppResult;

/// A counter counts as open when it acted within this long.
const OPEN_MINUTES: i64 = 60;

/// Languages (ISO 639-3) of the port's waiting entries, by entry id.
pub fn waiting_languages(
    conn: &mut DbConnection,
    port_id: i64,
) -> AppResult<BTreeMap<i64, String>> {
    Ok(entries::table
        .filter(entries::port_id.eq(port_id))
        .filter(entries::status.eq(Status::Waiting.as_str()))
        .select((entries::id, entries::language))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Counters that acted in the last hour and have nobody at them now, in order.
pub fn free_counters(
    conn: &mut DbConnection,
    port_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Vec<u32>> {
    let recent: BTreeSet<i32> = entry_events::table
        .filter(entry_events::port_id.eq(port_id))
        .filter(entry_events::at.ge(to_db(now - Duration::minutes(OPEN_MINUTES))))
        .filter(entry_events::counter.is_not_null())
        .select(entry_events::counter)
        .distinct()
        .load::<Option<i32>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let busy: BTreeSet<i32> = entries::table
        .filter(entries::port_id.eq(port_id))
        .filter(entries::status.eq(Status::Called.as_str()))
        .select(entries::counter)
        .load::<Option<i32>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    Ok(recent
        .difference(&busy)
        .filter_map(|c| u32::try_from(*c).ok())
        .collect())
}
