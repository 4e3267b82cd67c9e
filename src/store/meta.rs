//! Small facts about the database itself, such as which demo it holds.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::meta;
use super::{Conn, StoreResult, per_backend};

/// The key under which the demo's name is kept once it has been seeded.
pub const DEMO: &str = "demo";
/// The name of the area a seeded area (`seed trafford`) covers, and the
/// county or region its addresses are in: what the configuration's
/// `area_name` and `region` are when it says nothing.
pub const AREA_NAME: &str = "area_name";
pub const REGION: &str = "region";
/// What the seeded area's data asks every page to say of where it came from.
pub const ATTRIBUTION: &str = "attribution";
/// How many index rebuilds have been asked for (`doorstep reindex` while serving).
pub const REBUILD_REQUESTS: &str = "rebuild_requests";

/// The fingerprint of the built-in taxonomy the needs tables were last
/// brought up to date with.
pub const TAXONOMY: &str = "taxonomy";

/// The key that signs cookies, for servers sharing a PostgreSQL database
/// (a SQLite server keeps its key in a file beside the database).
pub const COOKIE_KEY: &str = "cookie_key";

/// The value under `key`, putting `value` there first if there is none:
/// when several servers start at once, all end up with the first one's.
pub fn get_or_put(conn: &mut Conn, key: &str, value: &str) -> StoreResult<String> {
    let insert = diesel::insert_into(meta::table)
        .values((meta::key.eq(key), meta::value.eq(value)))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(meta::table.find(key).select(meta::value).first(conn)?)
}

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
