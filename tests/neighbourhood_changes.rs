//! An administrator's changes to neighbourhoods built from Trafford's real
//! output areas: renaming one, moving a small area between two without ever
//! breaking one, and a rebuild with another band keeping connectors' patches.

use std::collections::{HashMap, HashSet};

use crate::common::{PASSWORD, TestApp};
use crate::neighbourhoods::in_one_piece;
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::geo::neighbourhoods::Band;
use doorstep::store::{areas, neighbourhoods};

#[actix_web::test]
async fn an_administrator_renames_and_moves_small_areas_but_never_breaks_a_neighbourhood() {
    let app = TestApp::with_demo();
    app.add_user("ada@example.org", Role::Administrator, None);
    app.add_user("kim@example.org", Role::Connector, None);
    let mut conn = app.state.store.conn().unwrap();
    let hoods = neighbourhoods::all(&mut conn).unwrap();
    let (records, adjacent) = areas::graph(&mut conn).unwrap();
    drop(conn);
    let graph: HashMap<String, Vec<String>> = (0..records.len())
        .map(|i| (records[i].code.clone(), adjacent[i].iter().map(|&n| records[n].code.clone()).collect()))
        .collect();
    // A neighbourhood with an area on its edge whose leaving keeps the rest in
    // one piece, and another whose leaving would split it.
    let (hood, member_codes, movable, splitting) = hoods
        .iter()
        .find_map(|hood| {
            let id = hood.id;
            let members: Vec<usize> =
                (0..records.len()).filter(|&a| records[a].neighbourhood_id == Some(id)).collect();
            let codes: Vec<String> = members.iter().map(|&a| records[a].code.clone()).collect();
            let (mut movable, mut splitting) = (None, None);
            for &a in &members {
                let Some(to) =
                    adjacent[a].iter().find_map(|&n| records[n].neighbourhood_id.filter(|n| *n != id))
                else {
                    continue;
                };
                let rest: Vec<String> = codes.iter().filter(|c| **c != records[a].code).cloned().collect();
                if in_one_piece(&rest, &graph) {
                    movable.get_or_insert((records[a].code.clone(), to, records[a].population));
                } else {
                    splitting.get_or_insert((records[a].code.clone(), to));
                }
            }
            Some((hood.clone(), codes, movable?, splitting?))
        })
        .expect("a neighbourhood with an area that can move and one that holds it together");

    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let edit = format!("/staff/neighbourhoods/{}", hood.slug);
    assert_eq!(browser.get(&edit).await.status, StatusCode::FORBIDDEN, "only administrators");

    let mut browser = app.browser().await;
    browser.sign_in("ada@example.org", PASSWORD).await;
    let page = browser.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("4000 to 5000 residents"), "the band is shown");

    let empty = browser.submit(&edit, &format!("{edit}/name"), &[("name", "   ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Enter the neighbourhood&#39;s name")
            || empty.body.contains("Enter the neighbourhood's name")
    );
    let renamed = browser.submit(&edit, &format!("{edit}/name"), &[("name", "Ashworth  Village")]).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert_eq!(renamed.location(), "/staff/neighbourhoods/ashworth-village?renamed=1");
    let public = browser.get("/neighbourhoods/ashworth-village").await;
    assert!(public.body.contains("<h1>Ashworth Village</h1>"));
    let edit = String::from("/staff/neighbourhoods/ashworth-village");

    let (code_between, to) = splitting;
    let refused = browser
        .submit(&edit, &format!("{edit}/move"), &[("small_area", &code_between), ("to", &to.to_string())])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("would split Ashworth Village in two"), "{}", refused.body);

    let (code, to, people) = movable;
    let current_outline = |body: &str| {
        let start = body.find("class=\"area current\" d=\"").unwrap();
        body[start..].split('"').nth(3).unwrap().to_string()
    };
    let drawn_before = current_outline(&browser.get("/neighbourhoods/ashworth-village").await.body);
    let moved = browser
        .submit(&edit, &format!("{edit}/move"), &[("small_area", &code), ("to", &to.to_string())])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let after = browser.get(moved.location()).await;
    assert!(after.body.contains(&format!("Moved {code} to ")), "{}", after.body);
    let mut conn = app.state.store.conn().unwrap();
    let now = neighbourhoods::by_slug(&mut conn, "ashworth-village").unwrap();
    assert_eq!(now.population, hood.population - u32::try_from(people).unwrap());
    assert_eq!(now.small_areas, hood.small_areas - 1);
    assert_eq!(
        now.outside_band.is_none(),
        (4_000..=5_000).contains(&now.population),
        "the band checked again"
    );
    drop(conn);
    let drawn_after = current_outline(&browser.get("/neighbourhoods/ashworth-village").await.body);
    assert_ne!(drawn_before, drawn_after, "the map is drawn again after a move");

    let far = hoods.iter().find(|h| {
        h.id != hood.id && (h.latitude - hood.latitude).abs() + (h.longitude - hood.longitude).abs() > 0.05
    });
    let stay = member_codes.iter().find(|c| **c != code).unwrap();
    let refused = browser
        .submit(&edit, &format!("{edit}/move"), &[("small_area", stay), ("to", &far.unwrap().id.to_string())])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("does not touch"), "{}", refused.body);
    let unknown = browser
        .submit(&edit, &format!("{edit}/move"), &[("small_area", "E99999999"), ("to", "nonsense")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The chosen name survives a rebuild.
    let mut conn = app.state.store.conn().unwrap();
    let rebuilt = neighbourhoods::build(&mut conn, Band { min: 4_000, max: 5_000 }).unwrap();
    assert!(rebuilt.neighbourhoods.iter().any(|n| n.name == "Ashworth Village"), "the edited name is kept");
    assert_eq!(rebuilt.removed, 0);
}

#[test]
fn a_rebuild_with_another_band_keeps_connectors_patches() {
    use doorstep::store::users::{self, NewUser};
    let app = TestApp::with_demo();
    let mut conn = app.state.store.conn().unwrap();
    let hoods = neighbourhoods::all(&mut conn).unwrap();
    let user = NewUser {
        email: "kim@example.org".into(),
        name: "Kim".into(),
        password_hash: doorstep::domain::accounts::hash_password(PASSWORD).unwrap(),
        role: Role::Connector,
        organisation: None,
        neighbourhoods: hoods.iter().take(3).map(|h| h.slug.clone()).collect(),
    };
    users::create(&mut conn, &user, chrono::Utc::now().naive_utc()).unwrap();
    let rebuilt = neighbourhoods::build(&mut conn, Band { min: 8_000, max: 10_000 }).unwrap();
    assert!(rebuilt.neighbourhoods.len() < hoods.len() * 2 / 3, "bigger neighbourhoods, fewer of them");
    assert!(rebuilt.removed > 0);
    let (kim, _) = users::find_by_email(&mut conn, "kim@example.org").unwrap().unwrap();
    assert!(!kim.neighbourhoods.is_empty(), "the connector still looks after the places that were theirs");
    let ids: HashSet<_> = rebuilt.neighbourhoods.iter().map(|n| n.id).collect();
    assert!(kim.neighbourhoods.iter().all(|n| ids.contains(n)));
}
