//! Events in the networks: the form (with the venues it offers), adding an
//! event (placed on the map and in a neighbourhood, by its venue or its
//! postcode), its page, its calendar file, and what is on in a network,
//! near a neighbourhood and for a service.

use chrono::Utc;

use super::db;
use crate::domain::events::{EventForm, EventPlace, EventView, occurrences, span};
use crate::domain::ids::{EventId, LocationId, NeighbourhoodId, OrganisationId, ServiceId};
use crate::domain::moderation::NotPosted;
use crate::domain::networks::{Member, NetworkView};
use crate::domain::text::FieldErrors;
use crate::domain::views::{MapPin, MapShape};
use crate::error::AppError;
use crate::geo::postcode::{Located, PlaceQuery, Postcode};
use crate::state::AppState;
use crate::store::events::{self as store_events, Placed};
use crate::store::{Conn, StoreResult, moderation, neighbourhoods, networks, postcodes};

/// Upcoming events shown in a list.
const LISTED: usize = 20;
/// Past events listed.
const PAST: i64 = 20;
/// Upcoming events read to find the soonest: a repeating event that began
/// long ago may happen before a one-off added later.
pub(super) const READ: i64 = 500;

/// The network an event goes in, and the venues it may be at.
pub async fn form(
    state: &AppState,
    slug: String,
) -> Result<(NetworkView, Vec<(LocationId, String)>), AppError> {
    db(state, move |conn| {
        let network = networks::by_slug(conn, &slug)?;
        let venues = store_events::venues_offered(conn, network.neighbourhood_id)?;
        Ok((network, venues))
    })
    .await
}

/// Adds an event to the network at `slug`: its id, or the form's problems.
/// Only a member whose posts go straight up may add one (a new member's
/// first post waits for a moderator first); a suspended one may not.
pub async fn add(
    state: &AppState,
    member: &Member,
    slug: String,
    form: &EventForm,
) -> Result<Result<EventId, FieldErrors>, AppError> {
    let (network, venues) = self::form(state, slug).await?;
    let venue_ids: Vec<LocationId> = venues.iter().map(|v| v.0).collect();
    let today = Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive();
    let mut errors = FieldErrors::default();
    let (author, now, network_id) = (member.id, Utc::now().naive_utc(), network.id);
    let rights = db(state, move |conn| moderation::rights(conn, author, network_id, now)).await?;
    match rights.decide("") {
        Err(NotPosted::Suspended(why)) => {
            errors.add("title", format!("A moderator has stopped you posting in this network ({why})."));
        }
        Err(NotPosted::TooMany(_)) => errors.add("title", "You have posted a lot lately: wait a few minutes, then send it again."),
        Ok(_) if !rights.trusted => errors.add(
            "title",
            "Events can be added once a moderator has approved one of your posts: start a conversation first.",
        ),
        Ok(_) => {}
    }
    let event = match form.check(&venue_ids, today) {
        Ok(event) if errors.is_empty() => event,
        Ok(_) => return Ok(Err(errors)),
        Err(more) => {
            errors.0.extend(more.0);
            return Ok(Err(errors));
        }
    };
    let placed = match &event.place {
        EventPlace::Venue(venue) => {
            let venue = *venue;
            db(state, move |conn| store_events::venue_place(conn, venue)).await?
        }
        EventPlace::Address { address, postcode } => match place_by_postcode(state, postcode).await? {
            Ok((point, neighbourhood)) => Placed {
                venue: None,
                address: address.clone(),
                postcode: postcode.clone(),
                point: Some(point),
                neighbourhood,
            },
            Err(message) => {
                errors.add("postcode", message);
                return Ok(Err(errors));
            }
        },
    };
    let Some((first, last)) = span(&event.schedule()) else {
        errors.add("date", "It does not happen on any day: check the date, the times and how it repeats");
        return Ok(Err(errors));
    };
    let id = db(state, move |conn| {
        store_events::insert(
            conn,
            (network_id, author),
            &event,
            (first.naive_utc(), last.naive_utc()),
            &placed,
            now,
        )
    })
    .await?;
    super::search::take_in_activity(state).await;
    Ok(Ok(id))
}

/// A postcode's point and neighbourhood, or what to say about it.
async fn place_by_postcode(state: &AppState, postcode: &str) -> Result<Result<PlacedAt, String>, AppError> {
    let Some(full) = crate::geo::postcode::parse_full(postcode) else {
        return Ok(Err(format!("Enter a full postcode, like M33 7XX: {postcode} is not one")));
    };
    match db(state, move |conn| placed(conn, full)).await? {
        Ok(found) => Ok(Ok(found)),
        Err(Located::Terminated { postcode, .. }) => {
            Ok(Err(format!("{postcode} is no longer in use: enter the postcode the place has now")))
        }
        Err(_) => Ok(Err(format!("We do not know the postcode {postcode} in this area: check it"))),
    }
}

