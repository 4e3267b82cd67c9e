//! The dashboard: what the front door learns from its contacts over a
//! period. Those who signpost see it (`StaffUser::signposts`).

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};

use super::{db, require};
use crate::domain::accounts::StaffUser;
use crate::domain::dashboard::{self, Figures, Inputs, Period};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::dashboard as facts;

/// A period's figures, with its first and last days.
pub type Dashboard = (NaiveDate, NaiveDate, Figures);

/// The dashboard a query string asks for: the period as typed, and its
/// figures, or the period's problems.
pub async fn dashboard(
    state: &AppState,
    user: &StaffUser,
    pairs: &[(String, String)],
) -> Result<(Period, Result<Dashboard, FieldErrors>), AppError> {
    require(user.signposts())?;
    let (period, dates) = Period::read(pairs, Utc::now().date_naive());
    let (from, to) = match dates {
        Ok(dates) => dates,
        Err(errors) => return Ok((period, Err(errors))),
    };
    let figures = figures(state, from, to).await?;
    Ok((period, Ok((from, to, figures))))
}

async fn figures(state: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Figures, AppError> {
    let needs: Vec<(String, String)> =
        state.taxonomy.needs().map(|n| (n.slug.clone(), n.label.clone())).collect();
    db(state, move |conn| {
        let contacts = facts::facts(conn, from, to)?;
        let places = facts::places(conn)?;
        let asked_in: HashSet<_> = contacts.iter().filter_map(|c| c.neighbourhood).collect();
        let covered = facts::covered(conn, &asked_in)?;
        Ok(dashboard::figures(&Inputs {
            from,
            to,
            contacts: &contacts,
            neighbourhoods: &places,
            needs: &needs,
            covered: &covered,
        }))
    })
    .await
}
