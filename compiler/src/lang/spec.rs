//! The node catalogue: every node the language accepts, with its arguments,
//! properties, children and documentation.
//!
//! One table drives the checker (unknown names with "did you mean", types,
//! arity, repeats, required values), the docs test (every node and property
//! is documented in docs/language.md) and editor hover/completion.

use super::types::{RefKind, Ty};
use super::vocab::*;

/// A positional argument.
#[derive(Debug)]
pub struct ArgSpec {
    /// Name used in docs and messages.
    pub name: &'static str,
    /// Type.
    pub ty: Ty,
    /// Whether it must be given.
    pub required: bool,
    /// Whether it takes all remaining arguments.
    pub variadic: bool,
    /// One-line documentation.
    pub doc: &'static str,
}

/// A `key=value` property.
#[derive(Debug)]
pub struct PropSpec {
    /// Key.
    pub name: &'static str,
    /// Type.
    pub ty: Ty,
    /// Whether it must be given.
    pub required: bool,
    /// One-line documentation.
    pub doc: &'static str,
}

/// A node.
#[derive(Debug)]
pub struct NodeSpec {
    /// Node name.
    pub name: &'static str,
    /// Documentation (a sentence or two).
    pub doc: &'static str,
    /// Positional arguments.
    pub args: &'static [ArgSpec],
    /// Known properties.
    pub props: &'static [PropSpec],
    /// When set, any property key is accepted with this value type (labels).
    pub open_props: Option<Ty>,
    /// Allowed children.
    pub children: &'static [&'static NodeSpec],
    /// Whether the node may appear more than once in its parent.
    pub repeatable: bool,
    /// Whether the node must appear in its parent.
    pub required: bool,
}

impl NodeSpec {
    /// The child spec with this name.
    pub fn child(&self, name: &str) -> Option<&'static NodeSpec> {
        self.children.iter().copied().find(|c| c.name == name)
    }

    /// The property spec with this key.
    pub fn prop(&self, name: &str) -> Option<&'static PropSpec> {
        self.props.iter().find(|p| p.name == name)
    }
}

const fn arg(name: &'static str, ty: Ty, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: true,
        variadic: false,
        doc,
    }
}
const fn opt_arg(name: &'static str, ty: Ty, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: false,
        variadic: false,
        doc,
    }
}
const fn list(name: &'static str, ty: Ty, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        ty,
        required: true,
        variadic: true,
        doc,
    }
}
const fn prop(name: &'static str, ty: Ty, doc: &'static str) -> PropSpec {
    PropSpec {
        name,
        ty,
        required: false,
        doc,
    }
}
const fn req_prop(name: &'static str, ty: Ty, doc: &'static str) -> PropSpec {
    PropSpec {
        name,
        ty,
        required: true,
        doc,
    }
}

/// A leaf node taking one value.
const fn leaf(name: &'static str, args: &'static [ArgSpec], doc: &'static str) -> NodeSpec {
    NodeSpec {
        name,
        doc,
        args,
        props: &[],
        open_props: None,
        children: &[],
        repeatable: false,
        required: false,
    }
}
const fn required(mut n: NodeSpec) -> NodeSpec {
    n.required = true;
    n
}
const fn repeatable(mut n: NodeSpec) -> NodeSpec {
    n.repeatable = true;
    n
}
const fn with_props(mut n: NodeSpec, props: &'static [PropSpec]) -> NodeSpec {
    n.props = props;
    n
}

const PORT: Ty = Ty::Int { min: 1, max: 65535 };
const COUNT: Ty = Ty::Int { min: 1, max: 1024 };

static LABELS: NodeSpec = NodeSpec {
    name: "labels",
    doc: "Free-form labels as properties, e.g. `labels zone=\"lab-1\" rack=\"a\"`. Keys and values are strings.",
    args: &[],
    props: &[],
    open_props: Some(Ty::Str),
    children: &[],
    repeatable: false,
    required: false,
};
static DESCRIPTION: NodeSpec = leaf(
    "description",
    &[arg("text", Ty::Str, "Free text.")],
    "A human description.",
);

// ---------------------------------------------------------------- import

/// `import "std:MODULE"`.
pub static IMPORT: NodeSpec = repeatable(leaf(
    "import",
    &[arg(
        "module",
        Ty::Str,
        "A stdlib module, e.g. \"std:providers\" or \"std:providers/llama-cpp\".",
    )],
    "Brings definitions from the embedded standard library into scope. Files of the spec itself need no import: every `.kdl` file under the spec root is merged.",
));

// ---------------------------------------------------------------- machine

