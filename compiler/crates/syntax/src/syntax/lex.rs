//! A tolerant KDL 2.0 tokenizer (editor features and the pre-parse scan).
//!
//! Takes the text of a buffer that is often half-typed and produces tokens
//! with byte spans: values (bare identifiers, numbers, quoted and raw
//! strings, `#` keywords), `=`, braces, `;`, node terminators and `/-`.
//! Comments, whitespace, line continuations and type annotations are dropped.
//! It never fails: an unterminated string ends at the end of its line. It does
//! not judge validity; `syntax` (the kdl crate) does that for diagnostics.

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokKind {
    /// A value: bare identifier, number, string or `#keyword`.
    Value {
        /// The value as text (strings unquoted, escapes decoded).
        text: String,
        /// Whether it was written as a quoted or raw string.
        quoted: bool,
    },
    /// `=`.
    Eq,
    /// `{`.
    Open,
    /// `}`.
    Close,
    /// `;` or a newline: ends a node.
    End,
    /// `/-`: comments out the next node, entry or block.
    SlashDash,
}

/// A token with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokKind,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

fn is_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{85}' | '\u{b}' | '\u{c}' | '\u{2028}' | '\u{2029}'
    )
}

fn is_space(c: char) -> bool {
    !is_newline(c) && c.is_whitespace() || c == '\u{feff}'
}

fn ends_identifier(c: char) -> bool {
    is_newline(c) || is_space(c) || "\\/(){};[]\"#=".contains(c)
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }
    fn peek_at(&self, n: usize) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().nth(n))
    }
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    fn push(&mut self, kind: TokKind, start: usize) {
        self.out.push(Token {
            kind,
            start,
            end: self.pos,
        });
    }

    fn skip_line_comment(&mut self) {
        while let Some(c) = self.peek() {
            if is_newline(c) {
                break;
            }
            self.bump();
        }
    }

    fn skip_block_comment(&mut self) {
        // At `/*`; comments nest.
        self.pos += 2;
        let mut depth = 1;
        while depth > 0 {
            if self.rest().starts_with("/*") {
                self.pos += 2;
                depth += 1;
            } else if self.rest().starts_with("*/") {
                self.pos += 2;
                depth -= 1;
            } else if self.bump().is_none() {
                break;
            }
        }
    }

    fn newline(&mut self) {
        let start = self.pos;
        if self.rest().starts_with("\r\n") {
            self.pos += 2;
        } else {
            self.bump();
        }
        self.push(TokKind::End, start);
    }

    /// `\` then optional space and a comment, then a newline: the node goes on.
    fn continuation(&mut self) {
        self.bump();
        while let Some(c) = self.peek() {
            if is_space(c) {
                self.bump();
            } else {
                break;
            }
        }
        if self.rest().starts_with("//") {
            self.skip_line_comment();
        }
        if self.rest().starts_with("\r\n") {
            self.pos += 2;
        } else if self.peek().is_some_and(is_newline) {
            self.bump();
        }
    }

    fn quoted(&mut self) {
        let start = self.pos;
        if self.rest().starts_with("\"\"\"") {
            self.pos += 3;
            let body = self.pos;
            let end = find_unescaped(self.rest(), "\"\"\"");
            let text = self.rest().get(..end).unwrap_or("").to_string();
            self.pos = (body + end + 3).min(self.text.len());
            self.push(TokKind::Value { text, quoted: true }, start);
            return;
        }
        self.bump();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if is_newline(c) {
                break;
            }
            self.bump();
            match c {
                '"' => break,
                '\\' => match self.bump() {
                    Some('n') => text.push('\n'),
                    Some('t') => text.push('\t'),
                    Some('r') => text.push('\r'),
                    Some(other) if !other.is_whitespace() => text.push(other),
                    _ => {}
                },
                c => text.push(c),
            }
        }
        self.push(TokKind::Value { text, quoted: true }, start);
    }

    /// `#"..."#`, `##"..."##`, `#"""..."""#`.
    fn raw(&mut self) {
        let start = self.pos;
        let hashes = self.rest().chars().take_while(|c| *c == '#').count();
        self.pos += hashes;
        let multi = self.rest().starts_with("\"\"\"");
        let quote = if multi { "\"\"\"" } else { "\"" };
        self.pos += quote.len();
        let close = format!("{quote}{}", "#".repeat(hashes));
        let rest = self.rest();
        let limit = if multi {
            rest.len()
        } else {
            rest.find(is_newline).unwrap_or(rest.len())
        };
        let (text, advance) = match rest.get(..limit).and_then(|r| r.find(&close)) {
            Some(i) => (rest.get(..i).unwrap_or(""), i + close.len()),
            None => (rest.get(..limit).unwrap_or(""), limit),
        };
        let text = text.to_string();
        self.pos += advance;
        self.push(TokKind::Value { text, quoted: true }, start);
    }

    fn bare(&mut self, start: usize) {
        while let Some(c) = self.peek() {
            if ends_identifier(c) {
                break;
            }
            self.bump();
        }
        let text = self.text.get(start..self.pos).unwrap_or("").to_string();
        self.push(
            TokKind::Value {
                text,
                quoted: false,
            },
            start,
        );
    }

    /// `(type)` annotations are skipped.
    fn annotation(&mut self) {
        self.bump();
        while let Some(c) = self.peek() {
            if is_newline(c) {
                break;
            }
            self.bump();
            if c == ')' {
                break;
            }
        }
    }

    fn run(mut self) -> Vec<Token> {
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                c if is_newline(c) => self.newline(),
                c if is_space(c) => {
                    self.bump();
                }
                '/' => match self.peek_at(1) {
                    Some('/') => self.skip_line_comment(),
                    Some('*') => self.skip_block_comment(),
                    Some('-') => {
                        self.pos += 2;
                        self.push(TokKind::SlashDash, start);
                    }
                    _ => {
                        self.bump();
                    }
                },
                '\\' => self.continuation(),
                '"' => self.quoted(),
                '#' => {
                    let after = self.rest().trim_start_matches('#');
                    if after.starts_with('"') {
                        self.raw();
                    } else {
                        self.bump();
                        self.bare(start);
                    }
                }
                '(' => self.annotation(),
                '=' => {
                    self.bump();
                    self.push(TokKind::Eq, start);
                }
                '{' => {
                    self.bump();
                    self.push(TokKind::Open, start);
                }
                '}' => {
                    self.bump();
                    self.push(TokKind::Close, start);
                }
                ';' => {
                    self.bump();
                    self.push(TokKind::End, start);
                }
                ')' | '[' | ']' => {
                    self.bump();
                }
                _ => self.bare(start),
            }
        }
        self.out
    }
}

