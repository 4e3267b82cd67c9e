//! `GET /sitemap.xml`: every public page, for search engines.

use actix_web::{HttpResponse, web};

use super::db;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{neighbourhoods, organisations, service_lists};

/// Text fit for an XML element: `&` and `<` escaped.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

pub async fn sitemap(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (services, organisations, hoods) = db(&state, |conn| {
        Ok((
            service_lists::running_ids(conn)?,
            organisations::choices(conn)?,
            neighbourhoods::all(conn)?,
        ))
    })
    .await?;
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let mut paths: Vec<String> = vec![
        String::from("/"),
        String::from("/needs"),
        String::from("/neighbourhoods"),
        String::from("/accessibility"),
    ];
    paths.extend(
        state.search.needs.iter().filter(|n| n.parent.is_some()).map(|n| format!("/needs/{}", n.slug)),
    );
    paths.extend(hoods.iter().map(|n| format!("/neighbourhoods/{}", n.slug)));
    paths.extend(organisations.iter().map(|(id, _)| format!("/organisations/{id}")));
    paths.extend(services.iter().map(|id| format!("/services/{id}")));
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
