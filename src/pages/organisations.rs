//! An organisation's page: who they are, how to reach them, what they run.

use maud::{Markup, html};

use super::services::summary_list;
use super::{Frame, csrf_field, layout};
use crate::domain::events::EventView;
use crate::domain::ids::OrganisationId;
use crate::domain::networks::{Speaking, ThreadSummary};
use crate::domain::views::OrganisationView;

/// The page; `edits` when the person looking may change the organisation.
pub fn page(
    frame: &Frame,
    view: &OrganisationView,
    edits: bool,
    (events, conversations): (&[EventView], &[ThreadSummary]),
) -> Markup {
    let org = &view.organisation;
    layout(
        frame,
        &org.name,
        html! {
            span class="caption" { (org.kind.label()) }
            h1 { (org.name) }
            @if view.archived_at.is_some() {
                p class="notice" { strong { "Archived" } ": this organisation is not on the public site." }
            }
            @if edits {
                div class="panel no-print" {
                    a class="button button-secondary" href={ "/staff/organisations/" (org.id) "/edit" } { "Edit this organisation" }
                    " "
                    a href={ "/staff/services/new?organisation=" (org.id) } { "Add a service it runs" }
                    " "
                    a href={ "/staff/organisations/" (org.id) "/history" } { "History of changes" }
                }
            }
            p class="lead" { (org.description) }
            dl class="summary-list" {
                @if let Some(number) = &org.charity_number { dt { "Charity number" } dd { (number) } }
                @if let Some(number) = &org.company_number { dt { "Company number" } dd { (number) } }
                @if let Some(phone) = &org.phone { dt { "Phone" } dd { a href={ "tel:" (phone.replace(' ', "")) } { (phone) } } }
                @if let Some(email) = &org.email { dt { "Email" } dd { a href={ "mailto:" (email) } { (email) } } }
                @if let Some(website) = &org.website { dt { "Website" } dd { a href=(website) rel="nofollow noopener" { (website) } } }
            }
            h2 { "Services" }
            @if view.services.is_empty() {
                p { "This organisation has no services listed." }
            } @else {
                (summary_list(&view.services))
            }
            (super::events::coming_up(events))
            (super::networks::mentioned_in(conversations))
            @if view.archived_at.is_none() {
                section class="no-print" aria-labelledby="speak-title" {
                    h2 id="speak-title" { "Do you speak for " (org.name) "?" }
                    p { "In the neighbourhood networks, your posts can say that you speak for it, once its editor or a community connector agrees." }
                    form method="post" action={ "/organisations/" (org.id) "/speak" } {
                        (csrf_field(frame))
                        button type="submit" class="button-secondary" { "Ask to speak for " (org.name) }
                    }
                }
            }
        },
    )
}

/// After a member asks to speak for an organisation: what happens next, or
/// how an earlier ask stands.
pub fn asked_to_speak(frame: &Frame, (id, name): (OrganisationId, &str), before: Option<Speaking>) -> Markup {
    let (title, said) = match before {
        None => (
            "You have asked",
            "Its editor or a community connector will decide. Once they agree, your posts in the neighbourhood networks say that you speak for it.",
        ),
        Some(Speaking::Asked) => {
            ("You have already asked", "Its editor or a community connector has not decided yet.")
        }
        Some(Speaking::Agreed) => {
            ("You already speak for it", "Your posts in the neighbourhood networks say so.")
        }
        Some(Speaking::Refused) => (
            "Your ask was refused",
            "Its editor or a community connector did not agree. If you think that is a mistake, get in touch with the organisation.",
        ),
    };
    layout(
        frame,
        title,
        html! {
            span class="caption" { (name) }
            h1 { (title) }
            p { (said) }
            p { a href={ "/organisations/" (id) } { "Back to " (name) } }
        },
    )
}