static MACHINE_PROFILE: NodeSpec = required(leaf(
    "profile",
    &[arg("profile", Ty::Enum(PROFILES), "The platform profile.")],
    "The machine's platform profile; it decides which accelerators and provider backends are allowed and in what order.",
));
static MACHINE_FACTS: NodeSpec = leaf(
    "facts",
    &[arg(
        "path",
        Ty::File,
        "Facts file, relative to the spec root.",
    )],
    "A host-facts JSON file (written by `amc probe --out`), validated against contracts/host-facts.schema.json. Capacity not declared inline is taken from it.",
);
static CAP_CPU: NodeSpec = leaf(
    "cpu",
    &[arg("cores", Ty::Cpu, "Schedulable CPU cores.")],
    "CPU cores available to workloads.",
);
static CAP_MEMORY: NodeSpec = leaf(
    "memory",
    &[arg("size", Ty::Size, "Memory size.")],
    "Memory available to workloads.",
);
static CAP_GPU: NodeSpec = repeatable(with_props(
    leaf(
        "gpu",
        &[arg(
            "model",
            Ty::Str,
            "GPU model name, e.g. \"nvidia-l40s\".",
        )],
        "A GPU model installed in the machine.",
    ),
    &[
        req_prop("vendor", Ty::Enum(GPU_VENDORS), "GPU vendor."),
        req_prop("vram", Ty::Size, "Memory per GPU."),
        prop("count", COUNT, "How many of this GPU (default 1)."),
    ],
));
static CAP_ACCELERATORS: NodeSpec = leaf(
    "accelerators",
    &[list("api", Ty::Enum(ACCELERATORS), "Accelerator APIs.")],
    "Accelerator APIs usable on the machine (`cpu` is implied).",
);
static MACHINE_CAPACITY: NodeSpec = NodeSpec {
    name: "capacity",
    doc: "Capacity declared inline. Without a facts file, `cpu` and `memory` are required.",
    args: &[],
    props: &[],
    open_props: None,
    children: &[&CAP_CPU, &CAP_MEMORY, &CAP_GPU, &CAP_ACCELERATORS],
    repeatable: false,
    required: false,
};
static MACHINE_POOL: NodeSpec = repeatable(with_props(
    leaf(
        "storage-pool",
        &[arg("id", Ty::Id, "Pool id, unique within the machine.")],
        "A storage pool on the machine, where cache tiers' volumes live.",
    ),
    &[
        req_prop("backend", Ty::Enum(BACKENDS), "Storage backend."),
        req_prop("capacity", Ty::Size, "Usable size."),
        prop(
            "path",
            Ty::AbsPath,
            "Host directory the pool is mounted at (required for filesystem and local-lvm).",
        ),
        prop(
            "encryption",
            Ty::Enum(ENCRYPTION_MODES),
            "Encryption at rest (default none).",
        ),
        prop("volume-group", Ty::Str, "LVM volume group (local-lvm)."),
        prop("thin-pool", Ty::Str, "LVM thin pool (local-lvm)."),
        prop("filesystem", Ty::Str, "Filesystem type, e.g. \"xfs\"."),
    ],
));
static MACHINE_RESIDENT: NodeSpec = repeatable(with_props(
    leaf(
        "resident-model",
        &[arg("model", Ty::Ref(RefKind::Model), "A model id.")],
        "A model already present on the machine.",
    ),
    &[req_prop(
        "tier",
        Ty::Enum(RESIDENCY_TIERS),
        "Where it resides: vram, ram or nvme.",
    )],
));
static MACHINE_RUNTIMES: NodeSpec = leaf(
    "runtimes",
    &[list("envelope", Ty::Enum(ENVELOPES), "Runtime envelopes.")],
    "Runtime envelopes the machine offers (e.g. podman-quadlet, systemd, kubernetes).",
);

/// `machine "ID" { ... }`.
pub static MACHINE: NodeSpec = NodeSpec {
    name: "machine",
    doc: "A host that can run agent pods: a laptop, workstation, GPU server or Kubernetes node.",
    args: &[arg(
        "id",
        Ty::Id,
        "Machine id; becomes urn:srcos:agent-machine:ID.",
    )],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &MACHINE_PROFILE,
        &MACHINE_FACTS,
        &MACHINE_CAPACITY,
        &MACHINE_POOL,
        &MACHINE_RESIDENT,
        &MACHINE_RUNTIMES,
        &LABELS,
    ],
    repeatable: true,
    required: false,
};

// ---------------------------------------------------------------- provider

