//! One function per email, each giving the formatted message (headers and a
//! plain-text and an HTML part) ready for the outbox.

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use maud::{DOCTYPE, Markup, html};

use super::MailError;
use crate::domain::digests::{Digest, DigestEvery};
use crate::domain::events::{EventView, describe};
use crate::domain::ids::ServiceId;
use crate::domain::networks::{NotifiedPost, ThreadSummary};
use crate::domain::signposting::{Outcome, ShortlistEntry};

fn mailbox(text: &str) -> Result<Mailbox, MailError> {
    text.parse().map_err(|_| MailError::Address(text.to_string()))
}

fn build(from: &str, to: &str, subject: &str, plain: String, page: Markup) -> Result<Vec<u8>, MailError> {
    let message = Message::builder()
        .from(mailbox(from)?)
        .to(mailbox(to)?)
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(plain, page.into_string()))
        .map_err(|e| MailError::Message(e.to_string()))?;
    Ok(message.formatted())
}

/// A message a member may stop with one click (RFC 8058): the link in
/// `List-Unsubscribe`, which mail programs may POST to.
fn build_unsubscribable(
    (from, to, subject): (&str, &str, &str),
    plain: String,
    page: Markup,
    unsubscribe: &str,
) -> Result<Vec<u8>, MailError> {
    let message = Message::builder()
        .from(mailbox(from)?)
        .to(mailbox(to)?)
        .subject(subject)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            String::from("List-Unsubscribe=One-Click"),
        ))
        .multipart(MultiPart::alternative_plain_html(plain, page.into_string()))
        .map_err(|e| MailError::Message(e.to_string()))?;
    Ok(message.formatted())
}

fn html_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family: sans-serif; font-size: 18px; line-height: 1.5; max-width: 40em" { (body) }
        }
    }
}

/// The shortlist an advisor sends to a citizen: each service's name, what it
/// is, when, where, how to get in touch and the page to read more.
/// `follow_up_days` says when a follow-up will come, if one was agreed.
pub fn shortlist(
    from: &str,
    to: &str,
    entries: &[ShortlistEntry],
    public_url: &str,
    follow_up_days: Option<u32>,
) -> Result<Vec<u8>, MailError> {
    let subject = "The support we talked about";
    let link = |entry: &ShortlistEntry| format!("{public_url}/services/{}", entry.id);
    let kept = match follow_up_days {
        Some(days) => format!(
            "We will email you once, in {days} days, to ask whether you got the help you needed; \
             after that your email address is deleted."
        ),
        None => String::from("Your email address was used to send this and has not been kept."),
    };
    let mut plain = String::from("Hello,\n\nHere is the support we talked about.\n");
    for (n, entry) in entries.iter().enumerate() {
        plain.push_str(&format!("\n{}. {} ({})\n", n + 1, entry.name, entry.organisation));
        if !entry.running {
            plain.push_str("   This service is no longer running. Ask us about something else like it.\n");
        }
        plain.push_str(&format!("   What it is: {}\n", entry.summary));
        for (label, value) in entry.details() {
            plain.push_str(&format!("   {label}: {value}\n"));
        }
        plain.push_str(&format!("   More: {}\n", link(entry)));
    }
    plain.push_str(&format!("\nFind more support near you at {public_url}\n\n{kept}\n"));
    let page = html_page(
        subject,
        html! {
            p { "Hello," }
            p { "Here is the support we talked about." }
            ol {
                @for entry in entries {
                    li style="margin-bottom: 1.5em" {
                        h2 style="font-size: 1.2em; margin: 0" { a href=(link(entry)) { (entry.name) } }
                        p style="margin: 0" { (entry.organisation) }
                        @if !entry.running {
                            p { strong { "This service is no longer running." } " Ask us about something else like it." }
                        }
                        p style="margin: 0.25em 0" { (entry.summary) }
                        dl style="margin: 0" {
                            @for (label, value) in entry.details() { dt { (label) } dd { (value) } }
                        }
                    }
                }
            }
            p { "Find more support near you at " a href=(public_url) { (public_url) } }
            p { (kept) }
        },
    );
    build(from, to, subject, plain, page)
}

