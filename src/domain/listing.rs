//! A whole listing, as it arrives from the demo generator or an import: the
//! organisation, its venues and its services with their schedules and contacts.

use chrono::{NaiveDate, NaiveDateTime};

use super::directory::{OrganisationKind, VenueAccess};
use super::ids::{ContactId, LocationId, OrganisationId, ServiceId, UserId};
use super::schedule::Schedule;
use super::service_form::ServiceInput;

#[derive(Clone, Debug, PartialEq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub description: String,
    pub kind: OrganisationKind,
    pub charity_number: Option<String>,
    pub company_number: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    pub id: LocationId,
    pub organisation: Option<OrganisationId>,
    pub name: String,
    pub address_1: String,
    pub address_2: Option<String>,
    pub town: String,
    pub postcode: String,
    pub latitude: f64,
    pub longitude: f64,
    pub small_area: Option<String>,
    /// Never published: a refuge's address.
    pub confidential: bool,
    /// A hub, library or centre where people can walk in and ask about anything.
    pub entry_point: bool,
    /// Where it can be written to, not a place people go: a register's
    /// charity is known only by its contact address. It places the service
    /// roughly (for nearness in search) and is shown as a contact address.
    pub postal: bool,
    pub access: VenueAccess,
}

impl Location {
    /// A place people go whose address may be shown: neither a refuge's
    /// nor a contact address.
    pub fn is_public_venue(&self) -> bool {
        !self.confidential && !self.postal
    }

    /// Its address on one line: "1 Church Lane, Sale, M33 7XX".
    pub fn address_line(&self) -> String {
        [
            Some(self.address_1.as_str()),
            self.address_2.as_deref(),
            Some(self.town.as_str()),
            Some(self.postcode.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// They agreed to be named on the public page (and in the open data).
    /// A contact who has not agreed is seen only by those who keep the listing.
    pub shown: bool,
}

/// A phone number beyond a service's main one, with what it is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    pub number: String,
    pub description: Option<String>,
}

/// What listings from other directories carry besides the form's fields,
/// kept as they came: the service form leaves them as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// Opening times in words that could not be read as a schedule.
    pub hours_text: Option<String>,
    /// The named areas it serves, when its area is `ServiceArea::Region`.
    pub regions: Vec<String>,
    /// Phone numbers after the main one.
    pub phones: Vec<Phone>,
    /// Terms of another taxonomy that map to none of our needs: words search finds.
    pub keywords: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub id: ServiceId,
    pub details: ServiceInput,
    pub locations: Vec<LocationId>,
    pub schedules: Vec<Schedule>,
    pub contacts: Vec<Contact>,
    /// When the capacity was last said.
    pub capacity_said_on: Option<NaiveDate>,
    pub last_verified_at: Option<NaiveDateTime>,
    pub last_verified_by: Option<UserId>,
    pub extras: Extras,
}
