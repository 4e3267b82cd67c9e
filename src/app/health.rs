//! The server's own state, for whoever runs it: whether the database
//! answers, whether this server's index has caught up with the store's
//! change log, and the figures `/metrics` reports.

use chrono::Utc;

use super::blocking;
use crate::error::AppError;
use crate::jobs::index_sync;
use crate::metrics::Readings;
use crate::state::AppState;
use crate::store::outbox;

/// A change waiting this long to be indexed means the index has not caught up.
const CAUGHT_UP_WITHIN_SECONDS: f64 = 10.0;

/// Whether the database answers: the health check.
pub async fn ping(state: &AppState) -> Result<(), AppError> {
    let store = state.store.clone();
    Ok(blocking(move || store.ping()).await??)
}

/// Whether this server should be sent requests, and if not, why.
#[derive(Clone, Debug, PartialEq)]
pub enum Readiness {
    Ready,
    NotReady(String),
}

/// Ready when the database answers and no change has waited long to be indexed.
pub async fn readiness(state: &AppState) -> Readiness {
    // What went wrong is logged, not shown: anyone may ask.
    if let Err(error) = ping(state).await {
        tracing::warn!(%error, "not ready: the database does not answer");
        return Readiness::NotReady(String::from("the database does not answer"));
    }
    let (store, index) = (state.store.clone(), state.search.clone());
    match blocking(move || index_sync::lag(&store, &index)).await.map_err(|e| e.to_string()) {
        Ok(Ok((changes, Some(oldest)))) if seconds_since(oldest) > CAUGHT_UP_WITHIN_SECONDS => {
            Readiness::NotReady(format!(
                "the search index is {changes} changes behind, the oldest made {:.0} seconds ago",
                seconds_since(oldest)
            ))
        }
        Ok(Ok(_)) => Readiness::Ready,
        Ok(Err(error)) => not_ready_lag(&error.to_string()),
        Err(error) => not_ready_lag(&error),
    }
}

fn not_ready_lag(error: &str) -> Readiness {
    tracing::warn!(%error, "not ready: the index's lag could not be read");
    Readiness::NotReady(String::from("the index's lag could not be read"))
}

/// Seconds from `then` to now.
fn seconds_since(then: chrono::NaiveDateTime) -> f64 {
    (Utc::now().naive_utc() - then).num_milliseconds().max(0) as f64 / 1000.0
}

/// Everything `/metrics` reports, with the store's figures read now.
pub async fn metrics(state: &AppState) -> Result<String, AppError> {
    Ok(state.metrics.render(readings(state).await?))
}

/// The index's lag, the outbox and the pool, as of now.
async fn readings(state: &AppState) -> Result<Readings, AppError> {
    let (store, index) = (state.store.clone(), state.search.clone());
    let pool_size = state.config.database_pool_size;
    blocking(move || -> Result<Readings, AppError> {
        let (index_lag_changes, oldest) =
            index_sync::lag(&store, &index).map_err(|e| AppError::Internal(e.to_string()))?;
        let index_lag_seconds = oldest.map_or(0.0, seconds_since);
        let outbox_waiting = outbox::waiting(&mut *store.conn()?)?;
        let (pool_open, pool_idle) = store.pool_use();
        Ok(Readings { index_lag_changes, index_lag_seconds, outbox_waiting, pool_open, pool_idle, pool_size })
    })
    .await?
}
