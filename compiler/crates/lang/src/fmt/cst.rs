//! The formatter's layout model: nodes, entries, blocks and every comment,
//! attached to the place it belongs.
//!
//! Takes the lossless syntax tree of the file (`amc_syntax::syntax`) and
//! walks it: the tree says what is a node, an entry (and whether it is a
//! property), a children block or a slashdashed part, so the formatter never
//! re-derives the structure from tokens. Only the trivia between the tree's
//! parts (spaces, comments, newlines, `\` continuations) is read here, to
//! attach each comment to what it sits beside (a comment before a property
//! moves with it when properties are reordered) and to keep blank lines as
//! markers. Never decodes values and never decides layout: that is
//! [`super::print`].

use super::lex::{self, Tok, Token};
use amc_syntax::syntax::entry_parts;
use amc_syntax::syntax::kind::{SyntaxKind, SyntaxNode};

/// A comment as written, with the column it started at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Comment {
    /// The text (`// ...` or `/* ... */`).
    pub text: String,
    /// 0-based column (in characters) where it started, for re-indenting block comments.
    pub col: usize,
}

impl Comment {
    /// Whether it is a `//` comment (which ends its line).
    pub(super) fn is_line(&self) -> bool {
        self.text.starts_with("//")
    }
}

/// A value with an optional type annotation, as written.
#[derive(Debug, Clone)]
pub(super) struct Value<'a> {
    /// The type annotation token.
    pub ty: Option<Token<'a>>,
    /// The value token.
    pub token: Token<'a>,
}

/// An argument or property.
#[derive(Debug, Clone)]
pub(super) struct Entry<'a> {
    /// Whether it is commented out with `/-`.
    pub slashdash: bool,
    /// Comments before it.
    pub before: Vec<Comment>,
    /// The key of a property.
    pub key: Option<Token<'a>>,
    /// The value.
    pub value: Value<'a>,
    /// `\ // comment` continuations after it.
    pub after: Vec<Comment>,
    /// Whether a `\` line continuation came before it.
    pub break_before: bool,
}

/// A children block.
#[derive(Debug, Clone)]
pub(super) struct Block<'a> {
    /// Whether it is commented out with `/-`.
    pub slashdash: bool,
    /// Comments before the `{`.
    pub before: Vec<Comment>,
    /// Whether a `\` line continuation came before it.
    pub break_before: bool,
    /// The children and comments.
    pub items: Vec<Item<'a>>,
}

/// A node.
#[derive(Debug, Clone)]
pub(super) struct Node<'a> {
    /// Whether it is commented out with `/-`.
    pub slashdash: bool,
    /// Comments before it on its line (and between `/-` and the node).
    pub leading: Vec<Comment>,
    /// The type annotation token.
    pub ty: Option<Token<'a>>,
    /// The name token.
    pub name: Token<'a>,
    /// `\ // comment` continuations right after the name.
    pub name_after: Vec<Comment>,
    /// Arguments and properties in source order.
    pub entries: Vec<Entry<'a>>,
    /// Comments after the last entry, before the blocks or the end.
    pub tail: Vec<Comment>,
    /// Children blocks in source order (slashdashed ones included).
    pub blocks: Vec<Block<'a>>,
    /// Comments after the node on its last line.
    pub trailing: Vec<Comment>,
}

/// Something in a document or block.
#[derive(Debug, Clone)]
pub(super) enum Item<'a> {
    /// One or more blank lines.
    Blank,
    /// A comment on its own line; the flag is set when it sat on the line of the opening `{`.
    Comment(Comment, bool),
    /// A node.
    Node(Node<'a>),
}

/// A child of a tree node: a token, or a node of its own.
enum El<'a> {
    /// A token.
    Tok(Token<'a>),
    /// A node, walked with its own cursor.
    Node(SyntaxNode),
}

/// Where parsing failed (byte offset).
pub(super) type Error = usize;

