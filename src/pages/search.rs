//! The search a citizen does: the question (on the home page and at the top
//! of the results), and the results page with its filters, groups by need,
//! pages, and a page for nothing found. Everything is a plain GET form; no
//! script is needed.

use std::collections::HashMap;

use maud::{Markup, html};

use super::{Frame, layout};
use crate::domain::directory::{CostKind, DeliveryMode};
use crate::domain::ids::ServiceId;
use crate::domain::needs::Need;
use crate::domain::schedule;
use crate::domain::search::{Asked, Group, Hit};
use crate::domain::text::FieldProblem;
use crate::domain::views::ResultDetails;

/// The needs offered as choices on the question page, by slug.
const TOP_NEEDS: [&str; 8] = [
    "loneliness",
    "carers-support",
    "debt",
    "food",
    "mental-wellbeing",
    "benefits",
    "memory-and-dementia",
    "housing",
];

/// The question: what, and where. On the home page it stands alone, with the
/// top needs as choices; on the results page it heads the results.
/// `example` is a postcode of the area, for the hint.
pub fn question(
    asked: &Asked,
    needs: &[Need],
    problem: Option<&FieldProblem>,
    full: bool,
    example: Option<&str>,
) -> Markup {
    let postcode_problem = problem.filter(|p| p.field == "postcode" || p.field == "lat" || p.field == "lon");
    let q_problem = problem.filter(|p| p.field == "q");
    let top: Vec<&Need> =
        TOP_NEEDS.iter().filter_map(|slug| needs.iter().find(|n| n.slug == *slug)).collect();
    html! {
        form method="get" action="/search" class="question" role="search" {
            div class=(if q_problem.is_some() { "form-group form-group-error" } else { "form-group" }) {
                @if full {
                    h1 class="question-heading" { label for="q" { "What do you need help with?" } }
                } @else {
                    label for="q" { "What do you need help with?" }
                }
                div class="hint" id="q-hint" { "In your own words, like \u{201c}lonely\u{201d}, \u{201c}help with bills\u{201d} or \u{201c}carer support\u{201d}." }
                @if let Some(p) = q_problem { span class="field-error" id="q-error" { span class="visually-hidden" { "Error: " } (p.message) } }
                input type="text" id="q" name="q" value=(asked.q) autocomplete="off"
                    aria-describedby=(if q_problem.is_some() { "q-hint q-error" } else { "q-hint" });
            }
            @if full {
                fieldset class="form-group" {
                    legend { "Or choose what it is about" }
                    div class="choices-inline" {
                        @for need in &top {
                            div class="choice" {
                                input type="checkbox" id={ "need-" (need.slug) } name="need" value=(need.slug) checked[asked.needs.contains(&need.slug)];
                                label for={ "need-" (need.slug) } { (need.label) }
                            }
                        }
                    }
                }
            } @else {
                @for need in &asked.needs { input type="hidden" name="need" value=(need); }
                @if !asked.lat.is_empty() {
                    input type="hidden" name="lat" value=(asked.lat);
                    input type="hidden" name="lon" value=(asked.lon);
                }
            }
            div class=(if postcode_problem.is_some() { "form-group form-group-error" } else { "form-group" }) {
                label for="postcode" { "Where?" }
                div class="hint" id="postcode-hint" { (postcode_hint(example)) }
                @if let Some(p) = postcode_problem { span class="field-error" id="postcode-error" { span class="visually-hidden" { "Error: " } (p.message) } }
                input type="text" id="postcode" name="postcode" value=(asked.postcode) autocomplete="postal-code"
                    class=(if postcode_problem.is_some() { "short input-error" } else { "short" })
                    aria-invalid=[postcode_problem.map(|_| "true")]
                    aria-describedby=(if postcode_problem.is_some() { "postcode-hint postcode-error" } else { "postcode-hint" });
            }
            button type="submit" { "Search" }
        }
    }
}

