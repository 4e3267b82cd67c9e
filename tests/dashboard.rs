//! The dashboard's figures, checked against an example worked out by hand:
//! two neighbourhoods of 4,000 and 5,000 residents, four weeks, five contacts
//! (one outside the period).

use crate::common::{PASSWORD, TestApp};
use actix_web::http::StatusCode;
use chrono::NaiveDate;
use diesel::prelude::*;
use doorstep::domain::accounts::Role;
use doorstep::domain::ids::{NeighbourhoodId, ServiceId, UserId};
use doorstep::domain::signposting::{Channel, Outcome, Returning};
use doorstep::store::signposting::{FinishedContact, NewSignpostContact, record_finished};

fn neighbourhood(app: &TestApp, slug: &str, name: &str, population: i32) -> NeighbourhoodId {
    let id = NeighbourhoodId::new();
    let mut conn = app.state.store.conn().unwrap();
    // Plain SQL that both backends read: a neighbourhood as a build leaves it.
    diesel::sql_query(format!(
        "INSERT INTO neighbourhoods (id, slug, name, name_edited, population, small_area_count, area_km2, \
         latitude, longitude, compactness) VALUES ('{id}', '{slug}', '{name}', FALSE, {population}, 1, 1.0, \
         53.4, -2.3, 1.0)",
    ))
    .execute(&mut *conn)
    .unwrap();
    id
}

fn at(day: u32, month: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, month, day).unwrap().and_hms_opt(10, 30, 0).unwrap()
}

struct Example {
    advisor: UserId,
    lunch_club: ServiceId,
}

impl Example {
    #[expect(clippy::too_many_arguments, reason = "one line per contact reads as the example's table")]
    fn contact(
        &self,
        app: &TestApp,
        started_at: chrono::NaiveDateTime,
        hood: Option<NeighbourhoodId>,
        needs: &[&str],
        shortlisted: bool,
        escalated: bool,
        returning: Returning,
        follow_up: Option<Option<Outcome>>,
    ) {
        let mut conn = app.state.store.conn().unwrap();
        record_finished(
            &mut conn,
            &FinishedContact {
                contact: NewSignpostContact {
                    advisor: self.advisor,
                    channel: Channel::Phone,
                    returning,
                    escalated,
                    started_at,
                },
                neighbourhood: hood,
                needs: needs.iter().map(|n| n.to_string()).collect(),
                shortlisted: if shortlisted { vec![self.lunch_club] } else { vec![] },
                follow_up,
            },
        )
        .unwrap();
    }
}

