//! Who is asking, and whether their form is genuine.
//!
//! Two signed, HttpOnly, SameSite=Lax cookies: `doorstep_session` names a staff
//! session kept in the database; `doorstep_csrf` holds a random token that every
//! form must send back in its `csrf_token` field. A form without it, or with a
//! different one, is refused before its handler runs: state-changing handlers
//! take `CheckedForm`, never a bare form extractor.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::domain::accounts::{StaffUser, random_token};
use crate::error::AppError;
use crate::pages::Frame;
use crate::state::AppState;
use crate::store::users;

pub const SESSION_COOKIE: &str = "doorstep_session";
pub const CSRF_COOKIE: &str = "doorstep_csrf";
/// The most a form may send.
const FORM_LIMIT: usize = 64 * 1024;

/// This request's CSRF token, kept in the request's extensions: the one its
/// cookie carries (put there by `frame_and_csrf`), or a new one made the first
/// time a page asks for it.
#[derive(Clone, Debug)]
struct CsrfToken(String);

fn csrf_token(req: &HttpRequest) -> String {
    if let Some(token) = req.extensions().get::<CsrfToken>() {
        return token.0.clone();
    }
    let token = random_token();
    req.extensions_mut().insert(CsrfToken(token.clone()));
    token
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
        .secure(state.config.secure_cookies())
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
    if let Some(token) = &existing {
        req.extensions_mut().insert(CsrfToken(token.clone()));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    if res.status().is_client_error() || res.status().is_server_error() {
        let frame = Frame { user: None, csrf_token: csrf_token(res.request()), demo: state.demo.clone() };
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
        let cookie = signed_cookie(&state, CSRF_COOKIE, csrf_token(res.request()));
        if let Ok(value) = header::HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(res)
}

/// Anyone: the signed-in member of staff if there is one, and what every page
/// needs around it.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub user: Option<StaffUser>,
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
                Some(token) => {
                    let store = state.store.clone();
                    let now = chrono::Utc::now().naive_utc();
                    web::block(move || -> Result<Option<StaffUser>, AppError> {
                        let mut conn = store.conn()?;
                        Ok(users::session_user(&mut conn, &token, now)?)
                    })
                    .await??
                }
                None => None,
            };
            let frame = Frame {
                user: user.as_ref().map(|u| (u.name.clone(), u.role.label().to_string())),
                csrf_token,
                demo: state.demo.clone(),
            };
            let visitor = Visitor { user, frame };
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
        let next = if req.method() == actix_web::http::Method::GET { next } else { String::from("/staff") };
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
            let body =
                body.await.map_err(|_| AppError::BadRequest(String::from("The form could not be read.")))?;
            if body.len() > FORM_LIMIT {
                return Err(AppError::BadRequest(String::from("The form is too large.")));
            }
            let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
            let form = CheckedForm(fields);
            let expected = req.extensions().get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
            if expected.is_empty()
                || !constant_time_eq(form.get("csrf_token").as_bytes(), expected.as_bytes())
            {
                return Err(AppError::FormExpired);
            }
            Ok(form)
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
