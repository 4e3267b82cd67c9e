//! ORUK v1, the shape most UK council feeds still publish, rewritten as HSDS
//! 3.0 so that one reader takes both: `regular_schedules` become schedules
//! (with `holiday_schedules` as closed dates), `physical_addresses`
//! addresses, `service_taxonomys` attributes (each vocabulary a taxonomy),
//! `eligibilitys` the eligibility and ages. Ids may be numbers in v1.

use chrono::{Duration, NaiveDate};
use serde_json::{Map, Value, json};

/// The longest closure a holiday schedule is read as: longer ones are
/// seasonal, and belong in a schedule's validity.
const LONGEST_CLOSURE_DAYS: i64 = 62;

fn id(value: &Value) -> Value {
    match value {
        Value::String(s) => json!(s),
        Value::Number(n) => json!(n.to_string()),
        _ => json!(""),
    }
}

fn list<'a>(object: &'a Value, key: &str) -> &'a [Value] {
    object.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Copies the string fields `keys` (when they are strings) from `from` to `to`,
/// under the names given.
fn copy(from: &Value, to: &mut Map<String, Value>, keys: &[(&str, &str)]) {
    for (v1, v3) in keys {
        if let Some(text) = from.get(*v1).and_then(Value::as_str) {
            to.insert((*v3).to_string(), json!(text));
        }
    }
}

/// One v1 service as an HSDS 3.0 one.
pub fn service(v1: &Value) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), id(&v1["id"]));
    copy(
        v1,
        &mut out,
        &[("name", "name"), ("description", "description"), ("url", "url"), ("email", "email")],
    );
    copy(v1, &mut out, &[("status", "status"), ("fees", "fees"), ("assured_date", "assured_date")]);
    if let Some(org) = v1.get("organization").filter(|o| o.is_object()) {
        let mut o = Map::new();
        o.insert("id".into(), id(&org["id"]));
        copy(org, &mut o, &[("name", "name"), ("description", "description"), ("email", "email")]);
        copy(org, &mut o, &[("url", "website"), ("logo", "logo")]);
        out.insert("organization_id".into(), id(&org["id"]));
        out.insert("organization".into(), Value::Object(o));
    }
    let eligibility = list(v1, "eligibilitys");
    let said: Vec<&str> = eligibility.iter().filter_map(|e| e["eligibility"].as_str()).collect();
    if !said.is_empty() {
        out.insert("eligibility_description".into(), json!(said.join("; ")));
    }
    let ages = |key: &str| eligibility.iter().filter_map(|e| e[key].as_f64()).collect::<Vec<f64>>();
    if let Some(min) = ages("minimum_age").into_iter().reduce(f64::min) {
        out.insert("minimum_age".into(), json!(min));
    }
    if let Some(max) = ages("maximum_age").into_iter().reduce(f64::max) {
        out.insert("maximum_age".into(), json!(max));
    }
    let languages: Vec<Value> = list(v1, "languages")
        .iter()
        .filter_map(|l| l["language"].as_str().map(|name| json!({"id": id(&l["id"]), "name": name})))
        .collect();
    out.insert("languages".into(), json!(languages));
    let areas: Vec<Value> = list(v1, "service_areas")
        .iter()
        .filter_map(|a| a["service_area"].as_str().map(|name| json!({"id": id(&a["id"]), "name": name})))
        .collect();
    out.insert("service_areas".into(), json!(areas));
    out.insert("schedules".into(), json!(schedules(v1)));
    let places: Vec<Value> = list(v1, "service_at_locations")
        .iter()
        .filter_map(|at| at.get("location").map(|l| json!({"id": id(&at["id"]), "location": location(l)})))
        .collect();
    out.insert("service_at_locations".into(), json!(places));
    let tags: Vec<Value> = list(v1, "service_taxonomys")
        .iter()
        .filter_map(|t| t.get("taxonomy"))
        .map(|t| {
            let name = t["name"].as_str().unwrap_or("");
            let term =
                json!({"id": id(&t["id"]), "name": name, "description": name, "taxonomy": t["vocabulary"]});
            json!({"id": id(&t["id"]), "taxonomy_term": term})
        })
        .collect();
    out.insert("attributes".into(), json!(tags));
    let contacts: Vec<Value> = list(v1, "contacts")
        .iter()
        .map(|c| {
            let phones: Vec<Value> = list(c, "phones")
                .iter()
                .filter_map(|p| p["number"].as_str())
                .map(|n| json!({"id": "", "number": n}))
                .collect();
            let mut contact = Map::new();
            contact.insert("id".into(), id(&c["id"]));
            copy(c, &mut contact, &[("name", "name"), ("title", "title")]);
            contact.insert("phones".into(), json!(phones));
            Value::Object(contact)
        })
        .collect();
    out.insert("contacts".into(), json!(contacts));
    let costs: Vec<Value> = list(v1, "cost_options")
        .iter()
        .map(|c| json!({"id": id(&c["id"]), "option": c["option"], "amount": c["amount"], "amount_description": c["amount_description"]}))
        .map(without_nulls)
        .collect();
    out.insert("cost_options".into(), json!(costs));
    Value::Object(out)
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

