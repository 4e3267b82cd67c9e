//! The signposting pages: starting a contact with the safeguarding question,
//! the workspace (where, what, constraints; support grouped by need), the
//! shortlist with its three ways of sending, and the print view.

use maud::{DOCTYPE, Markup, html};

use super::{Choices, Frame, Input, csrf_field, error_summary, layout, moment, select};
use crate::domain::needs::Need;
use crate::domain::schedule;
use crate::domain::search::{Group, Hit};
use crate::domain::signposting::{
    Channel, Found, Returning, SHORT_TEXT_LIMIT, SendForm, SentMail, ShortlistEntry, SignpostContact,
    WorkspaceAsked, short_text,
};
use crate::domain::text::FieldErrors;
use crate::domain::views::NeighbourhoodView;

/// Everything the workspace shows.
pub struct Workspace<'a> {
    pub contact: &'a SignpostContact,
    pub asked: &'a WorkspaceAsked,
    pub needs: &'a [Need],
    pub neighbourhoods: &'a [NeighbourhoodView],
    pub found: Option<&'a Found>,
    pub shortlist: &'a [ShortlistEntry],
    /// The statutory route: the team's name and phone number, as configured.
    pub safeguarding: (&'a str, Option<&'a str>),
    /// The urgent-help box, when the citizen's words say they may be in danger now.
    pub urgent: Option<&'a crate::config::UrgentHelp>,
    pub errors: &'a FieldErrors,
}

fn label_of<'a>(needs: &'a [Need], slug: &'a str) -> &'a str {
    needs.iter().find(|n| n.slug == slug).map_or(slug, |n| n.label.as_str())
}

fn contact_heading(contact: &SignpostContact) -> String {
    format!("Contact started {} ({})", moment(contact.started_at), contact.channel.label().to_lowercase())
}

