//! AgentMachine → `machine` (stand-ins for pods' profiles without one), and
//! a `cluster` per namespace of the Kubernetes pods.
//!
//! Takes: the loaded documents and the pod plans. Produces: `machine` and
//! `cluster` nodes. AgentMachine has no CPU or memory figures, so a machine's
//! `capacity` is sized to fit the pods imported onto it (said in a comment).
//! Never: claims an accelerator the document says is unavailable.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::kdl::Node;
use super::pod::{PodPlan, cpu};
use super::{Set, b, list, n, s};
use crate::lang::vocab;

fn cpu_cores(v: &str) -> f64 {
    match v.strip_suffix('m') {
        Some(milli) => milli.parse::<f64>().map(|x| x / 1000.0).unwrap_or(1.0),
        None => v.parse::<f64>().unwrap_or(1.0),
    }
}

fn capacity(pods: &[&PodPlan], available: Vec<String>) -> Node {
    let cores: f64 = pods
        .iter()
        .map(|p| {
            s(&p.doc, "/resources/cpu/limit")
                .or_else(|| s(&p.doc, "/resources/cpu/request"))
                .map(cpu_cores)
                .unwrap_or(1.0)
        })
        .sum();
    let memory: i64 = pods
        .iter()
        .map(|p| {
            n(&p.doc, "/resources/memoryBytes/limit")
                .or_else(|| n(&p.doc, "/resources/memoryBytes/request"))
                .unwrap_or(1 << 30)
        })
        .sum();
    let mut cap = Node::new("capacity").comment(
        "AgentMachine has no CPU or memory figures: sized to fit the imported pods; \
         declare the real capacity or use `facts` (amc probe --out)",
    );
    // Whole cores, rounded up, at least one.
    let whole = cores.ceil().max(1.0);
    cap.child(Node::new("cpu").arg(cpu(&format!("{whole}"))));
    cap.leaf("memory", super::size(memory.max(1 << 30)));
    cap.list("accelerators", &available);
    cap
}

fn pools(set: &Set, pods: &[&PodPlan], plans: &[PodPlan]) -> Vec<Node> {
    let mut by_backend: BTreeMap<String, (i64, Option<String>)> = BTreeMap::new();
    for p in pods {
        for t in &p.tiers {
            let backend = super::tier::backend(set, t, plans);
            let entry = by_backend.entry(backend).or_insert((0, None));
            entry.0 += super::tier::quota_bytes(set, t);
            let enc = set.tiers.get(t).and_then(|d| {
                (b(&d.value, "/encryption/required") == Some(true))
                    .then(|| s(&d.value, "/encryption/mode").map(str::to_string))
                    .flatten()
            });
            if entry.1.is_none() {
                entry.1 = enc;
            }
        }
    }
    by_backend
        .into_iter()
        .map(|(backend, (bytes, enc))| {
            let gib = (bytes + (1 << 30) - 1) >> 30;
            let needs_path = matches!(backend.as_str(), "filesystem" | "local-lvm");
            Node::new("storage-pool")
                .arg(backend.as_str())
                .prop("backend", backend.as_str())
                .prop("capacity", format!("{}GiB", gib.max(1)))
                .prop_opt("path", needs_path.then_some("/var/lib/agent-machine"))
                .prop_opt("encryption", enc)
        })
        .collect()
}

fn runtimes(doc: Option<&Value>, pods: &[&PodPlan]) -> Vec<String> {
    match doc {
        Some(d) => list(d, "/runtime/localEnvelopes")
            .into_iter()
            .filter(|e| vocab::ENVELOPES.contains(&e.as_str()))
            .collect(),
        None if pods.iter().any(|p| p.kubernetes()) => vec!["kubernetes".into()],
        None => vec!["podman-quadlet".into()],
    }
}

