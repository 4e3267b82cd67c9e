//! Approval: an organisation editor's new listings and changes wait for a
//! connector or an administrator, who sees them beside the listing as it is
//! and accepts (applied, with the history) or rejects them saying why.
//! Connectors' and administrators' own changes go live.

use crate::common::{Browser, PASSWORD, Page, TestApp};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::domain::ids::{OrganisationId, ServiceId};
use doorstep::store::changes::{self, RecordKind};
use doorstep::store::{organisations, services};

/// An organisation with a service, with an editor (ed@) and an administrator (root@).
fn editor_and_admin(app: &TestApp) -> (OrganisationId, ServiceId) {
    let (organisation, service) = {
        let mut conn = app.state.store.conn().unwrap();
        let organisation = organisations::choices(&mut conn).unwrap()[0].0;
        let service = organisations::view(&mut conn, organisation).unwrap().services[0].id;
        (organisation, service)
    };
    app.add_user("ed@example.org", Role::OrganisationEditor, Some(organisation));
    app.add_user("root@example.org", Role::Administrator, None);
    (organisation, service)
}

/// The fields a service's edit form sends as it stands, with `name` changed.
fn edit_form(app: &TestApp, service: ServiceId, name: &str) -> Vec<(String, String)> {
    let edit = services::edit(&mut app.state.store.conn().unwrap(), service).unwrap();
    let mut form = vec![];
    let f = edit.to_form();
    for (k, v) in [
        ("organisation", f.organisation.clone()),
        ("name", name.to_string()),
        ("description", f.description.clone()),
        ("status", f.status.clone()),
        ("referral_route", f.referral_route.clone()),
        ("cost", f.cost.clone()),
        ("cost_description", f.cost_description.clone()),
        ("area", f.area.clone()),
        ("area_radius_km", f.area_radius_km.clone()),
        ("capacity", f.capacity.clone()),
        ("languages", f.languages.clone()),
        ("email", f.email.clone()),
        ("phone", f.phone.clone()),
        ("website", f.website.clone()),
        ("reason", "The group chose a new name".to_string()),
    ] {
        form.push((k.to_string(), v));
    }
    form.extend(f.needs.iter().map(|n| ("needs".to_string(), n.clone())));
    form.extend(f.delivery.iter().map(|d| ("delivery".to_string(), d.clone())));
    form.extend(f.parts.venues.iter().map(|v| ("venues".to_string(), v.clone())));
    form.extend(f.parts.neighbourhoods.iter().map(|v| ("neighbourhoods".to_string(), v.clone())));
    for (n, row) in f.parts.times.iter().enumerate() {
        for (field, value) in [
            ("pattern", &row.pattern),
            ("every", &row.every),
            ("month_days", &row.month_days),
            ("date", &row.date),
            ("opens", &row.opens),
            ("closes", &row.closes),
            ("valid_from", &row.valid_from),
            ("valid_to", &row.valid_to),
            ("closed_on", &row.closed_on),
        ] {
            form.push((format!("times-{n}-{field}"), value.clone()));
        }
        form.extend(row.days.iter().map(|d| (format!("times-{n}-days"), d.clone())));
        form.extend(row.weeks.iter().map(|w| (format!("times-{n}-weeks"), w.clone())));
    }
    for (n, c) in f.parts.contacts.iter().enumerate() {
        for (field, value) in
            [("id", &c.id), ("name", &c.name), ("title", &c.title), ("phone", &c.phone), ("email", &c.email)]
        {
            form.push((format!("contacts-{n}-{field}"), value.clone()));
        }
        if c.shown {
            form.push((format!("contacts-{n}-shown"), "yes".into()));
        }
    }
    for (n, p) in f.parts.phones.iter().enumerate() {
        form.push((format!("phones-{n}-number"), p.number.clone()));
        form.push((format!("phones-{n}-description"), p.description.clone()));
    }
    form
}

/// Sends a service's edit form as `who` signed in, from the form's page.
async fn send_edit<S, B>(who: &mut Browser<S>, service: ServiceId, form: &[(String, String)]) -> Page
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    who.submit(&format!("/staff/services/{service}/edit"), &format!("/staff/services/{service}"), &fields)
        .await
}

