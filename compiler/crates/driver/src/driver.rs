//! The driver: runs the pipeline stages in order.
//!
//! Takes a spec path, a [`Vfs`] and options; produces a [`Compilation`]
//! with the source map, diagnostics and (when there are no errors) the
//! artifacts (signature files included when a key is given). Never writes:
//! callers hand artifacts to `write`.

use std::path::Path;

use crate::cache::{self, CacheOptions};
use crate::progress::{Observer, Silent, Stage};
use amc_emit::{self as emit, Artifacts, EmitOptions};
use amc_lang::check;
use amc_lang::ir;
use amc_lang::lower;
use amc_lang::resolve::{self, documents};
use amc_lang::vfs::Vfs;
use amc_sign::sign::{self, SignOptions, Signer};
use amc_solve::{self as solve, Placement};
use amc_syntax::diagnostics::Diagnostics;
use amc_syntax::source::SourceMap;

/// How far to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stop {
    /// Check only (includes placement, whose failures are errors).
    #[default]
    Check,
    /// Emit artifacts.
    Build,
}

/// Options for one compilation (the default: check only).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How far to run.
    pub stop: Stop,
    /// Emit options.
    pub emit: EmitOptions,
    /// Sign the build with this key (None: an unsigned build).
    pub sign: Option<SignOptions>,
    /// Placement options (e.g. `amc build --exact`).
    pub solve: solve::SolveOptions,
    /// The overlay to apply (`--overlay NAME`: `overlays/NAME/*.kdl`).
    pub overlay: Option<String>,
    /// Compute the build's key, and skip the build when it is the one in
    /// this previous record (see [`crate::cache`]). None: no key.
    pub cache: Option<CacheOptions>,
}

/// Everything one compilation produced.
#[derive(Debug, Default)]
pub struct Compilation {
    /// Files read.
    pub sources: SourceMap,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
    /// The lowered spec.
    pub spec: ir::Spec,
    /// Checked machines and workloads.
    pub checked: check::Checked,
    /// Placement.
    pub placement: Placement,
    /// Artifacts (empty unless built without errors).
    pub artifacts: Artifacts,
    /// The build's key, when [`Options::cache`] asked for one.
    pub build_key: Option<String>,
    /// The key is the previous record's: nothing was checked, placed or
    /// emitted, the diagnostics are the recorded ones, and the artifacts are
    /// empty (the output on disk is the build, if its tree is unchanged).
    pub up_to_date: bool,
}

/// Runs the pipeline. `Err` is a problem with the path itself (usage error).
pub fn compile(
    vfs: &dyn Vfs,
    path: &Path,
    display: &str,
    opts: &Options,
) -> Result<Compilation, String> {
    compile_observed(vfs, path, display, opts, &Silent)
}

