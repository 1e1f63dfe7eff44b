//! Ports of entry and their queue policy.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Serialize;

use portqueue_core::tickets::Paper;
use portqueue_core::{FieldErrors, Policy};

use super::{lock_port, optional_text, transaction};
use crate::auth::{Actor, Role};
use crate::db::models::Port;
use crate::db::schema::{policy_changes, ports, users};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};

/// What a new port needs.
#[derive(Debug, Clone, Default)]
pub struct NewPort {
    pub code: String,
    pub name: String,
    pub timezone: String,
}

/// Checks a port code: 2 to 12 capital letters, digits or dashes (`SYS`, `ELP-PDN`).
pub fn check_code(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if (2..=12).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        Ok(code)
    } else {
        Err("use 2 to 12 letters, digits or dashes, like SYS or ELP-PDN".into())
    }
}

/// Checks an IANA time zone name.
pub fn check_timezone(tz: &str) -> Result<Tz, String> {
    tz.trim().parse::<Tz>().map_err(|_| {
        format!(
            "`{}` is not an IANA time zone name; use one like America/Tijuana or America/Denver",
            tz.trim()
        )
    })
}

/// Creates a port with the default policy. Admins only (the command line acts as admin).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewPort,
    now: DateTime<Utc>,
) -> AppResult<Port> {
    actor.require_role(Role::Admin)?;
    let mut errors = FieldErrors::new();
    let code = check_code(&new.code)
        .map_err(|e| errors.add("code", e))
        .ok();
    let name = optional_text(&mut errors, "name", &new.name, 120);
    if name.is_none() && errors.get("name").is_none() {
        errors.add("name", "give the port a name people recognise");
    }
    let tz = check_timezone(&new.timezone)
        .map_err(|e| errors.add("timezone", e))
        .ok();
    let (Some(code), Some(name), Some(tz), true) = (code, name, tz, errors.is_empty()) else {
        return Err(errors.into());
    };
    transaction(conn, |conn| {
        let taken: i64 = ports::table
            .filter(ports::code.eq(&code))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AppError::invalid(
                "code",
                format!("port {code} already exists"),
            ));
        }
        let policy = Policy::default();
        diesel::insert_into(ports::table)
            .values((
                ports::code.eq(&code),
                ports::name.eq(&name),
                ports::timezone.eq(tz.name()),
                ports::walkin_share.eq(policy.walkin_share),
                ports::created_at.eq(to_db(now)),
                ports::instance.eq(crate::auth::random_secret()),
            ))
            .execute(conn)?;
        super::port_by_code(conn, &code)
    })
}

/// Every port, by code.
pub fn list(conn: &mut DbConnection) -> AppResult<Vec<Port>> {
    Ok(ports::table
        .order(ports::code.asc())
        .select(Port::as_select())
        .load(conn)?)
}

/// The ports an actor may see: all for admins, their own otherwise.
pub fn visible_to(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<Port>> {
    Ok(list(conn)?
        .into_iter()
        .filter(|p| actor.can_act_at(p))
        .collect())
}

/// Policy form values as typed, so a form can show them back beside their errors.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PolicyInput {
    pub walkin_share: String,
    pub priority_boost_minutes: String,
    pub early_window_minutes: String,
    pub late_window_minutes: String,
    pub max_recalls: String,
    pub minutes_per_person: String,
}

impl PolicyInput {
    /// The form as it shows a stored policy; the share is shown as a percentage.
    pub fn from_policy(p: &Policy) -> Self {
        Self {
            walkin_share: format!("{}", (p.walkin_share * 1000.0).round() / 10.0),
            priority_boost_minutes: p.priority_boost_minutes.to_string(),
            early_window_minutes: p.early_window_minutes.to_string(),
            late_window_minutes: p.late_window_minutes.to_string(),
            max_recalls: p.max_recalls.to_string(),
            minutes_per_person: p.minutes_per_person.to_string(),
        }
    }

