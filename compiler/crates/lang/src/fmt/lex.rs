//! A lossless KDL 2.0 lexer for the formatter.
//!
//! Takes the text of a file that `kdl` has already accepted and produces every
//! token, trivia included (whitespace, newlines, comments, `\` line
//! continuations), so that nothing the author wrote can be lost. Never
//! decodes values and never judges validity beyond what it needs to find
//! token boundaries: a token it cannot classify is an error for the caller.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    /// Unicode spaces (not newlines).
    Ws,
    /// One newline sequence.
    Newline,
    /// `// ...` up to, not including, the newline.
    LineComment,
    /// `/* ... */`, nested.
    BlockComment,
    /// `/-`.
    Slashdash,
    /// `\` (a line continuation).
    Backslash,
    /// `;`.
    Semi,
    /// `{`.
    LBrace,
    /// `}`.
    RBrace,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `=`.
    Eq,
    /// A bare identifier string.
    Ident,
    /// A single-line quoted string.
    Quoted,
    /// A single-line raw string `#"..."#`.
    Raw,
    /// A multi-line string, quoted or raw (kept verbatim).
    MultiLine,
    /// A number (kept as written).
    Number,
    /// `#true`, `#false`, `#null`, `#inf`, `#-inf`, `#nan`.
    Keyword,
}

impl Tok {
    /// Whether the token can start a value, a key or a node name.
    pub(super) fn is_value(self) -> bool {
        matches!(
            self,
            Tok::Ident | Tok::Quoted | Tok::Raw | Tok::MultiLine | Tok::Number | Tok::Keyword
        )
    }

    /// Whether the token is a string (usable as a name or key).
    pub(super) fn is_string(self) -> bool {
        matches!(self, Tok::Ident | Tok::Quoted | Tok::Raw | Tok::MultiLine)
    }
}

/// A token and its text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    /// The kind.
    pub kind: Tok,
    /// The exact source text.
    pub text: &'a str,
    /// Byte offset of the first byte.
    pub start: usize,
}

const NEWLINES: [&str; 8] = [
    "\r\n", "\r", "\n", "\u{85}", "\u{0B}", "\u{0C}", "\u{2028}", "\u{2029}",
];

fn is_space(c: char) -> bool {
    matches!(
        c,
        '\u{09}' | '\u{20}' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

fn is_newline_char(c: char) -> bool {
    matches!(
        c,
        '\r' | '\n' | '\u{85}' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}'
    )
}

fn is_ident_char(c: char) -> bool {
    !(is_space(c)
        || is_newline_char(c)
        || matches!(
            c,
            '\\' | '/' | '(' | ')' | '{' | '}' | ';' | '[' | ']' | '"' | '#' | '='
        )
        || matches!(c, '\u{00}'..='\u{08}' | '\u{0E}'..='\u{1F}'))
}

fn newline_len(s: &str) -> Option<usize> {
    NEWLINES.iter().find(|n| s.starts_with(*n)).map(|n| n.len())
}

/// Length of a quoted string starting at `s` (which starts with `"`).
fn quoted_len(s: &str) -> Option<(usize, bool)> {
    let multi = s.starts_with("\"\"\"");
    let open = if multi { 3 } else { 1 };
    let mut chars = s.char_indices().skip(open);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' if !multi => return Some((i + 1, false)),
            '"' if s[i..].starts_with("\"\"\"") => return Some((i + 3, true)),
            _ => {}
        }
    }
    None
}

