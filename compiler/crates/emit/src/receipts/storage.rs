//! Planned StorageReceipts: one per volume of each replica.
//!
//! Takes: a placed workload, its machines (with their facts, when probed) and
//! the referenced admission and grant.
//! Produces: [`Volume`]s (where each volume lives, whether its cache is
//! reused and under which tenant-scoped cache scope) and their
//! StorageReceipts. What the spec declares is recorded as declared; what only
//! the machine can show (free bytes, ownership, world-writability, symlink
//! traversal, encryption and quota in force) is recorded as not observed —
//! `observed: false`, `null`, or omitted, per the schema — unless the facts
//! show it.
//! Never: guesses an observation, or writes a raw object URI or secret.

use std::collections::BTreeMap;

use super::PodCtx;
use super::model::*;
use super::pod::{machine_urn, pod_urn, provider_urn};
use crate::quadlet::{host_path, named_volume};
use amc_govern::activation::{CACHE_SCOPE_LABEL, TENANT_LABEL, TENANT_SCOPE_PREFIX};
use amc_lang::check::MachineView;
use amc_lang::check::pods::VolumeView;
use amc_lang::ir;
use amc_lang::lang::types::is_digest;
use amc_probe::facts::{EncryptionMode, HostFacts};
use amc_solve::{pool_for, volume_size};
use amc_syntax::hash::sha256_hex;

/// Where one volume of one replica lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A host directory bind-mounted into the container.
    HostPath(String),
    /// A Podman named volume (`.volume` unit).
    NamedVolume(String),
    /// Memory (tmpfs or emptyDir with medium Memory).
    Memory,
    /// A PersistentVolumeClaim.
    Pvc {
        /// Claim name.
        name: String,
        /// StorageClass.
        storage_class: Option<String>,
        /// Namespace.
        namespace: String,
    },
}

/// One volume of one replica.
#[derive(Debug, Clone)]
pub struct Volume<'a> {
    /// The machine.
    pub machine: &'a MachineView,
    /// The pod's volume.
    pub view: &'a VolumeView,
    /// Where it lives.
    pub location: Location,
    /// StorageReceipt id.
    pub receipt_id: String,
    /// The tenant-scoped cache scope when the volume's cache content is reused.
    pub reuse_scope: Option<String>,
    /// Pods of this build that share the same storage (same machine and location).
    pub shared_with: Vec<String>,
}

/// The policy domain of a tier for a tenant: `urn:srcos:policy-domain:amc:tenant:<tenant>:<domain>`.
pub fn cache_scope(tenant: &str, tier: &ir::CacheTier) -> String {
    let domain = tier
        .policy_domain
        .clone()
        .unwrap_or_else(|| tier.id.value.to_string());
    format!("{TENANT_SCOPE_PREFIX}{tenant}:{domain}")
}

/// Whether a volume's cache content outlives one activation and is reused:
/// a hot, warm or cold cache that is not in memory and not ephemeral.
pub fn reuses_cache(t: &ir::CacheTier) -> bool {
    matches!(
        t.volume_class,
        ir::VolumeClass::AgentCacheHot
            | ir::VolumeClass::AgentCacheWarm
            | ir::VolumeClass::AgentCacheCold
    ) && t.backend.value != amc_lang::ir::StorageBackend::Tmpfs
        && t.durability != ir::Durability::Ephemeral
}

/// Where a volume of `c.w` on machine `m` (replica `replica`) lives.
pub fn location(c: &PodCtx<'_>, m: &MachineView, replica: u32, v: &VolumeView) -> Location {
    let t = &v.tier;
    if t.backend.value == amc_lang::ir::StorageBackend::Tmpfs {
        return Location::Memory;
    }
    if let Some(cluster) = c.cluster {
        use crate::kubernetes::workload::is_model_volume;
        use amc_lang::target::kubernetes::names;
        let name = match &c.w.model {
            Some(model) if is_model_volume(c.w, v) => names::model_claim(&model.id.value, m.id()),
            _ if v.pvc.is_some() => v.claim(c.w.id()),
            _ => names::replica_claim(&t.id.value, &names::workload(c.w.id(), m.id())),
        };
        let _ = replica;
        return Location::Pvc {
            name,
            storage_class: cluster
                .storage_classes
                .get(t.backend.value.as_str())
                .cloned(),
            namespace: names::namespace(cluster, &c.w.pod.tenant.value),
        };
    }
    match pool_for(m, t).and_then(|p| p.path.clone()) {
        Some(root) => Location::HostPath(host_path(&root, c.w, &t.id.value, t.volume_class)),
        None => Location::NamedVolume(named_volume(c.w, &t.id.value)),
    }
}

/// A short digest fragment that keeps generated ids unambiguous.
pub fn short(parts: &[&str]) -> String {
    sha256_hex(parts.join("\n").as_bytes())[..8].to_string()
}

