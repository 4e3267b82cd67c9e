//! The only room that names diesel: the connection pool, the schema, the rows
//! and every query. SQLite by default (one file, WAL, foreign keys on).
//!
//! Everything here is synchronous; the web room runs it on the blocking pool,
//! one closure per unit of work, with the transaction inside.

pub mod activity_feed;
pub mod areas;
pub mod backup;
pub mod changes;
pub mod contacts;
pub mod dashboard;
pub mod digests;
pub mod events;
pub mod ids;
pub mod import_requests;
pub mod imports;
pub mod local_services;
pub mod locations;
pub mod members;
pub mod meta;
pub mod moderation;
pub mod needs;
pub mod neighbourhoods;
pub mod neighbours;
pub mod networks;
pub mod notices;
pub mod notifications;
pub mod openreferral;
pub mod organisations;
pub mod outbox;
pub mod postcodes;
pub mod proposals;
pub mod reminders;
pub mod schedules;
pub mod schema;
pub mod scratch;
pub mod search_feed;
pub mod service_lists;
pub mod services;
pub mod sign_ins;
pub mod signposting;
pub mod sources;
pub mod speakers;
pub mod stats;
pub mod threads;
pub mod users;

use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The migrations of each backend, compiled into the binary and run at start.
/// The two folders hold the same migrations under the same names.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The connection every query takes: SQLite or PostgreSQL, chosen by the
/// database's address when the store opens. Queries written with diesel's
/// query builder run on either; what the shared dialect cannot say (`ON
/// CONFLICT`, row locks) is written once and run on each by `per_backend!`.
#[derive(diesel::MultiConnection)]
pub enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Runs the same query on whichever backend `conn` is, each compiled for
/// its own dialect: for `ON CONFLICT` and the like, which diesel's
/// two-backend type does not have.
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match &mut *$conn {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use per_backend;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("the database is busy")]
    Busy(#[from] diesel::r2d2::PoolError),
    #[error("database error: {0}")]
    Database(diesel::result::Error),
    #[error("could not prepare the database: {0}")]
    Migration(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A transaction was abandoned on purpose; the message says why.
    #[error("{0}")]
    Rollback(String),
}

impl From<diesel::result::Error> for StoreError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => StoreError::NotFound,
            other => StoreError::Database(other),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A cell as stored: H3 indexes use 63 bits, so they fit a signed 64-bit integer.
fn cell_number(cell: h3o::CellIndex) -> i64 {
    i64::try_from(u64::from(cell)).unwrap_or(0)
}

/// A stored cell number back as a cell.
fn stored_cell(number: i64) -> Option<h3o::CellIndex> {
    u64::try_from(number).ok().and_then(|n| h3o::CellIndex::try_from(n).ok())
}

/// Where the data lives: a SQLite file (the embedded default) or a
/// PostgreSQL database that several servers can share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(String),
    Postgres(String),
}

impl Database {
    /// A `postgres://` or `postgresql://` address, or else a SQLite file's path.
    pub fn at(address: &str) -> Database {
        if address.starts_with("postgres://") || address.starts_with("postgresql://") {
            Database::Postgres(address.to_string())
        } else {
            Database::Sqlite(address.to_string())
        }
    }

    /// The address as a log or an error may show it: with no password.
    pub fn shown(&self) -> String {
        match self {
            Database::Sqlite(path) => path.clone(),
            Database::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let user = &url[scheme + 3..at];
                    let user = user.split_once(':').map_or(user, |(name, _)| name);
                    format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }

    fn connect(&self) -> Result<Conn, diesel::ConnectionError> {
        Ok(match self {
            Database::Sqlite(path) => Conn::Sqlite(SqliteConnection::establish(path)?),
            Database::Postgres(url) => Conn::Postgres(PgConnection::establish(url)?),
        })
    }
}

/// Opens connections of the backend the address names (diesel's own
/// manager would try each backend in turn, and SQLite takes any string).
pub struct Manager(Database);

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        self.0.connect().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.is_broken()
    }
}

/// How many connections the pool keeps, and how long a request waits for
/// one before it is told the database is busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    pub size: u32,
    pub wait: Duration,
}

impl Default for PoolLimits {
    fn default() -> Self {
        PoolLimits { size: 8, wait: Duration::from_secs(10) }
    }
}

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Store {
    pool: Pool<Manager>,
    database: Database,
}

