//! Duplicates and merging: a new service that looks like one already here
//! (much the same name, within 150 m) is not added without a word; a
//! connector merges a duplicate into the listing it repeats, keeping both
//! histories, moving shortlists, and leading its old address there.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use chrono::Utc;
use diesel::prelude::*;
use doorstep::domain::accounts::Role;
use doorstep::domain::ids::ServiceId;
use doorstep::domain::signposting::{Channel, Returning};
use doorstep::store::changes::{self, RecordKind};
use doorstep::store::schema::{service_at_locations, shortlist_items};
use doorstep::store::services;
use doorstep::store::signposting::{self, NewSignpostContact};

/// A demo service at a public venue: its id, name, organisation and venue.
fn a_service_at_a_venue(app: &TestApp) -> (ServiceId, String, String, String) {
    let (service, venue): (ServiceId, String) = service_at_locations::table
        .inner_join(doorstep::store::schema::locations::table)
        .filter(doorstep::store::schema::locations::confidential.eq(false))
        .select((service_at_locations::service_id, service_at_locations::location_id))
        .first(&mut *app.state.store.conn().unwrap())
        .unwrap();
    let input = services::input(&mut app.state.store.conn().unwrap(), service).unwrap();
    (service, input.name, input.organisation.to_string(), venue)
}

fn new_service<'a>(organisation: &'a str, name: &'a str, venue: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organisation", organisation),
        ("name", name),
        ("description", "Much the same as before."),
        ("status", "active"),
        ("needs", "loneliness"),
        ("referral_route", "drop_in"),
        ("cost", "free"),
        ("delivery", "in_person"),
        ("area", "local"),
        ("capacity", "taking"),
        ("venues", venue),
    ]
}

