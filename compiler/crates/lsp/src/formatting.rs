//! Formatting: the whole document through amc's formatter.
//!
//! Takes a buffer's text; produces one edit that replaces the document with
//! its formatted text (none when it is already formatted), or nothing when
//! the formatter refuses (a file with syntax errors). The formatting rules
//! belong to `amc fmt`, not to the server.

use lsp_types::TextEdit;

use super::convert::LineIndex;

use amc_lang::fmt::format_str;

/// The formatted text, or `None` when the formatter refuses it (syntax errors).
pub fn formatted(text: &str) -> Option<String> {
    format_str("document.kdl", text).ok()
}

/// The edits that format `text`: empty when it is formatted already, `None`
/// when it cannot be formatted.
pub fn edits(text: &str) -> Option<Vec<TextEdit>> {
    let new_text = formatted(text)?;
    Some(whole_document_edit(text, new_text))
}

fn whole_document_edit(text: &str, new_text: String) -> Vec<TextEdit> {
    if new_text == text {
        return Vec::new();
    }
    vec![TextEdit {
        range: LineIndex::new(text).full_range(),
        new_text,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_replaces_the_document() {
        assert!(whole_document_edit("a\n", "a\n".into()).is_empty());
        let e = whole_document_edit("a  \nbé\n", "a\nbé\n".into());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].range.start, lsp_types::Position::new(0, 0));
        assert_eq!(e[0].range.end, lsp_types::Position::new(2, 0));
        assert_eq!(e[0].new_text, "a\nbé\n");
    }
}
