//! Model sources: one source, pinned, every file verifiable.
//!
//! Takes the lowered models; reports a missing or doubled source (`E0113`,
//! `E0109`), a source that is not pinned (`E0116`: a Hugging Face revision
//! that is not a commit, an OCI reference without a digest, a file without
//! sha256 — a warning `W0302` instead with `allow-unpinned #true`), a URL
//! that is not HTTPS (`E0117`), files that do not fit the source or the
//! entry, and the legacy `source` spelling (`W0304`, whose help is the text
//! to write instead). Never does I/O: staging fetches and verifies.

use std::collections::BTreeSet;

use crate::ir::{self, ModelSource};
use crate::lang::types::is_hex;
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};

/// Checks every model of the spec.
pub fn check(spec: &ir::Spec, diags: &mut Diagnostics) {
    for m in &spec.models {
        model(m, diags);
    }
}

fn model(m: &ir::Model, diags: &mut Diagnostics) {
    let id = &m.id.value;
    let Some(source) = &m.source else {
        diags.push(
            Diagnostic::new(Code::E0113, format!("model `{id}` has no source"))
                .label(m.id.span, "where do its files come from?")
                .help("write one of `hf \"org/repo\" revision=\"<commit>\"`, `oci \"registry/repo@sha256:…\"`, `url \"https://…\"` or `path \"/dir/on/host\"`, with a `file \"NAME\" sha256=\"…\"` line per file"),
        );
        return;
    };
    if m.sources_written > 1 {
        diags.push(
            Diagnostic::new(
                Code::E0109,
                format!("model `{id}` names more than one source"),
            )
            .label(source.span, "first source")
            .help("a model has exactly one of `hf`, `oci`, `url`, `path` (or the legacy `source`)"),
        );
    }
    if let Some(l) = &m.legacy {
        diags.push(
            Diagnostic::new(
                Code::W0304,
                format!("model `{id}` uses the legacy `source` spelling"),
            )
            .label(l.span, "legacy source")
            .help(format!(
                "write the source and its files instead of `source`{}{}:\n{}",
                if l.digest_span.is_some() {
                    ", `digest`"
                } else {
                    ""
                },
                if l.file_span.is_some() {
                    " and `file`"
                } else {
                    ""
                },
                rewrite(m, &source.value)
            )),
        );
    }

    // What the source needs.
    let mut unpinned: Vec<(amc_syntax::source::Span, String)> = Vec::new();
    match &source.value {
        ModelSource::Hf { repo, revision } => {
            if !repo_ok(repo) {
                diags.push(
                    Diagnostic::new(Code::E0103, format!("model `{id}`: `{repo}` is not a Hugging Face repository"))
                        .label(source.span, "expected \"org/name\"")
                        .help("write the repository as on huggingface.co: `org/name`, letters, digits, `-`, `_` and `.`"),
                );
            }
            match revision {
                None => unpinned.push((
                    source.span,
                    "no `revision`: the files could change under the same name".into(),
                )),
                Some(r) if !is_hex(&r.value, 40) => unpinned.push((
                    r.span,
                    format!(
                        "revision `{}` is a branch or tag, not a 40-hex commit",
                        r.value
                    ),
                )),
                Some(_) => {}
            }
        }
        ModelSource::Oci { reference, .. } => {
            if !reference.contains("@sha256:") {
                unpinned.push((
                    source.span,
                    "the reference has no `@sha256:` digest: a tag can move".into(),
                ));
            }
        }
        ModelSource::Url { url } => {
            if let Some(problem) = url_problem(url) {
                diags.push(
                    Diagnostic::new(Code::E0117, format!("model `{id}`: {problem}"))
                        .label(source.span, "not an HTTPS URL")
                        .help("fetch models over https:// (plain http:// is accepted only from a loopback host, e.g. a local mirror); the sha256 of every file is checked either way"),
                );
            }
            if !url.ends_with('/') && m.files.len() > 1 {
                diags.push(
                    Diagnostic::new(
                        Code::E0103,
                        format!(
                            "model `{id}`: a file URL fetches one file, and {} are listed",
                            m.files.len()
                        ),
                    )
                    .label(source.span, "one file")
                    .help(
                        "end the URL with `/` to make it a directory each `file` is fetched from",
                    ),
                );
            }
        }
        ModelSource::Path { .. } => {}
    }
    let oci = matches!(source.value, ModelSource::Oci { .. });
    if m.files.is_empty() && !oci {
        diags.push(
            Diagnostic::new(Code::E0113, format!("model `{id}` lists no files"))
                .label(m.id.span, "nothing to fetch or verify")
                .help("add a `file \"NAME\" sha256=\"…\"` line per file (`amc model digest DIR` writes them from a local copy)"),
        );
    }
    if !oci {
        for f in m.files.iter().filter(|f| f.sha256.is_none()) {
            unpinned.push((
                f.path.span,
                format!(
                    "file `{}` has no sha256, so its bytes cannot be verified",
                    f.path.value
                ),
            ));
        }
    }
    let mut seen = BTreeSet::new();
    for f in &m.files {
        if !seen.insert(f.path.value.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::E0109,
                    format!("model `{id}` lists file `{}` twice", f.path.value),
                )
                .label(f.path.span, "repeated")
                .help("list each file once"),
            );
        }
    }
    if let Some(e) = &m.entry {
        let inside = m
            .files
            .iter()
            .any(|f| f.path.value == e.value || f.path.value.starts_with(&format!("{}/", e.value)));
        if !inside && !m.files.is_empty() {
            diags.push(
                Diagnostic::new(
                    Code::E0103,
                    format!(
                        "model `{id}`: entry `{}` is not one of its files or directories",
                        e.value
                    ),
                )
                .label(e.span, "not a listed file")
                .help("name a listed file, or a directory that holds listed files"),
            );
        }
    }
    for (span, why) in unpinned {
        if m.allow_unpinned {
            diags.push(
                Diagnostic::new(Code::W0302, format!("model `{id}` is not pinned: {why}"))
                    .label(span, "unpinned (allowed by `allow-unpinned`)")
                    .help("pin it before production: staging trusts the first bytes it fetches, and the release evidence lists it as a blocker"),
            );
        } else {
            diags.push(
                Diagnostic::new(Code::E0116, format!("model `{id}` is not pinned: {why}"))
                    .label(span, "unpinned")
                    .help("pin it: `hf \"org/repo\" revision=\"<40-hex commit>\"`, `oci \"registry/repo@sha256:…\"`, and `sha256=\"…\"` on every file (`amc model digest DIR`); for bootstrapping only, `allow-unpinned #true`"),
            );
        }
    }
}

