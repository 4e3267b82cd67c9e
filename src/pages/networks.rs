//! The neighbourhood networks' pages: the list of networks, a network with
//! its threads, a thread with its replies, the forms to start a thread, to
//! reply and to change a post, and (for staff) to make a place-based network.

use maud::{Markup, html};

use super::{Choices, Frame, Input, csrf_field, error_summary, layout, local_moment, post_html, textarea};
use crate::domain::events::describe;
use crate::domain::networks::{
    Author, MAX_POST, NeedChoice, NetworkForm, NetworkPage, NetworkView, PostView, ThreadForm, ThreadPage,
    ThreadSummary,
};
use crate::domain::search::{FoundActivity, away};
use crate::domain::text::{FieldErrors, thousands};

/// The hint under every post's text box: what Markdown it may use.
const MARKDOWN_HINT: &str = "You can use **bold**, _italic_, lists, > quotes and [links](https://example.org). Images and HTML are shown as links and text.";

fn count(n: i64, one: &str, many: &str) -> String {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", thousands(n)) }
}

/// Who wrote something, as readers see it.
pub fn author(author: &Author) -> Markup {
    html! {
        span class="author" {
            (author.name)
            @if let Some(role) = &author.role { ", " (role) }
            @if !author.speaks_for.is_empty() { ", for " (author.speaks_for.join(" and ")) }
        }
    }
}

/// A list of threads: each one's title, where and by whom, its replies and
/// latest activity, and its first words. `show_network` names each one's network.
pub fn thread_list(threads: &[ThreadSummary], show_network: bool) -> Markup {
    html! {
        ul class="plain-list threads" {
            @for thread in threads {
                li {
                    a href={ "/threads/" (thread.id) } { (thread.title) }
                    br;
                    span class="secondary" {
                        @match &thread.link {
                            Some(link) => { "From " a href=(link) rel="nofollow ugc" { (thread.author.name) } }
                            None => { "Started by " (author(&thread.author)) }
                        }
                        @if show_network { " in " (thread.network_name) }
                        " · " (count(thread.replies, "reply", "replies"))
                        " · last post " (local_moment(thread.last_posted_at))
                    }
                    @if !thread.excerpt.is_empty() { p class="excerpt" { (thread.excerpt) } }
                }
            }
        }
    }
}

/// On a listing's page: the latest conversations that name it, if any.
pub fn mentioned_in(threads: &[ThreadSummary]) -> Markup {
    html! {
        @if !threads.is_empty() {
            section class="no-print" aria-labelledby="conversations-title" {
                h2 id="conversations-title" { "In the neighbourhood networks" }
                (thread_list(threads, true))
            }
        }
    }
}

