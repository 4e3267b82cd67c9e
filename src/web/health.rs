//! `GET /healthz`: 200 when the database answers.

use actix_web::{HttpResponse, web};

use crate::app;
use crate::error::AppError;
use crate::state::AppState;

pub async fn show(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    app::ping(&state).await?;
    Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok\n"))
}
