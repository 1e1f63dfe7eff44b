//! The report pages, for supervisors of the port and admins: one day, a range of
//! days (a week, a month), the what-if replay, and the downloads (CSV, JSON).
//!
//! Every figure of the JSON is shown in a table with a caption; the hourly charts are the
//! core's SVG, drawn inline. Figures are formatted here, once, into plain [`Table`]s, so the
//! template stays one loop and the page, the standalone document of `portqueue report
//! --format html` and the what-if page share it (`templates/report_body.html`).
//!
//! Printing: `static/report.css` (served with the other assets, inlined in the standalone
//! document) hides the navigation and forms, keeps small tables whole and repeats the heads
//! of long ones, and sets only a margin (`@page { margin: 12mm }`), so Letter and A4 both
//! print from one click (the Print button, `data-print` in `static/app.js`) or the menu.
//!
//! The folder: [`handlers`] (the routes), [`table`] (the table model and how a figure is
//! written), [`sections`] (one function per section), [`views`] (the day and range pages)
//! and [`what_if`].

mod handlers;
mod sections;
mod table;
mod views;
mod what_if;

use actix_web::web;

use portqueue_core::reports::DailyReport;

use super::assets;
use super::layout::Layout;
use table::ReportView;
use views::day_view;

/// Mounts the report pages (called from [`super::configure`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/ports/{code}/reports", web::get().to(handlers::page))
        .route(
            "/ports/{code}/reports.{extension}",
            web::get().to(handlers::download_report),
        )
        .route(
            "/ports/{code}/reports/what-if",
            web::get().to(handlers::what_if),
        );
}

// ---- Templates --------------------------------------------------------------------------

/// A report page; it links `static/report.css` after the kiosk stylesheet.
#[derive(askama::Template)]
#[template(path = "report.html")]
struct ReportPage {
    l: Layout,
    v: ReportView,
    /// The day's text messages, on a day's report where any were queued or a gateway is set.
    texts: Option<crate::service::sms::DayFigures>,
}

#[derive(askama::Template)]
#[template(path = "report_standalone.html")]
struct StandalonePage<'a> {
    v: ReportView,
    css: &'a str,
}

/// The report as one standalone HTML document with its styles inline: what `portqueue
/// report --format html` prints, to open or print without the server.
pub fn standalone_html(report: &DailyReport) -> Result<String, askama::Error> {
    use askama::Template;
    let css = format!("{}\n{}", assets::APP_CSS, assets::REPORT_CSS);
    StandalonePage {
        v: day_view(report, true),
        css: &css,
    }
    .render()
}
