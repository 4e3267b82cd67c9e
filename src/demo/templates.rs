//! The templates the demo is made from: `seeds/demo.toml`, compiled into the
//! binary, read and checked before anything is generated.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::TemplateError;

/// The templates, compiled into the binary.
const TEMPLATES: &str = include_str!("../../seeds/demo.toml");

/// The whole of `seeds/demo.toml`.
#[derive(Deserialize)]
pub(super) struct Templates {
    pub(super) borough: String,
    pub(super) postcode_area: String,
    pub(super) latitude: f64,
    pub(super) longitude: f64,
    pub(super) places: Vec<String>,
    pub(super) streets: Vec<String>,
    pub(super) saints: Vec<String>,
    pub(super) first_names: Vec<String>,
    pub(super) surnames: Vec<String>,
    pub(super) venues: BTreeMap<String, VenueTemplate>,
    pub(super) organisations: BTreeMap<String, OrganisationTemplate>,
    pub(super) service: Vec<ServiceTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VenueTemplate {
    pub(super) name: String,
    #[serde(default)]
    pub(super) entry_point: bool,
    #[serde(default)]
    pub(super) confidential: bool,
    pub(super) step_free: Option<bool>,
    pub(super) accessible_toilet: Option<bool>,
    pub(super) hearing_loop: Option<bool>,
    pub(super) parking: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OrganisationTemplate {
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) scope: String,
    pub(super) description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ServiceTemplate {
    pub(super) name: String,
    pub(super) organisation: String,
    pub(super) venue: Option<String>,
    pub(super) needs: Vec<String>,
    pub(super) description: String,
    pub(super) referral: String,
    pub(super) cost: String,
    pub(super) cost_description: Option<String>,
    #[serde(default)]
    pub(super) delivery: Vec<String>,
    #[serde(default)]
    pub(super) languages: Vec<String>,
    pub(super) area: Option<String>,
    pub(super) area_radius_km: Option<f64>,
    pub(super) min_age: Option<i32>,
    pub(super) max_age: Option<i32>,
    pub(super) eligibility: Option<String>,
    pub(super) capacity: Option<String>,
    pub(super) schedules: Vec<ScheduleTemplate>,
    /// Whether it meets on Christmas Day, Boxing Day and New Year's Day too
    /// (a crisis line, a night shelter); other groups close then.
    #[serde(default)]
    pub(super) open_on_holidays: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScheduleTemplate {
    pub(super) freq: Option<String>,
    pub(super) interval: Option<u32>,
    pub(super) byday: Option<String>,
    pub(super) opens: Option<String>,
    pub(super) closes: Option<String>,
    pub(super) in_days: Option<u64>,
    /// For a one-off on a day of the year ("12-25"): the next such date.
    pub(super) on: Option<String>,
    #[serde(default)]
    pub(super) by_appointment: bool,
    pub(super) valid_months: Option<String>,
}

/// The templates, read and checked: every service names an organisation and
/// (if any) a venue that the templates hold.
pub(super) fn load() -> Result<Templates, TemplateError> {
    let t: Templates = toml::from_str(TEMPLATES).map_err(|e| TemplateError(e.to_string()))?;
    check_templates(&t)?;
    Ok(t)
}

fn check_templates(t: &Templates) -> Result<(), TemplateError> {
    for s in &t.service {
        if !t.organisations.contains_key(&s.organisation) {
            return Err(TemplateError(format!("'{}' names no organisation '{}'", s.name, s.organisation)));
        }
        if let Some(venue) = &s.venue
            && !t.venues.contains_key(venue)
        {
            return Err(TemplateError(format!("'{}' names no venue '{venue}'", s.name)));
        }
    }
    Ok(())
}
