//! What every Kubernetes file is made of: typed objects serialised as YAML
//! documents under one header, the labels amc sets, and quantities written
//! as Kubernetes writes them (`32Gi`, `500m`).

use amc_syntax::diagnostics::BugResult;
use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::templates;
use amc_lang::check::Workload;

/// One object as a YAML document.
pub fn yaml<T: Serialize>(obj: &T) -> BugResult<String> {
    serde_saphyr::to_string(obj).map_err(|e| format!("YAML serialisation failed: {e}").into())
}

/// The header comment of a file: which cluster, which namespace, what.
pub fn header(cluster: &str, namespace: &str, what: &str) -> BugResult<String> {
    templates::render(
        "kubernetes/header.j2",
        serde_json::json!({
            "version": amc_syntax::VERSION, "cluster": cluster, "namespace": namespace, "what": what,
        }),
    )
}

/// A file of YAML documents.
pub fn file(header: String, parts: Vec<String>) -> Vec<u8> {
    let mut s = header;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push_str("---\n");
        }
        s.push_str(p);
        if !p.ends_with('\n') {
            s.push('\n');
        }
    }
    s.into_bytes()
}

/// `app.kubernetes.io/managed-by: amc` and `app.kubernetes.io/part-of: agent-machine`.
pub fn managed() -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "app.kubernetes.io/managed-by".to_string(),
            "amc".to_string(),
        ),
        (
            "app.kubernetes.io/part-of".to_string(),
            "agent-machine".to_string(),
        ),
    ])
}

/// The tenant label.
pub const TENANT: &str = "agent-machine.sourceos.dev/tenant";

/// Labels of everything a pod's file holds.
pub fn labels(w: &Workload) -> BTreeMap<String, String> {
    let mut l = managed();
    l.insert(
        "app.kubernetes.io/name".into(),
        w.provider.id.value.to_string(),
    );
    l.insert("app.kubernetes.io/instance".into(), w.id().to_string());
    l.insert(TENANT.into(), w.pod.tenant.value.clone());
    l
}

/// What selects a pod's replicas.
pub fn selector(w: &Workload) -> BTreeMap<String, String> {
    BTreeMap::from([("app.kubernetes.io/instance".to_string(), w.id().to_string())])
}

/// Object metadata.
pub fn meta(name: &str, ns: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(ns.to_string()),
        labels: Some(labels),
        ..Default::default()
    }
}

/// A quantity as written.
pub fn q(s: impl Into<String>) -> Quantity {
    Quantity(s.into())
}

/// Bytes as a Kubernetes quantity: the largest binary suffix that divides
/// them exactly (`34359738368` → `32Gi`), else plain bytes.
pub fn bytes(n: u64) -> Quantity {
    for (suffix, mult) in [
        ("Ti", 1u64 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if n >= mult && n.is_multiple_of(mult) {
            return q(format!("{}{suffix}", n / mult));
        }
    }
    q(n.to_string())
}

/// Millicores as a quantity (`8`, `500m`).
pub fn cpu(milli: u64) -> Quantity {
    q(amc_lang::lang::units::format_cpu(milli))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_use_the_largest_exact_suffix() {
        assert_eq!(bytes(34_359_738_368).0, "32Gi");
        assert_eq!(bytes(1 << 40).0, "1Ti");
        assert_eq!(bytes(1536 << 20).0, "1536Mi");
        assert_eq!(bytes(1000).0, "1000");
        assert_eq!(cpu(1500).0, "1500m");
        assert_eq!(cpu(8000).0, "8");
    }
}
