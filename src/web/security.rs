//! Pages for data protection and sign-in safety: a port's personal-data access log for its
//! supervisors, and the admin's page of sign-in waits (with unlock), purges and retention.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Role, throttle};
use crate::db::schema::{ports, sign_in_throttle};
use crate::error::AppError;
use crate::service::{audit, port_for, retention};

use super::csrf_form::CsrfForm;
use super::layout::Layout;
use super::session::SignedIn;
use super::{WebResult, render, see_other};

/// Mounts the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/ports/{code}/access-log", web::get().to(access_log_page))
        .route("/admin/security", web::get().to(admin_page))
        .route("/admin/security/unlock", web::post().to(unlock))
        .route("/admin/security/retention", web::post().to(set_retention));
}

#[derive(Debug, Default, Deserialize)]
pub struct AccessQuery {
    #[serde(default)]
    officer: String,
    #[serde(default)]
    day: String,
}

struct AccessRow {
    at: String,
    officer: String,
    action: String,
    ticket: String,
}

#[derive(askama::Template)]
#[template(path = "access_log.html")]
struct AccessLogPage {
    l: Layout,
    code: String,
    officer: String,
    day: String,
    day_error: Option<String>,
    rows: Vec<AccessRow>,
    limit: i64,
}

/// `GET /ports/{code}/access-log?officer=&day=`: who saw whose personal data, newest first.
pub async fn access_log_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<AccessQuery>,
) -> WebResult<HttpResponse> {
    let query = query.into_inner();
    let day = query.day.trim().to_owned();
    let parsed_day = if day.is_empty() {
        Ok(None)
    } else {
        NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("`{day}` is not a date: use YYYY-MM-DD"))
    };
    let filter = audit::AccessFilter {
        officer: Some(query.officer.trim().to_owned()).filter(|o| !o.is_empty()),
        day: parsed_day.clone().ok().flatten(),
    };
    let actor = signed.actor.clone();
    let (port, lines) = state
        .run(move |conn, _| {
            let port = port_for(conn, &actor, &code)?;
            actor.require_role(Role::Supervisor)?;
            let lines = audit::access_log_for(conn, &actor, &port, &filter)?;
            Ok((port, lines))
        })
        .await?;
    let day_error = parsed_day.err();
    let rows = if day_error.is_some() {
        Vec::new()
    } else {
        lines
            .into_iter()
            .map(|line| AccessRow {
                at: line
                    .at
                    .with_timezone(&port.tz())
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                officer: line.officer,
                action: line.action,
                ticket: line.ticket.unwrap_or_default(),
            })
            .collect()
    };
    let status = if day_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &AccessLogPage {
            l: Layout::new(&signed, Some(&port), "access_log"),
            code: port.code.clone(),
            officer: query.officer,
            day,
            day_error,
            rows,
            limit: audit::ACCESS_PAGE_LIMIT,
        },
    ))
}

struct WaitRow {
    subject: String,
    failures: i32,
    wait: String,
}

struct PortRetention {
    code: String,
    days: i32,
}

struct EventRow {
    at: String,
    kind: String,
    subject: String,
    detail: String,
}

#[derive(askama::Template)]
#[template(path = "admin_security.html")]
struct AdminSecurityPage {
    l: Layout,
    waits: Vec<WaitRow>,
    ports: Vec<PortRetention>,
    events: Vec<EventRow>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    done: String,
}

async fn admin_view(
    state: &AppState,
    signed: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> WebResult<HttpResponse> {
    use diesel::prelude::*;
    signed.actor.require_role(Role::Admin)?;
    let (waits, ports, events) = state
        .run(|conn, now| {
            let rows: Vec<(String, i32, Option<chrono::NaiveDateTime>)> = sign_in_throttle::table
                .order(sign_in_throttle::bucket.asc())
                .select((
                    sign_in_throttle::bucket,
                    sign_in_throttle::failures,
                    sign_in_throttle::blocked_until,
                ))
                .load(conn)?;
            let waits = rows
                .into_iter()
                .map(|(bucket, failures, until)| {
                    let left = until
                        .map(crate::db::from_db)
                        .filter(|u| *u > now)
                        .map(|u| throttle::human_wait((u - now).num_seconds().max(1)));
                    WaitRow {
                        subject: bucket,
                        failures,
                        wait: left.unwrap_or_else(|| "none".into()),
                    }
                })
                .collect();
            let ports: Vec<(String, i32)> = ports::table
                .order(ports::code.asc())
                .select((ports::code, ports::retention_days))
                .load(conn)?;
            let mut events = audit::recent(conn, audit::Kind::SignInThrottled, 50)?;
            events.extend(audit::recent(conn, audit::Kind::SignInUnlocked, 50)?);
            events.extend(audit::recent(conn, audit::Kind::Purge, 50)?);
            events.sort_by_key(|e| std::cmp::Reverse(e.id));
            Ok((waits, ports, events))
        })
        .await?;
    Ok(render(
        status,
        &AdminSecurityPage {
            l: Layout::new(signed, None, "admin_security"),
            waits,
            ports: ports
                .into_iter()
                .map(|(code, days)| PortRetention { code, days })
                .collect(),
            events: events
                .into_iter()
                .map(|e| EventRow {
                    at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    kind: e.kind,
                    subject: e.subject.unwrap_or_default(),
                    detail: e.detail,
                })
                .collect(),
            notice,
            error,
        },
    ))
}

/// `GET /admin/security`.
pub async fn admin_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    query: web::Query<NoticeQuery>,
) -> WebResult<HttpResponse> {
    let notice = match query.done.as_str() {
        "unlocked" => Some("The account may sign in again at once.".to_owned()),
        "retention" => Some("The retention was saved; the next purge follows it.".to_owned()),
        _ => None,
    };
    admin_view(&state, &signed, notice, None, StatusCode::OK).await
}

/// `POST /admin/security/unlock`: ends an account's sign-in wait.
pub async fn unlock(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
) -> WebResult<HttpResponse> {
    let username = form.get("username");
    let actor = signed.actor.clone();
    state
        .run(move |conn, now| throttle::unlock(conn, &actor, &username, now))
        .await?;
    Ok(see_other("/admin/security?done=unlocked"))
}

/// `POST /admin/security/retention`: a port's retention days.
pub async fn set_retention(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let (code, days) = (form.get("port"), form.get("retention_days"));
    let done = state
        .run(move |conn, _| {
            let port = port_for(conn, &actor, &code)?;
            Ok(retention::parse_days(&days)
                .and_then(|days| retention::set_days(conn, &actor, port.id, days)))
        })
        .await?;
    match done {
        Ok(()) => Ok(see_other("/admin/security?done=retention")),
        Err(AppError::Invalid(fields)) => {
            let message = fields
                .iter()
                .map(|(_, m)| m.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            admin_view(
                &state,
                &signed,
                None,
                Some(format!("Retention days: {message}")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
