//! The report routes' handlers: the page, the downloads, the what-if.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use portqueue_core::reports::{self as core_reports, DailyReport, RangeReport};

use crate::AppState;
use crate::db::models::Port;
use crate::error::{AppError, AppResult};
use crate::service::port_by_code;
use crate::service::reports::{self, ReportQuery, Wanted, WhatIfQuery, both};

use super::super::WebResult;
use super::super::layout::Layout;
use super::super::session::SignedIn;
use super::ReportPage;
use super::table::{Link, ReportView};
use super::views::{day_view, range_view};
use super::what_if::{WhatIfForm, what_if_errors, what_if_view};

/// A report and its port, computed for the signed-in supervisor.
enum Computed {
    Day(Box<DailyReport>),
    Range(Box<RangeReport>, NaiveDate, NaiveDate),
}

/// The port (once the reader may read it) and the report asked for, or why the dates asked
/// for cannot be reported.
async fn compute(
    state: &AppState,
    signed: &SignedIn,
    code: String,
    query: ReportQuery,
) -> WebResult<(Port, AppResult<Computed>)> {
    let actor = signed.actor.clone();
    Ok(state
        .run_report(move |conn, now| {
            let port = port_by_code(conn, &code)?;
            let reader = reports::reader(&actor, &port)?;
            let computed =
                query
                    .wanted(reports::today(&port, now))
                    .and_then(|wanted| match wanted {
                        Wanted::Day(date) => Ok(Computed::Day(Box::new(reports::daily(
                            conn, &reader, date, now,
                        )?))),
                        Wanted::Range(from, to) => Ok(Computed::Range(
                            Box::new(reports::range(conn, &reader, from, to, now)?),
                            from,
                            to,
                        )),
                    });
            Ok((port, computed))
        })
        .await?)
}

/// The pickers again, each problem beside its field and what was typed kept, nothing
/// computed: asking for 40 days or a day not yet begun is a slip to correct, not a dead end.
fn dates_to_correct(
    port: &Port,
    asked: ReportQuery,
    fields: &portqueue_core::validation::FieldErrors,
) -> ReportView {
    ReportView {
        standalone: false,
        code: port.code.clone(),
        heading: "Reports: check the dates".into(),
        subheading: format!("Port {} ({}).", port.code, port.name),
        date: asked.date.unwrap_or_default(),
        from: asked.from.unwrap_or_default(),
        to: asked.to.unwrap_or_default(),
        nav: vec![Link {
            href: format!("/ports/{}/reports", port.code),
            label: "Today's report".into(),
        }],
        downloads: Vec::new(),
        sections: Vec::new(),
        what_if: None,
        form_first: false,
        picker_errors: fields
            .iter()
            .map(|(field, message)| (field.to_string(), message.to_string()))
            .collect(),
    }
}

