//! Digests: members choose a weekly or daily email of what happened in the
//! networks they follow, and the `digests` job sends each member's once a
//! period through the outbox. The claim and the email are queued in one
//! transaction, so a digest is sent once whichever server takes it, and
//! again after a crash only if it was never queued.

use chrono::{Duration, NaiveDateTime, TimeZone, Utc};

use super::db;
use crate::config::Config;
use crate::domain::digests::{Digest, DigestEvery, Period, period};
use crate::domain::events::occurrences;
use crate::domain::ids::{MemberId, NetworkId};
use crate::domain::networks::{Member, unsubscribe_token};
use crate::error::AppError;
use crate::mail::messages;
use crate::state::AppState;
use crate::store::{
    self, Conn, Store, StoreError, digests, events, local_services, neighbourhoods, notices, services,
    threads,
};

/// Members handled in one round, for each kind of digest.
const BATCH: i64 = 100;
/// Conversations, events and notices a digest names at most, each.
const MOST: i64 = 20;

/// How often `member` wants a digest.
pub async fn choice(state: &AppState, member: &Member) -> Result<DigestEvery, AppError> {
    let id = member.id;
    db(state, move |conn| digests::choice(conn, id)).await
}

/// `member` wants a digest `every` day or week (or none).
pub async fn choose(state: &AppState, member: &Member, every: &str) -> Result<(), AppError> {
    let every =
        DigestEvery::from_code(every).ok_or(AppError::BadRequest(String::from("Choose how often")))?;
    let id = member.id;
    db(state, move |conn| digests::choose(conn, id, every)).await
}

/// The `digests` job's step: queues the digest of each member due one for
/// the period `now` is in. How many were queued.
pub fn send_due(store: &Store, config: &Config, key: &[u8], now: NaiveDateTime) -> Result<usize, StoreError> {
    let mut conn = store.conn()?;
    let mut queued = 0;
    for every in [DigestEvery::Daily, DigestEvery::Weekly] {
        let Some(period) = period(every, now) else { continue };
        let ahead = if every == DigestEvery::Daily { Duration::days(2) } else { Duration::days(8) };
        for (member, to, display_name) in digests::due(&mut conn, every, &period.name, BATCH)? {
            let sent = store::transaction(&mut conn, |conn| {
                if !digests::claim(conn, member, &period.name, now)? {
                    return Ok(false);
                }
                let digest = gather(conn, member, &period, (now, ahead))?;
                if digest.is_empty() {
                    return Ok(false);
                }
                let unsubscribe =
                    format!("{}/unsubscribe/{}", config.public_url, unsubscribe_token(key, member));
                let message = match messages::digest(
                    &config.mail_from,
                    (&to, &display_name),
                    (every, &digest),
                    &config.public_url,
                    &unsubscribe,
                ) {
                    Ok(message) => message,
                    Err(error) => {
                        // An address that cannot be written into a message never will be.
                        tracing::warn!(%error, "a digest could not be made");
                        return Ok(false);
                    }
                };
                let key = format!("digest-{member}-{}", period.name);
                store::outbox::queue(conn, &key, None, "digest", &to, &message, now)?;
                Ok(true)
            })?;
            queued += usize::from(sent);
        }
    }
    if queued > 0 {
        tracing::info!(queued, "queued digests");
    }
    Ok(queued)
}

/// What `member`'s digest for `period` tells: the conversations started in
/// the period before it in the networks they follow, what is on in them in
/// the coming `ahead` from `now`, and the notices and new or changed
/// listings of those networks' neighbourhoods in the period before.
fn gather(
    conn: &mut Conn,
    member: MemberId,
    period: &Period,
    (now, ahead): (NaiveDateTime, Duration),
) -> Result<Digest, StoreError> {
    let followed = digests::followed(conn, member)?;
    let networks: Vec<NetworkId> = followed.iter().map(|f| f.0).collect();
    let within = |at: NaiveDateTime| at >= period.since && at < period.until;
    let mut digest = Digest {
        threads: threads::started_between(conn, &networks, (period.since, period.until), MOST)?,
        ..Digest::default()
    };
    let today = Utc.from_utc_datetime(&now);
    for network in &networks {
        let coming = events::in_network(conn, *network, now, false, MOST)?;
        digest.events.extend(coming.into_iter().filter(|e| {
            occurrences(&e.schedule, today, 1).first().is_some_and(|o| o.starts.naive_utc() < now + ahead)
        }));
    }
    for hood in followed.into_iter().filter_map(|f| f.1) {
        let hood = neighbourhoods::by_id(conn, hood)?;
        let based = local_services::based_in(conn, &hood)?;
        let notices = notices::latest(conn, Some(&based), MOST)?;
        digest.notices.extend(notices.into_iter().filter(|(n, _, _)| within(n.posted_at)));
        let mut listings = services::new_and_changed(conn, &based, period.since)?;
        listings.retain(|l| within(l.updated_at.max(l.created_at)));
        if !listings.is_empty() {
            digest.listings.push((hood.name, listings));
        }
    }
    Ok(digest)
}
