//! Rendering diagnostics: the one place that turns [`Diagnostic`]s into text.
//!
//! Takes diagnostics and the [`SourceMap`] they point into; produces miette's
//! graphical report for people and a stable JSON array for machines. Never
//! decides severity or wording.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, Span};

/// Options for human rendering.
#[derive(Debug, Clone, Copy)]
pub struct HumanStyle {
    /// Use colours (only on a terminal).
    pub color: bool,
    /// Use Unicode box drawing (else ASCII).
    pub unicode: bool,
    /// Line width.
    pub width: usize,
}

impl Default for HumanStyle {
    fn default() -> Self {
        HumanStyle {
            color: false,
            unicode: true,
            width: 100,
        }
    }
}

/// A source file as miette reads it: only the lines around a span are handed
/// to miette, found through the file's line index. (miette's own `str`
/// source scans from the start of the file for every label, which made
/// rendering N diagnostics in a large spec quadratic.)
struct Windowed<'a> {
    file: &'a SourceFile,
}

impl SourceCode for Windowed<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.file.text.as_str();
        let start = span.offset();
        let end = start.saturating_add(span.len());
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // One spare line each side, so miette sees the same context it would
        // see in the whole file.
        let first = self
            .file
            .line_index(start)
            .saturating_sub(context_lines_before + 1);
        let last = self.file.line_index(end) + context_lines_after + 1;
        let from = self.file.line_start(first).unwrap_or(0);
        let to = self
            .file
            .line_start(last + 1)
            .unwrap_or(text.len())
            .max(end);
        let window = text.get(from..to).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((start - from).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

struct MietteView<'a> {
    diag: &'a Diagnostic,
    source: Option<Windowed<'a>>,
    labels: Vec<LabeledSpan>,
    related: Vec<MietteView<'a>>,
    code: String,
    message: String,
}

impl fmt::Debug for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteView<'_> {}

impl miette::Diagnostic for MietteView<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        if self.code.is_empty() {
            // A label in another file: context for the diagnostic, not a second error.
            return Some(miette::Severity::Advice);
        }
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.code.is_empty() {
            return None;
        }
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

fn to_source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

fn view<'a>(diag: &'a Diagnostic, map: &'a SourceMap) -> MietteView<'a> {
    let primary_file = diag.primary_span().map(|s| s.file);
    let mut labels = Vec::new();
    let mut others: Vec<(crate::source::FileId, Vec<&super::Label>)> = Vec::new();
    for (i, l) in diag.labels.iter().enumerate() {
        if Some(l.span.file) == primary_file {
            let text = if l.message.is_empty() {
                None
            } else {
                Some(l.message.clone())
            };
            if i == 0 {
                labels.push(LabeledSpan::new_primary_with_span(
                    text,
                    to_source_span(l.span),
                ));
            } else {
                labels.push(LabeledSpan::new_with_span(text, to_source_span(l.span)));
            }
        } else if let Some(entry) = others.iter_mut().find(|(f, _)| *f == l.span.file) {
            entry.1.push(l);
        } else {
            others.push((l.span.file, vec![l]));
        }
    }
    let source = primary_file.and_then(|f| map.get(f).map(|file| Windowed { file }));
    let related = others
        .into_iter()
        .map(|(file, ls)| {
            let source = map.get(file).map(|file| Windowed { file });
            let message = ls.first().map(|l| l.message.clone()).unwrap_or_default();
            MietteView {
                diag,
                source,
                labels: ls
                    .iter()
                    .map(|l| LabeledSpan::new_with_span(None, to_source_span(l.span)))
                    .collect(),
                related: Vec::new(),
                code: String::new(),
                message,
            }
        })
        .collect();
    MietteView {
        diag,
        source,
        labels,
        related,
        code: diag.code.qualified(),
        message: diag.message.clone(),
    }
}