#[actix_web::test]
async fn a_service_that_looks_like_one_here_is_not_added_without_a_word() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let (original, name, organisation, venue) = a_service_at_a_venue(&app);
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let fields = new_service(&organisation, &name, &venue);
    let warned = admin.submit("/staff/services/new", "/staff/services", &fields).await;
    assert_eq!(warned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(warned.body.contains("It looks like a listing already here"));
    assert!(warned.body.contains(&format!("href=\"/services/{original}\"")), "with a link to it");
    assert!(warned.body.contains("href=\"#not_duplicate\""));
    let saved = admin
        .submit(
            "/staff/services/new",
            "/staff/services",
            &[fields.as_slice(), &[("not_duplicate", "yes")]].concat(),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "added once it is said to be different");
    // A different name at the same venue is no duplicate.
    let other = new_service(&organisation, "Tai Chi for Beginners", &venue);
    assert_eq!(
        admin.submit("/staff/services/new", "/staff/services", &other).await.status,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn a_duplicate_is_merged_keeping_histories_moving_shortlists_and_leading_its_address_on() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let (original, name, organisation, venue) = a_service_at_a_venue(&app);
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let fields = [new_service(&organisation, &name, &venue), vec![("not_duplicate", "yes")]].concat();
    let saved = admin.submit("/staff/services/new", "/staff/services", &fields).await;
    let duplicate: ServiceId = saved.location().trim_start_matches("/services/").parse().unwrap();
    // Two advisors' shortlists: one names the duplicate, the other both.
    let advisor = app.add_user("lee@example.org", Role::Advisor, None);
    let mut conn = app.state.store.conn().unwrap();
    let start = |conn: &mut doorstep::store::Conn| {
        let new = NewSignpostContact {
            advisor,
            channel: Channel::Phone,
            returning: Returning::NotKnown,
            escalated: false,
            started_at: Utc::now().naive_utc(),
        };
        signposting::start(conn, &new).unwrap()
    };
    let (one, both) = (start(&mut conn), start(&mut conn));
    signposting::add_to_shortlist(&mut conn, one, duplicate).unwrap();
    signposting::add_to_shortlist(&mut conn, both, duplicate).unwrap();
    signposting::add_to_shortlist(&mut conn, both, original).unwrap();
    drop(conn);

    // Its page offers to merge it into the listing it looks like.
    let page = admin.get(&format!("/services/{duplicate}")).await;
    assert!(page.body.contains("It looks like") && page.body.contains(&format!("value=\"{original}\"")));
    let merge = format!("/staff/services/{duplicate}/merge");
    let itself = admin
        .submit(&format!("/services/{duplicate}"), &merge, &[("into", &format!("/services/{duplicate}"))])
        .await;
    assert_eq!(itself.status, StatusCode::CONFLICT, "a listing is not merged with itself");
    assert!(itself.body.contains("cannot be merged with itself"));
    let merged =
        admin.submit(&format!("/services/{duplicate}"), &merge, &[("into", &original.to_string())]).await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    assert_eq!(merged.location(), format!("/services/{original}"));

    let mut visitor = app.browser().await;
    let old = visitor.get(&format!("/services/{duplicate}")).await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY, "the old address leads on");
    assert_eq!(old.location(), format!("/services/{original}"));
    let mut conn = app.state.store.conn().unwrap();
    let lists: Vec<(String, String)> = shortlist_items::table
        .select((shortlist_items::contact_id, shortlist_items::service_id))
        .load(&mut *conn)
        .unwrap();
    assert!(lists.iter().all(|(_, s)| *s != duplicate.to_string()), "no shortlist names the duplicate");
    assert_eq!(
        lists.iter().filter(|(c, _)| *c == both.to_string()).count(),
        1,
        "a shortlist with both keeps one"
    );
    assert!(lists.contains(&(one.to_string(), original.to_string())));
    // Both histories are kept, each saying so.
    let theirs = changes::history(&mut conn, RecordKind::Service, &duplicate.to_string()).unwrap();
    assert!(theirs.iter().any(|c| c.action == "merge" && c.field == "merged_into"));
    assert!(theirs.iter().any(|c| c.action == "create"), "its own history stays");
    let ours = changes::history(&mut conn, RecordKind::Service, &original.to_string()).unwrap();
    assert!(ours.iter().any(|c| c.action == "merge" && c.field == "merged_from"));
    // Merging into an archived listing is refused.
    let third = new_service(&organisation, "Another Group Entirely", &venue);
    drop(conn);
    let made = admin.submit("/staff/services/new", "/staff/services", &third).await;
    let third: ServiceId = made.location().trim_start_matches("/services/").parse().unwrap();
    let refused = admin
        .submit(
            &format!("/services/{third}"),
            &format!("/staff/services/{third}/merge"),
            &[("into", &duplicate.to_string())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn an_organisation_with_the_same_number_is_warned_of_and_merged_with_its_services() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let (existing, number) = {
        use doorstep::store::schema::organisations;
        organisations::table
            .filter(organisations::charity_number.is_not_null())
            .select((organisations::id, organisations::charity_number.assume_not_null()))
            .first::<(String, String)>(&mut *app.state.store.conn().unwrap())
            .unwrap()
    };
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let fields =
        [("name", "The Same Charity Again"), ("kind", "charity"), ("charity_number", number.as_str())];
    let warned = admin.submit("/staff/organisations/new", "/staff/organisations", &fields).await;
    assert_eq!(warned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(warned.body.contains(&format!("href=\"/organisations/{existing}\"")));
    assert!(warned.body.contains("value=\"The Same Charity Again\""), "what was typed is kept");
    let made = admin
        .submit(
            "/staff/organisations/new",
            "/staff/organisations",
            &[fields.as_slice(), &[("not_duplicate", "yes")]].concat(),
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let duplicate = made.location().trim_start_matches("/organisations/").to_string();
    // A service of the duplicate moves with it.
    let (_, _, _, venue) = a_service_at_a_venue(&app);
    let service =
        [new_service(&duplicate, "A Quite Different Group", &venue), vec![("not_duplicate", "yes")]].concat();
    let made = admin.submit("/staff/services/new", "/staff/services", &service).await;
    let service: ServiceId = made.location().trim_start_matches("/services/").parse().unwrap();

    let edit = format!("/staff/organisations/{duplicate}/edit");
    let itself = admin
        .submit(&edit, &format!("/staff/organisations/{duplicate}/merge"), &[("into", &duplicate)])
        .await;
    assert_eq!(itself.status, StatusCode::CONFLICT);
    let merged = admin
        .submit(
            &edit,
            &format!("/staff/organisations/{duplicate}/merge"),
            &[("into", &format!("/organisations/{existing}"))],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    let mut visitor = app.browser().await;
    let old = visitor.get(&format!("/organisations/{duplicate}")).await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.location(), format!("/organisations/{existing}"));
    let moved = services::input(&mut app.state.store.conn().unwrap(), service).unwrap();
    assert_eq!(moved.organisation.to_string(), existing, "its services moved");
    let history =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Organisation, &existing).unwrap();
    assert!(history.iter().any(|c| c.field == "merged_from"));
}

#[actix_web::test]
async fn a_merged_listing_is_not_restored_and_changes_waiting_for_it_are_rejected() {
    let app = TestApp::with_demo();
    app.add_user("root@example.org", Role::Administrator, None);
    let (original, name, organisation, venue) = a_service_at_a_venue(&app);
    let org: doorstep::domain::ids::OrganisationId = organisation.parse().unwrap();
    app.add_user("ed@example.org", Role::OrganisationEditor, Some(org));
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let fields = [new_service(&organisation, &name, &venue), vec![("not_duplicate", "yes")]].concat();
    let saved = admin.submit("/staff/services/new", "/staff/services", &fields).await;
    let duplicate: ServiceId = saved.location().trim_start_matches("/services/").parse().unwrap();
    // The editor proposes a change to the duplicate, which would overwrite the original if moved to it.
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    let mut change = new_service(&organisation, "Renamed by the editor", &venue);
    change.push(("not_duplicate", "yes"));
    let sent = editor
        .submit(
            &format!("/staff/services/{duplicate}/edit"),
            &format!("/staff/services/{duplicate}"),
            &change,
        )
        .await;
    let proposal = sent.location().to_string();
    assert!(proposal.starts_with("/staff/approvals/"), "{}", sent.body);

    let merged = admin
        .submit(
            &format!("/services/{duplicate}"),
            &format!("/staff/services/{duplicate}/merge"),
            &[("into", &original.to_string())],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
    let decided = admin.get(&proposal).await;
    assert!(decided.body.contains("Rejected") && decided.body.contains("merged into another"));
    assert_ne!(
        services::input(&mut app.state.store.conn().unwrap(), original).unwrap().name,
        "Renamed by the editor"
    );
    let restore = admin
        .submit(
            &format!("/staff/services/{original}/edit"),
            &format!("/staff/services/{duplicate}/restore"),
            &[],
        )
        .await;
    assert_eq!(restore.status, StatusCode::CONFLICT, "a merged listing is not restored");
}
