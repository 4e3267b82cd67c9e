//! Comparing what came in with what is stored: which records an import adds,
//! changes or leaves alone, which it cannot take and why, and which look
//! like records already here under another id.

use std::collections::{HashMap, HashSet};

use super::compare::{location_changes, organisation_changes, service_changes};
use super::{Batch, Duplicate, Line, Outcome, Plan, Report, Write};
use crate::domain::ids::{LocationId, OrganisationId, ServiceId};
use crate::domain::listing::{Location, Organisation, Service};
use crate::geo::cells::distance_m;

/// What is stored of the records a batch names.
#[derive(Clone, Debug, Default)]
pub struct Stored {
    pub organisations: HashMap<OrganisationId, Organisation>,
    pub locations: HashMap<LocationId, Location>,
    pub services: HashMap<ServiceId, Service>,
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

/// A known service with one of its venues' places.
type Nearby<'a> = (&'a ServiceId, &'a Known, (f64, f64));

/// How near two services' venues must be for the same name to mean the same service.
pub const SAME_PLACE_M: f64 = 150.0;

/// The plan and its report. Venues the batch places nowhere, and services
/// naming a venue or organisation that is neither in the batch nor stored,
/// are rejected with their reason.
pub fn plan(batch: &Batch, stored: &Stored) -> (Plan, Report) {
    let mut plan = Plan::default();
    let mut report = Report { unmapped: batch.unmapped.clone(), ..Report::default() };
    let mut without_needs = 0;
    let mut line = |kind: &str, origin: &str, name: &str, outcome| {
        report.lines.push(Line {
            kind: kind.to_string(),
            origin: origin.to_string(),
            name: name.to_string(),
            outcome,
        });
    };
    for rejected in &batch.rejected {
        line("record", &rejected.origin, "", Outcome::Rejected(rejected.reason.clone()));
    }
    for org in &batch.organisations {
        let before = stored.organisations.get(&org.id);
        let outcome = match before {
            Some(_) if batch.organisations_named_only => Outcome::Unchanged,
            Some(before) => {
                let org = said_over(before, org);
                let fields = organisation_changes(before, &org);
                outcome(org, Some(fields), &mut plan.organisations)
            }
            None => outcome(org.clone(), None, &mut plan.organisations),
        };
        line("organisation", &format!("organisation {}", org.id), &org.name, outcome);
    }
    let mut placed: HashSet<LocationId> = stored.locations.keys().copied().collect();
    let mut left_out: HashSet<LocationId> = HashSet::new();
    for incoming in &batch.locations {
        let venue = &incoming.location;
        // A contact address only places its service roughly: one whose
        // postcode is not known is left out, and its service kept (where it
        // is then is not known, and it claims no reach).
        if venue.postal && !incoming.placed {
            left_out.insert(venue.id);
            continue;
        }
        let outcome = if incoming.placed {
            placed.insert(venue.id);
            let before = stored.locations.get(&venue.id);
            // A confidential venue stays confidential: no source knows it is.
            let confidential = before.is_some_and(|b| b.confidential);
            let venue = Location { confidential, ..venue.clone() };
            let fields = before.map(|before| location_changes(before, &venue));
            outcome(venue, fields, &mut plan.locations)
        } else {
            Outcome::Rejected(format!("postcode \"{}\" is not known", venue.postcode))
        };
        line("venue", &incoming.origin, &venue.name, outcome);
    }
    let organisations: HashSet<OrganisationId> =
        batch.organisations.iter().map(|o| o.id).chain(stored.organisations.keys().copied()).collect();
    for incoming in &batch.services {
        let mut incoming = incoming.clone();
        incoming.service.locations.retain(|l| !left_out.contains(l));
        let service = &incoming.service;
        let outcome = if let Some(venue) = service.locations.iter().find(|l| !placed.contains(l)) {
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
                without_needs += 1;
            }
            let fields = stored.services.get(&service.id).map(|before| service_changes(before, service));
            outcome(incoming.clone(), fields, &mut plan.services)
        };
        line("service", &incoming.origin, &service.details.name, outcome);
    }
    report.without_needs = without_needs;
    (plan, report)
}