/// How a node's own tokens ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// With a newline (its line is over).
    Newline,
    /// With `;` (the rest of the line follows in the container).
    Semi,
    /// With nothing: a `}` or the end of the file follows.
    Open,
}

/// A cursor over the children of one tree node.
struct Cursor<'a> {
    els: Vec<El<'a>>,
    pos: usize,
    text: &'a str,
    /// Where the node ends (for errors at its end).
    end: usize,
    /// Set when node space held a `\` continuation.
    saw_escline: bool,
}

impl<'a> Cursor<'a> {
    fn new(n: &SyntaxNode, text: &'a str) -> Result<Self, Error> {
        let els = n
            .children_with_tokens()
            .map(|e| match (e.as_node(), e.as_token()) {
                (Some(n), _) => Ok(El::Node(n.clone())),
                (None, Some(t)) => lex::token(t, text).map(El::Tok),
                (None, None) => Err(usize::from(e.text_range().start())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Cursor {
            els,
            pos: 0,
            text,
            end: usize::from(n.text_range().end()),
            saw_escline: false,
        })
    }

    /// The kind of the token here; `None` at the end or at a node.
    fn peek(&self) -> Option<Tok> {
        match self.els.get(self.pos) {
            Some(El::Tok(t)) => Some(t.kind),
            _ => None,
        }
    }

    /// The kind of the node here, if a node is here.
    fn node_here(&self) -> Option<SyntaxKind> {
        match self.els.get(self.pos) {
            Some(El::Node(n)) => Some(n.kind()),
            _ => None,
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.els.len()
    }

    fn offset(&self) -> usize {
        match self.els.get(self.pos) {
            Some(El::Tok(t)) => t.start,
            Some(El::Node(n)) => usize::from(n.text_range().start()),
            None => self.end,
        }
    }

    fn bump(&mut self) -> Result<Token<'a>, Error> {
        match self.els.get(self.pos) {
            Some(El::Tok(t)) => {
                let t = *t;
                self.pos += 1;
                Ok(t)
            }
            _ => Err(self.offset()),
        }
    }

    fn bump_node(&mut self) -> Result<SyntaxNode, Error> {
        match self.els.get(self.pos) {
            Some(El::Node(n)) => {
                let n = n.clone();
                self.pos += 1;
                Ok(n)
            }
            _ => Err(self.offset()),
        }
    }

    /// Fails unless every child was read.
    fn finish(&self) -> Result<(), Error> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.offset())
        }
    }

    /// A cursor over the children of the node here.
    fn enter(&mut self) -> Result<Cursor<'a>, Error> {
        let n = self.bump_node()?;
        Cursor::new(&n, self.text)
    }

    fn comment(&self, t: Token<'a>) -> Comment {
        let line_start = self.text[..t.start]
            .rfind([
                '\n', '\r', '\u{85}', '\u{0B}', '\u{0C}', '\u{2028}', '\u{2029}',
            ])
            .map(|i| i + self.text[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0);
        Comment {
            text: t.text.to_string(),
            col: self.text[line_start..t.start].chars().count(),
        }
    }

    /// Skips spaces and block comments on the current line, collecting the comments.
    fn inline_trivia(&mut self, into: &mut Vec<Comment>) {
        while let Some(k) = self.peek() {
            match k {
                Tok::Ws => self.pos += 1,
                Tok::BlockComment => {
                    if let Ok(t) = self.bump() {
                        into.push(self.comment(t));
                    }
                }
                _ => break,
            }
        }
    }

    /// Node space: spaces, block comments and `\` continuations (with their line comments).
    /// Block comments go to `before`, continuation comments to `cont`.
    fn node_space(
        &mut self,
        before: &mut Vec<Comment>,
        cont: &mut Vec<Comment>,
    ) -> Result<(), Error> {
        loop {
            self.inline_trivia(before);
            if self.peek() != Some(Tok::Backslash) {
                return Ok(());
            }
            self.pos += 1;
            self.saw_escline = true;
            self.inline_trivia(before);
            match self.peek() {
                Some(Tok::LineComment) => {
                    let t = self.bump()?;
                    cont.push(self.comment(t));
                    if self.peek() == Some(Tok::Newline) {
                        self.pos += 1;
                    }
                }
                Some(Tok::Newline) => self.pos += 1,
                None => {}
                Some(_) => return Err(self.offset()),
            }
        }
    }

    /// Line space after `/-`: spaces, newlines and comments, all collected.
    fn line_space(&mut self, into: &mut Vec<Comment>) -> Result<(), Error> {
        loop {
            let mut cont = Vec::new();
            self.node_space(into, &mut cont)?;
            into.extend(cont);
            match self.peek() {
                Some(Tok::Newline) => self.pos += 1,
                Some(Tok::LineComment) => {
                    let t = self.bump()?;
                    into.push(self.comment(t));
                }
                _ => return Ok(()),
            }
        }
    }

    /// A `TYPE` node here, if any, and the node space after it.
    fn type_annotation(&mut self, comments: &mut Vec<Comment>) -> Result<Option<Token<'a>>, Error> {
        if self.node_here() != Some(SyntaxKind::TYPE) {
            return Ok(None);
        }
        let mut t = self.enter()?;
        if t.bump()?.kind != Tok::LParen {
            return Err(t.offset());
        }
        let mut cont = Vec::new();
        t.node_space(comments, &mut cont)?;
        let ty = t.bump()?;
        if !ty.kind.is_string() {
            return Err(ty.start);
        }
        t.node_space(comments, &mut cont)?;
        if t.bump()?.kind != Tok::RParen {
            return Err(t.offset());
        }
        t.finish()?;
        comments.extend(cont);
        let mut cont = Vec::new();
        self.node_space(comments, &mut cont)?;
        comments.extend(cont);
        Ok(Some(ty))
    }

    fn value(&mut self, comments: &mut Vec<Comment>) -> Result<Value<'a>, Error> {
        let ty = self.type_annotation(comments)?;
        let token = self.bump()?;
        if !token.kind.is_value() {
            return Err(token.start);
        }
        Ok(Value { ty, token })
    }
}

