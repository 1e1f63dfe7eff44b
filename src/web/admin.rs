//! An administrator's pages: ports, and the accounts of everyone who signs in.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::AppState;
use crate::auth::{self, Role};
use crate::error::AppError;
use crate::service::accounts::{self, NewAccount};
use crate::service::ports::{self, NewPort};

use super::csrf_form::CsrfForm;
use super::error::capitalise;
use super::forms::{Choice, Errors};
use super::layout::Layout;
use super::session::SignedIn;
use super::{WebResult, render};

const PORT_LABELS: &[(&str, &str)] = &[
    ("code", "Code"),
    ("name", "Name"),
    ("timezone", "Time zone"),
];

const ACCOUNT_LABELS: &[(&str, &str)] = &[
    ("username", "Username"),
    ("role", "Role"),
    ("port", "Port"),
    ("password", "Initial password"),
];

const RESET_LABELS: &[(&str, &str)] = &[("password", "New password")];

struct PortRow {
    code: String,
    name: String,
    timezone: String,
}

#[derive(askama::Template)]
#[template(path = "admin_ports.html")]
struct PortsPage {
    l: Layout,
    ports: Vec<PortRow>,
    input: NewPort,
    errors: Errors,
    timezones: Vec<&'static str>,
    created: Option<String>,
}

/// Time zones offered as suggestions: the Americas (land ports) and UTC. Any IANA name is
/// accepted.
fn timezone_suggestions() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.starts_with("America/") || *n == "UTC")
        .collect()
}

async fn ports_view(
    state: &AppState,
    signed: &SignedIn,
    input: NewPort,
    errors: Errors,
    created: Option<String>,
    status: StatusCode,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let list = state
        .run(move |conn, _| {
            actor.require_role(Role::Admin)?;
            ports::list(conn)
        })
        .await?;
    Ok(render(
        status,
        &PortsPage {
            l: Layout::new(signed, None, "admin_ports"),
            ports: list
                .into_iter()
                .map(|p| PortRow {
                    code: p.code,
                    name: p.name,
                    timezone: p.timezone.to_string(),
                })
                .collect(),
            input,
            errors,
            timezones: timezone_suggestions(),
            created,
        },
    ))
}

/// What the last successful change was, named in the address it redirected to (so a
/// reload shows the page again instead of sending the form twice). Never a password.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    added: String,
    #[serde(default)]
    reset: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    off: String,
}

