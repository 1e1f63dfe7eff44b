//! The JSON API, `/api/v1` (interfaces.md, "JSON API"): a thin face over [`crate::service`].
//! Each handler parses, authenticates, calls one service function and renders JSON.
//! Errors are `{"error": {"message", "fields"}}` with the status of [`AppError::status`].

mod body;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use serde::Serialize;
use serde_json::json;

use crate::AppState;
use crate::auth::{Actor, sessions};
use crate::error::AppError;
use crate::service::queue::{EntryView, parse_counter};
use crate::service::{appointments, entries, port_for, queue, walk_ins};

/// The OpenAPI document for this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Mounts `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .app_data(web::JsonConfig::default().limit(1 << 20))
            .route("/openapi.json", web::get().to(openapi))
            .route("/ports/{code}/walk-ins", web::post().to(register_walk_in))
            .route("/ports/{code}/appointments", web::post().to(import_appointments))
            .route(
                "/ports/{code}/appointments/{confirmation}/check-in",
                web::post().to(check_in),
            )
            .route("/ports/{code}/queue", web::get().to(live_queue))
            .route("/ports/{code}/counters/{n}/call-next", web::post().to(call_next))
            .route("/entries/{id}/{action}", web::post().to(entry_action))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(ApiError(AppError::NotFound("no such API route".into())))
            })),
    );
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
        let token = req
            .headers()
            .get("Authorization")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
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

fn created<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Created().json(value)
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI)
}

async fn register_walk_in(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    code: web::Path<String>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let input = body::walk_in(&raw)?;
    let view = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            walk_ins::register(conn, &actor, port.id, &input, now)
        })
        .await?;
    Ok(created(&view))
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
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    path: web::Path<(String, String)>,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let (code, confirmation) = path.into_inner();
    let triage = body::triage(&raw)?;
    let (view, _) = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            appointments::check_in(conn, &actor, port.id, &confirmation, &triage, now)
        })
        .await?;
    Ok(created(&view))
}

#[derive(Serialize)]
struct QueueBody {
    generated_at: chrono::DateTime<chrono::Utc>,
    entries: Vec<EntryView>,
}

async fn live_queue(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let snapshot = state
        .run(move |conn, now| {
            let port = port_for(conn, &actor, &code)?;
            queue::snapshot(conn, &port, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(QueueBody {
        generated_at: snapshot.generated_at,
        entries: snapshot.waiting,
    }))
}

async fn call_next(
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
        Some(view) => HttpResponse::Ok().json(view),
        None => HttpResponse::NoContent().finish(),
    })
}

async fn entry_action(
    state: web::Data<AppState>,
    ApiActor(actor): ApiActor,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, action) = path.into_inner();
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("no entry `{id}`")))?;
    let action = entries::Action::parse(&action)?;
    let view = state
        .run(move |conn, now| entries::act(conn, &actor, id, action, None, now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