static PROVIDER_TYPE: NodeSpec = leaf(
    "type",
    &[arg("type", Ty::Enum(PROVIDER_TYPES), "Provider type.")],
    "The inference server implementation.",
);
static PROVIDER_STATUS_NODE: NodeSpec = leaf(
    "status",
    &[arg("status", Ty::Enum(PROVIDER_STATUS), "Status.")],
    "Provider status (default enabled).",
);
static PROVIDER_RUNTIME: NodeSpec = leaf(
    "runtime",
    &[arg("kind", Ty::Enum(PROVIDER_RUNTIMES), "How it runs.")],
    "How the provider runs: `container` (Quadlet or Kubernetes), `local-process` or `remote-endpoint` (default container).",
);
static PROVIDER_IMAGE: NodeSpec = repeatable(with_props(
    leaf(
        "image",
        &[arg("ref", Ty::Image, "Image reference.")],
        "Container image; one per accelerator when builds differ.",
    ),
    &[
        prop(
            "accelerator",
            Ty::Enum(ACCELERATORS),
            "The accelerator this image is built for (default: any).",
        ),
        prop("digest", Ty::Digest, "Pins the image by digest."),
    ],
));
static PROVIDER_API: NodeSpec = leaf(
    "api",
    &[list("surface", Ty::Enum(API_SURFACES), "API surfaces.")],
    "API surfaces the provider serves.",
);
static PROVIDER_ACCELERATORS: NodeSpec = leaf(
    "accelerators",
    &[list("api", Ty::Enum(ACCELERATORS), "Accelerator APIs.")],
    "Accelerator APIs the provider can use.",
);
static PROVIDER_FORMATS: NodeSpec = leaf(
    "formats",
    &[list("format", Ty::Enum(MODEL_FORMATS), "Model formats.")],
    "Model formats the provider loads.",
);
static PROVIDER_PORT: NodeSpec = leaf(
    "port",
    &[arg("port", PORT, "Port number.")],
    "The port the server listens on inside the container.",
);
static PROVIDER_HEALTH: NodeSpec = leaf(
    "health",
    &[arg("path", Ty::Str, "HTTP path.")],
    "HTTP health-check path, e.g. \"/health\".",
);
static PROVIDER_ENTRYPOINT: NodeSpec = leaf(
    "entrypoint",
    &[list("argv", Ty::Str, "Command and arguments.")],
    "Overrides the image's entrypoint.",
);
static PROVIDER_ARGS: NodeSpec = leaf(
    "args",
    &[list("arg", Ty::Str, "Arguments.")],
    "Arguments passed to the entrypoint. `{port}`, `{model-path}`, `{model-id}` and `{model-dir}` are substituted.",
);
static PROVIDER_CAPABILITIES: NodeSpec = leaf(
    "capabilities",
    &[list("capability", Ty::Enum(CAPABILITIES), "Capabilities.")],
    "What the provider can do (prefix cache, KV cache, continuous batching, tool calling, ...).",
);
static PROVIDER_USER: NodeSpec = leaf(
    "user",
    &[arg(
        "uid",
        Ty::Int {
            min: 1,
            max: 2_147_483_647,
        },
        "Numeric user id.",
    )],
    "Non-root user id the container runs as (default 65532).",
);
static PROVIDER_MODEL_DIR: NodeSpec = leaf(
    "model-dir",
    &[arg("path", Ty::AbsPath, "Path in the container.")],
    "Where the models volume is mounted in the container (default /models).",
);
static PROVIDER_ENDPOINT: NodeSpec = leaf(
    "endpoint",
    &[arg("url", Ty::Str, "URL.")],
    "Endpoint of a local-process or remote provider.",
);
static PROVIDER_HEALTH_CMD: NodeSpec = leaf(
    "health-cmd",
    &[arg("command", Ty::Str, "Shell-free command line.")],
    "Command run inside the container for Quadlet health checks (default: curl of the health path).",
);
static PROVIDER_ENV: NodeSpec = repeatable(leaf(
    "env",
    &[
        arg("name", Ty::Str, "Variable name."),
        arg("value", Ty::Str, "Value."),
    ],
    "An environment variable (not a secret).",
));

/// `provider "ID" { ... }`.
pub static PROVIDER: NodeSpec = NodeSpec {
    name: "provider",
    doc: "An inference server: what runs, from which image, with which APIs, accelerators and capabilities.",
    args: &[arg(
        "id",
        Ty::Id,
        "Provider id; becomes urn:srcos:agent-machine:inference-provider:ID.",
    )],
    props: &[prop(
        "extends",
        Ty::Ref(RefKind::Provider),
        "Base provider; every child node named here replaces the base's nodes of that name.",
    )],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &PROVIDER_TYPE,
        &PROVIDER_STATUS_NODE,
        &PROVIDER_RUNTIME,
        &PROVIDER_IMAGE,
        &PROVIDER_API,
        &PROVIDER_ACCELERATORS,
        &PROVIDER_FORMATS,
        &PROVIDER_PORT,
        &PROVIDER_HEALTH,
        &PROVIDER_HEALTH_CMD,
        &PROVIDER_ENTRYPOINT,
        &PROVIDER_ARGS,
        &PROVIDER_CAPABILITIES,
        &PROVIDER_USER,
        &PROVIDER_MODEL_DIR,
        &PROVIDER_ENDPOINT,
        &PROVIDER_ENV,
        &LABELS,
    ],
    repeatable: true,
    required: false,
};

