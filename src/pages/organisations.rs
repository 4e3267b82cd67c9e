//! An organisation's page: who they are, how to reach them, what they run.

use maud::{Markup, html};

use super::services::summary_list;
use super::{Frame, layout};
use crate::domain::events::EventView;
use crate::domain::networks::ThreadSummary;
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
        },
    )
}
