//! One pod's file: `kubernetes/<cluster>/<pod>.yaml`.
//!
//! Every replica is its own StatefulSet (one replica each), named after the
//! pod and the node the placement chose and pinned there by node selector:
//! amc decides placement, the scheduler only confirms it. A replica reads
//! its model from its node's verified copy (or an OCI image volume), keeps
//! its other volumes in claims of its own, and gets `/dev/shm` sized for its
//! provider. Moving a replica to another node is a new StatefulSet with new
//! claims; the old one's claims are retained (and reported as stranded by
//! `amc diff`). The file also holds the pod's service account, its Services,
//! a PodDisruptionBudget when it has several replicas, its NetworkPolicy and
//! its Ingress. Hardened by construction: non-root, read-only root, every
//! capability dropped, seccomp RuntimeDefault.

use amc_syntax::diagnostics::{Bug, BugResult};
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EmptyDirVolumeSource, EnvVar, EnvVarSource,
    HTTPGetAction, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SeccompProfile, SecretKeySelector, SecurityContext, Service,
    ServiceAccount, ServicePort, ServiceSpec, Toleration, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec, ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::common::{bytes, cpu, labels, meta, q, selector, yaml};
use super::staging::server_model;
use crate::staging::{Plan, models_volume};
use amc_lang::check::Workload;
use amc_lang::check::pods::{TMP_SIZE, VolumeView};
use amc_lang::ir;
use amc_lang::target::kubernetes::names;

