//! The KDL 2.0 parser: tokens to a lossless tree, with error recovery.
//!
//! Takes the tokens of [`super::lexer`] and builds a `rowan` tree in which
//! every token has a place (trivia too), so the text is the tree's text.
//! Never stops at an error: it records it, wraps what it skipped in an
//! `ERROR` node and carries on with the next entry, node or block, so one
//! pass reports every syntax error and the editor still gets a tree. Never
//! decodes values (that is [`super::decode`]).
//!
//! Shape: `DOCUMENT` holds `NODE`s (and trivia); a `NODE` holds an optional
//! `TYPE`, its name token, `ENTRY`s, an optional `CHILDREN` block and its
//! terminator (`;`, or an optional line comment and the newline); `/-` and
//! what it comments out are a `SLASHDASHED`.

use rowan::{GreenNode, GreenNodeBuilder};

use super::SyntaxError;
use super::kind::SyntaxKind::{self, *};
use super::lexer::Lexed;

struct Parser<'a> {
    text: &'a str,
    tokens: &'a [Lexed],
    /// Byte offset of each token.
    starts: Vec<usize>,
    pos: usize,
    builder: GreenNodeBuilder<'static>,
    errors: Vec<SyntaxError>,
    /// Open children blocks around the current position.
    depth: usize,
}

/// Builds the tree of `text` from its tokens.
pub fn parse(text: &str, tokens: &[Lexed]) -> (GreenNode, Vec<SyntaxError>) {
    let mut starts = Vec::with_capacity(tokens.len() + 1);
    let mut at = 0;
    for t in tokens {
        starts.push(at);
        at += t.len;
    }
    starts.push(at);
    let mut p = Parser {
        text,
        tokens,
        starts,
        pos: 0,
        builder: GreenNodeBuilder::new(),
        errors: Vec::new(),
        depth: 0,
    };
    p.builder.start_node(DOCUMENT.into());
    p.nodes(false);
    p.builder.finish_node();
    (p.builder.finish(), p.errors)
}

