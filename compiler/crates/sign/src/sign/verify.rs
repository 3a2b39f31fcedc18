//! Verify: check an output tree against its manifest, signatures and a rebuild.
//!
//! Takes the files of an output directory (path → bytes, read by the CLI),
//! optionally the public key, and optionally the artifacts of a rebuild from
//! the recorded inputs; produces a [`Report`] of diagnostics, each naming
//! the offending file (with a span into it or into the manifest entry that
//! records it). Reports root causes once: a file whose digest is wrong is
//! not also reported as drift, and files derived from a manifest that fails
//! its signature are not compared. Never reads the disk.

use amc_syntax::diagnostics::BugResult;
use std::collections::{BTreeMap, BTreeSet};

use super::envelope::{self, Verification};
use super::keys::{PublicKey, unbase64};
use super::{
    BUNDLE_SIG, ENVELOPE, INTOTO, MANIFEST_SIG, ManifestView, SIGNATURE_FILES, SIGSTORE_BUNDLE,
    provenance, sig_file, sigstore_bundle,
};
use amc_emit::Artifacts;
use amc_emit::manifest::{MANIFEST, sha256};
use amc_emit::release::BUNDLE;
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};
use amc_syntax::json_span;
use amc_syntax::source::{FileId, SourceMap, Span};

/// The files of an output directory: path relative to it → bytes.
pub type Tree = BTreeMap<String, Vec<u8>>;

/// What verification found.
#[derive(Debug, Default)]
pub struct Report {
    /// Files the diagnostics point into (output files, named relative to the output).
    pub sources: SourceMap,
    /// Problems; none means verified.
    pub diagnostics: Diagnostics,
    /// Whether the output carries signature files.
    pub signed: bool,
    /// Whether the signatures were checked against a key (and held).
    pub signature_verified: bool,
    ids: BTreeMap<String, FileId>,
    flagged: BTreeSet<String>,
    /// Files whose content was compared with a digest, a signature or a rebuild.
    checked: BTreeSet<String>,
}

impl Report {
    /// Counts `path` as checked.
    fn checked(&mut self, path: &str) {
        self.checked.insert(path.to_string());
    }

    /// How many files were compared with a digest, a signature or a rebuild
    /// (each once, however many of those checked it).
    pub fn files_checked(&self) -> usize {
        self.checked.len()
    }

    /// The envelope-shaped verdict; `verified_at` is the injected time.
    pub fn verification(&self, verified_at: Option<String>) -> Verification {
        let failed = self.diagnostics.has_errors();
        let mut files: Vec<&str> = self.flagged.iter().map(String::as_str).collect();
        files.dedup();
        Verification {
            verified: !failed,
            status: if failed { "failed" } else { "passed" },
            verified_at,
            verifier_version: Some(format!("amc {}", amc_syntax::VERSION)),
            failure_reason: failed.then(|| {
                format!(
                    "{} problem(s) in: {}",
                    self.diagnostics.error_count(),
                    files.join(", ")
                )
            }),
        }
    }

    fn file(&mut self, name: &str, bytes: &[u8]) -> FileId {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self
            .sources
            .add(name, String::from_utf8_lossy(bytes).into_owned());
        self.ids.insert(name.to_string(), id);
        id
    }

    /// Span of the first line of a file.
    fn head(&mut self, name: &str, bytes: &[u8]) -> Span {
        let id = self.file(name, bytes);
        let text = String::from_utf8_lossy(bytes);
        let end = text.find('\n').unwrap_or(text.len()).min(120);
        let end = (0..=end)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        Span::new(id, 0, end)
    }

    /// Span of the manifest value at a JSON pointer.
    fn at(&mut self, manifest: &[u8], pointer: &str) -> Span {
        let id = self.file(MANIFEST, manifest);
        let text = String::from_utf8_lossy(manifest);
        let (s, e) = json_span::locate(&text, pointer, None).unwrap_or((0, 0));
        Span::new(id, s, e)
    }