/// [`compile`], reporting each stage to `obs` (the CLI's progress line).
pub fn compile_observed(
    vfs: &dyn Vfs,
    path: &Path,
    display: &str,
    opts: &Options,
    obs: &dyn Observer,
) -> Result<Compilation, String> {
    let mut root = resolve::locate(vfs, path, display)?;
    if let Some(o) = &opts.overlay {
        root = root.with_overlay(vfs, o)?;
    }
    let mut c = Compilation::default();
    obs.stage(Stage::Resolve);
    let resolved = resolve::resolve(vfs, &root, &mut c.sources, &mut c.diagnostics);
    c.spec = lower::lower(&resolved.decls);
    let mut inputs = resolved.inputs.clone();
    obs.stage(Stage::Documents {
        files: c.sources.files().count(),
    });
    let docs = documents::load(
        vfs,
        &root,
        &c.spec,
        &mut c.sources,
        &mut inputs,
        &mut c.diagnostics,
    );
    // The signing key is read here, so that a rebuild that can be skipped
    // knows it still loads; its diagnostics join the others after solve.
    let mut key_diags = Diagnostics::new();
    let signer = match (&opts.sign, opts.stop) {
        (Some(so), Stop::Build) => load_key(vfs, so, &mut c.sources, &mut key_diags),
        _ => None,
    };
    if let Some(co) = &opts.cache {
        let shown_key = match (&opts.sign, &signer) {
            (Some(so), Some((_, digest))) => Some((so.display.as_str(), digest.as_str())),
            _ => None,
        };
        let key = cache::key(
            &co.compiler,
            display,
            &inputs,
            &resolved.stdlib_modules,
            (&opts.emit, opts.overlay.as_deref(), &opts.solve),
            shown_key,
        );
        let same = co.previous.as_ref().filter(|p| {
            p.key == key
                && p.format == cache::FORMAT
                && !key_diags.has_errors()
                && opts.stop == Stop::Build
                && p.sources == cache::source_digests(&c.sources)
        });
        if let Some(replayed) = same.and_then(|p| cache::replay(&p.diagnostics, &c.sources)) {
            c.diagnostics = replayed;
            c.build_key = Some(key);
            c.up_to_date = true;
            obs.stage(Stage::Done { artifacts: 0 });
            return Ok(c);
        }
        c.build_key = Some(key);
    }
    obs.stage(Stage::Check);
    amc_govern::check_documents(&docs, &c.sources, &mut c.diagnostics);
    c.checked = check::check(&c.spec, &resolved.symbols, &docs, &mut c.diagnostics);
    // Placing an inconsistent fleet would only add noise: solve runs on a clean spec.
    if !c.diagnostics.has_errors() {
        obs.stage(Stage::Solve {
            pods: c.spec.pods.len(),
            machines: c.spec.machines.len(),
        });
        c.placement = solve::place(&c.spec, &c.checked, &docs, &opts.solve, &mut c.diagnostics);
        amc_emit::targets::check_placed(&c.checked, &c.placement, &mut c.diagnostics);
    }
    if opts.stop == Stop::Build && !c.diagnostics.has_errors() && c.spec.pods.is_empty() {
        let mut d = amc_syntax::diagnostics::Diagnostic::new(
            amc_syntax::diagnostics::Code::E0003,
            "nothing to build: the spec defines no pod",
        )
        .help(
            "add a `pod` (see examples/); `amc check` checks a spec of machines and models alone",
        );
        if let Some((id, _)) = c.sources.files().next() {
            d = d.label(amc_syntax::source::Span::new(id, 0, 0), "this spec");
        }
        c.diagnostics.push(d);
    }
    c.diagnostics.extend(key_diags.iter().cloned());
    if opts.stop == Stop::Build && !c.diagnostics.has_errors() {
        obs.stage(Stage::Emit);
        // Warnings that block production go into the release evidence.
        let blockers: Vec<String> = c
            .diagnostics
            .sorted()
            .iter()
            .filter(|d| emit::release::PRODUCTION_BLOCKING.contains(&d.code))
            .map(|d| format!("{}: {}", d.code.info().code, d.message))
            .collect();
        // The incumbent the solver kept is recorded, so a rebuild keeps it too.
        let eo = EmitOptions {
            incumbent: opts.solve.incumbent.clone(),
            overlay: opts.overlay.clone(),
            ..opts.emit.clone()
        };
        match emit::emit(
            &c.spec,
            &c.checked,
            &c.placement,
            &docs,
            emit::Record {
                inputs: &inputs,
                stdlib_modules: &resolved.stdlib_modules,
                blocking_warnings: &blockers,
            },
            &eo,
        ) {
            Ok(mut a) => match sign::seal(&mut a, signer.as_ref().map(|(s, _)| s)) {
                Ok(()) => c.artifacts = a,
                Err(e) => c.diagnostics.push(e.into_diagnostic()),
            },
            Err(d) => c.diagnostics.push(d),
        }
    }
    resolve::template::annotate(&resolved.expansion, &mut c.diagnostics);
    obs.stage(Stage::Done {
        artifacts: c.artifacts.len(),
    });
    Ok(c)
}

/// Reads and parses the signing key, with the digest of its file; problems
/// become diagnostics.
fn load_key(
    vfs: &dyn Vfs,
    so: &SignOptions,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<(Signer, String)> {
    let bytes = match vfs.read(&so.key) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                amc_syntax::diagnostics::Diagnostic::new(
                    amc_syntax::diagnostics::Code::E0701,
                    format!("cannot read signing key {}: {e}", so.display),
                )
                .help("pass the private key `amc keygen --out PREFIX` wrote (PREFIX.key)"),
            );
            return None;
        }
    };
    match sign::keys::load_private(&so.display, &bytes, so.password.as_ref(), sources) {
        Ok(s) => Some((s, amc_syntax::hash::sha256_prefixed(&bytes))),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// `--require-activation`: unless every pod's ActivationDecision is
/// `allowed`, adds an `E0602` per refused pod and drops the artifacts, so
/// nothing is written.
pub fn require_activation(c: &mut Compilation) {
    if c.diagnostics.has_errors() {
        return;
    }
    let refused = amc_govern::gate::check(&c.spec, &c.artifacts);
    if !refused.is_empty() {
        for d in refused {
            c.diagnostics.push(d);
        }
        c.artifacts.clear();
    }
}

/// Parses `--decided-at` (RFC 3339) or `SOURCE_DATE_EPOCH` (seconds) into a
/// normalised RFC 3339 UTC string.
pub fn decision_time(
    decided_at: Option<&str>,
    source_date_epoch: Option<&str>,
) -> Result<Option<String>, String> {
    use time::format_description::well_known::Rfc3339;
    if let Some(s) = decided_at {
        let t = time::OffsetDateTime::parse(s, &Rfc3339)
            .map_err(|e| format!("--decided-at `{s}` is not an RFC 3339 time: {e}"))?;
        let utc = t.to_offset(time::UtcOffset::UTC);
        return utc
            .format(&Rfc3339)
            .map(Some)
            .map_err(|e| format!("cannot format time: {e}"));
    }
    if let Some(s) = source_date_epoch.filter(|s| !s.is_empty()) {
        let secs: i64 = s
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH `{s}` is not a number of seconds"))?;
        let t = time::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| format!("SOURCE_DATE_EPOCH `{s}` is out of range: {e}"))?;
        return t
            .format(&Rfc3339)
            .map(Some)
            .map_err(|e| format!("cannot format time: {e}"));
    }
    Ok(None)
}
