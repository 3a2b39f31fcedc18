//! Helpers shared by commands: output format, diagnostic printing, paths.

use std::io::IsTerminal;

use amc::diagnostics::render::{self, HumanStyle};
use amc::driver::Compilation;
use std::path::Path;

use amc::diagnostics::{Code, Diagnostic};
use amc::json_span;
use amc::source::{FileId, SourceMap, Span};
use clap::ValueEnum;
use serde_json::Value;

/// Output format for diagnostics and reports.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum Format {
    /// Terminal output (miette).
    Human,
    /// Stable JSON (documented in docs/cli.md).
    Json,
}

/// Human rendering style: colour only on a terminal without NO_COLOR.
pub fn style() -> HumanStyle {
    HumanStyle {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ..HumanStyle::default()
    }
}

/// Prints a compilation's diagnostics to stderr in human format.
pub fn print_diags(c: &Compilation, format: Format) {
    if format == Format::Human {
        let diags = c.diagnostics.sorted();
        stderr!("{}", render::human(&diags, &c.sources, style()));
    }
}

/// "N errors, M warnings".
pub fn summary(c: &Compilation) -> String {
    let e = c.diagnostics.error_count();
    let w = c.diagnostics.warning_count();
    format!(
        "{e} error{}, {w} warning{}",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" }
    )
}

/// The JSON form of a compilation's diagnostics.
pub fn json_of(c: &Compilation) -> Vec<render::JsonDiagnostic> {
    render::to_json(&c.diagnostics.sorted(), &c.sources)
}

/// A path as shown in diagnostics (forward slashes).
pub fn display_of(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Loaded files and the diagnostics about them.
#[derive(Default)]
pub struct Loader {
    /// Every file read.
    pub sources: SourceMap,
    /// What is wrong with them.
    pub diags: Vec<Diagnostic>,
}

impl Loader {
    /// Reads and parses one JSON file; `kind` (when given) must match.
    pub fn load(&mut self, path: &Path, kind: Option<&str>) -> Option<(FileId, Value)> {
        let name = path.to_string_lossy().replace('\\', "/");
        let text = match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                let id = self.sources.add(name.clone(), "");
                self.push(
                    Diagnostic::new(Code::E0401, format!("`{name}` is not UTF-8 JSON"))
                        .label(Span::new(id, 0, 0), "this file"),
                );
                return None;
            }
            Err(e) => {
                let id = self.sources.add(name.clone(), "");
                self.push(
                    Diagnostic::new(Code::E0401, format!("cannot read `{name}`: {e}"))
                        .label(Span::new(id, 0, 0), "this file"),
                );
                return None;
            }
        };
        let file = self.sources.add(name.clone(), text.clone());
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let off = json_span::offset_of(&text, e.line(), e.column());
                self.push(
                    Diagnostic::new(Code::E0401, format!("malformed JSON in `{name}`: {e}"))
                        .label(Span::new(file, off, (off + 1).min(text.len())), "here"),
                );
                return None;
            }
        };
        if let Some(kind) = kind
            && value.get("kind").and_then(Value::as_str) != Some(kind)
        {
            let (s, e) = json_span::locate(&text, "/kind", None).unwrap_or((0, 1));
            self.push(
                Diagnostic::new(Code::E0403, format!("`{name}` is not a {kind}")).label(
                    Span::new(file, s, e),
                    format!("expected \"kind\": \"{kind}\""),
                ),
            );
            return None;
        }
        Some((file, value))
    }

    /// Adds a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}
