//! A network follows activity from elsewhere, served over real HTTP on
//! loopback: a blog's RSS, a residents' Atom feed, a church's calendar with
//! a weekly event and its exceptions, and a Discourse category. What they
//! hold appears in the network's pages marked with its source, its HTML made
//! safe; a change there changes it here, an item taken away there goes here,
//! the same post from two sources is shown once, and a reading that finds
//! nothing changed is a 304. Every kind of bad answer marks the source
//! failing with the reason and keeps what was read before.

use std::sync::{Arc, Mutex};

use crate::common::feed_server::{FeedServer, Reply};
use crate::common::{PASSWORD, TestApp, central_postcode};
use actix_web::http::StatusCode;
use chrono::{Datelike, Duration, Utc, Weekday};

const ADMIN: &str = "admin@kingsmere.example.org";

/// What the test's server holds at each path, which a test may change.
type Served = Arc<Mutex<std::collections::HashMap<String, (u32, &'static str, Vec<u8>)>>>;

fn serve(served: Served) -> FeedServer {
    FeedServer::start(move |path| {
        let held = served.lock().unwrap();
        match held.get(path) {
            // An ETag for each version of the RSS feed, to be asked about.
            Some((version, "application/rss+xml", body)) => {
                Reply::Tagged(format!("\"v{version}\""), String::from_utf8(body.clone()).unwrap())
            }
            Some((_, kind, body)) => Reply::Body(200, kind, body.clone()),
            None => Reply::Json(404, String::from("{}")),
        }
    })
}

/// Takes steps of the `sources` job until no source is due, then one of the
/// `activity` job, on a thread of their own as the runner does.
fn read_sources(app: &TestApp, sources: usize) {
    let state = app.state.clone();
    std::thread::spawn(move || {
        let mut jobs = doorstep::jobs::background(&state);
        for _ in 0..sources {
            jobs.run_once("sources").unwrap();
        }
        jobs.run_once("activity").unwrap();
    })
    .join()
    .unwrap();
}

fn rss(items: &[(&str, &str, &str, i64)]) -> Vec<u8> {
    let now = Utc::now();
    let items: String = items
        .iter()
        .map(|(guid, title, body, days_ago)| {
            let date = (now - Duration::days(*days_ago)).to_rfc2822();
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>https://stmarys.example/{guid}</link>\
                 <pubDate>{date}</pubDate><description><![CDATA[{body}]]></description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>St Mary's</title>{items}</channel></rss>"
    )
    .into_bytes()
}

/// The demo network the tests follow sources in: a neighbourhood's.
fn a_network(app: &TestApp) -> String {
    let mut conn = app.state.store.conn().unwrap();
    let all = doorstep::store::networks::all(&mut conn).unwrap();
    all.into_iter().find(|n| n.neighbourhood.is_some()).unwrap().slug
}

/// The next three Wednesdays after today.
fn coming_wednesdays() -> Vec<chrono::NaiveDate> {
    let mut day = Utc::now().date_naive() + Duration::days(1);
    let mut found = Vec::new();
    while found.len() < 3 {
        if day.weekday() == Weekday::Wed {
            found.push(day);
        }
        day = day.succ_opt().unwrap();
    }
    found
}

/// A Wednesday some weeks before now, at 10am in London, as iCalendar writes it.
fn a_wednesday_before() -> String {
    let mut day = (Utc::now() - Duration::weeks(3)).date_naive();
    while day.weekday() != Weekday::Wed {
        day = day.succ_opt().unwrap();
    }
    day.format("%Y%m%dT100000").to_string()
}

#[actix_web::test]
async fn a_network_follows_a_blog_a_feed_a_calendar_and_a_forum_and_shows_what_they_hold() {
    let app = TestApp::with_demo();
    let slug = a_network(&app);
    let served: Served = Arc::default();
    let blog = rss(&[
        (
            "soup",
            "Soup and a chat",
            "<p>Every <strong>Friday</strong>.</p><script>alert(1)</script><img src=\"https://t.example/p.gif\">",
            1,
        ),
        ("choir", "Choir practice", "<p>All welcome.</p>", 3),
        ("fair", "Christmas fair", "<p>Stalls wanted.</p>", 10),
    ]);
    let start = a_wednesday_before();
    let postcode = central_postcode(&app);
    // Weekly, less the second coming Wednesday, with the third moved to the afternoon.
    let [first, taken_out, moved] = coming_wednesdays()[..] else { unreachable!() };
    let ics = |d: chrono::NaiveDate, hour: u32| {
        d.and_hms_opt(hour, 0, 0).unwrap().format("%Y%m%dT%H%M%S").to_string()
    };
    let calendar = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//St Mary's//EN\r\nBEGIN:VEVENT\r\nUID:coffee@stmarys\r\n\
         SUMMARY:Coffee morning at St Mary's\r\nDESCRIPTION:Tea\\, coffee and cake.\r\n\
         LOCATION:St Mary's Hall\\, {postcode}\r\nURL:https://stmarys.example/coffee\r\n\
         DTSTART;TZID=Europe/London:{start}\r\nDURATION:PT2H\r\nRRULE:FREQ=WEEKLY\r\n\
         EXDATE;TZID=Europe/London:{}\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:coffee@stmarys\r\nRECURRENCE-ID;TZID=Europe/London:{}\r\n\
         SUMMARY:Coffee morning at St Mary's\r\nLOCATION:St Mary's Hall\\, {postcode}\r\n\
         DTSTART;TZID=Europe/London:{}\r\nDURATION:PT2H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        ics(taken_out, 10),
        ics(moved, 10),
        ics(moved, 14),
    );
    // Another calendar with the same event on the first Wednesday.
    let together = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Churches Together//EN\r\nBEGIN:VEVENT\r\nUID:ct-77@together\r\n\
         SUMMARY:Coffee morning at St Mary's\r\nLOCATION:St Mary's Hall\\, {postcode}\r\n\
         DTSTART;TZID=Europe/London:{}\r\nDTEND;TZID=Europe/London:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        ics(first, 10),
        ics(first, 12),
    );
    let forum = r#"{"users":[],"topic_list":{"topics":[{"id":7,"title":"Lift share to Wythenshawe hospital","slug":"lift-share","created_at":"2026-11-30T10:00:00.000Z","bumped_at":"2026-12-01T10:00:00.000Z","visible":true}]}}"#;
    let topic = r#"{"post_stream":{"posts":[{"post_number":1,"cooked":"<p>Anyone driving on <em>Tuesdays</em>?</p>"}]}}"#;
    let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Residents</title><id>urn:r</id><updated>2026-12-01T10:00:00Z</updated>
<entry><title>Soup and a chat (shared)</title><id>urn:r:1</id><link href="https://stmarys.example/soup"/><updated>2026-12-01T10:00:00Z</updated><content type="html">&lt;p&gt;Shared.&lt;/p&gt;</content></entry></feed>"#;
    {
        let mut held = served.lock().unwrap();
        held.insert(String::from("/blog.rss"), (1, "application/rss+xml", blog));
        held.insert(String::from("/calendar.ics"), (1, "text/calendar", calendar.into_bytes()));
        held.insert(String::from("/together.ics"), (1, "text/calendar", together.into_bytes()));
        held.insert(String::from("/c/kingsmere/5.json"), (1, "application/json", forum.as_bytes().to_vec()));
        held.insert(String::from("/t/7.json"), (1, "application/json", topic.as_bytes().to_vec()));
        held.insert(String::from("/residents.atom"), (1, "application/atom+xml", atom.as_bytes().to_vec()));
    }
    let server = serve(served.clone());

    let mut admin = app.browser().await;
    admin.sign_in(ADMIN, PASSWORD).await;
    let here = format!("/staff/networks/{slug}/sources");
    let page = admin.get(&here).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("This network follows no sources yet."), "{}", page.body);
    let token = page.csrf_token();

    // A form with problems comes back with what was typed.
    let wrong = admin
        .post(
            &here,
            &[("csrf_token", &token), ("kind", "feed"), ("name", "St Mary's"), ("url", "stmarys blog")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("is not a web address Doorstep can read"), "{}", wrong.body);
    assert!(wrong.body.contains(r#"value="St Mary&#39;s""#) || wrong.body.contains(r#"value="St Mary's""#));

    let follow = |kind: &'static str, name: &'static str, path: &'static str| {
        let url = format!("{}{path}", server.url);
        (kind, name, url)
    };
    let sources = [
        follow("feed", "St Mary's blog", "/blog.rss"),
        follow("calendar", "St Mary's calendar", "/calendar.ics"),
        follow("discourse", "Kingsmere forum", "/c/kingsmere/5"),
        follow("feed", "Residents' news", "/residents.atom"),
        follow("calendar", "Churches Together", "/together.ics"),
    ];
    let mut ids = Vec::new();
    for (kind, name, url) in &sources {
        let followed =
            admin.post(&here, &[("csrf_token", &token), ("kind", kind), ("name", name), ("url", url)]).await;
        assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.body);
        ids.push(followed.location().to_string());
    }
    let twice = admin
        .post(&here, &[("csrf_token", &token), ("kind", "feed"), ("name", "Again"), ("url", &sources[0].2)])
        .await;
    assert!(twice.body.contains("This network follows that source already"), "{}", twice.body);
    assert!(admin.get(&ids[0]).await.body.contains("Not yet"));

    read_sources(&app, 5);
    let status = admin.get(&ids[0]).await;
    assert!(!status.body.contains("This source is failing"), "{}", status.body);
    assert!(status.body.contains("<dt>Items held here</dt><dd>3</dd>"), "{}", status.body);

    // In the network's pages, marked with where each came from.
    let network = admin.get(&format!("/networks/{slug}")).await;
    for shown in ["Soup and a chat", "Choir practice", "Christmas fair", "Lift share to Wythenshawe hospital"]
    {
        assert!(network.body.contains(shown), "{shown} in {}", network.body);
    }
    assert!(network.body.contains("Coffee morning at St Mary"), "{}", network.body);
    assert!(
        network.body.contains(
            r#"From <a href="https://stmarys.example/soup" rel="nofollow ugc">St Mary&#39;s blog</a>"#
        ) || network
            .body
            .contains(r#"From <a href="https://stmarys.example/soup" rel="nofollow ugc">St Mary's blog</a>"#),
        "{}",
        network.body
    );
    // The same post from the residents' feed is the one thread.
    assert!(!network.body.contains("Soup and a chat (shared)"), "{}", network.body);
    assert_eq!(network.body.matches("https://stmarys.example/soup").count(), 1, "{}", network.body);

    // Its HTML went through the posts' sanitiser.
    let before_title = &network.body[..network.body.find(">Soup and a chat<").unwrap()];
    let thread =
        before_title.rsplit("href=\"/threads/").next().unwrap().split('"').next().unwrap().to_string();
    let soup = admin.get(&format!("/threads/{thread}")).await;
    assert!(soup.body.contains("<h1>Soup and a chat</h1>"), "{}", soup.body);
    assert!(soup.body.contains("<strong>Friday</strong>"), "{}", soup.body);
    assert!(!soup.body.contains("alert(1)") && !soup.body.contains("t.example/p.gif"), "{}", soup.body);
    assert!(soup.body.contains("read it there"), "{}", soup.body);
    let forum_thread = admin.get(&format!("/networks/{slug}")).await;
    assert!(
        forum_thread.body.contains("Anyone driving on"),
        "the topic's opening post: {}",
        forum_thread.body
    );

    // Found in search like members' own: the blog's post by its words, the
    // calendar's event near the postcode in its location.
    let found = admin.get("/search?q=choir").await;
    assert!(
        found.body.contains("From the neighbourhood network") && found.body.contains("Choir practice"),
        "{}",
        found.body
    );
    let near = admin.get(&format!("/search?q=coffee+morning&postcode={}", postcode.replace(' ', "+"))).await;
    assert!(near.body.contains("Coffee morning at St Mary"), "{}", near.body);
    assert!(near.body.contains("Under 100 m away"), "placed by the postcode in its location: {}", near.body);

    // The weekly event is each coming Wednesday, in the events list.
    // Each coming Wednesday, in the events list, less the one taken out,
    // with the one moved at its new time, and the same event from the other
    // calendar shown once.
    let events = admin.get(&format!("/networks/{slug}/events")).await;
    let coffee = events.body.matches("Coffee morning at St Mary").count();
    assert!((6..=8).contains(&coffee), "eight weeks of Wednesdays less one, got {coffee}: {}", events.body);
    let day = |d: chrono::NaiveDate| d.format("%A %-d %B %Y").to_string();
    assert_eq!(
        events.body.matches(&format!("{}, 10am to 12 noon", day(first))).count(),
        1,
        "{}",
        events.body
    );
    assert!(!events.body.contains(&day(taken_out)), "{}", events.body);
    assert!(events.body.contains(&format!("{}, 2pm to 4pm", day(moved))), "{}", events.body);
    let ours = events.body.find(">Coffee morning at St Mary").unwrap();
    let event =
        events.body[..ours].rsplit("href=\"/events/").next().unwrap().split('"').next().unwrap().to_string();
    let page = admin.get(&format!("/events/{event}")).await;
    assert!(
        page.body.contains("Not said: ask the organisers"),
        "a calendar does not say what it costs: {}",
        page.body
    );

    // Changed there, changed here; taken away there, gone here; nothing
    // changed is a 304.
    let before = server.not_modified();
    let token = admin.get(&ids[0]).await.csrf_token();
    admin.post(&format!("{}/read", ids[0]), &[("csrf_token", &token)]).await;
    read_sources(&app, 1);
    assert_eq!(server.not_modified(), before + 1, "asked with its ETag and told nothing changed");
    served.lock().unwrap().insert(
        String::from("/blog.rss"),
        (
            2,
            "application/rss+xml",
            rss(&[
                ("soup", "Soup and a chat, now Saturdays", "<p>Saturdays.</p>", 1),
                ("fair", "Christmas fair", "<p>Stalls wanted.</p>", 10),
            ]),
        ),
    );
    admin.post(&format!("{}/read", ids[0]), &[("csrf_token", &token)]).await;
    read_sources(&app, 1);
    let network = admin.get(&format!("/networks/{slug}")).await;
    assert!(network.body.contains("Soup and a chat, now Saturdays"), "{}", network.body);
    assert!(!network.body.contains("Choir practice"), "taken away at the source: {}", network.body);
    assert!(network.body.contains("Christmas fair"));

    // A forum's topic no longer listed stays while the forum still has it
    // (it may be on the list's next page), and goes once the forum says it
    // is not there.
    let busier = r#"{"topic_list":{"topics":[{"id":8,"title":"Repair cafe needs volunteers","slug":"repair","created_at":"2026-12-02T10:00:00.000Z","bumped_at":"2026-12-02T10:00:00.000Z"}]}}"#;
    let repair =
        r#"{"post_stream":{"posts":[{"post_number":1,"cooked":"<p>See <a href=\"/u/sam\">Sam</a>.</p>"}]}}"#;
    {
        let mut held = served.lock().unwrap();
        held.insert(String::from("/c/kingsmere/5.json"), (2, "application/json", busier.as_bytes().to_vec()));
        held.insert(String::from("/t/8.json"), (1, "application/json", repair.as_bytes().to_vec()));
    }
    admin.post(&format!("{}/read", ids[2]), &[("csrf_token", &token)]).await;
    read_sources(&app, 1);
    let network = admin.get(&format!("/networks/{slug}")).await;
    assert!(network.body.contains("Repair cafe needs volunteers"), "{}", network.body);
    assert!(
        network.body.contains("Lift share to Wythenshawe hospital"),
        "still on the forum: {}",
        network.body
    );
    served.lock().unwrap().remove("/t/7.json");
    admin.post(&format!("{}/read", ids[2]), &[("csrf_token", &token)]).await;
    read_sources(&app, 1);
    let network = admin.get(&format!("/networks/{slug}")).await;
    assert!(
        !network.body.contains("Lift share to Wythenshawe hospital"),
        "gone from the forum: {}",
        network.body
    );
    // Its links are the forum's, not this site's.
    let before_title = &network.body[..network.body.find(">Repair cafe needs volunteers<").unwrap()];
    let thread =
        before_title.rsplit("href=\"/threads/").next().unwrap().split('"').next().unwrap().to_string();
    let repair_page = admin.get(&format!("/threads/{thread}")).await;
    assert!(repair_page.body.contains(&format!("href=\"{}/u/sam\"", server.url)), "{}", repair_page.body);

    // Stopping a source takes away what only it brought.
    let stopped = admin.post(&format!("{}/stop", ids[2]), &[("csrf_token", &token)]).await;
    assert_eq!(stopped.location(), here);
    read_sources(&app, 0);
    let network = admin.get(&format!("/networks/{slug}")).await;
    assert!(!network.body.contains("Repair cafe needs volunteers"), "{}", network.body);
}

#[actix_web::test]
async fn a_source_that_answers_badly_is_marked_failing_and_keeps_what_it_held() {
    use std::io::Write;
    let app = TestApp::with_demo_and(|config| config.feed_timeout_seconds = 1);
    let slug = a_network(&app);
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![b' '; 60 * 1024 * 1024]).unwrap();
    let bomb = bomb.finish().unwrap();
    let good = rss(&[("kept", "Kept from before", "<p>Still here.</p>", 1)]);
    let state = Arc::new(Mutex::new(true));
    let healthy = state.clone();
    let server = FeedServer::start(move |path| {
        match path {
        "/turns-bad.rss" if *healthy.lock().unwrap() => Reply::Body(200, "application/rss+xml", good.clone()),
        "/turns-bad.rss" => Reply::Body(200, "application/rss+xml", b"<rss><channel><item><title>Bro".to_vec()),
        "/page.rss" => Reply::Body(200, "text/html", b"<!DOCTYPE html><html><body>Our news</body></html>".to_vec()),
        "/huge.rss" => Reply::Body(200, "application/rss+xml", vec![b' '; 100 * 1024 * 1024]),
        "/bomb.rss" => Reply::Gzipped(bomb.clone()),
        "/slow.rss" => Reply::Trickle(String::from_utf8(rss(&[("a", "Slow", "<p>x</p>", 1)])).unwrap(), std::time::Duration::from_millis(200)),
        "/loop.rss" => Reply::Redirect(String::from("/loop.rss")),
        "/endless.ics" => Reply::Body(200, "text/calendar", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Every second\r\nDTSTART:20261201T100000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".to_vec()),
        "/mars.ics" => Reply::Body(200, "text/calendar", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Far\r\nDTSTART;TZID=Mars/Olympus_Mons:20261210T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".to_vec()),
        "/c/wrong.json" => Reply::Json(200, String::from(r#"{"topics":[{"id":"seven"}]}"#)),
        _ => Reply::Json(404, String::from("{}")),
    }
    });
    let mut admin = app.browser().await;
    admin.sign_in(ADMIN, PASSWORD).await;
    let here = format!("/staff/networks/{slug}/sources");
    let token = admin.get(&here).await.csrf_token();
    let bad = [
        ("feed", "/turns-bad.rss", "it is not an RSS or Atom feed"),
        ("feed", "/page.rss", "it is not an RSS or Atom feed"),
        ("feed", "/huge.rss", "sent more than 10 MB"),
        ("feed", "/bomb.rss", "sent more than 10 MB"),
        ("feed", "/slow.rss", "took longer than 1 seconds"),
        ("feed", "/loop.rss", "redirected more than five times"),
        ("calendar", "/endless.ics", "happens more than 120 times"),
        ("calendar", "/mars.ics", "it uses a time zone Doorstep does not know (Mars/Olympus_Mons)"),
        ("discourse", "/c/wrong", "it is not a Discourse category or tag"),
    ];
    let mut pages = Vec::new();
    for (n, (kind, path, _)) in bad.iter().enumerate() {
        let url = format!("{}{path}", server.url);
        let name = format!("Source {n}");
        let followed = admin
            .post(&here, &[("csrf_token", &token), ("kind", kind), ("name", &name), ("url", &url)])
            .await;
        assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.body);
        pages.push(followed.location().to_string());
    }
    read_sources(&app, bad.len());
    assert!(admin.get(&format!("/networks/{slug}")).await.body.contains("Kept from before"));
    *state.lock().unwrap() = false;
    let token = admin.get(&pages[0]).await.csrf_token();
    admin.post(&format!("{}/read", pages[0]), &[("csrf_token", &token)]).await;
    read_sources(&app, 1);

    for ((_, path, reason), page) in bad.iter().zip(&pages) {
        let status = admin.get(page).await;
        assert_eq!(status.status, StatusCode::OK);
        if *path == "/turns-bad.rss" || status.body.contains("This source is failing") {
            let shown = status.body.replace("&#39;", "'");
            assert!(shown.contains(reason), "{path}: {reason} in {}", status.body);
        } else {
            panic!("{path} is not marked failing: {}", status.body);
        }
    }
    let first = admin.get(&pages[0]).await;
    assert!(first.body.contains("This source is failing"), "{}", first.body);
    assert!(first.body.contains("<dt>Items held here</dt><dd>1</dd>"), "{}", first.body);
    assert!(
        admin.get(&format!("/networks/{slug}")).await.body.contains("Kept from before"),
        "nothing read before is lost"
    );
}

#[actix_web::test]
async fn a_source_on_a_private_address_is_refused_unless_configuration_allows_it() {
    let app = TestApp::with_demo_and(|config| config.fetch_private_addresses = false);
    let slug = a_network(&app);
    let mut admin = app.browser().await;
    admin.sign_in(ADMIN, PASSWORD).await;
    let here = format!("/staff/networks/{slug}/sources");
    let token = admin.get(&here).await.csrf_token();
    for url in [
        "http://127.0.0.1:8080/feed",
        "http://localhost/feed",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
    ] {
        let refused = admin
            .post(&here, &[("csrf_token", &token), ("kind", "feed"), ("name", "Inside"), ("url", url)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(refused.body.contains("is on a private network"), "{url}: {}", refused.body);
    }
}

#[actix_web::test]
async fn only_those_who_moderate_a_network_see_its_sources() {
    let app = TestApp::with_demo();
    let slug = a_network(&app);
    let mut advisor = app.browser().await;
    advisor.sign_in("advisor@kingsmere.example.org", PASSWORD).await;
    assert_eq!(advisor.get(&format!("/staff/networks/{slug}/sources")).await.status, StatusCode::FORBIDDEN);
    let mut visitor = app.browser().await;
    assert_eq!(visitor.get(&format!("/staff/networks/{slug}/sources")).await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_calendars_event_for_carers_is_in_the_advisors_workspace_near_the_caller() {
    let app = TestApp::with_demo();
    let slug = a_network(&app);
    let postcode = central_postcode(&app);
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive().format("%Y%m%d");
    let calendar = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Carers Centre//EN\r\nBEGIN:VEVENT\r\nUID:cuppa@carers\r\n\
         SUMMARY:Carers' coffee morning\r\nDESCRIPTION:For unpaid carers: a break and a chat.\r\n\
         LOCATION:Greyholme Community Centre\\, {postcode}\r\nDTSTART;TZID=Europe/London:{tomorrow}T100000\r\n\
         DTEND;TZID=Europe/London:{tomorrow}T120000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let server = FeedServer::start(move |_| Reply::Body(200, "text/calendar", calendar.clone().into_bytes()));
    {
        let mut conn = app.state.store.conn().unwrap();
        let network = doorstep::store::networks::by_slug(&mut conn, &slug).unwrap().id;
        let admin = doorstep::store::users::find_by_email(&mut conn, ADMIN).unwrap().unwrap().0.id;
        let new = doorstep::domain::sources::NewSource {
            kind: doorstep::domain::sources::SourceKind::Calendar,
            name: String::from("Carers Centre"),
            url: format!("{}/calendar.ics", server.url),
        };
        let id = doorstep::domain::ids::SourceId::new();
        doorstep::store::sources::follow(&mut conn, (id, network), &new, admin, Utc::now().naive_utc())
            .unwrap();
    }
    read_sources(&app, 1);

    let mut advisor = app.browser().await;
    advisor.sign_in("advisor@kingsmere.example.org", PASSWORD).await;
    let started =
        advisor.submit("/signpost", "/signpost/contacts", &[("risk", "no"), ("channel", "phone")]).await;
    let contact = started.location().to_string();
    let near = postcode.replace(' ', "+");
    let workspace = advisor.get(&format!("{contact}?postcode={near}&need=carers-support")).await;
    assert_eq!(workspace.status, StatusCode::OK);
    let shown = workspace.body.replace("&#39;", "'");
    assert!(
        shown.contains("Events coming up that meet their needs") && shown.contains("Carers' coffee morning"),
        "{shown}"
    );
    let other = advisor.get(&format!("{contact}?postcode={near}&need=debt")).await;
    assert!(!other.body.replace("&#39;", "'").contains("Carers' coffee morning"));
}
