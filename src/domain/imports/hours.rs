//! Opening times in words, as spreadsheets and feeds give them ("Tues 11am -
//! 2pm, Fri 11.30am - 1.30pm", "Monday to Friday, 9.30am-4pm", "first
//! Wednesday of the month 2-4pm", "alternate Saturdays 10am - 12 noon"), read
//! as schedules. Only when every word is understood: anything else ("term
//! time only", "except bank holidays", "ring first") leaves the text to be
//! kept and shown as it was, rather than a schedule that says less.

use chrono::{NaiveTime, Weekday};

use crate::domain::schedule::{DayRule, Frequency, Schedule, WEEK};

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Day(Weekday),
    /// Several days at once: "weekdays", "weekends", "daily".
    Days(Vec<Weekday>),
    /// 1 to 4, or -1 for "last".
    Ordinal(i8),
    /// A number, with its minutes and whether am, pm or noon was said.
    Time(u32, u32, Option<Meridiem>),
    Range,
    Alternate,
    OfTheMonth,
    Appointment,
    /// Words that join others: "and", ",", "&", "on", "of the month"'s "the".
    Joiner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// A day however it is written: "mon", "Tues.", "Weds", "Thursdays".
fn day_word(word: &str) -> Option<Weekday> {
    let word = word.trim_end_matches('.');
    let word = word.strip_suffix('s').filter(|w| w.len() >= 3).unwrap_or(word);
    WEEK.into_iter().find(|day| {
        word.len() >= 3 && crate::domain::schedule::day_name(*day).to_lowercase().starts_with(word)
    })
}

/// The words and numbers of `text`, or `None` at the first word not understood.
fn tokens(text: &str) -> Option<Vec<Token>> {
    let lower = text
        .to_lowercase()
        .replace(['–', '—'], "-")
        .replace("12 noon", "12noon")
        .replace("mid-day", "midday");
    let mut out = Vec::new();
    let mut chars = lower.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace()
            || c == ','
            || c == ';'
            || c == '&'
            || c == '+'
            || c == '/'
            || c == ':'
            || c == '.'
        {
            chars.next();
            if !matches!(out.last(), Some(Token::Joiner)) && !out.is_empty() {
                out.push(Token::Joiner);
            }
            continue;
        }
        if c == '-' || c == '=' {
            chars.next();
            out.push(Token::Range);
            continue;
        }
        if c.is_ascii_digit() {
            let mut number = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == ':' || **d == '.') {
                number.push(d);
                chars.next();
            }
            let number = number.trim_end_matches(['.', ':']);
            let mut word = String::new();
            while let Some(&l) = chars.peek().filter(|l| l.is_ascii_alphabetic()) {
                word.push(l);
                chars.next();
            }
            out.push(number_token(number, &word)?);
            continue;
        }
        let mut word = String::new();
        while let Some(&l) = chars.peek().filter(|l| l.is_alphabetic() || **l == '\'') {
            word.push(l);
            chars.next();
        }
        if word.is_empty() {
            return None;
        }
        out.push(word_token(&word)?);
    }
    Some(out)
}

fn number_token(number: &str, suffix: &str) -> Option<Token> {
    let (hours, minutes) = match number.split_once([':', '.']) {
        Some((h, m)) if m.len() == 2 => (h.parse().ok()?, m.parse().ok()?),
        None => (number.parse().ok()?, 0),
        _ => return None,
    };
    let meridiem = match suffix {
        "" => None,
        "am" => Some(Meridiem::Am),
        "pm" => Some(Meridiem::Pm),
        "noon" if hours == 12 => Some(Meridiem::Pm),
        "st" | "nd" | "rd" | "th" if (1..=4).contains(&hours) && minutes == 0 => {
            return Some(Token::Ordinal(hours as i8));
        }
        _ => return None,
    };
    ((1..=23).contains(&hours) && minutes < 60).then_some(Token::Time(hours, minutes, meridiem))
}

