//! One line of documentation for every value of every vocabulary in
//! [`super::vocab`].
//!
//! Pure data, read by editor hover and completion. docs/language.md §7 lists
//! the same lines (a docs test keeps them equal), and a unit test checks that
//! every vocabulary value has exactly one entry here. Never decides what is
//! valid: `vocab.rs` and the catalogue do.

use super::vocab::*;

/// A closed vocabulary with a title and a line per value.
#[derive(Debug)]
pub struct Vocabulary {
    /// Title, as the `###` heading in docs/language.md §7.
    pub title: &'static str,
    /// The values, as in `vocab.rs`.
    pub values: &'static [&'static str],
    /// `(value, documentation)` for every value, in the same order.
    pub docs: &'static [(&'static str, &'static str)],
}

impl Vocabulary {
    /// The documentation of one value.
    pub fn doc(&self, value: &str) -> Option<&'static str> {
        self.docs.iter().find(|(v, _)| *v == value).map(|(_, d)| *d)
    }
}

/// The vocabulary whose values are exactly `values` (as in `Ty::Enum`).
pub fn vocabulary_of(values: &[&str]) -> Option<&'static Vocabulary> {
    VOCABULARIES.iter().find(|v| v.values == values)
}

/// Every vocabulary, in the order of docs/language.md §7.
pub static VOCABULARIES: &[Vocabulary] = &[
    Vocabulary {
        title: "Profiles",
        values: PROFILES,
        docs: &[
            (
                "m2-asahi-linux",
                "Linux (Fedora Asahi Remix) on Apple Silicon: CPU baseline, Vulkan probe-gated; no Metal or MLX.",
            ),
            (
                "sourceos-workstation",
                "SourceOS Linux workstation with optional NVIDIA, AMD or Vulkan GPUs; rootless Podman with Quadlet.",
            ),
            (
                "fedora-silverblue",
                "Fedora Silverblue or another immutable rpm-ostree desktop: workloads run only in containers.",
            ),
            (
                "linux-gpu-node",
                "Linux GPU server (CUDA or ROCm) serving models to other machines; GPU-first backends.",
            ),
            (
                "linux-edge-node",
                "Small Linux edge device, usually CPU-only or with an integrated GPU; llama.cpp first.",
            ),
            (
                "kubernetes-node",
                "Linux node of a Kubernetes cluster; pods become Kubernetes manifests.",
            ),
            (
                "macos-apple-silicon-compat",
                "macOS on Apple Silicon, compatibility only: Metal/MLX local processes; activation needs attestation.",
            ),
        ],
    },
    Vocabulary {
        title: "Accelerators",
        values: ACCELERATORS,
        docs: &[
            ("cpu", "Plain CPU inference; always available."),
            ("cuda", "NVIDIA CUDA."),
            ("rocm", "AMD ROCm (HIP)."),
            (
                "vulkan",
                "Vulkan compute, vendor-neutral (including Asahi's Honeykrisp driver).",
            ),
            ("metal", "Apple Metal; macOS only."),
            ("mlx", "Apple MLX; macOS on Apple Silicon only."),
        ],
    },
    Vocabulary {
        title: "GPU vendors",
        values: GPU_VENDORS,
        docs: &[
            ("nvidia", "NVIDIA."),
            ("amd", "AMD."),
            ("intel", "Intel."),
            ("apple", "Apple (M-series integrated GPU)."),
            ("other", "Any other vendor."),
        ],
    },
    Vocabulary {
        title: "Backends",
        values: BACKENDS,
        docs: &[
            ("filesystem", "A directory on a host filesystem."),
            (
                "local-lvm",
                "A logical volume on local LVM (thin-provisioned), optionally LUKS-encrypted.",
            ),
            (
                "topolvm-k8s",
                "A Kubernetes PersistentVolumeClaim provisioned by TopoLVM.",
            ),
            ("tmpfs", "Memory-backed; contents are lost on restart."),
            ("object-store", "An object store (S3-compatible)."),
            (
                "remote-volume",
                "A network volume provided by the platform.",
            ),
        ],
    },
    Vocabulary {
        title: "Encryption modes",
        values: ENCRYPTION_MODES,
        docs: &[
            ("none", "Not encrypted at rest."),
            ("fscrypt", "Per-directory filesystem encryption (fscrypt)."),
            ("luks", "Block-device encryption with LUKS."),
            ("dm-crypt", "Block-device encryption with plain dm-crypt."),
            (
                "hardware",
                "Self-encrypting drive or other hardware encryption.",
            ),
            ("unknown", "Encryption state not known."),
        ],
    },
    Vocabulary {
        title: "Residency tiers",
        values: RESIDENCY_TIERS,
        docs: &[
            ("vram", "Loaded in GPU memory."),
            ("ram", "Loaded in host memory."),
            ("nvme", "Present on local NVMe storage."),
        ],
    },
    Vocabulary {
        title: "Envelopes",
        values: ENVELOPES,
        docs: &[
            ("systemd", "systemd services."),
            (
                "podman-quadlet",
                "Rootless Podman containers managed by systemd through Quadlet units.",
            ),
            ("podman", "Plain Podman containers."),
            ("bubblewrap", "Unprivileged bubblewrap sandboxes."),
            ("toolbox", "Toolbox (toolbx) containers."),
            ("kubernetes", "Kubernetes pods."),
            ("none", "No runtime envelope."),
        ],
    },
    Vocabulary {
        title: "Provider types",
        values: PROVIDER_TYPES,
        docs: &[
            (
                "llama.cpp",
                "llama.cpp's `llama-server` (GGUF; CPU, CUDA, ROCm, Vulkan, Metal).",
            ),
            ("vllm", "vLLM's OpenAI-compatible server (CUDA, ROCm)."),
            ("sglang", "SGLang server (CUDA, ROCm)."),
            ("omlx", "oMLX, an MLX server for macOS."),
            ("mlx-lm", "mlx-lm's server (MLX)."),
            (
                "ollama-compatible",
                "Ollama or a server with the Ollama API.",
            ),
            (
                "openai-compatible-local",
                "Any local server with an OpenAI-compatible API (e.g. LocalAI).",
            ),
            (
                "anthropic-compatible-local",
                "Any local server with an Anthropic Messages-compatible API.",
            ),
            (
                "remote-governed",
                "A remote endpoint reached under governance; amc does not deploy it.",
            ),
        ],
    },
    Vocabulary {
        title: "Provider status",
        values: PROVIDER_STATUS,
        docs: &[
            ("enabled", "Usable by pods."),
            ("disabled", "Defined but switched off."),
            (
                "probe-only",
                "Only probed for availability; not for serving.",
            ),
            ("unavailable", "Known not to work on this fleet."),
        ],
    },
    Vocabulary {
        title: "Provider runtimes",
        values: PROVIDER_RUNTIMES,
        docs: &[
            (
                "container",
                "A container image that amc deploys (Quadlet or Kubernetes).",
            ),
            (
                "local-process",
                "A process on the host that amc does not deploy (e.g. on macOS).",
            ),
            (
                "remote-endpoint",
                "A server elsewhere, reached over the network.",
            ),
        ],
    },
    Vocabulary {
        title: "API surfaces",
        values: API_SURFACES,
        docs: &[
            ("openai-chat-completions", "OpenAI `/v1/chat/completions`."),
            ("openai-completions", "OpenAI `/v1/completions`."),
            ("openai-embeddings", "OpenAI `/v1/embeddings`."),
            ("openai-rerank", "A rerank endpoint in the OpenAI style."),
            ("anthropic-messages", "Anthropic `/v1/messages`."),
            ("mcp-tools", "Model Context Protocol tools."),
            ("vlm", "Vision-language model input (images)."),
            ("ocr", "Optical character recognition."),
            ("native-cli", "The server's own command-line interface."),
            ("native-http", "The server's own HTTP API."),
        ],
    },
    Vocabulary {
        title: "Capabilities",
        values: CAPABILITIES,
        docs: &[
            ("text-generation", "Generates text."),
            ("tool-calling", "Structured tool or function calls."),
            ("embeddings", "Produces embeddings."),
            ("reranking", "Reranks documents."),
            ("vision", "Accepts images."),
            ("ocr", "Reads text from images."),
            (
                "continuous-batching",
                "Batches concurrent requests continuously.",
            ),
            (
                "prefix-cache",
                "Reuses the computation of shared prompt prefixes.",
            ),
            (
                "kv-cache",
                "Keeps a KV cache that can live on a cache tier.",
            ),
        ],
    },
    Vocabulary {
        title: "Model formats",
        values: MODEL_FORMATS,
        docs: &[
            ("gguf", "GGUF (llama.cpp, Ollama)."),
            ("safetensors", "Hugging Face safetensors (vLLM, SGLang)."),
            ("mlx", "MLX weights (Apple Silicon)."),
            ("onnx", "ONNX."),
        ],
    },
    Vocabulary {
        title: "Volume classes",
        values: VOLUME_CLASSES,
        docs: &[
            ("agent-models", "Model weights and tokenizers."),
            ("agent-cache-hot", "Hot cache: in memory, lost on restart."),
            (
                "agent-cache-warm",
                "Warm cache: local disk, reused across restarts.",
            ),
            ("agent-cache-cold", "Cold cache: slower, larger storage."),
            ("agent-scratch", "Scratch workspace."),
            ("agent-evidence", "Receipts, probes and decisions."),
            ("agent-artifacts", "Artifacts produced for users."),
        ],
    },
    Vocabulary {
        title: "Tiers",
        values: TIERS,
        docs: &[
            ("hot", "Fastest, volatile."),
            ("warm", "Fast, survives restarts."),
            ("cold", "Slow, large."),
            ("scratch", "Temporary workspace."),
            ("evidence", "Durable evidence."),
            ("artifact", "User artifacts."),
            ("model", "Model storage."),
        ],
    },
    Vocabulary {
        title: "Purposes",
        values: PURPOSES,
        docs: &[
            ("model-artifacts", "Model weights."),
            ("tokenizer-assets", "Tokenizer files."),
            ("kv-cache", "KV cache of running requests."),
            ("prompt-prefix-cache", "Cached prompt prefixes."),
            ("embedding-index", "Embedding indexes."),
            ("reranker-state", "Reranker state."),
            ("retrieval-pack", "Packs of retrieved documents."),
            ("scratch-workspace", "Scratch files of a running task."),
            ("execution-evidence", "Receipts and evidence of what ran."),
            ("user-artifact", "Outputs kept for users."),
        ],
    },
    Vocabulary {
        title: "Sensitivity",
        values: SENSITIVITY,
        docs: &[
            ("public", "May be shared with anyone."),
            ("internal", "Inside the organisation only."),
            ("sensitive", "Restricted; may contain user data."),
            ("secret", "Secrets; the most restricted class."),
            ("mixed", "Content of several classes."),
        ],
    },
    Vocabulary {
        title: "Durability",
        values: DURABILITY,
        docs: &[
            ("ephemeral", "May vanish at any restart."),
            ("semi-durable", "Survives restarts, may be evicted."),
            ("durable", "Kept until removed on purpose."),
        ],
    },
    Vocabulary {
        title: "Eviction",
        values: EVICTION,
        docs: &[
            ("manual", "Only removed by hand."),
            ("lru", "Least recently used entries go first."),
            ("ttl", "Entries expire after the tier's `ttl`."),
            ("quota", "Entries go when the quota is exceeded."),
            ("policy", "Policy Fabric decides."),
            ("none", "Never evicted automatically."),
        ],
    },
    Vocabulary {
        title: "Access modes",
        values: ACCESS_MODES,
        docs: &[
            ("read-only", "Mounted read-only."),
            ("read-write", "Mounted read-write."),
            (
                "runtime-managed",
                "Read-write, with contents managed by the provider's runtime (caches).",
            ),
        ],
    },
    Vocabulary {
        title: "Workload purposes",
        values: WORKLOAD_PURPOSES,
        docs: &[
            ("inference-provider", "Serves a model (the default)."),
            ("agent-runner", "Runs an agent."),
            ("browser-runtime", "A browser for agents."),
            ("terminal-runtime", "A terminal for agents."),
            ("tool-runner", "Runs tools for agents."),
            ("workspace-job", "A job in an agent workspace."),
            ("probe-job", "Probes hosts or providers."),
            ("other", "Anything else."),
        ],
    },
    Vocabulary {
        title: "Exposures",
        values: EXPOSURES,
        docs: &[
            ("none", "Not published outside the pod."),
            ("loopback", "Published on 127.0.0.1 of the host only."),
            ("host", "Published on every address of the host."),
            (
                "cluster",
                "A Kubernetes Service inside the cluster (kubernetes targets).",
            ),
            (
                "ingress",
                "A Kubernetes Ingress with `host` (kubernetes targets).",
            ),
        ],
    },
    Vocabulary {
        title: "Network modes",
        values: NETWORK_MODES,
        docs: &[
            ("none", "No network at all."),
            ("loopback", "Only the pod's own loopback interface."),
            ("private", "A per-tenant private network (the default)."),
            (
                "host",
                "The host's network; never emitted, so it is an error (E0305).",
            ),
        ],
    },
    Vocabulary {
        title: "Restart policies",
        values: RESTART_POLICIES,
        docs: &[
            ("never", "Never restarted."),
            (
                "on-failure",
                "Restarted when it exits with an error (the default).",
            ),
            ("always", "Always restarted."),
            (
                "policy-managed",
                "Upstream's policy-managed: the units restart on failure; the AgentPod says the policy layer decides.",
            ),
        ],
    },
    Vocabulary {
        title: "Targets",
        values: TARGETS,
        docs: &[
            ("quadlet", "Podman Quadlet units for one machine."),
            ("kubernetes", "Kubernetes manifests for a `cluster`."),
        ],
    },
    Vocabulary {
        title: "Taint effects",
        values: TAINT_EFFECTS,
        docs: &[
            (
                "NoSchedule",
                "Pods that do not tolerate the taint are not scheduled on the node.",
            ),
            (
                "PreferNoSchedule",
                "The scheduler avoids the node for pods that do not tolerate the taint.",
            ),
            (
                "NoExecute",
                "Pods that do not tolerate the taint are evicted from the node.",
            ),
        ],
    },
    Vocabulary {
        title: "OCI model media",
        values: OCI_MEDIA,
        docs: &[
            (
                "image",
                "A container image whose filesystem holds the model files (e.g. a ModelCar image): mounted read-only as an image volume (Kubernetes) or `Mount=type=image` (Podman).",
            ),
            (
                "artifact",
                "An OCI artifact whose layers are the model files: a Kubernetes image volume, or `Mount=type=artifact` with a `.artifact` unit (Podman 5.7 or later).",
            ),
        ],
    },
    Vocabulary {
        title: "Image policies",
        values: IMAGE_POLICIES,
        docs: &[
            (
                "tag-allowed-bootstrap",
                "A mutable tag is accepted (with a warning); for bootstrapping only.",
            ),
            ("digest-required", "The image must be pinned by digest."),
            (
                "digest-pinned",
                "The image is pinned by digest (the default when it has one).",
            ),
        ],
    },
    Vocabulary {
        title: "Request types",
        values: REQUEST_TYPES,
        docs: &[
            ("placement", "Placing the pod on a machine."),
            ("activation", "Starting the pod."),
            ("render", "Rendering its artifacts."),
            ("cache-reuse", "Reusing a cache across pods."),
            ("side-effect", "Actions with effects outside the pod."),
            ("teardown", "Stopping and removing the pod."),
            ("wipe", "Wiping its volumes."),
        ],
    },
    Vocabulary {
        title: "Operating systems",
        values: OPERATING_SYSTEMS,
        docs: &[("linux", "Linux."), ("macos", "macOS.")],
    },
    Vocabulary {
        title: "Architectures",
        values: ARCHES,
        docs: &[
            ("x86_64", "64-bit x86 (amd64)."),
            ("aarch64", "64-bit ARM (arm64)."),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_has_one_doc_in_order() {
        for v in VOCABULARIES {
            let documented: Vec<&str> = v.docs.iter().map(|(k, _)| *k).collect();
            assert_eq!(documented, v.values, "vocabulary {}", v.title);
            assert!(v.docs.iter().all(|(_, d)| d.ends_with('.')));
        }
    }

    #[test]
    fn every_enum_in_the_catalogue_has_a_vocabulary() {
        for (path, spec) in crate::lang::spec::all_nodes() {
            let tys = spec
                .args
                .iter()
                .map(|a| a.ty)
                .chain(spec.props.iter().map(|p| p.ty));
            for ty in tys {
                if let Some(values) = ty.enum_values() {
                    assert!(vocabulary_of(values).is_some(), "{path}: {values:?}");
                }
            }
        }
    }
}
