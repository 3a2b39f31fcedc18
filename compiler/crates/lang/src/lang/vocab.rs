//! The closed vocabularies of the language.
//!
//! Enum values are spelled exactly as the Agent Machine contracts spell them,
//! so the compiler can emit them unchanged. Pure data: no logic here.

/// Platform profiles (AgentMachine.profile).
pub const PROFILES: &[&str] = &[
    "m2-asahi-linux",
    "sourceos-workstation",
    "fedora-silverblue",
    "linux-gpu-node",
    "linux-edge-node",
    "kubernetes-node",
    "macos-apple-silicon-compat",
];

/// Accelerator APIs.
pub const ACCELERATORS: &[&str] = &["cpu", "cuda", "rocm", "vulkan", "metal", "mlx"];

/// GPU vendors.
pub const GPU_VENDORS: &[&str] = &["nvidia", "amd", "intel", "apple", "other"];

/// A closed vocabulary as a Rust enum: each value has one spelling, the one
/// the contracts use. [`vocabulary!`] declares the enum and its spelling
/// list together, so the two cannot disagree; lowering turns a checked
/// spelling into the enum, and later stages compare enums, not strings.
pub trait Vocabulary: Copy + Eq + Sized + 'static {
    /// The value spelled `s`, if any.
    fn parse(s: &str) -> Option<Self>;
    /// Its spelling.
    fn as_str(self) -> &'static str;
}

/// Declares a vocabulary enum and its spelling list (`NAME`).
macro_rules! vocabulary {
    ($(#[$m:meta])* pub enum $enum:ident => $list:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $enum {
            $($(#[$vm])* $variant),+
        }

        /// The spellings of the enum of the same meaning, in order.
        pub const $list: &[&str] = &[$($s),+];

        impl $enum {
            /// The value spelled `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($s => Some($enum::$variant),)+
                    _ => None,
                }
            }
            /// Its spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($enum::$variant => $s),+
                }
            }
        }

        impl Vocabulary for $enum {
            fn parse(s: &str) -> Option<Self> {
                $enum::parse(s)
            }
            fn as_str(self) -> &'static str {
                $enum::as_str(self)
            }
        }

        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Storage backends (CacheTier.backend, StorageReceipt.backend).
    pub enum StorageBackend => BACKENDS {
        /// A directory on a host file system.
        Filesystem = "filesystem",
        /// An LVM logical volume.
        LocalLvm = "local-lvm",
        /// A TopoLVM persistent volume claim.
        TopolvmK8s = "topolvm-k8s",
        /// Memory.
        Tmpfs = "tmpfs",
        /// An object store.
        ObjectStore = "object-store",
        /// A remote volume.
        RemoteVolume = "remote-volume",
    }
}

/// Encryption modes.
pub const ENCRYPTION_MODES: &[&str] =
    &["none", "fscrypt", "luks", "dm-crypt", "hardware", "unknown"];

/// Model residency tiers on a machine.
pub const RESIDENCY_TIERS: &[&str] = &["vram", "ram", "nvme"];

/// Runtime envelopes a machine offers.
pub const ENVELOPES: &[&str] = &[
    "systemd",
    "podman-quadlet",
    "podman",
    "bubblewrap",
    "toolbox",
    "kubernetes",
    "none",
];

/// Inference provider types.
pub const PROVIDER_TYPES: &[&str] = &[
    "llama.cpp",
    "vllm",
    "sglang",
    "omlx",
    "mlx-lm",
    "ollama-compatible",
    "openai-compatible-local",
    "anthropic-compatible-local",
    "remote-governed",
];

/// Provider status.
pub const PROVIDER_STATUS: &[&str] = &["enabled", "disabled", "probe-only", "unavailable"];

/// How a provider runs.
pub const PROVIDER_RUNTIMES: &[&str] = &["container", "local-process", "remote-endpoint"];

/// API surfaces.
pub const API_SURFACES: &[&str] = &[
    "openai-chat-completions",
    "openai-completions",
    "openai-embeddings",
    "openai-rerank",
    "anthropic-messages",
    "mcp-tools",
    "vlm",
    "ocr",
    "native-cli",
    "native-http",
];

/// Provider capabilities.
pub const CAPABILITIES: &[&str] = &[
    "text-generation",
    "tool-calling",
    "embeddings",
    "reranking",
    "vision",
    "ocr",
    "continuous-batching",
    "prefix-cache",
    "kv-cache",
];

/// Model formats.
pub const MODEL_FORMATS: &[&str] = &["gguf", "safetensors", "mlx", "onnx"];

/// Volume classes.
pub const VOLUME_CLASSES: &[&str] = &[
    "agent-models",
    "agent-cache-hot",
    "agent-cache-warm",
    "agent-cache-cold",
    "agent-scratch",
    "agent-evidence",
    "agent-artifacts",
];

/// Cache tiers.
pub const TIERS: &[&str] = &[
    "hot", "warm", "cold", "scratch", "evidence", "artifact", "model",
];

