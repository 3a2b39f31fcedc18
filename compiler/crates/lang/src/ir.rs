//! The typed intermediate representation of a spec.
//!
//! Produced by `lower` from shape-checked syntax trees, consumed by `check`,
//! `solve` and `emit`. Every definition and value that a later stage may
//! complain about keeps its source [`Span`]. Values are already parsed
//! (sizes in bytes, durations in seconds, CPU in millicores). Defaults are
//! NOT applied here: `None` means "not written", so checks can tell.

use std::collections::BTreeMap;

pub use crate::id::{ClusterId, Id, MachineId, ModelId, PodId, PoolId, ProviderId, TierId};
pub use crate::lang::vocab::{
    Accelerator, AccessMode, ApiSurface, Arch, Capability, Durability, EncryptionMode, Envelope,
    Eviction, Exposure, GpuVendor, ImagePolicy, ModelFormat, NetworkMode, OciMedia, Os,
    ProviderRuntime, ProviderStatus, ProviderType, Purpose, ResidencyTier, RestartPolicy,
    Sensitivity, StorageBackend, TaintEffect, Tier, VolumeClass, WorkloadPurpose,
};
use amc_syntax::source::Span;

/// A value with the span it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    /// The name as the id of a definition of kind `K`, same span.
    pub fn into_id<K>(self) -> Spanned<Id<K>> {
        Spanned::new(Id::new(self.value), self.span)
    }
}

/// The whole spec after lowering.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// Machines, in definition order.
    pub machines: Vec<Machine>,
    /// Providers (stdlib and user, after `extends`).
    pub providers: Vec<Provider>,
    /// Models.
    pub models: Vec<Model>,
    /// Cache tiers.
    pub cache_tiers: Vec<CacheTier>,
    /// Pods.
    pub pods: Vec<Pod>,
    /// Clusters.
    pub clusters: Vec<Cluster>,
    /// Platform profiles (stdlib).
    pub profiles: Vec<Profile>,
    /// Placement objective weights (stdlib default, then the spec's).
    pub placement_weights: Vec<PlacementWeights>,
}

impl Spec {
    /// Machine by id.
    pub fn machine(&self, id: &str) -> Option<&Machine> {
        self.machines.iter().find(|m| m.id.value == id)
    }
    /// Provider by id.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|m| m.id.value == id)
    }
    /// Model by id.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id.value == id)
    }
    /// Cache tier by id.
    pub fn cache_tier(&self, id: &str) -> Option<&CacheTier> {
        self.cache_tiers.iter().find(|m| m.id.value == id)
    }
    /// Cluster by id.
    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|m| m.id.value == id)
    }
    /// Profile by name.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|m| m.name.value == name)
    }
}

/// Where a definition came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The user's spec.
    Spec,
    /// The embedded standard library.
    Stdlib,
}

/// A GPU model in a machine.
#[derive(Debug, Clone)]
pub struct Gpu {
    /// Model name.
    pub model: String,
    /// Vendor.
    pub vendor: GpuVendor,
    /// VRAM per GPU in bytes.
    pub vram: u64,
    /// How many.
    pub count: u32,
    /// Where declared.
    pub span: Span,
}

/// Inline capacity.
#[derive(Debug, Clone, Default)]
pub struct Capacity {
    /// CPU in millicores.
    pub cpu_milli: Option<Spanned<u64>>,
    /// Memory in bytes.
    pub memory: Option<Spanned<u64>>,
    /// GPUs.
    pub gpus: Vec<Gpu>,
    /// Accelerator APIs.
    pub accelerators: Vec<Spanned<Accelerator>>,
    /// Span of the `capacity` node, if written.
    pub span: Option<Span>,
    /// Span of the whole `capacity` node, children included, if written.
    pub block: Option<Span>,
}

/// A storage pool.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Pool id.
    pub id: Spanned<PoolId>,
    /// Backend.
    pub backend: StorageBackend,
    /// Capacity in bytes.
    pub capacity: Spanned<u64>,
    /// Host path.
    pub path: Option<String>,
    /// Encryption mode.
    pub encryption: Option<EncryptionMode>,
    /// LVM volume group.
    pub volume_group: Option<String>,
    /// LVM thin pool.
    pub thin_pool: Option<String>,
    /// Filesystem type.
    pub filesystem: Option<String>,
    /// Read bandwidth, bytes per second.
    pub read_bandwidth: Option<u64>,
    /// The node.
    pub span: Span,
}

