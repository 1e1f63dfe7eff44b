//! A supervisor's pages: the day's appointment import, the port's queue policy (with every
//! change kept, who and when) and the ticket printer's address.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use portqueue_core::Policy;
use portqueue_core::tickets::Paper;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Role;
use crate::db::models::Port;
use crate::error::{AppError, AppResult};
use crate::service::ports::{self, PolicyChange, PolicyInput};
use crate::service::{self, appointments};

use super::csrf_form::CsrfForm;
use super::format;
use super::forms::{Choice, Errors};
use super::layout::Layout;
use super::session::SignedIn;
use super::{WebResult, render, see_other};

/// Largest appointment file taken: a very busy day is well under a megabyte.
const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

const IMPORT_LABELS: &[(&str, &str)] = &[("file", "Appointment file")];
const PRINTER_LABELS: &[(&str, &str)] = &[
    ("printer_addr", "Printer address"),
    ("printer_paper_mm", "Paper width"),
];

/// The port, for a supervisor of it (or an admin).
fn supervised_port(
    conn: &mut crate::db::DbConnection,
    actor: &crate::auth::Actor,
    code: &str,
) -> AppResult<Port> {
    actor.require_role(Role::Supervisor)?;
    service::port_for(conn, actor, code)
}

#[derive(askama::Template)]
#[template(path = "import.html")]
struct ImportPage {
    l: Layout,
    code: String,
    header: String,
    summary: Option<String>,
    errors: Errors,
}

/// `GET /ports/{code}/appointments/import`.
pub async fn import_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let port = state
        .run(move |conn, _| supervised_port(conn, &actor, &code))
        .await?;
    Ok(super::ok(&ImportPage {
        l: Layout::new(&signed, Some(&port), "import"),
        code: port.code.clone(),
        header: appointments::CSV_HEADER.join(","),
        summary: None,
        errors: Errors::none(IMPORT_LABELS),
    }))
}

/// The `csrf` and `file` parts of the upload form.
async fn read_upload(mut payload: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let unreadable = |e: actix_multipart::MultipartError| {
        AppError::invalid("file", format!("the upload could not be read: {e}"))
    };
    let mut csrf = String::new();
    let mut file = Vec::new();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            bytes.extend_from_slice(&chunk.map_err(unreadable)?);
            if bytes.len() > MAX_UPLOAD_BYTES {
                return Err(AppError::invalid(
                    "file",
                    "the file is larger than 5 MB: is it the day's appointment CSV?",
                ));
            }
        }
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes,
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// `POST /ports/{code}/appointments/import` (multipart: `csrf`, `file`). All rows or none.
pub async fn import(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    payload: Multipart,
) -> WebResult<HttpResponse> {
    let upload = read_upload(payload).await;
    if let Ok((csrf, _)) = &upload {
        signed.check_csrf(csrf)?;
    }
    let actor = signed.actor.clone();
    let (port, imported) = state
        .run(move |conn, now| {
            let port = supervised_port(conn, &actor, &code)?;
            let imported = upload.and_then(|(_, file)| {
                if file.is_empty() {
                    return Err(AppError::invalid(
                        "file",
                        "choose the day's appointment file (CSV) first",
                    ));
                }
                let rows = appointments::read_csv(&file)?;
                let rows = appointments::check_rows(&rows, appointments::Source::Csv)?;
                appointments::import(conn, &actor, port.id, &rows, now)
            });
            Ok((port, imported))
        })
        .await?;
    let (status, summary, errors) = match imported {
        Ok(s) => (
            StatusCode::OK,
            Some(format!(
                "{} created, {} unchanged, {} updated",
                s.created, s.unchanged, s.updated
            )),
            Errors::none(IMPORT_LABELS),
        ),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Errors::from_app(e, IMPORT_LABELS)?,
        ),
    };
    Ok(render(
        status,
        &ImportPage {
            l: Layout::new(&signed, Some(&port), "import"),
            code: port.code.clone(),
            header: appointments::CSV_HEADER.join(","),
            summary,
            errors,
        },
    ))
}

/// One policy field on the form.
struct PolicyField {
    name: &'static str,
    label: &'static str,
    unit: &'static str,
    help: &'static str,
    value: String,
}

