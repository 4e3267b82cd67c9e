//! The venue form: add or change a venue, placed on the map by its
//! postcode, with archiving and its history for those who may.

use maud::{Markup, html};

use super::super::{Choices, Frame, Input, csrf_field, error_summary, layout, select};
use crate::domain::ids::{LocationId, OrganisationId};
use crate::domain::text::FieldErrors;
use crate::domain::venue_form::{VenueForm, YES_NO};

/// Whether the form adds a venue or changes one.
pub enum FormMode<'a> {
    New,
    Edit {
        id: LocationId,
        name: &'a str,
        archived: bool,
        archives: bool,
        /// Where its postcode placed it: the neighbourhood's name, if any.
        neighbourhood: Option<&'a str>,
        /// How many services meet there.
        services: usize,
    },
}

pub fn form(
    frame: &Frame,
    mode: &FormMode<'_>,
    form: &VenueForm,
    errors: &FieldErrors,
    organisations: &[(OrganisationId, String)],
    sees_confidential: bool,
) -> Markup {
    let (heading, action) = match mode {
        FormMode::New => (String::from("Add a venue"), String::from("/staff/venues")),
        FormMode::Edit { id, name, .. } => (format!("Change {name}"), format!("/staff/venues/{id}")),
    };
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    let organisation_options: Vec<(String, String)> =
        organisations.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    let yes_no: Vec<(String, String)> = YES_NO.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect();
    let ticked = |on: bool| if on { vec![String::from("yes")] } else { Vec::new() };
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            @if let FormMode::Edit { archived: true, .. } = mode {
                div class="notice" role="status" { "This venue is archived: it is not offered for services, nor shown." }
            }
            h1 { (heading) }
            @if let FormMode::Edit { id, neighbourhood, services, .. } = mode {
                dl class="summary-list" {
                    dt { "On the map" }
                    dd { @match neighbourhood { Some(name) => { "Placed by its postcode, in " (name) "." } None => "Placed by its postcode, outside every neighbourhood." } }
                    dt { "Services meeting here" } dd { (services) }
                }
                p { a href={ "/staff/venues/" (id) "/history" } { "History of changes" } " · " a href={ "/places/" (id) } { "Its page, when it is a local entry point" } }
            }
            form method="post" action=(action) novalidate {
                (csrf_field(frame))
                (select("organisation", "Organisation whose venue it is (optional)", &organisation_options, &form.organisation, errors))
                (Input::new("name", "Name of the venue", &form.name).render(errors))
                (Input { autocomplete: Some("address-line1"), ..Input::new("address_1", "Address", &form.address_1) }.render(errors))
                (Input { autocomplete: Some("address-line2"), ..Input::new("address_2", "Address, second line (optional)", &form.address_2) }.render(errors))
                (Input { autocomplete: Some("address-level2"), ..Input::new("town", "Town", &form.town) }.render(errors))
                (Input { short: true, autocomplete: Some("postal-code"), hint: Some("It places the venue on the map, and in its neighbourhood."), ..Input::new("postcode", "Postcode", &form.postcode) }.render(errors))
                h2 { "Getting there and getting in" }
                (Choices { name: "step_free", legend: "Is there step-free access?", hint: None, options: yes_no.clone(), chosen: vec![form.step_free.clone()], multiple: false, inline: true }.render(errors))
                (Choices { name: "accessible_toilet", legend: "Is there an accessible toilet?", hint: None, options: yes_no.clone(), chosen: vec![form.accessible_toilet.clone()], multiple: false, inline: true }.render(errors))
                (Choices { name: "hearing_loop", legend: "Is there a hearing loop?", hint: None, options: yes_no.clone(), chosen: vec![form.hearing_loop.clone()], multiple: false, inline: true }.render(errors))
                (Choices { name: "parking", legend: "Is there parking?", hint: None, options: yes_no, chosen: vec![form.parking.clone()], multiple: false, inline: true }.render(errors))
                (Input { hint: Some("Optional. For example: the 263 bus stops outside; Sale tram stop is 5 minutes' walk."), ..Input::new("public_transport", "Buses, trams and trains", &form.public_transport) }.render(errors))
                h2 { "What kind of place it is" }
                (Choices {
                    name: "entry_point",
                    legend: "Is it a local entry point?",
                    hint: Some("A community hub, library or centre where people can walk in and get help with anything. It gets a page of its own."),
                    options: vec![(String::from("yes"), String::from("Yes, it is a local entry point"))],
                    chosen: ticked(form.entry_point),
                    multiple: true,
                    inline: true,
                }.render(errors))
                @if sees_confidential {
                    (Choices {
                        name: "confidential",
                        legend: "Is its address confidential?",
                        hint: Some("Such as a refuge's: it is never shown to the public or to advisors, nor used to place its services."),
                        options: vec![(String::from("yes"), String::from("Yes, keep the address confidential"))],
                        chosen: ticked(form.confidential),
                        multiple: true,
                        inline: true,
                    }.render(errors))
                }
                h2 { "When it is open (optional)" }
                p class="hint" { "A local entry point's opening times are shown on its page. One row for each pattern." }
                @for (n, row) in form.times.iter().enumerate() {
                    (super::services::times_row(n, row, errors))
                }
                p { button type="submit" name="step" value="times" class="button-secondary" { "Add another time" } }
                (super::super::textarea("reason", "Why are you making this change? (optional)", Some("Kept in the venue's history."), &form.reason, errors))
                button type="submit" { "Save" }
            }
            @if let FormMode::Edit { id, archived, archives: true, .. } = mode {
                h2 { @if *archived { "Restore it" } @else { "Archive it" } }
                form method="post" action={ "/staff/venues/" (id) @if *archived { "/restore" } @else { "/archive" } } {
                    (csrf_field(frame))
                    @if *archived {
                        button type="submit" class="button-secondary" { "Restore this venue" }
                    } @else {
                        p { "It is no longer offered for services, and is kept with its history. No service may still meet here." }
                        button type="submit" class="button-warning" { "Archive this venue" }
                    }
                }
            }
        },
    )
}
