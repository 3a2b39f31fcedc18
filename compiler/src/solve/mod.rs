//! Solve: decide which machine runs each replica.
//!
//! Takes the checked machines and workloads; produces a [`Placement`] with,
//! for every replica, the chosen machine and why each other machine was
//! excluded. A pure, deterministic function: pods in definition order,
//! machines in definition order, first feasible machine wins. (The placement
//! optimiser replaces the choice rule; the feasibility rules stay here.)
//! Never does I/O; an unplaceable pod is an `E0501` naming the binding
//! constraint and the closest machine.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::{Checked, MachineView, Workload};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir;
use crate::lang::units::human_size;

/// One replica's placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Pod id.
    pub pod: String,
    /// Replica index (0-based).
    pub replica: u32,
    /// Chosen machine.
    pub machine: String,
    /// Every other machine with the reason it was not chosen.
    pub excluded: Vec<(String, String)>,
}

/// The placement of every replica.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// Assignments in pod then replica order.
    pub assignments: Vec<Assignment>,
}

impl Placement {
    /// Machines of a pod's replicas, in replica order.
    pub fn machines_of(&self, pod: &str) -> Vec<&str> {
        self.assignments
            .iter()
            .filter(|a| a.pod == pod)
            .map(|a| a.machine.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
struct Usage {
    cpu: u64,
    memory: u64,
    gpus: u32,
    pools: BTreeMap<String, u64>,
    host_ports: BTreeSet<u16>,
}

/// Default size of a volume whose tier sets no quota.
pub const DEFAULT_VOLUME_SIZE: u64 = 10 << 30;

/// The bytes one volume of a tier takes.
pub fn volume_size(tier: &ir::CacheTier) -> u64 {
    tier.quota.unwrap_or(DEFAULT_VOLUME_SIZE)
}

/// The pool of a machine that holds a tier's volumes, if any.
pub fn pool_for<'a>(m: &'a MachineView, tier: &ir::CacheTier) -> Option<&'a ir::Pool> {
    match &tier.pool {
        Some(name) => m.def.pools.iter().find(|p| p.id.value == name.value),
        None => m.def.pools.iter().find(|p| p.backend == tier.backend.value),
    }
}

/// Why `w` cannot run on `m` given current usage, as (stage, reason); stage
/// orders how close the machine came (higher is closer).
fn infeasible(
    spec: &ir::Spec,
    w: &Workload,
    m: &MachineView,
    u: &Usage,
    taken: &[&str],
    spread_taken: &BTreeSet<String>,
) -> Option<(u8, String)> {
    let p = &w.pod;
    if w.is_kubernetes() {
        let in_cluster = w
            .cluster
            .as_deref()
            .and_then(|c| spec.cluster(c))
            .is_some_and(|c| c.nodes.iter().any(|n| n.value == m.id()));
        if !in_cluster {
            return Some((
                0,
                format!(
                    "not a node of cluster `{}`",
                    w.cluster.as_deref().unwrap_or("?")
                ),
            ));
        }
    } else if !m.runtimes.iter().any(|r| r == "podman-quadlet") {
        return Some((0, "offers no podman-quadlet runtime".into()));
    } else if let Some(v) = m.podman.filter(|v| v.0 < 5) {
        return Some((
            1,
            format!(
                "podman {}.{}.{} has no Quadlet support (amc needs 5.0 or newer)",
                v.0, v.1, v.2
            ),
        ));
    }
    if !p.placement.pin.is_empty() && !p.placement.pin.iter().any(|x| x.value == m.id()) {
        return Some((1, "not in the pod's `pin` list".into()));
    }
    if p.placement.avoid.iter().any(|x| x.value == m.id()) {
        return Some((1, "in the pod's `avoid` list".into()));
    }
    for (k, v, _) in &p.placement.require_labels {
        if m.def.labels.get(k) != Some(v) {
            return Some((1, format!("lacks label {k}={v}")));
        }
    }
    if let Some(profile) = spec.profile(&m.profile) {
        if let Some(f) = profile.forbid.iter().find(|f| f.api == w.accelerator) {
            return Some((
                2,
                format!(
                    "profile {} never has {}: {}",
                    m.profile, w.accelerator, f.reason
                ),
            ));
        }
        let ptype = w
            .provider
            .provider_type
            .as_ref()
            .map(|t| t.value.as_str())
            .unwrap_or("");
        if !profile
            .backends
            .iter()
            .any(|b| b.provider_type == ptype && b.accelerator == w.accelerator)
        {
            return Some((
                2,
                format!(
                    "profile {} has no {ptype} backend on {}",
                    m.profile, w.accelerator
                ),
            ));
        }
    }
    if !m.accelerators.contains(&w.accelerator) {
        return Some((3, format!("has no {} accelerator", w.accelerator)));
    }
    if taken.contains(&m.id()) {
        return Some((4, "already runs another replica of this pod".into()));
    }
    if let Some(label) = &p.placement.spread {
        let value = m.def.labels.get(label).cloned().unwrap_or_default();
        if spread_taken.contains(&value) {
            return Some((
                4,
                format!("another replica already runs where {label}={value}"),
            ));
        }
    }
    let cpu_free = m.cpu_milli.saturating_sub(u.cpu);
    if w.cpu > cpu_free {
        return Some((
            5,
            format!(
                "needs {} CPU, {} free",
                crate::lang::units::format_cpu(w.cpu),
                crate::lang::units::format_cpu(cpu_free)
            ),
        ));
    }
    let mem_need = if m.unified {
        w.memory.saturating_add(w.vram)
    } else {
        w.memory
    };
    let mem_free = m.memory.saturating_sub(u.memory);
    if mem_need > mem_free {
        return Some((
            5,
            format!(
                "needs {} memory, {} free",
                human_size(mem_need),
                human_size(mem_free)
            ),
        ));
    }
    if w.gpus > 0 && !m.unified {
        let free = m.gpu_count().saturating_sub(u.gpus);
        if w.gpus > free {
            return Some((5, format!("needs {} GPU(s), {free} free", w.gpus)));
        }
        let per_gpu = w.vram.div_ceil(u64::from(w.gpus));
        if per_gpu > m.max_vram() {
            return Some((
                5,
                format!(
                    "needs {} VRAM per GPU, largest GPU has {}",
                    human_size(per_gpu),
                    human_size(m.max_vram())
                ),
            ));
        }
    }
    if w.is_kubernetes() {
        let cluster = w.cluster.as_deref().and_then(|c| spec.cluster(c));
        for v in &w.volumes {
            if v.tier.backend.value != "tmpfs"
                && !cluster.is_some_and(|c| c.storage_classes.contains_key(&v.tier.backend.value))
            {
                return Some((
                    6,
                    format!(
                        "cluster maps no StorageClass for backend {}",
                        v.tier.backend.value
                    ),
                ));
            }
        }
    } else {
        let mut need: BTreeMap<String, u64> = BTreeMap::new();
        for v in &w.volumes {
            if v.tier.backend.value == "tmpfs" {
                continue;
            }
            match pool_for(m, &v.tier) {
                Some(pool) => {
                    *need.entry(pool.id.value.clone()).or_default() += volume_size(&v.tier)
                }
                None => {
                    return Some((
                        6,
                        format!(
                            "has no storage pool for tier `{}` ({} backend)",
                            v.tier.id.value, v.tier.backend.value
                        ),
                    ));
                }
            }
        }
        for (pool_id, bytes) in need {
            let cap = m
                .def
                .pools
                .iter()
                .find(|p| p.id.value == pool_id)
                .map(|p| p.capacity.value)
                .unwrap_or(0);
            let free = cap.saturating_sub(u.pools.get(&pool_id).copied().unwrap_or(0));
            if bytes > free {
                return Some((
                    6,
                    format!(
                        "pool `{pool_id}` has {} free, needs {}",
                        human_size(free),
                        human_size(bytes)
                    ),
                ));
            }
        }
        for port in &w.ports {
            if matches!(port.exposure.as_str(), "loopback" | "host")
                && u.host_ports.contains(&port.host_port)
            {
                return Some((
                    7,
                    format!("host port {} is already published", port.host_port),
                ));
            }
        }
    }
    None
}

fn charge(w: &Workload, m: &MachineView, u: &mut Usage) {
    u.cpu += w.cpu;
    u.memory += if m.unified {
        w.memory.saturating_add(w.vram)
    } else {
        w.memory
    };
    if !m.unified {
        u.gpus += w.gpus;
    }
    if !w.is_kubernetes() {
        for v in &w.volumes {
            if let Some(pool) = pool_for(m, &v.tier).filter(|_| v.tier.backend.value != "tmpfs") {
                *u.pools.entry(pool.id.value.clone()).or_default() += volume_size(&v.tier);
            }
        }
        for port in &w.ports {
            if matches!(port.exposure.as_str(), "loopback" | "host") {
                u.host_ports.insert(port.host_port);
            }
        }
    }
}

/// Places every replica of every workload.
pub fn solve(spec: &ir::Spec, checked: &Checked, diags: &mut Diagnostics) -> Placement {
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    let mut out = Placement::default();
    for w in &checked.workloads {
        let mut taken: Vec<&str> = Vec::new();
        let mut spread_taken: BTreeSet<String> = BTreeSet::new();
        for replica in 0..w.pod.replicas {
            let mut excluded = Vec::new();
            let mut chosen: Option<&MachineView> = None;
            let mut closest: Option<(u8, &MachineView, String)> = None;
            for m in &checked.machines {
                let u = usage.get(m.id()).cloned().unwrap_or_default();
                if chosen.is_some() {
                    excluded.push((
                        m.id().to_string(),
                        "a machine earlier in the spec was chosen".into(),
                    ));
                    continue;
                }
                match infeasible(spec, w, m, &u, &taken, &spread_taken) {
                    None => chosen = Some(m),
                    Some((stage, why)) => {
                        if closest.as_ref().is_none_or(|(s, _, _)| stage > *s) {
                            closest = Some((stage, m, why.clone()));
                        }
                        excluded.push((m.id().to_string(), why));
                    }
                }
            }
            match chosen {
                Some(m) => {
                    let u = usage.entry(m.id().to_string()).or_default();
                    charge(w, m, u);
                    taken.push(m.id());
                    if let Some(label) = &w.pod.placement.spread {
                        spread_taken.insert(m.def.labels.get(label).cloned().unwrap_or_default());
                    }
                    out.assignments.push(Assignment {
                        pod: w.id().to_string(),
                        replica,
                        machine: m.id().to_string(),
                        excluded,
                    });
                }
                None => {
                    let which = if w.pod.replicas > 1 {
                        format!("replica {} of pod `{}`", replica + 1, w.id())
                    } else {
                        format!("pod `{}`", w.id())
                    };
                    let mut d = Diagnostic::new(
                        Code::E0501,
                        format!("{which} cannot be placed on any machine"),
                    )
                    .label(w.pod.id.span, "no machine satisfies this pod");
                    let help = match &closest {
                        Some((_, m, why)) => {
                            d = d.label(m.def.id.span, format!("closest machine: {why}"));
                            let others: Vec<String> =
                                excluded.iter().map(|(m, r)| format!("{m}: {r}")).collect();
                            format!(
                                "closest is `{}`, which {why}; all machines: {}",
                                m.id(),
                                others.join("; ")
                            )
                        }
                        None => "the spec defines no machine with known capacity".to_string(),
                    };
                    diags.push(d.help(help));
                    break;
                }
            }
        }
    }
    out
}
