//! The service form: what a connector or organisation editor types to add or
//! change a listing, checked field by field. A failed check names the field and
//! keeps everything that was typed, so nothing is lost on an error.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea, ServiceStatus};
use super::ids::{ContactId, LocationId, NeighbourhoodId, OrganisationId};
use super::listing::{Contact, Phone};
use super::schedule::{self, Schedule};
use super::schedule_form::{self, MOST_ROWS, TimesForm};
use super::text::{self, FieldErrors};

/// The form as typed: every answer kept as text, so it can be shown again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceForm {
    pub organisation: String,
    /// Words to find another organisation by; not kept.
    #[serde(default)]
    pub organisation_search: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub needs: Vec<String>,
    pub referral_route: String,
    pub eligibility: String,
    pub min_age: String,
    pub max_age: String,
    pub cost: String,
    pub cost_description: String,
    pub delivery: Vec<String>,
    pub languages: String,
    pub area: String,
    pub area_radius_km: String,
    pub capacity: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    /// Where it happens, when, and whom to ask.
    pub parts: PartsForm,
    /// Ticked: it is not one of the listings it looks like.
    #[serde(default)]
    pub not_duplicate: bool,
    /// Why the change was made, kept in the change history.
    pub reason: String,
}

/// The parts of the service form that are lists: its venues, its times,
/// its named contacts, its other phone numbers and the neighbourhoods it
/// serves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartsForm {
    /// Venue ids, as ticked.
    pub venues: Vec<String>,
    /// Words to find more venues by (their name or postcode); not kept.
    #[serde(default)]
    pub venue_search: String,
    pub times: Vec<TimesForm>,
    pub contacts: Vec<ContactForm>,
    pub phones: Vec<PhoneForm>,
    /// Neighbourhood ids, as ticked, when it serves chosen neighbourhoods.
    pub neighbourhoods: Vec<String>,
}

/// One named contact as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactForm {
    /// The contact's id when it was already kept; empty for a new one.
    pub id: String,
    pub name: String,
    pub title: String,
    pub phone: String,
    pub email: String,
    /// They agreed to be named on the public page.
    pub shown: bool,
}

impl ContactForm {
    fn is_blank(&self) -> bool {
        [&self.name, &self.title, &self.phone, &self.email].iter().all(|v| v.trim().is_empty())
    }
}

/// One more phone number as typed, with what it is for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneForm {
    pub number: String,
    pub description: String,
}

/// What the form may choose from besides its closed lists: the needs of the
/// taxonomy, the venues offered and the neighbourhoods. Venues and
/// neighbourhoods come with their names, for the history.
#[derive(Clone, Debug, Default)]
pub struct Offered {
    pub needs: Vec<String>,
    pub venues: Vec<(LocationId, String)>,
    pub neighbourhoods: Vec<(NeighbourhoodId, String)>,
    /// The ids of the service's named contacts now (none for a new service).
    pub contacts: Vec<ContactId>,
}

/// A checked service with its parts, ready to save.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceEdit {
    pub details: ServiceInput,
    pub parts: ServiceParts,
}

/// A service's venues, times, contacts, phones and chosen neighbourhoods.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceParts {
    /// Venue ids with their names, as the history says them.
    pub venues: Vec<(LocationId, String)>,
    pub schedules: Vec<Schedule>,
    pub contacts: Vec<Contact>,
    pub phones: Vec<Phone>,
    pub neighbourhoods: Vec<(NeighbourhoodId, String)>,
}

/// A checked service, ready to save.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceInput {
    pub organisation: OrganisationId,
    pub name: String,
    pub description: String,
    pub status: ServiceStatus,
    /// Need slugs, each one known to the taxonomy.
    pub needs: Vec<String>,
    pub referral_route: ReferralRoute,
    pub eligibility: Option<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub cost: CostKind,
    pub cost_description: Option<String>,
    pub delivery: Vec<DeliveryMode>,
    pub languages: Vec<String>,
    pub area: ServiceArea,
    pub area_radius_km: Option<f64>,
    pub capacity: Option<Capacity>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

/// The oldest age a listing can name.
const MAX_AGE: i32 = 120;