/// The policy form's fields, in plain words (docs/design/fair-queue.md, "Policy").
fn policy_fields(input: &PolicyInput) -> Vec<PolicyField> {
    let field = |name, label, unit, help, value: &String| PolicyField {
        name,
        label,
        unit,
        help,
        value: value.clone(),
    };
    vec![
        field(
            "walkin_share",
            "Walk-in share",
            "%",
            "Share of officer time for walk-ins while both walk-ins and appointments wait, \
             counted in persons (default 30).",
            &input.walkin_share,
        ),
        field(
            "priority_boost_minutes",
            "Priority counts earlier by",
            "minutes",
            "A priority party may pass only those who arrived less than this before it \
             (default 120).",
            &input.priority_boost_minutes,
        ),
        field(
            "early_window_minutes",
            "Early window",
            "minutes",
            "How early before its booked slot an appointment may be called (default 60).",
            &input.early_window_minutes,
        ),
        field(
            "late_window_minutes",
            "Late window",
            "minutes",
            "How late after its slot an appointment still counts as one; later, it waits \
             with the walk-ins from its arrival (default 60).",
            &input.late_window_minutes,
        ),
        field(
            "max_recalls",
            "Recalls before no-show",
            "calls",
            "How many times an entry is called again without an answer before it is marked \
             no-show (default 2).",
            &input.max_recalls,
        ),
        field(
            "minutes_per_person",
            "Minutes per person",
            "minutes",
            "Service time assumed per person for the estimates, until the day's own average \
             is known (default 10).",
            &input.minutes_per_person,
        ),
    ]
}

const POLICY_LABELS: &[(&str, &str)] = &[
    ("walkin_share", "Walk-in share"),
    ("priority_boost_minutes", "Priority counts earlier by"),
    ("early_window_minutes", "Early window"),
    ("late_window_minutes", "Late window"),
    ("max_recalls", "Recalls before no-show"),
    ("minutes_per_person", "Minutes per person"),
];

/// One kept change, as the history shows it.
struct HistoryRow {
    when: String,
    who: String,
    changes: Vec<String>,
}

/// What changed between two policies, in words.
fn changes(before: &Policy, after: &Policy) -> Vec<String> {
    let percent = |s: f64| format!("{}%", (s * 1000.0).round() / 10.0);
    let mut out = Vec::new();
    if before.walkin_share != after.walkin_share {
        out.push(format!(
            "walk-in share {} → {}",
            percent(before.walkin_share),
            percent(after.walkin_share)
        ));
    }
    for (label, unit, b, a) in [
        (
            "priority counts earlier by",
            "min",
            before.priority_boost_minutes,
            after.priority_boost_minutes,
        ),
        (
            "early window",
            "min",
            before.early_window_minutes,
            after.early_window_minutes,
        ),
        (
            "late window",
            "min",
            before.late_window_minutes,
            after.late_window_minutes,
        ),
        (
            "recalls before no-show",
            "",
            before.max_recalls,
            after.max_recalls,
        ),
        (
            "minutes per person",
            "",
            before.minutes_per_person,
            after.minutes_per_person,
        ),
    ] {
        if a != b {
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            };
            out.push(format!("{label} {b}{unit} → {a}{unit}"));
        }
    }
    out
}

#[derive(askama::Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    l: Layout,
    code: String,
    port_name: String,
    fields: Vec<PolicyField>,
    errors: Errors,
    history: Vec<HistoryRow>,
    printer_addr: String,
    /// The paper widths, the stored one (or the one sent, when refused) checked.
    paper_choices: Vec<Choice>,
    printer_errors: Errors,
    /// Whether the board announces calls in the called ticket's language too.
    announce_ticket_language: bool,
    /// The "you are near" text threshold, as stored or as typed when refused.
    sms_near_ahead: String,
    sms_errors: Errors,
    /// Whether this server sends text messages at all.
    text_messages: bool,
    saved: Option<&'static str>,
}

/// The printer form's values: the address and the paper width in millimetres.
struct PrinterInput {
    addr: String,
    paper_mm: String,
}

impl PrinterInput {
    fn of(port: &Port) -> PrinterInput {
        PrinterInput {
            addr: port.printer_addr.clone().unwrap_or_default(),
            paper_mm: port.paper().mm().to_string(),
        }
    }
}

