//! `report.html`: a self-contained page describing one build (`amc build --report`).
//!
//! Takes the checked spec, the placement and the artifacts emitted so far
//! (activation decisions are read back from `receipts/<pod>/` when present);
//! produces one HTML file rendered from `targets/report/report.html.j2` with
//! inline CSS and no scripts, fonts or network references. Never reads the
//! disk or the clock: the only time is the injected decision time.

use amc_syntax::diagnostics::BugResult;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{Artifacts, EmitOptions, templates};
use amc_lang::check::{Checked, MachineView, Workload};
use amc_lang::ir;
use amc_lang::lang::units::format_cpu;
use amc_solve::{self as solve, Placement};

/// File name of the report in the output directory.
pub const REPORT: &str = "report.html";

#[derive(Serialize)]
struct Bar {
    label: &'static str,
    used: String,
    total: String,
    pct: u64,
    level: &'static str,
}

#[derive(Serialize)]
struct MachineRow {
    id: String,
    profile: String,
    os: String,
    unified: bool,
    accelerators: Vec<String>,
    bars: Vec<Bar>,
    replicas: Vec<String>,
    resident: Vec<String>,
}

#[derive(Serialize)]
struct Excluded {
    machine: String,
    reason: String,
}

#[derive(Serialize)]
struct ReplicaRow {
    replica: u32,
    machine: String,
    /// Expected cold start and warm-up of this replica, e.g. `41.2 s`.
    cost: String,
    /// The objective's terms for the chosen machine, one sentence each.
    terms: Vec<String>,
    excluded: Vec<Excluded>,
}

#[derive(Serialize)]
struct Activation {
    status: String,
    allowed: bool,
    reasons: Vec<String>,
    required: Vec<String>,
}

#[derive(Serialize)]
struct PodRow {
    id: String,
    tenant: String,
    target: String,
    provider: String,
    model: String,
    accelerator: String,
    resources: String,
    replicas: Vec<ReplicaRow>,
    activation: Option<Activation>,
}

#[derive(Serialize)]
struct CacheGroup {
    scope: String,
    tier: String,
    volume_class: String,
    backend: String,
    pods: Vec<String>,
    shared: bool,
}

#[derive(Serialize)]
struct ModelRow {
    id: String,
    size: String,
    format: String,
    pods: Vec<String>,
    loaded_on: Vec<String>,
    resident_on: Vec<String>,
}

#[derive(Serialize)]
struct Summary {
    machines: usize,
    pods: usize,
    replicas: usize,
    tenants: usize,
    allowed: usize,
    decided: usize,
}

#[derive(Serialize)]
struct Context {
    version: &'static str,
    decided_at: String,
    decision_time_set: bool,
    summary: Summary,
    machines: Vec<MachineRow>,
    pods: Vec<PodRow>,
    cache_groups: Vec<CacheGroup>,
    models: Vec<ModelRow>,
}

fn bar(label: &'static str, used: u64, total: u64, fmt: fn(u64) -> String) -> Bar {
    let pct = match used.saturating_mul(100).checked_div(total) {
        Some(p) => p.min(100),
        None if used == 0 => 0,
        None => 100,
    };
    let level = match pct {
        0..=69 => "ok",
        70..=89 => "high",
        _ => "full",
    };
    Bar {
        label,
        used: fmt(used),
        total: fmt(total),
        pct,
        level,
    }
}

/// A size for people: one decimal, binary units (`9.8 GiB`, `139.2 MiB`).
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut unit = 0;
    let mut scaled = bytes;
    while scaled >= 1024 && unit < UNITS.len() - 1 {
        scaled /= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} B");
    }
    // Tenths of the unit, rounded half up, in integers.
    let div = 1u128 << (10 * unit);
    let tenths = (u128::from(bytes) * 10 + div / 2) / div;
    if tenths.is_multiple_of(10) {
        format!("{} {}", tenths / 10, UNITS[unit])
    } else {
        format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
    }
}

/// Milliseconds for people: `850 ms`, `41.2 s`.
fn seconds(ms: i64) -> String {
    if ms.abs() < 1000 {
        format!("{ms} ms")
    } else {
        format!("{}.{} s", ms / 1000, (ms.abs() % 1000) / 100)
    }
}

fn count(n: u64) -> String {
    n.to_string()
}

/// What the placed replicas use on one machine.
#[derive(Default)]
struct Use {
    cpu: u64,
    memory: u64,
    gpus: u64,
    vram: u64,
    storage: u64,
}

