//! Typed ids. Every record is named by a UUID (Open Referral asks for them), and
//! each kind of record has its own type so that a service id cannot be passed
//! where an organisation id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Text that is not an id in its one written form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an id: ids are written as 36 lower-case hexadecimal digits and hyphens")]
pub struct NotAnId;

/// Reads a UUID only in the form ids are written in (lower case, hyphenated,
/// no braces or `urn:uuid:`), so that each record has one address.
fn canonical(text: &str) -> Result<Uuid, NotAnId> {
    let uuid = Uuid::try_parse(text).map_err(|_| NotAnId)?;
    let mut written = Uuid::encode_buffer();
    if uuid.hyphenated().encode_lower(&mut written) == text { Ok(uuid) } else { Err(NotAnId) }
}

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        // Read through `TryFrom<String>`, so that a path or a form names a
        // record only in its one written form.
        #[serde(try_from = "String", into = "String")]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl $name {
            /// A deterministic id, for generated data that must be the same on every run.
            pub fn from_seed(n: u128) -> Self {
                Self(Uuid::from_u128(n))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = NotAnId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                canonical(s).map(Self)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        impl TryFrom<String> for $name {
            type Error = NotAnId;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    )*};
}

typed_id! {
    /// An organisation: a charity, group, faith group or public body.
    OrganisationId;
    /// A service: the unit that is searched and signposted.
    ServiceId;
    /// A place where services happen.
    LocationId;
    /// The link between a service and one of its locations.
    ServiceAtLocationId;
    /// One recurring or one-off pattern of sessions.
    ScheduleId;
    /// A named contact for a service or organisation.
    ContactId;
    /// A term of the needs taxonomy.
    NeedId;
    /// One contact at the front door, as signposting records it.
    SignpostContactId;
    /// A neighbourhood of 4,000 to 5,000 residents.
    NeighbourhoodId;
    /// A staff account.
    UserId;
    /// An import asked for on the staff page.
    ImportId;
    /// Another area's Open Referral feed, followed here.
    NeighbourFeedId;
    /// A change or a new listing waiting for a connector to approve it, or a
    /// suggestion in words.
    ProposalId;
    /// A neighbourhood network, or a place-based one (the whole area, a theme).
    NetworkId;
    /// A member of the neighbourhood networks: anyone who joined with an email address.
    MemberId;
    /// A conversation in a network: a title, an opening post and replies.
    ThreadId;
    /// One post: a thread's opening post or a reply.
    PostId;
    /// An event in a network, once or repeating.
    EventId;
    /// A short notice about a service.
    NoticeId;
    /// A feed, calendar or forum a network follows.
    SourceId;
}

impl NeedId {
    /// A deterministic id derived from a need's slug, so that the taxonomy keeps
    /// its ids when it is loaded again from `seeds/needs.toml`.
    pub fn from_slug(slug: &str) -> Self {
        Self(Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("doorstep:need:{slug}").as_bytes()))
    }
}

impl ServiceAtLocationId {
    /// The link between a service and one of its venues: the same pair always
    /// has the same id, so an export read back in names it as before.
    pub fn of(service: ServiceId, location: LocationId) -> Self {
        Self(Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("doorstep:service-at-location:{service}:{location}").as_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = ServiceId::new();
        assert_eq!(id.to_string().parse::<ServiceId>().ok(), Some(id));
        assert!("not-a-uuid".parse::<ServiceId>().is_err());
    }

    #[test]
    fn only_the_written_form_of_an_id_is_read() {
        let written = "d0052000-0000-0000-0000-0000000000c3";
        assert!(written.parse::<ServiceId>().is_ok());
        for other in [
            "D0052000-0000-0000-0000-0000000000C3",
            "{d0052000-0000-0000-0000-0000000000c3}",
            "urn:uuid:d0052000-0000-0000-0000-0000000000c3",
            "d00520000000000000000000000000c3",
            " d0052000-0000-0000-0000-0000000000c3",
        ] {
            assert_eq!(other.parse::<ServiceId>(), Err(NotAnId), "{other}");
        }
    }

    #[test]
    fn need_ids_are_stable_for_a_slug() {
        assert_eq!(NeedId::from_slug("loneliness"), NeedId::from_slug("loneliness"));
        assert_ne!(NeedId::from_slug("loneliness"), NeedId::from_slug("debt"));
    }
}
