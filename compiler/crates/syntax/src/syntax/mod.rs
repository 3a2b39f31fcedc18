//! Syntax: KDL text to one lossless tree, and the span-carrying document
//! the language reads from it.
//!
//! One parser serves the whole compiler: [`parse_tree`] turns any text into
//! a lossless `rowan` tree ([`kind`], [`lexer`], [`parser`]) in which every
//! byte has a place — trivia and comments included — with error recovery,
//! so one pass reports every syntax error and half-typed editor buffers
//! still get a tree. `amc fmt` prints from that tree, the language server
//! reads its outline from it, and [`parse`] reads a [`Document`] of
//! [`Node`]s from it for the language (names, decoded values — [`decode`] —
//! and byte spans for names, arguments, properties and children). The
//! `kdl` crate is no longer the parser: it is the conformance oracle of the
//! tests (the KDL 2.0 test suite in `tests/kdl-suite/`, and every spec in
//! the repository, must give the same documents and spans).
//!
//! [`parse`] never fails: a file that does not parse yields an empty
//! document and `E0001`s. [`prescan`] first rejects what KDL 2.0 forbids
//! (NUL, DEL, bidirectional controls, a BOM after the start) and nesting
//! deeper than [`MAX_DEPTH`]; after parsing, every decoded string is checked
//! for control characters (`E0115`): an escape such as `\n` must never
//! reach a unit file or a manifest. It knows nothing about what nodes mean;
//! that is the `lower` stage.

pub mod decode;
pub mod kind;
pub mod lexer;
pub mod parser;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use kind::{SyntaxKind, SyntaxNode};

/// A syntax error: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What is wrong.
    pub message: String,
    /// The label at the span.
    pub label: String,
    /// How to fix it.
    pub help: String,
}

/// A file's lossless tree and its syntax errors.
#[derive(Debug, Clone)]
pub struct Parse {
    /// The tree (its text is the file's text, byte for byte).
    pub green: rowan::GreenNode,
    /// Every syntax error, in source order.
    pub errors: Vec<SyntaxError>,
}

impl Parse {
    /// The root `DOCUMENT` node.
    pub fn tree(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }
}

/// Parses any text into its lossless tree (with every lexical and
/// syntactic error; values are not decoded).
pub fn parse_tree(text: &str) -> Parse {
    let (tokens, mut errors) = lexer::lex(text);
    let (green, parse_errors) = parser::parse(text, &tokens);
    errors.extend(parse_errors);
    errors.sort_by_key(|e| (e.start, e.end));
    // One error per line: after the first, the rest of a line is usually
    // the same mistake seen again by recovery.
    let mut last_line = None;
    errors.retain(|e| {
        let line = text
            .get(..e.start)
            .map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count());
        let keep = last_line != Some(line);
        last_line = Some(line);
        keep
    });
    Parse { green, errors }
}

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

fn range(file: FileId, r: rowan::TextRange) -> Span {
    Span::new(file, usize::from(r.start()), usize::from(r.end()))
}

/// Reads the document of a tree without syntax errors: names, decoded
/// values and spans. Errors are values that do not decode.
fn document(file: FileId, root: &SyntaxNode, errors: &mut Vec<SyntaxError>) -> Vec<Node> {
    root.children()
        .filter(|n| n.kind() == SyntaxKind::NODE)
        .map(|n| node(file, &n, errors))
        .collect()
}

fn decoded(
    kind: SyntaxKind,
    text: &str,
    start: usize,
    end: usize,
    errors: &mut Vec<SyntaxError>,
) -> ValueKind {
    match decode::value(kind, text) {
        Ok(v) => v,
        Err((message, label, help)) => {
            errors.push(SyntaxError {
                start,
                end,
                message,
                label: label.to_string(),
                help: help.to_string(),
            });
            ValueKind::Null
        }
    }
}

