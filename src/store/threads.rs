//! Threads and their posts: starting one, replying, changing a post, and
//! reading a network's threads and a thread's page of replies.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::activity_feed::Subject;
use super::schema::{
    members, needs, neighbourhoods, networks, organisations, posts, services, thread_needs,
    thread_organisations, thread_services, threads, users,
};
use super::{Conn, StoreError, StoreResult, per_backend};
use crate::domain::accounts::Role;
use crate::domain::ids::{MemberId, NetworkId, PostId, ThreadId};
use crate::domain::markdown;
use crate::domain::networks::{
    Author, NamedListing, NewThread, REPLIES_PER_PAGE, StoredPost, THREADS_PER_PAGE, ThreadSummary,
};
use crate::domain::views::{NeedLabel, SearchableThread};

/// Starts a thread in `network`: its row, its opening post, and what it
/// names. A `held` thread is shown once a moderator approves it.
pub fn start(
    conn: &mut Conn,
    network: NetworkId,
    author: MemberId,
    (thread, held): (&NewThread, bool),
    now: NaiveDateTime,
) -> StoreResult<ThreadId> {
    super::transaction(conn, |conn| {
        let id = ThreadId::new();
        diesel::insert_into(threads::table)
            .values((
                threads::id.eq(id),
                threads::network_id.eq(network),
                threads::title.eq(&thread.title),
                threads::author_id.eq(author),
                threads::started_at.eq(now),
                threads::last_posted_at.eq(now),
                threads::visible.eq(!held),
            ))
            .execute(conn)?;
        let opening = insert_post(conn, id, 0, author, (&thread.body, held), now)?;
        // Its author hears of replies; its network's followers of it.
        super::notifications::follow_thread(conn, author, id, now)?;
        if !held {
            super::notifications::post_shown(conn, opening, now)?;
        }
        // A link to a listing that is not here names nothing.
        let known_services: Vec<crate::domain::ids::ServiceId> = services::table
            .filter(services::id.eq_any(&thread.services))
            .filter(services::archived_at.is_null())
            .select(services::id)
            .load(conn)?;
        for service in known_services {
            let insert = diesel::insert_into(thread_services::table)
                .values((thread_services::thread_id.eq(id), thread_services::service_id.eq(service)))
                .on_conflict_do_nothing();
            per_backend!(conn, |c| insert.execute(c))?;
        }
        let known_organisations: Vec<crate::domain::ids::OrganisationId> = organisations::table
            .filter(organisations::id.eq_any(&thread.organisations))
            .filter(organisations::archived_at.is_null())
            .select(organisations::id)
            .load(conn)?;
        for organisation in known_organisations {
            let insert = diesel::insert_into(thread_organisations::table)
                .values((
                    thread_organisations::thread_id.eq(id),
                    thread_organisations::organisation_id.eq(organisation),
                ))
                .on_conflict_do_nothing();
            per_backend!(conn, |c| insert.execute(c))?;
        }
        for need in &thread.needs {
            let insert = diesel::insert_into(thread_needs::table)
                .values((thread_needs::thread_id.eq(id), thread_needs::need_id.eq(need)))
                .on_conflict_do_nothing();
            per_backend!(conn, |c| insert.execute(c))?;
        }
        super::activity_feed::log(conn, Subject::Thread(id), now)?;
        Ok(id)
    })
}