/// The follow-up a citizen agreed to: three one-click answers.
pub fn follow_up(from: &str, to: &str, public_url: &str, token: &str) -> Result<Vec<u8>, MailError> {
    let subject = "Did you get the help you needed?";
    let answer = |outcome: Outcome| format!("{public_url}/follow-up/{token}?answer={}", outcome.code());
    let mut plain = String::from(
        "Hello,\n\nA little while ago we suggested some support for you. Did you get the help you needed? \
         Choose one answer:\n\n",
    );
    for outcome in Outcome::ALL {
        plain.push_str(&format!("{}: {}\n", outcome.label(), answer(*outcome)));
    }
    plain.push_str(
        "\nYour answer helps us learn which support works. This is the only follow-up we send; \
         your email address has now been deleted.\n",
    );
    let page = html_page(
        subject,
        html! {
            p { "Hello," }
            p { "A little while ago we suggested some support for you. Did you get the help you needed? Choose one answer:" }
            ul {
                @for outcome in Outcome::ALL {
                    li { a href=(answer(*outcome)) { (outcome.label()) } }
                }
            }
            p { "Your answer helps us learn which support works. This is the only follow-up we send; your email address has now been deleted." }
        },
    );
    build(from, to, subject, plain, page)
}

/// Tells a member of staff that someone has been failing to sign in to their
/// account, and what to do if it was not them.
pub fn sign_in_warning(
    from: &str,
    to: &str,
    failures: u32,
    window_minutes: u32,
    public_url: &str,
) -> Result<Vec<u8>, MailError> {
    let subject = "Someone has been trying to sign in to your Doorstep account";
    let what = format!(
        "Someone has tried to sign in to your Doorstep account at {public_url} with the wrong password \
         {failures} times within {window_minutes} minutes."
    );
    let ok = "If it was you, nothing needs doing: sign in with your password as usual.";
    let not_you = "If it was not you, your account has not been entered, and you can still sign in. \
                   Each further wrong guess is made to wait longer. Tell an administrator, and choose a \
                   new password if yours is used anywhere else.";
    let plain = format!("Hello,\n\n{what}\n\n{ok}\n\n{not_you}\n");
    let page = html_page(subject, html! { p { "Hello," } p { (what) } p { (ok) } p { (not_you) } });
    build(from, to, subject, plain, page)
}

/// Tells someone who made a suggestion what became of it: acted on, or not
/// and why. `about` names the listing, if it was about one.
pub fn suggestion_answered(
    from: &str,
    to: &str,
    about: Option<&str>,
    acted_on: bool,
    note: Option<&str>,
) -> Result<Vec<u8>, MailError> {
    let subject = "Your suggestion to Doorstep";
    let what = match about {
        Some(name) => format!("Thank you for your suggestion about {name}."),
        None => String::from("Thank you for telling us about a service."),
    };
    let done = if acted_on {
        "A community connector has looked at it and made the change."
    } else {
        "A community connector has looked at it and has not made the change."
    };
    let note = note.map(|n| format!("They said: {n}"));
    let kept = "We kept your email address only to send this, and have now deleted it.";
    let mut plain = format!("Hello,\n\n{what} {done}\n");
    if let Some(note) = &note {
        plain.push_str(&format!("\n{note}\n"));
    }
    plain.push_str(&format!("\n{kept}\n"));
    let page = html_page(
        subject,
        html! {
            p { "Hello," }
            p { (what) " " (done) }
            @if let Some(note) = &note { p { (note) } }
            p { (kept) }
        },
    );
    build(from, to, subject, plain, page)
}

/// Invites a colleague to their new account: a one-time link to choose a
/// password, good for `days`.
pub fn invitation(
    from: &str,
    to: &str,
    (name, invited_by): (&str, &str),
    link: &str,
    days: i64,
) -> Result<Vec<u8>, MailError> {
    password_link(
        (from, to, "Your Doorstep account"),
        name,
        &format!("{invited_by} has made you an account on Doorstep, the directory of community support."),
        ("Choose your password", link, &format!("{days} days")),
        "If you were not expecting this, you can ignore this email.",
    )
}

/// A password reset an administrator sent: a one-time link, good for `hours`.
pub fn password_reset(
    from: &str,
    to: &str,
    name: &str,
    link: &str,
    hours: i64,
) -> Result<Vec<u8>, MailError> {
    password_link(
        (from, to, "Choose a new password for Doorstep"),
        name,
        "An administrator has sent you a link to choose a new password for your Doorstep account.",
        ("Choose a new password", link, &format!("{hours} hours")),
        "If you did not ask for this, tell your administrator: your password has not changed.",
    )
}

/// The link that confirms a new member's address and signs them in.
pub fn member_confirm(
    from: &str,
    to: &str,
    name: &str,
    link: &str,
    hours: i64,
) -> Result<Vec<u8>, MailError> {
    password_link(
        (from, to, "Confirm your email to join the neighbourhood networks"),
        name,
        "You asked to join the neighbourhood networks on Doorstep with this email address.",
        ("Confirm your email and sign in", link, &format!("{hours} hours")),
        "If you did not ask to join, ignore this email: nothing happens unless the link is used.",
    )
}

