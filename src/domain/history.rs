//! The change history in people's words: each recorded field's label as the
//! form asks it, and its stored value as a person would say it ("Waiting
//! list", not `waiting_list`; "Yes", not `true`).

use super::directory::{
    Capacity, CostKind, DeliveryMode, OrganisationKind, ReferralRoute, ServiceArea, ServiceStatus,
};

/// The label of a recorded field of a service, organisation or venue
/// (`kind` as the history stores it).
pub fn label(kind: &str, field: &str) -> &'static str {
    match (kind, field) {
        (_, "organisation") => "Organisation",
        (_, "name") => "Name",
        ("service", "description") => "What it does",
        (_, "description") => "About it",
        (_, "status") => "Is it running?",
        (_, "needs") => "Needs it meets",
        (_, "referral_route") => "How people start using it",
        (_, "eligibility") => "Who it is for",
        (_, "min_age") => "Youngest age",
        (_, "max_age") => "Oldest age",
        (_, "cost") => "What it costs",
        (_, "cost_description") => "About the cost",
        (_, "delivery") => "How it reaches people",
        (_, "languages") => "Languages",
        (_, "area") => "Where it is offered",
        (_, "area_radius_km") => "Distance in kilometres",
        (_, "capacity") => "Taking new people?",
        (_, "email") => "Email",
        (_, "phone") => "Phone",
        (_, "website") => "Website",
        (_, "venues") => "Venues",
        (_, "times") => "When it runs",
        (_, "contacts") => "Named contacts",
        (_, "phones") => "Other phone numbers",
        (_, "neighbourhoods") => "Neighbourhoods it serves",
        (_, "last_verified_at") => "Last checked",
        (_, "archived") => "Archived",
        (_, "merged_into") => "Merged into",
        (_, "merged_from") => "Merged into it",
        (_, "role") => "Role",
        (_, "disabled") => "Account disabled",
        (_, "kind") => "Kind of organisation",
        (_, "charity_number") => "Charity number",
        (_, "company_number") => "Company number",
        (_, "address_1") => "Address",
        (_, "address_2") => "Address, second line",
        (_, "town") => "Town",
        (_, "postcode") => "Postcode",
        (_, "latitude") => "Place on the map (latitude)",
        (_, "longitude") => "Place on the map (longitude)",
        (_, "step_free") => "Step-free access",
        (_, "accessible_toilet") => "Accessible toilet",
        (_, "hearing_loop") => "Hearing loop",
        (_, "parking") => "Parking",
        (_, "public_transport") => "Buses, trams and trains",
        (_, "confidential") => "Confidential address",
        (_, "entry_point") => "Local entry point",
        _ => "Other",
    }
}

/// A stored value as a person would say it. `need_label` names a need by
/// its slug.
pub fn value(field: &str, stored: &str, need_label: &dyn Fn(&str) -> Option<String>) -> String {
    let one = |label: Option<&'static str>| label.map_or_else(|| stored.to_string(), str::to_string);
    match field {
        "status" => one(ServiceStatus::from_code(stored).map(ServiceStatus::label)),
        "referral_route" => one(ReferralRoute::from_code(stored).map(ReferralRoute::label)),
        "cost" => one(CostKind::from_code(stored).map(CostKind::label)),
        "area" => one(ServiceArea::from_code(stored).map(ServiceArea::label)),
        "capacity" => one(Capacity::from_code(stored).map(Capacity::label)),
        "kind" => one(OrganisationKind::from_code(stored).map(OrganisationKind::label)),
        "delivery" => stored
            .split(", ")
            .map(|code| {
                DeliveryMode::from_code(code).map_or_else(|| code.to_string(), |m| m.label().to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        "needs" => stored
            .split(", ")
            .map(|slug| need_label(slug).unwrap_or_else(|| slug.to_string()))
            .collect::<Vec<_>>()
            .join(", "),
        "confidential" | "entry_point" | "step_free" | "accessible_toilet" | "hearing_loop" | "parking"
        | "archived" | "disabled" => match stored {
            "true" => String::from("Yes"),
            "false" => String::from("No"),
            _ => stored.to_string(),
        },
        _ => stored.to_string(),
    }
}

/// What was done, as the history says it.
pub fn action(code: &str) -> &'static str {
    match code {
        "create" => "Added",
        "verify" => "Checked",
        "archive" => "Archived",
        "restore" => "Restored",
        "merge" => "Merged",
        _ => "Changed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words() {
        let needs = |slug: &str| (slug == "food").then(|| String::from("Food"));
        assert_eq!(value("capacity", "waiting_list", &needs), "Waiting list");
        assert_eq!(value("delivery", "in_person, phone", &needs), "In person, By phone");
        assert_eq!(value("needs", "food, unknown", &needs), "Food, unknown");
        assert_eq!(value("confidential", "true", &needs), "Yes");
        assert_eq!(value("name", "true", &needs), "true", "a name is said as it is");
        assert_eq!(label("service", "referral_route"), "How people start using it");
        assert_eq!(label("organisation", "description"), "About it");
    }
}
