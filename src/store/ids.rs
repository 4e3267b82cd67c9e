//! Typed ids as diesel types: every id is stored as its written form (text)
//! and read back checked, so rows and queries take `ServiceId` and friends
//! directly. A stored id that is not one is reported as corrupt data.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Nullable, Text};
use diesel::sqlite::Sqlite;

use super::MultiBackend;

use crate::domain::ids::{
    ContactId, EventId, ImportId, LocationId, MemberId, NeedId, NeighbourFeedId, NeighbourhoodId, NetworkId,
    NoticeId, OrganisationId, PostId, ProposalId, ScheduleId, ServiceAtLocationId, ServiceId,
    SignpostContactId, SourceId, ThreadId, UserId,
};

/// An id, and a reference to one, bound as the text of its written form.
macro_rules! bound_as_text {
    ($id:ty, $sql:ty) => {
        impl AsExpression<$sql> for $id {
            type Expression = <String as AsExpression<$sql>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<$sql>::as_expression(self.to_string())
            }
        }

        impl AsExpression<$sql> for &$id {
            type Expression = <String as AsExpression<$sql>>::Expression;
            fn as_expression(self) -> Self::Expression {
                AsExpression::<$sql>::as_expression(self.to_string())
            }
        }
    };
}

/// The impls `#[derive(AsExpression, FromSqlRow)]` would write, written here
/// because `domain` names no diesel. An id is bound as its text.
macro_rules! text_id {
    ($($id:ty),* $(,)?) => {$(
        bound_as_text!($id, Text);
        bound_as_text!($id, Nullable<Text>);

        impl ToSql<Text, Sqlite> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.to_string());
                Ok(serialize::IsNull::No)
            }
        }

        impl ToSql<Text, Pg> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                use std::io::Write;
                write!(out, "{self}")?;
                Ok(serialize::IsNull::No)
            }
        }

        impl ToSql<Nullable<Text>, Sqlite> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                ToSql::<Text, Sqlite>::to_sql(self, out)
            }
        }

        impl ToSql<Nullable<Text>, Pg> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                ToSql::<Text, Pg>::to_sql(self, out)
            }
        }

        impl ToSql<Text, MultiBackend> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(serialize::IsNull::No)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $id
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                text.parse().map_err(|_| format!("'{text}' is not an id").into())
            }
        }

        impl<DB: Backend> Queryable<Text, DB> for $id
        where
            Self: FromSql<Text, DB>,
        {
            type Row = Self;
            fn build(id: Self) -> deserialize::Result<Self> {
                Ok(id)
            }
        }
    )*};
}

text_id!(
    ContactId,
    EventId,
    NoticeId,
    ImportId,
    ProposalId,
    LocationId,
    MemberId,
    NeedId,
    NeighbourFeedId,
    NeighbourhoodId,
    NetworkId,
    OrganisationId,
    PostId,
    ScheduleId,
    ServiceAtLocationId,
    ServiceId,
    SignpostContactId,
    SourceId,
    ThreadId,
    UserId,
);