fn insert_post(
    conn: &mut Conn,
    thread: ThreadId,
    number: i32,
    author: MemberId,
    (body, held): (&str, bool),
    now: NaiveDateTime,
) -> StoreResult<PostId> {
    let id = PostId::new();
    diesel::insert_into(posts::table)
        .values((
            posts::id.eq(id),
            posts::thread_id.eq(thread),
            posts::number.eq(number),
            posts::author_id.eq(author),
            posts::body.eq(body),
            posts::posted_at.eq(now),
            posts::held.eq(held),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Adds a reply to `thread`, numbered after the last post; a `held` one is
/// counted and shown once a moderator approves it. The thread's row is
/// changed first, so that two replies at once wait for each other.
pub fn reply(
    conn: &mut Conn,
    thread: ThreadId,
    author: MemberId,
    (body, held): (&str, bool),
    now: NaiveDateTime,
) -> StoreResult<PostId> {
    super::transaction(conn, |conn| {
        let changed = if held {
            diesel::update(threads::table.find(thread))
                .set(threads::replies.eq(threads::replies))
                .execute(conn)?
        } else {
            diesel::update(threads::table.find(thread))
                .set((threads::replies.eq(threads::replies + 1), threads::last_posted_at.eq(now)))
                .execute(conn)?
        };
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let last: Option<i32> = posts::table
            .filter(posts::thread_id.eq(thread))
            .select(diesel::dsl::max(posts::number))
            .first(conn)?;
        let post = insert_post(conn, thread, last.unwrap_or(0) + 1, author, (body, held), now)?;
        super::notifications::follow_thread(conn, author, thread, now)?;
        if !held {
            super::notifications::post_shown(conn, post, now)?;
        }
        super::activity_feed::log(conn, Subject::Thread(thread), now)?;
        Ok(post)
    })
}

/// Changes a post's text, saying when.
pub fn edit(conn: &mut Conn, post: PostId, body: &str, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        let thread: ThreadId = posts::table
            .find(post)
            .select(posts::thread_id)
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)?;
        diesel::update(posts::table.find(post))
            .set((posts::body.eq(body), posts::edited_at.eq(now)))
            .execute(conn)?;
        super::activity_feed::log(conn, Subject::Thread(thread), now)
    })
}

/// Removes a thread with its posts and what it names.
pub fn delete(conn: &mut Conn, thread: ThreadId) -> StoreResult<()> {
    diesel::delete(posts::table.filter(posts::thread_id.eq(thread))).execute(conn)?;
    diesel::delete(threads::table.find(thread)).execute(conn)?;
    Ok(())
}

/// Removes a reply, and counts the thread's replies again.
pub fn delete_reply(conn: &mut Conn, post: PostId) -> StoreResult<()> {
    let thread: ThreadId = posts::table.find(post).select(posts::thread_id).first(conn)?;
    diesel::delete(posts::table.find(post)).execute(conn)?;
    let replies: i64 = posts::table
        .filter(posts::thread_id.eq(thread))
        .filter(posts::number.gt(0))
        .filter(posts::held.eq(false))
        .filter(posts::hidden_at.is_null())
        .count()
        .get_result(conn)?;
    diesel::update(threads::table.find(thread))
        .set(threads::replies.eq(i32::try_from(replies).unwrap_or(i32::MAX)))
        .execute(conn)?;
    Ok(())
}

/// The authors of posts, as readers see them.
pub(super) fn authors(conn: &mut Conn, ids: &[MemberId]) -> StoreResult<HashMap<MemberId, Author>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(MemberId, String, Option<NaiveDateTime>, Option<String>)> = members::table
            .left_join(users::table)
            .filter(members::id.eq_any(chunk))
            .select((members::id, members::display_name, members::deleted_at, users::role.nullable()))
            .load(conn)?;
        let mut speaking = super::speakers::spoken_for(conn, chunk)?;
        for (id, name, deleted_at, role) in rows {
            let author = match deleted_at {
                Some(_) => Author::former(id),
                None => Author {
                    id,
                    name,
                    role: role.and_then(|r| Role::from_code(&r)).map(|r| r.label().to_string()),
                    speaks_for: speaking.remove(&id).unwrap_or_default(),
                },
            };
            found.insert(id, author);
        }
    }
    Ok(found)
}

pub(super) fn author_of(authors: &HashMap<MemberId, Author>, id: MemberId) -> Author {
    authors.get(&id).cloned().unwrap_or_else(|| Author::former(id))
}

type ThreadRow = (
    ThreadId,
    String,
    MemberId,
    NaiveDateTime,
    NaiveDateTime,
    i32,
    String,
    String,
    bool,
    Option<NaiveDateTime>,
    Option<String>,
);

