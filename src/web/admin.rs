//! An administrator's pages: ports, and the accounts of everyone who signs in.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::AppState;
use crate::auth::{self, Role};
use crate::error::AppError;
use crate::service::accounts::{self, NewAccount};
use crate::service::ports::{self, NewPort};

use super::error::capitalise;
use super::forms::{Choice, Errors, FormData};
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
                    timezone: p.timezone,
                })
                .collect(),
            input,
            errors,
            timezones: timezone_suggestions(),
            created,
        },
    ))
}

/// `GET /admin/ports`.
pub async fn ports_page(state: web::Data<AppState>, signed: SignedIn) -> WebResult<HttpResponse> {
    ports_view(
        &state,
        &signed,
        NewPort::default(),
        Errors::none(PORT_LABELS),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/ports`.
pub async fn add_port(
    state: web::Data<AppState>,
    signed: SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let form = FormData::from(form);
    signed.check_csrf(&form.get("csrf"))?;
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
        Ok(port) => {
            ports_view(
                &state,
                &signed,
                NewPort::default(),
                Errors::none(PORT_LABELS),
                Some(format!("Port {} ({}) was added.", port.code, port.name)),
                StatusCode::OK,
            )
            .await
        }
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

/// `GET /admin/accounts`.
pub async fn accounts_page(
    state: web::Data<AppState>,
    signed: SignedIn,
) -> WebResult<HttpResponse> {
    accounts_view(&state, &signed, AccountsOutcome::default(), StatusCode::OK).await
}

/// `POST /admin/accounts`: a new account, which must choose its own password at first
/// sign-in. The initial password is shown once, to hand over.
pub async fn add_account(
    state: web::Data<AppState>,
    signed: SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let form = FormData::from(form);
    signed.check_csrf(&form.get("csrf"))?;
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
        Ok(user) => {
            let notice = format!(
                "Account {} was added. Initial password: {} — hand it over in person; \
                 they choose their own at first sign-in. It is not shown again.",
                user.username, input.password
            );
            accounts_view(
                &state,
                &signed,
                AccountsOutcome {
                    notice: Some(notice),
                    ..AccountsOutcome::default()
                },
                StatusCode::OK,
            )
            .await
        }
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
    signed: SignedIn,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let form = FormData::from(form);
    signed.check_csrf(&form.get("csrf"))?;
    let id = id.into_inner();
    let active = form.get("active") == "true";
    let actor = signed.actor.clone();
    let done = state
        .run(move |conn, _| Ok(accounts::set_active(conn, &actor, id, active)))
        .await?;
    let outcome = match done {
        Ok(()) => AccountsOutcome {
            notice: Some(if active {
                "The account was turned on.".into()
            } else {
                "The account was turned off and signed out everywhere.".into()
            }),
            ..AccountsOutcome::default()
        },
        Err(AppError::Conflict(message)) => {
            return accounts_view(
                &state,
                &signed,
                AccountsOutcome {
                    refused: Some(capitalise(&message)),
                    ..AccountsOutcome::default()
                },
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    accounts_view(&state, &signed, outcome, StatusCode::OK).await
}

/// `POST /admin/accounts/{id}/password`: a new password, to be changed at next sign-in.
pub async fn reset_password(
    state: web::Data<AppState>,
    signed: SignedIn,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let form = FormData::from(form);
    signed.check_csrf(&form.get("csrf"))?;
    let id = id.into_inner();
    let password = form.get("password");
    let actor = signed.actor.clone();
    let typed = password.clone();
    let done = state
        .run(move |conn, _| Ok(accounts::reset_password(conn, &actor, id, &typed)))
        .await?;
    match done {
        Ok(()) => {
            accounts_view(
                &state,
                &signed,
                AccountsOutcome {
                    notice: Some(format!(
                        "The password was reset to: {password} — hand it over in person; it \
                         must be changed at the next sign-in. It is not shown again."
                    )),
                    ..AccountsOutcome::default()
                },
                StatusCode::OK,
            )
            .await
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
