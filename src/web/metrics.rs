//! `GET /metrics`: the server's figures in Prometheus's text format, for a
//! monitoring system at one of the addresses `metrics_from` allows (by
//! default this machine only), asking directly rather than through a proxy;
//! anyone else is told there is no such page.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::health;
use crate::error::AppError;
use crate::state::AppState;

pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    // A request a proxy passed on comes from the proxy's address, which may
    // be this machine's: only one made directly is believed.
    let proxied = ["x-forwarded-for", "forwarded"].iter().any(|h| req.headers().contains_key(*h));
    let allowed = !proxied && req.peer_addr().is_some_and(|peer| state.config.may_read_metrics(peer.ip()));
    if !allowed {
        return Err(AppError::NotFound);
    }
    let text = health::metrics(&state).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text))
}
