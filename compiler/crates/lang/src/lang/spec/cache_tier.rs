//! Catalogue entries for `cache-tier`.

use super::*;
use crate::lang::types::Ty;

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
