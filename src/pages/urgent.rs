//! The urgent-help box: what comes first, on the citizen's results page and
//! in the advisor's workspace, when the words typed say someone may be in
//! danger now (see `seeds/crisis.toml`). Its numbers are set in
//! configuration (`urgent_*`).

use maud::{Markup, html};

use crate::config::UrgentHelp;

/// A number as a link that dials it: "111, option 2" dials 111.
fn dial(number: &str) -> Markup {
    let digits: String =
        number.split(',').next().unwrap_or(number).chars().filter(char::is_ascii_digit).collect();
    html! { a href={ "tel:" (digits) } { (number) } }
}

pub fn urgent_help(help: &UrgentHelp) -> Markup {
    html! {
        section id="urgent-help" class="urgent-help" aria-labelledby="urgent-help-title" {
            h2 id="urgent-help-title" { "If you need help now" }
            ul {
                li { "If you or someone else is in danger now, call " strong { (dial(&help.emergency)) } "." }
                li {
                    "To talk to someone, day or night, call Samaritans free on "
                    strong { (dial(&help.listening)) } ". You do not have to be suicidal to call."
                }
                li { "For urgent help with your mental health, call NHS " strong { (dial(&help.mental_health)) } "." }
            }
            p { "Local support that may help is listed below." }
        }
    }
}
