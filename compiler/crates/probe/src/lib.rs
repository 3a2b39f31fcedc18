//! amc-probe: host facts — their model (`facts`, the host-facts contract)
//! and how `amc probe` reads them from the real host (`probe`: sysinfo,
//! Vulkan through ash). Depends on no other amc crate.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod facts;
pub mod probe;
