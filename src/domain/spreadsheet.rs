//! CSV for people to open in a spreadsheet. A cell that starts with `=`, `+`,
//! `-`, `@`, a tab or a carriage return would be read as a formula (and a
//! formula can fetch a web address or run a command), so such a cell starts
//! with an apostrophe instead, which spreadsheets show as plain text. Every
//! CSV export writes through `Spreadsheet`.

use std::borrow::Cow;

/// A CSV file being written, one row at a time.
pub struct Spreadsheet {
    out: csv::Writer<Vec<u8>>,
}

impl Spreadsheet {
    pub fn new() -> Self {
        Spreadsheet { out: csv::Writer::from_writer(Vec::new()) }
    }

    /// Writes one row, each cell made safe to open.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.out.write_record(cells.into_iter().map(|c| safe_cell(c.as_ref()).into_owned()))
    }

    /// The whole file.
    pub fn finish(self) -> Result<String, csv::Error> {
        let bytes = self.out.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

impl Default for Spreadsheet {
    fn default() -> Self {
        Spreadsheet::new()
    }
}

/// The cell as it is safe to open: unchanged, or after an apostrophe when a
/// spreadsheet would take it for a formula.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_written_as_text() {
        for formula in ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
        {
            assert_eq!(safe_cell(formula), format!("'{formula}"));
        }
        for plain in ["Ashworth (south west)", "12.5", "", "a=b", " =x"] {
            assert_eq!(safe_cell(plain), plain);
        }
    }

    #[test]
    fn a_file_is_quoted_as_csv_and_escaped() {
        let mut sheet = Spreadsheet::new();
        sheet.row(["name", "count"]).unwrap();
        sheet.row(["=cmd|' /C calc'!A0", "3"]).unwrap();
        sheet.row(["Smith, Jones", "4"]).unwrap();
        assert_eq!(sheet.finish().unwrap(), "name,count\n'=cmd|' /C calc'!A0,3\n\"Smith, Jones\",4\n");
    }
}