impl ServiceForm {
    /// Checks every field, the lists with the rest. `offered` is what the
    /// needs, venues and neighbourhoods may be chosen from.
    pub fn check(&self, offered: &Offered) -> Result<ServiceEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let details = self.check_details(&offered.needs, &mut errors);
        let area = details.as_ref().map(|d| d.area);
        let parts = self.parts.check(offered, area, &mut errors);
        match details {
            Some(details) if errors.is_empty() => Ok(ServiceEdit { details, parts }),
            _ => Err(errors),
        }
    }

    /// Checks the fields that are not lists.
    fn check_details(&self, known_needs: &[String], errors: &mut FieldErrors) -> Option<ServiceInput> {
        let organisation = errors.take("organisation", check_organisation(&self.organisation));
        let name = errors.take("name", text::required_line(&self.name, "the name of the service"));
        let description = errors.take("description", check_description(&self.description));
        let status = errors.take(
            "status",
            choose(&self.status, ServiceStatus::from_code, "Choose whether the service is running"),
        );
        let needs = errors.take("needs", check_needs(&self.needs, known_needs));
        let referral_route = errors.take(
            "referral_route",
            choose(
                &self.referral_route,
                ReferralRoute::from_code,
                "Choose how people get to use the service",
            ),
        );
        let eligibility = errors
            .take("eligibility", text::optional_text(&self.eligibility, "who the service is for", 1_000));
        let min_age = errors.take("min_age", age(&self.min_age, "The youngest age"));
        let max_age = errors.take("max_age", age(&self.max_age, "The oldest age"));
        check_age_order(errors, min_age, max_age);
        let cost =
            errors.take("cost", choose(&self.cost, CostKind::from_code, "Choose what the service costs"));
        let cost_description =
            errors.take("cost_description", text::optional_text(&self.cost_description, "the cost", 500));
        check_charge_described(errors, cost, &cost_description);
        let delivery = errors.take("delivery", check_delivery(&self.delivery));
        let languages = errors.take("languages", check_languages(&self.languages));
        let area = errors
            .take("area", choose(&self.area, ServiceArea::from_code, "Choose where the service is offered"));
        let area_radius_km = errors.take("area_radius_km", radius(&self.area_radius_km, area));
        let capacity = errors.take("capacity", check_capacity(&self.capacity));
        let email = errors.take("email", text::email(&self.email));
        let phone = errors.take("phone", text::phone(&self.phone));
        let website = errors.take("website", text::web_address(&self.website));
        errors.take("reason", text::optional_text(&self.reason, "the reason", 500));

        // Each field that checked out is present.
        match (organisation, name, description, status, needs, referral_route, cost, delivery, area) {
            (
                Some(organisation),
                Some(name),
                Some(description),
                Some(status),
                Some(needs),
                Some(referral_route),
                Some(cost),
                Some(delivery),
                Some(area),
            ) => Some(ServiceInput {
                organisation,
                name,
                description,
                status,
                needs,
                referral_route,
                eligibility: eligibility.flatten(),
                min_age: min_age.flatten(),
                max_age: max_age.flatten(),
                cost,
                cost_description: cost_description.flatten(),
                delivery,
                languages: languages.unwrap_or_default(),
                area,
                area_radius_km: area_radius_km.flatten(),
                capacity: capacity.flatten(),
                email: email.flatten(),
                phone: phone.flatten(),
                website: website.flatten(),
            }),
            _ => None,
        }
    }

    /// The reason typed for the change, if any.
    pub fn reason(&self) -> Option<String> {
        text::optional_text(&self.reason, "the reason", 500).ok().flatten()
    }
}

impl ServiceInput {
    /// The form showing this service's current values, for editing.
    pub fn to_form(&self) -> ServiceForm {
        ServiceForm {
            organisation: self.organisation.to_string(),
            organisation_search: String::new(),
            name: self.name.clone(),
            description: self.description.clone(),
            status: self.status.code().into(),
            needs: self.needs.clone(),
            referral_route: self.referral_route.code().into(),
            eligibility: self.eligibility.clone().unwrap_or_default(),
            min_age: self.min_age.map(|a| a.to_string()).unwrap_or_default(),
            max_age: self.max_age.map(|a| a.to_string()).unwrap_or_default(),
            cost: self.cost.code().into(),
            cost_description: self.cost_description.clone().unwrap_or_default(),
            delivery: self.delivery.iter().map(|d| d.code().to_string()).collect(),
            languages: self.languages.join(", "),
            area: self.area.code().into(),
            area_radius_km: self.area_radius_km.map(|r| r.to_string()).unwrap_or_default(),
            capacity: self.capacity.map_or("unknown", Capacity::code).into(),
            email: self.email.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            website: self.website.clone().unwrap_or_default(),
            parts: PartsForm::default(),
            not_duplicate: false,
            reason: String::new(),
        }
    }

