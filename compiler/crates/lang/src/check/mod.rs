//! Check: semantic rules over the lowered spec.
//!
//! Takes the IR, the symbol table and the loaded documents; produces the
//! effective machines and resolved workloads the solver places, and every
//! semantic diagnostic (dangling references, contradictions, unused
//! definitions). Architecture invariant: check never does I/O.

pub mod facts;
pub mod machines;
pub mod models;
pub mod pods;
pub mod refs;

use std::collections::BTreeSet;

use crate::ir::{self, Origin};
use crate::lang::types::RefKind;
use crate::resolve::Symbols;
use crate::resolve::documents::Documents;
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};

pub use machines::MachineView;
pub use pods::Workload;

/// What the solver needs.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Machines with effective capacity.
    pub machines: Vec<MachineView>,
    /// Resolved pods.
    pub workloads: Vec<Workload>,
    /// Machine id → index in `machines`.
    by_id: std::collections::BTreeMap<String, usize>,
}

impl Checked {
    /// The checked machines and workloads, indexed.
    pub fn new(machines: Vec<MachineView>, workloads: Vec<Workload>) -> Checked {
        let by_id = machines
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id().to_string(), i))
            .collect();
        Checked {
            machines,
            workloads,
            by_id,
        }
    }

    /// The machine with this id (O(log machines): emission asks for every replica).
    pub fn machine(&self, id: &str) -> Option<&MachineView> {
        match self.by_id.get(id) {
            Some(&i) => self.machines.get(i),
            None if self.by_id.len() == self.machines.len() => None,
            None => self.machines.iter().find(|m| m.id() == id),
        }
    }
}

/// Runs every check.
pub fn check(
    spec: &ir::Spec,
    symbols: &Symbols,
    docs: &Documents,
    diags: &mut Diagnostics,
) -> Checked {
    refs::check(spec, symbols, diags);
    models::check(spec, diags);
    let machines = machines::views(spec, docs, diags);
    let mut workloads = Vec::new();
    for p in &spec.pods {
        if let Some(w) = pods::workload(spec, p, diags) {
            workloads.push(w);
        }
    }
    facts::check(spec, &machines, &workloads, docs, diags);
    claims(&workloads, diags);
    clusters(spec, &machines, diags);
    unused(spec, symbols, diags);
    Checked::new(machines, workloads)
}

/// Two volumes of one cluster and namespace may not claim one PVC when
/// either names it with `pvc=` (the default names never collide across pods).
fn claims(workloads: &[Workload], diags: &mut Diagnostics) {
    let mut seen: std::collections::BTreeMap<(String, String), (bool, amc_syntax::source::Span)> =
        std::collections::BTreeMap::new();
    for w in workloads {
        let Some(cluster) = w.cluster.as_deref() else {
            continue;
        };
        if w.profile().storage != crate::target::Storage::Claims || w.pod.replicas != 1 {
            continue;
        }
        for v in w
            .volumes
            .iter()
            .filter(|v| v.tier.backend.value != crate::ir::StorageBackend::Tmpfs)
        {
            let key = (cluster.to_string(), v.claim(w.id()));
            let span = v.pvc.as_ref().map(|p| p.span).unwrap_or(v.span);
            match seen.get(&key) {
                Some((explicit, first)) if *explicit || v.pvc.is_some() => {
                    diags.push(
                        Diagnostic::new(
                            Code::E0870,
                            format!("two volumes claim the PVC `{}` in cluster `{cluster}`", key.1),
                        )
                        .label(span, "claimed again here")
                        .label(*first, "first claimed here")
                        .help("give each volume its own `pvc=` name: a shared claim would share its data"),
                    );
                }
                Some(_) => {}
                None => {
                    seen.insert(key, (v.pvc.is_some(), span));
                }
            }
        }
    }
}

/// Whether `s` is a DNS-1123 label (a Kubernetes namespace name).
pub fn dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

fn clusters(spec: &ir::Spec, machines: &[MachineView], diags: &mut Diagnostics) {
    for c in &spec.clusters {
        // Every tenant with pods in the cluster gets a namespace.
        let mut seen: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
        let tenants: BTreeSet<&str> = spec
            .pods
            .iter()
            .filter(|p| p.cluster.as_ref().is_some_and(|x| x.value == c.id.value))
            .map(|p| p.tenant.value.as_str())
            .collect();
        for t in tenants {
            let ns = crate::target::kubernetes::names::namespace(c, t);
            let span = c
                .tenants
                .get(t)
                .and_then(|x| x.namespace.as_ref().map(|n| n.span))
                .unwrap_or(c.id.span);
            if !dns_label(&ns) {
                diags.push(
                    Diagnostic::new(
                        Code::E0333,
                        format!("tenant `{t}` would get the namespace `{ns}` in cluster `{}`, which is not a valid namespace name", c.id.value),
                    )
                    .label(span, "namespace from here")
                    .help(format!("namespace names are DNS labels of at most 63 characters: map the tenant, e.g. `tenant \"{t}\" namespace=\"SHORTER\"` in the cluster")),
                );
            }
            if let Some(other) = seen.insert(ns.clone(), t) {
                diags.push(
                    Diagnostic::new(
                        Code::E0333,
                        format!("tenants `{other}` and `{t}` would share the namespace `{ns}` in cluster `{}`", c.id.value),
                    )
                    .label(span, "same namespace")
                    .help("each tenant needs a namespace of its own: its quota, policies and claims are per namespace"),
                );
            }
        }
        for n in &c.nodes {
            let Some(m) = machines.iter().find(|m| m.id() == n.value.as_str()) else {
                continue;
            };
            if !m.runtimes.contains(&ir::Envelope::Kubernetes) {
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
        .map(|m| (RefKind::Model, m.id.value.as_str(), m.id.span))
        .chain(
            spec.cache_tiers
                .iter()
                .map(|t| (RefKind::CacheTier, t.id.value.as_str(), t.id.span)),
        );
    for (kind, id, span) in ids {
        let from_spec = symbols
            .get(kind, id)
            .is_some_and(|(_, o)| o == Origin::Spec);
        if from_spec && !used.contains(&(kind, id)) {
            diags.push(
                Diagnostic::new(
                    Code::W0303,
                    format!("{} `{}` is never used", kind.node_name(), id),
                )
                .label(span, "unused")
                .help("remove it, or refer to it from a pod or a machine"),
            );
        }
    }
}
