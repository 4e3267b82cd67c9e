//! Neighbouring areas: another area's Open Referral feed, followed so that
//! help just over the border is found here. Its services are shown as listed
//! by that area and are changed only there; the feed is read again every day,
//! and one that breaks or disappears leaves the copy last read whole.

use chrono::NaiveDateTime;

use crate::domain::ids::NeighbourFeedId;

/// How often a followed feed is read.
pub const READ_EVERY_HOURS: i64 = 24;
/// How soon a feed that could not be read is tried again.
pub const RETRY_AFTER_HOURS: i64 = 1;

/// A followed feed, as the staff page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeighbourFeed {
    pub id: NeighbourFeedId,
    /// The area whose feed it is, as its services say: "listed by Stockport".
    pub area: String,
    pub url: String,
    pub added_at: NaiveDateTime,
    pub next_read_at: NaiveDateTime,
    pub last_read_at: Option<NaiveDateTime>,
    /// When it was last read whole: what is shown here is the copy read then.
    pub last_good_at: Option<NaiveDateTime>,
    /// Why the last read failed; none when it went well.
    pub last_error: Option<String>,
    /// The services it lists here.
    pub services: i64,
}

/// One document of a feed as last read whole (a page, or one service), with
/// the validators its server gave, for a conditional request next time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedCopy {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: Vec<u8>,
}
