//! Organisations: the charities, groups, faith groups and public bodies that
//! run services.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{organisations, services};
use super::service_lists::{summaries, summary_query};
use super::{Conn, StoreResult, decode};
use crate::domain::directory::OrganisationKind;
use crate::domain::ids::OrganisationId;
use crate::domain::listing::Organisation;
use crate::domain::views::OrganisationView;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: OrganisationId,
    name: String,
    description: String,
    kind: String,
    charity_number: Option<String>,
    company_number: Option<String>,
    website: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Adds an organisation.
pub fn insert(conn: &mut Conn, org: &Organisation, now: NaiveDateTime) -> StoreResult<()> {
    diesel::insert_into(organisations::table)
        .values(OrganisationRow {
            id: org.id,
            name: org.name.clone(),
            description: org.description.clone(),
            kind: org.kind.code().into(),
            charity_number: org.charity_number.clone(),
            company_number: org.company_number.clone(),
            website: org.website.clone(),
            email: org.email.clone(),
            phone: org.phone.clone(),
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(())
}

/// Changes an organisation to `org`'s values.
pub(super) fn update(conn: &mut Conn, org: &Organisation, now: NaiveDateTime) -> StoreResult<()> {
    diesel::update(organisations::table.find(org.id))
        .set((
            organisations::name.eq(&org.name),
            organisations::description.eq(&org.description),
            organisations::kind.eq(org.kind.code()),
            organisations::charity_number.eq(&org.charity_number),
            organisations::company_number.eq(&org.company_number),
            organisations::website.eq(&org.website),
            organisations::email.eq(&org.email),
            organisations::phone.eq(&org.phone),
            organisations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

fn organisation_of(row: OrganisationRow) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: row.id,
        kind: decode(&row.kind, OrganisationKind::from_code, "kind of organisation")?,
        name: row.name,
        description: row.description,
        charity_number: row.charity_number,
        company_number: row.company_number,
        website: row.website,
        email: row.email,
        phone: row.phone,
    })
}

/// Everything the organisation page shows.
pub fn view(conn: &mut Conn, id: OrganisationId) -> StoreResult<OrganisationView> {
    let row: OrganisationRow =
        organisations::table.find(id).select(OrganisationRow::as_select()).first(conn)?;
    let organisation = organisation_of(row)?;
    let services =
        summaries(conn, summary_query().filter(services::organisation_id.eq(id)).order(services::name), 500)?;
    Ok(OrganisationView { organisation, services })
}

/// Organisations by id (an id with none is left out).
pub(super) fn many(conn: &mut Conn, ids: &[OrganisationId]) -> StoreResult<Vec<Organisation>> {
    let rows: Vec<OrganisationRow> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(OrganisationRow::as_select())
        .load(conn)?;
    rows.into_iter().map(organisation_of).collect()
}

/// The organisations whose every listing here is another area's: theirs to publish.
pub fn theirs_only(conn: &mut Conn) -> StoreResult<Vec<OrganisationId>> {
    let listed = |conn: &mut Conn, theirs: bool| -> StoreResult<std::collections::HashSet<OrganisationId>> {
        let query = services::table.select(services::organisation_id).distinct().into_boxed();
        let query = if theirs {
            query.filter(services::listed_by.is_not_null())
        } else {
            query.filter(services::listed_by.is_null())
        };
        Ok(query.load::<OrganisationId>(conn)?.into_iter().collect())
    };
    let (theirs, ours) = (listed(conn, true)?, listed(conn, false)?);
    Ok(theirs.difference(&ours).copied().collect())
}

/// One page of organisations in the order of their ids, those whose name or
/// description holds every word of `words` (in lower case), leaving out those
/// that run only other areas' listings; and how many there are in all.
pub fn page(
    conn: &mut Conn,
    words: &[String],
    offset: u64,
    limit: u64,
) -> StoreResult<(u64, Vec<Organisation>)> {
    let others = theirs_only(conn)?;
    let filtered = || {
        let mut query = organisations::table.filter(organisations::id.ne_all(others.clone())).into_boxed();
        for word in words {
            let pattern = super::contains(word);
            query = query.filter(
                super::lower(organisations::name).like(pattern.clone()).escape('\\').or(super::lower(
                    organisations::description,
                )
                .like(pattern)
                .escape('\\')),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<OrganisationRow> = filtered()
        .select(OrganisationRow::as_select())
        .order(organisations::id)
        .offset(super::sql_count(offset))
        .limit(super::sql_count(limit))
        .load(conn)?;
    Ok((
        u64::try_from(total).unwrap_or(0),
        rows.into_iter().map(organisation_of).collect::<StoreResult<_>>()?,
    ))
}

/// One organisation, and the ids of the services it runs.
pub fn with_services(
    conn: &mut Conn,
    id: OrganisationId,
) -> StoreResult<(Organisation, Vec<crate::domain::ids::ServiceId>)> {
    let row: OrganisationRow =
        organisations::table.find(id).select(OrganisationRow::as_select()).first(conn)?;
    let services = services::table
        .filter(services::organisation_id.eq(id))
        .select(services::id)
        .order(services::id)
        .load(conn)?;
    Ok((organisation_of(row)?, services))
}

/// Every organisation's id and name, by name: the choices of the service form.
pub fn choices(conn: &mut Conn) -> StoreResult<Vec<(OrganisationId, String)>> {
    Ok(organisations::table
        .select((organisations::id, organisations::name))
        .order(organisations::name)
        .load(conn)?)
}

/// How many organisations the directory holds.
pub fn count(conn: &mut Conn) -> StoreResult<i64> {
    Ok(organisations::table.count().get_result(conn)?)
}

/// Whether an organisation exists.
pub fn exists(conn: &mut Conn, id: OrganisationId) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(organisations::table.find(id))).get_result(conn)?)
}