    /// Parses the form. The walk-in share is typed as a percentage (30 for 30%).
    pub fn parse(&self) -> Result<Policy, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut whole = |field: &str, value: &str| -> u32 {
            value.trim().parse::<u32>().unwrap_or_else(|_| {
                errors.add(
                    field,
                    format!("must be a whole number, got \"{}\"", value.trim()),
                );
                0
            })
        };
        let priority_boost_minutes = whole("priority_boost_minutes", &self.priority_boost_minutes);
        let early_window_minutes = whole("early_window_minutes", &self.early_window_minutes);
        let late_window_minutes = whole("late_window_minutes", &self.late_window_minutes);
        let max_recalls = whole("max_recalls", &self.max_recalls);
        let minutes_per_person = whole("minutes_per_person", &self.minutes_per_person);
        let walkin_share = portqueue_core::model::walkin_share_from_percent(&self.walkin_share)
            .unwrap_or_else(|message| {
                errors.add("walkin_share", message);
                0.3
            });
        let policy = Policy {
            walkin_share,
            priority_boost_minutes,
            early_window_minutes,
            late_window_minutes,
            max_recalls,
            minutes_per_person,
        };
        if let Err(more) = policy.validate() {
            for (field, message) in more.iter() {
                errors.add(field, message);
            }
        }
        errors.into_result(policy)
    }
}

/// Changes a port's policy. Supervisors of the port and admins; the change is kept with who
/// and when, beside the old and new values.
pub fn update_policy(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    policy: &Policy,
    now: DateTime<Utc>,
) -> AppResult<Port> {
    actor.require_role(Role::Supervisor)?;
    policy.validate()?;
    transaction(conn, |conn| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        let before = port.policy();
        if before == *policy {
            return Ok(port);
        }
        let minutes = |m: u32| i32::try_from(m).unwrap_or(i32::MAX);
        diesel::update(ports::table.find(port.id))
            .set((
                ports::walkin_share.eq(policy.walkin_share),
                ports::priority_boost_minutes.eq(minutes(policy.priority_boost_minutes)),
                ports::early_window_minutes.eq(minutes(policy.early_window_minutes)),
                ports::late_window_minutes.eq(minutes(policy.late_window_minutes)),
                ports::max_recalls.eq(minutes(policy.max_recalls)),
                ports::minutes_per_person.eq(minutes(policy.minutes_per_person)),
            ))
            .execute(conn)?;
        let to_json = |p: &Policy| serde_json::to_string(p).unwrap_or_default();
        diesel::insert_into(policy_changes::table)
            .values((
                policy_changes::port_id.eq(port.id),
                policy_changes::changed_by.eq(actor.id()),
                policy_changes::changed_at.eq(to_db(now)),
                policy_changes::before_policy.eq(to_json(&before)),
                policy_changes::after_policy.eq(to_json(policy)),
            ))
            .execute(conn)?;
        super::report_days::forget_from(conn, port.id, now)?;
        Ok(ports::table
            .find(port.id)
            .select(Port::as_select())
            .get_result(conn)?)
    })
}

/// One kept policy change.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyChange {
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
    pub before: Policy,
    pub after: Policy,
}

/// A port's policy history, newest first.
pub fn policy_history(conn: &mut DbConnection, port_id: i64) -> AppResult<Vec<PolicyChange>> {
    let rows: Vec<(chrono::NaiveDateTime, Option<String>, String, String)> = policy_changes::table
        .left_join(users::table.on(users::id.nullable().eq(policy_changes::changed_by)))
        .filter(policy_changes::port_id.eq(port_id))
        .order(policy_changes::id.desc())
        .select((
            policy_changes::changed_at,
            users::username.nullable(),
            policy_changes::before_policy,
            policy_changes::after_policy,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, by, before, after)| PolicyChange {
            changed_at: from_db(at),
            changed_by: by.unwrap_or_else(|| "system".into()),
            before: serde_json::from_str(&before).unwrap_or_default(),
            after: serde_json::from_str(&after).unwrap_or_default(),
        })
        .collect())
}

/// Checks a paper width typed in a form: 80 or 58 (millimetres).
pub fn check_paper(mm: &str) -> Result<Paper, String> {
    Paper::parse(mm).ok_or_else(|| match mm.trim() {
        "" => "choose 80 mm or 58 mm paper, the roll the printer takes".to_owned(),
        other => {
            format!("choose 80 mm or 58 mm paper, the roll the printer takes; got \"{other}\"")
        }
    })
}