/// An `ENTRY` (the tree says whether it is a property); `before` holds
/// comments already seen.
fn entry<'a>(
    n: &SyntaxNode,
    text: &'a str,
    slashdash: bool,
    mut before: Vec<Comment>,
) -> Result<Entry<'a>, Error> {
    let mut c = Cursor::new(n, text)?;
    let key = if entry_parts(n).eq.is_some() {
        let key = c.bump()?;
        if !key.kind.is_string() {
            return Err(key.start);
        }
        let mut cont = Vec::new();
        c.node_space(&mut before, &mut cont)?;
        if c.bump()?.kind != Tok::Eq {
            return Err(c.offset());
        }
        before.extend(cont);
        let mut cont = Vec::new();
        c.node_space(&mut before, &mut cont)?;
        before.extend(cont);
        Some(key)
    } else {
        None
    };
    let value = c.value(&mut before)?;
    c.finish()?;
    Ok(Entry {
        slashdash,
        before,
        key,
        value,
        after: Vec::new(),
        break_before: false,
    })
}

/// A `CHILDREN` block.
fn block<'a>(
    n: &SyntaxNode,
    text: &'a str,
    slashdash: bool,
    before: Vec<Comment>,
) -> Result<Block<'a>, Error> {
    let mut c = Cursor::new(n, text)?;
    if c.bump()?.kind != Tok::LBrace {
        return Err(c.offset());
    }
    let items = items(&mut c, true)?;
    if c.bump()?.kind != Tok::RBrace {
        return Err(c.offset());
    }
    c.finish()?;
    Ok(Block {
        slashdash,
        before,
        break_before: false,
        items,
    })
}

