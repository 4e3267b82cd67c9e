//! Organisations and venues kept on the web: added, changed, archived and
//! restored, each change in a history said in words, and what one person
//! changed on a page of its own.

use crate::common::{PASSWORD, TestApp, central_postcode};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;

#[actix_web::test]
async fn an_organisation_is_added_and_changed_with_its_numbers_checked() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let bad = [
        ("name", "Ashby Carers"),
        ("kind", "charity"),
        ("charity_number", "12"),
        ("company_number", "nope"),
        ("website", "javascript:alert(1)"),
    ];
    let page = browser.submit("/staff/organisations/new", "/staff/organisations", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#charity_number", "#company_number", "#website"] {
        assert!(page.body.contains(&format!("href=\"{anchor}\"")), "the summary links to {anchor}");
    }
    assert!(page.body.contains("value=\"Ashby Carers\""), "what was typed is kept");

    let good = [
        ("name", "Ashby Carers"),
        ("kind", "charity"),
        ("charity_number", "1123456"),
        ("company_number", "123456"),
    ];
    let created = browser.submit("/staff/organisations/new", "/staff/organisations", &good).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_string();
    let id = path.trim_start_matches("/organisations/").to_string();
    let shown = browser.get(&path).await;
    assert!(
        shown.body.contains("1123456") && shown.body.contains("00123456"),
        "numbers as the registers write them"
    );

    let renamed = [
        ("name", "Ashby and District Carers"),
        ("kind", "charity"),
        ("charity_number", "1123456"),
        ("reason", "Merged with the district group"),
    ];
    let changed = browser
        .submit(&format!("/staff/organisations/{id}/edit"), &format!("/staff/organisations/{id}"), &renamed)
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let history = browser.get(&format!("/staff/organisations/{id}/history")).await;
    for said in [
        "Name",
        "Ashby Carers",
        "Ashby and District Carers",
        "Company number",
        "Merged with the district group",
    ] {
        assert!(history.body.contains(said), "the history says {said}");
    }

    // With no services, it can be archived: off the public site and the open data.
    let archived = browser
        .submit(
            &format!("/staff/organisations/{id}/edit"),
            &format!("/staff/organisations/{id}/archive"),
            &[],
        )
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    let mut visitor = app.browser().await;
    assert_eq!(visitor.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get(&format!("/openreferral/organizations/{id}")).await.status, StatusCode::NOT_FOUND);
    let restored = browser
        .submit(
            &format!("/staff/organisations/{id}/edit"),
            &format!("/staff/organisations/{id}/restore"),
            &[],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.get(&path).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn an_organisation_that_runs_services_is_not_archived_and_its_editor_keeps_only_its_own() {
    let app = TestApp::with_demo();
    let (own, other) = {
        let mut conn = app.state.store.conn().unwrap();
        let all = doorstep::store::organisations::choices(&mut conn).unwrap();
        (all[0].0, all[1].0)
    };
    app.add_user("kim@example.org", Role::Connector, None);
    app.add_user("ed@example.org", Role::OrganisationEditor, Some(own));
    let mut connector = app.browser().await;
    connector.sign_in("kim@example.org", PASSWORD).await;
    let refused = connector
        .submit(
            &format!("/staff/organisations/{own}/edit"),
            &format!("/staff/organisations/{own}/archive"),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("Archive them first") || refused.body.contains("Archive it first"));

    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    assert_eq!(editor.get(&format!("/staff/organisations/{own}/edit")).await.status, StatusCode::OK);
    assert_eq!(editor.get(&format!("/staff/organisations/{other}/edit")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(editor.get("/staff/organisations/new").await.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_venue_is_placed_by_its_postcode_and_an_unknown_one_is_refused() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let unknown = [
        ("name", "Ashby Library"),
        ("address_1", "1 Library Walk"),
        ("town", "Kingsmere"),
        ("postcode", "ZZ9 9ZZ"),
        ("step_free", "yes"),
        ("entry_point", "yes"),
    ];
    let page = browser.submit("/staff/venues/new", "/staff/venues", &unknown).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("We do not know the postcode ZZ9 9ZZ"));
    assert!(page.body.contains("value=\"1 Library Walk\""), "what was typed is kept");
    assert!(page.body.contains("value=\"yes\" checked"), "the choices too");

    let postcode = central_postcode(&app);
    let known = unknown.map(|(k, v)| if k == "postcode" { (k, postcode.as_str()) } else { (k, v) });
    // Kim looks after no neighbourhood: a venue in one is for its connector to add.
    let elsewhere = browser.submit("/staff/venues/new", "/staff/venues", &known).await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(elsewhere.body.contains("which you do not look after"), "{}", elsewhere.body);
    app.add_user("root@example.org", Role::Administrator, None);
    let mut browser = app.browser().await;
    browser.sign_in("root@example.org", PASSWORD).await;
    let created = browser.submit("/staff/venues/new", "/staff/venues", &known).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let edit = browser.get(created.location()).await;
    assert!(edit.body.contains("Placed by its postcode, in "), "{}", edit.body);
    assert!(!edit.body.contains("outside every neighbourhood"), "a demo postcode is in a neighbourhood");

    // A service's form finds it by its name.
    let form = browser
        .submit(
            "/staff/services/new",
            "/staff/services",
            &[("venue_search", "ashby lib"), ("step", "venues")],
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "finding a venue saves nothing");
    assert!(form.body.contains("Ashby Library: 1 Library Walk"));
    assert!(form.body.contains("(local entry point)"));

    let id = created.location().trim_start_matches("/staff/venues/").trim_end_matches("/edit").to_string();
    let history = browser.get(&format!("/staff/venues/{id}/history")).await;
    assert!(history.body.contains("Local entry point") && history.body.contains("Step-free access"));
    assert!(history.body.contains("(Added)"));
}

#[actix_web::test]
async fn a_confidential_venue_is_hidden_from_those_who_may_not_see_it() {
    use diesel::prelude::*;
    use doorstep::store::schema::locations;
    let app = TestApp::with_demo();
    let refuge: String = locations::table
        .filter(locations::confidential.eq(true))
        .select(locations::id)
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    let own = doorstep::store::organisations::choices(&mut app.state.store.conn().unwrap()).unwrap()[0].0;
    app.add_user("ed@example.org", Role::OrganisationEditor, Some(own));
    app.add_user("root@example.org", Role::Administrator, None);
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    assert_eq!(editor.get(&format!("/staff/venues/{refuge}/edit")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(editor.get(&format!("/staff/venues/{refuge}/history")).await.status, StatusCode::NOT_FOUND);
    let form = editor.get("/staff/venues/new").await;
    assert!(!form.body.contains("Is its address confidential?"), "they are not offered the choice");
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let page = admin.get(&format!("/staff/venues/{refuge}/edit")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"yes\" checked"), "an administrator sees it is confidential");
}

#[actix_web::test]
async fn a_venue_where_services_meet_is_not_archived() {
    use diesel::prelude::*;
    use doorstep::store::schema::{locations, service_at_locations};
    let app = TestApp::with_demo();
    let used: String = service_at_locations::table
        .inner_join(locations::table)
        .filter(locations::confidential.eq(false))
        .select(locations::id)
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    app.add_user("root@example.org", Role::Administrator, None);
    let mut browser = app.browser().await;
    browser.sign_in("root@example.org", PASSWORD).await;
    let page = browser
        .submit(&format!("/staff/venues/{used}/edit"), &format!("/staff/venues/{used}/archive"), &[])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("still meet") || page.body.contains("still meets"), "{}", page.body);
}

#[actix_web::test]
async fn each_person_sees_what_they_changed_and_an_administrator_sees_anyones() {
    let app = TestApp::with_demo();
    let kim = app.add_user("kim@example.org", Role::Connector, None);
    let lee = app.add_user("lee@example.org", Role::Advisor, None);
    app.add_user("root@example.org", Role::Administrator, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let created = browser
        .submit(
            "/staff/organisations/new",
            "/staff/organisations",
            &[("name", "Ashby Men's Shed"), ("kind", "community_group")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let mine = browser.get(&format!("/staff/users/{kim}/history")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Ashby Men&#39;s Shed") || mine.body.contains("Ashby Men's Shed"));
    assert!(mine.body.contains("Kind of organisation") && mine.body.contains("Community group"));
    assert_eq!(browser.get(&format!("/staff/users/{lee}/history")).await.status, StatusCode::FORBIDDEN);
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let theirs = admin.get(&format!("/staff/users/{kim}/history")).await;
    assert!(theirs.body.contains("Changes made by Test Community connector"));
}

#[actix_web::test]
async fn a_confidential_venue_is_never_named_in_a_services_history() {
    use diesel::prelude::*;
    use doorstep::store::schema::{locations, service_at_locations};
    let app = TestApp::with_demo();
    let (refuge_service, refuge_name): (String, String) = service_at_locations::table
        .inner_join(locations::table)
        .filter(locations::confidential.eq(true))
        .select((service_at_locations::service_id, locations::name))
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    let id: doorstep::domain::ids::ServiceId = refuge_service.parse().unwrap();
    let edit = doorstep::store::services::edit(&mut app.state.store.conn().unwrap(), id).unwrap();
    let fields = edit.history_fields();
    let venues = &fields.iter().find(|(f, _)| *f == "venues").unwrap().1;
    assert!(!venues.contains(&refuge_name), "the refuge is not named: {venues}");
    assert!(venues.contains("A confidential venue"));
}
