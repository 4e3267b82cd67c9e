//! An import asked for on the staff page (`/staff/imports`): what was sent,
//! the steps it goes through and what the page shows of it. A spreadsheet
//! waits for its columns to be matched; then it is checked (a dry run) and,
//! when asked, imported, each step run by the `imports` job on whichever
//! server claims it first.

use chrono::NaiveDateTime;
use uuid::Uuid;

use serde::{Deserialize, Serialize};

use super::Report;
use super::spreadsheet::Field;
use crate::domain::directory::choice;
use crate::domain::ids::ImportId;

choice! {
    /// What was sent.
    ImportKind {
        /// An Open Referral feed's address, read page by page.
        Feed = "feed", "Open Referral feed";
        /// An Open Referral JSON file: a page, a list of services, or a dump.
        OpenReferral = "openreferral", "Open Referral file";
        /// A spreadsheet saved as CSV, one row per service.
        Spreadsheet = "spreadsheet", "Spreadsheet";
        /// An HSDS CSV package, as a zip.
        Package = "package", "HSDS CSV package";
    }
}

impl ImportKind {
    /// What a file is, by its name and first bytes: a zip is a package, JSON
    /// is Open Referral, and anything else is read as a spreadsheet.
    pub fn of_file(name: &str, bytes: &[u8]) -> ImportKind {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let first = text.iter().find(|b| !b.is_ascii_whitespace());
        if bytes.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".zip") {
            ImportKind::Package
        } else if matches!(first, Some(b'{' | b'[')) {
            ImportKind::OpenReferral
        } else {
            ImportKind::Spreadsheet
        }
    }
}

choice! {
    /// Where an import has got to.
    ImportState {
        /// A spreadsheet, waiting for its columns to be matched.
        Columns = "columns", "Waiting for its columns to be matched";
        Check = "check", "Waiting to be checked";
        Checking = "checking", "Being checked";
        /// Checked: its report says what importing it would do.
        Checked = "checked", "Checked: nothing written yet";
        Import = "import", "Waiting to be imported";
        Importing = "importing", "Being imported";
        Imported = "imported", "Imported";
        /// Imported, but nothing was written: some records could not be taken.
        NotWritten = "not_written", "Not imported: some records cannot be taken";
        /// It could not be read at all.
        Failed = "failed", "Could not be read";
    }
}

impl ImportState {
    /// Waiting for, or in the middle of, a step: the page refreshes until it is done.
    pub fn in_hand(self) -> bool {
        matches!(
            self,
            ImportState::Check | ImportState::Checking | ImportState::Import | ImportState::Importing
        )
    }

    /// The state a waiting step is in while a server runs it.
    pub fn running(self) -> Option<ImportState> {
        match self {
            ImportState::Check => Some(ImportState::Checking),
            ImportState::Import => Some(ImportState::Importing),
            _ => None,
        }
    }

    /// Whether its columns may be matched again and it checked again.
    pub fn may_check(self) -> bool {
        matches!(
            self,
            ImportState::Columns | ImportState::Checked | ImportState::NotWritten | ImportState::Failed
        )
    }

    /// Whether it may be imported now: once checked, and not yet written.
    pub fn may_import(self) -> bool {
        matches!(self, ImportState::Checked | ImportState::NotWritten)
    }
}

/// An import as its page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportView {
    pub id: ImportId,
    /// The file's name or the feed's address.
    pub source: String,
    pub kind: ImportKind,
    pub state: ImportState,
    /// The columns chosen for a spreadsheet, by field.
    pub columns: Vec<(Field, String)>,
    pub skip_rejected: bool,
    /// The reported duplicates it was asked to merge: the incoming record's
    /// id, and the id of the one here it is the same as.
    pub merge: Vec<(Uuid, Uuid)>,
    /// How far the step in hand has got, in words.
    pub progress: String,
    pub report: Option<Report>,
    /// Why it could not be read.
    pub error: Option<String>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// The choices of the "match your columns" form: each field, and the
/// header of the column chosen for it (none when no column holds it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnChoices {
    /// The spreadsheet's headers, in order.
    pub headers: Vec<String>,
    pub chosen: Vec<(Field, Option<String>)>,
}

/// The columns as stored: a `field=Header` line for each field chosen.
pub fn columns_text(chosen: &[(Field, String)]) -> String {
    chosen.iter().map(|(field, header)| format!("{}={header}\n", field.code())).collect()
}

/// The columns stored as `columns_text` writes them.
pub fn columns_of_text(text: &str) -> Vec<(Field, String)> {
    text.lines()
        .filter_map(|line| {
            let (code, header) = line.split_once('=')?;
            Some((Field::from_code(code)?, header.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_known_by_its_first_bytes_and_name() {
        assert_eq!(ImportKind::of_file("list.csv", b"Name,Postcode\n"), ImportKind::Spreadsheet);
        assert_eq!(
            ImportKind::of_file("feed.json", b"\xEF\xBB\xBF  {\"services\": []}"),
            ImportKind::OpenReferral
        );
        assert_eq!(ImportKind::of_file("x", b"[]"), ImportKind::OpenReferral);
        assert_eq!(ImportKind::of_file("package.zip", b"PK\x03\x04...."), ImportKind::Package);
        assert_eq!(ImportKind::of_file("PACKAGE.ZIP", b"junk"), ImportKind::Package);
    }

    #[test]
    fn chosen_columns_read_back_as_written() {
        let chosen = vec![(Field::Name, String::from("Group = name")), (Field::Postcode, String::from("PC"))];
        assert_eq!(columns_of_text(&columns_text(&chosen)), chosen);
    }

    #[test]
    fn every_state_reads_back_from_its_code() {
        for state in
            [ImportState::Columns, ImportState::Checking, ImportState::NotWritten, ImportState::Failed]
        {
            assert_eq!(ImportState::from_code(state.code()), Some(state));
        }
        assert_eq!(ImportState::Check.running(), Some(ImportState::Checking));
        assert!(ImportState::Importing.in_hand() && !ImportState::Imported.in_hand());
    }
}
