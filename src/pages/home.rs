//! The home page: one question, what and where, and the ways to browse.

use maud::{Markup, html};

use super::search::question;
use super::{Frame, layout};
use crate::domain::needs::Need;
use crate::domain::search::Asked;

pub fn page(frame: &Frame, needs: &[Need], borough: &str) -> Markup {
    layout(
        frame,
        "Find help near you",
        html! {
            (question(&Asked::default(), needs, None, true))
            p {
                "Groups, clubs, advice and support run by local charities, community and faith groups in " (borough) "."
            }
            h2 { "Or browse" }
            ul {
                li { a href="/needs" { "Every kind of help, by need" } }
                li { a href="/neighbourhoods" { "By neighbourhood" } ": what is based near you, on a map" }
            }
        },
    )
}
