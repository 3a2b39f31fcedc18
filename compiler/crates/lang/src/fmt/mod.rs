//! `amc fmt`: the canonical layout of a spec file.
//!
//! Takes one file's text and produces its canonical form (see the
//! "Formatting" section of docs/language.md): four-space indentation, one
//! space between parts, arguments before properties, properties in the order
//! the node catalogue (`lang/spec/`) declares them and unknown ones after in
//! source order, strings quoted, at most one blank line in a row, every
//! comment (`//`, `/* */`, `/-`) kept. The result is idempotent.
//!
//! `kdl` parses the file first (through `syntax::parse_kdl`, which also
//! bounds the nesting depth): a file it rejects gets the syntax stage's
//! `E0001` (or `E0004`) and no output. The layout itself is done over a lossless token
//! stream ([`lex`], [`cst`], [`print`]) because `kdl`'s own `autoformat`
//! drops inline comments, slashdashed entries, comments after a closing `}`
//! and blank lines. Before returning, the result is parsed again and compared
//! with the input (same nodes, values and comments); a difference is an
//! internal error and no output. Never reads or writes files.

mod cst;
mod lex;
mod print;

use kdl::{KdlDocument, KdlNode};

use amc_syntax::diagnostics::{Diagnostic, Diagnostics};
use amc_syntax::source::{FileId, Span};

/// Formats one file. `None` when it does not parse (`E0001` pushed) or the
/// formatter cannot keep its meaning (`E0901` pushed); the caller then leaves
/// the file as it is.
pub fn format_source(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<String> {
    let original = amc_syntax::syntax::parse_kdl(file, text, diags)?;
    let internal = |offset: usize, what: &str| {
        Diagnostic::internal(format!("the formatter {what}"))
            .label(Span::new(file, offset, offset), "here")
    };
    let tokens = match lex::lex(text) {
        Ok(t) => t,
        Err(at) => {
            diags.push(internal(at, "cannot read this token"));
            return None;
        }
    };
    let items = match cst::parse(&tokens, text) {
        Ok(i) => i,
        Err(at) => {
            diags.push(internal(at, "cannot place this token"));
            return None;
        }
    };
    let out = print::file(&items, crate::lang::spec::top_level());
    let same = KdlDocument::parse_v2(&out)
        .map(|d| semantic(&d) == semantic(&original))
        .unwrap_or(false);
    if !same || comments(text) != comments(&out) {
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

/// What the file means, as a string: names, types, arguments, properties
/// (grouped by key, order within a key kept) and children.
fn semantic(doc: &KdlDocument) -> String {
    fn node(n: &KdlNode, out: &mut String) {
        out.push_str(&format!(
            "{:?}{:?}(",
            n.ty().map(|t| t.value()),
            n.name().value()
        ));
        let mut props: Vec<(String, String)> = Vec::new();
        for e in n.entries() {
            let v = format!("{:?}{:?}", e.ty().map(|t| t.value()), e.value());
            match e.name() {
                Some(k) => props.push((k.value().to_string(), v)),
                None => {
                    out.push_str(&v);
                    out.push(',');
                }
            }
        }
        props.sort_by(|a, b| a.0.cmp(&b.0));
        out.push_str(&format!("{props:?})"));
        if let Some(c) = n.children() {
            out.push('{');
            for k in c.nodes() {
                node(k, out);
            }
            out.push('}');
        }
        out.push(';');
    }
    let mut out = String::new();
    for n in doc.nodes() {
        node(n, &mut out);
    }
    out
}

/// Every comment and slashdash of a text, without whitespace, sorted.
fn comments(text: &str) -> Vec<String> {
    let mut v: Vec<String> = lex::lex(text)
        .unwrap_or_default()
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
