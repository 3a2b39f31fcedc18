//! `amc diff`: what a change to a spec does to its build output.
//!
//! Takes two output trees (relative path → bytes, as `emit` produces and
//! `write` stores them); produces a [`Plan`]: artifacts added, removed and
//! changed (a unified diff for text, a field-level diff for JSON and YAML),
//! placement moves per pod and activation changes. Never reads or writes
//! files: the CLI loads the trees.

pub mod text;
