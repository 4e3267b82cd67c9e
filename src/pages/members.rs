//! Members' pages: joining, signing in (by an emailed link or a password),
//! the emailed link's page, "check your email", and a member's own account.

use crate::domain::digests::DigestEvery;
use maud::{Markup, html};

use super::{Choices, Frame, Input, csrf_field, error_summary, layout};
use crate::domain::networks::{JoinForm, MAX_NAME, Member, NetworkView};
use crate::domain::text::FieldErrors;

fn titled(title: &str, errors: &FieldErrors) -> String {
    if errors.is_empty() { title.to_string() } else { format!("Error: {title}") }
}

/// `/members/join`: an address and a name to show.
pub fn join(frame: &Frame, form: &JoinForm, next: &str, errors: &FieldErrors) -> Markup {
    layout(
        frame,
        &titled("Join the neighbourhood networks", errors),
        html! {
            (error_summary(errors))
            h1 { "Join the neighbourhood networks" }
            p { "Take part in your neighbourhood's conversations, and those of the area and its themes. We email you a link to confirm your address." }
            form method="post" action="/members/join" novalidate {
                (csrf_field(frame))
                input type="hidden" name="next" value=(next);
                (Input { kind: "email", autocomplete: Some("email"), hint: Some("Never shown to anyone."), ..Input::new("email", "Email address", &form.email) }.render(errors))
                (Input {
                    autocomplete: Some("nickname"),
                    hint: Some(&format!("Shown on your posts. Your first name, a nickname or your group's name; at most {MAX_NAME} characters.")),
                    ..Input::new("display_name", "Name to show", &form.display_name)
                }.render(errors))
                button type="submit" { "Join" }
            }
            p { "Already a member? " a href={ "/members/sign-in?next=" (super::url_encode(next)) } { "Sign in" } }
        },
    )
}

/// After joining or asking for a link: the email is on its way (said the
/// same whether or not the address is a member's).
pub fn check_email(frame: &Frame, email: &str) -> Markup {
    layout(
        frame,
        "Check your email",
        html! {
            h1 { "Check your email" }
            p { "If " strong { (email) } " can take part, we have sent it a link. The link works once, for 24 hours." }
            p { "Nothing there after a few minutes? Look in your spam folder, or " a href="/members/sign-in" { "ask for another link" } "." }
        },
    )
}

/// `/members/sign-in`: an address, and a password for those who chose one.
pub fn sign_in(frame: &Frame, email: &str, next: &str, errors: &FieldErrors) -> Markup {
    layout(
        frame,
        &titled("Sign in to the neighbourhood networks", errors),
        html! {
            (error_summary(errors))
            h1 { "Sign in to the neighbourhood networks" }
            form method="post" action="/members/sign-in" novalidate {
                (csrf_field(frame))
                input type="hidden" name="next" value=(next);
                (Input { kind: "email", autocomplete: Some("username"), ..Input::new("email", "Email address", email) }.render(errors))
                (Input {
                    kind: "password",
                    autocomplete: Some("current-password"),
                    hint: Some("Only if you chose one. Leave it empty and we email you a link to sign in."),
                    ..Input::new("password", "Password (optional)", "")
                }.render(errors))
                button type="submit" { "Sign in" }
            }
            p { "New here? " a href={ "/members/join?next=" (super::url_encode(next)) } { "Join the networks" } }
            p class="secondary" { "Staff sign in with their staff account: " a href="/sign-in" { "staff sign in" } "." }
        },
    )
}

/// `/members/links/{token}`: the emailed link's button (opening the link
/// changes nothing; the button does).
pub fn link(frame: &Frame, token: &str, confirming: bool, display_name: &str) -> Markup {
    let title = if confirming { "Confirm your email" } else { "Sign in" };
    layout(
        frame,
        title,
        html! {
            h1 { (title) }
            p {
                @if confirming { "Welcome, " (display_name) ". Confirm your email address to finish joining." }
                @else { "Sign in as " (display_name) "." }
            }
            form method="post" action={ "/members/links/" (token) } {
                (csrf_field(frame))
                button type="submit" { @if confirming { "Confirm and sign in" } @else { "Sign in" } }
            }
        },
    )
}

/// `/members/account`: the name shown, a password, the networks followed,
/// and leaving.
pub fn account(
    frame: &Frame,
    member: &Member,
    (name, errors): (&str, &FieldErrors),
    (following, digest): (&[NetworkView], DigestEvery),
    notice: Option<&str>,
) -> Markup {
    layout(
        frame,
        &titled("Your account", errors),
        html! {
            (error_summary(errors))
            h1 { "Your account" }
            @if let Some(notice) = notice { div class="notice" role="status" { (notice) } }
            p { "Signed in as " strong { (member.email) } ". Your address is never shown to anyone." }
            h2 { "Your name and password" }
            form method="post" action="/members/account" novalidate {
                (csrf_field(frame))
                (Input { autocomplete: Some("nickname"), hint: Some("Shown on your posts."), ..Input::new("display_name", "Name to show", name) }.render(errors))
                @if member.staff.is_none() {
                    (Input {
                        kind: "password",
                        autocomplete: Some("new-password"),
                        hint: Some(if member.has_password { "Leave both empty to keep your password." } else { "Optional: you can always sign in by an emailed link instead." }),
                        ..Input::new("password", "New password", "")
                    }.render(errors))
                    (Input { kind: "password", autocomplete: Some("new-password"), ..Input::new("again", "New password again", "") }.render(errors))
                    @if member.has_password {
                        div class="choice" {
                            input type="checkbox" id="remove_password" name="remove_password" value="yes";
                            label for="remove_password" { "Sign in by emailed links only (remove my password)" }
                        }
                    }
                }
                button type="submit" { "Save" }
            }
            h2 { "Networks you follow" }
            @if following.is_empty() {
                p { "None yet. " a href="/networks" { "Find your neighbourhood's network" } }
            } @else {
                ul class="plain-list" {
                    @for network in following {
                        li {
                            a href={ "/networks/" (network.slug) } { (network.name) } " "
                            form class="inline-form" method="post" action={ "/networks/" (network.slug) "/unfollow" } {
                                (csrf_field(frame))
                                button type="submit" class="link-button" { "Stop following " span class="visually-hidden" { (network.name) } }
                            }
                        }
                    }
                }
            }
            h2 { "A digest by email" }
            p { "New conversations, what is coming up, notices and new and changed help in the networks you follow, in one email." }
            form method="post" action="/members/account/digest" {
                (csrf_field(frame))
                (Choices {
                    name: "digest",
                    legend: "How often?",
                    hint: None,
                    options: DigestEvery::ALL.iter().map(|e| (e.code().to_string(), e.label().to_string())).collect(),
                    chosen: vec![digest.code().to_string()],
                    multiple: false,
                    inline: false,
                }.render(&FieldErrors::default()))
                button type="submit" class="button-secondary" { "Save how often" }
            }
            @if member.staff.is_none() {
                h2 { "Delete your account" }
                p { "Your address, name and password are deleted and you are signed out. Your posts, events and notices stay, shown as by \u{201c}a former member\u{201d}, unless you ask for them to be removed too." }
                form method="post" action="/members/account/delete" {
                    (csrf_field(frame))
                    div class="choice" {
                        input type="checkbox" id="remove_posts" name="remove_posts" value="yes";
                        label for="remove_posts" { "Remove my posts, events and notices too" }
                    }
                    button type="submit" class="button-warning" { "Delete my account" }
                }
            }
        },
    )
}
