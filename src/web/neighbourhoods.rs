//! `GET /neighbourhoods` and `GET /neighbourhoods/{slug}`: the neighbourhoods
//! on a map and in a list, and one neighbourhood's page.

use actix_web::web;
use maud::Markup;

use super::session::Visitor;
use crate::app::neighbourhoods;
use crate::error::AppError;
use crate::pages;
use crate::pages::map::Source;
use crate::pages::neighbourhoods::Shown;
use crate::state::AppState;

pub async fn index(state: web::Data<AppState>, visitor: Visitor) -> Result<Markup, AppError> {
    let (hoods, band, shapes) = neighbourhoods::all(&state).await?;
    let title = "Map of every neighbourhood; each links to its page";
    let map = pages::map::map(title, &shapes, &[], Source::of(&visitor.frame));
    Ok(pages::neighbourhoods::index(&visitor.frame, &hoods, band, map))
}

pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    slug: web::Path<String>,
) -> Result<Markup, AppError> {
    let page = neighbourhoods::page(&state, visitor.user.as_ref(), slug.into_inner()).await?;
    let title = format!("Map of {}, with the venues of the services based there", page.hood.name);
    let map = pages::map::map(&title, &page.shapes, &page.pins, Source::of(&visitor.frame));
    Ok(pages::neighbourhoods::show(
        &visitor.frame,
        &Shown {
            hood: &page.hood,
            band: page.band,
            map,
            based_here: &page.based_here,
            from_elsewhere: &page.from_elsewhere,
            places: &page.places,
            may_edit: page.may_edit,
            network: page.network.as_ref().map(|(network, threads)| (network, threads.as_slice())),
            events: &page.events,
        },
    ))
}
