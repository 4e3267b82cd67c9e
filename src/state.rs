//! What every request handler gets: the store, the search index, the needs
//! taxonomy, the configuration, the cookie key, the sign-in throttle, the
//! mailer and the few facts fixed at start.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::config::Config;
use crate::domain::ids::NeighbourhoodId;
use crate::domain::needs::Taxonomy;
use crate::domain::throttle::Limits;
use crate::geo::cells::Ring;
use crate::jobs::{activity_sync, index_sync};
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::search::SearchIndex;
use crate::search::activity::ActivityIndex;
use crate::store::{PoolLimits, Store};

/// Shared by every worker; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// 64 bytes that sign the cookies.
    pub cookie_key: Arc<[u8]>,
    /// The sign-in throttle's limits (its counts are kept in the store).
    pub throttle: Limits,
    /// The figures `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// The search index, derived from the store.
    pub search: Arc<SearchIndex>,
    /// The neighbourhood networks' threads and events, indexed for search.
    pub activity: Arc<ActivityIndex>,
    /// The needs taxonomy, loaded from the store at start.
    pub taxonomy: Arc<Taxonomy>,
    /// The demo borough's name when the database holds the demo: every page
    /// then says so.
    pub demo: Option<String>,
    /// What the seeded area's data asks every page to say of where it came
    /// from (`seed trafford`); none for the demo, which says it is invented.
    pub attribution: Option<String>,
    /// Every neighbourhood's outline, drawn from its cells, with the version
    /// of the neighbourhoods it was drawn from (see `store::neighbourhoods::version`).
    pub outlines: Arc<Mutex<Option<DrawnOutlines>>>,
    /// Where email goes (it always passes through the outbox first).
    pub mailer: Arc<Mailer>,
}

/// Outlines, and the version of the neighbourhoods they were drawn from.
pub type DrawnOutlines = (i64, Arc<Outlines>);

/// Each neighbourhood's outline: polygons of rings of (latitude, longitude).
pub type Outlines = BTreeMap<NeighbourhoodId, Vec<Vec<Ring>>>;

impl AppState {
    /// The area's name, as configured or seeded: "Trafford", the demo's
    /// borough, or "the area".
    pub fn area_name(&self) -> &str {
        self.config.area_name_or(self.demo.as_deref())
    }

    pub fn new(
        store: Store,
        (search, activity): (SearchIndex, ActivityIndex),
        taxonomy: Taxonomy,
        config: Config,
        cookie_key: Vec<u8>,
        demo: Option<String>,
        mailer: Mailer,
    ) -> AppState {
        let limits = Limits {
            free_per_pair: config.sign_in_failures_before_delay,
            free_per_address: config.sign_in_failures_per_address,
            alert_per_account: config.sign_in_failures_per_account,
            window: Duration::from_secs(u64::from(config.sign_in_window_minutes) * 60),
        };
        AppState {
            store,
            config: Arc::new(config),
            cookie_key: cookie_key.into(),
            throttle: limits,
            metrics: Arc::default(),
            search: Arc::new(search),
            activity: Arc::new(activity),
            taxonomy: Arc::new(taxonomy),
            demo,
            attribution: None,
            outlines: Arc::default(),
            mailer: Arc::new(mailer),
        }
    }
}

/// Why the server or a command could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    #[error(transparent)]
    Sync(#[from] crate::jobs::index_sync::SyncError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error("{0}")]
    Io(String),
}

fn create_folders(folders: &[Option<&std::path::Path>]) -> Result<(), StartError> {
    for folder in folders.iter().flatten() {
        if !folder.as_os_str().is_empty() {
            std::fs::create_dir_all(folder)
                .map_err(|e| StartError::Io(format!("cannot create the folder {}: {e}", folder.display())))?;
        }
    }
    Ok(())
}

/// The area's name and region, as the seeded area says, where the
/// configuration does not.
pub fn area_from_store(config: &mut Config, store: &Store) -> Result<(), StartError> {
    use crate::store::meta;
    let mut conn = store.conn()?;
    if config.area_name.is_none() {
        config.area_name = meta::get(&mut conn, meta::AREA_NAME)?;
    }
    if config.region.is_none() {
        config.region = meta::get(&mut conn, meta::REGION)?;
    }
    Ok(())
}

/// Opens the database alone (creating its folder and running migrations),
/// for commands that do not touch the search index, so that they can run
/// while the server is serving: the geography and neighbourhood commands.
pub fn open_store(config: &Config) -> Result<Store, StartError> {
    let paths = config.paths();
    if config.database_url.is_none() {
        create_folders(&[paths.database.parent()])?;
    }
    let limits = PoolLimits {
        size: config.database_pool_size,
        wait: Duration::from_secs(u64::from(config.database_wait_seconds)),
    };
    Ok(Store::open_with(&config.database(), limits)?)
}