/// Every volume of every replica of the pod, in replica then volume order.
pub fn volumes<'a>(c: &'a PodCtx<'a>) -> Vec<Volume<'a>> {
    let mut out = Vec::new();
    for (replica, m) in c.machines.iter().enumerate() {
        let replica = u32::try_from(replica).unwrap_or(0);
        for v in &c.w.volumes {
            let location = location(c, m, replica, v);
            let shared_with = c
                .layout
                .get(m.id())
                .into_iter()
                .flatten()
                .filter(|(p, loc)| {
                    p != c.w.id() && *loc == location && location != Location::Memory
                })
                .map(|(p, _)| p.clone())
                .collect();
            out.push(Volume {
                machine: m,
                view: v,
                receipt_id: format!(
                    "urn:srcos:agent-machine:storage-receipt:{}-{}-{}",
                    c.w.id(),
                    v.tier.id.value,
                    short(&[c.w.id(), m.id(), &v.tier.id.value])
                ),
                reuse_scope: reuses_cache(&v.tier)
                    .then(|| cache_scope(&c.w.pod.tenant.value, &v.tier)),
                location,
                shared_with,
            });
        }
    }
    out
}

fn reference_type(backend: amc_lang::ir::StorageBackend) -> &'static str {
    use amc_lang::ir::StorageBackend as B;
    match backend {
        B::Filesystem => "host-path",
        B::LocalLvm => "lvm-logical-volume",
        B::TopolvmK8s => "topolvm-pvc",
        B::Tmpfs => "tmpfs-mount",
        B::ObjectStore => "object-uri",
        B::RemoteVolume => "remote-volume",
    }
}

/// The disk the facts show under `path` (longest mount-point prefix); a
/// local-lvm pool only counts when that disk is a logical volume.
fn disk_for<'f>(facts: &'f HostFacts, path: &str, lvm: bool) -> Option<&'f amc_probe::facts::Disk> {
    facts
        .disks
        .iter()
        .filter(|d| {
            let mp = d.mount_point.trim_end_matches('/');
            path == d.mount_point || path.starts_with(&format!("{mp}/")) || d.mount_point == "/"
        })
        .max_by_key(|d| d.mount_point.len())
        .filter(|d| !lvm || d.lvm.is_some())
}

fn mode_name(m: EncryptionMode) -> &'static str {
    match m {
        EncryptionMode::None => "none",
        EncryptionMode::Luks => "luks",
        EncryptionMode::DmCrypt => "dm-crypt",
        EncryptionMode::Fscrypt => "fscrypt",
        EncryptionMode::Unknown => "unknown",
    }
}

/// What the admission and grant contribute to every receipt.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    /// The activation admission's decision ref.
    pub policy_decision_ref: Option<String>,
    /// The grant ref.
    pub grant_ref: Option<String>,
}

