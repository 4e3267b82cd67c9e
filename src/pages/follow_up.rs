//! The follow-up answer page a citizen reaches from the email.

use maud::{Markup, html};

use super::{Frame, csrf_field, layout};
use crate::domain::signposting::Outcome;

/// `answer` is the one recorded; `chosen`, the one the email's link named,
/// waiting for its button.
pub fn page(frame: &Frame, token: &str, answer: Option<Outcome>, chosen: Option<Outcome>) -> Markup {
    let chosen = chosen.filter(|c| answer != Some(*c));
    let primary = chosen.or(answer);
    layout(
        frame,
        "Did you get the help you needed?",
        html! {
            h1 { "Did you get the help you needed?" }
            @if let Some(chosen) = chosen {
                p class="lead" { "You chose: " strong { (chosen.label()) } ". Press its button to send your answer." }
            } @else if let Some(answer) = answer {
                div class="notice" role="status" {
                    p { "Thank you. Your answer is: " strong { (answer.label()) } "." }
                    p { "It helps us learn which support works. You can change it below." }
                }
            }
            form method="post" action={ "/follow-up/" (token) } {
                (csrf_field(frame))
                @for outcome in Outcome::ALL {
                    p { button type="submit" name="answer" value=(outcome.code()) class=[(primary != Some(*outcome)).then_some("button-secondary")] { (outcome.label()) } }
                }
            }
            p { "We do not keep your email address: this was the only follow-up." }
        },
    )
}
