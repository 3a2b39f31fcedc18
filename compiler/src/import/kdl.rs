//! A small KDL writer for `amc import`.
//!
//! Takes: nodes built by the per-kind importers.
//! Produces: KDL v2 text (then laid out by `crate::fmt`).
//! Never: decides layout or property order (the formatter does), or fails.

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Str(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Str(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Self {
        Val::Str(s.clone())
    }
}
impl From<i64> for Val {
    fn from(n: i64) -> Self {
        Val::Int(n)
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Val::Bool(b)
    }
}

/// A node with its comment lines.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Comment lines written above the node (without `//`).
    pub comments: Vec<String>,
    /// Node name.
    pub name: String,
    /// Arguments.
    pub args: Vec<Val>,
    /// Properties, in insertion order.
    pub props: Vec<(String, Val)>,
    /// Children.
    pub children: Vec<Node>,
    /// Written commented out with KDL's `/-` (kept for the reader, not read).
    pub disabled: bool,
}

impl Node {
    /// A node without entries.
    pub fn new(name: &str) -> Self {
        Node {
            name: name.to_string(),
            ..Node::default()
        }
    }
    /// Adds an argument.
    pub fn arg(mut self, v: impl Into<Val>) -> Self {
        self.args.push(v.into());
        self
    }
    /// Adds a property.
    pub fn prop(mut self, k: &str, v: impl Into<Val>) -> Self {
        self.props.push((k.to_string(), v.into()));
        self
    }
    /// Adds a property when present.
    pub fn prop_opt<V: Into<Val>>(self, k: &str, v: Option<V>) -> Self {
        match v {
            Some(v) => self.prop(k, v),
            None => self,
        }
    }
    /// Adds a comment line.
    pub fn comment(mut self, c: impl Into<String>) -> Self {
        self.comments.push(c.into());
        self
    }
    /// Adds a child.
    pub fn child(&mut self, n: Node) {
        self.children.push(n);
    }
    /// Adds a leaf child `name arg`.
    pub fn leaf(&mut self, name: &str, v: impl Into<Val>) {
        self.children.push(Node::new(name).arg(v));
    }
    /// Adds a leaf child `name arg...` when the list is not empty.
    pub fn list(&mut self, name: &str, vs: &[String]) {
        if !vs.is_empty() {
            let mut n = Node::new(name);
            n.args = vs.iter().map(Val::from).collect();
            self.children.push(n);
        }
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn ident(s: &str) -> String {
    let mut chars = s.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !matches!(s, "true" | "false" | "null" | "inf" | "nan");
    if bare { s.to_string() } else { quote(s) }
}

fn val(v: &Val) -> String {
    match v {
        Val::Str(s) => quote(s),
        Val::Int(n) => n.to_string(),
        Val::Bool(b) => if *b { "#true" } else { "#false" }.to_string(),
    }
}

fn write_node(n: &Node, depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    for c in &n.comments {
        for line in c.lines() {
            out.push_str(&format!("{pad}// {line}\n"));
        }
    }
    out.push_str(&pad);
    if n.disabled {
        out.push_str("/-");
    }
    out.push_str(&ident(&n.name));
    for a in &n.args {
        out.push(' ');
        out.push_str(&val(a));
    }
    for (k, v) in &n.props {
        out.push_str(&format!(" {}={}", ident(k), val(v)));
    }
    if n.children.is_empty() {
        out.push('\n');
        return;
    }
    out.push_str(" {\n");
    for c in &n.children {
        write_node(c, depth + 1, out);
    }
    out.push_str(&pad);
    out.push_str("}\n");
}

/// Writes a document: a header comment, then the nodes separated by blank lines.
pub fn write(header: &[String], nodes: &[Node]) -> String {
    let mut out = String::new();
    for h in header {
        out.push_str(&format!("// {h}\n"));
    }
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 || !header.is_empty() {
            out.push('\n');
        }
        write_node(n, 0, &mut out);
    }
    out
}
