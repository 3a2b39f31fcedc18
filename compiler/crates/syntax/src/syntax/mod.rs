//! Syntax: KDL text to a span-carrying tree.
//!
//! Takes one file's text (already in the [`SourceMap`]) and produces a
//! [`Document`] of [`Node`]s, each with byte spans for its name, arguments,
//! properties and children, plus diagnostics for syntax errors. Never fails:
//! a file that does not parse yields an empty document and `E0001`s. It knows
//! nothing about what nodes mean; that is the `lower` stage.
//!
//! Before the `kdl` crate sees a file, [`prescan`] rejects what KDL 2.0
//! forbids but the crate lets through (NUL, DEL, bidirectional controls, a
//! BOM after the start) and nesting deeper than [`MAX_DEPTH`] (the crate's
//! parser is recursive: a few thousand `{` would overflow the stack). After
//! it, every decoded string is checked for control characters (`E0115`):
//! an escape such as `\n` must never reach a unit file or a manifest.

pub mod lex;

use kdl::{KdlDocument, KdlNode, KdlValue};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// A parsed file.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Top-level nodes in source order.
    pub nodes: Vec<Node>,
}

/// A KDL value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A string.
    Str(String),
    /// An integer.
    Int(i128),
    /// A float.
    Float(f64),
    /// `#true` or `#false`.
    Bool(bool),
    /// `#null`.
    Null,
}

impl ValueKind {
    /// Human name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueKind::Str(_) => "string",
            ValueKind::Int(_) => "integer",
            ValueKind::Float(_) => "float",
            ValueKind::Bool(_) => "boolean",
            ValueKind::Null => "null",
        }
    }
}

/// A value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// The value.
    pub kind: ValueKind,
    /// Where the value is written.
    pub span: Span,
}

impl Value {
    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A `key=value` property.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// The key.
    pub name: String,
    /// Span of the key.
    pub name_span: Span,
    /// The value.
    pub value: Value,
    /// Span of `key=value`.
    pub span: Span,
}

/// A KDL node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Node name.
    pub name: String,
    /// Span of the name.
    pub name_span: Span,
    /// Span of the whole node, children included.
    pub span: Span,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Properties in source order (repeats kept, so they can be reported).
    pub props: Vec<Prop>,
    /// Child nodes.
    pub children: Vec<Node>,
    /// Whether a `{ }` block was written.
    pub has_block: bool,
}

impl Node {
    /// The last property with this key (KDL semantics: the rightmost wins).
    pub fn prop(&self, key: &str) -> Option<&Prop> {
        self.props.iter().rev().find(|p| p.name == key)
    }

    /// The first argument.
    pub fn arg(&self, i: usize) -> Option<&Value> {
        self.args.get(i)
    }

    /// Span of the node's head (name, arguments and properties, without the block).
    pub fn head_span(&self) -> Span {
        let mut end = self.name_span.end;
        for a in &self.args {
            end = end.max(a.span.end);
        }
        for p in &self.props {
            end = end.max(p.span.end);
        }
        Span {
            file: self.span.file,
            start: self.span.start,
            end,
        }
    }
}

fn span_of(file: FileId, s: miette::SourceSpan) -> Span {
    Span::new(file, s.offset(), s.offset() + s.len())
}

fn value_kind(v: &KdlValue) -> ValueKind {
    match v {
        KdlValue::String(s) => ValueKind::Str(s.clone()),
        KdlValue::Integer(i) => ValueKind::Int(*i),
        KdlValue::Float(f) => ValueKind::Float(*f),
        KdlValue::Bool(b) => ValueKind::Bool(*b),
        KdlValue::Null => ValueKind::Null,
    }
}

