//! maud only: the layout, the shared pieces of every form, and one module per
//! page. Data comes in, `Markup` goes out; nothing here reads the database.
//! Text anyone typed is always escaped (maud's default); nothing here wraps
//! such text in `PreEscaped`, except `json_ld.rs`, which makes it safe for a
//! script element in its own way, and `post_html.rs`, which shows a member's
//! post as the sanitiser in `domain::markdown` made it.

pub mod accessibility;
pub mod dashboard;
pub mod errors;
pub mod events;
pub mod follow_up;
pub mod home;
pub mod imports;
pub mod json_ld;
pub mod map;
pub mod members;
pub mod moderation;
pub mod needs;
pub mod neighbourhoods;
pub mod networks;
pub mod notices;
pub mod organisations;
pub mod password;
pub mod places;
pub mod post_html;
pub mod reminders;
pub mod search;
pub mod services;
pub mod sign_in;
pub mod signpost;
pub mod staff;
pub mod suggestions;
pub mod urgent;

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime};
use maud::{DOCTYPE, Markup, html};

use crate::domain::text::FieldErrors;

/// The stylesheet, compiled into the binary.
pub const STYLESHEET: &str = include_str!("../../assets/doorstep.css");

/// The stylesheet's address, fingerprinted with a hash of its content so that
/// it can be cached for a year and still change when it changes.
pub static STYLESHEET_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/assets/doorstep.{:016x}.css", fnv1a(STYLESHEET.as_bytes())));

/// The one script: an enhancement ("Use my location"); every page works without it.
pub const SCRIPT: &str = include_str!("../../assets/doorstep.js");

/// The script's address, fingerprinted like the stylesheet's.
pub static SCRIPT_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/assets/doorstep.{:016x}.js", fnv1a(SCRIPT.as_bytes())));

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Who is looking, and the few facts every page shows around its content.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// The signed-in member of staff's name and role.
    pub user: Option<(String, String)>,
    /// A signed-in network member's display name (when not staff).
    pub member: Option<String>,
    /// The token every form must send back.
    pub csrf_token: String,
    /// The demo borough's name, when this is the demo.
    pub demo: Option<String>,
    /// Where the area's real data came from, as its licence asks to be said.
    pub attribution: Option<String>,
}

/// What every page's head holds: the character set, the viewport, the
/// title and the stylesheet.
pub fn head_basics(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) " – Doorstep" }
        link rel="stylesheet" href=(*STYLESHEET_PATH);
    }
}

/// The page around every page's content.
pub fn layout(frame: &Frame, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                (head_basics(title))
                script src=(*SCRIPT_PATH) defer {}
            }
            body {
                a class="skip-link" href="#main" { "Skip to main content" }
                header class="site-header" {
                    div class="width" {
                        a class="brand" href="/" { "Doorstep" }
                        nav class="account" aria-label="Account" {
                            @if let Some((name, role)) = &frame.user {
                                span { (name) " (" (role) ")" }
                                a href="/staff" { "Staff home" }
                                form method="post" action="/sign-out" {
                                    (csrf_field(frame))
                                    button type="submit" class="link-button" { "Sign out" }
                                }
                            } @else if let Some(name) = &frame.member {
                                span { (name) }
                                a href="/members/account" { "Your account" }
                                form method="post" action="/members/sign-out" {
                                    (csrf_field(frame))
                                    button type="submit" class="link-button" { "Sign out" }
                                }
                            } @else {
                                a href="/members/sign-in" { "Network sign in" }
                                a href="/sign-in" { "Staff sign in" }
                            }
                        }
                    }
                }
                @if let Some(borough) = &frame.demo {
                    div class="demo-banner" role="note" {
                        div class="width" {
                            strong { "This is a demonstration. " }
                            (borough) " is an invented borough: the services, organisations, people, phone numbers and postcodes here are made up."
                        }
                    }
                }
                main id="main" class="width" { (content) }
                footer {
                    div class="width" {
                        p { "Doorstep: community support near you." }
                        ul class="footer-links" {
                            li { a href="/needs" { "Every kind of help" } }
                            li { a href="/neighbourhoods" { "Neighbourhoods" } }
                            li { a href="/networks" { "Neighbourhood networks" } }
                            li { a href="/accessibility" { "Accessibility statement" } }
                        }
                        @if frame.demo.is_some() {
                            p { "Demonstration data, invented by the Doorstep project." }
                        }
                        @if let Some(attribution) = &frame.attribution {
                            p class="attribution" { (attribution) }
                        }
                    }
                }
            }
        }
    }
}

