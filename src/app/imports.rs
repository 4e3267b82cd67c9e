//! Importing listings: a batch read from a file or feed is placed (venues
//! without coordinates by their postcode), compared with what is stored and
//! written in one transaction, or only reported (a dry run). A batch with a
//! record that cannot be taken writes nothing unless told to leave such
//! records out, so that nothing is half-imported by surprise.

use chrono::NaiveDateTime;

use serde_json::Value;

use crate::domain::imports::hsds::{self, Context, ReadError};
use crate::domain::imports::plan;
use crate::domain::imports::{Batch, Report};
use crate::fetch::{FetchError, Fetcher, Held};
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

/// Why a feed could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{0}: {1}")]
    Read(String, ReadError),
    #[error("{0} has more than {MAX_PAGES} pages or {MAX_SERVICES} services; Doorstep reads no further")]
    TooManyPages(String),
}

/// The most pages a feed is read to.
const MAX_PAGES: u64 = 10_000;
/// The most services a feed is read to.
const MAX_SERVICES: usize = 500_000;
/// Services asked for on each page.
const PER_PAGE: u64 = 100;

/// Reads a whole Open Referral feed at `base` (its API's root): ORUK 3.0 /
/// HSDS 3.0 or ORUK v1, page by page, fetching a service in full when its
/// entry in the list is not. `progress` hears how many pages are read, of
/// how many. Any page or service that cannot be read stops it all: a feed
/// is imported whole or not at all.
pub fn read_feed(
    fetcher: &Fetcher,
    base: &str,
    ctx: &Context,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Batch, FeedError> {
    let base = base.trim_end_matches('/').trim_end_matches("/services");
    let mut services = Vec::new();
    for number in 1.. {
        let url = format!("{base}/services?page={number}&per_page={PER_PAGE}");
        let page = json(fetcher, &url)?;
        // ORUK 3.0 lists in `contents`, v1 in `content`.
        let (items, pages, last) = match (page.get("contents"), page.get("content")) {
            (Some(Value::Array(items)), _) => {
                (items, page["total_pages"].as_u64(), page["last_page"].as_bool())
            }
            (_, Some(Value::Array(items))) => (items, page["totalPages"].as_u64(), page["last"].as_bool()),
            _ => return Err(FeedError::Read(url, ReadError::Shape)),
        };
        for item in items {
            services.push(if is_full(item) {
                item.clone()
            } else {
                json(fetcher, &detail_url(base, item, &url)?)?
            });
        }
        let pages = pages.unwrap_or(number);
        progress(number, pages);
        if items.is_empty() || last == Some(true) || number >= pages {
            break;
        }
        if number >= MAX_PAGES || services.len() >= MAX_SERVICES {
            return Err(FeedError::TooManyPages(base.to_string()));
        }
    }
    Ok(hsds::read_services(services, Vec::new(), ctx))
}

fn json(fetcher: &Fetcher, url: &str) -> Result<Value, FeedError> {
    let fetched = fetcher.get(url, &Held::default())?;
    serde_json::from_slice(&fetched.body)
        .map_err(|e| FeedError::Read(url.to_string(), ReadError::NotJson(e.to_string())))
}

/// Whether a list's entry is the whole service, nested records and all.
fn is_full(item: &Value) -> bool {
    ["service_at_locations", "schedules", "regular_schedules", "contacts", "attributes", "service_taxonomys"]
        .iter()
        .any(|key| item.get(key).is_some())
}

fn detail_url(base: &str, item: &Value, page: &str) -> Result<String, FeedError> {
    let id = match &item["id"] {
        Value::String(id) => id.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(FeedError::Read(page.to_string(), ReadError::Shape)),
    };
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Ok(format!("{base}/services/{id}"))
}
