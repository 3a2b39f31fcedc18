//! amc-sign: the signed build manifest (`sign`: DSSE envelopes, cosign and
//! PEM keys, verification) and the atomic writer of the output directory
//! (`write`: staging, lock, swap).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod sign;
pub mod write;
