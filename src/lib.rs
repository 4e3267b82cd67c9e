//! Doorstep: a community asset directory and neighbourhood network platform.
pub mod demo;
pub mod domain;
pub mod store;
