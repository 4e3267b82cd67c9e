//! Comparing what came in with what is stored: which records an import adds,
//! changes or leaves alone, which it cannot take and why, and which look
//! like records already here under another id.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::compare::{location_changes, organisation_changes, service_changes};
use super::{Batch, Line, Outcome, Plan, Report, Write};
use crate::domain::ids::{LocationId, OrganisationId, ServiceId};
use crate::domain::listing::{Location, Organisation, Service};
use crate::geo::cells::distance_m;

/// What is stored of the records a batch names.
#[derive(Clone, Debug, Default)]
pub struct Stored {
    pub organisations: HashMap<OrganisationId, Organisation>,
    pub locations: HashMap<LocationId, Location>,
    /// Each service, with when it last changed.
    pub services: HashMap<ServiceId, (Service, NaiveDateTime)>,
}

/// A record already here that a new one may be the same as.
#[derive(Clone, Debug, PartialEq)]
pub struct Known {
    pub name: String,
    /// A charity or company number, for an organisation.
    pub numbers: Vec<String>,
    /// Where it meets, for a service.
    pub places: Vec<(f64, f64)>,
}

/// How near two services' venues must be for the same name to mean the same service.
const SAME_PLACE_M: f64 = 150.0;

/// The plan and its report. Venues the batch places nowhere, and services
/// naming a venue or organisation that is neither in the batch nor stored,
/// are rejected with their reason.
pub fn plan(batch: &Batch, stored: &Stored) -> (Plan, Report) {
    let mut plan = Plan::default();
    let mut report = Report { unmapped: batch.unmapped.clone(), ..Report::default() };
    for rejected in &batch.rejected {
        let outcome = Outcome::Rejected(rejected.reason.clone());
        report.lines.push(Line {
            kind: "record",
            origin: rejected.origin.clone(),
            name: String::new(),
            outcome,
        });
    }
    for org in &batch.organisations {
        let outcome = match stored.organisations.get(&org.id) {
            None => {
                plan.organisations.push(Write::Add(org.clone()));
                Outcome::Added
            }
            Some(before) => match organisation_changes(before, org) {
                fields if fields.is_empty() => Outcome::Unchanged,
                fields => {
                    plan.organisations.push(Write::Change(org.clone(), fields.clone()));
                    Outcome::Changed(fields)
                }
            },
        };
        let origin = format!("organisation {}", org.id);
        report.lines.push(Line { kind: "organisation", origin, name: org.name.clone(), outcome });
    }
    let mut placed: HashSet<LocationId> = stored.locations.keys().copied().collect();
    for incoming in &batch.locations {
        let venue = &incoming.location;
        let outcome = if !incoming.placed {
            Outcome::Rejected(format!("postcode \"{}\" is not known", venue.postcode))
        } else {
            placed.insert(venue.id);
            match stored.locations.get(&venue.id) {
                None => {
                    plan.locations.push(Write::Add(venue.clone()));
                    Outcome::Added
                }
                Some(before) => {
                    // A confidential venue stays confidential: no source knows it is.
                    let venue = Location { confidential: before.confidential, ..venue.clone() };
                    match location_changes(before, &venue) {
                        fields if fields.is_empty() => Outcome::Unchanged,
                        fields => {
                            plan.locations.push(Write::Change(venue, fields.clone()));
                            Outcome::Changed(fields)
                        }
                    }
                }
            }
        };
        report.lines.push(Line {
            kind: "venue",
            origin: incoming.origin.clone(),
            name: venue.name.clone(),
            outcome,
        });
    }
    let organisations: HashSet<OrganisationId> =
        batch.organisations.iter().map(|o| o.id).chain(stored.organisations.keys().copied()).collect();
    for incoming in &batch.services {
        let service = &incoming.service;
        let unplaced = service.locations.iter().find(|l| !placed.contains(l));
        let outcome = if let Some(venue) = unplaced {
            let postcode = batch
                .locations
                .iter()
                .find(|l| l.location.id == *venue)
                .map(|l| l.location.postcode.as_str());
            Outcome::Rejected(format!("its venue's postcode \"{}\" is not known", postcode.unwrap_or("")))
        } else if !organisations.contains(&service.details.organisation) {
            Outcome::Rejected(format!(
                "it names the organisation \"{}\", which is neither in the file nor here",
                incoming.organisation_ref
            ))
        } else {
            if service.details.needs.is_empty() {
                report.without_needs += 1;
            }
            match stored.services.get(&service.id) {
                None => {
                    plan.services.push(Write::Add(incoming.clone()));
                    Outcome::Added
                }
                Some((before, updated_at)) => {
                    let mut fields = service_changes(before, service);
                    if fields.is_empty() && incoming.updated_at.is_some_and(|at| at != *updated_at) {
                        fields.push("last changed".into());
                    }
                    if fields.is_empty() {
                        Outcome::Unchanged
                    } else {
                        plan.services.push(Write::Change(incoming.clone(), fields.clone()));
                        Outcome::Changed(fields)
                    }
                }
            }
        };
        let name = service.details.name.clone();
        report.lines.push(Line { kind: "service", origin: incoming.origin.clone(), name, outcome });
    }
    (plan, report)
}

