//! Check: semantic rules over the lowered spec.
//!
//! Takes the IR, the symbol table and the loaded documents; produces the
//! effective machines and resolved workloads the solver places, and every
//! semantic diagnostic (dangling references, contradictions, unused
//! definitions). Architecture invariant: check never does I/O.

pub mod facts;
pub mod machines;
pub mod pods;
pub mod refs;

use std::collections::BTreeSet;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{self, Origin};
use crate::lang::types::RefKind;
use crate::resolve::Symbols;
use crate::resolve::documents::Documents;

pub use machines::MachineView;
pub use pods::Workload;

/// What the solver needs.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Machines with effective capacity.
    pub machines: Vec<MachineView>,
    /// Resolved pods.
    pub workloads: Vec<Workload>,
}

/// Runs every check.
pub fn check(
    spec: &ir::Spec,
    symbols: &Symbols,
    docs: &Documents,
    diags: &mut Diagnostics,
) -> Checked {
    refs::check(spec, symbols, diags);
    let machines = machines::views(spec, docs, diags);
    let mut workloads = Vec::new();
    for p in &spec.pods {
        if let Some(w) = pods::workload(spec, p, diags) {
            workloads.push(w);
        }
    }
    facts::check(spec, &machines, &workloads, docs, diags);
    clusters(spec, &machines, diags);
    unused(spec, symbols, diags);
    Checked {
        machines,
        workloads,
    }
}

fn clusters(spec: &ir::Spec, machines: &[MachineView], diags: &mut Diagnostics) {
    for c in &spec.clusters {
        for n in &c.nodes {
            let Some(m) = machines.iter().find(|m| m.id() == n.value) else {
                continue;
            };
            if !m.runtimes.iter().any(|r| r == "kubernetes") {
                diags.push(
                    Diagnostic::new(
                        Code::E0314,
                        format!("machine `{}` is a node of cluster `{}` but offers no kubernetes runtime", n.value, c.id.value),
                    )
                    .label(n.span, "listed as a node here")
                    .label(m.def.id.span, "machine defined here")
                    .help(format!(
                        "add `runtimes \"kubernetes\"` to machine `{}`, or give it the kubernetes-node profile",
                        n.value
                    )),
                );
            }
        }
    }
}

fn unused(spec: &ir::Spec, symbols: &Symbols, diags: &mut Diagnostics) {
    let mut used: BTreeSet<(RefKind, &str)> = BTreeSet::new();
    for p in &spec.pods {
        if let Some(m) = &p.model {
            used.insert((RefKind::Model, &m.value));
        }
        for v in &p.volumes {
            used.insert((RefKind::CacheTier, &v.tier.value));
        }
    }
    for m in &spec.machines {
        for r in &m.resident {
            used.insert((RefKind::Model, &r.model.value));
        }
    }
    let ids = spec
        .models
        .iter()
        .map(|m| (RefKind::Model, &m.id))
        .chain(spec.cache_tiers.iter().map(|t| (RefKind::CacheTier, &t.id)));
    for (kind, id) in ids {
        let from_spec = symbols
            .get(kind, &id.value)
            .is_some_and(|(_, o)| o == Origin::Spec);
        if from_spec && !used.contains(&(kind, id.value.as_str())) {
            diags.push(
                Diagnostic::new(
                    Code::W0303,
                    format!("{} `{}` is never used", kind.node_name(), id.value),
                )
                .label(id.span, "unused")
                .help("remove it, or refer to it from a pod or a machine"),
            );
        }
    }
}