fn convert_node(file: FileId, n: &KdlNode) -> Node {
    let mut args = Vec::new();
    let mut props = Vec::new();
    for e in n.entries() {
        let espan = span_of(file, e.span());
        match e.name() {
            Some(name) => {
                let name_span = span_of(file, name.span());
                // The value follows `name=`: its span is the entry minus the key and '='.
                let vstart = (name_span.end as usize + 1).min(espan.end as usize);
                props.push(Prop {
                    name: name.value().to_string(),
                    name_span,
                    value: Value {
                        kind: value_kind(e.value()),
                        span: Span::new(file, vstart, espan.end as usize),
                    },
                    span: espan,
                });
            }
            None => args.push(Value {
                kind: value_kind(e.value()),
                span: espan,
            }),
        }
    }
    let children: Vec<Node> = n
        .children()
        .map(|d| d.nodes().iter().map(|c| convert_node(file, c)).collect())
        .unwrap_or_default();
    Node {
        name: n.name().value().to_string(),
        name_span: span_of(file, n.name().span()),
        span: span_of(file, n.span()),
        args,
        props,
        children,
        has_block: n.children().is_some(),
    }
}

/// How deep `{ }` blocks may nest. amc's deepest node is four levels down;
/// the limit leaves room for slashdashed blocks and future nodes.
pub const MAX_DEPTH: usize = 64;

/// The longest string value, node name or key, in bytes.
pub const MAX_STRING: usize = 4096;

/// The name of a code point KDL 2.0 forbids in a document, if `c` is one.
/// A BOM is allowed only as the very first character (`at_start`).
pub fn forbidden_code_point(c: char, at_start: bool) -> Option<&'static str> {
    match c {
        '\u{0}' => Some("NUL"),
        '\u{1}'..='\u{8}' | '\u{e}'..='\u{1f}' => Some("a control character"),
        '\u{7f}' => Some("DELETE"),
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            Some("a bidirectional control character")
        }
        '\u{feff}' if !at_start => Some("a byte order mark after the start of the file"),
        _ => None,
    }
}

/// Whether a decoded string value holds a character that must never reach
/// an emitted file: C0 and C1 controls (newline and tab included), DEL,
/// line and paragraph separators, bidirectional controls and BOMs.
pub fn control_character(s: &str) -> Option<(usize, char)> {
    s.char_indices().find(|(_, c)| {
        c.is_control()
            || matches!(*c, '\u{2028}' | '\u{2029}' | '\u{feff}')
            || forbidden_code_point(*c, false).is_some()
    })
}