    /// Each field as text, in form order, for the change history: comparing two
    /// snapshots gives the fields that changed with their old and new values.
    pub fn history_fields(&self) -> Vec<(&'static str, String)> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        vec![
            ("organisation", self.organisation.to_string()),
            ("name", self.name.clone()),
            ("description", self.description.clone()),
            ("status", self.status.code().into()),
            ("needs", self.needs.join(", ")),
            ("referral_route", self.referral_route.code().into()),
            ("eligibility", opt(&self.eligibility)),
            ("min_age", num(self.min_age)),
            ("max_age", num(self.max_age)),
            ("cost", self.cost.code().into()),
            ("cost_description", opt(&self.cost_description)),
            ("delivery", self.delivery.iter().map(|d| d.code()).collect::<Vec<_>>().join(", ")),
            ("languages", self.languages.join(", ")),
            ("area", self.area.code().into()),
            ("area_radius_km", self.area_radius_km.map(|r| r.to_string()).unwrap_or_default()),
            ("capacity", self.capacity.map(|c| c.code()).unwrap_or_default().into()),
            ("email", opt(&self.email)),
            ("phone", opt(&self.phone)),
            ("website", opt(&self.website)),
        ]
    }
}

impl PartsForm {
    /// Readies the lists to be shown: each ends with one blank row to fill
    /// in, and one more for the list `more` names ("times", "contacts" or
    /// "phones") when "add another" was pressed.
    pub fn ready_to_show(&mut self, more: &str) {
        let blanks = |list: &str| if more == list { 2 } else { 1 };
        schedule_form::end_with_blanks(&mut self.times, blanks("times"));
        schedule_form::end_with_blanks(&mut self.contacts, blanks("contacts"));
        schedule_form::end_with_blanks(&mut self.phones, blanks("phones"));
    }

    /// Checks the lists against what may be chosen. `area` is where the
    /// service is offered, when that checked out: chosen neighbourhoods count
    /// only when it is offered in chosen neighbourhoods.
    fn check(&self, offered: &Offered, area: Option<ServiceArea>, errors: &mut FieldErrors) -> ServiceParts {
        let venues =
            errors.take("venues", chosen(&self.venues, &offered.venues, "venue")).unwrap_or_default();
        let schedules = schedule_form::check_rows(&self.times, errors);
        let contacts = self.check_contacts(&offered.contacts, errors);
        let phones = check_phones(&self.phones, errors);
        if self.contacts.len() > MOST_ROWS || self.phones.len() > MOST_ROWS {
            errors.add(
                "contacts-0-name",
                format!("A service can have at most {MOST_ROWS} contacts and {MOST_ROWS} phone numbers"),
            );
        }
        let mut neighbourhoods = Vec::new();
        if area == Some(ServiceArea::Neighbourhoods) {
            neighbourhoods = errors
                .take(
                    "neighbourhoods",
                    chosen(&self.neighbourhoods, &offered.neighbourhoods, "neighbourhood"),
                )
                .unwrap_or_default();
            if neighbourhoods.is_empty() && errors.get("neighbourhoods").is_none() {
                errors.add("neighbourhoods", "Choose the neighbourhoods it serves");
            }
        }
        ServiceParts { venues, schedules, contacts, phones, neighbourhoods }
    }

    /// The named contacts; a row keeps its id when it is one of `kept` (the
    /// service's contacts now), and is given a new one otherwise.
    fn check_contacts(&self, kept: &[ContactId], errors: &mut FieldErrors) -> Vec<Contact> {
        let mut contacts = Vec::new();
        for (n, row) in self.contacts.iter().enumerate().filter(|(_, row)| !row.is_blank()) {
            let field = |name: &str| format!("contacts-{n}-{name}");
            let name = errors.take(field("name"), text::required_line(&row.name, "the contact's name"));
            let title =
                errors.take(field("title"), text::optional_text(&row.title, "their role", text::MAX_LINE));
            let phone = errors.take(field("phone"), text::phone(&row.phone));
            let email = errors.take(field("email"), text::email(&row.email));
            // A kept contact's id, once: a row repeating it is a new contact.
            let id = row.id.trim().parse::<ContactId>().ok().filter(|id| kept.contains(id));
            let id = id
                .filter(|id| !contacts.iter().any(|c: &Contact| c.id == *id))
                .unwrap_or_else(ContactId::new);
            if let (Some(name), Some(title), Some(phone), Some(email)) = (name, title, phone, email) {
                contacts.push(Contact { id, name, title, phone, email, shown: row.shown });
            }
        }
        contacts
    }
}

