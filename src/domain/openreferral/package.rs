//! HSDS 3.0's tabular form: the same records as the JSON, one CSV file per
//! kind of record (`services.csv`, `schedules.csv`, `locations.csv`…), each
//! row naming the record it belongs to by id. Written from a dump, and read
//! back into nested services for the one JSON reader.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use super::hsds::Dump;

/// Each file, and the columns written to it. The first column is the
/// record's id; a `*_id` column names the record it belongs to.
pub const TABLES: &[(&str, &[&str])] = &[
    ("organizations.csv", &["id", "name", "description", "email", "website", "legal_status", "logo", "uri"]),
    (
        "organization_identifiers.csv",
        &["id", "organization_id", "identifier_scheme", "identifier_type", "identifier"],
    ),
    (
        "services.csv",
        &[
            "id",
            "organization_id",
            "name",
            "description",
            "url",
            "email",
            "status",
            "application_process",
            "fees_description",
            "fees",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "alert",
            "last_modified",
        ],
    ),
    ("phones.csv", &["id", "service_id", "organization_id", "contact_id", "number", "description"]),
    (
        "schedules.csv",
        &[
            "id",
            "service_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "freq",
            "interval",
            "byday",
            "bymonthday",
            "description",
            "opens_at",
            "closes_at",
            "attending_type",
            "notes",
            "closed_dates",
        ],
    ),
    (
        "service_areas.csv",
        &["id", "service_id", "name", "description", "extent", "extent_type", "uri", "service_area"],
    ),
    ("service_at_locations.csv", &["id", "service_id", "location_id"]),
    (
        "locations.csv",
        &["id", "location_type", "name", "description", "transportation", "latitude", "longitude"],
    ),
    (
        "addresses.csv",
        &[
            "id",
            "location_id",
            "address_1",
            "address_2",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    ("accessibility.csv", &["id", "location_id", "description", "details", "accessibility"]),
    ("languages.csv", &["id", "service_id", "name", "code"]),
    ("cost_options.csv", &["id", "service_id", "option", "currency", "amount", "amount_description"]),
    ("contacts.csv", &["id", "service_id", "name", "title", "email"]),
    ("attributes.csv", &["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"]),
    ("taxonomies.csv", &["id", "name", "description", "uri", "version"]),
    (
        "taxonomy_terms.csv",
        &["id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "term_uri", "term"],
    ),
];

/// Columns that hold numbers, and the one that holds a list.
const NUMBERS: &[&str] = &["minimum_age", "maximum_age", "interval", "amount", "latitude", "longitude"];
const LISTS: &[&str] = &["closed_dates"];

/// A table: its file's name, and its rows as column to value.
pub type Rows = Vec<Map<String, Value>>;

fn cell(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
        _ => String::new(),
    }
}

/// One file's rows, its cells as text.
pub type Written = (&'static str, Vec<Vec<String>>);

/// The dump as tables: each file's rows, in the order of `TABLES`.
pub fn write(dump: &Dump) -> Result<Vec<Written>, serde_json::Error> {
    let mut tables: HashMap<&str, Rows> = HashMap::new();
    let mut add = |table: &'static str, value: &Value, parent: Option<(&str, &Value)>| {
        let mut row = value.as_object().cloned().unwrap_or_default();
        if let Some((column, id)) = parent {
            row.entry(column).or_insert_with(|| id.clone());
        }
        tables.entry(table).or_default().push(row);
    };
    let mut terms: Vec<Value> =
        dump.taxonomy_terms.iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
    for org in &dump.organizations {
        let org = serde_json::to_value(org)?;
        add("organizations.csv", &org, None);
        for identifier in org["organization_identifiers"].as_array().into_iter().flatten() {
            add("organization_identifiers.csv", identifier, Some(("organization_id", &org["id"])));
        }
        for phone in org["phones"].as_array().into_iter().flatten() {
            add("phones.csv", phone, Some(("organization_id", &org["id"])));
        }
    }
    for service in &dump.services {
        let s = serde_json::to_value(service)?;
        let id = &s["id"];
        add("services.csv", &s, None);
        let children = [
            ("phones", "phones.csv"),
            ("schedules", "schedules.csv"),
            ("service_areas", "service_areas.csv"),
            ("languages", "languages.csv"),
            ("cost_options", "cost_options.csv"),
        ];
        for (key, table) in children {
            for child in s[key].as_array().into_iter().flatten() {
                add(table, child, Some(("service_id", id)));
            }
        }
        for contact in s["contacts"].as_array().into_iter().flatten() {
            add("contacts.csv", contact, Some(("service_id", id)));
            for phone in contact["phones"].as_array().into_iter().flatten() {
                add("phones.csv", phone, Some(("contact_id", &contact["id"])));
            }
        }
        for at in s["service_at_locations"].as_array().into_iter().flatten() {
            add("service_at_locations.csv", at, Some(("service_id", id)));
            let location = &at["location"];
            add("locations.csv", location, None);
            for address in location["addresses"].as_array().into_iter().flatten() {
                add("addresses.csv", address, Some(("location_id", &location["id"])));
            }
            for access in location["accessibility"].as_array().into_iter().flatten() {
                add("accessibility.csv", access, Some(("location_id", &location["id"])));
            }
        }
        for attribute in s["attributes"].as_array().into_iter().flatten() {
            add("attributes.csv", attribute, Some(("link_id", id)));
            let term = &attribute["taxonomy_term"];
            if !terms.iter().any(|t| t["id"] == term["id"]) {
                terms.push(term.clone());
            }
        }
    }
    for taxonomy in &dump.taxonomies {
        add("taxonomies.csv", &serde_json::to_value(taxonomy)?, None);
    }
    for term in &terms {
        add("taxonomy_terms.csv", term, None);
    }
    Ok(TABLES
        .iter()
        .map(|(file, columns)| {
            let mut rows: Vec<Vec<String>> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for row in tables.remove(file).unwrap_or_default() {
                // A venue shared by several services is one row.
                if seen.insert(cell(row.get("id"))) {
                    rows.push(columns.iter().map(|c| cell(row.get(*c))).collect());
                }
            }
            (*file, rows)
        })
        .collect())
}

/// A row read back: empty cells left out, numbers and lists as themselves.
fn record(headers: &[String], row: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    for (header, value) in headers.iter().zip(row) {
        if value.is_empty() {
            continue;
        }
        let read = if NUMBERS.contains(&header.as_str()) {
            let number = value
                .parse::<i64>()
                .map(Number::from)
                .ok()
                .or_else(|| value.parse::<f64>().ok().and_then(Number::from_f64));
            number.map_or_else(|| Value::String(value.clone()), Value::Number)
        } else if LISTS.contains(&header.as_str()) {
            Value::Array(value.split(',').map(|v| Value::String(v.trim().to_string())).collect())
        } else {
            Value::String(value.clone())
        };
        out.insert(header.clone(), read);
    }
    out
}

/// A package's tables: each file's header row and rows.
pub type Package = HashMap<String, (Vec<String>, Vec<Vec<String>>)>;

/// The services of a package, each nested as `/services/{id}` gives it, and
/// its organisations.
pub fn read(package: &Package) -> Result<(Vec<Value>, Vec<Value>), String> {
    let table = |name: &str| -> Rows {
        let found = package.get(name).or_else(|| package.get(&name.replace("locations.csv", "location.csv")));
        found.map(|(headers, rows)| rows.iter().map(|r| record(headers, r)).collect()).unwrap_or_default()
    };
    if !package.contains_key("services.csv") {
        return Err(String::from("the package has no services.csv"));
    }
    let by = |rows: Rows, column: &str| -> HashMap<String, Vec<Value>> {
        let mut grouped: HashMap<String, Vec<Value>> = HashMap::new();
        for row in rows {
            let key = cell(row.get(column));
            grouped.entry(key).or_default().push(Value::Object(row));
        }
        grouped
    };
    let phones = table("phones.csv");
    let phones_of =
        |column: &str| by(phones.iter().filter(|p| p.contains_key(column)).cloned().collect(), column);
    let (service_phones, contact_phones, org_phones) =
        (phones_of("service_id"), phones_of("contact_id"), phones_of("organization_id"));
    let identifiers = by(table("organization_identifiers.csv"), "organization_id");
    let organisations: Vec<Value> = table("organizations.csv")
        .into_iter()
        .map(|mut org| {
            let id = cell(org.get("id"));
            org.insert(
                "organization_identifiers".into(),
                Value::Array(identifiers.get(&id).cloned().unwrap_or_default()),
            );
            org.insert("phones".into(), Value::Array(org_phones.get(&id).cloned().unwrap_or_default()));
            Value::Object(org)
        })
        .collect();
    let addresses = by(table("addresses.csv"), "location_id");
    let access = by(table("accessibility.csv"), "location_id");
    let locations: HashMap<String, Value> = table("locations.csv")
        .into_iter()
        .map(|mut location| {
            let id = cell(location.get("id"));
            location
                .insert("addresses".into(), Value::Array(addresses.get(&id).cloned().unwrap_or_default()));
            location
                .insert("accessibility".into(), Value::Array(access.get(&id).cloned().unwrap_or_default()));
            (id, Value::Object(location))
        })
        .collect();
    let terms: HashMap<String, Value> =
        table("taxonomy_terms.csv").into_iter().map(|t| (cell(t.get("id")), Value::Object(t))).collect();
    let mut contacts = by(table("contacts.csv"), "service_id");
    for contact in contacts.values_mut().flatten() {
        let id = cell(contact.get("id"));
        contact["phones"] = Value::Array(contact_phones.get(&id).cloned().unwrap_or_default());
    }
    let mut children = [
        ("schedules", by(table("schedules.csv"), "service_id")),
        ("service_areas", by(table("service_areas.csv"), "service_id")),
        ("languages", by(table("languages.csv"), "service_id")),
        ("cost_options", by(table("cost_options.csv"), "service_id")),
    ];
    let mut places = by(table("service_at_locations.csv"), "service_id");
    let mut attributes = by(table("attributes.csv"), "link_id");
    let services = table("services.csv")
        .into_iter()
        .map(|mut service| {
            let id = cell(service.get("id"));
            for (key, grouped) in &mut children {
                service.insert((*key).into(), Value::Array(grouped.remove(&id).unwrap_or_default()));
            }
            service
                .insert("phones".into(), Value::Array(service_phones.get(&id).cloned().unwrap_or_default()));
            service.insert("contacts".into(), Value::Array(contacts.remove(&id).unwrap_or_default()));
            let mut at = places.remove(&id).unwrap_or_default();
            for place in &mut at {
                if let Some(location) = locations.get(&cell(place.get("location_id"))) {
                    place["location"] = location.clone();
                }
            }
            service.insert("service_at_locations".into(), Value::Array(at));
            let mut tags = attributes.remove(&id).unwrap_or_default();
            for tag in &mut tags {
                if let Some(term) = terms.get(&cell(tag.get("taxonomy_term_id"))) {
                    tag["taxonomy_term"] = term.clone();
                }
            }
            service.insert("attributes".into(), Value::Array(tags));
            if let Some(org) = organisations.iter().find(|o| o.get("id") == service.get("organization_id")) {
                service.insert("organization".into(), org.clone());
            }
            Value::Object(service)
        })
        .collect();
    Ok((services, organisations))
}
