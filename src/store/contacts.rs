//! Named contacts for a service: a person, their role, a phone and an email.

use diesel::prelude::*;

use super::schema::contacts;
use super::{Conn, StoreResult};
use crate::domain::ids::{ContactId, OrganisationId, ServiceId};
use crate::domain::listing::Contact;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = contacts)]
struct ContactRow {
    id: ContactId,
    service_id: Option<ServiceId>,
    organisation_id: Option<OrganisationId>,
    name: String,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    shown: bool,
}

/// Adds a service's contacts.
pub(super) fn insert(conn: &mut Conn, service: ServiceId, all: &[Contact]) -> StoreResult<()> {
    for c in all {
        diesel::insert_into(contacts::table)
            .values(ContactRow {
                id: c.id,
                service_id: Some(service),
                organisation_id: None,
                name: c.name.clone(),
                title: c.title.clone(),
                phone: c.phone.clone(),
                email: c.email.clone(),
                shown: c.shown,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces a service's contacts with `all`.
pub(super) fn replace(conn: &mut Conn, service: ServiceId, all: &[Contact]) -> StoreResult<()> {
    diesel::delete(contacts::table.filter(contacts::service_id.eq(service))).execute(conn)?;
    insert(conn, service, all)
}

/// A service's contacts, by name.
pub(super) fn of_service(conn: &mut Conn, service: ServiceId) -> StoreResult<Vec<Contact>> {
    Ok(of_services(conn, &[service])?.into_iter().map(|(_, c)| c).collect())
}

/// The contacts of several services, by name within each service.
pub(super) fn of_services(conn: &mut Conn, services: &[ServiceId]) -> StoreResult<Vec<(ServiceId, Contact)>> {
    let rows: Vec<ContactRow> = contacts::table
        .filter(contacts::service_id.eq_any(services))
        .select(ContactRow::as_select())
        .order((contacts::service_id, contacts::name, contacts::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            let contact = Contact {
                id: c.id,
                name: c.name,
                title: c.title,
                phone: c.phone,
                email: c.email,
                shown: c.shown,
            };
            c.service_id.map(|service| (service, contact))
        })
        .collect())
}