fn usage(m: &MachineView, placed: &[&Workload]) -> Use {
    let mut u = Use::default();
    for w in placed {
        u.cpu += w.cpu;
        u.memory += if m.unified {
            w.memory.saturating_add(w.vram)
        } else {
            w.memory
        };
        if !m.unified {
            u.gpus += u64::from(w.gpus);
            u.vram += w.vram;
        }
        for v in &w.volumes {
            if v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs
                && solve::pool_for(m, &v.tier).is_some()
            {
                u.storage += solve::volume_size(&v.tier);
            }
        }
    }
    u
}

fn activation(artifacts: &Artifacts, pod: &str) -> Option<Activation> {
    let prefix = format!("receipts/{pod}/");
    let (_, bytes) = artifacts.iter().find(|(p, _)| {
        p.starts_with(&prefix)
            && p.ends_with(".json")
            && p.contains("activation-decision")
            && !p.contains("request")
    })?;
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let d = v.get("decision")?;
    let strings = |key: &str| amc_govern::semantics::list(d, &format!("/{key}"));
    Some(Activation {
        status: d.get("status")?.as_str()?.to_string(),
        allowed: d
            .get("activationAllowed")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        reasons: strings("failureReasons"),
        required: strings("requiredBeforeActivation"),
    })
}

