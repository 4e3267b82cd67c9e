//! The accessibility statement, as public sector websites publish them.

use maud::{Markup, html};

use super::{Frame, layout};

pub fn page(frame: &Frame) -> Markup {
    layout(
        frame,
        "Accessibility statement",
        html! {
            h1 { "Accessibility statement" }
            p class="lead" { "Doorstep is for everyone looking for help near them, including people using a screen reader, a keyboard, a phone or a slow connection." }
            h2 { "How accessible this website is" }
            p { "We aim to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA. You should be able to:" }
            ul {
                li { "use every page with a keyboard alone, and always see where you are on the page" }
                li { "use every page with JavaScript turned off: searches and filters are plain forms" }
                li { "zoom to 200% and use a screen 320 pixels wide without scrolling sideways" }
                li { "use a screen reader: maps name every neighbourhood and venue they show, and every map has the same facts written out beside it" }
                li { "print a list of results, or a service's page" }
            }
            h2 { "How we test it" }
            p {
                "Every kind of page (home, results with and without results and with a mistake, service, organisation, need, neighbourhood) is loaded in a real browser, at phone and desktop widths, each time the code changes, and checked with axe-core against the WCAG 2.0, 2.1 and 2.2 A and AA rules. "
                "The same tests do a search with the keyboard alone, checking that the focus can always be seen."
            }
            h2 { "What is not accessible yet" }
            p { "Maps of neighbourhoods are pictures: the list of neighbourhoods and the services on each page give the same information as text." }
            h2 { "Reporting a problem" }
            p { "If something on Doorstep does not work for you, tell the council team that runs it, saying which page and what happened. We will reply within 5 working days." }
            h2 { "Enforcement procedure" }
            p {
                "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. "
                "If you are not happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS)."
            }
        },
    )
}