    /// Span of the first line where `actual` and `expected` differ.
    fn first_difference(&mut self, name: &str, actual: &[u8], expected: &[u8]) -> Span {
        let id = self.file(name, actual);
        let at = actual
            .iter()
            .zip(expected)
            .position(|(a, b)| a != b)
            .unwrap_or(actual.len().min(expected.len()));
        let text = String::from_utf8_lossy(actual);
        let at = (0..=at.min(text.len()))
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        let start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let end = text[at..].find('\n').map(|i| at + i).unwrap_or(text.len());
        Span::new(id, start, end.max(start))
    }

    fn push(&mut self, path: &str, d: Diagnostic) {
        self.flagged.insert(path.to_string());
        self.diagnostics.push(d);
    }
}

fn decode_sig(bytes: &[u8]) -> Option<Vec<u8>> {
    let der = unbase64(std::str::from_utf8(bytes).ok()?)?;
    (sig_file(&der) == bytes).then_some(der)
}

/// Checks `tree` against its manifest and, with `key`, every signature file.
pub fn verify(tree: &Tree, key: Option<&PublicKey>) -> Report {
    let mut r = Report::default();
    let Some(manifest) = tree.get(MANIFEST) else {
        r.push(
            MANIFEST,
            Diagnostic::new(
                Code::E0711,
                format!("{MANIFEST} is missing: this is not an amc build output, or its manifest was removed"),
            )
            .help("point `amc verify` at the directory `amc build --out` wrote"),
        );
        return r;
    };
    let view = match ManifestView::parse(manifest) {
        Ok(v) => v,
        Err((msg, line, col)) => {
            let id = r.file(MANIFEST, manifest);
            let text = String::from_utf8_lossy(manifest);
            let off = json_span::offset_of(&text, line.max(1), col.max(1));
            r.push(
                MANIFEST,
                Diagnostic::new(Code::E0717, format!("{MANIFEST} cannot be read: {msg}"))
                    .label(Span::new(id, off, off), "here")
                    .help("the manifest was modified or truncated; rebuild the output with `amc build`"),
            );
            return r;
        }
    };
    check_artifacts(&mut r, tree, manifest, &view);
    r.signed = SIGNATURE_FILES[..4].iter().any(|f| tree.contains_key(*f));
    match key {
        Some(key) => check_signatures(&mut r, tree, manifest, &view, key),
        None if !r.signed => check_envelope(&mut r, tree, &view, None),
        None => {}
    }
    r
}

fn check_artifacts(r: &mut Report, tree: &Tree, manifest: &[u8], view: &ManifestView) {
    let mut known: BTreeSet<&str> = SIGNATURE_FILES.iter().copied().collect();
    known.insert(MANIFEST);
    for (i, a) in view.artifacts.iter().enumerate() {
        known.insert(a.path.as_str());
        match tree.get(&a.path) {
            None => {
                let span = r.at(manifest, &format!("/artifacts/{i}/path"));
                r.push(
                    &a.path,
                    Diagnostic::new(Code::E0711, format!("{} is missing from the output", a.path))
                        .label(span, "the manifest lists it here")
                        .help("restore the output from the build (or rebuild it); a removed file is never a valid deployment"),
                );
            }
            Some(bytes) => {
                r.checked(&a.path);
                let got = sha256(bytes);
                if got != a.sha256 {
                    let span = r.at(manifest, &format!("/artifacts/{i}/sha256"));
                    r.push(
                        &a.path,
                        Diagnostic::new(
                            Code::E0710,
                            format!("{} has sha256 {got}, but the manifest records {}", a.path, a.sha256),
                        )
                        .label(span, "recorded digest")
                        .help("the file was modified after the build; restore it from the build or rebuild"),
                    );
                }
            }
        }
    }
    let extra: Vec<&String> = tree
        .keys()
        .filter(|p| !known.contains(p.as_str()))
        .collect();
    for p in extra {
        let span = r.head(p, &tree[p]);
        r.push(
            p,
            Diagnostic::new(Code::E0712, format!("{p} is not part of the build"))
                .label(span, "not listed in amc-build.json")
                .help("remove it: every deployed file must be listed in the signed manifest"),
        );
    }
}

