//! The Open Referral UK 3.0 schemas, read from ../shared/standards/openreferral
//! (never copied into the repository), and a check of an answer against them:
//! the schema the ORUK OpenAPI document gives the endpoint, with its formats
//! (uuid, uri, email, date-time) enforced, and ORUK's rule that an optional
//! field without a value is left out rather than sent as null or empty.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

fn standards() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/standards/openreferral")
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where the ORUK OpenAPI document's remote references live in the copy.
const REMOTE: &str = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/";

/// The ORUK 3.0 OpenAPI document, as the validator fetches it.
pub fn openapi() -> Value {
    read(&standards().join("oruk-website/specifications/3.0/openapi.json"))
}

/// A schema of the UK profile, by its path under `schema/` (like `compiled/service.json`).
pub fn profile_schema(name: &str) -> Value {
    let folder = standards().join("oruk-3.0-uk-profile/schema");
    let mut schema = read(&folder.join(name));
    let base = Path::new(name).parent().map(|p| folder.join(p)).unwrap_or(folder);
    inline(&mut schema, &base, &Value::Null);
    schema
}

/// The schema the ORUK OpenAPI document gives a 200 answer of `GET path`
/// (a path as the document writes it, like `/services/{id}`).
pub fn response_schema(path: &str) -> Value {
    let document = openapi();
    let mut schema =
        document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"].clone();
    assert!(!schema.is_null(), "the ORUK OpenAPI document describes GET {path}");
    inline(&mut schema, &standards().join("oruk-3.0-uk-profile/schema"), &document);
    schema
}

/// Replaces every `$ref` with what it points to: a component of the OpenAPI
/// document, a profile schema by its published address, or a file beside
/// the schema being read.
fn inline(value: &mut Value, base: &Path, document: &Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref").cloned() {
                let mut found = if let Some(pointer) = target.strip_prefix('#') {
                    document
                        .pointer(pointer)
                        .cloned()
                        .unwrap_or_else(|| panic!("no {target} in the document"))
                } else if let Some(name) = target.strip_prefix(REMOTE) {
                    profile_schema(name)
                } else {
                    read(&base.join(&target))
                };
                inline(&mut found, base, document);
                map.remove("$ref");
                merge(map, found);
            }
            for child in map.values_mut() {
                inline(child, base, document);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| inline(item, base, document)),
        _ => {}
    }
}

/// Puts the referenced schema's keywords beside those the reference had.
fn merge(into: &mut Map<String, Value>, from: Value) {
    if let Value::Object(from) = from {
        for (key, value) in from {
            into.entry(key).or_insert(value);
        }
    }
}

/// The problems with `answer` against `schema`: schema errors with where
/// they are, then every null or empty value ORUK asks to be left out.
pub fn problems(schema: &Value, answer: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles");
    let mut found: Vec<String> =
        validator.iter_errors(answer).map(|e| format!("{}: {e}", e.instance_path())).collect();
    left_in(answer, "", &mut found);
    found
}

/// Every null, empty string and empty list in `value` (a page's `contents`
/// may be empty: an empty page says so).
fn left_in(value: &Value, at: &str, found: &mut Vec<String>) {
    match value {
        Value::Null => found.push(format!("{at}: null")),
        Value::String(s) if s.trim().is_empty() => found.push(format!("{at}: an empty string")),
        Value::Array(items) if items.is_empty() && !at.ends_with("/contents") => {
            found.push(format!("{at}: an empty list"))
        }
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, item)| left_in(item, &format!("{at}/{i}"), found))
        }
        Value::Object(map) => map.iter().for_each(|(key, item)| left_in(item, &format!("{at}/{key}"), found)),
        _ => {}
    }
}

/// Fails with every problem when `answer` does not pass.
pub fn assert_valid(what: &str, schema: &Value, answer: &Value) {
    let problems = problems(schema, answer);
    assert!(problems.is_empty(), "{what} does not pass ORUK 3.0:\n{}", problems.join("\n"));
}

/// The validator's own fixtures: `V3.0-UK-{Default,Fail,...}/{file}`.
pub fn fixture(set: &str, file: &str) -> Value {
    read(&standards().join("oruk-validator-mocks/Mocks").join(set).join(file))
}
