//! Kubernetes object names: one function per kind of name, shared by the
//! Kubernetes target and the receipts that describe its objects.
//!
//! Names are built from ids (lower-case letters, digits, `-`), so they are
//! valid DNS-1123 labels by construction; one that would be too long keeps a
//! readable prefix and ends in 8 hex digits of a digest of the whole name,
//! so two long names never collapse into one.

use crate::ir;

/// A name of at most `max` characters from `parts` joined with `-`.
pub fn bounded(parts: &[&str], max: usize) -> String {
    let full = parts.join("-");
    if full.len() <= max {
        return full;
    }
    let hash = &amc_syntax::hash::sha256_hex(full.as_bytes())[..8];
    let keep = max.saturating_sub(9);
    let prefix = full[..keep].trim_end_matches('-');
    format!("{prefix}-{hash}")
}

/// The namespace a tenant's pods go into: the cluster's `tenant` mapping,
/// else `<cluster namespace>-<tenant>`.
pub fn namespace(cluster: &ir::Cluster, tenant: &str) -> String {
    cluster
        .tenants
        .get(tenant)
        .and_then(|t| t.namespace.as_ref())
        .map(|n| n.value.clone())
        .unwrap_or_else(|| format!("{}-{tenant}", cluster.namespace))
}

/// The StatefulSet of one replica of a pod, on its node (at most 52
/// characters, so its controller-revision label fits).
pub fn workload(pod: &str, node: &str) -> String {
    bounded(&[pod, node], 52)
}

/// The headless Service the replicas' StatefulSets name.
pub fn headless(pod: &str) -> String {
    format!("{pod}-pods")
}

/// The claim that holds one model on one node, shared by the namespace's
/// replicas there.
pub fn model_claim(model: &str, node: &str) -> String {
    bounded(&["model", model, node], 63)
}

/// The volume name of a cache tier in a pod template.
pub fn volume(tier: &str) -> String {
    format!("vol-{tier}")
}

/// The claim a StatefulSet's volume claim template gives its only replica.
pub fn replica_claim(tier: &str, workload: &str) -> String {
    format!("{}-{workload}-0", volume(tier))
}

/// The ConfigMap holding a model's staging script, sources and checksums;
/// `digest` is of that content, so a changed model gets a new ConfigMap
/// (and the pods that verify it roll).
pub fn stage_config(model: &str, digest: &str) -> String {
    bounded(&["stage", model, &digest[..8.min(digest.len())]], 63)
}

/// The Job that stages a model on a node; `digest` is of what it stages, so
/// a changed model gets a new Job (Job templates are immutable).
pub fn stage_job(model: &str, node: &str, digest: &str) -> String {
    let h = &amc_syntax::hash::sha256_hex(format!("{node}\n{digest}").as_bytes())[..8];
    bounded(&["stage", model, h], 63)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_keep_a_prefix_and_a_digest() {
        let pod = "a".repeat(40);
        let node = "b".repeat(40);
        let w = workload(&pod, &node);
        assert_eq!(w.len(), 52);
        assert!(w.starts_with("aaaa"));
        assert_ne!(w, workload(&pod, &"c".repeat(40)));
        assert_eq!(workload("chat", "gpu-node-1"), "chat-gpu-node-1");
        assert!(model_claim(&pod, &node).len() <= 63);
    }
}
