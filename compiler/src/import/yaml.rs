//! A YAML (and JSON) document tree with source positions, for `amc import`.
//!
//! Takes: the text of a Compose file or a Kubernetes manifest stream.
//! Produces: one [`Y`] tree per document, every node with the byte offset it
//! starts at, parsed by serde-saphyr (already amc's YAML crate: it reports
//! line and column on errors and hands out node positions through
//! `Spanned`), or an `E0404` diagnostic at the line and column of the error.
//! Never: panics, expands more aliases than serde-saphyr's budget allows.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    /// `null`, `~` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (kept as written when it is an integer).
    Num(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Y>),
    /// A mapping, in document order (keys as strings).
    Map(Vec<(String, Y)>),
}

/// A node: a value and the byte offset it starts at (`u32::MAX` if unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct Y {
    /// Byte offset in the file.
    pub at: u32,
    /// The value.
    pub v: V,
}

static NULL: Y = Y {
    at: u32::MAX,
    v: V::Null,
};

impl Y {
    /// The child at `key` (mappings), else a null node.
    pub fn get(&self, key: &str) -> &Y {
        match &self.v {
            V::Map(m) => m
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    /// Follows a `/`-separated path of keys.
    pub fn at_path(&self, path: &str) -> &Y {
        path.split('/').fold(self, |y, k| y.get(k))
    }
    /// Whether it is null (or missing).
    pub fn is_null(&self) -> bool {
        self.v == V::Null
    }
    /// A scalar as text (strings, numbers, booleans).
    pub fn text(&self) -> Option<String> {
        match &self.v {
            V::Str(s) => Some(s.clone()),
            V::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            V::Num(n) => Some(n.to_string()),
            V::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    /// An integer (numbers, or strings of digits).
    pub fn int(&self) -> Option<i64> {
        match &self.v {
            V::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(*n as i64),
            V::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    /// The entries of a mapping (none for anything else).
    pub fn entries(&self) -> &[(String, Y)] {
        match &self.v {
            V::Map(m) => m,
            _ => &[],
        }
    }
    /// The items of a sequence (none for anything else).
    pub fn items(&self) -> &[Y] {
        match &self.v {
            V::Seq(s) => s,
            _ => &[],
        }
    }
    /// A span of one byte at the node in `file` (the renderer shows line:col).
    pub fn span(&self, file: FileId) -> Option<Span> {
        (self.at != u32::MAX).then(|| Span::new(file, self.at as usize, self.at as usize + 1))
    }
}

fn key_text(v: &V) -> String {
    match v {
        V::Str(s) => s.clone(),
        V::Null => "null".into(),
        other => Y {
            at: 0,
            v: other.clone(),
        }
        .text()
        .unwrap_or_default(),
    }
}

struct Tree(V);

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Tree, E> {
        Ok(Tree(V::Bool(b)))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Tree, E> {
        Ok(Tree(V::Num(n as f64)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Tree, E> {
        Ok(Tree(V::Num(n as f64)))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Tree, E> {
        Ok(Tree(V::Num(n)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Tree, E> {
        Ok(Tree(V::Str(s.to_string())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Tree, E> {
        Ok(Tree(V::Str(s)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree(V::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree(V::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        Tree::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
        let mut out = Vec::new();
        while let Some(x) = a.next_element::<Spanned<Tree>>()? {
            out.push(node(x));
        }
        Ok(Tree(V::Seq(out)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Tree, A::Error> {
        let mut out: Vec<(String, Y)> = Vec::new();
        while let Some(k) = a.next_key::<Spanned<Tree>>()? {
            let v = a.next_value::<Spanned<Tree>>()?;
            let key = key_text(&k.value.0);
            let mut v = node(v);
            if v.at == u32::MAX {
                v.at = offset_of(&k.referenced);
            }
            // A merge key's entries are given inline by serde-saphyr; a
            // repeated key keeps its last value, as YAML 1.1 readers do.
            out.retain(|(x, _)| *x != key);
            out.push((key, v));
        }
        Ok(Tree(V::Map(out)))
    }
}

fn offset_of(l: &serde_saphyr::Location) -> u32 {
    l.span()
        .byte_offset()
        .and_then(|b| u32::try_from(b).ok())
        .unwrap_or(u32::MAX)
}

fn node(s: Spanned<Tree>) -> Y {
    Y {
        at: offset_of(&s.referenced),
        v: s.value.0,
    }
}

/// The byte offset of a 1-based line and (character) column in `text`.
fn offset_at(text: &str, line: u64, column: u64) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let col = column.saturating_sub(1) as usize;
            return off + l.char_indices().nth(col).map(|(b, _)| b).unwrap_or(l.len());
        }
        off += l.len();
    }
    text.len()
}

/// Parses every document of a YAML stream (JSON is YAML too).
pub fn parse(file: FileId, name: &str, text: &str) -> Result<Vec<Y>, Diagnostic> {
    match serde_saphyr::from_multiple::<Spanned<Tree>>(text) {
        Ok(docs) => Ok(docs
            .into_iter()
            .map(node)
            .filter(|y| !y.is_null())
            .collect()),
        Err(e) => {
            let loc = e.location();
            let first = e
                .without_snippet()
                .to_string()
                .lines()
                .next()
                .unwrap_or("not YAML")
                .to_string();
            let mut d = Diagnostic::new(Code::E0404, format!("`{name}` is not valid YAML: {first}"))
                .help("fix the YAML at the position shown (`docker compose config` or `kubectl apply --dry-run=client -f` say the same)");
            if let Some(l) = loc.filter(|l| l.line() > 0) {
                let at = offset_at(text, l.line(), l.column());
                d = d.label(Span::new(file, at, at + 1), "here");
            }
            Err(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_values() {
        let text = "services:\n  a:\n    image: x\n    ports: [\"80:80\", 81]\n";
        let docs = parse(FileId(0), "t", text).unwrap();
        let a = docs[0].at_path("services/a");
        assert_eq!(a.get("image").text().as_deref(), Some("x"));
        assert_eq!(a.get("image").at as usize, text.find("x\n").unwrap());
        assert_eq!(a.get("ports").items()[1].int(), Some(81));
        assert!(a.get("nothing").is_null());
    }

    #[test]
    fn multi_document_streams_and_errors() {
        let docs = parse(FileId(0), "t", "a: 1\n---\nb: 2\n---\n").unwrap();
        assert_eq!(docs.len(), 2);
        let e = parse(FileId(0), "t", "a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(e.code, Code::E0404);
        assert!(e.primary_span().is_some());
    }
}