// ---------------------------------------------------------------- model

/// `model "ID" { ... }`.
pub static MODEL: NodeSpec = NodeSpec {
    name: "model",
    doc: "A model artifact: where it comes from, its digest, format and the memory it needs.",
    args: &[arg("id", Ty::Id, "Model id.")],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &MODEL_SOURCE,
        &MODEL_DIGEST,
        &MODEL_FORMAT,
        &MODEL_SIZE,
        &MODEL_QUANT,
        &MODEL_TOKENIZER,
        &MODEL_MEMORY,
        &MODEL_VRAM,
        &MODEL_FILE,
        &MODEL_REF,
    ],
    repeatable: true,
    required: false,
};
static MODEL_SOURCE: NodeSpec = required(leaf(
    "source",
    &[arg("uri", Ty::Str, "Source URI.")],
    "Where the model is fetched from, e.g. \"hf://org/repo/file.gguf\".",
));
static MODEL_DIGEST: NodeSpec = leaf(
    "digest",
    &[arg("digest", Ty::Digest, "Digest.")],
    "sha256 of the model file(s).",
);
static MODEL_FORMAT: NodeSpec = required(leaf(
    "format",
    &[arg("format", Ty::Enum(MODEL_FORMATS), "Format.")],
    "Model file format.",
));
static MODEL_SIZE: NodeSpec = required(leaf(
    "size",
    &[arg("size", Ty::Size, "Size.")],
    "Size of the weights on disk.",
));
static MODEL_QUANT: NodeSpec = leaf(
    "quantization",
    &[arg("scheme", Ty::Str, "Scheme, e.g. \"q4_k_m\".")],
    "Quantisation scheme.",
);
static MODEL_TOKENIZER: NodeSpec = leaf(
    "tokenizer-digest",
    &[arg("digest", Ty::Digest, "Digest.")],
    "sha256 of the tokenizer.",
);
static MODEL_MEMORY: NodeSpec = leaf(
    "memory",
    &[arg("size", Ty::Size, "Size.")],
    "Memory needed when served from CPU RAM (default: size plus 20%).",
);
static MODEL_VRAM: NodeSpec = leaf(
    "vram",
    &[arg("size", Ty::Size, "Size.")],
    "VRAM needed when served from a GPU (default: size plus 20%).",
);
static MODEL_FILE: NodeSpec = leaf(
    "file",
    &[arg("path", Ty::Str, "Relative path.")],
    "Path of the weights inside the models volume (default: the model id).",
);
static MODEL_REF: NodeSpec = leaf(
    "ref",
    &[arg("urn", Ty::Urn, "URN.")],
    "Model reference used in grants (default urn:srcos:model:ID).",
);

// ---------------------------------------------------------------- cache-tier

static CT_BACKEND: NodeSpec = required(leaf(
    "backend",
    &[arg("backend", Ty::Enum(BACKENDS), "Backend.")],
    "Storage backend of the tier's volumes.",
));
static CT_VOLUME_CLASS: NodeSpec = required(leaf(
    "volume-class",
    &[arg("class", Ty::Enum(VOLUME_CLASSES), "Volume class.")],
    "Agent Machine volume class.",
));
static CT_TIER: NodeSpec = required(leaf(
    "tier",
    &[arg("tier", Ty::Enum(TIERS), "Tier.")],
    "Cache tier.",
));
static CT_PURPOSE: NodeSpec = leaf(
    "purpose",
    &[list("purpose", Ty::Enum(PURPOSES), "Purposes.")],
    "What the tier stores.",
);
static CT_SENSITIVITY: NodeSpec = required(leaf(
    "sensitivity",
    &[arg("class", Ty::Enum(SENSITIVITY), "Sensitivity.")],
    "Sensitivity of the content.",
));
static CT_LIFECYCLE: NodeSpec = required(with_props(
    leaf("lifecycle", &[], "Retention and wipe rules."),
    &[
        req_prop("durability", Ty::Enum(DURABILITY), "Durability."),
        prop("ttl", Ty::Duration, "Time to live (omit for none)."),
        req_prop("eviction", Ty::Enum(EVICTION), "Eviction policy."),
        prop(
            "wipe-receipt-required",
            Ty::Bool,
            "Whether wiping must produce a receipt (default #true).",
        ),
        prop(
            "snapshot-allowed",
            Ty::Bool,
            "Whether snapshots are allowed (default #false).",
        ),
    ],
));
static CT_ENCRYPTION: NodeSpec = with_props(
    leaf(
        "encryption",
        &[arg("mode", Ty::Enum(ENCRYPTION_MODES), "Mode.")],
        "Encryption the tier requires.",
    ),
    &[prop(
        "required",
        Ty::Bool,
        "Whether encryption is required (default #true unless mode is none).",
    )],
);
static CT_QUOTA: NodeSpec = with_props(
    leaf(
        "quota",
        &[arg("size", Ty::Size, "Size.")],
        "Size of each volume of this tier (PVC request size on Kubernetes).",
    ),
    &[
        prop("reserved", Ty::Size, "Reserved bytes."),
        prop(
            "max-inodes",
            Ty::Int {
                min: 1,
                max: i64::MAX,
            },
            "Inode limit.",
        ),
    ],
);
static CT_MOUNT: NodeSpec = required(with_props(
    leaf(
        "mount",
        &[arg(
            "path",
            Ty::AbsPath,
            "Default mount path in the container.",
        )],
        "Default mount path and access mode for pods using the tier.",
    ),
    &[
        req_prop("access", Ty::Enum(ACCESS_MODES), "Access mode."),
        prop("filesystem", Ty::Str, "Filesystem type."),
        prop(
            "options",
            Ty::Str,
            "Mount options, comma-separated, e.g. \"nodev,nosuid\".",
        ),
    ],
));
static CT_POOL: NodeSpec = leaf(
    "pool",
    &[arg("pool", Ty::Id, "Storage pool id.")],
    "Which machine storage pool holds the tier (default: the first pool with the tier's backend).",
);
static CT_POLICY_DOMAIN: NodeSpec = leaf(
    "policy-domain",
    &[arg("domain", Ty::Str, "Policy domain.")],
    "Policy domain that scopes cache reuse.",
);

