//! The staff sign-in page.

use maud::{Markup, html};

use super::{Frame, Input, csrf_field, error_summary, layout};
use crate::domain::text::FieldErrors;

pub fn page(frame: &Frame, email: &str, next: &str, errors: &FieldErrors) -> Markup {
    let title = if errors.is_empty() { "Sign in" } else { "Error: Sign in" };
    layout(
        frame,
        title,
        html! {
            (error_summary(errors))
            h1 { "Sign in" }
            p { "For advisors, community connectors, organisation editors and administrators." }
            form method="post" action="/sign-in" novalidate {
                (csrf_field(frame))
                input type="hidden" name="next" value=(next);
                (Input { kind: "email", autocomplete: Some("username"), ..Input::new("email", "Email address", email) }.render(errors))
                (Input { kind: "password", autocomplete: Some("current-password"), ..Input::new("password", "Password", "") }.render(errors))
                button type="submit" { "Sign in" }
            }
        },
    )
}