/// `GET /ports/{code}/reports[?date=YYYY-MM-DD | ?from=&to=]`.
pub async fn page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> WebResult<HttpResponse> {
    let asked = query.into_inner();
    let (port, computed) = compute(&state, &signed, code.into_inner(), asked.clone()).await?;
    let computed = match computed {
        Ok(computed) => computed,
        Err(AppError::Invalid(fields)) => {
            return Ok(crate::web::render(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &ReportPage {
                    l: Layout::new(&signed, Some(&port), "reports"),
                    v: dates_to_correct(&port, asked, &fields),
                    texts: None,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let v = match &computed {
        Computed::Day(report) => day_view(report, false),
        Computed::Range(report, from, to) => range_view(report, *from, *to),
    };
    let texts = match &computed {
        Computed::Day(report) => {
            let (port_id, tz, date) = (port.id, port.tz(), report.date);
            let figures = state
                .run(move |conn, _| {
                    let (start, end) = portqueue_core::reports::day_bounds(date, tz);
                    crate::service::sms::day_figures(conn, port_id, start, end)
                })
                .await?;
            (state.text_messages || figures.queued > 0).then_some(figures)
        }
        Computed::Range(..) => None,
    };
    Ok(crate::web::ok(&ReportPage {
        l: Layout::new(&signed, Some(&port), "reports"),
        v,
        texts,
    }))
}

fn download(body: String, content_type: &str, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

fn file_name(port: &Port, computed: &Computed, extension: &str) -> String {
    // Port codes are letters, digits and dashes: safe in a header.
    match computed {
        Computed::Day(r) => format!("portqueue-{}-{}.{extension}", port.code, r.date),
        Computed::Range(_, from, to) => {
            format!("portqueue-{}-{from}-to-{to}.{extension}", port.code)
        }
    }
}

/// `GET /ports/{code}/reports.csv?date=` and `reports.json` (or `?from=&to=`): the report as
/// a download. The JSON is the API's, for someone signed in to the pages (the API itself
/// wants a token); the CSV shows the same figures.
pub async fn download_report(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<(String, String)>,
    query: web::Query<ReportQuery>,
) -> WebResult<HttpResponse> {
    let (code, extension) = path.into_inner();
    let content_type = match extension.as_str() {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        _ => return Err(AppError::NotFound("reports come as .csv or .json".into()).into()),
    };
    let (port, computed) = compute(&state, &signed, code, query.into_inner()).await?;
    let computed = computed?;
    let body = match (&computed, content_type) {
        (Computed::Day(r), "application/json") => serde_json::to_string(r.as_ref()),
        (Computed::Range(r, _, _), "application/json") => serde_json::to_string(r.as_ref()),
        (Computed::Day(r), _) => Ok(core_reports::to_csv(r.as_ref())),
        (Computed::Range(r, _, _), _) => Ok(core_reports::to_csv(r.as_ref())),
    }
    .map_err(|e| AppError::Internal(format!("report JSON: {e}")))?;
    Ok(download(
        body,
        content_type,
        &file_name(&port, &computed, &extension),
    ))
}

/// `GET /ports/{code}/reports/what-if?date=&walkin_percent=&priority_boost_minutes=&counters=
/// &minutes_per_person=`: a read-only computation, so a GET form (linkable, no token needed).
pub async fn what_if(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<WhatIfQuery>,
) -> WebResult<HttpResponse> {
    let query = query.into_inner();
    let actor = signed.actor.clone();
    let code = code.into_inner();
    let form = WhatIfForm {
        date: query.date.clone().unwrap_or_default(),
        walkin_percent: query.settings.walkin_percent.clone(),
        priority_boost_minutes: query.settings.priority_boost_minutes.clone(),
        counters: query.settings.counters.clone(),
        minutes_per_person: query.settings.minutes_per_person.clone(),
        errors: Vec::new(),
    };
    let (port, replay) = state
        .run_report(move |conn, now| {
            let port = port_by_code(conn, &code)?;
            let reader = reports::reader(&actor, &port)?;
            let replay = both(
                reports::parse_date("date", query.date.as_deref()),
                query.settings.parse().map_err(AppError::from),
            )
            .and_then(|(date, params)| reports::what_if(conn, &reader, date, &params, now));
            Ok((port, replay))
        })
        .await?;
    let layout = Layout::new(&signed, Some(&port), "reports");
    match replay {
        Ok(w) => Ok(crate::web::ok(&ReportPage {
            l: layout,
            v: what_if_view(&w, form),
            texts: None,
        })),
        Err(AppError::Invalid(fields)) => {
            // The form again, each problem named, nothing computed.
            let form = WhatIfForm {
                errors: what_if_errors(&fields),
                ..form
            };
            let v = ReportView {
                standalone: false,
                code: port.code.clone(),
                heading: "What if: check the settings".into(),
                subheading: format!("Port {} ({}).", port.code, port.name),
                date: form.date.clone(),
                from: String::new(),
                to: String::new(),
                nav: vec![Link {
                    href: format!("/ports/{}/reports", port.code),
                    label: "Back to the reports".into(),
                }],
                downloads: Vec::new(),
                sections: Vec::new(),
                what_if: Some(form),
                form_first: true,
                picker_errors: Vec::new(),
            };
            Ok(crate::web::render(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &ReportPage {
                    l: layout,
                    v,
                    texts: None,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}
