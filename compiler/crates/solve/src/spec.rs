//! From a checked spec to the dense placement [`Problem`].
//!
//! Takes the IR, the checked machines and workloads, and the loaded policy
//! documents; produces a [`Mapped`] problem: capacities (unified memory as one
//! pool, VRAM as a pool with GPUs counted whole), storage pools, bandwidths,
//! resident models and warm caches; replicas with demands, volumes, cache
//! keys keyed by (tenant, scope, hash), exclusivity groups (replicas apart,
//! `spread`, `anti-affinity`, host ports) and affinity; and, for every pod and
//! machine, the static reason (runtime, pins, labels, zones, profile,
//! accelerator, storage, PolicyAdmission) that rules the machine out. Weights
//! come from `placement-weights` (stdlib default, overlaid by the spec's).
//! Reports E0502/E0503/W0501/W0502. Never does I/O.

use amc_lang::target::{Scope, Storage};
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::problem::{
    Bandwidth, CPU, Class, GPU, Group, Key, MEM, Machine, Model, Pod, Problem, R, Tier, UNBOUNDED,
    VRAM, Weights, ms,
};
use super::{pool_for, volume_size};
use amc_lang::check::{Checked, MachineView, Workload};
use amc_lang::ir;
use amc_lang::resolve::documents::Documents;
use amc_syntax::diagnostics::{Code, Diagnostic, Diagnostics};

/// What a cache key is, for explanations.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// The `cache-key` name.
    pub name: String,
    /// Tenant.
    pub tenant: String,
    /// Scope (`pod:ID` when private).
    pub scope: String,
    /// Content hash.
    pub hash: String,
}

/// The problem plus what explanations need to map it back.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    /// The prepared problem.
    pub problem: Problem,
    /// For each replica: (workload index, replica).
    pub origin: Vec<(usize, u32)>,
    /// For each static class and machine: the static reason it is excluded,
    /// with its stage. Workloads with the same static requirements share a
    /// class ([`Mapped::static_of`]), so the table is classes × machines, not
    /// workloads × machines.
    pub static_why: Vec<Vec<Option<(u8, String)>>>,
    /// The static class of each workload.
    pub static_of: Vec<u32>,
    /// Cache keys, by key index.
    pub keys: Vec<KeyInfo>,
    /// Workloads whose cache keys are private because reuse is not approved.
    pub private_keys: Vec<bool>,
    /// Group descriptions, by group index (`{pods}` stands for the members in the way).
    pub group_why: Vec<String>,
    /// For each replica: the machine the previous placement gave it, if any
    /// (it may have left the fleet since).
    pub previous: Vec<Option<String>>,
}

impl Mapped {
    /// Why machine `m` is statically excluded for workload `wi`, if it is.
    pub fn static_why(&self, wi: usize, m: usize) -> Option<&(u8, String)> {
        let c = *self.static_of.get(wi)? as usize;
        self.static_why.get(c)?.get(m)?.as_ref()
    }
}

/// Everything of a workload that [`static_reason`] reads: workloads with
/// equal keys are excluded from the same machines for the same reasons.
fn static_key(w: &Workload, denied: Option<&(String, String)>) -> String {
    let p = &w.pod.placement;
    let pin: Vec<&str> = p.pin.iter().map(|x| x.value.as_str()).collect();
    let avoid: Vec<&str> = p.avoid.iter().map(|x| x.value.as_str()).collect();
    let zones: Vec<&str> = p.zones.iter().map(|x| x.value.as_str()).collect();
    let labels: Vec<(&str, &str)> = p
        .require_labels
        .iter()
        .map(|(k, v, _)| (k.as_str(), v.as_str()))
        .collect();
    let volumes: Vec<(&str, &str)> = w
        .volumes
        .iter()
        .map(|v| (v.tier.id.value.as_str(), v.tier.backend.value.as_str()))
        .collect();
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{:?}|{:?}",
        w.profile().scope,
        w.profile().storage,
        w.cluster.as_deref(),
        pin,
        avoid,
        denied,
        labels,
        zones,
        w.provider.provider_type.as_ref().map(|t| t.value),
        w.accelerator,
        w.gpus,
        w.vram,
        volumes,
        w.pod.target.value,
    )
}