/// `cache-tier "ID" { ... }`.
pub static CACHE_TIER: NodeSpec = NodeSpec {
    name: "cache-tier",
    doc: "A class of storage for models, caches, scratch space or evidence, with its lifecycle, sensitivity and encryption.",
    args: &[arg(
        "id",
        Ty::Id,
        "Cache tier id; becomes urn:srcos:agent-machine:cache-tier:ID.",
    )],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &CT_BACKEND,
        &CT_VOLUME_CLASS,
        &CT_TIER,
        &CT_PURPOSE,
        &CT_SENSITIVITY,
        &CT_LIFECYCLE,
        &CT_ENCRYPTION,
        &CT_QUOTA,
        &CT_MOUNT,
        &CT_POOL,
        &CT_POLICY_DOMAIN,
        &LABELS,
    ],
    repeatable: true,
    required: false,
};

// ---------------------------------------------------------------- pod

static POD_TENANT: NodeSpec = required(leaf(
    "tenant",
    &[arg("tenant", Ty::Id, "Tenant id.")],
    "The tenant that owns the pod; caches are never shared across tenants.",
));
static POD_PURPOSE: NodeSpec = leaf(
    "purpose",
    &[arg("purpose", Ty::Enum(WORKLOAD_PURPOSES), "Purpose.")],
    "Workload purpose (default inference-provider).",
);
static POD_PROVIDER: NodeSpec = required(leaf(
    "provider",
    &[arg("provider", Ty::Ref(RefKind::Provider), "Provider id.")],
    "The inference provider the pod runs.",
));
static POD_MODEL: NodeSpec = leaf(
    "model",
    &[arg("model", Ty::Ref(RefKind::Model), "Model id.")],
    "The model the provider serves.",
);
static POD_REPLICAS: NodeSpec = leaf(
    "replicas",
    &[arg(
        "count",
        Ty::Int { min: 1, max: 1000 },
        "Replica count.",
    )],
    "Number of replicas (default 1); replicas go to different machines.",
);
static POD_RESOURCES: NodeSpec = with_props(
    leaf(
        "resources",
        &[],
        "CPU, memory and GPU needs of one replica.",
    ),
    &[
        prop("cpu", Ty::Cpu, "CPU request."),
        prop("cpu-limit", Ty::Cpu, "CPU limit (default: the request)."),
        prop(
            "memory",
            Ty::Size,
            "Memory request (default: the model's memory need plus 1GiB).",
        ),
        prop(
            "memory-limit",
            Ty::Size,
            "Memory limit (default: the request).",
        ),
        prop(
            "gpus",
            Ty::Int { min: 0, max: 64 },
            "Whole GPUs (default 0).",
        ),
        prop(
            "vram",
            Ty::Size,
            "VRAM needed per replica (default: the model's VRAM need when gpus > 0).",
        ),
    ],
);
static POD_ACCELERATOR: NodeSpec = repeatable(with_props(
    leaf(
        "accelerator",
        &[arg("api", Ty::Enum(ACCELERATORS), "Accelerator API.")],
        "An accelerator API the pod uses; the first required one decides the provider image.",
    ),
    &[prop(
        "required",
        Ty::Bool,
        "Whether the pod cannot run without it (default #true).",
    )],
));
static POD_VOLUME: NodeSpec = repeatable(with_props(
    leaf(
        "volume",
        &[arg(
            "cache-tier",
            Ty::Ref(RefKind::CacheTier),
            "Cache tier id.",
        )],
        "Mounts a volume of a cache tier into the pod.",
    ),
    &[
        prop(
            "mount",
            Ty::AbsPath,
            "Mount path (default: the tier's mount path).",
        ),
        prop(
            "access",
            Ty::Enum(ACCESS_MODES),
            "Access mode (default: the tier's).",
        ),
    ],
));
static POD_PORT: NodeSpec = repeatable(with_props(
    leaf(
        "port",
        &[
            arg("name", Ty::Id, "Port name."),
            opt_arg(
                "port",
                PORT,
                "Container port (default: the provider's port).",
            ),
        ],
        "A port the pod serves and how far it is exposed.",
    ),
    &[
        req_prop(
            "exposure",
            Ty::Enum(EXPOSURES),
            "none, loopback, host, cluster or ingress.",
        ),
        prop(
            "host-port",
            PORT,
            "Port on the host (Quadlet; default: the container port).",
        ),
        prop("host", Ty::Str, "Host name for ingress exposure."),
    ],
));
static POD_NETWORK: NodeSpec = leaf(
    "network",
    &[arg("mode", Ty::Enum(NETWORK_MODES), "Mode.")],
    "Network mode (default private: a per-tenant network).",
);
static POD_RESTART: NodeSpec = leaf(
    "restart",
    &[arg("policy", Ty::Enum(RESTART_POLICIES), "Policy.")],
    "Restart policy (default on-failure).",
);
static POD_TARGET: NodeSpec = required(with_props(
    leaf(
        "target",
        &[arg("target", Ty::Enum(TARGETS), "quadlet or kubernetes.")],
        "What the pod is emitted as.",
    ),
    &[prop(
        "cluster",
        Ty::Ref(RefKind::Cluster),
        "The cluster (kubernetes targets).",
    )],
));
static POD_IDENTITY: NodeSpec = with_props(
    leaf(
        "identity",
        &[arg("ref", Ty::Urn, "Agent identity URN.")],
        "The agent identity the pod acts as.",
    ),
    &[prop(
        "required",
        Ty::Bool,
        "Whether an identity is required (default #true).",
    )],
);
static POD_WORKROOM: NodeSpec = leaf(
    "workroom",
    &[arg("ref", Ty::Urn, "Workroom URN.")],
    "Workroom reference.",
);
static POD_TOPIC: NodeSpec = leaf(
    "topic",
    &[arg("ref", Ty::Urn, "Topic URN.")],
    "Topic reference.",
);
static POD_POLICY: NodeSpec = with_props(
    leaf(
        "policy",
        &[],
        "Policy flags; all default to the safe value.",
    ),
    &[
        prop(
            "policy-fabric-required",
            Ty::Bool,
            "Require a Policy Fabric admission (default #true).",
        ),
        prop(
            "agent-registry-required",
            Ty::Bool,
            "Require an Agent Registry grant (default #true).",
        ),
        prop(
            "network-policy-required",
            Ty::Bool,
            "Require a network policy (default #true).",
        ),
        prop(
            "egress-policy-required",
            Ty::Bool,
            "Require default-deny egress (default #true).",
        ),
        prop(
            "tool-use-requires-grant",
            Ty::Bool,
            "Tool use requires a grant (default #true).",
        ),
        prop(
            "cache-reuse-requires-policy",
            Ty::Bool,
            "Cache reuse requires policy approval (default #true).",
        ),
        prop(
            "allow-privileged",
            Ty::Bool,
            "Never allowed: setting it to #true is an error.",
        ),
        prop(
            "allow-host-network",
            Ty::Bool,
            "Never allowed: setting it to #true is an error.",
        ),
        prop(
            "allow-secret-in-spec",
            Ty::Bool,
            "Never allowed: setting it to #true is an error.",
        ),
    ],
);
static POD_ADMISSION: NodeSpec = NodeSpec {
    name: "admission",
    doc: "PolicyAdmission documents (JSON from Policy Fabric), one per request type, e.g. `admission activation=\"policy/coder.json\"`.",
    args: &[],
    props: &[
        prop("placement", Ty::File, "Admission for placement."),
        prop("activation", Ty::File, "Admission for activation."),
        prop("render", Ty::File, "Admission for render."),
        prop("cache-reuse", Ty::File, "Admission for cache reuse."),
        prop("side-effect", Ty::File, "Admission for side effects."),
        prop("teardown", Ty::File, "Admission for teardown."),
        prop("wipe", Ty::File, "Admission for wipe."),
    ],
    open_props: None,
    children: &[],
    repeatable: false,
    required: false,
};
static POD_GRANT: NodeSpec = leaf(
    "grant",
    &[arg("path", Ty::File, "Grant file.")],
    "The AgentRegistryGrant document (JSON from Agent Registry).",
);
static PL_PIN: NodeSpec = leaf(
    "pin",
    &[list("machine", Ty::Ref(RefKind::Machine), "Machine ids.")],
    "Only these machines may run the pod.",
);
static PL_AVOID: NodeSpec = leaf(
    "avoid",
    &[list("machine", Ty::Ref(RefKind::Machine), "Machine ids.")],
    "These machines may not run the pod.",
);
static PL_REQUIRE_LABEL: NodeSpec = NodeSpec {
    name: "require-label",
    doc: "Only machines with all these labels, e.g. `require-label zone=\"lab-1\"`.",
    args: &[],
    props: &[],
    open_props: Some(Ty::Str),
    children: &[],
    repeatable: true,
    required: false,
};
static PL_SPREAD: NodeSpec = leaf(
    "spread",
    &[arg("label", Ty::Str, "Label key.")],
    "Replicas go to machines with different values of this label.",
);
static POD_PLACEMENT: NodeSpec = NodeSpec {
    name: "placement",
    doc: "Placement constraints.",
    args: &[],
    props: &[],
    open_props: None,
    children: &[&PL_PIN, &PL_AVOID, &PL_REQUIRE_LABEL, &PL_SPREAD],
    repeatable: false,
    required: false,
};
static POD_ENV: NodeSpec = repeatable(leaf(
    "env",
    &[
        arg("name", Ty::Str, "Variable name."),
        arg("value", Ty::Str, "Value."),
    ],
    "An environment variable. Secret values are refused: use `secret`.",
));
static POD_SECRET: NodeSpec = repeatable(with_props(
    leaf(
        "secret",
        &[arg(
            "name",
            Ty::Str,
            "Name of a Podman secret or Kubernetes Secret.",
        )],
        "A reference to a secret that exists on the target; its value never appears in the spec or the output.",
    ),
    &[
        prop("env", Ty::Str, "Expose it as this environment variable."),
        prop(
            "key",
            Ty::Str,
            "Key inside the Kubernetes Secret (default: the env name or the secret name).",
        ),
    ],
));
static POD_ARGS: NodeSpec = leaf(
    "args",
    &[list("arg", Ty::Str, "Arguments.")],
    "Replaces the provider's arguments.",
);
static POD_IMAGE_POLICY: NodeSpec = leaf(
    "image-policy",
    &[arg("policy", Ty::Enum(IMAGE_POLICIES), "Policy.")],
    "Image reference policy (default: digest-pinned when the image has a digest, else tag-allowed-bootstrap).",
);
static POD_SBOM: NodeSpec = leaf(
    "sbom",
    &[arg("ref", Ty::Urn, "SBOM URN.")],
    "SBOM reference for the image.",
);
static POD_PROVENANCE: NodeSpec = leaf(
    "provenance",
    &[arg("ref", Ty::Urn, "Provenance URN.")],
    "Provenance reference for the image.",
);

