//! `GET /api/search`: the project's own JSON search API, and
//! `GET /api/openapi.json`, its description. Every parameter is checked; a bad
//! one gets a 400 with `{"error": "...", "field": "..."}`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Utc, Weekday};
use serde::Serialize;

use super::db;
use crate::domain::directory::{DeliveryMode, ReferralRoute};
use crate::domain::needs::Need;
use crate::domain::text;
use crate::geo::cells;
use crate::geo::postcode;
use crate::search::query::{Group, Hit, MAX_RESULTS, Open, SearchQuery};
use crate::search::weekday_code;
use crate::state::AppState;
use crate::store::postcodes;

/// The days of the week, Monday first.
const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
/// The OpenAPI document, kept beside this file.
const OPENAPI: &str = include_str!("openapi.json");
/// The longest search text read.
const MAX_TEXT: usize = 1_000;
/// The widest radius, in kilometres.
const MAX_RADIUS_KM: f64 = 200.0;

/// A parameter that cannot be used, and which one.
#[derive(Debug, Serialize)]
pub struct ApiError {
    error: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    field: &'static str,
    #[serde(skip)]
    status: StatusCode,
}

impl ApiError {
    /// The parameter at fault ("" when none is).
    pub fn field(&self) -> &'static str {
        self.field
    }

    pub fn message(&self) -> &str {
        &self.error
    }

    fn new(field: &'static str, error: impl Into<String>) -> Self {
        ApiError { error: error.into(), field, status: StatusCode::BAD_REQUEST }
    }

    /// Our fault, not the request's: logged, and answered with 503.
    pub fn unavailable(details: impl std::fmt::Display) -> Self {
        tracing::error!(%details, "search failed");
        ApiError {
            error: String::from("the search could not be done just now; try again"),
            field: "",
            status: StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    fn response(&self) -> HttpResponse {
        HttpResponse::build(self.status).insert_header(("Access-Control-Allow-Origin", "*")).json(self)
    }
}

/// The resolved place, as the response shows it.
#[derive(Debug, Serialize)]
pub struct PlaceOut {
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Said when the place is not quite what was asked for (a district's
    /// centre for an unknown postcode, a postcode no longer in use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn flag(field: &'static str, value: &str) -> Result<bool, ApiError> {
    match value {
        "false" => Ok(false),
        "true" => Ok(true),
        _ => Err(ApiError::new(field, format!("{field} must be true or false"))),
    }
}

fn number<T: std::str::FromStr>(field: &'static str, value: &str, what: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| ApiError::new(field, format!("{field} must be {what}")))
}

/// The search the query string asks for, checked; and the place to resolve.
pub fn read_query(
    pairs: &[(String, String)],
    taxonomy: &[Need],
) -> Result<(SearchQuery, Option<String>), ApiError> {
    let mut q = SearchQuery::default();
    let mut postcode_text = None;
    let (mut lat, mut lon) = (None, None);
    for (key, value) in pairs {
        match key.as_str() {
            "q" => {
                if value.chars().count() > MAX_TEXT {
                    return Err(ApiError::new("q", format!("q must be {MAX_TEXT} characters or fewer")));
                }
                q.text = text::normalise(value, text::Shape::Line);
            }
            "need" => {
                let slug = value.as_str();
                if !taxonomy.iter().any(|n| n.slug == slug) {
                    return Err(ApiError::new(
                        "need",
                        "need must be a need's slug from the taxonomy, like loneliness",
                    ));
                }
                if !q.needs.iter().any(|n| n == slug) {
                    q.needs.push(slug.to_string());
                }
            }
            "postcode" if !value.trim().is_empty() => postcode_text = Some(value.clone()),
            "lat" => lat = Some(number::<f64>("lat", value, "a latitude, like 53.42")?),
            "lon" => lon = Some(number::<f64>("lon", value, "a longitude, like -2.32")?),
            "radius_km" => {
                let km: f64 = number("radius_km", value, "a number of kilometres")?;
                if !(km.is_finite() && km > 0.0 && km <= MAX_RADIUS_KM) {
                    return Err(ApiError::new(
                        "radius_km",
                        format!("radius_km must be more than 0 and at most {MAX_RADIUS_KM}"),
                    ));
                }
                q.radius_m = Some(km * 1_000.0);
            }
            "open" => {
                let day = WEEK.into_iter().find(|&d| weekday_code(d) == value);
                q.open = Some(match (value.as_str(), day) {
                    ("now", _) => Open::Now,
                    (_, Some(day)) => Open::On(day),
                    _ => {
                        return Err(ApiError::new(
                            "open",
                            "open must be now, or a day: mon, tue, wed, thu, fri, sat or sun",
                        ));
                    }
                })
            }
            "free" => q.free = flag("free", value)?,
            "step_free" => q.step_free = flag("step_free", value)?,
            "age" => {
                let age: u32 = number("age", value, "a whole number of years")?;
                if age > 120 {
                    return Err(ApiError::new("age", "age must be between 0 and 120"));
                }
                q.age = Some(age);
            }
            "language" if !value.trim().is_empty() => {
                if value.chars().count() > 60 {
                    return Err(ApiError::new(
                        "language",
                        "language must be the name of a language, like Urdu",
                    ));
                }
                q.language = Some(value.trim().to_string());
            }
            "delivery" => {
                q.delivery = Some(DeliveryMode::from_code(value).ok_or_else(|| {
                    ApiError::new("delivery", "delivery must be one of in_person, phone, online, home_visit")
                })?);
            }
            "referral" => {
                let route = ReferralRoute::from_code(value).ok_or_else(|| {
                    ApiError::new("referral", "referral must be one of drop_in, self, professional")
                })?;
                if !q.referral.contains(&route) {
                    q.referral.push(route);
                }
            }
            "taking_new" => q.taking_new = flag("taking_new", value)?,
            "page" => q.page = number("page", value, "a whole number from 1 to 1000")?,
            "per_page" => q.per_page = number("per_page", value, "a whole number from 1 to 100")?,
            _ => {}
        }
    }
    // Only the first MAX_RESULTS results are ranked: a page past them is
    // empty, and a page number that could never hold one is refused.
    if !(1..=MAX_RESULTS).contains(&q.page) {
        return Err(ApiError::new("page", "page must be a whole number from 1 to 1000"));
    }
    if !(1..=100).contains(&q.per_page) {
        return Err(ApiError::new("per_page", "per_page must be a whole number from 1 to 100"));
    }
    match (lat, lon) {
        (Some(lat), Some(lon)) if cells::on_globe(lat, lon) => q.point = Some((lat, lon)),
        (Some(_), Some(_)) => {
            return Err(ApiError::new("lat", "lat must be between -90 and 90, and lon between -180 and 180"));
        }
        (Some(_), None) => return Err(ApiError::new("lon", "give lon with lat")),
        (None, Some(_)) => return Err(ApiError::new("lat", "give lat with lon")),
        (None, None) => {}
    }
    // A distance from nowhere limits nothing.
    if q.point.is_none() && postcode_text.is_none() {
        q.radius_m = None;
    }
    Ok((q, postcode_text))
}

pub async fn search(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    match run_search(&state, &req).await {
        Ok(response) => response,
        Err(error) => error.response(),
    }
}

/// A query string's pairs, the first 200.
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query_string().as_bytes()).into_owned().take(200).collect()
}

