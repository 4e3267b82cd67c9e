//! The service form: its details, where it happens, when it runs (with each
//! row of times read back in plain English), and whom to ask. Shown again,
//! with everything typed kept, when something needs correcting or when a
//! row is added.

use maud::{Markup, html};

use super::super::{Choices, Frame, Input, csrf_field, error_summary, layout, select, textarea};
use super::options;
use crate::domain::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea, ServiceStatus};
use crate::domain::ids::{NeighbourhoodId, OrganisationId, ServiceId};
use crate::domain::needs::Need;
use crate::domain::schedule::{self, WEEK};
use crate::domain::schedule_form::{PATTERNS, TimesForm, WEEKS};
use crate::domain::service_form::{ContactForm, PhoneForm, ServiceForm, times_in_words};
use crate::domain::text::FieldErrors;
use crate::domain::views::VenueChoice;

/// Whether the form adds a service or changes one.
pub enum FormMode<'a> {
    New,
    Edit { id: ServiceId, name: &'a str },
}

/// What the form offers besides its closed lists.
pub struct Offered<'a> {
    pub needs: &'a [Need],
    pub organisations: &'a [(OrganisationId, String)],
    pub venues: &'a [VenueChoice],
    pub neighbourhoods: &'a [(NeighbourhoodId, String)],
    /// The listings it looks like, when that stopped it being saved.
    pub looks_like: &'a [(ServiceId, String)],
}