fn word_token(word: &str) -> Option<Token> {
    Some(match word {
        "and" | "on" | "every" | "each" | "open" | "the" => Token::Joiner,
        "to" | "until" | "till" => Token::Range,
        "noon" | "midday" => Token::Time(12, 0, Some(Meridiem::Pm)),
        "weekdays" | "weekday" => Token::Days(WEEK[..5].to_vec()),
        "weekends" | "weekend" => Token::Days(WEEK[5..].to_vec()),
        "daily" => Token::Days(WEEK.to_vec()),
        "first" => Token::Ordinal(1),
        "second" => Token::Ordinal(2),
        "third" => Token::Ordinal(3),
        "fourth" => Token::Ordinal(4),
        "last" => Token::Ordinal(-1),
        "alternate" | "fortnightly" | "other" => Token::Alternate,
        "of" | "month" | "monthly" => Token::OfTheMonth,
        "by" | "appointment" | "appointments" | "appt" => Token::Appointment,
        _ => Token::Day(day_word(word)?),
    })
}

/// A time, once whether it is morning or afternoon is settled.
fn clock(hours: u32, minutes: u32, meridiem: Meridiem) -> Option<NaiveTime> {
    let hours = match (hours, meridiem) {
        (12, Meridiem::Am) => 0,
        (h, Meridiem::Pm) if h < 12 => h + 12,
        (h, _) => h,
    };
    NaiveTime::from_hms_opt(hours, minutes, 0)
}

/// A span of time: "10am - 2pm", "9 - 4", "1-3pm", "10 - 12noon", "18:00 - 20:00".
fn span(from: &Token, to: &Token) -> Option<(NaiveTime, NaiveTime)> {
    let (Token::Time(h1, m1, said1), Token::Time(h2, m2, said2)) = (from, to) else { return None };
    let twenty_four = |h: u32, said: Option<Meridiem>| said.is_none() && h > 12;
    if twenty_four(*h1, *said1) || twenty_four(*h2, *said2) {
        return Some((NaiveTime::from_hms_opt(*h1, *m1, 0)?, NaiveTime::from_hms_opt(*h2, *m2, 0)?));
    }
    // An afternoon is 12 to 6 when nothing is said; the end, when it says
    // nothing, is after the start.
    let guess = |h: u32| if (1..=6).contains(&h) || h == 12 { Meridiem::Pm } else { Meridiem::Am };
    let end_said = said2.unwrap_or_else(|| guess(*h2));
    let end = clock(*h2, *m2, end_said)?;
    let start = match said1 {
        Some(said) => clock(*h1, *m1, *said)?,
        None => match clock(*h1, *m1, end_said) {
            Some(same) if same < end => same,
            _ => clock(*h1, *m1, Meridiem::Am)?,
        },
    };
    (start < end).then_some((start, end))
}

/// Schedules for `text`, or `None` when any of it is not understood.
pub fn read(text: &str) -> Option<Vec<Schedule>> {
    let tokens: Vec<Token> = tokens(text)?.into_iter().filter(|t| *t != Token::Joiner).collect();
    let mut schedules = Vec::new();
    let mut days: Vec<DayRule> = Vec::new();
    let mut ordinals: Vec<i8> = Vec::new();
    let (mut alternate, mut monthly, mut timed, mut appointment) = (false, false, false, false);
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Ordinal(n) => ordinals.push(*n),
            Token::Day(day) => {
                if timed {
                    // A new group of days after the last one's times.
                    days.clear();
                    (alternate, monthly, timed) = (false, false, false);
                }
                if let (Some(Token::Range), Some(Token::Day(last))) = (tokens.get(i + 1), tokens.get(i + 2)) {
                    let (a, b) = (day.num_days_from_monday(), last.num_days_from_monday());
                    if b <= a {
                        return None;
                    }
                    days.extend(
                        WEEK[a as usize..=b as usize].iter().map(|&w| DayRule { ordinal: None, weekday: w }),
                    );
                    i += 2;
                } else if ordinals.is_empty() {
                    days.push(DayRule { ordinal: None, weekday: *day });
                } else {
                    days.extend(ordinals.iter().map(|&n| DayRule { ordinal: Some(n), weekday: *day }));
                    ordinals.clear();
                    monthly = true;
                }
            }
            Token::Days(all) => {
                if timed {
                    days.clear();
                    (alternate, monthly, timed) = (false, false, false);
                }
                days.extend(all.iter().map(|&w| DayRule { ordinal: None, weekday: w }));
            }
            Token::Alternate => alternate = true,
            Token::OfTheMonth => monthly = true,
            Token::Appointment => appointment = true,
            Token::Time(..) => {
                let (Some(Token::Range), Some(end)) = (tokens.get(i + 1), tokens.get(i + 2)) else {
                    return None;
                };
                let (opens, closes) = span(&tokens[i], end)?;
                if days.is_empty() || !ordinals.is_empty() {
                    return None;
                }
                schedules.push(pattern(&days, monthly, alternate, Some((opens, closes)), appointment));
                timed = true;
                i += 2;
            }
            Token::Range | Token::Joiner => return None,
        }
        i += 1;
    }
    if !ordinals.is_empty() {
        return None;
    }
    match (timed, days.is_empty(), appointment) {
        (true, ..) => Some(schedules),
        // Days with no times: by appointment on those days, or nothing known.
        (false, false, true) => Some(vec![pattern(&days, monthly, alternate, None, true)]),
        (false, true, true) => Some(vec![Schedule { by_appointment: true, ..Schedule::default() }]),
        _ => None,
    }
}

