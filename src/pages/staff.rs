//! Staff pages: the staff home with the review queue, the service form, and a
//! listing's history of changes.

use maud::{Markup, html};

use super::{Choices, Frame, Input, csrf_field, day, error_summary, layout, moment, select, textarea};
use crate::domain::accounts::StaffUser;
use crate::domain::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea, ServiceStatus};
use crate::domain::ids::{NeighbourhoodId, OrganisationId, ServiceId};
use crate::domain::needs::Need;
use crate::domain::service_form::ServiceForm;
use crate::domain::text::FieldErrors;
use crate::domain::views::{ChangeView, NeighbourhoodView, ServiceSummary};
use crate::geo::neighbourhoods::Band;

/// The staff home: who you are, what you can do, and what needs checking.
pub fn home(
    frame: &Frame,
    user: &StaffUser,
    due: &[ServiceSummary],
    due_count: i64,
    review_after_days: u32,
) -> Markup {
    layout(
        frame,
        "Staff home",
        html! {
            span class="caption" { (user.role.label()) }
            h1 { "Hello, " (user.name) }
            @if user.signposts() {
                p { a class="button" href="/signpost" { "Start signposting" } " " a href="/dashboard" { "Demand and unmet need" } }
            }
            @if user.edits_listings() {
                p { a class="button" href="/staff/services/new" { "Add a service" } }
            }
            @if user.role == crate::domain::accounts::Role::Administrator {
                p { a href="/neighbourhoods" { "Neighbourhoods" } ": rename them and move small areas between them from each neighbourhood's page." }
            }
            h2 { "Due for review" }
            p {
                @if due_count == 0 {
                    "Every listing has been checked in the last " (review_after_days) " days."
                } @else {
                    (due_count) " listings have not been checked in the last " (review_after_days) " days. The oldest come first."
                }
            }
            @if !due.is_empty() {
                table {
                    caption class="visually-hidden" { "Listings due for review" }
                    thead { tr { th scope="col" { "Service" } th scope="col" { "Organisation" } th scope="col" { "Last checked" } } }
                    tbody {
                        @for s in due {
                            tr {
                                td { a href={ "/services/" (s.id) } { (s.name) } }
                                td { (s.organisation_name) }
                                td { @match s.last_verified_at { Some(t) => (day(t.date())), None => "Never" } }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// Whether the form adds a service or changes one.
pub enum FormMode<'a> {
    New,
    Edit { id: ServiceId, name: &'a str },
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|&v| (code(v).to_string(), label(v).to_string())).collect()
}

/// The form that adds or changes a service. Shown again, with everything typed
/// kept, when something needs correcting.
pub fn service_form(
    frame: &Frame,
    mode: &FormMode<'_>,
    form: &ServiceForm,
    errors: &FieldErrors,
    needs: &[Need],
    organisations: &[(OrganisationId, String)],
) -> Markup {
    let (heading, action) = match mode {
        FormMode::New => ("Add a service".to_string(), "/staff/services".to_string()),
        FormMode::Edit { id, name } => (format!("Change {name}"), format!("/staff/services/{id}")),
    };
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    let organisation_options: Vec<(String, String)> =
        organisations.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    let mut capacity_options = options(Capacity::ALL, Capacity::code, Capacity::label);
    capacity_options.push(("unknown".into(), "Not known".into()));
    let chosen_capacity =
        if form.capacity.is_empty() { "unknown".to_string() } else { form.capacity.clone() };
    let one = |value: &str| vec![value.to_string()];
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            h1 { (heading) }
            form method="post" action=(action) novalidate {
                (csrf_field(frame))
                (select("organisation", "Organisation that runs it", &organisation_options, &form.organisation, errors))
                (Input::new("name", "Name of the service", &form.name).render(errors))
                (textarea("description", "What it does", Some("In plain English: what happens, and what someone gets from it."), &form.description, errors))
                (Choices { name: "status", legend: "Is it running?", hint: None, options: options(ServiceStatus::ALL, ServiceStatus::code, ServiceStatus::label), chosen: one(&form.status), multiple: false, inline: false }.render(errors))
                div class=(if errors.get("needs").is_some() { "form-group form-group-error" } else { "form-group" }) {
                    fieldset {
                        legend { "Needs it meets" }
                        div class="hint" { "Choose every need a caller might have that this service helps with." }
                        @if let Some(message) = errors.get("needs") {
                            span class="field-error" { span class="visually-hidden" { "Error: " } (message) }
                        }
                        @let first_need = needs.iter().find(|n| n.parent.is_some()).map(|n| n.slug.as_str());
                        @for group in needs.iter().filter(|n| n.parent.is_none()) {
                            h3 { (group.label) }
                            div class="choices-inline" {
                                @for need in needs.iter().filter(|n| n.parent == Some(group.id)) {
                                    @let id = if first_need == Some(need.slug.as_str()) { "needs".to_string() } else { format!("needs-{}", need.slug) };
                                    div class="choice" {
                                        input type="checkbox" id=(id) name="needs" value=(need.slug) checked[form.needs.contains(&need.slug)];
                                        label for=(id) { (need.label) }
                                    }
                                }
                            }
                        }
                    }
                }
                (Choices { name: "referral_route", legend: "How do people start using it?", hint: None, options: options(ReferralRoute::ALL, ReferralRoute::code, ReferralRoute::label), chosen: one(&form.referral_route), multiple: false, inline: false }.render(errors))
                (textarea("eligibility", "Who it is for (optional)", Some("For example: carers of someone with dementia, living in Kingsmere."), &form.eligibility, errors))
                (Input { short: true, kind: "text", ..Input::new("min_age", "Youngest age (optional)", &form.min_age) }.render(errors))
                (Input { short: true, kind: "text", ..Input::new("max_age", "Oldest age (optional)", &form.max_age) }.render(errors))
                (Choices { name: "cost", legend: "What does it cost?", hint: None, options: options(CostKind::ALL, CostKind::code, CostKind::label), chosen: one(&form.cost), multiple: false, inline: false }.render(errors))
                (Input { hint: Some("Required when there is a charge. For example: £3 a session, free for carers."), ..Input::new("cost_description", "About the cost", &form.cost_description) }.render(errors))
                (Choices { name: "delivery", legend: "How does it reach people?", hint: Some("Choose all that apply."), options: options(DeliveryMode::ALL, DeliveryMode::code, DeliveryMode::label), chosen: form.delivery.clone(), multiple: true, inline: true }.render(errors))
                (Input { hint: Some("Separate languages with commas."), ..Input::new("languages", "Languages (optional)", &form.languages) }.render(errors))
                (Choices { name: "area", legend: "Where is it offered?", hint: None, options: options(ServiceArea::ALL, ServiceArea::code, ServiceArea::label), chosen: one(&form.area), multiple: false, inline: false }.render(errors))
                (Input { short: true, hint: Some("Only when it is offered within a distance of its venues."), ..Input::new("area_radius_km", "Distance in kilometres", &form.area_radius_km) }.render(errors))
                (Choices { name: "capacity", legend: "Is it taking new people?", hint: None, options: capacity_options, chosen: vec![chosen_capacity], multiple: false, inline: true }.render(errors))
                (Input { kind: "email", ..Input::new("email", "Email (optional)", &form.email) }.render(errors))
                (Input { kind: "tel", ..Input::new("phone", "Phone (optional)", &form.phone) }.render(errors))
                (Input { kind: "url", hint: Some("Starting with https://"), ..Input::new("website", "Website (optional)", &form.website) }.render(errors))
                (textarea("reason", "Why are you making this change? (optional)", Some("Kept in the listing's history."), &form.reason, errors))
                button type="submit" { "Save" }
            }
        },
    )
}

/// Every change to a listing, newest first.
pub fn history(frame: &Frame, id: ServiceId, name: &str, changes: &[ChangeView]) -> Markup {
    layout(
        frame,
        &format!("History of {name}"),
        html! {
            span class="caption" { a href={ "/services/" (id) } { (name) } }
            h1 { "History of changes" }
            @if changes.is_empty() {
                p { "No changes have been recorded." }
            } @else {
                table {
                    caption class="visually-hidden" { "Changes, newest first" }
                    thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Was" } th scope="col" { "Now" } } }
                    tbody {
                        @for c in changes {
                            tr {
                                td { (moment(c.changed_at)) }
                                td { (c.by.as_deref().unwrap_or("The system")) }
                                td {
                                    (c.field.replace('_', " "))
                                    @if c.action != "update" { " (" (c.action) ")" }
                                    @if let Some(reason) = &c.reason { br; span class="secondary" { "Why: " (reason) } }
                                }
                                td { (c.old_value.as_deref().unwrap_or("")) }
                                td { (c.new_value.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        },
    )
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
