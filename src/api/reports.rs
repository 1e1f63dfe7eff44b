//! `GET /api/v1/ports/{code}/reports/...`: the daily report, a range of days summed, and the
//! what-if replay, as JSON. Supervisors of the port and admins (403 for officers).

use actix_web::{HttpResponse, web};

use super::{ApiActor, ApiResult};
use crate::AppState;
use crate::error::AppError;
use crate::service::port_by_code;
use crate::service::reports::{self, ReportQuery, WhatIfQuery, both};

/// `GET /ports/{code}/reports/daily?date=YYYY-MM-DD`.
pub async fn daily(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    code: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let date = reports::parse_date("date", query.date.as_deref())?;
    let report = state
        .run_report(move |conn, now| {
            let port = port_by_code(conn, &code)?;
            reports::daily(conn, &reports::reader(&actor, &port)?, date, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /ports/{code}/reports/range?from=YYYY-MM-DD&to=YYYY-MM-DD` (at most 31 days).
pub async fn range(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    code: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let from = reports::parse_date("from", query.from.as_deref());
    let to = reports::parse_date("to", query.to.as_deref());
    let (from, to) = both(from, to)?;
    let report = state
        .run_report(move |conn, now| {
            let port = port_by_code(conn, &code)?;
            reports::range(conn, &reports::reader(&actor, &port)?, from, to, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /ports/{code}/reports/what-if?date=&walkin_percent=&priority_boost_minutes=&counters=&minutes_per_person=`.
pub async fn what_if(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    code: web::Path<String>,
    query: web::Query<WhatIfQuery>,
) -> ApiResult<HttpResponse> {
    let date = reports::parse_date("date", query.date.as_deref());
    let params = query.settings.parse().map_err(AppError::from);
    let (date, params) = both(date, params)?;
    let replay = state
        .run_report(move |conn, now| {
            let port = port_by_code(conn, &code)?;
            reports::what_if(conn, &reports::reader(&actor, &port)?, date, &params, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(replay))
}
