//! Typed models of the upstream Agent Machine documents amc writes.
//!
//! Takes: nothing; these are plain serde structs whose field names are the
//! upstream contracts' (`contracts/upstream/*.schema.json`). `Option` fields
//! marked `skip` are optional properties (omitted when unknown); plain
//! `Option` fields are required-but-nullable properties (written `null`).
//! Produces: JSON through [`super::to_bytes`], the one serializer.
//! Checked: `schema_check.rs` compares what each model can serialise with
//! its contract (test builds derive `schemars::JsonSchema` for that).
//! Never: holds a secret value — no model has a field that could carry one.

use std::collections::BTreeMap;

use serde::Serialize;

pub use amc_govern::activation::SafetyFlags;

/// Labels (`sourceos.*`, `amc.*`).
pub type Labels = BTreeMap<String, String>;

/// The four-flag `receiptSafety` of StorageReceipt and DeploymentReceipt.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReceiptSafety4 {
    /// Raw content.
    pub include_raw_content: bool,
    /// Raw prompts.
    pub raw_prompt_content_included: bool,
    /// Raw KV cache.
    pub raw_kv_cache_content_included: bool,
    /// Secret values.
    pub secret_values_included: bool,
}

/// `{request, limit}` CPU quantities.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CpuPair {
    /// Request, e.g. `"6"` or `"500m"`.
    pub request: String,
    /// Limit.
    pub limit: String,
}

/// `{request, limit}` bytes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct BytesPair {
    /// Request.
    pub request: u64,
    /// Limit.
    pub limit: u64,
}

/// AgentPod (`agent-pod.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentPod {
    pub spec_version: &'static str,
    pub id: String,
    pub kind: &'static str,
    pub pod_type: &'static str,
    pub profile: String,
    pub workload: PodWorkload,
    pub runtime: PodRuntime,
    pub resources: PodResources,
    pub storage: Vec<PodStorage>,
    pub ports: Vec<PodPort>,
    pub policy: PodPolicy,
    pub receipts: PodReceipts,
    pub labels: Labels,
}

/// AgentPod `workload`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodWorkload {
    pub name: String,
    pub purpose: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub agent_identity_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_identity_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workroom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_ref: Option<String>,
}

/// AgentPod `runtime`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodRuntime {
    pub mode: &'static str,
    pub image_or_command: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<String>,
    pub args: Vec<String>,
    pub network_mode: &'static str,
    pub restart_policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    pub image_reference_policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance_ref: Option<String>,
}

/// AgentPodDeploymentPlan `workload`: the pod's, without a description (the
/// plan contract has none).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanWorkload {
    pub name: String,
    pub purpose: String,
    pub agent_identity_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_identity_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workroom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_ref: Option<String>,
}

impl From<&PodWorkload> for PlanWorkload {
    fn from(w: &PodWorkload) -> Self {
        PlanWorkload {
            name: w.name.clone(),
            purpose: w.purpose.clone(),
            agent_identity_required: w.agent_identity_required,
            agent_identity_ref: w.agent_identity_ref.clone(),
            workroom_ref: w.workroom_ref.clone(),
            topic_ref: w.topic_ref.clone(),
        }
    }
}

/// AgentPod `resources`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodResources {
    pub cpu: CpuPair,
    pub memory_bytes: BytesPair,
    pub accelerators: Vec<PodAccelerator>,
}

/// One accelerator of a pod.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PodAccelerator {
    #[serde(rename = "type")]
    pub api: String,
    pub required: bool,
    pub count: u32,
}

/// One AgentPod `storage` item (also a plan `storageResolution` item).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodStorage {
    pub cache_tier_id: String,
    pub volume_class: String,
    pub mount_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pvc_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    pub access_mode: String,
    pub sensitive: bool,
}

/// One AgentPod port.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodPort {
    pub name: String,
    pub container_port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
    pub exposure: String,
}

/// AgentPod `policy`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodPolicy {
    pub policy_fabric_required: bool,
    pub agent_registry_required: bool,
    pub network_policy_required: bool,
    pub egress_policy_required: bool,
    pub allow_privileged: bool,
    pub allow_host_network: bool,
    pub allow_secret_in_spec: bool,
    pub tool_use_requires_grant: bool,
    pub cache_reuse_requires_policy: bool,
}

/// AgentPod `receipts`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodReceipts {
    pub required: bool,
    pub emit_placement: bool,
    pub emit_storage: bool,
    pub emit_runtime: bool,
    pub include_raw_content: bool,
}

