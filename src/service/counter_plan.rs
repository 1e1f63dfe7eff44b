//! The port's counter plan: how many counters a supervisor plans open in each port-local
//! hour of the day. The call windows use it for the hours ahead; for the hour now, the
//! counters actually open override it (`service::queue::estimate_inputs`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{lock_port, transaction};
use crate::auth::{Actor, Role};
use crate::db::DbConnection;
use crate::db::models::Port;
use crate::db::schema::counter_plans;
use crate::error::{AppError, AppResult};

/// How far ahead the plan is laid out for the estimates: past tomorrow's opening.
const PLAN_HOURS_AHEAD: i64 = 36;

/// The plan, one entry per port-local hour 0 to 23; `None` for every hour when the port has
/// no plan.
pub fn load(conn: &mut DbConnection, port_id: i64) -> AppResult<Option<[u32; 24]>> {
    let rows: Vec<(i64, i32)> = counter_plans::table
        .filter(counter_plans::port_id.eq(port_id))
        .select((counter_plans::hour, counter_plans::counters))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut plan = [0u32; 24];
    for (hour, counters) in rows {
        if let (Ok(h), Ok(c)) = (usize::try_from(hour), u32::try_from(counters))
            && h < 24
        {
            plan[h] = c;
        }
    }
    Ok(Some(plan))
}

/// Checks the 24 fields of the plan form (`hour_0` .. `hour_23`, empty meaning 0): each a
/// whole number of counters from 0 to 99, every bad one named.
pub fn parse(values: &[String; 24]) -> AppResult<[u32; 24]> {
    let mut errors = portqueue_core::validation::FieldErrors::new();
    let mut plan = [0u32; 24];
    for (hour, value) in values.iter().enumerate() {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match value.parse::<u32>() {
            Ok(n) if n <= 99 => plan[hour] = n,
            _ => errors.add(
                &format!("hour_{hour}"),
                format!("must be a whole number of counters from 0 to 99, got \"{value}\""),
            ),
        }
    }
    errors.into_result(plan).map_err(AppError::Invalid)
}

/// Replaces the port's plan, all hours at once or none (a supervisor of the port only).
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    plan: &[u32; 24],
) -> AppResult<()> {
    actor.require_role(Role::Supervisor)?;
    actor.require_port(port)?;
    transaction(conn, |conn| {
        // The port's revision moves with the plan, so every kept queue reads it again.
        lock_port(conn, port.id)?;
        diesel::delete(counter_plans::table.filter(counter_plans::port_id.eq(port.id)))
            .execute(conn)?;
        // One row at a time: batch inserts are not portable across the two backends.
        for (hour, &counters) in plan.iter().enumerate() {
            diesel::insert_into(counter_plans::table)
                .values((
                    counter_plans::port_id.eq(port.id),
                    counter_plans::hour.eq(hour as i64),
                    counter_plans::counters.eq(counters as i32),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The plan's counts from each coming port-local hour start, for the estimates; empty when
/// the port has no plan (the counters open now then stay open). `plan` is the port's kept
/// plan ([`load`], read with the port's queue in `service::live`).
pub fn plan_ahead(
    port: &Port,
    plan: Option<&[u32; 24]>,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, u32)> {
    let Some(plan) = plan else {
        return Vec::new();
    };
    super::queue::local_hours(port, now, PLAN_HOURS_AHEAD)
        .into_iter()
        .map(|(at, hour)| (at, plan[hour as usize % 24]))
        .collect()
}
