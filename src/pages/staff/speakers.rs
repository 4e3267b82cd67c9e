//! `/staff/speakers`: members asking to speak for an organisation, and
//! those agreed, with what may be done about each.

use maud::{Markup, html};

use super::super::{Frame, csrf_field, layout, local_moment};
use crate::domain::networks::SpeakerView;

fn decision(frame: &Frame, speaker: &SpeakerView) -> Markup {
    html! {
        form method="post" action={ "/staff/speakers/" (speaker.id) } class="inline-form" {
            (csrf_field(frame))
            @if speaker.agreed {
                button type="submit" name="action" value="end" class="button-secondary" {
                    "End it" span class="visually-hidden" { ": " (speaker.member_name) " for " (speaker.organisation_name) }
                }
            } @else {
                button type="submit" name="action" value="agree" {
                    "Agree" span class="visually-hidden" { ": " (speaker.member_name) " for " (speaker.organisation_name) }
                }
                " "
                button type="submit" name="action" value="refuse" class="button-secondary" {
                    "Refuse" span class="visually-hidden" { ": " (speaker.member_name) " for " (speaker.organisation_name) }
                }
            }
        }
    }
}

fn list(frame: &Frame, speakers: &[&SpeakerView]) -> Markup {
    html! {
        ul class="plain-list" {
            @for speaker in speakers {
                li {
                    strong { (speaker.member_name) } " for "
                    a href={ "/organisations/" (speaker.organisation) } { (speaker.organisation_name) }
                    br; span class="secondary" { "Asked " (local_moment(speaker.asked_at)) }
                    (decision(frame, speaker))
                }
            }
        }
    }
}

/// `/staff/speakers`.
pub fn index(frame: &Frame, speakers: &[SpeakerView]) -> Markup {
    let (agreed, asking): (Vec<&SpeakerView>, Vec<&SpeakerView>) = speakers.iter().partition(|s| s.agreed);
    layout(
        frame,
        "Members who speak for organisations",
        html! {
            h1 { "Members who speak for organisations" }
            p { "A member of a neighbourhood network may speak for an organisation: once you agree, their posts say so. Agree only when you know they do." }
            h2 { "Asking" }
            @if asking.is_empty() { p { "Nobody is waiting for an answer." } } @else { (list(frame, &asking)) }
            h2 { "Speaking for an organisation" }
            @if agreed.is_empty() { p { "Nobody speaks for an organisation yet." } } @else { (list(frame, &agreed)) }
        },
    )
}
