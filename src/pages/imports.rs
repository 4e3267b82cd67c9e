//! The imports pages (`/staff/imports`): sending a file or a feed, matching
//! a spreadsheet's columns, the check's report and the import itself, and
//! the feeds of neighbouring areas followed.

use maud::{Markup, html};

use super::{Frame, Input, csrf_field, error_summary, layout, moment};
use crate::domain::imports::request::{ColumnChoices, ImportState, ImportView};
use crate::domain::imports::{Outcome, Report};
use crate::domain::neighbours::NeighbourFeed;
use crate::domain::text::FieldErrors;

/// How often a page with an import in hand refreshes itself, in seconds.
pub const REFRESH_SECONDS: u32 = 3;

/// The most report lines shown; the rest are counted.
const LINES_SHOWN: usize = 200;

/// What was typed in the page's forms, kept when one comes back with errors.
#[derive(Clone, Copy, Debug, Default)]
pub struct Typed<'a> {
    pub feed: &'a str,
    pub area: &'a str,
    pub url: &'a str,
}

/// The imports page: send a file or a feed, the latest imports, and the
/// neighbouring areas' feeds followed.
pub fn index(
    frame: &Frame,
    imports: &[ImportView],
    feeds: &[NeighbourFeed],
    typed: Typed<'_>,
    errors: &FieldErrors,
) -> Markup {
    let title = if errors.is_empty() { "Import listings" } else { "Error: Import listings" };
    layout(
        frame,
        title,
        html! {
            (error_summary(errors))
            h1 { "Import listings" }
            p { "Bring in listings from an Open Referral feed or file (UK 3.0 or v1), an HSDS CSV package (a zip), or a spreadsheet saved as CSV with one row per service. Nothing is written until you have seen what the import would do." }
            p { a href="/staff/imports/template.csv" download { "Download the spreadsheet template" } " (every column Doorstep reads, with an example row)" }
            form method="post" action="/staff/imports" enctype="multipart/form-data" novalidate {
                (csrf_field(frame))
                @let invalid = errors.get("file").is_some();
                div class=(if invalid { "form-group form-group-error" } else { "form-group" }) {
                    label for="file" { "A file" }
                    div class="hint" id="file-hint" { "CSV, JSON or zip, up to the size this site allows." }
                    @if let Some(message) = errors.get("file") {
                        span class="field-error" id="file-error" { span class="visually-hidden" { "Error: " } (message) }
                    }
                    input type="file" id="file" name="file" accept=".csv,.tsv,.txt,.json,.zip"
                        aria-invalid=[invalid.then_some("true")]
                        aria-describedby=(if invalid { "file-hint file-error" } else { "file-hint" });
                }
                (Input { hint: Some("Or the address of another directory's Open Referral API, read page by page: https://…/openreferral"), kind: "url", ..Input::new("feed", "Or a feed's address", typed.feed) }.render(errors))
                button type="submit" { "Send" }
            }
            h2 { "Latest imports" }
            @if imports.is_empty() {
                p { "Nothing has been imported from this page yet." }
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Latest imports" { table {
                    caption class="visually-hidden" { "The latest imports, newest first" }
                    thead { tr { th scope="col" { "Source" } th scope="col" { "Sent" } th scope="col" { "Where it has got to" } } }
                    tbody {
                        @for import in imports {
                            tr {
                                td { a href={ "/staff/imports/" (import.id) } { (import.source) } br; span class="hint" { (import.kind.label()) } }
                                td { (moment(import.requested_at)) " by " (import.requested_by) }
                                td { (import.state.label()) }
                            }
                        }
                    }
                } }
            }
            (neighbours(frame, feeds, typed, errors))
        },
    )
}

