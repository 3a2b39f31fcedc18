//! The rebuild cache: how `amc build` knows that nothing changed.
//!
//! A build is a deterministic function of its *key*: the compiler binary,
//! the spec path as shown, every file the build read (spec files, imported
//! stdlib modules, facts, admission and grant documents, the signing key),
//! and every option that changes output. After writing, `amc build` records
//! beside the output (`.OUT.amc-cache.json`, like the lock) the key, the
//! digest of the tree it wrote, the build's diagnostics and per-pod status
//! lines. The next build reads its inputs (parse and resolve only) and, when
//! the key is the same and the tree on disk still has exactly that digest,
//! replays the diagnostics instead of checking, placing and emitting again.
//!
//! The cache is never part of the output and never trusted alone: a missing,
//! unreadable or stale record, a tree changed by hand, a different binary or
//! a signing key that no longer loads all mean a full build.

use amc_lang::resolve::Input;
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics, Fix, Label, Severity};
use amc_syntax::hash::sha256_prefixed as sha256;
use amc_syntax::source::{FileId, SourceMap, Span};
use serde::{Deserialize, Serialize};
use serde_json::json;

use amc_emit::EmitOptions;
use amc_solve::SolveOptions;

/// Format of the record, bumped when its meaning changes.
pub const FORMAT: &str = "amc.build-cache/v1";

/// What a build recorded for the next one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BuildCache {
    /// [`FORMAT`].
    pub format: String,
    /// The build's key ([`key`]).
    pub key: String,
    /// The digest of the tree it wrote (`amc_sign::write::tree_digest`).
    pub tree: String,
    /// The digest of each source file's text, by file id: diagnostics are
    /// replayed only onto the same files in the same order.
    pub sources: Vec<String>,
    /// Every diagnostic the build reported.
    pub diagnostics: Vec<StoredDiagnostic>,
    /// The per-pod status lines `amc build` printed.
    pub statuses: Vec<String>,
    /// Whether every pod's activation was allowed (`--require-activation`
    /// passes).
    pub allowed: bool,
}

/// A diagnostic as recorded (spans by file id and byte offsets).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredDiagnostic {
    code: String,
    error: bool,
    message: String,
    labels: Vec<(StoredSpan, String)>,
    help: Option<String>,
    fixes: Vec<(StoredSpan, String, String)>,
}

/// A span: file id, start, end.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredSpan(u32, u32, u32);

impl From<Span> for StoredSpan {
    fn from(s: Span) -> Self {
        StoredSpan(s.file.0, s.start, s.end)
    }
}

impl From<StoredSpan> for Span {
    fn from(s: StoredSpan) -> Self {
        Span {
            file: FileId(s.0),
            start: s.1,
            end: s.2,
        }
    }
}

/// Cache options for one compilation.
#[derive(Debug, Clone, Default)]
pub struct CacheOptions {
    /// What identifies the compiler: the digest of its own binary (a
    /// different build of amc never reuses another's output).
    pub compiler: String,
    /// The record the previous build left, if any.
    pub previous: Option<BuildCache>,
}

/// The key of a build: every input and option its output depends on.
pub fn key(
    compiler: &str,
    display: &str,
    inputs: &[Input],
    stdlib_modules: &[String],
    (e, overlay, solve): (&EmitOptions, Option<&str>, &SolveOptions),
    signing_key: Option<(&str, &str)>,
) -> String {
    let v = json!({
        "format": FORMAT,
        "compiler": compiler,
        "version": amc_syntax::VERSION,
        "spec": display,
        "overlay": overlay,
        "inputs": inputs.iter().map(|i| [i.path.clone(), sha256(&i.bytes)]).collect::<Vec<_>>(),
        "stdlib": stdlib_modules,
        "decidedAt": e.decided_at,
        "report": e.report,
        "sourceCommit": e.source_commit,
        "workflowRunId": e.workflow_run_id,
        "exact": solve.exact,
        "incumbent": solve.incumbent.as_deref(),
        "signingKey": signing_key.map(|(shown, digest)| [shown, digest]),
    });
    sha256(v.to_string().as_bytes())
}

/// The digests of the source files' texts, by file id.
pub fn source_digests(sources: &SourceMap) -> Vec<String> {
    sources
        .files()
        .map(|(_, f)| sha256(f.text.as_bytes()))
        .collect()
}

/// The record of diagnostics.
pub fn store(diags: &Diagnostics) -> Vec<StoredDiagnostic> {
    diags
        .iter()
        .map(|d| StoredDiagnostic {
            code: d.code.info().code.to_string(),
            error: d.severity == Severity::Error,
            message: d.message.clone(),
            labels: d
                .labels
                .iter()
                .map(|l| (l.span.into(), l.message.clone()))
                .collect(),
            help: d.help.clone(),
            fixes: d
                .fixes
                .iter()
                .map(|f| (f.span.into(), f.replacement.clone(), f.label.clone()))
                .collect(),
        })
        .collect()
}

