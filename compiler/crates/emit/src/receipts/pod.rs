//! The resolved pod in upstream form: AgentPod, InferenceProvider, CacheTier,
//! AgentMachine, AgentPodDeploymentPlan and DeploymentReceipt.
//!
//! Takes: one placed workload with its machines and cluster.
//! Produces: the typed documents; the deployment receipt id is a digest of
//! the pod id, the plan digest, the digest of the pod's rendered manifests
//! and the generator — content only, never paths or times.
//! Never: includes environment values, secret values or admission contents
//! (the receipt id must not change when an admission is stored).

use serde_json::Value;

use super::PodCtx;
use super::model::*;
use amc_govern::activation::TENANT_LABEL;
use amc_lang::check::MachineView;
use amc_lang::ir;
use amc_lang::lang::types::is_digest;
use amc_lang::lang::units::format_cpu;

/// `urn:srcos:agent-machine:agent-pod:<id>`.
pub fn pod_urn(id: &str) -> String {
    format!("urn:srcos:agent-machine:agent-pod:{id}")
}
/// `urn:srcos:agent-machine:inference-provider:<id>`.
pub fn provider_urn(id: &str) -> String {
    format!("urn:srcos:agent-machine:inference-provider:{id}")
}
/// `urn:srcos:agent-machine:cache-tier:<id>`.
pub fn tier_urn(id: &str) -> String {
    format!("urn:srcos:agent-machine:cache-tier:{id}")
}
/// `urn:srcos:agent-machine:<id>`.
pub fn machine_urn(id: &str) -> String {
    format!("urn:srcos:agent-machine:{id}")
}

/// The generator of plans and receipts.
pub fn generator() -> Generator {
    Generator {
        name: "amc",
        version: amc_syntax::VERSION,
    }
}

