//! The kind page shown for every error: what went wrong, in plain words, and
//! where to go next.

use maud::{Markup, html};

use super::{Frame, layout};

pub fn page(frame: &Frame, status: u16, title: &str, message: &str) -> Markup {
    layout(
        frame,
        title,
        html! {
            h1 { (title) }
            p class="lead" { (message) }
            p { a href="/" { "Go to the home page" } }
            p class="secondary" { "Error " (status) }
        },
    )
}
