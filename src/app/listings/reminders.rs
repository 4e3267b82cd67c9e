//! Reminders: when an organisation's listings fall due, its contact gets an
//! email (through the outbox, at most one a week) with a link that works for
//! 30 days without signing in, where they answer for each listing once:
//! still running as shown, taking new people or not, or what has changed
//! (which waits in the approval queue). And each connector's weekly summary
//! of their queue. Sending is a background job's step, on any server: the
//! outbox's key makes each reminder go once.

use chrono::{Datelike, Duration, NaiveDateTime, Utc};

use super::super::db;
use crate::config::Config;
use crate::domain::accounts::{Role, random_token};
use crate::domain::ids::ServiceId;
use crate::domain::reminders::{DAYS_BETWEEN, LINK_DAYS, ReminderAnswer, ReminderView};
use crate::domain::review::{ReviewFilter, ReviewScope};
use crate::domain::text::{self, FieldErrors};
use crate::error::AppError;
use crate::mail::{MailError, messages};
use crate::state::AppState;
use crate::store::reminders::{Answered, Found};
use crate::store::{Store, StoreError, reminders, service_lists, users};

/// Organisations reminded in one step of the job.
const PER_STEP: usize = 50;
/// The most overdue listings a connector's summary names.
const SUMMARY_NAMES: i64 = 10;

/// Why a step of sending could not finish.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// Sends a reminder to each organisation with listings due and none sent in
/// the last week. Returns how many were sent.
pub fn send_due(store: &Store, config: &Config, now: NaiveDateTime) -> Result<usize, SendError> {
    let due_before = now - Duration::days(i64::from(config.review_after_days));
    let quiet_since = now - Duration::days(DAYS_BETWEEN);
    let mut conn = store.conn()?;
    let mut sent = 0;
    for due in reminders::due(&mut conn, due_before, quiet_since, PER_STEP)? {
        let token = random_token();
        let link = format!("{}/reminders/{token}", config.public_url);
        let names: Vec<String> = due.services.iter().map(|(_, name)| name.clone()).collect();
        let message = match messages::reminder(
            &config.mail_from,
            &due.email,
            &due.name,
            &names,
            &link,
            LINK_DAYS,
        ) {
            Ok(message) => message,
            Err(error) => {
                // An address a feed brought that no mail can go to: the
                // others are still reminded, and its connector sees it due.
                tracing::warn!(%error, organisation = %due.organisation, "a reminder could not be written");
                continue;
            }
        };
        // One key a week per organisation: two servers sending at once send once.
        let week = now.date().iso_week();
        let key = format!("reminder-{}-{}-{}", due.organisation, week.year(), week.week());
        let expires = now + Duration::days(LINK_DAYS);
        if reminders::send(&mut conn, &due, &token, &key, &message, now, expires)? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Sends each connector with listings due a summary of their queue, once a
/// week. Returns how many were sent.
pub fn send_summaries(store: &Store, config: &Config, now: NaiveDateTime) -> Result<usize, SendError> {
    let mut conn = store.conn()?;
    let due = now - Duration::days(i64::from(config.review_after_days));
    let year = now - Duration::days(365);
    let mut sent = 0;
    for account in users::all(&mut conn)? {
        let user = account.user;
        if user.role != Role::Connector || account.disabled_at.is_some() {
            continue;
        }
        let scope = ReviewScope::Neighbourhoods(user.neighbourhoods.clone());
        let (count, first) = service_lists::review_queue(
            &mut conn,
            &scope,
            &ReviewFilter::default(),
            (due, year),
            (0, SUMMARY_NAMES),
        )?;
        if count == 0 || !reminders::summary_due(&mut conn, user.id, now - Duration::days(DAYS_BETWEEN), now)?
        {
            continue;
        }
        let names: Vec<String> =
            first.iter().map(|s| format!("{} ({})", s.name, s.organisation_name)).collect();
        let link = format!("{}/staff/review", config.public_url);
        let message =
            messages::queue_summary(&config.mail_from, &user.email, &user.name, count, &names, &link)?;
        let key = format!("summary-{}-{}", user.id, now.date());
        crate::store::outbox::queue(&mut conn, &key, None, "queue_summary", &user.email, &message, now)?;
        sent += 1;
    }
    Ok(sent)
}

/// The reminder a link names: a forged one is not found; an expired one is gone.
pub async fn show(state: &AppState, token: String) -> Result<ReminderView, AppError> {
    let (now, today) = (Utc::now().naive_utc(), Utc::now().date_naive());
    match db(state, move |conn| reminders::page(conn, &token, now, today)).await? {
        Found::Open(view) => Ok(view),
        Found::Expired => Err(AppError::Gone(String::from(
            "This link has expired. If your listings need changing, use \"Suggest a change\" on each listing's page.",
        ))),
        Found::Unknown => Err(AppError::NotFound),
    }
}

/// Answers one listing of a reminder, once; or the problem with a change
/// described. A listing already answered is refused (409).
pub async fn answer(
    state: &AppState,
    token: String,
    service: &str,
    answer: &str,
    change: &str,
) -> Result<Result<(), FieldErrors>, AppError> {
    show(state, token.clone()).await?;
    let service: ServiceId = service
        .parse()
        .map_err(|_| AppError::BadRequest(String::from("Answer for a listing on the page.")))?;
    let answer = ReminderAnswer::from_code(answer.trim())
        .ok_or_else(|| AppError::BadRequest(String::from("Choose one of the answers on the page.")))?;
    let mut errors = FieldErrors::default();
    let change = match answer {
        ReminderAnswer::Change => errors.take(
            format!("change-{service}"),
            text::optional_text(change, "what has changed", text::MAX_TEXT)
                .and_then(|c| c.ok_or_else(|| String::from("Tell us what has changed"))),
        ),
        _ => None,
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let now = Utc::now().naive_utc();
    match db(state, move |conn| reminders::answer(conn, &token, service, answer, change.as_deref(), now))
        .await?
    {
        Answered::Done => {
            super::reindex(state).await;
            Ok(Ok(()))
        }
        Answered::Already(before, at) => Err(AppError::Conflict(format!(
            "This listing was answered already, on {}: \"{}\". If something else has changed, use \"Suggest a change\" on its page.",
            at.format("%-d %B %Y"),
            before.label()
        ))),
        Answered::NotAsked => Err(AppError::NotFound),
    }
}
