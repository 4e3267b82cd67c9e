//! The only room that names diesel: the connection pool, the schema, the rows
//! and every query. SQLite by default (one file, WAL, foreign keys on).
//!
//! Everything here is synchronous; the web room runs it on the blocking pool,
//! one closure per unit of work, with the transaction inside.

pub mod areas;
pub mod changes;
pub mod contacts;
pub mod dashboard;
pub mod ids;
pub mod local_services;
pub mod locations;
pub mod meta;
pub mod needs;
pub mod neighbourhoods;
pub mod organisations;
pub mod outbox;
pub mod postcodes;
pub mod schedules;
pub mod schema;
pub mod search_feed;
pub mod service_lists;
pub mod services;
pub mod signposting;
pub mod stats;
pub mod users;

use std::path::Path;
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The migrations, compiled into the binary and run at start.
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The connection every query takes.
pub type Conn = SqliteConnection;

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

/// A pool of connections to one SQLite file.
#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager<SqliteConnection>>,
}

/// Sets up every new connection: a busy timeout instead of immediate "database
/// is locked" errors (first, so the rest can wait too), and foreign keys
/// enforced. `synchronous = NORMAL` in WAL mode keeps every committed
/// transaction through a crash of the process. `secure_delete` overwrites
/// deleted content with zeros, so a citizen's email address emptied from the
/// outbox is gone from the file's pages, not just unlinked. WAL itself is a
/// property of the file, set once in `Store::open`.
#[derive(Debug, Clone, Copy)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl Store {
    /// Opens (creating if need be) the database file and brings its tables up to date.
    pub fn open(path: &Path) -> StoreResult<Store> {
        let url = path.to_string_lossy().into_owned();
        // WAL lets readers go on while one writer writes.
        let cannot_open =
            |e: &dyn std::fmt::Display| StoreError::Migration(format!("cannot open {}: {e}", path.display()));
        SqliteConnection::establish(&url)
            .map_err(|e| cannot_open(&e))?
            .batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
            .map_err(|e| cannot_open(&e))?;
        let pool = Pool::builder()
            .max_size(8)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(Pragmas))
            .build(ConnectionManager::<SqliteConnection>::new(url))?;
        let store = Store { pool };
        store.migrate()?;
        Ok(store)
    }

    /// Runs any migrations not yet applied, then loads the built-in needs
    /// taxonomy into an empty database.
    pub fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.conn()?;
        conn.run_pending_migrations(MIGRATIONS).map_err(|e| StoreError::Migration(e.to_string()))?;
        needs::load_built_in_if_empty(&mut conn)?;
        locations::fill_missing_cells(&mut conn)?;
        Ok(())
    }

    /// A connection from the pool.
    pub fn conn(&self) -> StoreResult<PooledConnection<ConnectionManager<SqliteConnection>>> {
        Ok(self.pool.get()?)
    }

    /// Whether the database answers.
    pub fn ping(&self) -> StoreResult<()> {
        self.conn()?.batch_execute("SELECT 1")?;
        Ok(())
    }
}

/// Runs `work` in one transaction: what it writes is kept if it returns `Ok`,
/// and undone if it returns an error. For rooms that write through several
/// store functions as one unit (the demo's seeding).
pub fn transaction<T>(conn: &mut Conn, work: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
    conn.transaction(work)
}

/// Reads a stored code back into its enum, or reports the bad value.
pub(crate) fn decode<T>(code: &str, from_code: fn(&str) -> Option<T>, what: &str) -> StoreResult<T> {
    from_code(code).ok_or_else(|| StoreError::Corrupt(format!("'{code}' is not a {what}")))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

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

    #[test]
    fn schema_matches_the_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("check.sqlite")).unwrap();
        let mut conn = store.conn().unwrap();
        let tables = declared_tables();
        assert!(tables.len() >= 20, "read {} tables from schema.rs", tables.len());
        for (table, declared) in tables {
            let actual: BTreeSet<String> = diesel::sql_query(format!("PRAGMA table_info({table})"))
                .load::<Column>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect();
            assert_eq!(declared, actual, "table {table}");
        }
    }

    #[test]
    fn the_database_runs_in_wal_mode_with_foreign_keys() {
        #[derive(QueryableByName)]
        struct Setting {
            #[diesel(sql_type = Text)]
            value: String,
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("check.sqlite")).unwrap();
        let mut conn = store.conn().unwrap();
        let mode = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
            .get_result::<Setting>(&mut conn)
            .unwrap();
        assert_eq!(mode.value, "wal");
        let keys = diesel::sql_query("SELECT CAST(foreign_keys AS TEXT) AS value FROM pragma_foreign_keys")
            .get_result::<Setting>(&mut conn)
            .unwrap();
        assert_eq!(keys.value, "1");
    }
}
