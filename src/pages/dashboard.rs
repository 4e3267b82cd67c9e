//! `/dashboard`: demand and unmet need by neighbourhood and by need, per
//! 10,000 residents a year, week by week; the gaps; follow-up answers. Each
//! chart is drawn on the server as SVG and its numbers are in a table too.

use maud::{Markup, html};

use super::{Frame, day, error_summary, layout};
use crate::domain::dashboard::{Figures, Line, Period, rate};
use crate::domain::review::Freshness;
use crate::domain::text::FieldErrors;

/// The most rows a chart draws; the table below it has them all.
const CHART_ROWS: usize = 15;

/// A horizontal bar chart of one or two series (the second drawn inside the
/// first, as unmet need is part of need asked), named for screen readers.
fn bar_chart(id: &str, title: &str, rows: &[(String, f64, Option<f64>)], series: (&str, &str)) -> Markup {
    const LABEL: f64 = 210.0;
    const BARS: f64 = 320.0;
    const ROW: f64 = 26.0;
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let width = |value: f64| format!("{:.1}", value / max * BARS);
    let height = ROW * rows.len() as f64 + 34.0;
    let legend_y = height - 10.0;
    html! {
        figure class="chart" {
            svg viewBox={ "0 0 640 " (height) } role="img" aria-labelledby={ (id) "-title " (id) "-desc" } {
                title id={ (id) "-title" } { (title) }
                desc id={ (id) "-desc" } { "A bar chart; the same figures are in the table that follows." }
                @for (n, (label, first, second)) in rows.iter().enumerate() {
                    @let y = ROW * n as f64 + 4.0;
                    text x=(LABEL - 6.0) y=(y + 14.0) text-anchor="end" class="chart-label" { (shortened(label)) }
                    rect x=(LABEL) y=(y) width=(width(*first)) height="18" class="chart-first" {}
                    @if let Some(second) = second {
                        rect x=(LABEL) y=(y + 4.0) width=(width(*second)) height="10" class="chart-second" {}
                    }
                    text x=(format!("{:.1}", LABEL + first / max * BARS + 6.0)) y=(y + 14.0) class="chart-value" {
                        (number(*first)) @if let Some(second) = second { " (" (number(*second)) ")" }
                    }
                }
                rect x=(LABEL) y=(legend_y - 10.0) width="12" height="12" class="chart-first" {}
                text x=(LABEL + 16.0) y=(legend_y) class="chart-value" { (series.0) }
                @if !series.1.is_empty() {
                    rect x=(LABEL + 180.0) y=(legend_y - 10.0) width="12" height="12" class="chart-second" {}
                    text x=(LABEL + 196.0) y=(legend_y) class="chart-value" { (series.1) }
                }
            }
        }
    }
}

