//! Moderating the networks: the queue of held and reported posts (and
//! reported events and notices), one post with what may be done to it, the
//! suspensions, the log; and a member's form to report a post, an event or
//! a notice.

use maud::{Markup, html};

use super::networks::author;
use super::{Choices, Frame, csrf_field, error_summary, layout, local_moment, post_html, textarea};
use crate::domain::ids::{NetworkId, PostId};
use crate::domain::moderation::{
    LogLine, ModerationItem, ReportForm, ReportReason, ReportView, ReportedView, SuspensionView,
};
use crate::domain::networks::{StoredPost, ThreadSummary};
use crate::domain::text::{self, FieldErrors};

fn states(item: &ModerationItem) -> Markup {
    html! {
        @if item.held { strong class="tag tag-warning" { "Waiting for approval" } " " }
        @if item.hidden { strong class="tag tag-grey" { "Hidden" } " " }
        @if !item.reports.is_empty() {
            strong class="tag tag-warning" { "Reported " (item.reports.len()) (if item.reports.len() == 1 { " time" } else { " times" }) }
        }
        @if item.thread_locked { " " strong class="tag tag-grey" { "Thread locked" } }
    }
}

fn item_body(item: &ModerationItem) -> Markup {
    html! {
        p class="secondary" {
            (if item.opening { "Starts " } else { "In " })
            a href={ "/threads/" (item.thread) } { (item.thread_title) }
            " in " (item.network_name) " · by " (author(&item.author)) " · " (local_moment(item.posted_at))
        }
        p { (states(item)) }
        div class="post-body panel" { (post_html::body(&item.body)) }
        (reports(&item.reports))
    }
}

fn reports(reports: &[ReportView]) -> Markup {
    html! {
        @if !reports.is_empty() {
            ul class="plain-list" {
                @for report in reports {
                    li {
                        strong { (report.reason) }
                        @if !report.details.is_empty() { ": " (report.details) }
                        br; span class="secondary" { "Reported by " (report.by) ", " (local_moment(report.at)) }
                    }
                }
            }
        }
    }
}

/// A reported event or notice in the queue, with what may be done to it.
fn reported_item(frame: &Frame, shown: &ReportedView) -> Markup {
    let id = shown.item.key();
    html! {
        section class="post" aria-labelledby={ (id) "-title" } {
            h3 id={ (id) "-title" } { a href=(shown.page) { (shown.title) } }
            p class="secondary" {
                (text::capitalised(shown.item.one())) " by " (author(&shown.author)) " · " (local_moment(shown.posted_at))
                @if shown.hidden { " " strong class="tag tag-grey" { "Hidden" } }
            }
            blockquote class="panel" { (shown.text) }
            (reports(&shown.reports))
            form method="post" action=(shown.item.moderation_path()) {
                (csrf_field(frame))
                div class="form-group" {
                    label for={ (id) "-reason" } { "Why (needed to hide it)" }
                    input type="text" id={ (id) "-reason" } name="reason";
                }
                button type="submit" name="action" value="hide" { "Hide the " (shown.item.noun()) }
                " "
                button type="submit" name="action" value="dismiss" class="button-secondary" { "Leave it and close the reports" }
            }
        }
    }
}

