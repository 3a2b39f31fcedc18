//! Diagnostics: the real driver over the editor's buffers, per file URI.
//!
//! Takes a [`Target`] and the [`Overlay`] (open buffers over the disk); runs
//! `driver::compile` exactly as `amc check` does (facts, documents and
//! placement included) and produces LSP diagnostics grouped by file URI,
//! with the same codes and spans, positions in UTF-16. Secondary labels
//! become related information; fix-its become quick fixes
//! ([`super::actions`]); the placement and the values the compiler filled
//! in become inlay hints ([`super::inlay`]). Never publishes; the server does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range,
    Uri,
};

use amc_driver::driver::{self, Options, Stop};
use amc_emit::EmitOptions;
use amc_syntax::diagnostics::{self as amc_diag, Severity};
use amc_syntax::source::{SourceMap, Span};

use super::actions::{QuickFix, quick_fixes};
use super::convert::{LineIndex, path_to_uri};
use super::index::stdlib_file;
use super::inlay::{Hint, compiled_hints};
use super::store::{Overlay, Target};

/// How file names of a compilation map to URIs.
pub struct UriMap<'a> {
    /// The spec root (names are relative to it).
    pub root: PathBuf,
    /// Where the stdlib copy is (for labels that point into the stdlib).
    pub stdlib_dir: Option<&'a Path>,
    /// The client's own URI for a path, when the path is open.
    pub client_uri: &'a dyn Fn(&Path) -> Option<String>,
}

impl UriMap<'_> {
    /// The URI of a file of the compilation, by its name (`None`: no file).
    pub fn uri(&self, name: &str) -> Option<String> {
        if let Some(std_name) = name.strip_prefix("std:") {
            let dir = self.stdlib_dir?;
            return Some(path_to_uri(&stdlib_file(dir, &format!("std:{std_name}"))));
        }
        if name.is_empty() {
            return None;
        }
        let path = amc_lang::vfs::normalize(&self.root.join(name));
        Some((self.client_uri)(&path).unwrap_or_else(|| path_to_uri(&path)))
    }
}

/// A diagnostic as published, with the quick fixes its fix-its make.
#[derive(Debug, Clone)]
pub struct Fixable {
    /// The diagnostic as published.
    pub diagnostic: Diagnostic,
    /// Its quick fixes, best first.
    pub fixes: Vec<QuickFix>,
}

/// What one compilation tells the editor, by file URI.
#[derive(Debug, Default)]
pub struct Compiled {
    /// Diagnostics by URI (every spec file has an entry, empty when clean).
    pub diagnostics: BTreeMap<String, Vec<Diagnostic>>,
    /// Diagnostics that have quick fixes, by the URI they are published on.
    pub fixable: BTreeMap<String, Vec<Fixable>>,
    /// Inlay hints from the compilation (placement, filled-in values).
    pub hints: BTreeMap<String, Vec<Hint>>,
    /// The text each URI had when compiled (hints and fixes hold for it only).
    pub texts: BTreeMap<String, String>,
}

/// Compiles a target and returns its diagnostics by URI. Diagnostics that
/// point nowhere (or into a file that has no URI) go to `anchor`, at its start.
pub fn check(
    target: &Target,
    overlay: &Overlay,
    uris: &UriMap<'_>,
    anchor: &str,
) -> BTreeMap<String, Vec<Diagnostic>> {
    compile(target, overlay, uris, anchor).diagnostics
}

/// Compiles a target as `amc check` does: diagnostics, quick fixes and
/// inlay hints by URI.
pub fn compile(target: &Target, overlay: &Overlay, uris: &UriMap<'_>, anchor: &str) -> Compiled {
    let mut compiled = Compiled::default();
    let out = &mut compiled.diagnostics;
    let opts = Options {
        stop: Stop::Check,
        emit: EmitOptions::default(),
        overlay: target.overlay().map(str::to_string),
        ..Default::default()
    };
    let c = match driver::compile(overlay, target.path(), "", &opts) {
        Ok(c) => c,
        Err(message) => {
            out.entry(anchor.to_string()).or_default().push(Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("amc".into()),
                message,
                ..Diagnostic::default()
            });
            return compiled;
        }
    };
    // Every spec file gets an entry, so files that became clean are cleared.
    for (_, f) in c.sources.files() {
        if !f.name.starts_with("std:")
            && let Some(uri) = uris.uri(&f.name)
        {
            out.entry(uri.clone()).or_default();
            compiled.texts.insert(uri, f.text.to_string());
        }
    }
    for d in c.diagnostics.sorted() {
        let primary = d.labels.first();
        let placed = primary.and_then(|l| {
            let uri = uris.uri(c.sources.name(l.span.file))?;
            Some((uri, range_of(&c.sources, l.span)?))
        });
        let (uri, range) = placed.unwrap_or_else(|| (anchor.to_string(), Range::default()));
        let related: Vec<DiagnosticRelatedInformation> = d
            .labels
            .iter()
            .skip(1)
            .filter_map(|l| {
                let uri: Uri = uris.uri(c.sources.name(l.span.file))?.parse().ok()?;
                Some(DiagnosticRelatedInformation {
                    location: Location {
                        uri,
                        range: range_of(&c.sources, l.span)?,
                    },
                    message: l.message.clone(),
                })
            })
            .collect();
        let published = to_lsp(&d, range, related);
        let fixes = quick_fixes(&d, &c.sources, uris);
        if !fixes.is_empty() {
            compiled
                .fixable
                .entry(uri.clone())
                .or_default()
                .push(Fixable {
                    diagnostic: published.clone(),
                    fixes,
                });
        }
        out.entry(uri).or_default().push(published);
    }
    compiled.hints = compiled_hints(&c, uris);
    compiled
}

fn range_of(sources: &SourceMap, span: Span) -> Option<Range> {
    let f = sources.get(span.file)?;
    let idx = LineIndex::new(&f.text);
    Some(idx.range(span.start as usize, span.end as usize))
}

fn to_lsp(
    d: &amc_diag::Diagnostic,
    range: Range,
    related: Vec<DiagnosticRelatedInformation>,
) -> Diagnostic {
    let mut message = d.message.clone();
    if let Some(l) = d.labels.first().filter(|l| !l.message.is_empty()) {
        message.push_str(&format!(": {}", l.message));
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.info().code.to_string())),
        source: Some("amc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}