/// Sets up every new SQLite connection: a busy timeout instead of immediate
/// "database is locked" errors (first, so the rest can wait too), and
/// foreign keys enforced. `synchronous = NORMAL` in WAL mode keeps every
/// committed transaction through a crash of the process. `secure_delete`
/// overwrites deleted content with zeros, so a citizen's email address
/// emptied from the outbox is gone from the file's pages, not just unlinked.
/// WAL itself is a property of the file, set once in `Store::open`.
///
/// PostgreSQL's transactions run at repeatable read: a transaction that
/// reads a row and then writes it never overwrites another's write made in
/// between (as with SQLite's one writer at a time); it is ended with a
/// serialization failure instead, and `transaction` runs it again.
#[derive(Debug, Clone, Copy)]
struct Pragmas;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        match conn {
            Conn::Sqlite(conn) => conn
                .batch_execute(
                    "PRAGMA busy_timeout = 5000;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA secure_delete = ON;",
                )
                .map_err(diesel::r2d2::Error::QueryError),
            Conn::Postgres(conn) => conn
                .batch_execute("SET default_transaction_isolation TO 'repeatable read'")
                .map_err(diesel::r2d2::Error::QueryError),
        }
    }
}

/// The number PostgreSQL's advisory lock takes while one server migrates,
/// so that servers starting together do not migrate at once.
const MIGRATION_LOCK: i64 = 0x646f_6f72_7374_6570; // "doorstep"

impl Store {
    /// Opens (creating if need be) the database and brings its tables up to
    /// date, with the default pool.
    pub fn open(address: &str) -> StoreResult<Store> {
        Store::open_with(address, PoolLimits::default())
    }

    /// Opens the database with a pool of this size and wait.
    pub fn open_with(address: &str, limits: PoolLimits) -> StoreResult<Store> {
        let database = Database::at(address);
        let cannot_open = |e: &dyn std::fmt::Display| {
            StoreError::Migration(format!("cannot open {}: {e}", database.shown()))
        };
        let mut first = database.connect().map_err(|e| cannot_open(&e))?;
        if let Conn::Sqlite(conn) = &mut first {
            // WAL lets readers go on while one writer writes.
            conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
                .map_err(|e| cannot_open(&e))?;
        }
        drop(first);
        let pool = Pool::builder()
            .max_size(limits.size)
            .min_idle(Some(1))
            .connection_timeout(limits.wait)
            .connection_customizer(Box::new(Pragmas))
            .build(Manager(database.clone()))?;
        let store = Store { pool, database };
        store.migrate()?;
        Ok(store)
    }

    /// Which database this is.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Runs any migrations not yet applied, then loads the built-in needs
    /// taxonomy into an empty database. On PostgreSQL one server at a time
    /// does this, under an advisory lock.
    pub fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.conn()?;
        if let Conn::Postgres(pg) = &mut *conn {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
        }
        let prepared = prepare(&mut conn);
        if let Conn::Postgres(pg) = &mut *conn {
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
        }
        prepared
    }

    /// A connection from the pool.
    pub fn conn(&self) -> StoreResult<PooledConnection<Manager>> {
        Ok(self.pool.get()?)
    }

    /// Whether the database answers.
    pub fn ping(&self) -> StoreResult<()> {
        self.conn()?.ping()?;
        Ok(())
    }

    /// How many connections are open, and how many of those are idle.
    pub fn pool_use(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }
}

/// Brings the tables up to date, brings the built-in taxonomy up to date
/// and gives venues saved before cells were kept their cells.
fn prepare(conn: &mut Conn) -> StoreResult<()> {
    let failed = |e: &dyn std::fmt::Display| StoreError::Migration(e.to_string());
    match conn {
        Conn::Sqlite(conn) => conn.run_pending_migrations(SQLITE_MIGRATIONS).map(drop),
        Conn::Postgres(conn) => conn.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop),
    }
    .map_err(|e| failed(&e))?;
    transaction(conn, |conn| {
        needs::load_built_in(conn)?;
        locations::fill_missing_cells(conn).map(drop)
    })
}

/// How many times a transaction is tried when it meets another writer.
const TRIES: u32 = 12;