/// Effective weights: the stdlib default overlaid by the spec's `placement-weights`.
pub struct Effective {
    /// Objective weights.
    pub weights: Weights,
    /// Default bandwidths.
    pub bandwidth: Bandwidth,
    /// Tokens per second.
    pub prefill_rate: u64,
    /// Pack bytes per second.
    pub pack_bandwidth: u64,
}

/// Resolves the weights, warning about extra definitions.
pub fn effective(spec: &ir::Spec, diags: &mut Diagnostics) -> Effective {
    let mut e = Effective {
        weights: Weights::default(),
        bandwidth: Bandwidth {
            network: 1_250_000_000,
            nvme: 3_000_000_000,
            ram: 16_000_000_000,
        },
        prefill_rate: 2000,
        pack_bandwidth: 1_000_000_000,
    };
    let std = spec
        .placement_weights
        .iter()
        .filter(|w| w.origin == ir::Origin::Stdlib);
    let user: Vec<&ir::PlacementWeights> = spec
        .placement_weights
        .iter()
        .filter(|w| w.origin == ir::Origin::Spec)
        .collect();
    for extra in user.iter().skip(1) {
        diags.push(
            Diagnostic::new(
                Code::W0501,
                format!(
                    "placement-weights `{}` is ignored: the spec already defines `{}`",
                    extra.name.value, user[0].name.value
                ),
            )
            .label(extra.name.span, "ignored")
            .label(user[0].name.span, "these weights are used")
            .help("keep one `placement-weights` per spec"),
        );
    }
    for w in std.chain(user.into_iter().take(1)) {
        let b = &w.bandwidth;
        e.bandwidth.network = b.network.unwrap_or(e.bandwidth.network);
        e.bandwidth.nvme = b.nvme.unwrap_or(e.bandwidth.nvme);
        e.bandwidth.ram = b.ram.unwrap_or(e.bandwidth.ram);
        e.prefill_rate = w.prefill_rate.unwrap_or(e.prefill_rate);
        e.pack_bandwidth = w.pack_bandwidth.unwrap_or(e.pack_bandwidth);
        let t = |v: Option<u64>, d: i64| v.and_then(|x| i64::try_from(x).ok()).unwrap_or(d);
        e.weights.load = t(w.terms[0], e.weights.load);
        e.weights.stage = t(w.terms[1], e.weights.stage);
        e.weights.warm = t(w.terms[2], e.weights.warm);
        e.weights.balance = t(w.terms[3], e.weights.balance);
        if !w.balance_steps.is_empty() {
            e.weights.steps = w
                .balance_steps
                .iter()
                .map(|&(a, b)| (a as i64, i64::try_from(b).unwrap_or(0)))
                .collect();
        }
    }
    e
}

fn doc_str<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

/// Whether the pod's cache reuse is approved: not required by policy, or a
/// `cache-reuse` admission that allows it.
pub fn reuse_approved(w: &Workload, docs: &Documents) -> bool {
    if w.pod.policy.cache_reuse_requires_policy == Some(false) {
        return true;
    }
    let Some(doc) = w
        .pod
        .admissions
        .get("cache-reuse")
        .and_then(|p| docs.get(&p.value))
    else {
        return false;
    };
    let v = &doc.value;
    doc_str(v, "/decision/status") == Some("allowed")
        && v.pointer("/decision/authorizationGranted") == Some(&Value::Bool(true))
        && v.pointer("/scope/allowed/cacheReuse") != Some(&Value::Bool(false))
        && v.pointer("/scope/denied/cacheReuse") != Some(&Value::Bool(true))
}

/// The machine a `placement` admission denies, with the admission id.
fn denied_machine(w: &Workload, docs: &Documents) -> Option<(String, String)> {
    let doc = w
        .pod
        .admissions
        .get("placement")
        .and_then(|p| docs.get(&p.value))?;
    let v = &doc.value;
    if doc_str(v, "/decision/status") != Some("denied") {
        return None;
    }
    let urn = doc_str(v, "/request/agentMachineId")?;
    let id = urn.strip_prefix("urn:srcos:agent-machine:")?;
    Some((id.to_string(), doc_str(v, "/id").unwrap_or("?").to_string()))
}

