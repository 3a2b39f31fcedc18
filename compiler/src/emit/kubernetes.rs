//! The Kubernetes target: manifests for each cluster.
//!
//! Takes resolved workloads placed on cluster nodes; produces
//! `kubernetes/<cluster>/namespace.yaml` and `kubernetes/<cluster>/<pod>.yaml`
//! built from typed `k8s-openapi` objects (v1.33 API, valid through 1.37) and
//! serialised with serde-saphyr. Hardened by construction: non-root,
//! read-only root, all capabilities dropped, default-deny egress, node
//! affinity pinning the placement. Never reads the clock or the disk.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, Container, ContainerPort, EmptyDirVolumeSource, EnvVar, EnvVarSource,
    HTTPGetAction, Namespace, NodeAffinity, NodeSelector, NodeSelectorRequirement,
    NodeSelectorTerm, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, PodAffinityTerm, PodAntiAffinity, PodSecurityContext,
    PodSpec, PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile, SecretKeySelector,
    SecurityContext, Service, ServiceAccount, ServicePort, ServiceSpec, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

use super::templates;
use crate::check::Workload;
use crate::ir;
use crate::lang::units::format_cpu;
use crate::solve::volume_size;

fn yaml<T: Serialize>(obj: &T) -> Result<String, String> {
    serde_saphyr::to_string(obj).map_err(|e| format!("YAML serialisation failed: {e}"))
}

fn header(cluster: &ir::Cluster, pod: &str) -> Result<String, String> {
    templates::render(
        "kubernetes/header.j2",
        serde_json::json!({
            "version": crate::VERSION, "cluster": cluster.id.value,
            "namespace": cluster.namespace, "pod": pod,
        }),
    )
}

fn docs(header: String, parts: Vec<String>) -> Vec<u8> {
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

fn labels(w: &Workload) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "app.kubernetes.io/name".to_string(),
            w.provider.id.value.clone(),
        ),
        ("app.kubernetes.io/instance".to_string(), w.id().to_string()),
        (
            "app.kubernetes.io/managed-by".to_string(),
            "amc".to_string(),
        ),
        (
            "agent-machine.sourceos.dev/tenant".to_string(),
            w.pod.tenant.value.clone(),
        ),
    ])
}

fn selector(w: &Workload) -> BTreeMap<String, String> {
    BTreeMap::from([("app.kubernetes.io/instance".to_string(), w.id().to_string())])
}

fn meta(name: &str, ns: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(ns.to_string()),
        labels: Some(labels),
        ..Default::default()
    }
}

/// The namespace manifest of a cluster (Pod Security "restricted" enforced).
pub fn namespace(cluster: &ir::Cluster) -> Result<Vec<u8>, String> {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(cluster.namespace.clone()),
            labels: Some(BTreeMap::from([
                (
                    "app.kubernetes.io/managed-by".to_string(),
                    "amc".to_string(),
                ),
                (
                    "pod-security.kubernetes.io/enforce".to_string(),
                    "restricted".to_string(),
                ),
                (
                    "pod-security.kubernetes.io/enforce-version".to_string(),
                    "latest".to_string(),
                ),
            ])),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut parts = vec![yaml(&ns)?];
    if let Some(sa) = &cluster.service_account {
        let obj = ServiceAccount {
            metadata: meta(
                sa,
                &cluster.namespace,
                BTreeMap::from([(
                    "app.kubernetes.io/managed-by".to_string(),
                    "amc".to_string(),
                )]),
            ),
            automount_service_account_token: Some(false),
            ..Default::default()
        };
        parts.push(yaml(&obj)?);
    }
    Ok(docs(header(cluster, "")?, parts))
}

fn q(s: impl Into<String>) -> Quantity {
    Quantity(s.into())
}

