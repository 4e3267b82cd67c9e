//! The vocabulary of a listing: the closed lists a service, organisation or
//! location chooses from. Each value has a stable code (stored and exported)
//! and a plain-English label (shown).

use serde::{Deserialize, Serialize};

/// Declares an enum whose values are stored as short codes and shown as labels.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            /// Every value, in the order they are offered.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code stored in the database and used in URLs and exports.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// The plain-English label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            /// The value for a stored code, if it is one.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use choice;

choice! {
    /// What sort of body an organisation is.
    OrganisationKind {
        Charity = "charity", "Registered charity";
        Cic = "cic", "Community interest company";
        FaithGroup = "faith_group", "Faith group";
        CommunityGroup = "community_group", "Community group";
        SocialEnterprise = "social_enterprise", "Social enterprise";
        PublicBody = "public_body", "Public body";
        MutualAid = "mutual_aid", "Mutual aid group";
    }
}

choice! {
    /// Whether a service is running.
    ServiceStatus {
        Active = "active", "Running";
        TemporarilyClosed = "temporarily_closed", "Temporarily closed";
        Inactive = "inactive", "Not running at the moment";
        Defunct = "defunct", "Closed for good";
    }
}

choice! {
    /// How a person gets to use a service.
    ReferralRoute {
        DropIn = "drop_in", "Just turn up";
        SelfReferral = "self", "Contact them yourself";
        Professional = "professional", "Needs a referral from a professional";
    }
}

choice! {
    /// What a service costs.
    CostKind {
        Free = "free", "Free";
        Donation = "donation", "Free, donations welcome";
        Paid = "paid", "There is a charge";
        /// As a listing from elsewhere may be: never taken to be free.
        Unknown = "unknown", "Cost not stated";
    }
}

choice! {
    /// How a service reaches people.
    DeliveryMode {
        InPerson = "in_person", "In person";
        Phone = "phone", "By phone";
        Online = "online", "Online";
        HomeVisit = "home_visit", "Comes to your home";
    }
}

choice! {
    /// Where a service is offered.
    ServiceArea {
        Local = "local", "Near its venues";
        Radius = "radius", "Within a distance of its venues";
        Neighbourhoods = "neighbourhoods", "Chosen neighbourhoods";
        Borough = "borough", "The whole borough";
        /// Named areas wider or other than ours, such as a county or a list
        /// of districts (kept with the listing).
        Region = "region", "The areas it names";
        National = "national", "Anywhere in the country";
    }
}

choice! {
    /// Whether a service can take new people, as last said.
    Capacity {
        Taking = "taking", "Taking new people";
        WaitingList = "waiting_list", "Waiting list";
        Full = "full", "Full";
    }
}

impl ServiceStatus {
    /// Whether the public should see the service as something they can use.
    pub fn is_running(self) -> bool {
        self == ServiceStatus::Active
    }
}

/// Venue facts a disabled visitor needs before they set out. `None` means
/// nobody has said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueAccess {
    pub step_free: Option<bool>,
    pub accessible_toilet: Option<bool>,
    pub hearing_loop: Option<bool>,
    pub parking: Option<bool>,
    /// Buses, trams or trains nearby, in words.
    pub public_transport: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_its_value() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::from_code(kind.code()), Some(*kind));
        }
        for mode in DeliveryMode::ALL {
            assert_eq!(DeliveryMode::from_code(mode.code()), Some(*mode));
        }
        assert_eq!(ReferralRoute::from_code("self"), Some(ReferralRoute::SelfReferral));
        assert_eq!(Capacity::from_code("nonsense"), None);
    }
}
