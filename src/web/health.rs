//! `GET /healthz`: 200 when the database answers. `GET /readyz`: 200 when
//! this server should be sent requests (the database answers and its search
//! index has caught up with the store's changes), else 503 saying why.

use actix_web::{HttpResponse, web};

use crate::app::health::{self, Readiness};
use crate::error::AppError;
use crate::state::AppState;

pub async fn show(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    health::ping(&state).await?;
    Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok\n"))
}

pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match health::readiness(&state).await {
        Readiness::Ready => HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ready\n"),
        Readiness::NotReady(why) => HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .insert_header(("Retry-After", "5"))
            .body(format!("not ready: {why}\n")),
    }
}
