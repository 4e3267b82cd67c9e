//! Doorstep: a community asset directory and neighbourhood network platform.
//!
//! The rooms, and which way the arrows point:
//!
//! - `cli`, `config`, `state`, `error`: the command line, the configuration,
//!   what every handler gets, and the one error type.
//! - `web` (actix only here): the route table and thin handlers that extract,
//!   call one use case and render. Points to `app`, `pages` and `domain`.
//! - `app`: the use cases, one module per capability; with `jobs` and `cli`,
//!   the only room that calls `store` and `search`.
//! - `pages` (maud only): templates, domain views in and markup out.
//! - `jobs`: background work on one small runner: keeping the search index in
//!   step with the store, sending queued email and follow-ups.
//! - `mail` (lettre only here): the mail transports and one function per message.
//! - `search` (tantivy only here): the index of running services and matching.
//! - `store` (diesel only here): the SQLite database, every query, the change history.
//! - `geo`: postcodes, ONS postcode files, H3 cells and distances.
//! - `domain`: pure types and rules: ids, schedules, the needs taxonomy,
//!   accounts, form checks, read models.
//! - `demo`: the invented borough of Kingsmere, generated to any size and
//!   written into the database through the store's functions.
//! - `bench`: `doorstep bench`, benchmarks on generated data.
//!
//! ARCHITECTURE.md draws the arrows; `tests/boundaries.rs` keeps them.

pub mod app;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod fetch;
pub mod geo;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod pages;
pub mod search;
pub mod state;
pub mod store;
pub mod web;
