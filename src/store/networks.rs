//! The networks: one for each neighbourhood, kept in step with the
//! neighbourhoods (their names, their slugs, and the hand-on when a rebuild
//! retires one), and place-based ones; and who follows which.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    events, moderation_log, neighbourhoods, network_follows, networks, suspensions, threads,
};
use super::{Conn, StoreError, StoreResult, per_backend};
use crate::domain::ids::{MemberId, NeighbourhoodId, NetworkId, UserId};
use crate::domain::networks::{NetworkView, NewNetwork, neighbourhood_network};
use crate::geo::neighbourhood_names;

type NetworkRow = (NetworkId, String, String, String, Option<NeighbourhoodId>);

fn select() -> (networks::id, networks::slug, networks::name, networks::about, networks::neighbourhood_id) {
    (networks::id, networks::slug, networks::name, networks::about, networks::neighbourhood_id)
}

/// Views of `rows`, with their counts of threads and followers.
fn views(conn: &mut Conn, rows: Vec<NetworkRow>) -> StoreResult<Vec<NetworkView>> {
    let ids: Vec<NetworkId> = rows.iter().map(|r| r.0).collect();
    let mut threads_in: HashMap<NetworkId, i64> = HashMap::new();
    let mut followers_of: HashMap<NetworkId, i64> = HashMap::new();
    for chunk in ids.chunks(500) {
        let counted: Vec<(NetworkId, i64)> = threads::table
            .filter(threads::network_id.eq_any(chunk))
            .filter(threads::visible.eq(true))
            .group_by(threads::network_id)
            .select((threads::network_id, diesel::dsl::count_star()))
            .load(conn)?;
        threads_in.extend(counted);
        let counted: Vec<(NetworkId, i64)> = network_follows::table
            .filter(network_follows::network_id.eq_any(chunk))
            .group_by(network_follows::network_id)
            .select((network_follows::network_id, diesel::dsl::count_star()))
            .load(conn)?;
        followers_of.extend(counted);
    }
    let slugs: HashMap<NeighbourhoodId, String> = neighbourhoods::table
        .select((neighbourhoods::id, neighbourhoods::slug))
        .load::<(NeighbourhoodId, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, slug, name, about, neighbourhood)| NetworkView {
            id,
            slug,
            name,
            about,
            neighbourhood: neighbourhood.and_then(|n| slugs.get(&n).cloned()),
            neighbourhood_id: neighbourhood,
            threads: threads_in.get(&id).copied().unwrap_or(0),
            followers: followers_of.get(&id).copied().unwrap_or(0),
        })
        .collect())
}

/// Every network: the place-based ones first, then the neighbourhoods', each by name.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<NetworkView>> {
    let mut rows: Vec<NetworkRow> = networks::table.select(select()).load(conn)?;
    rows.sort_by(|a, b| (a.4.is_some(), &a.2).cmp(&(b.4.is_some(), &b.2)));
    views(conn, rows)
}