/// `GET /admin/ports` (`?added=CODE` after a port was added).
pub async fn ports_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    done: web::Query<Done>,
) -> WebResult<HttpResponse> {
    let added = done.added.trim().to_owned();
    let notice = if added.is_empty() {
        None
    } else {
        let code = added.clone();
        let port = state
            .run(move |conn, _| Ok(ports::list(conn)?.into_iter().find(|p| p.code == code)))
            .await?;
        port.map(|p| format!("Port {} ({}) was added.", p.code, p.name))
    };
    ports_view(
        &state,
        &signed,
        NewPort::default(),
        Errors::none(PORT_LABELS),
        notice,
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/ports`.
pub async fn add_port(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
) -> WebResult<HttpResponse> {
    let input = NewPort {
        code: form.get("code"),
        name: form.get("name"),
        timezone: form.get("timezone"),
    };
    let actor = signed.actor.clone();
    let typed = input.clone();
    let created = state
        .run(move |conn, now| Ok(ports::create(conn, &actor, &typed, now)))
        .await?;
    match created {
        Ok(port) => Ok(super::see_other(&format!(
            "/admin/ports?added={}",
            super::url_encode(&port.code)
        ))),
        Err(e) => {
            let errors = Errors::from_app(e, PORT_LABELS)?;
            ports_view(
                &state,
                &signed,
                input,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

struct AccountView {
    id: i64,
    username: String,
    role: String,
    port: String,
    active: bool,
    must_change_password: bool,
    is_self: bool,
}

/// The add-account form, as typed.
#[derive(Debug, Clone, Default)]
struct AccountInput {
    username: String,
    role: String,
    port: String,
    password: String,
}

#[derive(askama::Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    l: Layout,
    accounts: Vec<AccountView>,
    input: AccountInput,
    roles: Vec<Choice>,
    ports: Vec<Choice>,
    errors: Errors,
    /// The account whose password reset was refused, and why.
    reset_for: i64,
    reset_errors: Errors,
    notice: Option<String>,
    refused: Option<String>,
}

/// What happened last, for the accounts page.
#[derive(Default)]
struct AccountsOutcome {
    input: Option<AccountInput>,
    errors: Option<Errors>,
    reset_for: i64,
    reset_errors: Option<Errors>,
    notice: Option<String>,
    refused: Option<String>,
}

async fn accounts_view(
    state: &AppState,
    signed: &SignedIn,
    outcome: AccountsOutcome,
    status: StatusCode,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let (list, all_ports) = state
        .run(move |conn, _| Ok((accounts::list(conn, &actor)?, ports::list(conn)?)))
        .await?;
    let input = outcome.input.unwrap_or_else(|| AccountInput {
        role: Role::Officer.as_str().into(),
        password: auth::random_password(),
        ..AccountInput::default()
    });
    let roles = Role::ALL
        .iter()
        .map(|r| {
            Choice::new(
                r.as_str(),
                &capitalise(r.as_str()),
                input.role == r.as_str(),
            )
        })
        .collect();
    let port_choices = all_ports
        .iter()
        .map(|p| {
            Choice::new(
                &p.code,
                &format!("{} — {}", p.code, p.name),
                input.port.trim().eq_ignore_ascii_case(&p.code),
            )
        })
        .collect();
    Ok(render(
        status,
        &AccountsPage {
            l: Layout::new(signed, None, "admin_accounts"),
            accounts: list
                .into_iter()
                .map(|row| AccountView {
                    id: row.user.id,
                    is_self: row.user.id == signed.actor.user_id,
                    username: row.user.username,
                    role: row.user.role,
                    port: row.port_code.unwrap_or_default(),
                    active: row.user.active,
                    must_change_password: row.user.must_change_password,
                })
                .collect(),
            input,
            roles,
            ports: port_choices,
            errors: outcome
                .errors
                .unwrap_or_else(|| Errors::none(ACCOUNT_LABELS)),
            reset_for: outcome.reset_for,
            reset_errors: outcome
                .reset_errors
                .unwrap_or_else(|| Errors::none(RESET_LABELS))
                .with_prefix(format!("reset-{}", outcome.reset_for)),
            notice: outcome.notice,
            refused: outcome.refused,
        },
    ))
}

/// `GET /admin/accounts`, with the notice of the change that redirected here.
pub async fn accounts_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    done: web::Query<Done>,
) -> WebResult<HttpResponse> {
    let name = |s: &str| {
        s.chars()
            .filter(|c| !c.is_control())
            .take(64)
            .collect::<String>()
    };
    let notice = if !done.added.is_empty() {
        Some(format!(
            "Account {} was added with the initial password you set: hand it over in \
             person; they choose their own at first sign-in.",
            name(&done.added)
        ))
    } else if !done.reset.is_empty() {
        Some(format!(
            "The password of {} was reset to the one you typed: hand it over in person; it \
             must be changed at the next sign-in.",
            name(&done.reset)
        ))
    } else if !done.on.is_empty() {
        Some(format!("The account {} was turned on.", name(&done.on)))
    } else if !done.off.is_empty() {
        Some(format!(
            "The account {} was turned off and signed out everywhere.",
            name(&done.off)
        ))
    } else {
        None
    };
    accounts_view(
        &state,
        &signed,
        AccountsOutcome {
            notice,
            ..AccountsOutcome::default()
        },
        StatusCode::OK,
    )
    .await
}

/// The username of an account, for a notice in the address.
async fn username_of(state: &AppState, id: i64) -> WebResult<String> {
    Ok(state
        .run(move |conn, _| {
            use crate::db::schema::users;
            use diesel::prelude::*;
            Ok(users::table
                .find(id)
                .select(users::username)
                .get_result::<String>(conn)
                .optional()?
                .unwrap_or_default())
        })
        .await?)
}

/// `POST /admin/accounts`: a new account, which must choose its own password at first
/// sign-in. The initial password is shown once, to hand over.
pub async fn add_account(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
) -> WebResult<HttpResponse> {
    let input = AccountInput {
        username: form.get("username"),
        role: form.get("role"),
        port: form.get("port"),
        password: form.get("password"),
    };
    let new = NewAccount {
        username: input.username.clone(),
        role: input.role.clone(),
        port: input.port.clone(),
        password: input.password.clone(),
        must_change_password: true,
    };
    let actor = signed.actor.clone();
    let created = state
        .run(move |conn, now| Ok(accounts::create(conn, &actor, &new, now)))
        .await?;
    match created {
        Ok(user) => Ok(super::see_other(&format!(
            "/admin/accounts?added={}",
            super::url_encode(&user.username)
        ))),
        Err(e) => {
            let errors = Errors::from_app(e, ACCOUNT_LABELS)?;
            accounts_view(
                &state,
                &signed,
                AccountsOutcome {
                    input: Some(input),
                    errors: Some(errors),
                    ..AccountsOutcome::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/accounts/{id}/active` (`active=true|false`).
pub async fn set_active(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let active = form.get("active") == "true";
    let actor = signed.actor.clone();
    let done = state
        .run(move |conn, _| Ok(accounts::set_active(conn, &actor, id, active)))
        .await?;
    match done {
        Ok(()) => {
            let username = username_of(&state, id).await?;
            Ok(super::see_other(&format!(
                "/admin/accounts?{}={}",
                if active { "on" } else { "off" },
                super::url_encode(&username)
            )))
        }
        Err(AppError::Conflict(message)) => {
            accounts_view(
                &state,
                &signed,
                AccountsOutcome {
                    refused: Some(capitalise(&message)),
                    ..AccountsOutcome::default()
                },
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/accounts/{id}/password`: a new password, to be changed at next sign-in.
pub async fn reset_password(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let password = form.get("password");
    let actor = signed.actor.clone();
    let typed = password.clone();
    let done = state
        .run(move |conn, _| Ok(accounts::reset_password(conn, &actor, id, &typed)))
        .await?;
    match done {
        Ok(()) => {
            let username = username_of(&state, id).await?;
            Ok(super::see_other(&format!(
                "/admin/accounts?reset={}",
                super::url_encode(&username)
            )))
        }
        Err(e) => {
            let errors = Errors::from_app(e, RESET_LABELS)?;
            accounts_view(
                &state,
                &signed,
                AccountsOutcome {
                    reset_for: id,
                    reset_errors: Some(errors),
                    ..AccountsOutcome::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