/// `pod "ID" { ... }`.
pub static POD: NodeSpec = NodeSpec {
    name: "pod",
    doc: "An agent pod: a provider serving a model for a tenant, with its resources, volumes, ports, policy and governance documents.",
    args: &[arg(
        "id",
        Ty::Id,
        "Pod id; becomes urn:srcos:agent-machine:agent-pod:ID.",
    )],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &POD_TENANT,
        &POD_PURPOSE,
        &POD_PROVIDER,
        &POD_MODEL,
        &POD_REPLICAS,
        &POD_RESOURCES,
        &POD_ACCELERATOR,
        &POD_VOLUME,
        &POD_PORT,
        &POD_NETWORK,
        &POD_RESTART,
        &POD_TARGET,
        &POD_IDENTITY,
        &POD_WORKROOM,
        &POD_TOPIC,
        &POD_POLICY,
        &POD_ADMISSION,
        &POD_GRANT,
        &POD_PLACEMENT,
        &POD_ENV,
        &POD_SECRET,
        &POD_ARGS,
        &POD_IMAGE_POLICY,
        &POD_SBOM,
        &POD_PROVENANCE,
        &LABELS,
    ],
    repeatable: true,
    required: false,
};

// ---------------------------------------------------------------- cluster

static CL_NAMESPACE: NodeSpec = required(leaf(
    "namespace",
    &[arg("name", Ty::Id, "Namespace.")],
    "Namespace the pods go into.",
));
static CL_SA: NodeSpec = leaf(
    "service-account",
    &[arg("name", Ty::Id, "Name.")],
    "Service account the pods run as (default: one per pod, named after it).",
);
static CL_STORAGE_CLASS: NodeSpec = repeatable(leaf(
    "storage-class",
    &[
        arg("backend", Ty::Enum(BACKENDS), "Backend."),
        arg("class", Ty::Str, "StorageClass name."),
    ],
    "Maps a storage backend to a Kubernetes StorageClass, e.g. `storage-class \"topolvm-k8s\" \"topolvm-provisioner\"`.",
));
static CL_NODES: NodeSpec = required(leaf(
    "nodes",
    &[list("machine", Ty::Ref(RefKind::Machine), "Machine ids.")],
    "Machines that are the cluster's nodes.",
));
static CL_INGRESS_CLASS: NodeSpec = leaf(
    "ingress-class",
    &[arg("name", Ty::Str, "IngressClass name.")],
    "IngressClass for ingress exposure.",
);