/// What the neighbourhood networks say that matches a search or a caller's
/// needs: events coming up (soonest first) and conversations. Nothing when
/// nothing matched. `id` names the section's heading.
pub fn found(found: &FoundActivity, id: &str, heading: &str) -> Markup {
    html! {
        @if !found.is_empty() {
            section class="panel network-activity" aria-labelledby=(id) {
                h2 id=(id) { (heading) }
                @if !found.events.is_empty() {
                    h3 { "Coming up" }
                    ul class="plain-list events" {
                        @for event in &found.events {
                            li {
                                a href={ "/events/" (event.id) } { (event.title) }
                                br;
                                strong { (describe(&event.next)) }
                                br;
                                span class="secondary" {
                                    (event.place_name)
                                    @if let Some(metres) = event.distance_m { " · " (away(metres)) }
                                    @if event.free { " · Free" }
                                    " · " (event.network_name)
                                }
                                @if !event.excerpt.is_empty() { p class="excerpt" { (event.excerpt) } }
                            }
                        }
                    }
                }
                @if !found.threads.is_empty() {
                    h3 { "Conversations" }
                    ul class="plain-list threads" {
                        @for thread in &found.threads {
                            li {
                                a href={ "/threads/" (thread.id) } { (thread.title) }
                                br;
                                span class="secondary" {
                                    (thread.network_name)
                                    " · " (count(thread.replies, "reply", "replies"))
                                    " · last post " (local_moment(thread.last_posted_at))
                                }
                                @if !thread.excerpt.is_empty() { p class="excerpt" { (thread.excerpt) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Links to a list's other pages.
fn pager(base: &str, page: usize, pages: usize) -> Markup {
    html! {
        @if pages > 1 {
            nav class="pagination" aria-label="Pages" {
                @if page > 1 { a href={ (base) "?page=" (page - 1) } rel="prev" { "Previous page" } }
                span { "Page " (page) " of " (pages) }
                @if page < pages { a href={ (base) "?page=" (page + 1) } rel="next" { "Next page" } }
            }
        }
    }
}

fn network_line(network: &NetworkView) -> Markup {
    html! {
        li {
            a href={ "/networks/" (network.slug) } { (network.name) }
            br;
            span class="secondary" {
                (count(network.threads, "conversation", "conversations")) " · "
                (count(network.followers, "follower", "followers"))
            }
            p { (network.about) }
        }
    }
}

/// `/networks`: the place-based networks, then each neighbourhood's.
pub fn list(frame: &Frame, networks: &[NetworkView], may_create: bool) -> Markup {
    let (places, hoods): (Vec<&NetworkView>, Vec<&NetworkView>) =
        networks.iter().partition(|n| n.neighbourhood.is_none());
    layout(
        frame,
        "Neighbourhood networks",
        html! {
            h1 { "Neighbourhood networks" }
            p class="lead" {
                "Open forums where residents, community groups and agencies share what is happening, "
                "ask for help and offer it. Anyone can read them; join with an email address to take part."
            }
            @if may_create { p { a href="/staff/networks/new" { "Start a network for a theme or the whole area" } } }
            @if !places.is_empty() {
                h2 { "Across the area and by theme" }
                ul class="plain-list" { @for n in &places { (network_line(n)) } }
            }
            h2 { "Neighbourhoods" }
            @if hoods.is_empty() {
                p { "Each neighbourhood gets its network when the neighbourhoods are built." }
            } @else {
                ul class="plain-list" { @for n in &hoods { (network_line(n)) } }
            }
            (super::follow_links("", None))
        },
    )
}

/// `/networks/{slug}`.
pub fn network(frame: &Frame, shown: &NetworkPage, signed_in: bool) -> Markup {
    let network = &shown.network;
    let here = format!("/networks/{}", network.slug);
    layout(
        frame,
        &network.name,
        html! {
            span class="caption" { "Neighbourhood network" }
            h1 { (network.name) }
            p class="lead" { (network.about) }
            @if let Some(hood) = &network.neighbourhood {
                p { a href={ "/neighbourhoods/" (hood) } { "Services and places in " (network.name) } }
            }
            div class="network-actions" {
                a class="button" href={ (here) "/threads/new" } { "Start a conversation" }
                @if signed_in {
                    form class="inline-form" method="post" action={ (here) (if shown.following { "/unfollow" } else { "/follow" }) } {
                        (csrf_field(frame))
                        button type="submit" class="button-secondary" {
                            @if shown.following { "Stop following" } @else { "Follow this network" }
                        }
                    }
                } @else {
                    a href={ "/members/sign-in?next=" (super::url_encode(&here)) } { "Sign in or join to follow it" }
                }
            }
            @if shown.following { p class="secondary" { "You follow this network." } }
            (super::follow_links(&here, None))
            @if frame.user.is_some() {
                p { a href={ "/staff/networks/" (network.slug) "/sources" } { "Feeds, calendars and forums this network follows" } }
            }
            h2 { "Events" }
            @if shown.events.is_empty() {
                p { "Nothing is on yet." }
            } @else {
                (super::events::list(&shown.events, false))
            }
            p {
                a href={ (here) "/events" } { "All events, and past ones" } " · "
                a href={ (here) "/events/new" } { "Add an event" }
            }
            h2 { "Conversations" }
            @if shown.threads.is_empty() {
                p { "Nobody has started a conversation here yet." }
            } @else {
                (thread_list(&shown.threads, false))
                (pager(&here, shown.page, shown.pages))
            }
        },
    )
}

/// `/networks/{slug}/threads/new`: the form, with what was typed.
pub fn new_thread(
    frame: &Frame,
    network: &NetworkView,
    needs: &[NeedChoice],
    form: &ThreadForm,
    errors: &FieldErrors,
) -> Markup {
    let title = format!("Start a conversation in {}", network.name);
    layout(
        frame,
        &if errors.is_empty() { title.clone() } else { format!("Error: {title}") },
        html! {
            (error_summary(errors))
            span class="caption" { (network.name) }
            h1 { "Start a conversation" }
            form method="post" action={ "/networks/" (network.slug) "/threads" } novalidate {
                (csrf_field(frame))
                @if let Some(about) = &form.about { input type="hidden" name="about" value=(about); }
                (Input::new("title", "Title", &form.title).render(errors))
                (textarea("body", "What would you like to say?", Some(MARKDOWN_HINT), &form.body, errors))
                p class="hint" {
                    "To point people to a service or organisation, paste its address from this site: "
                    "it is shown as a card under your post."
                }
                details open[errors.get("needs").is_some() || !form.needs.is_empty()] {
                    summary { "Tag it with the kinds of help it is about (optional)" }
                    (Choices {
                        name: "needs",
                        legend: "Kinds of help",
                        hint: None,
                        options: needs.iter().map(|n| (n.id.to_string(), n.label.clone())).collect(),
                        chosen: form.needs.clone(),
                        multiple: true,
                        inline: false,
                    }.render(errors))
                }
                button type="submit" { "Post" }
            }
        },
    )
}

fn post(post: &PostView, opening: bool, moderator: bool) -> Markup {
    let what = if opening { "post" } else { "reply" };
    html! {
        article class="post" id={ "post-" (post.id) } aria-label={ "Post by " (post.author.name) } {
            p class="secondary" {
                strong { (author(&post.author)) }
                " · " (local_moment(post.posted_at))
                @if let Some(edited) = post.edited_at { " · edited " (local_moment(edited)) }
            }
            @if let Some(note) = post.note { p class="notice" { (note) } }
            div class="post-body" { (post_html::body(&post.body)) }
            @if post.editable || post.reportable || moderator {
                p class="post-actions" {
                    @if post.editable { a href={ "/posts/" (post.id) "/edit" } { "Change this " (what) } " " }
                    @if post.reportable { a href={ "/posts/" (post.id) "/report" } { "Report this " (what) } " " }
                    @if moderator { a href={ "/staff/moderation/posts/" (post.id) } { "Moderate this " (what) } }
                }
            }
        }
    }
}

/// `/threads/{id}`: the thread, a page of replies, and the reply form.
pub fn thread(frame: &Frame, shown: &ThreadPage, reply: &str, errors: &FieldErrors) -> Markup {
    let summary = &shown.summary;
    let here = format!("/threads/{}", summary.id);
    layout(
        frame,
        &if errors.is_empty() { summary.title.clone() } else { format!("Error: {}", summary.title) },
        html! {
            (error_summary(errors))
            span class="caption" { a href={ "/networks/" (summary.network_slug) } { (summary.network_name) } }
            h1 { (summary.title) }
            @if !shown.needs.is_empty() {
                ul class="plain-list tags" aria-label="About" {
                    @for need in &shown.needs { li class="tag tag-grey" { a href={ "/needs/" (need.slug) } { (need.label) } } }
                }
            }
            @if !summary.visible { p class="notice" { "Readers cannot see this conversation: its opening post waits for a moderator or was hidden." } }
            @if let Some(link) = &summary.link {
                p class="notice" { "From " (summary.author.name) ": " a href=(link) rel="nofollow ugc" { "read it there" } "." }
            }
            (post(&shown.opening, true, shown.moderator))
            @if !shown.named.is_empty() {
                section aria-labelledby="named-title" {
                    h2 id="named-title" { "Mentioned in this conversation" }
                    ul class="plain-list cards" {
                        @for listing in &shown.named {
                            li class="panel" {
                                a href=(listing.path) { (listing.name) }
                                @if let Some(by) = &listing.by { br; span class="secondary" { (by) } }
                            }
                        }
                    }
                }
            }
            @if shown.may_reply || shown.following {
                form class="inline-form" method="post" action={ (here) (if shown.following { "/unfollow" } else { "/follow" }) } {
                    (csrf_field(frame))
                    button type="submit" class="button-secondary" {
                        @if shown.following { "Stop emails about replies" } @else { "Email me about replies" }
                    }
                }
            }
            h2 id="replies" { (count(summary.replies, "reply", "replies")) }
            @for reply in &shown.replies { (post(reply, false, shown.moderator)) }
            (pager(&here, shown.page, shown.pages))
            @if summary.locked {
                p class="notice" { "A moderator has locked this conversation: it takes no more replies." }
            } @else if shown.may_reply {
                form method="post" action={ (here) "/replies" } novalidate {
                    (csrf_field(frame))
                    (textarea("body", "Your reply", Some(MARKDOWN_HINT), reply, errors))
                    button type="submit" { "Reply" }
                }
            } @else {
                p { a href={ "/members/sign-in?next=" (super::url_encode(&here)) } { "Sign in or join to reply" } }
            }
        },
    )
}

/// `/posts/{id}/edit`: the post's text to change, within the window.
pub fn edit_post(
    frame: &Frame,
    summary: &ThreadSummary,
    post: crate::domain::ids::PostId,
    body: &str,
    errors: &FieldErrors,
) -> Markup {
    layout(
        frame,
        if errors.is_empty() { "Change your post" } else { "Error: Change your post" },
        html! {
            (error_summary(errors))
            span class="caption" { (summary.title) }
            h1 { "Change your post" }
            p { "Posts can be changed for an hour after they are posted. Readers see that it was changed, and when." }
            form method="post" action={ "/posts/" (post) } novalidate {
                (csrf_field(frame))
                (textarea("body", "Your post", Some(MARKDOWN_HINT), body, errors))
                p class="hint" { "At most " (thousands(u32::try_from(MAX_POST).unwrap_or(u32::MAX))) " characters." }
                button type="submit" { "Save" }
            }
            p { a href={ "/threads/" (summary.id) } { "Back to the conversation" } }
        },
    )
}

/// `/staff/networks/new`: a place-based network's name and purpose.
pub fn new_network(frame: &Frame, form: &NetworkForm, errors: &FieldErrors) -> Markup {
    layout(
        frame,
        if errors.is_empty() { "Start a network" } else { "Error: Start a network" },
        html! {
            (error_summary(errors))
            h1 { "Start a network" }
            p { "For the whole area, or a theme that joins up neighbourhoods, such as carers or refugee welcome. Each neighbourhood already has its own." }
            form method="post" action="/staff/networks" novalidate {
                (csrf_field(frame))
                (Input::new("name", "Name", &form.name).render(errors))
                (textarea("about", "Who it is for and what it talks about", None, &form.about, errors))
                button type="submit" { "Start the network" }
            }
        },
    )
}

/// `/unsubscribe/{token}`: before (`done` is `None`) and after stopping the
/// emails about new posts.
pub fn unsubscribe(frame: &Frame, token: &str, done: Option<bool>) -> Markup {
    layout(
        frame,
        "Emails about new posts",
        html! {
            h1 { "Emails about new posts" }
            @match done {
                None => {
                    p { "Stop the emails about new posts in the conversations and networks you follow, and your digest if you have one?" }
                    form method="post" action={ "/unsubscribe/" (token) } {
                        (csrf_field(frame))
                        button type="submit" { "Stop these emails" }
                    }
                }
                Some(_) => {
                    p class="notice" role="status" { "Done: you will get no more emails about new posts, and no digest." }
                    p { "Following a network or a conversation again turns them back on; a digest can be chosen again on your account page." }
                }
            }
            p { a href="/networks" { "The neighbourhood networks" } }
        },
    )
}
