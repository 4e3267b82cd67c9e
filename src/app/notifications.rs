//! Emails about new posts: each member hears about the new posts in the
//! threads and networks they follow in one email, at most once every
//! `NOTIFY_EVERY`, through the outbox; one click in it (or in the mail
//! program, by `List-Unsubscribe-Post`) stops them.

use chrono::{NaiveDateTime, Utc};

use super::db;
use crate::config::Config;
use crate::domain::accounts::random_token;
use crate::domain::networks::{NOTIFY_EVERY, unsubscribe_member, unsubscribe_token};
use crate::error::AppError;
use crate::mail::messages;
use crate::state::AppState;
use crate::store::notifications::{self, Claimed};
use crate::store::{self, Store, StoreError};

/// Members handled in one round.
const BATCH: i64 = 100;

/// Queues one email for each member with new posts to hear about who was
/// not emailed in the last `NOTIFY_EVERY`. Returns how many were queued.
pub fn send_due(store: &Store, config: &Config, key: &[u8], now: NaiveDateTime) -> Result<usize, StoreError> {
    let mut conn = store.conn()?;
    let mut queued = 0;
    for member in notifications::members_waiting(&mut conn, NOTIFY_EVERY, now, BATCH)? {
        let Claimed::Send { to, name, posts } = notifications::claim(&mut conn, member, NOTIFY_EVERY, now)?
        else {
            continue;
        };
        let unsubscribe = format!("{}/unsubscribe/{}", config.public_url, unsubscribe_token(key, member));
        let message = match messages::network_activity(
            &config.mail_from,
            (&to, &name),
            &posts,
            &config.public_url,
            &unsubscribe,
        ) {
            Ok(message) => message,
            Err(error) => {
                // An address that cannot be written into a message never will be.
                tracing::warn!(%error, "an email about new posts could not be made");
                continue;
            }
        };
        let key = format!("posts-{member}-{}", random_token());
        store::outbox::queue(&mut conn, &key, None, "network_activity", &to, &message, now)?;
        queued += 1;
    }
    Ok(queued)
}

/// The member an unsubscribe link is for; a forged one is not found.
pub fn unsubscribing(state: &AppState, token: &str) -> Result<crate::domain::ids::MemberId, AppError> {
    unsubscribe_member(&state.cookie_key, token).ok_or(AppError::NotFound)
}

/// Stops the emails about new posts for the member an unsubscribe link is
/// for. Whether they were on until now.
pub async fn unsubscribe(state: &AppState, token: &str) -> Result<bool, AppError> {
    let member = unsubscribing(state, token)?;
    let now = Utc::now().naive_utc();
    db(state, move |conn| notifications::stop_emails(conn, member, now)).await
}