/// A model resident on a machine.
#[derive(Debug, Clone)]
pub struct Resident {
    /// Model id.
    pub model: Spanned<ModelId>,
    /// vram, ram or nvme.
    pub tier: ResidencyTier,
}

/// A cache already warm on a machine, keyed like a pod's `cache-key`.
#[derive(Debug, Clone)]
pub struct WarmCache {
    /// Content hash.
    pub hash: Spanned<String>,
    /// Tenant that owns it.
    pub tenant: String,
    /// Policy scope (default `default`).
    pub scope: String,
}

/// Bandwidths in bytes per second (None: the placement weights' default).
#[derive(Debug, Clone, Default)]
pub struct Bandwidths {
    /// Network / registry download.
    pub network: Option<u64>,
    /// Local NVMe read.
    pub nvme: Option<u64>,
    /// RAM (page cache) to accelerator.
    pub ram: Option<u64>,
}

/// `machine`.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Id (span: the id argument).
    pub id: Spanned<MachineId>,
    /// Span of the whole node head.
    pub head: Span,
    /// Span of the whole node, block included.
    pub span: Span,
    /// Description.
    pub description: Option<String>,
    /// Profile name.
    pub profile: Spanned<String>,
    /// Facts file path (relative to the spec root).
    pub facts: Option<Spanned<String>>,
    /// AttestationDecision file path (relative to the spec root).
    pub attestation: Option<Spanned<String>>,
    /// Inline capacity.
    pub capacity: Capacity,
    /// Storage pools.
    pub pools: Vec<Pool>,
    /// Resident models.
    pub resident: Vec<Resident>,
    /// Warm caches.
    pub warm: Vec<WarmCache>,
    /// Zone (failure domain), if declared.
    pub zone: Option<Spanned<String>>,
    /// Load bandwidths.
    pub bandwidth: Bandwidths,
    /// Runtime envelopes (None when not written).
    pub runtimes: Option<Spanned<Vec<Envelope>>>,
    /// Hugging Face endpoint for staging (`hf-endpoint`).
    pub hf_endpoint: Option<Spanned<String>>,
    /// Image that runs staging (`staging-image`).
    pub staging_image: Option<Spanned<String>>,
    /// The machine runs an image-mode (bootc) OS (`bootc #true`).
    pub bootc: bool,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// A provider image.
#[derive(Debug, Clone)]
pub struct Image {
    /// Reference as written.
    pub reference: String,
    /// Accelerator it is built for.
    pub accelerator: Option<Accelerator>,
    /// Digest given as a property.
    pub digest: Option<String>,
    /// Where declared.
    pub span: Span,
}