/// Reports what the output directory holds besides files amc writes:
/// empty directories, symbolic links, devices/FIFOs/sockets and modes amc
/// never sets (executable, world-writable, set-id). `amc build` writes
/// files 0644 and directories 0755.
pub fn check_layout(r: &mut Report, tree: &Tree, oddities: &[(String, crate::write::Oddity)]) {
    let manifest = tree.get(MANIFEST);
    let listed: Vec<String> = manifest
        .and_then(|m| ManifestView::parse(m).ok())
        .map(|v| v.artifacts.into_iter().map(|a| a.path).collect())
        .unwrap_or_default();
    for (path, odd) in oddities {
        let (code, help) = match odd {
            crate::write::Oddity::Mode(_) => (
                Code::E0718,
                "restore the mode (`chmod 0644` for files, `0755` for directories) or rebuild; a unit made executable or writable by others is not what was built",
            ),
            _ => (
                Code::E0712,
                "remove it: an amc output holds only the regular files its manifest lists",
            ),
        };
        let mut d = Diagnostic::new(code, format!("{path} is {}", odd.describe())).help(help);
        if let Some(m) = manifest {
            let (pointer, label) = match listed.iter().position(|p| p == path) {
                Some(i) => (
                    format!("/artifacts/{i}/path"),
                    "built as a regular file, mode 0644",
                ),
                None => ("/artifacts".to_string(), "the manifest lists no such entry"),
            };
            d = d.label(r.at(m, &pointer), label);
        }
        r.push(path, d);
    }
}

/// Verifies a `.sig` file over `msg`: `Some(der)` when it verifies.
fn good_sig(tree: &Tree, name: &str, msg: &[u8], key: &PublicKey) -> Option<Vec<u8>> {
    let der = decode_sig(tree.get(name)?)?;
    key.verify(msg, &der).then_some(der)
}

fn check_signatures(
    r: &mut Report,
    tree: &Tree,
    manifest: &[u8],
    view: &ManifestView,
    key: &PublicKey,
) {
    if !r.signed {
        let span = r.head(MANIFEST, manifest);
        r.push(
            MANIFEST_SIG,
            Diagnostic::new(
                Code::E0711,
                format!("{MANIFEST_SIG} is missing: the output is unsigned, so --key has nothing to verify"),
            )
            .label(span, "this manifest has no signature")
            .help("build with `amc build --sign-key KEY` (or AMC_SIGN_KEY), or verify with `--rebuild` only"),
        );
        check_envelope(r, tree, view, None);
        return;
    }
    for f in &SIGNATURE_FILES {
        if !tree.contains_key(*f) {
            r.push(
                f,
                Diagnostic::new(Code::E0711, format!("{f} is missing from the signed output"))
                    .help("restore the output from the build; every signed build has all five signature files"),
            );
        }
    }
    let fpr = key.fingerprint();
    let bundle = tree.get(BUNDLE).map(Vec::as_slice).unwrap_or_default();
    let bundle_ok = good_sig(tree, BUNDLE_SIG, bundle, key).is_some();
    let mut manifest_sig = good_sig(tree, MANIFEST_SIG, manifest, key);
    if manifest_sig.is_none() && tree.contains_key(MANIFEST_SIG) {
        let sig_bytes = tree[MANIFEST_SIG].clone();
        // The Sigstore bundle carries the same signature: if it verifies, the
        // manifest is authentic and only the .sig file was changed.
        let alt = tree
            .get(SIGSTORE_BUNDLE)
            .and_then(|b| sigstore_bundle::signature_of(b))
            .filter(|der| key.verify(manifest, der));
        if let Some(der) = alt {
            let span = r.first_difference(MANIFEST_SIG, &sig_bytes, &sig_file(&der));
            r.push(
                MANIFEST_SIG,
                Diagnostic::new(
                    Code::E0714,
                    format!("{MANIFEST_SIG} was modified: it differs from the signature in {SIGSTORE_BUNDLE}, which verifies the manifest"),
                )
                .label(span, "modified signature")
                .help("restore the file from the build"),
            );
            manifest_sig = Some(der);
        } else if bundle_ok {
            let span = r.head(MANIFEST, manifest);
            r.push(
                MANIFEST,
                Diagnostic::new(
                    Code::E0713,
                    format!("{MANIFEST} was modified after signing: {MANIFEST_SIG} does not verify it with key {fpr}"),
                )
                .label(span, "signed manifest")
                .help("the key is right (it verifies the release evidence); restore the manifest from the build"),
            );
        } else {
            let span = r.head(MANIFEST_SIG, &sig_bytes);
            r.push(
                MANIFEST_SIG,
                Diagnostic::new(
                    Code::E0713,
                    format!("{MANIFEST_SIG} does not verify {MANIFEST} with key {fpr}"),
                )
                .label(span, "signature")
                .help("wrong key (pass the `.pub` of the key the build was signed with), or the output was modified"),
            );
        }
    }
    if let Some(der) = &manifest_sig {
        r.checked(MANIFEST_SIG);
        compare_regenerated(
            r,
            tree,
            SIGSTORE_BUNDLE,
            sigstore_bundle::bundle(manifest, der, key),
        );
        check_intoto(r, tree, manifest, view, key);
    }
    if tree.contains_key(BUNDLE_SIG)
        && !bundle_ok
        && manifest_sig.is_some()
        && !r.flagged.contains(BUNDLE)
    {
        let span = r.head(BUNDLE_SIG, &tree[BUNDLE_SIG]);
        r.push(
            BUNDLE_SIG,
            Diagnostic::new(
                Code::E0713,
                format!("{BUNDLE_SIG} does not verify {BUNDLE} with key {fpr}"),
            )
            .label(span, "signature")
            .help("restore the file from the build"),
        );
    }
    if bundle_ok && !r.flagged.contains(BUNDLE) {
        let sig = tree[BUNDLE_SIG].clone();
        check_envelope(r, tree, view, Some((&sig, key)));
    }
    r.signature_verified = !r.diagnostics.has_errors();
}

