//! The officer kiosk: server-rendered HTML over the same service functions as the JSON API.
//!
//! Where things are:
//! - who is signed in, cookies and the form token (CSRF): [`session`];
//! - errors as pages, form errors beside their fields: [`error`], [`forms`];
//! - times in the port's own time zone: [`format`];
//! - the embedded stylesheet, script and pictograms: [`assets`];
//! - one module per page group: [`account`], [`home`], [`queue`], [`walk_ins`], [`tickets`],
//!   [`check_in`], [`counters`], [`supervisor`], [`admin`];
//! - what the public sees without signing in (status page, "now serving" board): [`public`].
//!
//! Handlers stay thin: read the request, call one service function inside [`AppState::run`],
//! render. The services check roles and ports and answer with [`crate::error::AppError`].

pub mod account;
pub mod admin;
pub mod assets;
pub mod check_in;
pub mod counters;
pub mod csrf_form;
pub mod error;
pub mod format;
pub mod forms;
pub mod guard;
pub mod home;
pub mod languages;
pub mod layout;
pub mod public;
pub mod queue;
pub mod reports;
pub mod security;
pub mod session;
pub mod submissions;
pub mod supervisor;
pub mod tickets;
pub mod walk_ins;
pub mod web_error;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, HttpServer, web};

use crate::AppState;

pub use session::SignedIn;
pub use web_error::{WebError, WebResult};

/// Mounts every page, the static files and the health check. Error pages are framed with
/// the navigation of whoever is signed in ([`error::keep_navigation`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(actix_web::middleware::from_fn(error::keep_navigation))
            .configure(routes),
    );
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(forms::form_config())
        .route("/healthz", web::get().to(home::healthz))
        .route("/static/{file:.*}", web::get().to(assets::serve))
        // Public: no session (their handlers take no `SignedIn`), no personal data.
        .route("/t/{token}", web::get().to(public::status_page))
        .route("/board/{code}.json", web::get().to(public::board_json))
        .route("/board/{code}/events", web::get().to(public::board_events))
        .route("/board/{code}", web::get().to(public::board_page))
        .route("/", web::get().to(home::home))
        .route("/login", web::get().to(account::login_page))
        .route("/login", web::post().to(account::login))
        .route("/logout", web::post().to(account::logout))
        .route("/account/password", web::get().to(account::password_page))
        .route(
            "/account/password",
            web::post().to(account::change_password),
        )
        .route("/ports/{code}/queue", web::get().to(queue::queue_page))
        .route(
            "/ports/{code}/languages",
            web::get().to(languages::port_page),
        )
        .route(
            "/ports/{code}/languages",
            web::post().to(languages::set_port),
        )
        .route(
            "/ports/{code}/reports/languages",
            web::get().to(languages::report_page),
        )
        .route("/account/languages", web::get().to(languages::mine_page))
        .route("/account/languages", web::post().to(languages::set_mine))
        .route("/ports/{code}/counters", web::get().to(counters::pick))
        .route(
            "/ports/{code}/counters/{n}",
            web::get().to(counters::counter_page),
        )
        .route(
            "/ports/{code}/counters/{n}/call-next",
            web::post().to(counters::call_next),
        )
        .route(
            "/ports/{code}/counters/{n}/languages",
            web::post().to(counters::open_with_languages),
        )
        .route(
            "/ports/{code}/counters/{n}/close",
            web::post().to(counters::close_languages),
        )
        .route("/ports/{code}/walk-ins/new", web::get().to(walk_ins::form))
        .route(
            "/ports/{code}/walk-ins/new",
            web::post().to(walk_ins::register),
        )
        .route("/ports/{code}/check-in", web::get().to(check_in::form))
        .route("/ports/{code}/check-in", web::post().to(check_in::search))
        .route(
            "/ports/{code}/check-in/{confirmation}",
            web::post().to(check_in::check_in),
        )
        .route(
            "/ports/{code}/appointments/import",
            web::get().to(supervisor::import_page),
        )
        .route(
            "/ports/{code}/appointments/import",
            web::post().to(supervisor::import),
        )
        .route(
            "/ports/{code}/policy",
            web::get().to(supervisor::policy_page),
        )
        .route(
            "/ports/{code}/policy",
            web::post().to(supervisor::update_policy),
        )
        .route(
            "/ports/{code}/counter-plan",
            web::get().to(supervisor::counter_plan_page),
        )
        .route(
            "/ports/{code}/counter-plan",
            web::post().to(supervisor::update_counter_plan),
        )
        .route(
            "/ports/{code}/printer",
            web::post().to(supervisor::set_printer),
        )
        .route(
            "/ports/{code}/announce",
            web::post().to(supervisor::set_announce),
        )
        .route("/ports/{code}/sms", web::post().to(supervisor::set_sms))
        .route("/entries/{id}/ticket", web::get().to(tickets::ticket))
        .route(
            "/entries/{id}/ticket.png",
            web::get().to(tickets::ticket_png),
        )
        .route("/entries/{id}/print", web::post().to(tickets::print))
        .route("/entries/{id}/printed", web::post().to(tickets::printed))
        .route("/entries/{id}/cancel", web::post().to(tickets::cancel))
        .route("/entries/{id}/undo", web::post().to(counters::undo))
        .route(
            "/entries/{id}/interpreter",
            web::post().to(counters::interpreter),
        )
        .route("/entries/{id}/{action}", web::post().to(counters::act))
        .route("/admin/ports", web::get().to(admin::ports_page))
        .route("/admin/ports", web::post().to(admin::add_port))
        .route("/admin/accounts", web::get().to(admin::accounts_page))
        .route("/admin/accounts", web::post().to(admin::add_account))
        .route(
            "/admin/accounts/{id}/active",
            web::post().to(admin::set_active),
        )
        .route(
            "/admin/accounts/{id}/password",
            web::post().to(admin::reset_password),
        )
        .configure(reports::routes)
        .configure(security::routes)
        .default_service(web::to(error::not_found));
}

/// An HTML page with the given status and the headers every page carries.
pub fn render<T: askama::Template>(status: StatusCode, page: &T) -> HttpResponse {
    match page.render() {
        Ok(body) => html(status, body),
        Err(e) => {
            log::error!("template failed to render: {e}");
            HttpResponse::InternalServerError()
                .content_type(ContentType::plaintext())
                .body("something went wrong on our side; it has been logged")
        }
    }
}

/// A page answered with 200.
pub fn ok<T: askama::Template>(page: &T) -> HttpResponse {
    render(StatusCode::OK, page)
}

/// Wraps a rendered body with the page headers: no caching of pages that show the queue or
/// personal data, no framing, no sniffing, and scripts and styles only from this server.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ))
        .body(body)
}

/// "See other": where a form goes after it did its work, so a reload does not repeat it.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Percent-encodes a value for a query string (everything but unreserved characters and `/`).
pub fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Runs the web server until it is stopped.
pub fn serve(state: AppState, bind: &str) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || crate::app(state.clone()))
            .bind(bind)?
            .run()
            .await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_but_paths_stay_readable() {
        assert_eq!(url_encode("/ports/SYS/queue"), "/ports/SYS/queue");
        assert_eq!(url_encode("/a?b=c&d"), "/a%3Fb%3Dc%26d");
        assert_eq!(url_encode("é"), "%C3%A9");
    }
}