/// What the policy page shows besides the forms.
struct PolicyContext {
    port: Port,
    history: Vec<PolicyChange>,
    sms_near_ahead: i32,
}

async fn policy_context(
    state: &AppState,
    signed: &SignedIn,
    code: String,
) -> WebResult<PolicyContext> {
    let actor = signed.actor.clone();
    Ok(state
        .run(move |conn, _| {
            let port = supervised_port(conn, &actor, &code)?;
            let history = ports::policy_history(conn, port.id)?;
            let sms_near_ahead = service::sms::near_ahead(conn, port.id)?;
            Ok(PolicyContext {
                port,
                history,
                sms_near_ahead,
            })
        })
        .await?)
}

fn build_policy_page(
    signed: &SignedIn,
    ctx: &PolicyContext,
    input: &PolicyInput,
    errors: Errors,
    printer: PrinterInput,
    printer_errors: Errors,
    saved: Option<&'static str>,
) -> PolicyPage {
    let tz = ctx.port.tz();
    PolicyPage {
        l: Layout::new(signed, Some(&ctx.port), "policy"),
        code: ctx.port.code.clone(),
        port_name: ctx.port.name.clone(),
        fields: policy_fields(input),
        errors,
        history: ctx
            .history
            .iter()
            .map(|c| HistoryRow {
                when: format::date_time(tz, c.changed_at),
                who: c.changed_by.clone(),
                changes: changes(&c.before, &c.after),
            })
            .collect(),
        paper_choices: Paper::ALL
            .iter()
            .map(|p| {
                let mm = p.mm().to_string();
                let label = match p {
                    Paper::Mm80 => "80 mm (the common receipt roll)",
                    Paper::Mm58 => "58 mm (small and portable printers)",
                };
                Choice::new(&mm, label, mm == printer.paper_mm.trim())
            })
            .collect(),
        printer_addr: printer.addr,
        printer_errors,
        announce_ticket_language: ctx.port.announce_ticket_language,
        sms_near_ahead: ctx.sms_near_ahead.to_string(),
        sms_errors: Errors::none(SMS_LABELS),
        text_messages: false,
        saved,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

/// `GET /ports/{code}/policy`.
pub async fn policy_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> WebResult<HttpResponse> {
    let ctx = policy_context(&state, &signed, code.into_inner()).await?;
    let saved = match query.saved.as_str() {
        "policy" => Some("The policy was saved. The queue follows it from now on."),
        "printer" => Some("The ticket printer was saved."),
        "announce" => Some("The board's announcements were saved."),
        "sms" => Some("The text-message setting was saved."),
        _ => None,
    };
    let input = PolicyInput::from_policy(&ctx.port.policy());
    let printer = PrinterInput::of(&ctx.port);
    Ok(super::ok(&with_texts(
        &state,
        build_policy_page(
            &signed,
            &ctx,
            &input,
            Errors::none(POLICY_LABELS),
            printer,
            Errors::none(PRINTER_LABELS),
            saved,
        ),
    )))
}

/// `POST /ports/{code}/policy`.
pub async fn update_policy(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let input = PolicyInput {
        walkin_share: form.get("walkin_share"),
        priority_boost_minutes: form.get("priority_boost_minutes"),
        early_window_minutes: form.get("early_window_minutes"),
        late_window_minutes: form.get("late_window_minutes"),
        max_recalls: form.get("max_recalls"),
        minutes_per_person: form.get("minutes_per_person"),
    };
    let code = code.into_inner();
    let actor = signed.actor.clone();
    let (port_code, typed) = (code.clone(), input.clone());
    let updated = state
        .run(move |conn, now| {
            let port = supervised_port(conn, &actor, &port_code)?;
            Ok(typed
                .parse()
                .map_err(AppError::from)
                .and_then(|policy| ports::update_policy(conn, &actor, port.id, &policy, now)))
        })
        .await?;
    match updated {
        Ok(port) => Ok(see_other(&format!(
            "/ports/{}/policy?saved=policy",
            port.code
        ))),
        Err(e) => {
            let errors = Errors::from_app(e, POLICY_LABELS)?;
            let ctx = policy_context(&state, &signed, code).await?;
            let printer = PrinterInput::of(&ctx.port);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &build_policy_page(
                    &signed,
                    &ctx,
                    &input,
                    errors,
                    printer,
                    Errors::none(PRINTER_LABELS),
                    None,
                ),
            ))
        }
    }
}