/// Everything a results page shows.
pub struct Results<'a> {
    pub asked: &'a Asked,
    pub needs: &'a [Need],
    /// Where the results are measured from, in words, and anything to say about it.
    pub place: Option<(String, Option<String>)>,
    pub total: u64,
    pub per_page: usize,
    pub hits: &'a [Hit],
    pub groups: &'a [Group],
    pub unmet: &'a [String],
    pub details: &'a HashMap<ServiceId, ResultDetails>,
    pub problem: Option<&'a FieldProblem>,
    /// Local entry points near where was searched, or named by the words.
    pub places: &'a [crate::domain::views::PlaceCard],
    /// How many of `total` match everything asked.
    pub close: u64,
    /// Times and ages read from the words.
    pub understood: &'a [String],
    /// The urgent-help box, when the words say someone may be in danger now.
    pub urgent: Option<&'a crate::config::UrgentHelp>,
    /// A postcode of the area, for the question's hint.
    pub example_postcode: Option<&'a str>,
    /// What the neighbourhood networks say that matches.
    pub activity: Option<&'a crate::domain::search::FoundActivity>,
}

/// What the postcode box asks for, with an example from the area itself
/// ("like M33 or M33 7XX"), so that the example is one it knows.
fn postcode_hint(example: Option<&str>) -> String {
    match example {
        Some(postcode) => {
            let district = postcode.split(' ').next().unwrap_or(postcode);
            // Kept on one line.
            let postcode = postcode.replace(' ', "\u{a0}");
            format!("A postcode, or the first part of one, like {district} or {postcode}.")
        }
        None => String::from("A postcode, or the first part of one."),
    }
}

/// The line about results that mention only some of what was asked
/// (`more` of them), after `close` ones that match all of it.
fn partial(more: u64, close: u64) -> String {
    let mention = if more == 1 { "mentions" } else { "mention" };
    match close {
        0 => {
            format!("{more} {} {mention} some of your words.", if more == 1 { "service" } else { "services" })
        }
        1 => format!("{more} more {mention} some of your words, listed after it."),
        _ => format!("{more} more {mention} some of your words, listed after them."),
    }
}

fn label_of<'a>(needs: &'a [Need], slug: &'a str) -> &'a str {
    needs.iter().find(|n| n.slug == slug).map_or(slug, |n| n.label.as_str())
}

