//! The start page and the health check.

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::RunQueryDsl;

use crate::AppState;
use crate::service::ports;

use super::layout::Layout;
use super::session::SignedIn;
use super::{WebResult, see_other};

/// One port on the admin's start page.
struct PortLink {
    code: String,
    name: String,
    timezone: String,
}

#[derive(askama::Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    ports: Vec<PortLink>,
    password_changed: bool,
}

/// `GET /`: an officer's or supervisor's own queue; for admins, the ports to choose from.
pub async fn home(
    state: web::Data<AppState>,
    signed: SignedIn,
    req: HttpRequest,
) -> WebResult<HttpResponse> {
    let password_changed = req.query_string() == "changed=password";
    if let Some(port) = &signed.home_port {
        let suffix = if password_changed {
            "?changed=password"
        } else {
            ""
        };
        return Ok(see_other(&format!("/ports/{}/queue{suffix}", port.code)));
    }
    let actor = signed.actor.clone();
    let visible = state
        .run(move |conn, _| ports::visible_to(conn, &actor))
        .await?;
    Ok(super::ok(&HomePage {
        l: Layout::new(&signed, None, "home"),
        ports: visible
            .into_iter()
            .map(|p| PortLink {
                code: p.code,
                name: p.name,
                timezone: p.timezone.to_string(),
            })
            .collect(),
        password_changed,
    }))
}

/// `GET /healthz`: 200 "ok" when the database answers a trivial query, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let answered = state
        .run(|conn, _| Ok(diesel::sql_query("SELECT 1").execute(conn)?))
        .await;
    match answered {
        Ok(_) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body("ok"),
        Err(e) => {
            log::error!("health check: the database does not answer: {e}");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .insert_header(("Cache-Control", "no-store"))
                .body("the database does not answer")
        }
    }
}
