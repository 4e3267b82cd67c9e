//! The spreadsheet a connector really has: one row per service, its columns
//! found by their headers ("Name", "Group name", "Opening times", "Post
//! code"…), or named where the headers differ (`--column name="Group name"`,
//! or the page's "match your columns" form). What a whole list shares (its
//! organisation, its needs, that each place is a local entry point) is said
//! once, in a mapping (`seeds/trafford/*.toml` for the real lists).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::sheet::Sheet;
use super::terms::NeedMatcher;
use super::{Batch, IncomingLocation, IncomingService, hours, record_id};
use crate::domain::directory::{
    CostKind, DeliveryMode, OrganisationKind, ReferralRoute, ServiceArea, ServiceStatus,
};
use crate::domain::ids::{LocationId, OrganisationId, ServiceId};
use crate::domain::listing::{Extras, Location, Organisation, Phone, Service};
use crate::domain::needs::Taxonomy;
use crate::domain::service_form::ServiceInput;
use crate::domain::text;

macro_rules! fields {
    ($($variant:ident = $code:literal, $label:literal, [$($header:literal),*];)*) => {
        /// What a column can hold.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field { $($variant),* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The name `--column` and the template use.
            pub fn code(self) -> &'static str {
                match self { $(Field::$variant => $code),* }
            }

            pub fn label(self) -> &'static str {
                match self { $(Field::$variant => $label),* }
            }

            /// Headers that mean this field, compared as `header_key` writes them.
            fn headers(self) -> &'static [&'static str] {
                match self { $(Field::$variant => &[$code, $($header),*]),* }
            }

            pub fn from_code(code: &str) -> Option<Field> {
                Field::ALL.iter().copied().find(|f| f.code() == code)
            }
        }
    };
}

fields! {
    Id = "id", "Its id in the list", ["reference", "ref", "unique reference number", "urn"];
    Name = "name", "Name of the service or group", ["service name", "group name", "group", "service", "title", "community hub", "charity name"];
    Organisation = "organisation", "Who runs it", ["organization", "provider", "run by", "managed by", "organisation name"];
    OrganisationId = "organisation_id", "Its organisation's id", ["organization id"];
    Description = "description", "What it does", ["about", "details", "summary", "activities", "charity activities", "facilities"];
    Venue = "venue", "Where it meets (the building)", ["venue name", "location", "building"];
    Address = "address", "Address", ["address 1", "street", "venue address", "street address"];
    Town = "town", "Town", ["city", "post town"];
    Postcode = "postcode", "Postcode", ["post code", "postal code", "zip"];
    ContactPostcode = "contact_postcode", "Postcode to write to, when it has no venue", ["contact postcode", "charity contact postcode", "correspondence postcode"];
    Latitude = "latitude", "Latitude", ["lat", "postcode lat", "geoy"];
    Longitude = "longitude", "Longitude", ["lon", "lng", "long", "postcode lon", "geox"];
    Phone = "phone", "Phone", ["telephone", "tel", "phone number", "contact number", "telephone number"];
    Email = "email", "Email", ["e mail", "email address", "contact email"];
    Website = "website", "Website", ["web", "url", "web address", "charity contact web", "web site"];
    Contact = "contact", "A contact: an email, a phone or a name", ["contact details", "contact name"];
    Hours = "hours", "Days and times", ["opening hours", "opening times", "days and times", "when", "times", "sessions"];
    Cost = "cost", "Cost", ["fees", "fee", "price", "charge", "costs"];
    Ages = "ages", "Ages", ["age range", "age", "age group"];
    Needs = "needs", "Needs, categories or tags", ["categories", "category", "tags", "type", "activity", "sport"];
    Referral = "referral", "How to get it", ["referral method", "how to access", "referral route", "access"];
    CharityNumber = "charity_number", "Charity number", ["registered charity number", "charity no", "charity"];
    CompanyNumber = "company_number", "Company number", ["charity company registration number", "company no", "company"];
}