/// Runs `work` in one transaction: what it writes is kept if it returns `Ok`,
/// and undone if it returns an error. Every transaction in the store goes
/// through here, and so may rooms that write through several store
/// functions as one unit (the demo's seeding).
///
/// A transaction that meets another writer is run again from the start, a
/// few times, after a short wait: on SQLite, one that read before writing
/// finds the database changed since it read ("database is locked"), and
/// cannot wait its turn; on PostgreSQL, two can deadlock, and one is ended.
/// Nested in another transaction, it is a savepoint, and the outermost one
/// is what is tried again.
pub fn transaction<T>(conn: &mut Conn, mut work: impl FnMut(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
    use diesel::connection::TransactionManager;
    let outermost = <Conn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .is_ok_and(|depth| depth.is_none());
    let mut tried = 0;
    loop {
        tried += 1;
        match conn.transaction(&mut work) {
            Err(StoreError::Database(error)) if outermost && tried < TRIES && met_another_writer(&error) => {
                // A random wait, longer each time, so that writers meeting
                // again and again fall out of step.
                let most = 4u64 << tried.min(6);
                let wait = u64::from(uuid::Uuid::new_v4().as_u128() as u16) % most;
                std::thread::sleep(Duration::from_millis(wait + 1));
            }
            done => return done,
        }
    }
}

/// Brings the database's statistics up to date, so that its planner reads a
/// large table through the right index: after a demo or an import is written.
/// Each dialect is written out (they happen to share the word): SQLite fills
/// `sqlite_stat1`, PostgreSQL `pg_statistic`.
pub fn refresh_statistics(conn: &mut Conn) -> StoreResult<()> {
    use diesel::RunQueryDsl;
    match conn {
        Conn::Sqlite(c) => diesel::sql_query("ANALYZE").execute(c)?,
        Conn::Postgres(c) => diesel::sql_query("ANALYZE").execute(c)?,
    };
    Ok(())
}

/// Whether an error says the transaction ran into another one: worth trying again.
fn met_another_writer(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message.contains("database is locked") || message.contains("deadlock detected")
        }
        _ => false,
    }
}

