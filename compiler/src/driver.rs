//! The driver: runs the pipeline stages in order.
//!
//! Takes a spec path, a [`Vfs`] and options; produces a [`Compilation`]
//! with the source map, diagnostics and (when there are no errors) the
//! artifacts. Never writes: callers hand artifacts to `write`.

use std::path::Path;

use crate::check;
use crate::diagnostics::Diagnostics;
use crate::emit::{self, Artifacts, EmitOptions};
use crate::ir;
use crate::lower;
use crate::resolve::{self, documents};
use crate::solve::{self, Placement};
use crate::source::SourceMap;
use crate::vfs::Vfs;

/// How far to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Check only (includes placement, whose failures are errors).
    Check,
    /// Emit artifacts.
    Build,
}

/// Options for one compilation.
#[derive(Debug, Clone)]
pub struct Options {
    /// How far to run.
    pub stop: Stop,
    /// Emit options.
    pub emit: EmitOptions,
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
}

/// Runs the pipeline. `Err` is a problem with the path itself (usage error).
pub fn compile(
    vfs: &dyn Vfs,
    path: &Path,
    display: &str,
    opts: &Options,
) -> Result<Compilation, String> {
    compile_with(vfs, path, display, opts, solve::SolveOptions::default())
}

/// [`compile`] with placement options (e.g. `amc build --exact`).
pub fn compile_with(
    vfs: &dyn Vfs,
    path: &Path,
    display: &str,
    opts: &Options,
    placement: solve::SolveOptions,
) -> Result<Compilation, String> {
    let root = resolve::locate(vfs, path, display)?;
    let mut c = Compilation::default();
    let resolved = resolve::resolve(vfs, &root, &mut c.sources, &mut c.diagnostics);
    c.spec = lower::lower(&resolved.decls);
    let mut inputs = resolved.inputs.clone();
    let docs = documents::load(
        vfs,
        &root,
        &c.spec,
        &mut c.sources,
        &mut inputs,
        &mut c.diagnostics,
    );
    c.checked = check::check(&c.spec, &resolved.symbols, &docs, &mut c.diagnostics);
    // Placing an inconsistent fleet would only add noise: solve runs on a clean spec.
    if !c.diagnostics.has_errors() {
        c.placement = solve::place(&c.spec, &c.checked, &docs, placement, &mut c.diagnostics);
    }
    if opts.stop == Stop::Build && !c.diagnostics.has_errors() {
        match emit::emit(
            &c.spec,
            &c.checked,
            &c.placement,
            &inputs,
            &resolved.stdlib_modules,
            &opts.emit,
        ) {
            Ok(a) => c.artifacts = a,
            Err(d) => c.diagnostics.push(d),
        }
    }
    Ok(c)
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
