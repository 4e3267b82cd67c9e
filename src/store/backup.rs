//! Copies of a SQLite database: one made while the server serves (SQLite's
//! `VACUUM INTO` reads one consistent snapshot, whatever is being written
//! meanwhile), and the check that a file is a whole Doorstep database before
//! it is restored. A PostgreSQL database is copied with PostgreSQL's own
//! tools (`pg_dump`), which `doorstep backup` says how to use.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;

use super::schema::{meta, needs, services};
use super::{Conn, StoreError, StoreResult};

/// Writes a consistent copy of the SQLite database `conn` is connected to
/// into the new file `to`. An error for PostgreSQL, whose copies `pg_dump` makes.
pub fn copy_to(conn: &mut Conn, to: &Path) -> StoreResult<()> {
    let Conn::Sqlite(conn) = conn else {
        return Err(StoreError::Rollback(String::from("a PostgreSQL database is copied with pg_dump")));
    };
    let path = to.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{path}'"))?;
    Ok(())
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Checks that `file` is a whole, undamaged SQLite database that Doorstep
/// wrote: what is wrong with it, if anything. SQLite's own integrity check
/// is a pragma, with no query-builder form; a copy is a SQLite file
/// whichever backend a server uses, so it is the one way to ask.
pub fn check_copy(file: &Path) -> Result<(), String> {
    if !file.is_file() {
        return Err(format!("{} is not a file", file.display()));
    }
    // A URI, to open it read-only: its path's own `%`, `?` and `#` escaped.
    let path = file.to_string_lossy().replace('%', "%25").replace('?', "%3f").replace('#', "%23");
    let url = format!("file:{path}?mode=ro");
    let mut conn = SqliteConnection::establish(&url).map_err(|e| format!("it cannot be opened: {e}"))?;
    let checked: Vec<Line> = diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
        .load(&mut conn)
        .map_err(|_| String::from("it is not a SQLite database"))?;
    if checked.iter().map(|l| l.line.as_str()).ne(["ok"]) {
        let problems: Vec<String> = checked.into_iter().take(3).map(|l| l.line).collect();
        return Err(format!("it is damaged: {}", problems.join("; ")));
    }
    // Doorstep's tables answer, read as the store reads them.
    let ours = needs::table.count().get_result::<i64>(&mut conn).is_ok()
        && services::table.count().get_result::<i64>(&mut conn).is_ok()
        && meta::table.count().get_result::<i64>(&mut conn).is_ok();
    if !ours {
        return Err(String::from("it is a SQLite database, but not one of Doorstep's"));
    }
    Ok(())
}