/// Cache purposes.
pub const PURPOSES: &[&str] = &[
    "model-artifacts",
    "tokenizer-assets",
    "kv-cache",
    "prompt-prefix-cache",
    "embedding-index",
    "reranker-state",
    "retrieval-pack",
    "scratch-workspace",
    "execution-evidence",
    "user-artifact",
];

vocabulary! {
    /// How sensitive a cache tier's content is.
    pub enum Sensitivity => SENSITIVITY {
        /// Public data.
        Public = "public",
        /// Internal data.
        Internal = "internal",
        /// Sensitive data (kept per tenant, wiped on teardown).
        Sensitive = "sensitive",
        /// Secrets.
        Secret = "secret",
        /// A mix of classes.
        Mixed = "mixed",
    }
}

vocabulary! {
    /// How long a cache tier's content is meant to last.
    pub enum Durability => DURABILITY {
        /// Gone when its pod stops.
        Ephemeral = "ephemeral",
        /// Kept while its pod exists; wiped at teardown.
        SemiDurable = "semi-durable",
        /// Kept across teardown.
        Durable = "durable",
    }
}

/// Eviction policies.
pub const EVICTION: &[&str] = &["manual", "lru", "ttl", "quota", "policy", "none"];

vocabulary! {
    /// How a volume may be used.
    pub enum AccessMode => ACCESS_MODES {
        /// Mounted read-only.
        ReadOnly = "read-only",
        /// Mounted read-write.
        ReadWrite = "read-write",
        /// Mounted read-write; the runtime decides what it writes.
        RuntimeManaged = "runtime-managed",
    }
}

/// Workload purposes.
pub const WORKLOAD_PURPOSES: &[&str] = &[
    "inference-provider",
    "agent-runner",
    "browser-runtime",
    "terminal-runtime",
    "tool-runner",
    "workspace-job",
    "probe-job",
    "other",
];

vocabulary! {
    /// Where a port is reachable from.
    pub enum Exposure => EXPOSURES {
        /// Not published.
        None = "none",
        /// The machine's loopback address only.
        Loopback = "loopback",
        /// Every address of the machine.
        Host = "host",
        /// Inside the cluster (a Service).
        Cluster = "cluster",
        /// From outside the cluster, through an Ingress.
        Ingress = "ingress",
    }
}

vocabulary! {
    /// How a pod is networked.
    pub enum NetworkMode => NETWORK_MODES {
        /// No network at all.
        None = "none",
        /// The machine's loopback only.
        Loopback = "loopback",
        /// The tenant's private network (the default).
        Private = "private",
        /// The machine's network namespace (needs `allow-host-network`).
        Host = "host",
    }
}

vocabulary! {
    /// When a pod's container is restarted.
    pub enum RestartPolicy => RESTART_POLICIES {
        /// Never.
        Never = "never",
        /// When it exits with an error (the default).
        OnFailure = "on-failure",
        /// Whenever it exits.
        Always = "always",
        /// As the runtime's policy decides (Quadlet: on failure).
        PolicyManaged = "policy-managed",
    }
}

/// Deployment targets.
pub const TARGETS: &[&str] = &["quadlet", "kubernetes"];

/// Spellings of targets registered at run time (`crate::target::register`),
/// after the built-in [`TARGETS`]. The language owns its vocabulary; the
/// target registry only adds to it.
static TARGET_IDS: std::sync::RwLock<&'static [&'static str]> = std::sync::RwLock::new(TARGETS);

/// Every target spelling: the built-in ones, then those registered.
pub fn target_ids() -> &'static [&'static str] {
    TARGET_IDS.read().map(|ids| *ids).unwrap_or(TARGETS)
}

/// Adds a target spelling (once per registration; leaks one small slice).
pub fn add_target_id(id: &'static str) -> Result<(), String> {
    let mut ids = TARGET_IDS
        .write()
        .map_err(|_| "the target vocabulary is poisoned".to_string())?;
    if ids.contains(&id) {
        return Err(format!("a target `{id}` is already registered"));
    }
    let mut next: Vec<&'static str> = ids.to_vec();
    next.push(id);
    *ids = Box::leak(next.into_boxed_slice());
    Ok(())
}

/// Image reference policies.
pub const IMAGE_POLICIES: &[&str] = &["tag-allowed-bootstrap", "digest-required", "digest-pinned"];

/// PolicyAdmission request types a pod may reference.
pub const REQUEST_TYPES: &[&str] = &[
    "placement",
    "activation",
    "render",
    "cache-reuse",
    "side-effect",
    "teardown",
    "wipe",
];

/// Kubernetes taint effects.
pub const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// What an `oci` model source is.
pub const OCI_MEDIA: &[&str] = &["image", "artifact"];

/// Operating systems of a profile.
pub const OPERATING_SYSTEMS: &[&str] = &["linux", "macos"];

/// CPU architectures.
pub const ARCHES: &[&str] = &["x86_64", "aarch64"];