/// The hidden field that proves a form came from this site.
pub fn csrf_field(frame: &Frame) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(frame.csrf_token); }
}

/// The box at the top of a form listing its problems, each linked to its field.
pub fn error_summary(errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 id="error-summary-title" { "There is a problem" }
                ul {
                    @for (field, message) in &errors.0 {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// The "Error:" line under a field's label, when it has one.
fn field_error(errors: &FieldErrors, name: &str) -> Markup {
    html! {
        @if let Some(message) = errors.get(name) {
            span class="field-error" id={ (name) "-error" } {
                span class="visually-hidden" { "Error: " } (message)
            }
        }
    }
}

fn group_class(errors: &FieldErrors, name: &str) -> &'static str {
    if errors.get(name).is_some() { "form-group form-group-error" } else { "form-group" }
}

fn described_by(errors: &FieldErrors, name: &str, hint: Option<&str>) -> Option<String> {
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{name}-hint"));
    }
    if errors.get(name).is_some() {
        ids.push(format!("{name}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A one-line text field.
pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub value: &'a str,
    pub kind: &'a str,
    pub autocomplete: Option<&'a str>,
    pub short: bool,
}

impl<'a> Input<'a> {
    pub fn new(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Input { name, label, hint: None, value, kind: "text", autocomplete: None, short: false }
    }

    pub fn render(&self, errors: &FieldErrors) -> Markup {
        let invalid = errors.get(self.name).is_some();
        html! {
            div class=(group_class(errors, self.name)) {
                label for=(self.name) { (self.label) }
                @if let Some(hint) = self.hint { div class="hint" id={ (self.name) "-hint" } { (hint) } }
                (field_error(errors, self.name))
                input type=(self.kind) id=(self.name) name=(self.name) value=(self.value)
                    class=[match (invalid, self.short) { (true, true) => Some("input-error short"), (true, false) => Some("input-error"), (false, true) => Some("short"), _ => None }]
                    autocomplete=[self.autocomplete]
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[described_by(errors, self.name, self.hint)];
            }
        }
    }
}

/// A multi-line text field.
pub fn textarea(name: &str, label: &str, hint: Option<&str>, value: &str, errors: &FieldErrors) -> Markup {
    let invalid = errors.get(name).is_some();
    html! {
        div class=(group_class(errors, name)) {
            label for=(name) { (label) }
            @if let Some(hint) = hint { div class="hint" id={ (name) "-hint" } { (hint) } }
            (field_error(errors, name))
            textarea id=(name) name=(name) rows="6"
                class=[invalid.then_some("input-error")]
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[described_by(errors, name, hint)] { (value) }
        }
    }
}

/// A group of radio buttons or checkboxes. The first one carries the field's
/// name as its id, so the error summary can link to it.
pub struct Choices<'a> {
    pub name: &'a str,
    pub legend: &'a str,
    pub hint: Option<&'a str>,
    pub options: Vec<(String, String)>,
    pub chosen: Vec<String>,
    pub multiple: bool,
    pub inline: bool,
}

impl Choices<'_> {
    pub fn render(&self, errors: &FieldErrors) -> Markup {
        let kind = if self.multiple { "checkbox" } else { "radio" };
        html! {
            div class=(group_class(errors, self.name)) {
                fieldset aria-describedby=[described_by(errors, self.name, self.hint)] {
                    legend { (self.legend) }
                    @if let Some(hint) = self.hint { div class="hint" id={ (self.name) "-hint" } { (hint) } }
                    (field_error(errors, self.name))
                    div class=[self.inline.then_some("choices-inline")] {
                        @for (n, (value, label)) in self.options.iter().enumerate() {
                            @let id = if n == 0 { self.name.to_string() } else { format!("{}-{n}", self.name) };
                            div class="choice" {
                                input type=(kind) id=(id) name=(self.name) value=(value)
                                    checked[self.chosen.iter().any(|c| c == value)];
                                label for=(id) { (label) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A drop-down list.
pub fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    chosen: &str,
    errors: &FieldErrors,
) -> Markup {
    let invalid = errors.get(name).is_some();
    html! {
        div class=(group_class(errors, name)) {
            label for=(name) { (label) }
            (field_error(errors, name))
            select id=(name) name=(name) class=[invalid.then_some("input-error")]
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[described_by(errors, name, None)] {
                option value="" { "Choose…" }
                @for (value, text) in options {
                    option value=(value) selected[value == chosen] { (text) }
                }
            }
        }
    }
}

/// Links to follow a page without visiting it: its Atom feed and its
/// calendar, at `base` (a page's path, or "" for the whole area), and any
/// `more` feeds (a path and what it is).
pub fn follow_links(base: &str, more: Option<(&str, &str)>) -> Markup {
    html! {
        p class="feeds no-print" {
            "Follow without visiting: "
            a href={ (base) "/feed.atom" } type="application/atom+xml" { "news feed (Atom)" }
            " · "
            a href={ (base) "/calendar.ics" } type="text/calendar" { "calendar to subscribe to (iCalendar)" }
            @if let Some((path, what)) = more { " · " a href=(path) type="application/atom+xml" { (what) } }
        }
    }
}

/// "3 March 2026".
pub fn day(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// "3 March 2026 at 14:05".
pub fn moment(time: NaiveDateTime) -> String {
    time.format("%-d %B %Y at %H:%M").to_string()
}

/// "3 March 2026 at 14:05", in Europe/London, for a time kept in UTC.
pub fn local_moment(utc: NaiveDateTime) -> String {
    moment(utc.and_utc().with_timezone(&chrono_tz::Europe::London).naive_local())
}

/// "1 minute", "15 minutes".
/// How long ago a date was, in the words people use: "today", "yesterday",
/// "5 days ago", "3 weeks ago", "3 months ago", "2 years ago".
pub fn ago(date: NaiveDate, today: NaiveDate) -> String {
    let days = (today - date).num_days();
    let plural =
        |n: i64, unit: &str| if n == 1 { format!("1 {unit} ago") } else { format!("{n} {unit}s ago") };
    match days {
        i64::MIN..=0 => String::from("today"),
        1 => String::from("yesterday"),
        2..=13 => plural(days, "day"),
        14..=59 => plural(days / 7, "week"),
        60..=729 => plural(days * 12 / 365, "month"),
        _ => plural(days / 365, "year"),
    }
}

pub fn minutes(seconds: u64) -> String {
    let minutes = seconds.div_ceil(60).max(1);
    if minutes == 1 { String::from("1 minute") } else { format!("{minutes} minutes") }
}

/// Percent-encodes text for a query string.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ago_says_it_as_people_do() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let before = |days| today - chrono::Duration::days(days);
        assert_eq!(ago(today, today), "today");
        assert_eq!(ago(before(1), today), "yesterday");
        assert_eq!(ago(before(5), today), "5 days ago");
        assert_eq!(ago(before(21), today), "3 weeks ago");
        assert_eq!(ago(before(92), today), "3 months ago");
        assert_eq!(ago(before(365), today), "12 months ago");
        assert_eq!(ago(before(800), today), "2 years ago");
    }

    #[test]
    fn user_text_is_escaped_in_the_layout() {
        let frame = Frame {
            user: Some(("<script>alert(1)</script>".into(), "Advisor".into())),
            member: None,
            csrf_token: "\"onmouseover=x".into(),
            demo: Some("<b>Town</b>".into()),
            attribution: Some("<i>Council</i>".into()),
        };
        let page = layout(&frame, "<i>title</i>", html! { p { "body" } }).into_string();
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("<b>Town"));
        assert!(!page.contains("<i>Council"));
        assert!(!page.contains("<i>title"));
        assert!(page.contains("value=\"&quot;onmouseover=x\""));
    }

    #[test]
    fn the_stylesheet_path_carries_its_fingerprint() {
        assert!(STYLESHEET_PATH.starts_with("/assets/doorstep."));
        assert!(STYLESHEET_PATH.ends_with(".css"));
        assert_eq!(url_encode("/staff?x=1 2"), "/staff%3Fx%3D1%202");
    }
}
