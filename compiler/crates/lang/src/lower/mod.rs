//! Lowering: shape-checked syntax to the typed IR.
//!
//! Takes the resolved top-level nodes (spec files plus imported stdlib
//! modules, `extends` already merged); produces [`ir::Spec`]. A definition
//! missing a required value is dropped (its shape error was already
//! reported), so later stages only see complete definitions. Never reports
//! diagnostics itself and never does I/O.

pub mod access;
pub mod shape;

use crate::lang::vocab::Vocabulary;
use std::collections::BTreeMap;

use access::*;

use crate::ir::{self, Origin, Spanned};
use amc_syntax::syntax::Node;

/// A top-level node with where it came from.
#[derive(Debug, Clone)]
pub struct Decl {
    /// The node.
    pub node: Node,
    /// Spec or stdlib.
    pub origin: Origin,
}

/// Lowers every declaration.
pub fn lower(decls: &[Decl]) -> ir::Spec {
    let mut spec = ir::Spec::default();
    for d in decls {
        let n = &d.node;
        // Definitions with an invalid id were reported by the shape check.
        if n.name != "profile"
            && !n
                .args
                .first()
                .and_then(|a| a.as_str())
                .is_some_and(crate::lang::is_identifier)
        {
            continue;
        }
        match n.name.as_str() {
            "machine" => spec.machines.extend(machine(n)),
            "provider" => spec.providers.extend(provider(n, d.origin)),
            "model" => spec.models.extend(model(n)),
            "cache-tier" => spec.cache_tiers.extend(cache_tier(n)),
            "pod" => spec.pods.extend(pod(n)),
            "cluster" => spec.clusters.extend(cluster(n)),
            "profile" => spec.profiles.extend(profile(n)),
            "placement-weights" => spec
                .placement_weights
                .extend(placement_weights(n, d.origin)),
            _ => {}
        }
    }
    spec
}

fn machine(n: &Node) -> Option<ir::Machine> {
    let id = arg_str(n, 0)?;
    let profile = child_str(n, "profile")?;
    let mut capacity = ir::Capacity::default();
    if let Some(c) = child(n, "capacity") {
        capacity.span = Some(c.name_span);
        capacity.block = Some(c.span);
        capacity.cpu_milli = child(c, "cpu").and_then(|x| {
            x.args
                .first()
                .and_then(|v| cpu(v).map(|m| Spanned::new(m, v.span)))
        });
        capacity.memory = child(c, "memory").and_then(|x| {
            x.args
                .first()
                .and_then(|v| size(v).map(|m| Spanned::new(m, v.span)))
        });
        for g in children(c, "gpu") {
            let (Some(model), Some(vendor), Some(vram)) = (
                arg_str(g, 0),
                prop_enum_or(g, "vendor", ir::GpuVendor::Other),
                prop_size(g, "vram"),
            ) else {
                continue;
            };
            capacity.gpus.push(ir::Gpu {
                model: model.value,
                vendor: vendor.value,
                vram,
                count: prop_int(g, "count")
                    .and_then(|c| u32::try_from(c).ok())
                    .unwrap_or(1),
                span: g.span,
            });
        }
        capacity.accelerators = child(c, "accelerators")
            .map(arg_strs_spanned)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| {
                Some(Spanned::new(
                    <ir::Accelerator as Vocabulary>::read(&a.value)?,
                    a.span,
                ))
            })
            .collect();
    }
    let pools = children(n, "storage-pool")
        .filter_map(|p| {
            Some(ir::Pool {
                id: arg_str(p, 0)?.into_id(),
                backend: prop_enum(p, "backend")?.value,
                capacity: n_prop_size_spanned(p, "capacity")?,
                path: prop_str(p, "path").map(|s| s.value),
                encryption: prop_enum(p, "encryption").map(|s| s.value),
                volume_group: prop_str(p, "volume-group").map(|s| s.value),
                thin_pool: prop_str(p, "thin-pool").map(|s| s.value),
                filesystem: prop_str(p, "filesystem").map(|s| s.value),
                read_bandwidth: prop_size(p, "read-bandwidth"),
                span: p.span,
            })
        })
        .collect();
    let resident = children(n, "resident-model")
        .filter_map(|r| {
            Some(ir::Resident {
                model: arg_str(r, 0)?.into_id(),
                tier: prop_enum_or(r, "tier", ir::ResidencyTier::Nvme)?.value,
            })
        })
        .collect();
    let warm = children(n, "warm-cache")
        .filter_map(|w| {
            Some(ir::WarmCache {
                hash: arg_str(w, 0)?,
                tenant: prop_str(w, "tenant")?.value,
                scope: prop_str(w, "scope")
                    .map(|s| s.value)
                    .unwrap_or_else(|| "default".to_string()),
            })
        })
        .collect();
    Some(ir::Machine {
        head: n.head_span(),
        span: n.span,
        id: id.into_id(),
        description: child_string(n, "description"),
        profile,
        facts: child_str(n, "facts"),
        attestation: child_str(n, "attestation"),
        capacity,
        pools,
        resident,
        warm,
        zone: child_str(n, "zone"),
        bandwidth: child(n, "bandwidth").map(bandwidths).unwrap_or_default(),
        runtimes: child(n, "runtimes").map(|r| Spanned::new(arg_enums(r), r.span)),
        hf_endpoint: child_str(n, "hf-endpoint"),
        staging_image: child_str(n, "staging-image"),
        bootc: child(n, "bootc")
            .and_then(|c| c.args.first().and_then(boolean))
            .unwrap_or(false),
        labels: labels(n),
    })
}

