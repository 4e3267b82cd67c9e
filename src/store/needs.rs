//! The needs taxonomy in the database: loading it, and reading it back.

use diesel::prelude::*;

use super::schema::{need_terms, needs};
use super::{Conn, StoreError, StoreResult, per_backend};
use crate::domain::ids::NeedId;
use crate::domain::needs::{self as taxonomy, Need};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = needs)]
struct NeedRow {
    id: NeedId,
    slug: String,
    parent_id: Option<NeedId>,
    label: String,
    description: String,
    position: i32,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = need_terms)]
struct NeedTermRow {
    need_id: NeedId,
    kind: String,
    term: String,
}

/// Loads `seeds/needs.toml` when the database has no needs yet.
pub fn load_built_in_if_empty(conn: &mut Conn) -> StoreResult<()> {
    let count: i64 = needs::table.count().get_result(conn)?;
    if count > 0 {
        return Ok(());
    }
    let built_in = taxonomy::parse(taxonomy::BUILT_IN).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    insert(conn, &built_in)
}

/// Adds needs (parents before children) in one transaction.
pub fn insert(conn: &mut Conn, list: &[Need]) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        for need in list {
            diesel::insert_into(needs::table)
                .values(NeedRow {
                    id: need.id,
                    slug: need.slug.clone(),
                    parent_id: need.parent,
                    label: need.label.clone(),
                    description: need.description.clone(),
                    position: need.position,
                })
                .execute(conn)?;
            let terms = need
                .synonyms
                .iter()
                .map(|t| ("synonym", t))
                .chain(need.phrases.iter().map(|t| ("phrase", t)));
            for (kind, term) in terms {
                let row = NeedTermRow { need_id: need.id, kind: kind.into(), term: term.clone() };
                per_backend!(conn, |c| diesel::insert_into(need_terms::table)
                    .values(&row)
                    .on_conflict_do_nothing()
                    .execute(c))?;
            }
        }
        Ok(())
    })
}

/// The whole taxonomy: groups in order, each followed by its needs in order.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<Need>> {
    let rows: Vec<NeedRow> = needs::table.select(NeedRow::as_select()).load(conn)?;
    let terms: Vec<NeedTermRow> = need_terms::table
        .select(NeedTermRow::as_select())
        .order((need_terms::need_id, need_terms::kind, need_terms::term))
        .load(conn)?;
    let mut list: Vec<Need> = rows
        .into_iter()
        .map(|row| {
            let (synonyms, phrases) =
                terms.iter().filter(|t| t.need_id == row.id).partition::<Vec<_>, _>(|t| t.kind == "synonym");
            Need {
                id: row.id,
                parent: row.parent_id,
                slug: row.slug,
                label: row.label,
                description: row.description,
                synonyms: synonyms.into_iter().map(|t| t.term.clone()).collect(),
                phrases: phrases.into_iter().map(|t| t.term.clone()).collect(),
                position: row.position,
            }
        })
        .collect();
    // Groups by position; each group's needs straight after it.
    let group_position = |need: &Need, list: &[Need]| -> (i32, i32, i32) {
        match need.parent {
            None => (need.position, 0, 0),
            Some(parent) => {
                let parent_position = list.iter().find(|n| n.id == parent).map_or(i32::MAX, |p| p.position);
                (parent_position, 1, need.position)
            }
        }
    };
    let keys: Vec<(i32, i32, i32)> = list.iter().map(|n| group_position(n, &list)).collect();
    let mut keyed: Vec<((i32, i32, i32), Need)> = keys.into_iter().zip(list.drain(..)).collect();
    keyed.sort_by_key(|(key, _)| *key);
    Ok(keyed.into_iter().map(|(_, need)| need).collect())
}

/// The id of the need with `slug`.
pub fn id_of(conn: &mut Conn, slug: &str) -> StoreResult<NeedId> {
    Ok(needs::table.filter(needs::slug.eq(slug)).select(needs::id).first(conn)?)
}