/// `/search`.
pub fn results(frame: &Frame, r: &Results<'_>) -> Markup {
    let asked = r.asked;
    let what: Vec<&str> = std::iter::once(asked.q.trim())
        .filter(|q| !q.is_empty())
        .chain(asked.needs.iter().map(|n| label_of(r.needs, n)))
        .collect();
    let heading = match (&r.problem, r.total) {
        (Some(_), _) => String::from("Search"),
        (None, 0) => String::from("No services found"),
        (None, 1) => String::from("1 service found"),
        (None, n) if r.close == n => format!("{n} services found"),
        (None, _) if r.close == 0 => String::from("No close matches"),
        (None, _) if r.close == 1 => String::from("1 close match"),
        (None, _) => format!("{} close matches", r.close),
    };
    // The rest mention only some of what was asked, and come after.
    let more = r.total - r.close.min(r.total);
    let title = if r.problem.is_some() { String::from("Error: Search") } else { heading.clone() };
    let pages = (r.total as usize).div_ceil(r.per_page.max(1)).max(1);
    let content = html! {
        @if let Some(help) = r.urgent { (super::urgent::urgent_help(help)) }
        @if let Some(problem) = r.problem {
            div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 id="error-summary-title" { "There is a problem" }
                ul { li { a href={ "#" (if problem.field == "postcode" || problem.field.is_empty() { "postcode" } else { problem.field }) } { (problem.message) } } }
            }
        }
        h1 { (heading) }
        @if r.problem.is_none() {
            p class="lead" {
                @if !what.is_empty() { "For " strong { (what.join(", ")) } }
                @match &r.place {
                    Some((label, _)) => { @if what.is_empty() { "Near " } @else { " near " } strong { (label) } }
                    None => { @if !what.is_empty() { ", across the borough" } }
                }
                "."
            }
            @if more > 0 {
                p { (partial(more, r.close)) }
            }
            @for reading in r.understood { p class="notice" { "We read " (reading) "." } }
            @if let Some((_, Some(message))) = &r.place { p class="notice" { (message) } }
        }
        @if !asked.print {
            (question(asked, r.needs, r.problem, false, r.example_postcode))
            (filters(asked))
        }
        @if r.problem.is_none() && !r.places.is_empty() && asked.page <= 1 {
            section class="panel" aria-labelledby="places-title" {
                h2 id="places-title" { "Places you can walk in" }
                p { "Community hubs, libraries and centres where you can ask about anything." }
                (super::places::list(r.places))
            }
        }
        @if r.problem.is_none() {
            @if r.total == 0 {
                (nothing_found(r))
            } @else if r.groups.len() > 1 {
                @for group in r.groups {
                    h2 { (group.label) " (" (group.total) ")" }
                    @if group.results.is_empty() {
                        p { "Nothing found for this need here." }
                    } @else {
                        (list(&group.results, r.details))
                    }
                }
            } @else {
                @if asked.page > pages {
                    @let only = if pages == 1 { String::from("is only 1 page") } else { format!("are only {pages} pages") };
                    p { "There " (only) " of results. " a href=(asked.url(pages, true, false)) { "Go to the last page" } }
                }
                (list(r.hits, r.details))
                @if pages > 1 && !asked.print && asked.page <= pages {
                    nav class="pagination" aria-label="Pages of results" {
                        @if asked.page > 1 { a href=(asked.url(asked.page - 1, true, false)) rel="prev" { "Previous page" } }
                        span { "Page " (asked.page) " of " (pages) }
                        @if asked.page < pages { a href=(asked.url(asked.page + 1, true, false)) rel="next" { "Next page" } }
                    }
                }
            }
            @if let Some(found) = r.activity.filter(|_| !asked.print) {
                (super::networks::found(found, "network-activity-title", "From the neighbourhood network"))
            }
            @if !r.unmet.is_empty() && r.total > 0 {
                p { "Nothing found for: " (r.unmet.iter().map(|n| label_of(r.needs, n)).collect::<Vec<_>>().join(", ")) "." }
            }
            @if r.total > 0 && !asked.print {
                p class="no-print" { a href=(asked.url(1, true, true)) { "A printable list of these results" } }
            }
        }
    };
    layout(frame, &title, content)
}

/// The filters, as one GET form that keeps the question.
fn filters(asked: &Asked) -> Markup {
    let days = schedule::WEEK.iter().map(|&d| (schedule::day_code(d), schedule::day_name(d)));
    let days: Vec<(&str, &str)> = std::iter::once(("now", "Open now")).chain(days).collect();
    html! {
        details class="filters no-print" open[asked.filtered()] {
            summary { "Filter the results" }
            form method="get" action="/search" {
                input type="hidden" name="q" value=(asked.q);
                input type="hidden" name="postcode" value=(asked.postcode);
                @if !asked.lat.is_empty() {
                    input type="hidden" name="lat" value=(asked.lat);
                    input type="hidden" name="lon" value=(asked.lon);
                }
                @for need in &asked.needs { input type="hidden" name="need" value=(need); }
                div class="form-group" {
                    label for="open" { "Open on" }
                    select id="open" name="open" {
                        option value="" { "Any day" }
                        @for (code, label) in days { option value=(code) selected[asked.open == code] { (label) } }
                    }
                }
                div class="form-group" {
                    label for="delivery" { "How" }
                    select id="delivery" name="delivery" {
                        option value="" { "Any way" }
                        @for mode in DeliveryMode::ALL { option value=(mode.code()) selected[asked.delivery == mode.code()] { (mode.label()) } }
                    }
                }
                div class="form-group" {
                    label for="radius_km" { "How far (km)" }
                    input type="text" inputmode="decimal" id="radius_km" name="radius_km" class="short" value=(asked.radius_km);
                }
                div class="form-group" {
                    label for="age" { "Age of the person" }
                    input type="text" inputmode="numeric" id="age" name="age" class="short" value=(asked.age);
                }
                div class="form-group" {
                    label for="language" { "Language" }
                    input type="text" id="language" name="language" class="short" value=(asked.language);
                }
                div class="choice" {
                    input type="checkbox" id="free" name="free" value="true" checked[asked.free];
                    label for="free" { "Free" }
                }
                div class="choice" {
                    input type="checkbox" id="step_free" name="step_free" value="true" checked[asked.step_free];
                    label for="step_free" { "Step-free access" }
                }
                button type="submit" class="button-secondary" { "Apply filters" }
            }
        }
    }
}