fn bandwidths(n: &Node) -> ir::Bandwidths {
    ir::Bandwidths {
        network: prop_size(n, "network"),
        nvme: prop_size(n, "nvme"),
        ram: prop_size(n, "ram"),
    }
}

fn placement_weights(n: &Node, origin: Origin) -> Option<ir::PlacementWeights> {
    let terms = child(n, "terms");
    let term = |k: &str| {
        terms
            .and_then(|t| prop_int(t, k))
            .and_then(|v| u64::try_from(v).ok())
    };
    Some(ir::PlacementWeights {
        name: arg_str(n, 0)?,
        origin,
        bandwidth: child(n, "bandwidth").map(bandwidths).unwrap_or_default(),
        prefill_rate: child(n, "prefill-rate")
            .and_then(|c| c.args.first().and_then(int))
            .and_then(|v| u64::try_from(v).ok()),
        pack_bandwidth: child(n, "pack-bandwidth").and_then(|c| c.args.first().and_then(size)),
        terms: [term("load"), term("stage"), term("warm"), term("balance")],
        balance_steps: children(n, "balance-step")
            .filter_map(|b| {
                let t = b
                    .args
                    .first()
                    .and_then(int)
                    .and_then(|v| u64::try_from(v).ok())?;
                let s = prop_int(b, "slope").and_then(|v| u64::try_from(v).ok())?;
                Some((t, s))
            })
            .collect(),
    })
}

fn n_prop_size_spanned(n: &Node, key: &str) -> Option<Spanned<u64>> {
    n.prop(key)
        .and_then(|p| size(&p.value).map(|s| Spanned::new(s, p.value.span)))
}

