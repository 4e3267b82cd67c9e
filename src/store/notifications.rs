//! Telling members about new posts: the threads they follow, a row for each
//! new post each follower is to hear about, and claiming a member's rows for
//! one email at most once in a while (so that two servers never send it
//! twice). Members who asked for no more emails, or left, hear nothing.

use crate::domain::digests::DigestEvery;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    members, network_follows, networks, notifications, posts, thread_follows, threads, users,
};
use super::{Conn, StoreResult, per_backend};
use crate::domain::ids::{MemberId, PostId, ThreadId};
use crate::domain::markdown;
use crate::domain::networks::NotifiedPost;

/// `member` follows `thread` (again is nothing new).
pub fn follow_thread(
    conn: &mut Conn,
    member: MemberId,
    thread: ThreadId,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let insert = diesel::insert_into(thread_follows::table)
        .values((
            thread_follows::member_id.eq(member),
            thread_follows::thread_id.eq(thread),
            thread_follows::followed_at.eq(now),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(())
}

/// `member` no longer follows `thread`.
pub fn unfollow_thread(conn: &mut Conn, member: MemberId, thread: ThreadId) -> StoreResult<()> {
    diesel::delete(
        thread_follows::table
            .filter(thread_follows::member_id.eq(member))
            .filter(thread_follows::thread_id.eq(thread)),
    )
    .execute(conn)?;
    Ok(())
}

/// Whether `member` follows `thread`.
pub fn follows_thread(conn: &mut Conn, member: MemberId, thread: ThreadId) -> StoreResult<bool> {
    let found: i64 = thread_follows::table
        .filter(thread_follows::member_id.eq(member))
        .filter(thread_follows::thread_id.eq(thread))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Notes a post that readers now see for everyone who follows its thread
/// or its network, but its author.
pub fn post_shown(conn: &mut Conn, post: PostId, now: NaiveDateTime) -> StoreResult<()> {
    let (thread, author): (ThreadId, MemberId) =
        posts::table.find(post).select((posts::thread_id, posts::author_id)).first(conn)?;
    let network: crate::domain::ids::NetworkId =
        threads::table.find(thread).select(threads::network_id).first(conn)?;
    let mut followers: Vec<MemberId> = thread_follows::table
        .filter(thread_follows::thread_id.eq(thread))
        .select(thread_follows::member_id)
        .load(conn)?;
    followers.extend(
        network_follows::table
            .filter(network_follows::network_id.eq(network))
            .select(network_follows::member_id)
            .load::<MemberId>(conn)?,
    );
    followers.sort();
    followers.dedup();
    followers.retain(|m| *m != author);
    for chunk in followers.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|member| {
                (
                    notifications::member_id.eq(*member),
                    notifications::post_id.eq(post),
                    notifications::created_at.eq(now),
                )
            })
            .collect();
        let insert = diesel::insert_into(notifications::table).values(rows).on_conflict_do_nothing();
        per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// Members with posts to hear about who were not emailed in the last
/// `every`, those waiting longest first; `most` of them.
pub fn members_waiting(
    conn: &mut Conn,
    every: Duration,
    now: NaiveDateTime,
    most: i64,
) -> StoreResult<Vec<MemberId>> {
    Ok(notifications::table
        .inner_join(members::table)
        .filter(notifications::sent_at.is_null())
        .filter(members::notified_at.is_null().or(members::notified_at.le(now - every)))
        .group_by(notifications::member_id)
        .select(notifications::member_id)
        .order(diesel::dsl::min(notifications::created_at))
        .limit(most)
        .load(conn)?)
}

/// What claiming a member's notifications found.
pub enum Claimed {
    /// Emailed less than `every` ago: their posts wait for the next time.
    NotYet,
    /// They left, or asked for no more emails: their posts are dropped.
    Dropped,
    /// Theirs to send now: their address, name and the posts, oldest first.
    Send { to: String, name: String, posts: Vec<NotifiedPost> },
}

/// Claims `member`'s waiting notifications for one email at `now`, if they
/// were not emailed in the last `every`; the rows are marked sent in the
/// same transaction, so another server finds nothing.
pub fn claim(conn: &mut Conn, member: MemberId, every: Duration, now: NaiveDateTime) -> StoreResult<Claimed> {
    super::transaction(conn, |conn| {
        type Who = (Option<String>, String, Option<NaiveDateTime>, Option<NaiveDateTime>, Option<String>);
        let (email, name, deleted, off, staff_email): Who = members::table
            .left_join(users::table)
            .filter(members::id.eq(member))
            .select((
                members::email,
                members::display_name,
                members::deleted_at,
                members::emails_off_at,
                users::email.nullable(),
            ))
            .first(conn)?;
        let waiting = notifications::table
            .filter(notifications::member_id.eq(member))
            .filter(notifications::sent_at.is_null());
        let Some(to) = email.or(staff_email).filter(|_| deleted.is_none() && off.is_none()) else {
            diesel::update(waiting).set(notifications::sent_at.eq(now)).execute(conn)?;
            return Ok(Claimed::Dropped);
        };
        let claimed = diesel::update(
            members::table
                .find(member)
                .filter(members::notified_at.is_null().or(members::notified_at.le(now - every))),
        )
        .set(members::notified_at.eq(now))
        .execute(conn)?;
        if claimed == 0 {
            return Ok(Claimed::NotYet);
        }
        type Row = (
            PostId,
            ThreadId,
            String,
            String,
            MemberId,
            (String, bool),
            NaiveDateTime,
            bool,
            Option<NaiveDateTime>,
            bool,
        );
        let rows: Vec<Row> = notifications::table
            .inner_join(posts::table.inner_join(threads::table.inner_join(networks::table)))
            .filter(notifications::member_id.eq(member))
            .filter(notifications::sent_at.is_null())
            .order(posts::posted_at)
            .select((
                posts::id,
                posts::thread_id,
                threads::title,
                networks::name,
                posts::author_id,
                (posts::body, posts::html),
                posts::posted_at,
                posts::held,
                posts::hidden_at,
                threads::visible,
            ))
            .load(conn)?;
        diesel::update(waiting).set(notifications::sent_at.eq(now)).execute(conn)?;
        let authors: Vec<MemberId> = rows.iter().map(|r| r.4).collect();
        let authors = super::threads::authors(conn, &authors)?;
        let posts: Vec<NotifiedPost> = rows
            .into_iter()
            // A post hidden since, or in a thread hidden since, is not told.
            .filter(|r| !r.7 && r.8.is_none() && r.9)
            .map(|(post, thread, title, network, author, (body, html), posted_at, ..)| NotifiedPost {
                post,
                thread,
                thread_title: title,
                network_name: network,
                author: super::threads::author_of(&authors, author).name,
                excerpt: markdown::plain_post(&body, html, 300),
                posted_at,
            })
            .collect();
        if posts.is_empty() {
            return Ok(Claimed::Dropped);
        }
        Ok(Claimed::Send { to, name, posts })
    })
}

/// Marks every waiting notification sent, without sending: for the demo,
/// whose conversations are history when it is seeded.
pub fn forget_waiting(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(notifications::table.filter(notifications::sent_at.is_null()))
        .set(notifications::sent_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// No more emails about new posts for `member`, until they follow again,
/// and no digest until they choose one again.
pub fn stop_emails(conn: &mut Conn, member: MemberId, now: NaiveDateTime) -> StoreResult<bool> {
    let changed = diesel::update(members::table.find(member).filter(members::emails_off_at.is_null()))
        .set((members::emails_off_at.eq(now), members::digest.eq(DigestEvery::Off.code())))
        .execute(conn)?;
    diesel::update(
        notifications::table
            .filter(notifications::member_id.eq(member))
            .filter(notifications::sent_at.is_null()),
    )
    .set(notifications::sent_at.eq(now))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Emails about new posts again (following a network or thread asks for them).
pub fn emails_on(conn: &mut Conn, member: MemberId) -> StoreResult<()> {
    diesel::update(members::table.find(member))
        .set(members::emails_off_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(())
}

/// Whether `member` has asked for no emails about new posts.
pub fn emails_off(conn: &mut Conn, member: MemberId) -> StoreResult<bool> {
    let off: Option<NaiveDateTime> =
        members::table.find(member).select(members::emails_off_at).first(conn)?;
    Ok(off.is_some())
}
