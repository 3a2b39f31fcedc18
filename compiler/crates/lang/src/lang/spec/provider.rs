//! Catalogue entries for `provider`, `model` and the stdlib-only `profile`.

use super::*;
use crate::lang::types::{RefKind, Ty};

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
static PROVIDER_SHM: NodeSpec = leaf(
    "shm",
    &[arg("size", Ty::Size, "Size.")],
    "Size of /dev/shm the server needs (NCCL and tensor parallelism use it); memory-backed, so it counts against the pod's memory. Default: the container runtime's (64 MiB on Podman).",
);
static PROVIDER_TP_ARG: NodeSpec = leaf(
    "tensor-parallel-arg",
    &[arg(
        "flag",
        Ty::Str,
        "Flag, e.g. \"--tensor-parallel-size\".",
    )],
    "The server flag that takes the tensor-parallel degree: amc appends it with the replica's GPU count when that is more than one.",
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
        arg("name", Ty::EnvName, "Variable name."),
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
        &PROVIDER_SHM,
        &PROVIDER_TP_ARG,
        &PROVIDER_ENDPOINT,
        &PROVIDER_ENV,
        &LABELS,
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

static PR_IMAGE_DIGEST: NodeSpec = leaf(
    "image-digest-required",
    &[arg("required", Ty::Bool, "Required.")],
    "Whether activation needs the pod's image pinned by digest.",
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
        &PR_IMAGE_DIGEST,
    ],
    repeatable: true,
    required: false,
};
