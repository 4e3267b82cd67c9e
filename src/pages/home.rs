//! The home page: one question, what and where, and the ways to browse.

use maud::{Markup, html};

use super::search::question;
use super::{Frame, layout};
use crate::domain::needs::Need;
use crate::domain::search::Asked;

/// `example` is a postcode of the area, for the question's hint.
pub fn page(frame: &Frame, needs: &[Need], area: &str, example: Option<&str>) -> Markup {
    layout(
        frame,
        "Find help near you",
        html! {
            (question(&Asked::default(), needs, None, true, example))
            p {
                "Groups, clubs, advice and support run by local charities, community and faith groups in " (area) "."
            }
            h2 { "Or browse" }
            ul {
                li { a href="/needs" { "Every kind of help, by need" } }
                li { a href="/neighbourhoods" { "By neighbourhood" } ": what is based near you, on a map" }
            }
        },
    )
}
