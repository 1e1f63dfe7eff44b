//! The pure core of portqueue.
//!
//! Everything here takes plain values (entries, a policy, a `now`) and returns plain
//! values: no database, no clock, no HTTP. That is what makes the fair-queue guarantees
//! (`docs/design/fair-queue.md`, G1–G7) testable with property tests, and `simulate`
//! nearly free: it is the same engine driven by a CSV file.
//!
//! - [`model`]: the vocabulary (class, tier, status, barriers, vulnerabilities, policy).
//! - [`queue`]: the ordering engine, wait estimates and `simulate`.
//! - [`events`]: the append-only event log's vocabulary.
//! - [`languages`]: the languages every form, ticket and public page accepts.
//! - [`local_time`]: port-local days and hours, daylight-saving days included.
//! - [`tickets`]: ticket numbers, the printed ticket, QR codes and the message catalog.
//! - [`reports`]: daily queue report arithmetic, from the event log.
//! - [`validation`]: field-level errors shared by forms, the API, CSV and the command line.

pub mod events;
pub mod languages;
pub mod local_time;
pub mod model;
pub mod queue;
pub mod reports;
pub mod text;
pub mod tickets;
pub mod validation;

pub use model::{Barrier, Class, Policy, Status, Tier, Vulnerability};
pub use validation::FieldErrors;
