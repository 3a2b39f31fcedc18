//! Helpers shared by commands: output format, diagnostic printing, paths.

use std::io::IsTerminal;

use amc::diagnostics::render::{self, HumanStyle};
use amc::driver::Compilation;
use clap::ValueEnum;

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