/// `POST /ports/{code}/printer`.
pub async fn set_printer(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let code = code.into_inner();
    let typed = PrinterInput {
        addr: form.get("printer_addr"),
        paper_mm: form.get("printer_paper_mm"),
    };
    let actor = signed.actor.clone();
    let (port_code, addr, paper_mm) = (code.clone(), typed.addr.clone(), typed.paper_mm.clone());
    let set = state
        .run(move |conn, _| {
            let port = supervised_port(conn, &actor, &port_code)?;
            Ok(ports::set_printer(conn, &actor, port.id, &addr, &paper_mm).map(|()| port.code))
        })
        .await?;
    match set {
        Ok(code) => Ok(see_other(&format!("/ports/{code}/policy?saved=printer"))),
        Err(e) => {
            let printer_errors = Errors::from_app(e, PRINTER_LABELS)?;
            let ctx = policy_context(&state, &signed, code).await?;
            let input = PolicyInput::from_policy(&ctx.port.policy());
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &build_policy_page(
                    &signed,
                    &ctx,
                    &input,
                    Errors::none(POLICY_LABELS),
                    typed,
                    printer_errors,
                    None,
                ),
            ))
        }
    }
}

/// `POST /ports/{code}/announce`: whether the board says each call in the called ticket's
/// language too. A checkbox: `on` or absent; anything else is refused.
pub async fn set_announce(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let on = match form.get("announce_ticket_language").as_str() {
        "on" => true,
        "" => false,
        _ => {
            return Err(AppError::invalid(
                "announce_ticket_language",
                "tick the box or leave it empty",
            )
            .into());
        }
    };
    let actor = signed.actor.clone();
    let code = code.into_inner();
    let port_code = state
        .run(move |conn, _| {
            let port = supervised_port(conn, &actor, &code)?;
            ports::set_announce_ticket_language(conn, &actor, port.id, on)?;
            Ok(port.code)
        })
        .await?;
    Ok(see_other(&format!(
        "/ports/{port_code}/policy?saved=announce"
    )))
}

const SMS_LABELS: &[(&str, &str)] = &[("sms_near_ahead", "Parties ahead for \"you are near\"")];

/// The policy page with the text-message section shown when this server sends texts.
fn with_texts(state: &AppState, mut page: PolicyPage) -> PolicyPage {
    page.text_messages = state.text_messages;
    page
}

