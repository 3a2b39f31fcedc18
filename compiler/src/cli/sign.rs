//! `amc keygen` (a signing key pair) and `amc verify` (check a build output:
//! signatures, digests, file set, and optionally a rebuild).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use amc::diagnostics::render;
use amc::driver::{self, Options, Stop};
use amc::emit::EmitOptions;
use amc::sign::verify::{self, Report, Tree};
use amc::sign::{ManifestView, keys};
use amc::vfs::RealFs;
use clap::{ArgGroup, Args};

use super::common::{Format, display_of, style};

/// Arguments of `amc keygen`.
#[derive(Args)]
pub struct KeygenArgs {
    /// Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SubjectPublicKeyInfo PEM).
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
    /// Replace existing files.
    #[arg(long)]
    force: bool,
}

fn with_ext(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

fn write_file(path: &Path, bytes: &[u8], mode: u32, force: bool) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if force {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(mode);
    }
    let _ = mode;
    let mut f = o.open(path)?;
    #[cfg(unix)]
    {
        // An existing file keeps its mode on truncate: set it explicitly.
        use std::os::unix::fs::PermissionsExt as _;
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    f.write_all(bytes)?;
    f.sync_all()
}

/// Runs `amc keygen`.
pub fn keygen(a: KeygenArgs) -> ExitCode {
    let key = with_ext(&a.out, ".key");
    let public = with_ext(&a.out, ".pub");
    if !a.force {
        for p in [&key, &public] {
            if p.exists() {
                stderrln!("error: {} exists; pass --force to replace it", p.display());
                return ExitCode::from(2);
            }
        }
    }
    let (private_pem, public_pem) = match keys::generate() {
        Ok(k) => k,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = write_file(&key, private_pem.as_bytes(), 0o600, a.force) {
        stderrln!("error: cannot write {}: {e}", key.display());
        return ExitCode::from(1);
    }
    if let Err(e) = write_file(&public, public_pem.as_bytes(), 0o644, a.force) {
        stderrln!("error: cannot write {}: {e}", public.display());
        return ExitCode::from(1);
    }
    stderrln!(
        "wrote {} (private, mode 0600) and {} (public)",
        key.display(),
        public.display()
    );
    ExitCode::SUCCESS
}

/// Arguments of `amc verify`.
#[derive(Args)]
#[command(group(ArgGroup::new("check").required(true).multiple(true).args(["key", "rebuild"])))]
pub struct VerifyArgs {
    /// The output directory `amc build --out` wrote.
    out: PathBuf,
    /// Public key (SubjectPublicKeyInfo PEM, e.g. `amc keygen`'s PREFIX.pub or cosign.pub):
    /// check every signature file.
    #[arg(long, value_name = "PUB")]
    key: Option<PathBuf>,
    /// Rebuild from the spec (`--spec`) with the recorded options and fail on any drift.
    #[arg(long, requires = "spec")]
    rebuild: bool,
    /// The spec the output was built from (file or directory), for --rebuild.
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
    /// Verification time for the JSON report (RFC 3339); else SOURCE_DATE_EPOCH; else null.
    #[arg(long, value_name = "TIME")]
    verified_at: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Reads the output directory: its files, and what amc never writes there
/// (empty directories, links, special files, odd modes).
fn read_tree(out: &Path) -> Result<amc::write::Scan, String> {
    amc::write::scan_output(out).map_err(|e| e.to_string())
}

/// Runs `amc verify`.
pub fn verify(a: VerifyArgs) -> ExitCode {
    let sde = std::env::var("SOURCE_DATE_EPOCH").ok();
    let verified_at = match driver::decision_time(a.verified_at.as_deref(), sde.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            stderrln!("error: {}", e.replace("--decided-at", "--verified-at"));
            return ExitCode::from(2);
        }
    };
    if !a.out.is_dir() {
        stderrln!("error: {} is not a directory", a.out.display());
        return ExitCode::from(2);
    }
    let mut key_sources = amc::source::SourceMap::new();
    let key = match &a.key {
        None => None,
        Some(p) => {
            let bytes = match std::fs::read(p) {
                Ok(b) => b,
                Err(e) => {
                    stderrln!("error: cannot read {}: {e}", p.display());
                    return ExitCode::from(2);
                }
            };
            match keys::load_public(&display_of(p), &bytes, &mut key_sources) {
                Ok(k) => Some(k),
                Err(d) => {
                    stderr!("{}", render::human(&[d], &key_sources, style()));
                    return ExitCode::from(2);
                }
            }
        }
    };
    let tree = match read_tree(&a.out) {
        Ok(t) => t,
        Err(e) => {
            stderrln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut report = verify::verify(&tree.files, key.as_ref());
    verify::check_layout(&mut report, &tree.files, &tree.oddities);
    let tree = tree.files;
    if a.rebuild
        && let Some(spec) = &a.spec
        && let Some(code) = rebuild(&tree, spec, &mut report, a.format)
    {
        return code;
    }
    print_report(&a, &report, key.as_ref(), verified_at)
}

/// Rebuilds from `spec` with the options the manifest records. Returns an
/// exit code when the rebuild itself cannot run.
fn rebuild(tree: &Tree, spec: &Path, report: &mut Report, format: Format) -> Option<ExitCode> {
    let view = tree
        .get(amc::emit::manifest::MANIFEST)
        .and_then(|m| ManifestView::parse(m).ok())?;
    let opts = Options {
        stop: Stop::Build,
        emit: EmitOptions {
            decided_at: view.decision_time_set.then(|| view.decided_at.clone()),
            source_commit: view.source.commit.clone(),
            workflow_run_id: view.source.workflow_run_id,
            // A build made with --report is rebuilt with it.
            report: tree.contains_key(amc::emit::report::REPORT),
            incumbent: None,
            overlay: view.overlay.clone(),
        },
        // So is one built with an overlay.
        overlay: view.overlay.clone(),
        sign: None,
        // A placement made by the exact solver is rebuilt with it.
        solve: amc::solve::SolveOptions {
            exact: tree
                .get("placement.json")
                .is_some_and(|p| String::from_utf8_lossy(p).contains("\"exact-cbc")),
            // So is one that kept a previous placement (an unreadable record
            // rebuilds without it, and the comparison names the difference).
            incumbent: tree
                .get(amc::emit::manifest::INCUMBENT)
                .and_then(|b| amc::emit::manifest::read_incumbent(b).ok())
                .map(std::sync::Arc::new),
            every_pair: false,
        },
        // Verification always rebuilds.
        cache: None,
    };
    let c = match driver::compile(&RealFs, spec, &display_of(spec), &opts) {
        Ok(c) => c,
        Err(e) => {
            stderrln!("error: {e}");
            return Some(ExitCode::from(2));
        }
    };
    if c.diagnostics.has_errors() {
        if format == Format::Human {
            stderr!(
                "{}",
                render::human(&c.diagnostics.sorted(), &c.sources, style())
            );
        }
        stderrln!(
            "error: the rebuild of {} failed; nothing to compare",
            display_of(spec)
        );
        return Some(ExitCode::from(1));
    }
    verify::compare_rebuild(report, tree, &c.artifacts);
    None
}

fn print_report(
    a: &VerifyArgs,
    report: &Report,
    key: Option<&keys::PublicKey>,
    verified_at: Option<String>,
) -> ExitCode {
    let diags = report.diagnostics.sorted();
    let failed = report.diagnostics.has_errors();
    match a.format {
        Format::Json => {
            let v = serde_json::json!({
                "verification": report.verification(verified_at).to_json(),
                "signed": report.signed,
                "signatureVerified": report.signature_verified,
                "keyRef": key.map(|k| k.fingerprint()),
                "rebuilt": a.rebuild,
                "diagnostics": render::to_json(&diags, &report.sources),
            });
            stdoutln!(
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into())
            );
        }
        Format::Human => {
            stderr!("{}", render::human(&diags, &report.sources, style()));
            let what = match (key, a.rebuild) {
                (Some(k), true) => format!("signature by {} and rebuild", k.fingerprint()),
                (Some(k), false) => format!("signature by {}", k.fingerprint()),
                (None, _) => "rebuild (signatures not checked: no --key)".to_string(),
            };
            if failed {
                stderrln!(
                    "{}: verification FAILED ({} problem{}; checked {what})",
                    a.out.display(),
                    diags.len(),
                    if diags.len() == 1 { "" } else { "s" }
                );
            } else {
                stderrln!(
                    "{}: verified: {} files, {what}",
                    a.out.display(),
                    report.files_checked()
                );
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
