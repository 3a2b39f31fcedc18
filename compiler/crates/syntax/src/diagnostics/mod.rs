//! Diagnostics: user mistakes as values.
//!
//! Every stage reports problems by pushing a [`Diagnostic`] into a
//! [`Diagnostics`] sink and carrying on, so one run reports every error.
//! Rendering happens in one place ([`render`]): miette for people, JSON for
//! machines. This module never decides what is an error; stages do.

mod codes;
pub mod render;
pub mod sarif;

pub use codes::{Code, CodeInfo, all_codes};

use crate::source::Span;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The spec cannot be built.
    Error,
    /// The spec builds, but something deserves attention.
    Warning,
}

impl Severity {
    /// Lower-case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A source range with a short message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there (short, lower case).
    pub message: String,
}

/// A machine-applicable fix-it: replace the text at `span` with
/// `replacement` (an empty span inserts). Editors offer it as a quick fix;
/// the rendered diagnostic says the same thing in its help.
///
/// A replacement that holds a newline adds lines: editors indent each line
/// after a newline like the line the edit starts on (`amc fmt`'s four spaces
/// are written out for one level deeper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What to replace (empty: insert here).
    pub span: Span,
    /// The new text.
    pub replacement: String,
    /// What the fix does, as an editor shows it ("replace with `vram`").
    pub label: String,
}

/// One problem found in the user's input (or, for internal codes, in amc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, documented in docs/diagnostics.md.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// The primary label first; secondary labels may be in other files.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Fixes an editor can apply, best first (the help says them in words).
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A new error with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.info().severity,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// Adds a label (the first added is the primary one).
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help text when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a fix-it (the first added is the preferred one).
    pub fn fix(
        mut self,
        span: Span,
        replacement: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        self.fixes.push(Fix {
            span,
            replacement: replacement.into(),
            label: label.into(),
        });
        self
    }

    /// Adds a fix-it replacing `span` with the quoted string `value`, when
    /// there is a value ("did you mean" candidates).
    pub fn fix_quoted(self, span: Span, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.fix(span, quote(v), format!("replace with `{v}`")),
            None => self,
        }
    }

    /// The primary span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// An internal compiler error: a bug in amc, reported instead of panicking.
    pub fn internal(message: impl Into<String>) -> Self {
        Diagnostic::new(Code::E0901, format!("internal compiler error: {}", message.into())).help(
            "this is a bug in amc, not in your spec; please report it with the spec that triggers it",
        )
    }
}

/// A bug a later stage (solve, emit, sign) found in what the earlier stages
/// handed it: a planned staging or machine that vanished, a template that
/// does not render, a document that does not serialise. Check has already
/// judged the user's input, so this is never a verdict on it; it becomes an
/// `E0901` labelled with the construct being processed when it happened (the
/// innermost one that knew it), so a report names the pod or model that
/// triggers the bug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bug {
    /// What went wrong.
    pub message: String,
    /// The construct being processed, and what was being done with it.
    pub at: Option<(Span, String)>,
}

impl Bug {
    /// A bug without a construct yet.
    pub fn new(message: impl Into<String>) -> Self {
        Bug {
            message: message.into(),
            at: None,
        }
    }

    /// Attributes the bug to `span` (`doing` says what was being done with
    /// it), unless an inner stage already did.
    #[must_use]
    pub fn at(mut self, span: Span, doing: impl Into<String>) -> Self {
        if self.at.is_none() {
            self.at = Some((span, doing.into()));
        }
        self
    }

    /// The `E0901` that reports it.
    pub fn into_diagnostic(self) -> Diagnostic {
        let d = Diagnostic::internal(self.message);
        match self.at {
            Some((span, doing)) => d.label(span, doing),
            None => d,
        }
    }
}

impl From<String> for Bug {
    fn from(message: String) -> Self {
        Bug::new(message)
    }
}

impl From<&str> for Bug {
    fn from(message: &str) -> Self {
        Bug::new(message)
    }
}

impl std::fmt::Display for Bug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A result whose error is a [`Bug`].
pub type BugResult<T> = Result<T, Bug>;

/// The section of docs/diagnostics.md for a code (shown by `amc explain`).
pub fn explain(code: Code) -> String {
    const DOC: &str = include_str!("../../../../../docs/diagnostics.md");
    let head = format!("## {}", code.info().code);
    let mut out = String::new();
    let mut inside = false;
    for line in DOC.lines() {
        if line.starts_with("## ") {
            inside = line.starts_with(&head);
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    if out.is_empty() {
        out = format!("{}: {}\n", code.qualified(), code.info().title);
    }
    out
}

/// Collects diagnostics during a compilation. Counts are kept as they are
/// pushed: stages ask "did this pod add an error?" once per pod, and a
/// count that walked the list made checking n pods O(n²).
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    errors: usize,
    warnings: usize,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        self.items.push(d);
    }

    /// Adds many.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        for d in ds {
            self.push(d);
        }
    }

    /// Whether any error (not warning) was reported.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.warnings
    }

    /// All diagnostics in a stable order: by primary position, then code.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut v = self.items.clone();
        v.sort_by(|a, b| {
            let ka = a.primary_span().map(|s| (s.file, s.start, s.end));
            let kb = b.primary_span().map(|s| (s.file, s.start, s.end));
            ka.cmp(&kb)
                .then(a.code.cmp(&b.code))
                .then(a.message.cmp(&b.message))
        });
        v.dedup();
        v
    }

    /// Applies `f` to every diagnostic, then drops exact repeats (keeping
    /// the first) and recounts.
    pub fn rewrite(&mut self, mut f: impl FnMut(&mut Diagnostic)) {
        let items = std::mem::take(&mut self.items);
        *self = Diagnostics::new();
        let mut seen = std::collections::BTreeSet::new();
        for mut d in items {
            f(&mut d);
            if seen.insert(format!("{d:?}")) {
                self.push(d);
            }
        }
    }

    /// Replaces the list with what `f` makes of it (dropping, merging,
    /// relabelling), and recounts.
    pub fn replace(&mut self, f: impl FnOnce(Vec<Diagnostic>) -> Vec<Diagnostic>) {
        let items = f(std::mem::take(&mut self.items));
        *self = Diagnostics::new();
        self.extend(items);
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Iterates in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// `s` as a quoted KDL string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// "did you mean `x`?" for a misspelt name, if a candidate is close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate [`did_you_mean`] suggests for a misspelt name, if any.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        let better = match best {
            None => true,
            Some((s, b)) => score > s || (score == s && c < b),
        };
        if better {
            best = Some((score, c));
        }
    }
    match best {
        Some((score, c)) if score >= 0.8 => Some(c),
        _ => None,
    }
}