fn pvc_spec(
    v: &crate::check::pods::VolumeView,
    cluster: &ir::Cluster,
) -> PersistentVolumeClaimSpec {
    PersistentVolumeClaimSpec {
        access_modes: Some(vec!["ReadWriteOnce".to_string()]),
        storage_class_name: cluster.storage_classes.get(&v.tier.backend.value).cloned(),
        resources: Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([(
                "storage".to_string(),
                q(volume_size(&v.tier).to_string()),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn volume_name(tier: &str) -> String {
    format!("vol-{tier}")
}

/// Emits one workload's manifests.
pub fn emit(
    w: &Workload,
    cluster: &ir::Cluster,
    nodes: &[&str],
    out: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), String> {
    let ns = cluster.namespace.as_str();
    let name = w.id();
    let lbl = labels(w);
    let stateful = w.pod.replicas > 1;
    let mut parts = Vec::new();

    let sa_name = match &cluster.service_account {
        Some(sa) => sa.clone(),
        None => {
            let sa = ServiceAccount {
                metadata: meta(name, ns, lbl.clone()),
                automount_service_account_token: Some(false),
                ..Default::default()
            };
            parts.push(yaml(&sa)?);
            name.to_string()
        }
    };

    // Volumes and claims.
    let mut volumes = vec![Volume {
        name: "tmp".to_string(),
        empty_dir: Some(EmptyDirVolumeSource {
            medium: Some("Memory".to_string()),
            size_limit: Some(q("1Gi")),
        }),
        ..Default::default()
    }];
    let mut mounts = vec![VolumeMount {
        name: "tmp".to_string(),
        mount_path: "/tmp".to_string(),
        ..Default::default()
    }];
    let mut claim_templates = Vec::new();
    for v in &w.volumes {
        let vname = volume_name(&v.tier.id.value);
        let read_only = v.access == "read-only";
        mounts.push(VolumeMount {
            name: vname.clone(),
            mount_path: v.mount.clone(),
            read_only: read_only.then_some(true),
            ..Default::default()
        });
        if v.tier.backend.value == "tmpfs" {
            volumes.push(Volume {
                name: vname,
                empty_dir: Some(EmptyDirVolumeSource {
                    medium: Some("Memory".to_string()),
                    size_limit: Some(q(volume_size(&v.tier).to_string())),
                }),
                ..Default::default()
            });
            continue;
        }
        let mut pvc_labels = lbl.clone();
        pvc_labels.insert(
            "agent-machine.sourceos.dev/volume-class".to_string(),
            v.tier.volume_class.clone(),
        );
        pvc_labels.insert(
            "agent-machine.sourceos.dev/cache-tier".to_string(),
            v.tier.id.value.clone(),
        );
        if stateful {
            claim_templates.push(PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(vname.clone()),
                    labels: Some(pvc_labels),
                    ..Default::default()
                },
                spec: Some(pvc_spec(v, cluster)),
                ..Default::default()
            });
        } else {
            let claim = v.claim(name);
            parts.push(yaml(&PersistentVolumeClaim {
                metadata: meta(&claim, ns, pvc_labels),
                spec: Some(pvc_spec(v, cluster)),
                ..Default::default()
            })?);
            volumes.push(Volume {
                name: vname,
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: claim,
                    read_only: read_only.then_some(true),
                }),
                ..Default::default()
            });
        }
    }

    // Container.
    let mut env: Vec<EnvVar> = vec![
        EnvVar {
            name: "AGENT_MACHINE_POD".into(),
            value: Some(name.to_string()),
            ..Default::default()
        },
        EnvVar {
            name: "AGENT_MACHINE_PROVIDER".into(),
            value: Some(
                w.provider
                    .provider_type
                    .as_ref()
                    .map(|t| t.value.clone())
                    .unwrap_or_default(),
            ),
            ..Default::default()
        },
        EnvVar {
            name: "AGENT_MACHINE_RECEIPTS_REQUIRED".into(),
            value: Some("true".into()),
            ..Default::default()
        },
    ];
    env.extend(w.env.iter().map(|(k, v)| EnvVar {
        name: k.clone(),
        value: Some(v.clone()),
        ..Default::default()
    }));
    for s in &w.pod.secrets {
        if let Some(var) = &s.env {
            env.push(EnvVar {
                name: var.clone(),
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: s.name.clone(),
                        key: s.key.clone().unwrap_or_else(|| var.clone()),
                        optional: Some(false),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
    }
    let mut limits = BTreeMap::from([
        ("cpu".to_string(), q(format_cpu(w.cpu_limit))),
        ("memory".to_string(), q(w.memory_limit.to_string())),
    ]);
    let requests = BTreeMap::from([
        ("cpu".to_string(), q(format_cpu(w.cpu))),
        ("memory".to_string(), q(w.memory.to_string())),
    ]);
    match w.accelerator.as_str() {
        "cuda" if w.gpus > 0 => {
            limits.insert("nvidia.com/gpu".into(), q(w.gpus.to_string()));
        }
        "rocm" if w.gpus > 0 => {
            limits.insert("amd.com/gpu".into(), q(w.gpus.to_string()));
        }
        _ => {}
    }
    let ports: Vec<ContainerPort> = w
        .ports
        .iter()
        .map(|p| ContainerPort {
            name: Some(p.name.clone()),
            container_port: i32::from(p.container_port),
            protocol: Some("TCP".into()),
            ..Default::default()
        })
        .collect();
    let probe_port = w
        .ports
        .first()
        .map(|p| IntOrString::String(p.name.clone()))
        .unwrap_or(IntOrString::Int(i32::from(w.provider.port.unwrap_or(8080))));
    let probe = |failure: i32, period: i32| {
        w.provider.health.as_ref().map(|path| Probe {
            http_get: Some(HTTPGetAction {
                path: Some(path.clone()),
                port: probe_port.clone(),
                ..Default::default()
            }),
            period_seconds: Some(period),
            failure_threshold: Some(failure),
            timeout_seconds: Some(5),
            ..Default::default()
        })
    };
    let uid = i64::from(w.user);
    let container = Container {
        name: "server".to_string(),
        image: Some(w.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: (!w.entrypoint.is_empty()).then(|| w.entrypoint.clone()),
        args: (!w.args.is_empty()).then(|| w.args.clone()),
        ports: (!ports.is_empty()).then_some(ports),
        env: Some(env),
        resources: Some(ResourceRequirements {
            limits: Some(limits),
            requests: Some(requests),
            ..Default::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        startup_probe: probe(90, 10),
        readiness_probe: probe(3, 10),
        liveness_probe: probe(3, 30),
        volume_mounts: Some(mounts),
        ..Default::default()
    };
    let hostname_key = "kubernetes.io/hostname".to_string();
    let affinity = Affinity {
        node_affinity: Some(NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement {
                        key: hostname_key.clone(),
                        operator: "In".into(),
                        values: Some(nodes.iter().map(|n| n.to_string()).collect()),
                    }]),
                    ..Default::default()
                }],
            }),
            ..Default::default()
        }),
        pod_anti_affinity: stateful.then(|| PodAntiAffinity {
            required_during_scheduling_ignored_during_execution: Some(vec![PodAffinityTerm {
                label_selector: Some(LabelSelector {
                    match_labels: Some(selector(w)),
                    ..Default::default()
                }),
                topology_key: hostname_key.clone(),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut annotations = BTreeMap::from([
        (
            "agent-machine.sourceos.dev/agent-pod-id".to_string(),
            format!("urn:srcos:agent-machine:agent-pod:{name}"),
        ),
        (
            "agent-machine.sourceos.dev/provider-id".to_string(),
            format!(
                "urn:srcos:agent-machine:inference-provider:{}",
                w.provider.id.value
            ),
        ),
        (
            "agent-machine.sourceos.dev/receipts-required".to_string(),
            "true".to_string(),
        ),
        (
            "agent-machine.sourceos.dev/generator-version".to_string(),
            format!("amc {}", crate::VERSION),
        ),
    ]);
    if let Some(m) = &w.model {
        annotations.insert("agent-machine.sourceos.dev/model".to_string(), m.urn());
    }
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(lbl.clone()),
            annotations: Some(annotations),
            ..Default::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(sa_name),
            automount_service_account_token: Some(false),
            enable_service_links: Some(false),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(uid),
                run_as_group: Some(uid),
                fs_group: Some(uid),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            affinity: Some(affinity),
            containers: vec![container],
            volumes: Some(volumes),
            ..Default::default()
        }),
    };
    let label_selector = LabelSelector {
        match_labels: Some(selector(w)),
        ..Default::default()
    };
    let exposed: Vec<&crate::check::pods::PortView> = w
        .ports
        .iter()
        .filter(|p| matches!(p.exposure.as_str(), "cluster" | "ingress"))
        .collect();
    if stateful {
        let headless = format!("{name}-pods");
        parts.push(yaml(&Service {
            metadata: meta(&headless, ns, lbl.clone()),
            spec: Some(ServiceSpec {
                cluster_ip: Some("None".into()),
                selector: Some(selector(w)),
                ..Default::default()
            }),
            ..Default::default()
        })?);
        parts.push(yaml(&StatefulSet {
            metadata: meta(name, ns, lbl.clone()),
            spec: Some(StatefulSetSpec {
                replicas: Some(i32::try_from(w.pod.replicas).unwrap_or(i32::MAX)),
                selector: label_selector,
                service_name: Some(headless),
                template,
                volume_claim_templates: (!claim_templates.is_empty()).then_some(claim_templates),
                ..Default::default()
            }),
            ..Default::default()
        })?);
    } else {
        parts.push(yaml(&Deployment {
            metadata: meta(name, ns, lbl.clone()),
            spec: Some(DeploymentSpec {
                replicas: Some(1),
                selector: label_selector,
                strategy: Some(DeploymentStrategy {
                    type_: Some("Recreate".into()),
                    ..Default::default()
                }),
                template,
                ..Default::default()
            }),
            ..Default::default()
        })?);
    }
    if !exposed.is_empty() {
        parts.push(yaml(&Service {
            metadata: meta(name, ns, lbl.clone()),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                selector: Some(selector(w)),
                ports: Some(
                    exposed
                        .iter()
                        .map(|p| ServicePort {
                            name: Some(p.name.clone()),
                            port: i32::from(p.container_port),
                            target_port: Some(IntOrString::String(p.name.clone())),
                            protocol: Some("TCP".into()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        })?);
    }
    // Default-deny egress; ingress only on exposed ports.
    let ingress_rules: Vec<NetworkPolicyIngressRule> = exposed
        .iter()
        .map(|p| NetworkPolicyIngressRule {
            from: Some(vec![if p.exposure == "ingress" {
                NetworkPolicyPeer {
                    namespace_selector: Some(LabelSelector::default()),
                    ..Default::default()
                }
            } else {
                NetworkPolicyPeer {
                    pod_selector: Some(LabelSelector::default()),
                    ..Default::default()
                }
            }]),
            ports: Some(vec![NetworkPolicyPort {
                port: Some(IntOrString::String(p.name.clone())),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
        })
        .collect();
    parts.push(yaml(&NetworkPolicy {
        metadata: meta(&format!("{name}-default-deny"), ns, lbl.clone()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector(w)),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: Some(ingress_rules),
            egress: Some(Vec::new()),
        }),
    })?);
    let ingress_ports: Vec<&&crate::check::pods::PortView> =
        exposed.iter().filter(|p| p.exposure == "ingress").collect();
    if !ingress_ports.is_empty() {
        parts.push(yaml(&Ingress {
            metadata: meta(name, ns, lbl.clone()),
            spec: Some(IngressSpec {
                ingress_class_name: cluster.ingress_class.clone(),
                rules: Some(
                    ingress_ports
                        .iter()
                        .map(|p| IngressRule {
                            host: p.host.clone(),
                            http: Some(HTTPIngressRuleValue {
                                paths: vec![HTTPIngressPath {
                                    path: Some("/".into()),
                                    path_type: "Prefix".into(),
                                    backend: IngressBackend {
                                        service: Some(IngressServiceBackend {
                                            name: name.to_string(),
                                            port: Some(ServiceBackendPort {
                                                name: Some(p.name.clone()),
                                                ..Default::default()
                                            }),
                                        }),
                                        ..Default::default()
                                    },
                                }],
                            }),
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        })?);
    }
    out.insert(
        format!("kubernetes/{}/{name}.yaml", cluster.id.value),
        docs(header(cluster, name)?, parts),
    );
    Ok(())
}