#[actix_web::test]
async fn the_figures_match_an_example_worked_out_by_hand() {
    let app = TestApp::empty();
    let north = neighbourhood(&app, "north", "North", 4_000);
    let south = neighbourhood(&app, "south", "South", 5_000);
    let advisor = app.add_user("advisor@example.org", Role::Advisor, None);
    app.add_user("admin@example.org", Role::Administrator, None);
    // One borough-wide service for loneliness, so loneliness is covered
    // everywhere and debt nowhere.
    let organisation = app.add_organisation("Good Neighbours");
    let mut browser = app.browser().await;
    browser.sign_in("admin@example.org", PASSWORD).await;
    let org = organisation.to_string();
    let created = browser
        .submit(
            "/staff/services/new",
            "/staff/services",
            &[
                ("organisation", &org),
                ("name", "Lunch and Chat"),
                ("description", "A weekly lunch."),
                ("status", "active"),
                ("needs", "loneliness"),
                ("referral_route", "drop_in"),
                ("cost", "free"),
                ("delivery", "phone"),
                ("area", "borough"),
                ("reason", "New"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let lunch_club: ServiceId = created.location().trim_start_matches("/services/").parse().unwrap();
    let example = Example { advisor, lunch_club };

    // The period: Monday 6 January to Sunday 2 February 2020, 28 days.
    use Returning::{No, Yes};
    example.contact(&app, at(6, 1), Some(north), &["loneliness", "debt"], true, true, No, None);
    example.contact(
        &app,
        at(15, 1),
        Some(north),
        &["loneliness"],
        true,
        false,
        Yes,
        Some(Some(Outcome::GotHelp)),
    );
    example.contact(&app, at(20, 1), Some(south), &["debt"], false, false, No, Some(None));
    example.contact(&app, at(1, 2), None, &["loneliness"], false, false, No, None);
    // The day after the period ends: not counted.
    example.contact(&app, at(3, 2), Some(north), &["debt"], false, false, No, None);

    let csv = browser.get("/dashboard.csv?from=2020-01-06&to=2020-02-02").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    let rows: Vec<&str> = csv.body.lines().collect();
    // Whole area, 9,000 residents: 4 contacts, 5 needs asked, 3 unmet.
    // Each count n becomes n / 9,000 x 10,000 x 365 / 28:
    //   4 -> 57.94, 5 -> 72.42, 3 -> 43.45.
    assert!(rows.contains(&"whole_area,all,Whole area,9000,4,5,3,57.9,72.4,43.5"), "{rows:#?}");
    // North, 4,000 residents: 2 contacts, 3 asked, 1 unmet (debt):
    //   2 / 4,000 x 10,000 x 365 / 28 = 65.18; 3 -> 97.77; 1 -> 32.59.
    assert!(
        rows.contains(&format!("neighbourhood,{north},North,4000,2,3,1,65.2,97.8,32.6").as_str()),
        "{rows:#?}"
    );
    // South, 5,000 residents: 1 contact, 1 asked, 1 unmet: 1 / 5,000 x 10,000 x 365 / 28 = 26.07.
    assert!(rows.contains(&format!("neighbourhood,{south},South,5000,1,1,1,26.1,26.1,26.1").as_str()));
    // A contact whose postcode gave no neighbourhood is counted, without a rate.
    assert!(rows.contains(&"neighbourhood,,Not known,0,1,1,1,,,"));
    // Needs, over the whole area: loneliness asked 3 (unmet 1), debt asked 2 (unmet 2).
    //   3 -> 43.45, 1 -> 14.48, 2 -> 28.97.
    assert!(
        rows.contains(&"need,loneliness,Loneliness and isolation,9000,3,3,1,43.5,43.5,14.5"),
        "{rows:#?}"
    );
    assert!(rows.iter().any(|r| r.starts_with("need,debt,") && r.ends_with(",9000,2,2,2,29.0,29.0,29.0")));
    // Week by week, weeks starting on Monday.
    for week in [
        "week,2020-01-06,2020-01-06,,1,2,1,,,",
        "week,2020-01-13,2020-01-13,,1,1,0,,,",
        "week,2020-01-20,2020-01-20,,1,1,1,,,",
        "week,2020-01-27,2020-01-27,,1,1,1,,,",
    ] {
        assert!(rows.contains(&week), "{week} in {rows:#?}");
    }
    assert_eq!(rows.iter().filter(|r| r.starts_with("week,")).count(), 4);
    // Gaps: debt asked in North and South, where nothing meets it; loneliness is covered.
    let gaps: Vec<&&str> = rows.iter().filter(|r| r.starts_with("gap,")).collect();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(rows.iter().any(|r| r.starts_with("gap,,North: Money and debt") && r.ends_with(",1,,,,")));
    assert!(rows.iter().any(|r| r.starts_with("gap,,South: Money and debt")));
    // Follow-ups: one answered "I got help", one sent and not answered.
    assert!(rows.contains(&"follow_up,got_help,I got help,,1,,,,,"));
    assert!(rows.contains(&"follow_up,could_not_get_through,I could not get through,,0,,,,,"));

    // The page shows the same figures, with charts and tables.
    let page = browser.get("/dashboard?from=2020-01-06&to=2020-02-02").await;
    assert_eq!(page.status, StatusCode::OK);
    for figure in ["<dd>4</dd>", "<dd>57.9</dd>", "<dd>5</dd>", "<dd>3</dd>", "97.8", "26.1", "14.5"] {
        assert!(page.body.contains(figure), "the page shows {figure}");
    }
    assert_eq!(page.body.matches("<svg").count(), 3, "three charts: weeks, neighbourhoods, needs");
    assert!(page.body.contains("role=\"img\""));
    assert!(page.body.contains("2 agreed, 2 sent"));
    assert!(page.body.contains("<td>North</td><td>Money and debt</td>"));

    // A bad period is explained, not a failure.
    for (query, field) in [
        ("from=yesterday&to=2020-02-02", "from"),
        ("from=2020-02-02&to=2020-01-06", "to"),
        ("from=2010-01-01&to=2020-01-01", "from"),
    ] {
        let page = browser.get(&format!("/dashboard?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(&format!("href=\"#{field}\"")), "{query}");
        assert_eq!(browser.get(&format!("/dashboard.csv?{query}")).await.status, StatusCode::BAD_REQUEST);
    }
}

#[actix_web::test]
async fn the_demo_has_months_of_contacts_to_show() {
    let app = TestApp::with_demo();
    let mut browser = app.browser().await;
    browser.sign_in("advisor@kingsmere.example.org", PASSWORD).await;
    let page = browser.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    let weeks = page.body.matches("Week of").count();
    assert!(weeks >= 13, "the default period is 13 weeks: {weeks}");
    let csv = browser.get("/dashboard.csv").await.body;
    let weekly: Vec<u64> = csv
        .lines()
        .filter(|r| r.starts_with("week,"))
        .map(|r| r.split(',').nth(4).unwrap().parse().unwrap())
        .collect();
    assert!(weekly.iter().filter(|&&n| n > 0).count() >= 12, "contacts nearly every week: {weekly:?}");
    assert!(csv.lines().any(|r| r.starts_with("gap,")), "the demo has gaps to show");
    assert!(csv.lines().any(|r| r.starts_with("follow_up,got_help,") && !r.contains(",0,")));
}
