//! Forms that change something, checked by construction: a handler that takes a
//! [`CsrfForm`] only runs for a signed-in session whose form carried that session's token.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::forms::FormData;
use super::session::SignedIn;
use super::web_error::WebError;
use crate::error::AppError;

/// A posted form (`application/x-www-form-urlencoded`) and the session that sent it, its
/// `csrf` field checked against the session's token: 403 otherwise, before the handler runs.
#[derive(Debug)]
pub struct CsrfForm(pub SignedIn, pub FormData);

impl FromRequest for CsrfForm {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed = SignedIn::from_request(req, payload);
        let form = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        Box::pin(async move {
            // Who first (a stranger is sent to the sign-in), then the form.
            let signed = signed.await?;
            let form = FormData::from(form.await.map_err(|e| {
                WebError::App(AppError::BadRequest(format!(
                    "the form could not be read: {e}"
                )))
            })?);
            signed.check_csrf(&form.get("csrf"))?;
            Ok(CsrfForm(signed, form))
        })
    }
}
