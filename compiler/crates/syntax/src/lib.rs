//! amc-syntax: source text, positions, diagnostics and the KDL syntax tree.
//!
//! The bottom of the pipeline (docs/ARCHITECTURE.md): the file map and
//! spans (`source`), diagnostics with stable codes (`diagnostics`), KDL text
//! to a span-carrying tree (`syntax`), JSON pointers to spans (`json_span`)
//! and the digest helpers every later stage shares (`hash`). Knows nothing
//! of what nodes mean.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod diagnostics;
pub mod hash;
pub mod json_span;
pub mod source;
pub mod syntax;

/// The compiler's version (written into every artifact that names its producer).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The timestamp written where a decision time is unset: output never reads the clock.
pub const EPOCH: &str = "1970-01-01T00:00:00Z";
