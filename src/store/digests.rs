//! Digests: how often each member wants one, who is due one for a period,
//! claiming a member's digest for a period (one server, once), and the
//! networks a member follows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{digests, members, network_follows, networks, users};
use super::{Conn, StoreResult, per_backend};
use crate::domain::digests::DigestEvery;
use crate::domain::ids::{MemberId, NeighbourhoodId, NetworkId};

/// How often `member` wants a digest.
pub fn choice(conn: &mut Conn, member: MemberId) -> StoreResult<DigestEvery> {
    let code: String = members::table.find(member).select(members::digest).first(conn)?;
    Ok(DigestEvery::from_code(&code).unwrap_or(DigestEvery::Off))
}

/// Sets how often `member` wants a digest.
pub fn choose(conn: &mut Conn, member: MemberId, every: DigestEvery) -> StoreResult<()> {
    diesel::update(members::table.find(member)).set(members::digest.eq(every.code())).execute(conn)?;
    Ok(())
}

/// A member due a digest: their id, address and name.
pub type Due = (MemberId, String, String);

/// Members who want a digest `every` day or week and have not had the one
/// for `period`, with an address to send it to: at most `most`.
pub fn due(conn: &mut Conn, every: DigestEvery, period: &str, most: i64) -> StoreResult<Vec<Due>> {
    let had = digests::table.filter(digests::period.eq(period)).select(digests::member_id);
    let rows: Vec<(MemberId, Option<String>, String, Option<String>)> = members::table
        .left_join(users::table)
        .filter(members::digest.eq(every.code()))
        .filter(members::deleted_at.is_null())
        .filter(members::confirmed_at.is_not_null())
        .filter(members::id.ne_all(had))
        .order(members::id)
        .limit(most)
        .select((members::id, members::email, members::display_name, users::email.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, email, name, staff_email)| email.or(staff_email).map(|to| (id, to, name)))
        .collect())
}

/// Claims `member`'s digest for `period`: true for the one server that
/// does; in the transaction that queues it, so a crash before the email is
/// queued leaves it unclaimed.
pub fn claim(conn: &mut Conn, member: MemberId, period: &str, now: NaiveDateTime) -> StoreResult<bool> {
    let insert = diesel::insert_into(digests::table)
        .values((digests::member_id.eq(member), digests::period.eq(period), digests::sent_at.eq(now)))
        .on_conflict_do_nothing();
    Ok(per_backend!(conn, |c| insert.execute(c))? == 1)
}

/// The networks `member` follows, each with its neighbourhood (none for a place-based one).
pub fn followed(conn: &mut Conn, member: MemberId) -> StoreResult<Vec<(NetworkId, Option<NeighbourhoodId>)>> {
    Ok(networks::table
        .inner_join(network_follows::table)
        .filter(network_follows::member_id.eq(member))
        .order(networks::name)
        .select((networks::id, networks::neighbourhood_id))
        .load(conn)?)
}
