//! Unified diffs of text.
//!
//! Takes two texts and their display names; produces a unified diff (three
//! lines of context, `---`/`+++` headers) with `similar`. Never reads files.

use similar::TextDiff;

/// A unified diff of `old` and `new`, empty when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_has_headers_and_hunks() {
        let d = unified("a\nb\nc\n", "a\nB\nc\n", "a/x", "b/x");
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
        assert_eq!(unified("same", "same", "a", "b"), "");
    }
}
