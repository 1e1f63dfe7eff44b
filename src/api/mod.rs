//! The JSON API, `/api/v1` (interfaces.md).

pub fn configure(_cfg: &mut actix_web::web::ServiceConfig) {}
