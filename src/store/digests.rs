//! Digests: how often each member wants one, who is due one for a period,
//! claiming a member's digest for a period (one server, once), and what it
//! tells.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{digests, members, network_follows, networks, threads, users};
use super::{Conn, StoreResult, per_backend};
use crate::domain::digests::{Digest, DigestEvery};
use crate::domain::ids::{MemberId, NetworkId, ServiceId};

/// Events a digest names at most, and conversations and notices.
const MOST: i64 = 20;

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
        .filter(members::emails_off_at.is_null())
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

/// What `member`'s digest tells: the conversations started since `since`
/// in the networks they follow, what is on in them in the coming `ahead`,
/// and the notices and new or changed listings of those networks'
/// neighbourhoods since `since`.
pub fn gather(
    conn: &mut Conn,
    member: MemberId,
    since: NaiveDateTime,
    (now, ahead): (NaiveDateTime, chrono::Duration),
) -> StoreResult<Digest> {
    let followed: Vec<(NetworkId, Option<crate::domain::ids::NeighbourhoodId>)> = networks::table
        .inner_join(network_follows::table)
        .filter(network_follows::member_id.eq(member))
        .order(networks::name)
        .select((networks::id, networks::neighbourhood_id))
        .load(conn)?;
    let network_ids: Vec<NetworkId> = followed.iter().map(|f| f.0).collect();
    let started: Vec<crate::domain::ids::ThreadId> = threads::table
        .filter(threads::network_id.eq_any(&network_ids))
        .filter(threads::visible.eq(true))
        .filter(threads::started_at.ge(since))
        .order(threads::started_at.desc())
        .limit(MOST)
        .select(threads::id)
        .load(conn)?;
    let mut digest =
        Digest { threads: super::threads::latest_of(conn, &started, MOST)?, ..Digest::default() };
    for network in &network_ids {
        let coming = super::events::in_network(conn, *network, now, false, MOST)?;
        digest.events.extend(coming.into_iter().filter(|e| {
            crate::domain::events::occurrences(
                &e.schedule,
                chrono::TimeZone::from_utc_datetime(&chrono::Utc, &now),
                1,
            )
            .first()
            .is_some_and(|o| o.starts.naive_utc() < now + ahead)
        }));
    }
    let hoods: Vec<crate::domain::ids::NeighbourhoodId> = followed.iter().filter_map(|f| f.1).collect();
    for hood in hoods {
        let hood = super::neighbourhoods::by_id(conn, hood)?;
        let reach = super::local_services::service_reach(conn, std::slice::from_ref(&hood))?;
        let based: Vec<ServiceId> =
            reach.get(&hood.id).map(|r| r.based.iter().copied().collect()).unwrap_or_default();
        let notices = super::notices::latest(conn, Some(&based), MOST)?;
        digest.notices.extend(notices.into_iter().filter(|(n, _, _)| n.posted_at >= since));
        let listings = super::services::new_and_changed(conn, &based, since)?;
        if !listings.is_empty() {
            digest.listings.push((hood.name, listings));
        }
    }
    Ok(digest)
}