fn list(hits: &[Hit], details: &HashMap<ServiceId, ResultDetails>) -> Markup {
    html! {
        ol class="results" {
            @for hit in hits {
                @let detail = details.get(&hit.id);
                li {
                    h3 { a href=(hit.url) { (hit.name) } }
                    p class="secondary" { (hit.organisation) }
                    @if let Some(area) = &hit.listed_by { p class="listed-by" { "Listed by " (area) } }
                    @if let Some(d) = detail { p { (d.summary) } }
                    ul class="facts" {
                        @if let Some(reach) = &hit.reach { li { (reach) } }
                        @if let Some(next) = &hit.next_session { li { "Next: " (next) } }
                        @if let Some(d) = detail {
                            li { (cost(d)) }
                            @if let Some(who) = who_for(d) { li { "For " (who) } }
                        }
                    }
                    @if !hit.why.is_empty() { p class="why secondary" { "Why it matched: " (hit.why.join("; ")) } }
                }
            }
        }
    }
}

fn cost(d: &ResultDetails) -> String {
    match (d.cost, &d.cost_description) {
        (CostKind::Free, _) => String::from("Free"),
        (_, Some(words)) => words.clone(),
        (kind, None) => kind.label().to_string(),
    }
}

fn who_for(d: &ResultDetails) -> Option<String> {
    let ages = match (d.min_age, d.max_age) {
        (Some(min), Some(max)) => Some(format!("ages {min} to {max}")),
        (Some(min), None) => Some(format!("people aged {min} and over")),
        (None, Some(max)) => Some(format!("people up to age {max}")),
        (None, None) => None,
    };
    match (&d.eligibility, ages) {
        (Some(e), Some(a)) => Some(format!("{} ({a})", e.trim_end_matches('.'))),
        (Some(e), None) => Some(e.trim_end_matches('.').to_string()),
        (None, a) => a,
    }
}

fn nothing_found(r: &Results<'_>) -> Markup {
    let asked = r.asked;
    let related: Vec<&Need> = asked
        .needs
        .iter()
        .filter_map(|slug| r.needs.iter().find(|n| n.slug == *slug))
        .filter_map(|need| need.parent)
        .flat_map(|parent| r.needs.iter().filter(move |n| n.parent == Some(parent)))
        .filter(|n| !asked.needs.contains(&n.slug))
        .take(6)
        .collect();
    html! {
        p { "Nothing matched all of that. You could:" }
        ul {
            @if asked.filtered() { li { a href=(asked.url(1, false, false)) { "search again without the filters" } } }
            @if !asked.q.trim().is_empty() { li { "try other words, or fewer" } }
            @if !asked.postcode.is_empty() || !asked.lat.is_empty() {
                li {
                    a href=({
                        let wider = Asked { postcode: String::new(), lat: String::new(), lon: String::new(), radius_km: String::new(), ..asked.clone() };
                        wider.url(1, true, false)
                    }) { "search the whole borough" }
                }
            }
            @for need in &related { li { "look at " a href={ "/needs/" (need.slug) } { (need.label) } } }
            li { a href="/needs" { "browse every kind of help" } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::partial;

    #[test]
    fn results_that_mention_only_some_words_are_counted_in_words_that_fit() {
        assert_eq!(partial(40, 12), "40 more mention some of your words, listed after them.");
        assert_eq!(partial(1, 1), "1 more mentions some of your words, listed after it.");
        assert_eq!(partial(3, 0), "3 services mention some of your words.", "nothing before them");
        assert_eq!(partial(1, 0), "1 service mentions some of your words.");
    }
}
