//! A finished day's report in a form that can be kept and read back whole.
//!
//! A range (a week, a month) recomputes its medians from every day's samples, which the
//! report's JSON leaves out; so the kept form is the report together with its samples. It is
//! generic over what the report holds: whatever [`DailyReport`] serializes is kept, and a
//! kept text that no longer reads as today's [`DailyReport`] is simply computed again.

use serde::{Deserialize, Serialize};

use super::{DailyReport, Samples};

/// The version of the report's arithmetic and of this form. **Raise it whenever [`daily`]
/// counts differently or [`DailyReport`] changes**, so that figures kept by an older version
/// are computed again instead of being shown.
///
/// [`daily`]: super::daily
pub const KEPT_FORMAT: i32 = 5;

#[derive(Serialize)]
struct KeptRef<'a> {
    report: &'a DailyReport,
    samples: &'a Samples,
}

#[derive(Deserialize)]
struct Kept {
    report: DailyReport,
    samples: Samples,
}

/// The kept form of a day's report (JSON).
pub fn to_kept(report: &DailyReport) -> String {
    serde_json::to_string(&KeptRef {
        report,
        samples: &report.samples,
    })
    .expect("a report always serializes")
}

/// A day's report read back from [`to_kept`]; an error when the text is not one.
pub fn from_kept(text: &str) -> Result<DailyReport, String> {
    let kept: Kept = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(DailyReport {
        samples: kept.samples,
        ..kept.report
    })
}
