//! The page a reminder's link opens, without signing in: each listing with
//! its three answers. Opening it changes nothing; each answer's button does,
//! once.

use maud::{Markup, html};

use super::{Frame, csrf_field, error_summary, layout, moment, textarea};
use crate::domain::reminders::{ReminderAnswer, ReminderView};
use crate::domain::text::FieldErrors;

/// The page; `typed` is a change described for a listing, kept on an error.
pub fn page(
    frame: &Frame,
    token: &str,
    view: &ReminderView,
    errors: &FieldErrors,
    typed: (&str, &str),
    notice: Option<&str>,
) -> Markup {
    let heading = format!("Are {}'s listings still right?", view.organisation);
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    let action = format!("/reminders/{token}");
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            @if let Some(notice) = notice { div class="notice" role="status" { (notice) } }
            h1 { (heading) }
            p { "People looking for support, and advisors at the council's front door, find these listings here. For each, tell us whether it is still right. No account is needed; this page works until " (moment(view.expires_at)) "." }
            @for item in &view.services {
                section class="times-row" aria-labelledby={ "listing-" (item.id) } {
                    h2 id={ "listing-" (item.id) } { a href={ "/services/" (item.id) } { (item.name) } }
                    @if !item.when.is_empty() { p { @for line in &item.when { (line) br; } } }
                    @match &item.answered {
                        Some((answer, at)) => p { strong { "Answered, thank you: " } (answer.label()) " (" (moment(*at)) ")." },
                        None => {
                            form method="post" action=(action) class="inline-form" {
                                (csrf_field(frame))
                                input type="hidden" name="service" value=(item.id);
                                button type="submit" name="answer" value=(ReminderAnswer::Running.code()) { "It is still running as shown" }
                            }
                            form method="post" action=(action) {
                                (csrf_field(frame))
                                input type="hidden" name="service" value=(item.id);
                                p { "Is it taking new people?"
                                    @if let Some(capacity) = item.capacity { " " span class="secondary" { "(Now: " (capacity.label()) ")" } }
                                }
                                @for answer in [ReminderAnswer::Taking, ReminderAnswer::WaitingList, ReminderAnswer::Full] {
                                    button type="submit" name="answer" value=(answer.code()) class="button-secondary" { (answer.label()) }
                                    " "
                                }
                            }
                            form method="post" action=(action) novalidate {
                                (csrf_field(frame))
                                input type="hidden" name="service" value=(item.id);
                                @let field = format!("change-{}", item.id);
                                @let kept = if typed.0 == item.id.to_string() { typed.1 } else { "" };
                                (textarea(&field, "Has something changed?", Some("Tell us what, and a community connector will change the listing."), kept, errors))
                                button type="submit" name="answer" value=(ReminderAnswer::Change.code()) class="button-secondary" { "Send the change" }
                            }
                        }
                    }
                }
            }
        },
    )
}
