//! The closed vocabularies of the language.
//!
//! Enum values are spelled exactly as the Agent Machine contracts spell them,
//! so the compiler can emit them unchanged. Pure data: no logic here.

/// A closed vocabulary as a Rust enum: each value has one spelling, the one
/// the contracts use. [`vocabulary!`] declares the enum and its spelling
/// list together, so the two cannot disagree; lowering turns a checked
/// spelling into the enum, and later stages compare enums, not strings.
pub trait Vocabulary: Copy + Eq + Sized + 'static {
    /// The value spelled `s`, if any.
    fn parse(s: &str) -> Option<Self>;
    /// Its spelling.
    fn as_str(self) -> &'static str;
    /// Every spelling, in order.
    fn spellings() -> &'static [&'static str];

    /// How a checked spelling reads: itself, else (a misspelling the shape
    /// check reported as `E0106`) the value its did-you-mean suggests, else
    /// `fallback`. Reading a typo as the value the user most likely meant
    /// keeps later checks from reporting consequences of the typo.
    fn read_or(s: &str, fallback: Self) -> Self {
        Self::read(s).unwrap_or(fallback)
    }

    /// [`Vocabulary::read_or`] without a fallback: `None` for a spelling
    /// nothing is close to.
    fn read(s: &str) -> Option<Self> {
        Self::parse(s).or_else(|| {
            amc_syntax::diagnostics::closest(s, Self::spellings().iter().copied())
                .and_then(Self::parse)
        })
    }
}

