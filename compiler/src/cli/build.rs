//! `amc build`: compile a spec, sign it when a key is given, and write the
//! output directory atomically.

use std::path::PathBuf;
use std::process::ExitCode;

use amc::diagnostics::render;
use amc::diagnostics::{Code, Diagnostic};
use amc::driver::{self, Options, Stop};
use amc::emit::EmitOptions;
use amc::sign::{SignOptions, keys};
use amc::source::SourceMap;
use amc::vfs::RealFs;
use clap::Args;

use super::common::{Format, display_of, json_of, print_diags, style, summary};

/// Arguments of `amc build`.
#[derive(Args)]
pub struct BuildArgs {
    /// Spec file or directory.
    path: PathBuf,
    /// Output directory (replaced atomically).
    #[arg(long)]
    out: PathBuf,
    /// Decision time (RFC 3339); else SOURCE_DATE_EPOCH; else unset (1970-01-01T00:00:00Z).
    #[arg(long)]
    decided_at: Option<String>,
    /// Also write a self-contained report.html (fleet, utilisation, placement reasons, activation).
    #[arg(long)]
    report: bool,
    /// Sign the build with this private key (ECDSA P-256: `amc keygen`, OpenSSL
    /// or cosign key; a cosign key's password comes from COSIGN_PASSWORD).
    /// Default: the file named by AMC_SIGN_KEY; unsigned when neither is set.
    #[arg(long, value_name = "KEY")]
    sign_key: Option<PathBuf>,
    /// Source commit recorded in the release evidence (40 hex digits).
    #[arg(long, value_name = "SHA")]
    source_commit: Option<String>,
    /// CI workflow run id recorded in the release evidence.
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(u64).range(1..))]
    workflow_run_id: Option<u64>,
    /// Diagnostics format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Print what the build changes against the existing --out (as `amc diff`) before replacing it.
    #[arg(long)]
    plan: bool,
    /// Fail (exit 1, nothing written) unless every pod's ActivationDecision is `allowed`.
    #[arg(long)]
    require_activation: bool,
    /// Place exactly with CBC (small fleets; needs amc built with `--features exact`).
    #[arg(long)]
    exact: bool,
    /// Keep the placement of this earlier build output (default: the one
    /// already in --out): a replica moves only when capacity or policy forces it.
    #[arg(long, value_name = "DIR", conflicts_with = "fresh")]
    previous: Option<PathBuf>,
    /// Place from scratch, ignoring the placement already in --out.
    #[arg(long)]
    fresh: bool,
    /// Run every stage even when no input changed (ignore the rebuild
    /// record beside --out).
    #[arg(long)]
    force: bool,
    /// Apply the overlay overlays/NAME/*.kdl: its nodes override the base
    /// spec's by id, its `param`s the base's parameters.
    #[arg(long, value_name = "NAME")]
    overlay: Option<String>,
}

