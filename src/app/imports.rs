//! Importing listings: a batch read from a file or feed is placed (venues
//! without coordinates by their postcode), compared with what is stored and
//! written in one transaction, or only reported (a dry run). A batch with a
//! record that cannot be taken writes nothing unless told to leave such
//! records out, so that nothing is half-imported by surprise.

use chrono::NaiveDateTime;

use crate::domain::imports::plan;
use crate::domain::imports::{Batch, Report};
use crate::geo::postcode::{self, Located, PlaceQuery};
use crate::store::{self, Conn, Store, StoreResult};

/// How an import goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Report what would happen, and write nothing.
    pub dry_run: bool,
    /// Write the records that can be taken even when some cannot.
    pub skip_rejected: bool,
}

/// Imports `batch`, read from `source` (named in the change history).
pub fn import(
    store: &Store,
    mut batch: Batch,
    source: &str,
    options: Options,
    now: NaiveDateTime,
) -> StoreResult<Report> {
    let mut conn = store.conn()?;
    place_by_postcode(&mut conn, &mut batch)?;
    let stored = store::imports::stored(&mut conn, &batch)?;
    let (plan, mut report) = plan::plan(&batch, &stored);
    let (organisations, services) =
        (store::imports::known_organisations(&mut conn)?, store::imports::known_services(&mut conn)?);
    report.duplicates = plan::duplicates(&plan, &batch, &organisations, &services);
    let rejected = report.counts("record")[3]
        + report.counts("organisation")[3]
        + report.counts("venue")[3]
        + report.counts("service")[3];
    if options.dry_run || (rejected > 0 && !options.skip_rejected) {
        return Ok(report);
    }
    store::imports::write(&mut conn, &plan, &format!("Imported from {source}"), now)?;
    report.written = true;
    Ok(report)
}

/// Places each venue the source gave no coordinates by its postcode (one in
/// use or no longer in use; a postcode not known here leaves it unplaced).
fn place_by_postcode(conn: &mut Conn, batch: &mut Batch) -> StoreResult<()> {
    for incoming in batch.locations.iter_mut().filter(|l| !l.placed) {
        let Ok(PlaceQuery::Postcode(code)) = postcode::parse(&incoming.location.postcode) else { continue };
        incoming.location.postcode = code.to_string();
        let place = match store::postcodes::locate(conn, &PlaceQuery::Postcode(code))? {
            Located::Postcode(place) | Located::Terminated { place, .. } => place,
            _ => continue,
        };
        incoming.location.latitude = place.latitude;
        incoming.location.longitude = place.longitude;
        incoming.placed = true;
    }
    Ok(())
}
