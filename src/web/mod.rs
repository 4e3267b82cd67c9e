//! The only room that names actix: the route table, the app factory, the
//! extractors and the handlers. A handler is three steps: extract (typed ids,
//! the signed-in user, a checked form), call one use case in `app`, render a
//! page from `pages` (or JSON under `/api`).

pub mod accessibility;
pub mod api;
pub mod assets;
pub mod connections;
pub mod dashboard;
pub mod events;
pub mod feeds;
pub mod follow_up;
pub mod health;
pub mod home;
pub mod members;
pub mod metrics;
pub mod moderation;
pub mod needs;
pub mod neighbourhoods;
pub mod networks;
pub mod notices;
pub mod observe;
pub mod openreferral;
pub mod organisations;
pub mod password;
pub mod places;
pub mod reminders;
pub mod search;
pub mod server;
pub mod services;
pub mod session;
pub mod sign_in;
pub mod signpost;
pub mod sitemap;
pub mod staff;
pub mod suggestions;

use std::future::{Ready, ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{
    AppService, HttpServiceFactory, Payload, ServiceFactory, ServiceRequest, ServiceResponse,
};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{
    App, FromRequest, Handler, HttpRequest, HttpResponse, Resource, Responder, Route, guard, web,
};

use crate::error::AppError;
use crate::state::AppState;

/// Where a signed link from an email lands: the follow-up's answer, a
/// password to choose, a reminder, a member's link to confirm or sign in,
/// and unsubscribing. GET only shows a page (mail systems open links to
/// check them); its button POSTs. Every signed link is added here, where
/// `tests/signposting_mail.rs` holds each one to that rule and the logs
/// leave its token out.
pub const SIGNED_LINKS: &[&str] = &[FOLLOW_UP, PASSWORD, REMINDER, MEMBER_LINK, UNSUBSCRIBE];
const MEMBER_LINK: &str = "/members/links/{token}";
const UNSUBSCRIBE: &str = "/unsubscribe/{token}";
const FOLLOW_UP: &str = "/follow-up/{token}";
const PASSWORD: &str = "/password/{token}";
const REMINDER: &str = "/reminders/{token}";

/// Every path the site answers, in one table, with the methods each answers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use staff::{
        approvals as staff_approvals, imports as staff_imports, neighbourhoods as staff_hoods,
        organisations as staff_organisations, services as staff_services, sources as staff_sources,
        speakers as staff_speakers, users as staff_users, venues as staff_venues,
    };
    cfg.service(at("/").get(home::show))
        .service(at("/healthz").get(health::show))
        .service(at("/readyz").get(health::ready))
        .service(at("/metrics").get(metrics::show))
        .service(at("/accessibility").get(accessibility::show))
        .service(at("/sitemap.xml").get(sitemap::sitemap))
        .service(at("/search").get(search::show))
        .service(
            // Other sites and apps read the API: any origin may, and its
            // errors are JSON.
            web::scope("/api")
                .wrap(from_fn(json_errors))
                .wrap(DefaultHeaders::new().add(("Access-Control-Allow-Origin", "*")))
                .service(at("/search").get(api::search))
                .service(at("/openapi.json").get(api::openapi))
                .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) })),
        )
        .service(
            // The Open Referral UK 3.0 API: open to any origin, with no key,
            // its errors JSON. The ORUK validator asks for the root with and
            // without its slash.
            web::scope("/openreferral")
                .wrap(from_fn(json_errors))
                .wrap(DefaultHeaders::new().add(("Access-Control-Allow-Origin", "*")))
                .service(at("").get(openreferral::root))
                .service(at("/").get(openreferral::root))
                .service(at("/services").get(openreferral::services))
                .service(at("/services/{id}").get(openreferral::service))
                .service(at("/service_at_locations").get(openreferral::places))
                .service(at("/service_at_locations/{id}").get(openreferral::place))
                .service(at("/organizations").get(openreferral::organisations))
                .service(at("/organizations/{id}").get(openreferral::organisation))
                .service(at("/taxonomies").get(openreferral::taxonomies))
                .service(at("/taxonomies/{id}").get(openreferral::taxonomy))
                .service(at("/taxonomy_terms").get(openreferral::terms))
                .service(at("/taxonomy_terms/{id}").get(openreferral::term))
                .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) })),
        )
        .service(at("/assets/{file}").get(assets::show))
        .service(at("/needs").get(needs::index))
        .service(at("/needs/{slug}").get(needs::show))
        .service(at("/needs/{slug}/suggest").get(suggestions::need_form).post(suggestions::need_send))
        .service(at("/neighbourhoods").get(neighbourhoods::index))
        .service(at("/neighbourhoods/{slug}").get(neighbourhoods::show))
        .service(at("/neighbourhoods/{slug}/feed.atom").get(feeds::neighbourhood_atom))
        .service(at("/neighbourhoods/{slug}/calendar.ics").get(feeds::neighbourhood_calendar))
        .service(at("/neighbourhoods/{slug}/listings.atom").get(feeds::neighbourhood_listings))
        .service(at("/services/{id}").get(services::show))
        .service(at("/services/{id}/feed.atom").get(feeds::service_atom))
        .service(at("/services/{id}/calendar.ics").get(feeds::service_calendar))
        .service(at("/feed.atom").get(feeds::area_atom))
        .service(at("/calendar.ics").get(feeds::area_calendar))
        .service(at("/services/{id}/suggest").get(suggestions::service_form).post(suggestions::service_send))
        .service(at("/services/{id}/notices/new").get(notices::new))
        .service(at("/services/{id}/notices").post(notices::post))
        .service(at("/organisations/{id}").get(organisations::show))
        .service(at("/organisations/{id}/speak").post(organisations::speak))
        .service(at("/places/{id}").get(places::show))
        .service(at("/networks").get(networks::index))
        .service(at("/networks/{slug}").get(networks::show))
        .service(at("/networks/{slug}/feed.atom").get(feeds::network_atom))
        .service(at("/networks/{slug}/calendar.ics").get(feeds::network_calendar))
        .service(at("/networks/{slug}/follow").post(networks::follow))
        .service(at("/networks/{slug}/unfollow").post(networks::unfollow))
        .service(at("/networks/{slug}/events").get(events::of_network).post(events::add))
        .service(at("/networks/{slug}/events/new").get(events::new))
        .service(at("/events/{id}").get(events::show))
        .service(at("/events/{id}/calendar.ics").get(events::calendar))
        .service(at("/networks/{slug}/threads/new").get(networks::new_thread))
        .service(at("/networks/{slug}/threads").post(networks::start_thread))
        .service(at("/threads/{id}").get(networks::thread))
        .service(at("/threads/{id}/replies").post(networks::reply))
        .service(at("/threads/{id}/follow").post(networks::follow_thread))
        .service(at("/threads/{id}/unfollow").post(networks::unfollow_thread))
        .service(at(UNSUBSCRIBE).get(networks::unsubscribe_page).post(networks::unsubscribe))
        .service(at("/posts/{id}/edit").get(networks::edit_post))
        .service(at("/posts/{id}").post(networks::save_post))
        .service(at("/posts/{id}/report").get(moderation::report_form).post(moderation::report))
        .service(at("/events/{id}/report").get(moderation::report_event_form).post(moderation::report_event))
        .service(
            at("/notices/{id}/report").get(moderation::report_notice_form).post(moderation::report_notice),
        )
        .service(at("/members/join").get(members::join_form).post(members::join))
        .service(at("/members/sign-in").get(members::sign_in_form).post(members::sign_in))
        .service(at(MEMBER_LINK).get(members::link).post(members::use_link))
        .service(at("/members/sign-out").post(members::sign_out))
        .service(at("/members/account").get(members::account).post(members::change_account))
        .service(at("/members/account/digest").post(members::choose_digest))
        .service(at("/members/account/delete").post(members::delete))
        .service(at("/sign-in").get(sign_in::show).post(sign_in::submit))
        .service(at("/sign-out").post(sign_in::sign_out))
        .service(at("/signpost").get(signpost::start))
        .service(at("/signpost/contacts").post(signpost::create))
        .service(at("/signpost/contacts/{id}").get(signpost::show))
        .service(at("/signpost/contacts/{id}/shortlist").get(signpost::shortlist).post(signpost::add))
        .service(at("/signpost/contacts/{id}/shortlist/{service}").post(signpost::change))
        .service(at("/signpost/contacts/{id}/email").post(signpost::email))
        .service(at("/signpost/contacts/{id}/print").get(signpost::print))
        .service(at("/signpost/contacts/{id}/risk").post(signpost::escalate))
        .service(at("/signpost/contacts/{id}/finish").post(signpost::finish))
        .service(at("/dashboard").get(dashboard::show))
        .service(at("/dashboard.csv").get(dashboard::csv))
        .service(at(FOLLOW_UP).get(follow_up::show).post(follow_up::answer))
        .service(at(PASSWORD).get(password::show).post(password::choose))
        .service(at(REMINDER).get(reminders::show).post(reminders::answer))
        .service(at("/staff").get(staff::home))
        .service(at("/staff/review").get(staff::review_queue).post(staff::review_checked))
        .service(at("/staff/approvals").get(staff_approvals::index))
        .service(at("/staff/speakers").get(staff_speakers::index))
        .service(at("/staff/speakers/{id}").post(staff_speakers::decide))
        .service(at("/staff/approvals/{id}").get(staff_approvals::show))
        .service(at("/staff/approvals/{id}/accept").post(staff_approvals::accept))
        .service(at("/staff/approvals/{id}/reject").post(staff_approvals::reject))
        .service(at("/staff/services/new").get(staff_services::new))
        .service(at("/staff/services").post(staff_services::create))
        .service(at("/staff/services/{id}/edit").get(staff_services::edit))
        .service(at("/staff/services/{id}").post(staff_services::update))
        .service(at("/staff/services/{id}/verify").post(staff_services::verify))
        .service(at("/staff/services/{id}/archive").post(staff_services::archive))
        .service(at("/staff/services/{id}/restore").post(staff_services::restore))
        .service(at("/staff/services/{id}/merge").post(staff_services::merge))
        .service(at("/staff/services/{id}/history").get(staff_services::history))
        .service(at("/staff/organisations/new").get(staff_organisations::new))
        .service(at("/staff/organisations").post(staff_organisations::create))
        .service(at("/staff/organisations/{id}/edit").get(staff_organisations::edit))
        .service(at("/staff/organisations/{id}").post(staff_organisations::update))
        .service(at("/staff/organisations/{id}/archive").post(staff_organisations::archive))
        .service(at("/staff/organisations/{id}/restore").post(staff_organisations::restore))
        .service(at("/staff/organisations/{id}/merge").post(staff_organisations::merge))
        .service(at("/staff/organisations/{id}/history").get(staff_organisations::history))
        .service(at("/staff/venues/new").get(staff_venues::new))
        .service(at("/staff/venues").post(staff_venues::create))
        .service(at("/staff/venues/{id}/edit").get(staff_venues::edit))
        .service(at("/staff/venues/{id}").post(staff_venues::update))
        .service(at("/staff/venues/{id}/archive").post(staff_venues::archive))
        .service(at("/staff/venues/{id}/restore").post(staff_venues::restore))
        .service(at("/staff/venues/{id}/history").get(staff_venues::history))
        .service(at("/staff/users").get(staff_users::index).post(staff_users::invite))
        .service(at("/staff/users/new").get(staff_users::new))
        .service(at("/staff/users/{id}/edit").get(staff_users::edit))
        .service(at("/staff/users/{id}").post(staff_users::update))
        .service(at("/staff/users/{id}/disable").post(staff_users::disable))
        .service(at("/staff/users/{id}/enable").post(staff_users::enable))
        .service(at("/staff/users/{id}/reset").post(staff_users::reset))
        .service(at("/staff/users/{id}/history").get(staff::person_history))
        .service(at("/staff/account").get(staff_users::own).post(staff_users::change_password))
        .service(at("/staff/account/sessions/{handle}/end").post(staff_users::end_session))
        .service(at("/staff/imports").get(staff_imports::index).post(staff_imports::send))
        .service(at("/staff/imports/template.csv").get(staff_imports::template))
        .service(at("/staff/imports/{id}").get(staff_imports::show))
        .service(at("/staff/imports/{id}/check").post(staff_imports::check))
        .service(at("/staff/imports/{id}/run").post(staff_imports::run))
        .service(at("/staff/neighbours").post(staff_imports::follow))
        .service(at("/staff/neighbours/{id}/read").post(staff_imports::read_now))
        .service(at("/staff/moderation").get(moderation::queue))
        .service(at("/staff/moderation/log").get(moderation::log))
        .service(at("/staff/moderation/posts/{id}").get(moderation::post).post(moderation::act))
        .service(at("/staff/moderation/suspensions/{id}/lift").post(moderation::lift))
        .service(at("/staff/moderation/events/{id}").post(moderation::event))
        .service(at("/staff/moderation/notices/{id}").post(moderation::notice))
        .service(at("/staff/moderation/networks/{slug}").post(moderation::settings))
        .service(at("/staff/networks/new").get(networks::new_network))
        .service(at("/staff/networks").post(networks::create_network))
        .service(at("/staff/networks/{slug}/sources").get(staff_sources::index).post(staff_sources::follow))
        .service(at("/staff/sources/{id}").get(staff_sources::show))
        .service(at("/staff/sources/{id}/read").post(staff_sources::read_now))
        .service(at("/staff/sources/{id}/stop").post(staff_sources::stop))
        .service(at("/staff/neighbourhoods/{slug}").get(staff_hoods::edit))
        .service(at("/staff/neighbourhoods/{slug}/name").post(staff_hoods::rename))
        .service(at("/staff/neighbourhoods/{slug}/move").post(staff_hoods::move_small_area));
}