/// A header as compared: lower case, words only.
fn header_key(header: &str) -> String {
    let words: String =
        header.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a whole list shares, said once in a mapping file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Shared {
    /// Who runs every service, when no column says.
    pub organisation: Option<String>,
    /// What kind of body that is (a code, like `public_body`).
    pub organisation_kind: Option<String>,
    /// Needs (slugs) every service meets.
    pub needs: Vec<String>,
    /// Each venue is a local entry point (a hub, a library).
    pub entry_point: bool,
    /// Where every service is offered (a code, like `borough`), when not near its venue.
    pub area: Option<String>,
    /// Areas a row's own words may name, each with what naming it means
    /// (`Trafford = "borough"`, `"Greater Manchester" = "region"`): a row
    /// whose name or description names one serves all of it; any other is
    /// offered near its venue or contact address. Read when `area` is not set.
    pub area_when_named: BTreeMap<String, String>,
    /// Places whose names hold an area's ("Old Trafford"), which name a
    /// place in it, not the area.
    pub not_areas: Vec<String>,
    /// How every service is reached (a code: `drop_in`, `self`, `professional`).
    pub referral: Option<String>,
    /// What every service costs (a code), when no column says.
    pub cost: Option<String>,
    /// The services' names, made from fields: "{organisation} food bank at {venue}".
    pub name: Option<String>,
}

/// Which column holds which field, and what the list shares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The file a mapping is for, and what the list is (in the files of `seeds/trafford`).
    pub file: Option<String>,
    pub about: Option<String>,
    /// Headers named for fields, over the headers found by their names.
    pub columns: BTreeMap<Field, String>,
    /// Only the columns named are read, none found by their headers (the
    /// page's form names every column it means).
    pub only_named: bool,
    pub shared: Shared,
}

/// A mapping file: `[columns]` naming headers by field, and what the list shares.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    file: Option<String>,
    about: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    shared: Shared,
}

impl Mapping {
    /// Reads a mapping file; a field or code it names that does not exist is refused.
    pub fn from_toml(text: &str, needs: &Taxonomy) -> Result<Mapping, String> {
        let file: MappingFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut mapping =
            Mapping { file: file.file, about: file.about, shared: file.shared, ..Mapping::default() };
        for (field, header) in file.columns {
            let field =
                Field::from_code(&field).ok_or_else(|| format!("there is no field called \"{field}\""))?;
            mapping.columns.insert(field, header);
        }
        let s = &mapping.shared;
        if let Some(slug) = s.needs.iter().find(|slug| !needs.is_need(slug)) {
            return Err(format!("\"{slug}\" is not a need"));
        }
        let codes = [
            s.organisation_kind.as_deref().map(|c| (c, OrganisationKind::from_code(c).is_some())),
            s.area.as_deref().map(|c| (c, ServiceArea::from_code(c).is_some())),
            s.referral.as_deref().map(|c| (c, ReferralRoute::from_code(c).is_some())),
            s.cost.as_deref().map(|c| (c, CostKind::from_code(c).is_some())),
        ];
        if let Some((code, _)) = codes.into_iter().flatten().find(|(_, known)| !known) {
            return Err(format!("\"{code}\" is not a code Doorstep knows"));
        }
        let wide = [ServiceArea::Borough, ServiceArea::Region, ServiceArea::National];
        if let Some(code) =
            s.area_when_named.values().find(|c| !ServiceArea::from_code(c).is_some_and(|a| wide.contains(&a)))
        {
            return Err(format!("\"{code}\" is not an area a row can name: borough, region or national"));
        }
        Ok(mapping)
    }

    /// Adds `field=Header` as `--column` gives it.
    pub fn name_column(&mut self, given: &str) -> Result<(), String> {
        let (field, header) =
            given.split_once('=').ok_or_else(|| format!("\"{given}\" is not field=Header"))?;
        let field = Field::from_code(field.trim()).ok_or_else(|| {
            format!("there is no field called \"{}\"; the fields are {}", field.trim(), field_codes())
        })?;
        self.columns.insert(field, header.trim().trim_matches('"').to_string());
        Ok(())
    }