/// Why `w` can never run on `m` (stage orders how close the machine came).
pub fn static_reason(
    spec: &ir::Spec,
    w: &Workload,
    m: &MachineView,
    denied: Option<&(String, String)>,
    cluster_nodes: Option<&BTreeSet<&str>>,
) -> Option<(u8, String)> {
    let p = &w.pod;
    if w.profile().scope == Scope::Cluster {
        // `cluster_nodes`: the node ids of the workload's cluster (looked up
        // once per workload, not scanned per machine).
        let in_cluster = cluster_nodes.is_some_and(|n| n.contains(m.id()));
        if !in_cluster {
            return Some((
                0,
                format!(
                    "not a node of cluster `{}`",
                    w.cluster.as_deref().unwrap_or("?")
                ),
            ));
        }
    } else if !m.runtimes.contains(&ir::Envelope::PodmanQuadlet) {
        return Some((0, "offers no podman-quadlet runtime".into()));
    } else if let Some(v) = m.podman.filter(|v| v.0 < 5) {
        return Some((
            1,
            format!(
                "podman {}.{}.{} has no Quadlet support (amc needs 5.0 or newer)",
                v.0, v.1, v.2
            ),
        ));
    }
    if !p.placement.pin.is_empty() && !p.placement.pin.iter().any(|x| x.value == m.id()) {
        return Some((1, "not in the pod's `pin` list".into()));
    }
    if p.placement.avoid.iter().any(|x| x.value == m.id()) {
        return Some((1, "in the pod's `avoid` list".into()));
    }
    if let Some((machine, adm)) = denied
        && machine == m.id()
    {
        return Some((1, format!("PolicyAdmission `{adm}` denies placement here")));
    }
    for (k, v, _) in &p.placement.require_labels {
        if m.def.labels.get(k) != Some(v) {
            return Some((1, format!("lacks label {k}={v}")));
        }
    }
    if !p.placement.zones.is_empty()
        && !p
            .placement
            .zones
            .iter()
            .any(|z| Some(&z.value) == m.zone.as_ref())
    {
        let zs: Vec<&str> = p.placement.zones.iter().map(|z| z.value.as_str()).collect();
        return Some((
            1,
            format!(
                "is in zone {}, not in {}",
                m.zone.as_deref().unwrap_or("(none)"),
                zs.join(", ")
            ),
        ));
    }
    if let Some(profile) = spec.profile(&m.profile) {
        if let Some(f) = profile.forbid.iter().find(|f| f.api == w.accelerator) {
            return Some((
                2,
                format!(
                    "profile {} never has {}: {}",
                    m.profile, w.accelerator, f.reason
                ),
            ));
        }
        let ptype = w.provider.provider_type.as_ref().map(|t| t.value);
        if !profile
            .backends
            .iter()
            .any(|b| Some(b.provider_type) == ptype && b.accelerator == w.accelerator)
        {
            return Some((
                2,
                format!(
                    "profile {} has no {} backend on {}",
                    m.profile,
                    ptype.map_or("", ir::ProviderType::as_str),
                    w.accelerator
                ),
            ));
        }
    }
    if !m.accelerators.contains(w.accelerator.as_str()) {
        return Some((3, format!("has no {} accelerator", w.accelerator)));
    }
    if w.gpus > 0 && !m.unified {
        if w.gpus > m.gpu_count() {
            return Some((5, format!("needs {} GPU(s), has {}", w.gpus, m.gpu_count())));
        }
        let per_gpu = w.vram.div_ceil(u64::from(w.gpus));
        if per_gpu > m.max_vram() {
            return Some((
                5,
                format!(
                    "needs {} VRAM per GPU, largest GPU has {}",
                    amc_lang::lang::units::human_size(per_gpu),
                    amc_lang::lang::units::human_size(m.max_vram())
                ),
            ));
        }
    }
    if w.profile().storage == Storage::Claims {
        let cluster = w.cluster.as_deref().and_then(|c| spec.cluster(c));
        for v in &w.volumes {
            if v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs
                && !cluster.is_some_and(|c| {
                    c.storage_classes
                        .contains_key(v.tier.backend.value.as_str())
                })
            {
                return Some((
                    6,
                    format!(
                        "cluster maps no StorageClass for backend {}",
                        v.tier.backend.value
                    ),
                ));
            }
        }
    } else {
        for v in &w.volumes {
            if v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs
                && pool_for(m, &v.tier).is_none()
            {
                return Some((
                    6,
                    format!(
                        "has no storage pool for tier `{}` ({} backend)",
                        v.tier.id.value, v.tier.backend.value
                    ),
                ));
            }
        }
    }
    None
}