/// `provider`.
#[derive(Debug, Clone)]
pub struct Provider {
    /// Id.
    pub id: Spanned<ProviderId>,
    /// Head span.
    pub head: Span,
    /// Stdlib or spec.
    pub origin: Origin,
    /// Description.
    pub description: Option<String>,
    /// Provider type.
    pub provider_type: Option<Spanned<ProviderType>>,
    /// Status.
    pub status: Option<ProviderStatus>,
    /// container, local-process or remote-endpoint.
    pub runtime: Option<ProviderRuntime>,
    /// Images.
    pub images: Vec<Image>,
    /// API surfaces.
    pub api: Vec<ApiSurface>,
    /// Accelerators supported.
    pub accelerators: Vec<Accelerator>,
    /// Model formats.
    pub formats: Vec<ModelFormat>,
    /// Container port.
    pub port: Option<u16>,
    /// Health path.
    pub health: Option<String>,
    /// Health command.
    pub health_cmd: Option<String>,
    /// Entrypoint.
    pub entrypoint: Vec<String>,
    /// Args.
    pub args: Vec<String>,
    /// Capabilities.
    pub capabilities: Vec<Capability>,
    /// Run-as uid.
    pub user: Option<u32>,
    /// Model dir in container.
    pub model_dir: Option<String>,
    /// /dev/shm size the server needs.
    pub shm: Option<u64>,
    /// Flag taking the tensor-parallel degree.
    pub tensor_parallel_arg: Option<String>,
    /// Endpoint.
    pub endpoint: Option<String>,
    /// Env vars.
    pub env: Vec<(String, String)>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// `model`.
#[derive(Debug, Clone)]
pub struct Model {
    /// Id.
    pub id: Spanned<ModelId>,
    /// Head span.
    pub head: Span,
    /// Description.
    pub description: Option<String>,
    /// Where the files come from (`None`: none written; check reports it).
    pub source: Option<Spanned<ModelSource>>,
    /// Every source node written (more than one is an error).
    pub sources_written: usize,
    /// The legacy `source "URI"` spelling, when that is how it was written.
    pub legacy: Option<Legacy>,
    /// The files, in the order written.
    pub files: Vec<ModelFile>,
    /// What the server loads, relative to the model directory.
    pub entry: Option<Spanned<String>>,
    /// `allow-unpinned #true`.
    pub allow_unpinned: bool,
    /// The model digest: the one file's sha256, or the sha256 of the checksum
    /// list of all files (`None` when a file has no sha256).
    pub digest: Option<String>,
    /// Format.
    pub format: Spanned<ModelFormat>,
    /// Size in bytes (declared, else the sum of the files' sizes).
    pub size: u64,
    /// Where `size` was written (`None`: summed from the files).
    pub size_span: Option<Span>,
    /// Quantisation.
    pub quantization: Option<String>,
    /// Tokenizer digest.
    pub tokenizer_digest: Option<String>,
    /// Memory need.
    pub memory: Option<u64>,
    /// VRAM need.
    pub vram: Option<u64>,
    /// Attention heads (tensor parallelism must divide them).
    pub attention_heads: Option<Spanned<u64>>,
    /// URN.
    pub reference: Option<String>,
}

/// Where a model's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A Hugging Face repository at a revision.
    Hf {
        /// `org/name`.
        repo: String,
        /// The revision as written (a pin only when it is a 40-hex commit).
        revision: Option<Spanned<String>>,
    },
    /// An OCI image or artifact.
    Oci {
        /// The reference (pinned only with `@sha256:`).
        reference: String,
        /// `image` or `artifact`.
        artifact: bool,
    },
    /// An HTTP(S) URL: a directory when it ends with `/`, else the one file.
    Url {
        /// The URL.
        url: String,
    },
    /// A directory on the host.
    Path {
        /// Absolute path.
        path: String,
    },
}

/// The legacy `source "URI"` (+ `digest`, `file`) spelling of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legacy {
    /// The `source` node's span.
    pub span: Span,
    /// The URI as written.
    pub uri: String,
    /// Spans of the legacy `digest` and `file` nodes, if written.
    pub digest_span: Option<Span>,
    /// Span of the legacy single `file` node.
    pub file_span: Option<Span>,
}

/// One file of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    /// Path inside the model directory.
    pub path: Spanned<String>,
    /// sha256 (64 hex), when given.
    pub sha256: Option<String>,
    /// Size in bytes, when given.
    pub size: Option<u64>,
}

impl Model {
    /// The path the server loads, relative to the models directory of the
    /// container: `<model id>/<entry>`, where the entry defaults to the only
    /// file, else the model's directory itself.
    pub fn entry_path(&self) -> String {
        let entry = match (&self.entry, self.files.as_slice()) {
            (Some(e), _) => Some(e.value.clone()),
            (None, [one]) => Some(one.path.value.clone()),
            _ => None,
        };
        match entry {
            Some(e) => format!("{}/{e}", self.id.value),
            None => self.id.value.to_string(),
        }
    }

    /// The `sha256sum -c` list of the files: `<hex>  <path>` lines, sorted by
    /// path; `None` when a file has no sha256.
    pub fn checksum_list(&self) -> Option<String> {
        let mut lines: Vec<(String, String)> = Vec::new();
        for f in &self.files {
            lines.push((f.path.value.clone(), f.sha256.clone()?));
        }
        lines.sort();
        Some(lines.iter().map(|(p, h)| format!("{h}  {p}\n")).collect())
    }

    /// Memory needed on CPU (declared, else size + 20%).
    pub fn memory_need(&self) -> u64 {
        self.memory
            .unwrap_or_else(|| self.size.saturating_add(self.size / 5))
    }
    /// VRAM needed on GPU (declared, else size + 20%).
    pub fn vram_need(&self) -> u64 {
        self.vram
            .unwrap_or_else(|| self.size.saturating_add(self.size / 5))
    }
    /// URN used in grants.
    pub fn urn(&self) -> String {
        self.reference
            .clone()
            .unwrap_or_else(|| format!("urn:srcos:model:{}", self.id.value))
    }
}