fn provider(n: &Node, origin: Origin) -> Option<ir::Provider> {
    let id = arg_str(n, 0)?;
    let images = children(n, "image")
        .filter_map(|i| {
            Some(ir::Image {
                reference: arg_str(i, 0)?.value,
                accelerator: prop_enum(i, "accelerator").map(|s| s.value),
                digest: prop_str(i, "digest").map(|s| s.value),
                span: i.span,
            })
        })
        .collect();
    let env = children(n, "env")
        .filter_map(|e| Some((arg_str(e, 0)?.value, arg_str(e, 1)?.value)))
        .collect();
    Some(ir::Provider {
        head: n.head_span(),
        id: id.into_id(),
        origin,
        description: child_string(n, "description"),
        provider_type: child_enum(n, "type"),
        status: child_enum(n, "status").map(|s| s.value),
        runtime: child_enum(n, "runtime").map(|s| s.value),
        images,
        api: child_enums(n, "api"),
        accelerators: child_enums(n, "accelerators"),
        formats: child_enums(n, "formats"),
        port: child(n, "port")
            .and_then(|p| p.args.first().and_then(int))
            .and_then(|p| u16::try_from(p).ok()),
        health: child_string(n, "health"),
        health_cmd: child_string(n, "health-cmd"),
        entrypoint: child_strs(n, "entrypoint"),
        args: child_strs(n, "args"),
        capabilities: child_enums(n, "capabilities"),
        user: child(n, "user")
            .and_then(|p| p.args.first().and_then(int))
            .and_then(|u| u32::try_from(u).ok()),
        model_dir: child_string(n, "model-dir"),
        shm: child(n, "shm").and_then(|s| s.args.first().and_then(size)),
        tensor_parallel_arg: child_string(n, "tensor-parallel-arg"),
        endpoint: child_string(n, "endpoint"),
        env,
        labels: labels(n),
    })
}

fn model(n: &Node) -> Option<ir::Model> {
    let id = arg_str(n, 0)?;
    let mut files: Vec<ir::ModelFile> = children(n, "file")
        .filter_map(|f| {
            Some(ir::ModelFile {
                path: arg_str(f, 0)?,
                sha256: prop_str(f, "sha256").map(|s| s.value),
                size: prop_size(f, "size"),
            })
        })
        .collect();
    let written: Vec<&Node> = ["hf", "oci", "url", "path", "source"]
        .iter()
        .filter_map(|k| child(n, k))
        .collect();
    let mut legacy = None;
    let source = match written.first() {
        Some(s) if s.name == "source" => {
            let uri = arg_str(s, 0)?;
            let digest = child_str(n, "digest");
            // Legacy: one `file` without properties named the weights, and
            // `digest` was that file's sha256.
            let (src, path) = legacy_source(&uri.value);
            if let Some(p) = path.filter(|_| files.is_empty()) {
                files.push(ir::ModelFile {
                    path: Spanned::new(p, uri.span),
                    sha256: None,
                    size: None,
                });
            }
            if files.len() == 1
                && files[0].sha256.is_none()
                && let Some(d) = &digest
            {
                files[0].sha256 = d.value.strip_prefix("sha256:").map(str::to_string);
            }
            legacy = Some(ir::Legacy {
                span: s.head_span(),
                uri: uri.value.clone(),
                digest_span: digest.map(|d| d.span),
                file_span: child(n, "file").map(|f| f.head_span()),
            });
            Some(Spanned::new(src, s.head_span()))
        }
        Some(s) => {
            let v = arg_str(s, 0)?;
            let src = match s.name.as_str() {
                "hf" => ir::ModelSource::Hf {
                    repo: v.value,
                    revision: prop_str(s, "revision"),
                },
                "oci" => ir::ModelSource::Oci {
                    reference: v.value,
                    artifact: prop_enum::<ir::OciMedia>(s, "media")
                        .is_some_and(|m| m.value == ir::OciMedia::Artifact),
                },
                "url" => ir::ModelSource::Url { url: v.value },
                _ => ir::ModelSource::Path { path: v.value },
            };
            Some(Spanned::new(src, s.head_span()))
        }
        None => None,
    };
    let declared_size = child(n, "size").and_then(|s| {
        s.args
            .first()
            .and_then(|v| size(v).map(|b| (b, s.head_span())))
    });
    let summed: Option<u64> = (!files.is_empty())
        .then(|| files.iter().map(|f| f.size).sum::<Option<u64>>())
        .flatten();
    let (bytes, size_span) = match (declared_size, summed) {
        (Some((b, sp)), _) => (b, Some(sp)),
        (None, Some(b)) => (b, None),
        (None, None) => return None,
    };
    let mut m = ir::Model {
        head: n.head_span(),
        id: id.into_id(),
        description: child_string(n, "description"),
        source,
        sources_written: written.len(),
        legacy,
        files,
        entry: child_str(n, "entry"),
        allow_unpinned: child(n, "allow-unpinned")
            .and_then(|c| c.args.first().and_then(boolean))
            .unwrap_or(false),
        digest: None,
        format: child_enum_or(n, "format", ir::ModelFormat::Gguf)?,
        size: bytes,
        size_span,
        quantization: child_string(n, "quantization"),
        tokenizer_digest: child_string(n, "tokenizer-digest"),
        memory: child(n, "memory").and_then(|s| s.args.first().and_then(size)),
        vram: child(n, "vram").and_then(|s| s.args.first().and_then(size)),
        attention_heads: child(n, "attention-heads").and_then(|c| {
            c.args.first().and_then(|v| {
                int(v)
                    .and_then(|i| u64::try_from(i).ok())
                    .map(|i| Spanned::new(i, v.span))
            })
        }),
        reference: child_string(n, "ref"),
    };
    m.digest = model_digest(&m);
    Some(m)
}

