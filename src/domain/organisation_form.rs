//! The organisation form: what a connector, an administrator or the
//! organisation's own editor types to add or change an organisation, checked
//! field by field, with its charity and company numbers read the ways people
//! write them.

use serde::{Deserialize, Serialize};

use super::directory::OrganisationKind;
use super::ids::OrganisationId;
use super::listing::Organisation;
use super::text::{self, FieldErrors};

/// The form as typed: every answer kept as text, so it can be shown again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationForm {
    pub name: String,
    pub description: String,
    pub kind: String,
    pub charity_number: String,
    pub company_number: String,
    pub website: String,
    pub email: String,
    pub phone: String,
    /// Ticked: it is not one of the organisations it looks like.
    #[serde(default)]
    pub not_duplicate: bool,
    /// Why the change was made, kept in the change history.
    pub reason: String,
}

impl OrganisationForm {
    /// Checks every field: the organisation `id` would be, or the problems.
    pub fn check(&self, id: OrganisationId) -> Result<Organisation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take("name", text::required_line(&self.name, "the name of the organisation"));
        let description = errors
            .take("description", text::optional_text(&self.description, "the description", text::MAX_TEXT));
        let kind = errors.take(
            "kind",
            OrganisationKind::from_code(self.kind.trim())
                .ok_or_else(|| String::from("Choose what kind of organisation it is")),
        );
        let charity_number = errors.take("charity_number", charity_number(&self.charity_number));
        let company_number = errors.take("company_number", company_number(&self.company_number));
        if kind == Some(OrganisationKind::Charity) && charity_number == Some(None) {
            errors.add("charity_number", "Enter the charity number of a registered charity");
        }
        let website = errors.take("website", text::web_address(&self.website));
        let email = errors.take("email", text::email(&self.email));
        let phone = errors.take("phone", text::phone(&self.phone));
        errors.take("reason", text::optional_text(&self.reason, "the reason", 500));
        match (name, description, kind, charity_number, company_number, website, email, phone) {
            (
                Some(name),
                Some(description),
                Some(kind),
                Some(charity_number),
                Some(company_number),
                Some(website),
                Some(email),
                Some(phone),
            ) if errors.is_empty() => Ok(Organisation {
                id,
                name,
                description: description.unwrap_or_default(),
                kind,
                charity_number,
                company_number,
                website,
                email,
                phone,
            }),
            _ => Err(errors),
        }
    }

    /// The reason typed for the change, if any.
    pub fn reason(&self) -> Option<String> {
        text::optional_text(&self.reason, "the reason", 500).ok().flatten()
    }

    /// The form showing an organisation's current values, for editing.
    pub fn of(org: &Organisation) -> Self {
        OrganisationForm {
            name: org.name.clone(),
            description: org.description.clone(),
            kind: org.kind.code().into(),
            charity_number: org.charity_number.clone().unwrap_or_default(),
            company_number: org.company_number.clone().unwrap_or_default(),
            website: org.website.clone().unwrap_or_default(),
            email: org.email.clone().unwrap_or_default(),
            phone: org.phone.clone().unwrap_or_default(),
            not_duplicate: false,
            reason: String::new(),
        }
    }
}

/// Each field of an organisation as text, for the change history.
pub fn history_fields(org: &Organisation) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("name", org.name.clone()),
        ("description", org.description.clone()),
        ("kind", org.kind.code().into()),
        ("charity_number", opt(&org.charity_number)),
        ("company_number", opt(&org.company_number)),
        ("website", opt(&org.website)),
        ("email", opt(&org.email)),
        ("phone", opt(&org.phone)),
    ]
}

/// A charity number as the registers write it: England and Wales, six to
/// eight digits with an optional "-1" for a linked charity; Scotland, "SC"
/// and six digits; Northern Ireland, "NIC" and six digits (or the six digits).
pub fn charity_number(value: &str) -> Result<Option<String>, String> {
    let compact: String =
        value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if compact.is_empty() {
        return Ok(None);
    }
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let england_and_wales = match compact.split_once('-') {
        Some((main, linked)) => digits(main, 6..=8) && digits(linked, 1..=2),
        None => digits(&compact, 6..=8),
    };
    let scotland = compact.strip_prefix("SC").is_some_and(|rest| digits(rest, 6..=6));
    let northern_ireland = compact.strip_prefix("NIC").is_some_and(|rest| digits(rest, 6..=6));
    if england_and_wales || scotland || northern_ireland {
        Ok(Some(compact))
    } else {
        Err(String::from(
            "Enter a charity number as the register writes it, like 1123456, SC012345 or NIC100002",
        ))
    }
}

/// A Companies House number: eight characters, digits or two letters and six
/// digits (SC, NI, OC…). Leading zeros left off are put back: "123456" is
/// "00123456".
pub fn company_number(value: &str) -> Result<Option<String>, String> {
    let compact: String =
        value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if compact.is_empty() {
        return Ok(None);
    }
    let bad =
        || String::from("Enter a company number as Companies House writes it, like 01234567 or SC123456");
    if compact.bytes().all(|b| b.is_ascii_digit()) {
        return if compact.len() <= 8 { Ok(Some(format!("{compact:0>8}"))) } else { Err(bad()) };
    }
    let (prefix, rest) = compact.split_at(compact.len().min(2));
    let letters = prefix.len() == 2 && prefix.bytes().all(|b| b.is_ascii_alphabetic());
    if letters && rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(compact))
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_the_ways_people_write_them() {
        assert_eq!(charity_number(" 1123456 "), Ok(Some("1123456".into())));
        assert_eq!(charity_number("1123456-1"), Ok(Some("1123456-1".into())));
        assert_eq!(charity_number("sc 012345"), Ok(Some("SC012345".into())));
        assert_eq!(charity_number("NIC100002"), Ok(Some("NIC100002".into())));
        assert_eq!(charity_number(""), Ok(None));
        assert!(charity_number("12345").is_err());
        assert!(charity_number("charity").is_err());
        assert_eq!(company_number("123456"), Ok(Some("00123456".into())));
        assert_eq!(company_number("sc123456"), Ok(Some("SC123456".into())));
        assert!(company_number("123456789").is_err());
        assert!(company_number("S1234567").is_err());
    }

    #[test]
    fn a_charity_needs_its_number_and_every_problem_names_its_field() {
        let form = OrganisationForm {
            name: " ".into(),
            kind: "charity".into(),
            website: "javascript:alert(1)".into(),
            company_number: "nope".into(),
            ..OrganisationForm::default()
        };
        let errors = form.check(OrganisationId::new()).expect_err("refused");
        for field in ["name", "charity_number", "company_number", "website"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let good = OrganisationForm {
            name: "Kingsmere Carers".into(),
            kind: "charity".into(),
            charity_number: "1123456".into(),
            ..OrganisationForm::default()
        };
        let org = good.check(OrganisationId::new()).expect("a good form");
        assert_eq!(OrganisationForm::of(&org), good);
    }
}
