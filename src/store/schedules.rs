//! Schedules: when a service's sessions happen, stored as iCalendar-like rules.

use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;

use super::schema::schedules;
use super::{Conn, StoreError, StoreResult, decode};
use crate::domain::ids::{LocationId, ScheduleId, ServiceId};
use crate::domain::openreferral::StoredSchedule;
use crate::domain::schedule::{self, Frequency, Schedule};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = schedules)]
pub(super) struct ScheduleRow {
    id: ScheduleId,
    pub(super) service_id: ServiceId,
    location_id: Option<LocationId>,
    freq: Option<String>,
    interval: i32,
    byday: String,
    bymonthday: String,
    dtstart: Option<NaiveDate>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    opens_at: Option<NaiveTime>,
    closes_at: Option<NaiveTime>,
    by_appointment: bool,
    closed_on: String,
    notes: Option<String>,
}

/// Adds a service's schedules. A pattern given twice is one schedule (its id
/// is made from what it says).
pub(super) fn insert(conn: &mut Conn, service: ServiceId, all: &[Schedule]) -> StoreResult<()> {
    let mut seen = std::collections::HashSet::new();
    for row in all.iter().map(|s| row_of(service, s)).filter(|row| seen.insert(row.id)) {
        diesel::insert_into(schedules::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Replaces a service's schedules with `all`.
pub(super) fn replace(conn: &mut Conn, service: ServiceId, all: &[Schedule]) -> StoreResult<()> {
    diesel::delete(schedules::table.filter(schedules::service_id.eq(service))).execute(conn)?;
    insert(conn, service, all)
}

/// A service's schedules, earliest first.
pub(super) fn of_service(conn: &mut Conn, service: ServiceId) -> StoreResult<Vec<Schedule>> {
    Ok(of_services(conn, &[service])?.into_iter().map(|(_, s)| s.schedule).collect())
}

/// The schedules of several services, each with its id and notes, earliest
/// first within each service.
pub(super) fn of_services(
    conn: &mut Conn,
    services: &[ServiceId],
) -> StoreResult<Vec<(ServiceId, StoredSchedule)>> {
    let rows: Vec<ScheduleRow> = schedules::table
        .filter(schedules::service_id.eq_any(services))
        .select(ScheduleRow::as_select())
        .order((schedules::service_id, schedules::opens_at, schedules::id))
        .load(conn)?;
    rows.iter()
        .map(|row| {
            let stored = StoredSchedule { id: row.id, schedule: schedule_of(row)?, notes: row.notes.clone() };
            Ok((row.service_id, stored))
        })
        .collect()
}

fn row_of(service: ServiceId, s: &Schedule) -> ScheduleRow {
    ScheduleRow {
        id: s.id_within(service),
        service_id: service,
        location_id: None,
        freq: s.freq.map(|f| f.code().to_string()),
        interval: i32::try_from(s.interval.max(1)).unwrap_or(1),
        byday: schedule::format_byday(&s.byday),
        bymonthday: s.bymonthday.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        dtstart: s.dtstart,
        valid_from: s.valid_from,
        valid_to: s.valid_to,
        opens_at: s.opens_at,
        closes_at: s.closes_at,
        by_appointment: s.by_appointment,
        closed_on: s.closed_on.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        notes: None,
    }
}

/// A stored schedule, checked.
pub(super) fn schedule_of(row: &ScheduleRow) -> StoreResult<Schedule> {
    let corrupt = |e: schedule::ScheduleError| StoreError::Corrupt(e.to_string());
    let closed_on = row
        .closed_on
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim().parse::<NaiveDate>().map_err(|_| StoreError::Corrupt(format!("'{s}' is not a date")))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Schedule {
        freq: row.freq.as_deref().map(|f| decode(f, Frequency::from_code, "frequency")).transpose()?,
        interval: u32::try_from(row.interval).unwrap_or(1),
        byday: schedule::parse_byday(&row.byday).map_err(corrupt)?,
        bymonthday: schedule::parse_bymonthday(&row.bymonthday).map_err(corrupt)?,
        dtstart: row.dtstart,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        by_appointment: row.by_appointment,
        closed_on,
    })
}
