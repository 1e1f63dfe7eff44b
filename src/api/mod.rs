//! The JSON API, `/api/v1` (docs/design/interfaces.md, "JSON API"): a thin face over [`crate::service`].
//! Each handler parses, authenticates, calls one service function and renders JSON.
//! Errors are `{"error": {"message", "fields"}}` with the status of [`AppError::status`].

mod body;
mod reports;

use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use serde::Serialize;
use serde_json::json;

use crate::AppState;
use crate::auth::{Actor, sessions};
use crate::error::AppError;
use crate::service::queue::{EntryView, parse_counter};
use crate::service::{
    appointments, counter_languages, entries, port_for, queue, tickets, walk_ins,
};

/// The OpenAPI document for this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Mounts `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            // The handlers read raw bytes (so that a wrong type is a 422 naming the field):
            // this is the limit that applies. 2 MiB holds `appointments::MAX_ROWS` rows.
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError(AppError::BadRequest(format!("the query string: {e}"))).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                ApiError(AppError::NotFound(format!("no such resource: {e}"))).into()
            }))
            .wrap(ErrorHandlers::new().default_handler_client(json_error))
            .route("/openapi.json", web::get().to(openapi))
            .route("/ports/{code}/walk-ins", web::post().to(register_walk_in))
            .route(
                "/ports/{code}/appointments",
                web::post().to(import_appointments),
            )
            .route(
                "/ports/{code}/appointments/{confirmation}/check-in",
                web::post().to(check_in),
            )
            .route("/ports/{code}/queue", web::get().to(live_queue))
            .route("/ports/{code}/reports/daily", web::get().to(reports::daily))
            .route("/ports/{code}/reports/range", web::get().to(reports::range))
            .route(
                "/ports/{code}/reports/what-if",
                web::get().to(reports::what_if),
            )
            .route(
                "/ports/{code}/counters/{n}/call-next",
                web::post().to(call_next),
            )
            .route(
                "/ports/{code}/counters/{n}/open",
                web::post().to(open_counter),
            )
            .route(
                "/ports/{code}/counters/{n}/close",
                web::post().to(close_counter),
            )
            .route("/entries/{id}/interpreter", web::post().to(interpreter))
            .route("/entries/{id}/ticket.escpos", web::get().to(ticket_escpos))
            .route("/entries/{id}/undo", web::post().to(entry_undo))
            .route("/entries/{id}/{action}", web::post().to(entry_action))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(ApiError(AppError::NotFound("no such API route".into())))
            })),
    );
}

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 2 << 20;

/// Errors raised before a handler runs (a body too large, say) come from actix as plain
/// text: answer them in the API's JSON shape too.
fn json_error<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "the body is too large: at most {} MiB",
            MAX_BODY_BYTES >> 20
        )
    } else {
        status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_lowercase()
    };
    let (req, _) = res.into_parts();
    let response = HttpResponse::build(status).json(json!({ "error": { "message": message } }));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut error = json!({ "message": self.0.message() });
        if let Some(fields) = self.0.fields() {
            error["fields"] = json!(fields);
        }
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self.0, AppError::Unauthorized) {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let Some(seconds) = self.0.retry_after() {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(json!({ "error": error }))
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The account behind `Authorization: Bearer TOKEN`; 401 without a known token.
pub struct ApiActor(pub Actor);

impl FromRequest for ApiActor {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(ApiError(AppError::Unauthorized));
            };
            state
                .run(move |conn, _| sessions::find_api_token(conn, &token))
                .await?
                .map(ApiActor)
                .ok_or(ApiError(AppError::Unauthorized))
        })
    }
}

/// The token of `Authorization: Bearer TOKEN`, if any.
fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("Authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn created<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Created().json(value)
}

/// Adds the public status link, which needs the server's address, to an entry.
fn linked(state: &AppState, req: &HttpRequest, mut view: EntryView) -> EntryView {
    view.status_url = Some(tickets::status_url(
        &state.base_url(req),
        &view.status_token,
    ));
    view
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI)
}

/// Checks the token (as [`ApiActor`] does) in the same trip to a database connection as the
/// registration: one hand-off to a blocking thread and one connection per registration,
/// the API's busiest write.
async fn register_walk_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let token = bearer(&req).ok_or(ApiError(AppError::Unauthorized))?;
    let (enabled, base_url) = (state.text_messages, state.base_url(&req));
    let view = state
        .run(move |conn, now| {
            let actor = sessions::find_api_token(conn, &token)?.ok_or(AppError::Unauthorized)?;
            let input = body::walk_in(&raw)?;
            let phone = body::phone(&raw)?;
            let port = port_for(conn, &actor, &code)?;
            let text = walk_ins::TextOptIn {
                phone: &phone,
                enabled,
                base_url: &base_url,
            };
            walk_ins::register_texting(conn, &actor, port.id, &input, Some(&text), now)
        })
        .await?;
    Ok(created(&linked(&state, &req, view)))
}

async fn import_appointments(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    code: web::Path<String>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let rows = body::appointment_rows(&raw)?;
    let summary = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            actor.require_role(crate::auth::Role::Supervisor)?;
            let rows = appointments::check_rows(&rows, appointments::Source::Json)?;
            appointments::import(conn, &actor, port.id, &rows, now)
        })
        .await?;
    Ok(created(&summary))
}

