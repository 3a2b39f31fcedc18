//! Semantic tokens: what each word of a buffer is to amc.
//!
//! Takes a buffer's text; reads the compiler's lossless syntax tree (for
//! comments, numbers, keywords, type annotations and slashdashed parts) and
//! the outline with the catalogue (for node names, property keys, and which
//! strings are ids or references to one); produces the LSP token list in the
//! protocol's relative encoding, positions and lengths in UTF-16, a token
//! per line for tokens that span lines. Never reports errors.

use std::collections::BTreeMap;

use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};

use amc_syntax::syntax::kind::{SyntaxKind, SyntaxNode};
use amc_syntax::syntax::parse_tree;

use super::convert::LineIndex;
use super::outline::{ONode, outline};
use super::references::occurrences;

/// Token types, in legend order (the index is the encoded type).
pub const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::COMMENT,
    SemanticTokenType::TYPE,
];

/// Token modifiers, in legend order (bit `i` is modifier `i`).
pub const MODIFIERS: &[SemanticTokenModifier] = &[SemanticTokenModifier::DECLARATION];

const KEYWORD: u32 = 0;
const PROPERTY: u32 = 1;
const STRING: u32 = 2;
const NUMBER: u32 = 3;
const VARIABLE: u32 = 4;
const COMMENT: u32 = 5;
const TYPE: u32 = 6;
const DECLARATION: u32 = 1;

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

/// One token before encoding: a byte range, a type and modifier bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte range.
    pub span: (usize, usize),
    /// Index into [`TYPES`].
    pub ty: u32,
    /// Bits of [`MODIFIERS`].
    pub modifiers: u32,
}

fn names(nodes: &[ONode], out: &mut BTreeMap<usize, (u32, u32)>) {
    for n in nodes {
        out.insert(n.name_span.0, (KEYWORD, 0));
        for p in &n.props {
            out.insert(p.key_span.0, (PROPERTY, 0));
        }
        names(&n.children, out);
    }
}

fn walk(node: &SyntaxNode, classes: &BTreeMap<usize, (u32, u32)>, out: &mut Vec<Token>) {
    for el in node.children_with_tokens() {
        match el {
            rowan::NodeOrToken::Node(n) => match n.kind() {
                SyntaxKind::SLASHDASHED => {
                    let r = n.text_range();
                    out.push(Token {
                        span: (usize::from(r.start()), usize::from(r.end())),
                        ty: COMMENT,
                        modifiers: 0,
                    });
                }
                SyntaxKind::TYPE => {
                    for t in n.children_with_tokens().filter_map(|x| x.into_token()) {
                        if t.kind().is_string() {
                            let r = t.text_range();
                            out.push(Token {
                                span: (usize::from(r.start()), usize::from(r.end())),
                                ty: TYPE,
                                modifiers: 0,
                            });
                        }
                    }
                }
                _ => walk(&n, classes, out),
            },
            rowan::NodeOrToken::Token(t) => {
                let r = t.text_range();
                let span = (usize::from(r.start()), usize::from(r.end()));
                let (ty, modifiers) = match t.kind() {
                    SyntaxKind::LINE_COMMENT | SyntaxKind::BLOCK_COMMENT => (COMMENT, 0),
                    SyntaxKind::NUMBER => (NUMBER, 0),
                    SyntaxKind::KEYWORD => (KEYWORD, 0),
                    k if k.is_string() => classes.get(&span.0).copied().unwrap_or((STRING, 0)),
                    _ => continue,
                };
                out.push(Token {
                    span,
                    ty,
                    modifiers,
                });
            }
        }
    }
}

/// The tokens of a buffer, in source order.
pub fn tokens(text: &str) -> Vec<Token> {
    let nodes = outline(text);
    let mut classes = BTreeMap::new();
    names(&nodes, &mut classes);
    for o in occurrences(&nodes) {
        let modifiers = if o.definition { DECLARATION } else { 0 };
        classes.insert(o.value.span.0, (VARIABLE, modifiers));
    }
    let mut out = Vec::new();
    walk(&parse_tree(text).tree(), &classes, &mut out);
    out.sort_by_key(|t| t.span);
    out
}

/// The tokens of a buffer, encoded: each token relative to the one before
/// (line delta, then start delta on the same line), in UTF-16 units, split
/// at line ends.
pub fn encode(text: &str, tokens: &[Token]) -> SemanticTokens {
    let lines = LineIndex::new(text);
    let mut data = Vec::new();
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for t in tokens {
        let Some(slice) = text.get(t.span.0..t.span.1) else {
            continue;
        };
        let mut offset = t.span.0;
        for part in slice.split_inclusive(['\n', '\r']) {
            let body = part.trim_end_matches(['\n', '\r']);
            let length: usize = body.chars().map(char::len_utf16).sum();
            let start = lines.position(offset);
            offset += part.len();
            if length == 0 {
                continue;
            }
            let delta_line = start.line - prev_line;
            let delta_start = if delta_line == 0 {
                start.character - prev_start
            } else {
                start.character
            };
            data.push(SemanticToken {
                delta_line,
                delta_start,
                length: u32::try_from(length).unwrap_or(u32::MAX),
                token_type: t.ty,
                token_modifiers_bitset: t.modifiers,
            });
            prev_line = start.line;
            prev_start = start.character;
        }
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Vec<(u32, u32, u32, &'static str, u32)> {
        let enc = encode(text, &tokens(text));
        let (mut line, mut start) = (0, 0);
        enc.data
            .iter()
            .map(|t| {
                if t.delta_line > 0 {
                    line += t.delta_line;
                    start = t.delta_start;
                } else {
                    start += t.delta_start;
                }
                (
                    line,
                    start,
                    t.length,
                    TYPES[t.token_type as usize].as_str(),
                    t.token_modifiers_bitset,
                )
            })
            .collect()
    }

    #[test]
    fn tokens_are_classified_and_encoded_in_utf16() {
        let t = "// é😀\nprovider \"p\" extends=\"vllm\"\npod \"é\" {\n    provider \"p\"\n    replicas 2 /-3 #true\n    port \"h\" (u16)80\n}\n";
        assert_eq!(
            decoded(t),
            [
                (0, 0, 6, "comment", 0),
                (1, 0, 8, "keyword", 0),
                (1, 9, 3, "variable", 1),
                (1, 13, 7, "property", 0),
                (1, 21, 6, "variable", 0),
                (2, 0, 3, "keyword", 0),
                (2, 4, 3, "variable", 1),
                (3, 4, 8, "keyword", 0),
                (3, 13, 3, "variable", 0),
                (4, 4, 8, "keyword", 0),
                (4, 13, 1, "number", 0),
                (4, 15, 3, "comment", 0),
                (4, 19, 5, "keyword", 0),
                (5, 4, 4, "keyword", 0),
                (5, 9, 3, "string", 0),
                (5, 14, 3, "type", 0),
                (5, 18, 2, "number", 0),
            ]
        );
    }

    #[test]
    fn multi_line_tokens_split_per_line() {
        let t = "/* a\n😀 */ node";
        assert_eq!(
            decoded(t),
            [
                (0, 0, 4, "comment", 0),
                (1, 0, 5, "comment", 0),
                (1, 6, 4, "keyword", 0)
            ]
        );
    }
}
