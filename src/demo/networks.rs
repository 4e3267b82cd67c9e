//! The demo's neighbourhood networks: residents and staff talking in the
//! first neighbourhoods' networks and in a carers' network, with replies,
//! over the weeks before the demo was seeded, naming services of the demo.

use chrono::{Days, Duration, NaiveDateTime, NaiveTime};

use super::Demo;
use crate::domain::accounts::{Role, StaffUser};
use crate::domain::events::{EventPlace, NewEvent, Repeat, span};
use crate::domain::ids::{MemberId, NetworkId, ServiceId};
use crate::domain::moderation::ReportReason;
use crate::domain::networks::{NewNetwork, NewThread};
use crate::store::{
    Conn, StoreResult, events, members, moderation, networks, notices, notifications, speakers, threads,
};

/// The residents who take part, and their addresses (invented).
const RESIDENTS: &[(&str, &str)] = &[
    ("Maureen", "maureen@residents.example.org"),
    ("Dev P", "dev@residents.example.org"),
    ("Friends of Brook Park", "friends-of-brook-park@residents.example.org"),
    ("Kath (carer)", "kath@residents.example.org"),
    ("Tomasz", "tomasz@residents.example.org"),
];

/// A conversation: its title, the opening post (by a resident, by number,
/// or by staff as `None`), the need whose first service it names, and the
/// replies (who, what), some days ago.
struct Conversation {
    title: &'static str,
    by: Option<usize>,
    opening: &'static str,
    names_need: Option<&'static str>,
    replies: &'static [(Option<usize>, &'static str)],
    days_ago: i64,
}

const NEIGHBOURHOOD_TALK: &[Conversation] = &[
    Conversation {
        title: "Is anyone else finding the evenings long since the clocks went back?",
        by: Some(0),
        opening: "I live on my own since my husband passed and the dark evenings are hard.\n\nIs there anything on in the week, **not** just Sundays?",
        names_need: Some("loneliness"),
        replies: &[
            (Some(1), "My mum goes to the lunch club and loves it. They do a quiz on Thursdays."),
            (
                None,
                "Hello Maureen. There are a few groups near you in the week; the one linked above meets in the afternoons and you can just turn up. You can also call the front door and we will talk it through.",
            ),
            (Some(0), "Thank you both, I'll try Thursday."),
        ],
        days_ago: 9,
    },
    Conversation {
        title: "Litter pick in the park, Saturday morning",
        by: Some(2),
        opening: "We're meeting at the park gates at 10. Gloves and bags provided, bring a flask!\n\n- All ages welcome\n- Step-free route round the lake",
        names_need: None,
        replies: &[(Some(4), "Count me in, I'll bring my two."), (Some(2), "Brilliant, see you there.")],
        days_ago: 4,
    },
    Conversation {
        title: "Help with energy bills: where do I start?",
        by: Some(4),
        opening: "Our direct debit has nearly doubled. Who can look at it with us? English is my second language.",
        names_need: Some("debt"),
        replies: &[(
            None,
            "The advice service linked above can check your bills and benefits with you, and can book an interpreter. Say which language when you call.",
        )],
        days_ago: 2,
    },
];

const CARERS_TALK: &[Conversation] = &[Conversation {
    title: "Respite over Christmas: what has worked for you?",
    by: Some(3),
    opening: "I care for my dad who has dementia. Last Christmas I didn't get a single hour to myself. What did other carers use?",
    names_need: Some("carers"),
    replies: &[
        (
            Some(0),
            "The carers' group linked above found me a sitter for two afternoons. Ask early, places go.",
        ),
        (
            None,
            "Thank you for asking this, Kath. A carer's assessment can also open up respite: ask the front door for one.",
        ),
    ],
    days_ago: 6,
}];