impl Parser<'_> {
    fn kind_at(&self, i: usize) -> Option<SyntaxKind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    fn current(&self) -> Option<SyntaxKind> {
        self.kind_at(self.pos)
    }

    fn offset(&self) -> usize {
        self.starts[self.pos.min(self.tokens.len())]
    }

    fn token_end(&self) -> usize {
        self.starts[(self.pos + 1).min(self.tokens.len())]
    }

    fn bump(&mut self) {
        if let Some(t) = self.tokens.get(self.pos) {
            let start = self.starts[self.pos];
            self.builder
                .token(t.kind.into(), &self.text[start..start + t.len]);
            self.pos += 1;
        }
    }

    fn error_here(&mut self, message: &str, label: &str, help: &str) {
        let (start, end) = (self.offset(), self.token_end());
        self.error(start, end, message, label, help);
    }

    fn error(&mut self, start: usize, end: usize, message: &str, label: &str, help: &str) {
        self.errors.push(SyntaxError {
            start,
            end,
            message: message.to_string(),
            label: label.to_string(),
            help: help.to_string(),
        });
    }

    /// Skips (keeps in the tree) an escline: `\`, spaces, then an optional
    /// line comment and a newline (or the end). `false` if what follows the
    /// `\` is not that.
    fn escline(&mut self) -> bool {
        let start = self.offset();
        self.bump(); // `\`
        while matches!(self.current(), Some(WHITESPACE | BLOCK_COMMENT)) {
            self.bump();
        }
        if self.current() == Some(LINE_COMMENT) {
            self.bump();
        }
        match self.current() {
            Some(NEWLINE) => {
                self.bump();
                true
            }
            None => true,
            _ => {
                self.error(
                    start,
                    start + 1,
                    "a line continuation `\\` must end its line",
                    "here",
                    "put a newline (or a `//` comment) right after the `\\`",
                );
                false
            }
        }
    }

    /// Node space: spaces, block comments and line continuations. Whether any was skipped.
    fn node_space(&mut self) -> bool {
        let mut any = false;
        loop {
            match self.current() {
                Some(WHITESPACE | BLOCK_COMMENT) => self.bump(),
                Some(ESCLINE) => {
                    self.escline();
                }
                _ => return any,
            }
            any = true;
        }
    }

    /// Line space: node space, newlines and line comments.
    fn line_space(&mut self) {
        loop {
            match self.current() {
                Some(WHITESPACE | BLOCK_COMMENT | NEWLINE | LINE_COMMENT | BOM) => self.bump(),
                Some(ESCLINE) => {
                    self.escline();
                }
                _ => return,
            }
        }
    }

    /// Nodes up to the end of the file or, in a block, its `}`.
    fn nodes(&mut self, in_block: bool) {
        loop {
            self.line_space();
            match self.current() {
                None => return,
                Some(R_BRACE) if in_block => return,
                Some(R_BRACE) => {
                    self.error_here(
                        "a `}` closes no block",
                        "no `{` before it",
                        "remove it, or add the `{` it was meant to close",
                    );
                    self.builder.start_node(ERROR.into());
                    self.bump();
                    self.builder.finish_node();
                }
                Some(SEMICOLON) => {
                    self.error_here(
                        "a `;` ends no node",
                        "here",
                        "remove it: `;` only ends a node",
                    );
                    self.builder.start_node(ERROR.into());
                    self.bump();
                    self.builder.finish_node();
                }
                Some(SLASHDASH) => {
                    self.builder.start_node(SLASHDASHED.into());
                    self.bump();
                    self.line_space();
                    if self
                        .current()
                        .is_some_and(|k| k.is_string() || k == L_PAREN)
                    {
                        self.node();
                    } else {
                        self.error_here(
                            "`/-` here must comment out a node",
                            "not a node",
                            "put `/-` right before the node, entry or block it comments out",
                        );
                    }
                    self.builder.finish_node();
                }
                Some(_) => self.node(),
            }
        }
    }

    /// Skips to the end of the current node (its terminator, a `}` or the
    /// end), wrapping what it passes in an `ERROR` node.
    fn recover_to_terminator(&mut self) {
        self.builder.start_node(ERROR.into());
        let mut depth = 0usize;
        while let Some(k) = self.current() {
            match k {
                NEWLINE | SEMICOLON if depth == 0 => break,
                R_BRACE if depth == 0 => break,
                L_BRACE => depth += 1,
                R_BRACE => depth -= 1,
                _ => {}
            }
            self.bump();
        }
        self.builder.finish_node();
    }

    fn node(&mut self) {
        self.builder.start_node(NODE.into());
        if self.current() == Some(L_PAREN) {
            self.type_annotation();
            self.node_space();
        }
        if self.current().is_some_and(SyntaxKind::is_string) {
            self.bump();
        } else {
            self.error_here(
                "Found invalid node name",
                "not node name",
                "This can be any string type, including a quoted, raw, or multiline string, as well as a plain identifier string.",
            );
            self.recover_to_terminator();
        }
        // A block was seen (slashdashed or not): entries may not follow.
        let mut children = false;
        let mut block = false;
        loop {
            let spaced = self.node_space();
            match self.current() {
                None | Some(R_BRACE) => break,
                Some(NEWLINE | SEMICOLON) => {
                    self.bump();
                    break;
                }
                Some(LINE_COMMENT) => {
                    self.bump();
                    if self.current() == Some(NEWLINE) {
                        self.bump();
                    }
                    break;
                }
                Some(L_BRACE) => {
                    if children {
                        self.error_here(
                            "a node has one children block",
                            "a second block",
                            "merge the blocks, or comment one out with `/-`",
                        );
                    }
                    children = true;
                    block = true;
                    self.children();
                }
                Some(SLASHDASH) => {
                    if !spaced {
                        self.error_here(
                            "`/-` must be separated from what comes before by whitespace",
                            "no space before this",
                            "add a space",
                        );
                    }
                    self.builder.start_node(SLASHDASHED.into());
                    self.bump();
                    self.line_space();
                    match self.current() {
                        Some(L_BRACE) => {
                            block = true;
                            self.children();
                        }
                        Some(k) if k.is_value() || k == L_PAREN => {
                            if block {
                                self.error_here(
                                    "entries come before the children block",
                                    "after the block",
                                    "move it before the `{`",
                                );
                            }
                            self.entry();
                        }
                        _ => self.error_here(
                            "`/-` here must comment out an entry or a block",
                            "nothing to comment out",
                            "put `/-` right before the entry or block it comments out",
                        ),
                    }
                    self.builder.finish_node();
                }
                Some(k) if k.is_value() || k == L_PAREN => {
                    if block {
                        self.error_here(
                            "entries come before the children block",
                            "after the block",
                            "move it before the `{`, or end the node with a newline or `;`",
                        );
                    } else if !spaced {
                        self.error_here(
                            "entries must be separated from what comes before by whitespace",
                            "no space before this",
                            "add a space",
                        );
                    }
                    self.entry();
                }
                Some(ERROR_TOKEN) => self.recover_to_terminator(),
                Some(_) => {
                    self.error_here(
                        "this cannot appear in a node",
                        "unexpected",
                        "a node is a name, then arguments and `key=value` properties, then an optional `{ }` block",
                    );
                    self.recover_to_terminator();
                }
            }
        }
        self.builder.finish_node();
    }

    fn children(&mut self) {
        self.builder.start_node(CHILDREN.into());
        let open = (self.offset(), self.token_end());
        if self.depth >= super::MAX_DEPTH {
            // The tree never nests deeper than the limit, so every walk over
            // it (the editor's outline, the tree's own drop) stays shallow:
            // an over-deep block is one flat ERROR node up to its `}`.
            self.too_deep(open);
            self.builder.finish_node();
            return;
        }
        self.bump(); // `{`
        self.depth += 1;
        self.nodes(true);
        self.depth -= 1;
        if self.current() == Some(R_BRACE) {
            self.bump();
        } else {
            self.error(
                open.0,
                open.1,
                "No closing '}' for child block",
                "not closed",
                "every `{` needs its `}`",
            );
        }
        self.builder.finish_node();
    }

    /// Consumes a block opened too deep, up to its matching `}` (or the
    /// end), as one flat ERROR node.
    fn too_deep(&mut self, open: (usize, usize)) {
        self.error(
            open.0,
            open.1,
            &format!("blocks nest more than {} levels deep", super::MAX_DEPTH),
            "too deep",
            "amc specs nest a few levels at most; this file is probably generated wrongly",
        );
        self.builder.start_node(ERROR.into());
        let mut open_blocks = 0usize;
        while let Some(k) = self.current() {
            match k {
                L_BRACE => open_blocks += 1,
                R_BRACE => open_blocks = open_blocks.saturating_sub(1),
                _ => {}
            }
            self.bump();
            if open_blocks == 0 {
                break;
            }
        }
        self.builder.finish_node();
    }

    fn type_annotation(&mut self) {
        self.builder.start_node(TYPE.into());
        self.bump(); // `(`
        self.node_space();
        if self.current().is_some_and(SyntaxKind::is_string) {
            self.bump();
        } else {
            self.error_here(
                "a type annotation holds a name",
                "not a type name",
                "write it `(name)`",
            );
        }
        self.node_space();
        if self.current() == Some(R_PAREN) {
            self.bump();
        } else {
            self.error_here(
                "a type annotation ends with `)`",
                "expected `)`",
                "write it `(name)`",
            );
        }
        self.builder.finish_node();
    }

    /// Whether the tokens from `i` are node space and then `=`.
    fn eq_follows(&self, mut i: usize) -> bool {
        while let Some(k) = self.kind_at(i) {
            match k {
                WHITESPACE | BLOCK_COMMENT => i += 1,
                EQ => return true,
                _ => return false,
            }
        }
        false
    }

    fn value(&mut self) {
        match self.current() {
            Some(k) if k.is_value() => self.bump(),
            _ => self.error_here(
                "expected a value",
                "not a value",
                "a value is a string, a number, or one of #true, #false, #null, #inf, #-inf, #nan",
            ),
        }
    }

    fn entry(&mut self) {
        self.builder.start_node(ENTRY.into());
        if self.current() == Some(L_PAREN) {
            self.type_annotation();
            self.node_space();
            if self.current().is_some_and(SyntaxKind::is_string) && self.eq_follows(self.pos + 1) {
                self.error_here(
                    "a property key takes no type annotation",
                    "typed key",
                    "annotate the value instead: `key=(type)value`",
                );
            }
            self.value();
        } else if self.current().is_some_and(SyntaxKind::is_string) && self.eq_follows(self.pos + 1)
        {
            self.bump(); // key
            self.node_space();
            self.bump(); // `=`
            self.node_space();
            if self.current() == Some(L_PAREN) {
                self.type_annotation();
                self.node_space();
            }
            self.value();
        } else {
            self.bump();
        }
        self.builder.finish_node();
    }
}
