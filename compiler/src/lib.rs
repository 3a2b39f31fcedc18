//! amc — the Agent Machine compiler.
//!
//! Pipeline: `syntax` → `resolve` (with `lower`) → `check` → `solve` →
//! `emit` → `sign` → `write`. See docs/ARCHITECTURE.md. The library never panics on
//! user input: every problem is a [`diagnostics::Diagnostic`].
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod artifacts;
pub mod bench;
pub mod check;
pub mod contracts;
pub mod diagnostics;
pub mod diff;
pub mod driver;
pub mod emit;
pub mod facts;
pub mod fmt;
pub mod govern;
pub mod hash;
pub mod import;
pub mod ir;
pub mod json_span;
pub mod lang;
pub mod lower;
pub mod lsp;
pub mod probe;
pub mod progress;
pub mod resolve;
pub mod sign;
pub mod solve;
pub mod source;
pub mod syntax;
pub mod target;
pub mod vfs;
pub mod write;

/// The compiler version, as recorded in build manifests.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The decision time written when none is given (`--decided-at`,
/// `SOURCE_DATE_EPOCH`): outputs never read the wall clock.
pub const EPOCH: &str = "1970-01-01T00:00:00Z";