/// A link for a member to sign in without a password.
pub fn member_sign_in(
    from: &str,
    to: &str,
    name: &str,
    link: &str,
    hours: i64,
) -> Result<Vec<u8>, MailError> {
    password_link(
        (from, to, "Your link to sign in to the neighbourhood networks"),
        name,
        "Someone asked to sign in to the neighbourhood networks on Doorstep with this email address.",
        ("Sign in", link, &format!("{hours} hours")),
        "If it was not you, ignore this email: nobody can sign in without the link.",
    )
}

/// New posts in the threads and networks a member follows, with a link to
/// each thread, and one-click unsubscribe (RFC 8058): the link in the text
/// and in `List-Unsubscribe`, which mail programs may POST to.
pub fn network_activity(
    from: &str,
    (to, name): (&str, &str),
    posts: &[NotifiedPost],
    public_url: &str,
    unsubscribe: &str,
) -> Result<Vec<u8>, MailError> {
    let subject = match posts {
        [one] => format!("New in {}: {}", one.network_name, one.thread_title),
        many => format!("{} new posts in the networks you follow", many.len()),
    };
    let link = |post: &NotifiedPost| format!("{public_url}/threads/{}#post-{}", post.thread, post.post);
    let mut plain = format!("Hello {name},\n\nNew in the conversations and networks you follow:\n");
    for post in posts {
        plain.push_str(&format!(
            "\n{} in {}\n{}: {}\nRead and reply: {}\n",
            post.thread_title,
            post.network_name,
            post.author,
            post.excerpt,
            link(post)
        ));
    }
    plain.push_str(&format!(
        "\nYou get at most one of these emails every half hour. To stop them: {unsubscribe}\n"
    ));
    let page = html_page(
        &subject,
        html! {
            p { "Hello " (name) "," }
            p { "New in the conversations and networks you follow:" }
            @for post in posts {
                h2 style="font-size: 1.1em" { a href=(link(post)) { (post.thread_title) } }
                p { "In " (post.network_name) ". " strong { (post.author) } ": " (post.excerpt) }
            }
            p { "You get at most one of these emails every half hour. " a href=(unsubscribe) { "Stop these emails" } }
        },
    );
    build_unsubscribable((from, to, &subject), plain, page, unsubscribe)
}

/// A member's digest of the networks they follow: new conversations, what
/// is coming up, notices, and new and changed listings, each with its page;
/// how to change how often it comes, and one-click unsubscribe.
pub fn digest(
    from: &str,
    (to, name): (&str, &str),
    (every, digest): (DigestEvery, &Digest),
    public_url: &str,
    unsubscribe: &str,
) -> Result<Vec<u8>, MailError> {
    let (subject, since) = match every {
        DigestEvery::Daily => {
            ("Your daily digest from the neighbourhood networks", "since yesterday morning")
        }
        _ => ("Your weekly digest from the neighbourhood networks", "this past week"),
    };
    let thread = |t: &ThreadSummary| format!("{public_url}/threads/{}", t.id);
    let event = |e: &EventView| format!("{public_url}/events/{}", e.id);
    let service = |id: &ServiceId| format!("{public_url}/services/{id}");
    let when = |e: &EventView| e.next.as_ref().map(describe).unwrap_or_default();
    let mut plain = format!("Hello {name},\n\nWhat happened in the networks you follow {since}.\n");
    if !digest.threads.is_empty() {
        plain.push_str("\nNEW CONVERSATIONS\n");
        for t in &digest.threads {
            plain.push_str(&format!(
                "\n{} ({}, by {})\n{}\n{}\n",
                t.title,
                t.network_name,
                t.author.name,
                t.excerpt,
                thread(t)
            ));
        }
    }
    if !digest.events.is_empty() {
        plain.push_str("\nCOMING UP\n");
        for e in &digest.events {
            plain.push_str(&format!("\n{}\n{}, {}\n{}\n", e.title, when(e), e.place_name, event(e)));
        }
    }
    if !digest.notices.is_empty() {
        plain.push_str("\nNOTICES\n");
        for (n, id, listing) in &digest.notices {
            plain.push_str(&format!("\n{listing}: {}\n{}\n", n.body, service(id)));
        }
    }
    for (hood, listings) in digest.listings.iter().filter(|(_, l)| !l.is_empty()) {
        plain.push_str(&format!("\nNEW AND CHANGED HELP IN {}\n\n", hood.to_uppercase()));
        for l in listings {
            plain.push_str(&format!("{}, {}: {}\n", l.name, l.organisation, service(&l.id)));
        }
    }
    plain.push_str(&format!(
        "\nTo change how often this comes: {public_url}/members/account\nTo stop emails from the networks: {unsubscribe}\n"
    ));
    let page = html_page(
        subject,
        html! {
            p { "Hello " (name) "," }
            p { "What happened in the networks you follow " (since) "." }
            @if !digest.threads.is_empty() {
                h2 style="font-size: 1.2em" { "New conversations" }
                @for t in &digest.threads {
                    p { a href=(thread(t)) { (t.title) } br; (t.network_name) ", by " (t.author.name) ": " (t.excerpt) }
                }
            }
            @if !digest.events.is_empty() {
                h2 style="font-size: 1.2em" { "Coming up" }
                @for e in &digest.events {
                    p { a href=(event(e)) { (e.title) } br; (when(e)) ", " (e.place_name) }
                }
            }
            @if !digest.notices.is_empty() {
                h2 style="font-size: 1.2em" { "Notices" }
                @for (n, id, listing) in &digest.notices {
                    p { a href=(service(id)) { (listing) } ": " (n.body) }
                }
            }
            @for (hood, listings) in digest.listings.iter().filter(|(_, l)| !l.is_empty()) {
                h2 style="font-size: 1.2em" { "New and changed help in " (hood) }
                ul { @for l in listings { li { a href=(service(&l.id)) { (l.name) } ", " (l.organisation) } } }
            }
            p {
                a href={ (public_url) "/members/account" } { "Change how often this comes" } " · "
                a href=(unsubscribe) { "Stop emails from the networks" }
            }
        },
    );
    build_unsubscribable((from, to, subject), plain, page, unsubscribe)
}