/// A label cut to fit beside its bar; the table has it whole.
fn shortened(label: &str) -> String {
    if label.chars().count() > 30 {
        format!("{}…", label.chars().take(29).collect::<String>())
    } else {
        label.to_string()
    }
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

fn table(caption: &str, first: &str, lines: &[Line]) -> Markup {
    html! {
        div class="table-wrap" tabindex="0" role="region" aria-label=(caption) {
            table {
                caption { (caption) }
                thead {
                    tr {
                        th scope="col" { (first) }
                        th scope="col" class="numeric" { "Residents" }
                        th scope="col" class="numeric" { "Contacts" }
                        th scope="col" class="numeric" { "Needs asked" }
                        th scope="col" class="numeric" { "Needs unmet" }
                        th scope="col" class="numeric" { "Contacts per 10,000 a year" }
                        th scope="col" class="numeric" { "Asked per 10,000 a year" }
                        th scope="col" class="numeric" { "Unmet per 10,000 a year" }
                    }
                }
                tbody {
                    @for line in lines {
                        tr {
                            th scope="row" { (line.label) }
                            td class="numeric" { @if line.population > 0 { (line.population) } }
                            td class="numeric" { (line.contacts) }
                            td class="numeric" { (line.asked) }
                            td class="numeric" { (line.unmet) }
                            td class="numeric" { (rate(line.contacts_rate)) }
                            td class="numeric" { (rate(line.asked_rate)) }
                            td class="numeric" { (rate(line.unmet_rate)) }
                        }
                    }
                }
            }
        }
    }
}

/// The whole dashboard; `figures` is `None` when the period could not be read.
/// The dashboard: `figures` for the period, with how fresh each
/// neighbourhood's listings are (and the review interval in days).
pub fn page(
    frame: &Frame,
    period: &Period,
    figures: Option<(&Figures, (&[Freshness], u32))>,
    errors: &FieldErrors,
) -> Markup {
    layout(
        frame,
        "Demand and unmet need",
        html! {
            h1 { "Demand and unmet need" }
            (error_summary(errors))
            (period_form(period, errors))
            @if let Some((f, (fresh, days))) = figures {
                (headline(period, f))
                (weeks(f))
                (by_neighbourhood(f))
                (by_need(f))
                (gaps(f))
                (follow_ups(f))
                h2 { "How fresh the listings are" }
                (super::staff::review::freshness(fresh, days))
            }
        },
    )
}

fn period_form(period: &Period, errors: &FieldErrors) -> Markup {
    html! {
        form method="get" action="/dashboard" class="panel period" {
            (super::Input { kind: "date", ..super::Input::new("from", "From", &period.from) }.render(errors))
            (super::Input { kind: "date", ..super::Input::new("to", "To (included)", &period.to) }.render(errors))
            button type="submit" { "Show" }
        }
    }
}

/// The period, a link to the figures as CSV, and the whole area's totals.
fn headline(period: &Period, f: &Figures) -> Markup {
    let csv_link = format!("/dashboard.csv?from={}&to={}", period.from, period.to);
    html! {
        p {
            (day(f.from)) " to " (day(f.to)) " (" (f.days) " days). Rates are per 10,000 residents, scaled to a year. "
            a href=(csv_link) download { "Download these figures as CSV" }
        }
        dl class="headline" {
            div { dt { "Contacts" } dd { (f.total.contacts) } }
            div { dt { "Contacts per 10,000 a year" } dd { (rate(f.total.contacts_rate)) } }
            div { dt { "Needs asked" } dd { (f.total.asked) } }
            div { dt { "Needs unmet" } dd { (f.total.unmet) } }
            div { dt { "Escalated (immediate risk)" } dd { (f.escalated) } }
            div { dt { "Been in touch before" } dd { (f.returning) } }
        }
    }
}

fn weeks(f: &Figures) -> Markup {
    html! {
        h2 { "Week by week" }
        (bar_chart("weeks-chart", "Needs asked and unmet, week by week",
            &f.weeks.iter().map(|w| (format!("Week of {}", w.starts.format("%-d %b %Y")), w.asked as f64, Some(w.unmet as f64))).collect::<Vec<_>>(),
            ("Needs asked", "Unmet")))
        div class="table-wrap" tabindex="0" role="region" aria-label="Week by week" {
            table {
                caption { "Week by week (weeks start on Monday)" }
                thead { tr { th scope="col" { "Week of" } th scope="col" class="numeric" { "Contacts" } th scope="col" class="numeric" { "Needs asked" } th scope="col" class="numeric" { "Needs unmet" } } }
                tbody {
                    @for week in &f.weeks {
                        tr { th scope="row" { (day(week.starts)) } td class="numeric" { (week.contacts) } td class="numeric" { (week.asked) } td class="numeric" { (week.unmet) } }
                    }
                }
            }
        }
    }
}

fn by_neighbourhood(f: &Figures) -> Markup {
    html! {
        h2 { "By neighbourhood" }
        p { "Highest demand for the number of residents first." }
        @let hoods: Vec<_> = f.by_neighbourhood.iter().filter(|l| l.population > 0 && l.asked > 0).take(CHART_ROWS).map(|l| (l.label.clone(), l.asked_rate.unwrap_or(0.0), l.unmet_rate)).collect();
        @if !hoods.is_empty() {
            (bar_chart("hoods-chart", "Needs asked and unmet per 10,000 residents a year, by neighbourhood (most asked first)", &hoods, ("Asked per 10,000 a year", "Unmet per 10,000 a year")))
        }
        (table("By neighbourhood", "Neighbourhood", &f.by_neighbourhood))
    }
}

fn by_need(f: &Figures) -> Markup {
    html! {
        h2 { "By need" }
        @let needs: Vec<_> = f.by_need.iter().take(CHART_ROWS).map(|l| (l.label.clone(), l.asked as f64, Some(l.unmet as f64))).collect();
        @if !needs.is_empty() {
            (bar_chart("needs-chart", "Times each need was asked, and left unmet", &needs, ("Asked", "Unmet")))
        }
        (table("By need (residents: the whole area)", "Need", &f.by_need))
    }
}

fn gaps(f: &Figures) -> Markup {
    html! {
        h2 { "Gaps" }
        p { "Needs asked in a neighbourhood that has no service based in it or covering it for that need." }
        @if f.gaps.is_empty() {
            p { "None in this period." }
        } @else {
            div class="table-wrap" tabindex="0" role="region" aria-label="Gaps" {
                table {
                    caption { "Gaps, most asked first" }
                    thead { tr { th scope="col" { "Neighbourhood" } th scope="col" { "Need" } th scope="col" class="numeric" { "Times asked" } } }
                    tbody {
                        @for gap in &f.gaps {
                            tr { td { (gap.neighbourhood) } td { (gap.need) } td class="numeric" { (gap.asked) } }
                        }
                    }
                }
            }
        }
    }
}

fn follow_ups(f: &Figures) -> Markup {
    html! {
        h2 { "Follow-ups" }
        p { (f.follow_ups_agreed) " agreed, " (f.follow_ups_sent) " sent." }
        div class="table-wrap" tabindex="0" role="region" aria-label="Answers to the follow-up" {
            table {
                caption { "Answers to \"did you get help?\"" }
                thead { tr { th scope="col" { "Answer" } th scope="col" class="numeric" { "Citizens" } } }
                tbody {
                    @for (outcome, count) in &f.outcomes {
                        tr { th scope="row" { (outcome.label()) } td class="numeric" { (count) } }
                    }
                    tr { th scope="row" { "No answer yet" } td class="numeric" { (f.follow_ups_sent.saturating_sub(f.outcomes.iter().map(|(_, c)| c).sum())) } }
                }
            }
        }
    }
}
