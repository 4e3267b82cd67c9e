//! The venue form: a place where services happen, as a connector types it:
//! its address and postcode (placed on the map by the postcode), what a
//! disabled visitor needs to know, whether its address is confidential (a
//! refuge) and whether it is a local entry point (a hub, library or centre
//! where people can walk in and ask about anything).

use serde::{Deserialize, Serialize};

use super::directory::VenueAccess;
use super::ids::{LocationId, OrganisationId};
use super::listing::Location;
use super::schedule::Schedule;
use super::schedule_form::{self, TimesForm};
use super::service_form::times_in_words;
use super::text::{self, FieldErrors};
use crate::geo::postcode::{self, Postcode};

/// The form as typed: every answer kept as text, so it can be shown again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueForm {
    /// The organisation whose venue it is; empty for a shared place.
    pub organisation: String,
    pub name: String,
    pub address_1: String,
    pub address_2: String,
    pub town: String,
    pub postcode: String,
    /// "yes", "no" or "" (not known), for each.
    pub step_free: String,
    pub accessible_toilet: String,
    pub hearing_loop: String,
    pub parking: String,
    pub public_transport: String,
    pub confidential: bool,
    pub entry_point: bool,
    /// When it is open: a local entry point's opening times.
    #[serde(default)]
    pub times: Vec<TimesForm>,
    /// Why the change was made, kept in the change history.
    pub reason: String,
}

/// A checked venue, waiting to be placed by its postcode.
#[derive(Clone, Debug, PartialEq)]
pub struct VenueInput {
    pub organisation: Option<OrganisationId>,
    pub name: String,
    pub address_1: String,
    pub address_2: Option<String>,
    pub town: String,
    pub postcode: Postcode,
    pub access: VenueAccess,
    pub confidential: bool,
    pub entry_point: bool,
    /// When it is open.
    pub hours: Vec<Schedule>,
}

/// The answers to "is there…?": yes, no, or not known.
pub const YES_NO: [(&str, &str); 3] = [("yes", "Yes"), ("no", "No"), ("", "Not known")];

impl VenueForm {
    pub fn check(&self) -> Result<VenueInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let organisation = match self.organisation.trim() {
            "" => Some(None),
            id => errors.take(
                "organisation",
                id.parse::<OrganisationId>()
                    .map(Some)
                    .map_err(|_| String::from("Choose the organisation from the list")),
            ),
        };
        let name = errors.take("name", text::required_line(&self.name, "the name of the venue"));
        let address_1 =
            errors.take("address_1", text::required_line(&self.address_1, "the first line of the address"));
        let address_2 =
            errors.take("address_2", text::optional_text(&self.address_2, "the second line", text::MAX_LINE));
        let town = errors.take("town", text::required_line(&self.town, "the town"));
        let postcode = errors.take(
            "postcode",
            postcode::parse_full(&self.postcode).ok_or_else(|| {
                if self.postcode.trim().is_empty() {
                    String::from("Enter the venue's postcode, like M33 7XX")
                } else {
                    String::from("Enter the venue's whole postcode, like M33 7XX")
                }
            }),
        );
        let mut yes_no = |field: &'static str, value: &str| {
            errors.take(
                field,
                match value.trim() {
                    "yes" => Ok(Some(true)),
                    "no" => Ok(Some(false)),
                    "" => Ok(None),
                    _ => Err(String::from("Choose yes, no or not known")),
                },
            )
        };
        let step_free = yes_no("step_free", &self.step_free);
        let accessible_toilet = yes_no("accessible_toilet", &self.accessible_toilet);
        let hearing_loop = yes_no("hearing_loop", &self.hearing_loop);
        let parking = yes_no("parking", &self.parking);
        let public_transport = errors.take(
            "public_transport",
            text::optional_text(&self.public_transport, "the buses, trams and trains", 500),
        );
        errors.take("reason", text::optional_text(&self.reason, "the reason", 500));
        let hours = schedule_form::check_rows(&self.times, &mut errors);
        if self.confidential && self.entry_point {
            errors.add(
                "entry_point",
                "A confidential venue cannot be a local entry point: its address is never shown",
            );
        }
        match (organisation, name, address_1, address_2, town, postcode, public_transport) {
            (
                Some(organisation),
                Some(name),
                Some(address_1),
                Some(address_2),
                Some(town),
                Some(postcode),
                Some(public_transport),
            ) if errors.is_empty() => Ok(VenueInput {
                organisation,
                name,
                address_1,
                address_2,
                town,
                postcode,
                access: VenueAccess {
                    step_free: step_free.flatten(),
                    accessible_toilet: accessible_toilet.flatten(),
                    hearing_loop: hearing_loop.flatten(),
                    parking: parking.flatten(),
                    public_transport,
                },
                confidential: self.confidential,
                entry_point: self.entry_point,
                hours,
            }),
            _ => Err(errors),
        }
    }

    /// The reason typed for the change, if any.
    pub fn reason(&self) -> Option<String> {
        text::optional_text(&self.reason, "the reason", 500).ok().flatten()
    }

    /// Readies the rows of times to be shown: one blank row to fill in, and
    /// another when `more` is "times" ("add another" was pressed).
    pub fn ready_to_show(&mut self, more: &str) {
        schedule_form::end_with_blanks(&mut self.times, if more == "times" { 2 } else { 1 });
    }

    /// The form showing a venue's current values and opening times, for editing.
    pub fn of(venue: &Location, hours: &[Schedule]) -> Self {
        let yes_no = |v: Option<bool>| match v {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let a = &venue.access;
        VenueForm {
            organisation: venue.organisation.map(|o| o.to_string()).unwrap_or_default(),
            name: venue.name.clone(),
            address_1: venue.address_1.clone(),
            address_2: venue.address_2.clone().unwrap_or_default(),
            town: venue.town.clone(),
            postcode: venue.postcode.clone(),
            step_free: yes_no(a.step_free).into(),
            accessible_toilet: yes_no(a.accessible_toilet).into(),
            hearing_loop: yes_no(a.hearing_loop).into(),
            parking: yes_no(a.parking).into(),
            public_transport: a.public_transport.clone().unwrap_or_default(),
            confidential: venue.confidential,
            entry_point: venue.entry_point,
            times: schedule_form::rows_of(hours),
            reason: String::new(),
        }
    }
}