fn pod_type(c: &PodCtx<'_>) -> &'static str {
    c.w.profile().pod_type
}

fn surface(c: &PodCtx<'_>) -> &'static str {
    c.w.profile().surface
}

fn runtime_mode(c: &PodCtx<'_>) -> &'static str {
    c.w.profile().runtime_mode
}

fn network_mode(c: &PodCtx<'_>) -> &'static str {
    match (c.w.network, c.w.profile().network_mode) {
        (ir::NetworkMode::None, _) => "none",
        (_, Some(mode)) => mode,
        (ir::NetworkMode::Loopback, None) => "loopback",
        // A per-tenant network managed by amc.
        _ => "policy-managed",
    }
}

/// Whether the tier's content is sensitive.
pub fn sensitive(t: &ir::CacheTier) -> bool {
    matches!(
        t.sensitivity,
        ir::Sensitivity::Sensitive | ir::Sensitivity::Secret
    )
}

/// The pod's storage as AgentPod `storage` items (PVC names for Kubernetes
/// Deployments; host paths are per machine and live in StorageReceipts).
pub fn storage(c: &PodCtx<'_>) -> Vec<PodStorage> {
    c.w.volumes
        .iter()
        .map(|v| {
            let k8s = c.w.profile().storage == amc_lang::target::Storage::Claims
                && v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs;
            PodStorage {
                cache_tier_id: tier_urn(&v.tier.id.value),
                volume_class: v.class.unwrap_or(v.tier.volume_class).to_string(),
                mount_path: v.mount.clone(),
                pvc_name: (k8s && c.w.pod.replicas == 1).then(|| v.claim(c.w.id())),
                storage_class_name: if k8s {
                    c.cluster.and_then(|cl| {
                        cl.storage_classes
                            .get(v.tier.backend.value.as_str())
                            .cloned()
                    })
                } else {
                    None
                },
                access_mode: v.access.to_string(),
                sensitive: v.sensitive.unwrap_or_else(|| sensitive(&v.tier)),
            }
        })
        .collect()
}

fn policy(c: &PodCtx<'_>) -> PodPolicy {
    let p = &c.w.pod.policy;
    PodPolicy {
        policy_fabric_required: p.policy_fabric_required.unwrap_or(true),
        agent_registry_required: p.agent_registry_required.unwrap_or(true),
        network_policy_required: p.network_policy_required.unwrap_or(true),
        egress_policy_required: p.egress_policy_required.unwrap_or(true),
        allow_privileged: false,
        allow_host_network: false,
        allow_secret_in_spec: false,
        tool_use_requires_grant: p.tool_use_requires_grant.unwrap_or(true),
        cache_reuse_requires_policy: p.cache_reuse_requires_policy.unwrap_or(true),
    }
}

fn receipts() -> PodReceipts {
    PodReceipts {
        required: true,
        emit_placement: true,
        emit_storage: true,
        emit_runtime: true,
        include_raw_content: false,
    }
}

fn resources(c: &PodCtx<'_>) -> PodResources {
    let w = c.w;
    let mut accelerators: Vec<PodAccelerator> = w
        .pod
        .accelerators
        .iter()
        .map(|a| PodAccelerator {
            api: a.api.value.to_string(),
            required: a.required,
            count: if a.api.value == w.accelerator {
                w.gpus.max(1)
            } else {
                1
            },
        })
        .collect();
    if accelerators.is_empty() {
        accelerators.push(PodAccelerator {
            api: w.accelerator.to_string(),
            required: true,
            count: 1,
        });
    }
    PodResources {
        cpu: CpuPair {
            request: format_cpu(w.cpu),
            limit: format_cpu(w.cpu_limit),
        },
        memory_bytes: BytesPair {
            request: w.memory,
            limit: w.memory_limit,
        },
        accelerators,
    }
}

fn ports(c: &PodCtx<'_>) -> Vec<PodPort> {
    c.w.ports
        .iter()
        .map(|p| PodPort {
            name: p.name.clone(),
            container_port: p.container_port,
            host_port: (c.w.profile().host_ports
                && matches!(p.exposure, ir::Exposure::Loopback | ir::Exposure::Host))
            .then_some(p.host_port),
            exposure: p.exposure.to_string(),
        })
        .collect()
}

/// The AgentPod document.
pub fn agent_pod(c: &PodCtx<'_>) -> AgentPod {
    let w = c.w;
    let p = &w.pod;
    // The spec's labels (e.g. imported upstream ones), then amc's own.
    let mut labels = p.labels.clone();
    labels.extend([
        ("sourceos.profile".to_string(), c.profile.name.value.clone()),
        ("sourceos.runtime".to_string(), runtime_mode(c).to_string()),
        (
            "sourceos.provider".to_string(),
            w.provider
                .provider_type
                .as_ref()
                .map_or("unknown", |t| t.value.as_str())
                .to_string(),
        ),
        (TENANT_LABEL.to_string(), p.tenant.value.clone()),
    ]);
    if let Some(m) = &w.model {
        // The model the pod serves (its staged copy is part of the deployment).
        labels.insert("amc.model".into(), m.id.value.to_string());
    }
    if !p.secrets.is_empty() {
        // Names of secrets that exist on the target: references, never values.
        let names: Vec<&str> = p.secrets.iter().map(|s| s.name.as_str()).collect();
        labels.insert("amc.secret-refs".into(), names.join(","));
    }
    let digest = w.image_digest.clone().filter(|d| is_digest(d));
    AgentPod {
        spec_version: "0.1.0",
        id: pod_urn(w.id()),
        kind: "AgentPod",
        pod_type: pod_type(c),
        profile: c.profile.name.value.clone(),
        workload: PodWorkload {
            name: p
                .workload_name
                .clone()
                .unwrap_or_else(|| w.id().to_string()),
            purpose: p
                .purpose
                .unwrap_or(ir::WorkloadPurpose::InferenceProvider)
                .to_string(),
            description: p.description.clone(),
            agent_identity_required: p.identity_required.unwrap_or(true),
            agent_identity_ref: p.identity.clone(),
            workroom_ref: p.workroom.clone(),
            topic_ref: p.topic.clone(),
        },
        runtime: PodRuntime {
            mode: runtime_mode(c),
            image_or_command: w.image.clone(),
            entrypoint: (!w.entrypoint.is_empty()).then(|| w.entrypoint.join(" ")),
            args: w.args.clone(),
            network_mode: network_mode(c),
            restart_policy: w.restart.to_string(),
            service_account_name: c.cluster.map(|cl| {
                cl.service_account
                    .clone()
                    .unwrap_or_else(|| w.id().to_string())
            }),
            namespace: c.cluster.map(|cl| {
                amc_lang::target::kubernetes::names::namespace(cl, &c.w.pod.tenant.value)
            }),
            image_reference_policy: p
                .image_policy
                .unwrap_or(if digest.is_some() {
                    ir::ImagePolicy::DigestPinned
                } else {
                    ir::ImagePolicy::TagAllowedBootstrap
                })
                .to_string(),
            image_digest: digest,
            sbom_ref: p.sbom.clone(),
            provenance_ref: p.provenance.clone(),
        },
        resources: resources(c),
        storage: storage(c),
        ports: ports(c),
        policy: policy(c),
        receipts: receipts(),
        labels,
    }
}

/// The InferenceProvider document, as the pod runs it.
pub fn provider(c: &PodCtx<'_>, spec: &ir::Spec) -> InferenceProvider {
    let w = c.w;
    let pr = &w.provider;
    let ptype = pr
        .provider_type
        .as_ref()
        .map_or(ir::ProviderType::OpenaiCompatibleLocal, |t| t.value);
    let mut profile_support: Vec<String> = spec
        .profiles
        .iter()
        .filter(|p| p.backends.iter().any(|b| b.provider_type == ptype))
        .map(|p| p.name.value.clone())
        .collect();
    profile_support.sort();
    let endpoint = w
        .profile()
        .host_ports
        .then(|| {
            w.ports
                .iter()
                .find(|p| p.exposure == ir::Exposure::Loopback)
        })
        .flatten()
        .map(|p| format!("http://127.0.0.1:{}", p.host_port));
    let model_tier = w
        .volumes
        .iter()
        .find(|v| v.tier.volume_class == ir::VolumeClass::AgentModels);
    let capabilities = amc_lang::lang::vocab::CAPABILITIES
        .iter()
        .filter_map(|cap| ir::Capability::parse(cap))
        .map(|cap| {
            let mut key = String::new();
            for (i, part) in cap.as_str().split('-').enumerate() {
                if i == 0 {
                    key.push_str(part);
                } else {
                    let mut ch = part.chars();
                    key.extend(ch.next().map(|x| x.to_ascii_uppercase()));
                    key.push_str(ch.as_str());
                }
            }
            (key, pr.capabilities.contains(&cap))
        })
        .collect();
    let mut api = pr.api.clone();
    if api.is_empty() {
        api.push(ir::ApiSurface::NativeHttp);
    }
    InferenceProvider {
        spec_version: "0.1.0",
        id: provider_urn(&pr.id.value),
        kind: "InferenceProvider",
        provider_type: ptype.to_string(),
        status: pr.status.unwrap_or(ir::ProviderStatus::Enabled).to_string(),
        profile_support,
        api_surfaces: api.iter().map(ToString::to_string).collect(),
        runtime: ProviderRuntime {
            mode: runtime_mode(c),
            acceleration: w.accelerator.to_string(),
            command_ref: w.image.clone(),
            endpoint,
            health_path: pr.health.clone(),
        },
        model_store: ModelStore {
            path: model_tier
                .map(|v| v.mount.clone())
                .or_else(|| pr.model_dir.clone())
                .unwrap_or_else(|| "/models".into()),
            format: w
                .model
                .as_ref()
                .map_or("unknown", |m| m.format.value.as_str())
                .to_string(),
            requires_digest: true,
            cache_tier_id: model_tier.map(|v| tier_urn(&v.tier.id.value)),
        },
        capabilities,
        policy: ProviderPolicy {
            policy_fabric_required: true,
            agent_registry_required: true,
            receipt_required: true,
            allow_secret_in_config: false,
            cache_reuse_requires_policy: true,
            tool_use_requires_grant: true,
        },
        labels: {
            let mut labels = pr.labels.clone();
            labels.extend([
                ("sourceos.provider".to_string(), ptype.to_string()),
                ("amc.provider".to_string(), pr.id.value.to_string()),
            ]);
            labels
        },
    }
}

/// The CacheTier document.
pub fn cache_tier(t: &ir::CacheTier, policy_domain: String) -> CacheTier {
    let mut options = t.mount_options.clone();
    options.dedup();
    CacheTier {
        spec_version: "0.1.0",
        id: tier_urn(&t.id.value),
        kind: "CacheTier",
        backend: t.backend.value.to_string(),
        volume_class: t.volume_class.to_string(),
        tier: t.tier.to_string(),
        purpose: t.purpose.iter().map(ToString::to_string).collect(),
        sensitivity: t.sensitivity.to_string(),
        policy_domain,
        identity_scope_required: true,
        encryption: TierEncryption {
            required: t.encryption_required,
            mode: t.encryption.unwrap_or(ir::EncryptionMode::None).to_string(),
        },
        lifecycle: TierLifecycle {
            durability: t.durability.to_string(),
            ttl_seconds: t.ttl,
            eviction_policy: t.eviction.to_string(),
            snapshot_allowed: t.snapshot_allowed,
            wipe_receipt_required: t.wipe_receipt_required,
        },
        quota: TierQuota {
            size_bytes: Some(amc_solve::volume_size(t)),
            reserved_bytes: t.reserved,
            max_inodes: t.max_inodes,
        },
        mount: TierMount {
            mode: t.access.to_string(),
            container_path: t.mount_path.clone(),
            filesystem: t.filesystem.clone(),
            mount_options: options,
        },
        receipt: TierReceipt {
            required: true,
            include_free_bytes: false,
            include_snapshot_lineage: false,
            include_raw_content: false,
        },
        labels: {
            let mut labels = t.labels.clone();
            labels.insert(
                "sourceos.storage.profile".to_string(),
                t.backend.value.to_string(),
            );
            labels
        },
    }
}

/// The plan: the AgentPod's deployment-relevant fields and its digest.
pub fn plan(c: &PodCtx<'_>, pod: &AgentPod, pod_digest: String) -> DeploymentPlan {
    DeploymentPlan {
        spec_version: "0.1.0",
        kind: "AgentPodDeploymentPlan",
        generator: generator(),
        // A constant, so the plan (and the receipt id) never depends on paths.
        source: PlanSource {
            path: "agent-pod.json",
            agent_pod_id: pod.id.clone(),
            digest: pod_digest,
        },
        target: PlanTarget {
            pod_type: pod.pod_type,
            surface: surface(c),
            profile: pod.profile.clone(),
        },
        workload: PlanWorkload::from(&pod.workload),
        runtime: PlanRuntime {
            mode: pod.runtime.mode,
            image_or_command: pod.runtime.image_or_command.clone(),
            network_mode: pod.runtime.network_mode,
            restart_policy: pod.runtime.restart_policy.clone(),
            namespace: pod.runtime.namespace.clone(),
            service_account_name: pod.runtime.service_account_name.clone(),
        },
        resources: pod.resources.clone(),
        storage_resolution: pod.storage.clone(),
        ports: pod.ports.clone(),
        policy: PlanPolicy {
            policy_fabric_required: pod.policy.policy_fabric_required,
            agent_registry_required: pod.policy.agent_registry_required,
            network_policy_required: pod.policy.network_policy_required,
            egress_policy_required: pod.policy.egress_policy_required,
            allow_privileged: false,
            allow_host_network: false,
            allow_secret_in_spec: false,
        },
        receipts: pod.receipts.clone(),
        notes: vec![
            "This is a non-mutating plan, not authorization.",
            "Activation requires an allowed PolicyAdmission and an active AgentRegistryGrant for this deployment receipt id (see activation-decision.json).",
        ],
    }
}

/// `urn:srcos:agent-machine:deployment-receipt:<32 hex>` of pod, plan and manifests.
pub fn receipt_id(pod_id: &str, plan_digest: &str, manifest_digest: &str) -> String {
    let material = format!(
        "{pod_id}:{plan_digest}:{manifest_digest}:amc:{}",
        amc_syntax::VERSION
    );
    let hex = amc_syntax::hash::sha256_hex(material.as_bytes());
    format!("urn:srcos:agent-machine:deployment-receipt:{}", &hex[..32])
}

/// The DeploymentReceipt (evidence of what was rendered, never authorization).
pub fn deployment_receipt(
    c: &PodCtx<'_>,
    pod: &AgentPod,
    pod_digest: &str,
    plan_digest: &str,
    id: String,
    manifest_digest: &str,
) -> DeploymentReceipt {
    DeploymentReceipt {
        spec_version: "0.1.0",
        kind: "DeploymentReceipt",
        receipt_id: id,
        generator: generator(),
        source: ReceiptSource {
            source_kind: "AgentPod",
            path: "agent-pod.json",
            id: pod.id.clone(),
            digest: pod_digest.to_string(),
        },
        artifact: ReceiptArtifact {
            artifact_kind: "AgentPodDeploymentPlan",
            path: "deployment-plan.json",
            digest: plan_digest.to_string(),
        },
        target: ReceiptTarget {
            surface: surface(c),
            profile: pod.profile.clone(),
        },
        policy: ReceiptPolicy {
            authorization_granted: false,
            policy_fabric_required: pod.policy.policy_fabric_required,
            policy_decision_ref: None,
            agent_registry_required: pod.policy.agent_registry_required,
            agent_registry_grant_ref: None,
        },
        receipt_safety: ReceiptSafety4::default(),
        notes: vec![
            "This receipt is evidence, not authorization.".into(),
            format!(
                "receiptId = first 32 hex of sha256(\"<agentPodId>:<planDigest>:<manifestDigest>:amc:<version>\"); manifestDigest {manifest_digest} covers the rendered Quadlet or Kubernetes files of this pod."
            ),
        ],
    }
}

/// The AgentMachine document: from the machine's facts when it has them
/// (profile from the spec), else from the spec alone (unobserved fields omitted).
pub fn agent_machine(
    m: &MachineView,
    facts: Option<&amc_probe::facts::HostFacts>,
    profile: &ir::Profile,
) -> Value {
    let mut doc = match facts {
        Some(f) => amc_probe::probe::to_agent_machine(f, m.id()),
        None => spec_machine(m, profile),
    };
    doc["profile"] = Value::String(m.profile.clone());
    doc["id"] = Value::String(machine_urn(m.id()));
    if let Some(labels) = doc.get_mut("labels").and_then(Value::as_object_mut) {
        labels.insert("sourceos.profile".into(), Value::String(m.profile.clone()));
        labels.insert("amc.machine".into(), Value::String(m.id().to_string()));
    }
    doc
}

fn spec_machine(m: &MachineView, profile: &ir::Profile) -> Value {
    let arch = profile.arch.first().copied().unwrap_or(ir::Arch::X86_64);
    let mut accelerators: Vec<Value> = m
        .accelerators
        .iter()
        .map(|a| serde_json::json!({"type": a, "available": true, "notes": "declared in the spec, not probed"}))
        .collect();
    for f in &profile.forbid {
        accelerators
            .push(serde_json::json!({"type": f.api, "available": false, "notes": f.reason}));
    }
    let envelopes: Vec<&str> = m.runtimes.iter().map(|r| r.as_str()).collect();
    let container_runtime = if m
        .runtimes
        .iter()
        .any(|r| matches!(r, ir::Envelope::Podman | ir::Envelope::PodmanQuadlet))
    {
        "podman"
    } else if m.runtimes.contains(&ir::Envelope::Kubernetes) {
        "kubernetes"
    } else {
        "none"
    };
    let mut storage = serde_json::json!({
        "modelCache": "/var/lib/agent-machine/models",
        "runtimeCache": "/var/lib/agent-machine/cache",
        "evidencePath": "/var/lib/agent-machine/evidence",
    });
    if m.def
        .pools
        .iter()
        .any(|p| p.backend == amc_lang::ir::StorageBackend::TopolvmK8s)
    {
        storage["topolvmAvailable"] = Value::Bool(true);
    }
    serde_json::json!({
        "specVersion": "0.1.0",
        "kind": "AgentMachine",
        "host": {
            "hostname": m.id(),
            "os": match profile.os {
                ir::Os::Macos => "Darwin",
                ir::Os::Linux => "Linux",
            },
            "arch": arch,
        },
        "accelerators": accelerators,
        "runtime": {"localEnvelopes": envelopes, "containerRuntime": container_runtime},
        "storage": storage,
        "trust": {"policyFabricRequired": true, "agentRegistryRequired": true, "receiptsRequired": true},
        "labels": {
            "amc.facts.source": "spec",
            "amc.host.arch": if profile.arch.len() == 1 { "from-profile" } else { "assumed-first-of-profile" },
        },
    })
}
