//! Adding and changing a service through the staff pages, and the change
//! history each change leaves.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::domain::ids::ServiceId;
use doorstep::store::changes::{self, RecordKind};
use doorstep::store::{organisations, services};

fn first_organisation(app: &TestApp) -> String {
    let mut conn = app.state.store.conn().unwrap();
    organisations::choices(&mut conn).unwrap()[0].0.to_string()
}

fn lunch_club(organisation: &str) -> Vec<(&'static str, String)> {
    vec![
        ("organisation", organisation.to_string()),
        ("name", "Thursday Lunch Club".into()),
        ("description", "A hot meal and good company.".into()),
        ("status", "active".into()),
        ("needs", "loneliness".into()),
        ("needs", "food".into()),
        ("referral_route", "drop_in".into()),
        ("min_age", "60".into()),
        ("cost", "paid".into()),
        ("cost_description", "£4 a meal".into()),
        ("delivery", "in_person".into()),
        ("languages", "English".into()),
        ("area", "local".into()),
        ("capacity", "taking".into()),
        ("email", "lunch@example.org".into()),
        ("reason", "New group started in the church hall".into()),
    ]
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[actix_web::test]
async fn creating_and_editing_a_service_writes_the_change_history() {
    let app = TestApp::with_demo();
    let connector = app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let organisation = first_organisation(&app);

    // Create.
    let mut fields = lunch_club(&organisation);
    let created = browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_string();
    let id: ServiceId = path.trim_start_matches("/services/").parse().expect("redirected to the new service");
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Thursday Lunch Club"));

    let history =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Service, &id.to_string()).unwrap();
    let name = history.iter().find(|c| c.field == "name").expect("the name is in the history");
    assert_eq!(name.action, "create");
    assert_eq!(name.old_value, None);
    assert_eq!(name.new_value.as_deref(), Some("Thursday Lunch Club"));
    assert_eq!(name.by.as_deref(), Some("Test Community connector"));
    assert_eq!(name.reason.as_deref(), Some("New group started in the church hall"));
    let created_rows = history.len();

    // Edit two fields.
    fields.iter_mut().for_each(|(k, v)| match *k {
        "name" => *v = "Thursday Lunch and Chat".into(),
        "capacity" => *v = "waiting_list".into(),
        "reason" => *v = "Renamed by the group".into(),
        _ => {}
    });
    let edit_page = format!("/staff/services/{id}/edit");
    let edit_form = browser.get(&edit_page).await;
    assert_eq!(edit_form.status, StatusCode::OK);
    assert!(edit_form.body.contains("value=\"Thursday Lunch Club\""), "the form shows the current values");
    let updated = browser.submit(&edit_page, &format!("/staff/services/{id}"), &pairs(&fields)).await;
    assert_eq!(updated.status, StatusCode::SEE_OTHER, "{}", updated.body);

    let history =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Service, &id.to_string()).unwrap();
    let edits: Vec<_> = history.iter().filter(|c| c.action == "update").collect();
    assert_eq!(edits.len(), 2, "only the two changed fields: {edits:?}");
    let renamed = edits.iter().find(|c| c.field == "name").unwrap();
    assert_eq!(renamed.old_value.as_deref(), Some("Thursday Lunch Club"));
    assert_eq!(renamed.new_value.as_deref(), Some("Thursday Lunch and Chat"));
    let capacity = edits.iter().find(|c| c.field == "capacity").unwrap();
    assert_eq!(
        (capacity.old_value.as_deref(), capacity.new_value.as_deref()),
        (Some("taking"), Some("waiting_list"))
    );
    assert_eq!(history.len(), created_rows + 2);

    // The history page shows it to staff.
    let page = browser.get(&format!("/staff/services/{id}/history")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Thursday Lunch and Chat") && page.body.contains("Renamed by the group"));
    let _ = connector;
}

#[actix_web::test]
async fn saving_with_no_change_adds_no_history() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let fields = lunch_club(&first_organisation(&app));
    let created = browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    let id = created.location().trim_start_matches("/services/").to_string();
    let before =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Service, &id).unwrap().len();
    let edit_page = format!("/staff/services/{id}/edit");
    let again = browser.submit(&edit_page, &format!("/staff/services/{id}"), &pairs(&fields)).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let after =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Service, &id).unwrap().len();
    assert_eq!(before, after);
}