/// The spellings of `values`, joined by `sep`.
pub fn join<E: Vocabulary>(values: &[E], sep: &str) -> String {
    values
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(sep)
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
            fn spellings() -> &'static [&'static str] {
                $list
            }
        }

        impl serde::Serialize for $enum {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

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

vocabulary! {
    /// An accelerator API. (Accelerator APIs.)
    pub enum Accelerator => ACCELERATORS {
        /// `cpu`.
        Cpu = "cpu",
        /// `cuda`.
        Cuda = "cuda",
        /// `rocm`.
        Rocm = "rocm",
        /// `vulkan`.
        Vulkan = "vulkan",
        /// `metal`.
        Metal = "metal",
        /// `mlx`.
        Mlx = "mlx",
    }
}

vocabulary! {
    /// A GPU vendor. (GPU vendors.)
    pub enum GpuVendor => GPU_VENDORS {
        /// `nvidia`.
        Nvidia = "nvidia",
        /// `amd`.
        Amd = "amd",
        /// `intel`.
        Intel = "intel",
        /// `apple`.
        Apple = "apple",
        /// `other`.
        Other = "other",
    }
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

vocabulary! {
    /// How a pool or tier is encrypted at rest. (Encryption modes.)
    pub enum EncryptionMode => ENCRYPTION_MODES {
        /// `none`.
        None = "none",
        /// `fscrypt`.
        Fscrypt = "fscrypt",
        /// `luks`.
        Luks = "luks",
        /// `dm-crypt`.
        DmCrypt = "dm-crypt",
        /// `hardware`.
        Hardware = "hardware",
        /// `unknown`.
        Unknown = "unknown",
    }
}

vocabulary! {
    /// Where a resident model is kept on a machine. (Model residency tiers on a machine.)
    pub enum ResidencyTier => RESIDENCY_TIERS {
        /// `vram`.
        Vram = "vram",
        /// `ram`.
        Ram = "ram",
        /// `nvme`.
        Nvme = "nvme",
    }
}

vocabulary! {
    /// A runtime envelope a machine offers. (Runtime envelopes a machine offers.)
    pub enum Envelope => ENVELOPES {
        /// `systemd`.
        Systemd = "systemd",
        /// `podman-quadlet`.
        PodmanQuadlet = "podman-quadlet",
        /// `podman`.
        Podman = "podman",
        /// `bubblewrap`.
        Bubblewrap = "bubblewrap",
        /// `toolbox`.
        Toolbox = "toolbox",
        /// `kubernetes`.
        Kubernetes = "kubernetes",
        /// `none`.
        None = "none",
    }
}

vocabulary! {
    /// An inference provider type. (Inference provider types.)
    pub enum ProviderType => PROVIDER_TYPES {
        /// `llama.cpp`.
        LlamaCpp = "llama.cpp",
        /// `vllm`.
        Vllm = "vllm",
        /// `sglang`.
        Sglang = "sglang",
        /// `omlx`.
        Omlx = "omlx",
        /// `mlx-lm`.
        MlxLm = "mlx-lm",
        /// `ollama-compatible`.
        OllamaCompatible = "ollama-compatible",
        /// `openai-compatible-local`.
        OpenaiCompatibleLocal = "openai-compatible-local",
        /// `anthropic-compatible-local`.
        AnthropicCompatibleLocal = "anthropic-compatible-local",
        /// `remote-governed`.
        RemoteGoverned = "remote-governed",
    }
}

vocabulary! {
    /// A provider status. (Provider status.)
    pub enum ProviderStatus => PROVIDER_STATUS {
        /// `enabled`.
        Enabled = "enabled",
        /// `disabled`.
        Disabled = "disabled",
        /// `probe-only`.
        ProbeOnly = "probe-only",
        /// `unavailable`.
        Unavailable = "unavailable",
    }
}

vocabulary! {
    /// How a provider runs. (How a provider runs.)
    pub enum ProviderRuntime => PROVIDER_RUNTIMES {
        /// `container`.
        Container = "container",
        /// `local-process`.
        LocalProcess = "local-process",
        /// `remote-endpoint`.
        RemoteEndpoint = "remote-endpoint",
    }
}

vocabulary! {
    /// An API surface a provider serves. (API surfaces.)
    pub enum ApiSurface => API_SURFACES {
        /// `openai-chat-completions`.
        OpenaiChatCompletions = "openai-chat-completions",
        /// `openai-completions`.
        OpenaiCompletions = "openai-completions",
        /// `openai-embeddings`.
        OpenaiEmbeddings = "openai-embeddings",
        /// `openai-rerank`.
        OpenaiRerank = "openai-rerank",
        /// `anthropic-messages`.
        AnthropicMessages = "anthropic-messages",
        /// `mcp-tools`.
        McpTools = "mcp-tools",
        /// `vlm`.
        Vlm = "vlm",
        /// `ocr`.
        Ocr = "ocr",
        /// `native-cli`.
        NativeCli = "native-cli",
        /// `native-http`.
        NativeHttp = "native-http",
    }
}

vocabulary! {
    /// A provider capability. (Provider capabilities.)
    pub enum Capability => CAPABILITIES {
        /// `text-generation`.
        TextGeneration = "text-generation",
        /// `tool-calling`.
        ToolCalling = "tool-calling",
        /// `embeddings`.
        Embeddings = "embeddings",
        /// `reranking`.
        Reranking = "reranking",
        /// `vision`.
        Vision = "vision",
        /// `ocr`.
        Ocr = "ocr",
        /// `continuous-batching`.
        ContinuousBatching = "continuous-batching",
        /// `prefix-cache`.
        PrefixCache = "prefix-cache",
        /// `kv-cache`.
        KvCache = "kv-cache",
    }
}

vocabulary! {
    /// A model file format. (Model formats.)
    pub enum ModelFormat => MODEL_FORMATS {
        /// `gguf`.
        Gguf = "gguf",
        /// `safetensors`.
        Safetensors = "safetensors",
        /// `mlx`.
        Mlx = "mlx",
        /// `onnx`.
        Onnx = "onnx",
    }
}

vocabulary! {
    /// A volume class. (Volume classes.)
    pub enum VolumeClass => VOLUME_CLASSES {
        /// `agent-models`.
        AgentModels = "agent-models",
        /// `agent-cache-hot`.
        AgentCacheHot = "agent-cache-hot",
        /// `agent-cache-warm`.
        AgentCacheWarm = "agent-cache-warm",
        /// `agent-cache-cold`.
        AgentCacheCold = "agent-cache-cold",
        /// `agent-scratch`.
        AgentScratch = "agent-scratch",
        /// `agent-evidence`.
        AgentEvidence = "agent-evidence",
        /// `agent-artifacts`.
        AgentArtifacts = "agent-artifacts",
    }
}

vocabulary! {
    /// A cache tier. (Cache tiers.)
    pub enum Tier => TIERS {
        /// `hot`.
        Hot = "hot",
        /// `warm`.
        Warm = "warm",
        /// `cold`.
        Cold = "cold",
        /// `scratch`.
        Scratch = "scratch",
        /// `evidence`.
        Evidence = "evidence",
        /// `artifact`.
        Artifact = "artifact",
        /// `model`.
        Model = "model",
    }
}

vocabulary! {
    /// What a cache tier holds. (Cache purposes.)
    pub enum Purpose => PURPOSES {
        /// `model-artifacts`.
        ModelArtifacts = "model-artifacts",
        /// `tokenizer-assets`.
        TokenizerAssets = "tokenizer-assets",
        /// `kv-cache`.
        KvCache = "kv-cache",
        /// `prompt-prefix-cache`.
        PromptPrefixCache = "prompt-prefix-cache",
        /// `embedding-index`.
        EmbeddingIndex = "embedding-index",
        /// `reranker-state`.
        RerankerState = "reranker-state",
        /// `retrieval-pack`.
        RetrievalPack = "retrieval-pack",
        /// `scratch-workspace`.
        ScratchWorkspace = "scratch-workspace",
        /// `execution-evidence`.
        ExecutionEvidence = "execution-evidence",
        /// `user-artifact`.
        UserArtifact = "user-artifact",
    }
}

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

vocabulary! {
    /// An eviction policy. (Eviction policies.)
    pub enum Eviction => EVICTION {
        /// `manual`.
        Manual = "manual",
        /// `lru`.
        Lru = "lru",
        /// `ttl`.
        Ttl = "ttl",
        /// `quota`.
        Quota = "quota",
        /// `policy`.
        Policy = "policy",
        /// `none`.
        None = "none",
    }
}

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

vocabulary! {
    /// What a pod is for. (Workload purposes.)
    pub enum WorkloadPurpose => WORKLOAD_PURPOSES {
        /// `inference-provider`.
        InferenceProvider = "inference-provider",
        /// `agent-runner`.
        AgentRunner = "agent-runner",
        /// `browser-runtime`.
        BrowserRuntime = "browser-runtime",
        /// `terminal-runtime`.
        TerminalRuntime = "terminal-runtime",
        /// `tool-runner`.
        ToolRunner = "tool-runner",
        /// `workspace-job`.
        WorkspaceJob = "workspace-job",
        /// `probe-job`.
        ProbeJob = "probe-job",
        /// `other`.
        Other = "other",
    }
}

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

vocabulary! {
    /// How a pod's images must be referenced. (Image reference policies.)
    pub enum ImagePolicy => IMAGE_POLICIES {
        /// `tag-allowed-bootstrap`.
        TagAllowedBootstrap = "tag-allowed-bootstrap",
        /// `digest-required`.
        DigestRequired = "digest-required",
        /// `digest-pinned`.
        DigestPinned = "digest-pinned",
    }
}

vocabulary! {
    /// A PolicyAdmission request type a pod may reference. (PolicyAdmission request types a pod may reference.)
    pub enum RequestType => REQUEST_TYPES {
        /// `placement`.
        Placement = "placement",
        /// `activation`.
        Activation = "activation",
        /// `render`.
        Render = "render",
        /// `cache-reuse`.
        CacheReuse = "cache-reuse",
        /// `side-effect`.
        SideEffect = "side-effect",
        /// `teardown`.
        Teardown = "teardown",
        /// `wipe`.
        Wipe = "wipe",
    }
}

vocabulary! {
    /// A Kubernetes taint effect. (Kubernetes taint effects.)
    pub enum TaintEffect => TAINT_EFFECTS {
        /// `NoSchedule`.
        NoSchedule = "NoSchedule",
        /// `PreferNoSchedule`.
        PreferNoSchedule = "PreferNoSchedule",
        /// `NoExecute`.
        NoExecute = "NoExecute",
    }
}

vocabulary! {
    /// What an `oci` model source is. (What an `oci` model source is.)
    pub enum OciMedia => OCI_MEDIA {
        /// `image`.
        Image = "image",
        /// `artifact`.
        Artifact = "artifact",
    }
}

vocabulary! {
    /// An operating system of a profile. (Operating systems of a profile.)
    pub enum Os => OPERATING_SYSTEMS {
        /// `linux`.
        Linux = "linux",
        /// `macos`.
        Macos = "macos",
    }
}

vocabulary! {
    /// A CPU architecture. (CPU architectures.)
    pub enum Arch => ARCHES {
        /// `x86_64`.
        X86_64 = "x86_64",
        /// `aarch64`.
        Aarch64 = "aarch64",
    }
}