/// Summaries of the threads chosen by `filter`, newest activity first.
fn summaries(conn: &mut Conn, rows: Vec<ThreadRow>) -> StoreResult<Vec<ThreadSummary>> {
    let ids: Vec<ThreadId> = rows.iter().map(|r| r.0).collect();
    let mut openings: HashMap<ThreadId, String> = HashMap::new();
    for chunk in ids.chunks(500) {
        let found: Vec<(ThreadId, String, bool)> = posts::table
            .filter(posts::thread_id.eq_any(chunk))
            .filter(posts::number.eq(0))
            .select((posts::thread_id, posts::body, posts::html))
            .load(conn)?;
        openings
            .extend(found.into_iter().map(|(id, body, html)| (id, markdown::plain_post(&body, html, 160))));
    }
    let author_ids: Vec<MemberId> = rows.iter().map(|r| r.2).collect();
    let authors = authors(conn, &author_ids)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                title,
                author,
                started_at,
                last_posted_at,
                replies,
                network_slug,
                network_name,
                visible,
                locked,
                link,
            )| {
                ThreadSummary {
                    visible,
                    locked: locked.is_some(),
                    link,
                    id,
                    title,
                    network_slug,
                    network_name,
                    author: author_of(&authors, author),
                    started_at,
                    last_posted_at,
                    replies: i64::from(replies),
                    excerpt: openings.remove(&id).unwrap_or_default(),
                }
            },
        )
        .collect())
}

/// The columns a thread is read with, with its network's slug and name.
type ThreadColumns = (
    threads::id,
    threads::title,
    threads::author_id,
    threads::started_at,
    threads::last_posted_at,
    threads::replies,
    networks::slug,
    networks::name,
    threads::visible,
    threads::locked_at,
    threads::link,
);

fn thread_columns() -> ThreadColumns {
    (
        threads::id,
        threads::title,
        threads::author_id,
        threads::started_at,
        threads::last_posted_at,
        threads::replies,
        networks::slug,
        networks::name,
        threads::visible,
        threads::locked_at,
        threads::link,
    )
}

/// A page (from 1) of `network`'s threads, the most recently active first.
pub fn of_network(conn: &mut Conn, network: NetworkId, page: usize) -> StoreResult<Vec<ThreadSummary>> {
    let skip = i64::try_from(page.saturating_sub(1) * THREADS_PER_PAGE).unwrap_or(i64::MAX);
    let rows: Vec<ThreadRow> = threads::table
        .inner_join(networks::table)
        .filter(threads::network_id.eq(network))
        .filter(threads::visible.eq(true))
        .order((threads::last_posted_at.desc(), threads::id))
        .offset(skip)
        .limit(i64::try_from(THREADS_PER_PAGE).unwrap_or(30))
        .select(thread_columns())
        .load(conn)?;
    summaries(conn, rows)
}

/// The `most` most recently active threads of every network.
pub fn latest(conn: &mut Conn, most: i64) -> StoreResult<Vec<ThreadSummary>> {
    let rows: Vec<ThreadRow> = threads::table
        .inner_join(networks::table)
        .filter(threads::visible.eq(true))
        .order((threads::last_posted_at.desc(), threads::id))
        .limit(most)
        .select(thread_columns())
        .load(conn)?;
    summaries(conn, rows)
}

/// The shown threads of `networks` started from `since` to before `until`,
/// the newest first: at most `most`.
pub fn started_between(
    conn: &mut Conn,
    networks_in: &[NetworkId],
    (since, until): (NaiveDateTime, NaiveDateTime),
    most: i64,
) -> StoreResult<Vec<ThreadSummary>> {
    let rows: Vec<ThreadRow> = threads::table
        .inner_join(networks::table)
        .filter(threads::network_id.eq_any(networks_in))
        .filter(threads::visible.eq(true))
        .filter(threads::started_at.ge(since))
        .filter(threads::started_at.lt(until))
        .order((threads::started_at.desc(), threads::id))
        .limit(most)
        .select(thread_columns())
        .load(conn)?;
    summaries(conn, rows)
}

/// The `most` most recently active threads that name a service.
pub fn naming_service(
    conn: &mut Conn,
    service: crate::domain::ids::ServiceId,
    most: i64,
) -> StoreResult<Vec<ThreadSummary>> {
    let ids: Vec<ThreadId> = thread_services::table
        .filter(thread_services::service_id.eq(service))
        .select(thread_services::thread_id)
        .load(conn)?;
    latest_of(conn, &ids, most)
}

