//! Who is acting: accounts, passwords (argon2), browser sessions and API tokens.
//!
//! Secrets handed out (session cookies, API tokens, ticket status links) are 256-bit random
//! values. For sessions and API tokens only their SHA-256 is stored, so a copy of the
//! database does not let anyone in. A ticket's status link is stored as it is, because a
//! reprint must put the same link in its QR code; it opens only ticket numbers and counters.

pub mod sessions;
pub mod throttle;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::models::{Port, User};
use crate::error::{AppError, AppResult};

/// A username as typed, the way accounts are stored and looked up: trimmed and lower-cased,
/// so that `Maria` at the sign-in, on the command line or in a filter finds `maria`. The
/// one place this rule lives.
pub fn username_key(typed: &str) -> String {
    typed.trim().to_ascii_lowercase()
}

/// What an account may do. Officers and supervisors belong to one port; admins to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Registers walk-ins, checks in appointments, calls and serves at a counter.
    Officer,
    /// An officer who also imports appointments, sets the port's policy and reads reports.
    Supervisor,
    /// Manages ports and accounts everywhere.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Officer, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a role: choose officer, supervisor or admin"))
    }
}

/// The signed-in account behind a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub port_id: Option<i64>,
    pub must_change_password: bool,
}

impl Actor {
    /// The actor for a stored account.
    pub fn from_user(user: &User) -> Actor {
        Actor {
            user_id: user.id,
            username: user.username.clone(),
            role: Role::parse(&user.role).unwrap_or(Role::Officer),
            port_id: user.port_id,
            must_change_password: user.must_change_password,
        }
    }

    /// Admins act everywhere; officers and supervisors only at their own port.
    pub fn can_act_at(&self, port: &Port) -> bool {
        self.role == Role::Admin || self.port_id == Some(port.id)
    }

    /// 403 unless this actor may act at `port`.
    pub fn require_port(&self, port: &Port) -> AppResult<()> {
        if self.can_act_at(port) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "your account does not belong to port {}",
                port.code
            )))
        }
    }

    /// 403 unless this actor has at least `role` (officer < supervisor < admin).
    pub fn require_role(&self, role: Role) -> AppResult<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {} role; you are signed in as {}",
                role.as_str(),
                self.role.as_str()
            )))
        }
    }

    /// The account id to record as the actor; `None` for the command line's system actor.
    pub fn id(&self) -> Option<i64> {
        (self.user_id > 0).then_some(self.user_id)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches a stored PHC string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The rule for a new password, checked beside the field.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        Err("use at least 12 characters (a few words in a row are easy to remember)".into())
    } else if password.len() > 256 {
        Err("use at most 256 characters".into())
    } else {
        Ok(())
    }
}

/// A fresh 256-bit secret, hex-encoded.
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// A password a person can type from a log line once: 4 groups of 5 letters and digits,
/// without easily confused characters.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..5)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// What is stored for a secret: its SHA-256, hex.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn secrets_are_long_random_and_stored_hashed() {
        let a = random_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_secret());
        assert_ne!(secret_hash(&a), a);
        assert_eq!(random_password().len(), 23);
    }

    #[test]
    fn officers_rank_below_supervisors_below_admins() {
        assert!(Role::Officer < Role::Supervisor && Role::Supervisor < Role::Admin);
        assert!(Role::parse("boss").is_err());
    }
}
