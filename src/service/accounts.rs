//! Accounts: officers, supervisors and administrators.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use portqueue_core::FieldErrors;

use super::{port_by_code, transaction};
use crate::auth::{self, Actor, Role};
use crate::db::models::User;
use crate::db::schema::{api_tokens, sessions, users};
use crate::db::{DbConnection, to_db};
use crate::error::{AppError, AppResult};

/// What a new account needs. `port` is a port code, required for officers and supervisors.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: String,
    pub role: String,
    pub port: String,
    pub password: String,
    /// Whether the first sign-in must choose a new password (accounts made for someone else).
    pub must_change_password: bool,
}

fn check_username(name: &str) -> Result<String, String> {
    let name = auth::username_key(name);
    if (3..=40).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        Ok(name)
    } else {
        Err("use 3 to 40 letters, digits, dots, dashes or underscores".into())
    }
}

/// Creates an account. Admins only (the command line acts as admin).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: &NewAccount,
    now: DateTime<Utc>,
) -> AppResult<User> {
    actor.require_role(Role::Admin)?;
    let mut errors = FieldErrors::new();
    let username = check_username(&new.username)
        .map_err(|e| errors.add("username", e))
        .ok();
    let role = Role::parse(new.role.trim())
        .map_err(|e| errors.add("role", e))
        .ok();
    if let Err(e) = auth::check_new_password(&new.password) {
        errors.add("password", e);
    }
    let port_id = match (role, new.port.trim()) {
        (Some(Role::Admin), "") => None,
        (Some(Role::Admin), _) => {
            errors.add("port", "administrators belong to no port: leave it empty");
            None
        }
        (Some(_), "") => {
            errors.add(
                "port",
                "officers and supervisors belong to one port: choose it",
            );
            None
        }
        (_, code) => match port_by_code(conn, code) {
            Ok(port) => Some(port.id),
            Err(_) => {
                errors.add("port", format!("no port with code `{code}`"));
                None
            }
        },
    };
    let (Some(username), Some(role), true) = (username, role, errors.is_empty()) else {
        return Err(errors.into());
    };
    let hash = auth::hash_password(&new.password)?;
    transaction(conn, |conn| {
        let taken: i64 = users::table
            .filter(users::username.eq(&username))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AppError::invalid(
                "username",
                format!("`{username}` is taken"),
            ));
        }
        diesel::insert_into(users::table)
            .values((
                users::username.eq(&username),
                users::password_hash.eq(&hash),
                users::role.eq(role.as_str()),
                users::port_id.eq(port_id),
                users::must_change_password.eq(new.must_change_password),
                users::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        Ok(users::table
            .filter(users::username.eq(&username))
            .select(User::as_select())
            .get_result(conn)?)
    })
}

/// The actor the command line acts as: it is run by whoever runs the server.
pub fn system_admin() -> Actor {
    Actor {
        user_id: 0,
        username: "system".into(),
        role: Role::Admin,
        port_id: None,
        must_change_password: false,
    }
}

/// On first start, when no administrator exists, creates `admin` with a one-time password
/// that must be changed at the first sign-in. Returns the password to print once.
pub fn bootstrap_admin(conn: &mut DbConnection, now: DateTime<Utc>) -> AppResult<Option<String>> {
    let admins: i64 = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .count()
        .get_result(conn)?;
    if admins > 0 {
        return Ok(None);
    }
    let password = auth::random_password();
    let mut username = String::from("admin");
    let mut n = 1;
    while users::table
        .filter(users::username.eq(&username))
        .count()
        .get_result::<i64>(conn)?
        > 0
    {
        n += 1;
        username = format!("admin{n}");
    }
    create(
        conn,
        &system_admin(),
        &NewAccount {
            username: username.clone(),
            role: "admin".into(),
            port: String::new(),
            password: password.clone(),
            must_change_password: true,
        },
        now,
    )?;
    Ok(Some(format!("{username} / {password}")))
}

/// Changes the actor's own password after checking the current one, and ends the account's
/// other sessions (a kiosk left signed in elsewhere must not outlive the old password).
/// `keep_session` is the cookie value of the session making the change.
pub fn change_password(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &str,
    new: &str,
    repeat: &str,
    keep_session: &str,
) -> AppResult<()> {
    let user: User = users::table
        .find(actor.user_id)
        .select(User::as_select())
        .get_result(conn)?;
    let mut errors = FieldErrors::new();
    if !auth::verify_password(current, &user.password_hash) {
        errors.add("current", "this is not your current password");
    }
    if let Err(e) = auth::check_new_password(new) {
        errors.add("new", e);
    } else if new == current {
        errors.add("new", "choose a password different from the current one");
    }
    if new != repeat {
        errors.add("repeat", "the two new passwords differ");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let hash = auth::hash_password(new)?;
    transaction(conn, |conn| {
        diesel::update(users::table.find(user.id))
            .set((
                users::password_hash.eq(hash),
                users::must_change_password.eq(false),
            ))
            .execute(conn)?;
        diesel::delete(
            sessions::table
                .filter(sessions::user_id.eq(user.id))
                .filter(sessions::token_hash.ne(auth::secret_hash(keep_session))),
        )
        .execute(conn)?;
        // A changed password stops the programs that used the old account state: their
        // tokens must be issued again.
        diesel::update(
            api_tokens::table
                .filter(api_tokens::user_id.eq(user.id))
                .filter(api_tokens::revoked.eq(false)),
        )
        .set(api_tokens::revoked.eq(true))
        .execute(conn)?;
        Ok(())
    })
}

/// One account as listed for admins.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub user: User,
    pub port_code: Option<String>,
}

/// Every account, by username. Admins only.
pub fn list(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<AccountRow>> {
    use crate::db::schema::ports;
    actor.require_role(Role::Admin)?;
    let rows: Vec<(User, Option<String>)> = users::table
        .left_join(ports::table)
        .order(users::username.asc())
        .select((User::as_select(), ports::code.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user, port_code)| AccountRow { user, port_code })
        .collect())
}

/// Turns an account on or off; turning it off ends its sessions. Admins only, not themselves.
pub fn set_active(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: i64,
    active: bool,
) -> AppResult<()> {
    actor.require_role(Role::Admin)?;
    if user_id == actor.user_id && !active {
        return Err(AppError::Conflict(
            "you cannot turn off your own account".into(),
        ));
    }
    transaction(conn, |conn| {
        let changed = diesel::update(users::table.find(user_id))
            .set(users::active.eq(active))
            .execute(conn)?;
        if changed == 0 {
            return Err(AppError::NotFound("no such account".into()));
        }
        if !active {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
        }
        Ok(())
    })
}

/// Sets a new password for someone else, who must change it at the next sign-in. Admins
/// only. Whoever held the old password loses access with it: the account's sessions end and
/// its API tokens are revoked, in the same transaction.
pub fn reset_password(
    conn: &mut DbConnection,
    actor: &Actor,
    user_id: i64,
    password: &str,
) -> AppResult<()> {
    actor.require_role(Role::Admin)?;
    auth::check_new_password(password).map_err(|e| AppError::invalid("password", e))?;
    let hash = auth::hash_password(password)?;
    transaction(conn, |conn| {
        let changed = diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(hash),
                users::must_change_password.eq(true),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(AppError::NotFound("no such account".into()));
        }
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
        diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(user_id)))
            .set(api_tokens::revoked.eq(true))
            .execute(conn)?;
        Ok(())
    })
}
