//! The only room that names actix: the route table, the app factory, the
//! extractors and the handlers. Handlers are thin: extractors in, a page or an
//! `AppError` out; the work happens in the store and the domain.

pub mod accessibility;
pub mod api;
pub mod assets;
pub mod dashboard;
pub mod follow_up;
pub mod health;
pub mod home;
pub mod needs;
pub mod neighbourhoods;
pub mod organisations;
pub mod search;
pub mod server;
pub mod services;
pub mod session;
pub mod sign_in;
pub mod signpost;
pub mod sitemap;
pub mod staff;

use std::str::FromStr;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, web};

use crate::error::AppError;
use crate::state::AppState;
use crate::store::{Conn, StoreResult};

/// Every path the site answers, in one table.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .route("/healthz", web::get().to(health::show))
        .route("/accessibility", web::get().to(accessibility::show))
        .route("/sitemap.xml", web::get().to(sitemap::sitemap))
        .route("/search", web::get().to(search::show))
        .route("/api/search", web::get().to(api::search))
        .route("/api/openapi.json", web::get().to(api::openapi))
        .route("/assets/{file}", web::get().to(assets::show))
        .route("/needs", web::get().to(needs::index))
        .route("/needs/{slug}", web::get().to(needs::show))
        .route("/neighbourhoods", web::get().to(neighbourhoods::index))
        .route("/neighbourhoods/{slug}", web::get().to(neighbourhoods::show))
        .route("/services/{id}", web::get().to(services::show))
        .route("/organisations/{id}", web::get().to(organisations::show))
        .route("/sign-in", web::get().to(sign_in::show))
        .route("/sign-in", web::post().to(sign_in::submit))
        .route("/sign-out", web::post().to(sign_in::sign_out))
        .route("/signpost", web::get().to(signpost::start))
        .route("/signpost/contacts", web::post().to(signpost::create))
        .route("/signpost/contacts/{id}", web::get().to(signpost::show))
        .route("/signpost/contacts/{id}/shortlist", web::post().to(signpost::add))
        .route("/signpost/contacts/{id}/shortlist", web::get().to(signpost::shortlist))
        .route("/signpost/contacts/{id}/shortlist/{service}", web::post().to(signpost::change))
        .route("/signpost/contacts/{id}/email", web::post().to(signpost::email))
        .route("/signpost/contacts/{id}/print", web::get().to(signpost::print))
        .route("/signpost/contacts/{id}/risk", web::post().to(signpost::escalate))
        .route("/signpost/contacts/{id}/finish", web::post().to(signpost::finish))
        .route("/dashboard", web::get().to(dashboard::show))
        .route("/dashboard.csv", web::get().to(dashboard::csv))
        .route("/follow-up/{token}", web::get().to(follow_up::show))
        .route("/follow-up/{token}", web::post().to(follow_up::answer))
        .route("/staff", web::get().to(staff::home))
        .route("/staff/services/new", web::get().to(staff::services::new))
        .route("/staff/services", web::post().to(staff::services::create))
        .route("/staff/services/{id}/edit", web::get().to(staff::services::edit))
        .route("/staff/services/{id}", web::post().to(staff::services::update))
        .route("/staff/services/{id}/verify", web::post().to(staff::services::verify))
        .route("/staff/services/{id}/history", web::get().to(staff::services::history))
        .route("/staff/neighbourhoods/{slug}", web::get().to(staff::neighbourhoods::edit))
        .route("/staff/neighbourhoods/{slug}/name", web::post().to(staff::neighbourhoods::rename))
        .route("/staff/neighbourhoods/{slug}/move", web::post().to(staff::neighbourhoods::move_small_area));
}

/// The whole application, as `serve` runs it and the tests drive it.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .app_data(web::QueryConfig::default().error_handler(|_, _| {
            AppError::BadRequest("The web address has a value that is not understood.".into()).into()
        }))
        .configure(routes)
        .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) }))
        .wrap(from_fn(session::frame_and_csrf))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "same-origin"))
                .add((
                    "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                ))
                .add(("Cache-Control", "private, no-cache")),
        )
        .wrap(actix_web::middleware::Compress::default())
}

/// Runs store work on the blocking pool: diesel is synchronous.
pub async fn db<T, F>(state: &AppState, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut Conn) -> StoreResult<T> + Send + 'static,
    T: Send + 'static,
{
    let store = state.store.clone();
    web::block(move || -> Result<T, AppError> {
        let mut conn = store.conn()?;
        Ok(work(&mut conn)?)
    })
    .await?
}

/// Reads an id from a path. One that cannot be an id names nothing: 404.
pub fn path_id<T: FromStr>(text: &str) -> Result<T, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// A page with a status other than 200, such as a form shown again with its problems.
pub fn page_with_status(status: actix_web::http::StatusCode, page: maud::Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(page.into_string())
}

/// A 303 redirect, the answer to a form that worked.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location.to_string())).finish()
}
