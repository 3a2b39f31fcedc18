//! The Kubernetes target: manifests for each cluster.
//!
//! Takes the checked workloads placed on cluster nodes and the staging plan;
//! produces, per cluster, typed `k8s-openapi` objects (v1.33 API, valid
//! through 1.37) serialised with serde-saphyr:
//!
//! - `kubernetes/<cluster>/tenants/<tenant>.yaml` — the tenant's namespace,
//!   quota and default-deny policy ([`tenancy`]);
//! - `kubernetes/<cluster>/models/<tenant>/<model>.yaml` — the model's
//!   staging ConfigMap, and `…/<model>.<node>.yaml` — its claim and staging
//!   Job on one node ([`staging`]);
//! - `kubernetes/<cluster>/<pod>.yaml` — the pod's replicas, services and
//!   policies ([`workload`]).
//!
//! Object names come from `target::kubernetes::names`, which check and the
//! receipts use too. Never reads
//! the clock or the disk.

pub mod common;
pub mod staging;
pub mod tenancy;
pub mod workload;

use amc_syntax::diagnostics::BugResult;
use std::collections::{BTreeMap, BTreeSet};

use crate::Artifacts;
use crate::staging::{Delivery, Plan};
use amc_lang::check::{Checked, Workload};
use amc_lang::ir;
use amc_lang::target::kubernetes::names;
use amc_solve::Placement;

/// Where a tenant's file is.
pub fn tenant_path(cluster: &str, tenant: &str) -> String {
    format!("kubernetes/{cluster}/tenants/{tenant}.yaml")
}

/// Where a model's staging ConfigMap is, for one tenant.
pub fn model_path(cluster: &str, tenant: &str, model: &str) -> String {
    format!("kubernetes/{cluster}/models/{tenant}/{model}.yaml")
}

/// Where a model's claim and staging Job on one node are, for one tenant.
pub fn model_node_path(cluster: &str, tenant: &str, model: &str, node: &str) -> String {
    format!("kubernetes/{cluster}/models/{tenant}/{model}.{node}.yaml")
}

/// Where a pod's file is.
pub fn pod_path(cluster: &str, pod: &str) -> String {
    format!("kubernetes/{cluster}/{pod}.yaml")
}

/// Every file of one pod's deployment: its own, and its model's (the
/// ConfigMap and the node files of the nodes it runs on).
pub fn pod_files(w: &Workload, cluster: &str, nodes: &[&str], plan: &Plan) -> Vec<String> {
    let mut out = vec![pod_path(cluster, w.id())];
    if let Some(m) = &w.model {
        let tenant = &w.pod.tenant.value;
        let mut config = false;
        for node in nodes {
            let staged = plan.staged_on(cluster, node, &m.id.value);
            if staged {
                config = true;
                out.push(model_node_path(cluster, tenant, &m.id.value, node));
            }
        }
        if config {
            out.push(model_path(cluster, tenant, &m.id.value));
        }
    }
    out.sort();
    out
}

fn add(totals: &mut tenancy::Totals, req: (u64, u64), lim: (u64, u64)) {
    totals.cpu_requests += req.0;
    totals.memory_requests += req.1;
    totals.cpu_limits += lim.0;
    totals.memory_limits += lim.1;
}

/// The label NVIDIA's GPU feature discovery sets to a node's GPU product.
pub const GPU_PRODUCT_LABEL: &str = "nvidia.com/gpu.product";

/// Per machine with host facts showing NVIDIA GPUs: the node labels a GPU
/// replica requires there (`nvidia.com/gpu.product`, as GPU feature
/// discovery writes it: the product name with spaces as `-`). A node whose
/// GPU is not the one observed then refuses the replica instead of running
/// it on the wrong hardware.
pub fn gpu_node_labels(
    checked: &Checked,
    docs: &amc_lang::resolve::documents::Documents,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for m in &checked.machines {
        let Some(path) = m.def.facts.as_ref() else {
            continue;
        };
        let Some(doc) = docs.get(&path.value) else {
            continue;
        };
        let Ok(f) = serde_json::from_value::<amc_probe::facts::HostFacts>(doc.value.clone()) else {
            continue;
        };
        let products: BTreeSet<String> = f
            .gpus
            .iter()
            .filter(|g| g.vendor == amc_probe::facts::GpuVendor::Nvidia)
            .map(|g| g.name.trim().replace(' ', "-"))
            .collect();
        // One product per node: a mixed node gets no label (any would be wrong).
        if products.len() == 1
            && let Some(p) = products.into_iter().next()
        {
            out.insert(
                m.id().to_string(),
                BTreeMap::from([(GPU_PRODUCT_LABEL.to_string(), p)]),
            );
        }
    }
    out
}

