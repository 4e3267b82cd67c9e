//! Staff accounts: the administrators' list, inviting a colleague and
//! changing an account; and each person's own password and sessions.

use maud::{Markup, html};

use super::super::{Choices, Frame, Input, csrf_field, error_summary, layout, moment, select};
use crate::domain::accounts::{AccountForm, Role};
use crate::domain::ids::{NeighbourhoodId, OrganisationId, UserId};
use crate::domain::text::FieldErrors;
use crate::domain::views::{AccountView, SessionView};

pub fn index(frame: &Frame, accounts: &[AccountView]) -> Markup {
    layout(
        frame,
        "Staff accounts",
        html! {
            h1 { "Staff accounts" }
            p { a class="button" href="/staff/users/new" { "Invite a colleague" } }
            div class="table-wrap" {
                table {
                    caption class="visually-hidden" { "Every staff account, by name" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "State" } } }
                    tbody {
                        @for a in accounts {
                            tr {
                                td { a href={ "/staff/users/" (a.user.id) "/edit" } { (a.user.name) } }
                                td { (a.user.email) }
                                td { (a.user.role.label()) }
                                td { @if a.disabled_at.is_some() { "Disabled" } @else { "Active" } }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What an account's form offers: the organisations and the neighbourhoods.
pub type Offered<'a> = (&'a [(OrganisationId, String)], &'a [(NeighbourhoodId, String)]);

/// Whether the form invites a colleague or changes an account.
pub enum FormMode<'a> {
    New,
    Edit { account: &'a AccountView, notice: Option<&'a str> },
}

pub fn form(
    frame: &Frame,
    mode: &FormMode<'_>,
    form: &AccountForm,
    errors: &FieldErrors,
    (organisations, neighbourhoods): Offered<'_>,
) -> Markup {
    let (heading, action) = match mode {
        FormMode::New => (String::from("Invite a colleague"), String::from("/staff/users")),
        FormMode::Edit { account, .. } => {
            (format!("Change {}'s account", account.user.name), format!("/staff/users/{}", account.user.id))
        }
    };
    let title = if errors.is_empty() { heading.clone() } else { format!("Error: {heading}") };
    let roles: Vec<(String, String)> =
        Role::ALL.iter().map(|r| (r.code().to_string(), r.label().to_string())).collect();
    let orgs: Vec<(String, String)> =
        organisations.iter().map(|(id, n)| (id.to_string(), n.clone())).collect();
    let hoods: Vec<(String, String)> =
        neighbourhoods.iter().map(|(id, n)| (id.to_string(), n.clone())).collect();
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            @if let FormMode::Edit { notice: Some(notice), .. } = mode { div class="notice" role="status" { (notice) } }
            span class="caption" { a href="/staff/users" { "Staff accounts" } }
            h1 { (heading) }
            @if let FormMode::New = mode {
                p { "They get an email with a link to choose their password. The link works once, for 7 days." }
            }
            form method="post" action=(action) novalidate {
                (csrf_field(frame))
                (Input { autocomplete: Some("off"), ..Input::new("name", "Name", &form.name) }.render(errors))
                (Input { kind: "email", autocomplete: Some("off"), ..Input::new("email", "Email address", &form.email) }.render(errors))
                (Choices { name: "role", legend: "What do they do?", hint: None, options: roles, chosen: vec![form.role.clone()], multiple: false, inline: false }.render(errors))
                (select("organisation", "Organisation (organisation editors only)", &orgs, &form.organisation, errors))
                (Choices { name: "neighbourhoods", legend: "Neighbourhoods they look after (connectors only)", hint: None, options: hoods, chosen: form.neighbourhoods.clone(), multiple: true, inline: true }.render(errors))
                button type="submit" { @if let FormMode::New = mode { "Send the invitation" } @else { "Save" } }
            }
            @if let FormMode::Edit { account, .. } = mode {
                @let id = account.user.id;
                h2 { "Their password" }
                form method="post" action={ "/staff/users/" (id) "/reset" } {
                    (csrf_field(frame))
                    p { "Send them a link to choose a new password. It works once, for 24 hours." }
                    button type="submit" class="button-secondary" { "Send a password reset" }
                }
                h2 { @if account.disabled_at.is_some() { "Enable the account" } @else { "Disable the account" } }
                form method="post" action={ "/staff/users/" (id) @if account.disabled_at.is_some() { "/enable" } @else { "/disable" } } {
                    (csrf_field(frame))
                    @if account.disabled_at.is_some() {
                        p { "Disabled " (moment(account.disabled_at.unwrap_or_default())) ". Enabled again, they can sign in with their password." }
                        button type="submit" class="button-secondary" { "Enable this account" }
                    } @else {
                        p { "They are signed out everywhere at once, and cannot sign in. Their changes stay in the history." }
                        button type="submit" class="button-warning" { "Disable this account" }
                    }
                }
                p { a href={ "/staff/users/" (id) "/history" } { "Changes they have made" } }
            }
        },
    )
}

/// One's own password, and one's sessions.
pub fn account(
    frame: &Frame,
    user: UserId,
    sessions: &[SessionView],
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Markup {
    let title =
        if errors.is_empty() { String::from("Your account") } else { String::from("Error: Your account") };
    layout(
        frame,
        &title,
        html! {
            (error_summary(errors))
            @if let Some(notice) = notice { div class="notice" role="status" { (notice) } }
            h1 { "Your account" }
            h2 { "Change your password" }
            form method="post" action="/staff/account" novalidate {
                (csrf_field(frame))
                (Input { kind: "password", autocomplete: Some("current-password"), ..Input::new("current", "Your current password", "") }.render(errors))
                (Input { kind: "password", autocomplete: Some("new-password"), hint: Some("At least 10 characters. A few words together are easy to remember and hard to guess."), ..Input::new("password", "New password", "") }.render(errors))
                (Input { kind: "password", autocomplete: Some("new-password"), ..Input::new("again", "New password again", "") }.render(errors))
                button type="submit" { "Change password" }
            }
            h2 { "Where you are signed in" }
            p { "Changing your password signs you out everywhere else." }
            div class="table-wrap" {
                table {
                    caption class="visually-hidden" { "Your sessions, newest first" }
                    thead { tr { th scope="col" { "Began" } th scope="col" { "Browser" } th scope="col" { "Ends" } th scope="col" { "End it" } } }
                    tbody {
                        @for s in sessions {
                            tr {
                                td { (moment(s.started)) @if s.current { br; strong { "This one" } } }
                                td { (s.browser.as_deref().unwrap_or("Not known")) }
                                td { (moment(s.ends)) }
                                td {
                                    form method="post" action={ "/staff/account/sessions/" (s.handle) "/end" } {
                                        (csrf_field(frame))
                                        button type="submit" class="button-secondary" { "Sign out" span class="visually-hidden" { " of the session that began " (moment(s.started)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/staff/users/" (user) "/history" } { "Changes you have made" } }
        },
    )
}
