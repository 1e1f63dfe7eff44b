//! Browser sessions, API tokens and the sign-in itself.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::{Actor, random_secret, secret_hash, verify_password};
use crate::db::models::User;
use crate::db::schema::{api_tokens, sessions, users};
use crate::db::{DbConnection, to_db};
use crate::error::{AppError, AppResult};

/// How long a kiosk stays signed in: one long shift.
pub const SESSION_HOURS: i64 = 14;

/// A new browser session: the cookie value and the form token that goes with it.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// A session found from its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub csrf_token: String,
}

/// The account a sign-in names, if any: one short query, so that the slow password check
/// that follows holds no database connection (see [`check_password`]).
pub fn find_account(conn: &mut DbConnection, username: &str) -> AppResult<Option<User>> {
    Ok(users::table
        .filter(users::username.eq(super::username_key(username)))
        .select(User::as_select())
        .get_result(conn)
        .optional()?)
}

/// Most password checks (argon2, 19 MiB and tens of milliseconds each) run at once in one
/// app ([`crate::AppState::password_checks`]); more wait their turn.
pub const CONCURRENT_PASSWORD_CHECKS: usize = 4;

/// Checks a password against the account found by [`find_account`]. Blocking (call it off
/// the async executor, without a database connection). The same answer, after the same
/// work, for an unknown name, a turned-off account and a wrong password.
pub fn check_password(user: Option<User>, password: &str) -> AppResult<User> {
    let matches = verify_password(
        password,
        user.as_ref()
            .map_or(dummy_hash(), |u| u.password_hash.as_str()),
    );
    match user {
        Some(user) if matches && user.active => Ok(user),
        _ => Err(AppError::invalid("password", "wrong username or password")),
    }
}

/// Checks a username and password in one call, on one connection (for tests and tools):
/// [`find_account`] then [`check_password`].
pub fn authenticate(conn: &mut DbConnection, username: &str, password: &str) -> AppResult<User> {
    let user = find_account(conn, username)?;
    check_password(user, password)
}

/// A real argon2id hash of a random string, only ever verified against to equalise timing.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| super::hash_password(&random_secret()).unwrap_or_default())
}

/// Starts a session for `user`.
pub fn start(conn: &mut DbConnection, user: &User, now: DateTime<Utc>) -> AppResult<NewSession> {
    let session = NewSession {
        token: random_secret(),
        csrf_token: random_secret(),
    };
    // Expired sessions are of no use to anyone: forget them as new ones start.
    diesel::delete(sessions::table.filter(sessions::expires_at.le(to_db(now)))).execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(secret_hash(&session.token)),
            sessions::user_id.eq(user.id),
            sessions::csrf_token.eq(&session.csrf_token),
            sessions::created_at.eq(to_db(now)),
            sessions::expires_at.eq(to_db(now + Duration::hours(SESSION_HOURS))),
        ))
        .execute(conn)?;
    Ok(session)
}

/// The session behind a cookie value, if it is current and its account active.
pub fn find(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Session>> {
    let found: Option<(String, User)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(secret_hash(token)))
        .filter(sessions::expires_at.gt(to_db(now)))
        .filter(users::active.eq(true))
        .select((sessions::csrf_token, User::as_select()))
        // One row at most (the hash is unique): no `LIMIT ?`, whose bound value makes
        // SQLite prepare the statement anew on every call (see `crate::db`, "Statements prepared once").
        .get_result(conn)
        .optional()?;
    Ok(found.map(|(csrf_token, user)| Session {
        actor: Actor::from_user(&user),
        csrf_token,
    }))
}

/// Ends a session.
pub fn end(conn: &mut DbConnection, token: &str) -> AppResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(secret_hash(token))))
        .execute(conn)?;
    Ok(())
}

/// Creates an API token for `username`; the token itself is returned once and never stored.
pub fn create_api_token(
    conn: &mut DbConnection,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let user_id = account_id(conn, username)?;
    let token = random_secret();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(secret_hash(&token)),
            api_tokens::user_id.eq(user_id),
            api_tokens::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The id of the account a typed username names.
fn account_id(conn: &mut DbConnection, username: &str) -> AppResult<i64> {
    users::table
        .filter(users::username.eq(super::username_key(username)))
        .select(users::id)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("no account named `{}`", username.trim())))
}

/// Revokes every API token of an account; returns how many were still in force.
pub fn revoke_api_tokens(conn: &mut DbConnection, username: &str) -> AppResult<usize> {
    let user_id = account_id(conn, username)?;
    Ok(diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked.eq(false)),
    )
    .set(api_tokens::revoked.eq(true))
    .execute(conn)?)
}

/// The account behind a bearer token, if the token is known, not revoked, and the account active.
pub fn find_api_token(conn: &mut DbConnection, token: &str) -> AppResult<Option<Actor>> {
    let query = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(secret_hash(token)))
        .filter(api_tokens::revoked.eq(false))
        .filter(users::active.eq(true));
    // Unique hash: no `LIMIT ?` (see `find`). Typed per backend: every API request runs it.
    let user: Option<User> = crate::db::on_backend!(conn, |c| query
        .select(User::as_select())
        .get_result(c)
        .optional())?;
    Ok(user.map(|u| Actor::from_user(&u)))
}
