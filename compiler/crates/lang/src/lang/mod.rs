//! The amc language: what nodes exist, what they accept, and the units and
//! vocabularies their values use.
//!
//! This is data, shared by the checker (unknown names, types), the docs tests
//! and the editor tooling (hover, completion). Nothing here reads files or
//! reports diagnostics.

pub mod secrets;
pub mod spec;
pub mod types;
pub mod units;
pub mod vocab;
pub mod vocab_docs;

pub use spec::{ArgSpec, NodeSpec, PropSpec, top_level};
pub use types::{Ty, check_value, is_identifier};
