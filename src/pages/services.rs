//! A service's page: everything a person needs to go or call.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::{Frame, csrf_field, day, layout, moment};
use crate::domain::directory::{ServiceArea, ServiceStatus};
use crate::domain::ids::ServiceId;
use crate::domain::schedule;
use crate::domain::views::{ServiceSummary, ServiceView};

/// What the person looking may do with the page.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewer {
    /// May see confidential addresses.
    pub sees_confidential: bool,
    /// May edit and verify this listing.
    pub edits: bool,
    /// May archive and restore it.
    pub archives: bool,
}

/// What the page shows beyond the listing itself.
#[derive(Default)]
pub struct Around<'a> {
    /// A small map of its public venues and their neighbourhood.
    pub map: Option<Markup>,
    /// Other services near it for its first need: (id, name, organisation,
    /// how far away, as search says it).
    pub nearby: &'a [(ServiceId, String, String, Option<String>)],
    /// The listings it looks like, for those who may merge it.
    pub looks_like: &'a [(ServiceId, String)],
    /// The latest conversations in the networks that name it.
    pub conversations: &'a [crate::domain::networks::ThreadSummary],
    /// Events coming up that it is part of.
    pub events: &'a [crate::domain::events::EventView],
    /// Its latest notices.
    pub notices: &'a [crate::domain::networks::NoticeView],
}

pub fn page(
    frame: &Frame,
    view: &ServiceView,
    viewer: Viewer,
    now: DateTime<Utc>,
    around: &Around<'_>,
) -> Markup {
    layout(
        frame,
        &view.details.name,
        html! {
            (json_ld(view, frame))
            (heading(view))
            @if viewer.edits {
                (staff_actions(frame, view, viewer, around.looks_like))
            }
            (summary(view, now))
            @if let Some(contact) = view.contact_address_only() {
                h2 { "Contact address" }
                p { "It lists no venue. Its contact address is in " (contact.postcode) ": contact it to ask where it meets." }
            } @else if !view.locations.is_empty() {
                (venues(view, viewer))
            }
            @if let Some(map) = &around.map { (map) }
            (contact_list(view, viewer))
            (last_checked(view, now.date_naive()))
            @if view.listed_by.is_none() {
                p class="no-print" { a href={ "/services/" (view.id) "/suggest" } { "Suggest a change to this listing" } }
            }
            (super::notices::list(around.notices))
            @if view.listed_by.is_none() && view.archived_at.is_none() {
                p class="no-print" { a href={ "/services/" (view.id) "/notices/new" } { "Post a notice about this service" } }
            }
            (super::events::coming_up(around.events))
            (super::networks::mentioned_in(around.conversations))
            (super::follow_links(&format!("/services/{}", view.id), None))
            @if !around.nearby.is_empty() {
                (nearby_services(view, around.nearby))
            }
        },
    )
}

/// The organisation, the name, whether it is running, what it does and the
/// needs it meets.
fn heading(view: &ServiceView) -> Markup {
    let d = &view.details;
    html! {
        span class="caption" { a href={ "/organisations/" (d.organisation) } { (view.organisation_name) } }
        h1 { (d.name) }
        @if let Some(area) = &view.listed_by {
            p class="notice" { "Listed by " strong { (area) } ", a neighbouring area: its directory keeps this listing, and changes are made there." }
        }
        @if d.status != ServiceStatus::Active {
            p class="notice" { strong { (d.status.label()) } ". Check with the organisation before you go." }
        }
        p class="lead" { (d.description) }
        p {
            @for need in &view.needs {
                a class="tag" href={ "/needs/" (need.slug) } { (need.label) }
            }
        }
    }
}