/// The form that adds or changes a service. `form`'s lists already end with
/// their blank rows (`PartsForm::ready_to_show`).
pub fn form(
    frame: &Frame,
    mode: &FormMode<'_>,
    form: &ServiceForm,
    errors: &FieldErrors,
    offered: &Offered<'_>,
) -> Markup {
    let (heading, action) = match mode {
        FormMode::New => ("Add a service".to_string(), "/staff/services".to_string()),
        FormMode::Edit { id, name } => (format!("Change {name}"), format!("/staff/services/{id}")),
    };
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    let organisation_options: Vec<(String, String)> =
        offered.organisations.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    let mut capacity_options = options(Capacity::ALL, Capacity::code, Capacity::label);
    capacity_options.push(("unknown".into(), "Not known".into()));
    let chosen_capacity =
        if form.capacity.is_empty() { "unknown".to_string() } else { form.capacity.clone() };
    let one = |value: &str| vec![value.to_string()];
    let venue_hint = if offered.venues.is_empty() {
        "None yet: find a venue by its name or postcode, or add one."
    } else {
        "The organisation's venues, where it meets now, and those found."
    };
    let new_venue = match form.organisation.parse::<OrganisationId>() {
        Ok(id) => format!("/staff/venues/new?organisation={id}"),
        Err(_) => String::from("/staff/venues/new"),
    };
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            h1 { (heading) }
            form method="post" action=(action) novalidate {
                (csrf_field(frame))
                @if !offered.looks_like.is_empty() || form.not_duplicate {
                    div class="warning" {
                        h2 { "It looks like a listing already here" }
                        ul { @for (id, name) in offered.looks_like { li { a href={ "/services/" (id) } { (name) } } } }
                        (Choices {
                            name: "not_duplicate",
                            legend: "Is it a different service?",
                            hint: Some("Much the same name, meeting within 150 m. If it is the same, change that listing instead."),
                            options: vec![(String::from("yes"), String::from("Yes, it is a different service: add it"))],
                            chosen: if form.not_duplicate { vec![String::from("yes")] } else { vec![] },
                            multiple: true,
                            inline: true,
                        }.render(errors))
                    }
                }
                h2 { "About the service" }
                (select("organisation", "Organisation that runs it", &organisation_options, &form.organisation, errors))
                @if offered.organisations.len() != 1 || form.organisation.is_empty() || !form.organisation_search.is_empty() {
                    (Input { hint: Some("Part of its name, then \"Find organisations\"."), ..Input::new("organisation_search", "Find another organisation", &form.organisation_search) }.render(errors))
                    p {
                        button type="submit" name="step" value="organisations" class="button-secondary" { "Find organisations" }
                        " " a href="/staff/organisations/new" { "Add an organisation" }
                    }
                } @else {
                    details {
                        summary { "Another organisation runs it" }
                        (Input { hint: Some("Part of its name, then \"Find organisations\"."), ..Input::new("organisation_search", "Find another organisation", &form.organisation_search) }.render(errors))
                        p {
                            button type="submit" name="step" value="organisations" class="button-secondary" { "Find organisations" }
                            " " a href="/staff/organisations/new" { "Add an organisation" }
                        }
                    }
                }
                (Input::new("name", "Name of the service", &form.name).render(errors))
                (textarea("description", "What it does", Some("In plain English: what happens, and what someone gets from it."), &form.description, errors))
                (Choices { name: "status", legend: "Is it running?", hint: None, options: options(ServiceStatus::ALL, ServiceStatus::code, ServiceStatus::label), chosen: one(&form.status), multiple: false, inline: false }.render(errors))
                (needs_choices(form, errors, offered.needs))
                h2 { "Who it is for and what it costs" }
                (Choices { name: "referral_route", legend: "How do people start using it?", hint: None, options: options(ReferralRoute::ALL, ReferralRoute::code, ReferralRoute::label), chosen: one(&form.referral_route), multiple: false, inline: false }.render(errors))
                (textarea("eligibility", "Who it is for (optional)", Some("For example: carers of someone with dementia, living in Kingsmere."), &form.eligibility, errors))
                (Input { short: true, kind: "text", ..Input::new("min_age", "Youngest age (optional)", &form.min_age) }.render(errors))
                (Input { short: true, kind: "text", ..Input::new("max_age", "Oldest age (optional)", &form.max_age) }.render(errors))
                (Choices { name: "cost", legend: "What does it cost?", hint: None, options: options(CostKind::ALL, CostKind::code, CostKind::label), chosen: one(&form.cost), multiple: false, inline: false }.render(errors))
                (Input { hint: Some("Required when there is a charge. For example: £3 a session, free for carers."), ..Input::new("cost_description", "About the cost", &form.cost_description) }.render(errors))
                (Input { hint: Some("Separate languages with commas."), ..Input::new("languages", "Languages (optional)", &form.languages) }.render(errors))
                (Choices { name: "capacity", legend: "Is it taking new people?", hint: None, options: capacity_options, chosen: vec![chosen_capacity], multiple: false, inline: true }.render(errors))
                h2 { "Where it happens" }
                (Choices { name: "delivery", legend: "How does it reach people?", hint: Some("Choose all that apply."), options: options(DeliveryMode::ALL, DeliveryMode::code, DeliveryMode::label), chosen: form.delivery.clone(), multiple: true, inline: true }.render(errors))
                (Choices {
                    name: "venues",
                    legend: "Venues where it meets (optional)",
                    hint: Some(venue_hint),
                    options: offered.venues.iter().map(|v| (v.id.to_string(), venue_label(v))).collect(),
                    chosen: form.parts.venues.clone(),
                    multiple: true,
                    inline: false,
                }.render(errors))
                (Input { hint: Some("Part of its name or postcode, such as \"library\" or \"M33 7\"."), ..Input::new("venue_search", "Find another venue", &form.parts.venue_search) }.render(errors))
                p {
                    button type="submit" name="step" value="venues" class="button-secondary" { "Find venues" }
                    " "
                    a href=(new_venue) { "Add a venue" }
                }
                (Choices { name: "area", legend: "Where is it offered?", hint: None, options: options(ServiceArea::ALL, ServiceArea::code, ServiceArea::label), chosen: one(&form.area), multiple: false, inline: false }.render(errors))
                (Input { short: true, hint: Some("Only when it is offered within a distance of its venues."), ..Input::new("area_radius_km", "Distance in kilometres", &form.area_radius_km) }.render(errors))
                @if offered.neighbourhoods.is_empty() {
                    p {
                        "Offered in chosen neighbourhoods? Choose that above, then "
                        button type="submit" name="step" value="neighbourhoods" class="button-secondary" { "Choose the neighbourhoods" }
                    }
                } @else {
                    (Choices {
                        name: "neighbourhoods",
                        legend: "Neighbourhoods it serves",
                        hint: Some("Only when it is offered in chosen neighbourhoods."),
                        options: offered.neighbourhoods.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
                        chosen: form.parts.neighbourhoods.clone(),
                        multiple: true,
                        inline: true,
                    }.render(errors))
                }
                h2 { "When it runs" }
                p class="hint" { "One row for each pattern. Leave a row's pattern unchosen to leave it out." }
                @for (n, row) in form.parts.times.iter().enumerate() {
                    (times_row(n, row, errors))
                }
                p {
                    button type="submit" name="step" value="preview" class="button-secondary" { "Read the times back" }
                    " "
                    button type="submit" name="step" value="times" class="button-secondary" { "Add another time" }
                }
                h2 { "How to get in touch" }
                (Input { kind: "email", ..Input::new("email", "Email (optional)", &form.email) }.render(errors))
                (Input { kind: "tel", ..Input::new("phone", "Main phone (optional)", &form.phone) }.render(errors))
                @for (n, row) in form.parts.phones.iter().enumerate() {
                    (phone_row(n, row, errors))
                }
                p { button type="submit" name="step" value="phones" class="button-secondary" { "Add another phone number" } }
                (Input { kind: "url", hint: Some("Starting with https://"), ..Input::new("website", "Website (optional)", &form.website) }.render(errors))
                @for (n, row) in form.parts.contacts.iter().enumerate() {
                    (contact_row(n, row, errors))
                }
                p { button type="submit" name="step" value="contacts" class="button-secondary" { "Add another contact" } }
                h2 { "Saving" }
                (textarea("reason", "Why are you making this change? (optional)", Some("Kept in the listing's history."), &form.reason, errors))
                button type="submit" { "Save" }
            }
        },
    )
}