/// The model digest: the one file's sha256, else the sha256 of the checksum
/// list (what `sha256sum -c` reads), so it binds every file.
fn model_digest(m: &ir::Model) -> Option<String> {
    match m.files.as_slice() {
        [one] => one.sha256.as_ref().map(|h| format!("sha256:{h}")),
        _ => m
            .checksum_list()
            .filter(|_| !m.files.is_empty())
            .map(|l| amc_syntax::hash::sha256_prefixed(l.as_bytes())),
    }
}

/// A legacy `source` URI as a source and, when it names one, the file.
fn legacy_source(uri: &str) -> (ir::ModelSource, Option<String>) {
    if let Some(rest) = uri.strip_prefix("hf://") {
        let mut parts = rest.splitn(3, '/');
        let org = parts.next().unwrap_or("");
        let name = parts.next().unwrap_or("");
        let file = parts.next().map(str::to_string).filter(|f| !f.is_empty());
        return (
            ir::ModelSource::Hf {
                repo: format!("{org}/{name}"),
                revision: None,
            },
            file,
        );
    }
    if let Some(rest) = uri.strip_prefix("oci://") {
        return (
            ir::ModelSource::Oci {
                reference: rest.to_string(),
                artifact: false,
            },
            None,
        );
    }
    if let Some(rest) = uri.strip_prefix("file://") {
        return (
            ir::ModelSource::Path {
                path: rest.to_string(),
            },
            None,
        );
    }
    if uri.starts_with('/') {
        return (
            ir::ModelSource::Path {
                path: uri.to_string(),
            },
            None,
        );
    }
    let file = uri
        .rsplit('/')
        .next()
        .filter(|f| !f.is_empty() && !uri.ends_with('/'))
        .map(str::to_string);
    (
        ir::ModelSource::Url {
            url: uri.to_string(),
        },
        file,
    )
}

