//! Registering a walk-in at the kiosk: someone who could not book in the app.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use portqueue_core::{Barrier, Tier, Vulnerability, languages};

use crate::AppState;
use crate::db::models::Port;
use crate::service::walk_ins::{self, TriageInput, WalkInInput};
use crate::service::{self};

use super::csrf_form::CsrfForm;
use super::forms::{Choice, Errors, FormData};
use super::layout::Layout;
use super::session::SignedIn;
use super::{WebResult, render, see_other};

/// The fields in page order, with their labels (for the error summary).
pub const LABELS: &[(&str, &str)] = &[
    ("language", "Language"),
    ("barriers", "Why they could not book"),
    ("barrier_note", "Note on the obstacle"),
    ("party_size", "Party size"),
    ("tier", "Tier"),
    ("vulnerabilities", "Vulnerabilities"),
    ("urgent_reason", "Urgent reason"),
    ("name", "Name"),
    ("nationality", "Nationality"),
    ("phone", "Phone for text messages"),
];

/// A language in the searchable list.
pub struct LanguageChoice {
    pub value: &'static str,
    pub label: String,
    /// The names the filter box matches, `|`-separated: English and native names, code,
    /// tag, aliases and other spellings. The script folds accents and case.
    pub search: String,
    pub checked: bool,
}

/// Every accepted language, the typed one selected.
pub fn language_choices(selected: &str) -> Vec<LanguageChoice> {
    let selected = languages::find(selected).map(|l| l.code);
    languages::LANGUAGES
        .iter()
        .map(|l| LanguageChoice {
            value: l.code,
            label: if l.native == l.name {
                format!("{} ({})", l.name, l.code)
            } else {
                format!("{} — {} ({})", l.name, l.native, l.code)
            },
            search: [l.name, l.native, l.code, l.tag]
                .into_iter()
                .chain(languages::aliases(l.code))
                .chain(languages::other_spellings(l.code).iter().copied())
                .collect::<Vec<_>>()
                .join("|"),
            checked: Some(l.code) == selected,
        })
        .collect()
}

/// The tier radios and vulnerability checkboxes, as typed.
pub struct TriageChoices {
    pub tiers: Vec<Choice>,
    pub vulnerabilities: Vec<Choice>,
    pub urgent_reason: String,
}

impl TriageChoices {
    pub fn new(input: &TriageInput) -> TriageChoices {
        let tier = input.tier.trim();
        TriageChoices {
            tiers: [
                (Tier::Standard, "Standard"),
                (
                    Tier::Priority,
                    "Priority: a vulnerability (tick which below)",
                ),
                (Tier::Urgent, "Urgent: medical emergency (say why below)"),
            ]
            .into_iter()
            .map(|(t, label)| Choice::new(t.as_str(), label, t.as_str() == tier))
            .collect(),
            vulnerabilities: Vulnerability::ALL
                .iter()
                .map(|v| {
                    Choice::new(
                        v.as_str(),
                        &super::error::capitalise(v.label()),
                        input.vulnerabilities.iter().any(|x| x == v.as_str()),
                    )
                })
                .collect(),
            urgent_reason: input.urgent_reason.clone(),
        }
    }
}

/// The tier and vulnerability fields of a posted form.
pub fn triage_from(form: &FormData) -> TriageInput {
    TriageInput {
        tier: form.get("tier"),
        vulnerabilities: form.all("vulnerabilities"),
        urgent_reason: form.get("urgent_reason"),
    }
}

#[derive(askama::Template)]
#[template(path = "walk_in.html")]
struct WalkInPage {
    l: Layout,
    code: String,
    languages: Vec<LanguageChoice>,
    barriers: Vec<Choice>,
    triage: TriageChoices,
    input: WalkInInput,
    errors: Errors,
    /// This form's submission key: a second post of it shows the first one's ticket.
    submission: String,
    /// The phone field for text messages, as typed; `None` hides it (no SMS gateway).
    phone: Option<String>,
}

impl WalkInPage {
    fn new(
        signed: &SignedIn,
        port: &Port,
        input: WalkInInput,
        errors: Errors,
        submission: String,
    ) -> WalkInPage {
        WalkInPage {
            l: Layout::new(signed, Some(port), "walk_in"),
            code: port.code.clone(),
            languages: language_choices(&input.language),
            barriers: Barrier::ALL
                .iter()
                .map(|b| {
                    Choice::new(
                        b.as_str(),
                        &super::error::capitalise(b.label()),
                        input.barriers.iter().any(|x| x == b.as_str()),
                    )
                })
                .collect(),
            triage: TriageChoices::new(&TriageInput {
                tier: input.tier.clone(),
                vulnerabilities: input.vulnerabilities.clone(),
                urgent_reason: input.urgent_reason.clone(),
            }),
            input,
            errors,
            submission,
            phone: None,
        }
    }

    /// Shows the phone field (with what was typed) when this server sends text messages.
    fn with_phone(mut self, enabled: bool, typed: String) -> WalkInPage {
        self.phone = enabled.then_some(typed);
        self
    }
}

/// `GET /ports/{code}/walk-ins/new`.
pub async fn form(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let port = state
        .run(move |conn, _| service::port_for(conn, &actor, &code))
        .await?;
    let input = WalkInInput {
        party_size: "1".into(),
        ..WalkInInput::default()
    };
    Ok(super::ok(
        &WalkInPage::new(
            &signed,
            &port,
            input,
            Errors::none(LABELS),
            super::submissions::new_key(),
        )
        .with_phone(state.text_messages, String::new()),
    ))
}

/// `POST /ports/{code}/walk-ins/new`: registers, then shows the printable ticket.
pub async fn register(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let triage = triage_from(&form);
    let input = WalkInInput {
        party_size: form.get("party_size"),
        language: form.get("language"),
        barriers: form.all("barriers"),
        barrier_note: form.get("barrier_note"),
        tier: triage.tier,
        vulnerabilities: triage.vulnerabilities,
        urgent_reason: triage.urgent_reason,
        name: form.get("name"),
        nationality: form.get("nationality"),
    };
    let submission = form.get("submission");
    if let super::submissions::Claim::Made(id) = state.submissions.claim(&submission).await {
        // The same form again (an Enter pressed twice): the ticket it already made.
        return Ok(see_other(&format!("/entries/{id}/ticket")));
    }
    let actor = signed.actor.clone();
    let typed = input.clone();
    let phone = form.get("phone");
    let (enabled, typed_phone, base_url) =
        (state.text_messages, phone.clone(), state.base_url(&req));
    let (port, registered) = match state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &code)?;
            let text = walk_ins::TextOptIn {
                phone: &typed_phone,
                enabled,
                base_url: &base_url,
            };
            let registered =
                walk_ins::register_texting(conn, &actor, port.id, &typed, Some(&text), now);
            Ok((port, registered))
        })
        .await
    {
        Ok(done) => done,
        Err(e) => {
            state.submissions.failed(&submission);
            return Err(e.into());
        }
    };
    match registered {
        Ok(entry) => {
            state.submissions.made(&submission, entry.id);
            Ok(see_other(&format!("/entries/{}/ticket", entry.id)))
        }
        Err(e) => {
            state.submissions.failed(&submission);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &WalkInPage::new(
                    &signed,
                    &port,
                    input,
                    Errors::from_app(e, LABELS)?,
                    submission,
                )
                .with_phone(state.text_messages, phone),
            ))
        }
    }
}
