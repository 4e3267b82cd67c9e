//! The neighbourhood pages: every neighbourhood on one map and in a list,
//! and one neighbourhood with its map, its figures, the services based in it
//! and those serving it from elsewhere, grouped by need, and the place where
//! its network's activity appears.

use std::collections::BTreeMap;

use maud::{Markup, html};

use super::{Frame, layout};
use crate::domain::networks::{NetworkView, ThreadSummary};
use crate::domain::text::thousands;
use crate::domain::views::{LocalService, NeighbourhoodView};
use crate::geo::neighbourhoods::Band;

fn band_text(band: Option<Band>) -> String {
    band.map_or_else(String::new, |b| format!("{} to {} residents", thousands(b.min), thousands(b.max)))
}

/// `/neighbourhoods`: the map and the list.
pub fn index(frame: &Frame, hoods: &[NeighbourhoodView], band: Option<Band>, map: Markup) -> Markup {
    let inside = hoods.iter().filter(|n| n.outside_band.is_none()).count();
    let people: u32 = hoods.iter().map(|n| n.population).sum();
    layout(
        frame,
        "Neighbourhoods",
        html! {
            h1 { "Neighbourhoods" }
            @if hoods.is_empty() {
                p { "The neighbourhoods have not been built yet." }
            } @else {
                p class="lead" {
                    (thousands(people)) " residents in " (hoods.len()) " neighbourhoods"
                    @if band.is_some() { " of " (band_text(band)) ", where people's lives overlap" } "."
                }
                (map)
                table {
                    caption { "Every neighbourhood, " (inside) " of " (hoods.len()) " within the population band" }
                    thead {
                        tr {
                            th scope="col" { "Neighbourhood" }
                            th scope="col" class="numeric" { "Residents" }
                            th scope="col" { "In the band" }
                        }
                    }
                    tbody {
                        @for n in hoods {
                            tr {
                                td { a href={ "/neighbourhoods/" (n.slug) } { (n.name) } }
                                td class="numeric" { (thousands(n.population)) }
                                td { @if n.outside_band.is_some() { "No" } @else { "Yes" } }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What one neighbourhood page shows.
pub struct Shown<'a> {
    pub hood: &'a NeighbourhoodView,
    pub band: Option<Band>,
    pub map: Markup,
    pub based_here: &'a [LocalService],
    pub from_elsewhere: &'a [LocalService],
    /// Its local entry points: places to walk in and ask about anything.
    pub places: &'a [crate::domain::views::PlaceCard],
    /// Whether the viewer may rename it and move its small areas.
    pub may_edit: bool,
    /// Its network and the network's latest threads.
    pub network: Option<(&'a NetworkView, &'a [ThreadSummary])>,
    /// What is on in or for it.
    pub events: &'a [crate::domain::events::EventView],
}

/// `/neighbourhoods/{slug}`.
pub fn show(frame: &Frame, shown: &Shown<'_>) -> Markup {
    let hood = shown.hood;
    layout(
        frame,
        &hood.name,
        html! {
            span class="caption" { "Neighbourhood" }
            h1 { (hood.name) }
            dl class="summary-list" {
                dt { "Residents" } dd { (thousands(hood.population)) }
                dt { "Area" } dd { (format!("{:.2}", hood.area_km2)) " km², " (hood.small_areas) " census output areas" }
                @if let Some(band) = shown.band {
                    dt { "Population band" }
                    dd {
                        (band_text(Some(band))) ": "
                        @match &hood.outside_band { None => "within it", Some(why) => { "outside it (" (why) ")" } }
                    }
                }
            }
            @if shown.may_edit {
                p { a href={ "/staff/neighbourhoods/" (hood.slug) } { "Rename it or move its small areas" } }
            }
            (shown.map)
            @if !shown.places.is_empty() {
                h2 id="places" { "Places to walk in" }
                p { "Community hubs, libraries and centres in " (hood.name) " where you can ask about anything." }
                (super::places::list(shown.places))
            }
            h2 id="based-here" { "Based in " (hood.name) }
            @if shown.based_here.is_empty() {
                p { "No service has a venue here yet." }
            } @else {
                (by_need(shown.based_here, false))
            }
            h2 id="from-elsewhere" { "Serving " (hood.name) " from elsewhere" }
            @if shown.from_elsewhere.is_empty() {
                p { "No service based elsewhere covers this neighbourhood." }
            } @else {
                p { "Borough-wide, phone and online services, and services whose area reaches here." }
                (by_need(shown.from_elsewhere, true))
            }
            section class="network" aria-labelledby="network-title" {
                h2 id="network-title" { "Neighbourhood network" }
                h3 { "What is on" }
                @if shown.events.is_empty() {
                    p { "No event is listed yet." }
                } @else {
                    (super::events::list(shown.events, true))
                }
                @if let Some((network, threads)) = shown.network {
                    h3 { "Conversations" }
                    p { "What residents, groups and agencies in " (hood.name) " are talking about." }
                    @if threads.is_empty() {
                        p { "Nobody has started a conversation yet." }
                    } @else {
                        (super::networks::thread_list(threads, false))
                    }
                    p {
                        a href={ "/networks/" (network.slug) } { "All of the " (network.name) " network" }
                        " · "
                        a href={ "/networks/" (network.slug) "/threads/new" } { "Start a conversation" }
                    }
                } @else {
                    p { "The neighbourhood's network is made when the neighbourhoods are built." }
                }
            }
            @let here = format!("/neighbourhoods/{}", hood.slug);
            (super::follow_links(&here, Some((&format!("{here}/listings.atom"), "new and changed listings each week (Atom)"))))
        },
    )
}

/// Services under each of their needs, needs in alphabetical order; folded
/// (an HTML `details`, no script) when the list is long.
fn by_need(services: &[LocalService], folded: bool) -> Markup {
    let mut groups: BTreeMap<&str, (&str, Vec<&LocalService>)> = BTreeMap::new();
    for service in services {
        for need in &service.needs {
            groups.entry(need.label.as_str()).or_insert((need.slug.as_str(), Vec::new())).1.push(service);
        }
    }
    let list = |members: &[&LocalService]| {
        html! {
            ul class="plain-list" {
                @for s in members {
                    li { a href={ "/services/" (s.id) } { (s.name) } br; span class="secondary" { (s.organisation_name) } }
                }
            }
        }
    };
    html! {
        @for (label, (slug, members)) in &groups {
            @if folded {
                details {
                    summary { (label) " (" (members.len()) ")" }
                    (list(members))
                }
            } @else {
                h3 { a href={ "/needs/" (slug) } { (label) } }
                (list(members))
            }
        }
    }
}
