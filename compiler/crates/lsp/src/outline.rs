//! A tolerant outline of a KDL buffer, and what sits under the cursor.
//!
//! Takes a buffer's text (often half-typed: unclosed blocks, a lone `key=`)
//! and produces a tree of nodes with byte spans for names, arguments,
//! properties and blocks, using [`super::lex`]. Hover, completion and
//! go-to-definition read it; it agrees with `syntax::parse` on valid files (a
//! test checks every example and stdlib file). Never reports errors.

use amc_syntax::syntax::lex::{TokKind, Token, tokenize};

/// A value as written (argument or property value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OValue {
    /// The value as text (strings unquoted).
    pub text: String,
    /// Whether it was quoted.
    pub quoted: bool,
    /// Byte range as written (quotes included).
    pub span: (usize, usize),
}

/// A `key=value` property; the value may be missing while typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OProp {
    /// The key.
    pub key: String,
    /// Byte range of the key.
    pub key_span: (usize, usize),
    /// Byte offset just after `=`.
    pub eq_end: usize,
    /// The value, if one follows.
    pub value: Option<OValue>,
}

/// A node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ONode {
    /// Node name.
    pub name: String,
    /// Byte range of the name.
    pub name_span: (usize, usize),
    /// Where the head (name and entries) ends: the offset of the `{`, `;`,
    /// newline or `}` that ends it, or the end of the text.
    pub head_end: usize,
    /// Byte range of the whole node, block included.
    pub span: (usize, usize),
    /// Arguments.
    pub args: Vec<OValue>,
    /// Properties.
    pub props: Vec<OProp>,
    /// Children.
    pub children: Vec<ONode>,
    /// Offset of `{` and of the matching `}` (if written).
    pub block: Option<(usize, Option<usize>)>,
}

impl ONode {
    /// The first argument's text.
    pub fn first_arg(&self) -> Option<&str> {
        self.args.first().map(|a| a.text.as_str())
    }
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }
    fn peek_kind(&self, n: usize) -> Option<&TokKind> {
        self.toks.get(self.i + n).map(|t| &t.kind)
    }

    fn block(&mut self, nested: bool) -> Vec<ONode> {
        let mut nodes = Vec::new();
        while let Some(t) = self.peek() {
            match &t.kind {
                TokKind::End | TokKind::Eq => self.i += 1,
                TokKind::Close => {
                    if nested {
                        return nodes;
                    }
                    self.i += 1;
                }
                TokKind::Open => {
                    // A block without a node: parse it to keep braces balanced.
                    self.i += 1;
                    self.block(true);
                    if matches!(self.peek_kind(0), Some(TokKind::Close)) {
                        self.i += 1;
                    }
                }
                TokKind::SlashDash => {
                    self.i += 1;
                    while matches!(self.peek_kind(0), Some(TokKind::End)) {
                        self.i += 1;
                    }
                    if matches!(self.peek_kind(0), Some(TokKind::Value { .. })) {
                        self.node();
                    }
                }
                TokKind::Value { .. } => nodes.push(self.node()),
            }
        }
        nodes
    }

    fn value(&mut self) -> Option<OValue> {
        let t = self.peek()?;
        let TokKind::Value { text, quoted } = &t.kind else {
            return None;
        };
        let v = OValue {
            text: text.clone(),
            quoted: *quoted,
            span: (t.start, t.end),
        };
        self.i += 1;
        Some(v)
    }

    /// At a value token: the node it names.
    fn node(&mut self) -> ONode {
        let mut n = ONode {
            name: String::new(),
            name_span: (0, 0),
            head_end: self.len,
            span: (0, 0),
            args: Vec::new(),
            props: Vec::new(),
            children: Vec::new(),
            block: None,
        };
        if let Some(v) = self.value() {
            n.name = v.text;
            n.name_span = v.span;
        }
        let mut end = n.name_span.1;
        let mut skip_next = false;
        while let Some(t) = self.peek().cloned() {
            match t.kind {
                TokKind::End => {
                    n.head_end = t.start;
                    self.i += 1;
                    break;
                }
                TokKind::Close => {
                    n.head_end = t.start;
                    break;
                }
                TokKind::Open => {
                    n.head_end = t.start;
                    self.i += 1;
                    let children = self.block(true);
                    let close = match self.peek() {
                        Some(c) if c.kind == TokKind::Close => {
                            let at = c.start;
                            self.i += 1;
                            Some(at)
                        }
                        _ => None,
                    };
                    end = close.map(|c| c + 1).unwrap_or(self.len);
                    if skip_next {
                        skip_next = false;
                        continue;
                    }
                    n.block = Some((t.start, close));
                    n.children = children;
                    break;
                }
                TokKind::SlashDash => {
                    self.i += 1;
                    skip_next = true;
                }
                TokKind::Eq => self.i += 1,
                TokKind::Value { .. } => {
                    let Some(v) = self.value() else { break };
                    end = v.span.1;
                    if matches!(self.peek_kind(0), Some(TokKind::Eq)) {
                        let eq_end = self.peek().map(|t| t.end).unwrap_or(v.span.1);
                        self.i += 1;
                        let value = self.value();
                        end = value.as_ref().map(|x| x.span.1).unwrap_or(eq_end);
                        if !std::mem::take(&mut skip_next) {
                            n.props.push(OProp {
                                key: v.text,
                                key_span: v.span,
                                eq_end,
                                value,
                            });
                        }
                    } else if !std::mem::take(&mut skip_next) {
                        n.args.push(v);
                    }
                }
            }
        }
        n.span = (n.name_span.0, end.max(n.name_span.1));
        n
    }
}

