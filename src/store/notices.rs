//! Notices about a service: kept, and read for its page.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{notices, services};
use super::{Conn, StoreResult};
use crate::domain::directory::Capacity;
use crate::domain::ids::{MemberId, NoticeId, ServiceId};
use crate::domain::networks::NoticeView;

/// Keeps a notice about `service`; its capacity, if it says one, is set on
/// the listing by the caller in the same transaction.
pub fn insert(
    conn: &mut Conn,
    service: ServiceId,
    author: MemberId,
    (body, capacity): (&str, Option<Capacity>),
    now: NaiveDateTime,
) -> StoreResult<NoticeId> {
    let id = NoticeId::new();
    diesel::insert_into(notices::table)
        .values((
            notices::id.eq(id),
            notices::service_id.eq(service),
            notices::author_id.eq(author),
            notices::body.eq(body),
            notices::capacity.eq(capacity.map(Capacity::code)),
            notices::posted_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// How many notices `member` posted since `since`.
pub fn sent_since(conn: &mut Conn, member: MemberId, since: NaiveDateTime) -> StoreResult<i64> {
    Ok(notices::table
        .filter(notices::author_id.eq(member))
        .filter(notices::posted_at.gt(since))
        .count()
        .get_result(conn)?)
}

/// The latest `most` notices about `service`, newest first.
pub fn of_service(conn: &mut Conn, service: ServiceId, most: i64) -> StoreResult<Vec<NoticeView>> {
    let rows: Vec<(NoticeId, MemberId, String, Option<String>, NaiveDateTime)> = notices::table
        .filter(notices::service_id.eq(service))
        .filter(notices::hidden_at.is_null())
        .order(notices::posted_at.desc())
        .limit(most)
        .select((notices::id, notices::author_id, notices::body, notices::capacity, notices::posted_at))
        .load(conn)?;
    let authors: Vec<MemberId> = rows.iter().map(|r| r.1).collect();
    let authors = super::threads::authors(conn, &authors)?;
    Ok(rows
        .into_iter()
        .map(|(id, author, body, capacity, posted_at)| NoticeView {
            id,
            author: super::threads::author_of(&authors, author),
            body,
            capacity: capacity.as_deref().and_then(Capacity::from_code),
            posted_at,
        })
        .collect())
}

/// The latest `most` notices about any of `among` (about any service, when
/// none), newest first, each with its service's id and name.
pub fn latest(
    conn: &mut Conn,
    among: Option<&[ServiceId]>,
    most: i64,
) -> StoreResult<Vec<(NoticeView, ServiceId, String)>> {
    type Row = (NoticeId, MemberId, String, Option<String>, NaiveDateTime, ServiceId, String);
    let mut query = notices::table
        .inner_join(services::table)
        .filter(notices::hidden_at.is_null())
        .filter(services::archived_at.is_null())
        .order(notices::posted_at.desc())
        .limit(most)
        .select((
            notices::id,
            notices::author_id,
            notices::body,
            notices::capacity,
            notices::posted_at,
            services::id,
            services::name,
        ))
        .into_boxed();
    if let Some(among) = among {
        query = query.filter(notices::service_id.eq_any(among.to_vec()));
    }
    let rows: Vec<Row> = query.load(conn)?;
    let authors: Vec<MemberId> = rows.iter().map(|r| r.1).collect();
    let authors = super::threads::authors(conn, &authors)?;
    Ok(rows
        .into_iter()
        .map(|(id, author, body, capacity, posted_at, service, name)| {
            let notice = NoticeView {
                id,
                author: super::threads::author_of(&authors, author),
                body,
                capacity: capacity.as_deref().and_then(Capacity::from_code),
                posted_at,
            };
            (notice, service, name)
        })
        .collect())
}