/// `/signpost`: the safeguarding question and the start of a contact; the
/// advisor's recent contacts.
pub fn start(frame: &Frame, recent: &[SignpostContact], needs: &[Need], errors: &FieldErrors) -> Markup {
    let risk = Choices {
        name: "risk",
        legend: "Is anyone at immediate risk of harm?",
        hint: Some(
            "Ask this first. If yes, you will be shown the statutory route; community support stays available.",
        ),
        options: vec![(String::from("yes"), String::from("Yes")), (String::from("no"), String::from("No"))],
        chosen: vec![],
        multiple: false,
        inline: true,
    };
    let channel = Choices {
        name: "channel",
        legend: "How did they get in touch?",
        hint: None,
        options: Channel::ALL.iter().map(|c| (c.code().to_string(), c.label().to_string())).collect(),
        chosen: vec![Channel::Phone.code().to_string()],
        multiple: false,
        inline: true,
    };
    let returning = Choices {
        name: "returning",
        legend: "Have they been in touch before?",
        hint: Some("As far as you know. Nothing that identifies them is kept."),
        options: Returning::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())).collect(),
        chosen: vec![Returning::NotKnown.code().to_string()],
        multiple: false,
        inline: false,
    };
    layout(
        frame,
        "Signposting",
        html! {
            h1 { "Signposting" }
            (error_summary(errors))
            form method="post" action="/signpost/contacts" class="panel" {
                h2 { "Start a new contact" }
                (csrf_field(frame))
                (risk.render(errors))
                (channel.render(errors))
                (returning.render(errors))
                button type="submit" { "Start the contact" }
            }
            h2 { "Your recent contacts" }
            @if recent.is_empty() {
                p { "None yet." }
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label="Your recent contacts" {
                    table {
                        caption class="visually-hidden" { "Your recent contacts, newest first" }
                        thead { tr { th scope="col" { "Started" } th scope="col" { "Neighbourhood" } th scope="col" { "Needs asked" } th scope="col" { "Status" } } }
                        tbody {
                            @for contact in recent {
                                tr {
                                    td { a href={ "/signpost/contacts/" (contact.id) } { (moment(contact.started_at)) } }
                                    td { (contact.neighbourhood.as_ref().map_or("Not known", |(_, name)| name.as_str())) }
                                    td { (contact.needs.iter().map(|(slug, _)| label_of(needs, slug)).collect::<Vec<_>>().join(", ")) }
                                    td {
                                        @if contact.escalated { "Escalated. " }
                                        @if contact.finished_at.is_some() { "Finished" } @else { "Open" }
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

/// The statutory route, shown at the top of an escalated contact.
fn statutory_route(team: &str, phone: Option<&str>) -> Markup {
    html! {
        section id="safeguarding" class="statutory-route" aria-labelledby="safeguarding-title" {
            h2 id="safeguarding-title" { "Immediate risk: use the statutory route" }
            ol {
                li { "If anyone is in immediate danger, call " strong { "999" } " now." }
                li {
                    "Raise a safeguarding concern with " (team)
                    @if let Some(phone) = phone { ": " strong { a href={ "tel:" (phone.replace(' ', "")) } { (phone) } } } "."
                }
            }
            @if phone.is_none() {
                p { "The safeguarding team's phone number has not been set up: ask an administrator to set " code { "safeguarding_phone" } "." }
            }
            p { "This contact is recorded as escalated. Community support stays available below." }
        }
    }
}

/// `/signpost/contacts/{id}`: the workspace.
pub fn workspace(frame: &Frame, w: &Workspace<'_>) -> Markup {
    let contact = w.contact;
    let path = format!("/signpost/contacts/{}", contact.id);
    layout(
        frame,
        "Signposting workspace",
        html! {
            p { a href="/signpost" { "All contacts" } }
            h1 { (contact_heading(contact)) }
            @if let Some(help) = w.urgent { (super::urgent::urgent_help(help)) }
            @if contact.escalated {
                (statutory_route(w.safeguarding.0, w.safeguarding.1))
            }
            @if contact.finished_at.is_some() {
                p class="notice" { "This contact is finished: its shortlist can no longer change." }
            }
            (error_summary(w.errors))
            div class="workspace" {
                div class="workspace-main" {
                    @if w.found.is_some() {
                        p { a href="#results-title" { "Skip to the support found" } }
                    }
                    (where_and_what(w, &path))
                    @if let Some(found) = w.found {
                        (support_found(frame, w, found, &path))
                    }
                }
                (shortlist_summary(frame, w, &path))
            }
        },
    )
}

/// The workspace's search form: where, what they said, the needs, the constraints.
fn where_and_what(w: &Workspace<'_>, path: &str) -> Markup {
    let hoods: Vec<(String, String)> =
        w.neighbourhoods.iter().map(|n| (n.slug.clone(), n.name.clone())).collect();
    html! {
        form method="get" action=(path) class="panel" {
            h2 { "Where and what" }
            (Input { hint: Some("Only used for this search; it is not kept."), short: true, autocomplete: Some("off"), ..Input::new("postcode", "Their postcode", &w.asked.postcode) }.render(w.errors))
            (select("neighbourhood", "Or their neighbourhood", &hoods, &w.asked.neighbourhood, w.errors))
            (super::textarea("words", "What they said, in their words", Some("Needs are suggested from the words, like \"my husband has dementia and I can't cope\"."), &w.asked.words, w.errors))
            (need_choices(w))
            (constraints(w.asked, w.errors))
            button type="submit" { "Find support" }
        }
    }
}

/// The needs to tick, under their groups, marking those suggested from the words.
fn need_choices(w: &Workspace<'_>) -> Markup {
    // After a search, the needs its words suggested are ticked too.
    let ticked: Vec<String> = match w.found {
        Some(found) => found.needs.clone(),
        None => w.asked.needs.clone(),
    };
    html! {
        @let groups: Vec<&Need> = w.needs.iter().filter(|n| n.parent.is_none()).collect();
        div class=(if w.errors.get("need").is_some() { "form-group form-group-error" } else { "form-group" }) {
            fieldset {
                legend { "Needs" }
                @if let Some(message) = w.errors.get("need") {
                    span class="field-error" id="need-error" { span class="visually-hidden" { "Error: " } (message) }
                }
                div class="need-groups" {
                    @for (g, group) in groups.iter().enumerate() {
                        fieldset class="need-group" {
                            legend { (group.label) }
                            @for (n, need) in w.needs.iter().filter(|n| n.parent == Some(group.id)).enumerate() {
                                @let id = if g == 0 && n == 0 { String::from("need") } else { format!("need-{}", need.slug) };
                                div class="choice" {
                                    input type="checkbox" id=(id) name="need" value=(need.slug) checked[ticked.contains(&need.slug)];
                                    label for=(id) {
                                        (need.label)
                                        @if w.found.is_some_and(|f| f.suggested.contains(&need.slug)) { " (suggested from their words)" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The constraints, folded away unless one of them is set.
fn constraints(asked: &WorkspaceAsked, errors: &FieldErrors) -> Markup {
    html! {
        details class="constraints" open[!asked.age.is_empty() || !asked.language.is_empty() || asked.free || asked.step_free || !asked.days.is_empty() || asked.phone_only] {
            summary { "Constraints (age, language, access, cost, days, phone only)" }
            (Input { short: true, kind: "number", ..Input::new("age", "Age", &asked.age) }.render(errors))
            (Input { short: true, ..Input::new("language", "Language they prefer", &asked.language) }.render(errors))
            (Choices {
                name: "day",
                legend: "Days they can attend",
                hint: None,
                options: schedule::WEEK.iter().map(|&d| (schedule::day_code(d).to_string(), schedule::day_name(d).to_string())).collect(),
                chosen: asked.days.clone(),
                multiple: true,
                inline: true,
            }.render(errors))
            (checkboxes("Access, cost and how", &[("free", "Free", asked.free), ("step_free", "Step-free access", asked.step_free), ("phone_only", "By phone only", asked.phone_only)]))
        }
    }
}

/// The support found, grouped by need.
fn support_found(frame: &Frame, w: &Workspace<'_>, found: &Found, path: &str) -> Markup {
    // Adding a service to the shortlist comes back to this same search.
    let back = w.asked.query_string();
    html! {
        section aria-labelledby="results-title" {
            h2 id="results-title" {
                "Support"
                @if let Some((label, _)) = &found.place { " near " (label) }
            }
            @if let Some((_, Some(message))) = &found.place { p class="notice" { (message) } }
            @for group in &found.groups {
                (need_results(frame, w, group, path, &back))
            }
        }
        (super::networks::found(&found.events, "events-title", "Events coming up that meet their needs"))
    }
}

/// One need's results.
fn need_results(frame: &Frame, w: &Workspace<'_>, group: &Group, path: &str, back: &str) -> Markup {
    html! {
        section class="need-results" id={ "need-" (group.need) } aria-labelledby={ "need-" (group.need) "-title" } {
            h3 id={ "need-" (group.need) "-title" } { (group.label) " (" (group.total) " found)" }
            @if group.results.is_empty() {
                p { "Nothing suitable found: this need will be recorded as unmet unless something else on the shortlist meets it." }
            }
            ol class="results" {
                @for hit in &group.results {
                    li class="result" {
                        h4 { a href=(hit.url) { (hit.name) } }
                        p class="organisation" { (hit.organisation) }
                        ul class="facts" {
                            @if let Some(reach) = &hit.reach { li { (reach) } }
                            @if let Some(next) = &hit.next_session { li { "Next: " (next) } }
                        }
                        @if !hit.why.is_empty() { p class="why" { "Why: " (hit.why.join("; ")) } }
                        (add_to_shortlist(frame, w, &group.need, hit, path, back))
                    }
                }
            }
        }
    }
}

/// A result already on the shortlist says so; otherwise, while the contact is
/// open, a button adds it and comes back to the same search at the same need.
fn add_to_shortlist(
    frame: &Frame,
    w: &Workspace<'_>,
    need: &str,
    hit: &Hit,
    path: &str,
    back: &str,
) -> Markup {
    html! {
        @if w.shortlist.iter().any(|e| e.id == hit.id) {
            p class="on-shortlist" { "On the shortlist" }
        } @else if w.contact.finished_at.is_none() {
            form method="post" action={ (path) "/shortlist" } {
                (csrf_field(frame))
                input type="hidden" name="service" value=(hit.id);
                input type="hidden" name="back" value=(back);
                input type="hidden" name="at" value=(need);
                button type="submit" class="button-secondary" { "Add " span class="visually-hidden" { (hit.name) " " } "to the shortlist" }
            }
        }
    }
}

/// Beside the results: the shortlist so far, the needs asked and whether each
/// is met, and the way to escalate.
fn shortlist_summary(frame: &Frame, w: &Workspace<'_>, path: &str) -> Markup {
    let contact = w.contact;
    html! {
        aside class="shortlist-summary" aria-labelledby="shortlist-summary-title" {
            h2 id="shortlist-summary-title" { "Shortlist (" (w.shortlist.len()) ")" }
            @if w.shortlist.is_empty() {
                p { "Nothing yet. Add services from the results." }
            } @else {
                ol { @for entry in w.shortlist { li { (entry.name) @if !entry.running { " (no longer running)" } } } }
            }
            p { a href={ (path) "/shortlist" } { "Shortlist and send" } }
            @if let Some((_, name)) = &contact.neighbourhood {
                p { "Neighbourhood: " (name) }
            }
            @if !contact.needs.is_empty() {
                h3 { "Needs asked" }
                ul {
                    @for (slug, unmet) in &contact.needs {
                        li { (label_of(w.needs, slug)) ": " @if *unmet { "nothing shortlisted yet" } @else { "met" } }
                    }
                }
            }
            @if !contact.escalated && contact.finished_at.is_none() {
                form method="post" action={ (path) "/risk" } {
                    (csrf_field(frame))
                    button type="submit" class="button-secondary" { "Immediate risk has come to light" }
                }
            }
        }
    }
}

/// Independent yes/no checkboxes under one legend, each its own field.
fn checkboxes(legend: &str, boxes: &[(&str, &str, bool)]) -> Markup {
    html! {
            div class="form-group" {
                fieldset {
                    legend { (legend) }
                    @for (name, label, on) in boxes {
                        div class="choice" {
                            input type="checkbox" id=(name) name=(name) value="yes" checked[*on];
                            label for=(name) { (label) }
                        }
                    }
                }
            }
    }
}

/// Everything the shortlist page shows.
pub struct ShortlistPage<'a> {
    pub contact: &'a SignpostContact,
    pub entries: &'a [ShortlistEntry],
    pub sent: &'a [SentMail],
    pub form: &'a SendForm,
    /// What just happened: sent, queued, already-sent, already-queued, moved, removed, noted.
    pub notice: &'a str,
    pub public_url: &'a str,
    pub follow_up_days: u32,
    pub errors: &'a FieldErrors,
}

fn notice_text(notice: &str) -> Option<&'static str> {
    Some(match notice {
        "sent" => "The email has been sent.",
        "queued" => {
            "The mail server could not take the email just now. It is kept and will be sent automatically as soon as the server answers; the shortlist is kept too."
        }
        "already-sent" => "This email was already sent; it has not been sent again.",
        "already-queued" => "This email is already waiting to be sent; it will not be sent twice.",
        "moved" => "The shortlist's order has changed.",
        "removed" => "The service has been taken off the shortlist.",
        "noted" => "The note has been saved.",
        _ => return None,
    })
}

/// `/signpost/contacts/{id}/shortlist`: reorder, remove, note; then send.
pub fn shortlist(frame: &Frame, s: &ShortlistPage<'_>) -> Markup {
    let contact = s.contact;
    let path = format!("/signpost/contacts/{}", contact.id);
    let open = contact.finished_at.is_none();
    layout(
        frame,
        "Shortlist",
        html! {
            p { a href=(path) { "Back to the workspace" } }
            h1 { "Shortlist" }
            p {
                (contact_heading(contact)) "."
                @if contact.follow_up { " They agreed to a follow-up email " (s.follow_up_days) " days after the shortlist." }
            }
            @if let Some(notice) = notice_text(s.notice) {
                div class="notice" role="status" { p { (notice) } }
            }
            (error_summary(s.errors))
            (shortlist_entries(frame, s.entries, &path, open))
            @if !s.entries.is_empty() {
                section aria-labelledby="send-title" {
                    h2 id="send-title" { "Send it" }
                    (send_by_email(frame, s, &path))
                    h3 { "On paper" }
                    p { a href={ (path) "/print" } { "Print view of the shortlist" } " (one page, large type)" }
                    (read_out_or_text(s.entries, s.public_url))
                }
            }
            @if !s.sent.is_empty() {
                (sent_report(s.sent))
            }
            @if open {
                form method="post" action={ (path) "/finish" } {
                    (csrf_field(frame))
                    button type="submit" class="button-secondary" { "Finish this contact" }
                }
            }
        },
    )
}

/// The services on the shortlist, in the order they will be sent; while the
/// contact is open, each can be moved, removed or given a note.
fn shortlist_entries(frame: &Frame, entries: &[ShortlistEntry], path: &str, open: bool) -> Markup {
    html! {
        section id="shortlist" aria-labelledby="shortlist-title" {
            h2 id="shortlist-title" { "Services (" (entries.len()) ")" }
            @if entries.is_empty() {
                p { "Nothing on the shortlist yet. " a href=(path) { "Find support in the workspace" } "." }
            }
            ol class="shortlist" {
                @for (n, entry) in entries.iter().enumerate() {
                    li class="shortlist-entry" {
                        h3 { a href={ "/services/" (entry.id) } { (entry.name) } }
                        p class="organisation" { (entry.organisation) }
                        @if !entry.running { p class="warning" { strong { "No longer running." } " It will still be sent, marked as such." } }
                        p { (entry.summary) }
                        dl class="facts-list" {
                            @if let Some(when) = &entry.when { dt { "When" } dd { (when) } }
                            @if let Some(address) = &entry.address { dt { "Where" } dd { (address) } }
                            @if let Some(phone) = &entry.phone { dt { "Phone" } dd { (phone) } }
                        }
                        @if open {
                            (entry_forms(frame, entry, n, entries.len(), path))
                        } @else if !entry.note.is_empty() {
                            p { "Note: " (entry.note) }
                        }
                    }
                }
            }
        }
    }
}

/// The move up, move down and remove buttons and the note form of the `n`th
/// of `count` entries.
fn entry_forms(frame: &Frame, entry: &ShortlistEntry, n: usize, count: usize, path: &str) -> Markup {
    html! {
        @let action = format!("{path}/shortlist/{}", entry.id);
        div class="shortlist-actions" {
            @if n > 0 {
                form method="post" action=(action) { (csrf_field(frame)) input type="hidden" name="action" value="up"; button type="submit" class="button-secondary" { "Move up" span class="visually-hidden" { ": " (entry.name) } } }
            }
            @if n + 1 < count {
                form method="post" action=(action) { (csrf_field(frame)) input type="hidden" name="action" value="down"; button type="submit" class="button-secondary" { "Move down" span class="visually-hidden" { ": " (entry.name) } } }
            }
            form method="post" action=(action) { (csrf_field(frame)) input type="hidden" name="action" value="remove"; button type="submit" class="button-secondary" { "Remove" span class="visually-hidden" { ": " (entry.name) } } }
        }
        form method="post" action=(action) class="note-form" {
            (csrf_field(frame))
            input type="hidden" name="action" value="note";
            @let id = format!("note-{}", entry.id);
            label for=(id) { "Note for the citizen" span class="visually-hidden" { " about " (entry.name) } }
            textarea id=(id) name="note" rows="2" { (entry.note) }
            button type="submit" class="button-secondary" { "Save note" span class="visually-hidden" { ": " (entry.name) } }
        }
    }
}

/// The form that sends the shortlist by email.
fn send_by_email(frame: &Frame, s: &ShortlistPage<'_>, path: &str) -> Markup {
    html! {
        form method="post" action={ (path) "/email" } class="panel" novalidate {
            h3 { "By email" }
            (csrf_field(frame))
            input type="hidden" name="key" value=(s.form.key);
            (Input { kind: "email", autocomplete: Some("off"), hint: Some("Used to send this email, then forgotten, unless they agree to a follow-up."), ..Input::new("email", "Their email address", &s.form.email) }.render(s.errors))
            div class="choice" {
                input type="checkbox" id="follow_up" name="follow_up" value="yes" checked[s.form.follow_up];
                label for="follow_up" { "They agreed to one follow-up email in " (s.follow_up_days) " days asking whether they got help" }
            }
            button type="submit" { "Send the email" }
        }
    }
}

/// The shortlist as a short text, to read out or send as a text message.
fn read_out_or_text(entries: &[ShortlistEntry], public_url: &str) -> Markup {
    // A text message of up to four parts has room for three services.
    let text = short_text(&entries.iter().take(3).cloned().collect::<Vec<_>>(), public_url);
    let whole_text = short_text(entries, public_url);
    html! {
        h3 { "Read out or text" }
        @let count = text.chars().count();
        div class="form-group" {
            label for="short-text" {
                "Short text" @if entries.len() > 3 { " for the first three services" }
                " (" (count) " characters; a text message of up to four parts holds " (SHORT_TEXT_LIMIT) ")"
            }
            textarea id="short-text" rows="6" readonly { (text) }
        }
        @if entries.len() > 3 {
            p { "All " (entries.len()) " services come to " (whole_text.chars().count()) " characters." }
        }
    }
}

/// The emails sent for this contact, and what became of each.
fn sent_report(sent: &[SentMail]) -> Markup {
    html! {
        section aria-labelledby="sent-title" {
            h2 id="sent-title" { "Emails for this contact" }
            ul {
                @for mail in sent {
                    li {
                        (if mail.kind == "follow_up" { "Follow-up" } else { "Shortlist" }) ", queued " (moment(mail.queued_at)) ": "
                        @match (mail.delivered_at, mail.gave_up_at) {
                            (Some(at), _) => { "delivered " (moment(at)) "." }
                            (None, Some(at)) => {
                                "not delivered; given up " (moment(at))
                                @if let Some(error) = &mail.last_error { " (" (error) ")" }
                                ". The address has been deleted: check it with the citizen and send again, or print the shortlist."
                            }
                            (None, None) => {
                                "waiting to be sent (tried " (mail.attempts) " times"
                                @if let Some(error) = &mail.last_error { "; last: " (error) }
                                "). It is tried again automatically."
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `/signpost/contacts/{id}/print`: the shortlist for the citizen to take
/// away: one page, large type, no navigation.
pub fn print(entries: &[ShortlistEntry], public_url: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head { (super::head_basics("Support suggested for you")) }
            body class="print-view" {
                main {
                    h1 { "Support suggested for you" }
                    ol {
                        @for entry in entries {
                            li {
                                h2 { (entry.name) }
                                p { (entry.organisation) }
                                @if !entry.running { p { strong { "No longer running." } " Ask us about something else like it." } }
                                p { (entry.summary) }
                                dl {
                                    @for (label, value) in entry.details() { dt { (label) } dd { (value) } }
                                    dt { "More" } dd { (public_url) "/services/" (entry.id) }
                                }
                            }
                        }
                    }
                    p { "Find more support near you at " (public_url) }
                }
            }
        }
    }
}
