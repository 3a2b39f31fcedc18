//! The language server (`amc lsp`).
//!
//! Takes LSP messages over a [`lsp_server::Connection`] (stdio for `amc lsp`,
//! in memory for tests); produces diagnostics from the real driver over the
//! editor's unsaved buffers, hover documentation from the node catalogue,
//! go-to-definition, completion, formatting, quick fixes from the
//! compiler's fix-its, rename, document and workspace symbols, inlay hints
//! and semantic tokens. Never writes spec files; the
//! only thing it writes is a read-only copy of the stdlib, so that
//! go-to-definition can open stdlib definitions.
//!
//! Files: `server.rs` (loop and dispatch), `store.rs` (buffers, overlay file
//! view, which spec a document belongs to), `convert.rs` (UTF-16 positions,
//! URIs), `lex.rs` and `outline.rs` (a tolerant view of half-typed buffers),
//! `catalogue.rs` (the node catalogue for editors), `index.rs` (definitions),
//! `references.rs` (where ids occur), and one file per feature.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod actions;
pub mod catalogue;
pub mod completion;
pub mod convert;
pub mod definition;
pub mod diagnostics;
pub mod formatting;
pub mod hover;
pub mod index;
pub mod inlay;
pub mod outline;
pub mod references;
pub mod rename;
pub mod semantic;
pub mod server;
pub mod store;
pub mod symbols;

#[cfg(test)]
mod robust_tests;

pub use server::{Config, capabilities, serve};

/// Serves over stdin/stdout until the client says `exit`.
pub fn run_stdio(config: Config) -> Result<(), String> {
    let (conn, io_threads) = lsp_server::Connection::stdio();
    serve(&conn, config)?;
    drop(conn);
    io_threads.join().map_err(|e| e.to_string())
}