/// The incumbent placement: `--previous DIR`'s, else the one in `--out`
/// (none with `--fresh`, or when there is no earlier build).
fn incumbent(a: &BuildArgs) -> Result<Option<amc::solve::Incumbent>, String> {
    if a.fresh {
        return Ok(None);
    }
    let (dir, explicit) = match &a.previous {
        Some(d) => (d, true),
        // An --out that is not a directory (yet) holds no earlier build.
        None if !a.out.is_dir() => return Ok(None),
        None => (&a.out, false),
    };
    let path = dir.join("placement.json");
    match std::fs::read(&path) {
        Ok(bytes) => amc::emit::manifest::read_incumbent(&bytes)
            .map(Some)
            .map_err(|e| format!("cannot use the placement in {}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// What identifies this compiler for the rebuild cache: the digest of its
/// own binary (None when it cannot be read: then every build is full).
fn compiler_id() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    std::fs::read(exe)
        .ok()
        .map(|b| amc::hash::sha256_prefixed(&b))
}

/// The record the previous build into `out` left (see `amc::cache`).
fn previous_cache(out: &std::path::Path) -> Option<amc::cache::BuildCache> {
    let bytes = std::fs::read(amc::write::cache_path(out)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Exit 2 when `out` exists and is not an amc build output.
fn refuse_foreign(out: &std::path::Path) -> Option<ExitCode> {
    let why = amc::write::not_replaceable(out)?;
    stderrln!(
        "error: {} exists and is not an amc build output ({why}); refusing to replace it",
        out.display()
    );
    Some(ExitCode::from(2))
}

/// Prints the diagnostics in `format` (JSON on stdout).
fn report(c: &driver::Compilation, format: Format) {
    print_diags(c, format);
    if format == Format::Json {
        stdoutln!(
            "{}",
            serde_json::to_string_pretty(&json_of(c)).unwrap_or_else(|_| "[]".into())
        );
    }
}

/// A write that failed: E0902, exit 1.
fn write_failed(e: &amc::write::WriteError) -> ExitCode {
    let d = Diagnostic::new(Code::E0902, e.to_string());
    stderr!("{}", render::human(&[d], &SourceMap::new(), style()));
    ExitCode::from(1)
}

/// Records the build just written into `out` for the next one, and returns
/// its per-pod status lines. A record that cannot be written only costs the
/// next build its skip.
fn record_cache(out: &std::path::Path, c: &driver::Compilation) -> Vec<String> {
    let pods = amc::govern::gate::statuses(&c.spec, &c.placement, &c.artifacts);
    let statuses: Vec<String> = pods.iter().map(|s| s.line()).collect();
    let Some(key) = &c.build_key else {
        return statuses;
    };
    let rec = amc::cache::BuildCache {
        format: amc::cache::FORMAT.to_string(),
        key: key.clone(),
        tree: amc::write::tree_digest(&c.artifacts),
        sources: amc::cache::source_digests(&c.sources),
        diagnostics: amc::cache::store(&c.diagnostics),
        statuses: statuses.clone(),
        // What `--require-activation` refuses: a pod that fails closed.
        allowed: pods.iter().all(|s| s.activation != "fail-closed"),
    };
    match serde_json::to_vec(&rec) {
        Ok(bytes) => {
            let _ = amc::write::write_cache_record(out, &bytes);
        }
        Err(_) => {
            let _ = std::fs::remove_file(amc::write::cache_path(out));
        }
    }
    statuses
}

/// Environment variable naming the signing key file when `--sign-key` is absent.
pub const SIGN_KEY_ENV: &str = "AMC_SIGN_KEY";

/// `--source-commit`: 40 hex digits, lower-cased.
fn source_commit(s: Option<&str>) -> Result<Option<String>, String> {
    let Some(s) = s else { return Ok(None) };
    if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(Some(s.to_ascii_lowercase()))
    } else {
        Err(format!(
            "--source-commit `{s}` is not a 40-digit hex commit id"
        ))
    }
}

/// The signing options from `--sign-key`, AMC_SIGN_KEY and COSIGN_PASSWORD.
fn sign_options(flag: Option<PathBuf>) -> Option<SignOptions> {
    let key = flag.or_else(|| {
        std::env::var_os(SIGN_KEY_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })?;
    let password =
        std::env::var_os(keys::PASSWORD_ENV).map(|p| keys::Password(p.into_encoded_bytes()));
    Some(SignOptions {
        display: display_of(&key),
        key,
        password,
    })
}

/// Runs `amc build`.
pub fn run(a: BuildArgs) -> ExitCode {
    let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
    let decided = match driver::decision_time(a.decided_at.as_deref(), sde.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let source_commit = match source_commit(a.source_commit.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // `--plan` compares the new artifacts with the old: it always builds.
    let previous = if a.plan || a.force || !a.out.is_dir() {
        None
    } else {
        previous_cache(&a.out)
    };
    // An output with a record is checked when the record does not settle it
    // (the tree digest does: only amc's own files have it).
    if previous.is_none()
        && let Some(code) = refuse_foreign(&a.out)
    {
        return code;
    }
    let incumbent = match incumbent(&a) {
        Ok(i) => i.map(std::sync::Arc::new),
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut opts = Options {
        stop: Stop::Build,
        emit: EmitOptions {
            decided_at: decided,
            report: a.report,
            source_commit,
            workflow_run_id: a.workflow_run_id,
            incumbent: None,
            overlay: a.overlay.clone(),
        },
        overlay: a.overlay.clone(),
        sign: sign_options(a.sign_key.clone()),
        solve: amc::solve::SolveOptions {
            exact: a.exact,
            incumbent,
            every_pair: false,
        },
        cache: compiler_id().map(|compiler| amc::cache::CacheOptions { compiler, previous }),
    };
    if a.exact && !cfg!(feature = "exact") {
        stderrln!(
            "error: --exact needs amc built with the `exact` feature (cargo install --features exact; needs coinor-libcbc-dev)"
        );
        return ExitCode::from(2);
    }
    let signed = opts.sign.is_some();
    let progress = super::progress::Progress::new(&display_of(&a.path));
    let mut compiled =
        driver::compile_observed(&RealFs, &a.path, &display_of(&a.path), &opts, &progress);
    // Nothing changed: the output stands if its tree is the one recorded
    // (and, with --require-activation, every pod was allowed).
    let recorded = opts.cache.as_mut().and_then(|co| co.previous.take());
    if let (Ok(c), Some(rec)) = (&compiled, &recorded)
        && c.up_to_date
    {
        // Another build writing the output is refused, as the write would.
        let _lock = match amc::write::lock_and_sweep(&a.out) {
            Ok(l) => l,
            Err(e) => {
                progress.clear();
                return write_failed(&e);
            }
        };
        if (rec.allowed || !a.require_activation)
            && amc::write::tree_digest_on_disk(&a.out).as_deref() == Some(rec.tree.as_str())
        {
            progress.clear();
            return up_to_date(&a, c, rec, signed);
        }
        compiled =
            driver::compile_observed(&RealFs, &a.path, &display_of(&a.path), &opts, &progress);
    }
    progress.clear();
    if recorded.is_some()
        && let Some(code) = refuse_foreign(&a.out)
    {
        return code;
    }
    let mut c = match compiled {
        Ok(c) => c,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if a.require_activation {
        driver::require_activation(&mut c);
    }
    report(&c, a.format);
    if c.diagnostics.has_errors() {
        stderrln!("{}: {}; nothing written", display_of(&a.path), summary(&c));
        return ExitCode::from(1);
    }
    if a.plan
        && let Err(e) = super::diff::print_build_plan(&a.out, &c.artifacts, a.format)
    {
        stderrln!("error: cannot compare with {}: {e}", a.out.display());
        return ExitCode::from(2);
    }
    let written = match amc::write::write_atomic(&a.out, &c.artifacts) {
        Ok(w) => w,
        Err(e) => return write_failed(&e),
    };
    let statuses: Vec<String> = record_cache(&a.out, &c);
    if a.format == Format::Human {
        for s in &statuses {
            stderrln!("  {s}");
        }
        let what = if written.unchanged {
            format!("{} unchanged: nothing written", a.out.display())
        } else if written.kept > 0 {
            format!(
                "wrote {} files to {} ({} unchanged, kept)",
                written.written,
                a.out.display(),
                written.kept
            )
        } else {
            format!("wrote {} files to {}", written.written, a.out.display())
        };
        stderrln!(
            "{}: {}; {what}{}",
            display_of(&a.path),
            summary(&c),
            if signed { " (signed)" } else { "" }
        );
    }
    ExitCode::SUCCESS
}

/// Reports a build whose key and tree are the recorded ones: the recorded
/// diagnostics and statuses, and nothing written.
fn up_to_date(
    a: &BuildArgs,
    c: &driver::Compilation,
    rec: &amc::cache::BuildCache,
    signed: bool,
) -> ExitCode {
    report(c, a.format);
    if a.format == Format::Human {
        for s in &rec.statuses {
            stderrln!("  {s}");
        }
        stderrln!(
            "{}: {}; {} is up to date: no input changed, nothing written{}",
            display_of(&a.path),
            summary(c),
            a.out.display(),
            if signed { " (signed)" } else { "" }
        );
    }
    ExitCode::SUCCESS
}
