//! The server loop: handshake, dispatch, and when to recompile.
//!
//! Takes a [`Connection`] and a [`Config`]; answers requests (hover,
//! definition, completion, formatting, code actions, rename, document and
//! workspace symbols, inlay hints, semantic tokens) from the open buffers
//! and the last compilation, and publishes diagnostics per file. Changes are batched: after the messages waiting in
//! the channel are handled, each spec touched by them is compiled once.
//! Never writes spec files; never exits the process (the caller does).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CompletionOptions, CompletionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentFormattingParams, DocumentSymbolParams,
    DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, InitializeResult, InlayHintParams,
    Location, MarkupContent, MarkupKind, OneOf, PositionEncodingKind, PrepareRenameResponse,
    PublishDiagnosticsParams, RenameOptions, RenameParams, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkDoneProgressOptions, WorkspaceEdit,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use serde_json::Value;

use super::convert::{LineIndex, path_to_uri, uri_to_path};
use super::diagnostics::{Fixable, UriMap, compile};
use super::index::{Index, Place, default_stdlib_dir, materialise_stdlib, stdlib_file};
use super::inlay::Hint;
use super::store::{Documents, Target, target_for};
use super::{actions, completion, definition, formatting, hover, inlay, rename, semantic, symbols};

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the read-only stdlib copy for go-to-definition goes.
    pub stdlib_dir: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            stdlib_dir: default_stdlib_dir(),
        }
    }
}

/// What the server announces.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), "=".into()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// Runs the handshake and the loop until `exit`. `Err` is a protocol failure.
pub fn serve(conn: &Connection, config: Config) -> Result<(), String> {
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "amc".into(),
            version: Some(amc_syntax::VERSION.into()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    conn.initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server {
        conn,
        config,
        docs: Documents::default(),
        stops: workspace_dirs(&params),
        targets: BTreeMap::new(),
        dirty: BTreeSet::new(),
        owner: BTreeMap::new(),
        fixable: BTreeMap::new(),
        hints: BTreeMap::new(),
        stdlib_ready: None,
    };
    server.run()
}

#[allow(deprecated)] // root_uri: older clients send only that.
fn workspace_dirs(params: &InitializeParams) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri_to_path(f.uri.as_str()))
        .collect();
    if let Some(p) = params
        .root_uri
        .as_ref()
        .and_then(|u| uri_to_path(u.as_str()))
    {
        dirs.push(p);
    }
    dirs.iter().map(|d| amc_lang::vfs::normalize(d)).collect()
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Exit,
}

