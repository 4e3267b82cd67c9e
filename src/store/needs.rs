//! The needs taxonomy in the database: loading it, and reading it back.

use diesel::prelude::*;

use super::schema::{need_senses, need_terms, needs};
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

/// One term of one of a need's senses, numbered from 1.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = need_senses)]
struct NeedSenseRow {
    need_id: NeedId,
    sense: i32,
    term: String,
}

/// Brings the needs tables up to date with `seeds/needs.toml` whenever the
/// file has changed since they last were (its fingerprint is kept in
/// `meta`): a new database gets the whole taxonomy, an existing one the
/// needs added since and every need's words as the file now has them. A
/// need no longer in the file is kept, since services may be listed under it.
pub fn load_built_in(conn: &mut Conn) -> StoreResult<()> {
    let built_in = taxonomy::parse(taxonomy::BUILT_IN).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let fingerprint = format!("{:016x}", taxonomy::Taxonomy::new(built_in.clone()).fingerprint());
    if super::meta::get(conn, super::meta::TAXONOMY)?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    // Run within `prepare`'s transaction: the needs and the fingerprint
    // saying they are up to date are written together.
    insert(conn, &built_in)?;
    super::meta::set(conn, super::meta::TAXONOMY, &fingerprint)
}

/// Adds needs (parents before children), or changes those already there
/// and replaces their words, in one transaction.
pub fn insert(conn: &mut Conn, list: &[Need]) -> StoreResult<()> {
    super::transaction(conn, |conn| {
        for need in list {
            let row = NeedRow {
                id: need.id,
                slug: need.slug.clone(),
                parent_id: need.parent,
                label: need.label.clone(),
                description: need.description.clone(),
                position: need.position,
            };
            per_backend!(conn, |c| diesel::insert_into(needs::table)
                .values(&row)
                .on_conflict(needs::id)
                .do_update()
                .set((
                    needs::parent_id.eq(row.parent_id),
                    needs::label.eq(&row.label),
                    needs::description.eq(&row.description),
                    needs::position.eq(row.position),
                ))
                .execute(c))?;
            diesel::delete(need_terms::table.filter(need_terms::need_id.eq(need.id))).execute(conn)?;
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
            diesel::delete(need_senses::table.filter(need_senses::need_id.eq(need.id))).execute(conn)?;
            for (n, sense) in (1..).zip(&need.senses) {
                for term in sense {
                    let row = NeedSenseRow { need_id: need.id, sense: n, term: term.clone() };
                    per_backend!(conn, |c| diesel::insert_into(need_senses::table)
                        .values(&row)
                        .on_conflict_do_nothing()
                        .execute(c))?;
                }
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
    let sense_terms: Vec<NeedSenseRow> = need_senses::table
        .select(NeedSenseRow::as_select())
        .order((need_senses::need_id, need_senses::sense, need_senses::term))
        .load(conn)?;
    let mut list: Vec<Need> = rows
        .into_iter()
        .map(|row| {
            let own = || terms.iter().filter(|t| t.need_id == row.id);
            let of_kind = |kind: &str| own().filter(|t| t.kind == kind).map(|t| t.term.clone()).collect();
            let mut senses: Vec<Vec<String>> = Vec::new();
            for term in sense_terms.iter().filter(|t| t.need_id == row.id) {
                let n = usize::try_from(term.sense).unwrap_or(1).max(1);
                senses.resize(senses.len().max(n), Vec::new());
                senses[n - 1].push(term.term.clone());
            }
            Need {
                id: row.id,
                parent: row.parent_id,
                slug: row.slug,
                label: row.label,
                description: row.description,
                synonyms: of_kind("synonym"),
                phrases: of_kind("phrase"),
                senses,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{TestStore, meta};

    /// A database made before needs were added to the built-in taxonomy,
    /// or its words changed, is brought up to date when it is next opened.
    #[test]
    fn an_older_taxonomy_is_brought_up_to_date_and_its_services_keep_their_needs() {
        let test = TestStore::new();
        let mut conn = test.store.conn().unwrap();
        let lgbtq = id_of(&mut conn, "lgbtq").unwrap();
        let loneliness = id_of(&mut conn, "loneliness").unwrap();
        diesel::delete(need_terms::table.filter(need_terms::need_id.eq_any([lgbtq, loneliness])))
            .execute(&mut *conn)
            .unwrap();
        diesel::delete(needs::table.filter(needs::id.eq(lgbtq))).execute(&mut *conn).unwrap();
        diesel::update(needs::table.filter(needs::id.eq(loneliness)))
            .set(needs::label.eq("Old label"))
            .execute(&mut *conn)
            .unwrap();
        meta::set(&mut conn, meta::TAXONOMY, "an older file").unwrap();
        let before = all(&mut conn).unwrap();
        assert!(!before.iter().any(|n| n.slug == "lgbtq"));

        load_built_in(&mut conn).unwrap();
        let after = all(&mut conn).unwrap();
        let built_in = taxonomy::parse(taxonomy::BUILT_IN).unwrap();
        assert_eq!(after.len(), built_in.len(), "every need of the file is there once");
        let lonely = after.iter().find(|n| n.slug == "loneliness").unwrap();
        let file = built_in.iter().find(|n| n.slug == "loneliness").unwrap();
        assert_eq!(lonely.label, file.label);
        assert_eq!(lonely.synonyms.len(), file.synonyms.len(), "its words as the file has them");
        assert!(!file.senses.is_empty());
        assert_eq!(lonely.senses.len(), file.senses.len(), "and its senses");
        assert!(after.iter().any(|n| n.slug == "lgbtq" && !n.phrases.is_empty()));
        // Nothing to do the next time.
        load_built_in(&mut conn).unwrap();
        assert_eq!(all(&mut conn).unwrap(), after);
    }
}