/// What a record that came does: added when nothing is stored (`fields` is
/// none), else changed (naming the fields that differ) or left as it is; the
/// write it needs goes into `writes`.
fn outcome<T>(came: T, fields: Option<Vec<String>>, writes: &mut Vec<Write<T>>) -> Outcome {
    match fields {
        None => {
            writes.push(Write::Add(came));
            Outcome::Added
        }
        Some(fields) if fields.is_empty() => Outcome::Unchanged,
        Some(fields) => {
            writes.push(Write::Change(came, fields.clone()));
            Outcome::Changed(fields)
        }
    }
}

/// An organisation as it came, over what is stored: what the source does not
/// say (a feed that nests a service's organisation gives only its name and a
/// few fields) is kept as it was.
fn said_over(before: &Organisation, came: &Organisation) -> Organisation {
    let either = |came: &Option<String>, before: &Option<String>| came.clone().or_else(|| before.clone());
    Organisation {
        id: came.id,
        name: came.name.clone(),
        description: if came.description.is_empty() || came.description == came.name {
            before.description.clone()
        } else {
            came.description.clone()
        },
        kind: came.kind,
        charity_number: either(&came.charity_number, &before.charity_number),
        company_number: either(&came.company_number, &before.company_number),
        website: either(&came.website, &before.website),
        email: either(&came.email, &before.email),
        phone: either(&came.phone, &before.phone),
    }
}

/// Names the new records that look like ones already here under another id:
/// an organisation with the same charity or company number, a service with
/// much the same name meeting within 150 m.
pub fn duplicates(
    plan: &Plan,
    batch: &Batch,
    known_organisations: &HashMap<OrganisationId, Known>,
    known_services: &HashMap<ServiceId, Known>,
) -> Vec<Duplicate> {
    let mut found = Vec::new();
    let mut by_number: HashMap<&String, Vec<(&OrganisationId, &Known)>> = HashMap::new();
    for (id, known) in known_organisations {
        for number in &known.numbers {
            by_number.entry(number).or_default().push((id, known));
        }
    }
    for write in &plan.organisations {
        let Write::Add(org) = write else { continue };
        let numbers = org.charity_number.iter().chain(&org.company_number);
        let alike: HashSet<(&OrganisationId, &str)> = numbers
            .flat_map(|n| by_number.get(n).into_iter().flatten())
            .filter(|(id, _)| **id != org.id)
            .map(|(id, known)| (*id, known.name.as_str()))
            .collect();
        for (id, name) in alike {
            found.push(Duplicate {
                incoming: org.id.0,
                existing: id.0,
                kind: "organisation".into(),
                said: format!("the organisation \"{}\" has the same number as \"{name}\" ({id})", org.name),
            });
        }
    }
    let places: HashMap<LocationId, (f64, f64)> = batch
        .locations
        .iter()
        .map(|l| (l.location.id, (l.location.latitude, l.location.longitude)))
        .collect();
    // Known services by the grid square each of their venues is in: a square
    // is wider than 150 m each way, so a venue's square and the eight around
    // it hold every venue near it.
    let square = |(lat, lon): (f64, f64)| ((lat / 0.002).floor() as i64, (lon / 0.003).floor() as i64);
    let mut by_square: HashMap<(i64, i64), Vec<Nearby>> = HashMap::new();
    for (id, known) in known_services {
        for &place in &known.places {
            by_square.entry(square(place)).or_default().push((id, known, place));
        }
    }
    for write in &plan.services {
        let Write::Add(incoming) = write else { continue };
        let service = &incoming.service;
        let mut named: HashSet<&ServiceId> = HashSet::new();
        for here in service.locations.iter().filter_map(|l| places.get(l).copied()) {
            let (row, column) = square(here);
            let around = (-1..=1).flat_map(|dr| (-1..=1).map(move |dc| (row + dr, column + dc)));
            for (id, known, place) in around.flat_map(|s| by_square.get(&s).into_iter().flatten()) {
                let same = **id != service.id && distance_m(here, *place) <= SAME_PLACE_M;
                if same && similar(&service.details.name, &known.name) && named.insert(id) {
                    found.push(Duplicate {
                        incoming: service.id.0,
                        existing: id.0,
                        kind: "service".into(),
                        said: format!(
                            "the service \"{}\" looks like \"{}\" ({id}), which meets within 150 m",
                            service.details.name, known.name
                        ),
                    });
                }
            }
        }
    }
    found.sort_by(|a, b| a.said.cmp(&b.said));
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
