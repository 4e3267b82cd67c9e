//! Background work, idempotent so that running it twice does no harm, run by
//! one small runner (`runner`): keeping the search index in step with the
//! store, and sending queued email and follow-ups.

pub mod activity_sync;
pub mod index_sync;
pub mod outbox;
pub mod runner;

use std::time::Duration;

use chrono::Utc;

use crate::app;
use crate::state::AppState;
use runner::Runner;

/// The jobs a server runs while serving:
///
/// - `index`, four times a second: a change saved through another server,
///   or one whose immediate sync failed, is indexed from the store's change
///   log; the index is rebuilt once a day (because "open now" and "open on
///   Saturday" are worked out for the day it was built), when `doorstep
///   reindex` asks, and when it was built for another taxonomy than the one
///   the server loaded at start.
/// - `activity`, four times a second: the same for the neighbourhood
///   networks' threads and events, from their own log, rebuilt once a day
///   and when `doorstep reindex` asks (`activity_sync::Follower`).
/// - `outbox`, once a second: follow-ups that are due are queued, and every
///   message due for a try is sent.
/// - `sign-ins`, once a minute: runs of failed sign-ins that have ended are
///   forgotten.
/// - `imports`, once a second: an import asked for on the staff page is
///   checked or written (`app::imports::run_next`).
/// - `neighbours`, once a minute: a neighbouring area's feed that is due is
///   read (`app::neighbours::read_due`).
/// - `sources`, every five seconds: a feed, calendar or forum a network
///   follows that is due is read (`app::sources::read_due`): each hourly,
///   or later after failures.
/// - `notifications`, once a minute: members with new posts to hear about,
///   who were not emailed in the last half hour, are sent one email
///   (`app::notifications::send_due`).
/// - `digests`, every ten minutes: members who want a daily or weekly
///   digest and have not had this period's are sent it
///   (`app::digests::send_due`).
/// - `reminders`, every ten minutes: organisations whose listings fell due
///   are reminded (at most once a week each), and connectors get their
///   weekly summary (`app::listings::reminders`).
pub fn background(state: &AppState) -> Runner {
    let (store, index, taxonomy) = (state.store.clone(), state.search.clone(), state.taxonomy.clone());
    let mut follower = index_sync::Follower::new(&store);
    let (activity_store, activity, activity_search, activity_needs) =
        (state.store.clone(), state.activity.clone(), state.search.clone(), state.taxonomy.clone());
    let mut activity_follower = activity_sync::Follower::new(&state.store, Utc::now().date_naive());
    let (mail_store, mailer, config) = (state.store.clone(), state.mailer.clone(), state.config.clone());
    let metrics = state.metrics.clone();
    let sign_in_store = state.store.clone();
    let (import_store, import_needs, import_config) =
        (state.store.clone(), state.taxonomy.clone(), state.config.clone());
    let (feed_store, feed_needs, feed_config) =
        (state.store.clone(), state.taxonomy.clone(), state.config.clone());
    let (reminder_store, reminder_config) = (state.store.clone(), state.config.clone());
    let (source_store, source_config) = (state.store.clone(), state.config.clone());
    let (digest_store, digest_config, digest_key) =
        (state.store.clone(), state.config.clone(), state.cookie_key.clone());
    let (notify_store, notify_config, key) =
        (state.store.clone(), state.config.clone(), state.cookie_key.clone());
    let window = chrono::Duration::from_std(state.throttle.window).unwrap_or(chrono::Duration::MAX);
    Runner::new()
        .add("index", Duration::from_millis(250), move || {
            follower.step(&store, &index, &taxonomy, Utc::now().naive_utc())
        })
        .add("activity", Duration::from_millis(250), move || {
            activity_follower.step(&activity_store, &activity, &activity_search, &activity_needs, Utc::now())
        })
        .add("outbox", Duration::from_secs(1), move || {
            outbox::run_once(&mail_store, &mailer, &config, Utc::now().naive_utc()).map(|_| ())
        })
        .add("sign-ins", Duration::from_secs(60), move || {
            let quiet_since = Utc::now().naive_utc() - window;
            crate::store::sign_ins::forget_quiet(&mut *sign_in_store.conn()?, quiet_since).map(drop)
        })
        .add("imports", Duration::from_secs(1), move || {
            app::imports::run_next(&import_store, &import_needs, &import_config, Utc::now().naive_utc())
                .map(drop)
        })
        .add("neighbours", Duration::from_secs(60), move || {
            app::neighbours::read_due(&feed_store, &feed_needs, &feed_config, Utc::now().naive_utc())
                .map(drop)
        })
        .add("sources", Duration::from_secs(5), move || {
            app::sources::read_due(&source_store, &source_config, Utc::now().naive_utc()).map(drop)
        })
        .add("notifications", Duration::from_secs(60), move || {
            app::notifications::send_due(&notify_store, &notify_config, &key, Utc::now().naive_utc())
                .map(drop)
        })
        .add("digests", Duration::from_secs(600), move || {
            app::digests::send_due(&digest_store, &digest_config, &digest_key, Utc::now().naive_utc())
                .map(drop)
        })
        .add("reminders", Duration::from_secs(600), move || {
            let now = Utc::now().naive_utc();
            let reminded = app::listings::reminders::send_due(&reminder_store, &reminder_config, now);
            let summarised = app::listings::reminders::send_summaries(&reminder_store, &reminder_config, now);
            reminded.and(summarised).map(drop)
        })
        .observed_by(move |job, failed| metrics.job_step(job, failed))
}