fn pattern(
    days: &[DayRule],
    monthly: bool,
    alternate: bool,
    times: Option<(NaiveTime, NaiveTime)>,
    by_appointment: bool,
) -> Schedule {
    let monthly = monthly || days.iter().any(|d| d.ordinal.is_some());
    Schedule {
        freq: Some(if monthly { Frequency::Monthly } else { Frequency::Weekly }),
        interval: if alternate && !monthly { 2 } else { 1 },
        byday: days.to_vec(),
        opens_at: times.map(|t| t.0),
        closes_at: times.map(|t| t.1),
        by_appointment,
        ..Schedule::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schedule::describe;
    use chrono::NaiveDate;

    fn said(text: &str) -> Option<Vec<String>> {
        read(text).map(|s| describe(&s, NaiveDate::MIN))
    }

    #[test]
    fn the_usual_ways_of_writing_times_are_read() {
        for (text, expected) in [
            (
                "Tues 11am - 2pm, Fri 11.30am - 1.30pm",
                vec!["Every Tuesday, 11am to 2pm", "Every Friday, 11:30am to 1:30pm"],
            ),
            ("Monday to Friday, 9.30am-4pm", vec!["Monday to Friday, 9:30am to 4pm"]),
            (
                "Tuesdays, Wednesdays and Fridays, 10am-2pm",
                vec!["Every Tuesday, Wednesday and Friday, 10am to 2pm"],
            ),
            ("Thursday 10:30am - 12:30pm", vec!["Every Thursday, 10:30am to 12:30pm"]),
            (
                "Mon-Fri: 6:30am-10:00pm, Sat-Sun: 8:00am-6:00pm",
                vec!["Monday to Friday, 6:30am to 10pm", "Every Saturday and Sunday, 8am to 6pm"],
            ),
            ("Monday & Wednesday 2 - 4pm", vec!["Every Monday and Wednesday, 2pm to 4pm"]),
            ("Friday 10am - 12noon", vec!["Every Friday, 10am to 12 noon"]),
            ("Saturday 10am - 12 noon", vec!["Every Saturday, 10am to 12 noon"]),
            ("Mon - Sat 10.00 - 4.00", vec!["Monday to Saturday, 10am to 4pm"]),
            (
                "Thursday 3.30 - 5.30pm, Friday 10am - 12noon",
                vec!["Every Thursday, 3:30pm to 5:30pm", "Every Friday, 10am to 12 noon"],
            ),
            ("first Wednesday of the month 2-4pm", vec!["First Wednesday of the month, 2pm to 4pm"]),
            (
                "First and third Tuesday, 10am - 12pm",
                vec!["First and third Tuesday of the month, 10am to 12 noon"],
            ),
            ("alternate Saturdays 10am - 12 noon", vec!["Every other Saturday, 10am to 12 noon"]),
            ("By appointment", vec!["By appointment"]),
        ] {
            assert_eq!(said(text), Some(expected.iter().map(ToString::to_string).collect()), "{text}");
        }
    }

    #[test]
    fn anything_not_understood_is_left_as_words() {
        for text in [
            "Contact for details",
            "Mon & Thur 1-3pm (except bank holidays)",
            "Friday from 6pm",
            "9 - 4 weekdays except Wed 9 - 2",
            "Thursday morning, tinned food and dry goods only",
            "One morning per week",
            "Monday 4pm - 2pm",
            "",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