/// The feeds of neighbouring areas followed, and the form to follow one.
fn neighbours(frame: &Frame, feeds: &[NeighbourFeed], typed: Typed<'_>, errors: &FieldErrors) -> Markup {
    html! {
        h2 id="neighbours" { "Neighbouring areas" }
        p { "Follow another area's Open Referral feed so that help just over the border is found here. Its services are read again every day, shown as listed by that area, and changed only there." }
        @if !feeds.is_empty() {
            div class="table-wrap" tabindex="0" role="region" aria-label="Neighbouring areas' feeds" { table {
                caption class="visually-hidden" { "Neighbouring areas' feeds followed" }
                thead { tr { th scope="col" { "Area" } th scope="col" { "Services" } th scope="col" { "Last read" } th scope="col" { "Read again" } } }
                tbody {
                    @for feed in feeds {
                        tr {
                            td { (feed.area) br; span class="hint" { (feed.url) } }
                            td { (feed.services) }
                            td {
                                @match (&feed.last_error, feed.last_good_at) {
                                    (None, Some(good)) => { "Read whole " (moment(good)) }
                                    (None, None) => { "Not read yet" }
                                    (Some(error), good) => {
                                        strong class="field-error" { "Failing: " } (error) ". "
                                        @match good {
                                            Some(good) => { "Showing the copy read whole " (moment(good)) "." }
                                            None => { "Nothing read from it yet." }
                                        }
                                    }
                                }
                            }
                            td {
                                (moment(feed.next_read_at))
                                form method="post" action={ "/staff/neighbours/" (feed.id) "/read" } {
                                    (csrf_field(frame))
                                    button type="submit" class="button-secondary" { "Read it now" span class="visually-hidden" { ": " (feed.area) } }
                                }
                            }
                        }
                    }
                }
            } }
        }
        h3 { "Follow another area's feed" }
        form method="post" action="/staff/neighbours" novalidate {
            (csrf_field(frame))
            (Input { hint: Some("As its services should say: \"listed by Stockport\"."), ..Input::new("area", "The area's name", typed.area) }.render(errors))
            (Input { hint: Some("The address of its Open Referral API: https://…/openreferral"), kind: "url", ..Input::new("url", "Its feed's address", typed.url) }.render(errors))
            button type="submit" { "Follow" }
        }
    }
}

/// One import: the columns to match, how far it has got, its report, and
/// the button that writes it.
pub fn import(
    frame: &Frame,
    view: &ImportView,
    columns: Option<&ColumnChoices>,
    refreshing: bool,
    errors: &FieldErrors,
) -> Markup {
    let heading = format!("Import from {}", view.source);
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    let here = format!("/staff/imports/{}", view.id);
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            p { a href="/staff/imports" { "All imports" } }
            span class="caption" { (view.kind.label()) }
            h1 { (heading) }
            div class="notice" role="status" {
                p { strong { (view.state.label()) } @if !view.progress.is_empty() { ": " (view.progress) } }
                @if view.state.in_hand() {
                    @if refreshing {
                        p { "This page refreshes every " (REFRESH_SECONDS) " seconds until it is done. " a href={ (here) "?refresh=off" } { "Stop refreshing" } }
                    } @else {
                        p { a href=(here) { "Refresh to see how far it has got" } }
                    }
                }
            }
            @if let Some(error) = &view.error {
                p class="field-error" { "It could not be read: " (error) }
            }
            @if let Some(report) = &view.report {
                (report_of(report, view.state))
                @if view.state.may_import() { (import_form(frame, &here, report)) }
            }
            @if view.state.may_check() {
                @match columns {
                    Some(columns) => (column_form(frame, &here, columns, errors)),
                    None => {
                        form method="post" action={ (here) "/check" } {
                            (csrf_field(frame))
                            button type="submit" class=[view.report.is_some().then_some("button-secondary")] { "Check it again" }
                        }
                    }
                }
            }
            @if let Some(done) = view.finished_at {
                p class="hint" { "Sent " (moment(view.requested_at)) " by " (view.requested_by) "; last step finished " (moment(done)) "." }
            }
        },
    )
}

/// "Match your columns": each field, and the column of the file that holds it.
fn column_form(frame: &Frame, here: &str, columns: &ColumnChoices, errors: &FieldErrors) -> Markup {
    html! {
        h2 { "Match your columns" }
        p { "Choose the column of your spreadsheet that holds each of these. The ones found by their headings are chosen already. Only the names are needed; a postcode places each service on the map." }
        form method="post" action={ (here) "/check" } novalidate {
            (csrf_field(frame))
            @for (field, chosen) in &columns.chosen {
                @let name = field.code();
                @let invalid = errors.get(name).is_some();
                div class=(if invalid { "form-group form-group-error" } else { "form-group" }) {
                    label for=(name) { (field.label()) }
                    @if let Some(message) = errors.get(name) {
                        span class="field-error" id={ (name) "-error" } { span class="visually-hidden" { "Error: " } (message) }
                    }
                    select id=(name) name=(name) class=[invalid.then_some("input-error")]
                        aria-invalid=[invalid.then_some("true")]
                        aria-describedby=[invalid.then(|| format!("{name}-error"))] {
                        option value="" { "Not in this file" }
                        @for header in &columns.headers {
                            option value=(header) selected[chosen.as_deref() == Some(header.as_str())] { (header) }
                        }
                    }
                }
            }
            button type="submit" { "Check what it would do" }
        }
    }
}

