//! amc-driver: the pipeline end to end — parse, resolve, check, solve,
//! emit, sign — as one call (`driver`), with progress events (`progress`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod cache;
pub mod driver;
pub mod progress;
