//! One error type for every action, rendered as a page for people and as JSON for programs
//! (docs/design/interfaces.md: `{"error": {"message", "fields"}}` with 400, 401, 403, 404, 409, 422).

use portqueue_core::FieldErrors;

/// Why an action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// One or more fields are invalid (422); each message names the field and the rule.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The request could not be read at all (400).
    #[error("{0}")]
    BadRequest(String),
    /// Nobody is signed in, or the token is unknown (401).
    #[error("sign in first")]
    Unauthorized,
    /// Signed in, but this role or port may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such thing here (404).
    #[error("{0}")]
    NotFound(String),
    /// Not allowed in the present state (409).
    #[error("{0}")]
    Conflict(String),
    /// Something broke on our side (500); the detail goes to the log, not to the user.
    #[error("something went wrong on our side; it has been logged")]
    Internal(String),
    /// Too much of one kind of work is running (503); answered with `Retry-After`.
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_seconds: u32,
    },
}

impl AppError {
    /// The HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::Internal(_) => 500,
            AppError::Busy { .. } => 503,
        }
    }

    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(FieldErrors::single(field, message))
    }

    /// Seconds to wait before trying again, for the `Retry-After` header.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            AppError::Busy {
                retry_after_seconds,
                ..
            } => Some(*retry_after_seconds),
            _ => None,
        }
    }

    /// The field errors, if any.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(fields) => Some(fields),
            _ => None,
        }
    }

    /// The message shown to the user.
    pub fn message(&self) -> String {
        match self {
            AppError::Invalid(_) => "some fields need a look".into(),
            other => other.to_string(),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

/// What a request refused because the database was busy is told to wait.
pub const BUSY_RETRY_AFTER_SECONDS: u32 = 5;

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound("not found".into()),
            // SQLite's write lock still held by another process after the busy timeout
            // (SQLITE_BUSY), or a PostgreSQL transaction that lost a race: nothing was
            // written, and the same request a little later will go through.
            Error::DatabaseError(kind, info)
                if kind == DatabaseErrorKind::SerializationFailure
                    || info.message().starts_with("database is locked") =>
            {
                log::warn!("database busy: {}", info.message());
                AppError::Busy {
                    message: "the database is busy with other work; nothing was changed, \
                              try again in a few seconds"
                        .into(),
                    retry_after_seconds: BUSY_RETRY_AFTER_SECONDS,
                }
            }
            other => {
                let message = with_causes(&other);
                log::error!("database error: {message}");
                AppError::Internal(message)
            }
        }
    }
}

/// An error and its causes on one line: diesel says only which field it could not read,
/// its cause says what was stored there.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    message.replace('\n', " ")
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        log::error!("database pool: {e}");
        AppError::Internal(e.to_string())
    }
}

/// Result of an action.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn database_error(kind: DatabaseErrorKind, message: &str) -> AppError {
        AppError::from(Error::DatabaseError(kind, Box::new(message.to_owned())))
    }

    #[test]
    fn a_locked_database_is_busy_with_a_retry_time_and_other_database_errors_are_ours() {
        for busy in [
            database_error(DatabaseErrorKind::Unknown, "database is locked"),
            database_error(
                DatabaseErrorKind::SerializationFailure,
                "could not serialize access",
            ),
        ] {
            assert_eq!(busy.status(), 503);
            assert_eq!(busy.retry_after(), Some(BUSY_RETRY_AFTER_SECONDS));
            assert!(busy.message().contains("nothing was changed"));
        }
        let broken = database_error(DatabaseErrorKind::Unknown, "no such table: entries");
        assert_eq!(broken.status(), 500);
        assert_eq!(broken.retry_after(), None);
    }
}