/// A message to `name` with a one-time link to choose a password: why it
/// came, the link (what it does, where, and how long it lasts) and what to do
/// when it was not expected.
fn password_link(
    (from, to, subject): (&str, &str, &str),
    name: &str,
    what: &str,
    (action, link, lasts): (&str, &str, &str),
    not_you: &str,
) -> Result<Vec<u8>, MailError> {
    let plain = format!(
        "Hello {name},\n\n{what}\n\n{action} here (the link works once, for {lasts}): {link}\n\n{not_you}\n"
    );
    let page = html_page(
        subject,
        html! {
            p { "Hello " (name) "," }
            p { (what) }
            p { a href=(link) { (action) } " (the link works once, for " (lasts) ")." }
            p { (not_you) }
        },
    );
    build(from, to, subject, plain, page)
}

/// Asks an organisation whether its listings due for review are still
/// true: one link, good for `days`, to answer for each without signing in.
pub fn reminder(
    from: &str,
    to: &str,
    organisation: &str,
    services: &[String],
    link: &str,
    days: i64,
) -> Result<Vec<u8>, MailError> {
    let subject = format!("Are {organisation}'s listings still right?");
    let what = "People looking for support find your listings on Doorstep, and advisors at the council's front door suggest them. \
                These have not been checked for a while:";
    let how = format!(
        "Tell us for each whether it is still running as shown, whether it is taking new people, or what has changed. \
         No account is needed: the link works for {days} days."
    );
    let mut plain = format!("Hello,\n\n{what}\n\n");
    for name in services {
        plain.push_str(&format!("- {name}\n"));
    }
    plain.push_str(&format!("\n{how}\n\n{link}\n\nThank you.\n"));
    let page = html_page(
        &subject,
        html! {
            p { "Hello," }
            p { (what) }
            ul { @for name in services { li { (name) } } }
            p { (how) }
            p { a href=(link) { "Check your listings" } }
            p { "Thank you." }
        },
    );
    build(from, to, &subject, plain, page)
}

/// A connector's weekly summary of their review queue: how many listings
/// are due, the most overdue, and where to work through them.
pub fn queue_summary(
    from: &str,
    to: &str,
    name: &str,
    due: i64,
    most_overdue: &[String],
    link: &str,
) -> Result<Vec<u8>, MailError> {
    let count = if due > crate::domain::review::COUNTED_AT_MOST {
        format!("More than {}", crate::domain::review::COUNTED_AT_MOST)
    } else {
        due.to_string()
    };
    let subject = format!("{count} listings due for review");
    let what = format!("{count} listings you keep have not been checked lately. The most overdue:");
    let mut plain = format!("Hello {name},\n\n{what}\n\n");
    for listing in most_overdue {
        plain.push_str(&format!("- {listing}\n"));
    }
    plain.push_str(&format!("\nYour review queue: {link}\n"));
    let page = html_page(
        &subject,
        html! {
            p { "Hello " (name) "," }
            p { (what) }
            ul { @for listing in most_overdue { li { (listing) } } }
            p { a href=(link) { "Your review queue" } }
        },
    );
    build(from, to, &subject, plain, page)
}
