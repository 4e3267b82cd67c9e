//! A local entry point's page: a community hub, library or centre where
//! people can walk in and get help with anything. What happens there, when
//! it is open, how to get there and in; and a list of places for search
//! results and neighbourhood pages.

use maud::{Markup, html};

use super::services::access_list;
use super::{Frame, layout};
use crate::domain::schedule;
use crate::domain::views::{PlaceCard, PlaceView};

pub fn page(frame: &Frame, place: &PlaceView, today: chrono::NaiveDate) -> Markup {
    let v = &place.venue;
    let hours = schedule::describe(&place.hours, today);
    layout(
        frame,
        &v.name,
        html! {
            span class="caption" {
                "A walk-in place"
                @if let Some((slug, name)) = &place.neighbourhood { " in " a href={ "/neighbourhoods/" (slug) } { (name) } }
            }
            h1 { (v.name) }
            p class="lead" { "Walk in and ask about anything: the people here can help, or point you to who can." }
            dl class="summary-list" {
                dt { "Address" }
                dd { (v.address_1) br; @if let Some(line) = &v.address_2 { (line) br; } (v.town) br; (v.postcode) }
                dt { "Open" }
                dd {
                    @if hours.is_empty() { "Ask about opening times before you go." }
                    @for line in &hours { (line) br; }
                }
            }
            h2 { "Getting there and getting in" }
            (access_list(v))
            h2 { "What happens here" }
            @if place.services.is_empty() {
                p { "No services are listed here yet." }
            } @else {
                ul class="plain-list" {
                    @for (s, when) in &place.services {
                        li {
                            a href={ "/services/" (s.id) } { (s.name) } br;
                            span class="secondary" { (s.organisation_name) }
                            @for line in when { br; (line) }
                        }
                    }
                }
            }
        },
    )
}

/// Places as a list: each linked, with its address and how far it is.
pub fn list(places: &[PlaceCard]) -> Markup {
    html! {
        ul class="plain-list" {
            @for p in places {
                li {
                    a href={ "/places/" (p.id) } { (p.name) } br;
                    span class="secondary" {
                        (p.address)
                        @if let Some(m) = p.distance_m { ", " (crate::domain::search::away(m).to_lowercase()) }
                    }
                }
            }
        }
    }
}