/// Values ticked from a list offered with their names; a value not offered
/// is refused.
fn chosen<T: std::str::FromStr + Copy + PartialEq>(
    ticked: &[String],
    offered: &[(T, String)],
    what: &str,
) -> Result<Vec<(T, String)>, String> {
    let mut all: Vec<(T, String)> = Vec::new();
    for value in ticked.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        let found = value
            .parse::<T>()
            .ok()
            .and_then(|id| offered.iter().find(|(o, _)| *o == id))
            .ok_or_else(|| format!("Choose each {what} from the list"))?;
        if !all.iter().any(|(id, _)| *id == found.0) {
            all.push(found.clone());
        }
    }
    Ok(all)
}

fn check_phones(rows: &[PhoneForm], errors: &mut FieldErrors) -> Vec<Phone> {
    let mut phones = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        if row.number.trim().is_empty() && row.description.trim().is_empty() {
            continue;
        }
        let number = errors.take(format!("phones-{n}-number"), text::phone(&row.number));
        let description = errors.take(
            format!("phones-{n}-description"),
            text::optional_text(&row.description, "what the number is for", text::MAX_LINE),
        );
        match (number, description) {
            (Some(Some(number)), Some(description)) => phones.push(Phone { number, description }),
            (Some(None), _) => {
                errors.add(format!("phones-{n}-number"), "Enter the phone number, or clear what it is for")
            }
            _ => {}
        }
    }
    phones
}

impl ServiceEdit {
    /// The form showing this service's current values, for editing.
    pub fn to_form(&self) -> ServiceForm {
        let p = &self.parts;
        let parts = PartsForm {
            venues: p.venues.iter().map(|(id, _)| id.to_string()).collect(),
            venue_search: String::new(),
            times: schedule_form::rows_of(&p.schedules),
            contacts: p
                .contacts
                .iter()
                .map(|c| ContactForm {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    title: c.title.clone().unwrap_or_default(),
                    phone: c.phone.clone().unwrap_or_default(),
                    email: c.email.clone().unwrap_or_default(),
                    shown: c.shown,
                })
                .collect(),
            phones: p
                .phones
                .iter()
                .map(|ph| PhoneForm {
                    number: ph.number.clone(),
                    description: ph.description.clone().unwrap_or_default(),
                })
                .collect(),
            neighbourhoods: p.neighbourhoods.iter().map(|(id, _)| id.to_string()).collect(),
        };
        ServiceForm { parts, ..self.details.to_form() }
    }

