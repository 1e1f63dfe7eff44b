//! Requests to the JSON API through the real app, with a bearer token.

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::Value;

use super::TestApp;

/// Sends one request and returns the status and the body as text.
pub async fn call_raw(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let service = test::init_service(portqueue::app(app.state.clone())).await;
    let mut req = match method {
        "GET" => test::TestRequest::get(),
        _ => test::TestRequest::post(),
    }
    .uri(path);
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    if let Some(body) = body {
        req = req
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_string());
    }
    let resp = test::call_service(&service, req.to_request()).await;
    let status = resp.status();
    let bytes = test::read_body(resp).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Sends one request and returns the status and the JSON body (`Null` when empty, the text
/// as a JSON string when it is not JSON).
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, text) = call_raw(app, method, path, token, body).await;
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}
