//! The use cases, one module per capability: each takes the state and a
//! parsed request, calls the store, the search index and the mailer, and
//! returns a domain view for a page or the API to show. With `jobs` and
//! `cli`, the only room that calls `store` and `search`. Who may do what is
//! decided here, by the rules in `domain::accounts`.

pub mod accounts;
pub mod dashboard;
pub mod digests;
pub mod events;
pub mod feeds;
pub mod health;
pub mod imports;
pub mod listings;
pub mod members;
pub mod moderation;
pub mod neighbourhoods;
pub mod neighbours;
pub mod networks;
pub mod notices;
pub mod notifications;
pub mod openreferral;
pub mod search;
pub mod signposting;
pub mod sources;

use crate::error::AppError;
use crate::state::AppState;
use crate::store::{Conn, StoreResult};

/// Runs store work on the runtime's blocking pool: diesel is synchronous.
/// One closure is one unit of work (with its transaction inside).
pub async fn db<T, F>(state: &AppState, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    T: Send + 'static,
{
    let store = state.store.clone();
    blocking(move || -> Result<T, AppError> {
        let mut conn = store.conn()?;
        Ok(work(&mut conn)?)
    })
    .await?
}

/// Runs slow or synchronous work (the database, argon2, the mail server) on
/// the runtime's blocking pool, so that it never holds up a worker.
pub async fn blocking<T, F>(work: F) -> Result<T, AppError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(e.to_string()))
}

/// Allows what `allowed` says, or refuses: the one way a use case says no.
pub fn require(allowed: bool) -> Result<(), AppError> {
    if allowed { Ok(()) } else { Err(AppError::Forbidden) }
}