/// Length of a raw string starting at `s` (which starts with `#`), if it is one.
fn raw_len(s: &str) -> Option<(usize, bool)> {
    let hashes = s.chars().take_while(|c| *c == '#').count();
    let rest = &s[hashes..];
    if !rest.starts_with('"') {
        return None;
    }
    let multi = rest.starts_with("\"\"\"");
    let open = hashes + if multi { 3 } else { 1 };
    let close = format!(
        "{}{}",
        if multi { "\"\"\"" } else { "\"" },
        "#".repeat(hashes)
    );
    s[open..]
        .find(&close)
        .map(|i| (open + i + close.len(), multi))
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

/// Splits `text` into tokens. `Err` gives the byte offset of something the
/// lexer does not understand (never the case for text `kdl` accepted).
pub(super) fn lex(text: &str) -> Result<Vec<Token<'_>>, usize> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let s = &text[pos..];
        let c = s.chars().next().ok_or(pos)?;
        let (kind, len) = if let Some(n) = newline_len(s) {
            (Tok::Newline, n)
        } else if is_space(c) {
            let n: usize = s
                .chars()
                .take_while(|c| is_space(*c))
                .map(char::len_utf8)
                .sum();
            (Tok::Ws, n)
        } else if s.starts_with("//") {
            let n = s.find(is_newline_char).unwrap_or(s.len());
            (Tok::LineComment, n)
        } else if s.starts_with("/*") {
            (Tok::BlockComment, block_comment_len(s).ok_or(pos)?)
        } else if s.starts_with("/-") {
            (Tok::Slashdash, 2)
        } else if c == '"' {
            let (n, multi) = quoted_len(s).ok_or(pos)?;
            (if multi { Tok::MultiLine } else { Tok::Quoted }, n)
        } else if c == '#' {
            if let Some((n, multi)) = raw_len(s) {
                (if multi { Tok::MultiLine } else { Tok::Raw }, n)
            } else {
                let n = 1 + s[1..]
                    .chars()
                    .take_while(|c| is_ident_char(*c))
                    .map(char::len_utf8)
                    .sum::<usize>();
                (Tok::Keyword, n)
            }
        } else {
            let single = match c {
                '\\' => Some(Tok::Backslash),
                ';' => Some(Tok::Semi),
                '{' => Some(Tok::LBrace),
                '}' => Some(Tok::RBrace),
                '(' => Some(Tok::LParen),
                ')' => Some(Tok::RParen),
                '=' => Some(Tok::Eq),
                _ => None,
            };
            match single {
                Some(k) => (k, 1),
                None if is_ident_char(c) => {
                    let n: usize = s
                        .chars()
                        .take_while(|c| is_ident_char(*c))
                        .map(char::len_utf8)
                        .sum();
                    let word = &s[..n];
                    (
                        if is_number(word) {
                            Tok::Number
                        } else {
                            Tok::Ident
                        },
                        n,
                    )
                }
                None => return Err(pos),
            }
        };
        if len == 0 {
            return Err(pos);
        }
        out.push(Token {
            kind,
            text: &s[..len],
            start: pos,
        });
        pos += len;
    }
    Ok(out)
}

fn is_number(word: &str) -> bool {
    let rest = word.strip_prefix(['+', '-']).unwrap_or(word);
    rest.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Tok, &str)> {
        lex(s).unwrap().iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn lexes_strings_comments_and_numbers() {
        let k = kinds("a \"b\\\"c\" #\"r\"\"# /* x /* y */ */ -1.5e3 #-inf // c\r\n");
        assert_eq!(
            k,
            vec![
                (Tok::Ident, "a"),
                (Tok::Ws, " "),
                (Tok::Quoted, "\"b\\\"c\""),
                (Tok::Ws, " "),
                (Tok::Raw, "#\"r\"\"#"),
                (Tok::Ws, " "),
                (Tok::BlockComment, "/* x /* y */ */"),
                (Tok::Ws, " "),
                (Tok::Number, "-1.5e3"),
                (Tok::Ws, " "),
                (Tok::Keyword, "#-inf"),
                (Tok::Ws, " "),
                (Tok::LineComment, "// c"),
                (Tok::Newline, "\r\n"),
            ]
        );
    }

    #[test]
    fn lexes_multi_line_strings() {
        let k = kinds("s \"\"\"\n  a \"\" b\n  \"\"\" ##\"\"\"\n x\"\"\"#\n \"\"\"##");
        assert_eq!(k[2], (Tok::MultiLine, "\"\"\"\n  a \"\" b\n  \"\"\""));
        assert_eq!(k[4], (Tok::MultiLine, "##\"\"\"\n x\"\"\"#\n \"\"\"##"));
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        assert!(lex("\u{0}").is_err());
        assert!(lex("\"open").is_err());
    }
}