/// The `most` most recently active threads that name an organisation.
pub fn naming_organisation(
    conn: &mut Conn,
    organisation: crate::domain::ids::OrganisationId,
    most: i64,
) -> StoreResult<Vec<ThreadSummary>> {
    let ids: Vec<ThreadId> = thread_organisations::table
        .filter(thread_organisations::organisation_id.eq(organisation))
        .select(thread_organisations::thread_id)
        .load(conn)?;
    latest_of(conn, &ids, most)
}

fn latest_of(conn: &mut Conn, ids: &[ThreadId], most: i64) -> StoreResult<Vec<ThreadSummary>> {
    let mut rows: Vec<ThreadRow> = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            threads::table
                .inner_join(networks::table)
                .filter(threads::id.eq_any(chunk))
                .filter(threads::visible.eq(true))
                .select(thread_columns())
                .load::<ThreadRow>(conn)?,
        );
    }
    rows.sort_by(|a, b| b.4.cmp(&a.4).then(a.0.cmp(&b.0)));
    rows.truncate(usize::try_from(most).unwrap_or(0));
    summaries(conn, rows)
}

/// A thread's summary.
pub fn summary(conn: &mut Conn, thread: ThreadId) -> StoreResult<ThreadSummary> {
    let row: ThreadRow = threads::table
        .inner_join(networks::table)
        .filter(threads::id.eq(thread))
        .select(thread_columns())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    Ok(summaries(conn, vec![row])?.remove(0))
}

/// The network a thread is in.
pub fn network_of(conn: &mut Conn, thread: ThreadId) -> StoreResult<NetworkId> {
    threads::table
        .find(thread)
        .select(threads::network_id)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

type PostRow =
    (PostId, MemberId, (String, bool), NaiveDateTime, Option<NaiveDateTime>, bool, Option<NaiveDateTime>);

fn stored(conn: &mut Conn, rows: Vec<PostRow>) -> StoreResult<Vec<StoredPost>> {
    let ids: Vec<MemberId> = rows.iter().map(|r| r.1).collect();
    let authors = authors(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(id, author, (body, html), posted_at, edited_at, held, hidden_at)| StoredPost {
            id,
            author: author_of(&authors, author),
            body,
            html,
            posted_at,
            edited_at,
            held,
            hidden: hidden_at.is_some(),
        })
        .collect())
}

fn post_columns() -> (
    posts::id,
    posts::author_id,
    (posts::body, posts::html),
    posts::posted_at,
    posts::edited_at,
    posts::held,
    posts::hidden_at,
) {
    (
        posts::id,
        posts::author_id,
        (posts::body, posts::html),
        posts::posted_at,
        posts::edited_at,
        posts::held,
        posts::hidden_at,
    )
}

/// A thread's opening post and one page (from 1) of the replies readers
/// see, with `viewer`'s own held or hidden replies among them (they are told).
pub fn posts_page(
    conn: &mut Conn,
    thread: ThreadId,
    page: usize,
    viewer: Option<MemberId>,
) -> StoreResult<(StoredPost, Vec<StoredPost>)> {
    let opening: PostRow = posts::table
        .filter(posts::thread_id.eq(thread))
        .filter(posts::number.eq(0))
        .select(post_columns())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let skip = i64::try_from(page.saturating_sub(1) * REPLIES_PER_PAGE).unwrap_or(i64::MAX);
    let shown = posts::held.eq(false).and(posts::hidden_at.is_null());
    let own = posts::author_id.nullable().eq(viewer);
    let replies: Vec<PostRow> = posts::table
        .filter(posts::thread_id.eq(thread))
        .filter(posts::number.gt(0))
        .filter(shown.or(own.assume_not_null()))
        .order(posts::number)
        .offset(skip)
        .limit(i64::try_from(REPLIES_PER_PAGE).unwrap_or(50))
        .select(post_columns())
        .load(conn)?;
    let mut all = stored(conn, std::iter::once(opening).chain(replies).collect())?;
    let opening = all.remove(0);
    Ok((opening, all))
}

/// One post, and the thread it is in.
pub fn post(conn: &mut Conn, post: PostId) -> StoreResult<(StoredPost, ThreadId)> {
    let (row, thread): (PostRow, ThreadId) = posts::table
        .find(post)
        .select((post_columns(), posts::thread_id))
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    Ok((stored(conn, vec![row])?.remove(0), thread))
}

