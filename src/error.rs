//! The one error type and its mapping to HTTP responses. Each kind of failure
//! has one status; it is drawn as a kind page, or under `/api` as JSON
//! (`{"error": "...", "field": "..."}`, chosen by the scope: see
//! `web::json_errors`). Internal errors are logged once, here, and shown
//! without their details.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::domain::text::FieldProblem;
use crate::pages;
use crate::store::StoreError;

/// When a client told the service is busy should try again.
const RETRY_WHEN_BUSY_SECS: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or record.
    #[error("not found")]
    NotFound,
    /// The request itself is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// One of the request's fields cannot be used; the problem says which and why.
    #[error("{}", .0.message)]
    Invalid(FieldProblem),
    /// What one of the request's fields names (a postcode) does not exist.
    #[error("{}", .0.message)]
    NoSuch(FieldProblem),
    /// A staff page asked for by someone not signed in: send them to sign in.
    #[error("sign in required")]
    SignInRequired { next: String },
    /// Only a member of the networks may do this: sign in or join, then come back to `next`.
    #[error("member sign-in required")]
    MemberSignInRequired { next: String },
    /// The path is known but does not answer this method; `allow` lists those it does.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    /// Signed in, but this role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Not now: the record is in a state that does not allow it; the message says why.
    #[error("{0}")]
    Conflict(String),
    /// The record was merged into another: its address leads there for good.
    #[error("moved to {0}")]
    Moved(String),
    /// A link that was good once and is no more (used, or expired); the message says what to do.
    #[error("{0}")]
    Gone(String),
    /// A form came without a valid CSRF token.
    #[error("the form has expired")]
    FormExpired,
    /// A form was sent from another site's page.
    #[error("the form came from another site")]
    CrossSite,
    /// The request's body did not all arrive in time.
    #[error("the request took too long")]
    RequestTimeout,
    /// The request's body is larger than the configured limit.
    #[error("the request is too large")]
    TooLarge,
    /// The web address (its query string) is longer than the configured limit.
    #[error("the web address is too long")]
    AddressTooLong,
    /// Too many attempts; try again later.
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database is busy, or the answer took longer than the configured
    /// limit; try again shortly.
    #[error("busy")]
    Unavailable,
    /// Anything else: a bug or a broken disk. Logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Busy(_) => AppError::Unavailable,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::NoSuch(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Moved(_) => StatusCode::MOVED_PERMANENTLY,
            AppError::SignInRequired { .. } | AppError::MemberSignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden | AppError::FormExpired | AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::AddressTooLong => StatusCode::URI_TOO_LONG,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        // Called once per failed request: the one place internal errors are logged.
        if let AppError::Internal(details) = self {
            tracing::error!(%details, "request failed");
        }
        self.page(&pages::Frame::default())
    }
}