    /// Each field as text, the lists said in words, for the change history.
    pub fn history_fields(&self) -> Vec<(&'static str, String)> {
        let p = &self.parts;
        let mut fields = self.details.history_fields();
        fields.extend([
            ("venues", names(&p.venues)),
            ("times", times_in_words(&p.schedules)),
            ("contacts", p.contacts.iter().map(contact_in_words).collect::<Vec<_>>().join("; ")),
            (
                "phones",
                p.phones
                    .iter()
                    .map(|ph| match &ph.description {
                        Some(d) => format!("{} ({d})", ph.number),
                        None => ph.number.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            ("neighbourhoods", names(&p.neighbourhoods)),
        ]);
        fields
    }
}

/// The names of chosen venues or neighbourhoods, as the history says them.
fn names<T>(all: &[(T, String)]) -> String {
    all.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join("; ")
}

/// Schedules in words, every closure said (the history keeps them all).
pub fn times_in_words(schedules: &[Schedule]) -> String {
    schedule::describe(schedules, NaiveDate::MIN).join("; ")
}

fn contact_in_words(c: &Contact) -> String {
    let mut words = c.name.clone();
    for part in [&c.title, &c.phone, &c.email].into_iter().flatten() {
        words.push_str(", ");
        words.push_str(part);
    }
    words.push_str(if c.shown { " (shown on the page)" } else { " (not shown)" });
    words
}

/// The fields whose values differ between two snapshots, as (field, old, new).
pub fn changed_fields(
    before: &[(&'static str, String)],
    after: &[(&'static str, String)],
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let non_empty = |v: &String| (!v.is_empty()).then(|| v.clone());
    after
        .iter()
        .filter_map(|(field, new)| {
            let old = before.iter().find(|(f, _)| f == field).map(|(_, v)| v);
            (old != Some(new)).then(|| (*field, old.and_then(non_empty), non_empty(new)))
        })
        .filter(|(_, old, new)| old != new)
        .collect()
}

fn choose<T>(value: &str, from_code: fn(&str) -> Option<T>, message: &str) -> Result<T, String> {
    from_code(value.trim()).ok_or_else(|| message.to_string())
}

fn check_organisation(value: &str) -> Result<OrganisationId, String> {
    value
        .trim()
        .parse::<OrganisationId>()
        .map_err(|_| "Choose the organisation that runs the service".to_string())
}

fn check_description(value: &str) -> Result<String, String> {
    text::optional_text(value, "the description", text::MAX_TEXT)
        .and_then(|d| d.ok_or_else(|| "Enter a description of what the service does".to_string()))
}

fn check_needs(chosen: &[String], known: &[String]) -> Result<Vec<String>, String> {
    let mut needs: Vec<String> = Vec::new();
    for slug in chosen.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !known.iter().any(|k| k == slug) {
            return Err(format!("'{slug}' is not one of the needs: choose from the list"));
        }
        if !needs.iter().any(|n| n == slug) {
            needs.push(slug.to_string());
        }
    }
    if needs.is_empty() {
        return Err(String::from("Choose at least one need the service meets"));
    }
    Ok(needs)
}

fn check_delivery(chosen: &[String]) -> Result<Vec<DeliveryMode>, String> {
    let mut modes = Vec::new();
    for code in chosen {
        let mode = DeliveryMode::from_code(code.trim())
            .ok_or_else(|| String::from("Choose how the service reaches people from the list"))?;
        if !modes.contains(&mode) {
            modes.push(mode);
        }
    }
    if modes.is_empty() {
        return Err(String::from("Choose at least one way the service reaches people"));
    }
    modes.sort();
    Ok(modes)
}

fn check_languages(value: &str) -> Result<Vec<String>, String> {
    let languages: Vec<String> =
        value.split(',').map(|l| text::normalise(l, text::Shape::Line)).filter(|s| !s.is_empty()).collect();
    if languages.len() > 20 || languages.iter().any(|l| l.chars().count() > 60) {
        return Err(String::from("List up to 20 languages, separated by commas"));
    }
    Ok(languages)
}

fn age(value: &str, what: &str) -> Result<Option<i32>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<i32>() {
        Ok(age) if (0..=MAX_AGE).contains(&age) => Ok(Some(age)),
        Ok(_) => Err(format!("{what} must be between 0 and {MAX_AGE}")),
        Err(_) => Err(format!("{what} must be a whole number, like 18")),
    }
}

/// Records a problem when both ages checked out and the oldest is below the youngest.
fn check_age_order(errors: &mut FieldErrors, min_age: Option<Option<i32>>, max_age: Option<Option<i32>>) {
    if let (Some(Some(min)), Some(Some(max))) = (min_age, max_age)
        && min > max
    {
        errors.add("max_age", "The oldest age must be the same as or more than the youngest age");
    }
}

/// Records a problem when the service charges and the charge is not described.
fn check_charge_described(
    errors: &mut FieldErrors,
    cost: Option<CostKind>,
    cost_description: &Option<Option<String>>,
) {
    if cost == Some(CostKind::Paid) && *cost_description == Some(None) {
        errors.add("cost_description", "Say what the charge is, for example £3 a session");
    }
}

fn radius(value: &str, area: Option<ServiceArea>) -> Result<Option<f64>, String> {
    let value = value.trim();
    if value.is_empty() {
        return if area == Some(ServiceArea::Radius) {
            Err(String::from("Enter how far from its venues the service goes, in kilometres"))
        } else {
            Ok(None)
        };
    }
    match value.parse::<f64>() {
        Ok(km) if km.is_finite() && km > 0.0 && km <= 100.0 => Ok(Some(km)),
        _ => Err(String::from("The distance must be a number of kilometres between 0.1 and 100")),
    }
}

fn check_capacity(value: &str) -> Result<Option<Capacity>, String> {
    match value.trim() {
        "" | "unknown" => Ok(None),
        code => Capacity::from_code(code)
            .map(Some)
            .ok_or_else(|| "Choose whether the service is taking new people".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Offered {
        Offered { needs: vec!["loneliness".into(), "food".into()], ..Offered::default() }
    }

    fn good_form() -> ServiceForm {
        ServiceForm {
            organisation: OrganisationId::new().to_string(),
            name: "Tuesday Lunch Club".into(),
            description: "A hot two-course lunch and good company.".into(),
            status: "active".into(),
            needs: vec!["loneliness".into(), "food".into(), "loneliness".into()],
            referral_route: "drop_in".into(),
            min_age: "60".into(),
            cost: "paid".into(),
            cost_description: "£4 a meal".into(),
            delivery: vec!["in_person".into()],
            languages: "English, Urdu".into(),
            area: "local".into(),
            capacity: "waiting_list".into(),
            email: "lunch@example.org".into(),
            website: "https://example.org".into(),
            ..ServiceForm::default()
        }
    }

    #[test]
    fn a_good_form_checks_out() {
        let edit = good_form().check(&known()).expect("valid");
        let input = &edit.details;
        assert_eq!(input.needs, ["loneliness", "food"], "duplicates dropped, order kept");
        assert_eq!(input.min_age, Some(60));
        assert_eq!(input.capacity, Some(Capacity::WaitingList));
        assert_eq!(input.languages, ["English", "Urdu"]);
        assert_eq!(edit.to_form().check(&known()), Ok(edit.clone()));
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let form = ServiceForm {
            organisation: "nonsense".into(),
            name: " ".into(),
            needs: vec!["unicorns".into()],
            min_age: "70".into(),
            max_age: "60".into(),
            cost: "paid".into(),
            email: "not an email".into(),
            website: "javascript:alert(1)".into(),
            area: "radius".into(),
            ..ServiceForm::default()
        };
        let errors = form.check(&known()).expect_err("invalid");
        for field in [
            "organisation",
            "name",
            "description",
            "status",
            "needs",
            "referral_route",
            "max_age",
            "cost_description",
            "delivery",
            "email",
            "website",
            "area_radius_km",
        ] {
            assert!(errors.get(field).is_some(), "no message for {field}: {errors:?}");
        }
        assert!(errors.get("min_age").is_none());
    }

    #[test]
    fn changed_fields_report_old_and_new_values() {
        let before = good_form().check(&known()).expect("valid").details;
        let mut after = before.clone();
        after.name = "Thursday Lunch Club".into();
        after.email = None;
        let changes = changed_fields(&before.history_fields(), &after.history_fields());
        assert_eq!(
            changes,
            [
                ("name", Some("Tuesday Lunch Club".into()), Some("Thursday Lunch Club".into())),
                ("email", Some("lunch@example.org".into()), None),
            ]
        );
        let created = changed_fields(&[], &before.history_fields());
        assert!(created.iter().all(|(_, old, _)| old.is_none()));
        assert!(
            created.iter().any(|(f, _, new)| *f == "name" && new.as_deref() == Some("Tuesday Lunch Club"))
        );
    }

    #[test]
    fn venues_times_contacts_and_phones_check_out_and_read_back() {
        let venue = LocationId::new();
        let hood = NeighbourhoodId::new();
        let kept = ContactId::new();
        let offered = Offered {
            venues: vec![(venue, "Church Hall".into())],
            neighbourhoods: vec![(hood, "Ashby".into())],
            contacts: vec![kept],
            ..known()
        };
        let mut form = good_form();
        form.area = "neighbourhoods".into();
        form.parts = PartsForm {
            venues: vec![venue.to_string(), venue.to_string()],
            venue_search: String::new(),
            times: vec![
                TimesForm {
                    pattern: "weekly".into(),
                    days: vec!["tue".into()],
                    opens: "10:00".into(),
                    closes: "12:00".into(),
                    ..TimesForm::default()
                },
                TimesForm::default(),
            ],
            contacts: vec![
                ContactForm {
                    id: kept.to_string(),
                    name: "Priya Shah".into(),
                    title: "Coordinator".into(),
                    shown: true,
                    ..ContactForm::default()
                },
                ContactForm {
                    id: ContactId::new().to_string(),
                    name: "Sam".into(),
                    phone: "0161 555 0101".into(),
                    ..ContactForm::default()
                },
                ContactForm::default(),
            ],
            phones: vec![
                PhoneForm { number: "0161 555 0199".into(), description: "Bookings".into() },
                PhoneForm::default(),
            ],
            neighbourhoods: vec![hood.to_string()],
        };
        let edit = form.check(&offered).expect("a good form");
        let parts = &edit.parts;
        assert_eq!(parts.venues, [(venue, "Church Hall".to_string())], "ticked twice is once");
        assert_eq!(parts.schedules.len(), 1, "the blank row is left out");
        assert_eq!(parts.contacts.len(), 2);
        assert_eq!(parts.contacts[0].id, kept, "a kept contact keeps its id");
        assert_ne!(
            parts.contacts[1].id.to_string(),
            form.parts.contacts[1].id,
            "an id not the service's is not taken"
        );
        assert!(parts.contacts[0].shown && !parts.contacts[1].shown);
        assert_eq!(parts.phones[0].description.as_deref(), Some("Bookings"));
        assert_eq!(parts.neighbourhoods, [(hood, "Ashby".to_string())]);
        let fields = edit.history_fields();
        let said = |field: &str| {
            fields.iter().find(|(f, _)| *f == field).map(|(_, v)| v.clone()).unwrap_or_default()
        };
        assert_eq!(said("venues"), "Church Hall");
        assert_eq!(said("times"), "Every Tuesday, 10am to 12 noon");
        assert_eq!(
            said("contacts"),
            "Priya Shah, Coordinator (shown on the page); Sam, 0161 555 0101 (not shown)"
        );
        assert_eq!(said("phones"), "0161 555 0199 (Bookings)");
        // Shown again, it checks out the same.
        let again = ServiceEdit {
            parts: ServiceParts { contacts: parts.contacts.clone(), ..parts.clone() },
            ..edit.clone()
        };
        let offered_again =
            Offered { contacts: parts.contacts.iter().map(|c| c.id).collect(), ..offered.clone() };
        assert_eq!(again.to_form().check(&offered_again), Ok(again));
    }

    #[test]
    fn a_contact_id_sent_twice_is_kept_once() {
        let kept = ContactId::new();
        let mut form = good_form();
        let twice = ContactForm { id: kept.to_string(), name: "Priya".into(), ..ContactForm::default() };
        form.parts.contacts = vec![twice.clone(), twice];
        let offered = Offered { contacts: vec![kept], ..known() };
        let contacts = form.check(&offered).expect("a good form").parts.contacts;
        assert_eq!(contacts.len(), 2);
        assert_eq!(contacts[0].id, kept);
        assert_ne!(contacts[1].id, kept, "the second is a new contact, not the same row twice");
    }

    #[test]
    fn a_venue_or_neighbourhood_not_offered_is_refused() {
        let mut form = good_form();
        form.parts.venues = vec![LocationId::new().to_string()];
        form.area = "neighbourhoods".into();
        let errors = form.check(&known()).expect_err("refused");
        assert!(errors.get("venues").is_some());
        assert!(errors.get("neighbourhoods").is_some(), "serving chosen neighbourhoods needs some chosen");
        form.parts.contacts = vec![ContactForm { email: "not an email".into(), ..ContactForm::default() }];
        form.parts.phones = vec![PhoneForm { description: "Bookings".into(), ..PhoneForm::default() }];
        let errors = form.check(&known()).expect_err("refused");
        for field in ["contacts-0-name", "contacts-0-email", "phones-0-number"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn the_lists_end_with_a_blank_row_and_one_more_on_asking() {
        let mut parts = PartsForm {
            times: vec![
                TimesForm { pattern: "weekly".into(), ..TimesForm::default() },
                TimesForm::default(),
                TimesForm::default(),
            ],
            ..PartsForm::default()
        };
        parts.ready_to_show("");
        assert_eq!((parts.times.len(), parts.contacts.len(), parts.phones.len()), (2, 1, 1));
        parts.ready_to_show("times");
        assert_eq!(parts.times.len(), 3);
    }
}