/// `cluster "ID" { ... }`.
pub static CLUSTER: NodeSpec = NodeSpec {
    name: "cluster",
    doc: "A Kubernetes cluster that kubernetes-target pods are emitted for.",
    args: &[arg("id", Ty::Id, "Cluster id.")],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &CL_NAMESPACE,
        &CL_SA,
        &CL_STORAGE_CLASS,
        &CL_NODES,
        &CL_INGRESS_CLASS,
    ],
    repeatable: true,
    required: false,
};

// ---------------------------------------------------------------- profile (stdlib)

static PR_OS: NodeSpec = required(leaf(
    "os",
    &[arg("os", Ty::Enum(OPERATING_SYSTEMS), "OS.")],
    "Operating system.",
));
static PR_ARCH: NodeSpec = leaf(
    "arch",
    &[list("arch", Ty::Enum(ARCHES), "Architectures.")],
    "CPU architectures.",
);
static PR_ACCELERATORS: NodeSpec = leaf(
    "accelerators",
    &[list("api", Ty::Enum(ACCELERATORS), "APIs.")],
    "Accelerator APIs the profile may use.",
);
static PR_FORBID: NodeSpec = repeatable(with_props(
    leaf(
        "forbid",
        &[arg("api", Ty::Enum(ACCELERATORS), "API.")],
        "An accelerator API that is never available on the profile.",
    ),
    &[req_prop("reason", Ty::Str, "Why.")],
));
static PR_UNIFIED: NodeSpec = leaf(
    "unified-memory",
    &[arg("unified", Ty::Bool, "Unified.")],
    "CPU and GPU share one memory pool.",
);
static PR_RUNTIMES: NodeSpec = leaf(
    "runtimes",
    &[list("envelope", Ty::Enum(ENVELOPES), "Envelopes.")],
    "Runtime envelopes, preferred first.",
);
static PR_BACKEND: NodeSpec = repeatable(with_props(
    leaf(
        "backend",
        &[arg("type", Ty::Enum(PROVIDER_TYPES), "Provider type.")],
        "A provider backend, in preference order.",
    ),
    &[
        req_prop("accelerator", Ty::Enum(ACCELERATORS), "Accelerator."),
        prop("note", Ty::Str, "Note."),
    ],
));
static PR_ATTESTATION: NodeSpec = leaf(
    "attestation-required",
    &[arg("required", Ty::Bool, "Required.")],
    "Whether activation needs a passing AttestationDecision.",
);

