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

/// The rows of each file, as they are gathered from the dump.
#[derive(Default)]
struct Tables {
    rows: HashMap<&'static str, Rows>,
    /// The taxonomy terms, each once, in the order they are first met.
    terms: Vec<Value>,
    term_ids: std::collections::HashSet<String>,
}

/// Each list of a record that is a file of its own, and that file.
const SERVICE_LISTS: [(&str, &str); 5] = [
    ("phones", "phones.csv"),
    ("schedules", "schedules.csv"),
    ("service_areas", "service_areas.csv"),
    ("languages", "languages.csv"),
    ("cost_options", "cost_options.csv"),
];

fn list<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value[key].as_array().into_iter().flatten()
}

impl Tables {
    /// A record's row in `table`, naming the record it belongs to in `parent`'s column.
    fn add(&mut self, table: &'static str, value: &Value, parent: Option<(&str, &Value)>) {
        let mut row = value.as_object().cloned().unwrap_or_default();
        if let Some((column, id)) = parent {
            row.entry(column).or_insert_with(|| id.clone());
        }
        self.rows.entry(table).or_default().push(row);
    }

    fn term(&mut self, term: &Value) {
        if self.term_ids.insert(cell(term.get("id"))) {
            self.terms.push(term.clone());
        }
    }

    fn organisation(&mut self, org: &Value) {
        self.add("organizations.csv", org, None);
        for identifier in list(org, "organization_identifiers") {
            self.add("organization_identifiers.csv", identifier, Some(("organization_id", &org["id"])));
        }
        for phone in list(org, "phones") {
            self.add("phones.csv", phone, Some(("organization_id", &org["id"])));
        }
    }

    fn service(&mut self, s: &Value) {
        let id = &s["id"];
        self.add("services.csv", s, None);
        for (key, table) in SERVICE_LISTS {
            for child in list(s, key) {
                self.add(table, child, Some(("service_id", id)));
            }
        }
        for contact in list(s, "contacts") {
            self.add("contacts.csv", contact, Some(("service_id", id)));
            for phone in list(contact, "phones") {
                self.add("phones.csv", phone, Some(("contact_id", &contact["id"])));
            }
        }
        for at in list(s, "service_at_locations") {
            self.add("service_at_locations.csv", at, Some(("service_id", id)));
            let location = &at["location"];
            self.add("locations.csv", location, None);
            for address in list(location, "addresses") {
                self.add("addresses.csv", address, Some(("location_id", &location["id"])));
            }
            for access in list(location, "accessibility") {
                self.add("accessibility.csv", access, Some(("location_id", &location["id"])));
            }
        }
        for attribute in list(s, "attributes") {
            self.add("attributes.csv", attribute, Some(("link_id", id)));
            self.term(&attribute["taxonomy_term"]);
        }
    }
}

