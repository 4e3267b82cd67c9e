//! Who is asking, and whether their form is genuine.
//!
//! Three signed, HttpOnly, SameSite=Lax cookies: `doorstep_session` names a
//! staff session kept in the database, and `doorstep_member` a network
//! member's; `doorstep_csrf` holds a random secret, made anew at every
//! sign-in and sign-out. Every form carries a token in its `csrf_token`
//! field: an HMAC, under the cookie key, of that secret and the sessions, so
//! that a token is good only with the sessions it was made for. A
//! form without it, or with another, is refused before its handler runs:
//! state-changing handlers take `CheckedForm`, never a bare form extractor.
//! And a POST whose `Origin` (or, failing that, `Referer`) names another site
//! is refused whatever it carries.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::domain::accounts::{StaffUser, keyed_hash, random_token, same_secret};
use crate::domain::networks::Member;
use crate::error::AppError;
use crate::pages::Frame;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "doorstep_session";
pub const MEMBER_COOKIE: &str = "doorstep_member";
pub const CSRF_COOKIE: &str = "doorstep_csrf";
/// This request's CSRF secret, kept in the request's extensions: the one its
/// cookie carries (put there by `frame_and_csrf`), or a new one made the first
/// time a page asks for it.
#[derive(Clone, Debug)]
struct CsrfSecret(String);

fn csrf_secret(req: &HttpRequest) -> String {
    if let Some(secret) = req.extensions().get::<CsrfSecret>() {
        return secret.0.clone();
    }
    let secret = random_token();
    req.extensions_mut().insert(CsrfSecret(secret.clone()));
    secret
}

/// The token this request's forms carry: its CSRF secret bound to its session.
fn csrf_token(req: &HttpRequest) -> String {
    let Ok(state) = state_of(req) else { return String::new() };
    let mut session = read_signed(req, &state.cookie_key, SESSION_COOKIE).unwrap_or_default();
    if let Some(member) = read_signed(req, &state.cookie_key, MEMBER_COOKIE) {
        session = format!("{session}|member:{member}");
    }
    form_token(&state.cookie_key, &csrf_secret(req), &session)
}

/// HMAC-SHA256 of the secret and the session under the cookie key, as hex.
fn form_token(key: &[u8], secret: &str, session: &str) -> String {
    keyed_hash(key, &["doorstep csrf", secret, session])
}

/// For a client that works without pages (the load benchmark): a new CSRF
/// cookie (as `name=value`) and the token forms must carry with it and the
/// session `session_token` names.
pub fn form_credentials(state: &AppState, session_token: &str) -> (String, String) {
    let secret = random_token();
    let token = form_token(&state.cookie_key, &secret, session_token);
    let cookie = signed_cookie(state, CSRF_COOKIE, secret);
    (format!("{}={}", cookie.name(), cookie.value()), token)
}

/// A new CSRF secret's cookie, for sign-in and sign-out: a token made for
/// the session before is no good after.
pub fn renewed_csrf_cookie(state: &AppState) -> Cookie<'static> {
    signed_cookie(state, CSRF_COOKIE, random_token())
}

/// Whether a POST comes from this site's own pages: its `Origin`, or failing
/// that its `Referer`, is the site's public address or the host it was sent
/// to. A request with neither (not from a browser) is left to the token.
fn same_site(req: &HttpRequest, public_url: &str) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let origin = match (header(header::ORIGIN), header(header::REFERER)) {
        (Some(origin), _) => origin.to_string(),
        (None, Some(referer)) => origin_of(referer),
        (None, None) => return true,
    };
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin == origin_of(public_url) || (!host.is_empty() && authority_of(&origin) == Some(host))
}

/// `scheme://host[:port]` of a web address.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split(['/', '?', '#']).next().unwrap_or("")),
        None => String::new(),
    }
}

/// The `host[:port]` of an origin; `None` for "null" and anything else without a scheme.
fn authority_of(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, authority)| authority)
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(String::from("the app state is missing")))
}

/// The value of a signed cookie, if it is present and its signature is good.
pub fn read_signed(req: &HttpRequest, key: &[u8], name: &str) -> Option<String> {
    let cookie = req.cookie(name)?;
    let mut jar = CookieJar::new();
    jar.add_original(cookie);
    jar.signed(&Key::from(key)).get(name).map(|c| c.value().to_string())
}

/// A signed, HttpOnly, SameSite=Lax cookie, ready to set.
pub fn signed_cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    let mut jar = CookieJar::new();
    let cookie = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .finish();
    jar.signed_mut(&Key::from(&state.cookie_key[..])).add(cookie);
    jar.get(name).cloned().unwrap_or_else(|| Cookie::new(name, ""))
}

/// A cookie that removes `name` from the browser.
pub fn removal_cookie(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, "").path("/").http_only(true).same_site(SameSite::Lax).finish();
    cookie.make_removal();
    cookie
}