/// A point (latitude, longitude) and the neighbourhood it is in, if any.
type PlacedAt = ((f64, f64), Option<NeighbourhoodId>);

/// Where `postcode` is, and the neighbourhood that holds it; or what the
/// lookup found instead (a postcode no longer in use, or not known here).
pub(super) fn placed(conn: &mut Conn, postcode: Postcode) -> StoreResult<Result<PlacedAt, Located>> {
    match postcodes::locate(conn, &PlaceQuery::Postcode(postcode))? {
        Located::Postcode(place) => {
            let point = (place.latitude, place.longitude);
            Ok(Ok((point, neighbourhoods::containing(conn, point.0, point.1)?)))
        }
        other => Ok(Err(other)),
    }
}

/// A map of where an event is, in the outline of its neighbourhood.
pub async fn map(state: &AppState, event: &EventView) -> Result<Option<(MapShape, MapPin)>, AppError> {
    let (Some((hood, _, name)), Some(latitude), Some(longitude)) =
        (&event.neighbourhood, event.latitude, event.longitude)
    else {
        return Ok(None);
    };
    let polygons = super::neighbourhoods::outlines(state).await?.get(hood).cloned().unwrap_or_default();
    let shape = MapShape { label: name.clone(), href: None, polygons, current: true };
    let pin = MapPin { label: format!("{}, {}", event.address, event.postcode), latitude, longitude };
    Ok(Some((shape, pin)))
}

/// The `most` that happen soonest, by when each next happens.
pub(super) fn soonest(events: Vec<EventView>, most: usize) -> Vec<EventView> {
    let mut events = with_next(events);
    events.sort_by_key(|e| e.next.map(|n| n.starts));
    events.truncate(most);
    events
}

/// With when each next happens (or last happened).
fn with_next(mut events: Vec<EventView>) -> Vec<EventView> {
    let now = Utc::now();
    for event in &mut events {
        event.next = occurrences(&event.schedule, now, 1).into_iter().next().or_else(|| {
            span(&event.schedule).map(|(starts, ends)| crate::domain::events::Occurrence { starts, ends })
        });
    }
    events
}

/// An event's page.
pub async fn page(state: &AppState, id: EventId) -> Result<EventView, AppError> {
    let event = db(state, move |conn| store_events::view(conn, id)).await?;
    Ok(with_next(vec![event]).remove(0))
}

/// An event as an iCalendar file.
pub async fn calendar(state: &AppState, id: EventId) -> Result<(String, String), AppError> {
    let event = db(state, move |conn| store_events::view(conn, id)).await?;
    Ok((event.title.clone(), crate::domain::calendar::event(&event, &state.config.public_url, Utc::now())))
}

/// What is on in the network at `slug`, and what was.
pub async fn of_network(
    state: &AppState,
    slug: String,
) -> Result<(NetworkView, Vec<EventView>, Vec<EventView>), AppError> {
    let now = Utc::now().naive_utc();
    let (network, upcoming, past) = db(state, move |conn| {
        let network = networks::by_slug(conn, &slug)?;
        let upcoming = store_events::in_network(conn, network.id, now, false, READ)?;
        let past = store_events::in_network(conn, network.id, now, true, PAST)?;
        Ok((network, upcoming, past))
    })
    .await?;
    Ok((network, soonest(upcoming, LISTED), with_next(past)))
}

/// What is on in or for a neighbourhood.
pub async fn near_neighbourhood(
    state: &AppState,
    neighbourhood: NeighbourhoodId,
    most: usize,
) -> Result<Vec<EventView>, AppError> {
    let now = Utc::now().naive_utc();
    let events =
        db(state, move |conn| store_events::near_neighbourhood(conn, neighbourhood, now, READ)).await?;
    Ok(soonest(events, most))
}

/// What is on that names a service an organisation runs.
pub async fn for_organisation(
    state: &AppState,
    organisation: OrganisationId,
) -> Result<Vec<EventView>, AppError> {
    let now = Utc::now().naive_utc();
    let events = db(state, move |conn| store_events::for_organisation(conn, organisation, now, READ)).await?;
    Ok(soonest(events, 5))
}

/// What is on that names a service.
pub async fn for_service(state: &AppState, service: ServiceId) -> Result<Vec<EventView>, AppError> {
    let now = Utc::now().naive_utc();
    Ok(soonest(db(state, move |conn| store_events::for_service(conn, service, now, READ)).await?, 5))
}
