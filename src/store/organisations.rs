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
