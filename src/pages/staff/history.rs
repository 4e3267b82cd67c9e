//! The change history, in people's words: of one service, organisation or
//! venue, or everything one person changed.

use maud::{Markup, html};

use super::super::{Frame, layout, moment};
use crate::domain::history;
use crate::domain::needs::Need;
use crate::domain::views::ChangeView;

/// Every change to one record, newest first. `back` is the record's page
/// (its path and name).
pub fn record(frame: &Frame, back: (&str, &str), changes: &[ChangeView], needs: &[Need]) -> Markup {
    let (href, name) = back;
    layout(
        frame,
        &format!("History of {name}"),
        html! {
            span class="caption" { a href=(href) { (name) } }
            h1 { "History of changes" }
            (table(changes, needs, false))
        },
    )
}

/// Everything one person changed, newest first.
pub fn person(frame: &Frame, name: &str, changes: &[ChangeView], needs: &[Need]) -> Markup {
    layout(
        frame,
        &format!("Changes made by {name}"),
        html! {
            span class="caption" { "Staff" }
            h1 { "Changes made by " (name) }
            (table(changes, needs, true))
        },
    )
}

fn table(changes: &[ChangeView], needs: &[Need], with_record: bool) -> Markup {
    let need_label = |slug: &str| needs.iter().find(|n| n.slug == slug).map(|n| n.label.clone());
    let said = |field: &str, value: &Option<String>| {
        value.as_deref().map(|v| history::value(field, v, &need_label)).unwrap_or_default()
    };
    html! {
        @if changes.is_empty() {
            p { "No changes have been recorded." }
        } @else {
            table class="history" {
                caption class="visually-hidden" { "Changes, newest first" }
                thead {
                    tr {
                        th scope="col" { "When" }
                        @if with_record { th scope="col" { "Listing" } } @else { th scope="col" { "Who" } }
                        th scope="col" { "What" }
                        th scope="col" { "Was" }
                        th scope="col" { "Now" }
                    }
                }
                tbody {
                    @for c in changes {
                        tr {
                            td { (moment(c.changed_at)) }
                            @if with_record {
                                td { (record_link(c)) }
                            } @else {
                                td { (c.by.as_deref().unwrap_or("The system")) }
                            }
                            td {
                                (history::label(&c.kind, &c.field))
                                @if c.action != "update" { " (" (history::action(&c.action)) ")" }
                                @if let Some(reason) = &c.reason { br; span class="secondary" { "Why: " (reason) } }
                            }
                            td { (said(&c.field, &c.old_value)) }
                            td { (said(&c.field, &c.new_value)) }
                        }
                    }
                }
            }
        }
    }
}

fn record_link(c: &ChangeView) -> Markup {
    let name = c.record_name.as_deref().unwrap_or("(gone)");
    let href = match c.kind.as_str() {
        "service" => format!("/staff/services/{}/history", c.record_id),
        "organisation" => format!("/staff/organisations/{}/history", c.record_id),
        _ => format!("/staff/venues/{}/history", c.record_id),
    };
    html! { a href=(href) { (name) } }
}
