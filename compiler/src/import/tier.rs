//! CacheTier → `cache-tier`; stand-ins for tiers pods name but no document defines.
//!
//! Takes: the loaded documents and the pod plans. Produces: `cache-tier` nodes
//! in id order. Never: drops a field amc's language has a node for.

use std::collections::BTreeMap;

use serde_json::Value;

use super::kdl::Node;
use super::pod::PodPlan;
use super::{Set, b, id_of, list, n, s};
use crate::lang::vocab;

/// The tier a volume class implies (stand-ins).
fn tier_of_class(class: &str) -> &'static str {
    match class {
        "agent-models" => "model",
        "agent-cache-hot" => "hot",
        "agent-cache-warm" => "warm",
        "agent-cache-cold" => "cold",
        "agent-scratch" => "scratch",
        "agent-evidence" => "evidence",
        _ => "artifact",
    }
}

/// Size of a tier's volumes in bytes (for machines' pools): its quota, or 10 GiB.
pub(crate) fn quota_bytes(set: &Set, id: &str) -> i64 {
    set.tiers
        .get(id)
        .and_then(|t| n(&t.value, "/quota/sizeBytes"))
        .unwrap_or(10 << 30)
}

/// The backend of a tier (document or stand-in).
pub(crate) fn backend(set: &Set, id: &str, plans: &[PodPlan]) -> String {
    if let Some(t) = set.tiers.get(id) {
        return s(&t.value, "/backend").unwrap_or("filesystem").to_string();
    }
    let pod = plans.iter().find(|p| p.tiers.iter().any(|t| t == id));
    let label = pod.and_then(|p| s(&p.doc, "/labels/sourceos.storage"));
    match (label, pod.is_some_and(PodPlan::kubernetes)) {
        (Some(l), _) if vocab::BACKENDS.contains(&l) => l.to_string(),
        (_, true) => "topolvm-k8s".into(),
        _ => "filesystem".into(),
    }
}

fn from_doc(t: &Value, id: &str) -> Node {
    let mut node = Node::new("cache-tier")
        .arg(id)
        .comment(format!("from {}", s(t, "/id").unwrap_or_default()));
    for (name, ptr) in [
        ("backend", "/backend"),
        ("volume-class", "/volumeClass"),
        ("tier", "/tier"),
    ] {
        if let Some(v) = s(t, ptr) {
            node.leaf(name, v);
        }
    }
    node.list("purpose", &list(t, "/purpose"));
    if let Some(v) = s(t, "/sensitivity") {
        node.leaf("sensitivity", v);
    }
    let mut life = Node::new("lifecycle")
        .prop_opt("durability", s(t, "/lifecycle/durability"))
        .prop_opt(
            "ttl",
            n(t, "/lifecycle/ttlSeconds").map(|x| format!("{x}s")),
        )
        .prop_opt("eviction", s(t, "/lifecycle/evictionPolicy"))
        .prop_opt(
            "wipe-receipt-required",
            b(t, "/lifecycle/wipeReceiptRequired"),
        );
    if let Some(x) = b(t, "/lifecycle/snapshotAllowed") {
        life = life.prop("snapshot-allowed", x);
    }
    node.child(life);
    if let Some(mode) = s(t, "/encryption/mode") {
        let mut enc = Node::new("encryption").arg(mode);
        if let Some(r) = b(t, "/encryption/required") {
            enc = enc.prop("required", r);
        }
        node.child(enc);
    }
    if let Some(size) = n(t, "/quota/sizeBytes") {
        let q = Node::new("quota")
            .arg(super::size(size))
            .prop_opt("reserved", n(t, "/quota/reservedBytes").map(super::size))
            .prop_opt("max-inodes", n(t, "/quota/maxInodes"));
        node.child(q);
    }
    let options = list(t, "/mount/mountOptions");
    let mount = Node::new("mount")
        .arg(
            s(t, "/mount/containerPath")
                .map(str::to_string)
                .unwrap_or_else(|| format!("/agent/{id}")),
        )
        .prop_opt("access", s(t, "/mount/mode"))
        .prop_opt("filesystem", s(t, "/mount/filesystem"))
        .prop_opt("options", (!options.is_empty()).then(|| options.join(",")));
    node.child(mount);
    if let Some(d) = s(t, "/policyDomain") {
        node.leaf("policy-domain", d);
    }
    if let Some(l) = super::pod::labels(t) {
        node.child(l);
    }
    node
}

fn stand_in(id: &str, item: &Value, backend: String) -> Node {
    let class = s(item, "/volumeClass").unwrap_or("agent-artifacts");
    let tier = tier_of_class(class);
    let (durability, eviction) = match tier {
        "model" | "evidence" | "artifact" => ("durable", "manual"),
        "scratch" | "hot" => ("ephemeral", "lru"),
        _ => ("semi-durable", "lru"),
    };
    let sensitive = b(item, "/sensitive").unwrap_or(true);
    let mut node = Node::new("cache-tier").arg(id).comment(format!(
        "stand-in: no CacheTier document for urn:srcos:agent-machine:cache-tier:{id}; \
         derived from the pod's storage item (size, lifecycle and encryption are guesses: review them)"
    ));
    node.leaf("backend", backend);
    node.leaf("volume-class", class);
    node.leaf("tier", tier);
    node.leaf(
        "sensitivity",
        if sensitive { "sensitive" } else { "internal" },
    );
    node.child(
        Node::new("lifecycle")
            .prop("durability", durability)
            .prop("eviction", eviction),
    );
    node.leaf("quota", "10GiB");
    node.child(
        Node::new("mount")
            .arg(s(item, "/mountPath").unwrap_or("/agent/data"))
            .prop("access", s(item, "/accessMode").unwrap_or("read-write")),
    );
    node
}

/// Every tier node: documents first-class, stand-ins for dangling references.
pub(crate) fn tiers(set: &Set, plans: &[PodPlan]) -> Vec<Node> {
    let mut out: BTreeMap<String, Node> = BTreeMap::new();
    for (id, t) in &set.tiers {
        out.insert(id.clone(), from_doc(&t.value, id));
    }
    for p in plans {
        for item in p
            .doc
            .pointer("/storage")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = id_of(s(item, "/cacheTierId").unwrap_or_default());
            if !out.contains_key(&id) {
                let backend = backend(set, &id, plans);
                out.insert(id.clone(), stand_in(&id, item, backend));
            }
        }
    }
    out.into_values().collect()
}