/// Opens the database (creating its folder and running migrations) and the
/// cookie key, ready to serve or to run a command: the indexes caught up
/// with the database, or rebuilt when new or built for another taxonomy.
pub fn open(config: Config) -> Result<AppState, StartError> {
    open_as(config, Indexes::Followed)
}

/// `open`, for a command about to rebuild both indexes (`reindex`): they
/// are opened as they are, neither rebuilt nor caught up (a missing index
/// would otherwise be built twice), and the records of the services' index
/// are read only when a search needs them.
pub fn open_to_rebuild(config: Config) -> Result<AppState, StartError> {
    open_as(config, Indexes::ToBeRebuilt)
}

/// What opening does with the indexes.
#[derive(Clone, Copy)]
enum Indexes {
    Followed,
    ToBeRebuilt,
}

fn open_as(mut config: Config, opening: Indexes) -> Result<AppState, StartError> {
    let paths = config.paths();
    create_folders(&[Some(paths.index.as_path()), Some(paths.mail.as_path())])?;
    let store = open_store(&config)?;
    area_from_store(&mut config, &store)?;
    crate::store::networks::give_each_neighbourhood_one(&mut *store.conn()?, chrono::Utc::now().naive_utc())?;
    let key = match (&config.secret_key, &config.database_url) {
        (Some(hex), _) => crate::config::secret_key_bytes(hex)?,
        // Servers sharing a database share its key, so a session or a form
        // made through one is good through every other.
        (None, Some(_)) => crate::config::secret_key_bytes(&crate::store::meta::get_or_put(
            &mut *store.conn()?,
            crate::store::meta::COOKIE_KEY,
            &new_secret_key(),
        )?)?,
        (None, None) => secret_key_file(&paths.secret_key)?,
    };
    let mailer = Mailer::from_config(&config)?;
    let demo = crate::store::meta::get(&mut *store.conn()?, crate::store::meta::DEMO)?;
    let taxonomy = Taxonomy::new(crate::store::needs::all(&mut *store.conn()?)?);
    let (search, fresh) = SearchIndex::open(&paths.index)?;
    // A new, missing or unreadable index, or one built for another taxonomy,
    // is rebuilt; otherwise the changes it missed while it was stopped (or
    // left by a crash) are indexed now.
    let today = chrono::Utc::now().date_naive();
    match opening {
        Indexes::ToBeRebuilt => search.read_records_when_needed(),
        Indexes::Followed if fresh || search.built_with() != Some(taxonomy.fingerprint()) => {
            index_sync::rebuild(&store, &search, &taxonomy, today)?;
        }
        Indexes::Followed => {
            index_sync::sync(&store, &search, &taxonomy, today)?;
        }
    }
    // The services' index, when new, emptied its folder: this one is new too.
    let (activity, fresh) = ActivityIndex::open(&paths.index.join(ACTIVITY_FOLDER))?;
    let now = chrono::Utc::now();
    match opening {
        Indexes::ToBeRebuilt => {}
        Indexes::Followed if fresh => {
            activity_sync::rebuild(&store, &activity, &search, &taxonomy, now)?;
        }
        Indexes::Followed => {
            activity_sync::sync(&store, &activity, &search, &taxonomy, now)?;
        }
    }
    let attribution = crate::store::meta::get(&mut *store.conn()?, crate::store::meta::ATTRIBUTION)?;
    let indexes = (search, activity);
    Ok(AppState { attribution, ..AppState::new(store, indexes, taxonomy, config, key, demo, mailer) })
}

/// The folder, in the index folder, of the network activity index.
pub const ACTIVITY_FOLDER: &str = "activity";

/// A new cookie key: 64 random bytes, as hex.
fn new_secret_key() -> String {
    format!("{}{}", crate::domain::accounts::random_token(), crate::domain::accounts::random_token())
}

/// Reads the cookie key kept beside the database, making one the first time.
fn secret_key_file(path: &std::path::Path) -> Result<Vec<u8>, StartError> {
    let io =
        |e: std::io::Error| StartError::Io(format!("cannot use the secret key file {}: {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(crate::config::secret_key_bytes(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let hex = new_secret_key();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(io)?;
            std::io::Write::write_all(&mut file, hex.as_bytes()).map_err(io)?;
            Ok(crate::config::secret_key_bytes(&hex)?)
        }
        Err(e) => Err(io(e)),
    }
}
