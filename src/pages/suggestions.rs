//! Suggestions from the public: "Suggest a change" to a service, and "Tell
//! us about a service" from a need's page. No account is needed.

use maud::{Markup, html};

use super::{Frame, Input, csrf_field, error_summary, layout, textarea};
use crate::domain::proposals::SuggestionForm;
use crate::domain::text::FieldErrors;

/// What the suggestion is about: a listed service (its page and name), or a
/// need whose page asks for services we do not list.
pub enum About<'a> {
    Service { path: &'a str, name: &'a str },
    Need { path: &'a str, label: &'a str },
}

pub fn form(
    frame: &Frame,
    about: &About<'_>,
    form: &SuggestionForm,
    errors: &FieldErrors,
    sent: bool,
) -> Markup {
    let (heading, back, back_label, action) = match about {
        About::Service { path, name } => {
            (format!("Suggest a change to {name}"), *path, *name, format!("{path}/suggest"))
        }
        About::Need { path, label } => {
            (String::from("Tell us about a service"), *path, *label, format!("{path}/suggest"))
        }
    };
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            span class="caption" { a href=(back) { (back_label) } }
            h1 { (heading) }
            @if sent {
                div class="notice" role="status" {
                    p { strong { "Thank you. " } "A community connector will look at it." }
                    p { "If you gave an email address, we will tell you what became of it, and then delete the address." }
                }
                p { a href=(back) { "Back to " (back_label) } }
            } @else {
                p {
                    @match about {
                        About::Service { .. } => "Is something on this page wrong or out of date? Tell us, and a community connector will check it.",
                        About::Need { .. } => "Do you know of support that should be listed here? Tell us about it, and a community connector will check it and add it.",
                    }
                }
                form method="post" action=(action) novalidate {
                    (csrf_field(frame))
                    @if let About::Need { .. } = about {
                        (Input::new("service_name", "Name of the service or group", &form.service_name).render(errors))
                        (textarea("message", "What it does, where and when", Some("And how to get in touch, if you know."), &form.message, errors))
                    } @else {
                        (textarea("message", "What should change?", Some("For example: it now meets on Thursdays, or the phone number has changed."), &form.message, errors))
                    }
                    (Input { kind: "email", autocomplete: Some("email"), hint: Some("Optional. Only to tell you what became of it; then it is deleted."), ..Input::new("email", "Your email address", &form.email) }.render(errors))
                    // People never see this field; robots that fill it in are turned away.
                    div class="hidden-field" aria-hidden="true" {
                        label for="website" { "Leave this empty" }
                        input type="text" id="website" name="website" value="" tabindex="-1" autocomplete="off";
                    }
                    button type="submit" { "Send" }
                }
            }
        },
    )
}