/// Emits every cluster's files.
pub fn emit(
    spec: &ir::Spec,
    workloads: &[&Workload],
    placement: &Placement,
    plan: &Plan,
    node_labels: &BTreeMap<String, BTreeMap<String, String>>,
    out: &mut Artifacts,
) -> BugResult<()> {
    for cluster in &spec.clusters {
        let cid = cluster.id.value.as_str();
        let workloads: Vec<&Workload> = workloads
            .iter()
            .copied()
            .filter(|w| w.cluster.as_deref() == Some(cid))
            .collect();
        let mut totals: BTreeMap<String, tenancy::Totals> = BTreeMap::new();
        for w in &workloads {
            let nodes = placement.machines_of(w.id());
            if nodes.len() != w.pod.replicas as usize {
                continue;
            }
            let t = totals.entry(w.pod.tenant.value.clone()).or_default();
            let verify = w.model.is_some()
                && nodes.iter().any(|n| {
                    w.model
                        .as_ref()
                        .is_some_and(|m| plan.staged_on(cid, n, &m.id.value))
                });
            for _ in &nodes {
                // A pod's quota footprint is the larger of its init container
                // and its server, per resource.
                let (ir, il) = (staging::CONTAINER_REQUESTS, staging::CONTAINER_LIMITS);
                let req = if verify {
                    (w.cpu.max(ir.0), w.memory.max(ir.1))
                } else {
                    (w.cpu, w.memory)
                };
                let lim = if verify {
                    (w.cpu_limit.max(il.0), w.memory_limit.max(il.1))
                } else {
                    (w.cpu_limit, w.memory_limit)
                };
                add(t, req, lim);
                if let Some(r) = workload::gpu_resource(w) {
                    *t.gpus.entry(r.to_string()).or_default() += u64::from(w.gpus);
                }
                for v in &w.volumes {
                    if v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs
                        && v.pvc.is_none()
                        && !workload::is_model_volume(w, v)
                    {
                        t.storage += v.tier.volume_size();
                    }
                }
            }
            for v in w.volumes.iter().filter(|v| {
                v.pvc.is_some() && v.tier.backend.value != amc_lang::ir::StorageBackend::Tmpfs
            }) {
                t.storage += v.tier.volume_size();
            }
            let parts = workload::pod_file(w, cluster, &nodes, plan, node_labels)
                .map_err(|b| b.at(w.pod.id.span, "emitting this pod"))?;
            let ns = names::namespace(cluster, &w.pod.tenant.value);
            out.insert(
                pod_path(cid, w.id()),
                common::file(
                    common::header(cid, &ns, &format!("pod \"{}\"", w.id()))?,
                    parts,
                ),
            );
        }
        // Models: one ConfigMap per (namespace, model), a claim and Job per node.
        let mut configs: BTreeSet<(String, String)> = BTreeSet::new();
        for ((c, ns, node, model), s) in &plan.kubernetes {
            if c != cid || !s.delivery.staged() {
                continue;
            }
            let Some(m) = spec.model(model) else {
                return Err(format!("staged model {model} vanished").into());
            };
            let tenant = tenant_of(cluster, ns, &workloads)
                .ok_or_else(|| format!("no tenant for namespace {ns}"))?;
            let t = totals.entry(tenant.clone()).or_default();
            t.storage += s.claim_bytes;
            if s.delivery == Delivery::Fetch {
                t.stages = true;
                add(t, staging::CONTAINER_REQUESTS, staging::CONTAINER_LIMITS);
            }
            let header = common::header(cid, ns, &format!("model \"{model}\" on node \"{node}\""))?;
            out.insert(
                model_node_path(cid, &tenant, model, node),
                common::file(header, staging::node_file(m, s, ns, &tenant, node)?),
            );
            if configs.insert((tenant.clone(), model.to_string())) {
                let header = common::header(cid, ns, &format!("staging of model \"{model}\""))?;
                out.insert(
                    model_path(cid, &tenant, model),
                    common::file(header, vec![staging::config_file(m, s, ns, &tenant)?]),
                );
            }
        }
        for (tenant, t) in &totals {
            let ns = names::namespace(cluster, tenant);
            let header = common::header(cid, &ns, &format!("tenant \"{tenant}\""))?;
            out.insert(
                tenant_path(cid, tenant),
                common::file(header, tenancy::tenant_file(cluster, tenant, &ns, t)?),
            );
        }
        let order = apply_order(cid, out);
        if order.is_empty() {
            continue;
        }
        out.insert(kustomization_path(cid), kustomization(cid, &order));
        if cluster.all_yaml {
            out.insert(all_yaml_path(cid), all_yaml(cid, &order, out)?);
        }
    }
    Ok(())
}

