//! `GET /accessibility`: the accessibility statement.

use maud::Markup;

use super::session::Visitor;
use crate::pages;

pub async fn show(visitor: Visitor) -> Markup {
    pages::accessibility::page(&visitor.frame)
}