/// InferenceProvider (`inference-provider.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InferenceProvider {
    pub spec_version: &'static str,
    pub id: String,
    pub kind: &'static str,
    pub provider_type: String,
    pub status: String,
    pub profile_support: Vec<String>,
    pub api_surfaces: Vec<String>,
    pub runtime: ProviderRuntime,
    pub model_store: ModelStore,
    pub capabilities: BTreeMap<String, bool>,
    pub policy: ProviderPolicy,
    pub labels: Labels,
}

/// InferenceProvider `runtime`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderRuntime {
    pub mode: &'static str,
    pub acceleration: String,
    pub command_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_path: Option<String>,
}

/// InferenceProvider `modelStore`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ModelStore {
    pub path: String,
    pub format: String,
    pub requires_digest: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_tier_id: Option<String>,
}

/// InferenceProvider `policy`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderPolicy {
    pub policy_fabric_required: bool,
    pub agent_registry_required: bool,
    pub receipt_required: bool,
    pub allow_secret_in_config: bool,
    pub cache_reuse_requires_policy: bool,
    pub tool_use_requires_grant: bool,
}

/// CacheTier (`cache-tier.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CacheTier {
    pub spec_version: &'static str,
    pub id: String,
    pub kind: &'static str,
    pub backend: String,
    pub volume_class: String,
    pub tier: String,
    pub purpose: Vec<String>,
    pub sensitivity: String,
    pub policy_domain: String,
    pub identity_scope_required: bool,
    pub encryption: TierEncryption,
    pub lifecycle: TierLifecycle,
    pub quota: TierQuota,
    pub mount: TierMount,
    pub receipt: TierReceipt,
    pub labels: Labels,
}

/// CacheTier `encryption` (what is required; observation is per machine, in StorageReceipts).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TierEncryption {
    pub required: bool,
    pub mode: String,
}

/// CacheTier `lifecycle`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TierLifecycle {
    pub durability: String,
    pub ttl_seconds: Option<u64>,
    pub eviction_policy: String,
    pub snapshot_allowed: bool,
    pub wipe_receipt_required: bool,
}

/// CacheTier `quota`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TierQuota {
    pub size_bytes: Option<u64>,
    pub reserved_bytes: Option<u64>,
    pub max_inodes: Option<u64>,
}

/// CacheTier `mount`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TierMount {
    pub mode: String,
    pub container_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filesystem: Option<String>,
    pub mount_options: Vec<String>,
}

/// CacheTier `receipt`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TierReceipt {
    pub required: bool,
    pub include_free_bytes: bool,
    pub include_snapshot_lineage: bool,
    pub include_raw_content: bool,
}

/// AgentPodDeploymentPlan (`agentpod-deployment-plan.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentPlan {
    pub spec_version: &'static str,
    pub kind: &'static str,
    pub generator: Generator,
    pub source: PlanSource,
    pub target: PlanTarget,
    pub workload: PlanWorkload,
    pub runtime: PlanRuntime,
    pub resources: PodResources,
    pub storage_resolution: Vec<PodStorage>,
    pub ports: Vec<PodPort>,
    pub policy: PlanPolicy,
    pub receipts: PodReceipts,
    pub notes: Vec<&'static str>,
}

/// `generator` of plans and receipts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
}

/// Plan `source`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanSource {
    pub path: &'static str,
    pub agent_pod_id: String,
    pub digest: String,
}

/// Plan `target`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanTarget {
    pub pod_type: &'static str,
    pub surface: &'static str,
    pub profile: String,
}

/// Plan `runtime`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanRuntime {
    pub mode: &'static str,
    pub image_or_command: String,
    pub network_mode: &'static str,
    pub restart_policy: String,
    pub namespace: Option<String>,
    pub service_account_name: Option<String>,
}

/// Plan `policy` (the seven flags).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanPolicy {
    pub policy_fabric_required: bool,
    pub agent_registry_required: bool,
    pub network_policy_required: bool,
    pub egress_policy_required: bool,
    pub allow_privileged: bool,
    pub allow_host_network: bool,
    pub allow_secret_in_spec: bool,
}

/// DeploymentReceipt (`deployment-receipt.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentReceipt {
    pub spec_version: &'static str,
    pub kind: &'static str,
    pub receipt_id: String,
    pub generator: Generator,
    pub source: ReceiptSource,
    pub artifact: ReceiptArtifact,
    pub target: ReceiptTarget,
    pub policy: ReceiptPolicy,
    pub receipt_safety: ReceiptSafety4,
    pub notes: Vec<String>,
}

/// DeploymentReceipt `source`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReceiptSource {
    pub source_kind: &'static str,
    pub path: &'static str,
    pub id: String,
    pub digest: String,
}

/// DeploymentReceipt `artifact`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReceiptArtifact {
    pub artifact_kind: &'static str,
    pub path: &'static str,
    pub digest: String,
}

/// DeploymentReceipt `target`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ReceiptTarget {
    pub surface: &'static str,
    pub profile: String,
}

