//! Tenants on Kubernetes: one namespace each, isolated by default.
//!
//! `kubernetes/<cluster>/tenant-<tenant>.yaml` holds the tenant's Namespace
//! (Pod Security Admission `restricted` enforced, audited and warned), its
//! ResourceQuota (the spec's `resource-quota`, else the sum of what amc
//! places there: pods, staging Jobs and claims), a default-deny
//! NetworkPolicy for every pod in it, the egress staging Jobs need (TCP 80
//! and 443, DNS) when the tenant stages models, and the cluster's shared
//! service account. Each pod's own policy then admits only the same tenant
//! and its declared exposures.

use amc_syntax::diagnostics::BugResult;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, ResourceQuota, ResourceQuotaSpec, ServiceAccount};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::common::{TENANT, bytes, cpu, managed, meta, q, yaml};
use amc_lang::ir;

/// What a tenant's objects in one cluster add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Requested CPU millicores.
    pub cpu_requests: u64,
    /// CPU limit millicores.
    pub cpu_limits: u64,
    /// Requested memory bytes.
    pub memory_requests: u64,
    /// Memory limit bytes.
    pub memory_limits: u64,
    /// GPUs by resource name (`nvidia.com/gpu`, `amd.com/gpu`).
    pub gpus: BTreeMap<String, u64>,
    /// Bytes of every claim.
    pub storage: u64,
    /// Whether any model is fetched by a staging Job.
    pub stages: bool,
}

fn port(p: i32, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(p)),
        protocol: Some(protocol.into()),
        ..Default::default()
    }
}

/// The documents of a tenant's file.
pub fn tenant_file(
    cluster: &ir::Cluster,
    tenant: &str,
    namespace: &str,
    totals: &Totals,
) -> BugResult<Vec<String>> {
    let mut ns_labels = managed();
    ns_labels.insert(TENANT.into(), tenant.to_string());
    for mode in ["enforce", "audit", "warn"] {
        ns_labels.insert(
            format!("pod-security.kubernetes.io/{mode}"),
            "restricted".into(),
        );
        ns_labels.insert(
            format!("pod-security.kubernetes.io/{mode}-version"),
            "latest".into(),
        );
    }
    let mut parts = vec![yaml(&Namespace {
        metadata: ObjectMeta {
            name: Some(namespace.to_string()),
            labels: Some(ns_labels),
            ..Default::default()
        },
        ..Default::default()
    })?];
    let mut labels = managed();
    labels.insert(TENANT.into(), tenant.to_string());
    if let Some(sa) = &cluster.service_account {
        parts.push(yaml(&ServiceAccount {
            metadata: meta(sa, namespace, labels.clone()),
            automount_service_account_token: Some(false),
            ..Default::default()
        })?);
    }
    let given = cluster
        .tenants
        .get(tenant)
        .map(|t| t.quota.clone())
        .unwrap_or_default();
    let cpu_limit = given.cpu_milli.unwrap_or(totals.cpu_limits);
    let cpu_request = given.cpu_milli.unwrap_or(totals.cpu_requests);
    let mem_limit = given.memory.unwrap_or(totals.memory_limits);
    let mem_request = given.memory.unwrap_or(totals.memory_requests);
    let mut hard = BTreeMap::from([
        ("requests.cpu".to_string(), cpu(cpu_request)),
        ("limits.cpu".to_string(), cpu(cpu_limit)),
        ("requests.memory".to_string(), bytes(mem_request)),
        ("limits.memory".to_string(), bytes(mem_limit)),
        (
            "requests.storage".to_string(),
            bytes(given.storage.unwrap_or(totals.storage)),
        ),
    ]);
    for (resource, n) in &totals.gpus {
        let n = given.gpus.unwrap_or(*n);
        hard.insert(format!("requests.{resource}"), q(n.to_string()));
    }
    parts.push(yaml(&ResourceQuota {
        metadata: meta("amc-quota", namespace, labels.clone()),
        spec: Some(ResourceQuotaSpec {
            hard: Some(hard),
            ..Default::default()
        }),
        ..Default::default()
    })?);
    // Nothing reaches a pod of the tenant, and no pod reaches out, unless a
    // policy of its own says so.
    parts.push(yaml(&NetworkPolicy {
        metadata: meta("default-deny", namespace, labels.clone()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ..Default::default()
        }),
    })?);
    if totals.stages {
        // NetworkPolicy selects peers by address, not host name: staging may
        // reach any address on TCP 80/443 (the sources' sha256 are checked);
        // a CNI with DNS-aware policies can narrow it to the declared hosts.
        parts.push(yaml(&NetworkPolicy {
            metadata: meta("allow-staging-egress", namespace, labels),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([(
                        "agent-machine.sourceos.dev/role".to_string(),
                        "stager".to_string(),
                    )])),
                    ..Default::default()
                }),
                policy_types: Some(vec!["Egress".into()]),
                egress: Some(vec![
                    NetworkPolicyEgressRule {
                        to: Some(vec![NetworkPolicyPeer {
                            namespace_selector: Some(LabelSelector::default()),
                            pod_selector: Some(LabelSelector {
                                match_labels: Some(BTreeMap::from([(
                                    "k8s-app".to_string(),
                                    "kube-dns".to_string(),
                                )])),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }]),
                        ports: Some(vec![port(53, "UDP"), port(53, "TCP")]),
                    },
                    NetworkPolicyEgressRule {
                        to: None,
                        ports: Some(vec![port(443, "TCP"), port(80, "TCP")]),
                    },
                ]),
                ..Default::default()
            }),
        })?);
    }
    Ok(parts)
}
