//! Members who speak for an organisation: asking, the decision of its
//! editor or a connector, and who speaks for what (which posts then say).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{members, organisations, speakers};
use super::{Conn, StoreError, StoreResult, per_backend};
use crate::domain::ids::{MemberId, OrganisationId, UserId};
use crate::domain::networks::{SpeakerView, Speaking};

/// Asks for `member` to speak for `organisation`. Says how things stand if
/// they have asked before (their earlier ask stands).
pub fn ask(
    conn: &mut Conn,
    member: MemberId,
    organisation: OrganisationId,
    now: NaiveDateTime,
) -> StoreResult<Option<Speaking>> {
    let before = state(conn, member, organisation)?;
    if before.is_some() {
        return Ok(before);
    }
    let insert = diesel::insert_into(speakers::table)
        .values((
            speakers::id.eq(uuid::Uuid::new_v4().to_string()),
            speakers::member_id.eq(member),
            speakers::organisation_id.eq(organisation),
            speakers::asked_at.eq(now),
        ))
        .on_conflict_do_nothing();
    per_backend!(conn, |c| insert.execute(c))?;
    Ok(None)
}

/// Where `member`'s ask to speak for `organisation` stands, if they asked.
pub fn state(
    conn: &mut Conn,
    member: MemberId,
    organisation: OrganisationId,
) -> StoreResult<Option<Speaking>> {
    let row: Option<(Option<NaiveDateTime>, Option<NaiveDateTime>)> = speakers::table
        .filter(speakers::member_id.eq(member))
        .filter(speakers::organisation_id.eq(organisation))
        .select((speakers::agreed_at, speakers::refused_at))
        .first(conn)
        .optional()?;
    Ok(row.map(|(agreed, refused)| Speaking::of(agreed.is_some(), refused.is_some())))
}

/// The asks and agreed speakers of `only` organisation, or of every one,
/// those waiting first, then by organisation. Refused asks are not listed.
pub fn listed(conn: &mut Conn, only: Option<OrganisationId>) -> StoreResult<Vec<SpeakerView>> {
    type Row = (String, MemberId, String, OrganisationId, String, NaiveDateTime, Option<NaiveDateTime>);
    let mut query = speakers::table
        .inner_join(members::table)
        .inner_join(organisations::table)
        .filter(speakers::refused_at.is_null())
        .filter(members::deleted_at.is_null())
        .filter(organisations::archived_at.is_null())
        .order((speakers::agreed_at.is_not_null(), organisations::name, speakers::asked_at))
        .select((
            speakers::id,
            speakers::member_id,
            members::display_name,
            speakers::organisation_id,
            organisations::name,
            speakers::asked_at,
            speakers::agreed_at,
        ))
        .into_boxed();
    if let Some(organisation) = only {
        query = query.filter(speakers::organisation_id.eq(organisation));
    }
    let rows: Vec<Row> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, member, member_name, organisation, organisation_name, asked_at, agreed_at)| SpeakerView {
            id,
            member,
            member_name,
            organisation,
            organisation_name,
            asked_at,
            agreed: agreed_at.is_some(),
        })
        .collect())
}

/// The organisation an ask is about.
pub fn organisation_of(conn: &mut Conn, id: &str) -> StoreResult<OrganisationId> {
    speakers::table
        .find(id)
        .select(speakers::organisation_id)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Agrees to an ask, or refuses it.
pub fn decide(conn: &mut Conn, id: &str, agree: bool, by: UserId, now: NaiveDateTime) -> StoreResult<()> {
    let (agreed, refused) = if agree { (Some(now), None) } else { (None, Some(now)) };
    let changed = diesel::update(speakers::table.find(id))
        .set((speakers::agreed_at.eq(agreed), speakers::refused_at.eq(refused), speakers::decided_by.eq(by)))
        .execute(conn)?;
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Ends a member's speaking for an organisation (or withdraws an ask).
pub fn end(conn: &mut Conn, id: &str) -> StoreResult<()> {
    let gone = diesel::delete(speakers::table.find(id)).execute(conn)?;
    if gone == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Everything a member speaks for or asked about, when they leave.
pub(super) fn forget(conn: &mut Conn, member: MemberId) -> StoreResult<()> {
    diesel::delete(speakers::table.filter(speakers::member_id.eq(member))).execute(conn)?;
    Ok(())
}

/// The organisations each of `ids` speaks for (agreed), by name.
pub(super) fn spoken_for(conn: &mut Conn, ids: &[MemberId]) -> StoreResult<HashMap<MemberId, Vec<String>>> {
    let rows: Vec<(MemberId, String)> = speakers::table
        .inner_join(organisations::table)
        .filter(speakers::member_id.eq_any(ids))
        .filter(speakers::agreed_at.is_not_null())
        .filter(organisations::archived_at.is_null())
        .order(organisations::name)
        .select((speakers::member_id, organisations::name))
        .load(conn)?;
    let mut by_member: HashMap<MemberId, Vec<String>> = HashMap::new();
    for (member, name) in rows {
        by_member.entry(member).or_default().push(name);
    }
    Ok(by_member)
}