/// `cache-tier`.
#[derive(Debug, Clone)]
pub struct CacheTier {
    /// Id.
    pub id: Spanned<TierId>,
    /// Head span.
    pub head: Span,
    /// Description.
    pub description: Option<String>,
    /// Backend.
    pub backend: Spanned<StorageBackend>,
    /// Volume class.
    pub volume_class: VolumeClass,
    /// Tier.
    pub tier: Tier,
    /// Purposes.
    pub purpose: Vec<Purpose>,
    /// Sensitivity.
    pub sensitivity: Sensitivity,
    /// Durability.
    pub durability: Durability,
    /// TTL seconds.
    pub ttl: Option<u64>,
    /// Eviction policy.
    pub eviction: Eviction,
    /// Wipe receipt required.
    pub wipe_receipt_required: bool,
    /// Snapshots allowed.
    pub snapshot_allowed: bool,
    /// Encryption mode.
    pub encryption: Option<EncryptionMode>,
    /// Encryption required.
    pub encryption_required: bool,
    /// Quota bytes.
    pub quota: Option<u64>,
    /// Reserved bytes.
    pub reserved: Option<u64>,
    /// Max inodes.
    pub max_inodes: Option<u64>,
    /// Mount path.
    pub mount_path: String,
    /// Access mode.
    pub access: AccessMode,
    /// Filesystem.
    pub filesystem: Option<String>,
    /// Mount options.
    pub mount_options: Vec<String>,
    /// Pool id.
    pub pool: Option<Spanned<PoolId>>,
    /// Policy domain.
    pub policy_domain: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// Size of a volume of a tier without a quota.
pub const DEFAULT_VOLUME_SIZE: u64 = 10 << 30;

impl CacheTier {
    /// The size of one volume of this tier: its quota, else 10 GiB.
    pub fn volume_size(&self) -> u64 {
        self.quota.unwrap_or(DEFAULT_VOLUME_SIZE)
    }
}

/// Pod resources.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    /// CPU request in millicores.
    pub cpu: Option<u64>,
    /// CPU limit.
    pub cpu_limit: Option<u64>,
    /// Memory request.
    pub memory: Option<u64>,
    /// Memory limit.
    pub memory_limit: Option<u64>,
    /// GPUs.
    pub gpus: Option<u32>,
    /// VRAM per replica.
    pub vram: Option<u64>,
    /// The node.
    pub span: Option<Span>,
}

/// An accelerator a pod uses.
#[derive(Debug, Clone)]
pub struct PodAccelerator {
    /// API.
    pub api: Spanned<Accelerator>,
    /// Required.
    pub required: bool,
}

/// A volume mount.
#[derive(Debug, Clone)]
pub struct PodVolume {
    /// Cache tier id.
    pub tier: Spanned<TierId>,
    /// Mount path override.
    pub mount: Option<String>,
    /// Access override.
    pub access: Option<AccessMode>,
    /// PersistentVolumeClaim name override.
    pub pvc: Option<Spanned<String>>,
    /// Volume class override (AgentPod only).
    pub class: Option<VolumeClass>,
    /// Sensitivity override (AgentPod only).
    pub sensitive: Option<bool>,
    /// The node.
    pub span: Span,
}

/// A port.
#[derive(Debug, Clone)]
pub struct PodPort {
    /// Name.
    pub name: Spanned<String>,
    /// Container port (None: the provider's).
    pub port: Option<u16>,
    /// Exposure.
    pub exposure: Spanned<Exposure>,
    /// Host port.
    pub host_port: Option<Spanned<u16>>,
    /// Ingress host.
    pub host: Option<String>,
    /// The node.
    pub span: Span,
}

