//! The outline of a KDL buffer, and what sits under the cursor.
//!
//! Takes a buffer's text (often half-typed: unclosed blocks, a lone `key=`)
//! and reads, from the compiler's own lossless syntax tree
//! (`syntax::parse_tree`, which recovers from errors), a tree of nodes with
//! byte spans for names, arguments, properties and blocks. Hover, completion
//! and go-to-definition read it; it agrees with `syntax::parse` on valid
//! files (a test checks every example and stdlib file). Never reports
//! errors: the diagnostics come from the driver.

use amc_syntax::syntax::kind::{SyntaxKind, SyntaxNode, SyntaxToken};
use amc_syntax::syntax::{self, decode};

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

fn range(r: rowan::TextRange) -> (usize, usize) {
    (usize::from(r.start()), usize::from(r.end()))
}

fn value(t: &SyntaxToken) -> OValue {
    OValue {
        text: decode::lenient(t.kind(), t.text()),
        quoted: t.kind().is_string() && t.kind() != SyntaxKind::IDENT,
        span: range(t.text_range()),
    }
}

/// The nodes directly under a document or block (slashdashed ones left out).
fn nodes_of(parent: &SyntaxNode) -> Vec<ONode> {
    parent
        .children()
        .filter(|n| n.kind() == SyntaxKind::NODE)
        .map(|n| node(&n))
        .collect()
}

fn node(n: &SyntaxNode) -> ONode {
    let (start, end) = range(n.text_range());
    let mut o = ONode {
        name: String::new(),
        name_span: (start, start),
        head_end: end,
        span: (0, 0),
        args: Vec::new(),
        props: Vec::new(),
        children: Vec::new(),
        block: None,
    };
    let mut last = start;
    let mut named = false;
    let mut continued = false;
    for el in n.children_with_tokens() {
        match el {
            rowan::NodeOrToken::Token(t) => match t.kind() {
                k if k.is_string() && !named => {
                    let v = value(&t);
                    o.name = v.text;
                    o.name_span = v.span;
                    last = v.span.1;
                    named = true;
                }
                SyntaxKind::ESCLINE => continued = true,
                SyntaxKind::NEWLINE if continued => continued = false,
                SyntaxKind::NEWLINE | SyntaxKind::SEMICOLON => {
                    if o.block.is_none() {
                        o.head_end = range(t.text_range()).0;
                    }
                    break;
                }
                _ => {}
            },
            rowan::NodeOrToken::Node(c) => match c.kind() {
                SyntaxKind::ENTRY => entry(&c, &mut o, &mut last),
                SyntaxKind::CHILDREN if o.block.is_none() => {
                    let (open, close_end) = range(c.text_range());
                    let closed = c
                        .last_token()
                        .is_some_and(|t| t.kind() == SyntaxKind::R_BRACE);
                    o.head_end = open;
                    o.block = Some((open, closed.then(|| close_end - 1)));
                    o.children = nodes_of(&c);
                    last = close_end;
                }
                _ => {}
            },
        }
    }
    o.span = (o.name_span.0, last.max(o.name_span.1));
    o
}

fn entry(e: &SyntaxNode, o: &mut ONode, last: &mut usize) {
    let parts = syntax::entry_parts(e);
    match (parts.eq, parts.key) {
        (Some(eq), Some(key)) => {
            let eq_end = range(eq.text_range()).1;
            let v = parts.value.as_ref().map(value);
            *last = v.as_ref().map_or(eq_end, |v| v.span.1);
            let k = value(&key);
            o.props.push(OProp {
                key: k.text,
                key_span: k.span,
                eq_end,
                value: v,
            });
        }
        (Some(_), None) => {}
        (None, _) => {
            if let Some(t) = &parts.value {
                let v = value(t);
                *last = v.span.1;
                o.args.push(v);
            }
        }
    }
}

/// Parses a buffer into top-level nodes: the outline of its syntax tree.
pub fn outline(text: &str) -> Vec<ONode> {
    nodes_of(&syntax::parse_tree(text).tree())
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
