//! Tickets: numbers, the printed ticket (ESC/POS), QR codes and the message catalog.
//!
//! - [`number`]: `W-0042`, and drawing the next free number at a port.
//! - [`catalog`]: every short text of the ticket, status page and board, per language (Fluent),
//!   with each translation's source and reviewer.
//! - [`pictograms`]: the five instructions as pictures (`static/pictograms/*.svg`).
//! - [`qr`]: the QR code of the HTML ticket, as inline SVG.
//! - [`slip`]: the printed ticket drawn as a one-bit raster (shaped text, pictograms).
//! - [`escpos`]: the ticket as bytes for a thermal printer (sent by the app, at its edge).

pub mod catalog;
pub mod escpos;
pub mod number;
pub mod pictograms;
pub mod qr;
pub mod slip;

pub use catalog::{
    Arg, Catalog, Instruction, LanguageTexts, ReviewState, TicketFacts, TicketTexts,
};
pub use escpos::{Decoded, Paper, PrintTicket, Printout, decode, encode};
pub use number::{Exhausted, ParseTicketNumberError, TicketNumber, allocate};
pub use pictograms::Pictogram;
pub use qr::qr_svg;
pub use slip::{Raster, Slip};