/// DeploymentReceipt `policy` (evidence, never authorization).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPolicy {
    pub authorization_granted: bool,
    pub policy_fabric_required: bool,
    pub policy_decision_ref: Option<String>,
    pub agent_registry_required: bool,
    pub agent_registry_grant_ref: Option<String>,
}

/// StorageReceipt (`storage-receipt.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageReceipt {
    pub spec_version: &'static str,
    pub id: String,
    pub kind: &'static str,
    pub agent_machine_id: String,
    pub agent_pod_id: String,
    pub backend: String,
    pub volume_class: String,
    pub tier: String,
    pub purpose: Vec<String>,
    pub reference: StorageReference,
    pub filesystem: StorageFilesystem,
    pub capacity: StorageCapacity,
    pub encryption: StorageEncryption,
    pub quota: StorageQuota,
    pub policy: StoragePolicy,
    pub sensitivity: StorageSensitivity,
    pub snapshot: StorageSnapshot,
    pub lifecycle: StorageLifecycle,
    pub runtime: StorageRuntime,
    pub receipt_safety: ReceiptSafety4,
    pub observed_at: String,
    pub labels: Labels,
}

/// StorageReceipt `reference`.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageReference {
    pub reference_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
    pub container_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thin_pool: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pvc_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// StorageReceipt `filesystem`: unobserved properties are omitted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageFilesystem {
    #[serde(rename = "type")]
    pub fs_type: String,
    pub mount_options: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world_writable: Option<bool>,
}

/// StorageReceipt `capacity` (`freeBytes` is null: not observed at build time).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageCapacity {
    pub size_bytes: Option<u64>,
    pub free_bytes: Option<u64>,
    pub reserved_bytes: Option<u64>,
}

/// StorageReceipt `encryption`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct StorageEncryption {
    pub required: bool,
    pub observed: bool,
    pub mode: String,
}

/// StorageReceipt `quota`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageQuota {
    pub required: bool,
    pub observed: bool,
    pub size_bytes: Option<u64>,
    pub max_inodes: Option<u64>,
}

/// StorageReceipt `policy`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoragePolicy {
    pub policy_domain: String,
    pub cache_reuse_requires_policy: bool,
    pub policy_decision_ref: Option<String>,
    pub agent_registry_grant_ref: Option<String>,
    pub wipe_receipt_required: bool,
}

/// StorageReceipt `sensitivity`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageSensitivity {
    pub class: String,
    pub prompt_like_content_possible: bool,
    pub secret_like_content_possible: bool,
}

/// StorageReceipt `snapshot`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageSnapshot {
    pub snapshot_allowed: bool,
}

/// StorageReceipt `lifecycle`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageLifecycle {
    pub durability: String,
    pub ttl_seconds: Option<u64>,
    pub eviction_policy: String,
    pub wipe_status: &'static str,
    pub last_wipe_receipt_ref: Option<String>,
}

/// StorageReceipt `runtime`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StorageRuntime {
    pub probe_version: String,
    pub runtime_version: String,
    pub provider_id: Option<String>,
    pub model_digest: Option<String>,
    pub tokenizer_digest: Option<String>,
}

/// AgentPlaneRuntimeEvidence (`agentplane-runtime-evidence.schema.json`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuntimeEvidence {
    pub spec_version: &'static str,
    pub id: String,
    pub kind: &'static str,
    pub evidence_type: &'static str,
    pub agent_machine_id: String,
    pub agent_pod_id: String,
    pub provider_id: String,
    pub deployment_receipt_id: String,
    pub policy_fabric: EvidencePolicy,
    pub agent_registry: EvidenceRegistry,
    pub artifacts: EvidenceArtifacts,
    pub storage_receipt_refs: Vec<String>,
    pub cache: EvidenceCache,
    pub runtime: EvidenceRuntime,
    pub receipt_safety: SafetyFlags,
    pub observed_at: String,
    pub labels: Labels,
}

/// Evidence `policyFabric`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EvidencePolicy {
    pub required: bool,
    pub decision_ref: Option<String>,
    pub decision_digest: Option<String>,
    pub admission_status: String,
    pub expires_at: Option<String>,
}

/// Evidence `agentRegistry`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EvidenceRegistry {
    pub required: bool,
    pub grant_ref: Option<String>,
    pub grant_digest: Option<String>,
    pub grant_status: String,
    pub revocation_ref: Option<String>,
    pub expires_at: Option<String>,
}

/// Evidence `artifacts`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EvidenceArtifacts {
    pub image_ref: Option<String>,
    pub image_digest: Option<String>,
    pub model_digest: Option<String>,
    pub tokenizer_digest: Option<String>,
    pub manifest_digest: Option<String>,
    pub sbom_ref: Option<String>,
    pub provenance_ref: Option<String>,
}

