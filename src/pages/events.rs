//! Events: a list of what is on, an event's page, a network's events (what
//! is on and what was), and the form to add one.

use maud::{Markup, html};

use super::networks::author;
use super::{Choices, Frame, Input, csrf_field, error_summary, layout, select, textarea};
use crate::domain::events::{EventForm, EventView, Repeat, describe};
use crate::domain::ids::LocationId;
use crate::domain::networks::NetworkView;
use crate::domain::text::FieldErrors;

fn repeats(event: &EventView) -> Option<String> {
    event.repeat.map(|(repeat, until)| format!("{} until {}", repeat.label(), super::day(until)))
}

/// A list of events: each one's title, when it next happens, and where.
pub fn list(events: &[EventView], show_network: bool) -> Markup {
    html! {
        ul class="plain-list events" {
            @for event in events {
                li {
                    a href={ "/events/" (event.id) } { (event.title) }
                    br;
                    @if let Some(next) = &event.next { strong { (describe(next)) } br; }
                    span class="secondary" {
                        @if event.link.is_some() { "From " (event.author.name) " · " }
                        (event.place_name)
                        @if let Some(r) = repeats(event) { " · " (r) }
                        @if show_network { " · " (event.network_name) }
                    }
                }
            }
        }
    }
}

/// On a listing's page: the events coming up that name it, if any.
pub fn coming_up(events: &[EventView]) -> Markup {
    html! {
        @if !events.is_empty() {
            section class="no-print" aria-labelledby="events-title" {
                h2 id="events-title" { "Coming up" }
                (list(events, true))
            }
        }
    }
}

/// `/events/{id}`.
pub fn page(
    frame: &Frame,
    (event, moderator): (&EventView, bool),
    map: Option<Markup>,
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let over = event.next.is_none_or(|n| n.ends <= now);
    layout(
        frame,
        &event.title,
        html! {
            span class="caption" { "Event in " a href={ "/networks/" (event.network_slug) } { (event.network_name) } }
            h1 { (event.title) }
            @if over { p class="notice" { "This event is over. It is kept here as a record." } }
            dl class="summary-list" {
                dt { "When" }
                dd {
                    @if let Some(next) = &event.next { (describe(next)) }
                    @if let Some(r) = repeats(event) { br; (r) }
                }
                dt { "Where" }
                dd {
                    @match event.venue {
                        Some(venue) => { a href={ "/places/" (venue) } { (event.address) } }
                        None => { (event.address) }
                    }
                    @if !event.postcode.is_empty() { ", " (event.postcode) }
                    @if let Some((_, slug, name)) = &event.neighbourhood { br; "In " a href={ "/neighbourhoods/" (slug) } { (name) } }
                }
                dt { "Cost" }
                dd { @if event.free { "Free" } @else { (event.cost.as_deref().unwrap_or("Not free")) } }
                @if let Some(access) = &event.access { dt { "Access" } dd { (access) } }
                @if let Some(who) = &event.who_for { dt { "Who it is for" } dd { (who) } }
                dt { "Added by" }
                dd {
                    (author(&event.author))
                    @if let Some(link) = &event.link { ": " a href=(link) rel="nofollow ugc" { "see it there" } }
                }
            }
            @if !over {
                p { a class="button button-secondary" href={ "/events/" (event.id) "/calendar.ics" } { "Add to your calendar" } }
            }
            div class="post-body" { (super::post_html::body(&crate::domain::markdown::render(&event.description))) }
            @if !event.services.is_empty() {
                h2 { "Services it is part of" }
                ul class="plain-list cards" {
                    @for listing in &event.services {
                        li class="panel" {
                            a href=(listing.path) { (listing.name) }
                            @if let Some(by) = &listing.by { br; span class="secondary" { (by) } }
                        }
                    }
                }
            }
            @if let Some(map) = map { (map) }
            @if moderator {
                form class="no-print panel" method="post" action={ "/staff/moderation/events/" (event.id) } {
                    (csrf_field(frame))
                    input type="hidden" name="action" value="hide";
                    div class="form-group" {
                        label for="reason" { "Why hide it (kept in the moderation log)" }
                        input type="text" id="reason" name="reason";
                    }
                    button type="submit" class="button-warning" { "Hide this event" }
                }
            }
            @if !over {
                p class="no-print" { a href={ "/events/" (event.id) "/report" } { "Report this event" } }
            }
        },
    )
}