struct Server<'a> {
    conn: &'a Connection,
    config: Config,
    docs: Documents,
    /// Workspace folders: spec roots never climb above them.
    stops: Vec<PathBuf>,
    /// The spec of each open document (none for non-files and the stdlib copy).
    targets: BTreeMap<String, Target>,
    /// Specs to recompile before waiting for the next message.
    dirty: BTreeSet<Target>,
    /// Which spec last published diagnostics for a URI.
    owner: BTreeMap<String, Target>,
    /// The published diagnostics with quick fixes, by URI.
    fixable: BTreeMap<String, Vec<Fixable>>,
    /// Inlay hints of the last compilation by URI, with the text they hold for.
    hints: BTreeMap<String, (String, Vec<Hint>)>,
    /// Whether the stdlib copy exists (`None`: not tried yet).
    stdlib_ready: Option<bool>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), String> {
        while let Ok(msg) = self.conn.receiver.recv() {
            if self.handle(msg)? == Flow::Exit {
                return Ok(());
            }
            while let Ok(msg) = self.conn.receiver.try_recv() {
                if self.handle(msg)? == Flow::Exit {
                    return Ok(());
                }
            }
            self.flush();
        }
        Ok(())
    }

    fn send(&self, msg: impl Into<Message>) {
        // A closed channel means the client is gone; the loop ends on the next recv.
        let _ = self.conn.sender.send(msg.into());
    }

    fn handle(&mut self, msg: Message) -> Result<Flow, String> {
        match msg {
            Message::Request(req) => {
                if self.conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(Flow::Exit);
                }
                let resp = self.request(req);
                self.send(resp);
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(Flow::Exit);
                }
                self.notification(n);
            }
            Message::Response(_) => {}
        }
        Ok(Flow::Continue)
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        // Answers from the last compilation need it to be of the current text.
        if matches!(
            req.method.as_str(),
            "textDocument/codeAction" | "textDocument/inlayHint"
        ) {
            self.flush();
        }
        let result = match req.method.as_str() {
            "textDocument/hover" => parse(req.params).map(|p| self.hover(p)),
            "textDocument/definition" => parse(req.params).map(|p| self.definition(p)),
            "textDocument/completion" => parse(req.params).map(|p| self.completion(p)),
            "textDocument/formatting" => parse(req.params).map(|p| self.formatting(p)),
            "textDocument/codeAction" => parse(req.params).map(|p| self.code_action(p)),
            "textDocument/documentSymbol" => parse(req.params).map(|p| self.document_symbol(p)),
            "workspace/symbol" => parse(req.params).map(|p| self.workspace_symbol(p)),
            "textDocument/inlayHint" => parse(req.params).map(|p| self.inlay_hint(p)),
            "textDocument/semanticTokens/full" => {
                parse(req.params).map(|p| self.semantic_tokens(p))
            }
            "textDocument/prepareRename" | "textDocument/rename" => {
                let result = if req.method == "textDocument/rename" {
                    parse(req.params).map(|p| self.rename(p))
                } else {
                    parse(req.params).map(|p| self.prepare_rename(p))
                };
                return match result {
                    Ok(Ok(v)) => Response::new_ok(id, v),
                    Ok(Err(e)) => Response::new_err(id, ErrorCode::RequestFailed as i32, e),
                    Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e),
                };
            }
            other => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("amc lsp does not handle {other}"),
                );
            }
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e),
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = parse::<DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.docs.open(d.uri.as_str(), d.text, d.version);
                    self.retarget();
                    self.touch(d.uri.as_str());
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = parse::<DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri.as_str();
                    let Some(doc) = self.docs.get(uri) else {
                        return;
                    };
                    let mut text = doc.text.clone();
                    for change in p.content_changes {
                        match change.range {
                            None => text = change.text,
                            Some(r) => {
                                let idx = LineIndex::new(&text);
                                let (s, e) = (idx.offset(r.start), idx.offset(r.end));
                                text.replace_range(s..e.max(s), &change.text);
                            }
                        }
                    }
                    self.docs.change(uri, text, p.text_document.version);
                    self.touch(uri);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = parse::<DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri.as_str();
                    self.docs.close(uri);
                    if let Some(t) = self.targets.remove(uri) {
                        self.dirty.insert(t);
                    }
                    self.retarget();
                }
            }
            "textDocument/didSave" | "workspace/didChangeWatchedFiles" => {
                self.retarget();
                self.dirty.extend(self.targets.values().cloned());
            }
            _ => {}
        }
    }

    /// Recomputes which spec each open document belongs to; specs whose
    /// membership changed are recompiled.
    fn retarget(&mut self) {
        let overlay = self.docs.overlay();
        let mut targets = BTreeMap::new();
        for d in self.docs.iter() {
            let Some(path) = &d.path else { continue };
            if path.starts_with(&self.config.stdlib_dir) {
                continue;
            }
            targets.insert(d.uri.clone(), target_for(path, &overlay, &self.stops));
        }
        for (uri, t) in &targets {
            if self.targets.get(uri) != Some(t) {
                self.dirty.insert(t.clone());
                if let Some(old) = self.targets.get(uri) {
                    self.dirty.insert(old.clone());
                }
            }
        }
        self.targets = targets;
    }

    fn touch(&mut self, uri: &str) {
        if let Some(t) = self.targets.get(uri) {
            self.dirty.insert(t.clone());
        }
    }

    /// Compiles every dirty spec and publishes its diagnostics.
    fn flush(&mut self) {
        let dirty = std::mem::take(&mut self.dirty);
        if dirty.is_empty() {
            return;
        }
        let overlay = self.docs.overlay();
        for target in dirty {
            let anchor = self
                .targets
                .iter()
                .find(|(_, t)| **t == target)
                .map(|(u, _)| u.clone());
            let mut fresh = BTreeMap::new();
            let mut compiled = None;
            if let Some(anchor) = anchor {
                let stdlib_dir = self
                    .stdlib_copy()
                    .then_some(self.config.stdlib_dir.as_path());
                let docs = &self.docs;
                let client_uri = |p: &Path| docs.uri_of(p).map(str::to_string);
                let uris = UriMap {
                    root: target.root_dir(),
                    stdlib_dir,
                    client_uri: &client_uri,
                };
                let mut c = compile(&target, &overlay, &uris, &anchor);
                fresh = std::mem::take(&mut c.diagnostics);
                compiled = Some(c);
            }
            // Clear what this spec published before and no longer reports.
            let stale: Vec<String> = self
                .owner
                .iter()
                .filter(|(u, t)| **t == target && !fresh.contains_key(*u))
                .map(|(u, _)| u.clone())
                .collect();
            for uri in stale {
                self.owner.remove(&uri);
                self.fixable.remove(&uri);
                self.hints.remove(&uri);
                self.publish(&uri, Vec::new());
            }
            let mut compiled = compiled.unwrap_or_default();
            for uri in fresh.keys() {
                let fixable = compiled.fixable.remove(uri).unwrap_or_default();
                self.fixable.insert(uri.clone(), fixable);
                let hints = compiled.hints.remove(uri).unwrap_or_default();
                let text = compiled.texts.remove(uri).unwrap_or_default();
                self.hints.insert(uri.clone(), (text, hints));
            }
            for (uri, diags) in fresh {
                self.owner.insert(uri.clone(), target.clone());
                self.publish(&uri, diags);
            }
        }
    }

    fn publish(&self, uri: &str, diagnostics: Vec<lsp_types::Diagnostic>) {
        let Ok(parsed) = uri.parse::<Uri>() else {
            return;
        };
        let params = PublishDiagnosticsParams {
            uri: parsed,
            diagnostics,
            version: self.docs.get(uri).map(|d| d.version),
        };
        self.send(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        ));
    }

    /// Makes sure the read-only stdlib copy exists; false if it cannot be written.
    fn stdlib_copy(&mut self) -> bool {
        *self
            .stdlib_ready
            .get_or_insert_with(|| materialise_stdlib(&self.config.stdlib_dir).is_ok())
    }

    /// The text of an open document, its spec and the offset of a position.
    fn at(&self, uri: &Uri, pos: lsp_types::Position) -> Option<(String, usize, Target)> {
        let doc = self.docs.get(uri.as_str())?;
        let offset = LineIndex::new(&doc.text).offset(pos);
        let target = self
            .targets
            .get(uri.as_str())
            .cloned()
            .unwrap_or_else(|| Target::File(doc.path.clone().unwrap_or_default()));
        Some((doc.text.clone(), offset, target))
    }

    fn index(&self, target: &Target) -> Index {
        Index::build(target, &self.docs.overlay())
    }

    fn hover(&mut self, p: HoverParams) -> Value {
        let tdp = p.text_document_position_params;
        let Some((text, offset, target)) = self.at(&tdp.text_document.uri, tdp.position) else {
            return Value::Null;
        };
        let index = || self.index(&target);
        let Some(h) = hover::hover(&text, offset, &index) else {
            return Value::Null;
        };
        let lines = LineIndex::new(&text);
        to_value(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(lines.range(h.span.0, h.span.1)),
        })
    }

    fn definition(&mut self, p: GotoDefinitionParams) -> Value {
        let tdp = p.text_document_position_params;
        let Some((text, offset, target)) = self.at(&tdp.text_document.uri, tdp.position) else {
            return Value::Null;
        };
        let index = self.index(&target);
        let found = definition::definition(&text, offset, &index);
        let (place, file_text, span) = match &found {
            Some(definition::Found::Def(def)) => {
                let Some((place, file_text)) = index.file(def) else {
                    return Value::Null;
                };
                (
                    place.clone(),
                    file_text.as_str(),
                    (def.name_span.0, def.id_span.1),
                )
            }
            Some(definition::Found::Module(name)) => (Place::Std(name.clone()), "", (0, 0)),
            None => return Value::Null,
        };
        let uri = match &place {
            Place::Path(path) => self
                .docs
                .uri_of(path)
                .map(str::to_string)
                .unwrap_or_else(|| path_to_uri(path)),
            Place::Std(name) => {
                if !self.stdlib_copy() {
                    return Value::Null;
                }
                path_to_uri(&stdlib_file(&self.config.stdlib_dir, name))
            }
        };
        let Ok(uri) = uri.parse::<Uri>() else {
            return Value::Null;
        };
        let range = LineIndex::new(file_text).range(span.0, span.1);
        to_value(GotoDefinitionResponse::Scalar(Location { uri, range }))
    }

    fn completion(&mut self, p: lsp_types::CompletionParams) -> Value {
        let tdp = p.text_document_position;
        let Some((text, offset, target)) = self.at(&tdp.text_document.uri, tdp.position) else {
            return Value::Null;
        };
        let lines = LineIndex::new(&text);
        let index = || self.index(&target);
        let items = completion::complete(&text, offset, &lines, &index);
        to_value(CompletionResponse::Array(items))
    }

    fn formatting(&mut self, p: DocumentFormattingParams) -> Value {
        let Some(doc) = self.docs.get(p.text_document.uri.as_str()) else {
            return Value::Null;
        };
        match formatting::edits(&doc.text) {
            Some(edits) => to_value(edits),
            None => Value::Null,
        }
    }

    fn code_action(&mut self, p: CodeActionParams) -> Value {
        let uri = p.text_document.uri.as_str();
        let Some(fixable) = self.fixable.get(uri) else {
            return to_value(Vec::<lsp_types::CodeActionOrCommand>::new());
        };
        to_value(actions::code_actions(
            fixable,
            &p.range,
            p.context.only.as_deref(),
        ))
    }

    fn document_symbol(&mut self, p: DocumentSymbolParams) -> Value {
        let Some(doc) = self.docs.get(p.text_document.uri.as_str()) else {
            return Value::Null;
        };
        to_value(DocumentSymbolResponse::Nested(symbols::document_symbols(
            &doc.text,
        )))
    }

    fn workspace_symbol(&mut self, p: WorkspaceSymbolParams) -> Value {
        let specs: BTreeSet<Target> = self.targets.values().cloned().collect();
        let mut defs = Vec::new();
        for target in &specs {
            for (place, text) in &self.index(target).files {
                let Place::Path(path) = place else { continue };
                let uri = self
                    .docs
                    .uri_of(path)
                    .map(str::to_string)
                    .unwrap_or_else(|| path_to_uri(path));
                defs.extend(symbols::file_defs(&uri, text));
            }
        }
        to_value(WorkspaceSymbolResponse::Flat(symbols::workspace_symbols(
            defs, &p.query,
        )))
    }

    fn inlay_hint(&mut self, p: InlayHintParams) -> Value {
        let uri = p.text_document.uri.as_str();
        let Some(doc) = self.docs.get(uri) else {
            return Value::Null;
        };
        let lines = LineIndex::new(&doc.text);
        let (from, to) = (lines.offset(p.range.start), lines.offset(p.range.end));
        let compiled: &[Hint] = match self.hints.get(uri) {
            Some((text, hints)) if *text == doc.text => hints,
            _ => &[],
        };
        to_value(inlay::to_lsp(&doc.text, from, to, compiled))
    }

    fn semantic_tokens(&mut self, p: SemanticTokensParams) -> Value {
        let Some(doc) = self.docs.get(p.text_document.uri.as_str()) else {
            return Value::Null;
        };
        let tokens = semantic::tokens(&doc.text);
        to_value(SemanticTokensResult::Tokens(semantic::encode(
            &doc.text, &tokens,
        )))
    }

    /// The id under the cursor for rename, or why there is none.
    fn renamable(
        &self,
        tdp: &TextDocumentPositionParams,
    ) -> Result<(String, rename::Renamable, Index), String> {
        let uri = &tdp.text_document.uri;
        let doc = self
            .docs
            .get(uri.as_str())
            .ok_or_else(|| format!("{} is not open", uri.as_str()))?;
        if doc
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with(&self.config.stdlib_dir))
        {
            return Err(
                "this is amc's stdlib, which is read-only; nothing in it can be renamed".into(),
            );
        }
        let (text, offset, target) = self
            .at(uri, tdp.position)
            .ok_or_else(|| format!("{} is not open", uri.as_str()))?;
        let index = self.index(&target);
        let what = rename::prepare(&text, offset, &index)?;
        Ok((text, what, index))
    }

    fn prepare_rename(&mut self, p: TextDocumentPositionParams) -> Result<Value, String> {
        let (text, what, _) = self.renamable(&p)?;
        let lines = LineIndex::new(&text);
        Ok(to_value(PrepareRenameResponse::RangeWithPlaceholder {
            range: lines.range(what.span.0, what.span.1),
            placeholder: what.id,
        }))
    }

    // `WorkspaceEdit::changes` is keyed by `Uri`, which clippy sees as mutable.
    #[allow(clippy::mutable_key_type)]
    fn rename(&mut self, p: RenameParams) -> Result<Value, String> {
        let (_, what, index) = self.renamable(&p.text_document_position)?;
        let edits = rename::rename(&what, &p.new_name, &index)?;
        let mut changes: std::collections::HashMap<Uri, Vec<TextEdit>> =
            std::collections::HashMap::new();
        for (path, file_edits) in edits {
            let Some((_, text)) = index
                .files
                .iter()
                .find(|(pl, _)| *pl == Place::Path(path.clone()))
            else {
                continue;
            };
            let lines = LineIndex::new(text);
            let uri = self
                .docs
                .uri_of(&path)
                .map(str::to_string)
                .unwrap_or_else(|| path_to_uri(&path));
            let Ok(uri) = uri.parse::<Uri>() else {
                continue;
            };
            changes.insert(
                uri,
                file_edits
                    .into_iter()
                    .map(|((s, e), new_text)| TextEdit {
                        range: lines.range(s, e),
                        new_text,
                    })
                    .collect(),
            );
        }
        Ok(to_value(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }))
    }
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, String> {
    serde_json::from_value(params).map_err(|e| format!("invalid parameters: {e}"))
}

fn to_value(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