/// `profile "NAME" { ... }` (stdlib only).
pub static PROFILE: NodeSpec = NodeSpec {
    name: "profile",
    doc: "A platform profile (defined in the stdlib): OS, accelerators, forbidden APIs and the preferred backend order.",
    args: &[arg("name", Ty::Enum(PROFILES), "Profile name.")],
    props: &[],
    open_props: None,
    children: &[
        &DESCRIPTION,
        &PR_OS,
        &PR_ARCH,
        &PR_ACCELERATORS,
        &PR_FORBID,
        &PR_UNIFIED,
        &PR_RUNTIMES,
        &PR_BACKEND,
        &PR_ATTESTATION,
    ],
    repeatable: true,
    required: false,
};

/// The root: every top-level node.
pub static ROOT: NodeSpec = NodeSpec {
    name: "<root>",
    doc: "A spec file.",
    args: &[],
    props: &[],
    open_props: None,
    children: &[
        &IMPORT,
        &MACHINE,
        &PROVIDER,
        &MODEL,
        &CACHE_TIER,
        &POD,
        &CLUSTER,
        &PROFILE,
    ],
    repeatable: false,
    required: false,
};

/// Every top-level node spec.
pub fn top_level() -> &'static NodeSpec {
    &ROOT
}

/// Walks every node spec once (depth first), for docs tests and editor tooling.
pub fn all_nodes() -> Vec<(String, &'static NodeSpec)> {
    fn walk(prefix: &str, n: &'static NodeSpec, out: &mut Vec<(String, &'static NodeSpec)>) {
        for c in n.children {
            let path = if prefix.is_empty() {
                c.name.to_string()
            } else {
                format!("{prefix} > {}", c.name)
            };
            out.push((path.clone(), c));
            walk(&path, c, out);
        }
    }
    let mut out = Vec::new();
    walk("", &ROOT, &mut out);
    out
}