/// Names the new records that look like ones already here under another id:
/// an organisation with the same charity or company number, a service with
/// much the same name meeting within 150 m.
pub fn duplicates(
    plan: &Plan,
    batch: &Batch,
    known_organisations: &HashMap<OrganisationId, Known>,
    known_services: &HashMap<ServiceId, Known>,
) -> Vec<String> {
    let mut found = Vec::new();
    for write in &plan.organisations {
        let Write::Add(org) = write else { continue };
        let numbers: Vec<&String> = org.charity_number.iter().chain(&org.company_number).collect();
        for (id, known) in known_organisations.iter().filter(|(id, _)| **id != org.id) {
            if numbers.iter().any(|n| known.numbers.contains(n)) {
                found.push(format!(
                    "the organisation \"{}\" has the same number as \"{}\" ({id})",
                    org.name, known.name
                ));
            }
        }
    }
    let places: HashMap<LocationId, (f64, f64)> = batch
        .locations
        .iter()
        .map(|l| (l.location.id, (l.location.latitude, l.location.longitude)))
        .collect();
    for write in &plan.services {
        let Write::Add(incoming) = write else { continue };
        let service = &incoming.service;
        let here: Vec<(f64, f64)> = service.locations.iter().filter_map(|l| places.get(l).copied()).collect();
        for (id, known) in known_services.iter().filter(|(id, _)| **id != service.id) {
            let near = here.iter().any(|a| known.places.iter().any(|b| distance_m(*a, *b) <= SAME_PLACE_M));
            if near && similar(&service.details.name, &known.name) {
                found.push(format!(
                    "the service \"{}\" looks like \"{}\" ({id}), which meets within 150 m",
                    service.details.name, known.name
                ));
            }
        }
    }
    found.sort();
    found
}

/// Whether two names are much the same: the same words, or most of them.
pub fn similar(a: &str, b: &str) -> bool {
    let words =
        |s: &str| -> HashSet<String> { super::terms::normalise(s).split(' ').map(str::to_string).collect() };
    let (a, b) = (words(a), words(b));
    let shared = a.intersection(&b).count();
    let all = a.union(&b).count();
    all > 0 && shared * 4 >= all * 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_similar_when_most_words_are_shared() {
        assert!(similar("Sale Lunch Club", "Sale lunch clubs"));
        assert!(similar("Age UK Trafford Befriending", "Age UK Trafford - Befriending"));
        assert!(!similar("Sale Lunch Club", "Altrincham Lunch Club"));
        assert!(!similar("Walking group", "Knitting group"));
    }
}
