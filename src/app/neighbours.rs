//! Neighbouring areas: an administrator follows another area's Open
//! Referral feed, and the `neighbours` job reads each one every day (asking
//! only for what changed since the copy last read whole). Its services are
//! imported as listed by that area: found in search with where they come
//! from, and changed only there. A feed that breaks or disappears leaves
//! what was read last, and the staff page says so.

use chrono::{NaiveDateTime, Utc};

use super::imports::{self, Copies, Options};
use super::{db, require};
use crate::config::Config;
use crate::domain::accounts::StaffUser;
use crate::domain::ids::NeighbourFeedId;
use crate::domain::imports::hsds::Context;
use crate::domain::imports::terms::NeedMatcher;
use crate::domain::needs::Taxonomy;
use crate::domain::text::{self, FieldErrors};
use crate::error::AppError;
use crate::fetch::{Fetcher, Limits, web_address};
use crate::state::AppState;
use crate::store::{self, Store, StoreResult};

/// Follows the feed at `url`, listing its services as the area `area`'s; it
/// is read at once (by the job). `Err` says what is wrong with what was typed.
pub async fn follow(
    state: &AppState,
    user: &StaffUser,
    area: &str,
    url: &str,
) -> Result<Result<NeighbourFeedId, FieldErrors>, AppError> {
    require(user.manages_imports())?;
    let mut errors = FieldErrors::default();
    let area = errors.take("area", text::required_line(area, "the area's name"));
    // Named as the import reads it: its API's root.
    let url = url.trim().trim_end_matches('/').trim_end_matches("/services");
    let url = errors.take("url", web_address(url).map_err(|e| e.to_string()));
    let (Some(area), Some(url)) = (area, url) else { return Ok(Err(errors)) };
    let (id, by, now) = (NeighbourFeedId::new(), user.id, Utc::now().naive_utc());
    let followed = db(state, move |conn| store::neighbours::follow(conn, id, &area, &url, by, now)).await?;
    if !followed {
        errors.add("url", "This feed is followed already");
        return Ok(Err(errors));
    }
    Ok(Ok(id))
}

/// Asks for a followed feed to be read at the next chance.
pub async fn read_soon(state: &AppState, user: &StaffUser, id: NeighbourFeedId) -> Result<(), AppError> {
    require(user.manages_imports())?;
    let now = Utc::now().naive_utc();
    db(state, move |conn| store::neighbours::read_soon(conn, id, now)).await
}

/// The `neighbours` job's step: reads one feed that is due, if any. True
/// when it read one (well or not).
pub fn read_due(store: &Store, needs: &Taxonomy, config: &Config, now: NaiveDateTime) -> StoreResult<bool> {
    let Some(feed) = store::neighbours::claim_due(&mut *store.conn()?, now)? else { return Ok(false) };
    let mut copies =
        Copies { before: store::neighbours::copies(&mut *store.conn()?, feed.id)?, ..Copies::default() };
    let read = Fetcher::new(&config.public_url, Limits::default().private(config.fetch_private_addresses))
        .map_err(|e| e.to_string())
        .and_then(|fetcher| {
            let matcher = NeedMatcher::built_in(needs).map_err(|e| e.to_string())?;
            let ctx = Context { source: &feed.url, needs, matcher: &matcher, area: &feed.area };
            imports::read_feed(&fetcher, &feed.url, &ctx, &mut copies, &mut |_, _| {})
                .map_err(|e| e.to_string())
        });
    let read = read.and_then(|batch| match batch.services.is_empty() {
        // A feed that lists nothing has most likely broken: what it listed stays.
        true => Err(String::from("the feed lists no services")),
        false => Ok(batch),
    });
    let batch = match read {
        Ok(batch) => batch,
        Err(reason) => {
            tracing::warn!(feed = %feed.url, %reason, "a neighbouring area's feed could not be read");
            store::neighbours::read_badly(&mut *store.conn()?, feed.id, &reason, now)?;
            return Ok(true);
        }
    };
    // Nothing changed since the copy last read whole: nothing to import.
    let unchanged =
        copies.changed == 0 && copies.now.len() == copies.before.len() && feed.last_good_at.is_some();
    if !unchanged {
        // What cannot be taken (a venue with no place) is left out: the rest
        // of another area's listings are still worth finding.
        let options = Options { skip_rejected: true, ..Options::default() };
        let source = format!("{}'s feed ({})", feed.area, feed.url);
        let report = match imports::import_listed(store, batch, &source, &options, Some(feed.id), now) {
            Ok(report) => report,
            Err(error) => {
                let reason = format!("what it holds could not be saved here: {error}");
                store::neighbours::read_badly(&mut *store.conn()?, feed.id, &reason, now)?;
                return Err(error);
            }
        };
        let [added, changed, _, rejected] = report.counts("service");
        tracing::info!(feed = %feed.url, added, changed, rejected, "read a neighbouring area's feed");
    }
    let copy = (!unchanged).then_some(&copies.now);
    store::neighbours::read_well(&mut *store.conn()?, feed.id, copy, now)?;
    Ok(true)
}
