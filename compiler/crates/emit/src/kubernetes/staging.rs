//! Model staging on Kubernetes: the objects that put a verified copy of a
//! model on a node, and the init container that refuses to start a server
//! on anything else.
//!
//! Per (namespace, model): a ConfigMap with the staging script, the sources
//! and the checksum list (named after a digest of that content, so a changed
//! model rolls its pods). Per (namespace, model, node): a ReadWriteOnce
//! claim holding the model — node-local storage such as TopoLVM binds it to
//! the node of its first consumer, the staging Job, pinned there — and the
//! Job that fills it (egress only on TCP 80/443 and DNS, through the
//! tenant's `allow-staging-egress` policy). A server replica mounts the
//! claim read-only, after an init container has verified every file; a model
//! from an OCI reference is an image volume instead. Never reads the clock.

use amc_syntax::diagnostics::BugResult;
use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, ConfigMapVolumeSource, Container, EmptyDirVolumeSource, EnvVar,
    ImageVolumeSource, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeClaimVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SeccompProfile, SecurityContext, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::common::{TENANT, bytes, managed, meta, q, yaml};
use crate::staging::{self, Delivery, KubernetesStage};
use amc_lang::ir;
use amc_lang::target::kubernetes::names;

/// The uid staging runs as (the files it writes are world-readable).
const STAGER_UID: i64 = 65532;
/// How long a verify init container waits for its node's staging Job.
pub const VERIFY_WAIT_SECONDS: u32 = 3600;

/// Labels of staging objects.
pub fn stage_labels(tenant: &str, model: &str) -> BTreeMap<String, String> {
    let mut l = managed();
    l.insert(TENANT.into(), tenant.to_string());
    l.insert("app.kubernetes.io/component".into(), "model-staging".into());
    l.insert("agent-machine.sourceos.dev/model".into(), model.to_string());
    l
}

/// The staging ConfigMap's content digest and its data.
fn config_data(
    m: &ir::Model,
    s: &KubernetesStage,
) -> BugResult<(String, BTreeMap<String, String>)> {
    let data = BTreeMap::from([
        ("stage.sh".to_string(), staging::script()?.to_string()),
        ("sources".to_string(), staging::sources(m, &s.delivery)),
        ("sha256".to_string(), staging::checksums(m)),
    ]);
    let mut all = String::new();
    for (k, v) in &data {
        all.push_str(&format!("{k}\n{v}\n"));
    }
    all.push_str(&format!(
        "tofu {}\nendpoint {:?}\n",
        staging::tofu(m),
        s.hf_endpoint
    ));
    Ok((amc_syntax::hash::sha256_hex(all.as_bytes()), data))
}

/// The ConfigMap name a model's stages and verifiers mount.
pub fn config_name(m: &ir::Model, s: &KubernetesStage) -> BugResult<String> {
    let (digest, _) = config_data(m, s)?;
    Ok(names::stage_config(&m.id.value, &digest))
}

/// `kubernetes/<cluster>/model-<tenant>-<model>.yaml`: the ConfigMap.
pub fn config_file(
    m: &ir::Model,
    s: &KubernetesStage,
    namespace: &str,
    tenant: &str,
) -> BugResult<String> {
    let (digest, data) = config_data(m, s)?;
    yaml(&ConfigMap {
        metadata: meta(
            &names::stage_config(&m.id.value, &digest),
            namespace,
            stage_labels(tenant, &m.id.value),
        ),
        data: Some(data),
        immutable: Some(true),
        ..Default::default()
    })
}

fn restricted() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn small_resources() -> ResourceRequirements {
    ResourceRequirements {
        requests: Some(BTreeMap::from([
            ("cpu".to_string(), q("100m")),
            ("memory".to_string(), q("128Mi")),
        ])),
        limits: Some(BTreeMap::from([
            ("cpu".to_string(), q("1")),
            ("memory".to_string(), q("512Mi")),
        ])),
        ..Default::default()
    }
}

/// CPU and memory (requests, limits) of one staging or verify container, for quotas.
pub const CONTAINER_REQUESTS: (u64, u64) = (100, 128 << 20);
/// See [`CONTAINER_REQUESTS`].
pub const CONTAINER_LIMITS: (u64, u64) = (1000, 512 << 20);

fn env(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    }
}

fn stage_env(m: &ir::Model, s: &KubernetesStage, mode: &str) -> Vec<EnvVar> {
    let mut e = vec![
        env("AMC_MODE", mode),
        env("AMC_MODEL_DIR", "/amc/model"),
        env("AMC_CHECKSUMS", "/amc/stage/sha256"),
        env("AMC_SOURCES", "/amc/stage/sources"),
        env("AMC_TOFU", if staging::tofu(m) { "1" } else { "0" }),
    ];
    if mode == "verify" {
        e.push(env("AMC_WAIT_SECONDS", VERIFY_WAIT_SECONDS.to_string()));
    }
    if let Some(ep) = &s.hf_endpoint {
        e.push(env("HF_ENDPOINT", ep.clone()));
    }
    e
}