/// Renders the report.
pub fn render(
    spec: &ir::Spec,
    checked: &Checked,
    placement: &Placement,
    artifacts: &Artifacts,
    opts: &EmitOptions,
) -> BugResult<Vec<u8>> {
    let workload = |id: &str| checked.workloads.iter().find(|w| w.id() == id);
    let mut machines = Vec::new();
    for m in &checked.machines {
        let here: Vec<_> = placement
            .assignments
            .iter()
            .filter(|a| a.machine == m.id())
            .collect();
        let placed: Vec<&Workload> = here.iter().filter_map(|a| workload(&a.pod)).collect();
        let u = usage(m, &placed);
        let mut bars = vec![
            bar("CPU", u.cpu, m.cpu_milli, format_cpu),
            bar(
                if m.unified {
                    "Memory (unified)"
                } else {
                    "Memory"
                },
                u.memory,
                m.memory,
                human_size,
            ),
        ];
        if !m.unified && m.gpu_count() > 0 {
            bars.push(bar("GPUs", u.gpus, u64::from(m.gpu_count()), count));
            let total_vram = m.gpus.iter().map(|g| g.vram * u64::from(g.count)).sum();
            bars.push(bar("VRAM", u.vram, total_vram, human_size));
        }
        let pools: u64 = m.def.pools.iter().map(|p| p.capacity.value).sum();
        if pools > 0 {
            bars.push(bar("Storage", u.storage, pools, human_size));
        }
        machines.push(MachineRow {
            id: m.id().to_string(),
            profile: m.profile.clone(),
            os: m.os.to_string(),
            unified: m.unified,
            accelerators: m.accelerators.iter().cloned().collect(),
            bars,
            replicas: here
                .iter()
                .map(|a| format!("{}#{}", a.pod, a.replica))
                .collect(),
            resident: m
                .def
                .resident
                .iter()
                .map(|r| r.model.value.to_string())
                .collect(),
        });
    }

    let mut pods = Vec::new();
    let mut groups: BTreeMap<(String, String), CacheGroup> = BTreeMap::new();
    let mut tenants = BTreeSet::new();
    for w in &checked.workloads {
        tenants.insert(w.pod.tenant.value.clone());
        let replicas = placement
            .assignments
            .iter()
            .filter(|a| a.pod == w.id())
            .map(|a| ReplicaRow {
                replica: a.replica,
                machine: a.machine.clone(),
                cost: seconds(a.cost.total),
                terms: a
                    .terms
                    .iter()
                    .filter(|t| t.ms != 0)
                    .map(|t| format!("{}: {}", t.term, t.detail))
                    .collect(),
                excluded: a
                    .excluded
                    .iter()
                    .map(|(m, r)| Excluded {
                        machine: m.clone(),
                        reason: r.clone(),
                    })
                    .collect(),
            })
            .collect();
        let mut resources = format!("{} CPU, {} memory", format_cpu(w.cpu), human_size(w.memory));
        if w.gpus > 0 {
            resources.push_str(&format!(", {} GPU, {} VRAM", w.gpus, human_size(w.vram)));
        }
        pods.push(PodRow {
            id: w.id().to_string(),
            tenant: w.pod.tenant.value.clone(),
            target: w.pod.target.value.clone(),
            provider: w.provider.id.value.to_string(),
            model: w
                .model
                .as_ref()
                .map_or_else(|| "—".to_string(), |m| m.id.value.to_string()),
            accelerator: w.accelerator.to_string(),
            resources,
            replicas,
            activation: activation(artifacts, w.id()),
        });
        for v in &w.volumes {
            let class = v.tier.volume_class;
            // Model weights are shared read-only across tenants; caches only
            // within a tenant; everything else belongs to the pod.
            let scope = {
                use amc_lang::ir::VolumeClass as V;
                match class {
                    V::AgentModels => "all tenants (read-only)".to_string(),
                    V::AgentCacheHot | V::AgentCacheWarm | V::AgentCacheCold => {
                        format!("tenant {}", w.pod.tenant.value)
                    }
                    V::AgentScratch | V::AgentEvidence | V::AgentArtifacts => {
                        format!("pod {}", w.id())
                    }
                }
            };
            let g = groups
                .entry((scope.clone(), v.tier.id.value.to_string()))
                .or_insert_with(|| CacheGroup {
                    scope,
                    tier: v.tier.id.value.to_string(),
                    volume_class: class.to_string(),
                    backend: v.tier.backend.value.to_string(),
                    pods: Vec::new(),
                    shared: false,
                });
            g.pods.push(w.id().to_string());
            g.shared = g.pods.len() > 1;
        }
    }

    let mut models = Vec::new();
    for model in &spec.models {
        let users: Vec<&Workload> = checked
            .workloads
            .iter()
            .filter(|w| {
                w.model
                    .as_ref()
                    .is_some_and(|m| m.id.value == model.id.value)
            })
            .collect();
        let loaded_on: BTreeSet<String> = users
            .iter()
            .flat_map(|w| placement.machines_of(w.id()))
            .map(str::to_string)
            .collect();
        let resident_on = checked
            .machines
            .iter()
            .filter(|m| {
                m.def
                    .resident
                    .iter()
                    .any(|r| r.model.value == model.id.value)
            })
            .map(|m| m.id().to_string())
            .collect();
        models.push(ModelRow {
            id: model.id.value.to_string(),
            size: human_size(model.size),
            format: model.format.value.to_string(),
            pods: users.iter().map(|w| w.id().to_string()).collect(),
            loaded_on: loaded_on.into_iter().collect(),
            resident_on,
        });
    }

    let decided = pods.iter().filter(|p| p.activation.is_some()).count();
    let allowed = pods
        .iter()
        .filter(|p| p.activation.as_ref().is_some_and(|a| a.allowed))
        .count();
    let ctx = Context {
        version: amc_syntax::VERSION,
        decided_at: opts
            .decided_at
            .clone()
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string()),
        decision_time_set: opts.decided_at.is_some(),
        summary: Summary {
            machines: machines.len(),
            pods: pods.len(),
            replicas: placement.assignments.len(),
            tenants: tenants.len(),
            allowed,
            decided,
        },
        machines,
        pods,
        cache_groups: groups.into_values().collect(),
        models,
    };
    templates::render_html("report/report.html.j2", &ctx).map(String::into_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_well() {
        assert_eq!(seconds(850), "850 ms");
        assert_eq!(seconds(41_234), "41.2 s");
        assert_eq!(seconds(0), "0 ms");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(146_000_000), "139.2 MiB");
        assert_eq!(human_size(10 << 30), "10 GiB");
        assert_eq!(human_size(1 << 40), "1 TiB");
    }

    #[test]
    fn bars_clamp_and_grade() {
        assert_eq!(bar("CPU", 5, 10, count).pct, 50);
        assert_eq!(bar("CPU", 5, 10, count).level, "ok");
        assert_eq!(bar("CPU", 9, 10, count).level, "full");
        assert_eq!(bar("CPU", 30, 10, count).pct, 100);
        assert_eq!(bar("CPU", 1, 0, count).pct, 100);
        assert_eq!(bar("CPU", 0, 0, count).pct, 0);
    }

    #[test]
    fn html_is_escaped() {
        let html = templates::render_html(
            "report/report.html.j2",
            &Context {
                version: "0",
                decided_at: "x".into(),
                decision_time_set: false,
                summary: Summary {
                    machines: 0,
                    pods: 0,
                    replicas: 0,
                    tenants: 0,
                    allowed: 0,
                    decided: 0,
                },
                machines: vec![MachineRow {
                    id: "<script>alert(1)</script>".into(),
                    profile: String::new(),
                    os: String::new(),
                    unified: false,
                    accelerators: vec![],
                    bars: vec![],
                    replicas: vec![],
                    resident: vec![],
                }],
                pods: vec![],
                cache_groups: vec![],
                models: vec![],
            },
        )
        .unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
