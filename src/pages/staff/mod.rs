//! Staff pages: the staff home with the review queue, and a neighbourhood's
//! editing page; the forms of services, organisations and venues, and the
//! change history, each in its own file.

pub mod approvals;
pub mod history;
pub mod organisations;
pub mod review;
pub mod services;
pub mod sources;
pub mod speakers;
pub mod users;
pub mod venues;

use maud::{Markup, html};

use super::{Frame, Input, csrf_field, day, error_summary, layout, select};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::NeighbourhoodId;
use crate::domain::text::FieldErrors;
use crate::domain::views::{NeighbourhoodView, ServiceSummary};
use crate::geo::neighbourhoods::Band;

/// The staff home's part for those who keep listings: the first of their
/// review queue, and how fresh their neighbourhoods' listings are.
pub struct Review<'a> {
    /// How many proposals wait for this person to decide (for those who may).
    pub waiting_approval: Option<usize>,
    /// How many posts wait for this person to moderate (for those who may).
    pub waiting_moderation: Option<i64>,
    /// What this person proposed lately, and where each has got to.
    pub proposed: &'a [crate::domain::proposals::Proposal],
    pub due: &'a [ServiceSummary],
    pub due_count: i64,
    pub freshness: &'a [crate::domain::review::Freshness],
    pub review_after_days: u32,
}

/// The staff home: who you are, what you can do, and what needs checking.
pub fn home(frame: &Frame, user: &StaffUser, review: Option<&Review<'_>>) -> Markup {
    layout(
        frame,
        "Staff home",
        html! {
            span class="caption" { (user.role.label()) }
            h1 { "Hello, " (user.name) }
            @if user.signposts() {
                p { a class="button" href="/signpost" { "Start signposting" } }
            }
            @if user.edits_listings() {
                p { a class="button" href="/staff/services/new" { "Add a service" } }
            }
            ul class="actions" {
                @if user.signposts() { li { a href="/dashboard" { "Demand and unmet need" } } }
                @if user.keeps_listings() { li { a href="/staff/organisations/new" { "Add an organisation" } } }
                @if let Some(own) = user.only_organisation() {
                    li { a href={ "/staff/organisations/" (own) "/edit" } { "Your organisation's details" } }
                }
                @if user.edits_listings() { li { a href="/staff/venues/new" { "Add a venue" } } }
                @if user.keeps_listings() || user.only_organisation().is_some() {
                    li { a href="/staff/speakers" { "Members who speak for organisations" } }
                }
                li { a href="/staff/account" { "Your account: password and where you are signed in" } }
                li { a href={ "/staff/users/" (user.id) "/history" } { "Changes you have made" } }
            }
            @if user.role == crate::domain::accounts::Role::Administrator {
                ul class="actions" {
                    li { a href="/staff/users" { "Staff accounts" } ": invite colleagues, set their roles, disable an account." }
                    li { a href="/staff/imports" { "Imports" } ": bring in listings, and follow neighbouring areas." }
                    li { a href="/neighbourhoods" { "Neighbourhoods" } ": rename them and move small areas between them from each neighbourhood's page." }
                }
            }
            @if let Some(waiting) = review.and_then(|r| r.waiting_approval).filter(|n| *n > 0) {
                p {
                    strong { a href="/staff/approvals" { (waiting) " " (if waiting == 1 { "change waits" } else { "changes wait" }) " for your approval" } }
                }
            }
            @if let Some(waiting) = review.and_then(|r| r.waiting_moderation) {
                p {
                    a href="/staff/moderation" {
                        @match waiting {
                            0 => "Moderation: nothing waits",
                            1 => strong { "1 post or report waits for a moderator" },
                            n => strong { (n) " posts and reports wait for a moderator" },
                        }
                    }
                }
            }
            @if let Some(review) = review.filter(|r| !r.proposed.is_empty()) {
                h2 { "Changes you proposed" }
                ul class="plain-list" {
                    @for p in review.proposed {
                        li {
                            a href={ "/staff/approvals/" (p.id) } { (p.kind.label()) @if let Some(name) = &p.record_name { ": " (name) } }
                            br;
                            span class="secondary" { (p.state.label()) @if let Some(why) = &p.outcome { ": " (why) } }
                        }
                    }
                }
            }
            @if let Some(review) = review {
                h2 { "Due for review" }
                p {
                    @if review.due_count == 0 {
                        "Every listing you keep has been checked in the last " (review.review_after_days) " days."
                    } @else {
                        (review::how_many(review.due_count)) " you keep " (if review.due_count == 1 { "has" } else { "have" }) " not been checked in the last " (review.review_after_days) " days. The most overdue come first."
                    }
                }
                @if !review.due.is_empty() {
                    table {
                        caption class="visually-hidden" { "Listings due for review" }
                        thead { tr { th scope="col" { "Service" } th scope="col" { "Organisation" } th scope="col" { "Last checked" } } }
                        tbody {
                            @for s in review.due {
                                tr {
                                    td { a href={ "/services/" (s.id) } { (s.name) } }
                                    td { (s.organisation_name) }
                                    td { @match s.last_verified_at { Some(t) => (day(t.date())), None => "Never" } }
                                }
                            }
                        }
                    }
                    p { a href="/staff/review" { "The whole review queue, with filters" } }
                }
                (review::freshness(review.freshness, review.review_after_days))
            }
        },
    )
}

