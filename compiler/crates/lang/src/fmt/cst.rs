//! A concrete syntax tree for the formatter: nodes, entries, blocks and every
//! comment, attached to the place it belongs.
//!
//! Takes the tokens of [`super::lex`] and produces [`Item`]s. Comments are
//! attached to what they sit beside (a comment before a property moves with
//! it when properties are reordered); blank lines are kept as markers.
//! Never decodes values and never decides layout: that is [`super::print`].

use super::lex::{Tok, Token};

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

struct Parser<'t, 'a> {
    toks: &'t [Token<'a>],
    pos: usize,
    text: &'a str,
    /// Set when node space held a `\` continuation.
    saw_escline: bool,
}

/// Where parsing failed (byte offset).
pub(super) type Error = usize;

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> Option<Tok> {
        self.toks.get(self.pos).map(|t| t.kind)
    }

    fn bump(&mut self) -> Result<Token<'a>, Error> {
        let t = *self.toks.get(self.pos).ok_or(self.text.len())?;
        self.pos += 1;
        Ok(t)
    }

    fn offset(&self) -> usize {
        self.toks
            .get(self.pos)
            .map(|t| t.start)
            .unwrap_or(self.text.len())
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
                    let t = self.toks[self.pos];
                    into.push(self.comment(t));
                    self.pos += 1;
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

    fn type_annotation(&mut self, comments: &mut Vec<Comment>) -> Result<Option<Token<'a>>, Error> {
        if self.peek() != Some(Tok::LParen) {
            return Ok(None);
        }
        self.pos += 1;
        let mut cont = Vec::new();
        self.node_space(comments, &mut cont)?;
        let ty = self.bump()?;
        if !ty.kind.is_string() {
            return Err(ty.start);
        }
        self.node_space(comments, &mut cont)?;
        if self.bump()?.kind != Tok::RParen {
            return Err(self.offset());
        }
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

    /// An argument or a property; `before` holds comments already seen.
    fn entry(&mut self, slashdash: bool, mut before: Vec<Comment>) -> Result<Entry<'a>, Error> {
        if self.peek().is_some_and(Tok::is_string) {
            // A property if `=` follows (node space allowed around it).
            let save = self.pos;
            let key = self.bump()?;
            let mut between = Vec::new();
            let mut cont = Vec::new();
            self.node_space(&mut between, &mut cont)?;
            if self.peek() == Some(Tok::Eq) {
                self.pos += 1;
                before.extend(between);
                before.extend(cont);
                let mut cont = Vec::new();
                self.node_space(&mut before, &mut cont)?;
                before.extend(cont);
                let value = self.value(&mut before)?;
                return Ok(Entry {
                    slashdash,
                    before,
                    key: Some(key),
                    value,
                    after: Vec::new(),
                    break_before: false,
                });
            }
            self.pos = save;
        }
        let value = self.value(&mut before)?;
        Ok(Entry {
            slashdash,
            before,
            key: None,
            value,
            after: Vec::new(),
            break_before: false,
        })
    }

    fn block(&mut self, slashdash: bool, before: Vec<Comment>) -> Result<Block<'a>, Error> {
        self.pos += 1; // `{`
        let items = self.items(true)?;
        if self.bump()?.kind != Tok::RBrace {
            return Err(self.offset());
        }
        Ok(Block {
            slashdash,
            before,
            break_before: false,
            items,
        })
    }

    fn node(&mut self, slashdash: bool, mut leading: Vec<Comment>) -> Result<Node<'a>, Error> {
        let mut cont = Vec::new();
        let ty = self.type_annotation(&mut leading)?;
        self.node_space(&mut leading, &mut cont)?;
        leading.append(&mut cont);
        let name = self.bump()?;
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
            self.saw_escline = false;
            self.node_space(&mut pending, &mut cont)?;
            let brk = self.saw_escline;
            match node.entries.last_mut() {
                Some(e) if node.blocks.is_empty() => e.after.append(&mut cont),
                _ if node.blocks.is_empty() => node.name_after.append(&mut cont),
                _ => pending.append(&mut cont),
            }
            let mut sd = false;
            let mut before = std::mem::take(&mut pending);
            if self.peek() == Some(Tok::Slashdash) {
                self.pos += 1;
                sd = true;
                self.line_space(&mut before)?;
            }
            match self.peek() {
                Some(Tok::LBrace) => {
                    let mut b = self.block(sd, before)?;
                    b.break_before = brk;
                    node.blocks.push(b);
                }
                Some(k) if (k.is_value() || k == Tok::LParen) && node.blocks.is_empty() => {
                    let mut e = self.entry(sd, before)?;
                    e.break_before = brk;
                    node.entries.push(e);
                }
                _ if sd => return Err(self.offset()),
                _ => {
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
        self.terminator(&mut node.trailing)?;
        Ok(node)
    }

    /// Consumes a node terminator and the comments on the rest of its line.
    fn terminator(&mut self, trailing: &mut Vec<Comment>) -> Result<(), Error> {
        self.inline_trivia(trailing);
        match self.peek() {
            Some(Tok::Semi) => {
                self.pos += 1;
                self.inline_trivia(trailing);
                if self.peek() == Some(Tok::LineComment) {
                    let t = self.bump()?;
                    trailing.push(self.comment(t));
                }
                if self.peek() == Some(Tok::Newline) {
                    self.pos += 1;
                }
            }
            Some(Tok::LineComment) => {
                let t = self.bump()?;
                trailing.push(self.comment(t));
                if self.peek() == Some(Tok::Newline) {
                    self.pos += 1;
                }
            }
            Some(Tok::Newline) => self.pos += 1,
            Some(Tok::RBrace) | None => {}
            Some(_) => return Err(self.offset()),
        }
        Ok(())
    }

    /// Items up to a `}` (not consumed) or the end. `in_block`: the first
    /// line follows an opening `{`.
    fn items(&mut self, in_block: bool) -> Result<Vec<Item<'a>>, Error> {
        let mut items = Vec::new();
        let mut first_line = in_block;
        let mut line_has_content = in_block;
        loop {
            let mut comments = Vec::new();
            self.inline_trivia(&mut comments);
            match self.peek() {
                None | Some(Tok::RBrace) => {
                    push_comments(&mut items, comments, first_line);
                    return Ok(items);
                }
                Some(Tok::Newline) => {
                    self.pos += 1;
                    let had = line_has_content || !comments.is_empty();
                    push_comments(&mut items, comments, first_line);
                    if !had && !items.is_empty() && !matches!(items.last(), Some(Item::Blank)) {
                        items.push(Item::Blank);
                    }
                    first_line = false;
                    line_has_content = false;
                }
                Some(Tok::LineComment) => {
                    let t = self.bump()?;
                    comments.push(self.comment(t));
                    push_comments(&mut items, comments, first_line);
                    line_has_content = true;
                }
                Some(Tok::Semi) => {
                    self.pos += 1;
                    push_comments(&mut items, comments, first_line);
                    line_has_content = true;
                }
                Some(Tok::Backslash) => {
                    // A `\` continuation between nodes is only space.
                    let mut cont = Vec::new();
                    self.node_space(&mut comments, &mut cont)?;
                    comments.append(&mut cont);
                    push_comments(&mut items, comments, first_line);
                    line_has_content = true;
                }
                Some(Tok::Slashdash) => {
                    self.pos += 1;
                    self.line_space(&mut comments)?;
                    let n = self.node(true, comments)?;
                    items.push(Item::Node(n));
                    first_line = false;
                    line_has_content = self.after_newline();
                }
                Some(_) => {
                    let n = self.node(false, comments)?;
                    items.push(Item::Node(n));
                    first_line = false;
                    line_has_content = self.after_newline();
                }
            }
        }
    }

    /// After a node: whether the line it ended on goes on (no newline consumed).
    fn after_newline(&self) -> bool {
        self.pos == 0 || self.toks.get(self.pos - 1).map(|t| t.kind) != Some(Tok::Newline)
    }
}

fn push_comments<'a>(items: &mut Vec<Item<'a>>, comments: Vec<Comment>, first_line: bool) {
    for c in comments {
        items.push(Item::Comment(c, first_line));
    }
}

/// Parses tokens into items.
pub(super) fn parse<'a>(toks: &[Token<'a>], text: &'a str) -> Result<Vec<Item<'a>>, Error> {
    let mut p = Parser {
        toks,
        pos: 0,
        text,
        saw_escline: false,
    };
    let items = p.items(false)?;
    if p.pos != toks.len() {
        return Err(p.offset());
    }
    Ok(items)
}
