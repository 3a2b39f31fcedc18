//! The lossless, tolerant KDL 2.0 lexer under the syntax tree.
//!
//! Takes any text and splits all of it into tokens, trivia included
//! (whitespace, newlines, comments, `\` line continuations), so the tree
//! holds every byte the author wrote. Never fails: what it cannot classify
//! is an `ERROR_TOKEN`, an unterminated string or comment runs to the end of
//! its line (or file) and is reported. Never decodes values: that is
//! [`super::decode`].

use super::SyntaxError;
use super::kind::SyntaxKind;

/// A token: its kind and length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexed {
    /// The kind.
    pub kind: SyntaxKind,
    /// Length in bytes.
    pub len: usize,
}

/// KDL 2.0 newline sequences, longest first.
pub const NEWLINES: [&str; 8] = [
    "\r\n", "\r", "\n", "\u{85}", "\u{0B}", "\u{0C}", "\u{2028}", "\u{2029}",
];

/// KDL 2.0 unicode space (not a newline).
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\u{09}' | '\u{20}' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Whether `c` starts a newline.
pub fn is_newline_char(c: char) -> bool {
    matches!(
        c,
        '\r' | '\n' | '\u{85}' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether `c` may appear in a bare identifier.
pub fn is_ident_char(c: char) -> bool {
    !(is_space(c)
        || is_newline_char(c)
        || matches!(
            c,
            '\\' | '/' | '(' | ')' | '{' | '}' | ';' | '[' | ']' | '"' | '#' | '='
        )
        || super::forbidden_code_point(c, false).is_some())
}

/// Length of the newline at the start of `s`, if one is there.
pub fn newline_len(s: &str) -> Option<usize> {
    NEWLINES.iter().find(|n| s.starts_with(*n)).map(|n| n.len())
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    out: Vec<Lexed>,
    errors: Vec<SyntaxError>,
}

/// Splits `text` into tokens covering every byte, with the errors found.
pub fn lex(text: &str) -> (Vec<Lexed>, Vec<SyntaxError>) {
    let mut lx = Lexer {
        text,
        pos: 0,
        out: Vec::new(),
        errors: Vec::new(),
    };
    if text.starts_with('\u{feff}') {
        lx.push(SyntaxKind::BOM, 3);
    }
    while lx.pos < text.len() {
        lx.next();
    }
    (lx.out, lx.errors)
}

impl Lexer<'_> {
    fn push(&mut self, kind: SyntaxKind, len: usize) {
        self.out.push(Lexed { kind, len });
        self.pos += len;
    }

    fn error(&mut self, start: usize, end: usize, message: &str, label: &str, help: &str) {
        self.errors.push(SyntaxError {
            start,
            end,
            message: message.to_string(),
            label: label.to_string(),
            help: help.to_string(),
        });
    }

    fn next(&mut self) {
        let s = &self.text[self.pos..];
        let Some(c) = s.chars().next() else { return };
        if let Some(n) = newline_len(s) {
            return self.push(SyntaxKind::NEWLINE, n);
        }
        if is_space(c) {
            let n = s
                .char_indices()
                .find(|(_, c)| !is_space(*c))
                .map_or(s.len(), |(i, _)| i);
            return self.push(SyntaxKind::WHITESPACE, n);
        }
        if s.starts_with("//") {
            let n = s.find(is_newline_char).unwrap_or(s.len());
            return self.push(SyntaxKind::LINE_COMMENT, n);
        }
        if s.starts_with("/*") {
            let n = match block_comment_len(s) {
                Some(n) => n,
                None => {
                    let at = self.pos;
                    self.error(
                        at,
                        at + 2,
                        "unterminated block comment",
                        "opened here",
                        "close it with `*/` (block comments nest: each `/*` needs its own `*/`)",
                    );
                    s.len()
                }
            };
            return self.push(SyntaxKind::BLOCK_COMMENT, n);
        }
        if s.starts_with("/-") {
            return self.push(SyntaxKind::SLASHDASH, 2);
        }
        if c == '"' {
            return self.quoted(s);
        }
        if c == '#' {
            let hashes = s.chars().take_while(|c| *c == '#').count();
            if s[hashes..].starts_with('"') {
                return self.raw(s, hashes);
            }
            let n = 1 + s[1..]
                .char_indices()
                .find(|(_, c)| !is_ident_char(*c))
                .map_or(s.len() - 1, |(i, _)| i);
            return self.push(SyntaxKind::KEYWORD, n);
        }
        let single = match c {
            '\\' => Some(SyntaxKind::ESCLINE),
            ';' => Some(SyntaxKind::SEMICOLON),
            '{' => Some(SyntaxKind::L_BRACE),
            '}' => Some(SyntaxKind::R_BRACE),
            '(' => Some(SyntaxKind::L_PAREN),
            ')' => Some(SyntaxKind::R_PAREN),
            '=' => Some(SyntaxKind::EQ),
            _ => None,
        };
        if let Some(k) = single {
            return self.push(k, 1);
        }
        if is_ident_char(c) {
            let n = s
                .char_indices()
                .find(|(_, c)| !is_ident_char(*c))
                .map_or(s.len(), |(i, _)| i);
            let word = &s[..n];
            let rest = word.strip_prefix(['+', '-']).unwrap_or(word);
            let kind = if rest.starts_with(|c: char| c.is_ascii_digit()) {
                SyntaxKind::NUMBER
            } else {
                SyntaxKind::IDENT
            };
            return self.push(kind, n);
        }
        let at = self.pos;
        let what = match c {
            '[' | ']' => format!("`{c}` is not KDL syntax"),
            _ => format!("unexpected character U+{:04X}", c as u32),
        };
        self.error(
            at,
            at + c.len_utf8(),
            &what,
            "here",
            "quote it if it belongs in a value: `\"…\"`",
        );
        self.push(SyntaxKind::ERROR_TOKEN, c.len_utf8());
    }

    /// A quoted string, single- or multi-line, from its opening quote.
    fn quoted(&mut self, s: &str) {
        let start = self.pos;
        if s.starts_with("\"\"\"") {
            // Multi-line: ends at the next unescaped `"""`.
            let mut i = 3;
            let b = s.as_bytes();
            while i < b.len() {
                if b[i] == b'\\' {
                    i += 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8);
                    continue;
                }
                if s[i..].starts_with("\"\"\"") {
                    return self.push(SyntaxKind::MULTILINE_STRING, i + 3);
                }
                i += s[i..].chars().next().map_or(1, char::len_utf8);
            }
            self.error(
                start,
                start + 3,
                "missing multiline string closing quotes",
                "opened here",
                "Multiline strings must be closed by '\"\"\"' on a standalone line, only prefixed by whitespace.",
            );
            return self.push(SyntaxKind::MULTILINE_STRING, s.len());
        }
        // Single-line: an escaped newline (`\` then whitespace) continues it;
        // a bare newline ends it unterminated.
        let mut chars = s.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    // `\` + whitespace (newlines included) is one escape.
                    if chars
                        .peek()
                        .is_some_and(|(_, c)| is_space(*c) || is_newline_char(*c))
                    {
                        while chars
                            .peek()
                            .is_some_and(|(_, c)| is_space(*c) || is_newline_char(*c))
                        {
                            chars.next();
                        }
                    } else {
                        chars.next();
                    }
                }
                '"' => return self.push(SyntaxKind::STRING, i + 1),
                c if is_newline_char(c) => {
                    self.error(
                        start,
                        start + i,
                        "Unexpected newline in single-line quoted string",
                        "not quoted string",
                        "You can make a string multi-line by wrapping it in '\"\"\"', with a newline immediately after the opening quotes.",
                    );
                    return self.push(SyntaxKind::STRING, i);
                }
                _ => {}
            }
        }
        self.error(
            start,
            start + s.len(),
            "missing string closing quote",
            "quoted string",
            "Did you forget to escape something?",
        );
        self.push(SyntaxKind::STRING, s.len());
    }

    /// A raw string from its first `#`.
    fn raw(&mut self, s: &str, hashes: usize) {
        let start = self.pos;
        let rest = &s[hashes..];
        let multi = rest.starts_with("\"\"\"");
        let open = hashes + if multi { 3 } else { 1 };
        let close = format!(
            "{}{}",
            if multi { "\"\"\"" } else { "\"" },
            "#".repeat(hashes)
        );
        let kind = if multi {
            SyntaxKind::RAW_MULTILINE_STRING
        } else {
            SyntaxKind::RAW_STRING
        };
        let found = s[open..].find(&close);
        if !multi {
            let newline = s[open..].find(is_newline_char);
            if let Some(nl) = newline
                && found.is_none_or(|f| nl < f)
            {
                self.error(
                    start,
                    start + open + nl,
                    "Unexpected newline in single-line raw string",
                    "raw string",
                    "Raw strings that span lines are written `#\"\"\"` + newline … `\"\"\"#`.",
                );
                return self.push(kind, open + nl);
            }
        }
        match found {
            Some(i) => self.push(kind, open + i + close.len()),
            None => {
                self.error(
                    start,
                    start + open,
                    "missing raw string closing quotes",
                    "raw string",
                    "close it with the same number of `#` it opened with",
                );
                self.push(kind, s.len());
            }
        }
    }
}