diesel::define_sql_function! {
    /// SQL's `lower`, for comparisons that ignore capitals on both backends
    /// (emails: SQLite's column also compares without case, PostgreSQL's
    /// unique index is on `lower(email)`; the Open Referral API's `search`).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A `LIKE` pattern matching text that holds `word` anywhere, with `%`, `_`
/// and `\` in the word taken literally (compare with `.escape('\\')`).
pub(crate) fn contains(word: &str) -> String {
    let mut pattern = String::from("%");
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A count or offset as SQL takes it.
pub(crate) fn sql_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Reads a stored code back into its enum, or reports the bad value.
pub(crate) fn decode<T>(code: &str, from_code: fn(&str) -> Option<T>, what: &str) -> StoreResult<T> {
    from_code(code).ok_or_else(|| StoreError::Corrupt(format!("'{code}' is not a {what}")))
}

/// A store of its own for one test: a new database on the PostgreSQL server
/// `DOORSTEP_TEST_DATABASE_URL` names, when it is set, else a SQLite file in
/// a temporary folder. Both go when it is dropped.
#[cfg(test)]
pub(crate) struct TestStore {
    pub store: Store,
    _place: (Option<tempfile::TempDir>, Option<scratch::ScratchDatabase>),
}

#[cfg(test)]
impl TestStore {
    pub fn new() -> TestStore {
        match std::env::var("DOORSTEP_TEST_DATABASE_URL") {
            Ok(server) if !server.is_empty() => {
                let database = scratch::ScratchDatabase::create(&server).unwrap();
                TestStore { store: Store::open(database.url()).unwrap(), _place: (None, Some(database)) }
            }
            _ => {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&dir.path().join("test.sqlite").to_string_lossy()).unwrap();
                TestStore { store, _place: (Some(dir), None) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use diesel::RunQueryDsl;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use super::*;

    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        name: String,
    }

    /// Reads `schema.rs` as text: each table with its columns.
    fn declared_tables() -> Vec<(String, BTreeSet<String>)> {
        let mut tables = Vec::new();
        let mut current: Option<(String, BTreeSet<String>)> = None;
        for line in include_str!("schema.rs").lines() {
            let line = line.trim();
            if let Some(name) = line.strip_suffix('{').and_then(|l| l.split_whitespace().next())
                && line.contains('(')
                && !line.starts_with("diesel::")
            {
                current = Some((name.to_string(), BTreeSet::new()));
                continue;
            }
            if let Some((_, columns)) = current.as_mut() {
                if let Some((column, _)) = line.split_once(" -> ") {
                    columns.insert(column.to_string());
                } else if line == "}" {
                    tables.extend(current.take());
                }
            }
        }
        tables
    }

    /// The columns the database has for `table`, asked each backend its way.
    fn actual_columns(conn: &mut Conn, table: &str) -> BTreeSet<String> {
        let columns: Vec<Column> = match conn {
            Conn::Sqlite(c) => {
                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')")).load(c)
            }
            Conn::Postgres(c) => diesel::sql_query(
                "SELECT column_name AS name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind::<Text, _>(table)
            .load(c),
        }
        .unwrap();
        columns.into_iter().map(|c| c.name).collect()
    }

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }

    /// How many statistics the planner holds on the `meta` table, asked each backend its way.
    fn statistics_on_meta(conn: &mut Conn) -> i64 {
        match conn {
            Conn::Sqlite(c) => {
                diesel::sql_query("SELECT count(*) AS count FROM sqlite_stat1 WHERE tbl = 'meta'").get_result::<Count>(c)
            }
            Conn::Postgres(c) => diesel::sql_query(
                "SELECT count(*) AS count FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'meta'",
            )
            .get_result::<Count>(c),
        }
        .unwrap()
        .count
    }

    #[test]
    fn refreshing_statistics_gives_the_planner_figures_on_both_backends() {
        let test = TestStore::new();
        let mut conn = test.store.conn().unwrap();
        meta::set(&mut conn, meta::AREA_NAME, "Trafford").unwrap();
        refresh_statistics(&mut conn).unwrap();
        assert!(statistics_on_meta(&mut conn) > 0, "no statistics on meta after ANALYZE");
    }

    #[test]
    fn schema_matches_the_migrations() {
        let test = TestStore::new();
        let mut conn = test.store.conn().unwrap();
        let tables = declared_tables();
        assert!(tables.len() >= 20, "read {} tables from schema.rs", tables.len());
        for (table, declared) in tables {
            assert_eq!(declared, actual_columns(&mut conn, &table), "table {table}");
        }
    }

    #[test]
    fn a_sqlite_database_runs_in_wal_mode_with_foreign_keys() {
        #[derive(QueryableByName)]
        struct Setting {
            #[diesel(sql_type = Text)]
            value: String,
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("check.sqlite").to_string_lossy()).unwrap();
        let mut conn = store.conn().unwrap();
        let mode = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
            .get_result::<Setting>(&mut *conn)
            .unwrap();
        assert_eq!(mode.value, "wal");
        let keys = diesel::sql_query("SELECT CAST(foreign_keys AS TEXT) AS value FROM pragma_foreign_keys")
            .get_result::<Setting>(&mut *conn)
            .unwrap();
        assert_eq!(keys.value, "1");
    }

    #[test]
    fn writers_that_read_first_take_turns_rather_than_fail() {
        let test = TestStore::new();
        let writers: Vec<_> = (0..4)
            .map(|n| {
                let store = test.store.clone();
                std::thread::spawn(move || {
                    for _ in 0..40 {
                        let mut conn = store.conn().unwrap();
                        // Read, then write what was read: the pattern that
                        // meets another writer's commit in between.
                        transaction(&mut conn, |conn| {
                            let seen = meta::get(conn, "counter")?.unwrap_or_default();
                            meta::set(conn, "counter", &format!("{seen}{n}"))
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let counter = meta::get(&mut test.store.conn().unwrap(), "counter").unwrap().unwrap();
        assert_eq!(counter.len(), 160, "every write kept, none lost to another");
    }

    #[test]
    fn database_addresses_are_told_apart_and_shown_without_passwords() {
        let pg = Database::at("postgres://doorstep:secret@db.internal:5432/doorstep");
        assert_eq!(pg.shown(), "postgres://doorstep@db.internal:5432/doorstep");
        assert_eq!(Database::at("data/doorstep.sqlite"), Database::Sqlite("data/doorstep.sqlite".into()));
    }
}
