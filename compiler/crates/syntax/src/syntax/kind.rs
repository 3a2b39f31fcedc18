//! The kinds of the lossless syntax tree: tokens (every byte of a file is
//! in exactly one) and the nodes that group them.

/// A token or node kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
#[allow(non_camel_case_types)]
pub enum SyntaxKind {
    // Trivia.
    /// Unicode spaces (not newlines).
    WHITESPACE = 0,
    /// One newline sequence.
    NEWLINE,
    /// `// …` up to, not including, the newline.
    LINE_COMMENT,
    /// `/* … */`, nested.
    BLOCK_COMMENT,
    /// A byte order mark at the very start of the file.
    BOM,
    /// `\`: a line continuation (the trivia after it is separate tokens).
    ESCLINE,

    // Punctuation.
    /// `/-`: comments out the next node, entry or block.
    SLASHDASH,
    /// `;`.
    SEMICOLON,
    /// `{`.
    L_BRACE,
    /// `}`.
    R_BRACE,
    /// `(`.
    L_PAREN,
    /// `)`.
    R_PAREN,
    /// `=`.
    EQ,

    // Values.
    /// A bare identifier string.
    IDENT,
    /// A single-line quoted string.
    STRING,
    /// A multi-line quoted string `"""…"""`.
    MULTILINE_STRING,
    /// A single-line raw string `#"…"#`.
    RAW_STRING,
    /// A multi-line raw string `#"""…"""#`.
    RAW_MULTILINE_STRING,
    /// A number, as written.
    NUMBER,
    /// `#true`, `#false`, `#null`, `#inf`, `#-inf`, `#nan` (or a misspelling).
    KEYWORD,
    /// Text the lexer cannot classify.
    ERROR_TOKEN,

    // Nodes.
    /// A whole file.
    DOCUMENT,
    /// A KDL node: optional type, name, entries, optional children block.
    NODE,
    /// A type annotation `(name)`.
    TYPE,
    /// An argument, or a property (`key=value`: it holds an `EQ`).
    ENTRY,
    /// A children block `{ … }`.
    CHILDREN,
    /// `/-` and the node, entry or block it comments out.
    SLASHDASHED,
    /// Tokens the parser skipped after an error.
    ERROR,
}

impl SyntaxKind {
    /// Whether it is trivia (never meaningful to the language).
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            SyntaxKind::WHITESPACE
                | SyntaxKind::NEWLINE
                | SyntaxKind::LINE_COMMENT
                | SyntaxKind::BLOCK_COMMENT
                | SyntaxKind::BOM
                | SyntaxKind::ESCLINE
        )
    }

    /// Whether it is a string token (usable as a name or key).
    pub fn is_string(self) -> bool {
        matches!(
            self,
            SyntaxKind::IDENT
                | SyntaxKind::STRING
                | SyntaxKind::MULTILINE_STRING
                | SyntaxKind::RAW_STRING
                | SyntaxKind::RAW_MULTILINE_STRING
        )
    }

    /// Whether it is a value token.
    pub fn is_value(self) -> bool {
        self.is_string() || matches!(self, SyntaxKind::NUMBER | SyntaxKind::KEYWORD)
    }

    const LAST: u16 = SyntaxKind::ERROR as u16;

    fn from_raw(raw: u16) -> SyntaxKind {
        const ALL: [SyntaxKind; SyntaxKind::LAST as usize + 1] = [
            SyntaxKind::WHITESPACE,
            SyntaxKind::NEWLINE,
            SyntaxKind::LINE_COMMENT,
            SyntaxKind::BLOCK_COMMENT,
            SyntaxKind::BOM,
            SyntaxKind::ESCLINE,
            SyntaxKind::SLASHDASH,
            SyntaxKind::SEMICOLON,
            SyntaxKind::L_BRACE,
            SyntaxKind::R_BRACE,
            SyntaxKind::L_PAREN,
            SyntaxKind::R_PAREN,
            SyntaxKind::EQ,
            SyntaxKind::IDENT,
            SyntaxKind::STRING,
            SyntaxKind::MULTILINE_STRING,
            SyntaxKind::RAW_STRING,
            SyntaxKind::RAW_MULTILINE_STRING,
            SyntaxKind::NUMBER,
            SyntaxKind::KEYWORD,
            SyntaxKind::ERROR_TOKEN,
            SyntaxKind::DOCUMENT,
            SyntaxKind::NODE,
            SyntaxKind::TYPE,
            SyntaxKind::ENTRY,
            SyntaxKind::CHILDREN,
            SyntaxKind::SLASHDASHED,
            SyntaxKind::ERROR,
        ];
        ALL.get(raw as usize).copied().unwrap_or(SyntaxKind::ERROR)
    }
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(k: SyntaxKind) -> Self {
        rowan::SyntaxKind(k as u16)
    }
}

/// The tree's language, for `rowan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kdl {}

impl rowan::Language for Kdl {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        SyntaxKind::from_raw(raw.0)
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        rowan::SyntaxKind(kind as u16)
    }
}

/// A node of the tree.
pub type SyntaxNode = rowan::SyntaxNode<Kdl>;
/// A token of the tree.
pub type SyntaxToken = rowan::SyntaxToken<Kdl>;
/// A node or a token.
pub type SyntaxElement = rowan::SyntaxElement<Kdl>;

#[cfg(test)]
mod tests {
    use super::*;
    use rowan::Language;

    #[test]
    fn every_kind_round_trips_through_its_raw_number() {
        for raw in 0..=SyntaxKind::LAST {
            let k = Kdl::kind_from_raw(rowan::SyntaxKind(raw));
            assert_eq!(Kdl::kind_to_raw(k).0, raw);
        }
    }
}
