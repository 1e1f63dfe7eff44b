//! The officer kiosk and the public pages: server-rendered HTML.

use actix_web::{App, HttpServer, web};

use crate::AppState;

pub fn configure(_cfg: &mut web::ServiceConfig) {}

/// Runs the web server until it is stopped.
pub fn serve(state: AppState, bind: &str) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .configure(crate::configure)
        })
        .bind(bind)?
        .run()
        .await
    })
}
