//! Open Referral: the data standard other directories publish and read. HSDS
//! 3.0 and its UK profile, ORUK 3.0 (see `../shared/standards/openreferral`).
//!
//! - `hsds`: the records as JSON, written and read with serde;
//! - `query`: the list endpoints' filters, read and checked;
//! - `package`: the same records as HSDS's CSV files;
//! - `publish`: a listing as the standard writes it.
//!
//! Two taxonomies are published: our needs (each need a term, with its stable
//! id and a page at `/needs/{slug}`), and the facts about a listing that HSDS
//! has no field for (how it is delivered, whether it is taking new people,
//! whether a place is a local entry point).

pub mod hsds;
pub mod package;
pub mod publish;
pub mod query;

use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

use super::directory::{Capacity, DeliveryMode};
use super::ids::{ScheduleId, ServiceAtLocationId, ServiceId};
use super::listing::{Contact, Extras, Location, Organisation};
use super::schedule::Schedule;
use super::service_form::ServiceInput;

/// What `GET /` declares: the ORUK validator reads the profile's version from it.
pub const VERSION: &str = "HSDS-UK-3.0";
pub const PROFILE: &str = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md";
pub const OPENAPI_URL: &str = "https://openreferraluk.org/specifications/3.0/openapi.json";

/// An id made from a name: the same name always gives the same id, so
/// records that are part of another (an address, a language, a tag) keep
/// their ids from one export to the next.
pub fn derived_id(name: &str) -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("doorstep:{name}").as_bytes())
}

/// The needs taxonomy's id.
pub fn needs_taxonomy_id() -> Uuid {
    derived_id("taxonomy:needs")
}

/// The listing facts taxonomy's id.
pub fn facts_taxonomy_id() -> Uuid {
    derived_id("taxonomy:facts")
}

/// A fact about a listing that HSDS has no field for, published as a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    Delivery(DeliveryMode),
    Capacity(Capacity),
    /// A place where people can walk in and ask about anything.
    EntryPoint,
}

impl Fact {
    /// Every fact, in the order they are listed.
    pub fn all() -> Vec<Fact> {
        let mut all: Vec<Fact> = DeliveryMode::ALL.iter().map(|&m| Fact::Delivery(m)).collect();
        all.extend(Capacity::ALL.iter().map(|&c| Fact::Capacity(c)));
        all.push(Fact::EntryPoint);
        all
    }

    /// The term's code, like `delivery:phone`.
    pub fn code(self) -> String {
        match self {
            Fact::Delivery(mode) => format!("delivery:{}", mode.code()),
            Fact::Capacity(capacity) => format!("capacity:{}", capacity.code()),
            Fact::EntryPoint => "place:entry_point".to_string(),
        }
    }

    pub fn from_code(code: &str) -> Option<Fact> {
        Fact::all().into_iter().find(|f| f.code() == code)
    }

    pub fn id(self) -> Uuid {
        derived_id(&format!("fact:{}", self.code()))
    }

    pub fn label(self) -> String {
        match self {
            Fact::Delivery(mode) => format!("Delivered: {}", mode.label().to_lowercase()),
            Fact::Capacity(capacity) => capacity.label().to_string(),
            Fact::EntryPoint => "A local entry point".to_string(),
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Fact::Delivery(_) => "How the service reaches people.",
            Fact::Capacity(_) => "Whether the service can take new people, as it last said.",
            Fact::EntryPoint => {
                "A hub, library or centre where people can walk in and get help with anything."
            }
        }
    }
}

/// A venue a service meets at, as published: never a confidential one.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicPlace {
    pub service_at_location: ServiceAtLocationId,
    pub location: Location,
}

/// A schedule with its id and notes, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredSchedule {
    pub id: ScheduleId,
    pub schedule: Schedule,
    pub notes: Option<String>,
}

/// Everything published about one service, as the store reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRecord {
    pub id: ServiceId,
    pub details: ServiceInput,
    pub organisation: Organisation,
    /// Its public venues only.
    pub places: Vec<PublicPlace>,
    pub schedules: Vec<StoredSchedule>,
    pub contacts: Vec<Contact>,
    pub extras: Extras,
    /// The names of the neighbourhoods it serves, when it serves chosen ones.
    pub neighbourhoods: Vec<String>,
    pub last_verified_at: Option<NaiveDateTime>,
    pub capacity_said_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}
