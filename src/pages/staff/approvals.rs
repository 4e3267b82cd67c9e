//! The approval queue, and a proposal beside the listing as it is, with
//! accepting it and rejecting it (saying why).

use maud::{Markup, html};

use super::super::{Frame, csrf_field, error_summary, layout, moment, textarea};
use crate::domain::history;
use crate::domain::needs::Need;
use crate::domain::proposals::{Proposal, ProposalKind, ProposalPage, ProposalState};
use crate::domain::text::FieldErrors;

/// Who proposed it, and when.
fn proposed(p: &Proposal) -> Markup {
    html! {
        @match (&p.proposed_by, &p.email) {
            (Some((_, name)), _) => { (name) }
            (None, Some(_)) => "A member of the public (with an address to hear back)",
            (None, None) => "A member of the public",
        }
        ", " (moment(p.proposed_at))
    }
}

/// What it is about: its record's name, or, for a new one, what it would be.
fn about(p: &Proposal) -> Markup {
    html! {
        (p.kind.label())
        @if let Some(name) = &p.record_name { ": " (name) }
    }
}

pub fn index(frame: &Frame, waiting: &[Proposal], decided: &[Proposal]) -> Markup {
    layout(
        frame,
        "Waiting for approval",
        html! {
            span class="caption" { "Listings you keep" }
            h1 { "Waiting for approval" }
            p { "New listings and changes from organisation editors, and suggestions from the public, wait here for you to accept or reject. Your own changes go live at once." }
            @if waiting.is_empty() {
                p { "Nothing is waiting." }
            } @else {
                ul class="plain-list" {
                    @for p in waiting {
                        li {
                            a href={ "/staff/approvals/" (p.id) } { (about(p)) } br;
                            span class="secondary" { (proposed(p)) }
                        }
                    }
                }
            }
            @if !decided.is_empty() {
                h2 { "Decided lately" }
                ul class="plain-list" {
                    @for p in decided {
                        li {
                            a href={ "/staff/approvals/" (p.id) } { (about(p)) } br;
                            span class="secondary" {
                                (p.state.label())
                                @if let Some(by) = &p.decided_by { " by " (by) }
                                @if let Some(at) = p.decided_at { ", " (moment(at)) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn show(frame: &Frame, page: &ProposalPage, needs: &[Need], why: &str, errors: &FieldErrors) -> Markup {
    let p = &page.proposal;
    let need_label = |slug: &str| needs.iter().find(|n| n.slug == slug).map(|n| n.label.clone());
    let said = |field: &str, value: &Option<String>| {
        value.as_deref().map(|v| history::value(field, v, &need_label)).unwrap_or_default()
    };
    let heading = p.kind.label().to_string();
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            span class="caption" { a href="/staff/approvals" { "Waiting for approval" } }
            h1 { (heading) }
            dl class="summary-list" {
                @if let Some(name) = &p.record_name {
                    dt { "About" }
                    dd { @match p.record_path() { Some(path) => { a href=(path) { (name) } } None => { (name) } } }
                }
                dt { "Proposed by" } dd { (proposed(p)) }
                @if let Some(reason) = &page.reason { dt { "Their reason" } dd { (reason) } }
                dt { "Where it has got to" }
                dd {
                    (p.state.label())
                    @if let Some(by) = &p.decided_by { " by " (by) }
                    @if let Some(at) = p.decided_at { ", " (moment(at)) }
                }
                @if let Some(outcome) = &p.outcome {
                    dt { @if p.state == ProposalState::Rejected { "Why" } @else { "Note" } }
                    dd { (outcome) }
                }
            }
            @if let Some(message) = &p.message {
                h2 { "What they said" }
                blockquote class="panel" { (message) }
            }
            @if !page.looks_like.is_empty() {
                div class="warning" {
                    h2 { "It looks like a listing already here" }
                    p { "Much the same name, meeting within 150 m. If it is the same service, reject this and change that listing instead." }
                    ul { @for (id, name) in &page.looks_like { li { a href={ "/services/" (id) } { (name) } } } }
                }
            }
            @if !page.problems.is_empty() {
                div class="warning" {
                    h2 { "It can no longer be made as proposed" }
                    ul { @for (_, problem) in &page.problems.0 { li { (problem) } } }
                }
            }
            @if !page.compared.is_empty() {
                h2 { @if p.kind == ProposalKind::NewService || p.kind == ProposalKind::NewVenue { "As proposed" } @else { "As it is, and as proposed" } }
                div class="table-wrap" {
                    table class="history" {
                        caption class="visually-hidden" { "Each field that would change" }
                        thead { tr { th scope="col" { "What" } th scope="col" { "Now" } th scope="col" { "Proposed" } } }
                        tbody {
                            @for (field, now, proposed) in &page.compared {
                                tr {
                                    th scope="row" { (history::label(page.kind, field)) }
                                    td { (said(field, now)) }
                                    td { (said(field, proposed)) }
                                }
                            }
                        }
                    }
                }
            } @else if p.kind != ProposalKind::Suggestion && page.problems.is_empty() {
                p { "It changes nothing: the listing already says this." }
            }
            @if page.decides {
                h2 { "Accept it" }
                form method="post" action={ "/staff/approvals/" (p.id) "/accept" } {
                    (csrf_field(frame))
                    @if p.kind == ProposalKind::Suggestion {
                        p { "Make the change on the listing first, then mark the suggestion as done." }
                    } @else {
                        p { "The change is made now, and its history says who proposed it and that you approved it." }
                    }
                    button type="submit" { @if p.kind == ProposalKind::Suggestion { "Mark as done" } @else { "Accept and apply" } }
                }
                h2 { "Reject it" }
                form method="post" action={ "/staff/approvals/" (p.id) "/reject" } novalidate {
                    (csrf_field(frame))
                    (textarea("why", "Why?", Some("The person who proposed it is told."), why, errors))
                    button type="submit" class="button-secondary" { "Reject" }
                }
            }
        },
    )
}
