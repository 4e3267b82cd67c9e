//! Doorstep: a community asset directory and neighbourhood network platform.
pub mod domain;
