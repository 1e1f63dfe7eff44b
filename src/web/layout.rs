//! What every page's frame needs: who is signed in, at which port, and which links the
//! navigation may show for that role.

use crate::auth::Role;
use crate::db::models::Port;

use super::assets;
use super::session::SignedIn;

/// The frame of a page (`templates/base.html`).
#[derive(Debug, Clone)]
pub struct Layout {
    pub user: Option<NavUser>,
    /// Which navigation link is the current page (`aria-current`).
    pub current: &'static str,
    /// Appended to asset URLs so a new build is fetched at once despite long caching.
    pub asset_version: &'static str,
}

/// The signed-in account, as the navigation shows it.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub username: String,
    pub role: &'static str,
    /// The form token for the sign-out button.
    pub csrf: String,
    /// The port the page is about (an officer's own port, or the one an admin looks at).
    pub port: Option<NavPort>,
    pub is_supervisor: bool,
    pub is_admin: bool,
    /// Whether the account must choose a new password before anything else.
    pub must_change_password: bool,
}

/// A port in the navigation.
#[derive(Debug, Clone)]
pub struct NavPort {
    pub code: String,
    pub name: String,
    /// The counter this browser last worked at, if any.
    pub counter: Option<u32>,
}

impl Layout {
    /// The frame for someone not signed in (sign-in and error pages).
    pub fn anonymous() -> Layout {
        Layout {
            user: None,
            current: "",
            asset_version: assets::version(),
        }
    }

    /// The frame for a signed-in account, about `port` (or the account's own port).
    pub fn new(signed: &SignedIn, port: Option<&Port>, current: &'static str) -> Layout {
        let actor = &signed.actor;
        let port = port.or(signed.home_port.as_ref()).map(|p| NavPort {
            code: p.code.clone(),
            name: p.name.clone(),
            counter: signed.counter,
        });
        Layout {
            user: Some(NavUser {
                username: actor.username.clone(),
                role: actor.role.as_str(),
                csrf: signed.csrf.clone(),
                port,
                is_supervisor: actor.role >= Role::Supervisor,
                is_admin: actor.role == Role::Admin,
                must_change_password: actor.must_change_password,
            }),
            current,
            asset_version: assets::version(),
        }
    }

    /// The sign-out form's token, or empty when nobody is signed in.
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }
}
