//! Postcodes and districts: importing the ONS files, and finding where a
//! postcode or district is.

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::{postcode_districts, postcodes};
use super::{Conn, StoreResult, per_backend};
use crate::geo::onspd::{DistrictRow, PostcodeRow};
use crate::geo::postcode::{Located, Place, PlaceQuery};

/// Adds or updates postcodes in one transaction; importing the same file
/// again changes nothing. A row without a small area keeps the one already
/// known. Returns how many rows were written.
pub fn import_postcodes(conn: &mut Conn, rows: &[PostcodeRow]) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        for row in rows {
            let insert = diesel::insert_into(postcodes::table).values((
                postcodes::postcode.eq(row.postcode.as_str()),
                postcodes::latitude.eq(row.latitude),
                postcodes::longitude.eq(row.longitude),
                postcodes::small_area_code.eq(row.small_area.as_deref()),
                postcodes::terminated.eq(row.terminated),
            ));
            let point = (
                postcodes::latitude.eq(excluded(postcodes::latitude)),
                postcodes::longitude.eq(excluded(postcodes::longitude)),
                postcodes::terminated.eq(excluded(postcodes::terminated)),
            );
            let upsert = insert.on_conflict(postcodes::postcode).do_update();
            match row.small_area {
                Some(_) => per_backend!(conn, |c| upsert
                    .set((point, postcodes::small_area_code.eq(excluded(postcodes::small_area_code))))
                    .execute(c))?,
                None => per_backend!(conn, |c| upsert.set(point).execute(c))?,
            };
        }
        Ok(rows.len())
    })
}

/// Adds or updates district centres in one transaction.
pub fn import_districts(conn: &mut Conn, rows: &[DistrictRow]) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        for row in rows {
            let upsert = diesel::insert_into(postcode_districts::table)
                .values((
                    postcode_districts::district.eq(&row.district),
                    postcode_districts::latitude.eq(row.latitude),
                    postcode_districts::longitude.eq(row.longitude),
                ))
                .on_conflict(postcode_districts::district)
                .do_update()
                .set((
                    postcode_districts::latitude.eq(excluded(postcode_districts::latitude)),
                    postcode_districts::longitude.eq(excluded(postcode_districts::longitude)),
                ));
            per_backend!(conn, |c| upsert.execute(c))?;
        }
        Ok(rows.len())
    })
}

/// A postcode in use here, to show what one looks like: the first in order.
pub fn example(conn: &mut Conn) -> StoreResult<Option<String>> {
    Ok(postcodes::table
        .filter(postcodes::terminated.eq(false))
        .select(postcodes::postcode)
        .order(postcodes::postcode)
        .first(conn)
        .optional()?)
}

/// How many districts have a centre of their own.
pub fn district_count(conn: &mut Conn) -> StoreResult<i64> {
    Ok(postcode_districts::table.count().get_result(conn)?)
}

/// Where a postcode or district is. An unknown postcode falls back to the
/// centre of its district.
pub fn locate(conn: &mut Conn, query: &PlaceQuery) -> StoreResult<Located> {
    match query {
        PlaceQuery::Postcode(postcode) => {
            let found: Option<(f64, f64, bool)> = postcodes::table
                .find(postcode.as_str())
                .select((postcodes::latitude, postcodes::longitude, postcodes::terminated))
                .first(conn)
                .optional()?;
            let place = |latitude, longitude| Place { label: postcode.to_string(), latitude, longitude };
            Ok(match found {
                Some((lat, lon, false)) => Located::Postcode(place(lat, lon)),
                Some((lat, lon, true)) => {
                    Located::Terminated { postcode: postcode.clone(), place: place(lat, lon) }
                }
                None => match district_centre(conn, postcode.district())? {
                    Some(place) => Located::District { place, instead_of: Some(postcode.clone()) },
                    None => Located::Unknown(postcode.to_string()),
                },
            })
        }
        PlaceQuery::District(district) => Ok(match district_centre(conn, district)? {
            Some(place) => Located::District { place, instead_of: None },
            None => Located::Unknown(district.clone()),
        }),
    }
}

/// A district's centre: from a district file if one was imported, or else the
/// average of its postcodes still in use.
fn district_centre(conn: &mut Conn, district: &str) -> StoreResult<Option<Place>> {
    let label = format!("{district} (centre)");
    let listed: Option<(f64, f64)> = postcode_districts::table
        .find(district)
        .select((postcode_districts::latitude, postcode_districts::longitude))
        .first(conn)
        .optional()?;
    if let Some((latitude, longitude)) = listed {
        return Ok(Some(Place { label, latitude, longitude }));
    }
    // "M3 " up to "M3!" holds M3's postcodes and not M33's: a space sorts before digits.
    let (from, to) = (format!("{district} "), format!("{district}!"));
    let (latitude, longitude): (Option<f64>, Option<f64>) = postcodes::table
        .filter(postcodes::postcode.ge(&from).and(postcodes::postcode.lt(&to)))
        .filter(postcodes::terminated.eq(false))
        .select((diesel::dsl::avg(postcodes::latitude), diesel::dsl::avg(postcodes::longitude)))
        .first(conn)?;
    Ok(latitude.zip(longitude).map(|(latitude, longitude)| Place { label, latitude, longitude }))
}
