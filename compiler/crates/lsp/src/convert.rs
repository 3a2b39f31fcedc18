//! Conversions between the compiler's coordinates and the protocol's.
//!
//! Takes byte offsets (as in [`amc_syntax::source::Span`]) and file paths;
//! produces LSP positions (line and UTF-16 code unit, as the protocol
//! requires by default) and `file://` URIs, and back. Pure functions: never
//! reads files.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Line starts of one text, for offset ↔ position conversion.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts. LSP lines end at `\n`, `\r\n` or `\r`.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes a text.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { text, starts }
    }

    /// The LSP position of a byte offset (clamped to the text, moved back to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character: usize = self
            .text
            .get(start..offset)
            .map(|s| s.chars().map(char::len_utf16).sum())
            .unwrap_or(0);
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of an LSP position. A character past the end of its
    /// line means the end of the line; a line past the end means the end of
    /// the text; a position inside a surrogate pair means the character's start.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        let line = line.trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16();
            if next > pos.character as usize {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }

    /// The LSP range of a byte range.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range {
            start: self.position(start),
            end: self.position(end.max(start)),
        }
    }

    /// The range covering the whole text.
    pub fn full_range(&self) -> Range {
        self.range(0, self.text.len())
    }
}

/// Characters escaped in a `file://` URI path: everything but unreserved
/// characters and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The `file://` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    format!("file://{}", utf8_percent_encode(&s, PATH))
}

/// The path of a `file:` URI (`None` for other schemes).
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // An authority of `localhost` or nothing; other hosts are not local files.
    let path = if let Some(p) = rest.strip_prefix("localhost") {
        p
    } else {
        rest
    };
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    Some(PathBuf::from(decoded.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_columns_count_code_units() {
        // `é` is 2 bytes / 1 unit; `😀` is 4 bytes / 2 units; `中` is 3 bytes / 1 unit.
        let text = "ab\né😀x\n中 y";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), pos(0, 0));
        assert_eq!(idx.position(3), pos(1, 0));
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x), pos(1, 3));
        let y = text.find('y').unwrap();
        assert_eq!(idx.position(y), pos(2, 2));
        assert_eq!(idx.offset(pos(1, 3)), x);
        assert_eq!(idx.offset(pos(2, 2)), y);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(idx.offset(pos(1, 2)), text.find('😀').unwrap());
        // Past the end of a line: its end (before the newline).
        assert_eq!(idx.offset(pos(0, 99)), 2);
        // Past the last line: the end of the text.
        assert_eq!(idx.offset(pos(9, 0)), text.len());
        // Every offset on a character boundary round-trips.
        for (i, _) in text.char_indices() {
            if text.as_bytes()[i] != b'\n' {
                assert_eq!(idx.offset(idx.position(i)), i, "offset {i}");
            }
        }
    }

    #[test]
    fn crlf_and_cr_end_lines() {
        let text = "a\r\nb\rc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(3), pos(1, 0));
        assert_eq!(idx.position(5), pos(2, 0));
        assert_eq!(idx.offset(pos(0, 5)), 1);
    }

    #[test]
    fn offsets_inside_a_character_move_back() {
        let text = "é";
        assert_eq!(LineIndex::new(text).position(1), pos(0, 0));
    }

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/my specs/ç#1.kdl");
        let uri = path_to_uri(p);
        assert_eq!(uri, "file:///tmp/my%20specs/%C3%A7%231.kdl");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
        assert_eq!(
            uri_to_path("file://localhost/a/b.kdl").unwrap(),
            Path::new("/a/b.kdl")
        );
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
    }
}
