//! Where a port-local day and its hours begin: the one rule of [`crate::local_time`].

pub use crate::local_time::{day_bounds, hour_index, hour_starts};