fn node(file: FileId, n: &SyntaxNode, errors: &mut Vec<SyntaxError>) -> Node {
    let mut name = String::new();
    let mut name_span = Span::new(file, 0, 0);
    let mut args = Vec::new();
    let mut props = Vec::new();
    let mut children = Vec::new();
    let mut has_block = false;
    let mut start = None;
    // The node's span ends before its terminator: `;`, or a line comment
    // and the newline (the spaces before them are the node's).
    let elements: Vec<_> = n.children_with_tokens().collect();
    let mut last = elements.len();
    let kind_at = |i: usize| elements.get(i).map(|e| e.kind());
    if last > 0 && kind_at(last - 1) == Some(SyntaxKind::SEMICOLON) {
        last -= 1;
    } else {
        if last > 0 && kind_at(last - 1) == Some(SyntaxKind::NEWLINE) {
            last -= 1;
        }
        if last > 0 && kind_at(last - 1) == Some(SyntaxKind::LINE_COMMENT) {
            last -= 1;
        }
    }
    let end = if last == 0 {
        usize::from(n.text_range().start())
    } else {
        usize::from(elements[last - 1].text_range().end())
    };
    for el in &elements[..last] {
        match el {
            rowan::NodeOrToken::Token(t) => {
                if t.kind().is_string() && name_span.end == 0 && name.is_empty() {
                    let r = range(file, t.text_range());
                    start.get_or_insert(r.start as usize);
                    name_span = r;
                    if let ValueKind::Str(s) =
                        decoded(t.kind(), t.text(), r.start as usize, r.end as usize, errors)
                    {
                        name = s;
                    }
                }
            }
            rowan::NodeOrToken::Node(c) => match c.kind() {
                SyntaxKind::TYPE => {
                    start.get_or_insert(usize::from(c.text_range().start()));
                }
                SyntaxKind::ENTRY => entry(file, c, &mut args, &mut props, errors),
                SyntaxKind::CHILDREN => {
                    has_block = true;
                    children = document(file, c, errors);
                }
                _ => {}
            },
        }
    }
    Node {
        name,
        name_span,
        span: Span::new(file, start.unwrap_or(end), end),
        args,
        props,
        children,
        has_block,
    }
}

/// The parts of an `ENTRY`: for a property its key and `=`, and the value
/// token (the first after `=`; missing while a property is half-typed).
#[derive(Debug, Clone, Default)]
pub struct EntryParts {
    /// A property's key.
    pub key: Option<kind::SyntaxToken>,
    /// A property's `=`.
    pub eq: Option<kind::SyntaxToken>,
    /// The value.
    pub value: Option<kind::SyntaxToken>,
}

/// Reads an `ENTRY` node's parts.
pub fn entry_parts(e: &SyntaxNode) -> EntryParts {
    let tokens: Vec<kind::SyntaxToken> = e
        .children_with_tokens()
        .filter_map(|x| x.into_token())
        .collect();
    match tokens.iter().position(|t| t.kind() == SyntaxKind::EQ) {
        Some(i) => EntryParts {
            key: tokens[..i].iter().find(|t| t.kind().is_string()).cloned(),
            eq: Some(tokens[i].clone()),
            value: tokens[i + 1..]
                .iter()
                .find(|t| t.kind().is_value())
                .cloned(),
        },
        None => EntryParts {
            value: tokens.iter().rev().find(|t| t.kind().is_value()).cloned(),
            ..EntryParts::default()
        },
    }
}