fn venue_label(v: &VenueChoice) -> String {
    let mut label = format!("{}: {}", v.name, v.address);
    if v.entry_point {
        label.push_str(" (local entry point)");
    }
    if v.confidential {
        label.push_str(" (confidential address)");
    }
    label
}

fn needs_choices(form: &ServiceForm, errors: &FieldErrors, needs: &[Need]) -> Markup {
    html! {
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
    }
}

/// One row of times, with what it says in plain English when it checks out.
pub(super) fn times_row(n: usize, row: &TimesForm, errors: &FieldErrors) -> Markup {
    let name = |field: &str| format!("times-{n}-{field}");
    let reads = row.check(&format!("times-{n}"), &mut FieldErrors::default()).map(|s| times_in_words(&[s]));
    let (pattern, days, every, weeks, month_days, date) =
        (name("pattern"), name("days"), name("every"), name("weeks"), name("month_days"), name("date"));
    let (opens, closes, valid_from, valid_to, closed_on, booking) = (
        name("opens"),
        name("closes"),
        name("valid_from"),
        name("valid_to"),
        name("closed_on"),
        name("booking"),
    );
    let mut patterns: Vec<(String, String)> = vec![(String::new(), String::from("Leave this row out"))];
    patterns.extend(PATTERNS.iter().map(|(code, label)| (code.to_string(), label.to_string())));
    html! {
        fieldset class="times-row" {
            legend { "Times, row " (n + 1) }
            @if let Some(reads) = &reads {
                p class="reads-as" { strong { "Reads as: " } (reads) }
            }
            (Choices { name: &pattern, legend: "How often", hint: None, options: patterns, chosen: vec![row.pattern.clone()], multiple: false, inline: false }.render(errors))
            (Choices {
                name: &days,
                legend: "Days",
                hint: None,
                options: WEEK.iter().map(|d| (schedule::day_code(*d).to_string(), schedule::day_name(*d).to_string())).collect(),
                chosen: row.days.clone(),
                multiple: true,
                inline: true,
            }.render(errors))
            (Input { short: true, hint: Some("Weekly only: 1 for every week, 2 for every other week."), ..Input::new(&every, "Every how many weeks", &row.every) }.render(errors))
            (Choices {
                name: &weeks,
                legend: "Which weeks of the month",
                hint: Some("On given weeks of the month only."),
                options: WEEKS.iter().map(|(n, label)| (n.to_string(), label.to_string())).collect(),
                chosen: row.weeks.clone(),
                multiple: true,
                inline: true,
            }.render(errors))
            (Input { short: true, hint: Some("On given dates only: such as 1, 15, or last."), ..Input::new(&month_days, "Dates of the month", &row.month_days) }.render(errors))
            (Input { kind: "date", hint: Some("On one date: the date. Every few weeks: a date it runs on."), ..Input::new(&date, "Date", &row.date) }.render(errors))
            div class="inline-fields" {
                (Input { kind: "time", short: true, ..Input::new(&opens, "Starts", &row.opens) }.render(errors))
                (Input { kind: "time", short: true, ..Input::new(&closes, "Finishes", &row.closes) }.render(errors))
            }
            (Choices { name: &booking, legend: "Must sessions be booked first?", hint: None, options: vec![(String::from("yes"), String::from("Yes, book first"))], chosen: if row.booking { vec![String::from("yes")] } else { vec![] }, multiple: true, inline: true }.render(errors))
            div class="inline-fields" {
                (Input { kind: "date", hint: Some("Optional: for a season or a course."), ..Input::new(&valid_from, "Runs from", &row.valid_from) }.render(errors))
                (Input { kind: "date", hint: Some("Optional."), ..Input::new(&valid_to, "Runs until", &row.valid_to) }.render(errors))
            }
            (Input { hint: Some("Dates it does not run, such as bank holidays, separated by commas: 2026-12-25, 2027-01-01."), ..Input::new(&closed_on, "Not on (optional)", &row.closed_on) }.render(errors))
        }
    }
}