/// Byte index of the first `pat` in `s` not preceded by a backslash escape.
fn find_unescaped(s: &str, pat: &str) -> usize {
    let mut i = 0;
    while i < s.len() {
        let rest = s.get(i..).unwrap_or("");
        if rest.starts_with('\\') {
            i += 1 + rest.chars().nth(1).map(char::len_utf8).unwrap_or(0);
            continue;
        }
        if rest.starts_with(pat) {
            return i;
        }
        i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
    }
    s.len()
}

/// Tokenizes a text.
pub fn tokenize(text: &str) -> Vec<Token> {
    Lexer {
        text,
        pos: 0,
        out: Vec::new(),
    }
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| match t.kind {
                TokKind::Value { text, quoted: true } => format!("\"{text}\""),
                TokKind::Value { text, .. } => text,
                TokKind::Eq => "=".into(),
                TokKind::Open => "{".into(),
                TokKind::Close => "}".into(),
                TokKind::End => ";".into(),
                TokKind::SlashDash => "/-".into(),
            })
            .collect()
    }

    #[test]
    fn tokens_of_a_node() {
        assert_eq!(
            kinds("port \"http\" 8080 exposure=\"host\" { a #true }\n"),
            [
                "port", "\"http\"", "8080", "exposure", "=", "\"host\"", "{", "a", "#true", "}",
                ";"
            ]
        );
    }

    #[test]
    fn comments_continuations_and_raw_strings() {
        let text = "a /* x /* y */ z */ \"q\\\"\" \\ // c\n  ##\"r\"#\"## // end\n/-b (t)1";
        assert_eq!(
            kinds(text),
            ["a", "\"q\"\"", "\"r\"#\"", ";", "/-", "b", "1"]
        );
    }

    #[test]
    fn unterminated_string_ends_at_the_line() {
        let toks = tokenize("target \"ku\nx");
        assert_eq!(toks[1].end, 10);
        assert_eq!(toks[2].kind, TokKind::End);
    }
}