fn staff_actions(
    frame: &Frame,
    view: &ServiceView,
    viewer: Viewer,
    looks_like: &[(ServiceId, String)],
) -> Markup {
    let archived = view.archived_at.is_some();
    html! {
        div class="panel no-print" {
            @if archived {
                p { strong { "Archived" } ": this listing is not on the public site, in search or in the open data." }
            }
            a class="button button-secondary" href={ "/staff/services/" (view.id) "/edit" } { "Edit this listing" }
            " "
            form class="inline-form" method="post" action={ "/staff/services/" (view.id) "/verify" } {
                (csrf_field(frame))
                button type="submit" class="button-secondary" { "Mark as checked today" }
            }
            " "
            @if viewer.archives {
                form class="inline-form" method="post" action={ "/staff/services/" (view.id) @if archived { "/restore" } @else { "/archive" } } {
                    (csrf_field(frame))
                    button type="submit" class="button-secondary" { @if archived { "Restore this listing" } @else { "Archive this listing" } }
                }
                " "
            }
            a href={ "/staff/services/" (view.id) "/history" } { "History of changes" }
            @for place in view.locations.iter().filter(|p| !p.location.postal && (viewer.sees_confidential || !p.location.confidential)) {
                " "
                a href={ "/staff/venues/" (place.location.id) "/edit" } { "Change the venue " (place.location.name) }
            }
            @if viewer.archives && !archived {
                @if !looks_like.is_empty() {
                    h2 { "It looks like" }
                    p { "Much the same name, meeting within 150 m. If it repeats one of these, merge it: shortlists that name it will name the other, and its address will lead there." }
                    ul class="plain-list" {
                        @for (other, name) in looks_like {
                            li {
                                a href={ "/services/" (other) } { (name) }
                                form class="inline-form" method="post" action={ "/staff/services/" (view.id) "/merge" } {
                                    (csrf_field(frame))
                                    input type="hidden" name="into" value=(other);
                                    " " button type="submit" class="button-secondary" { "Merge this listing into " (name) }
                                }
                            }
                        }
                    }
                }
                details {
                    summary { "Merge this listing into another" }
                    form method="post" action={ "/staff/services/" (view.id) "/merge" } novalidate {
                        (csrf_field(frame))
                        (super::Input { hint: Some("The address of the listing it repeats, like /services/…"), ..super::Input::new("into", "The listing it repeats", "") }.render(&Default::default()))
                        button type="submit" class="button-secondary" { "Merge" }
                    }
                }
            }
        }
    }
}

/// Who it is for, how to use it, when, what it costs, how and where it
/// reaches people, in which languages, and whether it takes new people.
fn summary(view: &ServiceView, now: DateTime<Utc>) -> Markup {
    let d = &view.details;
    let when = schedule::describe(&view.schedules, now.date_naive());
    let sessions = schedule::next_sessions(&view.schedules, now, 4);
    html! {
        dl class="summary-list" {
            dt { "Who it is for" }
            dd {
                @if let Some(eligibility) = &d.eligibility { (eligibility) br; }
                (ages(d.min_age, d.max_age))
            }
            dt { "How to use it" }
            dd { (d.referral_route.label()) }
            dt { "When" }
            dd {
                @if when.is_empty() && view.extras.hours_text.is_none() { "Contact them to find out when." }
                @for line in &when { (line) br; }
                @if let Some(words) = &view.extras.hours_text { (words) br; }
                @if !sessions.is_empty() {
                    span class="secondary" { "Next: " }
                    ul class="sessions" { @for session in &sessions { li { (session.describe()) } } }
                }
            }
            dt { "Cost" }
            dd {
                (d.cost.label())
                @if let Some(detail) = &d.cost_description { ": " (detail) }
            }
            dt { "How it reaches people" }
            dd { (d.delivery.iter().map(|m| m.label()).collect::<Vec<_>>().join(", ")) }
            dt { "Where" }
            dd {
                @if d.area == ServiceArea::Region && !view.extras.regions.is_empty() {
                    (view.extras.regions.join(", "))
                } @else if d.area == ServiceArea::Local && view.contact_address_only().is_some() {
                    "Near its contact address"
                } @else {
                    (area_words(d.area, d.area_radius_km))
                }
            }
            @if !d.languages.is_empty() {
                dt { "Languages" }
                dd { (d.languages.join(", ")) }
            }
            @if let Some(capacity) = d.capacity {
                dt { "New people" }
                dd {
                    (capacity.label())
                    @if let Some(said) = view.capacity_said_on { span class="secondary" { " (as of " (day(said)) ")" } }
                }
            }
        }
    }
}