/// Pod policy flags (None: not written).
#[derive(Debug, Clone, Default)]
pub struct PodPolicy {
    /// Policy Fabric required.
    pub policy_fabric_required: Option<bool>,
    /// Agent Registry required.
    pub agent_registry_required: Option<bool>,
    /// Network policy required.
    pub network_policy_required: Option<bool>,
    /// Egress policy required.
    pub egress_policy_required: Option<bool>,
    /// Tool use requires grant.
    pub tool_use_requires_grant: Option<bool>,
    /// Cache reuse requires policy.
    pub cache_reuse_requires_policy: Option<bool>,
    /// allow-privileged (span when written #true).
    pub allow_privileged: Option<Spanned<bool>>,
    /// allow-host-network.
    pub allow_host_network: Option<Spanned<bool>>,
    /// allow-secret-in-spec.
    pub allow_secret_in_spec: Option<Spanned<bool>>,
}

/// Placement constraints.
#[derive(Debug, Clone, Default)]
pub struct PlacementRules {
    /// Pinned machines.
    pub pin: Vec<Spanned<MachineId>>,
    /// Avoided machines.
    pub avoid: Vec<Spanned<MachineId>>,
    /// Required labels.
    pub require_labels: Vec<(String, String, Span)>,
    /// Spread label.
    pub spread: Option<String>,
    /// Pods some replica of which must run on the same machine.
    pub affinity: Vec<Spanned<PodId>>,
    /// Pods no replica of which may run on the same machine.
    pub anti_affinity: Vec<Spanned<PodId>>,
    /// Allowed zones (empty: any).
    pub zones: Vec<Spanned<String>>,
}

/// A cache the pod warms once per machine (prompt prefix, tool schemas, packs).
#[derive(Debug, Clone)]
pub struct CacheKey {
    /// Name (what it is, e.g. `system-prompt`).
    pub name: Spanned<String>,
    /// Content hash.
    pub hash: String,
    /// Policy scope (default `default`).
    pub scope: String,
    /// Prompt tokens to prefill.
    pub tokens: Option<u64>,
    /// Bytes to load (retrieval, memory or repository packs).
    pub size: Option<u64>,
    /// Explicit warm-up cost in ms.
    pub warm_up_ms: Option<u64>,
    /// The node.
    pub span: Span,
}

/// A secret reference.
#[derive(Debug, Clone)]
pub struct SecretRef {
    /// Secret name.
    pub name: String,
    /// Env var.
    pub env: Option<String>,
    /// Key in the Kubernetes Secret.
    pub key: Option<String>,
    /// The node.
    pub span: Span,
}

/// `pod`.
#[derive(Debug, Clone)]
pub struct Pod {
    /// Id.
    pub id: Spanned<PodId>,
    /// Head span.
    pub head: Span,
    /// Description.
    pub description: Option<String>,
    /// Tenant.
    pub tenant: Spanned<String>,
    /// Purpose.
    pub purpose: Option<WorkloadPurpose>,
    /// Provider id.
    pub provider: Spanned<ProviderId>,
    /// Model id.
    pub model: Option<Spanned<ModelId>>,
    /// Replicas.
    pub replicas: u32,
    /// Resources.
    pub resources: Resources,
    /// Accelerators.
    pub accelerators: Vec<PodAccelerator>,
    /// Volumes.
    pub volumes: Vec<PodVolume>,
    /// Ports.
    pub ports: Vec<PodPort>,
    /// Network mode.
    pub network: Option<Spanned<NetworkMode>>,
    /// Restart policy.
    pub restart: Option<RestartPolicy>,
    /// Target.
    pub target: Spanned<String>,
    /// Cluster.
    pub cluster: Option<Spanned<ClusterId>>,
    /// Identity URN.
    pub identity: Option<String>,
    /// Identity required.
    pub identity_required: Option<bool>,
    /// Workload name in the AgentPod (default: the pod id).
    pub workload_name: Option<String>,
    /// Workroom.
    pub workroom: Option<String>,
    /// Topic.
    pub topic: Option<String>,
    /// Policy flags.
    pub policy: PodPolicy,
    /// Admissions by request type.
    pub admissions: BTreeMap<String, Spanned<String>>,
    /// Grant path.
    pub grant: Option<Spanned<String>>,
    /// Placement.
    pub placement: PlacementRules,
    /// Cache keys.
    pub cache_keys: Vec<CacheKey>,
    /// Env.
    pub env: Vec<(Spanned<String>, Spanned<String>)>,
    /// Secrets.
    pub secrets: Vec<SecretRef>,
    /// Args override.
    pub args: Option<Vec<String>>,
    /// /dev/shm size (`shm`), overriding the provider's.
    pub shm: Option<u64>,
    /// Image policy.
    pub image_policy: Option<ImagePolicy>,
    /// SBOM ref.
    pub sbom: Option<String>,
    /// Provenance ref.
    pub provenance: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// `cluster`.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Id.
    pub id: Spanned<ClusterId>,
    /// Head span.
    pub head: Span,
    /// Description.
    pub description: Option<String>,
    /// Namespace.
    pub namespace: String,
    /// Service account.
    pub service_account: Option<String>,
    /// Backend → StorageClass.
    pub storage_classes: BTreeMap<String, String>,
    /// Node machines.
    pub nodes: Vec<Spanned<MachineId>>,
    /// IngressClass.
    pub ingress_class: Option<String>,
    /// Tenant placement: tenant → namespace and quota.
    pub tenants: BTreeMap<String, TenantConfig>,
    /// Whether the cluster mounts OCI image volumes.
    pub image_volumes: bool,
    /// Whether to write `all.yaml` (every resource in one file).
    pub all_yaml: bool,
    /// RuntimeClass of GPU pods.
    pub gpu_runtime_class: Option<String>,
    /// Taints GPU pods tolerate: (key, effect).
    pub gpu_tolerations: Vec<(String, TaintEffect)>,
    /// Hugging Face endpoint for staging.
    pub hf_endpoint: Option<Spanned<String>>,
    /// Image of staging Jobs.
    pub staging_image: Option<Spanned<String>>,
}

