//! Neighbouring areas' feeds: which are followed, when each is read next
//! (claimed by one server at a time, like the imports), how the last read
//! went, and the copy of each last read whole.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{neighbour_feed_copies as copies, neighbour_feeds as feeds, services};
use super::{Conn, StoreResult};
use crate::domain::ids::{NeighbourFeedId, ServiceId, UserId};
use crate::domain::neighbours::{FeedCopy, NeighbourFeed, READ_EVERY_HOURS, RETRY_AFTER_HOURS};

/// How long a read is left to the server that claimed it.
const CLAIM: Duration = Duration::minutes(30);

type Row = (
    NeighbourFeedId,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<String>,
    i32,
);

macro_rules! feed_columns {
    () => {
        (
            feeds::id,
            feeds::area,
            feeds::url,
            feeds::added_at,
            feeds::next_read_at,
            feeds::last_read_at,
            feeds::last_good_at,
            feeds::last_error,
            feeds::services,
        )
    };
}

fn feed_of(row: Row) -> NeighbourFeed {
    let (id, area, url, added_at, next_read_at, last_read_at, last_good_at, last_error, services) = row;
    NeighbourFeed {
        id,
        area,
        url,
        added_at,
        next_read_at,
        last_read_at,
        last_good_at,
        last_error,
        services: i64::from(services),
    }
}

/// Follows a feed, to be read at once. False when it is followed already.
pub fn follow(
    conn: &mut Conn,
    id: NeighbourFeedId,
    area: &str,
    url: &str,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    super::transaction(conn, |conn| {
        let known: i64 = feeds::table.filter(feeds::url.eq(url)).count().get_result(conn)?;
        if known > 0 {
            return Ok(false);
        }
        diesel::insert_into(feeds::table)
            .values((
                feeds::id.eq(id),
                feeds::area.eq(area),
                feeds::url.eq(url),
                feeds::added_by.eq(by),
                feeds::added_at.eq(now),
                feeds::next_read_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Every feed followed, by area.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<NeighbourFeed>> {
    let rows: Vec<Row> = feeds::table.order((feeds::area, feeds::url)).select(feed_columns!()).load(conn)?;
    Ok(rows.into_iter().map(feed_of).collect())
}

pub fn get(conn: &mut Conn, id: NeighbourFeedId) -> StoreResult<NeighbourFeed> {
    Ok(feed_of(feeds::table.find(id).select(feed_columns!()).first(conn)?))
}

/// Asks for a feed to be read at the next chance.
pub fn read_soon(conn: &mut Conn, id: NeighbourFeedId, now: NaiveDateTime) -> StoreResult<()> {
    let asked = diesel::update(feeds::table.find(id)).set(feeds::next_read_at.eq(now)).execute(conn)?;
    if asked == 0 { Err(super::StoreError::NotFound) } else { Ok(()) }
}

/// Claims a feed that is due to be read; none when none is.
pub fn claim_due(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<Option<NeighbourFeed>> {
    let due: Vec<NeighbourFeedId> = feeds::table
        .filter(feeds::next_read_at.le(now))
        .filter(feeds::claimed_until.is_null().or(feeds::claimed_until.lt(now)))
        .order(feeds::next_read_at)
        .limit(5)
        .select(feeds::id)
        .load(conn)?;
    for id in due {
        let taken = diesel::update(feeds::table.find(id))
            .filter(feeds::next_read_at.le(now))
            .filter(feeds::claimed_until.is_null().or(feeds::claimed_until.lt(now)))
            .set(feeds::claimed_until.eq(now + CLAIM))
            .execute(conn)?;
        if taken == 1 {
            return get(conn, id).map(Some);
        }
    }
    Ok(None)
}

/// The copy of a feed last read whole, by the address of each document.
pub fn copies(conn: &mut Conn, id: NeighbourFeedId) -> StoreResult<HashMap<String, FeedCopy>> {
    type Copy = (String, Option<String>, Option<String>, Vec<u8>);
    let rows: Vec<Copy> = copies::table
        .filter(copies::feed_id.eq(id))
        .select((copies::url, copies::etag, copies::last_modified, copies::body))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(url, etag, last_modified, body)| (url, FeedCopy { etag, last_modified, body }))
        .collect())
}

/// A read that went well: the copy read is kept in place of the last one
/// (`None` when nothing changed), and the feed is read again in a day.
pub fn read_well(
    conn: &mut Conn,
    id: NeighbourFeedId,
    copy: Option<&HashMap<String, FeedCopy>>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        if copy.is_some() {
            diesel::delete(copies::table.filter(copies::feed_id.eq(id))).execute(conn)?;
        }
        for (url, document) in copy.into_iter().flatten() {
            diesel::insert_into(copies::table)
                .values((
                    copies::feed_id.eq(id),
                    copies::url.eq(url),
                    copies::etag.eq(&document.etag),
                    copies::last_modified.eq(&document.last_modified),
                    copies::body.eq(&document.body),
                ))
                .execute(conn)?;
        }
        let listed: i64 = services::table
            .filter(services::listed_by.eq(Some(id)))
            .filter(services::status.eq("active"))
            .filter(services::archived_at.is_null())
            .count()
            .get_result(conn)?;
        diesel::update(feeds::table.find(id))
            .set((
                feeds::last_read_at.eq(Some(now)),
                feeds::last_good_at.eq(Some(now)),
                feeds::last_error.eq(None::<String>),
                feeds::services.eq(i32::try_from(listed).unwrap_or(i32::MAX)),
                feeds::next_read_at.eq(now + Duration::hours(READ_EVERY_HOURS)),
                feeds::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// A read that failed: what was read before stays, the reason is kept to be
/// shown, and the feed is tried again within the hour.
pub fn read_badly(conn: &mut Conn, id: NeighbourFeedId, error: &str, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(feeds::table.find(id))
        .set((
            feeds::last_read_at.eq(Some(now)),
            feeds::last_error.eq(Some(error)),
            feeds::next_read_at.eq(now + Duration::hours(RETRY_AFTER_HOURS)),
            feeds::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Who keeps each of `ids` that is stored: the feed that lists it, or none
/// for this area's own.
pub fn owners(
    conn: &mut Conn,
    ids: &[ServiceId],
) -> StoreResult<HashMap<ServiceId, Option<NeighbourFeedId>>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(5_000) {
        let rows: Vec<(ServiceId, Option<NeighbourFeedId>)> = services::table
            .filter(services::id.eq_any(chunk))
            .select((services::id, services::listed_by))
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// The area that lists each of `ids` that another area lists.
pub fn listed_by(conn: &mut Conn, ids: &[ServiceId]) -> StoreResult<HashMap<ServiceId, String>> {
    let mut found = HashMap::new();
    let followed: i64 = feeds::table.count().get_result(conn)?;
    for chunk in ids.chunks(5_000).filter(|_| followed > 0) {
        let rows: Vec<(ServiceId, String)> = services::table
            .inner_join(feeds::table.on(services::listed_by.eq(feeds::id.nullable())))
            .filter(services::id.eq_any(chunk))
            .select((services::id, feeds::area))
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}
