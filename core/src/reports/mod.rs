//! Daily queue report arithmetic, computed from the event log.
