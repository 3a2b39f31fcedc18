//! What each target writes: the [`Emitter`] half of a target.
//!
//! A target is one type implementing `target::Target` (its profile and the
//! fit hooks check and placement ask) and [`Emitter`] (the checks that need
//! the placement, and its files). This half sits above the solver, so it may
//! read the placement and the staging plan; `target` may not.
//!
//! Takes: the checked spec, the placement, the staging plan.
//! Produces: placement-time diagnostics and each target's files.
//! Never: decides placement or writes to disk.
//!
//! Adding a target: see `amc_lang::target`; its emitter goes here (see
//! `quadlet.rs`), listed in [`BUILTIN`] in the order of `target::BUILTIN` (a
//! test keeps the two equal). [`register`] adds a target at run time, both
//! halves at once.

pub mod kubernetes;
pub mod quadlet;

use amc_syntax::diagnostics::BugResult;
use std::collections::BTreeMap;
use std::sync::RwLock;

use crate::staging::Plan;
use amc_lang::artifacts::Artifacts;
use amc_lang::check::Checked;
use amc_lang::check::pods::Workload;
use amc_lang::ir;
use amc_lang::resolve::documents::Documents;
use amc_lang::target::{self, Target};
use amc_solve::Placement;
use amc_syntax::diagnostics::Diagnostics;

/// What emission hands a target.
pub struct EmitCx<'a> {
    /// The lowered spec.
    pub spec: &'a ir::Spec,
    /// Checked machines and workloads.
    pub checked: &'a Checked,
    /// Where every replica runs.
    pub placement: &'a Placement,
    /// What is staged where.
    pub plan: &'a Plan,
    /// Supporting documents (host facts among them).
    pub docs: &'a Documents,
}

impl EmitCx<'_> {
    /// The workloads of one target, sorted by pod id.
    pub fn workloads_of(&self, target: &dyn Target) -> Vec<&Workload> {
        let mut ws: Vec<&Workload> = self
            .checked
            .workloads
            .iter()
            .filter(|w| w.target.id() == target.id())
            .collect();
        ws.sort_by(|a, b| a.id().cmp(b.id()));
        ws
    }
}

/// What a target writes. [`Emitter::check_placed`] has a default that
/// contributes nothing.
pub trait Emitter: Target {
    /// Checks that need the placement (on this target's workloads).
    fn check_placed(
        &self,
        _workloads: &[&Workload],
        _checked: &Checked,
        _placement: &Placement,
        _diags: &mut Diagnostics,
    ) {
    }

    /// Writes this target's files for its placed workloads. `Err` is an
    /// internal error.
    fn emit(&self, cx: &EmitCx<'_>, out: &mut Artifacts) -> BugResult<()>;
}

/// The emitters of the targets amc ships, in the order of `target::BUILTIN`.
pub static BUILTIN: [&dyn Emitter; 2] = [
    &amc_lang::target::quadlet::Quadlet,
    &amc_lang::target::kubernetes::Kubernetes,
];

static REGISTERED: RwLock<Vec<&'static dyn Emitter>> = RwLock::new(Vec::new());

/// Every emitter: the built-in ones, then those registered, in order.
pub fn all() -> Vec<&'static dyn Emitter> {
    let mut out: Vec<&'static dyn Emitter> = BUILTIN.to_vec();
    if let Ok(r) = REGISTERED.read() {
        out.extend(r.iter().copied());
    }
    out
}

/// Adds a target, both halves, for the rest of the process. `Err` when its
/// id is taken.
pub fn register(target: &'static dyn Emitter) -> BugResult<()> {
    let mut r = REGISTERED
        .write()
        .map_err(|_| "the target registry is poisoned".to_string())?;
    target::register(target)?;
    r.push(target);
    Ok(())
}

/// Emits every target's files, in registry order.
pub fn emit_all(cx: &EmitCx<'_>, out: &mut Artifacts) -> BugResult<()> {
    for t in all() {
        t.emit(cx, out)?;
    }
    Ok(())
}

/// What can only be checked once every replica has a machine: each
/// target's placement-time checks on its own workloads.
pub fn check_placed(checked: &Checked, placement: &Placement, diags: &mut Diagnostics) {
    let mut by_target: BTreeMap<&str, Vec<&Workload>> = BTreeMap::new();
    for w in &checked.workloads {
        by_target.entry(w.target.id()).or_default().push(w);
    }
    for t in all() {
        if let Some(ws) = by_target.get(t.id()) {
            t.check_placed(ws, checked, placement, diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_target_has_its_emitter_in_the_same_order() {
        let specs: Vec<&str> = target::BUILTIN.iter().map(|t| t.id()).collect();
        let emitters: Vec<&str> = BUILTIN.iter().map(|t| t.id()).collect();
        assert_eq!(specs, emitters);
    }
}
