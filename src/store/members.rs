//! Members of the neighbourhood networks: joining, the one-time links emailed
//! to confirm an address and to sign in, sessions, and leaving. A member of
//! staff is a member through their account, made the first time they take
//! part. Tokens are kept only as their hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::activity_feed::Subject;
use super::schema::{
    events, member_links, member_sessions, members, network_follows, notices, posts, threads, users,
};
use super::users::token_hash;
use super::{Conn, StoreResult, per_backend};
use crate::domain::accounts::StaffUser;
use crate::domain::ids::{EventId, MemberId, PostId, ThreadId, UserId};
use crate::domain::networks::{Joining, LinkPurpose, Member};

/// What joining with an address found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Joined {
    /// A new member, or one who joined before and never confirmed (their
    /// name is the one given now): send them a link to confirm.
    New(MemberId),
    /// The address is a member's already: send them a link to sign in
    /// instead (the page says the same either way, so that nobody learns who
    /// is a member).
    Already(MemberId),
}

/// Adds a member who has yet to confirm their address, or finds them.
pub fn join(conn: &mut Conn, joining: &Joining, now: NaiveDateTime) -> StoreResult<Joined> {
    super::transaction(conn, |conn| {
        let found: Option<(MemberId, Option<NaiveDateTime>)> = members::table
            .filter(members::email.eq(&joining.email))
            .select((members::id, members::confirmed_at))
            .first(conn)
            .optional()?;
        match found {
            Some((id, Some(_))) => Ok(Joined::Already(id)),
            Some((id, None)) => {
                diesel::update(members::table.find(id))
                    .set(members::display_name.eq(&joining.display_name))
                    .execute(conn)?;
                Ok(Joined::New(id))
            }
            None => {
                let id = MemberId::new();
                diesel::insert_into(members::table)
                    .values((
                        members::id.eq(id),
                        members::email.eq(&joining.email),
                        members::display_name.eq(&joining.display_name),
                        members::joined_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(Joined::New(id))
            }
        }
    })
}

/// The member with this address who may sign in (confirmed, not deleted),
/// with their password's hash if they chose one.
pub fn by_email(conn: &mut Conn, email: &str) -> StoreResult<Option<(MemberId, Option<String>)>> {
    Ok(members::table
        .filter(members::email.eq(email.trim().to_lowercase()))
        .filter(members::confirmed_at.is_not_null())
        .filter(members::deleted_at.is_null())
        .select((members::id, members::password_hash))
        .first(conn)
        .optional()?)
}

/// Keeps a one-time link for `member`, known by `token`.
pub fn add_link(
    conn: &mut Conn,
    member: MemberId,
    token: &str,
    purpose: LinkPurpose,
    now: NaiveDateTime,
    expires: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(member_links::table)
        .values((
            member_links::token_hash.eq(token_hash(token)),
            member_links::member_id.eq(member),
            member_links::purpose.eq(purpose.code()),
            member_links::created_at.eq(now),
            member_links::expires_at.eq(expires),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many links were sent to `member` since `since`: a limit on how many
/// emails one address can be sent.
pub fn links_sent_since(conn: &mut Conn, member: MemberId, since: NaiveDateTime) -> StoreResult<i64> {
    Ok(member_links::table
        .filter(member_links::member_id.eq(member))
        .filter(member_links::created_at.gt(since))
        .count()
        .get_result(conn)?)
}

/// Where a one-time link has got to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// It may be used, for this, by the member of this name.
    Usable {
        purpose: LinkPurpose,
        display_name: String,
    },
    Used,
    Expired,
    /// No such link, a forged one, or its member has left.
    Unknown,
}

/// Where the link `token` names has got to.
pub fn link_state(conn: &mut Conn, token: &str, now: NaiveDateTime) -> StoreResult<LinkState> {
    type Link = (String, NaiveDateTime, Option<NaiveDateTime>, String, Option<NaiveDateTime>);
    let found: Option<Link> = member_links::table
        .inner_join(members::table)
        .filter(member_links::token_hash.eq(token_hash(token)))
        .select((
            member_links::purpose,
            member_links::expires_at,
            member_links::used_at,
            members::display_name,
            members::deleted_at,
        ))
        .first(conn)
        .optional()?;
    Ok(match found {
        None | Some((_, _, _, _, Some(_))) => LinkState::Unknown,
        Some((_, _, Some(_), _, None)) => LinkState::Used,
        Some((_, expires, None, _, None)) if expires <= now => LinkState::Expired,
        Some((purpose, _, None, display_name, None)) => match LinkPurpose::from_code(&purpose) {
            Some(purpose) => LinkState::Usable { purpose, display_name },
            None => LinkState::Unknown,
        },
    })
}

/// Uses the link `token` names, once: its member's address is confirmed
/// (whichever link it was, it reached them). The member, or `None` when the
/// link was not usable.
pub fn use_link(conn: &mut Conn, token: &str, now: NaiveDateTime) -> StoreResult<Option<MemberId>> {
    super::transaction(conn, |conn| {
        let hash = token_hash(token);
        let member: Option<MemberId> = member_links::table
            .inner_join(members::table)
            .filter(member_links::token_hash.eq(&hash))
            .filter(member_links::used_at.is_null())
            .filter(member_links::expires_at.gt(now))
            .filter(members::deleted_at.is_null())
            .select(member_links::member_id)
            .first(conn)
            .optional()?;
        let Some(member) = member else { return Ok(None) };
        let claimed = diesel::update(member_links::table.find(&hash).filter(member_links::used_at.is_null()))
            .set(member_links::used_at.eq(now))
            .execute(conn)?;
        if claimed != 1 {
            return Ok(None);
        }
        diesel::update(members::table.find(member).filter(members::confirmed_at.is_null()))
            .set(members::confirmed_at.eq(now))
            .execute(conn)?;
        Ok(Some(member))
    })
}

/// Starts a session for `member`, known by `token`.
pub fn start_session(
    conn: &mut Conn,
    member: MemberId,
    token: &str,
    now: NaiveDateTime,
    expires: NaiveDateTime,
) -> StoreResult<()> {
    diesel::delete(member_sessions::table.filter(member_sessions::expires_at.lt(now))).execute(conn)?;
    diesel::insert_into(member_sessions::table)
        .values((
            member_sessions::token_hash.eq(token_hash(token)),
            member_sessions::member_id.eq(member),
            member_sessions::created_at.eq(now),
            member_sessions::expires_at.eq(expires),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends the session `token` names.
pub fn end_session(conn: &mut Conn, token: &str) -> StoreResult<()> {
    diesel::delete(member_sessions::table.filter(member_sessions::token_hash.eq(token_hash(token))))
        .execute(conn)?;
    Ok(())
}

type MemberRow = (MemberId, String, Option<String>, Option<String>, Option<UserId>, Option<String>);

fn member_of(row: MemberRow) -> Member {
    let (id, display_name, email, password_hash, staff, staff_email) = row;
    Member {
        id,
        display_name,
        email: email.or(staff_email).unwrap_or_default(),
        staff,
        has_password: password_hash.is_some(),
    }
}

/// The member whose unexpired session `token` names.
pub fn session_member(conn: &mut Conn, token: &str, now: NaiveDateTime) -> StoreResult<Option<Member>> {
    let row: Option<MemberRow> = member_sessions::table
        .inner_join(members::table.left_join(users::table))
        .filter(member_sessions::token_hash.eq(token_hash(token)))
        .filter(member_sessions::expires_at.gt(now))
        .filter(members::deleted_at.is_null())
        .select((
            members::id,
            members::display_name,
            members::email,
            members::password_hash,
            members::user_id,
            users::email.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(member_of))
}

/// A member by id, while they are a member.
pub fn by_id(conn: &mut Conn, id: MemberId) -> StoreResult<Option<Member>> {
    let row: Option<MemberRow> = members::table
        .left_join(users::table)
        .filter(members::id.eq(id))
        .filter(members::deleted_at.is_null())
        .select((
            members::id,
            members::display_name,
            members::email,
            members::password_hash,
            members::user_id,
            users::email.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(member_of))
}

/// The member a member of staff is, if they have taken part yet.
pub fn of_staff(conn: &mut Conn, user: UserId) -> StoreResult<Option<Member>> {
    let id: Option<MemberId> =
        members::table.filter(members::user_id.eq(user)).select(members::id).first(conn).optional()?;
    match id {
        Some(id) => by_id(conn, id),
        None => Ok(None),
    }
}

/// The member a member of staff is, made the first time they take part,
/// under their account's name.
pub fn for_staff(conn: &mut Conn, user: &StaffUser, now: NaiveDateTime) -> StoreResult<Member> {
    let insert = diesel::insert_into(members::table)
        .values((
            members::id.eq(MemberId::new()),
            members::display_name.eq(&user.name),
            members::user_id.eq(user.id),
            members::joined_at.eq(now),
            members::confirmed_at.eq(now),
            members::trusted_at.eq(now),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    of_staff(conn, user.id)?.ok_or(super::StoreError::NotFound)
}

/// Trusts a member's posts and links from now on, as a moderator's
/// approval of one of their posts does.
pub fn trust(conn: &mut Conn, member: MemberId, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(members::table.find(member).filter(members::trusted_at.is_null()))
        .set(members::trusted_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Changes the name a member shows.
pub fn rename(conn: &mut Conn, member: MemberId, display_name: &str) -> StoreResult<()> {
    diesel::update(members::table.find(member)).set(members::display_name.eq(display_name)).execute(conn)?;
    Ok(())
}

/// Sets a member's password (`None` to sign in by emailed links only); their
/// other sessions end.
pub fn set_password(conn: &mut Conn, member: MemberId, hash: Option<&str>, session: &str) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        diesel::update(members::table.find(member)).set(members::password_hash.eq(hash)).execute(conn)?;
        diesel::delete(
            member_sessions::table
                .filter(member_sessions::member_id.eq(member))
                .filter(member_sessions::token_hash.ne(token_hash(session))),
        )
        .execute(conn)?;
        Ok(())
    })
}

/// What a member's own posts become when they leave.
pub const REMOVED_BODY: &str = "_This post was removed at its author's request._";

/// Deletes a member's account: their address, name and password are gone,
/// they are signed out everywhere and follow nothing. Their posts stay,
/// shown as a former member's, unless `remove_posts`: then their replies,
/// events and notices go, their threads without replies go, and a thread
/// others replied to keeps its title with its opening post replaced by a
/// line saying why.
pub fn delete(conn: &mut Conn, member: MemberId, remove_posts: bool, now: NaiveDateTime) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        diesel::update(members::table.find(member))
            .set((
                members::email.eq(None::<String>),
                members::display_name.eq(""),
                members::password_hash.eq(None::<String>),
                members::deleted_at.eq(now),
            ))
            .execute(conn)?;
        diesel::delete(member_sessions::table.filter(member_sessions::member_id.eq(member))).execute(conn)?;
        diesel::delete(member_links::table.filter(member_links::member_id.eq(member))).execute(conn)?;
        diesel::delete(network_follows::table.filter(network_follows::member_id.eq(member))).execute(conn)?;
        super::speakers::forget(conn, member)?;
        if remove_posts {
            remove_posts_of(conn, member, now)?;
        }
        Ok(())
    })
}

fn remove_posts_of(conn: &mut Conn, member: MemberId, now: NaiveDateTime) -> StoreResult<()> {
    let events_gone: Vec<EventId> =
        events::table.filter(events::author_id.eq(member)).select(events::id).load(conn)?;
    diesel::delete(events::table.filter(events::author_id.eq(member))).execute(conn)?;
    diesel::delete(notices::table.filter(notices::author_id.eq(member))).execute(conn)?;
    let started: Vec<ThreadId> =
        threads::table.filter(threads::author_id.eq(member)).select(threads::id).load(conn)?;
    for &thread in &started {
        let others: i64 = posts::table
            .filter(posts::thread_id.eq(thread))
            .filter(posts::author_id.ne(member))
            .count()
            .get_result(conn)?;
        if others == 0 {
            super::threads::delete(conn, thread)?;
        } else {
            diesel::update(posts::table.filter(posts::thread_id.eq(thread)).filter(posts::number.eq(0)))
                .set(posts::body.eq(REMOVED_BODY))
                .execute(conn)?;
        }
    }
    let replies: Vec<(PostId, ThreadId)> = posts::table
        .filter(posts::author_id.eq(member))
        .filter(posts::number.gt(0))
        .select((posts::id, posts::thread_id))
        .load(conn)?;
    for &(reply, _) in &replies {
        super::threads::delete_reply(conn, reply)?;
    }
    let mut touched: Vec<ThreadId> = started.into_iter().chain(replies.into_iter().map(|r| r.1)).collect();
    touched.sort_unstable();
    touched.dedup();
    for thread in touched {
        super::activity_feed::log(conn, Subject::Thread(thread), now)?;
    }
    for event in events_gone {
        super::activity_feed::log(conn, Subject::Event(event), now)?;
    }
    Ok(())
}

/// Adds a member whose address is already confirmed: for the demo and the
/// benchmarks, which make members without email.
pub fn add_confirmed(
    conn: &mut Conn,
    email: &str,
    display_name: &str,
    now: NaiveDateTime,
) -> StoreResult<MemberId> {
    let id = MemberId::new();
    diesel::insert_into(members::table)
        .values((
            members::id.eq(id),
            members::email.eq(email.to_lowercase()),
            members::display_name.eq(display_name),
            members::joined_at.eq(now),
            members::confirmed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}