/// The dump as tables: each file's rows, in the order of `TABLES`. Every
/// term a service is tagged with is in `taxonomy_terms.csv`, keywords too.
pub fn write(dump: &Dump) -> Result<Vec<Written>, serde_json::Error> {
    let mut tables = Tables::default();
    for term in &dump.taxonomy_terms {
        tables.term(&serde_json::to_value(term)?);
    }
    for org in &dump.organizations {
        tables.organisation(&serde_json::to_value(org)?);
    }
    for service in &dump.services {
        tables.service(&serde_json::to_value(service)?);
    }
    for taxonomy in &dump.taxonomies {
        tables.add("taxonomies.csv", &serde_json::to_value(taxonomy)?, None);
    }
    for term in std::mem::take(&mut tables.terms) {
        tables.add("taxonomy_terms.csv", &term, None);
    }
    Ok(TABLES
        .iter()
        .map(|(file, columns)| {
            let mut rows: Vec<Vec<String>> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for row in tables.rows.remove(file).unwrap_or_default() {
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

/// The rows of a file of the package (none when it has no such file), read back.
fn table(package: &Package, name: &str) -> Rows {
    // HSDS's own example names the file of services at locations in the singular.
    let found = package.get(name).or_else(|| package.get(&name.replace("locations.csv", "location.csv")));
    found.map(|(headers, rows)| rows.iter().map(|r| record(headers, r)).collect()).unwrap_or_default()
}

/// Rows grouped by the record they belong to, named in `column`.
fn grouped(rows: Rows, column: &str) -> HashMap<String, Vec<Value>> {
    let mut by: HashMap<String, Vec<Value>> = HashMap::new();
    for row in rows {
        by.entry(cell(row.get(column))).or_default().push(Value::Object(row));
    }
    by
}

/// What `grouped` holds for `id`, as a JSON list.
fn children(by: &HashMap<String, Vec<Value>>, id: &str) -> Value {
    Value::Array(by.get(id).cloned().unwrap_or_default())
}

/// The services of a package, each nested as `/services/{id}` gives it, and
/// its organisations.
pub fn read(package: &Package) -> Result<(Vec<Value>, Vec<Value>), String> {
    if !package.contains_key("services.csv") {
        return Err(String::from("the package has no services.csv"));
    }
    let phones = table(package, "phones.csv");
    let phones_of =
        |column: &str| grouped(phones.iter().filter(|p| p.contains_key(column)).cloned().collect(), column);
    let identifiers = grouped(table(package, "organization_identifiers.csv"), "organization_id");
    let org_phones = phones_of("organization_id");
    let organisations: Vec<Value> = table(package, "organizations.csv")
        .into_iter()
        .map(|mut org| {
            let id = cell(org.get("id"));
            org.insert("organization_identifiers".into(), children(&identifiers, &id));
            org.insert("phones".into(), children(&org_phones, &id));
            Value::Object(org)
        })
        .collect();
    let services = Nesting::of(package, &organisations, &phones_of("service_id"), &phones_of("contact_id"));
    Ok((table(package, "services.csv").into_iter().map(|s| services.nest(s)).collect(), organisations))
}

/// What a service's row is nested with: its lists, venues, tags and organisation, by id.
struct Nesting<'a> {
    lists: Vec<(&'static str, HashMap<String, Vec<Value>>)>,
    places: HashMap<String, Vec<Value>>,
    locations: HashMap<String, Value>,
    attributes: HashMap<String, Vec<Value>>,
    terms: HashMap<String, Value>,
    organisations: HashMap<String, &'a Value>,
}

impl<'a> Nesting<'a> {
    fn of(
        package: &Package,
        organisations: &'a [Value],
        service_phones: &HashMap<String, Vec<Value>>,
        contact_phones: &HashMap<String, Vec<Value>>,
    ) -> Nesting<'a> {
        let addresses = grouped(table(package, "addresses.csv"), "location_id");
        let access = grouped(table(package, "accessibility.csv"), "location_id");
        let locations = table(package, "locations.csv")
            .into_iter()
            .map(|mut location| {
                let id = cell(location.get("id"));
                location.insert("addresses".into(), children(&addresses, &id));
                location.insert("accessibility".into(), children(&access, &id));
                (id, Value::Object(location))
            })
            .collect();
        let mut contacts = grouped(table(package, "contacts.csv"), "service_id");
        for contact in contacts.values_mut().flatten() {
            let id = cell(contact.get("id"));
            contact["phones"] = children(contact_phones, &id);
        }
        let mut lists: Vec<(&'static str, HashMap<String, Vec<Value>>)> = SERVICE_LISTS
            .iter()
            .filter(|(key, _)| *key != "phones")
            .map(|(key, file)| (*key, grouped(table(package, file), "service_id")))
            .collect();
        lists.push(("phones", service_phones.clone()));
        lists.push(("contacts", contacts));
        Nesting {
            lists,
            places: grouped(table(package, "service_at_locations.csv"), "service_id"),
            locations,
            attributes: grouped(table(package, "attributes.csv"), "link_id"),
            terms: table(package, "taxonomy_terms.csv")
                .into_iter()
                .map(|t| (cell(t.get("id")), Value::Object(t)))
                .collect(),
            organisations: organisations.iter().map(|o| (cell(o.get("id")), o)).collect(),
        }
    }

    /// A service's row with everything that belongs to it nested in it.
    fn nest(&self, mut service: Map<String, Value>) -> Value {
        let id = cell(service.get("id"));
        for (key, by) in &self.lists {
            service.insert((*key).into(), children(by, &id));
        }
        let mut places = self.places.get(&id).cloned().unwrap_or_default();
        for place in &mut places {
            if let Some(location) = self.locations.get(&cell(place.get("location_id"))) {
                place["location"] = location.clone();
            }
        }
        service.insert("service_at_locations".into(), Value::Array(places));
        let mut tags = self.attributes.get(&id).cloned().unwrap_or_default();
        for tag in &mut tags {
            if let Some(term) = self.terms.get(&cell(tag.get("taxonomy_term_id"))) {
                tag["taxonomy_term"] = term.clone();
            }
        }
        service.insert("attributes".into(), Value::Array(tags));
        if let Some(org) = self.organisations.get(&cell(service.get("organization_id"))) {
            service.insert("organization".into(), (*org).clone());
        }
        Value::Object(service)
    }
}