/// Every machine node: documents, then stand-ins, in id order.
pub(crate) fn machines(set: &Set, plans: &[PodPlan]) -> Vec<Node> {
    let mut ids: BTreeSet<String> = set.machines.keys().cloned().collect();
    ids.extend(plans.iter().map(|p| p.machine.clone()));
    ids.into_iter()
        .map(|id| {
            let doc = set.machines.get(&id).map(|d| &d.value);
            let pods: Vec<&PodPlan> = plans.iter().filter(|p| p.machine == id).collect();
            let mut node = Node::new("machine").arg(id.as_str());
            let profile = match doc {
                Some(d) => {
                    node = node.comment(format!("from {}", s(d, "/id").unwrap_or_default()));
                    s(d, "/profile")
                        .unwrap_or("sourceos-workstation")
                        .to_string()
                }
                None => {
                    node = node.comment(format!(
                        "stand-in: no AgentMachine document with profile `{id}` for pod(s) {}",
                        pods.iter()
                            .map(|p| format!("`{}`", p.id))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    id.clone()
                }
            };
            if let Some(distro) = doc.and_then(|d| s(d, "/host/distro")) {
                node.leaf("description", distro);
            }
            node.leaf("profile", profile);
            let available: Vec<String> = match doc {
                Some(d) => d
                    .pointer("/accelerators")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|a| b(a, "/available") == Some(true))
                    .filter_map(|a| s(a, "/type"))
                    .filter(|t| vocab::ACCELERATORS.contains(t))
                    .map(str::to_string)
                    .collect(),
                None => vec!["cpu".into()],
            };
            node.child(capacity(&pods, available));
            for pool in pools(set, &pods, plans) {
                node.child(pool);
            }
            node.list("runtimes", &runtimes(doc, &pods));
            if let Some(l) = doc.and_then(super::pod::labels) {
                node.child(l);
            }
            node
        })
        .collect()
}

/// A cluster per namespace of the Kubernetes pods.
pub(crate) fn clusters(plans: &[PodPlan]) -> Vec<Node> {
    let mut by_id: BTreeMap<String, Vec<&PodPlan>> = BTreeMap::new();
    for p in plans {
        if let Some(c) = &p.cluster {
            by_id.entry(c.clone()).or_default().push(p);
        }
    }
    by_id
        .into_iter()
        .map(|(id, pods)| {
            let mut node = Node::new("cluster").arg(id.as_str()).comment(
                "upstream has no cluster document: derived from the Kubernetes AgentPods' namespace, \
                 service account and storage classes",
            );
            node.leaf("namespace", id.as_str());
            if let Some(sa) = pods
                .iter()
                .find_map(|p| s(&p.doc, "/runtime/serviceAccountName"))
            {
                node.leaf("service-account", sa);
            }
            let mut classes: BTreeSet<String> = BTreeSet::new();
            for p in &pods {
                for item in p
                    .doc
                    .pointer("/storage")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(c) = s(item, "/storageClassName") {
                        classes.insert(c.to_string());
                    }
                }
            }
            let backend = pods
                .iter()
                .find_map(|p| s(&p.doc, "/labels/sourceos.storage"))
                .filter(|b| vocab::BACKENDS.contains(b))
                .unwrap_or("topolvm-k8s");
            if let Some(c) = classes.iter().next() {
                node.child(Node::new("storage-class").arg(backend).arg(c.as_str()));
            }
            let nodes: BTreeSet<String> = pods.iter().map(|p| p.machine.clone()).collect();
            node.list("nodes", &nodes.into_iter().collect::<Vec<_>>());
            // Upstream pods run in the namespace itself: map each tenant to it.
            let tenants: BTreeSet<String> = pods
                .iter()
                .map(|p| {
                    s(&p.doc, "/labels/amc.tenant")
                        .unwrap_or("default")
                        .to_string()
                })
                .collect();
            for t in tenants {
                node.child(
                    Node::new("tenant")
                        .arg(t.as_str())
                        .prop("namespace", id.as_str()),
                );
            }
            node
        })
        .collect()
}