/// The ports network printers take raw (ESC/POS) print jobs on.
pub const RAW_PRINT_PORTS: std::ops::RangeInclusive<u16> = 9100..=9109;

/// The longest host name a printer address may have (the DNS limit).
pub const MAX_HOST_LEN: usize = 253;

/// Sets or clears the port's network ticket printer (`host:port`, usually port 9100), and
/// the paper roll it takes (`"80"` or `"58"` millimetres), which the printed ticket's layout
/// follows.
pub fn set_printer(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    addr: &str,
    paper_mm: &str,
) -> AppResult<()> {
    actor.require_role(Role::Supervisor)?;
    let mut errors = FieldErrors::new();
    let addr = addr.trim();
    let host_len = addr.rsplit_once(':').map_or(addr.len(), |(h, _)| h.len());
    if host_len > MAX_HOST_LEN || addr.chars().any(char::is_control) {
        // The longest host name DNS allows; longer is a paste gone wrong.
        errors.add(
            "printer_addr",
            format!("the host name may have at most {MAX_HOST_LEN} characters, without control characters"),
        );
    } else if !addr.is_empty()
        && !addr
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
    {
        errors.add(
            "printer_addr",
            "use host:port, like 10.20.0.15:9100, or leave empty for none",
        );
    } else if !addr.is_empty()
        && !addr
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok())
            .is_some_and(|p| RAW_PRINT_PORTS.contains(&p))
    {
        // The server connects wherever this says: only raw printing ports, so that a
        // typo (or a mischief) cannot point it at a database or a web service.
        errors.add(
            "printer_addr",
            "ticket printers listen for raw printing on port 9100 (up to 9109): use host:9100",
        );
    }
    let paper = check_paper(paper_mm)
        .map_err(|e| errors.add("printer_paper_mm", e))
        .ok();
    let (Some(paper), true) = (paper, errors.is_empty()) else {
        return Err(errors.into());
    };
    let paper_mm = i32::try_from(paper.mm()).unwrap_or(80);
    transaction(conn, |conn| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        diesel::update(ports::table.find(port.id))
            .set((
                ports::printer_addr.eq((!addr.is_empty()).then_some(addr)),
                ports::printer_paper_mm.eq(paper_mm),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Turns on or off announcing each call on the port's board in the called ticket's language
/// (then in the board's own languages). Supervisors of the port only.
pub fn set_announce_ticket_language(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    on: bool,
) -> AppResult<()> {
    actor.require_role(Role::Supervisor)?;
    transaction(conn, |conn| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        diesel::update(ports::table.find(port.id))
            // `lock_port` moved the revision: boards pick the change up like any other.
            .set(ports::announce_ticket_language.eq(on))
            .execute(conn)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_form_reads_share_as_percent_and_names_bad_fields() {
        let mut input = PolicyInput::from_policy(&Policy::default());
        assert_eq!(input.walkin_share, "30");
        assert_eq!(input.parse().unwrap(), Policy::default());
        input.walkin_share = "100".into();
        input.max_recalls = "two".into();
        let errors = input.parse().unwrap_err();
        assert!(
            errors
                .get("walkin_share")
                .unwrap()
                .contains("less than 100")
        );
        assert!(errors.get("max_recalls").unwrap().contains("\"two\""));
    }

    #[test]
    fn paper_is_80_or_58_mm_and_anything_else_is_named() {
        assert_eq!(check_paper("58").unwrap(), Paper::Mm58);
        assert_eq!(check_paper(" 80 ").unwrap(), Paper::Mm80);
        assert!(check_paper("76").unwrap_err().contains("\"76\""));
        assert!(check_paper("").unwrap_err().contains("80 mm or 58 mm"));
    }

    #[test]
    fn codes_and_time_zones_are_checked() {
        assert_eq!(check_code(" sys ").unwrap(), "SYS");
        assert!(check_code("S").is_err());
        assert!(check_code("SAN YSIDRO").is_err());
        assert!(check_timezone("America/Tijuana").is_ok());
        assert!(check_timezone("Pacific Time").is_err());
    }
}