/// The listings a thread names, services first, each by name.
pub fn named(conn: &mut Conn, thread: ThreadId) -> StoreResult<Vec<NamedListing>> {
    let services: Vec<(crate::domain::ids::ServiceId, String, String)> = thread_services::table
        .inner_join(services::table.inner_join(organisations::table))
        .filter(thread_services::thread_id.eq(thread))
        .filter(services::archived_at.is_null())
        .order(services::name)
        .select((services::id, services::name, organisations::name))
        .load(conn)?;
    let organisations: Vec<(crate::domain::ids::OrganisationId, String)> = thread_organisations::table
        .inner_join(organisations::table)
        .filter(thread_organisations::thread_id.eq(thread))
        .filter(organisations::archived_at.is_null())
        .order(organisations::name)
        .select((organisations::id, organisations::name))
        .load(conn)?;
    Ok(services
        .into_iter()
        .map(|(id, name, by)| NamedListing { path: format!("/services/{id}"), name, by: Some(by) })
        .chain(organisations.into_iter().map(|(id, name)| NamedListing {
            path: format!("/organisations/{id}"),
            name,
            by: None,
        }))
        .collect())
}

/// The needs a thread carries as tags.
pub fn needs_of(conn: &mut Conn, thread: ThreadId) -> StoreResult<Vec<NeedLabel>> {
    Ok(thread_needs::table
        .inner_join(needs::table)
        .filter(thread_needs::thread_id.eq(thread))
        .order(needs::label)
        .select((needs::slug, needs::label))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(slug, label)| NeedLabel { slug, label })
        .collect())
}

/// The most plain words of a thread's posts the search index takes.
const SEARCHED_TEXT: usize = 100_000;

/// The threads of `ids` that readers see, ready for the network activity
/// index: their shown posts' words, tags and where their network is.
pub fn searchable(conn: &mut Conn, ids: &[ThreadId]) -> StoreResult<Vec<SearchableThread>> {
    let mut all = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        type Row = (ThreadId, String, NaiveDateTime, i32, String, String, Option<f64>, Option<f64>);
        let rows: Vec<Row> = threads::table
            .inner_join(networks::table.left_join(neighbourhoods::table))
            .filter(threads::id.eq_any(chunk))
            .filter(threads::visible.eq(true))
            .select((
                threads::id,
                threads::title,
                threads::last_posted_at,
                threads::replies,
                networks::slug,
                networks::name,
                neighbourhoods::latitude.nullable(),
                neighbourhoods::longitude.nullable(),
            ))
            .load(conn)?;
        let mut words: HashMap<ThreadId, (String, String)> = HashMap::new();
        let bodies: Vec<(ThreadId, i32, String, bool)> = posts::table
            .filter(posts::thread_id.eq_any(chunk))
            .filter(posts::held.eq(false))
            .filter(posts::hidden_at.is_null())
            .order((posts::thread_id, posts::number))
            .select((posts::thread_id, posts::number, posts::body, posts::html))
            .load(conn)?;
        for (thread, number, body, html) in bodies {
            let (excerpt, text) = words.entry(thread).or_default();
            if number == 0 {
                *excerpt = markdown::plain_post(&body, html, 200);
            }
            if text.len() < SEARCHED_TEXT {
                text.push_str(&markdown::plain_post(&body, html, SEARCHED_TEXT - text.len()));
                text.push('\n');
            }
        }
        let mut tags: HashMap<ThreadId, Vec<String>> = HashMap::new();
        let tagged: Vec<(ThreadId, String)> = thread_needs::table
            .inner_join(needs::table)
            .filter(thread_needs::thread_id.eq_any(chunk))
            .select((thread_needs::thread_id, needs::slug))
            .load(conn)?;
        for (thread, slug) in tagged {
            tags.entry(thread).or_default().push(slug);
        }
        for (id, title, last_posted_at, replies, network_slug, network_name, latitude, longitude) in rows {
            let (excerpt, text) = words.remove(&id).unwrap_or_default();
            all.push(SearchableThread {
                id,
                title,
                excerpt,
                text,
                needs: tags.remove(&id).unwrap_or_default(),
                network_slug,
                network_name,
                point: latitude.zip(longitude),
                last_posted_at,
                replies: i64::from(replies),
            });
        }
    }
    Ok(all)
}