#[actix_web::test]
async fn an_editors_change_waits_and_goes_live_when_accepted_with_its_history() {
    let app = TestApp::with_demo();
    let (_, service) = editor_and_admin(&app);
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;

    let before = services::input(&mut app.state.store.conn().unwrap(), service).unwrap().name;
    let form = edit_form(&app, service, "Renamed by the editor");
    let sent = send_edit(&mut editor, service, &form).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let proposal = sent.location().to_string();
    assert!(proposal.starts_with("/staff/approvals/"), "to the proposal's page: {proposal}");
    let waiting = editor.get(&proposal).await;
    assert!(waiting.body.contains("Waiting for approval"));
    assert_eq!(
        services::input(&mut app.state.store.conn().unwrap(), service).unwrap().name,
        before,
        "not live yet"
    );

    // The administrator sees it in the queue, beside the listing as it is.
    let queue = admin.get("/staff/approvals").await;
    assert!(queue.body.contains(&proposal));
    let shown = admin.get(&proposal).await;
    assert!(shown.body.contains("As it is, and as proposed"));
    assert!(shown.body.contains(&before) && shown.body.contains("Renamed by the editor"));
    assert!(!shown.body.contains(">Venues<"), "only the fields that change");

    let accepted = admin.submit(&proposal, &format!("{proposal}/accept"), &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(
        services::input(&mut app.state.store.conn().unwrap(), service).unwrap().name,
        "Renamed by the editor"
    );
    let history =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Service, &service.to_string())
            .unwrap();
    let renamed = history.iter().find(|c| c.field == "name").unwrap();
    assert_eq!(renamed.by.as_deref(), Some("Test Organisation editor"), "the editor made the change");
    assert_eq!(
        renamed.reason.as_deref(),
        Some(
            "The group chose a new name (proposed by Test Organisation editor, approved by Test Administrator)"
        )
    );
    // Decided once: a second accept is refused, and the editor sees the outcome.
    let again = admin.submit(&proposal, &format!("{proposal}/accept"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(editor.get("/staff").await.body.contains("Accepted"));
}

#[actix_web::test]
async fn a_rejection_says_why_and_the_editor_is_told() {
    let app = TestApp::with_demo();
    let (organisation, _) = editor_and_admin(&app);
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;

    let (now, _) = organisations::one(&mut app.state.store.conn().unwrap(), organisation).unwrap();
    let change = [
        ("name", "A Name Nobody Uses"),
        ("kind", now.kind.code()),
        ("charity_number", now.charity_number.as_deref().unwrap_or("")),
        ("description", now.description.as_str()),
    ];
    let path = format!("/staff/organisations/{organisation}/edit");
    let sent = editor.submit(&path, &format!("/staff/organisations/{organisation}"), &change).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let proposal = sent.location().to_string();
    assert!(proposal.starts_with("/staff/approvals/"));
    // Rejecting needs a reason; without one the form comes back.
    let bare = admin.submit(&proposal, &format!("{proposal}/reject"), &[("why", " ")]).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bare.body.contains("Say why it is rejected"));
    let rejected = admin
        .submit(
            &proposal,
            &format!("{proposal}/reject"),
            &[("why", "That is not the charity's registered name")],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let (after, _) = organisations::one(&mut app.state.store.conn().unwrap(), organisation).unwrap();
    assert_eq!(after.name, now.name, "nothing changed");
    let home = editor.get("/staff").await;
    assert!(
        home.body.contains("Rejected: That is not the charity&#39;s registered name")
            || home.body.contains("Rejected: That is not the charity's registered name")
    );
    // Once decided, it cannot be accepted after all.
    assert_eq!(
        admin.submit(&proposal, &format!("{proposal}/accept"), &[]).await.status,
        StatusCode::CONFLICT
    );
}

#[actix_web::test]
async fn two_connectors_accepting_at_once_apply_it_once() {
    let app = TestApp::with_demo();
    let (_, service) = editor_and_admin(&app);
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;

    app.add_user("root2@example.org", Role::Administrator, None);
    let mut other = app.browser().await;
    other.sign_in("root2@example.org", PASSWORD).await;
    let form = edit_form(&app, service, "Renamed once");
    let sent = send_edit(&mut editor, service, &form).await;
    let proposal = sent.location().to_string();
    let (a, b) = (admin.get(&proposal).await.csrf_token(), other.get(&proposal).await.csrf_token());
    let accept = format!("{proposal}/accept");
    let (fa, fb) = ([("csrf_token", a.as_str())], [("csrf_token", b.as_str())]);
    let (first, second) = tokio::join!(admin.post(&accept, &fa), other.post(&accept, &fb));
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let history =
        changes::history(&mut app.state.store.conn().unwrap(), RecordKind::Service, &service.to_string())
            .unwrap();
    assert_eq!(history.iter().filter(|c| c.new_value.as_deref() == Some("Renamed once")).count(), 1);
}

#[actix_web::test]
async fn an_editors_new_service_waits_and_is_made_when_accepted() {
    let app = TestApp::with_demo();
    let (organisation, _) = editor_and_admin(&app);
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;

    let organisation = organisation.to_string();
    let fields = [
        ("organisation", organisation.as_str()),
        ("name", "Knit and Natter"),
        ("description", "Knitting and a chat."),
        ("status", "active"),
        ("needs", "loneliness"),
        ("referral_route", "drop_in"),
        ("cost", "free"),
        ("delivery", "in_person"),
        ("area", "local"),
        ("capacity", "taking"),
    ];
    let sent = editor.submit("/staff/services/new", "/staff/services", &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let proposal = sent.location().to_string();
    let mut visitor = app.browser().await;
    assert!(
        !visitor.get("/api/search?q=Knit+and+Natter").await.body.contains("Knit and Natter"),
        "not live yet"
    );
    let shown = admin.get(&proposal).await;
    assert!(shown.body.contains("As proposed") && shown.body.contains("Knit and Natter"));
    let accepted = admin.submit(&proposal, &format!("{proposal}/accept"), &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert!(
        visitor.get("/api/search?q=Knit+and+Natter").await.body.contains("Knit and Natter"),
        "live and found"
    );
    let decided = admin.get(&proposal).await;
    assert!(decided.body.contains("href=\"/services/"), "the proposal links to the service made");
}

#[actix_web::test]
async fn a_connectors_own_change_goes_live_and_others_may_not_decide() {
    let app = TestApp::with_demo();
    let (_, service) = editor_and_admin(&app);
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    app.add_user("lee@example.org", Role::Advisor, None);
    let form = edit_form(&app, service, "Waiting name");
    let sent = send_edit(&mut editor, service, &form).await;
    let proposal = sent.location().to_string();
    // The editor may see their proposal but not decide it; an advisor may do neither.
    let token = editor.get(&proposal).await.csrf_token();
    assert_eq!(
        editor.post(&format!("{proposal}/accept"), &[("csrf_token", &token)]).await.status,
        StatusCode::FORBIDDEN
    );
    let mut advisor = app.browser().await;
    advisor.sign_in("lee@example.org", PASSWORD).await;
    assert_eq!(advisor.get(&proposal).await.status, StatusCode::FORBIDDEN);
    assert_eq!(advisor.get("/staff/approvals").await.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_proposal_that_can_no_longer_be_made_is_refused_with_its_problems() {
    let app = TestApp::with_demo();
    let (organisation, service) = editor_and_admin(&app);
    // A venue of the editor's organisation where nothing meets yet.
    let venue = {
        use diesel::prelude::*;
        let mut conn = app.state.store.conn().unwrap();
        let somewhere = doorstep::store::schema::locations::table
            .select(doorstep::store::schema::locations::id)
            .first::<doorstep::domain::ids::LocationId>(&mut *conn);
        let any = doorstep::store::locations::many(&mut conn, &[somewhere.unwrap()]).unwrap().remove(0);
        let own = doorstep::domain::listing::Location {
            id: doorstep::domain::ids::LocationId::new(),
            organisation: Some(organisation),
            name: "The Editor's Hall".into(),
            ..any
        };
        doorstep::store::locations::insert(&mut conn, &own, chrono::Utc::now().naive_utc()).unwrap();
        own.id
    };
    let mut editor = app.browser().await;
    editor.sign_in("ed@example.org", PASSWORD).await;
    let mut admin = app.browser().await;
    admin.sign_in("root@example.org", PASSWORD).await;
    let mut form = edit_form(&app, service, "Moved to the hall");
    form.push(("venues".into(), venue.to_string()));
    let sent = send_edit(&mut editor, service, &form).await;
    let proposal = sent.location().to_string();
    assert!(proposal.starts_with("/staff/approvals/"), "{}", sent.body);
    // Meanwhile the hall is archived.
    let archived = admin
        .submit(&format!("/staff/venues/{venue}/edit"), &format!("/staff/venues/{venue}/archive"), &[])
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    let shown = admin.get(&proposal).await;
    assert!(shown.body.contains("It can no longer be made as proposed"));
    let refused = admin.submit(&proposal, &format!("{proposal}/accept"), &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("can no longer be made as it was proposed"));
    assert_ne!(
        services::input(&mut app.state.store.conn().unwrap(), service).unwrap().name,
        "Moved to the hall"
    );
}
