//! The one gate every request passes, before and after routing:
//!
//! - control characters (NUL included) in the path, the query string or a form / JSON
//!   body are refused before any handler or database sees them, with the same answer on
//!   both databases; newline, carriage return and tab are allowed only in note fields;
//! - every answer gets the security headers, API answers are never cached, and an error
//!   that some layer answered as plain text (a path that does not parse, a wrong method)
//!   is answered as the HTML error page, or under `/api/` as the JSON error.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;
use portqueue_core::FieldErrors;

use crate::error::AppError;

/// The largest body this gate reads to check it; larger ones are refused (413).
const MAX_CHECKED_BODY: usize = crate::api::MAX_BODY_BYTES;

/// Whether a field may hold line breaks and tabs: free-text notes and reasons.
pub fn is_note_field(name: &str) -> bool {
    name.ends_with("note") || name.ends_with("notes") || name.ends_with("reason")
}

/// Whether a character is a control character not allowed here.
fn forbidden(c: char, note: bool) -> bool {
    c.is_control() && !(note && matches!(c, '\n' | '\r' | '\t'))
}

/// Decodes `%XX` (and `+` as a space when `plus`); bad escapes stay as they are.
fn percent_decode(raw: &str, plus: bool) -> String {
    fn hex(b: u8) -> Option<u8> {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some((hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?)))
            .flatten();
        match (escaped, bytes[i]) {
            (Some((high, low)), _) => {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
            (None, b'+') if plus => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first control character in a path or query string, as a message.
pub fn check_uri(path: &str, query: &str) -> Option<String> {
    if percent_decode(path, false)
        .chars()
        .any(|c| forbidden(c, false))
    {
        return Some("the address contains a control character".into());
    }
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key, true);
        if key.chars().any(|c| forbidden(c, false))
            || percent_decode(value, true)
                .chars()
                .any(|c| forbidden(c, false))
        {
            return Some(format!(
                "the query parameter `{}` contains a control character",
                key.chars().filter(|c| !c.is_control()).collect::<String>()
            ));
        }
    }
    None
}

fn complain(errors: &mut FieldErrors, field: &str) {
    let field: String = field.chars().filter(|c| !c.is_control()).collect();
    let field = if field.is_empty() {
        "body".into()
    } else {
        field
    };
    errors.add(
        &field,
        "contains a control character (such as NUL); remove it and send again",
    );
}

/// Control characters in an `application/x-www-form-urlencoded` body.
pub fn check_form(body: &[u8]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let text = String::from_utf8_lossy(body);
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key, true);
        let note = is_note_field(&key);
        if key.chars().any(|c| forbidden(c, false))
            || percent_decode(value, true)
                .chars()
                .any(|c| forbidden(c, note))
        {
            complain(&mut errors, &key);
        }
    }
    errors
}

/// Control characters in a JSON body's keys and strings (a body that is not JSON is left
/// to the handler, which says so).
pub fn check_json(body: &[u8]) -> FieldErrors {
    fn walk(value: &serde_json::Value, field: &str, errors: &mut FieldErrors) {
        match value {
            serde_json::Value::String(s)
                if s.chars().any(|c| forbidden(c, is_note_field(field))) =>
            {
                complain(errors, field);
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, field, errors);
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    if key.chars().any(|c| forbidden(c, false)) {
                        complain(errors, key);
                    } else {
                        walk(item, key, errors);
                    }
                }
            }
            _ => {}
        }
    }
    let mut errors = FieldErrors::new();
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        walk(&value, "", &mut errors);
    }
    errors
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The error answer, as JSON under `/api/` and as the page elsewhere.
fn error_response(api: bool, error: AppError) -> HttpResponse {
    if api {
        crate::api::ApiError(error).error_response()
    } else {
        super::error::app_error_page(&error)
    }
}

/// The gate (see the module's documentation).
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let api = is_api(req.path());
    // Every route answers GET (and HEAD) or POST; TRACE and the rest are refused as such.
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::POST) {
        let mut response = error_response(
            api,
            AppError::BadRequest(format!("the method {} is not allowed here", req.method())),
        );
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
        return Ok(finish(req.into_response(response)));
    }
    if let Some(message) = check_uri(req.uri().path(), req.uri().query().unwrap_or("")) {
        let response = error_response(api, AppError::BadRequest(message));
        return Ok(finish(req.into_response(response)));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if form || json {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        let mut too_large = false;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk?;
            if body.len() + chunk.len() > MAX_CHECKED_BODY {
                too_large = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        if too_large {
            let mut response = error_response(
                api,
                AppError::BadRequest(format!(
                    "the body is too large: at most {} MiB",
                    MAX_CHECKED_BODY >> 20
                )),
            );
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(finish(req.into_response(response)));
        }
        let errors = if form {
            check_form(&body)
        } else {
            check_json(&body)
        };
        if !errors.is_empty() {
            let response = error_response(api, AppError::Invalid(errors));
            return Ok(finish(req.into_response(response)));
        }
        let body: Bytes = body.freeze();
        req.set_payload(Payload::from(body));
    }
    let response = next.call(req).await?.map_into_boxed_body();
    Ok(finish(response))
}

/// Makes an error answered as plain text (or with no body) the page or JSON error, and
/// puts the security headers on every answer.
fn finish(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let api = is_api(response.request().path());
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let shaped =
        content_type.starts_with("text/html") || content_type.starts_with("application/json");
    let mut response = if status.is_client_error() || status.is_server_error() {
        if shaped {
            response
        } else {
            let (req, old) = response.into_parts();
            let error = match status {
                StatusCode::NOT_FOUND => AppError::NotFound(if api {
                    "no such API route".into()
                } else {
                    format!("there is no page at {}", req.path())
                }),
                StatusCode::METHOD_NOT_ALLOWED => {
                    AppError::BadRequest(format!("{} is not allowed here", req.method()))
                }
                s if s.is_server_error() => {
                    AppError::Internal(format!("{s} answered without a body at {}", req.path()))
                }
                _ => AppError::BadRequest(
                    status
                        .canonical_reason()
                        .unwrap_or("the request could not be read")
                        .to_lowercase(),
                ),
            };
            let mut new = error_response(api, error);
            *new.status_mut() = status;
            for name in [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
                if let Some(value) = old.headers().get(&name) {
                    new.headers_mut().insert(name, value.clone());
                }
            }
            ServiceResponse::new(req, new)
        }
    } else {
        response
    };
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    if api || status.is_client_error() || status.is_server_error() {
        set(header::CACHE_CONTROL, "no-store");
    }
    if !content_type.starts_with("text/html") {
        set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_in_paths_queries_forms_and_json() {
        assert!(check_uri("/board/%00", "").is_some());
        assert!(check_uri("/board/S%00.json", "").is_some());
        assert!(check_uri("/board/SYS", "next=%0A").is_some());
        assert!(check_uri("/board/SYS", "q=a+b&x=%C3%A9").is_none());
        assert!(!check_form(b"username=adm%00&password=x").is_empty());
        assert!(check_form(b"barrier_note=line%0D%0Aline%09tab&name=Ana").is_empty());
        assert!(!check_form(b"name=An%0Aa").is_empty());
        assert!(!check_json(br#"{"name":"A\u0000"}"#).is_empty());
        assert!(check_json(br#"{"barrier_note":"a\nb","name":"Ana"}"#).is_empty());
        assert!(!check_json(br#"{"barriers":["a\u0007"]}"#).is_empty());
        assert!(check_json(b"not json").is_empty());
        assert_eq!(percent_decode("%E2%82%AC%zz%4", false), "€%zz%4");
    }
}
