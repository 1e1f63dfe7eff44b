//! The queue ticket an applicant holds: its words in their language (with Spanish and
//! English), the QR code to its status page, the bytes for a thermal printer, and the
//! record of every print.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use portqueue_core::Status;
use portqueue_core::events::EventKind;
use portqueue_core::languages::{self, Language};
use std::time::Duration;

use crate::printer::{self, PrintError};
use portqueue_core::tickets::{
    Catalog, Paper, PrintTicket, Printout, TicketFacts, TicketNumber, TicketTexts, encode, qr_svg,
};

use super::entries::load;
use super::live::{self, Change};
use super::public::window_times;
use super::queue::{EntryView, Snapshot, snapshot};
use super::{EventDetail, lock_port, record_event};
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::db::models::{Entry, Port};
use crate::db::schema::entries;
use crate::error::{AppError, AppResult};

/// Everything a ticket shows, ready for the HTML page and the printer.
#[derive(Debug, Clone)]
pub struct TicketDoc {
    pub view: EntryView,
    pub port: Port,
    /// The applicant's language (or Spanish when the stored code is unknown).
    pub language: &'static Language,
    /// Port-local date and time the ticket was issued, `YYYY-MM-DD HH:MM`.
    pub issued_at: String,
    /// Port-local estimated call window, `HH:MM` (with the date when not today), while
    /// waiting and a counter is open.
    pub window: Option<(String, String)>,
    /// The public status page's absolute URL (the QR code's target).
    pub status_url: String,
    pub texts: TicketTexts,
    /// The QR code as inline SVG, or `None` if the URL is too long to encode.
    pub qr_svg: Option<String>,
    /// How many times it was printed before.
    pub prints: i64,
}

/// The catalog key of what a waiting ticket without a window says: that no counter is open
/// now, or (`beyond_estimate`, counters open) that it is too far back for a time yet.
pub fn no_window_key(beyond_estimate: bool) -> &'static str {
    if beyond_estimate {
        "status-beyond-estimate"
    } else {
        "status-no-counter"
    }
}

/// The public status page of a token, under `base_url` (scheme, host and port, no slash).
pub fn status_url(base_url: &str, token: &str) -> String {
    format!("{}/t/{token}", base_url.trim_end_matches('/'))
}

