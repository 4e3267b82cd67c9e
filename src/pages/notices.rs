//! Notices about a service: the list on its page, the form, and what came of one.

use maud::{Markup, html};

use super::networks::author;
use super::{Choices, Frame, csrf_field, error_summary, layout, local_moment, textarea};
use crate::domain::directory::Capacity;
use crate::domain::ids::ServiceId;
use crate::domain::networks::{MAX_NOTICE, NoticeForm, NoticeView};
use crate::domain::text::FieldErrors;

/// The latest notices, on a service's page.
pub fn list(notices: &[NoticeView]) -> Markup {
    html! {
        @if !notices.is_empty() {
            section aria-labelledby="notices-title" {
                h2 id="notices-title" { "Notices" }
                ul class="plain-list" {
                    @for notice in notices {
                        li {
                            (notice.body)
                            @if let Some(capacity) = notice.capacity { " " strong class="tag" { (capacity.label()) } }
                            br; span class="secondary" { (author(&notice.author)) ", " (local_moment(notice.posted_at)) }
                            " " a class="no-print" href={ "/notices/" (notice.id) "/report" } { "Report" span class="visually-hidden" { " this notice" } }
                        }
                    }
                }
            }
        }
    }
}

/// `/services/{id}/notices/new`.
pub fn form(
    frame: &Frame,
    (service, name): (ServiceId, &str),
    form: &NoticeForm,
    errors: &FieldErrors,
) -> Markup {
    let mut options = vec![(String::new(), String::from("It does not say"))];
    options.extend(Capacity::ALL.iter().map(|c| (c.code().to_string(), c.label().to_string())));
    layout(
        frame,
        if errors.is_empty() { "Post a notice" } else { "Error: Post a notice" },
        html! {
            (error_summary(errors))
            span class="caption" { (name) }
            h1 { "Post a notice" }
            p { "A short notice for people looking at this service: \u{201c}taking new people\u{201d}, \u{201c}the Tuesday group moves to Thursday from 5 March\u{201d}, \u{201c}cancelled this week\u{201d}." }
            p { "From the organisation that runs it or a community connector it is shown at once. From anyone else, a connector checks it first." }
            form method="post" action={ "/services/" (service) "/notices" } novalidate {
                (csrf_field(frame))
                (textarea("body", "The notice", Some(&format!("At most {MAX_NOTICE} characters.")), &form.body, errors))
                (Choices { name: "capacity", legend: "Is it taking new people?", hint: None, options, chosen: vec![form.capacity.clone()], multiple: false, inline: false }.render(errors))
                button type="submit" { "Post the notice" }
            }
        },
    )
}

/// After a notice was sent to the connectors rather than shown.
pub fn suggested(frame: &Frame, service: ServiceId, name: &str) -> Markup {
    layout(
        frame,
        "Thank you for the notice",
        html! {
            h1 { "Thank you for the notice" }
            p { "A community connector will check it with " (name) " and update the listing." }
            p { a href={ "/services/" (service) } { "Back to " (name) } }
        },
    )
}
