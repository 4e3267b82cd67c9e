//! Staff accounts: roles, what each role may do, and password hashing.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

use super::ids::{NeighbourhoodId, OrganisationId, UserId};

/// What a staff member does, and so what they may see and change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Users, roles, the taxonomy, imports and boundaries.
    Administrator,
    /// Keeps the listings of given neighbourhoods true.
    Connector,
    /// Signposts callers at the front door.
    Advisor,
    /// Keeps their own organisation's listings up to date.
    OrganisationEditor,
}

impl Role {
    pub const ALL: &'static [Role] =
        &[Role::Administrator, Role::Connector, Role::Advisor, Role::OrganisationEditor];

    /// The code stored in the database and typed on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Connector => "connector",
            Role::Advisor => "advisor",
            Role::OrganisationEditor => "organisation_editor",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Role::ALL.iter().copied().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Connector => "Community connector",
            Role::Advisor => "Advisor",
            Role::OrganisationEditor => "Organisation editor",
        }
    }
}

/// A signed-in member of staff, with what their role is scoped to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// For an organisation editor: the organisation they edit.
    pub organisation: Option<OrganisationId>,
    /// For a connector: the neighbourhoods they look after.
    pub neighbourhoods: Vec<NeighbourhoodId>,
}

impl StaffUser {
    /// Whether this person may add or change a listing of `organisation` whose
    /// venues lie in `neighbourhoods` (empty for a listing with no venue in any
    /// neighbourhood: phone, online or borough-wide).
    pub fn may_edit_listing(&self, organisation: OrganisationId, neighbourhoods: &[NeighbourhoodId]) -> bool {
        match self.role {
            Role::Administrator => true,
            Role::Advisor => false,
            Role::OrganisationEditor => self.organisation == Some(organisation),
            Role::Connector => self.looks_after(neighbourhoods),
        }
    }

    /// Whether this person keeps listings in `neighbourhoods` (empty for a
    /// listing in none): an administrator everywhere; a connector when one of
    /// them is theirs, or there are none.
    pub fn looks_after(&self, neighbourhoods: &[NeighbourhoodId]) -> bool {
        match self.role {
            Role::Administrator => true,
            Role::Connector => {
                neighbourhoods.is_empty() || neighbourhoods.iter().any(|n| self.neighbourhoods.contains(n))
            }
            Role::Advisor | Role::OrganisationEditor => false,
        }
    }

    /// Whether this person keeps the directory: adds organisations and
    /// venues, archives listings, and (later) approves others' changes.
    /// Connectors and administrators.
    pub fn keeps_listings(&self) -> bool {
        matches!(self.role, Role::Administrator | Role::Connector)
    }

    /// Whether this person moderates a network of `neighbourhood` (none for
    /// a place-based network): an administrator everywhere; a connector in
    /// the neighbourhoods they look after, and in the place-based networks.
    pub fn moderates(&self, neighbourhood: Option<NeighbourhoodId>) -> bool {
        match neighbourhood {
            Some(n) => self.looks_after(&[n]),
            None => self.keeps_listings(),
        }
    }

    /// Whether this person may change an organisation's own details: those
    /// who keep the directory, and the organisation's own editor.
    pub fn may_edit_organisation(&self, organisation: OrganisationId) -> bool {
        self.keeps_listings() || self.only_organisation() == Some(organisation)
    }

    /// Whether this person may change a venue of `organisation` (if it has
    /// one) in `neighbourhood` (if it is in one): an administrator; a
    /// connector for a venue in their neighbourhoods or in none; an
    /// organisation editor for their own organisation's venues.
    pub fn may_edit_venue(
        &self,
        organisation: Option<OrganisationId>,
        neighbourhood: Option<NeighbourhoodId>,
    ) -> bool {
        match self.role {
            Role::Administrator => true,
            Role::Advisor => false,
            Role::OrganisationEditor => organisation.is_some() && self.organisation == organisation,
            Role::Connector => neighbourhood.is_none_or(|n| self.neighbourhoods.contains(&n)),
        }
    }