/// Parses a buffer into top-level nodes.
pub fn outline(text: &str) -> Vec<ONode> {
    let mut p = Parser {
        toks: tokenize(text),
        i: 0,
        len: text.len(),
    };
    p.block(false)
}

/// What the cursor is on, inside the innermost node it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spot {
    /// A node's name.
    Name,
    /// A property key (index into `props`).
    PropKey(usize),
    /// A property value, or just after its `=` (index into `props`).
    PropValue(usize),
    /// An argument (index into `args`).
    Arg(usize),
    /// Blank space in a node's head, after its name.
    Head,
    /// Inside a block (or at the top level), not on any node's head.
    Body,
}

/// The cursor's place: the chain of nodes it is in and the spot in the last.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    /// Enclosing nodes, outermost first. For `Spot::Body` the last is the
    /// block's owner (empty at the top level); otherwise the node whose head
    /// holds the cursor.
    pub path: Vec<&'a ONode>,
    /// What the cursor is on.
    pub spot: Spot,
}

impl<'a> Cursor<'a> {
    /// The node the spot belongs to (`None` at the top level).
    pub fn node(&self) -> Option<&'a ONode> {
        self.path.last().copied()
    }
    /// Names of the enclosing nodes, outermost first.
    pub fn names(&self) -> Vec<&'a str> {
        self.path.iter().map(|n| n.name.as_str()).collect()
    }
}

fn inside(span: (usize, usize), off: usize) -> bool {
    span.0 <= off && off <= span.1
}

fn spot_in_head(n: &ONode, off: usize) -> Spot {
    if inside(n.name_span, off) {
        return Spot::Name;
    }
    for (i, p) in n.props.iter().enumerate() {
        if inside(p.key_span, off) {
            return Spot::PropKey(i);
        }
        let vend = p.value.as_ref().map(|v| v.span.1).unwrap_or(p.eq_end);
        if p.key_span.1 < off && off <= vend {
            return Spot::PropValue(i);
        }
    }
    for (i, a) in n.args.iter().enumerate() {
        if inside(a.span, off) {
            return Spot::Arg(i);
        }
    }
    Spot::Head
}

