//! What differs between a stored record and the same record as it comes in,
//! named as the report says it: nothing when the source has not changed it,
//! so that a feed read twice changes nothing.

use crate::domain::listing::{Location, Organisation, Service};
use crate::domain::service_form::changed_fields;

/// The fields of a service that differ, in the form's names and then the rest.
pub fn service_changes(before: &Service, after: &Service) -> Vec<String> {
    // Needs are a set: the order they were given in is not a change.
    let fields = |details: &crate::domain::service_form::ServiceInput| {
        let mut details = details.clone();
        details.needs.sort();
        details.history_fields()
    };
    let mut changed: Vec<String> = changed_fields(&fields(&before.details), &fields(&after.details))
        .into_iter()
        .map(|(field, ..)| field.to_string())
        .collect();
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    let venues = |s: &Service| sorted(s.locations.iter().map(ToString::to_string).collect());
    let schedules = |s: &Service| sorted(s.schedules.iter().map(|p| p.id_within(s.id).to_string()).collect());
    let contacts = |s: &Service| {
        let mut all = s.contacts.clone();
        all.sort_by_key(|c| c.id);
        all
    };
    let checks = [
        ("venues", venues(before) != venues(after)),
        ("schedules", schedules(before) != schedules(after)),
        ("contacts", contacts(before) != contacts(after)),
        ("opening times in words", before.extras.hours_text != after.extras.hours_text),
        ("areas named", before.extras.regions != after.extras.regions),
        ("other phones", before.extras.phones != after.extras.phones),
        ("keywords", sorted(before.extras.keywords.clone()) != sorted(after.extras.keywords.clone())),
        ("last checked", before.last_verified_at != after.last_verified_at),
    ];
    changed.extend(checks.into_iter().filter(|(_, differs)| *differs).map(|(name, _)| name.to_string()));
    changed
}

/// The fields of an organisation that differ.
pub fn organisation_changes(before: &Organisation, after: &Organisation) -> Vec<String> {
    let fields = [
        ("name", before.name != after.name),
        ("description", before.description != after.description),
        ("kind", before.kind != after.kind),
        ("charity number", before.charity_number != after.charity_number),
        ("company number", before.company_number != after.company_number),
        ("website", before.website != after.website),
        ("email", before.email != after.email),
        ("phone", before.phone != after.phone),
    ];
    fields.into_iter().filter(|(_, differs)| *differs).map(|(name, _)| name.to_string()).collect()
}

/// The fields of a venue that differ (where it is counts to about a metre).
pub fn location_changes(before: &Location, after: &Location) -> Vec<String> {
    let moved =
        (before.latitude - after.latitude).abs() > 1e-5 || (before.longitude - after.longitude).abs() > 1e-5;
    let fields = [
        ("name", before.name != after.name),
        (
            "address",
            (&before.address_1, &before.address_2, &before.town)
                != (&after.address_1, &after.address_2, &after.town),
        ),
        ("postcode", before.postcode != after.postcode),
        ("where it is", moved),
        ("access", before.access != after.access),
        ("local entry point", before.entry_point != after.entry_point),
        ("contact address", before.postal != after.postal),
    ];
    fields.into_iter().filter(|(_, differs)| *differs).map(|(name, _)| name.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::directory::{CostKind, DeliveryMode, ReferralRoute, ServiceArea, ServiceStatus};
    use crate::domain::ids::{OrganisationId, ServiceId};
    use crate::domain::listing::Extras;
    use crate::domain::schedule::Schedule;
    use crate::domain::service_form::ServiceInput;
    use chrono::{NaiveTime, Weekday};

    fn service() -> Service {
        Service {
            id: ServiceId::from_seed(1),
            details: ServiceInput {
                organisation: OrganisationId::from_seed(2),
                name: "Lunch club".into(),
                description: "Hot lunch.".into(),
                status: ServiceStatus::Active,
                needs: vec!["loneliness".into()],
                referral_route: ReferralRoute::DropIn,
                eligibility: None,
                min_age: None,
                max_age: None,
                cost: CostKind::Unknown,
                cost_description: None,
                delivery: vec![DeliveryMode::InPerson],
                languages: vec![],
                area: ServiceArea::Local,
                area_radius_km: None,
                capacity: None,
                email: None,
                phone: None,
                website: None,
            },
            locations: vec![],
            schedules: vec![
                Schedule::weekly(&[Weekday::Tue], NaiveTime::MIN, NaiveTime::MIN),
                Schedule::weekly(&[Weekday::Fri], NaiveTime::MIN, NaiveTime::MIN),
            ],
            contacts: vec![],
            capacity_said_on: None,
            last_verified_at: None,
            last_verified_by: None,
            extras: Extras::default(),
        }
    }

    #[test]
    fn the_same_service_in_another_order_is_unchanged() {
        let mut again = service();
        again.schedules.reverse();
        assert!(service_changes(&service(), &again).is_empty());
    }

    #[test]
    fn each_difference_is_named() {
        let mut changed = service();
        changed.details.name = "Lunch Club".into();
        changed.schedules.pop();
        changed.extras.keywords = vec!["Lunch".into()];
        assert_eq!(service_changes(&service(), &changed), ["name", "schedules", "keywords"]);
    }
}