/// Middleware: gives every request a CSRF token (setting the cookie when it is
/// new), and redraws error pages inside the site's frame.
pub async fn frame_and_csrf(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = state_of(req.request())?;
    let existing = read_signed(req.request(), &state.cookie_key, CSRF_COOKIE).filter(|t| t.len() == 64);
    if let Some(secret) = &existing {
        req.extensions_mut().insert(CsrfSecret(secret.clone()));
    }
    let unsafe_method = !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    let mut res = if unsafe_method && !same_site(req.request(), &state.config.public_url) {
        req.error_response(AppError::CrossSite).map_into_boxed_body()
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    if res.status().is_client_error() || res.status().is_server_error() {
        let frame = Frame {
            user: None,
            member: None,
            csrf_token: csrf_token(res.request()),
            demo: state.demo.clone(),
            attribution: state.attribution.clone(),
        };
        let page = res.response().error().and_then(|e| e.as_error::<AppError>()).map(|e| e.page(&frame));
        if let Some(page) = page {
            res = res.into_response(page);
        }
    }
    // Only pages carry forms; a cached stylesheet must never carry a cookie.
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if existing.is_none() && is_page {
        let cookie = signed_cookie(&state, CSRF_COOKIE, csrf_secret(res.request()));
        if let Ok(value) = header::HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(res)
}

/// Anyone: the signed-in member of staff if there is one, the network
/// member they are (a member of staff once they have taken part), and what
/// every page needs around it.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub user: Option<StaffUser>,
    pub member: Option<Member>,
    pub frame: Frame,
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(visitor) = req.extensions().get::<Visitor>() {
                return Ok(visitor.clone());
            }
            let state = state_of(&req)?;
            let csrf_token = csrf_token(&req);
            let user = match read_signed(&req, &state.cookie_key, SESSION_COOKIE) {
                Some(token) => crate::app::accounts::session_user(&state, token).await?,
                None => None,
            };
            let member = match (&user, read_signed(&req, &state.cookie_key, MEMBER_COOKIE)) {
                (Some(user), _) => crate::app::members::staff_member(&state, user).await?,
                (None, Some(token)) => crate::app::members::session_member(&state, token).await?,
                (None, None) => None,
            };
            let frame = Frame {
                user: user.as_ref().map(|u| (u.name.clone(), u.role.label().to_string())),
                member: member.as_ref().filter(|_| user.is_none()).map(|m| m.display_name.clone()),
                csrf_token,
                demo: state.demo.clone(),
                attribution: state.attribution.clone(),
            };
            let visitor = Visitor { user, member, frame };
            req.extensions_mut().insert(visitor.clone());
            Ok(visitor)
        })
    }
}

/// A signed-in member of staff. Anyone else is sent to sign in, and brought
/// back here afterwards.
#[derive(Clone, Debug)]
pub struct Staff {
    pub user: StaffUser,
    pub frame: Frame,
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let next = match req.query_string() {
            "" => req.path().to_string(),
            query => format!("{}?{query}", req.path()),
        };
        // After a form post, come back to the page rather than the post.
        let shown = matches!(req.method().as_str(), "GET" | "HEAD");
        let next = if shown { next } else { String::from("/staff") };
        Box::pin(async move {
            let visitor = visitor.await?;
            match visitor.user {
                Some(user) => Ok(Staff { user, frame: visitor.frame }),
                None => Err(AppError::SignInRequired { next }),
            }
        })
    }
}

/// The fields of a posted HTML form, in order, after its CSRF token has been checked.
#[derive(Clone, Debug, Default)]
pub struct CheckedForm(Vec<(String, String)>);

impl CheckedForm {
    /// The first value of `name`, or "" when it was not sent.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (ticked checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// How many rows of a repeated group were sent: its fields are named
    /// `{group}-{row}-{field}`, rows counted from 0. At most `most`.
    pub fn rows(&self, group: &str, most: usize) -> usize {
        let prefix = format!("{group}-");
        self.0
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(&prefix)?.split_once('-')?.0.parse::<usize>().ok())
            .map(|row| row.saturating_add(1))
            .max()
            .unwrap_or(0)
            .min(most)
    }
}

impl FromRequest for CheckedForm {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let is_form = req.content_type().eq_ignore_ascii_case("application/x-www-form-urlencoded");
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            if !is_form {
                return Err(AppError::BadRequest(String::from("Send the form from the page it is on.")));
            }
            let body = body.await.map_err(|e| {
                if super::connections::timed_out(&e) {
                    AppError::RequestTimeout
                } else if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(String::from("The form could not be read."))
                }
            })?;
            let Some(state) = req.app_data::<web::Data<AppState>>() else {
                return Err(AppError::Internal(String::from("no app state")));
            };
            let limit =
                usize::try_from(state.config.request_body_kb).unwrap_or(usize::MAX).saturating_mul(1024);
            if body.len() > limit {
                return Err(AppError::TooLarge);
            }
            let most = usize::try_from(state.config.form_fields).unwrap_or(usize::MAX);
            let fields: Vec<(String, String)> =
                form_urlencoded::parse(&body).into_owned().take(most + 1).collect();
            if fields.len() > most {
                return Err(AppError::BadRequest(format!(
                    "The form sent more than {most} fields. Send it from the page it is on."
                )));
            }
            let form = CheckedForm(fields);
            check_token(&req, form.get("csrf_token"))?;
            Ok(form)
        })
    }
}