fn cache_tier(n: &Node) -> Option<ir::CacheTier> {
    let lifecycle = child(n, "lifecycle")?;
    let mount = child(n, "mount")?;
    let encryption = child(n, "encryption");
    // A misspelt mode (E0106) reads as `unknown`: encrypted, by an unknown means.
    let enc_mode = encryption
        .and_then(|e| arg_enum_or(e, 0, ir::EncryptionMode::Unknown))
        .map(|s| s.value);
    let encryption_required = encryption
        .and_then(|e| prop_bool(e, "required"))
        .unwrap_or_else(|| enc_mode.is_some_and(|m| m != ir::EncryptionMode::None));
    let quota = child(n, "quota");
    Some(ir::CacheTier {
        head: n.head_span(),
        id: arg_str(n, 0)?.into_id(),
        description: child_string(n, "description"),
        backend: child_enum_or(n, "backend", ir::StorageBackend::Filesystem)?,
        volume_class: child_enum_or(n, "volume-class", ir::VolumeClass::AgentCacheWarm)?.value,
        tier: child_enum_or(n, "tier", ir::Tier::Warm)?.value,
        purpose: child_enums(n, "purpose"),
        // After a misspelling (E0106) the tier reads as sensitive: the
        // cautious reading, and the build fails anyway.
        sensitivity: child_enum_or(n, "sensitivity", ir::Sensitivity::Sensitive)?.value,
        durability: prop_enum_or(lifecycle, "durability", ir::Durability::Ephemeral)?.value,
        ttl: prop_duration(lifecycle, "ttl"),
        eviction: prop_enum_or(lifecycle, "eviction", ir::Eviction::Manual)?.value,
        wipe_receipt_required: prop_bool(lifecycle, "wipe-receipt-required").unwrap_or(true),
        snapshot_allowed: prop_bool(lifecycle, "snapshot-allowed").unwrap_or(false),
        encryption: enc_mode,
        encryption_required,
        quota: quota.and_then(|q| q.args.first().and_then(size)),
        reserved: quota.and_then(|q| prop_size(q, "reserved")),
        max_inodes: quota
            .and_then(|q| prop_int(q, "max-inodes"))
            .and_then(|i| u64::try_from(i).ok()),
        mount_path: arg_str(mount, 0)?.value,
        access: prop_enum_or(mount, "access", ir::AccessMode::ReadWrite)?.value,
        filesystem: prop_str(mount, "filesystem").map(|s| s.value),
        mount_options: prop_str(mount, "options")
            .map(|s| {
                s.value
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        pool: child_str(n, "pool").map(Spanned::into_id),
        policy_domain: child_string(n, "policy-domain"),
        labels: labels(n),
    })
}

fn pod(n: &Node) -> Option<ir::Pod> {
    let target_node = child(n, "target")?;
    let resources = child(n, "resources")
        .map(|r| ir::Resources {
            cpu: prop_cpu(r, "cpu"),
            cpu_limit: prop_cpu(r, "cpu-limit"),
            memory: prop_size(r, "memory"),
            memory_limit: prop_size(r, "memory-limit"),
            gpus: prop_int(r, "gpus").and_then(|g| u32::try_from(g).ok()),
            vram: prop_size(r, "vram"),
            span: Some(r.span),
        })
        .unwrap_or_default();
    let accelerators = children(n, "accelerator")
        .filter_map(|a| {
            Some(ir::PodAccelerator {
                api: arg_enum_or(a, 0, ir::Accelerator::Cpu)?,
                required: prop_bool(a, "required").unwrap_or(true),
            })
        })
        .collect();
    let volumes = children(n, "volume")
        .filter_map(|v| {
            Some(ir::PodVolume {
                tier: arg_str(v, 0)?.into_id(),
                mount: prop_str(v, "mount").map(|s| s.value),
                access: prop_enum(v, "access").map(|s| s.value),
                pvc: prop_str(v, "pvc"),
                class: prop_enum(v, "class").map(|s| s.value),
                sensitive: prop_bool(v, "sensitive"),
                span: v.span,
            })
        })
        .collect();
    let ports = children(n, "port")
        .filter_map(|p| {
            Some(ir::PodPort {
                name: arg_str(p, 0)?,
                port: p
                    .args
                    .get(1)
                    .and_then(int)
                    .and_then(|x| u16::try_from(x).ok()),
                exposure: prop_enum_or(p, "exposure", ir::Exposure::None)?,
                host_port: p.prop("host-port").and_then(|hp| {
                    int(&hp.value)
                        .and_then(|x| u16::try_from(x).ok())
                        .map(|x| Spanned::new(x, hp.value.span))
                }),
                host: prop_str(p, "host").map(|s| s.value),
                span: p.span,
            })
        })
        .collect();
    let policy = child(n, "policy")
        .map(|p| ir::PodPolicy {
            policy_fabric_required: prop_bool(p, "policy-fabric-required"),
            agent_registry_required: prop_bool(p, "agent-registry-required"),
            network_policy_required: prop_bool(p, "network-policy-required"),
            egress_policy_required: prop_bool(p, "egress-policy-required"),
            tool_use_requires_grant: prop_bool(p, "tool-use-requires-grant"),
            cache_reuse_requires_policy: prop_bool(p, "cache-reuse-requires-policy"),
            allow_privileged: prop_bool_spanned(p, "allow-privileged"),
            allow_host_network: prop_bool_spanned(p, "allow-host-network"),
            allow_secret_in_spec: prop_bool_spanned(p, "allow-secret-in-spec"),
        })
        .unwrap_or_default();
    let mut admissions = BTreeMap::new();
    if let Some(a) = child(n, "admission") {
        for p in &a.props {
            if let Some(s) = string(&p.value) {
                admissions.insert(p.name.clone(), s);
            }
        }
    }
    let mut placement = ir::PlacementRules::default();
    if let Some(pl) = child(n, "placement") {
        placement.pin = children(pl, "pin")
            .flat_map(arg_strs_spanned)
            .map(Spanned::into_id)
            .collect();
        placement.avoid = children(pl, "avoid")
            .flat_map(arg_strs_spanned)
            .map(Spanned::into_id)
            .collect();
        for rl in children(pl, "require-label") {
            for p in &rl.props {
                if let Some(v) = p.value.as_str() {
                    placement
                        .require_labels
                        .push((p.name.clone(), v.to_string(), p.span));
                }
            }
        }
        placement.spread = child_string(pl, "spread");
        placement.affinity = children(pl, "affinity")
            .flat_map(arg_strs_spanned)
            .map(Spanned::into_id)
            .collect();
        placement.anti_affinity = children(pl, "anti-affinity")
            .flat_map(arg_strs_spanned)
            .map(Spanned::into_id)
            .collect();
        placement.zones = children(pl, "zones").flat_map(arg_strs_spanned).collect();
    }
    let cache_keys = children(n, "cache-key")
        .filter_map(|k| {
            Some(ir::CacheKey {
                name: arg_str(k, 0)?,
                hash: prop_str(k, "hash")?.value,
                scope: prop_str(k, "scope")
                    .map(|s| s.value)
                    .unwrap_or_else(|| "default".to_string()),
                tokens: prop_int(k, "tokens").and_then(|v| u64::try_from(v).ok()),
                size: prop_size(k, "size"),
                warm_up_ms: prop_int(k, "warm-up-ms").and_then(|v| u64::try_from(v).ok()),
                span: k.span,
            })
        })
        .collect();
    let env = children(n, "env")
        .filter_map(|e| Some((arg_str(e, 0)?, arg_str(e, 1)?)))
        .collect();
    let secrets = children(n, "secret")
        .filter_map(|s| {
            Some(ir::SecretRef {
                name: arg_str(s, 0)?.value,
                env: prop_str(s, "env").map(|x| x.value),
                key: prop_str(s, "key").map(|x| x.value),
                span: s.span,
            })
        })
        .collect();
    let identity = child(n, "identity");
    Some(ir::Pod {
        head: n.head_span(),
        id: arg_str(n, 0)?.into_id(),
        description: child_string(n, "description"),
        tenant: child_str(n, "tenant")?,
        purpose: child_enum(n, "purpose").map(|s| s.value),
        provider: child_str(n, "provider")?.into_id(),
        model: child_str(n, "model").map(Spanned::into_id),
        replicas: child(n, "replicas")
            .and_then(|r| r.args.first().and_then(int))
            .and_then(|r| u32::try_from(r).ok())
            .unwrap_or(1),
        resources,
        accelerators,
        volumes,
        ports,
        network: child_enum(n, "network"),
        restart: child_enum(n, "restart").map(|r| r.value),
        target: arg_str(target_node, 0)?,
        cluster: prop_str(target_node, "cluster").map(Spanned::into_id),
        identity: identity.and_then(|i| arg_str(i, 0)).map(|s| s.value),
        identity_required: identity.and_then(|i| prop_bool(i, "required")),
        workload_name: child_string(n, "workload-name"),
        workroom: child_string(n, "workroom"),
        topic: child_string(n, "topic"),
        policy,
        admissions,
        grant: child_str(n, "grant"),
        placement,
        cache_keys,
        env,
        secrets,
        args: child(n, "args").map(arg_strs),
        shm: child(n, "shm").and_then(|s| s.args.first().and_then(size)),
        image_policy: child_enum(n, "image-policy").map(|s| s.value),
        sbom: child_string(n, "sbom"),
        provenance: child_string(n, "provenance"),
        labels: labels(n),
    })
}

fn cluster(n: &Node) -> Option<ir::Cluster> {
    let storage_classes = children(n, "storage-class")
        .filter_map(|s| Some((arg_str(s, 0)?.value, arg_str(s, 1)?.value)))
        .collect();
    Some(ir::Cluster {
        head: n.head_span(),
        id: arg_str(n, 0)?.into_id(),
        description: child_string(n, "description"),
        namespace: child_string(n, "namespace")?,
        service_account: child_string(n, "service-account"),
        storage_classes,
        nodes: child(n, "nodes")
            .map(|c| {
                arg_strs_spanned(c)
                    .into_iter()
                    .map(Spanned::into_id)
                    .collect()
            })
            .unwrap_or_default(),
        ingress_class: child_string(n, "ingress-class"),
        tenants: children(n, "tenant")
            .filter_map(|t| {
                let q = child(t, "resource-quota");
                Some((
                    arg_str(t, 0)?.value,
                    ir::TenantConfig {
                        namespace: prop_str(t, "namespace"),
                        quota: ir::TenantQuota {
                            cpu_milli: q.and_then(|q| prop_cpu(q, "cpu")),
                            memory: q.and_then(|q| prop_size(q, "memory")),
                            gpus: q
                                .and_then(|q| prop_int(q, "gpus"))
                                .and_then(|g| u64::try_from(g).ok()),
                            storage: q.and_then(|q| prop_size(q, "storage")),
                        },
                        span: Some(t.head_span()),
                    },
                ))
            })
            .collect(),
        image_volumes: child(n, "image-volumes")
            .and_then(|c| c.args.first().and_then(boolean))
            .unwrap_or(false),
        all_yaml: child(n, "all-yaml")
            .and_then(|c| c.args.first().and_then(boolean))
            .unwrap_or(false),
        gpu_runtime_class: child_string(n, "gpu-runtime-class"),
        gpu_tolerations: children(n, "gpu-toleration")
            .filter_map(|t| {
                Some((
                    arg_str(t, 0)?.value,
                    prop_enum(t, "effect").map_or(ir::TaintEffect::NoSchedule, |e| e.value),
                ))
            })
            .collect(),
        hf_endpoint: child_str(n, "hf-endpoint"),
        staging_image: child_str(n, "staging-image"),
    })
}

fn profile(n: &Node) -> Option<ir::Profile> {
    Some(ir::Profile {
        name: arg_str(n, 0)?,
        description: child_string(n, "description"),
        os: child_enum(n, "os")?.value,
        arch: child_enums(n, "arch"),
        accelerators: child_enums(n, "accelerators"),
        forbid: children(n, "forbid")
            .filter_map(|f| {
                Some(ir::Forbid {
                    api: arg_enum_or(f, 0, ir::Accelerator::Cpu)?.value,
                    reason: prop_str(f, "reason")?.value,
                })
            })
            .collect(),
        unified_memory: child(n, "unified-memory")
            .and_then(|u| u.args.first().and_then(boolean))
            .unwrap_or(false),
        runtimes: child_enums(n, "runtimes"),
        backends: children(n, "backend")
            .filter_map(|b| {
                Some(ir::Backend {
                    provider_type: arg_enum_or(b, 0, ir::ProviderType::LlamaCpp)?.value,
                    accelerator: prop_enum_or(b, "accelerator", ir::Accelerator::Cpu)?.value,
                    note: prop_str(b, "note").map(|s| s.value),
                })
            })
            .collect(),
        attestation_required: child(n, "attestation-required")
            .and_then(|u| u.args.first().and_then(boolean))
            .unwrap_or(false),
        image_digest_required: child(n, "image-digest-required")
            .and_then(|u| u.args.first().and_then(boolean))
            .unwrap_or(false),
    })
}
