//! `/staff/networks/{slug}/sources`: the feeds, calendars and forums a
//! network follows, with the form to follow another; and
//! `/staff/sources/{id}`, one source's status.

use maud::{Markup, html};

use super::super::{Choices, Frame, Input, csrf_field, error_summary, layout, local_moment};
use crate::domain::networks::NetworkView;
use crate::domain::sources::{SourceForm, SourceKind, SourceView};
use crate::domain::text::FieldErrors;

/// How its last reading went, in a few words.
fn how_it_went(source: &SourceView) -> Markup {
    html! {
        @match (&source.last_error, source.last_good_at) {
            (None, Some(good)) => { "Read well " (local_moment(good)) }
            (None, None) => { "Not read yet" }
            (Some(error), _) => { strong class="field-error" { "Failing: " } (error) }
        }
    }
}

/// `/staff/networks/{slug}/sources`.
pub fn index(
    frame: &Frame,
    network: &NetworkView,
    sources: &[SourceView],
    form: &SourceForm,
    errors: &FieldErrors,
) -> Markup {
    let here = format!("/staff/networks/{}/sources", network.slug);
    let title = format!("Sources {} follows", network.name);
    layout(
        frame,
        &if errors.is_empty() { title.clone() } else { format!("Error: {title}") },
        html! {
            (error_summary(errors))
            span class="caption" { a href={ "/networks/" (network.slug) } { (network.name) } }
            h1 { (title) }
            p { "Posts from a blog or news feed, events from a calendar and topics from a Discourse forum appear in the network's pages, in search and in the advisers' workspace beside members' own, each marked with where it came from. Each source is read every hour." }
            @if sources.is_empty() {
                p { "This network follows no sources yet." }
            } @else {
                ul class="plain-list" {
                    @for source in sources {
                        li {
                            a href={ "/staff/sources/" (source.id) } { (source.name) }
                            " · " (source.kind.label()) " · " (source.items) " items"
                            br; span class="secondary" { (how_it_went(source)) }
                        }
                    }
                }
            }
            h2 { "Follow a source" }
            form method="post" action=(here) novalidate {
                (csrf_field(frame))
                (Choices {
                    name: "kind",
                    legend: "What is it?",
                    hint: None,
                    options: SourceKind::ALL.iter().map(|k| (k.code().to_string(), k.label().to_string())).collect(),
                    chosen: vec![form.kind.clone()],
                    multiple: false,
                    inline: false,
                }.render(errors))
                (Input { hint: Some("As readers will see it beside each post, like \"St Mary's Church\""), ..Input::new("name", "Its name", &form.name) }.render(errors))
                (Input {
                    hint: Some("The feed's or calendar's address, or the Discourse category's or tag's page"),
                    kind: "url",
                    ..Input::new("url", "Web address", &form.url)
                }.render(errors))
                button type="submit" { "Follow it" }
            }
        },
    )
}

/// `/staff/sources/{id}`.
pub fn status(frame: &Frame, source: &SourceView) -> Markup {
    let here = format!("/staff/sources/{}", source.id);
    layout(
        frame,
        &source.name,
        html! {
            span class="caption" {
                a href={ "/staff/networks/" (source.network_slug) "/sources" } { "Sources " (source.network_name) " follows" }
            }
            h1 { (source.name) }
            @if source.failing() {
                div class="panel" role="status" {
                    p { strong { "This source is failing." } " Everything read from it before is still shown." }
                }
            }
            dl class="summary-list" {
                dt { "Kind" } dd { (source.kind.label()) }
                dt { "Address" } dd { a href=(source.url) rel="nofollow" { (source.url) } }
                dt { "Followed since" } dd { (local_moment(source.added_at)) }
                dt { "Last read" } dd { @match source.last_read_at { Some(at) => (local_moment(at)), None => "Not yet" } }
                dt { "Last read well" } dd { @match source.last_good_at { Some(at) => (local_moment(at)), None => "Never" } }
                dt { "Last error" } dd {
                    @match &source.last_error {
                        Some(error) => { (error) @if source.failures > 1 { " (" (source.failures) " times in a row)" } }
                        None => "None",
                    }
                }
                dt { "Items held here" } dd { (source.items) }
                dt { "Next read" } dd { (local_moment(source.next_read_at)) }
            }
            form method="post" action={ (here) "/read" } class="inline-form" {
                (csrf_field(frame))
                button type="submit" { "Read it now" }
            }
            " "
            form method="post" action={ (here) "/stop" } class="inline-form" {
                (csrf_field(frame))
                button type="submit" class="button-secondary" { "Stop following it" }
            }
            p class="hint" { "Once it is no longer followed, what it brought is taken away, unless another source brings it too." }
        },
    )
}
