//! Delivers the outbox and sends follow-ups when they are due. A message the
//! mail server does not take stays in the outbox and is tried again after
//! `mail_retry_seconds`, then twice as long each time, up to an hour; one it
//! refuses for good (an unknown address), or still has not taken after three
//! days, is given up and its address deleted.

use chrono::{NaiveDateTime, Utc};

use crate::config::Config;
use crate::domain::accounts::random_token;
use crate::domain::ids::SignpostContactId;
use crate::domain::signposting::ShortlistEntry;
use crate::mail::{MailError, Mailer, messages};
use crate::store::outbox::OutboxMail;
use crate::store::{Store, StoreError, outbox, signposting};

/// The longest wait between two tries of one message.
const LONGEST_WAIT_SECONDS: i64 = 3_600;
/// How long a message is tried before it is given up.
const GIVE_UP_AFTER_HOURS: i64 = 72;
/// Messages or follow-ups handled in one round.
const BATCH: i64 = 50;
/// Messages claimed at once, then tried, before the next are claimed: so
/// that no claim runs out while the ones before it are tried.
const CLAIM_AT_ONCE: i64 = 5;

/// What came of one try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// Not taken; kept for another try. Says why.
    Failed(String),
    /// Refused for good, or tried for too long: no more tries. Says why.
    GaveUp(String),
    /// Already delivered, or being tried by another worker.
    NotDue,
}

/// Tries to deliver one message as of `now`, if it is waiting and nobody
/// else is trying it.
pub fn deliver(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    key: &str,
    now: NaiveDateTime,
) -> Result<Delivery, StoreError> {
    let Some(mail) = outbox::claim(&mut *store.conn()?, key, now)? else {
        return Ok(Delivery::NotDue);
    };
    try_delivery(store, mailer, config, &mail, now)
}

/// Tries to deliver a message this worker has claimed, and records what came of it.
fn try_delivery(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    mail: &OutboxMail,
    now: NaiveDateTime,
) -> Result<Delivery, StoreError> {
    let key = mail.id.as_str();
    match mailer.deliver(&config.mail_from, &mail.recipient, &mail.message) {
        Ok(()) => {
            outbox::delivered(&mut *store.conn()?, key, now)?;
            Ok(Delivery::Delivered)
        }
        Err(error) => {
            let too_long = now - mail.queued_at > chrono::Duration::hours(GIVE_UP_AFTER_HOURS);
            if matches!(error, MailError::Refused(_)) || too_long {
                let error = error.to_string();
                outbox::give_up(&mut *store.conn()?, key, &error, now)?;
                tracing::warn!(%error, attempts = mail.attempts, "an email was given up");
                return Ok(Delivery::GaveUp(error));
            }
            let error = error.to_string();
            let doubling = 1_i64 << (mail.attempts - 1).clamp(0, 20);
            let wait = (i64::from(config.mail_retry_seconds) * doubling).min(LONGEST_WAIT_SECONDS);
            let next = now + chrono::Duration::seconds(wait);
            outbox::failed(&mut *store.conn()?, key, &error, next)?;
            tracing::warn!(%error, attempts = mail.attempts, "an email was not delivered; it will be tried again");
            Ok(Delivery::Failed(error))
        }
    }
}

/// What came of sending a shortlist by email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    Delivered,
    /// The mail server did not take it (says why); it waits in the outbox.
    Queued(String),
    /// The mail server refused it for good (says why); nothing waits.
    Refused(String),
    /// This form was sent before: nothing new was sent.
    AlreadyDelivered,
    AlreadyQueued,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// A shortlist to email to a citizen.
pub struct ShortlistEmail<'a> {
    pub contact: SignpostContactId,
    /// The send form's key: the same key twice is one email.
    pub key: &'a str,
    pub to: &'a str,
    /// Whether the citizen agreed to a follow-up.
    pub follow_up: bool,
    pub entries: &'a [ShortlistEntry],
}

/// Sends a shortlist: the email is made, put in the outbox (with the
/// follow-up, if agreed), and tried at once.
pub fn send_shortlist(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    email: &ShortlistEmail<'_>,
) -> Result<Sent, SendError> {
    let ShortlistEmail { contact, key, to, follow_up, entries } = *email;
    let days = follow_up.then_some(config.follow_up_days);
    let message = messages::shortlist(&config.mail_from, to, entries, &config.public_url, days)?;
    let now = Utc::now().naive_utc();
    let due = days.map(|days| now + chrono::Duration::days(i64::from(days)));
    let queued = signposting::queue_shortlist(&mut *store.conn()?, key, contact, to, &message, due, now)?;
    Ok(match queued {
        outbox::Queued::AlreadyDelivered => Sent::AlreadyDelivered,
        outbox::Queued::AlreadyWaiting => Sent::AlreadyQueued,
        outbox::Queued::AlreadyGivenUp(why) => Sent::Refused(why),
        outbox::Queued::New => match deliver(store, mailer, config, key, now)? {
            Delivery::Delivered => Sent::Delivered,
            Delivery::Failed(why) => Sent::Queued(why),
            Delivery::GaveUp(why) => Sent::Refused(why),
            Delivery::NotDue => Sent::AlreadyQueued,
        },
    })
}

/// Warns the owner of an account that someone keeps failing to sign in to
/// it: put in the outbox, due now, for the next round (within a second) to
/// deliver. Not tried at once: a slow mail server must not hold up the
/// answer to a sign-in, which must not show whether the account exists.
pub fn queue_sign_in_warning(
    store: &Store,
    config: &Config,
    to: &str,
    failures: u32,
) -> Result<(), SendError> {
    let minutes = config.sign_in_window_minutes;
    let message = messages::sign_in_warning(&config.mail_from, to, failures, minutes, &config.public_url)?;
    let (key, now) = (random_token(), Utc::now().naive_utc());
    outbox::queue(&mut *store.conn()?, &key, None, "sign_in_warning", to, &message, now)?;
    Ok(())
}

/// Puts every follow-up due by `now` in the outbox, each with its own
/// answer token, and deletes its address. Returns how many.
pub fn queue_follow_ups(store: &Store, config: &Config, now: NaiveDateTime) -> Result<usize, StoreError> {
    let mut conn = store.conn()?;
    let due = signposting::follow_ups_due(&mut conn, now, BATCH)?;
    for (contact, address) in &due {
        let token = random_token();
        let message = match messages::follow_up(&config.mail_from, address, &config.public_url, &token) {
            Ok(message) => message,
            Err(error) => {
                // An address that cannot be written into a message never will be: drop it.
                tracing::warn!(%error, "a follow-up could not be made; its address is deleted");
                signposting::follow_up_sent(&mut conn, *contact, &token, now)?;
                continue;
            }
        };
        signposting::queue_follow_up(&mut conn, *contact, address, &token, &message, now)?;
    }
    Ok(due.len())
}

/// One round as of `now`: follow-ups that are due, then every message due
/// for a try. Returns how many messages were delivered.
pub fn run_once(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    now: NaiveDateTime,
) -> Result<usize, StoreError> {
    queue_follow_ups(store, config, now)?;
    let (mut delivered, mut tried) = (0, 0);
    while tried < BATCH {
        let claimed = outbox::claim_due(&mut *store.conn()?, now, CLAIM_AT_ONCE)?;
        if claimed.is_empty() {
            break;
        }
        for mail in &claimed {
            tried += 1;
            if try_delivery(store, mailer, config, mail, now)? == Delivery::Delivered {
                delivered += 1;
            }
        }
    }
    Ok(delivered)
}
