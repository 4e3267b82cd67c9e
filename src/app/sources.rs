//! Sources: a network's hosts (the connectors and administrators who
//! moderate it) follow feeds, calendars and Discourse forums, and the
//! `sources` job reads each one that is due: asking only for what changed,
//! reading it by its kind, placing calendar events by the postcode in their
//! location, and taking it in as threads and events. A reading that fails
//! keeps everything read before, says why on the source's page, and waits
//! longer before the next try.

use std::collections::HashSet;

use chrono::{NaiveDateTime, TimeZone, Utc};

use super::{db, require};
use crate::config::Config;
use crate::domain::accounts::StaffUser;
use crate::domain::ids::SourceId;
use crate::domain::markdown;
use crate::domain::networks::NetworkView;
use crate::domain::sources::{FetchedEvent, FetchedPost, SourceForm, SourceKind, SourceView, fingerprint};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::fetch::{self, FetchError, Fetcher, Held, Limits, calendars, discourse, feeds};
use crate::geo::postcode::find_in;
use crate::state::AppState;
use crate::store::events::Placed;
use crate::store::sources::{self, Absent, Claimed};
use crate::store::{self, Conn, Store, StoreResult};

/// The most a source may send: a feed is not a file store.
const MOST_BYTES: u64 = 10 * 1024 * 1024;
/// The most topics of a Discourse category read again in one reading.
const DISCOURSE_TOPICS: usize = 30;
/// The most topics no longer listed that are asked after in one reading.
const ASKED_AFTER: usize = 10;

/// The limits every reading of a source has.
fn limits(config: &Config) -> Limits {
    let timeout = std::time::Duration::from_secs(u64::from(config.feed_timeout_seconds));
    Limits { timeout, max_bytes: MOST_BYTES, tries: 2, ..Limits::default() }
        .private(config.fetch_private_addresses)
}

/// The network at `slug` and the sources it follows, for its hosts.
pub async fn of_network(
    state: &AppState,
    user: &StaffUser,
    slug: String,
) -> Result<(NetworkView, Vec<SourceView>), AppError> {
    let network = db(state, move |conn| store::networks::by_slug(conn, &slug)).await?;
    require(user.moderates(network.neighbourhood_id))?;
    let id = network.id;
    let sources = db(state, move |conn| sources::of_network(conn, id)).await?;
    Ok((network, sources))
}

/// Follows the source in `form` in the network at `slug`; it is read at
/// once (by the job). `Err` says what is wrong with what was typed.
pub async fn follow(
    state: &AppState,
    user: &StaffUser,
    slug: String,
    form: &SourceForm,
) -> Result<Result<SourceId, FieldErrors>, AppError> {
    let (network, _) = of_network(state, user, slug).await?;
    let private_allowed = state.config.fetch_private_addresses;
    let checked = form.check(|typed| {
        let url = fetch::web_address(typed).map_err(|e| e.to_string())?;
        if !private_allowed && fetch::names_private_address(&url) {
            return Err(FetchError::Private(url).to_string());
        }
        Ok(url)
    });
    let mut source = match checked {
        Ok(source) => source,
        Err(errors) => return Ok(Err(errors)),
    };
    if source.kind == SourceKind::Discourse {
        source.url = discourse::list_url(&source.url);
    }
    let (id, by, now, network_id) = (SourceId::new(), user.id, Utc::now().naive_utc(), network.id);
    let followed = db(state, move |conn| sources::follow(conn, (id, network_id), &source, by, now)).await?;
    if !followed {
        let mut errors = FieldErrors::default();
        errors.add("url", "This network follows that source already");
        return Ok(Err(errors));
    }
    tracing::info!(source = %id, network = %network.slug, by = %by, "a network follows a source");
    Ok(Ok(id))
}

/// A source's status page, for its network's hosts.
pub async fn status(state: &AppState, user: &StaffUser, id: SourceId) -> Result<SourceView, AppError> {
    let (source, hood) = db(state, move |conn| {
        let source = sources::get(conn, id)?;
        let hood = store::networks::neighbourhood_of(conn, source.network)?;
        Ok((source, hood))
    })
    .await?;
    require(user.moderates(hood))?;
    Ok(source)
}

/// Asks for a source to be read at the next chance.
pub async fn read_soon(state: &AppState, user: &StaffUser, id: SourceId) -> Result<(), AppError> {
    status(state, user, id).await?;
    let now = Utc::now().naive_utc();
    db(state, move |conn| sources::read_soon(conn, id, now)).await
}

/// Stops following a source; what only it brought is taken away. The
/// network's slug, to go back to.
pub async fn stop(state: &AppState, user: &StaffUser, id: SourceId) -> Result<String, AppError> {
    let source = status(state, user, id).await?;
    let now = Utc::now().naive_utc();
    db(state, move |conn| sources::stop(conn, id, now)).await?;
    super::search::take_in_activity(state).await;
    Ok(source.network_slug)
}

/// The `sources` job's step: reads one source that is due, if any. True
/// when it read one (well or not).
pub fn read_due(store: &Store, config: &Config, now: NaiveDateTime) -> StoreResult<bool> {
    let Some(claimed) = sources::claim_due(&mut *store.conn()?, now)? else { return Ok(false) };
    let held = Held { etag: claimed.etag.clone(), last_modified: claimed.last_modified.clone() };
    let read = Fetcher::new(&config.public_url, limits(config))
        .map_err(|e| e.to_string())
        .and_then(|fetcher| read_one(store, &fetcher, &claimed, &held, now));
    let source = &claimed.source;
    match read {
        Ok(()) => {
            tracing::info!(source = %source.id, url = %source.url, "read a network's source");
        }
        Err(reason) => {
            tracing::warn!(source = %source.id, url = %source.url, %reason, "a network's source could not be read");
            sources::read_badly(&mut *store.conn()?, source.id, &reason, now)?;
        }
    }
    Ok(true)
}