/// Evidence `cache`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EvidenceCache {
    pub cache_reuse_requested: bool,
    pub cache_reuse_allowed: bool,
    pub cache_policy_ref: Option<String>,
    pub cache_receipt_refs: Vec<String>,
    pub cache_reuse_decision_ref: Option<String>,
}

/// Evidence `runtime`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EvidenceRuntime {
    pub status: &'static str,
    pub runtime_version: String,
    pub probe_version: String,
    pub node_name: Option<String>,
    pub namespace: Option<String>,
    pub service_account_name: Option<String>,
    pub failure_reason: Option<String>,
}

/// A PolicyAdmission request: upstream's `missing` admission stub, with the
/// scope the pod needs listed under `scope.denied` until Policy Fabric decides.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    pub spec_version: &'static str,
    pub id: String,
    pub kind: &'static str,
    pub request: AdmissionRequestBody,
    pub decision: MissingDecision,
    pub scope: AdmissionScopes,
    pub obligations: AdmissionObligations,
    pub receipt_safety: SafetyFlags,
    pub decided_at: String,
    pub labels: Labels,
}

/// PolicyAdmission `request`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequestBody {
    pub request_id: String,
    pub request_type: &'static str,
    pub agent_machine_id: String,
    pub agent_pod_id: String,
    pub provider_id: Option<String>,
    pub deployment_receipt_id: String,
    pub plan_digest: Option<String>,
    pub manifest_digest: Option<String>,
}

/// PolicyAdmission `decision` of a request: `missing`, nothing granted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MissingDecision {
    pub status: &'static str,
    pub authorization_granted: bool,
    pub decision_ref: Option<String>,
    pub decision_digest: Option<String>,
    pub reason: String,
}

/// PolicyAdmission `scope`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AdmissionScopes {
    pub allowed: AdmissionScope,
    pub denied: AdmissionScope,
}

/// One PolicyAdmission scope.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdmissionScope {
    pub network_exposure: Vec<String>,
    pub storage_classes: Vec<String>,
    pub volume_classes: Vec<String>,
    pub provider_ids: Vec<String>,
    pub cache_reuse: bool,
    pub side_effects: Vec<String>,
}

/// PolicyAdmission `obligations`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdmissionObligations {
    pub required_receipts: Vec<String>,
    pub expires_at: Option<String>,
    pub revocation_ref: Option<String>,
    pub constraints: Vec<String>,
}

/// An AgentRegistryGrant request: upstream's `missing` grant stub whose
/// denied scope equals the requested scope.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GrantRequest {
    pub spec_version: &'static str,
    pub id: String,
    pub kind: &'static str,
    pub request: GrantRequestBody,
    pub grant: MissingGrant,
    pub scope: GrantScopes,
    pub receipt_safety: SafetyFlags,
    pub issued_at: String,
    pub labels: Labels,
}

/// AgentRegistryGrant `request`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GrantRequestBody {
    pub request_id: String,
    pub agent_machine_id: Option<String>,
    pub agent_pod_id: String,
    pub requested_agent_identity_ref: String,
    pub session_ref: String,
    pub workroom_ref: Option<String>,
    pub topic_ref: Option<String>,
    pub requested_scope: RegistryScope,
    pub requested_expires_at: Option<String>,
}

/// AgentRegistryGrant `grant` of a request: `missing`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MissingGrant {
    pub status: &'static str,
    pub authorization_granted: bool,
    pub grant_ref: Option<String>,
    pub grant_digest: Option<String>,
    pub reason: String,
    pub expires_at: Option<String>,
    pub revocation_status: &'static str,
    pub revocation_ref: Option<String>,
    pub revocation_hook_ref: Option<String>,
    pub external_trust_signals: Vec<ExternalTrustSignal>,
}

/// An external trust signal of an AgentRegistryGrant (verifier input, never
/// authoritative). amc writes none: a grant it emits is a missing one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExternalTrustSignal {
    pub provider_ref: String,
    pub signal_type: &'static str,
    pub signal_ref: String,
    pub signal_digest: String,
    pub verified_at: String,
    pub authority: &'static str,
}

/// AgentRegistryGrant `scope`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct GrantScopes {
    pub allowed: RegistryScope,
    pub denied: RegistryScope,
}

/// The seven registry scope lists.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RegistryScope {
    pub provider_ids: Vec<String>,
    pub model_refs: Vec<String>,
    pub tool_refs: Vec<String>,
    pub cache_scope_refs: Vec<String>,
    pub memory_scope_refs: Vec<String>,
    pub storage_scope_refs: Vec<String>,
    pub evidence_scope_refs: Vec<String>,
}