/// The neighbourhood whose network `network` is; none for a place-based one.
pub fn neighbourhood_of(conn: &mut Conn, network: NetworkId) -> StoreResult<Option<NeighbourhoodId>> {
    networks::table
        .find(network)
        .select(networks::neighbourhood_id)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The network at `slug`.
pub fn by_slug(conn: &mut Conn, slug: &str) -> StoreResult<NetworkView> {
    let row: NetworkRow = networks::table
        .filter(networks::slug.eq(slug))
        .select(select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// A neighbourhood's network.
pub fn of_neighbourhood(conn: &mut Conn, neighbourhood: NeighbourhoodId) -> StoreResult<Option<NetworkView>> {
    let row: Option<NetworkRow> = networks::table
        .filter(networks::neighbourhood_id.eq(neighbourhood))
        .select(select())
        .first(conn)
        .optional()?;
    match row {
        Some(row) => Ok(Some(views(conn, vec![row])?.remove(0))),
        None => Ok(None),
    }
}

/// The slugs place-based networks hold, which neighbourhoods must not take.
pub fn place_slugs(conn: &mut Conn) -> StoreResult<HashSet<String>> {
    Ok(networks::table
        .filter(networks::neighbourhood_id.is_null())
        .select(networks::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Gives every neighbourhood its network, named and addressed as the
/// neighbourhood is. Run whenever neighbourhoods are built or renamed, in
/// the same transaction.
pub fn keep_in_step(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<()> {
    let hoods: Vec<(NeighbourhoodId, String, String)> = neighbourhoods::table
        .select((neighbourhoods::id, neighbourhoods::slug, neighbourhoods::name))
        .load(conn)?;
    // The neighbourhoods' networks let go of their slugs first, so that one
    // can take the slug another had.
    diesel::update(networks::table.filter(networks::neighbourhood_id.is_not_null()))
        .set(networks::slug.eq(networks::id.concat("~")))
        .execute(conn)?;
    for (hood, slug, name) in hoods {
        let changed = diesel::update(networks::table.filter(networks::neighbourhood_id.eq(hood)))
            .set((networks::slug.eq(&slug), networks::name.eq(&name)))
            .execute(conn)?;
        if changed == 0 {
            let network = neighbourhood_network(&name);
            diesel::insert_into(networks::table)
                .values((
                    networks::id.eq(NetworkId::new()),
                    networks::slug.eq(&slug),
                    networks::name.eq(&network.name),
                    networks::about.eq(&network.about),
                    networks::neighbourhood_id.eq(hood),
                    networks::created_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Logs the threads and events of the networks of `hoods` (of every
/// network, when `None`) for the search index, which shows each one's
/// network by name and finds threads near their neighbourhood's centre:
/// after neighbourhoods are renamed, reshaped or built again. Call it last
/// in the transaction (see `activity_feed`).
pub fn changed_for_search(
    conn: &mut Conn,
    hoods: Option<&[NeighbourhoodId]>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let ids: Vec<NetworkId> = match hoods {
        Some(hoods) => networks::table
            .filter(networks::neighbourhood_id.eq_any(hoods))
            .select(networks::id)
            .load(conn)?,
        None => networks::table.select(networks::id).load(conn)?,
    };
    for network in ids {
        super::activity_feed::log(conn, super::activity_feed::Subject::Network(network), now)?;
    }
    Ok(())
}

/// Gives each neighbourhood built before networks existed its network, once,
/// at start.
pub fn give_each_neighbourhood_one(conn: &mut Conn, now: NaiveDateTime) -> StoreResult<()> {
    let hoods: i64 = neighbourhoods::table.count().get_result(conn)?;
    let with_network: i64 =
        networks::table.filter(networks::neighbourhood_id.is_not_null()).count().get_result(conn)?;
    if hoods == with_network {
        return Ok(());
    }
    super::transaction(conn, |conn| keep_in_step(conn, now))
}

/// Before neighbourhood `from` is removed by a rebuild: the events placed
/// in it are placed in `heir`; its network's threads, events, followers and
/// suspensions go to the network of `heir`, and its network goes.
pub fn hand_on(conn: &mut Conn, from: NeighbourhoodId, heir: Option<NeighbourhoodId>) -> StoreResult<()> {
    diesel::update(events::table.filter(events::neighbourhood_id.eq(from)))
        .set(events::neighbourhood_id.eq(heir))
        .execute(conn)?;
    let Some(old) = network_id_of(conn, from)? else { return Ok(()) };
    let new = match heir {
        Some(heir) => network_id_of(conn, heir)?,
        None => None,
    };
    let Some(new) = new else {
        // No heir: the network stays, as a place-based one with the name it had.
        let name: String = networks::table.find(old).select(networks::name).first(conn)?;
        let slug = free_slug(conn, &name)?;
        diesel::update(networks::table.find(old))
            .set((networks::neighbourhood_id.eq(None::<NeighbourhoodId>), networks::slug.eq(slug)))
            .execute(conn)?;
        return Ok(());
    };
    diesel::update(threads::table.filter(threads::network_id.eq(old)))
        .set(threads::network_id.eq(new))
        .execute(conn)?;
    diesel::update(events::table.filter(events::network_id.eq(old)))
        .set(events::network_id.eq(new))
        .execute(conn)?;
    diesel::update(suspensions::table.filter(suspensions::network_id.eq(old)))
        .set(suspensions::network_id.eq(new))
        .execute(conn)?;
    diesel::update(moderation_log::table.filter(moderation_log::network_id.eq(old)))
        .set(moderation_log::network_id.eq(new))
        .execute(conn)?;
    let followers: Vec<(MemberId, NaiveDateTime)> = network_follows::table
        .filter(network_follows::network_id.eq(old))
        .select((network_follows::member_id, network_follows::followed_at))
        .load(conn)?;
    for (member, at) in followers {
        let insert = diesel::insert_into(network_follows::table)
            .values((
                network_follows::member_id.eq(member),
                network_follows::network_id.eq(new),
                network_follows::followed_at.eq(at),
            ))
            .on_conflict_do_nothing();
        per_backend!(conn, |c| insert.execute(c))?;
    }
    diesel::delete(network_follows::table.filter(network_follows::network_id.eq(old))).execute(conn)?;
    diesel::delete(networks::table.find(old)).execute(conn)?;
    Ok(())
}

fn network_id_of(conn: &mut Conn, neighbourhood: NeighbourhoodId) -> StoreResult<Option<NetworkId>> {
    Ok(networks::table
        .filter(networks::neighbourhood_id.eq(neighbourhood))
        .select(networks::id)
        .first(conn)
        .optional()?)
}

/// A slug made from `name`, clear of every network's and neighbourhood's.
fn free_slug(conn: &mut Conn, name: &str) -> StoreResult<String> {
    let mut taken: HashSet<String> = networks::table.select(networks::slug).load(conn)?.into_iter().collect();
    taken.extend(neighbourhoods::table.select(neighbourhoods::slug).load::<String>(conn)?);
    let base = neighbourhood_names::slug(name);
    let base = if base.is_empty() { String::from("network") } else { base };
    let mut slug = base.clone();
    let mut n = 1;
    while taken.contains(&slug) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// Makes a place-based network; its slug is made from its name, clear of
/// every other network's and neighbourhood's. Returns the slug.
pub fn create(conn: &mut Conn, network: &NewNetwork, by: UserId, now: NaiveDateTime) -> StoreResult<String> {
    super::transaction(conn, |conn| {
        let slug = free_slug(conn, &network.name)?;
        diesel::insert_into(networks::table)
            .values((
                networks::id.eq(NetworkId::new()),
                networks::slug.eq(&slug),
                networks::name.eq(&network.name),
                networks::about.eq(&network.about),
                networks::created_by.eq(by),
                networks::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(slug)
    })
}

/// `member` follows `network` (again is nothing new).
pub fn follow(conn: &mut Conn, member: MemberId, network: NetworkId, now: NaiveDateTime) -> StoreResult<()> {
    let insert = diesel::insert_into(network_follows::table)
        .values((
            network_follows::member_id.eq(member),
            network_follows::network_id.eq(network),
            network_follows::followed_at.eq(now),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(())
}

/// `member` no longer follows `network`.
pub fn unfollow(conn: &mut Conn, member: MemberId, network: NetworkId) -> StoreResult<()> {
    diesel::delete(
        network_follows::table
            .filter(network_follows::member_id.eq(member))
            .filter(network_follows::network_id.eq(network)),
    )
    .execute(conn)?;
    Ok(())
}

/// The networks `member` follows, by name.
pub fn followed_by(conn: &mut Conn, member: MemberId) -> StoreResult<Vec<NetworkView>> {
    let rows: Vec<NetworkRow> = networks::table
        .inner_join(network_follows::table)
        .filter(network_follows::member_id.eq(member))
        .order(networks::name)
        .select(select())
        .load(conn)?;
    views(conn, rows)
}

/// Whether `member` follows `network`.
pub fn follows(conn: &mut Conn, member: MemberId, network: NetworkId) -> StoreResult<bool> {
    let found: i64 = network_follows::table
        .filter(network_follows::member_id.eq(member))
        .filter(network_follows::network_id.eq(network))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}