/// Finds the place the search asked for, and puts it in the query.
pub async fn resolve_place(
    state: &AppState,
    query: &mut SearchQuery,
    postcode_text: Option<String>,
) -> Result<Option<PlaceOut>, ApiError> {
    let mut place = query.point.map(|(latitude, longitude)| PlaceOut {
        label: format!("{latitude:.5}, {longitude:.5}"),
        latitude,
        longitude,
        message: None,
    });
    if let Some(text) = postcode_text {
        // A postcode that cannot be found, however it is written, is not found.
        let not_found = |message: String| ApiError {
            status: StatusCode::NOT_FOUND,
            ..ApiError::new("postcode", message)
        };
        let parsed = postcode::parse(&text).map_err(|e| not_found(e.to_string()))?;
        let located =
            db(state, move |conn| postcodes::locate(conn, &parsed)).await.map_err(ApiError::unavailable)?;
        let message = located.message();
        let Some(found) = located.place() else {
            return Err(not_found(message.unwrap_or_default()));
        };
        query.point = Some((found.latitude, found.longitude));
        place = Some(PlaceOut {
            label: found.label.clone(),
            latitude: found.latitude,
            longitude: found.longitude,
            message,
        });
    }
    Ok(place)
}

async fn run_search(state: &AppState, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (mut query, postcode_text) = read_query(&query_pairs(req), &state.search.needs)?;
    let place = resolve_place(state, &mut query, postcode_text).await?;
    // Searching is a millisecond of CPU, not a wait, so it runs here rather
    // than being handed to the blocking pool and back.
    let results = state.search.search(&query, Utc::now()).map_err(ApiError::unavailable)?;
    let body = SearchOut {
        total: results.total,
        page: query.page,
        per_page: query.per_page,
        place,
        results: &results.results,
        groups: &results.groups,
        unmet: &results.unmet,
        facets: FacetsOut {
            needs: Counts(&results.facets.needs),
            delivery: Counts(&results.facets.delivery),
            free: results.facets.free,
        },
    };
    Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(body))
}

/// The response of `GET /api/search`, as `openapi.json` describes it.
#[derive(Serialize)]
struct SearchOut<'a> {
    total: u64,
    page: usize,
    per_page: usize,
    place: Option<PlaceOut>,
    results: &'a [Hit],
    groups: &'a [Group],
    unmet: &'a [String],
    facets: FacetsOut<'a>,
}

#[derive(Serialize)]
struct FacetsOut<'a> {
    needs: Counts<'a>,
    delivery: Counts<'a>,
    free: u64,
}

/// Counts as an object of name to count, in the order they were counted.
struct Counts<'a>(&'a [(String, u64)]);

impl Serialize for Counts<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, count)| (name, count)))
    }
}

pub async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    match document(&state.search.needs) {
        Ok(body) => HttpResponse::Ok()
            .content_type("application/json")
            .insert_header(("Access-Control-Allow-Origin", "*"))
            .body(body),
        Err(error) => ApiError::unavailable(error).response(),
    }
}

/// The OpenAPI document, with this site's needs as the values `need` takes,
/// so that the document says exactly what `read_query` accepts.
pub fn document(needs: &[Need]) -> Result<String, serde_json::Error> {
    let mut document: serde_json::Value = serde_json::from_str(OPENAPI)?;
    let slugs: Vec<serde_json::Value> = needs.iter().map(|n| n.slug.clone().into()).collect();
    let parameters =
        document.pointer_mut("/paths/~1api~1search/get/parameters").and_then(|p| p.as_array_mut());
    for parameter in parameters.into_iter().flatten() {
        if parameter["name"] == "need" {
            parameter["schema"]["items"]["enum"] = serde_json::Value::Array(slugs.clone());
        }
    }
    serde_json::to_string_pretty(&document)
}
