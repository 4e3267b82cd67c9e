//! A need's page: what it covers, and the services that meet it.

use maud::{Markup, html};

use super::services::summary_list;
use super::{Frame, layout};
use crate::domain::needs::Need;
use crate::domain::views::ServiceSummary;

pub fn page(frame: &Frame, need: &Need, services: &[ServiceSummary]) -> Markup {
    layout(
        frame,
        &need.label,
        html! {
            h1 { (need.label) }
            p class="lead" { (need.description) }
            @if services.is_empty() {
                p { "There are no services listed for this need yet." }
            } @else {
                h2 { (services.len()) " services" }
                (summary_list(services))
            }
        },
    )
}