fn entry(
    file: FileId,
    e: &SyntaxNode,
    args: &mut Vec<Value>,
    props: &mut Vec<Prop>,
    errors: &mut Vec<SyntaxError>,
) {
    let espan = range(file, e.text_range());
    let parts = entry_parts(e);
    let Some(vt) = &parts.value else { return };
    let vr = range(file, vt.text_range());
    let kind = decoded(
        vt.kind(),
        vt.text(),
        vr.start as usize,
        vr.end as usize,
        errors,
    );
    match parts.eq {
        Some(_) => {
            let Some(key) = &parts.key else {
                return;
            };
            let name_span = range(file, key.text_range());
            let name = match decoded(
                key.kind(),
                key.text(),
                name_span.start as usize,
                name_span.end as usize,
                errors,
            ) {
                ValueKind::Str(s) => s,
                _ => String::new(),
            };
            // The value follows `name=`: its span is the entry minus the key and '='.
            let vstart = (name_span.end as usize + 1).min(espan.end as usize);
            props.push(Prop {
                name,
                name_span,
                value: Value {
                    kind,
                    span: Span::new(file, vstart, espan.end as usize),
                },
                span: espan,
            });
        }
        None => args.push(Value { kind, span: espan }),
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
    let mut at = 0usize;
    for t in lexer::lex(text).0 {
        let start = at;
        at += t.len;
        match t.kind {
            SyntaxKind::L_BRACE => {
                depth += 1;
                if depth > MAX_DEPTH {
                    diags.push(
                        Diagnostic::new(
                            Code::E0004,
                            format!("blocks nest more than {MAX_DEPTH} levels deep"),
                        )
                        .label(Span::new(file, start, at), "too deep")
                        .help("amc specs nest a few levels at most; this file is probably generated wrongly"),
                    );
                    return false;
                }
            }
            SyntaxKind::R_BRACE => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

fn report(file: FileId, errors: &[SyntaxError], diags: &mut Diagnostics) {
    for e in errors {
        diags.push(
            Diagnostic::new(Code::E0001, format!("KDL syntax error: {}", e.message))
                .label(Span::new(file, e.start, e.end), e.label.clone())
                .help(e.help.clone()),
        );
    }
}

/// The document of a file after [`prescan`], or `None` (with `E0001`s for
/// every syntax error and every value that does not decode).
pub fn parse_document(file: FileId, text: &str, diags: &mut Diagnostics) -> Option<Vec<Node>> {
    if !prescan(file, text, diags) {
        return None;
    }
    let parsed = parse_tree(text);
    if !parsed.errors.is_empty() {
        report(file, &parsed.errors, diags);
        return None;
    }
    let mut errors = Vec::new();
    let nodes = document(file, &parsed.tree(), &mut errors);
    if !errors.is_empty() {
        report(file, &errors, diags);
        return None;
    }
    Some(nodes)
}

/// Parses one file. Syntax errors become `E0001` diagnostics; a string
/// holding a control character is `E0115` (the node is kept, so later
/// stages still report on the rest of the file).
pub fn parse(file: FileId, text: &str, diags: &mut Diagnostics) -> Document {
    let Some(nodes) = parse_document(file, text, diags) else {
        return Document::default();
    };
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
    fn the_tree_parser_bounds_nesting_itself() {
        // The editor parses buffers with `parse_tree` directly, without the
        // prescan: a hundred thousand open blocks must give one error and a
        // tree no deeper than the limit, holding every byte.
        let text = format!("{}{}", "a {".repeat(100_000), "}".repeat(100_000));
        let p = parse_tree(&text);
        assert_eq!(p.tree().text().to_string(), text);
        let deep: Vec<_> = p
            .errors
            .iter()
            .filter(|e| e.message.contains("levels deep"))
            .collect();
        assert_eq!(deep.len(), 1, "{:?}", p.errors);
        let (mut depth, mut max) = (0usize, 0usize);
        for ev in p.tree().preorder() {
            match ev {
                rowan::WalkEvent::Enter(_) => {
                    depth += 1;
                    max = max.max(depth);
                }
                rowan::WalkEvent::Leave(_) => depth -= 1,
            }
        }
        assert!(max <= 3 * MAX_DEPTH + 4, "tree depth {max}");
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

    #[test]
    fn every_syntax_error_of_a_file_is_reported_in_one_pass() {
        let text = "a \"open\nb [x]\nc {\n  d 1 = 2\n}\n}\ne 0x\n";
        let (doc, diags, map) = parse_str(text);
        assert!(doc.nodes.is_empty());
        let lines: Vec<usize> = diags
            .sorted()
            .iter()
            .map(|d| {
                let s = d.labels[0].span;
                map.get(s.file).unwrap().line_col(s.start as usize).0
            })
            .collect();
        // The string, the bracket, the stray `=`, the stray `}`: four lines,
        // each reported (the bad number waits for the structure to parse).
        assert_eq!(lines, vec![1, 2, 4, 6], "{:?}", diags.sorted());
    }

    #[test]
    fn the_tree_is_the_text() {
        let text = "// c\n(t)node 1 /-2 k=(u8)3 { child; }\n/-gone\n";
        let p = parse_tree(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.tree().text().to_string(), text);
        let kinds: Vec<_> = p.tree().children().map(|n| n.kind()).collect();
        assert_eq!(kinds, vec![SyntaxKind::NODE, SyntaxKind::SLASHDASHED]);
    }
}