/// Reads `claimed` and takes in what it holds; `Err` says why it could not.
fn read_one(
    store: &Store,
    fetcher: &Fetcher,
    claimed: &Claimed,
    held: &Held,
    now: NaiveDateTime,
) -> Result<(), String> {
    let source = &claimed.source;
    let accept = match source.kind {
        SourceKind::Feed => feeds::ACCEPT,
        SourceKind::Calendar => calendars::ACCEPT,
        SourceKind::Discourse => "application/json",
    };
    let answer = fetcher.get_accepting(&source.url, held, accept).map_err(|e| e.to_string())?;
    let saving = |e: crate::store::StoreError| format!("what it holds could not be saved here: {e}");
    if answer.not_modified {
        return sources::unchanged(&mut *store.conn().map_err(saving)?, source.id, now).map_err(saving);
    }
    let validators = (answer.etag.clone(), answer.last_modified.clone());
    let now_utc = Utc.from_utc_datetime(&now);
    match source.kind {
        SourceKind::Feed => {
            let posts = feeds::read(&answer.body, &source.url, now_utc)?;
            let mut conn = store.conn().map_err(saving)?;
            sources::merge_posts(&mut conn, claimed, (&posts, Absent::FeedWindow), validators, now)
                .map_err(saving)
        }
        SourceKind::Discourse => {
            let (posts, gone) = discourse_posts(store, fetcher, claimed, &answer.body)?;
            let mut conn = store.conn().map_err(saving)?;
            sources::merge_posts(&mut conn, claimed, (&posts, Absent::Gone(&gone)), validators, now)
                .map_err(saving)
        }
        SourceKind::Calendar => {
            let events = calendars::read(&answer.body, now_utc)?;
            let mut conn = store.conn().map_err(saving)?;
            let placed = events.into_iter().map(|e| place(&mut conn, e)).collect::<Result<Vec<_>, _>>();
            let placed = placed.map_err(saving)?;
            sources::merge_events(&mut conn, claimed, &placed, validators, now).map_err(saving)
        }
    }
}

/// A Discourse category's or tag's latest active topics as posts, and the
/// topics found taken away. A topic new or changed since it was last read
/// is read for its opening post; the others are left as they are (their
/// fingerprint is the same). A topic no longer listed may only be on the
/// list's next page: a few of those are asked about each time, and one the
/// forum says is not there (or not public) is taken away.
fn discourse_posts(
    store: &Store,
    fetcher: &Fetcher,
    claimed: &Claimed,
    list: &[u8],
) -> Result<(Vec<FetchedPost>, HashSet<String>), String> {
    let url = &claimed.source.url;
    let topics = discourse::topics(list, url)?;
    let site = discourse::site_of(url).ok_or_else(|| format!("{url} is not a forum's address"))?;
    let known = sources::fingerprints(&mut *store.conn().map_err(|e| e.to_string())?, claimed.source.id)
        .map_err(|e| e.to_string())?;
    let not_there = |error: &FetchError| matches!(error, FetchError::Status(_, 403 | 404 | 410));
    let listed: HashSet<String> = topics.iter().map(|t| t.id.to_string()).collect();
    let (mut posts, mut gone) = (Vec::new(), HashSet::new());
    for topic in topics.into_iter().take(DISCOURSE_TOPICS) {
        let key = topic.id.to_string();
        let version = fingerprint(&[&topic.title, &topic.link, &topic.bumped.to_rfc3339()]);
        let html = if known.get(&key) == Some(&version) {
            String::new()
        } else {
            match fetcher.get(&topic.json, &Held::default()) {
                Ok(answer) => markdown::from_source(&discourse::opening_post(&answer.body)?, &topic.link),
                Err(error) if not_there(&error) => {
                    gone.insert(key);
                    continue;
                }
                Err(error) => return Err(error.to_string()),
            }
        };
        posts.push(FetchedPost {
            key,
            title: topic.title,
            link: Some(topic.link),
            html,
            published: topic.created,
            updated: topic.bumped,
            version,
        });
    }
    let unlisted =
        known.keys().filter(|key| !listed.contains(*key)).filter_map(|key| Some((key, key.parse().ok()?)));
    for (key, id) in unlisted.take(ASKED_AFTER) {
        match fetcher.get(&discourse::topic_json(&site, id), &Held::default()) {
            Err(error) if not_there(&error) => {
                gone.insert(key.clone());
            }
            _ => {}
        }
    }
    Ok((posts, gone))
}

/// Where an event from a calendar is: the postcode in its location, placed
/// as an address typed on the event form would be; or nowhere on the map.
fn place(conn: &mut Conn, event: FetchedEvent) -> StoreResult<(FetchedEvent, Placed)> {
    let mut placed = Placed {
        venue: None,
        address: event.location.clone(),
        postcode: String::new(),
        point: None,
        neighbourhood: None,
    };
    if let Some(postcode) = find_in(&event.location) {
        placed.postcode = postcode.as_str().to_string();
        if let Ok((point, hood)) = super::events::placed(conn, postcode)? {
            (placed.point, placed.neighbourhood) = (Some(point), hood);
        }
    }
    Ok((event, placed))
}