/// A closed list's values as the options of a form's choices: code and label.
fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|&v| (code(v).to_string(), label(v).to_string())).collect()
}

/// What the neighbourhood editing page shows.
pub struct NeighbourhoodForm<'a> {
    pub hood: &'a NeighbourhoodView,
    pub band: Option<Band>,
    /// Its small areas: code, residents and place.
    pub small_areas: &'a [(String, i32, Option<String>)],
    /// The neighbourhoods it shares a boundary with.
    pub adjacent: &'a [(NeighbourhoodId, String)],
    /// What was typed or chosen, kept when something needs correcting.
    pub name: &'a str,
    pub small_area: &'a str,
    pub to: &'a str,
    /// What the last change did.
    pub notice: Option<String>,
}

/// Renaming a neighbourhood, and moving its small areas to neighbouring ones.
pub fn neighbourhood_form(frame: &Frame, form: &NeighbourhoodForm<'_>, errors: &FieldErrors) -> Markup {
    let hood = form.hood;
    let heading = format!("Change {}", hood.name);
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    let areas: Vec<(String, String)> = form
        .small_areas
        .iter()
        .map(|(code, people, place)| {
            let place = place.as_deref().map(|p| format!(", {p}")).unwrap_or_default();
            (code.clone(), format!("{code} ({people} residents{place})"))
        })
        .collect();
    let neighbours: Vec<(String, String)> =
        form.adjacent.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            @if let Some(notice) = &form.notice { div class="notice" role="status" { (notice) } }
            span class="caption" { "Neighbourhood" }
            h1 { (heading) }
            dl class="summary-list" {
                dt { "Residents" } dd { (hood.population) }
                dt { "Small areas" } dd { (hood.small_areas) }
                dt { "Population band" }
                dd {
                    @match form.band { Some(b) => { (b.min) " to " (b.max) " residents: " } None => {} }
                    @match &hood.outside_band { None => "within it", Some(why) => { "outside it (" (why) ")" } }
                }
                dt { "Compactness" } dd { (format!("{:.2}", hood.compactness)) " (1 is a circle)" }
            }
            p { a href={ "/neighbourhoods/" (hood.slug) } { "See its public page" } }
            h2 { "Rename it" }
            form method="post" action={ "/staff/neighbourhoods/" (hood.slug) "/name" } novalidate {
                (csrf_field(frame))
                (Input { hint: Some("The name residents would use. It is kept when the neighbourhoods are rebuilt."), ..Input::new("name", "Name", form.name) }.render(errors))
                button type="submit" { "Rename" }
            }
            h2 { "Move a small area to a neighbouring neighbourhood" }
            p { "A small area can only join a neighbourhood it shares a boundary with, and only if what is left here stays in one piece. Both neighbourhoods' populations are then checked against the band." }
            form method="post" action={ "/staff/neighbourhoods/" (hood.slug) "/move" } novalidate {
                (csrf_field(frame))
                (select("small_area", "Small area", &areas, form.small_area, errors))
                (select("to", "Neighbourhood to join", &neighbours, form.to, errors))
                button type="submit" { "Move" }
            }
        },
    )
}