#[actix_web::test]
async fn a_form_with_problems_names_each_field_and_keeps_what_was_typed() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let mut fields = lunch_club(&first_organisation(&app));
    fields.iter_mut().for_each(|(k, v)| match *k {
        "name" => *v = String::new(),
        "min_age" => *v = "sixty".into(),
        "email" => *v = "not an email".into(),
        "description" => *v = "Kept <exactly> as typed".into(),
        _ => {}
    });
    let page = browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("There is a problem"));
    for (anchor, message) in [
        ("#name", "Enter the name of the service"),
        ("#min_age", "The youngest age must be a whole number"),
        ("#email", "Enter an email address in the correct format"),
    ] {
        assert!(page.body.contains(&format!("href=\"{anchor}\"")), "the summary links to {anchor}");
        assert!(page.body.contains(message), "missing: {message}");
    }
    assert!(page.body.contains("Kept &lt;exactly&gt; as typed"), "the description is kept");
    assert!(page.body.contains("value=\"sixty\""), "the bad age is kept to correct");
    assert!(page.body.contains("value=\"food\" checked"), "ticked needs stay ticked");
    let stats = doorstep::store::stats::collect(&mut app.state.store.conn().unwrap()).unwrap();
    assert_eq!(stats.services, 420, "nothing was saved");
}

#[actix_web::test]
async fn checking_a_listing_records_who_and_when() {
    let app = TestApp::with_demo();
    let (due, patch) = {
        let mut conn = app.state.store.conn().unwrap();
        let before = chrono::Utc::now().naive_utc() - chrono::Duration::days(182);
        let due = crate::common::most_overdue(&mut conn, before);
        let (_, hoods) = services::scope(&mut conn, due.id).unwrap();
        let all = doorstep::store::neighbourhoods::all(&mut conn).unwrap();
        let patch: Vec<String> = all.into_iter().filter(|n| hoods.contains(&n.id)).map(|n| n.slug).collect();
        (due, patch)
    };
    assert!(!patch.is_empty(), "the oldest listing has a venue in a neighbourhood");
    // A connector for another neighbourhood may not check it; the one who
    // looks after the neighbourhood its venues are in may.
    let elsewhere = {
        let all = doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap();
        all.into_iter().find(|n| !patch.contains(&n.slug)).unwrap().slug
    };
    app.add_user_for("lee@example.org", Role::Connector, None, vec![elsewhere]);
    let mut other = app.browser().await;
    other.sign_in("lee@example.org", PASSWORD).await;
    let verify = format!("/staff/services/{}/verify", due.id);
    let refused = other.submit(&format!("/services/{}", due.id), &verify, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "not their patch");
    app.add_user_for("kim@example.org", Role::Connector, None, patch);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let path = format!("/services/{}", due.id);
    let done = browser.submit(&path, &format!("/staff/services/{}/verify", due.id), &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = browser.get(&path).await;
    assert!(page.body.contains("by Test Community connector"), "the page says who checked it");
    let history =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Service, &due.id.to_string())
            .unwrap();
    assert_eq!(history[0].action, "verify");
}

#[actix_web::test]
async fn the_change_history_cannot_be_edited_or_deleted() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let fields = lunch_club(&first_organisation(&app));
    browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    let mut conn = app.state.store.conn().unwrap();
    let update = conn.batch_execute("UPDATE changes SET new_value = 'forged'");
    assert!(update.unwrap_err().to_string().contains("cannot be edited"));
    let delete = conn.batch_execute("DELETE FROM changes");
    assert!(delete.unwrap_err().to_string().contains("cannot be deleted"));
}

/// A demo venue's id and name.
fn a_venue(app: &TestApp) -> (String, String) {
    use diesel::prelude::*;
    use doorstep::store::schema::locations;
    let mut conn = app.state.store.conn().unwrap();
    let (id, name): (String, String) = locations::table
        .filter(locations::confidential.eq(false))
        .filter(locations::entry_point.eq(true))
        .select((locations::id, locations::name))
        .first(&mut *conn)
        .unwrap();
    (id, name)
}

