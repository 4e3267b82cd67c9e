//! The needs: every need with how many services meet it, and one need's
//! page with what it covers, its services and related needs.

use std::collections::HashMap;

use maud::{Markup, html};

use super::services::summary_list;
use super::{Frame, layout};
use crate::domain::needs::Need;
use crate::domain::views::ServiceSummary;

/// `/needs`: every need, in its group, with how many running services meet it.
pub fn index(frame: &Frame, needs: &[Need], services_per_need: &HashMap<String, i64>) -> Markup {
    layout(
        frame,
        "Every kind of help",
        html! {
            h1 { "Every kind of help" }
            @for group in needs.iter().filter(|n| n.parent.is_none()) {
                h2 { (group.label) }
                ul class="needs-grid" {
                    @for need in needs.iter().filter(|n| n.parent == Some(group.id)) {
                        @let count = services_per_need.get(&need.slug).copied().unwrap_or(0);
                        li {
                            a href={ "/needs/" (need.slug) } { (need.label) }
                            " "
                            span class="secondary" { "(" (count) (if count == 1 { " service" } else { " services" }) ")" }
                        }
                    }
                }
            }
        },
    )
}

/// `/needs/{slug}`.
pub fn page(frame: &Frame, need: &Need, services: &[ServiceSummary], all: &[Need]) -> Markup {
    let related: Vec<&Need> =
        all.iter().filter(|n| n.parent.is_some() && n.parent == need.parent && n.slug != need.slug).collect();
    layout(
        frame,
        &need.label,
        html! {
            span class="caption" { a href="/needs" { "Every kind of help" } }
            h1 { (need.label) }
            p class="lead" { (need.description) }
            p { a href={ "/search?need=" (need.slug) } { "Find " (need.label.to_lowercase()) " near you" } }
            @if services.is_empty() {
                p { "There are no services listed for this need yet." }
            } @else {
                h2 { (services.len()) (if services.len() == 1 { " service" } else { " services" }) }
                (summary_list(services))
            }
            p class="no-print" { "Know of support that should be here? " a href={ "/needs/" (need.slug) "/suggest" } { "Tell us about a service" } }
            @if !related.is_empty() {
                h2 { "Related needs" }
                ul {
                    @for n in related { li { a href={ "/needs/" (n.slug) } { (n.label) } } }
                }
            }
        },
    )
}
