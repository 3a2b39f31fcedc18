//! Quick fixes: the compiler's fix-its as code actions.
//!
//! Takes a compiler diagnostic and its [`Fix`]es (did-you-mean, a missing
//! unit, a missing import, a missing required property or child) with the
//! source map of the compilation; produces [`QuickFix`]es (a title and text
//! edits by URI, positions in UTF-16), and, for a `textDocument/codeAction`
//! request, the `quickfix` actions of the diagnostics in its range. Never
//! decides a fix itself: the compiler's stages do, where they know it.

use std::collections::BTreeMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use amc_syntax::diagnostics::{self as amc_diag, Fix};
use amc_syntax::source::SourceMap;

use super::convert::LineIndex;
use super::diagnostics::{Fixable, UriMap};

/// One quick fix: a title and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickFix {
    /// What the editor shows ("replace with `vram`").
    pub title: String,
    /// Edits by URI.
    pub edits: BTreeMap<String, Vec<TextEdit>>,
}

/// The quick fixes of a diagnostic (fixes into the stdlib, or into files
/// without a URI, are left out).
pub fn quick_fixes(
    d: &amc_diag::Diagnostic,
    sources: &SourceMap,
    uris: &UriMap<'_>,
) -> Vec<QuickFix> {
    d.fixes
        .iter()
        .filter_map(|f| {
            let file = sources.get(f.span.file)?;
            if file.name.starts_with("std:") {
                return None;
            }
            let uri = uris.uri(&file.name)?;
            let edit = text_edit(&file.text, f)?;
            Some(QuickFix {
                title: f.label.clone(),
                edits: BTreeMap::from([(uri, vec![edit])]),
            })
        })
        .collect()
}

/// The text edit of a fix in `text`, with added lines indented like the line
/// the fix starts on. `None` when the span is outside the text.
pub fn text_edit(text: &str, f: &Fix) -> Option<TextEdit> {
    let (start, end) = (f.span.start as usize, f.span.end as usize);
    if start > end || end > text.len() || !text.is_char_boundary(start) {
        return None;
    }
    if !text.is_char_boundary(end) {
        return None;
    }
    let (start, end, new_text) = layout(text, start, end, &f.replacement);
    let lines = LineIndex::new(text);
    Some(TextEdit {
        range: lines.range(start, end),
        new_text,
    })
}

/// Indents the lines a replacement adds like the line it starts on. An
/// insertion that opens with a newline at a line holding only indentation
/// (before a `}` on its own line) goes in at the start of that line instead.
fn layout(text: &str, start: usize, end: usize, rep: &str) -> (usize, usize, String) {
    if !rep.contains('\n') {
        return (start, end, rep.to_string());
    }
    let before = text.get(..start).unwrap_or("");
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let indent: String = text
        .get(line_start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let only_indent = before
        .get(line_start..)
        .is_some_and(|s| s.trim().is_empty());
    if start == end
        && only_indent
        && let Some(rest) = rep.strip_prefix('\n')
    {
        let (body, trailing) = match rest.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (rest, ""),
        };
        let mut out: Vec<String> = Vec::new();
        for line in body.split('\n') {
            out.push(format!("{indent}{line}"));
        }
        let mut new_text = out.join("\n");
        new_text.push_str(trailing);
        if trailing.is_empty() {
            new_text.push('\n');
        }
        return (line_start, line_start, new_text);
    }
    (start, end, rep.replace('\n', &format!("\n{indent}")))
}

fn overlaps(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The quick-fix actions for the diagnostics published on `uri` whose range
/// meets `range`; the first fix of each diagnostic is the preferred one.
/// `only` is the client's filter of action kinds.
// `WorkspaceEdit::changes` is keyed by `Uri`, which clippy sees as mutable.
#[allow(clippy::mutable_key_type)]
pub fn code_actions(
    fixable: &[Fixable],
    range: &Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    if let Some(only) = only
        && !only
            .iter()
            .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str()))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for f in fixable
        .iter()
        .filter(|f| overlaps(&f.diagnostic.range, range))
    {
        for (i, q) in f.fixes.iter().enumerate() {
            let changes: std::collections::HashMap<Uri, Vec<TextEdit>> = q
                .edits
                .iter()
                .filter_map(|(u, e)| Some((u.parse::<Uri>().ok()?, e.clone())))
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: q.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![f.diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(i == 0),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// Applies text edits (non-overlapping, any order) to a text: what a client
/// does with a quick fix. Used by tests and by nothing that writes files.
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let lines = LineIndex::new(text);
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                lines.offset(e.range.start),
                lines.offset(e.range.end),
                e.new_text.as_str(),
            )
        })
        .collect();
    spans.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        if s <= e && e <= out.len() {
            out.replace_range(s..e, t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use amc_syntax::source::{FileId, Span};

    fn fix(text: &str, start: usize, end: usize, rep: &str) -> String {
        let f = Fix {
            span: Span::new(FileId(0), start, end),
            replacement: rep.into(),
            label: String::new(),
        };
        apply(text, &[text_edit(text, &f).unwrap()])
    }

    #[test]
    fn added_lines_are_indented_like_their_line() {
        let t = "machine \"m\" {\n    capacity {\n        cpu 2\n    }\n}\n";
        let close = t.find("    }").unwrap() + 4;
        assert_eq!(
            fix(t, close, close, "\n    memory \"1GiB\"\n"),
            "machine \"m\" {\n    capacity {\n        cpu 2\n        memory \"1GiB\"\n    }\n}\n"
        );
        let t = "model \"m\" { source \"x\" }\n";
        let close = t.find('}').unwrap();
        assert_eq!(
            fix(t, close, close, "\n    format \"gguf\"\n"),
            "model \"m\" { source \"x\" \n    format \"gguf\"\n}\n"
        );
        let t = "    pod \"p\"\n";
        let end = t.find('\n').unwrap();
        assert_eq!(
            fix(t, end, end, " {\n    tenant \"t\"\n}"),
            "    pod \"p\" {\n        tenant \"t\"\n    }\n"
        );
        assert_eq!(fix("ab", 0, 1, "x"), "xb");
    }
}