/// Whether `given` is the CSRF token this request's forms carry.
fn check_token(req: &HttpRequest, given: &str) -> Result<(), AppError> {
    let has_secret = req.extensions().get::<CsrfSecret>().is_some();
    let expected = csrf_token(req);
    if !has_secret || expected.is_empty() || !same_secret(given.as_bytes(), expected.as_bytes()) {
        return Err(AppError::FormExpired);
    }
    Ok(())
}

/// A form sent with a file (`multipart/form-data`), after its CSRF token
/// has been checked: its fields, and the file chosen (if one was), within
/// `upload_mb`. The token must come before the file, as the page puts it.
#[derive(Clone, Debug, Default)]
pub struct CheckedUpload {
    pub form: CheckedForm,
    /// The file's name and bytes.
    pub file: Option<(String, Vec<u8>)>,
}

impl FromRequest for CheckedUpload {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let is_multipart = req.content_type().eq_ignore_ascii_case("multipart/form-data");
        let multipart = actix_multipart::Multipart::new(req.headers(), payload.take());
        Box::pin(async move {
            if !is_multipart {
                return Err(AppError::BadRequest(String::from("Send the form from the page it is on.")));
            }
            let state = state_of(&req)?;
            let limit = u64::from(state.config.upload_mb).saturating_mul(1024 * 1024);
            let most = usize::try_from(state.config.form_fields).unwrap_or(usize::MAX);
            read_upload(&req, multipart, limit, most).await
        })
    }
}

async fn read_upload(
    req: &HttpRequest,
    mut multipart: actix_multipart::Multipart,
    limit: u64,
    most: usize,
) -> Result<CheckedUpload, AppError> {
    let unreadable = || AppError::BadRequest(String::from("The form could not be read. Send it again."));
    let mut upload = CheckedUpload::default();
    let mut checked = false;
    let mut total: u64 = 0;
    while let Some(field) = next(&mut multipart).await {
        let mut field = field.map_err(|_| unreadable())?;
        if upload.form.0.len() >= most {
            return Err(AppError::BadRequest(format!(
                "The form sent more than {most} fields. Send it from the page it is on."
            )));
        }
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
        if file_name.is_some() && !checked {
            return Err(AppError::FormExpired);
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = next(&mut field).await {
            let chunk = chunk.map_err(|_| unreadable())?;
            total += chunk.len() as u64;
            if total > limit {
                return Err(AppError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            // A file input left empty sends a part with no name and no bytes.
            Some(file) if !file.is_empty() || !bytes.is_empty() => upload.file = Some((file, bytes)),
            Some(_) => {}
            None => {
                let value = String::from_utf8(bytes).map_err(|_| unreadable())?;
                if name == "csrf_token" {
                    check_token(req, &value)?;
                    checked = true;
                }
                upload.form.0.push((name, value));
            }
        }
    }
    if !checked {
        return Err(AppError::FormExpired);
    }
    Ok(upload)
}

/// The next item of a stream.
async fn next<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn a_token_is_good_only_for_its_secret_and_session() {
        let key = [7u8; 64];
        let token = form_token(&key, "secret", "session");
        assert_eq!(token.len(), 64);
        assert_eq!(token, form_token(&key, "secret", "session"));
        assert_ne!(token, form_token(&key, "secret", "another session"));
        assert_ne!(token, form_token(&key, "another secret", "session"));
        assert_ne!(token, form_token(&[8u8; 64], "secret", "session"));
        // The parts are told apart by their lengths, not run together.
        assert_ne!(form_token(&key, "ab", "c"), form_token(&key, "a", "bc"));
    }

    #[test]
    fn only_this_site_may_post_its_forms() {
        let post = |headers: &[(&str, &str)]| {
            let mut req = TestRequest::post().insert_header(("Host", "127.0.0.1:8080"));
            for &(name, value) in headers {
                req = req.insert_header((name, value));
            }
            same_site(&req.to_http_request(), "https://doorstep.example.org")
        };
        assert!(post(&[("Origin", "https://doorstep.example.org")]));
        assert!(post(&[("Origin", "http://127.0.0.1:8080")]), "the host it was sent to");
        assert!(post(&[("Referer", "http://127.0.0.1:8080/sign-in?next=/staff")]));
        assert!(post(&[]), "not a browser: the token decides");
        assert!(!post(&[("Origin", "https://evil.example")]));
        assert!(!post(&[("Origin", "null")]));
        assert!(!post(&[("Origin", "https://doorstep.example.org.evil.example")]));
        assert!(!post(&[("Referer", "https://evil.example/page")]));
        assert!(!post(&[("Origin", "https://evil.example"), ("Referer", "http://127.0.0.1:8080/")]));
    }
}