/// Where `offset` is in the outline.
pub fn locate(nodes: &[ONode], offset: usize) -> Cursor<'_> {
    let mut path: Vec<&ONode> = Vec::new();
    let mut level = nodes;
    'descend: loop {
        for n in level {
            if n.name_span.0 <= offset && offset <= n.head_end {
                path.push(n);
                return Cursor {
                    path,
                    spot: spot_in_head(n, offset),
                };
            }
            if let Some((open, close)) = n.block
                && open < offset
                && close.is_none_or(|c| offset <= c)
            {
                path.push(n);
                level = &n.children;
                continue 'descend;
            }
        }
        return Cursor {
            path,
            spot: Spot::Body,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, marker: &str) -> (Vec<String>, Spot) {
        let off = text.find(marker).unwrap();
        let clean = text.replacen(marker, "", 1);
        let nodes = outline(&clean);
        let c = locate(&nodes, off);
        (c.names().iter().map(|s| s.to_string()).collect(), c.spot)
    }

    #[test]
    fn locates_heads_and_bodies() {
        let t = "pod \"a\" {\n  port \"http\" exposure=\"lo|\"\n  |\n}\n";
        let first = t.find('|').unwrap();
        let text = t.replace('|', "");
        let nodes = outline(&text);
        let c = locate(&nodes, first);
        assert_eq!(c.names(), ["pod", "port"]);
        assert_eq!(c.spot, Spot::PropValue(0));
        let second = t.rfind('|').unwrap() - 1;
        let c = locate(&nodes, second);
        assert_eq!(c.names(), ["pod"]);
        assert_eq!(c.spot, Spot::Body);
    }

    #[test]
    fn half_typed_buffers_still_outline() {
        assert_eq!(
            at("pod \"a\" {\n  tenant \"t\"\n  pro|", "|"),
            (vec!["pod".into(), "pro".into()], Spot::Name)
        );
        assert_eq!(
            at("pod \"a\" {\n  port \"http\" exposure=|\n", "|"),
            (vec!["pod".into(), "port".into()], Spot::PropValue(0))
        );
        assert_eq!(
            at("pod \"a\" {\n  target \"ku|\n}", "|"),
            (vec!["pod".into(), "target".into()], Spot::Arg(0))
        );
        assert_eq!(
            at("machine \"m\" {\n  capacity {\n    gpu \"x\" |", "|"),
            (
                vec!["machine".into(), "capacity".into(), "gpu".into()],
                Spot::Head
            )
        );
        assert_eq!(at("|\npod \"a\"", "|"), (vec![], Spot::Body));
    }

    #[test]
    fn slashdash_drops_what_follows() {
        let nodes = outline("/-pod \"a\"\nmodel \"m\" /-\"x\" /-k=1 { size \"1GB\" }\n");
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].name, "model");
        assert_eq!(nodes[0].args.len(), 1);
        assert!(nodes[0].props.is_empty());
        assert_eq!(nodes[0].children[0].name, "size");
    }

    fn same(file: &str, a: &ONode, b: &amc_syntax::syntax::Node) {
        let sp = |s: amc_syntax::source::Span| (s.start as usize, s.end as usize);
        assert_eq!(a.name, b.name, "{file}");
        assert_eq!(a.name_span, sp(b.name_span), "{file}: {}", a.name);
        assert_eq!(a.span, sp(b.span), "{file}: span of {}", a.name);
        assert_eq!(a.args.len(), b.args.len(), "{file}: args of {}", a.name);
        for (x, y) in a.args.iter().zip(&b.args) {
            assert_eq!(x.span, sp(y.span), "{file}: arg of {}", a.name);
            if let Some(s) = y.as_str() {
                assert_eq!(x.text, s, "{file}");
            }
        }
        assert_eq!(a.props.len(), b.props.len(), "{file}: props of {}", a.name);
        for (x, y) in a.props.iter().zip(&b.props) {
            assert_eq!(x.key, y.name);
            assert_eq!(x.key_span, sp(y.name_span), "{file}: key {}", x.key);
            let v = x.value.as_ref().unwrap();
            assert_eq!(v.span, sp(y.value.span), "{file}: value of {}", x.key);
        }
        assert_eq!(
            a.children.len(),
            b.children.len(),
            "{file}: children of {}",
            a.name
        );
        for (x, y) in a.children.iter().zip(&b.children) {
            same(file, x, y);
        }
    }

    #[test]
    fn agrees_with_the_parser_on_every_example_and_stdlib_file() {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("..");
        let mut files: Vec<(String, String)> = amc_lang::resolve::stdlib::all_files()
            .into_iter()
            .map(|f| (f.name, f.text.to_string()))
            .collect();
        for dir in ["examples", "golden"] {
            for e in walkdir::WalkDir::new(root.join(dir)) {
                let e = e.unwrap();
                if e.path().extension().is_some_and(|x| x == "kdl") {
                    // err-utf8 is not UTF-8 on purpose.
                    if let Ok(text) = std::fs::read_to_string(e.path()) {
                        files.push((e.path().display().to_string(), text));
                    }
                }
            }
        }
        let mut compared = 0;
        for (name, text) in &files {
            let mut map = amc_syntax::source::SourceMap::new();
            let id = map.add(name.clone(), text.clone());
            let mut diags = amc_syntax::diagnostics::Diagnostics::new();
            let doc = amc_syntax::syntax::parse(id, text, &mut diags);
            if !diags.is_empty() {
                continue;
            }
            let ours = outline(text);
            assert_eq!(ours.len(), doc.nodes.len(), "{name}");
            for (a, b) in ours.iter().zip(&doc.nodes) {
                same(name, a, b);
            }
            compared += 1;
        }
        assert!(compared >= 15, "only {compared} files compared");
    }
}
