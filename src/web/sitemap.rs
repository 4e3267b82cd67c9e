//! `GET /sitemap.xml`: every public page, for search engines.

use actix_web::{HttpResponse, web};

use crate::app::listings;
use crate::error::AppError;
use crate::state::AppState;

/// Text fit for an XML element: `&` and `<` escaped.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

pub async fn sitemap(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let paths = listings::public_paths(&state).await?;
    let base = state.config.public_url.trim_end_matches('/');
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        body.push_str(&format!("<url><loc>{}</loc></url>\n", xml(&format!("{base}{path}"))));
    }
    body.push_str("</urlset>\n");
    Ok(HttpResponse::Ok()
        .content_type("application/xml")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(body))
}