/// Length of a nested block comment starting at `s` (which starts with `/*`).
fn block_comment_len(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    let b = s.as_bytes();
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(SyntaxKind, &str)> {
        let (toks, errs) = lex(s);
        assert!(errs.is_empty(), "{errs:?}");
        let mut pos = 0;
        toks.iter()
            .map(|t| {
                let text = &s[pos..pos + t.len];
                pos += t.len;
                (t.kind, text)
            })
            .collect()
    }

    #[test]
    fn lexes_strings_comments_and_numbers() {
        use SyntaxKind::*;
        let k = kinds("a \"b\\\"c\" #\"r\"\"# /* x /* y */ */ -1.5e3 #-inf // c\r\n");
        assert_eq!(
            k,
            vec![
                (IDENT, "a"),
                (WHITESPACE, " "),
                (STRING, "\"b\\\"c\""),
                (WHITESPACE, " "),
                (RAW_STRING, "#\"r\"\"#"),
                (WHITESPACE, " "),
                (BLOCK_COMMENT, "/* x /* y */ */"),
                (WHITESPACE, " "),
                (NUMBER, "-1.5e3"),
                (WHITESPACE, " "),
                (KEYWORD, "#-inf"),
                (WHITESPACE, " "),
                (LINE_COMMENT, "// c"),
                (NEWLINE, "\r\n"),
            ]
        );
    }

    #[test]
    fn lexes_multi_line_strings() {
        let k = kinds("s \"\"\"\n  a \"\" b\n  \"\"\" ##\"\"\"\n x\"\"\"#\n \"\"\"##");
        assert_eq!(
            k[2],
            (SyntaxKind::MULTILINE_STRING, "\"\"\"\n  a \"\" b\n  \"\"\"")
        );
        assert_eq!(
            k[4],
            (
                SyntaxKind::RAW_MULTILINE_STRING,
                "##\"\"\"\n x\"\"\"#\n \"\"\"##"
            )
        );
    }

    #[test]
    fn covers_every_byte_and_reports_what_it_cannot_lex() {
        for text in ["\"open", "a [b] c", "/* open", "#\"raw\n", "x \"a\nb\""] {
            let (toks, errs) = lex(text);
            assert_eq!(toks.iter().map(|t| t.len).sum::<usize>(), text.len());
            assert!(!errs.is_empty(), "{text:?}");
        }
    }
}