impl VenueInput {
    /// The venue `id` would be, placed at a point.
    pub fn placed(&self, id: LocationId, (latitude, longitude): (f64, f64)) -> Location {
        Location {
            id,
            organisation: self.organisation,
            name: self.name.clone(),
            address_1: self.address_1.clone(),
            address_2: self.address_2.clone(),
            town: self.town.clone(),
            postcode: self.postcode.to_string(),
            latitude,
            longitude,
            small_area: None,
            confidential: self.confidential,
            entry_point: self.entry_point,
            postal: false,
            access: self.access.clone(),
        }
    }
}

/// Each field of a venue and its opening times as text, for the change
/// history. Where it is on the map follows its postcode, so the postcode says it.
pub fn history_fields(venue: &Location, hours: &[Schedule]) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let yes_no = |v: Option<bool>| v.map(|b| b.to_string()).unwrap_or_default();
    let a = &venue.access;
    vec![
        ("organisation", venue.organisation.map(|o| o.to_string()).unwrap_or_default()),
        ("name", venue.name.clone()),
        ("address_1", venue.address_1.clone()),
        ("address_2", opt(&venue.address_2)),
        ("town", venue.town.clone()),
        ("postcode", venue.postcode.clone()),
        ("step_free", yes_no(a.step_free)),
        ("accessible_toilet", yes_no(a.accessible_toilet)),
        ("hearing_loop", yes_no(a.hearing_loop)),
        ("parking", yes_no(a.parking)),
        ("public_transport", opt(&a.public_transport)),
        ("confidential", venue.confidential.to_string()),
        ("entry_point", venue.entry_point.to_string()),
        ("times", times_in_words(hours)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hall() -> VenueForm {
        VenueForm {
            name: "St Mary's Church Hall".into(),
            address_1: "1 Church Lane".into(),
            town: "Sale".into(),
            postcode: "m337xx".into(),
            step_free: "yes".into(),
            ..VenueForm::default()
        }
    }

    #[test]
    fn a_venue_checks_out_and_reads_back() {
        let input = hall().check().expect("a good venue");
        assert_eq!(input.postcode.as_str(), "M33 7XX");
        assert_eq!(input.access.step_free, Some(true));
        assert_eq!(input.access.parking, None);
        let venue = input.placed(LocationId::new(), (53.4, -2.3));
        assert_eq!(VenueForm::of(&venue, &input.hours), VenueForm { postcode: "M33 7XX".into(), ..hall() });
    }

    #[test]
    fn problems_name_their_fields() {
        let form = VenueForm {
            postcode: "M33".into(),
            step_free: "maybe".into(),
            confidential: true,
            entry_point: true,
            organisation: "nonsense".into(),
            ..VenueForm::default()
        };
        let errors = form.check().expect_err("refused");
        for field in ["organisation", "name", "address_1", "town", "postcode", "step_free", "entry_point"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }
}