/// How one tenant is placed in a cluster.
#[derive(Debug, Clone, Default)]
pub struct TenantConfig {
    /// Namespace (`None`: `<cluster namespace>-<tenant>`).
    pub namespace: Option<Spanned<String>>,
    /// Quota overrides.
    pub quota: TenantQuota,
    /// Where the `tenant` node is.
    pub span: Option<Span>,
}

/// A tenant's ResourceQuota, as written (unset: derived from its pods).
#[derive(Debug, Clone, Default)]
pub struct TenantQuota {
    /// CPU millicores.
    pub cpu_milli: Option<u64>,
    /// Memory bytes.
    pub memory: Option<u64>,
    /// GPUs.
    pub gpus: Option<u64>,
    /// Storage bytes.
    pub storage: Option<u64>,
}

/// A forbidden accelerator.
#[derive(Debug, Clone)]
pub struct Forbid {
    /// API.
    pub api: Accelerator,
    /// Why.
    pub reason: String,
}

/// A backend in preference order.
#[derive(Debug, Clone)]
pub struct Backend {
    /// Provider type.
    pub provider_type: ProviderType,
    /// Accelerator.
    pub accelerator: Accelerator,
    /// Note.
    pub note: Option<String>,
}

/// `profile` (stdlib).
#[derive(Debug, Clone)]
pub struct Profile {
    /// Name.
    pub name: Spanned<String>,
    /// Description.
    pub description: Option<String>,
    /// OS.
    pub os: Os,
    /// Architectures.
    pub arch: Vec<Arch>,
    /// Allowed accelerators.
    pub accelerators: Vec<Accelerator>,
    /// Forbidden accelerators.
    pub forbid: Vec<Forbid>,
    /// Unified memory.
    pub unified_memory: bool,
    /// Runtime envelopes.
    pub runtimes: Vec<Envelope>,
    /// Backend order.
    pub backends: Vec<Backend>,
    /// Attestation required.
    pub attestation_required: bool,
    /// Image digest pinning required before activation.
    pub image_digest_required: bool,
}

/// `placement-weights` (stdlib default; a spec may define its own).
#[derive(Debug, Clone)]
pub struct PlacementWeights {
    /// Name.
    pub name: Spanned<String>,
    /// Stdlib or spec.
    pub origin: Origin,
    /// Default bandwidths.
    pub bandwidth: Bandwidths,
    /// Prompt prefill rate, tokens per second.
    pub prefill_rate: Option<u64>,
    /// Pack load bandwidth, bytes per second.
    pub pack_bandwidth: Option<u64>,
    /// Term multipliers: load, stage, warm, balance.
    pub terms: [Option<u64>; 4],
    /// Balance steps: (threshold ‰, ms per ‰).
    pub balance_steps: Vec<(u64, u64)>,
}