/// Writes the demo's members, its carers' network and its conversations.
pub fn seed(conn: &mut Conn, demo: &Demo, now: NaiveDateTime) -> StoreResult<()> {
    let Some(connector) = demo.users.iter().find(|u| u.role == Role::Connector) else { return Ok(()) };
    let staff = StaffUser {
        id: connector.id,
        email: connector.email.clone(),
        name: connector.name.clone(),
        role: connector.role,
        organisation: None,
        neighbourhoods: Vec::new(),
    };
    let staff = members::for_staff(conn, &staff, now - Duration::days(30))?.id;
    let mut residents = Vec::new();
    for (name, email) in RESIDENTS {
        let resident = members::add_confirmed(conn, email, name, now - Duration::days(40))?;
        members::trust(conn, resident, now - Duration::days(39))?;
        residents.push(resident);
    }
    // Friends of Brook Park speaks for the first organisation, agreed by the
    // connector; Tomasz has asked to speak for the second, and waits.
    if let [first, second, ..] = demo.organisations.as_slice() {
        speakers::ask(conn, residents[1], first.id, now - Duration::days(35))?;
        let agreed = speakers::listed(conn, Some(first.id))?;
        if let Some(ask) = agreed.first() {
            speakers::decide(conn, &ask.id, true, connector.id, now - Duration::days(34))?;
        }
        speakers::ask(conn, residents[3], second.id, now - Duration::days(2))?;
    }
    let hoods: Vec<NetworkId> = networks::all(conn)?
        .into_iter()
        .filter(|n| n.neighbourhood.is_some())
        .take(3)
        .map(|n| n.id)
        .collect();
    for (n, network) in hoods.iter().enumerate() {
        for (talk, conversation) in NEIGHBOURHOOD_TALK.iter().enumerate() {
            if (n + talk) % 3 != 2 {
                write(
                    conn,
                    demo,
                    *network,
                    conversation,
                    (&residents, staff),
                    now - Duration::hours(n as i64 * 5),
                )?;
            }
        }
        for &member in &residents[..2 + n] {
            networks::follow(conn, member, *network, now - Duration::days(20))?;
        }
    }
    let carers = NewNetwork {
        name: format!("Carers in {}", demo.borough),
        about: String::from("For unpaid carers of any age: share what helps, ask anything, find a break."),
    };
    let slug = networks::create(conn, &carers, connector.id, now - Duration::days(35))?;
    let carers = networks::by_slug(conn, &slug)?.id;
    for conversation in CARERS_TALK {
        write(conn, demo, carers, conversation, (&residents, staff), now)?;
    }
    networks::follow(conn, residents[3], carers, now - Duration::days(30))?;
    for (n, network) in hoods.iter().chain([&carers]).enumerate() {
        let event = &EVENTS[n % EVENTS.len()];
        add_event(conn, *network, residents[n % residents.len()], event, now)?;
    }
    waiting_for_a_moderator(conn, hoods[0], &residents, now)?;
    notices_from_the_editor(conn, demo, now)?;
    // Its conversations are history: nobody is emailed about them.
    notifications::forget_waiting(conn, now)
}

/// Notices from the demo's organisation editor on their services.
fn notices_from_the_editor(conn: &mut Conn, demo: &Demo, now: NaiveDateTime) -> StoreResult<()> {
    let Some(editor) = demo.users.iter().find(|u| u.role == Role::OrganisationEditor) else { return Ok(()) };
    let staff = StaffUser {
        id: editor.id,
        email: editor.email.clone(),
        name: editor.name.clone(),
        role: editor.role,
        organisation: editor.organisation,
        neighbourhoods: Vec::new(),
    };
    let member = members::for_staff(conn, &staff, now - Duration::days(10))?.id;
    let theirs = demo.services.iter().filter(|s| Some(s.details.organisation) == editor.organisation);
    let said = [
        "No session on the 24th or 31st: back on Tuesday 6 January.",
        "New volunteers very welcome: ask at the desk.",
    ];
    for (service, (text, days)) in theirs.zip(said.iter().zip([3, 8])) {
        notices::insert(conn, service.id, member, (text, None), now - Duration::days(days))?;
    }
    Ok(())
}

/// Something for the demo's moderators: a new member's first post, held,
/// and a reply reported as spam.
fn waiting_for_a_moderator(
    conn: &mut Conn,
    network: NetworkId,
    residents: &[MemberId],
    now: NaiveDateTime,
) -> StoreResult<()> {
    let newcomer = members::add_confirmed(conn, "jay@residents.example.org", "Jay", now - Duration::days(1))?;
    let first = NewThread {
        title: String::from("Hello from a new neighbour"),
        body: String::from("We just moved in. Is there a toddler group near the park?"),
        needs: Vec::new(),
        services: Vec::new(),
        organisations: Vec::new(),
    };
    threads::start(conn, network, newcomer, (&first, true), now - Duration::hours(20))?;
    let thread = threads::of_network(conn, network, 1)?.first().map(|t| t.id);
    if let Some(thread) = thread {
        let spammer = members::add_confirmed(
            conn,
            "quick-cash@spam.example.org",
            "Quick Cash",
            now - Duration::days(2),
        )?;
        let spam = threads::reply(
            conn,
            thread,
            spammer,
            ("Cheap loans, no questions asked! Call now.", false),
            now - Duration::hours(6),
        )?;
        moderation::report(
            conn,
            spam,
            residents[0],
            (ReportReason::Spam, "Loan sharks"),
            now - Duration::hours(5),
        )?;
    }
    Ok(())
}