/// `/staff/moderation`.
pub fn queue(
    frame: &Frame,
    (items, reported): (&[ModerationItem], &[ReportedView]),
    networks: &[(NetworkId, String, String, bool)],
    suspensions: &[SuspensionView],
) -> Markup {
    layout(
        frame,
        "Moderation",
        html! {
            h1 { "Moderation" }
            p { a href="/staff/moderation/log" { "The moderation log" } }
            h2 { "Waiting for you" }
            @if items.is_empty() && reported.is_empty() {
                p { "Nothing is waiting: no post is held or reported." }
            }
            @if !items.is_empty() {
                @for item in items {
                    section class="post" aria-label={ "Post by " (item.author.name) } {
                        (item_body(item))
                        p { a class="button button-secondary" href={ "/staff/moderation/posts/" (item.post) } { "Deal with this post" } }
                    }
                }
            }
            @if !reported.is_empty() {
                h3 { "Reported events and notices" }
                @for shown in reported { (reported_item(frame, shown)) }
            }
            h2 { "Suspended members" }
            @if suspensions.is_empty() {
                p { "Nobody is suspended." }
            } @else {
                ul class="plain-list" {
                    @for s in suspensions {
                        li {
                            strong { (s.member_name) } " from " (s.network.as_deref().unwrap_or("every network"))
                            ": " (s.reason)
                            br; span class="secondary" { "By " (s.by) ", " (local_moment(s.at)) }
                            form method="post" action={ "/staff/moderation/suspensions/" (s.id) "/lift" } {
                                (csrf_field(frame))
                                div class="form-group" {
                                    label for={ "lift-" (s.id) } { "Why lift it" }
                                    input type="text" id={ "lift-" (s.id) } name="reason";
                                }
                                button type="submit" class="button-secondary" { "Lift the suspension" }
                            }
                        }
                    }
                }
            }
            h2 { "New members' first posts" }
            p { "Where this is on, a new member's posts wait for a moderator until one is approved. Everywhere, a new member's links wait." }
            details {
            summary { "The setting in each of your " (networks.len()) " networks" }
            div class="table-wrap" {
                table {
                    thead { tr { th scope="col" { "Network" } th scope="col" { "First posts" } th scope="col" { span class="visually-hidden" { "Change" } } } }
                    tbody {
                        @for (_, slug, name, approve) in networks {
                            tr {
                                td { a href={ "/networks/" (slug) } { (name) } }
                                td { @if *approve { "Wait for approval" } @else { "Go straight up" } }
                                td {
                                    form class="inline-form" method="post" action={ "/staff/moderation/networks/" (slug) } {
                                        (csrf_field(frame))
                                        input type="hidden" name="approve" value=(if *approve { "no" } else { "yes" });
                                        button type="submit" class="link-button" {
                                            (if *approve { "Let them go straight up" } else { "Hold them for approval" })
                                            span class="visually-hidden" { " in " (name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            }
        },
    )
}

/// `/staff/moderation/posts/{id}`: the post and what may be done, with why.
pub fn post(
    frame: &Frame,
    item: &ModerationItem,
    everywhere: bool,
    (action, why, errors): (&str, &str, &FieldErrors),
) -> Markup {
    let mut options: Vec<(String, String)> = Vec::new();
    let mut offer = |code: &str, label: &str| options.push((code.to_string(), label.to_string()));
    if item.held {
        offer("approve", "Approve it (and trust its author's posts from now on)");
    }
    if item.hidden {
        offer("restore", "Show it again");
    } else {
        offer("hide", "Hide it");
    }
    if !item.reports.is_empty() {
        offer("dismiss", "Leave it as it is and close the reports");
    }
    if item.thread_locked {
        offer("unlock", "Unlock the conversation");
    } else {
        offer("lock", "Lock the conversation: no more replies");
    }
    offer("suspend", &format!("Stop its author posting in {}", item.network_name));
    if everywhere {
        offer("suspend_everywhere", "Stop its author posting in every network");
    }
    layout(
        frame,
        if errors.is_empty() { "A post to moderate" } else { "Error: A post to moderate" },
        html! {
            (error_summary(errors))
            span class="caption" { a href="/staff/moderation" { "Moderation" } }
            h1 { "A post to moderate" }
            (item_body(item))
            form method="post" action={ "/staff/moderation/posts/" (item.post) } novalidate {
                (csrf_field(frame))
                (Choices { name: "action", legend: "What to do", hint: None, options, chosen: vec![action.to_string()], multiple: false, inline: false }.render(errors))
                (textarea("reason", "Why", Some("Kept in the moderation log. Needed to hide, lock or suspend."), why, errors))
                button type="submit" { "Do it" }
            }
        },
    )
}

/// `/staff/moderation/log`.
pub fn log(frame: &Frame, lines: &[LogLine]) -> Markup {
    layout(
        frame,
        "Moderation log",
        html! {
            span class="caption" { a href="/staff/moderation" { "Moderation" } }
            h1 { "Moderation log" }
            @if lines.is_empty() {
                p { "No moderator has done anything yet." }
            } @else {
                div class="table-wrap" {
                    table {
                        thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "Did" } th scope="col" { "To" } th scope="col" { "Why" } } }
                        tbody {
                            @for line in lines {
                                tr {
                                    td { (local_moment(line.at)) }
                                    td { (line.moderator) }
                                    td { (line.action) }
                                    td { @if let Some(link) = &line.link { a href=(link) { (line.what) } } @else { (line.what) } }
                                    td { (line.reason) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// `/posts/{id}/report`: why, and what to add.
pub fn report(
    frame: &Frame,
    (post, thread): (&StoredPost, &ThreadSummary),
    id: PostId,
    form: &ReportForm,
    errors: &FieldErrors,
) -> Markup {
    layout(
        frame,
        if errors.is_empty() { "Report a post" } else { "Error: Report a post" },
        html! {
            (error_summary(errors))
            span class="caption" { (thread.title) }
            h1 { "Report a post" }
            p { "By " (author(&post.author)) ", " (local_moment(post.posted_at)) ":" }
            blockquote class="panel" { (crate::domain::markdown::plain_post(&post.body, post.html, 400)) }
            (report_form(frame, &format!("/posts/{id}/report"), form, errors))
        },
    )
}

/// Why, and what to add: the form every report is made with.
fn report_form(frame: &Frame, action: &str, form: &ReportForm, errors: &FieldErrors) -> Markup {
    html! {
        p { "A moderator reads every report. If someone is in danger now, call 999." }
        form method="post" action=(action) novalidate {
            (csrf_field(frame))
            (Choices {
                name: "reason",
                legend: "What is wrong with it?",
                hint: None,
                options: ReportReason::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())).collect(),
                chosen: vec![form.reason.clone()],
                multiple: false,
                inline: false,
            }.render(errors))
            (textarea("details", "Anything the moderator should know (optional)", None, &form.details, errors))
            button type="submit" { "Send the report" }
        }
    }
}

/// `/events/{id}/report` and `/notices/{id}/report`.
pub fn report_item(frame: &Frame, shown: &ReportedView, form: &ReportForm, errors: &FieldErrors) -> Markup {
    let title = format!("Report {}", shown.item.one());
    layout(
        frame,
        &if errors.is_empty() { title.clone() } else { format!("Error: {title}") },
        html! {
            (error_summary(errors))
            span class="caption" { (shown.title) }
            h1 { (title) }
            p { "By " (author(&shown.author)) ", " (local_moment(shown.posted_at)) ":" }
            blockquote class="panel" { (shown.text) }
            (report_form(frame, &shown.item.report_path(), form, errors))
        },
    )
}

/// After a report of an event or notice is sent.
pub fn reported_item_sent(frame: &Frame, shown: &ReportedView) -> Markup {
    layout(
        frame,
        "Thank you for reporting it",
        html! {
            h1 { "Thank you for reporting it" }
            p { "A moderator will look at the " (shown.item.noun()) ". You will not be named to the person who posted it." }
            p { a href=(shown.page) { "Back to where it was" } }
        },
    )
}

/// After a report is sent.
pub fn reported(frame: &Frame, thread: &ThreadSummary) -> Markup {
    layout(
        frame,
        "Thank you for reporting it",
        html! {
            h1 { "Thank you for reporting it" }
            p { "A moderator will look at the post. You will not be named to its author." }
            p { a href={ "/threads/" (thread.id) } { "Back to " (thread.title) } }
        },
    )
}