fn repo_ok(repo: &str) -> bool {
    let mut parts = repo.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// Why a model URL may not be fetched from, if it may not.
pub fn url_problem(url: &str) -> Option<String> {
    if url.starts_with("https://") && url.len() > 8 {
        return None;
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split('/').next().unwrap_or("");
        let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
        if matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return None;
        }
        return Some(format!(
            "`{url}` is plain http from a host that is not loopback"
        ));
    }
    Some(format!("`{url}` is not an https:// URL"))
}

/// The new spelling of a legacy model, as lines to paste.
fn rewrite(m: &ir::Model, source: &ModelSource) -> String {
    let mut out = String::new();
    match source {
        ModelSource::Hf { repo, .. } => out.push_str(&format!(
            "    hf \"{repo}\" revision=\"<the 40-hex commit to pin>\"\n"
        )),
        ModelSource::Oci { reference, .. } => out.push_str(&format!("    oci \"{reference}\"\n")),
        ModelSource::Url { url } => out.push_str(&format!("    url \"{url}\"\n")),
        ModelSource::Path { path } => out.push_str(&format!("    path \"{path}\"\n")),
    }
    for f in &m.files {
        out.push_str(&format!(
            "    file \"{}\" sha256=\"{}\"\n",
            f.path.value,
            f.sha256.as_deref().unwrap_or("<sha256 of the file>")
        ));
    }
    out
}
