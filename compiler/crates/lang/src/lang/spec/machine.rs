//! Catalogue entries for `machine` and `cluster`.

use super::*;
use crate::lang::types::{RefKind, Ty};

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
static MACHINE_ATTESTATION: NodeSpec = leaf(
    "attestation",
    &[arg(
        "path",
        Ty::File,
        "AttestationDecision file, relative to the spec root.",
    )],
    "The machine's AttestationDecision (upstream contract), required before activation when the machine's profile or a pod's PolicyAdmission asks for host attestation.",
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
        prop(
            "read-bandwidth",
            Ty::Size,
            "Read bandwidth per second; when the pool holds model weights it is the machine's load bandwidth unless `bandwidth nvme=` says otherwise.",
        ),
    ],
));
static MACHINE_RESIDENT: NodeSpec = repeatable(with_props(
    leaf(
        "resident-model",
        &[arg("model", Ty::Ref(RefKind::Model), "A model id.")],
        "A model already present on the machine. Placement prefers machines where a pod's model is resident: nothing to download, and loading from VRAM, RAM or NVMe costs less the higher the tier.",
    ),
    &[req_prop(
        "tier",
        Ty::Enum(RESIDENCY_TIERS),
        "Where it resides: vram, ram or nvme.",
    )],
));
static MACHINE_WARM: NodeSpec = repeatable(with_props(
    leaf(
        "warm-cache",
        &[arg(
            "hash",
            Ty::Digest,
            "Content hash of the cached prefix or pack.",
        )],
        "A cache already warm on the machine (observed, e.g. by `amc probe` or a runtime). It credits only pods whose `cache-key` has the same tenant, scope and hash: a warm cache is never reused across tenants.",
    ),
    &[
        req_prop("tenant", Ty::Id, "Tenant that owns the cache."),
        prop("scope", Ty::Id, "Policy scope (default \"default\")."),
    ],
));
static MACHINE_ZONE: NodeSpec = leaf(
    "zone",
    &[arg("zone", Ty::Id, "Zone name.")],
    "The machine's zone (failure domain). Pods may be limited to zones (`placement { zones ... }`) and spread over them (`spread \"zone\"`).",
);
static MACHINE_BANDWIDTH: NodeSpec = with_props(
    leaf(
        "bandwidth",
        &[],
        "How fast model weights reach the machine, in bytes per second (sizes, e.g. \"3GB\" = 3 GB/s). Unset values come from `placement-weights`.",
    ),
    &[
        prop(
            "network",
            Ty::Size,
            "Download (staging) bandwidth per second.",
        ),
        prop("nvme", Ty::Size, "Local NVMe read bandwidth per second."),
        prop(
            "ram",
            Ty::Size,
            "RAM (page cache) to accelerator bandwidth per second.",
        ),
    ],
);
static MACHINE_RUNTIMES: NodeSpec = leaf(
    "runtimes",
    &[list("envelope", Ty::Enum(ENVELOPES), "Runtime envelopes.")],
    "Runtime envelopes the machine offers (e.g. podman-quadlet, systemd, kubernetes).",
);

pub(super) static HF_ENDPOINT: NodeSpec = leaf(
    "hf-endpoint",
    &[arg(
        "url",
        Ty::Str,
        "https:// URL (http:// only on a loopback host).",
    )],
    "Where `hf` model sources are fetched from: a Hugging Face mirror or proxy (default https://huggingface.co).",
);
pub(super) static STAGING_IMAGE: NodeSpec = leaf(
    "staging-image",
    &[arg(
        "image",
        Ty::Image,
        "Image reference, pinned by digest.",
    )],
    "Image that runs model staging (needs `sh`, `sha256sum` and `curl` or `wget`; default: the image of the provider that serves the model).",
);

static MACHINE_BOOTC: NodeSpec = leaf(
    "bootc",
    &[arg(
        "image-mode",
        Ty::Bool,
        "Whether the machine runs an image-mode (bootc) OS.",
    )],
    "The machine runs an image-mode OS (bootc): its Quadlet units are also written as an image layer, `bootc/<machine>/usr/share/containers/systemd/`, with a `Containerfile` that adds them to a bootc base image.",
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
        &MACHINE_ATTESTATION,
        &MACHINE_CAPACITY,
        &MACHINE_POOL,
        &MACHINE_RESIDENT,
        &MACHINE_WARM,
        &MACHINE_ZONE,
        &MACHINE_BANDWIDTH,
        &MACHINE_RUNTIMES,
        &HF_ENDPOINT,
        &STAGING_IMAGE,
        &MACHINE_BOOTC,
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

static CL_TENANT_QUOTA: NodeSpec = with_props(
    leaf(
        "resource-quota",
        &[],
        "The tenant's ResourceQuota (default: the sum of its pods' limits and claims in the cluster).",
    ),
    &[
        prop("cpu", Ty::Cpu, "CPU limit of all its pods."),
        prop("memory", Ty::Size, "Memory limit of all its pods."),
        prop(
            "gpus",
            Ty::Int {
                min: 0,
                max: 100_000,
            },
            "GPUs.",
        ),
        prop("storage", Ty::Size, "Storage requested by all its claims."),
    ],
);
static CL_TENANT: NodeSpec = NodeSpec {
    name: "tenant",
    doc: "How a tenant is placed in the cluster: its namespace (default `<namespace>-<tenant>`) and quota.",
    args: &[arg("tenant", Ty::Id, "Tenant id, as pods write it.")],
    props: &[prop(
        "namespace",
        Ty::Id,
        "The namespace the tenant's pods go into.",
    )],
    open_props: None,
    children: &[&CL_TENANT_QUOTA],
    repeatable: true,
    required: false,
};
static CL_IMAGE_VOLUMES: NodeSpec = leaf(
    "image-volumes",
    &[arg(
        "supported",
        Ty::Bool,
        "Whether the cluster mounts OCI image volumes.",
    )],
    "The cluster mounts OCI images and artifacts as volumes (`volumes[].image`: beta and on by default from Kubernetes 1.35, behind the `ImageVolume` feature gate in 1.33–1.34, and the container runtime must support it). `oci` models need it.",
);
static CL_ALL_YAML: NodeSpec = leaf(
    "all-yaml",
    &[arg(
        "write",
        Ty::Bool,
        "Whether to write the cluster's all.yaml.",
    )],
    "Also write `kubernetes/<cluster>/all.yaml`: every resource of the cluster in one multi-document file, in apply order, for `kubectl apply -f` (the folder's `kustomization.yaml` is written either way and does not list it).",
);
static CL_GPU_RUNTIME_CLASS: NodeSpec = leaf(
    "gpu-runtime-class",
    &[arg("name", Ty::Id, "RuntimeClass name, e.g. \"nvidia\".")],
    "RuntimeClass for pods that use GPUs.",
);
static CL_GPU_TOLERATION: NodeSpec = repeatable(with_props(
    leaf(
        "gpu-toleration",
        &[arg("key", Ty::Str, "Taint key, e.g. \"nvidia.com/gpu\".")],
        "A taint GPU nodes carry, tolerated by pods that use GPUs (operator Exists).",
    ),
    &[prop(
        "effect",
        Ty::Enum(TAINT_EFFECTS),
        "Taint effect (default NoSchedule).",
    )],
));

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
        &CL_TENANT,
        &CL_IMAGE_VOLUMES,
        &CL_ALL_YAML,
        &CL_GPU_RUNTIME_CLASS,
        &CL_GPU_TOLERATION,
        &HF_ENDPOINT,
        &STAGING_IMAGE,
    ],
    repeatable: true,
    required: false,
};