/// The claim spec of a volume of a tier.
pub fn pvc_spec(v: &VolumeView, cluster: &ir::Cluster) -> PersistentVolumeClaimSpec {
    PersistentVolumeClaimSpec {
        access_modes: Some(vec!["ReadWriteOnce".to_string()]),
        storage_class_name: cluster
            .storage_classes
            .get(v.tier.backend.value.as_str())
            .cloned(),
        resources: Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([(
                "storage".to_string(),
                bytes(v.tier.volume_size()),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Whether a volume of `w` is the one its model is read from (and so comes
/// from staging rather than a claim of its own).
pub fn is_model_volume(w: &Workload, v: &VolumeView) -> bool {
    w.model.is_some() && models_volume(w).is_some_and(|m| std::ptr::eq(m, v))
}

fn env(w: &Workload, replica: usize) -> Vec<EnvVar> {
    let plain = |k: &str, v: String| EnvVar {
        name: k.into(),
        value: Some(v),
        ..Default::default()
    };
    let mut env = vec![
        plain("AGENT_MACHINE_POD", w.id().to_string()),
        plain(
            "AGENT_MACHINE_PROVIDER",
            w.provider
                .provider_type
                .as_ref()
                .map_or("", |t| t.value.as_str())
                .to_string(),
        ),
        plain("AGENT_MACHINE_RECEIPTS_REQUIRED", "true".into()),
        plain("AGENT_MACHINE_REPLICA", replica.to_string()),
    ];
    env.extend(w.env.iter().map(|(k, v)| plain(k, v.clone())));
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
    env
}

/// The GPU resource a workload asks for, if any.
pub fn gpu_resource(w: &Workload) -> Option<&'static str> {
    if w.gpus == 0 {
        return None;
    }
    match w.accelerator {
        ir::Accelerator::Cuda => Some("nvidia.com/gpu"),
        ir::Accelerator::Rocm => Some("amd.com/gpu"),
        ir::Accelerator::Cpu
        | ir::Accelerator::Vulkan
        | ir::Accelerator::Metal
        | ir::Accelerator::Mlx => None,
    }
}

fn container(w: &Workload, replica: usize, mounts: Vec<VolumeMount>) -> Container {
    let mut limits = BTreeMap::from([
        ("cpu".to_string(), cpu(w.cpu_limit)),
        ("memory".to_string(), bytes(w.memory_limit)),
    ]);
    let requests = BTreeMap::from([
        ("cpu".to_string(), cpu(w.cpu)),
        ("memory".to_string(), bytes(w.memory)),
    ]);
    if let Some(r) = gpu_resource(w) {
        limits.insert(r.into(), q(w.gpus.to_string()));
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
    Container {
        name: "server".to_string(),
        image: Some(w.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: (!w.entrypoint.is_empty()).then(|| w.entrypoint.clone()),
        args: (!w.args.is_empty()).then(|| w.args.clone()),
        ports: (!ports.is_empty()).then_some(ports),
        env: Some(env(w, replica)),
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
    }
}

fn memory_volume(name: &str, size: u64) -> Volume {
    Volume {
        name: name.to_string(),
        empty_dir: Some(EmptyDirVolumeSource {
            medium: Some("Memory".to_string()),
            size_limit: Some(bytes(size)),
        }),
        ..Default::default()
    }
}

/// The documents of one pod's file.
pub fn pod_file(
    w: &Workload,
    cluster: &ir::Cluster,
    nodes: &[&str],
    plan: &Plan,
    node_labels: &BTreeMap<String, BTreeMap<String, String>>,
) -> BugResult<Vec<String>> {
    let ns = names::namespace(cluster, &w.pod.tenant.value);
    let ns = ns.as_str();
    let name = w.id();
    let lbl = labels(w);
    let mut parts = Vec::new();

    let sa_name = match &cluster.service_account {
        Some(sa) => sa.clone(),
        None => {
            parts.push(yaml(&ServiceAccount {
                metadata: meta(name, ns, lbl.clone()),
                automount_service_account_token: Some(false),
                ..Default::default()
            })?);
            name.to_string()
        }
    };
    let headless = names::headless(name);
    parts.push(yaml(&Service {
        metadata: meta(&headless, ns, lbl.clone()),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(selector(w)),
            ..Default::default()
        }),
        ..Default::default()
    })?);

    // Claims the pod names itself (`volume pvc=`, single-replica pods only).
    for v in w.volumes.iter().filter(|v| v.pvc.is_some()) {
        if v.tier.backend.value == amc_lang::ir::StorageBackend::Tmpfs || is_model_volume(w, v) {
            continue;
        }
        let mut pvc_labels = lbl.clone();
        pvc_labels.insert(
            "agent-machine.sourceos.dev/volume-class".into(),
            v.tier.volume_class.to_string(),
        );
        pvc_labels.insert(
            "agent-machine.sourceos.dev/cache-tier".into(),
            v.tier.id.value.to_string(),
        );
        parts.push(yaml(&PersistentVolumeClaim {
            metadata: meta(&v.claim(name), ns, pvc_labels),
            spec: Some(pvc_spec(v, cluster)),
            ..Default::default()
        })?);
    }

    let uses_gpu = gpu_resource(w).is_some();
    for (replica, node) in nodes.iter().enumerate() {
        let sts = names::workload(name, node);
        let mut volumes = vec![memory_volume("tmp", TMP_SIZE)];
        let mut mounts = vec![VolumeMount {
            name: "tmp".to_string(),
            mount_path: "/tmp".to_string(),
            ..Default::default()
        }];
        if let Some(shm) = w.shm {
            volumes.push(memory_volume("dshm", shm));
            mounts.push(VolumeMount {
                name: "dshm".into(),
                mount_path: "/dev/shm".into(),
                ..Default::default()
            });
        }
        let mut init = Vec::new();
        if let Some(m) = &w.model {
            let key = (
                cluster.id.value.clone(),
                ns.to_string(),
                node.to_string(),
                m.id.value.clone(),
            );
            let stage = plan.kubernetes.get(&key).ok_or_else(|| {
                Bug::new(format!(
                    "no staging planned for model {} on {node}",
                    m.id.value
                ))
                .at(m.id.span, "staging this model")
            })?;
            let model_dir = models_volume(w)
                .map(|v| v.mount.clone())
                .or_else(|| w.provider.model_dir.clone())
                .unwrap_or_else(|| "/models".into());
            let sm = server_model(m, stage, node, &model_dir)?;
            volumes.extend(sm.volumes);
            mounts.push(sm.mount);
            init.extend(sm.init);
        }
        let mut claim_templates = Vec::new();
        for v in &w.volumes {
            if is_model_volume(w, v) {
                continue;
            }
            let vname = names::volume(&v.tier.id.value);
            let read_only = v.access == ir::AccessMode::ReadOnly;
            mounts.push(VolumeMount {
                name: vname.clone(),
                mount_path: v.mount.clone(),
                read_only: read_only.then_some(true),
                ..Default::default()
            });
            if v.tier.backend.value == amc_lang::ir::StorageBackend::Tmpfs {
                volumes.push(memory_volume(&vname, v.tier.volume_size()));
            } else if v.pvc.is_some() {
                volumes.push(Volume {
                    name: vname,
                    persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                        claim_name: v.claim(name),
                        read_only: read_only.then_some(true),
                    }),
                    ..Default::default()
                });
            } else {
                let mut pvc_labels = lbl.clone();
                pvc_labels.insert(
                    "agent-machine.sourceos.dev/volume-class".into(),
                    v.tier.volume_class.to_string(),
                );
                pvc_labels.insert(
                    "agent-machine.sourceos.dev/cache-tier".into(),
                    v.tier.id.value.to_string(),
                );
                claim_templates.push(PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(vname),
                        labels: Some(pvc_labels),
                        ..Default::default()
                    },
                    spec: Some(pvc_spec(v, cluster)),
                    ..Default::default()
                });
            }
        }
        let mut pod_labels = lbl.clone();
        pod_labels.insert(
            "agent-machine.sourceos.dev/replica".into(),
            replica.to_string(),
        );
        let mut sel = selector(w);
        sel.insert(
            "agent-machine.sourceos.dev/replica".into(),
            replica.to_string(),
        );
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
                format!("amc {}", amc_syntax::VERSION),
            ),
        ]);
        if let Some(m) = &w.model {
            annotations.insert("agent-machine.sourceos.dev/model".to_string(), m.urn());
        }
        let uid = i64::from(w.user);
        let template = PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(pod_labels),
                annotations: Some(annotations),
                ..Default::default()
            }),
            spec: Some(PodSpec {
                service_account_name: Some(sa_name.clone()),
                automount_service_account_token: Some(false),
                enable_service_links: Some(false),
                node_selector: Some({
                    let mut sel =
                        BTreeMap::from([("kubernetes.io/hostname".to_string(), node.to_string())]);
                    if gpu_resource(w) == Some("nvidia.com/gpu")
                        && let Some(l) = node_labels.get(*node)
                    {
                        sel.extend(l.clone());
                    }
                    sel
                }),
                runtime_class_name: if uses_gpu {
                    cluster.gpu_runtime_class.clone()
                } else {
                    None
                },
                tolerations: (uses_gpu && !cluster.gpu_tolerations.is_empty()).then(|| {
                    cluster
                        .gpu_tolerations
                        .iter()
                        .map(|(key, effect)| Toleration {
                            key: Some(key.clone()),
                            operator: Some("Exists".into()),
                            effect: Some(effect.to_string()),
                            ..Default::default()
                        })
                        .collect()
                }),
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
                init_containers: (!init.is_empty()).then_some(init),
                containers: vec![container(w, replica, mounts)],
                volumes: Some(volumes),
                ..Default::default()
            }),
        };
        let mut sts_labels = lbl.clone();
        sts_labels.insert("agent-machine.sourceos.dev/node".into(), node.to_string());
        parts.push(yaml(&StatefulSet {
            metadata: meta(&sts, ns, sts_labels),
            spec: Some(StatefulSetSpec {
                replicas: Some(1),
                selector: LabelSelector {
                    match_labels: Some(sel),
                    ..Default::default()
                },
                service_name: Some(headless.clone()),
                template,
                volume_claim_templates: (!claim_templates.is_empty()).then_some(claim_templates),
                persistent_volume_claim_retention_policy: Some(
                    StatefulSetPersistentVolumeClaimRetentionPolicy {
                        when_deleted: Some("Retain".into()),
                        when_scaled: Some("Retain".into()),
                    },
                ),
                ..Default::default()
            }),
            ..Default::default()
        })?);
    }
    if nodes.len() > 1 {
        parts.push(yaml(&PodDisruptionBudget {
            metadata: meta(name, ns, lbl.clone()),
            spec: Some(PodDisruptionBudgetSpec {
                max_unavailable: Some(IntOrString::Int(1)),
                selector: Some(LabelSelector {
                    match_labels: Some(selector(w)),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        })?);
    }

    let exposed: Vec<&amc_lang::check::pods::PortView> = w
        .ports
        .iter()
        .filter(|p| matches!(p.exposure, ir::Exposure::Cluster | ir::Exposure::Ingress))
        .collect();
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
    // The tenant's default-deny holds; this opens the pod's ports to pods of
    // its own tenant (its namespace), and exposed ports to the cluster.
    let port_of = |p: &amc_lang::check::pods::PortView| NetworkPolicyPort {
        port: Some(IntOrString::String(p.name.clone())),
        protocol: Some("TCP".into()),
        ..Default::default()
    };
    let mut ingress_rules = Vec::new();
    if !w.ports.is_empty() {
        ingress_rules.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                pod_selector: Some(LabelSelector::default()),
                ..Default::default()
            }]),
            ports: Some(w.ports.iter().map(port_of).collect()),
        });
    }
    if !exposed.is_empty() {
        ingress_rules.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(LabelSelector::default()),
                ..Default::default()
            }]),
            ports: Some(exposed.iter().map(|p| port_of(p)).collect()),
        });
    }
    parts.push(yaml(&NetworkPolicy {
        metadata: meta(name, ns, lbl.clone()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector(w)),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(ingress_rules),
            ..Default::default()
        }),
    })?);
    let ingress_ports: Vec<&&amc_lang::check::pods::PortView> = exposed
        .iter()
        .filter(|p| p.exposure == ir::Exposure::Ingress)
        .collect();
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
    Ok(parts)
}