/// What the import would do, or did: counts by kind, then the records
/// that would change or could not be taken, the terms no need matched, and
/// the possible duplicates.
fn report_of(report: &Report, state: ImportState) -> Markup {
    let lines: Vec<_> = report.lines.iter().filter(|l| l.outcome != Outcome::Unchanged).collect();
    html! {
        h2 { @if report.written { "What it did" } @else { "What it would do" } }
        div class="table-wrap" tabindex="0" role="region" aria-label="Records by what happens to them" { table {
            caption class="visually-hidden" { "Records by what happens to them" }
            thead { tr { th scope="col" { "Records" } th scope="col" { "Added" } th scope="col" { "Changed" } th scope="col" { "Unchanged" } th scope="col" { "Cannot be taken" } } }
            tbody {
                @for (kind, label) in [("service", "Services"), ("organisation", "Organisations"), ("venue", "Venues")] {
                    @let [added, changed, unchanged, rejected] = report.counts(kind);
                    tr { th scope="row" { (label) } td { (added) } td { (changed) } td { (unchanged) } td { (rejected) } }
                }
            }
        } }
        p { (report.without_needs) " services match none of our needs: they are found by their words, not by a need." }
        @if state == ImportState::NotWritten {
            p class="field-error" { "Nothing was written, because some records cannot be taken. Correct them and send the file again, or import the rest and leave them out." }
        }
        @if !report.rejections().is_empty() {
            h3 { "Why records cannot be taken" }
            ul { @for (why, count) in report.rejections() { li { (count) " × " (why) } } }
        }
        @if !lines.is_empty() {
            h3 { "Record by record" }
            ul class="report-lines" {
                @for line in lines.iter().take(LINES_SHOWN) {
                    li {
                        (line.origin) ": "
                        @if !line.name.is_empty() { (line.kind) " “" (line.name) "” " }
                        @match &line.outcome {
                            Outcome::Added => "added",
                            Outcome::Changed(fields) => { "changed (" (fields.join(", ")) ")" }
                            Outcome::Unchanged => "unchanged",
                            Outcome::Rejected(why) => { strong { "cannot be taken: " } (why) }
                        }
                    }
                }
            }
            @if lines.len() > LINES_SHOWN { p { "And " (lines.len() - LINES_SHOWN) " more." } }
        }
        @if !report.unmapped.is_empty() {
            h3 { "Terms that match none of our needs" }
            p { "Kept on the services as words search finds: " (report.unmapped.iter().map(|(t, n)| format!("{t} ({n})")).collect::<Vec<_>>().join(", ")) }
        }
        @if !report.merged.is_empty() {
            h3 { "Merged into listings already here" }
            ul { @for merged in &report.merged { li { (merged.said) } } }
        }
    }
}

/// Import it: the duplicates to merge, and whether to leave out what cannot be taken.
fn import_form(frame: &Frame, here: &str, report: &Report) -> Markup {
    let rejected = report.rejected_services() + report.counts("venue")[3] + report.counts("organisation")[3];
    html! {
        form method="post" action={ (here) "/run" } {
            (csrf_field(frame))
            @if !report.duplicates.is_empty() {
                fieldset {
                    legend { h3 { "Possible duplicates" } }
                    div class="hint" { "Each looks like a listing already here. Tick the ones that are the same, to write them into the listing already here instead of adding another; later imports of the same source will do the same." }
                    @for (n, duplicate) in report.duplicates.iter().enumerate() {
                        div class="choice" {
                            input type="checkbox" id={ "merge-" (n) } name="merge" value={ (duplicate.incoming) " " (duplicate.existing) };
                            label for={ "merge-" (n) } { "Merge: " (duplicate.said) }
                        }
                    }
                }
            }
            @if rejected > 0 {
                div class="choice" {
                    input type="checkbox" id="skip_rejected" name="skip_rejected" value="yes";
                    label for="skip_rejected" { "Import the rest, leaving out the " (rejected) " records that cannot be taken" }
                }
            }
            button type="submit" { "Import" }
        }
    }
}