    /// The column each field is in: named ones first, then found by header.
    pub fn columns_of(&self, headers: &[String]) -> Result<BTreeMap<Field, usize>, String> {
        let found = self.found(headers)?;
        if !found.contains_key(&Field::Name) {
            return Err(String::from(
                "no column holds the services' names: name it with name=\"its header\"",
            ));
        }
        Ok(found)
    }

    /// The column each field is in, as far as they are found.
    pub fn found(&self, headers: &[String]) -> Result<BTreeMap<Field, usize>, String> {
        let mut found = BTreeMap::new();
        for (field, header) in &self.columns {
            let at = headers.iter().position(|h| header_key(h) == header_key(header));
            found.insert(
                *field,
                at.ok_or_else(|| format!("there is no column called \"{header}\" for {}", field.code()))?,
            );
        }
        for field in Field::ALL.iter().filter(|_| !self.only_named) {
            if found.contains_key(field) {
                continue;
            }
            let taken: Vec<usize> = found.values().copied().collect();
            let at = headers
                .iter()
                .enumerate()
                .position(|(i, h)| !taken.contains(&i) && field.headers().contains(&header_key(h).as_str()));
            if let Some(at) = at {
                found.insert(*field, at);
            }
        }
        Ok(found)
    }
}

fn field_codes() -> String {
    Field::ALL.iter().map(|f| f.code()).collect::<Vec<_>>().join(", ")
}

/// The template a connector can fill in: every field's column, and an example row.
pub fn template() -> String {
    let mut sheet = crate::domain::spreadsheet::Spreadsheet::new();
    let example = [
        "",
        "Sale Lunch Club",
        "Sale Friends Together",
        "",
        "A hot two-course lunch and company.",
        "St Paul's Hall",
        "1 Church Lane",
        "Sale",
        "M33 7XX",
        "",
        "",
        "",
        "0161 555 0100",
        "lunch@example.org",
        "https://example.org",
        "Priya Shah",
        "Tuesdays 12noon - 2pm",
        "£3.50",
        "60+",
        "loneliness; food",
        "Just turn up",
        "1234567",
        "",
    ];
    let written = sheet.row(Field::ALL.iter().map(|f| f.code())).and_then(|()| sheet.row(example));
    written.and_then(|()| sheet.finish()).unwrap_or_default()
}

