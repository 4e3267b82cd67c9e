//! Listings coming in from elsewhere: what a file or feed holds, read into
//! our records (a `Batch`), and the report of what an import would do or
//! did, record by record. Reading is pure; the app resolves postcodes,
//! compares with what is stored and writes, all in one transaction.
//!
//! - `hsds`: HSDS 3.0 / ORUK 3.0 JSON (a page, a list of services, or a dump);
//! - `oruk_v1`: ORUK v1's services, rewritten as HSDS 3.0;
//! - `sheet` and `spreadsheet`: a connector's spreadsheet, its columns found by their headers;
//! - `terms`: another taxonomy's terms landed on our needs;
//! - `hours`: opening times in words, read as schedules where they can be;
//! - `request`: an import asked for on the staff page, and the steps it goes through;
//! - `compare`: what differs between a stored record and the same record coming in.

pub mod compare;
pub mod hours;
pub mod hsds;
pub mod oruk_v1;
pub mod plan;
pub mod request;
pub mod sheet;
pub mod spreadsheet;
pub mod terms;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{OrganisationId, ServiceId};
use super::listing::{Location, Organisation, Service};

/// The id a record keeps: its own when it is a UUID (in any case), else one
/// made from the source, the kind of record and its id there, so that the
/// same source read twice names the same records.
pub fn record_id(source: &str, kind: &str, id: &str) -> Uuid {
    match Uuid::try_parse(id.trim()) {
        Ok(uuid) => uuid,
        Err(_) => Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("doorstep:import:{source}:{kind}:{}", id.trim()).as_bytes(),
        ),
    }
}

/// Where a record is in its source, as a report names it: "row 14", or
/// "service 3fa85f64-…".
pub type Origin = String;

/// A venue as it came: placed by its own coordinates, or to be placed by its postcode.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingLocation {
    pub origin: Origin,
    pub location: Location,
    /// Whether the source gave its latitude and longitude.
    pub placed: bool,
}

/// A service as it came, with when its source last changed it.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingService {
    pub origin: Origin,
    pub service: Service,
    /// The organisation it names, as its source names it.
    pub organisation_ref: String,
    pub updated_at: Option<NaiveDateTime>,
}

/// A record that could not be taken, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub origin: Origin,
    pub reason: String,
}

/// Everything one file or feed holds, as our records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub organisations: Vec<Organisation>,
    pub locations: Vec<IncomingLocation>,
    pub services: Vec<IncomingService>,
    pub rejected: Vec<Rejected>,
    /// Terms of other taxonomies that landed on no need, with how many
    /// services carried each (kept on them as keywords).
    pub unmapped: BTreeMap<String, usize>,
    /// The source names its organisations and says little else (a
    /// spreadsheet): one already here is left as it is.
    pub organisations_named_only: bool,
    /// The records read so far, by kind and id.
    seen: std::collections::HashSet<(&'static str, Uuid)>,
}

impl Batch {
    /// Whether a record of `kind` with this id is read for the first time
    /// (it is then counted as read).
    pub fn first(&mut self, kind: &'static str, id: Uuid) -> bool {
        self.seen.insert((kind, id))
    }

    pub fn reject(&mut self, origin: impl Into<String>, reason: impl Into<String>) {
        self.rejected.push(Rejected { origin: origin.into(), reason: reason.into() });
    }

    /// Writes the records whose ids are keys of `into` as the records named
    /// by the values: an organisation or service merged into one already here.
    pub fn merge_into(&mut self, into: &HashMap<Uuid, Uuid>) {
        let to = |id: Uuid| into.get(&id).copied().unwrap_or(id);
        for org in &mut self.organisations {
            org.id = OrganisationId(to(org.id.0));
        }
        for incoming in &mut self.services {
            let service = &mut incoming.service;
            service.id = ServiceId(to(service.id.0));
            service.details.organisation = OrganisationId(to(service.details.organisation.0));
        }
    }

    /// Adds another batch's records to this one's (a feed read page by page).
    pub fn extend(&mut self, other: Batch) {
        self.organisations.extend(other.organisations);
        self.locations.extend(other.locations);
        self.services.extend(other.services);
        self.rejected.extend(other.rejected);
        self.seen.extend(other.seen);
        for (term, count) in other.unmapped {
            *self.unmapped.entry(term).or_default() += count;
        }
    }
}

/// A record an import adds, or changes (naming the fields that differ).
#[derive(Clone, Debug, PartialEq)]
pub enum Write<T> {
    Add(T),
    Change(T, Vec<String>),
}

/// What an import writes, compared with what is stored: written in one
/// transaction, organisations first, then venues, then services.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub organisations: Vec<Write<Organisation>>,
    pub locations: Vec<Write<Location>>,
    pub services: Vec<Write<IncomingService>>,
}

/// What an import does with one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Added,
    /// Changed, naming the fields that differ.
    Changed(Vec<String>),
    Unchanged,
    Rejected(String),
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// "service", "organisation" or "venue" (or "record", one that could not be read).
    pub kind: String,
    pub origin: Origin,
    pub name: String,
    pub outcome: Outcome,
}

/// A record coming in that looks like one already here under another id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// Its id as it came (after any earlier merge).
    pub incoming: Uuid,
    /// The record here it looks like.
    pub existing: Uuid,
    /// "organisation" or "service".
    pub kind: String,
    /// Why, in words: "the service "Sale Lunch Club" looks like …".
    pub said: String,
}

