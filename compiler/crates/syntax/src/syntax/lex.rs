//! The editor's token view (the language server's outline reads it).
//!
//! Takes the text of a buffer that is often half-typed and gives the tokens
//! of the syntax tree's own lexer, reduced to what editor features need:
//! values (bare identifiers, numbers, decoded strings, `#` keywords), `=`,
//! braces, node terminators and `/-`. Comments, whitespace, line
//! continuations and type annotations are dropped. It never fails: an
//! unterminated string ends at the end of its line. It does not judge
//! validity; the parser does that for diagnostics.

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

/// Tokenizes a text: the tokens of the syntax tree's lexer
/// ([`super::lexer`]), reduced to what editor features read.
pub fn tokenize(text: &str) -> Vec<Token> {
    use super::kind::SyntaxKind as K;
    let mut out = Vec::new();
    let mut at = 0usize;
    let mut in_type = false;
    let mut continued = false;
    for t in super::lexer::lex(text).0 {
        let (start, end) = (at, at + t.len);
        at = end;
        let src = text.get(start..end).unwrap_or("");
        if in_type {
            in_type = !matches!(t.kind, K::R_PAREN | K::NEWLINE);
            if t.kind != K::NEWLINE {
                continue;
            }
        }
        let kind = match t.kind {
            K::ESCLINE => {
                continued = true;
                continue;
            }
            K::NEWLINE if continued => {
                continued = false;
                continue;
            }
            K::NEWLINE | K::SEMICOLON => TokKind::End,
            K::L_BRACE => TokKind::Open,
            K::R_BRACE => TokKind::Close,
            K::EQ => TokKind::Eq,
            K::SLASHDASH => TokKind::SlashDash,
            K::L_PAREN => {
                in_type = true;
                continue;
            }
            K::IDENT | K::NUMBER | K::KEYWORD => TokKind::Value {
                text: src.to_string(),
                quoted: false,
            },
            k if k.is_string() => TokKind::Value {
                text: super::decode::string(k, src).unwrap_or_else(|_| {
                    src.trim_start_matches('#')
                        .trim_start_matches('"')
                        .trim_end_matches('#')
                        .trim_end_matches('"')
                        .to_string()
                }),
                quoted: true,
            },
            _ => continue,
        };
        if !matches!(t.kind, K::WHITESPACE | K::BLOCK_COMMENT | K::LINE_COMMENT) {
            continued = false;
        }
        out.push(Token { kind, start, end });
    }
    out
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