fn venues(view: &ServiceView, viewer: Viewer) -> Markup {
    html! {
        h2 { "Venue" }
        @for place in view.locations.iter().filter(|p| !p.location.postal) {
            @let l = &place.location;
            @if l.confidential && !viewer.sees_confidential {
                // Nothing of the place itself, not even its name.
                p { "The address is confidential. Contact the service and they will tell you where to go." }
            } @else {
                h3 { (l.name) }
                @if l.confidential { p { strong class="tag tag-warning" { "Confidential address: never share it" } } }
                p {
                    (l.address_1) br;
                    @if let Some(line) = &l.address_2 { (line) br; }
                    (l.town) br;
                    (l.postcode)
                }
                (access_list(l))
            }
        }
    }
}

/// How to get in touch. A named contact is shown only when they agreed to
/// be, except to those who keep the listing.
fn contact_list(view: &ServiceView, viewer: Viewer) -> Markup {
    let d = &view.details;
    let contacts: Vec<_> = view.contacts.iter().filter(|c| c.shown || viewer.edits).collect();
    let anything = d.phone.is_some()
        || d.email.is_some()
        || d.website.is_some()
        || !view.extras.phones.is_empty()
        || !contacts.is_empty();
    html! {
        h2 { "Contact" }
        @if !anything {
            p { "Contact " a href={ "/organisations/" (d.organisation) } { (view.organisation_name) } " to ask about it." }
        } @else {
        dl class="summary-list" {
            @if let Some(phone) = &d.phone { dt { "Phone" } dd { a href={ "tel:" (phone.replace(' ', "")) } { (phone) } } }
            @for phone in &view.extras.phones {
                dt { (phone.description.as_deref().unwrap_or("Phone")) }
                dd { a href={ "tel:" (phone.number.replace(' ', "")) } { (phone.number) } }
            }
            @if let Some(email) = &d.email { dt { "Email" } dd { a href={ "mailto:" (email) } { (email) } } }
            @if let Some(website) = &d.website { dt { "Website" } dd { a href=(website) rel="nofollow noopener" { (website) } } }
            @for contact in &contacts {
                dt { (contact.title.as_deref().unwrap_or("Contact")) }
                dd {
                    (contact.name)
                    @if let Some(phone) = &contact.phone { ", " a href={ "tel:" (phone.replace(' ', "")) } { (phone) } }
                    @if let Some(email) = &contact.email { ", " a href={ "mailto:" (email) } { (email) } }
                    @if !contact.shown { " " span class="secondary" { "(only you see this: they have not agreed to be shown)" } }
                }
            }
        }
        }
    }
}

fn last_checked(view: &ServiceView, today: chrono::NaiveDate) -> Markup {
    html! {
        p class="secondary" {
            @match view.last_verified_at {
                Some(checked) => {
                    "Checked " (super::ago(checked.date(), today)) " (" (day(checked.date())) ")"
                    @if let Some(by) = &view.last_verified_by { " by " (by) }
                    "."
                }
                None => "Not checked yet.",
            }
            " Listing updated " (moment(view.updated_at)) "."
        }
    }
}

/// Other services near it for its first need.
fn nearby_services(view: &ServiceView, nearby: &[(ServiceId, String, String, Option<String>)]) -> Markup {
    html! {
        h2 { "Also near here for " (view.needs.first().map_or("this", |n| n.label.as_str())) }
        ul class="plain-list" {
            @for (id, name, organisation, away) in nearby {
                li {
                    a href={ "/services/" (id) } { (name) } br;
                    span class="secondary" {
                        (organisation)
                        @if let Some(away) = away { ", " (away.to_lowercase()) }
                    }
                }
            }
        }
    }
}

fn ages(min: Option<i32>, max: Option<i32>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("Ages {min} to {max}"),
        (Some(min), None) => format!("Aged {min} and over"),
        (None, Some(max)) => format!("Up to age {max}"),
        (None, None) => String::from("All ages"),
    }
}