/// Where a cluster's `kustomization.yaml` is.
pub fn kustomization_path(cluster: &str) -> String {
    format!("kubernetes/{cluster}/kustomization.yaml")
}

/// Where a cluster's `all.yaml` is (`all-yaml #true`).
pub fn all_yaml_path(cluster: &str) -> String {
    format!("kubernetes/{cluster}/all.yaml")
}

/// The cluster's files relative to its folder, in apply order: tenants
/// (namespaces, quotas, default-deny policies) first, then each model's
/// staging ConfigMap before its per-node claims and Jobs, then the pods
/// (service accounts, services, StatefulSets, policies).
fn apply_order(cluster: &str, out: &Artifacts) -> Vec<String> {
    let prefix = format!("kubernetes/{cluster}/");
    let mut tenants = Vec::new();
    let mut models: BTreeMap<(String, String), (Vec<String>, Vec<String>)> = BTreeMap::new();
    let mut pods = Vec::new();
    for (path, _) in out.iter() {
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        let parts: Vec<&str> = rel.split('/').collect();
        match parts.as_slice() {
            ["tenants", _] => tenants.push(rel.to_string()),
            ["models", tenant, file] => {
                let stem = file.strip_suffix(".yaml").unwrap_or(file);
                // `<model>.yaml` is the ConfigMap, `<model>.<node>.yaml` a node's claim and Job.
                let (model, base) = match stem.split_once('.') {
                    Some((m, _)) => (m, false),
                    None => (stem, true),
                };
                let e = models
                    .entry((tenant.to_string(), model.to_string()))
                    .or_default();
                if base { &mut e.0 } else { &mut e.1 }.push(rel.to_string());
            }
            [file]
                if file.ends_with(".yaml")
                    && *file != "kustomization.yaml"
                    && *file != "all.yaml" =>
            {
                pods.push(rel.to_string())
            }
            _ => {}
        }
    }
    let mut order = tenants;
    for (_, (base, nodes)) in models {
        order.extend(base);
        order.extend(nodes);
    }
    order.extend(pods);
    order
}

/// `kustomization.yaml`: every resource file, in apply order, so the folder
/// is what `kubectl apply -k`, Argo CD and Flux consume as it is.
fn kustomization(cluster: &str, order: &[String]) -> Vec<u8> {
    let mut s = format!(
        "# Generated by amc {} for cluster \"{cluster}\": every resource, in apply order.\n\
         # Apply with `kubectl apply -k kubernetes/{cluster}/`, or point Argo CD or Flux at this folder.\n\
         # Do not edit: change the spec and run `amc build` again.\n\
         apiVersion: kustomize.config.k8s.io/v1beta1\n\
         kind: Kustomization\n\
         resources:\n",
        amc_syntax::VERSION
    );
    for f in order {
        s.push_str("- ");
        s.push_str(f);
        s.push('\n');
    }
    s.into_bytes()
}

/// `all.yaml`: the documents of every file, in apply order, without their headers.
fn all_yaml(cluster: &str, order: &[String], out: &Artifacts) -> BugResult<Vec<u8>> {
    let mut s = format!(
        "# Generated by amc {} for cluster \"{cluster}\": every resource in one file, in apply order.\n\
         # Apply with `kubectl apply -f kubernetes/{cluster}/all.yaml` (the same objects as `kubectl apply -k`).\n\
         # Do not edit: change the spec and run `amc build` again.\n",
        amc_syntax::VERSION
    );
    let mut first = true;
    for f in order {
        let path = format!("kubernetes/{cluster}/{f}");
        let bytes = out
            .get(&path)
            .ok_or_else(|| format!("{path} vanished while writing all.yaml"))?;
        let text = std::str::from_utf8(bytes).map_err(|e| format!("{path} is not UTF-8: {e}"))?;
        // Drop the file's own comment header.
        let body: String = text
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        if !first {
            s.push_str("---\n");
        }
        first = false;
        s.push_str(&format!("# {f}\n"));
        s.push_str(&body);
    }
    Ok(s.into_bytes())
}

fn tenant_of(cluster: &ir::Cluster, ns: &str, workloads: &[&Workload]) -> Option<String> {
    workloads
        .iter()
        .map(|w| w.pod.tenant.value.clone())
        .find(|t| names::namespace(cluster, t) == ns)
}
