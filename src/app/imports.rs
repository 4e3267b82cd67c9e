//! Importing listings: a batch read from a file or feed is placed (venues
//! without coordinates by their postcode), compared with what is stored and
//! written in one transaction, or only reported (a dry run). A batch with a
//! record that cannot be taken writes nothing unless told to leave such
//! records out, so that nothing is half-imported by surprise.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{NaiveDateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::{db, require};
use crate::config::Config;
use crate::domain::accounts::StaffUser;
use crate::domain::ids::ImportId;
use crate::domain::imports::request::{ColumnChoices, ImportKind, ImportState, ImportView, columns_text};
use crate::domain::imports::sheet;
use crate::domain::imports::spreadsheet::{self, Field, Mapping};
use crate::domain::imports::terms::NeedMatcher;
use crate::domain::needs::Taxonomy;
use crate::domain::neighbours::NeighbourFeed;
use crate::domain::openreferral::package::{self, Package};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::import_requests::NewImport;

use crate::domain::ids::{NeighbourFeedId, ServiceId};
use crate::domain::imports::hsds::{self, Context, ReadError};
use crate::domain::imports::plan;
use crate::domain::imports::{Batch, Duplicate, Merges, Plan, Report};
use crate::domain::neighbours::FeedCopy;
use crate::fetch::{FetchError, Fetcher, Held, Limits, web_address};
use crate::geo::postcode::{self, Located, PlaceQuery};
use crate::store::imports::Writing;
use crate::store::{self, Conn, Store, StoreResult};

/// How an import goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Report what would happen, and write nothing.
    pub dry_run: bool,
    /// Write the records that can be taken even when some cannot.
    pub skip_rejected: bool,
    /// Which reported duplicates to write into the records already here.
    pub merge: Merges,
}

/// Imports `batch`, read from `source` (named in the change history).
pub fn import(
    store: &Store,
    batch: Batch,
    source: &str,
    options: &Options,
    now: NaiveDateTime,
) -> StoreResult<Report> {
    import_listed(store, batch, source, options, None, now)
}

/// Imports `batch`; when it is another area's feed (`feed`), its services
/// are marked as listed by it and those it no longer holds are withdrawn.
/// Records merged before are written into the records they were merged
/// into, and the duplicates `options` asks to merge are merged now.
pub fn import_listed(
    store: &Store,
    mut batch: Batch,
    source: &str,
    options: &Options,
    feed: Option<NeighbourFeedId>,
    now: NaiveDateTime,
) -> StoreResult<Report> {
    let mut conn = store.conn()?;
    batch.merge_into(&store::imports::merged_records(&mut conn)?);
    if let Some(feed) = feed {
        leave_out_others(&mut conn, &mut batch, feed)?;
    }
    place_by_postcode(&mut conn, &mut batch)?;
    let (mut plan, mut report) = compare(&mut conn, &batch)?;
    // One record is merged into one here, the first asked for.
    let mut taken = HashSet::new();
    let merging: Vec<Duplicate> = report
        .duplicates
        .iter()
        .filter(|d| options.merge.includes(d) && taken.insert(d.incoming))
        .cloned()
        .collect();
    if !merging.is_empty() {
        batch.merge_into(&merging.iter().map(|d| (d.incoming, d.existing)).collect());
        (plan, report) = compare(&mut conn, &batch)?;
        report.merged = merging;
    }
    let rejected = report.counts("record")[3]
        + report.counts("organisation")[3]
        + report.counts("venue")[3]
        + report.counts("service")[3];
    if options.dry_run || (rejected > 0 && !options.skip_rejected) {
        return Ok(report);
    }
    let holds: Vec<ServiceId> = batch.services.iter().map(|s| s.service.id).collect();
    let reason = format!("Imported from {source}");
    let how = Writing { reason: &reason, merged: &report.merged, feed: feed.map(|f| (f, holds.as_slice())) };
    store::imports::write(&mut conn, &plan, how, now)?;
    report.written = true;
    Ok(report)
}

