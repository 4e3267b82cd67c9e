//! The demo's neighbourhood networks: residents and staff talking in the
//! first neighbourhoods' networks and in a carers' network, with replies,
//! over the weeks before the demo was seeded, naming services of the demo.

use chrono::{Duration, NaiveDateTime};

use super::Demo;
use crate::domain::accounts::{Role, StaffUser};
use crate::domain::ids::{MemberId, NetworkId, ServiceId};
use crate::domain::networks::{NewNetwork, NewThread};
use crate::store::{Conn, StoreResult, members, networks, notifications, threads};

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
    // Its conversations are history: nobody is emailed about them.
    notifications::forget_waiting(conn, now)
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
