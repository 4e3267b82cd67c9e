//! `GET /assets/{file}`: the stylesheet, under its fingerprinted name, cached
//! for a year.

use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::pages::{STYLESHEET, STYLESHEET_PATH};

pub async fn show(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    if STYLESHEET_PATH.strip_prefix("/assets/") == Some(file.as_str()) {
        Ok(HttpResponse::Ok()
            .content_type("text/css; charset=utf-8")
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .body(STYLESHEET))
    } else {
        Err(AppError::NotFound)
    }
}