fn tier_of(t: ir::ResidencyTier) -> Tier {
    match t {
        ir::ResidencyTier::Vram => Tier::Vram,
        ir::ResidencyTier::Ram => Tier::Ram,
        ir::ResidencyTier::Nvme => Tier::Nvme,
    }
}

/// Builds the problem. Errors (E0502, E0503) are pushed to `diags`.
pub fn map(
    spec: &ir::Spec,
    checked: &Checked,
    docs: &Documents,
    diags: &mut Diagnostics,
) -> Mapped {
    let eff = effective(spec, diags);
    let machines = &checked.machines;
    let works = &checked.workloads;
    let n = machines.len();
    let mut out = Mapped::default();

    // Models: every spec model, by id.
    let model_ix: BTreeMap<&str, u32> = spec
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.value.as_str(), i as u32))
        .collect();
    let models: Vec<Model> = spec
        .models
        .iter()
        .map(|m| Model {
            name: m.id.value.to_string(),
            size: m.size,
        })
        .collect();

    // Volume classes: tiers quadlet pods mount on pools.
    let mut vclass: BTreeMap<ir::TierId, u16> = BTreeMap::new();
    for w in works
        .iter()
        .filter(|w| w.profile().storage == Storage::HostPools)
    {
        for v in w
            .volumes
            .iter()
            .filter(|v| v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs)
        {
            let next = vclass.len() as u16;
            vclass.entry(v.tier.id.value.clone()).or_insert(next);
        }
    }

    // Cache keys: (tenant, scope, hash) → index; private scopes when reuse is not approved.
    let mut key_ix: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    let mut keys: Vec<Key> = Vec::new();
    let mut tenants: BTreeMap<&str, u32> = BTreeMap::new();
    for w in works {
        let next = tenants.len() as u32;
        tenants.entry(w.pod.tenant.value.as_str()).or_insert(next);
    }
    let mut pod_keys: Vec<Vec<Vec<u32>>> = Vec::with_capacity(works.len());
    for w in works {
        let approved = reuse_approved(w, docs);
        out.private_keys
            .push(!approved && !w.pod.cache_keys.is_empty());
        if !approved && !w.pod.cache_keys.is_empty() {
            diags.push(
                Diagnostic::new(
                    Code::W0502,
                    format!("cache keys of pod `{}` are private: cache reuse is not approved", w.id()),
                )
                .label(w.pod.cache_keys[0].name.span, "warmed per replica, never shared")
                .help("attach a `cache-reuse` PolicyAdmission that allows reuse (`admission cache-reuse=\"...\"`), or set `policy cache-reuse-requires-policy=#false`"),
            );
        }
        let tenant = tenants[w.pod.tenant.value.as_str()];
        let mut per_replica = Vec::new();
        for r in 0..w.pod.replicas {
            let mut ks = Vec::new();
            for ck in &w.pod.cache_keys {
                let cost = match (ck.warm_up_ms, ck.tokens, ck.size) {
                    (Some(v), _, _) => i64::try_from(v).unwrap_or(i64::MAX / 4),
                    (None, Some(t), _) => ms(t, eff.prefill_rate),
                    (None, None, Some(s)) => ms(s, eff.pack_bandwidth),
                    (None, None, None) => {
                        if r == 0 {
                            diags.push(
                                Diagnostic::new(
                                    Code::E0503,
                                    format!("cache key `{}` of pod `{}` has no warm-up cost", ck.name.value, w.id()),
                                )
                                .label(ck.name.span, "how expensive is it to warm?")
                                .help("add `tokens=N` (prompt prefix), `size=\"2GiB\"` (pack) or `warm-up-ms=N`"),
                            );
                        }
                        continue;
                    }
                };
                let scope = if approved {
                    ck.scope.clone()
                } else {
                    format!("pod:{}-{r}", w.id())
                };
                let id = (w.pod.tenant.value.clone(), scope.clone(), ck.hash.clone());
                let k = match key_ix.get(&id) {
                    Some(&k) => {
                        let e = &mut keys[k as usize];
                        e.warm_ms = e.warm_ms.max(cost);
                        k
                    }
                    None => {
                        let k = keys.len() as u32;
                        key_ix.insert(id, k);
                        let short = ck.hash.trim_start_matches("sha256:");
                        keys.push(Key {
                            name: format!(
                                "{}/{}/{}",
                                w.pod.tenant.value,
                                scope,
                                &short[..short.len().min(12)]
                            ),
                            tenant,
                            warm_ms: cost,
                        });
                        out.keys.push(KeyInfo {
                            name: ck.name.value.clone(),
                            tenant: w.pod.tenant.value.clone(),
                            scope,
                            hash: ck.hash.clone(),
                        });
                        k
                    }
                };
                ks.push(k);
            }
            per_replica.push(ks);
        }
        pod_keys.push(per_replica);
    }

    // The distinct tiers the machines' pools are asked about (a fleet of
    // thousands of pods mounts a handful): those quadlet pods mount on pools,
    // and those holding model weights.
    let mut host_tiers: BTreeMap<&str, (u16, &ir::CacheTier)> = BTreeMap::new();
    let mut model_tiers: BTreeMap<&str, &ir::CacheTier> = BTreeMap::new();
    for w in works {
        for v in &w.volumes {
            if w.profile().storage == Storage::HostPools
                && let Some(&vc) = vclass.get(v.tier.id.value.as_str())
            {
                host_tiers
                    .entry(v.tier.id.value.as_str())
                    .or_insert((vc, &v.tier));
            }
            if v.tier.volume_class == ir::VolumeClass::AgentModels {
                model_tiers
                    .entry(v.tier.id.value.as_str())
                    .or_insert(&v.tier);
            }
        }
    }

    // Machines.
    let mut pmachines = Vec::with_capacity(n);
    for m in machines {
        let gpu_vram: u64 = m
            .gpus
            .iter()
            .map(|g| g.vram.saturating_mul(u64::from(g.count)))
            .sum();
        let has_gpu_api = m.accelerators.iter().any(|a| a != "cpu");
        let vram_cap = if m.unified {
            0
        } else if !m.gpus.is_empty() {
            gpu_vram
        } else if has_gpu_api {
            UNBOUNDED
        } else {
            0
        };
        let mut cap = [0u64; R];
        cap[CPU] = m.cpu_milli;
        cap[MEM] = m.memory;
        cap[GPU] = if m.unified {
            UNBOUNDED
        } else {
            u64::from(m.gpu_count())
        };
        cap[VRAM] = vram_cap;
        let mut pool_of = vec![None; vclass.len()];
        for &(vc, tier) in host_tiers.values() {
            if let Some(pool) = pool_for(m, tier) {
                pool_of[vc as usize] = m
                    .def
                    .pools
                    .iter()
                    .position(|p| p.id.value == pool.id.value)
                    .map(|i| i as u16);
            }
        }
        let b = &m.def.bandwidth;
        // A pool holding model weights gives the load bandwidth unless `bandwidth nvme=` does.
        let pool_bw = model_tiers
            .values()
            .filter_map(|t| pool_for(m, t).and_then(|p| p.read_bandwidth))
            .max();
        let resident = m
            .def
            .resident
            .iter()
            .filter_map(|r| Some((*model_ix.get(r.model.value.as_str())?, tier_of(r.tier))))
            .collect();
        let warm = m
            .def
            .warm
            .iter()
            .filter_map(|wc| {
                key_ix
                    .get(&(wc.tenant.clone(), wc.scope.clone(), wc.hash.value.clone()))
                    .copied()
            })
            .collect();
        pmachines.push(Machine {
            name: m.id().to_string(),
            cap,
            unified: m.unified,
            pools: m.def.pools.iter().map(|p| p.capacity.value).collect(),
            pool_names: m.def.pools.iter().map(|p| p.id.value.to_string()).collect(),
            pool_of,
            bw: Bandwidth {
                network: b.network.unwrap_or(eff.bandwidth.network),
                nvme: b.nvme.or(pool_bw).unwrap_or(eff.bandwidth.nvme),
                ram: b.ram.unwrap_or(eff.bandwidth.ram),
            },
            resident,
            warm,
        });
    }

    // Sets, affinity checks, groups.
    let set_of: BTreeMap<&str, u32> = works
        .iter()
        .enumerate()
        .map(|(i, w)| (w.id(), i as u32))
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut domains: Vec<Vec<u32>> = Vec::new();
    let mut pod_groups: Vec<Vec<u32>> = vec![Vec::new(); works.len()];
    let mut requires: Vec<Vec<u32>> = vec![Vec::new(); works.len()];
    for (wi, w) in works.iter().enumerate() {
        if w.pod.replicas > 1 {
            groups.push(Group {
                map: None,
                limit: 1,
            });
            out.group_why.push(format!(
                "already runs {{pods}}, another replica of `{}`",
                w.id()
            ));
            pod_groups[wi].push(groups.len() as u32 - 1);
        }
        if let Some(label) = &w.pod.placement.spread {
            let mut values: BTreeMap<String, u32> = BTreeMap::new();
            let map: Vec<u32> = machines
                .iter()
                .map(|m| {
                    let v = if label == "zone" {
                        m.zone.clone()
                    } else {
                        m.def.labels.get(label).cloned()
                    };
                    let v = v.unwrap_or_default();
                    let next = values.len() as u32;
                    *values.entry(v).or_insert(next)
                })
                .collect();
            domains.push(map);
            groups.push(Group {
                map: Some(domains.len() as u32 - 1),
                limit: 1,
            });
            out.group_why.push(format!(
                "{{pods}} (another replica of `{}`) already runs in the same {label}",
                w.id()
            ));
            pod_groups[wi].push(groups.len() as u32 - 1);
        }
        for a in &w.pod.placement.affinity {
            match set_of.get(a.value.as_str()) {
                None => diags.push(
                    Diagnostic::new(Code::E0502, format!("pod `{}` has affinity to `{}`, which is not a placed pod", w.id(), a.value))
                        .label(a.span, "unknown pod")
                        .help(match amc_syntax::diagnostics::did_you_mean(&a.value, set_of.keys().copied()) {
                            Some(d) => d,
                            None => "name a pod of this spec".to_string(),
                        })
                        .fix_quoted(a.span, amc_syntax::diagnostics::closest(&a.value, set_of.keys().copied())),
                ),
                Some(&s) if s as usize == wi => diags.push(
                    Diagnostic::new(Code::E0502, format!("pod `{}` has affinity to itself", w.id()))
                        .label(a.span, "its replicas are always on different machines")
                        .help("remove it"),
                ),
                Some(&s) if !works[s as usize].pod.placement.affinity.is_empty() => diags.push(
                    Diagnostic::new(Code::E0502, format!("pod `{}` has affinity to `{}`, which has an affinity itself", w.id(), a.value))
                        .label(a.span, "affinity chains are not supported")
                        .help(format!("point both pods' `affinity` at the same anchor pod, or drop the affinity of `{}`", a.value)),
                ),
                Some(&s) => requires[wi].push(s),
            }
        }
        for a in &w.pod.placement.anti_affinity {
            match set_of.get(a.value.as_str()) {
                Some(&s) if s as usize != wi => {
                    groups.push(Group {
                        map: None,
                        limit: 1,
                    });
                    out.group_why.push(format!(
                        "runs {{pods}}; `{}` and `{}` must not share a machine (anti-affinity)",
                        w.id(),
                        a.value
                    ));
                    let g = groups.len() as u32 - 1;
                    pod_groups[wi].push(g);
                    pod_groups[s as usize].push(g);
                }
                _ => diags.push(
                    Diagnostic::new(
                        Code::E0502,
                        format!(
                            "pod `{}` has anti-affinity to `{}`, which is not another placed pod",
                            w.id(),
                            a.value
                        ),
                    )
                    .label(a.span, "unknown pod")
                    .help("name another pod of this spec"),
                ),
            }
        }
    }
    // Host ports: one publisher per port and machine.
    let mut ports: BTreeMap<u16, u32> = BTreeMap::new();
    for (wi, w) in works
        .iter()
        .enumerate()
        .filter(|(_, w)| w.profile().host_ports)
    {
        for port in w.ports.iter().filter(|p| {
            matches!(
                p.exposure,
                amc_lang::ir::Exposure::Loopback | amc_lang::ir::Exposure::Host
            )
        }) {
            let g = *ports.entry(port.host_port).or_insert_with(|| {
                groups.push(Group {
                    map: None,
                    limit: 1,
                });
                out.group_why.push(format!(
                    "host port {} is already published by {{pods}}",
                    port.host_port
                ));
                groups.len() as u32 - 1
            });
            if !pod_groups[wi].contains(&g) {
                pod_groups[wi].push(g);
            }
        }
    }

    // Static classes, classes and replicas. The static table is computed
    // once per set of equal requirements (a fleet of thousands of pods has a
    // handful), and pods whose allowed machines are equal share a class.
    let mut static_ix: BTreeMap<String, u32> = BTreeMap::new();
    let mut class_ix: BTreeMap<u32, u32> = BTreeMap::new();
    let mut classes = Vec::new();
    let mut pods = Vec::new();
    for (wi, w) in works.iter().enumerate() {
        let denied = denied_machine(w, docs);
        let key = static_key(w, denied.as_ref());
        let sc = match static_ix.get(&key) {
            Some(&sc) => sc,
            None => {
                let nodes: Option<BTreeSet<&str>> = w
                    .cluster
                    .as_deref()
                    .and_then(|c| spec.cluster(c))
                    .map(|c| c.nodes.iter().map(|n| n.value.as_str()).collect());
                let why: Vec<Option<(u8, String)>> = machines
                    .iter()
                    .map(|m| static_reason(spec, w, m, denied.as_ref(), nodes.as_ref()))
                    .collect();
                let sc = out.static_why.len() as u32;
                out.static_why.push(why);
                static_ix.insert(key, sc);
                sc
            }
        };
        out.static_of.push(sc);
        let class = *class_ix.entry(sc).or_insert_with(|| {
            let why = &out.static_why[sc as usize];
            let allowed: Vec<u32> = (0..n as u32)
                .filter(|&m| why[m as usize].is_none())
                .collect();
            classes.push(Class::new(allowed, n));
            classes.len() as u32 - 1
        });
        let vram = if w.gpus > 0 || w.accelerator != ir::Accelerator::Cpu {
            w.vram
        } else {
            0
        };
        let volumes: Vec<(u16, u64)> = if w.profile().storage == Storage::Claims {
            Vec::new()
        } else {
            w.volumes
                .iter()
                .filter(|v| v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs)
                .filter_map(|v| {
                    Some((*vclass.get(v.tier.id.value.as_str())?, volume_size(&v.tier)))
                })
                .collect()
        };
        for r in 0..w.pod.replicas {
            out.origin.push((wi, r));
            pods.push(Pod {
                name: format!("{}-{r}", w.id()),
                set: wi as u32,
                tenant: tenants[w.pod.tenant.value.as_str()],
                model: w
                    .model
                    .as_ref()
                    .and_then(|m| model_ix.get(m.id.value.as_str()).copied()),
                keys: pod_keys[wi].get(r as usize).cloned().unwrap_or_default(),
                demand: [w.cpu, w.memory_demand, u64::from(w.gpus), vram],
                volumes: volumes.clone(),
                class,
                groups: pod_groups[wi].clone(),
                requires: requires[wi].clone(),
            });
        }
    }
    let mut problem = Problem {
        machines: pmachines,
        pods,
        models,
        keys,
        classes,
        groups,
        domains,
        sets: works.iter().map(|w| w.id().to_string()).collect(),
        weights: eff.weights,
        incumbent: Vec::new(),
        move_ms: 0,
        tables: Default::default(),
    };
    problem.prepare();
    out.problem = problem;
    out
}
