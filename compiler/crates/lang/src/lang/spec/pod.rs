//! Catalogue entries for `pod`.

use super::*;
use crate::lang::types::{RefKind, Ty};

// ---------------------------------------------------------------- pod

static POD_TENANT: NodeSpec = required(leaf(
    "tenant",
    &[arg("tenant", Ty::Id, "Tenant id.")],
    "The tenant that owns the pod; caches are never shared across tenants.",
));
static POD_WORKLOAD_NAME: NodeSpec = leaf(
    "workload-name",
    &[arg("name", Ty::Str, "Name.")],
    "Workload name in the AgentPod document (default: the pod id).",
);
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
        prop(
            "pvc",
            Ty::Id,
            "PersistentVolumeClaim name (single-replica kubernetes pods; default POD-TIER).",
        ),
        prop(
            "class",
            Ty::Enum(VOLUME_CLASSES),
            "Volume class this mount declares in the AgentPod (default: the tier's).",
        ),
        prop(
            "sensitive",
            Ty::Bool,
            "Whether the mount is marked sensitive in the AgentPod (default: the tier's sensitivity is sensitive or secret).",
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
        &[arg("target", Ty::Target, "quadlet or kubernetes.")],
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
static PL_AFFINITY: NodeSpec = leaf(
    "affinity",
    &[list("pod", Ty::Id, "Pod ids.")],
    "Every replica runs on a machine that also runs a replica of each of these pods (hard). The named pods must not have an `affinity` themselves.",
);
static PL_ANTI_AFFINITY: NodeSpec = leaf(
    "anti-affinity",
    &[list("pod", Ty::Id, "Pod ids.")],
    "No replica runs on a machine that runs a replica of these pods (hard). Replicas of one pod are always apart.",
);
static PL_ZONES: NodeSpec = leaf(
    "zones",
    &[list("zone", Ty::Id, "Zone names.")],
    "Only machines in these zones (the machine's `zone`, else its `zone` label).",
);
static POD_PLACEMENT: NodeSpec = NodeSpec {
    name: "placement",
    doc: "Placement constraints.",
    args: &[],
    props: &[],
    open_props: None,
    children: &[
        &PL_PIN,
        &PL_AVOID,
        &PL_REQUIRE_LABEL,
        &PL_SPREAD,
        &PL_AFFINITY,
        &PL_ANTI_AFFINITY,
        &PL_ZONES,
    ],
    repeatable: false,
    required: false,
};
static POD_CACHE_KEY: NodeSpec = repeatable(with_props(
    leaf(
        "cache-key",
        &[arg(
            "name",
            Ty::Id,
            "What is cached, e.g. \"system-prompt\", \"tool-schemas\", \"repo-pack\".",
        )],
        "A cache the pod warms once per machine: a prompt prefix, tool schemas, a repository, memory or retrieval pack. Its identity is (tenant, scope, hash): pods of one tenant and scope with the same hash share the warm-up on a machine; other tenants never do. Give the cost as `tokens`, `size` or `warm-up-ms`.",
    ),
    &[
        req_prop("hash", Ty::Digest, "Content hash."),
        prop("scope", Ty::Id, "Policy scope (default \"default\")."),
        prop(
            "tokens",
            Ty::Int {
                min: 1,
                max: 100_000_000,
            },
            "Prompt tokens to prefill (cost: tokens ÷ `prefill-rate`).",
        ),
        prop(
            "size",
            Ty::Size,
            "Bytes to load (cost: size ÷ `pack-bandwidth`).",
        ),
        prop(
            "warm-up-ms",
            Ty::Int {
                min: 0,
                max: 86_400_000,
            },
            "Warm-up cost in milliseconds (overrides tokens and size).",
        ),
    ],
));
static POD_ENV: NodeSpec = repeatable(leaf(
    "env",
    &[
        arg("name", Ty::EnvName, "Variable name."),
        arg("value", Ty::Str, "Value."),
    ],
    "An environment variable. Secret values are refused: use `secret`.",
));
static POD_SECRET: NodeSpec = repeatable(with_props(
    leaf(
        "secret",
        &[arg(
            "name",
            Ty::SecretName,
            "Name of a Podman secret or Kubernetes Secret.",
        )],
        "A reference to a secret that exists on the target; its value never appears in the spec or the output.",
    ),
    &[
        prop(
            "env",
            Ty::EnvName,
            "Expose it as this environment variable.",
        ),
        prop(
            "key",
            Ty::SecretKey,
            "Key inside the Kubernetes Secret (default: the env name or the secret name).",
        ),
    ],
));
static POD_SHM: NodeSpec = leaf(
    "shm",
    &[arg("size", Ty::Size, "Size.")],
    "Size of /dev/shm (default: the provider's `shm`). Memory-backed: it counts against the pod's memory limit.",
);
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
        &POD_WORKLOAD_NAME,
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
        &POD_CACHE_KEY,
        &POD_ENV,
        &POD_SECRET,
        &POD_ARGS,
        &POD_SHM,
        &POD_IMAGE_POLICY,
        &POD_SBOM,
        &POD_PROVENANCE,
        &LABELS,
    ],
    repeatable: true,
    required: false,
};