/// The StorageReceipt of one volume.
pub fn receipt(
    c: &PodCtx<'_>,
    v: &Volume<'_>,
    facts: Option<&HostFacts>,
    refs: &Refs,
    observed_at: &str,
) -> StorageReceipt {
    let t = &v.view.tier;
    let m = v.machine;
    let pool = pool_for(m, t)
        .filter(|_| c.cluster.is_none() && t.backend.value != amc_lang::ir::StorageBackend::Tmpfs);
    let mut reference = StorageReference {
        reference_type: reference_type(t.backend.value),
        container_path: v.view.mount.clone(),
        ..StorageReference::default()
    };
    match &v.location {
        Location::HostPath(p) => reference.host_path = Some(p.clone()),
        Location::NamedVolume(_) | Location::Memory => {}
        Location::Pvc {
            name,
            storage_class,
            namespace,
        } => {
            reference.pvc_name = Some(name.clone());
            reference.storage_class_name = storage_class.clone();
            reference.namespace = Some(namespace.clone());
        }
    }
    if t.backend.value == amc_lang::ir::StorageBackend::LocalLvm {
        reference.volume_group = pool.and_then(|p| p.volume_group.clone());
        reference.thin_pool = pool.and_then(|p| p.thin_pool.clone());
    }
    // Observation from the facts, when the volume's directory is on a probed disk.
    let host = match &v.location {
        Location::HostPath(p) => Some(p.as_str()),
        _ => None,
    };
    let disk = facts.zip(host).and_then(|(f, p)| {
        disk_for(
            f,
            p,
            t.backend.value == amc_lang::ir::StorageBackend::LocalLvm,
        )
    });
    let (observed, mode) = match (&v.location, disk) {
        (Location::Memory, _) => (false, "none".to_string()),
        (Location::Pvc { .. }, _) => (false, "unknown".to_string()),
        (_, Some(d)) if d.encryption.observed => (true, mode_name(d.encryption.mode).to_string()),
        _ => (
            false,
            pool.and_then(|p| p.encryption)
                .unwrap_or(amc_lang::ir::EncryptionMode::None)
                .to_string(),
        ),
    };
    let fs_type = if t.backend.value == amc_lang::ir::StorageBackend::Tmpfs {
        "tmpfs".to_string()
    } else {
        t.filesystem
            .clone()
            .or_else(|| pool.and_then(|p| p.filesystem.clone()))
            .or_else(|| disk.map(|d| d.filesystem.clone()))
            .unwrap_or_else(|| "unknown".into())
    };
    let mut options = t.mount_options.clone();
    options.dedup();
    let content_like = matches!(
        t.volume_class.as_str(),
        "agent-cache-hot"
            | "agent-cache-warm"
            | "agent-cache-cold"
            | "agent-scratch"
            | "agent-artifacts"
    );
    let is_models = t.volume_class == amc_lang::ir::VolumeClass::AgentModels;
    let model = c.w.model.as_ref().filter(|_| is_models);
    let policy_domain = match (&v.location, is_models) {
        // Model weights in a host directory are shared read-only across tenants.
        (Location::HostPath(_), true) => format!(
            "urn:srcos:policy-domain:amc:shared:{}",
            t.policy_domain
                .clone()
                .unwrap_or_else(|| t.id.value.to_string())
        ),
        _ => cache_scope(&c.w.pod.tenant.value, t),
    };
    let mut labels = BTreeMap::from([
        (TENANT_LABEL.to_string(), c.w.pod.tenant.value.clone()),
        ("amc.receipt.stage".to_string(), "planned".to_string()),
        (
            "sourceos.storage.profile".to_string(),
            t.backend.value.to_string(),
        ),
    ]);
    if let Some(scope) = &v.reuse_scope {
        labels.insert(CACHE_SCOPE_LABEL.to_string(), scope.clone());
    }
    StorageReceipt {
        spec_version: "0.1.0",
        id: v.receipt_id.clone(),
        kind: "StorageReceipt",
        agent_machine_id: machine_urn(m.id()),
        agent_pod_id: pod_urn(c.w.id()),
        backend: t.backend.value.to_string(),
        volume_class: t.volume_class.to_string(),
        tier: t.tier.to_string(),
        purpose: t.purpose.iter().map(ToString::to_string).collect(),
        reference,
        filesystem: StorageFilesystem {
            fs_type,
            mount_options: options,
            world_writable: disk
                .filter(|d| Some(d.mount_point.as_str()) == host)
                .and_then(|d| d.world_writable),
        },
        capacity: StorageCapacity {
            size_bytes: Some(volume_size(t)),
            free_bytes: None,
            reserved_bytes: t.reserved,
        },
        encryption: StorageEncryption {
            required: t.encryption_required,
            observed,
            mode,
        },
        quota: StorageQuota {
            required: t.quota.is_some(),
            observed: false,
            size_bytes: t.quota,
            max_inodes: t.max_inodes,
        },
        policy: StoragePolicy {
            policy_domain,
            cache_reuse_requires_policy: c.w.pod.policy.cache_reuse_requires_policy.unwrap_or(true),
            policy_decision_ref: refs.policy_decision_ref.clone(),
            agent_registry_grant_ref: refs.grant_ref.clone(),
            wipe_receipt_required: t.wipe_receipt_required,
        },
        sensitivity: StorageSensitivity {
            class: t.sensitivity.to_string(),
            prompt_like_content_possible: content_like,
            secret_like_content_possible: content_like,
        },
        snapshot: StorageSnapshot {
            snapshot_allowed: t.snapshot_allowed,
        },
        lifecycle: StorageLifecycle {
            durability: t.durability.to_string(),
            ttl_seconds: t.ttl,
            eviction_policy: t.eviction.to_string(),
            wipe_status: "not-requested",
            last_wipe_receipt_ref: None,
        },
        runtime: StorageRuntime {
            probe_version: facts
                .and_then(|f| f.provenance.probe_version.clone())
                .unwrap_or_else(|| "not-probed".into()),
            runtime_version: facts
                .and_then(|f| f.container_runtime.podman.as_ref())
                .filter(|_| c.cluster.is_none())
                .map(|p| format!("podman {}", p.version))
                .unwrap_or_else(|| "unknown".into()),
            provider_id: Some(provider_urn(&c.w.provider.id.value)),
            model_digest: model
                .and_then(|m| m.digest.clone())
                .filter(|d| is_digest(d)),
            tokenizer_digest: model
                .and_then(|m| m.tokenizer_digest.clone())
                .filter(|d| is_digest(d)),
        },
        receipt_safety: ReceiptSafety4::default(),
        observed_at: observed_at.to_string(),
        labels,
    }
}
