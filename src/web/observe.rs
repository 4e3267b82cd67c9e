//! Middleware around every request: a request id (the `X-Request-Id` a
//! trusted proxy sent, or a new one), sent back in the answer's header; the
//! limits on the query string and on how long a request may be handled; and,
//! once answered, one log line (text or JSON, as configured) and the
//! request's count and time in `/metrics`.
//!
//! The log line has the route's pattern and the path, never the query
//! string (that is where a citizen's postcode and needs are), nor the path of
//! a signed link (its token is what lets it answer).

use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use crate::error::AppError;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// This request's id, kept in its extensions for anything that logs.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let id = request_id(&req, &state);
    req.extensions_mut().insert(RequestId(id.clone()));
    let route = req.match_pattern().unwrap_or_else(|| String::from("unmatched"));
    // A signed link's path is its secret: logged as its route only.
    let path =
        if super::SIGNED_LINKS.contains(&route.as_str()) { route.clone() } else { req.path().to_string() };
    let method = req.method().to_string();
    let config = &state.config;
    let answered = if req.query_string().len()
        > usize::try_from(config.query_string_bytes).unwrap_or(usize::MAX)
    {
        // Under /api, as JSON, as the API's other errors are.
        let answer = if path.starts_with("/api/") {
            AppError::AddressTooLong.json()
        } else {
            actix_web::ResponseError::error_response(&AppError::AddressTooLong)
        };
        Ok(req.into_response(answer))
    } else {
        let limit = Duration::from_secs(u64::from(config.handler_timeout_seconds));
        match actix_web::rt::time::timeout(limit, next.call(req)).await {
            Ok(answered) => answered.map(ServiceResponse::map_into_boxed_body),
            Err(_) => {
                tracing::warn!(request_id = %id, %route, "a request took longer than the limit and was answered 503");
                // Actix draws the error: the request went to the handler
                // that did not finish, so there is none left to answer with.
                Err(AppError::Unavailable.into())
            }
        }
    };
    let status = match &answered {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.as_response_error().status_code().as_u16(),
    };
    let seconds = started.elapsed().as_secs_f64();
    state.metrics.request(&route, &method, status, seconds);
    tracing::info!(
        target: "doorstep::request",
        request_id = %id,
        %method,
        %route,
        %path,
        status,
        ms = (seconds * 1000.0 * 10.0).round() / 10.0,
        "answered"
    );
    let mut response = answered?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// The id a trusted proxy gave the request, if it is a sensible one;
/// otherwise a new one.
fn request_id(req: &ServiceRequest, state: &AppState) -> String {
    let from_proxy = req.peer_addr().is_some_and(|peer| state.config.is_trusted_proxy(peer.ip()));
    let given = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| from_proxy && !id.is_empty() && id.len() <= 64)
        .filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'));
    given.map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), String::from)
}