/// Leaves out of another area's feed the services already here that are
/// not that feed's (our own, or another feed's): a feed never takes over a
/// listing, whatever ids it carries.
fn leave_out_others(conn: &mut Conn, batch: &mut Batch, feed: NeighbourFeedId) -> StoreResult<()> {
    let ids: Vec<ServiceId> = batch.services.iter().map(|s| s.service.id).collect();
    let owners = store::neighbours::owners(conn, &ids)?;
    let (theirs, others): (Vec<_>, Vec<_>) = std::mem::take(&mut batch.services)
        .into_iter()
        .partition(|s| owners.get(&s.service.id).is_none_or(|owner| *owner == Some(feed)));
    batch.services = theirs;
    for other in others {
        batch.reject(
            other.origin,
            format!("\"{}\" is already listed here by someone else", other.service.details.name),
        );
    }
    Ok(())
}

/// What importing `batch` would do, with the records here it may duplicate.
fn compare(conn: &mut Conn, batch: &Batch) -> StoreResult<(Plan, Report)> {
    let stored = store::imports::stored(conn, batch)?;
    let (plan, mut report) = plan::plan(batch, &stored);
    let (organisations, services) =
        (store::imports::known_organisations(conn)?, store::imports::known_services(conn)?);
    report.duplicates = plan::duplicates(&plan, batch, &organisations, &services);
    Ok((plan, report))
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
/// is imported whole or not at all. Each document is asked for only if it
/// changed since the copy in `copies` (which then holds the copy read now).
pub fn read_feed(
    fetcher: &Fetcher,
    base: &str,
    ctx: &Context,
    copies: &mut Copies,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Batch, FeedError> {
    Ok(hsds::read_services(fetch_feed(fetcher, base, copies, progress)?, Vec::new(), ctx))
}

/// Every service of the feed at `base`, each in full, as its JSON.
pub fn fetch_feed(
    fetcher: &Fetcher,
    base: &str,
    copies: &mut Copies,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<Value>, FeedError> {
    let base = base.trim_end_matches('/').trim_end_matches("/services");
    let mut services = Vec::new();
    for number in 1.. {
        let url = format!("{base}/services?page={number}&per_page={PER_PAGE}");
        let page = json(fetcher, &url, copies)?;
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
                json(fetcher, &detail_url(base, item, &url)?, copies)?
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
    Ok(services)
}

/// A feed's documents: the copy last read whole, asked about with its
/// validators, and the copy being read now.
#[derive(Clone, Debug, Default)]
pub struct Copies {
    pub before: HashMap<String, FeedCopy>,
    pub now: HashMap<String, FeedCopy>,
    /// How many documents had changed since `before` (or were new).
    pub changed: usize,
}

fn json(fetcher: &Fetcher, url: &str, copies: &mut Copies) -> Result<Value, FeedError> {
    let before = copies.before.get(url);
    let held = Held {
        etag: before.and_then(|b| b.etag.clone()),
        last_modified: before.and_then(|b| b.last_modified.clone()),
    };
    let fetched = fetcher.get(url, &held)?;
    let copy = match before {
        Some(before) if fetched.not_modified => before.clone(),
        _ => {
            copies.changed += 1;
            FeedCopy { etag: fetched.etag, last_modified: fetched.last_modified, body: fetched.body }
        }
    };
    let value = serde_json::from_slice(&copy.body)
        .map_err(|e| FeedError::Read(url.to_string(), ReadError::NotJson(e.to_string())))?;
    copies.now.insert(url.to_string(), copy);
    Ok(value)
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

/// The largest file a package may unpack to, and the most in all.
const PACKAGE_FILE_BYTES: u64 = 50 * 1024 * 1024;
const PACKAGE_BYTES: u64 = 200 * 1024 * 1024;

/// The CSV files of a zipped HSDS package, by name. A zip that unpacks to
/// more than it should is refused, not unpacked.
pub fn unzip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("this is not a zip file: {e}"))?;
    let mut files = Vec::new();
    let mut total = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.rsplit('/').next().unwrap_or("").to_string();
        if !name.ends_with(".csv") {
            continue;
        }
        let mut bytes = Vec::new();
        entry.take(PACKAGE_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        total += bytes.len() as u64;
        if bytes.len() as u64 > PACKAGE_FILE_BYTES || total > PACKAGE_BYTES {
            return Err(format!(
                "the zip unpacks to more than {} MB; nothing was read",
                PACKAGE_BYTES / (1024 * 1024)
            ));
        }
        files.push((name, bytes));
    }
    Ok(files)
}

/// Reads an HSDS CSV package's files (by name) as our records.
pub fn read_package(files: Vec<(String, Vec<u8>)>, ctx: &Context) -> Result<Batch, String> {
    let mut package = Package::new();
    for (name, bytes) in files {
        let sheet = sheet::read(&bytes).map_err(|e| format!("{name}: {e}"))?;
        package.insert(name, (sheet.headers, sheet.rows));
    }
    let (services, organisations) = package::read(&package).map_err(|e| e.to_string())?;
    Ok(hsds::read_services(services, organisations, ctx))
}

// The staff page's imports (`/staff/imports`): sent, matched, checked and
// imported, each step run by the `imports` job.

/// Sends a file or a feed's address to be imported: a spreadsheet then waits
/// for its columns to be matched, anything else is checked at once.
pub async fn send(
    state: &AppState,
    user: &StaffUser,
    feed: String,
    file: Option<(String, Vec<u8>)>,
) -> Result<Result<ImportId, FieldErrors>, AppError> {
    require(user.manages_imports())?;
    let mut errors = FieldErrors::default();
    let feed = feed.trim().trim_end_matches('/').to_string();
    let (kind, source, upload) = match (feed.is_empty(), file) {
        (true, None) => {
            errors.add("file", "Choose a file to import, or give the address of a feed");
            return Ok(Err(errors));
        }
        (false, Some(_)) => {
            errors.add("feed", "Give a file or the address of a feed, not both");
            return Ok(Err(errors));
        }
        (false, None) => match web_address(&feed) {
            Ok(url) => (ImportKind::Feed, url, None),
            Err(e) => {
                errors.add("feed", e.to_string());
                return Ok(Err(errors));
            }
        },
        (true, Some((name, bytes))) => {
            let kind = ImportKind::of_file(&name, &bytes);
            if bytes.is_empty() {
                errors.add("file", format!("{name} is empty"));
            } else if let (ImportKind::Spreadsheet, Err(e)) = (kind, sheet::read(&bytes)) {
                errors.add("file", format!("{name} cannot be read as a spreadsheet saved as CSV: {e}"));
            }
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            (kind, name, Some(bytes))
        }
    };
    let state_now = if kind == ImportKind::Spreadsheet { ImportState::Columns } else { ImportState::Check };
    let (id, by, at) = (ImportId::new(), user.id, Utc::now().naive_utc());
    db(state, move |conn| {
        let new =
            NewImport { id, source: &source, kind, upload: upload.as_deref(), state: state_now, by, at };
        store::import_requests::insert(conn, &new)
    })
    .await?;
    Ok(Ok(id))
}

/// The spreadsheet template, for an administrator to fill in.
pub fn template(user: &StaffUser) -> Result<String, AppError> {
    require(user.manages_imports())?;
    Ok(spreadsheet::template())
}

/// The imports page: the latest imports and the feeds of neighbouring areas followed.
pub async fn latest(
    state: &AppState,
    user: &StaffUser,
) -> Result<(Vec<ImportView>, Vec<NeighbourFeed>), AppError> {
    require(user.manages_imports())?;
    db(state, |conn| Ok((store::import_requests::latest(conn)?, store::neighbours::all(conn)?))).await
}

/// One import, with the column choices of a spreadsheet (as chosen, or as
/// found by their headers when none were chosen yet).
pub async fn request(
    state: &AppState,
    user: &StaffUser,
    id: ImportId,
) -> Result<(ImportView, Option<ColumnChoices>), AppError> {
    require(user.manages_imports())?;
    // The file is read (on the blocking pool) only when its columns may be chosen.
    db(state, move |conn| {
        let view = store::import_requests::get(conn, id)?;
        let upload = match view.kind {
            ImportKind::Spreadsheet if view.state.may_check() => store::import_requests::upload(conn, id)?,
            _ => None,
        };
        let choices = upload.and_then(|bytes| {
            let headers = sheet::read(&bytes).ok()?.headers;
            Some(column_choices(headers, &view.columns))
        });
        Ok((view, choices))
    })
    .await
}

/// The form's choices: the columns chosen, or else those found by their headers.
pub fn column_choices(headers: Vec<String>, chosen: &[(Field, String)]) -> ColumnChoices {
    let found = if chosen.is_empty() {
        Mapping::default()
            .found(&headers)
            .unwrap_or_default()
            .into_iter()
            .map(|(f, at)| (f, headers[at].clone()))
            .collect()
    } else {
        chosen.to_vec()
    };
    let chosen = Field::ALL
        .iter()
        .map(|field| (*field, found.iter().find(|(f, _)| f == field).map(|(_, h)| h.clone())))
        .collect();
    ColumnChoices { headers, chosen }
}

/// Asks for an import to be checked: a spreadsheet with the columns chosen
/// (`field` code to header; one for the names is needed). `Err` says what
/// is wrong with the choice, and nothing is asked.
pub async fn check(
    state: &AppState,
    user: &StaffUser,
    id: ImportId,
    chosen: Vec<(Field, Option<String>)>,
) -> Result<Result<(), Refused>, AppError> {
    require(user.manages_imports())?;
    let (view, choices) = request(state, user, id).await?;
    let mut columns = Vec::new();
    if let Some(choices) = choices {
        for (field, header) in chosen.iter().filter_map(|(f, h)| Some((*f, h.as_ref()?))) {
            if !choices.headers.contains(header) {
                return Err(AppError::BadRequest(format!("The file has no column called {header}.")));
            }
            columns.push((field, header.clone()));
        }
        if !columns.iter().any(|(f, _)| *f == Field::Name) {
            let mut errors = FieldErrors::default();
            errors.add("name", "Choose the column that holds the names of the services or groups");
            // The form again, with the columns as they were chosen.
            let columns = Some(ColumnChoices { headers: choices.headers, chosen });
            return Ok(Err(Refused { errors, view, columns }));
        }
    }
    if !view.state.may_check() {
        return Err(AppError::Conflict(String::from("This import is in hand: wait for it to finish.")));
    }
    let text = columns_text(&columns);
    let asked = db(state, move |conn| store::import_requests::ask_check(conn, id, &text)).await?;
    if asked {
        Ok(Ok(()))
    } else {
        Err(AppError::Conflict(String::from("This import is in hand: wait for it to finish.")))
    }
}

/// A check refused for the columns chosen: what to show again.
pub struct Refused {
    pub errors: FieldErrors,
    pub view: ImportView,
    pub columns: Option<ColumnChoices>,
}

/// Asks for a checked import to be written, leaving out the records that
/// cannot be taken if `skip_rejected`, and merging the reported duplicates
/// whose incoming ids are in `merge`.
pub async fn run(
    state: &AppState,
    user: &StaffUser,
    id: ImportId,
    skip_rejected: bool,
    merge: Vec<String>,
) -> Result<(), AppError> {
    require(user.manages_imports())?;
    let unknown = || AppError::BadRequest(String::from("A duplicate to merge is not known."));
    let merge: Vec<(Uuid, Uuid)> = merge
        .iter()
        .map(|pair| {
            let (incoming, existing) = pair.split_once(' ').ok_or_else(unknown)?;
            Ok((
                Uuid::try_parse(incoming).map_err(|_| unknown())?,
                Uuid::try_parse(existing).map_err(|_| unknown())?,
            ))
        })
        .collect::<Result<_, AppError>>()?;
    let mut incoming = HashSet::new();
    if !merge.iter().all(|(id, _)| incoming.insert(*id)) {
        return Err(AppError::BadRequest(String::from(
            "A record can be merged into one listing only: tick one for each.",
        )));
    }
    let asked =
        db(state, move |conn| store::import_requests::ask_import(conn, id, skip_rejected, &merge)).await?;
    if asked {
        Ok(())
    } else {
        Err(AppError::Conflict(String::from(
            "Only an import that has been checked, and not yet written, can be imported.",
        )))
    }
}

/// The `imports` job's step: takes the oldest step waiting, if any, and
/// runs it, saying how far it has got as it goes. True when it ran one.
pub fn run_next(store: &Store, needs: &Taxonomy, config: &Config, now: NaiveDateTime) -> StoreResult<bool> {
    let Some(request) = store::import_requests::claim_next(&mut *store.conn()?, now)? else {
        return Ok(false);
    };
    let id = request.id;
    let said = |text: &str| {
        if let Ok(mut conn) = store.conn() {
            let _ = store::import_requests::progress(&mut conn, id, text, Utc::now().naive_utc());
        }
    };
    let finished = match take(store, needs, config, &request, &said, now) {
        Ok(report) => {
            let state = match (request.state, report.written) {
                (ImportState::Checking, _) => ImportState::Checked,
                (_, true) => ImportState::Imported,
                (_, false) => ImportState::NotWritten,
            };
            (state, Some(report), None)
        }
        Err(Taken::Unread(reason)) => (ImportState::Failed, None, Some(reason)),
        Err(Taken::Store(e)) => {
            // Said on the page, so that it can be tried again, and logged.
            let reason = format!("it could not be saved: {e}");
            let mut conn = store.conn()?;
            store::import_requests::finish(&mut conn, id, ImportState::Failed, None, Some(&reason), now)?;
            return Err(e);
        }
    };
    let (state, report, error) = finished;
    store::import_requests::finish(
        &mut *store.conn()?,
        id,
        state,
        report.as_ref(),
        error.as_deref(),
        Utc::now().naive_utc(),
    )?;
    Ok(true)
}

/// Why a step could not be taken.
enum Taken {
    /// What was sent could not be read: the page says why.
    Unread(String),
    Store(StoreError),
}

impl From<StoreError> for Taken {
    fn from(e: StoreError) -> Self {
        Taken::Store(e)
    }
}

/// Reads what an import was sent and imports it (or only checks it).
fn take(
    store: &Store,
    needs: &Taxonomy,
    config: &Config,
    request: &ImportView,
    said: &dyn Fn(&str),
    now: NaiveDateTime,
) -> Result<Report, Taken> {
    let matcher = NeedMatcher::built_in(needs).map_err(|e| Taken::Unread(e.to_string()))?;
    let demo = store::meta::get(&mut *store.conn()?, store::meta::DEMO)?;
    let area = config.area_name_or(demo.as_deref()).to_string();
    // A file sent from the page is named by its file name: the same list sent
    // again names the same records.
    let key = match request.kind {
        ImportKind::Feed => request.source.clone(),
        _ => format!("upload:{}", request.source),
    };
    let ctx = Context { source: &key, needs, matcher: &matcher, area: &area };
    let upload = || -> Result<Vec<u8>, Taken> {
        store::import_requests::upload(&mut *store.conn()?, request.id)?
            .ok_or_else(|| Taken::Unread(String::from("the file sent is no longer here")))
    };
    said("Reading");
    let unread = |e: String| Taken::Unread(e);
    let batch = match request.kind {
        // A feed is read when it is checked, and what it held then is kept:
        // importing it writes what the check reported.
        ImportKind::Feed if request.state == ImportState::Importing => {
            hsds::read(&upload()?, &ctx).map_err(|e| unread(e.to_string()))?
        }
        ImportKind::Feed => {
            let fetcher =
                Fetcher::new(&config.public_url, Limits::default().private(config.fetch_private_addresses))
                    .map_err(|e| unread(e.to_string()))?;
            let mut on_page = |read: u64, of: u64| said(&format!("{read} of {of} pages of the feed read"));
            let services = fetch_feed(&fetcher, &request.source, &mut Copies::default(), &mut on_page)
                .map_err(|e| unread(e.to_string()))?;
            // Kept as a page is read: each record as the feed gave it (3.0 or v1).
            let held = serde_json::to_vec(&serde_json::json!({ "contents": services }))
                .map_err(|e| unread(e.to_string()))?;
            store::import_requests::keep_upload(&mut *store.conn()?, request.id, &held)?;
            hsds::read_services(services, Vec::new(), &ctx)
        }
        ImportKind::OpenReferral => hsds::read(&upload()?, &ctx).map_err(|e| unread(e.to_string()))?,
        ImportKind::Package => read_package(unzip(&upload()?).map_err(unread)?, &ctx).map_err(unread)?,
        ImportKind::Spreadsheet => {
            let sheet = sheet::read(&upload()?).map_err(|e| unread(e.to_string()))?;
            let mapping = Mapping {
                columns: request.columns.iter().cloned().collect(),
                only_named: true,
                ..Mapping::default()
            };
            let ctx = spreadsheet::Context { source: &key, needs, matcher: &matcher };
            spreadsheet::read(&sheet, &mapping, &ctx).map_err(unread)?
        }
    };
    said(&format!("{} services read; comparing them with the listings here", batch.services.len()));
    let options = Options {
        dry_run: request.state == ImportState::Checking,
        skip_rejected: request.skip_rejected,
        merge: Merges::These(request.merge.clone()),
    };
    Ok(import(store, batch, &request.source, &options, now)?)
}
