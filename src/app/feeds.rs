//! Feeds out, to follow without visiting: an Atom feed and an iCalendar
//! feed for each network, each neighbourhood (its network's conversations
//! and events, and its services' notices and events), each service, and the
//! whole area; and each neighbourhood's weekly Atom feed of new and changed
//! listings. What they hold is what the pages show to anyone.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::db;
use crate::domain::atom::{self, EntryOut, FeedOut, weekly_rounds};
use crate::domain::calendar;
use crate::domain::events::EventView;
use crate::domain::ids::ServiceId;
use crate::domain::networks::{NoticeView, ThreadSummary};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{events, local_services, neighbourhoods, networks, notices, services, threads};

/// Entries a feed holds at most.
const ENTRIES: i64 = 50;
/// Events a calendar holds at most.
const EVENTS: i64 = 500;
/// Weeks of new and changed listings a neighbourhood's weekly feed holds.
const WEEKS: i64 = 8;

/// What a feed is of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The network at this slug.
    Network(String),
    /// The neighbourhood at this slug.
    Neighbourhood(String),
    Service(ServiceId),
    /// The whole area.
    Area,
}

impl Scope {
    /// The path of the page it is the feed of.
    fn page(&self) -> String {
        match self {
            Scope::Network(slug) => format!("/networks/{slug}"),
            Scope::Neighbourhood(slug) => format!("/neighbourhoods/{slug}"),
            Scope::Service(id) => format!("/services/{id}"),
            Scope::Area => String::from("/networks"),
        }
    }

    /// The path of its feed with the name `file` (`feed.atom`, `calendar.ics`).
    fn feed(&self, file: &str) -> String {
        match self {
            Scope::Area => format!("/{file}"),
            _ => format!("{}/{file}", self.page()),
        }
    }
}

/// What a scope holds: its name, conversations, notices and events.
struct Held {
    name: String,
    threads: Vec<ThreadSummary>,
    notices: Vec<(NoticeView, ServiceId, String)>,
    events: Vec<EventView>,
}

async fn held(state: &AppState, scope: &Scope) -> Result<Held, AppError> {
    let (scope, now) = (scope.clone(), Utc::now().naive_utc());
    let area = state.config.area_name_or(state.demo.as_deref()).to_string();
    db(state, move |conn| {
        Ok(match &scope {
            Scope::Network(slug) => {
                let network = networks::by_slug(conn, slug)?;
                Held {
                    threads: threads::of_network(conn, network.id, 1)?,
                    notices: Vec::new(),
                    events: events::in_network(conn, network.id, now, false, EVENTS)?,
                    name: network.name,
                }
            }
            Scope::Neighbourhood(slug) => {
                let hood = neighbourhoods::by_slug(conn, slug)?;
                let based = local_services::based_in(conn, &hood)?;
                let threads = match networks::of_neighbourhood(conn, hood.id)? {
                    Some(network) => threads::of_network(conn, network.id, 1)?,
                    None => Vec::new(),
                };
                Held {
                    threads,
                    notices: notices::latest(conn, Some(&based), ENTRIES)?,
                    events: events::near_neighbourhood(conn, hood.id, now, EVENTS)?,
                    name: hood.name,
                }
            }
            Scope::Service(id) => {
                let service = services::view(conn, *id)?;
                // As its page: an archived listing is not there.
                if service.archived_at.is_some() {
                    return Err(crate::store::StoreError::NotFound);
                }
                Held {
                    threads: threads::naming_service(conn, *id, ENTRIES)?,
                    notices: notices::latest(conn, Some(&[*id]), ENTRIES)?,
                    events: events::for_service(conn, *id, now, EVENTS)?,
                    name: service.details.name,
                }
            }
            Scope::Area => Held {
                threads: threads::latest(conn, ENTRIES)?,
                notices: notices::latest(conn, None, ENTRIES)?,
                events: events::coming_up(conn, now, EVENTS)?,
                name: area,
            },
        })
    })
    .await
}

fn utc(time: chrono::NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&time)
}

/// The Atom feed of `scope`: its conversations and notices, newest first.
pub async fn atom(state: &AppState, scope: Scope) -> Result<String, AppError> {
    let held = held(state, &scope).await?;
    let site = &state.config.public_url;
    let mut entries: Vec<EntryOut> = held
        .threads
        .iter()
        .map(|thread| {
            let page = format!("{site}/threads/{}", thread.id);
            EntryOut {
                id: page.clone(),
                title: thread.title.clone(),
                page,
                author: thread.author.name.clone(),
                published: Some(utc(thread.started_at)),
                updated: utc(thread.last_posted_at),
                summary: thread.excerpt.clone(),
                html: None,
            }
        })
        .chain(held.notices.iter().map(|(notice, service, name)| EntryOut {
            id: format!("urn:uuid:{}", notice.id),
            title: format!("{name}: {}", crate::domain::markdown::plain(&notice.body, 80)),
            page: format!("{site}/services/{service}"),
            author: notice.author.name.clone(),
            published: Some(utc(notice.posted_at)),
            updated: utc(notice.posted_at),
            summary: notice.body.clone(),
            html: None,
        }))
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.updated));
    entries.truncate(usize::try_from(ENTRIES).unwrap_or(50));
    let feed = FeedOut {
        id: format!("{site}{}", scope.feed("feed.atom")),
        title: format!("{}: what is happening", held.name),
        subtitle: format!("Conversations and notices in {}, from Doorstep", held.name),
        page: format!("{site}{}", scope.page()),
        // With nothing in it, nothing has changed since the beginning.
        updated: entries.first().map_or(DateTime::UNIX_EPOCH, |e| e.updated),
        entries,
    };
    Ok(atom::write(&feed))
}

/// The iCalendar feed of `scope`: every time each of its events happens from now.
pub async fn calendar(state: &AppState, scope: Scope) -> Result<String, AppError> {
    let held = held(state, &scope).await?;
    let name = format!("{}: events", held.name);
    Ok(calendar::events(&name, &held.events, &state.config.public_url, Utc::now()))
}

/// The neighbourhood at `slug`'s weekly Atom feed of new and changed
/// listings: one entry a week, for the last eight.
pub async fn listings(state: &AppState, slug: String) -> Result<String, AppError> {
    let now = Utc::now();
    let since = (now - Duration::weeks(WEEKS)).naive_utc();
    let (hood, changes) = db(state, move |conn| {
        let hood = neighbourhoods::by_slug(conn, &slug)?;
        let based = local_services::based_in(conn, &hood)?;
        Ok((hood.clone(), services::new_and_changed(conn, &based, since)?))
    })
    .await?;
    let site = &state.config.public_url;
    let entries = weekly_rounds(&hood.name, &hood.slug, &changes, site, now);
    let feed = FeedOut {
        id: format!("{site}/neighbourhoods/{}/listings.atom", hood.slug),
        title: format!("New and changed listings in {}", hood.name),
        subtitle: format!("Each week's new and changed help in {}, from Doorstep", hood.name),
        page: format!("{site}/neighbourhoods/{}", hood.slug),
        updated: entries.first().map_or(DateTime::UNIX_EPOCH, |e| e.updated),
        entries,
    };
    Ok(atom::write(&feed))
}