fn location(v1: &Value) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), id(&v1["id"]));
    out.insert("location_type".into(), json!("physical"));
    copy(v1, &mut out, &[("name", "name"), ("description", "description")]);
    for key in ["latitude", "longitude"] {
        if let Some(n) = v1[key].as_f64() {
            out.insert(key.into(), json!(n));
        }
    }
    let addresses: Vec<Value> = list(v1, "physical_addresses")
        .iter()
        .map(|a| {
            let mut address = Map::new();
            address.insert("id".into(), id(&a["id"]));
            copy(
                a,
                &mut address,
                &[("address_1", "address_1"), ("city", "city"), ("postal_code", "postal_code")],
            );
            address.insert("address_type".into(), json!("physical"));
            Value::Object(address)
        })
        .collect();
    out.insert("addresses".into(), json!(addresses));
    let access: Vec<Value> = list(v1, "accessibility_for_disabilities")
        .iter()
        .filter_map(|a| {
            a["accessibility"].as_str().map(|said| json!({"id": id(&a["id"]), "description": said}))
        })
        .collect();
    out.insert("accessibility".into(), json!(access));
    Value::Object(out)
}

/// Its regular schedules, each closed on the days its holiday schedules close.
fn schedules(v1: &Value) -> Vec<Value> {
    let closed: Vec<String> = list(v1, "holiday_schedules")
        .iter()
        .filter(|h| h["closed"].as_bool() != Some(false))
        .filter_map(|h| {
            let day = |key: &str| {
                h[key].as_str().and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok())
            };
            let start = day("start_date")?;
            let end = day("end_date").unwrap_or(start);
            ((end - start).num_days() <= LONGEST_CLOSURE_DAYS).then_some((start, end))
        })
        .flat_map(|(start, end)| {
            std::iter::successors(Some(start), |d| Some(*d + Duration::days(1)))
                .take_while(move |d| *d <= end)
        })
        .map(|d| d.to_string())
        .collect();
    list(v1, "regular_schedules")
        .iter()
        .map(|s| {
            let mut out = Map::new();
            out.insert("id".into(), id(&s["id"]));
            let keys =
                [("freq", "freq"), ("byday", "byday"), ("bymonthday", "bymonthday"), ("dtstart", "dtstart")];
            copy(s, &mut out, &keys);
            copy(
                s,
                &mut out,
                &[("valid_from", "valid_from"), ("valid_to", "valid_to"), ("description", "description")],
            );
            copy(s, &mut out, &[("opens_at", "opens_at"), ("closes_at", "closes_at")]);
            if let Some(n) = s["interval"].as_u64() {
                out.insert("interval".into(), json!(n));
            }
            // Some feeds name the day rather than give `byday`.
            if !out.contains_key("byday")
                && let Some(day) = s["weekday"].as_str().and_then(|w| w.get(..2))
            {
                out.insert("byday".into(), json!(day.to_uppercase()));
                out.entry("freq").or_insert(json!("WEEKLY"));
            }
            out.insert("closed_dates".into(), json!(closed));
            Value::Object(out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v1_service_is_rewritten_as_hsds_3() {
        let v1 = json!({
            "id": 1502, "name": "Toddler Group", "status": "active", "fees": "£1 a session",
            "organization": {"id": 7, "name": "Holy Trinity Church", "description": "A parish church.", "url": "https://htc.example.org"},
            "eligibilitys": [{"eligibility": "Parents and carers", "minimum_age": 0, "maximum_age": 4}],
            "regular_schedules": [{"id": 9, "weekday": "Tuesday", "opens_at": "09:30", "closes_at": "11:30"}],
            "holiday_schedules": [{"closed": true, "start_date": "2026-12-24", "end_date": "2026-12-26"}],
            "service_at_locations": [{"id": 3, "location": {"id": 4, "name": "Church hall", "latitude": 53.42, "longitude": -2.31,
                "physical_addresses": [{"address_1": "1 Church Lane", "city": "Sale", "postal_code": "M33 7XX"}]}}],
            "service_taxonomys": [{"taxonomy": {"id": "t1", "name": "Parenting support", "vocabulary": "Family Hubs"}}]
        });
        let v3 = service(&v1);
        assert_eq!(v3["id"], "1502");
        assert_eq!(v3["organization"]["website"], "https://htc.example.org");
        assert_eq!(v3["maximum_age"], 4.0);
        assert_eq!(v3["schedules"][0]["byday"], "TU");
        assert_eq!(v3["schedules"][0]["freq"], "WEEKLY");
        assert_eq!(v3["schedules"][0]["closed_dates"], json!(["2026-12-24", "2026-12-25", "2026-12-26"]));
        assert_eq!(v3["service_at_locations"][0]["location"]["addresses"][0]["postal_code"], "M33 7XX");
        assert_eq!(v3["attributes"][0]["taxonomy_term"]["taxonomy"], "Family Hubs");
        let read: crate::domain::openreferral::hsds::Service = serde_json::from_value(v3).unwrap();
        assert_eq!(read.name, "Toddler Group");
    }
}
