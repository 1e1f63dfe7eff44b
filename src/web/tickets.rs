//! The printable ticket handed to the applicant. No personal data: the ticket number, the
//! port, when it was issued, the party size and the estimated call window.
//!
//! Kept in its own handler and template (`templates/ticket.html`) so that the QR code, the
//! pictograms and the applicant's language can be added here.

use actix_web::{HttpResponse, web};
use portqueue_core::Status;

use crate::AppState;
use crate::service::{entries, queue};

use super::WebResult;
use super::format;
use super::layout::Layout;
use super::session::SignedIn;

#[derive(askama::Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    l: Layout,
    code: String,
    port_name: String,
    ticket: String,
    issued_date: String,
    issued_time: String,
    party_size: u32,
    /// The estimated call window while it waits.
    window: Option<String>,
    position: Option<u32>,
    /// What became of it, once it no longer waits.
    status: Option<String>,
}

/// `GET /entries/{id}/ticket`.
pub async fn ticket(
    state: web::Data<AppState>,
    signed: SignedIn,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let id = id.into_inner();
    let (entry, port, snapshot, now) = state
        .run(move |conn, now| {
            let (entry, port) = entries::load(conn, &actor, id)?;
            let snapshot = queue::snapshot(conn, &port, now)?;
            Ok((entry, port, snapshot, now))
        })
        .await?;
    let tz = port.tz();
    let view = snapshot.find(entry.id);
    let status = entry.status();
    Ok(super::ok(&TicketPage {
        l: Layout::new(&signed, Some(&port), "ticket"),
        code: port.code.clone(),
        port_name: port.name.clone(),
        ticket: entry.ticket.clone(),
        issued_date: format::long_date(tz, entry.arrived_at()),
        issued_time: format::clock(tz, entry.arrived_at(), entry.arrived_at()),
        party_size: entry.party_size(),
        window: view
            .and_then(|v| v.estimated_call_at)
            .map(|w| format::window(tz, &w, now)),
        position: view.and_then(|v| v.position),
        status: match status {
            Status::Waiting => None,
            Status::Called => Some(format!(
                "called to counter {}",
                entry.counter.unwrap_or_default()
            )),
            other => Some(other.label().to_owned()),
        },
    }))
}