async fn check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    path: web::Path<(String, String)>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let (code, confirmation) = path.into_inner();
    let triage = body::triage(&raw)?;
    let (phone, enabled, base_url) = (
        body::phone(&raw)?,
        state.text_messages,
        state.base_url(&req),
    );
    let (view, _) = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            let text = walk_ins::TextOptIn {
                phone: &phone,
                enabled,
                base_url: &base_url,
            };
            appointments::check_in_texting(
                conn,
                &actor,
                port.id,
                &confirmation,
                &triage,
                Some(&text),
                now,
            )
        })
        .await?;
    Ok(created(&linked(&state, &req, view)))
}

#[derive(Serialize)]
struct QueueBody {
    generated_at: chrono::DateTime<chrono::Utc>,
    entries: Vec<EntryView>,
    /// The counters open with languages (language matching), and what every counter covers.
    counters: Vec<CounterBody>,
    default_languages: Vec<String>,
}

/// A counter open with the languages it covers.
#[derive(Serialize)]
struct CounterBody {
    counter: u32,
    languages: Vec<String>,
    opened_at: chrono::DateTime<chrono::Utc>,
}

impl From<counter_languages::OpenCounter> for CounterBody {
    fn from(c: counter_languages::OpenCounter) -> Self {
        CounterBody {
            counter: c.counter,
            languages: c.languages,
            opened_at: c.opened_at,
        }
    }
}

async fn live_queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (live, defaults) = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            let defaults = counter_languages::split(&port.default_languages);
            Ok((queue::officer_queue(conn, &port, now)?, defaults))
        })
        .await?;
    Ok(HttpResponse::Ok().json(QueueBody {
        counters: live.open.iter().cloned().map(CounterBody::from).collect(),
        default_languages: defaults,
        generated_at: live.snapshot.generated_at,
        entries: live
            .snapshot
            .waiting
            .iter()
            .map(|view| {
                let mut view = view.clone();
                // While it waits: what the live queue page shows.
                view.interpreter_needed = live.interpreter_needed(&view);
                linked(&state, &req, view)
            })
            .collect(),
    }))
}

async fn call_next(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, counter) = path.into_inner();
    let counter = parse_counter(&counter)?;
    let called = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            queue::call_next(conn, &actor, port.id, counter, now)
        })
        .await?;
    Ok(match called {
        Some(view) => HttpResponse::Ok().json(linked(&state, &req, view)),
        None => HttpResponse::NoContent().finish(),
    })
}

/// Opens counter `n` with the languages it covers, `{"languages": ["pan", "eng"]}` (ISO
/// 639-3); opening it again replaces them. "Call next" there then follows language matching.
async fn open_counter(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    path: web::Path<(String, String)>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let (code, counter) = path.into_inner();
    let counter = parse_counter(&counter)?;
    let languages = body::languages(&raw)?;
    let opened = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            let codes = counter_languages::parse("languages", &languages)?;
            counter_languages::open(conn, &actor, &port, counter, &codes, now)?;
            Ok(counter_languages::open_counters(conn, &port, now)?
                .into_iter()
                .find(|c| c.counter == counter))
        })
        .await?;
    let opened = opened.ok_or_else(|| AppError::Internal("the counter just opened".into()))?;
    Ok(HttpResponse::Ok().json(CounterBody::from(opened)))
}

/// Clears counter `n`'s languages: it calls in the plain fair order again.
async fn close_counter(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (code, counter) = path.into_inner();
    let counter = parse_counter(&counter)?;
    state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            counter_languages::close(conn, &actor, &port, counter, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An entry id from the path; one that is not a number is an entry that does not exist (404,
/// as for another port's entry).
fn entry_id(id: &str) -> Result<i64, AppError> {
    id.parse()
        .map_err(|_| AppError::NotFound(format!("no entry `{id}`")))
}

/// Marks that an interpreter was requested for the entry; `{"requested": false}` takes the
/// mark back.
async fn interpreter(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    id: web::Path<String>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = entry_id(&id)?;
    let requested = body::requested(&raw)?;
    let view = state
        .run(move |conn, now| entries::request_interpreter(conn, &actor, id, requested, now))
        .await?;
    Ok(HttpResponse::Ok().json(linked(&state, &req, view)))
}

async fn entry_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, action) = path.into_inner();
    let id = entry_id(&id)?;
    let action = entries::Action::parse(&action)?;
    let view = state
        .run(move |conn, now| entries::act(conn, &actor, id, action, None, now))
        .await?;
    Ok(HttpResponse::Ok().json(linked(&state, &req, view)))
}

/// Takes back the entry's latest counter action. The body may name the counter the undo
/// comes from, `{"counter": 3}`: an action taken at another counter is then refused (403).
async fn entry_undo(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    id: web::Path<String>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let id = entry_id(&id)?;
    let counter = body::undo_counter(&raw)?;
    let view = state
        .run(move |conn, now| crate::service::undo::undo(conn, &actor, id, counter, now))
        .await?;
    Ok(HttpResponse::Ok().json(linked(&state, &req, view)))
}

/// The exact bytes a thermal printer gets for this ticket (ESC/POS).
async fn ticket_escpos(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = entry_id(&id)?;
    let base = state.base_url(&req);
    let doc = state
        .run(move |conn, now| tickets::ticket_doc(conn, &actor, id, &base, now))
        .await?;
    // Drawn off the executor and without a database connection held.
    let printout = web::block(move || doc.escpos())
        .await
        .map_err(|e| AppError::Internal(format!("slip worker: {e}")))??;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .body(printout.bytes))
}
