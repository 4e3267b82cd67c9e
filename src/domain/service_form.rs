//! The service form: what a connector or organisation editor types to add or
//! change a listing, checked field by field. A failed check names the field and
//! keeps everything that was typed, so nothing is lost on an error.

use super::directory::{Capacity, CostKind, DeliveryMode, ReferralRoute, ServiceArea, ServiceStatus};
use super::ids::OrganisationId;
use super::text::{self, FieldErrors};

/// The form as typed: every answer kept as text, so it can be shown again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceForm {
    pub organisation: String,
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
    /// Why the change was made, kept in the change history.
    pub reason: String,
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
    /// Checks every field. `known_needs` are the slugs of the taxonomy's needs.
    pub fn check(&self, known_needs: &[String]) -> Result<ServiceInput, FieldErrors> {
        let mut errors = FieldErrors::default();
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
        check_age_order(&mut errors, min_age, max_age);
        let cost =
            errors.take("cost", choose(&self.cost, CostKind::from_code, "Choose what the service costs"));
        let cost_description =
            errors.take("cost_description", text::optional_text(&self.cost_description, "the cost", 500));
        check_charge_described(&mut errors, cost, &cost_description);
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

        if !errors.is_empty() {
            return Err(errors);
        }
        // Every field checked out, so each is present.
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
            ) => Ok(ServiceInput {
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
            _ => Err(errors),
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

    fn known() -> Vec<String> {
        vec!["loneliness".into(), "food".into()]
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
        let input = good_form().check(&known()).expect("valid");
        assert_eq!(input.needs, ["loneliness", "food"], "duplicates dropped, order kept");
        assert_eq!(input.min_age, Some(60));
        assert_eq!(input.capacity, Some(Capacity::WaitingList));
        assert_eq!(input.languages, ["English", "Urdu"]);
        assert_eq!(input.to_form().check(&known()), Ok(input));
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
        let before = good_form().check(&known()).expect("valid");
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
}
