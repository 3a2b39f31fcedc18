//! Stand-in machines for imported Compose and Kubernetes workloads.
//!
//! Takes: the workloads and their plans (`servers.rs`). Produces: as many
//! `machine` nodes per target kind as the most replicas of a pod (replicas
//! go to different machines), each sized to run every pod of that kind, with
//! the GPUs, accelerators, storage pool and nodeSelector labels they need.
//! Never: claims to know the real hardware (each is a `// stand-in:`).

use std::collections::{BTreeMap, BTreeSet};

use super::kdl::Node;
use super::servers::{GIB, Plan, gib_ceil, size_str};
use super::workload::{Engine, Workload};

/// The stand-in machines of the workloads of one target kind: as many as
/// the most replicas of a pod (replicas go to different machines), each
/// sized to run every pod of that kind.
pub(crate) fn machines(
    ws: &[Workload],
    plans: &[Plan],
    kubernetes: bool,
    source: &str,
) -> (Vec<Node>, Vec<String>) {
    let pairs: Vec<(&Workload, &Plan)> = ws
        .iter()
        .zip(plans)
        .filter(|(w, _)| w.kubernetes() == kubernetes)
        .collect();
    if pairs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let count = pairs
        .iter()
        .map(|(w, _)| w.replicas.unwrap_or(1))
        .max()
        .unwrap_or(1)
        .clamp(1, 16);
    let ids: Vec<String> = match (kubernetes, count) {
        (false, 1) => vec!["local".into()],
        (true, _) => (1..=count).map(|i| format!("node-{i}")).collect(),
        (false, _) => (1..=count).map(|i| format!("local-{i}")).collect(),
    };
    let mut cpu_total: f64 = 0.0;
    let mut mem_total: i64 = 0;
    let mut gpus: i64 = 0;
    let mut vram: i64 = 16 * GIB;
    let mut vendor: Option<&str> = None;
    let mut accels: BTreeSet<&str> = BTreeSet::new();
    let mut pool_bytes: i64 = 0;
    for (w, p) in &pairs {
        let cores = w
            .cpu_limit
            .as_deref()
            .or(w.cpu.as_deref())
            .map(|c| match c.strip_suffix('m') {
                Some(m) => m.parse::<f64>().unwrap_or(1000.0) / 1000.0,
                None => c.parse::<f64>().unwrap_or(1.0),
            })
            .unwrap_or(2.0);
        cpu_total += cores;
        let model_mem = p
            .model
            .as_ref()
            .map(|m| m.size * 12 / 10 + GIB)
            .unwrap_or(GIB);
        let shm = w
            .shm
            .unwrap_or(if matches!(w.engine, Some(Engine::Vllm | Engine::Sglang)) {
                8 * GIB
            } else {
                0
            });
        mem_total += w.memory_limit.or(w.memory).unwrap_or(model_mem + shm);
        if let Some(g) = &w.gpu {
            gpus += g.count.max(1);
            accels.insert(g.accelerator);
            vendor = vendor.or(Some(g.vendor));
            if let Some(m) = &p.model {
                vram = vram.max(gib_ceil(m.size * 12 / 10 / g.count.max(1)) * GIB + 2 * GIB);
            }
        }
        for (t, m) in &p.tiers {
            pool_bytes += if t == "models" {
                120 * GIB
            } else {
                m.size.unwrap_or(
                    if p.tiers.first().map(|x| &x.0) == Some(t) && p.model.is_some() {
                        120 * GIB
                    } else {
                        10 * GIB
                    },
                )
            };
        }
    }
    let mut out = Vec::new();
    for id in &ids {
        let mut machine = Node::new("machine").arg(id.as_str()).comment(format!(
            "stand-in: {source} names no machine; capacity is sized to fit the imported pods: \
             declare the real one or use `facts` (amc probe --out)"
        ));
        machine.leaf(
            "profile",
            if kubernetes {
                "kubernetes-node"
            } else {
                "sourceos-workstation"
            },
        );
        let mut cap = Node::new("capacity");
        cap.leaf("cpu", (cpu_total.ceil() as i64).max(1));
        cap.leaf("memory", size_str(gib_ceil(mem_total.max(GIB)) * GIB));
        if gpus > 0 {
            let v = vendor.unwrap_or("other");
            let model = match v {
                "nvidia" => "nvidia-gpu",
                "amd" => "amd-gpu",
                _ => "gpu",
            };
            cap.child(
                Node::new("gpu")
                    .arg(model)
                    .prop("vendor", v)
                    .prop("vram", size_str(vram))
                    .prop("count", gpus),
            );
        }
        let mut acc: Vec<String> = vec!["cpu".into()];
        acc.extend(accels.iter().map(|a| a.to_string()));
        cap.list("accelerators", &acc);
        machine.child(cap);
        if pool_bytes > 0 {
            let gib = gib_ceil(pool_bytes);
            machine.child(if kubernetes {
                Node::new("storage-pool")
                    .arg("topolvm")
                    .prop("backend", "topolvm-k8s")
                    .prop("capacity", format!("{gib}GiB"))
            } else {
                Node::new("storage-pool")
                    .arg("filesystem")
                    .prop("backend", "filesystem")
                    .prop("capacity", format!("{gib}GiB"))
                    .prop("path", "/var/lib/agent-machine")
            });
        }
        machine.list(
            "runtimes",
            &[if kubernetes {
                "kubernetes"
            } else {
                "podman-quadlet"
            }
            .to_string()],
        );
        let mut labels = Node::new("labels");
        let all: BTreeMap<&String, &String> = pairs
            .iter()
            .flat_map(|(w, _)| w.node_labels.iter())
            .collect();
        for (k, v) in all {
            labels = labels.prop(k, v.as_str());
        }
        if !labels.props.is_empty() {
            machine.child(labels);
        }
        out.push(machine);
    }
    (out, ids)
}