fn phone_row(n: usize, row: &PhoneForm, errors: &FieldErrors) -> Markup {
    let (number, description) = (format!("phones-{n}-number"), format!("phones-{n}-description"));
    html! {
        fieldset class="times-row" {
            legend { "Other phone number " (n + 1) " (optional)" }
            (Input { kind: "tel", ..Input::new(&number, "Number", &row.number) }.render(errors))
            (Input { hint: Some("For example: bookings, or out of hours."), ..Input::new(&description, "What it is for", &row.description) }.render(errors))
        }
    }
}

fn contact_row(n: usize, row: &ContactForm, errors: &FieldErrors) -> Markup {
    let name = |field: &str| format!("contacts-{n}-{field}");
    let (id, person, title, phone, email, shown) =
        (name("id"), name("name"), name("title"), name("phone"), name("email"), name("shown"));
    html! {
        fieldset class="times-row" {
            legend { "Named contact " (n + 1) " (optional)" }
            input type="hidden" name=(id) value=(row.id);
            (Input { autocomplete: Some("off"), ..Input::new(&person, "Name", &row.name) }.render(errors))
            (Input::new(&title, "Their role (optional)", &row.title).render(errors))
            (Input { kind: "tel", ..Input::new(&phone, "Phone (optional)", &row.phone) }.render(errors))
            (Input { kind: "email", ..Input::new(&email, "Email (optional)", &row.email) }.render(errors))
            (Choices {
                name: &shown,
                legend: "May their name and details be shown on the public page?",
                hint: Some("Only when they have agreed. Otherwise only those who keep the listing see them."),
                options: vec![(String::from("yes"), String::from("Yes, they agreed to be shown"))],
                chosen: if row.shown { vec![String::from("yes")] } else { vec![] },
                multiple: true,
                inline: true,
            }.render(errors))
        }
    }
}