/// One path of the route table and the methods it answers. A GET answers HEAD
/// too; any other method is answered 405, with the methods it does answer in
/// `Allow`.
struct At {
    resource: Resource,
    allow: Vec<&'static str>,
}

fn at(path: &str) -> At {
    At { resource: web::resource(path), allow: Vec::new() }
}

impl At {
    fn get<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let get_or_head = guard::Any(guard::Get()).or(guard::Head());
        self.answer(&["GET", "HEAD"], web::route().guard(get_or_head).to(handler))
    }

    fn post<F, Args>(self, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.answer(&["POST"], web::post().to(handler))
    }

    fn answer(mut self, methods: &[&'static str], route: Route) -> Self {
        self.resource = self.resource.route(route);
        self.allow.extend(methods);
        self
    }
}

impl HttpServiceFactory for At {
    fn register(self, config: &mut AppService) {
        let allow = self.allow.join(", ");
        let refuse = move || {
            let allow = allow.clone();
            async move { Err::<HttpResponse, _>(AppError::MethodNotAllowed { allow }) }
        };
        self.resource.default_service(web::to(refuse)).register(config);
    }
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
    let mut headers = DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        // Only "use my location" asks the browser for anything.
        .add((
            "Permissions-Policy",
            "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), interest-cohort=()",
        ))
        .add(("Cache-Control", "private, no-cache"));
    if state.config.is_https() {
        // A year: browsers then refuse to reach the site over plain HTTP.
        headers = headers.add(("Strict-Transport-Security", "max-age=31536000"));
    }
    let body_limit = usize::try_from(state.config.request_body_kb).unwrap_or(usize::MAX).saturating_mul(1024);
    App::new()
        .app_data(web::PayloadConfig::new(body_limit))
        .app_data(web::Data::new(state))
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .app_data(web::QueryConfig::default().error_handler(|_, _| {
            AppError::BadRequest("The web address has a value that is not understood.".into()).into()
        }))
        .configure(routes)
        .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::NotFound) }))
        .wrap(from_fn(session::frame_and_csrf))
        .wrap(headers)
        .wrap(actix_web::middleware::Compress::default())
        .wrap(from_fn(connections::limits))
        .wrap(from_fn(observe::observe))
}

/// Draws every error under the scope it wraps as JSON (`AppError::json`)
/// rather than as a page.
async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?;
    let json = response.response().error().and_then(|e| e.as_error::<AppError>()).map(AppError::json);
    Ok(match json {
        Some(json) => response.into_response(json),
        None => response.map_into_boxed_body(),
    })
}

/// A query string's pairs, the first 200, in order.
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

impl FromRequest for QueryPairs {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes()).into_owned().take(200).collect();
        ready(Ok(QueryPairs(pairs)))
    }
}

/// A page with a status other than 200, such as a form shown again with its problems.
pub fn page_with_status(status: actix_web::http::StatusCode, page: maud::Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(page.into_string())
}

/// A 303 redirect, the answer to a form that worked.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location.to_string())).finish()
}