fn stage_container(m: &ir::Model, s: &KubernetesStage, mode: &str, model_ro: bool) -> Container {
    Container {
        name: if mode == "verify" {
            "verify-model".into()
        } else {
            "stage".into()
        },
        image: Some(s.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["/bin/sh".into(), "/amc/stage/stage.sh".into()]),
        env: Some(stage_env(m, s, mode)),
        resources: Some(small_resources()),
        security_context: Some(restricted()),
        volume_mounts: Some(vec![
            VolumeMount {
                name: "amc-model".into(),
                mount_path: "/amc/model".into(),
                read_only: model_ro.then_some(true),
                ..Default::default()
            },
            VolumeMount {
                name: "amc-stage".into(),
                mount_path: "/amc/stage".into(),
                read_only: Some(true),
                ..Default::default()
            },
            VolumeMount {
                name: "amc-stage-tmp".into(),
                mount_path: "/tmp".into(),
                ..Default::default()
            },
        ]),
        ..Default::default()
    }
}

fn claim_volume(name: &str, claim: &str, read_only: bool) -> Volume {
    Volume {
        name: name.into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: claim.to_string(),
            read_only: read_only.then_some(true),
        }),
        ..Default::default()
    }
}

fn stage_volumes(config: &str, claim: &str, model_ro: bool) -> Vec<Volume> {
    vec![
        claim_volume("amc-model", claim, model_ro),
        Volume {
            name: "amc-stage".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: config.to_string(),
                ..Default::default()
            }),
            ..Default::default()
        },
        Volume {
            name: "amc-stage-tmp".into(),
            empty_dir: Some(EmptyDirVolumeSource {
                medium: Some("Memory".into()),
                size_limit: Some(q("16Mi")),
            }),
            ..Default::default()
        },
    ]
}

/// `kubernetes/<cluster>/model-<tenant>-<model>-<node>.yaml`: the claim and
/// the staging Job (no Job for a model resident on the node).
pub fn node_file(
    m: &ir::Model,
    s: &KubernetesStage,
    namespace: &str,
    tenant: &str,
    node: &str,
) -> BugResult<Vec<String>> {
    let claim = names::model_claim(&m.id.value, node);
    let mut labels = stage_labels(tenant, &m.id.value);
    labels.insert("agent-machine.sourceos.dev/node".into(), node.to_string());
    if s.delivery != Delivery::Fetch {
        // Declared resident on the node: nothing fetches it, every replica's
        // init container still verifies it.
        labels.insert("agent-machine.sourceos.dev/resident".into(), "true".into());
    }
    let mut parts = vec![yaml(&PersistentVolumeClaim {
        metadata: meta(&claim, namespace, labels.clone()),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: s.storage_class.clone(),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_string(),
                    bytes(s.claim_bytes),
                )])),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    })?];
    if s.delivery != Delivery::Fetch {
        return Ok(parts);
    }
    let (digest, _) = config_data(m, s)?;
    let config = names::stage_config(&m.id.value, &digest);
    let mut pod_labels = labels.clone();
    pod_labels.insert("agent-machine.sourceos.dev/role".into(), "stager".into());
    parts.push(yaml(&Job {
        metadata: meta(
            &names::stage_job(&m.id.value, node, &digest),
            namespace,
            labels,
        ),
        spec: Some(JobSpec {
            backoff_limit: Some(6),
            active_deadline_seconds: Some(6 * 3600),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("OnFailure".into()),
                    node_selector: Some(BTreeMap::from([(
                        "kubernetes.io/hostname".to_string(),
                        node.to_string(),
                    )])),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(STAGER_UID),
                        run_as_group: Some(STAGER_UID),
                        fs_group: Some(STAGER_UID),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    containers: vec![stage_container(m, s, "stage", false)],
                    volumes: Some(stage_volumes(&config, &claim, false)),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    })?);
    Ok(parts)
}

/// What a server replica needs to read its model: the volumes, the mount
/// of the model at `<model dir>/<model id>`, and the init container that
/// verifies it first (none for an OCI image volume).
pub struct ServerModel {
    /// Volumes to add to the pod.
    pub volumes: Vec<Volume>,
    /// The server container's mount.
    pub mount: VolumeMount,
    /// The verify init container.
    pub init: Option<Container>,
}

/// The model side of a server replica on `node`.
pub fn server_model(
    m: &ir::Model,
    s: &KubernetesStage,
    node: &str,
    model_dir: &str,
) -> BugResult<ServerModel> {
    let mount = VolumeMount {
        name: "model".into(),
        mount_path: format!("{}/{}", model_dir.trim_end_matches('/'), m.id.value),
        read_only: Some(true),
        ..Default::default()
    };
    if let Delivery::Oci { reference, .. } = &s.delivery {
        return Ok(ServerModel {
            volumes: vec![Volume {
                name: "model".into(),
                image: Some(ImageVolumeSource {
                    reference: Some(reference.clone()),
                    pull_policy: Some("IfNotPresent".into()),
                }),
                ..Default::default()
            }],
            mount,
            init: None,
        });
    }
    let claim = names::model_claim(&m.id.value, node);
    let config = config_name(m, s)?;
    // The server reads the very volume the init container verified.
    Ok(ServerModel {
        volumes: stage_volumes(&config, &claim, true),
        mount: VolumeMount {
            name: "amc-model".into(),
            ..mount
        },
        init: Some(stage_container(m, s, "verify", true)),
    })
}
