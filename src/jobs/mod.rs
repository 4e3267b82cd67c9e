//! Background work, idempotent so that running it twice does no harm.

pub mod index_sync;
pub mod outbox;