/// The ticket of an entry, for an officer of its port.
pub fn ticket_doc(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<TicketDoc> {
    let (entry, port) = load(conn, actor, entry_id)?;
    doc_for(conn, entry, port, base_url, now)
}

fn doc_for(
    conn: &mut DbConnection,
    entry: Entry,
    port: Port,
    base_url: &str,
    now: DateTime<Utc>,
) -> AppResult<TicketDoc> {
    let view = if entry.status == Status::Waiting {
        snapshot(conn, &port, now)?
            .find(entry.id)
            .cloned()
            .unwrap_or_else(|| EntryView::new(&entry, &port, None))
    } else {
        EntryView::new(&entry, &port, None)
    };
    let window = view.estimated_call_at.map(|w| window_times(&port, &w, now));
    let (earliest, latest) = window.clone().unwrap_or_default();
    let mut texts = Catalog::shared().texts_for(
        &entry.language,
        &TicketFacts {
            party_size: entry.party_size(),
            earliest: &earliest,
            latest: &latest,
        },
    );
    if window.is_none() && view.status == Status::Waiting {
        // Waiting with no window: no counter open, or further back than the estimates look
        // ahead. The ticket says which, never a made-up time.
        let key = no_window_key(view.beyond_estimate);
        for block in &mut texts.languages {
            if let Some(said) = Catalog::shared().message(block.language.code, key, &[]) {
                block.estimate = said;
            }
        }
    }
    let prints = i64::from(entry.prints);
    let status_url = status_url(base_url, &entry.status_token);
    Ok(TicketDoc {
        language: languages::find(&entry.language)
            .or_else(|| languages::find("spa"))
            .ok_or_else(|| AppError::Internal("the language list lost Spanish".into()))?,
        issued_at: entry
            .arrived_at()
            .with_timezone(&port.tz())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        qr_svg: qr_svg(&status_url).ok(),
        status_url,
        window,
        texts,
        prints,
        view,
        port,
    })
}

impl TicketDoc {
    /// 409 unless the ticket is still open: a served, withdrawn or no-show ticket is not
    /// printed again.
    pub fn require_printable(&self) -> AppResult<()> {
        require_open(&self.view.ticket, self.view.status)
    }

    /// Whether the ticket shows its estimate sentence: a waiting ticket always does (the
    /// window, or why it has none, which `doc_for` put in each block's estimate); a called
    /// or served one only with a window. The printout and the HTML ticket both ask this, so
    /// they never disagree.
    pub fn shows_estimate(&self) -> bool {
        self.window.is_some() || self.view.status == Status::Waiting
    }

    /// The ESC/POS bytes for a thermal printer, laid out for the port's paper roll.
    pub fn escpos(&self) -> AppResult<Printout> {
        self.escpos_on(self.port.paper())
    }

    /// The printout on a given roll (the officer's preview may show the other one).
    pub fn escpos_on(&self, paper: Paper) -> AppResult<Printout> {
        let number: TicketNumber = self
            .view
            .ticket
            .parse()
            .map_err(|e| AppError::Internal(format!("stored ticket number: {e:?}")))?;
        Ok(encode(&PrintTicket {
            port_name: &self.port.name,
            number,
            issued_at: &self.issued_at,
            status_url: &self.status_url,
            texts: &self.texts,
            show_estimate: self.shows_estimate(),
            paper,
        }))
    }
}

/// The port's waiting entries whose ticket printed at least once (their `prints` count, kept
/// with each entry, so that nothing walks the port's events). The others hold no ticket yet
/// (the officer closed the page before printing, say): the queue page marks them, with a
/// link to print.
pub fn printed_waiting(snapshot: &Snapshot) -> BTreeSet<i64> {
    snapshot
        .waiting
        .iter()
        .filter(|e| e.printed)
        .map(|e| e.id)
        .collect()
}

fn require_open(ticket: &str, status: Status) -> AppResult<()> {
    match status {
        Status::Waiting | Status::Called => Ok(()),
        other => Err(AppError::Conflict(format!(
            "{ticket} is {}: its ticket is no longer printed",
            other.label()
        ))),
    }
}

/// How long an officer waits, at most, to hear that the ticket printer did not answer
/// (a clear message within 3 seconds).
pub const PRINT_TIMEOUT: Duration = Duration::from_secs(3);

/// Sends a ticket to its port's network printer; the caller records the print when it went
/// through ([`record_print`] with the outcome). The outer error is ours (no printer set,
/// ticket closed); the inner one is the printer's, for the officer to see and choose what
/// to do. Takes no database connection: none is held while the printer is waited for.
pub async fn send_to_port_printer(doc: &TicketDoc) -> AppResult<Result<PrintOutcome, PrintError>> {
    doc.require_printable()?;
    let Some(addr) = doc.port.printer_addr.clone() else {
        return Err(AppError::Conflict(format!(
            "port {} has no ticket printer: print from this browser, or ask a supervisor to \
             set the printer on the policy page",
            doc.port.code
        )));
    };
    // Drawing the slip (shaping, rasterising) is CPU work: it runs on the blocking pool with
    // the send, never on the async executor.
    let slip = doc.clone();
    crate::db::run_blocking(move || {
        let bytes = slip.escpos()?.bytes;
        Ok(printer::send(&addr, &bytes, PRINT_TIMEOUT).map(|()| PrintOutcome::Printer(addr)))
    })
    .await
}

/// How a ticket left the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    /// The network printer took the bytes.
    Printer(String),
    /// The officer printed it from the kiosk browser.
    Browser,
}

/// Records a print (or reprint) of a ticket, so that every ticket in a hand is accounted for.
pub fn record_print(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    outcome: &PrintOutcome,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (entry, _) = load(conn, actor, entry_id)?;
    require_open(&entry.ticket, entry.status)?;
    let note = match outcome {
        PrintOutcome::Printer(addr) => format!("printed on {addr}"),
        PrintOutcome::Browser => "printed from the kiosk browser".into(),
    };
    live::commit(conn, |conn, _| {
        // Under the port's lock, so that the kept queues of every server see the print.
        let port = lock_port(conn, entry.port_id)?;
        let prior: i32 = entries::table
            .find(entry.id)
            .select(entries::prints)
            .get_result(conn)?;
        diesel::update(entries::table.find(entry.id))
            .set(entries::prints.eq(entries::prints + 1))
            .execute(conn)?;
        let note = if prior > 0 {
            format!("reprint {}: {note}", prior)
        } else {
            note
        };
        let status = entry.status;
        record_event(
            conn,
            &entry,
            Some(actor),
            EventKind::TicketPrinted,
            Some(status),
            Some(status),
            EventDetail {
                snapshot: None,
                note: Some(note),
            },
            now,
        )?;
        let mut change = Change::read(conn, port.id, &[entry.id])?;
        // A print moves nobody: the projection stays the queue's.
        change.keep_projection = true;
        Ok(((), Some(change)))
    })
}