    /// Whether this person may see a confidential address, such as a refuge's.
    /// Connectors and administrators keep the listings, so they must; nobody
    /// else is shown it.
    pub fn may_see_confidential(&self) -> bool {
        matches!(self.role, Role::Administrator | Role::Connector)
    }

    /// Whether this person signposts citizens (and so sees the workspace and dashboard).
    pub fn signposts(&self) -> bool {
        self.role != Role::OrganisationEditor
    }

    /// Whether this person may open a contact at the front door that `advisor`
    /// started: their own, or any for an administrator.
    pub fn may_open_contact(&self, advisor: UserId) -> bool {
        self.signposts() && (advisor == self.id || self.role == Role::Administrator)
    }

    /// The one organisation this person may list services for, when they are
    /// limited to one (an organisation editor); `None` when not limited.
    pub fn only_organisation(&self) -> Option<OrganisationId> {
        (self.role == Role::OrganisationEditor).then_some(self.organisation).flatten()
    }

    /// Whether this person may rename neighbourhoods and move small areas
    /// between them: administrators only.
    pub fn manages_neighbourhoods(&self) -> bool {
        self.role == Role::Administrator
    }

    /// Whether this person may invite colleagues and change, disable and
    /// reset their accounts: administrators only.
    pub fn manages_accounts(&self) -> bool {
        self.role == Role::Administrator
    }

    /// Whether this person may import listings and follow other areas'
    /// feeds: administrators only.
    pub fn manages_imports(&self) -> bool {
        self.role == Role::Administrator
    }

    /// Whether this person edits listings at all (and so sees the edit links).
    pub fn edits_listings(&self) -> bool {
        self.role != Role::Advisor
    }
}

/// An account as an administrator types it: inviting a colleague, or
/// changing their role, neighbourhoods and organisation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountForm {
    pub name: String,
    pub email: String,
    pub role: String,
    /// For an organisation editor: their organisation's id.
    pub organisation: String,
    /// For a connector: the ids of the neighbourhoods they look after.
    pub neighbourhoods: Vec<String>,
}

/// A checked account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInput {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organisation: Option<OrganisationId>,
    pub neighbourhoods: Vec<NeighbourhoodId>,
}

impl AccountForm {
    /// Checks the form; `neighbourhoods` are those that may be chosen.
    pub fn check(
        &self,
        neighbourhoods: &[NeighbourhoodId],
    ) -> Result<AccountInput, super::text::FieldErrors> {
        use super::text;
        let mut errors = text::FieldErrors::default();
        let name = errors.take("name", text::required_line(&self.name, "their name"));
        let email = errors.take(
            "email",
            text::email(&self.email).and_then(|e| e.ok_or_else(|| String::from("Enter their email address"))),
        );
        let role = errors.take(
            "role",
            Role::from_code(self.role.trim()).ok_or_else(|| String::from("Choose what they do")),
        );
        let organisation = match (role, self.organisation.trim()) {
            (Some(Role::OrganisationEditor), "") => {
                errors.add("organisation", "Choose the organisation whose listings they keep");
                None
            }
            (Some(Role::OrganisationEditor), id) => errors
                .take(
                    "organisation",
                    id.parse::<OrganisationId>()
                        .map_err(|_| String::from("Choose the organisation from the list")),
                )
                .map(Some),
            _ => Some(None),
        };
        let mut chosen = Vec::new();
        if role == Some(Role::Connector) {
            for id in self.neighbourhoods.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                match id.parse::<NeighbourhoodId>().ok().filter(|n| neighbourhoods.contains(n)) {
                    Some(hood) if !chosen.contains(&hood) => chosen.push(hood),
                    Some(_) => {}
                    None => errors.add("neighbourhoods", "Choose each neighbourhood from the list"),
                }
            }
        }
        match (name, email, role, organisation) {
            (Some(name), Some(email), Some(role), Some(organisation)) if errors.is_empty() => {
                Ok(AccountInput { name, email, role, organisation, neighbourhoods: chosen })
            }
            _ => Err(errors),
        }
    }
}

/// What a one-time link to choose a password is for, and how long it lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A colleague invited to a new account.
    Invitation,
    /// A password reset an administrator sent.
    Reset,
}