/// A `NODE` and how its own tokens ended.
fn node<'a>(
    n: &SyntaxNode,
    text: &'a str,
    slashdash: bool,
    mut leading: Vec<Comment>,
) -> Result<(Node<'a>, End), Error> {
    let mut c = Cursor::new(n, text)?;
    let mut cont = Vec::new();
    let ty = c.type_annotation(&mut leading)?;
    c.node_space(&mut leading, &mut cont)?;
    leading.append(&mut cont);
    let name = c.bump()?;
    if !name.kind.is_string() {
        return Err(name.start);
    }
    let mut node = Node {
        slashdash,
        leading,
        ty,
        name,
        name_after: Vec::new(),
        entries: Vec::new(),
        tail: Vec::new(),
        blocks: Vec::new(),
        trailing: Vec::new(),
    };
    let mut pending = Vec::new();
    loop {
        let mut cont = Vec::new();
        c.saw_escline = false;
        c.node_space(&mut pending, &mut cont)?;
        let brk = c.saw_escline;
        match node.entries.last_mut() {
            Some(e) if node.blocks.is_empty() => e.after.append(&mut cont),
            _ if node.blocks.is_empty() => node.name_after.append(&mut cont),
            _ => pending.append(&mut cont),
        }
        let mut before = std::mem::take(&mut pending);
        if c.node_here() == Some(SyntaxKind::SLASHDASHED) {
            let mut s = c.enter()?;
            if s.bump()?.kind != Tok::Slashdash {
                return Err(s.offset());
            }
            s.line_space(&mut before)?;
            if part(&mut s, &mut node, text, true, before, brk)?.is_some() {
                return Err(s.offset());
            }
            s.finish()?;
            continue;
        }
        match part(&mut c, &mut node, text, false, before, brk)? {
            None => {}
            Some(_) if c.node_here().is_some() => return Err(c.offset()),
            Some(before) => {
                pending = before;
                break;
            }
        }
    }
    // Comments after a block belong after it, not in the head.
    if node.blocks.is_empty() {
        node.tail = pending;
    } else {
        node.trailing = pending;
    }
    // The node's terminator and the comments on the rest of its line.
    c.inline_trivia(&mut node.trailing);
    let end = match c.peek() {
        Some(Tok::Semi) => {
            c.pos += 1;
            End::Semi
        }
        Some(Tok::LineComment) => {
            let t = c.bump()?;
            node.trailing.push(c.comment(t));
            if c.peek() == Some(Tok::Newline) {
                c.pos += 1;
                End::Newline
            } else {
                End::Open
            }
        }
        Some(Tok::Newline) => {
            c.pos += 1;
            End::Newline
        }
        None if c.at_end() => End::Open,
        _ => return Err(c.offset()),
    };
    c.finish()?;
    Ok((node, end))
}

/// The entry or children block at `c`, added to `node`; `before` comes
/// back when there is neither (an entry after a block is neither).
fn part<'a>(
    c: &mut Cursor<'a>,
    node: &mut Node<'a>,
    text: &'a str,
    slashdash: bool,
    before: Vec<Comment>,
    break_before: bool,
) -> Result<Option<Vec<Comment>>, Error> {
    match c.node_here() {
        Some(SyntaxKind::CHILDREN) => {
            let b = c.bump_node()?;
            let mut b = block(&b, text, slashdash, before)?;
            b.break_before = break_before;
            node.blocks.push(b);
        }
        Some(SyntaxKind::ENTRY) if node.blocks.is_empty() => {
            let e = c.bump_node()?;
            let mut e = entry(&e, text, slashdash, before)?;
            e.break_before = break_before;
            node.entries.push(e);
        }
        _ => return Ok(Some(before)),
    }
    Ok(None)
}

