//! `amc fmt`: the canonical layout of a spec file.
//!
//! Takes one file's text and produces its canonical form (see the
//! "Formatting" section of docs/language.md): four-space indentation, one
//! space between parts, arguments before properties, properties in the order
//! the node catalogue (`lang/spec/`) declares them and unknown ones after in
//! source order, strings quoted, at most one blank line in a row, every
//! comment (`//`, `/* */`, `/-`) kept. The result is idempotent.
//!
//! The file is parsed first with the compiler's one parser
//! (`syntax::parse_document`, which also bounds the nesting depth): a file
//! it rejects gets the syntax stage's `E0001` (or `E0004`) and no output.
//! The layout model is a walk over the same lossless tree ([`cst`]: the
//! tree gives the nodes, entries, properties, blocks and slashdashed parts;
//! the trivia between them gives each comment its place), then printed
//! ([`print`]). Before returning, the result is parsed again and
//! compared with the input (same nodes, types, values and comments); a
//! difference is an internal error and no output. Never reads or writes
//! files.

mod cst;
mod lex;
mod print;

use amc_syntax::diagnostics::{Diagnostic, Diagnostics};
use amc_syntax::source::{FileId, Span};
use amc_syntax::syntax::decode;
use amc_syntax::syntax::kind::{SyntaxKind, SyntaxNode};

/// Formats one file. `None` when it does not parse (`E0001` pushed) or the
/// formatter cannot keep its meaning (`E0901` pushed); the caller then leaves
/// the file as it is.
pub fn format_source(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<String> {
    amc_syntax::syntax::parse_document(file, text, diags)?;
    let internal = |offset: usize, what: &str| {
        Diagnostic::internal(format!("the formatter {what}"))
            .label(Span::new(file, offset, offset), "here")
    };
    let tree = amc_syntax::syntax::parse_tree(text).tree();
    let tokens = match lex::tokens(&tree, text) {
        Ok(t) => t,
        Err(at) => {
            diags.push(internal(at, "cannot read this token"));
            return None;
        }
    };
    let items = match cst::parse(&tree, text) {
        Ok(i) => i,
        Err(at) => {
            diags.push(internal(at, "cannot place this token"));
            return None;
        }
    };
    let out = print::file(&items, crate::lang::spec::top_level());
    let reparsed = amc_syntax::syntax::parse_tree(&out);
    let again = reparsed.tree();
    let same = reparsed.errors.is_empty()
        && semantic(&again) == semantic(&tree)
        && comments(&tokens) == comments(&lex::tokens(&again, &out).unwrap_or_default());
    if !same {
        diags.push(internal(
            0,
            "would change the meaning or the comments of this file",
        ));
        return None;
    }
    Some(out)
}

/// Formats text that is not part of a source map (editors, tests). `Err`
/// holds the diagnostics, in a source map of their own.
pub fn format_str(
    name: &str,
    text: &str,
) -> Result<String, (Diagnostics, amc_syntax::source::SourceMap)> {
    let mut map = amc_syntax::source::SourceMap::new();
    let id = map.add(name, text);
    let mut diags = Diagnostics::new();
    format_source(id, text, &mut diags).ok_or((diags, map))
}

/// What the file means, as a string: types, names, arguments, properties
/// (grouped by key, order within a key kept) and children, decoded — over
/// the syntax tree, slashdashed parts left out.
fn semantic(root: &SyntaxNode) -> String {
    fn token_value(t: &amc_syntax::syntax::kind::SyntaxToken) -> String {
        format!("{:?}", decode::value(t.kind(), t.text()).ok())
    }
    fn type_of(n: &SyntaxNode) -> Option<String> {
        n.children()
            .find(|c| c.kind() == SyntaxKind::TYPE)
            .and_then(|t| {
                t.children_with_tokens()
                    .filter_map(|e| e.into_token())
                    .find(|t| t.kind().is_string())
            })
            .map(|t| token_value(&t))
    }
    fn node(n: &SyntaxNode, out: &mut String) {
        let name = n
            .children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind().is_string())
            .map(|t| token_value(&t))
            .unwrap_or_default();
        out.push_str(&format!("{:?}{name}(", type_of(n)));
        let mut props: Vec<(String, String)> = Vec::new();
        for e in n.children().filter(|c| c.kind() == SyntaxKind::ENTRY) {
            let parts = amc_syntax::syntax::entry_parts(&e);
            let value = parts.value.as_ref().map(token_value).unwrap_or_default();
            let v = format!("{:?}{value}", type_of(&e));
            match parts.eq {
                Some(_) => {
                    let key = parts.key.as_ref().map(token_value).unwrap_or_default();
                    props.push((key, v));
                }
                None => {
                    out.push_str(&v);
                    out.push(',');
                }
            }
        }
        props.sort_by(|a, b| a.0.cmp(&b.0));
        out.push_str(&format!("{props:?})"));
        if let Some(c) = n.children().find(|c| c.kind() == SyntaxKind::CHILDREN) {
            out.push('{');
            for k in c.children().filter(|k| k.kind() == SyntaxKind::NODE) {
                node(&k, out);
            }
            out.push('}');
        }
        out.push(';');
    }
    let mut out = String::new();
    for n in root.children().filter(|n| n.kind() == SyntaxKind::NODE) {
        node(&n, &mut out);
    }
    out
}

/// Every comment and slashdash of a token stream, without whitespace, sorted.
fn comments(tokens: &[lex::Token<'_>]) -> Vec<String> {
    let mut v: Vec<String> = tokens
        .iter()
        .filter(|t| {
            matches!(
                t.kind,
                lex::Tok::LineComment | lex::Tok::BlockComment | lex::Tok::Slashdash
            )
        })
        .map(|t| t.text.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests;