/// Which reported duplicates an import takes as the records already here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Merges {
    /// None: they are added as new records (and reported).
    #[default]
    None,
    /// Every one reported.
    All,
    /// Those given, by the incoming record's id and the id of the one here.
    These(Vec<(Uuid, Uuid)>),
}

impl Merges {
    pub fn includes(&self, duplicate: &Duplicate) -> bool {
        match self {
            Merges::None => false,
            Merges::All => true,
            Merges::These(pairs) => pairs.contains(&(duplicate.incoming, duplicate.existing)),
        }
    }
}

/// What an import would do (a dry run) or did, record by record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub lines: Vec<Line>,
    /// Terms that landed on no need, and how many services carried each.
    pub unmapped: BTreeMap<String, usize>,
    /// Services that landed on no need at all.
    pub without_needs: usize,
    /// Possible duplicates of records already here.
    pub duplicates: Vec<Duplicate>,
    /// Duplicates this import was asked to merge, and so wrote into the records already here.
    pub merged: Vec<Duplicate>,
    /// Whether it was written (false for a dry run, or when it could not be).
    pub written: bool,
}

impl Report {
    /// How many records of `kind` had each outcome: added, changed, unchanged, rejected.
    pub fn counts(&self, kind: &str) -> [usize; 4] {
        let mut counts = [0; 4];
        for line in self.lines.iter().filter(|l| l.kind == kind) {
            counts[match line.outcome {
                Outcome::Added => 0,
                Outcome::Changed(_) => 1,
                Outcome::Unchanged => 2,
                Outcome::Rejected(_) => 3,
            }] += 1;
        }
        counts
    }

    /// How many services (or rows) could not be taken.
    pub fn rejected_services(&self) -> usize {
        self.counts("record")[3] + self.counts("service")[3]
    }

    /// Why services (or rows) were rejected, most common reason first, with
    /// how many each.
    pub fn rejections(&self) -> Vec<(String, usize)> {
        let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
        for line in self.lines.iter().filter(|l| l.kind == "record" || l.kind == "service") {
            if let Outcome::Rejected(reason) = &line.outcome {
                // "row 14: postcode "M33 7XZ" is not known" counts as "postcode is not known".
                *by_reason.entry(reason_kind(reason)).or_default() += 1;
            }
        }
        let mut all: Vec<(String, usize)> = by_reason.into_iter().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        all
    }

    /// The report as text, a line per record that was not unchanged, then the sums.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            if line.kind == "record" {
                if let Outcome::Rejected(reason) = &line.outcome {
                    out.push_str(&format!("{}: rejected: {reason}\n", line.origin));
                }
                continue;
            }
            let said = match &line.outcome {
                Outcome::Added => "added".to_string(),
                Outcome::Changed(fields) => format!("changed ({})", fields.join(", ")),
                Outcome::Unchanged => continue,
                Outcome::Rejected(reason) => format!("rejected: {reason}"),
            };
            out.push_str(&format!("{}: {} \"{}\" {said}\n", line.origin, line.kind, line.name));
        }
        for kind in ["organisation", "venue", "service"] {
            let [added, changed, unchanged, rejected] = self.counts(kind);
            out.push_str(&format!(
                "{kind}s: {added} added, {changed} changed, {unchanged} unchanged, {rejected} rejected\n"
            ));
        }
        out.push_str(&format!("services with no need: {}\n", self.without_needs));
        if !self.unmapped.is_empty() {
            let terms: Vec<String> = self.unmapped.iter().map(|(t, n)| format!("{t} ({n})")).collect();
            out.push_str(&format!("terms kept as keywords, matching no need: {}\n", terms.join(", ")));
        }
        for duplicate in &self.duplicates {
            out.push_str(&format!("possible duplicate: {} (merge with --merge)\n", duplicate.said));
        }
        for merged in &self.merged {
            out.push_str(&format!("merged: {}\n", merged.said));
        }
        out
    }
}

/// A reason without the particular value it names: `postcode "M33 7XZ" is
/// not known` becomes `postcode is not known`.
fn reason_kind(reason: &str) -> String {
    let mut kind = String::new();
    let mut quoted = false;
    for c in reason.chars() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            _ => kind.push(c),
        }
    }
    kind.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_that_is_a_uuid_is_kept_and_any_other_is_made_from_its_source() {
        let uuid = "3FA85F64-5717-4562-B3FC-2C963F66AFA6";
        assert_eq!(record_id("feed", "service", uuid).to_string(), uuid.to_lowercase());
        assert_eq!(record_id("feed", "service", "17"), record_id("feed", "service", "17"));
        assert_ne!(record_id("feed", "service", "17"), record_id("other", "service", "17"));
        assert_ne!(record_id("feed", "service", "17"), record_id("feed", "location", "17"));
    }

    #[test]
    fn rejections_are_counted_by_reason_without_their_values() {
        let line = |reason: &str| Line {
            kind: "service".into(),
            origin: "row 1".into(),
            name: "x".into(),
            outcome: Outcome::Rejected(reason.into()),
        };
        let report = Report {
            lines: vec![
                line("postcode \"M33 7XZ\" is not known"),
                line("postcode \"WA1 1AA\" is not known"),
                line("has no name"),
            ],
            ..Report::default()
        };
        assert_eq!(
            report.rejections(),
            [("postcode is not known".to_string(), 2), ("has no name".to_string(), 1)]
        );
    }
}
