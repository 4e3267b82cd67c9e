//! Pure types and rules of the directory: typed ids, the vocabulary of a listing,
//! schedules, the needs taxonomy, accounts and the validation of what staff type.
//! Nothing here touches the database, the network or the web.

pub mod accounts;
pub mod atom;
pub mod calendar;
pub mod dashboard;
pub mod digests;
pub mod directory;
pub mod events;
pub mod history;
pub mod ids;
pub mod imports;
pub mod listing;
pub mod markdown;
pub mod moderation;
pub mod needs;
pub mod neighbours;
pub mod networks;
pub mod openreferral;
pub mod organisation_form;
pub mod proposals;
pub mod reminders;
pub mod review;
pub mod schedule;
pub mod schedule_form;
pub mod search;
pub mod service_form;
pub mod signposting;
pub mod sources;
pub mod spreadsheet;
pub mod text;
pub mod throttle;
pub mod venue_form;
pub mod views;