fn check_intoto(
    r: &mut Report,
    tree: &Tree,
    manifest: &[u8],
    view: &ManifestView,
    key: &PublicKey,
) {
    let Some(actual) = tree.get(INTOTO) else {
        return;
    };
    let statement = match provenance::statement(manifest, view) {
        Ok(s) => s,
        Err(e) => {
            r.push(INTOTO, e.into_diagnostic());
            return;
        }
    };
    let pae = provenance::pae(provenance::PAYLOAD_TYPE, &statement);
    match provenance::signature_of(actual).filter(|der| key.verify(&pae, der)) {
        Some(der) => {
            compare_regenerated(r, tree, INTOTO, provenance::envelope(&statement, &der, key))
        }
        None => {
            let span = r.head(INTOTO, actual);
            r.push(
                INTOTO,
                Diagnostic::new(
                    Code::E0713,
                    format!("{INTOTO}: the DSSE signature does not verify the provenance of this manifest"),
                )
                .label(span, "envelope")
                .help("the envelope was modified or belongs to another build; restore it from the build"),
            );
        }
    }
}

fn check_envelope(
    r: &mut Report,
    tree: &Tree,
    view: &ManifestView,
    signed: Option<(&[u8], &PublicKey)>,
) {
    if !tree.contains_key(ENVELOPE) {
        if signed.is_none() {
            r.push(
                ENVELOPE,
                Diagnostic::new(
                    Code::E0711,
                    format!("{ENVELOPE} is missing from the output"),
                )
                .help("restore the output from the build; every build writes the release envelope"),
            );
        }
        return;
    }
    let Some(bundle) = tree.get(BUNDLE) else {
        return;
    };
    if r.flagged.contains(BUNDLE) {
        return;
    }
    match envelope::envelope(bundle, view, signed) {
        Ok(expected) => compare(r, tree, ENVELOPE, &expected),
        Err(e) => r.push(ENVELOPE, e.into_diagnostic()),
    }
}

/// Compares a signature-side file with what the build implies.
/// [`compare`] against a file amc regenerates; a regeneration that failed is
/// an internal error, never a pass.
fn compare_regenerated(r: &mut Report, tree: &Tree, name: &str, expected: BugResult<Vec<u8>>) {
    match expected {
        Ok(bytes) => compare(r, tree, name, &bytes),
        Err(e) => r.push(
            name,
            Diagnostic::internal(format!("cannot regenerate {name}: {e}")),
        ),
    }
}