/// Renders diagnostics for a terminal, followed by a summary line.
pub fn human(diags: &[Diagnostic], map: &SourceMap, style: HumanStyle) -> String {
    let theme = match (style.unicode, style.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, _) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_urls(false);
    let mut out = String::new();
    for d in diags {
        let mut v = view(d, map);
        let long = d.labels.iter().any(|l| on_long_line(map, l.span));
        if long {
            // miette pads to the label's column (a width over 65535 panics
            // inside `format!`), and a snippet of a huge line helps nobody:
            // render the header and help, then one location line per label.
            v.source = None;
            v.labels.clear();
            v.related.clear();
        }
        let mut s = String::new();
        if handler.render_report(&mut s, &v).is_err() {
            s = format!("{}: {}\n", d.code.qualified(), d.message);
        }
        if long {
            for l in &d.labels {
                let (file, line, col, _, _) = position(map, l.span);
                s.push_str(&format!("  --> {file}:{line}:{col}: {}\n", l.message));
            }
        }
        out.push_str(&s);
        out.push('\n');
    }
    out
}

/// Lines longer than this are not shown as snippets.
const LONG_LINE: usize = 1000;

/// Whether a span starts or ends on a line longer than [`LONG_LINE`] bytes.
fn on_long_line(map: &SourceMap, span: Span) -> bool {
    let Some(f) = map.get(span.file) else {
        return false;
    };
    [span.start as usize, span.end as usize]
        .into_iter()
        .any(|at| {
            let line = f.line_index(at.min(f.text.len()));
            let start = f.line_start(line).unwrap_or(0);
            let end = f.line_start(line + 1).unwrap_or(f.text.len());
            end.saturating_sub(start) > LONG_LINE
        })
}

/// One diagnostic as written by `--format json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonDiagnostic {
    /// Namespaced code, e.g. `amc::E0102`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The message.
    pub message: String,
    /// File of the primary label (relative to the spec root), or null.
    pub file: Option<String>,
    /// 1-based line of the primary label.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the primary label.
    pub column: Option<usize>,
    /// 1-based line where the primary label ends.
    pub end_line: Option<usize>,
    /// 1-based column where the primary label ends (exclusive).
    pub end_column: Option<usize>,
    /// How to fix it.
    pub help: Option<String>,
    /// Every label, primary first.
    pub labels: Vec<JsonLabel>,
}

/// A label in JSON output.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLabel {
    /// File.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The label text.
    pub message: String,
}

fn position(map: &SourceMap, span: Span) -> (String, usize, usize, usize, usize) {
    match map.get(span.file) {
        Some(f) => {
            let (l, c) = f.line_col(span.start as usize);
            let (el, ec) = f.line_col(span.end as usize);
            (f.name.clone(), l, c, el, ec)
        }
        None => ("<unknown>".to_string(), 0, 0, 0, 0),
    }
}

/// Converts diagnostics to the stable JSON shape.
pub fn to_json(diags: &[Diagnostic], map: &SourceMap) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| {
            let primary = d.primary_span().map(|s| position(map, s));
            JsonDiagnostic {
                code: d.code.qualified(),
                severity: d.severity.as_str(),
                message: d.message.clone(),
                file: primary.as_ref().map(|p| p.0.clone()),
                line: primary.as_ref().map(|p| p.1),
                column: primary.as_ref().map(|p| p.2),
                end_line: primary.as_ref().map(|p| p.3),
                end_column: primary.as_ref().map(|p| p.4),
                help: d.help.clone(),
                labels: d
                    .labels
                    .iter()
                    .map(|l| {
                        let (file, line, column, _, _) = position(map, l.span);
                        JsonLabel {
                            file,
                            line,
                            column,
                            message: l.message.clone(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A short `file:line:col: severity[code]: message` line per diagnostic.
pub fn short(diags: &[Diagnostic], map: &SourceMap) -> String {
    let mut out = String::new();
    for j in to_json(diags, map) {
        let loc = match (&j.file, j.line, j.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: "),
            _ => String::new(),
        };
        out.push_str(&format!("{loc}{}[{}]: {}\n", j.severity, j.code, j.message));
    }
    out
}
