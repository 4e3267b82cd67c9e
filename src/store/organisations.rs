//! Organisations: the charities, groups, faith groups and public bodies that
//! run services.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::changes::{self, Action, RecordKind};
use super::schema::{organisations, services};
use super::service_lists::{summaries, summary_query};
use super::{Conn, StoreResult, decode, search_feed};
use crate::domain::directory::OrganisationKind;
use crate::domain::ids::{OrganisationId, ServiceId, UserId};
use crate::domain::listing::Organisation;
use crate::domain::organisation_form::history_fields;
use crate::domain::service_form::changed_fields;
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

/// Adds an organisation typed by a member of staff, with every field in the
/// change history, in one transaction.
pub fn create(
    conn: &mut Conn,
    org: &Organisation,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        insert(conn, org, now)?;
        let fields = changed_fields(&[], &history_fields(org));
        changes::record(
            conn,
            RecordKind::Organisation,
            &org.id.to_string(),
            Action::Create,
            &fields,
            Some(by),
            reason,
            now,
        )
    })
}

/// Changes an organisation typed by a member of staff, recording each changed
/// field; its services are indexed again when their organisation's name
/// changes (search shows it). Returns how many fields changed.
pub fn change(
    conn: &mut Conn,
    org: &Organisation,
    by: UserId,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> StoreResult<usize> {
    super::transaction(conn, |conn| {
        let before = one(conn, org.id)?.0;
        let fields = changed_fields(&history_fields(&before), &history_fields(org));
        if fields.is_empty() {
            return Ok(0);
        }
        update(conn, org, now)?;
        changes::record(
            conn,
            RecordKind::Organisation,
            &org.id.to_string(),
            Action::Update,
            &fields,
            Some(by),
            reason,
            now,
        )?;
        if before.name != org.name {
            let ids: Vec<ServiceId> = services::table
                .filter(services::organisation_id.eq(org.id))
                .select(services::id)
                .load(conn)?;
            for id in ids {
                search_feed::log_change(conn, id, now)?;
            }
        }
        Ok(fields.len())
    })
}

/// The organisations (not archived) with the same charity or company number
/// as given, leaving out `except`, by name.
pub fn alike(
    conn: &mut Conn,
    (charity, company): (Option<&str>, Option<&str>),
    except: Option<OrganisationId>,
) -> StoreResult<Vec<(OrganisationId, String)>> {
    let numbered =
        |conn: &mut Conn, column: &str, number: &str| -> StoreResult<Vec<(OrganisationId, String)>> {
            let query = organisations::table.filter(organisations::archived_at.is_null()).into_boxed();
            let query = match column {
                "charity" => query.filter(organisations::charity_number.eq(number.to_string())),
                _ => query.filter(organisations::company_number.eq(number.to_string())),
            };
            Ok(query.select((organisations::id, organisations::name)).load(conn)?)
        };
    let mut found = Vec::new();
    if let Some(number) = charity {
        found.extend(numbered(conn, "charity", number)?);
    }
    if let Some(number) = company {
        found.extend(numbered(conn, "company", number)?);
    }
    found.retain(|(id, _)| Some(*id) != except);
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found.dedup_by_key(|(id, _)| *id);
    Ok(found)
}

/// Merges organisation `from` into `into`: its services, venues and editors
/// move to `into`, proposals about it are about `into`, it is archived, and
/// its address leads to `into` from now on. Both keep their histories, each
/// with a line saying so; each service moved is recorded and indexed again.
pub fn merge(
    conn: &mut Conn,
    from: OrganisationId,
    into: OrganisationId,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<()> {
    use super::schema::{locations, users};
    super::transaction(conn, |conn| {
        let (from_org, _) = one(conn, from)?;
        let (into_org, _) = one(conn, into)?;
        let moved: Vec<ServiceId> =
            services::table.filter(services::organisation_id.eq(from)).select(services::id).load(conn)?;
        diesel::update(services::table.filter(services::organisation_id.eq(from)))
            .set(services::organisation_id.eq(into))
            .execute(conn)?;
        for service in moved {
            let field = [("organisation", Some(from.to_string()), Some(into.to_string()))];
            changes::record(
                conn,
                RecordKind::Service,
                &service.to_string(),
                Action::Update,
                &field,
                Some(by),
                Some("Its organisation was merged"),
                now,
            )?;
            search_feed::log_change(conn, service, now)?;
        }
        diesel::update(locations::table.filter(locations::organisation_id.eq(from)))
            .set(locations::organisation_id.eq(into))
            .execute(conn)?;
        diesel::update(users::table.filter(users::organisation_id.eq(from)))
            .set(users::organisation_id.eq(into))
            .execute(conn)?;
        super::proposals::merged(conn, &from.to_string(), &into.to_string(), by, now)?;
        super::imports::remember_merge(conn, &from.to_string(), &into.to_string(), "organisation", now)?;
        diesel::update(organisations::table.find(from))
            .set(organisations::archived_at.eq(now))
            .execute(conn)?;
        let (from_id, into_id) = (from.to_string(), into.to_string());
        changes::record(
            conn,
            RecordKind::Organisation,
            &from_id,
            Action::Merge,
            &[("merged_into", None, Some(into_org.name))],
            Some(by),
            None,
            now,
        )?;
        changes::record(
            conn,
            RecordKind::Organisation,
            &into_id,
            Action::Merge,
            &[("merged_from", None, Some(from_org.name))],
            Some(by),
            None,
            now,
        )
    })
}

/// The organisation a merged one was merged into, if it was.
pub fn merged_into(conn: &mut Conn, id: OrganisationId) -> StoreResult<Option<OrganisationId>> {
    use super::schema::merged_records;
    let into: Option<String> = merged_records::table
        .find(id.to_string())
        .filter(merged_records::kind.eq("organisation"))
        .select(merged_records::into_id)
        .first(conn)
        .optional()?;
    Ok(into.and_then(|i| i.parse().ok()))
}

/// One organisation, and when it was archived (if it was).
pub fn one(conn: &mut Conn, id: OrganisationId) -> StoreResult<(Organisation, Option<NaiveDateTime>)> {
    let (row, archived): (OrganisationRow, Option<NaiveDateTime>) = organisations::table
        .find(id)
        .select((OrganisationRow::as_select(), organisations::archived_at))
        .first(conn)?;
    Ok((organisation_of(row)?, archived))
}

/// Archives an organisation (or restores it), recorded in its history.
/// `Ok(false)` when it already was; an organisation that still runs services
/// not archived is not archived, and their number is the error.
pub fn set_archived(
    conn: &mut Conn,
    id: OrganisationId,
    archived: bool,
    by: UserId,
    now: NaiveDateTime,
) -> StoreResult<Result<bool, i64>> {
    super::transaction(conn, |conn| {
        let was = one(conn, id)?.1;
        if was.is_some() == archived {
            return Ok(Ok(false));
        }
        if archived {
            let running: i64 = services::table
                .filter(services::organisation_id.eq(id))
                .filter(services::archived_at.is_null())
                .count()
                .get_result(conn)?;
            if running > 0 {
                return Ok(Err(running));
            }
        }
        diesel::update(organisations::table.find(id))
            .set(organisations::archived_at.eq(archived.then_some(now)))
            .execute(conn)?;
        let action = if archived { Action::Archive } else { Action::Restore };
        let field = [("archived", Some((!archived).to_string()), Some(archived.to_string()))];
        changes::record(
            conn,
            RecordKind::Organisation,
            &id.to_string(),
            action,
            &field,
            Some(by),
            None,
            now,
        )?;
        Ok(Ok(true))
    })
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
/// Everything the organisation page shows: its services not archived.
pub fn view(conn: &mut Conn, id: OrganisationId) -> StoreResult<OrganisationView> {
    let (organisation, archived_at) = one(conn, id)?;
    let query = summary_query()
        .filter(services::organisation_id.eq(id))
        .filter(services::archived_at.is_null())
        .order(services::name);
    let services = summaries(conn, query, 500)?;
    Ok(OrganisationView { organisation, services, archived_at })
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
        let mut query = organisations::table
            .filter(organisations::id.ne_all(others.clone()))
            .filter(organisations::archived_at.is_null())
            .into_boxed();
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
    let row: OrganisationRow = organisations::table
        .find(id)
        .filter(organisations::archived_at.is_null())
        .select(OrganisationRow::as_select())
        .first(conn)?;
    let services = services::table
        .filter(services::organisation_id.eq(id))
        .filter(services::archived_at.is_null())
        .select(services::id)
        .order(services::id)
        .load(conn)?;
    Ok((organisation_of(row)?, services))
}

/// The organisations not archived among `ids`, and up to `FOUND_AT_MOST`
/// whose name holds every word of `words` (in lower case): id and name, by name.
pub fn open(
    conn: &mut Conn,
    ids: &[OrganisationId],
    words: &[String],
) -> StoreResult<Vec<(OrganisationId, String)>> {
    let mut found: Vec<(OrganisationId, String)> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .filter(organisations::archived_at.is_null())
        .select((organisations::id, organisations::name))
        .load(conn)?;
    if !words.is_empty() {
        let mut query = organisations::table.filter(organisations::archived_at.is_null()).into_boxed();
        for word in words {
            query = query.filter(super::lower(organisations::name).like(super::contains(word)).escape('\\'));
        }
        found.extend(
            query
                .select((organisations::id, organisations::name))
                .order(organisations::name)
                .limit(FOUND_AT_MOST)
                .load::<(OrganisationId, String)>(conn)?,
        );
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found.dedup_by_key(|(id, _)| *id);
    Ok(found)
}

/// The most organisations a search on a form finds.
const FOUND_AT_MOST: i64 = 20;

/// Every organisation's id and name, by name.
pub fn choices(conn: &mut Conn) -> StoreResult<Vec<(OrganisationId, String)>> {
    Ok(organisations::table
        .filter(organisations::archived_at.is_null())
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
