//! Choosing a password through a one-time link: an invitation to a new
//! account, or a reset an administrator sent. Opening the link changes
//! nothing; the form's button does.

use maud::{Markup, html};

use super::{Frame, Input, csrf_field, error_summary, layout};
use crate::domain::accounts::LinkPurpose;
use crate::domain::text::FieldErrors;

pub fn page(
    frame: &Frame,
    token: &str,
    (name, purpose): (&str, LinkPurpose),
    errors: &FieldErrors,
    done: bool,
) -> Markup {
    let heading = match purpose {
        LinkPurpose::Invitation => "Choose your password",
        LinkPurpose::Reset => "Choose a new password",
    };
    let title = if errors.is_empty() { heading.to_string() } else { format!("Error: {heading}") };
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            h1 { (heading) }
            @if done {
                div class="notice" role="status" { "Your password is set. " a href="/sign-in" { "Sign in" } " with it." }
            } @else {
                p { "For " (name) "'s Doorstep account. At least 10 characters: a few words together are easy to remember and hard to guess." }
                form method="post" action={ "/password/" (token) } novalidate {
                    (csrf_field(frame))
                    (Input { kind: "password", autocomplete: Some("new-password"), ..Input::new("password", "Password", "") }.render(errors))
                    (Input { kind: "password", autocomplete: Some("new-password"), ..Input::new("again", "Password again", "") }.render(errors))
                    button type="submit" { "Set my password" }
                }
            }
        },
    )
}