/// `POST /ports/{code}/sms`: how many parties ahead a ticket is when its "you are near" text
/// goes out. A refused number is shown again beside the field.
pub async fn set_sms(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let typed = form.get("sms_near_ahead");
    let ctx = policy_context(&state, &signed, code.into_inner()).await?;
    let parsed = service::sms::parse_near_ahead(&typed);
    let n = match parsed {
        Ok(n) => n,
        Err(e) => {
            let input = PolicyInput::from_policy(&ctx.port.policy());
            let printer = PrinterInput::of(&ctx.port);
            let mut page = with_texts(
                &state,
                build_policy_page(
                    &signed,
                    &ctx,
                    &input,
                    Errors::none(POLICY_LABELS),
                    printer,
                    Errors::none(PRINTER_LABELS),
                    None,
                ),
            );
            page.sms_near_ahead = typed;
            page.sms_errors = Errors::from_app(e, SMS_LABELS)?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let actor = signed.actor.clone();
    let port = ctx.port.clone();
    state
        .run(move |conn, _| service::sms::set_near_ahead(conn, &actor, &port, n))
        .await?;
    Ok(see_other(&format!(
        "/ports/{}/policy?saved=sms",
        ctx.port.code
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_described_field_by_field() {
        let before = Policy::default();
        let after = Policy {
            walkin_share: 0.4,
            max_recalls: 3,
            ..before
        };
        assert_eq!(
            changes(&before, &after),
            vec!["walk-in share 30% → 40%", "recalls before no-show 2 → 3"]
        );
    }

    #[test]
    fn every_policy_field_has_a_label_for_the_summary() {
        let fields = policy_fields(&PolicyInput::default());
        assert_eq!(fields.len(), POLICY_LABELS.len());
        for f in fields {
            assert!(POLICY_LABELS.iter().any(|(n, _)| *n == f.name));
        }
    }
}

/// The counter plan form's fields, as the page labels them.
const PLAN_LABELS: &[(&str, &str)] = &[
    ("hour_0", "00:00 to 01:00"),
    ("hour_1", "01:00 to 02:00"),
    ("hour_2", "02:00 to 03:00"),
    ("hour_3", "03:00 to 04:00"),
    ("hour_4", "04:00 to 05:00"),
    ("hour_5", "05:00 to 06:00"),
    ("hour_6", "06:00 to 07:00"),
    ("hour_7", "07:00 to 08:00"),
    ("hour_8", "08:00 to 09:00"),
    ("hour_9", "09:00 to 10:00"),
    ("hour_10", "10:00 to 11:00"),
    ("hour_11", "11:00 to 12:00"),
    ("hour_12", "12:00 to 13:00"),
    ("hour_13", "13:00 to 14:00"),
    ("hour_14", "14:00 to 15:00"),
    ("hour_15", "15:00 to 16:00"),
    ("hour_16", "16:00 to 17:00"),
    ("hour_17", "17:00 to 18:00"),
    ("hour_18", "18:00 to 19:00"),
    ("hour_19", "19:00 to 20:00"),
    ("hour_20", "20:00 to 21:00"),
    ("hour_21", "21:00 to 22:00"),
    ("hour_22", "22:00 to 23:00"),
    ("hour_23", "23:00 to 24:00"),
];

/// One hour of the counter plan form.
struct PlanHour {
    field: String,
    label: &'static str,
    value: String,
}

#[derive(askama::Template)]
#[template(path = "counter_plan.html")]
struct CounterPlanPage {
    l: Layout,
    code: String,
    timezone: String,
    hours: Vec<PlanHour>,
    errors: Errors,
    saved: bool,
}

fn plan_page(
    signed: &SignedIn,
    port: &Port,
    values: &[String; 24],
    errors: Errors,
    saved: bool,
) -> CounterPlanPage {
    CounterPlanPage {
        l: Layout::new(signed, Some(port), "counter-plan"),
        code: port.code.clone(),
        timezone: port.timezone.to_string(),
        hours: PLAN_LABELS
            .iter()
            .zip(values)
            .map(|(&(field, label), value)| PlanHour {
                field: field.to_owned(),
                label,
                value: value.clone(),
            })
            .collect(),
        errors,
        saved,
    }
}

/// `GET /ports/{code}/counter-plan`.
pub async fn counter_plan_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let (port, plan) = state
        .run(move |conn, _| {
            let port = supervised_port(conn, &actor, &code)?;
            let plan = service::counter_plan::load(conn, port.id)?;
            Ok((port, plan))
        })
        .await?;
    let values: [String; 24] = std::array::from_fn(|h| match plan {
        Some(plan) if plan[h] > 0 => plan[h].to_string(),
        _ => String::new(),
    });
    Ok(super::ok(&plan_page(
        &signed,
        &port,
        &values,
        Errors::none(PLAN_LABELS),
        query.saved == "plan",
    )))
}

/// `POST /ports/{code}/counter-plan`: all 24 hours saved at once, or none with every bad
/// field marked and what was typed kept.
pub async fn update_counter_plan(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let values: [String; 24] = std::array::from_fn(|h| form.get(&format!("hour_{h}")));
    let actor = signed.actor.clone();
    let typed = values.clone();
    let (port, saved) = state
        .run(move |conn, _| {
            let port = supervised_port(conn, &actor, &code)?;
            let saved = service::counter_plan::parse(&typed)
                .and_then(|plan| service::counter_plan::save(conn, &actor, &port, &plan));
            Ok((port, saved))
        })
        .await?;
    match saved {
        Ok(()) => Ok(see_other(&format!(
            "/ports/{}/counter-plan?saved=plan",
            port.code
        ))),
        Err(e) => {
            let errors = Errors::from_app(e, PLAN_LABELS)?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &plan_page(&signed, &port, &values, errors, false),
            ))
        }
    }
}
