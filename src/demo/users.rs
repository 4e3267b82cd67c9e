//! The demo's staff accounts: an administrator, a connector, an advisor and,
//! when there are services, an editor for the first service's organisation.

use super::USER_IDS;
use crate::domain::accounts::Role;
use crate::domain::ids::{OrganisationId, UserId};

/// A demo staff account. Its password is chosen when the demo is seeded.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation: Option<OrganisationId>,
}

/// The connector's number among the accounts.
const CONNECTOR: u128 = 2;

/// The demo's connector, who last checked every generated service.
pub(super) fn connector() -> UserId {
    UserId::from_seed(USER_IDS + CONNECTOR)
}

pub(super) fn demo_users(editor_org: Option<OrganisationId>) -> Vec<DemoUser> {
    let user = |n: u128, email: &str, name: &str, role: Role, organisation| DemoUser {
        id: UserId::from_seed(USER_IDS + n),
        email: email.into(),
        name: name.into(),
        role,
        organisation,
    };
    let mut users = vec![
        user(1, "admin@kingsmere.example.org", "Alex Morgan", Role::Administrator, None),
        user(CONNECTOR, "connector@kingsmere.example.org", "Sam Okafor", Role::Connector, None),
        user(3, "advisor@kingsmere.example.org", "Jo Lindqvist", Role::Advisor, None),
    ];
    if let Some(org) = editor_org {
        users.push(user(
            4,
            "editor@kingsmere.example.org",
            "Pat Reilly",
            Role::OrganisationEditor,
            Some(org),
        ));
    }
    users
}