fn compare(r: &mut Report, tree: &Tree, name: &str, expected: &[u8]) {
    let Some(actual) = tree.get(name) else { return };
    r.checked(name);
    if actual.as_slice() != expected {
        let span = r.first_difference(name, actual, expected);
        r.push(
            name,
            Diagnostic::new(
                Code::E0714,
                format!("{name} does not match the signed build"),
            )
            .label(span, "first difference")
            .help("the file was modified or belongs to another build; restore it from the build"),
        );
    }
}

/// Compares the output with a rebuild from the recorded inputs: inputs whose
/// digest changed (E0716) and covered files that differ (E0715).
pub fn compare_rebuild(r: &mut Report, tree: &Tree, rebuilt: &Artifacts) {
    let (Some(manifest), Some(new_manifest)) = (tree.get(MANIFEST), rebuilt.get(MANIFEST)) else {
        return;
    };
    let (Ok(old), Ok(new)) = (
        ManifestView::parse(manifest),
        ManifestView::parse(new_manifest),
    ) else {
        return;
    };
    let new_inputs: BTreeMap<&str, &str> = new
        .inputs
        .iter()
        .map(|i| (i.path.as_str(), i.sha256.as_str()))
        .collect();
    for (i, input) in old.inputs.iter().enumerate() {
        let now = new_inputs.get(input.path.as_str());
        if now == Some(&input.sha256.as_str()) {
            continue;
        }
        let span = r.at(manifest, &format!("/inputs/{i}/sha256"));
        let msg = match now {
            Some(d) => format!("input {} changed since the build: now {d}", input.path),
            None => format!("input {} is no longer part of the spec", input.path),
        };
        r.push(
            MANIFEST,
            Diagnostic::new(Code::E0716, msg)
                .label(span, "recorded digest")
                .help("point --spec at the reviewed spec the output was built from, or rebuild and review the change"),
        );
    }
    for input in &new.inputs {
        if !old.inputs.iter().any(|o| o.path == input.path) {
            let span = r.at(manifest, "/inputs");
            r.push(
                MANIFEST,
                Diagnostic::new(Code::E0716, format!("input {} was added since the build", input.path))
                    .label(span, "recorded inputs")
                    .help("point --spec at the reviewed spec the output was built from, or rebuild and review the change"),
            );
        }
    }
    let version_note = (old.compiler.version != new.compiler.version).then(|| {
        format!(
            "the output was built by amc {}, this is amc {}; a different compiler may render differently",
            old.compiler.version, new.compiler.version
        )
    });
    let listed: BTreeSet<&str> = old.artifacts.iter().map(|a| a.path.as_str()).collect();
    let signed = SIGNATURE_FILES[..4].iter().any(|f| tree.contains_key(*f));
    let covered = |p: &str| p == MANIFEST || listed.contains(p) || (!signed && p == ENVELOPE);
    for (path, want) in rebuilt {
        if (signed || path != ENVELOPE) && SIGNATURE_FILES.contains(&path.as_str()) {
            continue;
        }
        if r.flagged.contains(path) {
            continue;
        }
        match tree.get(path) {
            Some(got) => {
                r.checked(path);
                if got != want {
                    let span = r.first_difference(path, got, want);
                    r.push(
                        path,
                        Diagnostic::new(
                            Code::E0715,
                            format!("{path} differs from a rebuild of the spec"),
                        )
                        .label(span, "first difference")
                        .help(version_note.clone().unwrap_or_else(|| {
                            "the output drifted from its inputs; redeploy a fresh build".to_string()
                        })),
                    );
                }
            }
            None if !listed.contains(path.as_str()) => r.push(
                path,
                Diagnostic::new(
                    Code::E0715,
                    format!("a rebuild of the spec produces {path}, which the output lacks"),
                )
                .maybe_help(version_note.clone()),
            ),
            None => {}
        }
    }
    for (path, got) in tree {
        if covered(path) && !rebuilt.contains_key(path) && !r.flagged.contains(path) {
            let span = r.head(path, got);
            r.push(
                path,
                Diagnostic::new(
                    Code::E0715,
                    format!("{path} is not produced by a rebuild of the spec"),
                )
                .label(span, "stale file")
                .maybe_help(version_note.clone()),
            );
        }
    }
}
