//! The printer: lays a concrete syntax tree out in the canonical style.
//!
//! Takes [`Item`]s and the node catalogue; produces the formatted text. Four
//! spaces per level, one space between parts, arguments before properties and
//! properties in catalogue order, strings quoted, every comment kept beside
//! what it was written beside. Never reads files and never fails.

use super::cst::{Block, Comment, Entry, Item, Node, Value};
use super::lex::{Tok, Token};
use crate::lang::spec::NodeSpec;

const INDENT: &str = "    ";

/// Formats items as a whole file.
pub(super) fn file(items: &[Item<'_>], root: &'static NodeSpec) -> String {
    let mut p = Printer { out: String::new() };
    p.items(items, Some(root), 0);
    let trimmed = p.out.trim_end_matches('\n').len();
    p.out.truncate(trimmed);
    if !p.out.is_empty() {
        p.out.push('\n');
    }
    p.out
}

struct Printer {
    out: String,
}

/// One part of a node's head, in print order.
enum Piece<'p, 'a> {
    Comment(&'p Comment),
    Entry(&'p Entry<'a>),
    Block(&'p Block<'a>),
}

impl Printer {
    fn column(&self) -> usize {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.chars().count()
    }

    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.out.push_str(INDENT);
        }
    }

    /// A space unless the line is empty so far (only indentation).
    fn space(&mut self) {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        if !line.trim().is_empty() {
            self.out.push(' ');
        }
    }

    /// Between parts of a head: a space, or a kept `\` line break.
    fn gap(&mut self, line_break: bool, level: usize) {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        if line.trim().is_empty() {
            return;
        }
        if line_break {
            self.out.push_str(" \\\n");
            self.indent(level + 1);
        } else {
            self.out.push(' ');
        }
    }

    fn comment(&mut self, c: &Comment) {
        let col = self.column();
        self.out.push_str(&reindent(c, col));
    }

    fn items(&mut self, items: &[Item<'_>], parent: Option<&'static NodeSpec>, level: usize) {
        let start = items
            .iter()
            .position(|i| !matches!(i, Item::Blank))
            .unwrap_or(items.len());
        let end = items
            .iter()
            .rposition(|i| !matches!(i, Item::Blank))
            .map_or(start, |e| e + 1);
        let mut last_blank = false;
        for item in &items[start..end] {
            match item {
                Item::Blank => {
                    if !last_blank {
                        self.out.push('\n');
                    }
                    last_blank = true;
                    continue;
                }
                Item::Comment(c, _) => {
                    self.indent(level);
                    self.comment(c);
                    self.out.push('\n');
                }
                Item::Node(n) => {
                    let spec = parent.and_then(|p| p.child(&decode(&n.name)));
                    self.node(n, spec, level);
                }
            }
            last_blank = false;
        }
    }

    fn node(&mut self, n: &Node<'_>, spec: Option<&'static NodeSpec>, level: usize) {
        self.indent(level);
        for c in &n.leading {
            self.comment(c);
            if c.is_line() {
                self.out.push('\n');
                self.indent(level);
            } else {
                self.out.push(' ');
            }
        }
        if n.slashdash {
            self.out.push_str("/-");
        }
        if let Some(ty) = &n.ty {
            self.out.push('(');
            self.out.push_str(&identifier(ty));
            self.out.push(')');
        }
        self.out.push_str(&identifier(&n.name));

        let mut pieces: Vec<Piece<'_, '_>> = n.name_after.iter().map(Piece::Comment).collect();
        for e in ordered(&n.entries, spec) {
            pieces.extend(e.before.iter().map(Piece::Comment));
            pieces.push(Piece::Entry(e));
            pieces.extend(e.after.iter().map(Piece::Comment));
        }
        pieces.extend(n.tail.iter().map(Piece::Comment));
        for b in &n.blocks {
            pieces.extend(b.before.iter().map(Piece::Comment));
            pieces.push(Piece::Block(b));
        }
        // A line comment in the head needs a `\` continuation, unless nothing
        // follows it: then it becomes the node's trailing comment.
        let last_solid = pieces
            .iter()
            .rposition(|p| !matches!(p, Piece::Comment(_)))
            .map_or(0, |i| i + 1);
        let mut trailing: Vec<&Comment> = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Comment(c) if c.is_line() && i >= last_solid => trailing.push(c),
                Piece::Comment(c) if c.is_line() => {
                    self.space();
                    self.out.push_str("\\ ");
                    self.comment(c);
                    self.out.push('\n');
                    self.indent(level + 1);
                }
                Piece::Comment(c) => {
                    self.space();
                    self.comment(c);
                }
                Piece::Entry(e) => {
                    self.gap(e.break_before, level);
                    self.entry(e);
                }
                Piece::Block(b) => {
                    self.gap(b.break_before, level);
                    if b.slashdash {
                        self.out.push_str("/-");
                    }
                    self.block(b, spec, level);
                }
            }
        }
        trailing.extend(&n.trailing);
        // Block comments first, then at most one line comment on the line.
        let (lines, blocks): (Vec<&Comment>, Vec<&Comment>) =
            trailing.into_iter().partition(|c| c.is_line());
        for c in blocks {
            self.space();
            self.comment(c);
        }
        let mut lines = lines.into_iter();
        if let Some(c) = lines.next() {
            self.space();
            self.comment(c);
        }
        self.out.push('\n');
        for c in lines {
            self.indent(level);
            self.comment(c);
            self.out.push('\n');
        }
    }

    fn entry(&mut self, e: &Entry<'_>) {
        if e.slashdash {
            self.out.push_str("/-");
        }
        if let Some(k) = &e.key {
            self.out.push_str(&identifier(k));
            self.out.push('=');
        }
        self.value(&e.value);
    }

    fn value(&mut self, v: &Value<'_>) {
        if let Some(ty) = &v.ty {
            self.out.push('(');
            self.out.push_str(&identifier(ty));
            self.out.push(')');
        }
        self.out.push_str(&value_text(&v.token));
    }

    fn block(&mut self, b: &Block<'_>, spec: Option<&'static NodeSpec>, level: usize) {
        self.out.push('{');
        let inline = b
            .items
            .iter()
            .take_while(|i| matches!(i, Item::Comment(_, true)))
            .count();
        let mut line_comment = false;
        for item in &b.items[..inline] {
            if let Item::Comment(c, _) = item {
                if line_comment {
                    self.out.push('\n');
                    self.indent(level + 1);
                } else {
                    self.out.push(' ');
                }
                self.comment(c);
                line_comment = c.is_line();
            }
        }
        let rest = &b.items[inline..];
        if inline == 0 && rest.iter().all(|i| matches!(i, Item::Blank)) {
            self.out.push('}');
            return;
        }
        self.out.push('\n');
        self.items(rest, spec, level + 1);
        self.indent(level);
        self.out.push('}');
    }
}