/// `/networks/{slug}/events`: what is on, and what was.
pub fn of_network(
    frame: &Frame,
    network: &NetworkView,
    upcoming: &[EventView],
    past: &[EventView],
) -> Markup {
    layout(
        frame,
        &format!("Events in {}", network.name),
        html! {
            span class="caption" { a href={ "/networks/" (network.slug) } { (network.name) } }
            h1 { "Events" }
            p { a class="button" href={ "/networks/" (network.slug) "/events/new" } { "Add an event" } }
            h2 { "Coming up" }
            @if upcoming.is_empty() { p { "Nothing is on yet." } } @else { (list(upcoming, false)) }
            h2 { "Past events" }
            @if past.is_empty() { p { "None yet." } } @else { (list(past, false)) }
        },
    )
}

/// `/networks/{slug}/events/new`: the form, with what was typed.
pub fn new_event(
    frame: &Frame,
    network: &NetworkView,
    venues: &[(LocationId, String)],
    form: &EventForm,
    errors: &FieldErrors,
) -> Markup {
    let title = format!("Add an event to {}", network.name);
    let mut places: Vec<(String, String)> =
        venues.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    places.push((String::from("address"), String::from("Somewhere else: give the address below")));
    layout(
        frame,
        &if errors.is_empty() { title } else { format!("Error: {title}") },
        html! {
            (error_summary(errors))
            span class="caption" { (network.name) }
            h1 { "Add an event" }
            form method="post" action={ "/networks/" (network.slug) "/events" } novalidate {
                (csrf_field(frame))
                (Input::new("title", "Name of the event", &form.title).render(errors))
                (textarea("description", "What it is", Some("To link a service, paste its address from this site."), &form.description, errors))
                (Input { hint: Some("For example, 5/3/2027"), short: true, ..Input::new("date", "Date", &form.date) }.render(errors))
                div class="inline-fields" {
                    (Input { hint: Some("UK time, like 10am or 14:30"), short: true, ..Input::new("starts", "Starts", &form.starts) }.render(errors))
                    (Input { hint: Some("Like 12 noon or 16:00"), short: true, ..Input::new("ends", "Ends", &form.ends) }.render(errors))
                }
                (Choices {
                    name: "repeats",
                    legend: "Does it repeat?",
                    hint: None,
                    options: std::iter::once((String::new(), String::from("Just once")))
                        .chain(Repeat::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())))
                        .collect(),
                    chosen: vec![form.repeats.clone()],
                    multiple: false,
                    inline: false,
                }.render(errors))
                (Input { hint: Some("For a repeating event: the last date it happens"), short: true, ..Input::new("until", "Until", &form.until) }.render(errors))
                (select("venue", "Where", &places, &form.venue, errors))
                (Input::new("address", "Address (if not in the list)", &form.address).render(errors))
                (Input { autocomplete: Some("postal-code"), short: true, ..Input::new("postcode", "Postcode (if not in the list)", &form.postcode) }.render(errors))
                (Choices {
                    name: "cost_kind",
                    legend: "Is it free?",
                    hint: None,
                    options: vec![(String::from("free"), String::from("Free")), (String::from("paid"), String::from("It costs something"))],
                    chosen: vec![form.cost_kind.clone()],
                    multiple: false,
                    inline: true,
                }.render(errors))
                (Input::new("cost", "What it costs (if not free)", &form.cost).render(errors))
                (Input { hint: Some("Step-free access, a hearing loop, quiet space…"), ..Input::new("access", "Access", &form.access) }.render(errors))
                (Input { hint: Some("Everyone, carers, over 50s, families…"), ..Input::new("who_for", "Who it is for", &form.who_for) }.render(errors))
                button type="submit" { "Add the event" }
            }
        },
    )
}