impl LinkPurpose {
    pub fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [LinkPurpose::Invitation, LinkPurpose::Reset].into_iter().find(|p| p.code() == code)
    }

    /// How long the link may be used.
    pub fn lasts_hours(self) -> i64 {
        match self {
            LinkPurpose::Invitation => 7 * 24,
            LinkPurpose::Reset => 24,
        }
    }
}

/// Checks a new password and its repeat: the hash to keep, or the problems.
pub fn choose_password(password: &str, again: &str) -> Result<String, super::text::FieldErrors> {
    let mut errors = super::text::FieldErrors::default();
    if password != again {
        errors.add("again", "Enter the same password twice");
        return Err(errors);
    }
    match hash_password(password) {
        Ok(hash) => Ok(hash),
        Err(problem) => {
            let message = match problem {
                PasswordError::TooShort => {
                    format!("Enter a password of at least {MIN_PASSWORD_LENGTH} characters")
                }
                PasswordError::TooLong => String::from("Enter a password of at most 200 characters"),
                PasswordError::Hashing => String::from("The password could not be kept: try another"),
            };
            errors.add("password", message);
            Err(errors)
        }
    }
}

/// Why a password was refused when an account was made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_PASSWORD_LENGTH} characters long")]
    TooShort,
    #[error("the password must be at most 200 characters long")]
    TooLong,
    #[error("the password could not be hashed")]
    Hashing,
}

pub const MIN_PASSWORD_LENGTH: usize = 10;

/// Hashes a new password with argon2id and a random salt, after checking its
/// length (the National Cyber Security Centre's advice: length over rules).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if length > 200 {
        return Err(PasswordError::TooLong);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Whether `password` matches a stored argon2 hash. A malformed hash matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash that matches no password, checked against when an email is unknown so
/// that a wrong email takes as long to refuse as a wrong password.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Xb0dTtl3ZtG3ZVbJIV1FJwUbXJ0r5f4gY5VJm7E6xg"
}

/// A random token for sessions and forms: 32 bytes from the operating system, as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// HMAC-SHA256, under `key`, of `parts` (each preceded by its length, so
/// that no two lists of parts run together the same), as hexadecimal: the
/// one keyed hash behind form tokens and unsubscribe links.
pub fn keyed_hash(key: &[u8], parts: &[&str]) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key) else { return String::new() };
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex(&mac.finalize().into_bytes())
}

/// Whether two secrets are the same, taking as long whatever they hold.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Bytes written as lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batter", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", decoy_hash()));
        assert!(PasswordHash::new(decoy_hash()).is_ok(), "the decoy is a well-formed hash");
        assert_eq!(hash_password("short"), Err(PasswordError::TooShort));
    }

    #[test]
    fn roles_scope_who_edits_what() {
        let org = OrganisationId::new();
        let other_org = OrganisationId::new();
        let ours = NeighbourhoodId::new();
        let theirs = NeighbourhoodId::new();
        let user = |role, organisation, neighbourhoods| StaffUser {
            id: UserId::new(),
            email: "a@example.org".into(),
            name: "A".into(),
            role,
            organisation,
            neighbourhoods,
        };
        let admin = user(Role::Administrator, None, vec![]);
        let connector = user(Role::Connector, None, vec![ours]);
        let advisor = user(Role::Advisor, None, vec![]);
        let editor = user(Role::OrganisationEditor, Some(org), vec![]);
        assert!(admin.may_edit_listing(other_org, &[theirs]));
        assert!(connector.may_edit_listing(other_org, &[ours, theirs]));
        assert!(connector.may_edit_listing(other_org, &[]), "borough-wide listings");
        assert!(!connector.may_edit_listing(other_org, &[theirs]));
        assert!(!advisor.may_edit_listing(org, &[]));
        assert!(editor.may_edit_listing(org, &[theirs]));
        assert!(!editor.may_edit_listing(other_org, &[]));
        assert_eq!(Role::from_code("organisation_editor"), Some(Role::OrganisationEditor));
    }

    #[test]
    fn tokens_are_long_and_different() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