/// An event of the demo: its title, what it is, in how many days it
/// starts, its times, how it repeats (for eight weeks), and what it costs.
struct DemoEvent {
    title: &'static str,
    description: &'static str,
    in_days: u64,
    hours: (u32, u32),
    repeat: Option<Repeat>,
    cost: Option<&'static str>,
}

const EVENTS: &[DemoEvent] = &[
    DemoEvent {
        title: "Coffee morning",
        description: "Tea, coffee and cake, and a friendly face. Just turn up.",
        in_days: 2,
        hours: (10, 12),
        repeat: Some(Repeat::Weekly),
        cost: None,
    },
    DemoEvent {
        title: "Repair café",
        description: "Bring a broken lamp, toaster or jumper: volunteers mend it with you.",
        in_days: 9,
        hours: (13, 16),
        repeat: Some(Repeat::Fortnightly),
        cost: Some("Donations welcome"),
    },
    DemoEvent {
        title: "Winter warm space and soup",
        description: "A warm room, hot soup and company on the coldest days.",
        in_days: 20,
        hours: (11, 15),
        repeat: None,
        cost: None,
    },
    DemoEvent {
        title: "Carers' afternoon tea",
        description: "An hour for yourself with other carers. Sitters can be arranged: ask when you book.",
        in_days: 5,
        hours: (14, 16),
        repeat: Some(Repeat::Monthly),
        cost: None,
    },
];

/// Adds one of the demo's events at the first public venue of the
/// network's neighbourhood (or any, for a place-based network).
fn add_event(
    conn: &mut Conn,
    network: NetworkId,
    author: MemberId,
    event: &DemoEvent,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let hood = networks::all(conn)?.into_iter().find(|n| n.id == network).and_then(|n| n.neighbourhood_id);
    let Some((venue, _)) = events::venues_offered(conn, hood)?.into_iter().next() else { return Ok(()) };
    let date = now.date().checked_add_days(Days::new(event.in_days)).unwrap_or(now.date());
    let time = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
    let new = NewEvent {
        title: event.title.to_string(),
        description: event.description.to_string(),
        starts: date.and_time(time(event.hours.0)),
        ends: date.and_time(time(event.hours.1)),
        repeat: event.repeat.map(|r| (r, date.checked_add_days(Days::new(56)).unwrap_or(date))),
        place: EventPlace::Venue(venue),
        free: event.cost.is_none(),
        cost: event.cost.map(str::to_string),
        access: Some(String::from("Step-free entrance")),
        who_for: Some(String::from("Everyone")),
        services: Vec::new(),
    };
    let Some((first, last)) = span(&new.schedule()) else { return Ok(()) };
    let placed = events::venue_place(conn, venue)?;
    events::insert(conn, (network, author), &new, (first.naive_utc(), last.naive_utc()), &placed, now)?;
    Ok(())
}

fn write(
    conn: &mut Conn,
    demo: &Demo,
    network: NetworkId,
    talk: &Conversation,
    (residents, staff): (&[MemberId], MemberId),
    now: NaiveDateTime,
) -> StoreResult<()> {
    let who = |by: Option<usize>| by.map_or(staff, |n| residents[n % residents.len()]);
    let named: Option<ServiceId> = talk
        .names_need
        .and_then(|need| demo.services.iter().find(|s| s.details.needs.iter().any(|n| n == need)))
        .map(|s| s.id);
    let mut body = talk.opening.to_string();
    if let Some(service) = named {
        body.push_str(&format!("\n\n[The service I mean](/services/{service})"));
    }
    let started = now - Duration::days(talk.days_ago);
    let thread = NewThread {
        title: talk.title.to_string(),
        body,
        needs: Vec::new(),
        services: named.into_iter().collect(),
        organisations: Vec::new(),
    };
    let id = threads::start(conn, network, who(talk.by), (&thread, false), started)?;
    for (n, (by, text)) in talk.replies.iter().enumerate() {
        threads::reply(conn, id, who(*by), (text, false), started + Duration::hours(3 * (n as i64 + 1)))?;
    }
    Ok(())
}
