//! The review queue: the listings due to be checked, most overdue first,
//! with filters and boxes to mark several as checked at once; and how fresh
//! each neighbourhood's listings are (also on the dashboard).

use maud::{Markup, html};

use super::super::{Frame, Input, ago, csrf_field, day, layout, select};
use crate::domain::needs::Need;
use crate::domain::review::{COUNTED_AT_MOST, Freshness, Overdue, PER_PAGE};
use crate::domain::text::FieldErrors;
use crate::domain::views::ServiceSummary;

/// What the queue page shows.
pub struct Queue<'a> {
    pub listings: &'a [ServiceSummary],
    pub total: i64,
    pub filter: &'a crate::domain::review::ReviewFilter,
    pub neighbourhoods: &'a [(crate::domain::ids::NeighbourhoodId, String)],
    pub review_after_days: u32,
    /// How many were just marked as checked.
    pub checked: Option<usize>,
    pub today: chrono::NaiveDate,
}

pub fn page(frame: &Frame, queue: &Queue<'_>, needs: &[Need]) -> Markup {
    let f = queue.filter;
    let none = FieldErrors::default();
    let hoods: Vec<(String, String)> =
        queue.neighbourhoods.iter().map(|(id, n)| (id.to_string(), n.clone())).collect();
    let need_options: Vec<(String, String)> =
        needs.iter().filter(|n| n.parent.is_some()).map(|n| (n.slug.clone(), n.label.clone())).collect();
    let overdue: Vec<(String, String)> =
        Overdue::ALL.iter().map(|o| (o.code().to_string(), o.label().to_string())).collect();
    let shown = queue.total.min(COUNTED_AT_MOST);
    let pages = u32::try_from(shown).unwrap_or(u32::MAX).div_ceil(PER_PAGE).max(1);
    layout(
        frame,
        "Review queue",
        html! {
            @if let Some(n) = queue.checked {
                div class="notice" role="status" { (n) " " (if n == 1 { "listing" } else { "listings" }) " marked as checked today." }
            }
            span class="caption" { "Listings you keep" }
            h1 { "Review queue" }
            p { "Listings are due when they have not been checked in " (queue.review_after_days) " days. The most overdue come first; never checked, first of all." }
            form method="get" action="/staff/review" class="panel" {
                @if !hoods.is_empty() {
                    (any_of("neighbourhood", "Neighbourhood", "Any of yours", &hoods, &f.neighbourhood.map(|n| n.to_string()).unwrap_or_default()))
                }
                (any_of("need", "Need", "Any need", &need_options, f.need.as_deref().unwrap_or("")))
                (Input { hint: Some("Words in its name."), ..Input::new("organisation", "Organisation", &f.organisation) }.render(&none))
                (select("overdue", "How overdue", &overdue, f.overdue().code(), &none))
                button type="submit" class="button-secondary" { "Show" }
            }
            h2 { (how_many(queue.total)) }
            @if queue.listings.is_empty() {
                p { "Nothing here: every listing you keep that this finds has been checked." }
            } @else {
                form method="post" action={ "/staff/review?" (f.query(f.page)) } {
                    (csrf_field(frame))
                    div class="table-wrap" {
                        table {
                            caption class="visually-hidden" { "Listings due for review, most overdue first" }
                            thead { tr { th scope="col" { "Mark checked" } th scope="col" { "Service" } th scope="col" { "Organisation" } th scope="col" { "Last checked" } } }
                            tbody {
                                @for (n, s) in queue.listings.iter().enumerate() {
                                    @let id = format!("service-{n}");
                                    tr {
                                        td { div class="choice" { input type="checkbox" id=(id) name="services" value=(s.id); label for=(id) { span class="visually-hidden" { "Mark " (s.name) " as checked" } } } }
                                        td { a href={ "/services/" (s.id) } { (s.name) } }
                                        td { (s.organisation_name) }
                                        td {
                                            @match s.last_verified_at {
                                                Some(t) => { (day(t.date())) br; span class="secondary" { (ago(t.date(), queue.today)) } }
                                                None => "Never",
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    button type="submit" { "Mark the ticked listings as checked today" }
                }
                @if pages > 1 {
                    nav class="pagination" aria-label="Pages of the queue" {
                        @if f.page > 1 { a href={ "/staff/review?" (f.query(f.page - 1)) } { "Previous page" } " " }
                        span { "Page " (f.page) " of " (pages) }
                        @if f.page < pages { " " a href={ "/staff/review?" (f.query(f.page + 1)) } { "Next page" } }
                    }
                }
            }
        },
    )
}

/// How many listings a queue holds, as counted: "1 listing", "42 listings",
/// or "More than 1,000 listings".
pub fn how_many(total: i64) -> String {
    match total {
        1 => String::from("1 listing"),
        n if n > COUNTED_AT_MOST => {
            format!("More than {} listings", crate::domain::text::thousands(COUNTED_AT_MOST as u32))
        }
        n => format!("{n} listings"),
    }
}

/// A filter's choice, "any" first.
fn any_of(name: &str, label: &str, any: &str, options: &[(String, String)], chosen: &str) -> Markup {
    html! {
        div class="form-group" {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { (any) }
                @for (value, text) in options {
                    option value=(value) selected[value == chosen] { (text) }
                }
            }
        }
    }
}

/// How fresh each neighbourhood's listings are: the share checked within the
/// review interval.
pub fn freshness(all: &[Freshness], review_after_days: u32) -> Markup {
    html! {
        @if !all.is_empty() {
            div class="table-wrap" {
                table {
                    caption { "How fresh the listings are: the share checked in the last " (review_after_days) " days" }
                    thead { tr { th scope="col" { "Neighbourhood" } th scope="col" class="numeric" { "Listings" } th scope="col" class="numeric" { "Checked" } th scope="col" class="numeric" { "Share" } } }
                    tbody {
                        @for f in all {
                            tr {
                                td { a href={ "/neighbourhoods/" (f.slug) } { (f.name) } }
                                td class="numeric" { (f.listings) }
                                td class="numeric" { (f.checked) }
                                td class="numeric" { @match f.percent() { Some(p) => { (p) "%" } None => "–" } }
                            }
                        }
                    }
                }
            }
        }
    }
}
