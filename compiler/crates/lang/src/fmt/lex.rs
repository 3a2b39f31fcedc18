//! The formatter's view of the syntax tree's tokens.
//!
//! Takes the text of a file and gives every token of its lossless tree
//! (`amc_syntax::syntax::parse_tree`), trivia included (whitespace,
//! newlines, comments, `\` line continuations), in order, so that nothing
//! the author wrote can be lost. The formatter has no lexer of its own: what
//! it sees is what check and the language server see.

use amc_syntax::syntax::kind::{SyntaxKind, SyntaxNode, SyntaxToken};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    /// Unicode spaces (not newlines), and a leading byte order mark.
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

/// Every token of `text`'s syntax tree. `Err` gives the byte offset of a
/// token the tree could not classify (never the case for text that parsed).
#[cfg(test)]
pub(super) fn lex(text: &str) -> Result<Vec<Token<'_>>, usize> {
    tokens(&amc_syntax::syntax::parse_tree(text).tree(), text)
}

/// Every token of `tree`, the tree of `text`.
pub(super) fn tokens<'a>(tree: &SyntaxNode, text: &'a str) -> Result<Vec<Token<'a>>, usize> {
    tree.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .map(|t| token(&t, text))
        .collect()
}

/// The formatter's view of one token of the tree of `text`. `Err` gives its
/// byte offset when it is not a token of a parsed file (an error token).
pub(super) fn token<'a>(t: &SyntaxToken, text: &'a str) -> Result<Token<'a>, usize> {
    let start = usize::from(t.text_range().start());
    let end = usize::from(t.text_range().end());
    let kind = match t.kind() {
        SyntaxKind::WHITESPACE | SyntaxKind::BOM => Tok::Ws,
        SyntaxKind::NEWLINE => Tok::Newline,
        SyntaxKind::LINE_COMMENT => Tok::LineComment,
        SyntaxKind::BLOCK_COMMENT => Tok::BlockComment,
        SyntaxKind::SLASHDASH => Tok::Slashdash,
        SyntaxKind::ESCLINE => Tok::Backslash,
        SyntaxKind::SEMICOLON => Tok::Semi,
        SyntaxKind::L_BRACE => Tok::LBrace,
        SyntaxKind::R_BRACE => Tok::RBrace,
        SyntaxKind::L_PAREN => Tok::LParen,
        SyntaxKind::R_PAREN => Tok::RParen,
        SyntaxKind::EQ => Tok::Eq,
        SyntaxKind::IDENT => Tok::Ident,
        SyntaxKind::STRING => Tok::Quoted,
        SyntaxKind::RAW_STRING => Tok::Raw,
        SyntaxKind::MULTILINE_STRING | SyntaxKind::RAW_MULTILINE_STRING => Tok::MultiLine,
        SyntaxKind::NUMBER => Tok::Number,
        SyntaxKind::KEYWORD => Tok::Keyword,
        _ => return Err(start),
    };
    Ok(Token {
        kind,
        text: text.get(start..end).ok_or(start)?,
        start,
    })
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
        assert!(lex("a [").is_err());
    }
}
