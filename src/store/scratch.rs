//! A PostgreSQL database of its own for a test or a benchmark: made on the
//! server given, with a new name, and dropped when it goes out of scope. (A
//! SQLite scratch database is just a file in a temporary folder.)

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;

use super::{StoreError, StoreResult};

/// A database made for one test or benchmark.
pub struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Makes an empty database on the server `server_url` names (its own
    /// database is only used to make and drop the new one).
    pub fn create(server_url: &str) -> StoreResult<ScratchDatabase> {
        ScratchDatabase::make(server_url, None)
    }

    /// Makes a copy of the database `template` on the same server (nobody
    /// may be connected to the template meanwhile).
    pub fn copy_of(server_url: &str, template: &str) -> StoreResult<ScratchDatabase> {
        ScratchDatabase::make(server_url, Some(template))
    }

    fn make(server_url: &str, template: Option<&str>) -> StoreResult<ScratchDatabase> {
        let name = format!("doorstep_scratch_{}", uuid::Uuid::new_v4().simple());
        let url = address_of(server_url, &name)?;
        let from = template.map(|t| format!(" TEMPLATE {t}")).unwrap_or_default();
        admin(server_url)?.batch_execute(&format!("CREATE DATABASE {name}{from}"))?;
        Ok(ScratchDatabase { server: server_url.to_string(), name, url })
    }

    /// The new database's address.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Connections still open to it are ended first.
        let dropped = admin(&self.server).and_then(|mut c| {
            Ok(c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))?)
        });
        if let Err(error) = dropped {
            tracing::warn!(%error, database = %self.name, "a scratch database was not dropped");
        }
    }
}

/// The address of the database `name` on the server `server_url` names.
pub fn address_of(server_url: &str, name: &str) -> StoreResult<String> {
    with_database(server_url, name)
        .ok_or_else(|| StoreError::Migration(format!("'{server_url}' is not a postgres:// address")))
}

/// A connection to the server's own database, to make and drop others.
pub fn admin(server_url: &str) -> StoreResult<PgConnection> {
    PgConnection::establish(server_url)
        .map_err(|e| StoreError::Migration(format!("cannot reach PostgreSQL: {e}")))
}

/// `url` naming the database `name` instead of its own.
fn with_database(url: &str, name: &str) -> Option<String> {
    let rest = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://"))?;
    let (before_query, query) = rest.split_once('?').map_or((rest, None), |(a, q)| (a, Some(q)));
    let authority = before_query.split_once('/').map_or(before_query, |(a, _)| a);
    Some(match query {
        Some(query) => format!("postgres://{authority}/{name}?{query}"),
        None => format!("postgres://{authority}/{name}"),
    })
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_in_an_address_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5433/postgres?sslmode=disable", "x").as_deref(),
            Some("postgres://u:p@127.0.0.1:5433/x?sslmode=disable")
        );
        assert_eq!(with_database("postgresql://localhost", "x").as_deref(), Some("postgres://localhost/x"));
        assert_eq!(with_database("/tmp/db.sqlite", "x"), None);
    }
}
