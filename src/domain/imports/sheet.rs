//! A spreadsheet saved as CSV, as a connector really has one: UTF-8 or
//! Windows-1252, with or without a byte-order mark, commas, semicolons or
//! tabs. Read into a header row and the rows under it, within limits.

/// The most rows a sheet may have.
pub const MAX_ROWS: usize = 200_000;
/// The largest sheet, in bytes.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

/// A sheet's cells, as text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Why a sheet could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SheetError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {} MB", MAX_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the file has more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("row {0} cannot be read as CSV: {1}")]
    Csv(usize, String),
    #[error("the first row has no column names")]
    NoHeaders,
}

/// Windows-1252's characters for the bytes 0x80 to 0x9F (the rest are Latin-1).
const WINDOWS_1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}',
    '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The text of a file saved by a spreadsheet: UTF-8 (without its byte-order
/// mark), or else Windows-1252, which is what Excel saves "CSV" as in England.
pub fn text_of(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => WINDOWS_1252[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect(),
    }
}

/// The separator the header row uses most: a comma, a semicolon or a tab.
fn separator(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    [b',', b';', b'\t'].into_iter().max_by_key(|&c| (count(char::from(c)), c == b',')).unwrap_or(b',')
}

/// Reads a sheet.
pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
    if bytes.len() > MAX_BYTES {
        return Err(SheetError::TooLarge);
    }
    let text = text_of(bytes);
    if text.trim().is_empty() {
        return Err(SheetError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(&text))
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|h| h.trim().to_string()).collect(),
        Some(Err(e)) => return Err(SheetError::Csv(1, e.to_string())),
        None => return Err(SheetError::Empty),
    };
    if headers.iter().all(String::is_empty) {
        return Err(SheetError::NoHeaders);
    }
    let mut rows = Vec::new();
    for (n, record) in records.enumerate() {
        let record = record.map_err(|e| SheetError::Csv(n + 2, e.to_string()))?;
        if rows.len() == MAX_ROWS {
            return Err(SheetError::TooManyRows);
        }
        rows.push(record.iter().map(|c| c.trim().to_string()).collect());
    }
    Ok(Sheet { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_windows_1252_and_semicolons_are_read() {
        let mut bytes = b"\xEF\xBB\xBFName;Cost\nCaf\xC3\xA9 club;\xC2\xA32\n".to_vec();
        let sheet = read(&bytes).unwrap();
        assert_eq!(sheet.headers, ["Name", "Cost"]);
        assert_eq!(sheet.rows, [vec!["Café club", "£2"]]);
        bytes = b"Name,Cost\nCaf\xE9 club,\x80 2 \x96 \xA33\n".to_vec();
        assert_eq!(read(&bytes).unwrap().rows, [vec!["Café club", "€ 2 – £3"]]);
        assert_eq!(read(b"Name\tPostcode\nA\tM33 7XX\n").unwrap().rows, [vec!["A", "M33 7XX"]]);
    }

    #[test]
    fn what_is_not_a_sheet_is_refused() {
        assert_eq!(read(b""), Err(SheetError::Empty));
        assert_eq!(read(b",,\n1,2,3\n"), Err(SheetError::NoHeaders));
        assert!(matches!(read(b"a,b\n\"unclosed,2\n"), Ok(_) | Err(SheetError::Csv(..))));
    }
}
