//! The home page: what Doorstep is, and every need with how many services meet it.

use std::collections::HashMap;

use maud::{Markup, html};

use super::{Frame, layout};
use crate::domain::needs::Need;

pub fn page(
    frame: &Frame,
    needs: &[Need],
    services_per_need: &HashMap<String, i64>,
    borough: &str,
) -> Markup {
    let groups = needs.iter().filter(|n| n.parent.is_none());
    html! {
        (layout(frame, "Find help near you", html! {
            h1 { "Find help and company near you" }
            p class="lead" {
                "Groups, clubs, advice and support run by local charities, community and faith groups in " (borough) "."
            }
            p { a href="/neighbourhoods" { "Browse by neighbourhood" } ": what is based near you, on a map." }
            h2 { "What do you need help with?" }
            @for group in groups {
                h3 { (group.label) }
                ul class="needs-grid" {
                    @for need in needs.iter().filter(|n| n.parent == Some(group.id)) {
                        @let count = services_per_need.get(&need.slug).copied().unwrap_or(0);
                        li {
                            a href={ "/needs/" (need.slug) } { (need.label) }
                            " "
                            span class="secondary" { "(" (count) ")" }
                        }
                    }
                }
            }
        }))
    }
}
