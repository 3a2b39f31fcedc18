//! The artifact map every stage after checking shares: output path (relative,
//! `/`-separated) → bytes, sorted. It sits at the bottom of the module graph
//! so `govern` (the activation gate) and `target` read it without reaching
//! up into `emit`.

use std::collections::BTreeMap;

/// Output path → bytes.
pub type Artifacts = BTreeMap<String, Vec<u8>>;
