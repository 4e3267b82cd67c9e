//! The organisation form: add or change an organisation, with archiving and
//! its history for those who may.

use maud::{Markup, html};

use super::super::{Choices, Frame, Input, csrf_field, error_summary, layout, textarea};
use super::options;
use crate::domain::directory::OrganisationKind;
use crate::domain::ids::OrganisationId;
use crate::domain::organisation_form::OrganisationForm;
use crate::domain::text::FieldErrors;

/// Whether the form adds an organisation or changes one (and whether that
/// one is archived, and whether this person may archive it).
pub enum FormMode<'a> {
    New,
    Edit { id: OrganisationId, name: &'a str, archived: bool, archives: bool },
}

/// The form; `alike` are the organisations with the same numbers, when that
/// stopped it being saved.
pub fn form(
    frame: &Frame,
    mode: &FormMode<'_>,
    form: &OrganisationForm,
    errors: &FieldErrors,
    alike: &[(OrganisationId, String)],
) -> Markup {
    let (heading, action) = match mode {
        FormMode::New => (String::from("Add an organisation"), String::from("/staff/organisations")),
        FormMode::Edit { id, name, .. } => (format!("Change {name}"), format!("/staff/organisations/{id}")),
    };
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            @if let FormMode::Edit { archived: true, .. } = mode {
                div class="notice" role="status" { "This organisation is archived: it is not on the public site." }
            }
            h1 { (heading) }
            @if let FormMode::Edit { id, .. } = mode {
                p {
                    a href={ "/organisations/" (id) } { "See its page" } " · "
                    a href={ "/staff/organisations/" (id) "/history" } { "History of changes" } " · "
                    a href={ "/staff/services/new?organisation=" (id) } { "Add a service it runs" } " · "
                    a href={ "/staff/venues/new?organisation=" (id) } { "Add a venue" }
                }
            }
            form method="post" action=(action) novalidate {
                (csrf_field(frame))
                @if !alike.is_empty() || form.not_duplicate {
                    div class="warning" {
                        h2 { "It looks like an organisation already here" }
                        ul { @for (id, name) in alike { li { a href={ "/organisations/" (id) } { (name) } } } }
                        (Choices {
                            name: "not_duplicate",
                            legend: "Is it a different organisation?",
                            hint: Some("It has the same charity or company number. If it is the same, change that one instead."),
                            options: vec![(String::from("yes"), String::from("Yes, it is a different organisation: add it"))],
                            chosen: if form.not_duplicate { vec![String::from("yes")] } else { vec![] },
                            multiple: true,
                            inline: true,
                        }.render(errors))
                    }
                }
                (Input { autocomplete: Some("organization"), ..Input::new("name", "Name of the organisation", &form.name) }.render(errors))
                (textarea("description", "About it (optional)", Some("What the organisation is and does, in plain English."), &form.description, errors))
                (Choices { name: "kind", legend: "What kind of organisation is it?", hint: None, options: options(OrganisationKind::ALL, OrganisationKind::code, OrganisationKind::label), chosen: vec![form.kind.clone()], multiple: false, inline: false }.render(errors))
                (Input { short: true, hint: Some("Required for a registered charity: like 1123456, SC012345 or NIC100002."), ..Input::new("charity_number", "Charity number", &form.charity_number) }.render(errors))
                (Input { short: true, hint: Some("Optional: as Companies House writes it, like 01234567."), ..Input::new("company_number", "Company number", &form.company_number) }.render(errors))
                (Input { kind: "url", hint: Some("Optional, starting with https://"), ..Input::new("website", "Website", &form.website) }.render(errors))
                (Input { kind: "email", ..Input::new("email", "Email (optional)", &form.email) }.render(errors))
                (Input { kind: "tel", ..Input::new("phone", "Phone (optional)", &form.phone) }.render(errors))
                (textarea("reason", "Why are you making this change? (optional)", Some("Kept in the organisation's history."), &form.reason, errors))
                button type="submit" { "Save" }
            }
            @if let FormMode::Edit { id, archived: false, archives: true, .. } = mode {
                h2 { "Merge it into another" }
                form method="post" action={ "/staff/organisations/" (id) "/merge" } novalidate {
                    (csrf_field(frame))
                    p { "If it repeats another organisation: its services, venues and editors move there, and its page leads there." }
                    (Input { hint: Some("The address of the organisation it repeats, like /organisations/…"), ..Input::new("into", "The organisation it repeats", "") }.render(&FieldErrors::default()))
                    button type="submit" class="button-secondary" { "Merge" }
                }
            }
            @if let FormMode::Edit { id, archived, archives: true, .. } = mode {
                h2 { @if *archived { "Restore it" } @else { "Archive it" } }
                form method="post" action={ "/staff/organisations/" (id) @if *archived { "/restore" } @else { "/archive" } } {
                    (csrf_field(frame))
                    @if *archived {
                        p { "It comes back on the public site and in the open data." }
                        button type="submit" class="button-secondary" { "Restore this organisation" }
                    } @else {
                        p { "It leaves the public site and the open data, and is kept with its history. Its services must be archived first." }
                        button type="submit" class="button-warning" { "Archive this organisation" }
                    }
                }
            }
        },
    )
}
