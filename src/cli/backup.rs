//! `doorstep backup --out FILE` and `doorstep restore FILE`: a consistent
//! copy of the SQLite database, made while the server serves, and that copy
//! put back into an empty data folder. For PostgreSQL they say how to use
//! PostgreSQL's own tools, and whether they are installed here.

use std::path::Path;

use super::CliError;
use crate::config::Config;
use crate::state;
use crate::store::{Database, backup};

/// Copies the database to `out`, which must not exist yet.
pub(super) fn backup(config: &Config, out: &Path) -> Result<(), CliError> {
    if let Some(url) = &config.database_url {
        // Shown without its password.
        let url = Database::at(url).shown();
        return Err(postgres_advice(
            "pg_dump",
            &format!("pg_dump --format=custom --file={} '{url}'", out.display()),
        ));
    }
    if out.exists() {
        return Err(CliError::Usage(format!(
            "{} already exists: choose a new file for the copy",
            out.display()
        )));
    }
    let store = state::open_store(config)?;
    backup::copy_to(&mut *store.conn()?, out)?;
    backup::check_copy(out).map_err(|why| CliError::Usage(format!("the copy is not sound: {why}")))?;
    println!("Copied the database to {}.", out.display());
    Ok(())
}

/// Puts the copy `file` in place as the database of an empty data folder.
pub(super) fn restore(config: &Config, file: &Path) -> Result<(), CliError> {
    if let Some(url) = &config.database_url {
        // Shown without its password.
        let url = Database::at(url).shown();
        return Err(postgres_advice(
            "pg_restore",
            &format!("pg_restore --dbname='{url}' {}", file.display()),
        ));
    }
    let paths = config.paths();
    // A write-ahead log left beside it would be played over the copy.
    let wal = paths.database.with_extension("sqlite-wal");
    let shm = paths.database.with_extension("sqlite-shm");
    let taken =
        [&paths.database, &wal, &shm, &paths.index].into_iter().find(|p| p.exists() && !is_empty_folder(p));
    if let Some(taken) = taken {
        return Err(CliError::Usage(format!(
            "{} already exists: restore into an empty data folder (--data-dir), so that nothing is overwritten",
            taken.display()
        )));
    }
    backup::check_copy(file)
        .map_err(|why| CliError::Usage(format!("{} cannot be restored: {why}", file.display())))?;
    if let Some(folder) = paths.database.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", folder.display())))?;
    }
    // Copied beside its place, then renamed: never half a database in place.
    let partial = paths.database.with_extension("sqlite.restoring");
    std::fs::copy(file, &partial)
        .map_err(|e| CliError::Usage(format!("cannot copy {}: {e}", file.display())))?;
    std::fs::rename(&partial, &paths.database)
        .map_err(|e| CliError::Usage(format!("cannot put the copy in place: {e}")))?;
    // Brought up to date, if it is older than this version; the index is
    // built from it when the server starts.
    let store = state::open_store(config)?;
    println!(
        "Restored {} into {}. Start the server to build the search index.",
        file.display(),
        store.database().shown()
    );
    Ok(())
}

fn is_empty_folder(path: &Path) -> bool {
    path.is_dir() && std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

/// What to do for a PostgreSQL database: its own tool, and whether it is here.
fn postgres_advice(tool: &str, command: &str) -> CliError {
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join(tool)).find(|p| p.is_file()))
        .unwrap_or_default();
    let here = match found {
        Some(path) => format!("{tool} is installed here ({}).", path.display()),
        None => format!(
            "{tool} is not on the PATH here: install PostgreSQL's client tools (Debian: postgresql-client)."
        ),
    };
    CliError::Usage(format!(
        "The database is PostgreSQL: use PostgreSQL's own tools, which copy it consistently while it serves: {command} (the password from PGPASSWORD or ~/.pgpass). {here}"
    ))
}
