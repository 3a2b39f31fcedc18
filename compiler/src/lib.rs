//! amc — the Agent Machine compiler.
//!
//! Pipeline: `syntax` → `resolve` (with `lower`) → `check` → `solve` →
//! `emit` → `sign` → `write`, one crate per layer under `compiler/crates/`
//! (docs/ARCHITECTURE.md). This crate is the command line (`src/cli`), the
//! tools beside the pipeline (`diff`, `import`), and one namespace over the
//! layers: `amc::check` is `amc_lang::check`, `amc::solve` is `amc_solve`.
//! The library never panics on user input: every problem is a
//! [`diagnostics::Diagnostic`].
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub use amc_syntax::{EPOCH, VERSION, diagnostics, hash, json_span, source, syntax};

pub use amc_probe::{facts, probe};

pub use amc_lang::{artifacts, check, contracts, fmt, ir, lang, lower, resolve, target, vfs};

pub use amc_solve as solve;

pub use amc_govern as govern;

pub use amc_emit as emit;

pub use amc_sign::{sign, write};

pub use amc_driver::{cache, driver, progress};

pub use amc_lsp as lsp;

pub use amc_bench as bench;

pub mod diff;
pub mod import;