#[actix_web::test]
async fn a_service_keeps_its_venue_times_and_contacts_and_shows_only_those_who_agreed() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let mut browser = app.browser().await;
    browser.sign_in("root@example.org", PASSWORD).await;
    let (venue, venue_name) = a_venue(&app);
    let mut fields = lunch_club(&first_organisation(&app));
    fields.extend([
        ("venues", venue.clone()),
        ("times-0-pattern", "monthly".into()),
        ("times-0-days", "tue".into()),
        ("times-0-weeks", "1".into()),
        ("times-0-weeks", "3".into()),
        ("times-0-opens", "10:00".into()),
        ("times-0-closes", "12:00".into()),
        ("times-0-closed_on", "2027-01-05".into()),
        ("times-1-pattern", "once".into()),
        ("times-1-date", "2026-12-24".into()),
        ("times-1-opens", "12:30".into()),
        ("times-1-closes", "15:00".into()),
        ("contacts-0-name", "Priya Shah".into()),
        ("contacts-0-title", "Coordinator".into()),
        ("contacts-0-phone", "0161 555 0101".into()),
        ("contacts-0-shown", "yes".into()),
        ("contacts-1-name", "Hidden Person".into()),
        ("contacts-1-email", "hidden@example.org".into()),
        ("phones-0-number", "0161 555 0199".into()),
        ("phones-0-description", "Bookings".into()),
    ]);
    let created = browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location().to_string();
    let id = path.trim_start_matches("/services/").to_string();

    // The public page: where, when, and whom to ask, but only those who agreed.
    let mut visitor = app.browser().await;
    let page = visitor.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        venue_name.as_str(),
        "First and third Tuesday of the month, 10am to 12 noon",
        "On Thursday 24 December 2026, 12:30pm to 3pm",
        "Priya Shah",
        "0161 555 0199",
        "Bookings",
    ] {
        assert!(page.body.contains(shown), "the page shows {shown}");
    }
    assert!(!page.body.contains("Hidden Person"), "a contact who did not agree is not shown");
    let published = visitor.get(&format!("/openreferral/services/{id}")).await;
    assert!(published.body.contains("Priya Shah") && !published.body.contains("Hidden Person"));
    // Those who keep the listing see them both, and the form shows every row again.
    let staff_view = browser.get(&path).await;
    assert!(staff_view.body.contains("Hidden Person") && staff_view.body.contains("they have not agreed"));
    let form = browser.get(&format!("/staff/services/{id}/edit")).await;
    assert!(form.body.contains(
        "Reads as: </strong>First and third Tuesday of the month, 10am to 12 noon (not on Tuesday 5 January 2027)"
    ));
    assert!(form.body.contains("value=\"Hidden Person\""));
    assert!(form.body.contains(&format!("value=\"{venue}\" checked")), "the venue stays ticked");

    // Saved again unchanged, nothing is recorded; the history says it in words.
    let history = browser.get(&format!("/staff/services/{id}/history")).await;
    for said in
        ["When it runs", "Named contacts", "Venues", "Other phone numbers", "Needs it meets", "Loneliness"]
    {
        assert!(history.body.contains(said), "the history says {said}");
    }
    assert!(!history.body.contains("referral_route"), "labels, not column names");
}

