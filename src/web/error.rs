//! Errors as pages: the right status, a plain-words message and a way back.
//!
//! Invalid form input never reaches this page: forms catch [`AppError::Invalid`] and show
//! each message beside its field. What arrives here is "sign in first" (a redirect),
//! "not yours" (403), "no such thing" (404), "not now" (409) and our own failures (500).
//!
//! The error type itself is [`super::web_error`], apart from these pages, so that the
//! extractors (the session) and the assets can answer with it without depending on the
//! layout that draws it.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::layout::Layout;
use super::session::SignedIn;
use super::web_error::WebError;
use crate::error::AppError;

#[derive(askama::Template, Clone)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    heading: &'static str,
    message: String,
    details: Vec<String>,
}

fn heading(status: u16) -> &'static str {
    match status {
        400 => "The request could not be read",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Not possible right now",
        422 => "Some fields need a look",
        503 => "Busy right now",
        _ => "Something went wrong",
    }
}

/// The error page for an action's error (also used by handlers that answer with a page).
pub fn app_error_page(e: &AppError) -> HttpResponse {
    if let AppError::Unauthorized = e {
        return super::see_other("/login");
    }
    let status = e.status();
    let (message, details) = match e {
        AppError::Internal(detail) => {
            log::error!("internal error: {detail}");
            (
                "Something went wrong on our side. It has been logged; try again, and tell a \
                 supervisor if it happens again."
                    .to_owned(),
                Vec::new(),
            )
        }
        AppError::Invalid(fields) => (
            e.message(),
            fields.iter().map(|(f, m)| format!("{f}: {m}")).collect(),
        ),
        other => (capitalise(&other.message()), Vec::new()),
    };
    let page = ErrorPage {
        l: Layout::anonymous(),
        status,
        heading: heading(status),
        message,
        details,
    };
    let mut response = render_error(page);
    if let Some(seconds) = e.retry_after() {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(u64::from(seconds)),
        );
    }
    response
}

/// Renders an error page and keeps it with the response, so that [`keep_navigation`] can
/// frame it again for whoever is signed in.
fn render_error(page: ErrorPage) -> HttpResponse {
    let mut response = super::render(
        StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &page,
    );
    response.extensions_mut().insert(page);
    response
}

/// Middleware: an error page drawn without knowing who asked (an error is rendered far from
/// its request) gets the navigation of the signed-in account, so an officer who hits a
/// refusal or a wrong address is one click from the queue. Nobody signed in: unchanged.
pub async fn keep_navigation(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let page = res.response().extensions().get::<ErrorPage>().cloned();
    let Some(mut page) = page else {
        return Ok(res.map_into_boxed_body());
    };
    if page.l.user.is_some()
        || res
            .request()
            .cookie(super::session::SESSION_COOKIE)
            .is_none()
    {
        return Ok(res.map_into_boxed_body());
    }
    let request = res.request().clone();
    let signed = <SignedIn as actix_web::FromRequest>::from_request(
        &request,
        &mut actix_web::dev::Payload::None,
    )
    .await;
    let Ok(signed) = signed else {
        return Ok(res.map_into_boxed_body());
    };
    page.l = Layout::new(&signed, None, "");
    let status = res.status();
    let mut framed = super::render(status, &page);
    // Headers the first answer carried (a login redirect's, say) stay.
    for (name, value) in res.headers() {
        if !framed.headers().contains_key(name) {
            framed.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(actix_web::dev::ServiceResponse::new(request, framed).map_into_boxed_body())
}

/// A message starting with a capital letter, as a sentence on a page.
pub fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::App(e) => {
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            WebError::SignIn { .. } | WebError::Redirect(_) => StatusCode::SEE_OTHER,
            WebError::Csrf => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            WebError::App(e) => app_error_page(e),
            WebError::SignIn { next } => {
                let location = if next.is_empty() || next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", super::url_encode(next))
                };
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish()
            }
            WebError::Redirect(to) => super::see_other(to),
            WebError::Csrf => {
                let page = ErrorPage {
                    l: Layout::anonymous(),
                    status: 403,
                    heading: "This form has expired",
                    message: "The form was sent without the security token of your session \
                              (it may have been open from before you signed in again). Nothing \
                              was changed. Go back, reload the page and try once more."
                        .into(),
                    details: Vec::new(),
                };
                render_error(page)
            }
        }
    }
}

/// Any address no route answers. A signed-in officer keeps the navigation, so a mistyped
/// address is one click from the queue.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let error = AppError::NotFound(format!("there is no page at {}", req.path()));
    let signed = <SignedIn as actix_web::FromRequest>::from_request(
        &req,
        &mut actix_web::dev::Payload::None,
    )
    .await
    .ok();
    match signed {
        Some(signed) => error_page_with(&error, Layout::new(&signed, None, "")),
        None => app_error_page(&error),
    }
}

/// The error page of `e` inside the given frame.
fn error_page_with(e: &AppError, l: Layout) -> HttpResponse {
    let status = e.status();
    render_error(ErrorPage {
        l,
        status,
        heading: heading(status),
        message: capitalise(&e.message()),
        details: Vec::new(),
    })
}
