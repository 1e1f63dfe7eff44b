//! Why a page could not be shown, as a type only: the error pages (`error.rs`) draw it.
//! Kept apart so that what the error pages depend on (the layout, the session, the assets)
//! can answer with it without importing the pages.

use crate::error::AppError;

/// Why a page could not be shown.
#[derive(Debug)]
pub enum WebError {
    /// An action's own answer.
    App(AppError),
    /// Nobody is signed in: to the sign-in page, then back to `next`.
    SignIn { next: String },
    /// Somewhere else first (e.g. the forced password change).
    Redirect(String),
    /// A form without the token of the session that showed it (403).
    Csrf,
}

/// Result of a page handler.
pub type WebResult<T> = Result<T, WebError>;

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebError::App(e) => write!(f, "{e}"),
            WebError::SignIn { next } => write!(f, "sign in first (then back to {next})"),
            WebError::Redirect(to) => write!(f, "redirect to {to}"),
            WebError::Csrf => f.write_str("the form's security token is missing or out of date"),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError::App(e)
    }
}