impl AppError {
    /// The response for this error, drawn inside `frame`.
    pub fn page(&self, frame: &pages::Frame) -> HttpResponse {
        let status = self.status_code();
        if let AppError::Moved(to) = self {
            return HttpResponse::MovedPermanently().insert_header((header::LOCATION, to.clone())).finish();
        }
        if let AppError::SignInRequired { next } = self {
            let location = format!("/sign-in?next={}", pages::url_encode(next));
            return HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
        }
        if let AppError::MemberSignInRequired { next } = self {
            let location = format!("/members/sign-in?next={}", pages::url_encode(next));
            return HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
        }
        let (title, message) = match self {
            AppError::NotFound => (
                "Page not found",
                String::from(
                    "If you typed the web address, check it is correct. If you followed a link, the page may have been removed.",
                ),
            ),
            AppError::BadRequest(message) => ("There is a problem with the request", message.clone()),
            AppError::Conflict(message) => ("This cannot be done now", message.clone()),
            AppError::Gone(message) => ("This link can no longer be used", message.clone()),
            AppError::Invalid(problem) | AppError::NoSuch(problem) => {
                ("There is a problem with the request", problem.message.clone())
            }
            AppError::MethodNotAllowed { allow } => {
                ("There is a problem with the request", format!("This address only answers {allow}."))
            }
            AppError::Forbidden => (
                "You cannot see this page",
                String::from(
                    "Your account does not allow this. If you think it should, ask an administrator.",
                ),
            ),
            AppError::FormExpired => (
                "The form has expired",
                String::from(
                    "For your security, forms expire. Go back, reload the page and try again. Nothing was saved.",
                ),
            ),
            AppError::CrossSite => (
                "The form came from another site",
                String::from(
                    "For your security, this site's forms can only be sent from its own pages. Nothing was saved.",
                ),
            ),
            AppError::TooManyRequests { retry_after_secs } => {
                ("Too many attempts", format!("Wait {} and try again.", pages::minutes(*retry_after_secs)))
            }
            AppError::RequestTimeout => (
                "The page took too long to arrive",
                String::from(
                    "What was sent did not all arrive in time. Go back and try again. Nothing was saved.",
                ),
            ),
            AppError::TooLarge => (
                "What was sent is too large",
                String::from(
                    "Send less: shorten the longest text, or leave out what is not needed. Nothing was saved.",
                ),
            ),
            AppError::AddressTooLong => (
                "The web address is too long",
                String::from("Search with fewer words or choices and try again."),
            ),
            AppError::Unavailable => {
                ("Sorry, the service is busy", String::from("Try again in a few seconds."))
            }
            AppError::Internal(_)
            | AppError::SignInRequired { .. }
            | AppError::MemberSignInRequired { .. }
            | AppError::Moved(_) => (
                "Sorry, there is a problem with the service",
                String::from("Try again later. If it keeps happening, tell the team who runs this site."),
            ),
        };
        let mut response = HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(pages::errors::page(frame, status.as_u16(), title, &message).into_string());
        self.add_headers(&mut response);
        response
    }

    /// The headers that go with this error: when to try again, which methods
    /// the address answers.
    fn add_headers(&self, response: &mut HttpResponse) {
        let retry_after = match self {
            AppError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            AppError::Unavailable => Some(RETRY_WHEN_BUSY_SECS),
            _ => None,
        };
        if let Some(seconds) = retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let AppError::MethodNotAllowed { allow } = self
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            response.headers_mut().insert(header::ALLOW, value);
        }
    }
}

/// An error as the JSON API answers it.
#[derive(serde::Serialize)]
struct JsonError<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    field: &'a str,
}

impl AppError {
    /// The field at fault, when one is.
    pub fn field(&self) -> Option<&FieldProblem> {
        match self {
            AppError::Invalid(problem) | AppError::NoSuch(problem) => Some(problem),
            _ => None,
        }
    }

    /// The response for this error under `/api`: `{"error": "...", "field": "..."}`.
    pub fn json(&self) -> HttpResponse {
        let message = match self {
            AppError::Internal(_) | AppError::Unavailable => {
                String::from("the request could not be answered just now; try again")
            }
            AppError::MethodNotAllowed { allow } => format!("this address only answers {allow}"),
            AppError::SignInRequired { .. } | AppError::MemberSignInRequired { .. } => {
                String::from("sign in first")
            }
            AppError::TooManyRequests { retry_after_secs } => {
                format!("too many requests; wait {retry_after_secs} seconds")
            }
            other => other.to_string(),
        };
        let field = self.field().map_or("", |p| p.field);
        // A program is not sent to a sign-in page: it is told it needs to sign in.
        let status = match self {
            AppError::SignInRequired { .. } | AppError::MemberSignInRequired { .. } => {
                StatusCode::UNAUTHORIZED
            }
            other => other.status_code(),
        };
        let mut response = HttpResponse::build(status).json(JsonError { error: &message, field });
        self.add_headers(&mut response);
        response
    }
}
