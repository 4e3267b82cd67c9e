//! `GET /assets/{file}`: the stylesheet and the script, under their
//! fingerprinted names, cached for a year.

use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::pages::{SCRIPT, SCRIPT_PATH, STYLESHEET, STYLESHEET_PATH};

pub async fn show(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let named = |path: &str| path.strip_prefix("/assets/") == Some(file.as_str());
    let (content_type, body) = if named(&STYLESHEET_PATH) {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if named(&SCRIPT_PATH) {
        ("text/javascript; charset=utf-8", SCRIPT)
    } else {
        return Err(AppError::NotFound);
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
        .body(body))
}
