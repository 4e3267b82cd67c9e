//! Small facts about the database itself, such as which demo it holds.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::meta;
use super::{Conn, StoreResult, per_backend};

/// The key under which the demo's name is kept once it has been seeded.
pub const DEMO: &str = "demo";
/// How many index rebuilds have been asked for (`doorstep reindex` while serving).
pub const REBUILD_REQUESTS: &str = "rebuild_requests";

pub fn get(conn: &mut Conn, key: &str) -> StoreResult<Option<String>> {
    Ok(meta::table.find(key).select(meta::value).first(conn).optional()?)
}

pub fn set(conn: &mut Conn, key: &str, value: &str) -> StoreResult<()> {
    let upsert = diesel::insert_into(meta::table)
        .values((meta::key.eq(key), meta::value.eq(value)))
        .on_conflict(meta::key)
        .do_update()
        .set(meta::value.eq(excluded(meta::value)));
    per_backend!(conn, |c| upsert.execute(c))?;
    Ok(())
}