/// Arguments in source order, then properties: catalogue order first, then
/// unknown keys in source order. Repeated keys keep their relative order.
fn ordered<'p, 'a>(
    entries: &'p [Entry<'a>],
    spec: Option<&'static NodeSpec>,
) -> Vec<&'p Entry<'a>> {
    let mut args: Vec<&Entry<'a>> = entries.iter().filter(|e| e.key.is_none()).collect();
    let mut props: Vec<(usize, &Entry<'a>)> = entries
        .iter()
        .filter_map(|e| {
            let key = decode(e.key.as_ref()?);
            let rank = spec
                .and_then(|s| s.props.iter().position(|p| p.name == key))
                .unwrap_or(usize::MAX);
            Some((rank, e))
        })
        .collect();
    props.sort_by_key(|(rank, _)| *rank);
    args.extend(props.into_iter().map(|(_, e)| e));
    args
}

/// A block comment re-indented to start at `col` (continuation lines shift
/// with it); trailing spaces removed.
fn reindent(c: &Comment, col: usize) -> String {
    let text = c.text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim_end();
        if i == 0 {
            out.push_str(line);
            continue;
        }
        out.push('\n');
        if line.is_empty() {
            continue;
        }
        if col >= c.col {
            out.push_str(&" ".repeat(col - c.col));
            out.push_str(line);
        } else {
            let strip = line
                .chars()
                .take(c.col - col)
                .take_while(|ch| *ch == ' ')
                .count();
            out.push_str(&line[strip..]);
        }
    }
    out
}

/// The string a string token stands for (`None` for multi-line strings,
/// which are kept as written): the syntax crate's decoder.
pub(super) fn decode_token(t: &Token<'_>) -> Option<String> {
    use amc_syntax::syntax::kind::SyntaxKind;
    let kind = match t.kind {
        Tok::Ident => SyntaxKind::IDENT,
        Tok::Raw => SyntaxKind::RAW_STRING,
        Tok::Quoted => SyntaxKind::STRING,
        _ => return None,
    };
    amc_syntax::syntax::decode::string(kind, t.text).ok()
}

fn decode(t: &Token<'_>) -> String {
    decode_token(t).unwrap_or_else(|| t.text.to_string())
}

/// A name, key or type: bare when KDL allows it, else quoted.
fn identifier(t: &Token<'_>) -> String {
    match decode_token(t) {
        Some(s) if is_plain_identifier(&s) => s,
        Some(s) => quote(&s),
        None => t.text.to_string(),
    }
}

/// A value: strings quoted (raw strings that need no escaping become quoted,
/// those holding `"` or `\` stay raw), numbers and keywords as written.
fn value_text(t: &Token<'_>) -> String {
    match (t.kind, decode_token(t)) {
        (Tok::Raw, Some(s)) if s.contains(['"', '\\']) => t.text.to_string(),
        (Tok::Ident | Tok::Quoted | Tok::Raw, Some(s)) => quote(&s),
        _ => t.text.to_string(),
    }
}

/// Whether KDL 2.0 reads `s` as a bare identifier string.
pub(super) fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let bad = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\\' | '/' | '(' | ')' | '{' | '}' | ';' | '[' | ']' | '"' | '#' | '='
            )
            || is_disallowed(c)
            || matches!(c, '\u{85}' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}')
    };
    if s.chars().any(bad) || first.is_ascii_digit() {
        return false;
    }
    let rest = if matches!(first, '-' | '+') {
        chars.as_str()
    } else {
        s
    };
    let digit_after = |t: &str| t.chars().next().is_some_and(|c| c.is_ascii_digit());
    if rest.len() < s.len() && digit_after(rest) {
        return false;
    }
    if let Some(r) = rest.strip_prefix('.')
        && digit_after(r)
    {
        return false;
    }
    !matches!(s, "inf" | "-inf" | "nan" | "true" | "false" | "null")
}

fn is_disallowed(c: char) -> bool {
    matches!(c,
        '\u{00}'..='\u{08}'
        | '\u{0E}'..='\u{1F}'
        | '\u{7F}'
        | '\u{200E}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
    )
}

/// A quoted KDL string with the fewest escapes.
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if is_disallowed(c)
                || c.is_control()
                || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