/// The recorded diagnostics, when every code is still known and every span
/// is inside a file of `sources`; None otherwise (then the build runs).
pub fn replay(stored: &[StoredDiagnostic], sources: &SourceMap) -> Option<Diagnostics> {
    let lens: Vec<usize> = sources.files().map(|(_, f)| f.text.len()).collect();
    let span = |s: StoredSpan| -> Option<Span> {
        let len = *lens.get(usize::try_from(s.0).ok()?)?;
        (s.1 <= s.2 && usize::try_from(s.2).ok()? <= len).then(|| s.into())
    };
    let mut out = Diagnostics::new();
    for d in stored {
        let code = Code::parse(&d.code)?;
        let severity = if d.error {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut labels = Vec::new();
        for (s, m) in &d.labels {
            labels.push(Label {
                span: span(*s)?,
                message: m.clone(),
            });
        }
        let mut fixes = Vec::new();
        for (s, r, l) in &d.fixes {
            fixes.push(Fix {
                span: span(*s)?,
                replacement: r.clone(),
                label: l.clone(),
            });
        }
        out.push(Diagnostic {
            code,
            severity,
            message: d.message.clone(),
            labels,
            help: d.help.clone(),
            fixes,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str, bytes: &[u8]) -> Input {
        Input {
            path: path.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[derive(Default)]
    struct Options {
        emit: EmitOptions,
        overlay: Option<String>,
        solve: SolveOptions,
    }

    fn key(
        compiler: &str,
        display: &str,
        inputs: &[Input],
        stdlib_modules: &[String],
        o: &Options,
        signing_key: Option<(&str, &str)>,
    ) -> String {
        super::key(
            compiler,
            display,
            inputs,
            stdlib_modules,
            (&o.emit, o.overlay.as_deref(), &o.solve),
            signing_key,
        )
    }

    #[test]
    fn the_key_changes_with_every_part() {
        let ins = [input("spec.kdl", b"pod \"a\"")];
        let o = Options::default();
        let base = key("sha256:aa", "spec", &ins, &[], &o, None);
        assert_eq!(base, key("sha256:aa", "spec", &ins, &[], &o, None));
        let mut differ = vec![
            key("sha256:bb", "spec", &ins, &[], &o, None),
            key("sha256:aa", "./spec", &ins, &[], &o, None),
            key(
                "sha256:aa",
                "spec",
                &[input("spec.kdl", b"pod \"b\"")],
                &[],
                &o,
                None,
            ),
            key(
                "sha256:aa",
                "spec",
                &[input("other.kdl", b"pod \"a\"")],
                &[],
                &o,
                None,
            ),
            key("sha256:aa", "spec", &ins, &["std:models".into()], &o, None),
            key(
                "sha256:aa",
                "spec",
                &ins,
                &[],
                &o,
                Some(("k.key", "sha256:cc")),
            ),
        ];
        let mut with = |f: &dyn Fn(&mut Options)| {
            let mut o = Options::default();
            f(&mut o);
            differ.push(key("sha256:aa", "spec", &ins, &[], &o, None));
        };
        with(&|o| o.emit.decided_at = Some("2026-01-01T00:00:00Z".into()));
        with(&|o| o.emit.report = true);
        with(&|o| o.emit.source_commit = Some("0".repeat(40)));
        with(&|o| o.emit.workflow_run_id = Some(1));
        with(&|o| o.overlay = Some("prod".into()));
        with(&|o| o.solve.exact = true);
        with(&|o| o.solve.incumbent = Some(std::sync::Arc::new(Default::default())));
        for (i, k) in differ.iter().enumerate() {
            assert_ne!(*k, base, "part {i} is not in the key");
        }
    }

    #[test]
    fn diagnostics_replay_as_they_were_and_only_onto_the_same_files() {
        let mut sources = SourceMap::new();
        let f = sources.add("spec.kdl", "pod \"a\" {\n}\n");
        let mut diags = Diagnostics::new();
        diags.push(
            Diagnostic::new(Code::E0102, "unknown node `x`")
                .label(Span::new(f, 0, 3), "here")
                .help("remove it")
                .fix(Span::new(f, 4, 7), "\"b\"", "replace with `b`"),
        );
        let stored = store(&diags);
        let back = replay(&stored, &sources).unwrap();
        assert_eq!(
            back.iter().collect::<Vec<_>>(),
            diags.iter().collect::<Vec<_>>()
        );
        assert_eq!(back.error_count(), diags.error_count());
        // A span past the end of the file, or in a file that is not there.
        assert!(replay(&stored, &SourceMap::new()).is_none());
        let mut short = SourceMap::new();
        short.add("spec.kdl", "po");
        assert!(replay(&stored, &short).is_none());
    }
}
