//! Digests: members choose a weekly or daily email of what happened in the
//! networks they follow, and the `digests` job sends each member's once a
//! period through the outbox. The claim and the email are queued in one
//! transaction, so a digest is sent once whichever server takes it, and
//! again after a crash only if it was never queued.

use chrono::{Duration, NaiveDateTime};

use super::db;
use crate::config::Config;
use crate::domain::digests::{DigestEvery, period};
use crate::domain::networks::{Member, unsubscribe_token};
use crate::error::AppError;
use crate::mail::messages;
use crate::state::AppState;
use crate::store::{self, Store, StoreError, digests};

/// Members handled in one round, for each kind of digest.
const BATCH: i64 = 100;

/// How often `member` wants a digest.
pub async fn choice(state: &AppState, member: &Member) -> Result<DigestEvery, AppError> {
    let id = member.id;
    db(state, move |conn| digests::choice(conn, id)).await
}

/// `member` wants a digest `every` day or week (or none); choosing one asks
/// for emails from the networks again.
pub async fn choose(state: &AppState, member: &Member, every: &str) -> Result<(), AppError> {
    let every =
        DigestEvery::from_code(every).ok_or(AppError::BadRequest(String::from("Choose how often")))?;
    let id = member.id;
    db(state, move |conn| {
        digests::choose(conn, id, every)?;
        if every != DigestEvery::Off {
            store::notifications::emails_on(conn, id)?;
        }
        Ok(())
    })
    .await
}

/// The `digests` job's step: queues the digest of each member due one for
/// the period `now` is in. How many were queued.
pub fn send_due(store: &Store, config: &Config, key: &[u8], now: NaiveDateTime) -> Result<usize, StoreError> {
    let mut conn = store.conn()?;
    let mut queued = 0;
    for every in [DigestEvery::Daily, DigestEvery::Weekly] {
        let Some((name, since)) = period(every, now) else { continue };
        let ahead = if every == DigestEvery::Daily { Duration::days(2) } else { Duration::days(8) };
        for (member, to, display_name) in digests::due(&mut conn, every, &name, BATCH)? {
            let sent = store::transaction(&mut conn, |conn| {
                if !digests::claim(conn, member, &name, now)? {
                    return Ok(false);
                }
                let digest = digests::gather(conn, member, since, (now, ahead))?;
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
                let key = format!("digest-{member}-{name}");
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