/// Checks what the `kdl` crate does not: forbidden code points and nesting
/// depth. Returns `false` when the file must not be handed to the parser.
pub fn prescan(file: FileId, text: &str, diags: &mut Diagnostics) -> bool {
    let mut ok = true;
    let mut reported = 0;
    for (i, c) in text.char_indices() {
        if let Some(what) = forbidden_code_point(c, i == 0) {
            ok = false;
            reported += 1;
            if reported <= 20 {
                diags.push(
                    Diagnostic::new(
                        Code::E0001,
                        format!("KDL syntax error: {what} (U+{:04X}) is not allowed in a KDL document", c as u32),
                    )
                    .label(Span::new(file, i, i + c.len_utf8()), "here")
                    .help("remove it: editors often show it as nothing at all, and KDL 2.0 documents may not contain it"),
                );
            }
        }
    }
    if !ok {
        return false;
    }
    let mut depth = 0usize;
    for t in lex::tokenize(text) {
        match t.kind {
            lex::TokKind::Open => {
                depth += 1;
                if depth > MAX_DEPTH {
                    diags.push(
                        Diagnostic::new(
                            Code::E0004,
                            format!("blocks nest more than {MAX_DEPTH} levels deep"),
                        )
                        .label(Span::new(file, t.start, t.end), "too deep")
                        .help("amc specs nest a few levels at most; this file is probably generated wrongly"),
                    );
                    return false;
                }
            }
            lex::TokKind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// Parses a file with the `kdl` crate after [`prescan`]; `None` (with
/// diagnostics) when it does not parse. Shared by [`parse`] and `fmt`.
pub fn parse_kdl(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<KdlDocument> {
    if !prescan(file, text, diags) {
        return None;
    }
    match KdlDocument::parse_v2(text) {
        Ok(doc) => Some(doc),
        Err(err) => {
            for d in &err.diagnostics {
                let span = span_of(file, d.span);
                let message = d
                    .message
                    .clone()
                    .unwrap_or_else(|| "invalid KDL".to_string());
                let label = d.label.clone().unwrap_or_else(|| "here".to_string());
                let help = d.help.clone().unwrap_or_else(|| {
                    "amc specs are KDL 2.0 documents: see docs/language.md".to_string()
                });
                diags.push(
                    Diagnostic::new(Code::E0001, format!("KDL syntax error: {message}"))
                        .label(span, label)
                        .help(help),
                );
            }
            if err.diagnostics.is_empty() {
                diags.push(
                    Diagnostic::new(Code::E0001, "KDL syntax error")
                        .label(Span::new(file, 0, 0), "in this file"),
                );
            }
            None
        }
    }
}

/// Parses one file. Syntax errors become `E0001` diagnostics; a string
/// holding a control character is `E0115` (the node is kept, so later
/// stages still report on the rest of the file).
pub fn parse(file: FileId, text: &str, diags: &mut Diagnostics) -> Document {
    let Some(doc) = parse_kdl(file, text, diags) else {
        return Document::default();
    };
    let nodes: Vec<Node> = doc.nodes().iter().map(|n| convert_node(file, n)).collect();
    let mut stack: Vec<&Node> = nodes.iter().collect();
    let mut too_long = false;
    while let Some(n) = stack.pop() {
        for v in n.args.iter().chain(n.props.iter().map(|p| &p.value)) {
            if v.as_str().is_some_and(|s| s.len() > MAX_STRING) {
                too_long = true;
                diags.push(
                    Diagnostic::new(
                        Code::E0004,
                        format!("a string is longer than {MAX_STRING} bytes"),
                    )
                    .label(Span::new(file, v.span.start as usize, v.span.start as usize + 1), "this string")
                    .help("no amc value needs more; keep long text (prompts, documents) in files the pod mounts"),
                );
            }
        }
        let strings = n
            .args
            .iter()
            .chain(n.props.iter().map(|p| &p.value))
            .filter_map(|v| v.as_str().map(|s| (s, v.span)))
            .chain(n.props.iter().map(|p| (p.name.as_str(), p.name_span)))
            .chain(std::iter::once((n.name.as_str(), n.name_span)));
        for (s, span) in strings {
            if let Some((_, c)) = control_character(s) {
                diags.push(
                    Diagnostic::new(
                        Code::E0115,
                        format!("a string holds the control character U+{:04X}", c as u32),
                    )
                    .label(span, "this string")
                    .help("values reach unit files, manifests and command lines, where a newline or other control character would change their meaning; write the value on one line without escapes such as `\\n` or `\\t`"),
                );
            }
        }
        stack.extend(n.children.iter());
    }
    if too_long {
        // Every later message would quote the huge value: the file
        // contributes no nodes, as after a syntax error.
        return Document::default();
    }
    Document { nodes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn parse_str(text: &str) -> (Document, Diagnostics, SourceMap) {
        let mut map = SourceMap::new();
        let id = map.add("t.kdl", text);
        let mut diags = Diagnostics::new();
        let doc = parse(id, text, &mut diags);
        (doc, diags, map)
    }

    #[test]
    fn property_value_span_excludes_key() {
        let (doc, diags, map) = parse_str("pod \"a\" replicas=3 {\n  tenant \"t\"\n}\n");
        assert!(diags.is_empty());
        let n = &doc.nodes[0];
        assert_eq!(map.snippet(n.name_span), "pod");
        assert_eq!(map.snippet(n.args[0].span), "\"a\"");
        assert_eq!(map.snippet(n.props[0].value.span), "3");
        assert_eq!(map.snippet(n.props[0].name_span), "replicas");
        assert_eq!(map.snippet(n.children[0].args[0].span), "\"t\"");
    }

    #[test]
    fn syntax_error_is_a_diagnostic() {
        let (doc, diags, map) = parse_str("pod \"a\n");
        assert!(doc.nodes.is_empty());
        let d = diags.sorted();
        assert_eq!(d[0].code, Code::E0001);
        let f = map.get(d[0].labels[0].span.file).unwrap();
        assert_eq!(f.line_col(d[0].labels[0].span.start as usize).0, 1);
    }
}