#[actix_web::test]
async fn a_schedule_that_cannot_be_kept_comes_back_with_its_problems_and_what_was_typed() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let mut fields = lunch_club(&first_organisation(&app));
    fields.extend([
        ("times-0-pattern", "monthly".into()),
        ("times-0-days", "tue".into()),
        ("times-0-weeks", "5".into()),
        ("times-0-opens", "14:00".into()),
        ("times-0-closes", "12:00".into()),
        ("times-0-valid_from", "2027-03-01".into()),
        ("times-0-valid_to", "2027-02-01".into()),
    ]);
    let page = browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (anchor, message) in [
        ("#times-0-weeks", "Not every month has a fifth week"),
        ("#times-0-closes", "The closing time must be after the opening time"),
        ("#times-0-valid_to", "The last date must be on or after the first date"),
    ] {
        assert!(page.body.contains(&format!("href=\"{anchor}\"")), "the summary links to {anchor}");
        assert!(page.body.contains(message), "missing: {message}");
    }
    assert!(page.body.contains("value=\"14:00\"") && page.body.contains("value=\"2027-03-01\""));
    assert!(page.body.contains("value=\"Thursday Lunch Club\""), "the rest is kept too");
    let stats = doorstep::store::stats::collect(&mut app.state.store.conn().unwrap()).unwrap();
    assert_eq!(stats.services, 420, "nothing was saved");

    // "Add another time" shows the form again with a second blank row, saving nothing.
    let more = [pairs(&fields), vec![("step", "times")]].concat();
    let again = browser.submit("/staff/services/new", "/staff/services", &more).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("Times, row 3"), "the row typed, and two blank ones");
    assert!(!again.body.contains("There is a problem"), "nothing was checked yet");
}

#[actix_web::test]
async fn archiving_takes_a_service_off_the_public_site_and_restoring_brings_it_back() {
    let app = TestApp::with_demo();
    app.add_user("kim@example.org", Role::Connector, None);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let created = browser
        .submit("/staff/services/new", "/staff/services", &pairs(&lunch_club(&first_organisation(&app))))
        .await;
    let path = created.location().to_string();
    let id = path.trim_start_matches("/services/").to_string();
    let mut visitor = app.browser().await;
    let found = |body: &str| body.contains("Thursday Lunch Club");
    assert!(found(&visitor.get("/api/search?q=Thursday+Lunch+Club").await.body));

    let archived = browser.submit(&path, &format!("/staff/services/{id}/archive"), &[]).await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.get(&path).await.status, StatusCode::NOT_FOUND, "gone from the public site");
    assert!(!found(&visitor.get("/api/search?q=Thursday+Lunch+Club").await.body), "and from search");
    assert_eq!(visitor.get(&format!("/openreferral/services/{id}")).await.status, StatusCode::NOT_FOUND);
    let staff_view = browser.get(&path).await;
    assert!(staff_view.body.contains("Restore this listing"), "kept for those who may restore it");
    let twice = browser.submit(&path, &format!("/staff/services/{id}/archive"), &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "archiving twice is refused");
    assert!(twice.body.contains("already archived"));

    let restored = browser.submit(&path, &format!("/staff/services/{id}/restore"), &[]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.get(&path).await.status, StatusCode::OK);
    assert!(found(&visitor.get("/api/search?q=Thursday+Lunch+Club").await.body), "found again");
    let history = browser.get(&format!("/staff/services/{id}/history")).await;
    assert!(history.body.contains("(Archived)") && history.body.contains("(Restored)"));
}

#[actix_web::test]
async fn a_connector_lists_services_only_at_venues_in_their_neighbourhoods() {
    use diesel::prelude::*;
    use doorstep::store::schema::locations;
    let app = TestApp::with_demo();
    let hoods = doorstep::store::neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap();
    app.add_user_for("kim@example.org", Role::Connector, None, vec![hoods[0].slug.clone()]);
    let (theirs, elsewhere): (String, String) = {
        let mut conn = app.state.store.conn().unwrap();
        let at =
            |conn: &mut doorstep::store::Conn, hood: &doorstep::domain::ids::NeighbourhoodId| -> String {
                locations::table
                    .filter(locations::neighbourhood_id.eq(hood.to_string()))
                    .filter(locations::confidential.eq(false))
                    .select(locations::id)
                    .first(conn)
                    .unwrap()
            };
        (at(&mut conn, &hoods[0].id), at(&mut conn, &hoods[1].id))
    };
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let mut fields = lunch_club(&first_organisation(&app));
    fields.push(("venues", elsewhere));
    let refused = browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Choose venues in the neighbourhoods you look after"));
    fields.pop();
    fields.push(("venues", theirs));
    fields.push(("not_duplicate", "yes".into()));
    let made = browser.submit("/staff/services/new", "/staff/services", &pairs(&fields)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
}