/// After a `NODE` ended with `;` in container `c`: the comments on the rest
/// of its line, and whether that line goes on.
fn after_semicolon(c: &mut Cursor<'_>, trailing: &mut Vec<Comment>) -> Result<bool, Error> {
    c.inline_trivia(trailing);
    if c.peek() == Some(Tok::LineComment) {
        let t = c.bump()?;
        trailing.push(c.comment(t));
    }
    if c.peek() == Some(Tok::Newline) {
        c.pos += 1;
        return Ok(false);
    }
    Ok(true)
}

/// The items of a container (the document, or a block after its `{`) up to
/// its `}` (not consumed) or its end. `in_block`: the first line follows an
/// opening `{`.
fn items<'a>(c: &mut Cursor<'a>, in_block: bool) -> Result<Vec<Item<'a>>, Error> {
    let mut items = Vec::new();
    let mut first_line = in_block;
    let mut line_has_content = in_block;
    loop {
        let mut comments = Vec::new();
        c.inline_trivia(&mut comments);
        let found = match c.node_here() {
            Some(SyntaxKind::NODE) => {
                let n = c.bump_node()?;
                node(&n, c.text, false, comments)?
            }
            Some(SyntaxKind::SLASHDASHED) => {
                let mut s = c.enter()?;
                if s.bump()?.kind != Tok::Slashdash {
                    return Err(s.offset());
                }
                s.line_space(&mut comments)?;
                if s.node_here() != Some(SyntaxKind::NODE) {
                    return Err(s.offset());
                }
                let n = s.bump_node()?;
                let found = node(&n, c.text, true, comments)?;
                s.finish()?;
                found
            }
            Some(_) => return Err(c.offset()),
            None => {
                if trivia(
                    c,
                    &mut items,
                    comments,
                    &mut first_line,
                    &mut line_has_content,
                )? {
                    return Ok(items);
                }
                continue;
            }
        };
        let (mut n, end) = found;
        line_has_content = match end {
            End::Newline => false,
            End::Open => true,
            End::Semi => after_semicolon(c, &mut n.trailing)?,
        };
        items.push(Item::Node(n));
        first_line = false;
    }
}

/// The trivia between a container's nodes (after its inline trivia, whose
/// comments are in `comments`): one newline, line comment or continuation.
/// `true` at the container's end or `}`.
fn trivia<'a>(
    c: &mut Cursor<'a>,
    items: &mut Vec<Item<'a>>,
    mut comments: Vec<Comment>,
    first_line: &mut bool,
    line_has_content: &mut bool,
) -> Result<bool, Error> {
    match c.peek() {
        None | Some(Tok::RBrace) => {
            push_comments(items, comments, *first_line);
            return Ok(true);
        }
        Some(Tok::Newline) => {
            c.pos += 1;
            let had = *line_has_content || !comments.is_empty();
            push_comments(items, comments, *first_line);
            if !had && !items.is_empty() && !matches!(items.last(), Some(Item::Blank)) {
                items.push(Item::Blank);
            }
            *first_line = false;
            *line_has_content = false;
        }
        Some(Tok::LineComment) => {
            let t = c.bump()?;
            comments.push(c.comment(t));
            push_comments(items, comments, *first_line);
            *line_has_content = true;
        }
        Some(Tok::Backslash) => {
            // A `\` continuation between nodes is only space.
            let mut cont = Vec::new();
            c.node_space(&mut comments, &mut cont)?;
            comments.append(&mut cont);
            push_comments(items, comments, *first_line);
            *line_has_content = true;
        }
        Some(_) => return Err(c.offset()),
    }
    Ok(false)
}

fn push_comments<'a>(items: &mut Vec<Item<'a>>, comments: Vec<Comment>, first_line: bool) {
    for c in comments {
        items.push(Item::Comment(c, first_line));
    }
}

/// Walks the tree of `text` (a file that parsed without errors) into items.
pub(super) fn parse<'a>(tree: &SyntaxNode, text: &'a str) -> Result<Vec<Item<'a>>, Error> {
    let mut c = Cursor::new(tree, text)?;
    let items = items(&mut c, false)?;
    c.finish()?;
    Ok(items)
}
