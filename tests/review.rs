//! The review queue: each person's own listings due to be checked, most
//! overdue first, narrowed as they ask, several checked at once; and how
//! fresh each neighbourhood's listings are.

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use doorstep::domain::accounts::Role;
use doorstep::domain::ids::ServiceId;
use doorstep::store::{neighbourhoods, services};

/// The ids in a queue page's tick boxes, in order.
fn ticked_ids(body: &str) -> Vec<ServiceId> {
    body.split("name=\"services\" value=\"")
        .skip(1)
        .map(|rest| rest[..36].parse().expect("a service id"))
        .collect()
}

#[actix_web::test]
async fn a_connector_reviews_their_neighbourhoods_and_checks_several_at_once() {
    let app = TestApp::with_demo();
    let hood = neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap().remove(0);
    app.add_user_for("kim@example.org", Role::Connector, None, vec![hood.slug.clone()]);
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let queue = browser.get("/staff/review").await;
    assert_eq!(queue.status, StatusCode::OK);
    let due = ticked_ids(&queue.body);
    assert!(due.len() >= 2, "the demo has listings due in {}", hood.name);
    // Every one is theirs: a venue in their neighbourhood, or none in any.
    let mut conn = app.state.store.conn().unwrap();
    let mut last_checked = Vec::new();
    for id in &due {
        let (_, hoods) = services::scope(&mut conn, *id).unwrap();
        assert!(hoods.is_empty() || hoods.contains(&hood.id), "{id} is not theirs to review");
        last_checked.push(services::view(&mut conn, *id).unwrap().last_verified_at);
    }
    let mut sorted = last_checked.clone();
    sorted.sort_by_key(|t| (t.is_some(), *t));
    assert_eq!(last_checked, sorted, "most overdue first, never checked first of all");

    // Narrowed to their neighbourhood, only listings there.
    let there = browser.get(&format!("/staff/review?neighbourhood={}", hood.id)).await;
    for id in ticked_ids(&there.body) {
        assert!(services::scope(&mut conn, id).unwrap().1.contains(&hood.id));
    }
    // Narrowed to never checked, none has been.
    for id in ticked_ids(&browser.get("/staff/review?overdue=never").await.body) {
        assert_eq!(services::view(&mut conn, id).unwrap().last_verified_at, None);
    }
    // By need and by words in the organisation's name.
    let first = services::view(&mut conn, due[0]).unwrap();
    let need = &first.needs[0].slug;
    let word = first.organisation_name.split_whitespace().next().unwrap().to_lowercase();
    let narrowed = browser.get(&format!("/staff/review?need={need}&organisation={word}")).await;
    let found = ticked_ids(&narrowed.body);
    assert!(found.contains(&due[0]));
    for id in found {
        let view = services::view(&mut conn, id).unwrap();
        assert!(view.needs.iter().any(|n| &n.slug == need));
        assert!(view.organisation_name.to_lowercase().contains(&word));
    }

    // Two ticked are marked checked, and leave the queue.
    let fields = [("services", due[0].to_string()), ("services", due[1].to_string())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = browser.submit("/staff/review", "/staff/review?overdue=due&page=1", &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(done.location().contains("checked=2"), "{}", done.location());
    let after = browser.get(done.location()).await;
    assert!(after.body.contains("2 listings marked as checked today."));
    let left = ticked_ids(&after.body);
    assert!(!left.contains(&due[0]) && !left.contains(&due[1]));
    assert!(services::view(&mut conn, due[0]).unwrap().last_verified_at.is_some());
}

#[actix_web::test]
async fn a_listing_that_is_not_theirs_is_not_checked_and_advisors_have_no_queue() {
    let app = TestApp::with_demo();
    let all = neighbourhoods::all(&mut app.state.store.conn().unwrap()).unwrap();
    let (theirs, elsewhere) = (&all[0], &all[1]);
    app.add_user_for("kim@example.org", Role::Connector, None, vec![theirs.slug.clone()]);
    app.add_user("lee@example.org", Role::Advisor, None);
    // A listing due in another neighbourhood, not in theirs.
    let not_theirs = {
        let mut conn = app.state.store.conn().unwrap();
        let before = chrono::Utc::now().naive_utc();
        let (_, due) = doorstep::store::service_lists::review_queue(
            &mut conn,
            &doorstep::domain::review::ReviewScope::Neighbourhoods(vec![elsewhere.id]),
            &doorstep::domain::review::ReviewFilter {
                neighbourhood: Some(elsewhere.id),
                ..Default::default()
            },
            (before, before),
            (0, 50),
        )
        .unwrap();
        due.into_iter()
            .find(|s| !services::scope(&mut conn, s.id).unwrap().1.contains(&theirs.id))
            .expect("a listing due elsewhere")
            .id
    };
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let mine = ticked_ids(&browser.get("/staff/review").await.body)[0];
    let fields = [("services", mine.to_string()), ("services", not_theirs.to_string())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.submit("/staff/review", "/staff/review", &fields).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut conn = app.state.store.conn().unwrap();
    let before = services::view(&mut conn, mine).unwrap().last_verified_at;
    assert!(
        before.is_none_or(|t| t < chrono::Utc::now().naive_utc() - chrono::Duration::days(100)),
        "none was marked"
    );
    let nonsense = browser.submit("/staff/review", "/staff/review", &[("services", "not-an-id")]).await;
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);

    let mut advisor = app.browser().await;
    advisor.sign_in("lee@example.org", PASSWORD).await;
    assert_eq!(advisor.get("/staff/review").await.status, StatusCode::FORBIDDEN);
    let home = advisor.get("/staff").await;
    assert!(!home.body.contains("Due for review"), "advisors do not see the queue");
}

#[actix_web::test]
async fn how_fresh_the_listings_are_shows_on_the_staff_home_and_the_dashboard() {
    let app = TestApp::with_demo();
    // The neighbourhood with the most listings not checked lately.
    let hood = {
        let mut conn = app.state.store.conn().unwrap();
        let since = chrono::Utc::now().naive_utc() - chrono::Duration::days(182);
        let all = doorstep::store::service_lists::freshness(&mut conn, since).unwrap();
        let stale = all.iter().max_by_key(|f| f.listings - f.checked).unwrap();
        assert!(stale.checked < stale.listings, "the demo has listings due");
        neighbourhoods::by_id(&mut conn, stale.neighbourhood).unwrap()
    };
    app.add_user_for("kim@example.org", Role::Connector, None, vec![hood.slug.clone()]);
    let share = |body: &str| -> String {
        let row = body.split(&format!(">{}</a></td>", hood.name)).nth(1).expect("the neighbourhood's row");
        row.split("</tr>").next().unwrap().to_string()
    };
    let mut browser = app.browser().await;
    browser.sign_in("kim@example.org", PASSWORD).await;
    let home = browser.get("/staff").await;
    assert!(home.body.contains("How fresh the listings are"));
    let before = share(&home.body);
    let dashboard = browser.get("/dashboard").await;
    assert_eq!(share(&dashboard.body), before, "the same figures on the dashboard");
    // Checking every listing due there brings the share to 100%.
    loop {
        let due = ticked_ids(&browser.get(&format!("/staff/review?neighbourhood={}", hood.id)).await.body);
        if due.is_empty() {
            break;
        }
        let fields: Vec<(String, String)> =
            due.iter().map(|id| ("services".to_string(), id.to_string())).collect();
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        browser.submit("/staff/review", "/staff/review", &fields).await;
    }
    let after = share(&browser.get("/staff").await.body);
    assert_ne!(after, before);
    assert!(after.contains(">100%<"), "{after}");
}

#[actix_web::test]
async fn the_queue_read_a_page_at_a_time_is_the_whole_queue_in_order() {
    use doorstep::domain::review::ReviewFilter;
    let app = TestApp::with_demo();
    let mut conn = app.state.store.conn().unwrap();
    never_checked_ten(&mut conn);
    let now = chrono::Utc::now().naive_utc();
    let mut read = |pages| everything(&mut conn, &ReviewFilter::default(), now, pages);
    let (total, whole) = read((0, 100_000));
    assert_eq!(usize::try_from(total).unwrap(), whole.len());
    let never = whole.iter().take_while(|s| s.last_verified_at.is_none()).count();
    assert!(
        never > 0 && never < whole.len(),
        "the demo has listings never checked and checked before: {never} of {}",
        whole.len()
    );
    let checked: Vec<_> = whole[never..].iter().map(|s| s.last_verified_at).collect();
    assert!(checked.iter().all(Option::is_some), "never checked come first");
    assert!(checked.windows(2).all(|w| w[0] <= w[1]), "then the longest ago");
    // Pages of seven, one of them spanning the end of the never checked.
    let mut paged = Vec::new();
    for offset in (0..total + 7).step_by(7) {
        let (counted, page) = read((offset, 7));
        assert_eq!(counted, total);
        paged.extend(page.into_iter().map(|s| s.id));
    }
    assert_eq!(paged, whole.iter().map(|s| s.id).collect::<Vec<_>>());
}

/// However the store reads a need's listings (from the need when it has
/// fewer than the queue's part, else asking each listing), the queue
/// narrowed to a need is the whole queue's listings that meet it.
#[actix_web::test]
async fn the_queue_narrowed_to_each_need_is_the_whole_queue_s_listings_that_meet_it() {
    use diesel::prelude::*;
    use doorstep::domain::review::ReviewFilter;
    use doorstep::store::schema::{needs, service_needs};
    let app = TestApp::with_demo();
    let mut conn = app.state.store.conn().unwrap();
    never_checked_ten(&mut conn);
    let now = chrono::Utc::now().naive_utc();
    let read = |conn: &mut doorstep::store::Conn, need: Option<String>| {
        let filter = ReviewFilter { need, ..ReviewFilter::default() };
        let (total, page) = everything(conn, &filter, now, (0, 100_000));
        assert_eq!(usize::try_from(total).unwrap(), page.len());
        page.into_iter().map(|s| s.id).collect::<Vec<_>>()
    };
    let whole = read(&mut conn, None);
    let slugs: Vec<String> = needs::table.select(needs::slug).order(needs::slug).load(&mut *conn).unwrap();
    let (mut rare, mut common) = (0, 0);
    for slug in slugs {
        let meeting: Vec<ServiceId> = service_needs::table
            .inner_join(needs::table)
            .filter(needs::slug.eq(&slug))
            .select(service_needs::service_id)
            .load(&mut *conn)
            .unwrap();
        if meeting.len() < whole.len() / 10 {
            rare += 1
        } else {
            common += 1
        }
        let expected: Vec<ServiceId> = whole.iter().filter(|id| meeting.contains(id)).copied().collect();
        assert_eq!(read(&mut conn, Some(slug.clone())), expected, "narrowed to {slug}");
    }
    assert!(rare > 0 && common > 0, "the demo's needs are met by few and by many: {rare} and {common}");
    assert!(
        read(&mut conn, Some("no-such-need".into())).is_empty(),
        "a need nobody has heard of narrows to nothing"
    );
}

/// Marks ten demo listings never checked (the test demo has none): they
/// come ahead of those checked before.
fn never_checked_ten(conn: &mut doorstep::store::Conn) {
    use diesel::prelude::*;
    use doorstep::store::schema::services as rows;
    let some: Vec<ServiceId> = rows::table.select(rows::id).order(rows::name).limit(10).load(conn).unwrap();
    diesel::update(rows::table.filter(rows::id.eq_any(&some)))
        .set(rows::last_verified_at.eq(None::<chrono::NaiveDateTime>))
        .execute(conn)
        .unwrap();
}

/// A page of the whole queue, as an administrator has it, due by `now`.
fn everything(
    conn: &mut doorstep::store::Conn,
    filter: &doorstep::domain::review::ReviewFilter,
    now: chrono::NaiveDateTime,
    pages: (i64, i64),
) -> (i64, Vec<doorstep::domain::views::ServiceSummary>) {
    use doorstep::domain::review::ReviewScope;
    doorstep::store::service_lists::review_queue(conn, &ReviewScope::Everything, filter, (now, now), pages)
        .unwrap()
}
