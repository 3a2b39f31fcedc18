//! amc-lang: the amc policy language — vocabulary and units (`lang`), the
//! IR (`ir`), lowering (`lower`), imports and documents (`resolve`), the
//! formatter (`fmt`), the semantic checks (`check`) and what check and
//! placement may know about targets (`target`).
//!
//! Never places, emits or signs: those crates sit above this one.
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
pub mod check;
pub mod contracts;
pub mod fmt;
pub mod id;
pub mod ir;
pub mod lang;
pub mod lower;
pub mod resolve;
pub mod target;
pub mod vfs;