/// Every service as a row of the template's columns, for people to open in
/// a spreadsheet: its first public venue (or its contact postcode), its times in words, its needs by
/// slug. `import csv` reads it (venues placed by their postcodes), as new
/// listings: a sheet cannot hold all a listing does, so it never overwrites one.
pub fn write(records: &[crate::domain::openreferral::ServiceRecord], needs: &Taxonomy) -> String {
    let mut sheet = crate::domain::spreadsheet::Spreadsheet::new();
    let mut rows = vec![sheet.row(Field::ALL.iter().map(|f| f.code()))];
    for r in records {
        let d = &r.details;
        let venue = r.places.iter().map(|p| &p.location).find(|l| !l.postal);
        let contact = r.places.iter().map(|p| &p.location).find(|l| l.postal);
        let mut times = crate::domain::schedule::describe(
            &r.schedules.iter().map(|s| s.schedule.clone()).collect::<Vec<_>>(),
            chrono::NaiveDate::MIN,
        );
        times.extend(r.extras.hours_text.clone());
        let ages = match (d.min_age, d.max_age) {
            (Some(min), Some(max)) => format!("{min}-{max}"),
            (Some(min), None) => format!("{min}+"),
            (None, Some(max)) => format!("under {}", max + 1),
            (None, None) => String::new(),
        };
        let cost = match (d.cost, &d.cost_description) {
            (CostKind::Unknown, _) => String::new(),
            (CostKind::Paid, Some(said)) => said.clone(),
            (_, Some(said)) if said.to_lowercase().contains("free") => said.clone(),
            (kind, _) => kind.label().to_string(),
        };
        let mut terms: Vec<String> = d.needs.iter().filter(|n| needs.is_need(n)).cloned().collect();
        terms.extend(r.extras.keywords.iter().cloned());
        let cells = |field: Field| -> String {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            match field {
                // Left out: a sheet read back is new listings (reported as
                // duplicates of these), since it cannot say all a listing holds.
                Field::Id => String::new(),
                Field::Name => d.name.clone(),
                Field::Organisation => r.organisation.name.clone(),
                Field::OrganisationId => r.organisation.id.to_string(),
                Field::Description => d.description.clone(),
                Field::Venue => venue.map(|v| v.name.clone()).unwrap_or_default(),
                Field::Address => venue.map(|v| v.address_1.clone()).unwrap_or_default(),
                Field::Town => venue.map(|v| v.town.clone()).unwrap_or_default(),
                Field::Postcode => venue.map(|v| v.postcode.clone()).unwrap_or_default(),
                Field::ContactPostcode => contact.map(|c| c.postcode.clone()).unwrap_or_default(),
                Field::Latitude | Field::Longitude | Field::Contact => String::new(),
                Field::Phone => text(&d.phone),
                Field::Email => text(&d.email),
                Field::Website => text(&d.website),
                Field::Hours => times.join("; "),
                Field::Cost => cost.clone(),
                Field::Ages => ages.clone(),
                Field::Needs => terms.join("; "),
                Field::Referral => d.referral_route.label().to_string(),
                Field::CharityNumber => text(&r.organisation.charity_number),
                Field::CompanyNumber => text(&r.organisation.company_number),
            }
        };
        rows.push(sheet.row(Field::ALL.iter().map(|&f| cells(f))));
    }
    match rows.into_iter().collect::<Result<(), _>>() {
        Ok(()) => sheet.finish().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// What reading needs besides the sheet.
pub struct Context<'a> {
    pub source: &'a str,
    pub needs: &'a Taxonomy,
    pub matcher: &'a NeedMatcher,
}

/// Reads every row of `sheet` as `mapping` says.
pub fn read(sheet: &Sheet, mapping: &Mapping, ctx: &Context) -> Result<Batch, String> {
    let columns = mapping.columns_of(&sheet.headers)?;
    // A sheet names an organisation, and says little else of it.
    let mut batch = Batch { organisations_named_only: true, ..Batch::default() };
    for (n, row) in sheet.rows.iter().enumerate() {
        let origin = format!("row {}", n + 2);
        let cell = |field: Field| {
            columns
                .get(&field)
                .and_then(|&i| row.get(i))
                .map(|c| c.trim())
                .filter(|c| !c.is_empty() && !matches!(c.to_uppercase().as_str(), "NA" | "N/A"))
        };
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match read_row(&mut batch, &cell, mapping, ctx, &origin) {
            Ok(()) => {}
            Err(reason) => batch.reject(origin, reason),
        }
    }
    Ok(batch)
}

/// A row's cells, by field.
type Cells<'a, 'r> = &'a dyn Fn(Field) -> Option<&'r str>;

fn read_row(
    batch: &mut Batch,
    cell: Cells,
    mapping: &Mapping,
    ctx: &Context,
    origin: &str,
) -> Result<(), String> {
    let shared = &mapping.shared;
    let named = cell(Field::Name).ok_or("the row has no name")?;
    let reach = Reach::of(cell);
    let (needs, keywords) = terms(batch, cell, shared, ctx);
    let (organisation, org_name) = organisation(batch, cell, shared, ctx, named, &reach);
    let place = place(batch, cell, shared, ctx, named, origin);
    let name = match &shared.name {
        Some(pattern) => pattern
            .replace("{name}", named)
            .replace("{organisation}", &org_name)
            .replace("{venue}", place.as_ref().map_or("", |v| v.name.as_str()))
            .replace("{town}", place.as_ref().map_or("", |v| v.town.as_str())),
        None => named.to_string(),
    };
    let (schedules, hours_text) = match cell(Field::Hours) {
        Some(words) => match hours::read(words) {
            Some(schedules) => (schedules, None),
            None => (Vec::new(), Some(words.to_string())),
        },
        None => (Vec::new(), None),
    };
    let (min_age, max_age) = cell(Field::Ages).map_or((None, None), ages);
    let (cost, cost_description) = cost_of(cell(Field::Cost), shared.cost.as_deref());
    let postcode = cell(Field::Postcode).or(cell(Field::ContactPostcode));
    let key = format!("{}|{}", name.to_lowercase(), postcode.unwrap_or("").to_uppercase());
    let id = ServiceId(record_id(ctx.source, "service", cell(Field::Id).unwrap_or(&key)));
    if !batch.first("service", id.0) {
        return Err(format!("\"{name}\" is in the list twice at the same postcode"));
    }
    let locations: Vec<LocationId> = place.iter().map(|v| v.id).collect();
    let (area, regions) = area_of(shared, named, cell(Field::Description), !locations.is_empty());
    let details = ServiceInput {
        organisation,
        name: name.clone(),
        description: cell(Field::Description).unwrap_or("").to_string(),
        status: ServiceStatus::Active,
        needs,
        referral_route: referral(cell(Field::Referral), shared.referral.as_deref()),
        eligibility: None,
        min_age,
        max_age,
        cost,
        cost_description,
        delivery: if place.as_ref().is_some_and(|v| !v.postal) {
            vec![DeliveryMode::InPerson]
        } else {
            Vec::new()
        },
        languages: Vec::new(),
        area,
        area_radius_km: None,
        capacity: None,
        email: reach.email,
        phone: reach.phone,
        website: reach.website,
    };
    let phones = reach.more_phones.into_iter().map(|number| Phone { number, description: None }).collect();
    let service = Service {
        id,
        details,
        locations,
        schedules,
        contacts: Vec::new(),
        capacity_said_on: None,
        last_verified_at: None,
        last_verified_by: None,
        extras: Extras { hours_text, regions, phones, keywords },
    };
    let incoming =
        IncomingService { origin: origin.to_string(), service, organisation_ref: org_name, updated_at: None };
    batch.services.push(incoming);
    Ok(())
}

/// How a row says to get in touch: its website, email and phones, from their
/// own columns or a "contact" column that holds one of them. One that is not
/// what it says is left out, not the whole row.
struct Reach {
    website: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    more_phones: Vec<String>,
}

impl Reach {
    fn of(cell: Cells) -> Reach {
        let website = cell(Field::Website)
            .map(|w| if w.contains("://") { w.to_string() } else { format!("https://{w}") });
        let (contact_email, contact_phone) = match cell(Field::Contact) {
            Some(c) if c.contains('@') => (Some(c), None),
            Some(c) if c.chars().filter(char::is_ascii_digit).count() >= 10 => (None, Some(c)),
            _ => (None, None),
        };
        let mut phones: Vec<String> = cell(Field::Phone)
            .or(contact_phone)
            .into_iter()
            .flat_map(|p| p.split(['/', ';']))
            .flat_map(|p| p.split(" or "))
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        Reach {
            website: text::web_address(website.as_deref().unwrap_or("")).ok().flatten(),
            email: text::email(cell(Field::Email).or(contact_email).unwrap_or("")).ok().flatten(),
            phone: if phones.is_empty() { None } else { Some(phones.remove(0)) },
            more_phones: phones,
        }
    }
}

/// The needs a row meets (the list's, and its terms that land on one), and
/// its terms that land on none, kept as keywords and counted.
fn terms(batch: &mut Batch, cell: Cells, shared: &Shared, ctx: &Context) -> (Vec<String>, Vec<String>) {
    let mut needs: Vec<String> = shared.needs.clone();
    let mut keywords = Vec::new();
    let said = cell(Field::Needs).into_iter().flat_map(|c| c.split([';', ',', '|', '/']));
    for term in said.map(str::trim).filter(|t| !t.is_empty()) {
        match ctx.matcher.need_for(term).or_else(|| ctx.needs.is_need(term).then_some(term)) {
            Some(slug) if !needs.iter().any(|n| n == slug) => needs.push(slug.to_string()),
            Some(_) => {}
            None => {
                *batch.unmapped.entry(term.to_string()).or_default() += 1;
                keywords.push(term.to_string());
            }
        }
    }
    (needs, keywords)
}

/// Who runs a row's service (its column, the list's, or the service itself),
/// added to the batch the first time it is named.
fn organisation(
    batch: &mut Batch,
    cell: Cells,
    shared: &Shared,
    ctx: &Context,
    named: &str,
    reach: &Reach,
) -> (OrganisationId, String) {
    let own = cell(Field::Organisation).is_none() && shared.organisation.is_none();
    let name = cell(Field::Organisation).or(shared.organisation.as_deref()).unwrap_or(named);
    let key = cell(Field::OrganisationId).map_or_else(|| name.to_lowercase(), str::to_string);
    let id = OrganisationId(record_id(ctx.source, "organization", &key));
    if batch.first("organisation", id.0) {
        let kind = shared.organisation_kind.as_deref().and_then(OrganisationKind::from_code);
        batch.organisations.push(Organisation {
            id,
            name: name.to_string(),
            description: String::new(),
            kind: kind.unwrap_or_else(|| super::hsds::organisation_kind(name)),
            charity_number: cell(Field::CharityNumber).map(str::to_string),
            company_number: cell(Field::CompanyNumber).map(str::to_string),
            // A group that is its own organisation has the service's website.
            website: if own { reach.website.clone() } else { None },
            email: None,
            phone: None,
        });
    }
    (id, name.to_string())
}

/// Where a row's service is: its venue's id, name and town, or its contact
/// address's.
struct Place {
    id: LocationId,
    name: String,
    town: String,
    postal: bool,
}

/// Where a row's service meets, if it says (an address or a postcode), or
/// else where it can be written to (a contact postcode), added to the batch
/// the first time it is named.
fn place(
    batch: &mut Batch,
    cell: Cells,
    shared: &Shared,
    ctx: &Context,
    named: &str,
    origin: &str,
) -> Option<Place> {
    let address = cell(Field::Address);
    let (postcode, postal) = match (cell(Field::Postcode), address, cell(Field::ContactPostcode)) {
        (None, None, None) => return None,
        (None, None, Some(contact)) => (Some(contact.to_uppercase()), true),
        (postcode, _, _) => (postcode.map(str::to_uppercase), false),
    };
    let coordinate = |field| cell(field).and_then(|c: &str| c.parse::<f64>().ok());
    let placed = coordinate(Field::Latitude)
        .zip(coordinate(Field::Longitude))
        .filter(|(a, b)| crate::geo::cells::on_globe(*a, *b));
    let (address_1, town) = split_address(address.unwrap_or(""), cell(Field::Town));
    let venue_name = cell(Field::Venue)
        .map(str::to_string)
        .unwrap_or_else(|| address_1.split(',').next().unwrap_or("").trim().to_string());
    let name = match (postal, venue_name.is_empty()) {
        (true, _) => format!("{named} (contact address)"),
        (false, true) => named.to_string(),
        (false, false) => venue_name,
    };
    let postcode = postcode.unwrap_or_default();
    let id = LocationId(record_id(ctx.source, "location", &format!("{}|{postcode}", name.to_lowercase())));
    if batch.first("location", id.0) {
        let (latitude, longitude) = placed.unwrap_or((0.0, 0.0));
        let location = Location {
            id,
            organisation: None,
            name: name.clone(),
            address_1,
            address_2: None,
            town: town.clone(),
            postcode,
            latitude,
            longitude,
            small_area: None,
            confidential: false,
            entry_point: shared.entry_point && !postal,
            postal,
            access: Default::default(),
        };
        batch.locations.push(IncomingLocation {
            origin: origin.to_string(),
            location,
            placed: placed.is_some(),
        });
    }
    Some(Place { id, name, town, postal })
}

/// Where a row's service is offered, and the regions it names: what
/// `shared.area` says; or, when the mapping lists areas a row may name, all
/// of the one its name or description names first ("Trafford", never "Old
/// Trafford" when that is listed as not the area); else near its venue or
/// contact address, or the whole borough when it has neither.
fn area_of(
    shared: &Shared,
    name: &str,
    description: Option<&str>,
    placed: bool,
) -> (ServiceArea, Vec<String>) {
    if let Some(area) = shared.area.as_deref().and_then(ServiceArea::from_code) {
        return (area, Vec::new());
    }
    let words = |text: &str| {
        let spaced: String =
            text.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        format!(" {} ", spaced.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let mut said = words(&format!("{name} {}", description.unwrap_or("")));
    for place in shared.not_areas.iter().filter(|p| !p.trim().is_empty()).map(|p| words(p)) {
        // Again, for a place named twice running.
        while said.contains(&place) {
            said = said.replace(&place, " ");
        }
    }
    let named = shared
        .area_when_named
        .iter()
        .filter_map(|(area, code)| Some((said.find(&words(area))?, area, code)))
        .min_by_key(|(at, _, _)| *at)
        .map(|(_, area, code)| (area, code));
    match named.and_then(|(name, code)| Some((name, ServiceArea::from_code(code)?))) {
        Some((name, ServiceArea::Region)) => (ServiceArea::Region, vec![name.clone()]),
        Some((_, area)) => (area, Vec::new()),
        None if placed => (ServiceArea::Local, Vec::new()),
        None => (ServiceArea::Borough, Vec::new()),
    }
}

/// The first line of an address and its town: "St John's Centre, St John's
/// Road, Old Trafford" is the centre and road in Old Trafford.
fn split_address(address: &str, town: Option<&str>) -> (String, String) {
    let parts: Vec<&str> = address.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    match (town, parts.as_slice()) {
        (Some(town), _) => (parts.join(", "), town.to_string()),
        (None, [only]) => (only.to_string(), String::new()),
        (None, [rest @ .., last]) => {
            // "…, Stretford, Manchester": the town is the first place after the street.
            let is_city = |p: &&str| ["manchester", "cheshire"].contains(&p.to_lowercase().as_str());
            let kept: Vec<&str> = rest.to_vec();
            if is_city(last) && kept.len() > 1 {
                (kept[..kept.len() - 1].join(", "), kept[kept.len() - 1].to_string())
            } else {
                (kept.join(", "), last.to_string())
            }
        }
        (None, []) => (String::new(), String::new()),
    }
}

/// Ages in words: "60+", "50 and over", "13 to 25", "0-5", "under 18".
fn ages(text: &str) -> (Option<i32>, Option<i32>) {
    let numbers: Vec<i32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .filter(|n| (0..=120).contains(n))
        .collect();
    let lower = text.to_lowercase();
    match numbers.as_slice() {
        [min, max, ..] if min <= max => (Some(*min), Some(*max)),
        [age] if lower.contains("under") => (None, Some(age - 1)),
        [age] if lower.contains('+') || lower.contains("over") || lower.contains("plus") => {
            (Some(*age), None)
        }
        _ => (None, None),
    }
}

/// What it costs: "Free", words about a charge, or the list's own code; never assumed free.
fn cost_of(text: Option<&str>, shared: Option<&str>) -> (CostKind, Option<String>) {
    match text {
        Some(words) if words.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|w| w == "free") => {
            (CostKind::Free, (!words.eq_ignore_ascii_case("free")).then(|| words.to_string()))
        }
        Some(words) => (CostKind::Paid, Some(words.to_string())),
        None => (shared.and_then(CostKind::from_code).unwrap_or(CostKind::Unknown), None),
    }
}

/// How it is reached: a referral or voucher, just turning up, or (most often) contacting them.
fn referral(text: Option<&str>, shared: Option<&str>) -> ReferralRoute {
    let lower = text.unwrap_or("").to_lowercase();
    if lower.contains("referral") || lower.contains("voucher") || lower.contains("referred") {
        ReferralRoute::Professional
    } else if lower.contains("drop") || lower.contains("turn up") || lower.contains("walk in") {
        ReferralRoute::DropIn
    } else {
        shared.and_then(ReferralRoute::from_code).unwrap_or(ReferralRoute::SelfReferral)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_read_from_words() {
        assert_eq!(ages("60+"), (Some(60), None));
        assert_eq!(ages("50 and over"), (Some(50), None));
        assert_eq!(ages("Young people aged 13 to 25"), (Some(13), Some(25)));
        assert_eq!(ages("under 18"), (None, Some(17)));
        assert_eq!(ages("all ages"), (None, None));
    }

    #[test]
    fn headers_are_found_however_they_are_written() {
        let headers: Vec<String> =
            ["Group Name", "Post Code", "Opening times", "e-mail", "postcode_lat"].map(String::from).to_vec();
        let found = Mapping::default().columns_of(&headers).unwrap();
        assert_eq!(found.get(&Field::Name), Some(&0));
        assert_eq!(found.get(&Field::Postcode), Some(&1));
        assert_eq!(found.get(&Field::Hours), Some(&2));
        assert_eq!(found.get(&Field::Email), Some(&3));
        assert_eq!(found.get(&Field::Latitude), Some(&4));
        let mut named = Mapping::default();
        named.name_column("name=\"e-mail\"").unwrap();
        assert_eq!(named.columns_of(&headers).unwrap().get(&Field::Name), Some(&3), "a named column wins");
        assert!(named.name_column("colour=Red").unwrap_err().contains("the fields are"));
        let unknown = Mapping::default().columns_of(&["Thing".to_string()]).unwrap_err();
        assert!(unknown.contains("name=\"its header\""), "{unknown}");
    }

    #[test]
    fn a_row_serves_all_of_an_area_its_words_name_and_a_place_named_like_it_is_not_the_area() {
        let shared = Shared {
            area_when_named: [("Trafford", "borough"), ("Greater Manchester", "region")]
                .map(|(name, code)| (name.to_string(), code.to_string()))
                .into(),
            not_areas: vec!["Old Trafford".into()],
            ..Shared::default()
        };
        let area = |name: &str, said: &str| area_of(&shared, name, Some(said), true);
        assert_eq!(area("CITIZENS ADVICE TRAFFORD", "Advice."), (ServiceArea::Borough, vec![]));
        assert_eq!(area("Scouts", "For boys and girls in TRAFFORD."), (ServiceArea::Borough, vec![]));
        assert_eq!(area("Old Trafford Cricket", "A club."), (ServiceArea::Local, vec![]), "a place in it");
        assert_eq!(area("Old Trafford", "Old Trafford old trafford."), (ServiceArea::Local, vec![]), "again");
        assert_eq!(
            area("Trafford Pennies", "Across Greater Manchester."),
            (ServiceArea::Borough, vec![]),
            "the area it names first"
        );
        assert_eq!(area("Trafford-ish", "A club."), (ServiceArea::Borough, vec![]), "words, not characters");
        assert_eq!(area("Traffordians", "A club."), (ServiceArea::Local, vec![]), "a whole word only");
        assert_eq!(
            area("Pennies", "Across Greater Manchester."),
            (ServiceArea::Region, vec!["Greater Manchester".to_string()])
        );
        assert_eq!(
            area_of(&shared, "Nowhere", None, false),
            (ServiceArea::Borough, vec![]),
            "no place at all"
        );
        let told = Shared { area: Some("national".into()), ..shared.clone() };
        assert_eq!(
            area_of(&told, "Trafford", None, true),
            (ServiceArea::National, vec![]),
            "the list's word wins"
        );

        let taxonomy = Taxonomy::new(crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap());
        let refused = Mapping::from_toml("[shared.area_when_named]\nTrafford = \"local\"\n", &taxonomy);
        assert!(refused.unwrap_err().contains("not an area a row can name"));
    }

    #[test]
    fn an_address_gives_its_town() {
        assert_eq!(
            split_address("St John's Centre, St John's Road, Old Trafford", None),
            ("St John's Centre, St John's Road".into(), "Old Trafford".into())
        );
        assert_eq!(
            split_address("107 Barton Road, Stretford, Manchester", None),
            ("107 Barton Road".into(), "Stretford".into())
        );
        assert_eq!(
            split_address("2 Pott Street", Some("Altrincham")),
            ("2 Pott Street".into(), "Altrincham".into())
        );
    }
}