fn area_words(area: ServiceArea, radius_km: Option<f64>) -> String {
    match (area, radius_km) {
        (ServiceArea::Radius, Some(km)) => format!("Within {km} km of its venue"),
        _ => area.label().to_string(),
    }
}

pub(super) fn access_list(location: &crate::domain::listing::Location) -> Markup {
    let a = &location.access;
    let fact =
        |known: Option<bool>, yes: &'static str, no: &'static str| known.map(|k| if k { yes } else { no });
    let facts: Vec<&str> = [
        fact(a.step_free, "Step-free access", "Not step-free: there are steps"),
        fact(a.accessible_toilet, "Accessible toilet", "No accessible toilet"),
        fact(a.hearing_loop, "Hearing loop", "No hearing loop"),
        fact(a.parking, "Parking", "No parking on site"),
    ]
    .into_iter()
    .flatten()
    .collect();
    html! {
        @if !facts.is_empty() || a.public_transport.is_some() || location.entry_point {
            ul {
                @if location.entry_point { li { "A community hub: walk in and ask about anything" } }
                @for f in facts { li { (f) } }
                @if let Some(transport) = &a.public_transport { li { (transport) } }
            }
        }
    }
}

/// A list of services, each linked, with its organisation and state.
pub fn summary_list(services: &[ServiceSummary]) -> Markup {
    html! {
        ul class="plain-list" {
            @for s in services {
                li {
                    a href={ "/services/" (s.id) } { (s.name) }
                    br;
                    span class="secondary" { (s.organisation_name) }
                    @if s.status != ServiceStatus::Active { " " span class="tag tag-grey" { (s.status.label()) } }
                    @if let Some(capacity) = s.capacity { " " span class="tag tag-grey" { (capacity.label()) } }
                }
            }
        }
    }
}

/// schema.org JSON-LD for the service, its organisation, its public venues
/// and weekly opening hours.
fn json_ld(view: &ServiceView, frame: &Frame) -> Markup {
    use serde_json::json;
    let d = &view.details;
    let places: Vec<serde_json::Value> = view
        .locations
        .iter()
        .map(|p| &p.location)
        .filter(|l| l.is_public_venue())
        .map(|l| {
            let street = match &l.address_2 {
                Some(second) => format!("{}, {second}", l.address_1),
                None => l.address_1.clone(),
            };
            json!({
                "@type": "Place",
                "name": l.name,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": street,
                    "addressLocality": l.town,
                    "postalCode": l.postcode,
                    "addressCountry": "GB",
                },
                "geo": { "@type": "GeoCoordinates", "latitude": l.latitude, "longitude": l.longitude },
            })
        })
        .collect();
    let hours: Vec<serde_json::Value> = view
        .schedules
        .iter()
        .filter(|s| s.freq == Some(schedule::Frequency::Weekly) && s.interval <= 1)
        .filter_map(|s| Some((s, s.opens_at?, s.closes_at?)))
        .map(|(s, opens, closes)| {
            let days: Vec<String> = s
                .byday
                .iter()
                .map(|d| format!("https://schema.org/{}", schedule::day_name(d.weekday)))
                .collect();
            json!({
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": days,
                "opens": opens.format("%H:%M").to_string(),
                "closes": closes.format("%H:%M").to_string(),
            })
        })
        .collect();
    let mut service = json!({
        "@context": "https://schema.org",
        "@type": "Service",
        "name": d.name,
        "description": d.description,
        "url": format!("/services/{}", view.id),
        "provider": { "@type": "Organization", "name": view.organisation_name, "url": format!("/organisations/{}", d.organisation) },
        "serviceType": view.needs.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(),
        "isAccessibleForFree": d.cost == crate::domain::directory::CostKind::Free,
    });
    if let Some(area) = &frame.demo {
        service["areaServed"] = json!(area);
    }
    if !places.is_empty() {
        service["availableChannel"] = json!({ "@type": "ServiceChannel", "serviceLocation": places });
    }
    if !hours.is_empty() {
        service["hoursAvailable"] = json!(hours);
    }
    if let Some(phone) = &d.phone {
        service["provider"]["telephone"] = json!(phone);
    }
    super::json_ld::script(&service)
}
