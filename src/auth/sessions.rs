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

/// Checks a username and password; the same answer for an unknown name and a wrong password.
pub fn authenticate(conn: &mut DbConnection, username: &str, password: &str) -> AppResult<User> {
    let user: Option<User> = users::table
        .filter(users::username.eq(username.trim()))
        .select(User::as_select())
        .first(conn)
        .optional()?;
    match user {
        Some(user) if user.active && verify_password(password, &user.password_hash) => Ok(user),
        Some(_) => Err(AppError::invalid("password", "wrong username or password")),
        None => {
            // Spend the same time as a real check, so the answer does not tell which names exist.
            let _ = verify_password(password, dummy_hash());
            Err(AppError::invalid("password", "wrong username or password"))
        }
    }
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
        .first(conn)
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
    let user_id: i64 = users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("no account named `{username}`")))?;
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

/// The account behind a bearer token, if the token is known, not revoked, and the account active.
pub fn find_api_token(conn: &mut DbConnection, token: &str) -> AppResult<Option<Actor>> {
    let user: Option<User> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(secret_hash(token)))
        .filter(api_tokens::revoked.eq(false))
        .filter(users::active.eq(true))
        .select(User::as_select())
        .first(conn)
        .optional()?;
    Ok(user.map(|u| Actor::from_user(&u)))
}
