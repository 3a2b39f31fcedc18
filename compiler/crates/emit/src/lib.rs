//! Emit: the build output as an ordered map of relative path → bytes.
//!
//! Takes the checked spec, its placement and the loaded documents; runs each
//! target (Quadlet, Kubernetes, then receipts, which digest the others'
//! output, then the optional report, which reads the receipts) and writes
//! `placement.json`, the release evidence bundle `amc-release-evidence.json`
//! and the build manifest `amc-build.json`. Bytes never depend on spans, clocks, the working
//! directory or hash-map order. Never touches the disk (that is `write`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod kubernetes;
pub mod manifest;
pub mod quadlet;
pub mod receipts;
pub mod release;
pub mod report;
pub mod staging;
pub mod targets;
pub mod templates;

use amc_lang::check::Checked;
use amc_lang::ir;
use amc_lang::resolve::Input;
use amc_lang::resolve::documents::Documents;
use amc_solve::Placement;
use amc_syntax::diagnostics::{Bug, Diagnostic};

/// Options that change output.
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    /// The decision time (RFC 3339), or None when unset.
    pub decided_at: Option<String>,
    /// Also write `report.html`.
    pub report: bool,
    /// The source commit (40 lower-case hex digits), or None when unknown.
    pub source_commit: Option<String>,
    /// The CI workflow run id, or None when unknown.
    pub workflow_run_id: Option<u64>,
    /// The placement the solver kept where it could (recorded as
    /// [`manifest::INCUMBENT`] so a rebuild uses it too).
    pub incumbent: Option<std::sync::Arc<amc_solve::Incumbent>>,
    /// The overlay the spec was built with (recorded in the manifest).
    pub overlay: Option<String>,
}

pub use amc_lang::artifacts::Artifacts;

/// What the build record (manifest, release evidence) is made of besides
/// the artifacts.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The spec's input files.
    pub inputs: &'a [Input],
    /// The stdlib modules it imported.
    pub stdlib_modules: &'a [String],
    /// The build's warnings that block production (release evidence).
    pub blocking_warnings: &'a [String],
}

/// Emits every artifact and the manifest.
pub fn emit(
    spec: &ir::Spec,
    checked: &Checked,
    placement: &Placement,
    docs: &Documents,
    record: Record<'_>,
    opts: &EmitOptions,
) -> Result<Artifacts, Diagnostic> {
    let Record {
        inputs,
        stdlib_modules,
        blocking_warnings,
    } = record;
    let mut out = Artifacts::new();
    let internal = Bug::into_diagnostic;
    let plan = staging::plan(spec, checked, placement);
    let cx = targets::EmitCx {
        spec,
        checked,
        placement,
        plan: &plan,
        docs,
    };
    targets::emit_all(&cx, &mut out).map_err(internal)?;
    quadlet::bootc_layers(spec, &mut out);
    receipts::emit(
        spec,
        checked,
        placement,
        &plan,
        docs,
        opts.decided_at.as_deref(),
        &mut out,
    )
    .map_err(internal)?;
    out.insert(
        "placement.json".to_string(),
        manifest::placement_json(placement).map_err(internal)?,
    );
    if let Some(inc) = &opts.incumbent {
        out.insert(
            manifest::INCUMBENT.to_string(),
            manifest::incumbent_json(inc).map_err(internal)?,
        );
    }
    // The report reads the other artifacts (activation decisions), so it comes last.
    if opts.report {
        out.insert(
            report::REPORT.to_string(),
            report::render(spec, checked, placement, &out, opts).map_err(internal)?,
        );
    }
    let ins = manifest::sorted_inputs(inputs);
    // Each artifact is hashed once for both records.
    let mut digests = manifest::digests(&out);
    let bundle =
        release::bundle(&out, &digests, &ins, blocking_warnings, opts).map_err(internal)?;
    digests.insert(release::BUNDLE.to_string(), manifest::sha256(&bundle));
    out.insert(release::BUNDLE.to_string(), bundle);
    let manifest =
        manifest::build_manifest(&out, &digests, &ins, stdlib_modules, opts).map_err(internal)?;
    out.insert(manifest::MANIFEST.to_string(), manifest);
    Ok(out)
}
