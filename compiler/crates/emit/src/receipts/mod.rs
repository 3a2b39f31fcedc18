//! The receipts target: governance documents for every pod, under `receipts/<pod>/`.
//!
//! Takes: the checked spec, the placement, the loaded documents (facts,
//! admissions, grants, attestations), the decision time and the artifacts
//! the other targets rendered (their digests bind the deployment receipt).
//! Produces, per pod: the resolved AgentPod, InferenceProvider, CacheTier(s)
//! and AgentMachine(s) in upstream form, the AgentPodDeploymentPlan, the
//! DeploymentReceipt, a StorageReceipt per volume and replica, placement
//! evidence per replica, the PolicyAdmission and AgentRegistryGrant requests
//! a pipeline sends, the ActivationDecision (made by `govern::activation` on
//! exactly these documents) and the teardown plan with its decisions.
//! Every document validates against its contract; one serializer
//! ([`to_bytes`]) writes them all.
//! Never: writes a secret value (no model has a field for one), an absolute
//! input path, or a time other than the injected decision time.

mod governance;
mod model;
mod pod;
#[cfg(test)]
mod schema_check;
mod storage;
mod teardown;

use amc_syntax::diagnostics::{Bug, BugResult};
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use amc_govern::activation::{self, Context, EPOCH, Expect, Inputs, ProfileRules, Stage};
use amc_govern::canonical;
use amc_govern::request;
use amc_govern::rules::Binding;
use amc_lang::check::{Checked, MachineView, Workload};
use amc_lang::ir;
use amc_lang::resolve::documents::Documents;
use amc_probe::facts::HostFacts;
use amc_solve::Placement;

use super::Artifacts;

pub use pod::receipt_id;
pub use storage::{Location, cache_scope, reuses_cache};

/// The directory of a pod's documents.
pub fn dir(pod: &str) -> String {
    format!("receipts/{pod}")
}

/// The one serializer: sorted keys, two-space indent, non-ASCII escaped
/// (Python's `json.dumps(sort_keys=True, indent=2)`), trailing newline.
pub fn to_bytes<T: Serialize>(doc: &T) -> BugResult<Vec<u8>> {
    let v = serde_json::to_value(doc).map_err(|e| format!("cannot serialise a receipt: {e}"))?;
    Ok(canonical::to_pretty(&v).into_bytes())
}

fn to_value<T: Serialize>(doc: &T) -> BugResult<Value> {
    serde_json::to_value(doc).map_err(|e| format!("cannot serialise a receipt: {e}").into())
}

/// The bytes of a document already turned into a value ([`to_bytes`]'s form).
fn value_bytes(v: &Value) -> Vec<u8> {
    canonical::to_pretty(v).into_bytes()
}

/// Where one replica of a pod runs (for what is shared between pods).
#[derive(Debug, Clone)]
pub struct Placed {
    /// Pod id.
    pub pod: String,
    /// Machine id.
    pub machine: String,
    /// Tenant.
    pub tenant: String,
    /// Joined to the tenant network.
    pub networked: bool,
}

/// One pod being emitted.
pub struct PodCtx<'a> {
    /// The workload.
    pub w: &'a Workload,
    /// Machines of its replicas, in replica order.
    pub machines: Vec<&'a MachineView>,
    /// Its cluster (Kubernetes targets).
    pub cluster: Option<&'a ir::Cluster>,
    /// The profile of its first replica's machine.
    pub profile: &'a ir::Profile,
    /// Every (pod, location) of the build, by machine.
    pub layout: &'a BTreeMap<String, Vec<(String, Location)>>,
    /// Every placed replica of the build.
    pub fleet: &'a [Placed],
    /// The build's model staging.
    pub plan: &'a crate::staging::Plan,
}

fn facts_of(m: &MachineView, docs: &Documents) -> Option<HostFacts> {
    let path = m.def.facts.as_ref()?;
    serde_json::from_value(docs.get(&path.value)?.value.clone()).ok()
}

/// Emits the receipts of every placed pod into `out`.
pub fn emit(
    spec: &ir::Spec,
    checked: &Checked,
    placement: &Placement,
    plan: &crate::staging::Plan,
    docs: &Documents,
    decided_at: Option<&str>,
    out: &mut Artifacts,
) -> BugResult<()> {
    let mut placed: Vec<(&Workload, Vec<&MachineView>)> = Vec::new();
    for w in &checked.workloads {
        let machines: Vec<&MachineView> = placement
            .machines_of(w.id())
            .iter()
            .filter_map(|id| checked.machine(id))
            .collect();
        if machines.len() == w.pod.replicas as usize && !machines.is_empty() {
            placed.push((w, machines));
        }
    }
    let fleet: Vec<Placed> = placed
        .iter()
        .flat_map(|(w, ms)| {
            ms.iter().map(|m| Placed {
                pod: w.id().to_string(),
                machine: m.id().to_string(),
                tenant: w.pod.tenant.value.clone(),
                networked: w.network != ir::NetworkMode::None && w.profile().tenant_networks,
            })
        })
        .collect();
    let mut layout: BTreeMap<String, Vec<(String, Location)>> = BTreeMap::new();
    let no_layout = BTreeMap::new();
    let mut ctxs = Vec::new();
    for (w, machines) in &placed {
        let Some(profile) = spec.profile(&machines[0].profile) else {
            return Err(
                Bug::new(format!("profile {} vanished", machines[0].profile))
                    .at(w.pod.id.span, "writing the receipts of this pod"),
            );
        };
        let cluster = w.cluster.as_deref().and_then(|c| spec.cluster(c));
        ctxs.push(PodCtx {
            w,
            machines: machines.clone(),
            cluster,
            profile,
            layout: &no_layout,
            fleet: &[],
            plan,
        });
    }
    for c in &ctxs {
        for (replica, m) in c.machines.iter().enumerate() {
            for v in &c.w.volumes {
                let loc = storage::location(c, m, u32::try_from(replica).unwrap_or(0), v);
                layout
                    .entry(m.id().to_string())
                    .or_default()
                    .push((c.w.id().to_string(), loc));
            }
        }
    }
    for mut c in ctxs {
        c.layout = &layout;
        c.fleet = &fleet;
        emit_pod(spec, &c, docs, decided_at, out)?;
    }
    Ok(())
}

/// Files the pod's rendered target output consists of, with their digests.
fn manifest_digest(c: &PodCtx<'_>, out: &Artifacts) -> String {
    let w = c.w;
    let mut files: Vec<String> = Vec::new();
    match c.cluster {
        Some(cl) => {
            let nodes: Vec<&str> = c.machines.iter().map(|m| m.id()).collect();
            files.extend(super::kubernetes::pod_files(
                w,
                &cl.id.value,
                &nodes,
                c.plan,
            ));
        }
        None => {
            for m in &c.machines {
                let dir = format!("quadlet/{}", m.id());
                files.extend(super::quadlet::model_files(w, m.id(), c.plan));
                files.push(format!("{dir}/{}.container", w.id()));
                files.push(format!("{dir}/amc-{}.network", w.pod.tenant.value));
                for v in &w.volumes {
                    files.push(format!(
                        "{dir}/{}.volume",
                        super::quadlet::named_volume(w, &v.tier.id.value)
                    ));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    let list: Vec<Value> = files
        .iter()
        .filter_map(|f| {
            out.get(f).map(
                |b| serde_json::json!({"path": f, "sha256": amc_syntax::hash::sha256_prefixed(b)}),
            )
        })
        .collect();
    canonical::digest(&Value::Array(list))
}

fn emit_pod(
    spec: &ir::Spec,
    c: &PodCtx<'_>,
    docs: &Documents,
    decided_at: Option<&str>,
    out: &mut Artifacts,
) -> BugResult<()> {
    let w = c.w;
    let d = dir(w.id());
    let when = decided_at.unwrap_or(EPOCH).to_string();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();

    // The resolved pod and what it refers to.
    let pod_doc = pod::agent_pod(c);
    let pod_value = to_value(&pod_doc)?;
    let pod_digest = canonical::digest(&pod_value);
    files.insert(format!("{d}/agent-pod.json"), value_bytes(&pod_value));
    files.insert(
        format!("{d}/inference-provider.json"),
        to_bytes(&pod::provider(c, spec))?,
    );
    for v in &w.volumes {
        let tier_doc = pod::cache_tier(&v.tier, cache_scope(&w.pod.tenant.value, &v.tier));
        files.insert(
            format!("{d}/cache-tier.{}.json", v.tier.id.value),
            to_bytes(&tier_doc)?,
        );
    }
    let mut facts: BTreeMap<String, Option<HostFacts>> = BTreeMap::new();
    for m in &c.machines {
        let f = facts_of(m, docs);
        let profile = spec.profile(&m.profile).unwrap_or(c.profile);
        let doc = pod::agent_machine(m, f.as_ref(), profile);
        files.insert(
            format!("{d}/agent-machine.{}.json", m.id()),
            to_bytes(&doc)?,
        );
        facts.insert(m.id().to_string(), f);
    }

    // The plan and the deployment receipt: content only.
    let plan_doc = pod::plan(c, &pod_doc, pod_digest.clone());
    let plan_value = to_value(&plan_doc)?;
    let plan_digest = canonical::digest(&plan_value);
    let manifest = manifest_digest(c, out);
    let receipt = pod::receipt_id(&pod_doc.id, &plan_digest, &manifest);
    files.insert(
        format!("{d}/deployment-plan.json"),
        value_bytes(&plan_value),
    );
    files.insert(
        format!("{d}/deployment-receipt.json"),
        to_bytes(&pod::deployment_receipt(
            c,
            &pod_doc,
            &pod_digest,
            &plan_digest,
            receipt.clone(),
            &manifest,
        ))?,
    );
    let deployment = governance::Deployment {
        receipt_hex: receipt.rsplit(':').next().unwrap_or_default().to_string(),
        receipt_id: receipt.clone(),
        plan_digest: plan_digest.clone(),
        manifest_digest: manifest.clone(),
        machine: pod::machine_urn(c.machines[0].id()),
        decided_at: when.clone(),
    };

    // Requests, and the documents the decisions are made on.
    let volumes = storage::volumes(c);
    let admission = |kind: &str| {
        w.pod
            .admissions
            .get(kind)
            .and_then(|p| docs.get(&p.value))
            .map(|x| x.value.clone())
    };
    let mut requests: BTreeMap<&str, Value> = BTreeMap::new();
    for kind in ["activation", "teardown", "wipe"] {
        let req = to_value(&governance::admission_request(
            c,
            &deployment,
            kind,
            &volumes,
        ))?;
        files.insert(
            format!("{d}/policy-admission-request.{kind}.json"),
            value_bytes(&req),
        );
        requests.insert(kind, req);
    }
    let grant_req = to_value(&governance::grant_request(c, &deployment, &volumes))?;
    files.insert(
        format!("{d}/agent-registry-grant-request.json"),
        value_bytes(&grant_req),
    );
    let policy = admission("activation").unwrap_or_else(|| requests["activation"].clone());
    let grant = w
        .pod
        .grant
        .as_ref()
        .and_then(|p| docs.get(&p.value))
        .map(|x| x.value.clone())
        .unwrap_or_else(|| grant_req.clone());

    // Storage receipts.
    let refs = storage::Refs {
        policy_decision_ref: policy
            .pointer("/decision/decisionRef")
            .and_then(Value::as_str)
            .map(str::to_string),
        grant_ref: grant
            .pointer("/grant/grantRef")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let mut receipts: Vec<Value> = Vec::new();
    for v in &volumes {
        let r = to_value(&storage::receipt(
            c,
            v,
            facts.get(v.machine.id()).and_then(Option::as_ref),
            &refs,
            &when,
        ))?;
        files.insert(
            format!(
                "{d}/storage-receipt.{}.{}.json",
                v.machine.id(),
                v.view.tier.id.value
            ),
            value_bytes(&r),
        );
        receipts.push(r);
    }

    // The activation decision, made on exactly these documents.
    let first = c.machines[0];
    let attestation = first
        .def
        .attestation
        .as_ref()
        .and_then(|p| docs.get(&p.value))
        .map(|x| x.value.clone());
    let mut hosts = vec![first.id().to_string(), pod::machine_urn(first.id())];
    if let Some(Some(f)) = facts.get(first.id()) {
        hosts.push(f.host.hostname.clone());
    }
    let ctx = Context {
        stage: Stage::Plan,
        profile: ProfileRules {
            image_digest_required: c.profile.image_digest_required,
            attestation_required: c.profile.attestation_required,
        },
        expect: Expect {
            machine: Some(deployment.machine.clone()),
            receipt_machines: c
                .machines
                .iter()
                .map(|m| pod::machine_urn(m.id()))
                .collect(),
            provider: Some(pod::provider_urn(&w.provider.id.value)),
            plan_digest: Some(plan_digest.clone()),
            manifest_digest: Some(manifest.clone()),
            attestation_hosts: hosts,
        },
    };
    let decision = activation::evaluate(
        &Inputs {
            pod: &pod_value,
            policy: &policy,
            grant: &grant,
            deployment_receipt_id: &receipt,
            storage_receipts: &receipts,
            storage_refs: None,
            decided_at,
            decision_id: None,
            attestation: attestation.as_ref(),
        },
        &ctx,
    );
    files.insert(
        format!("{d}/activation-decision.json"),
        to_bytes(&decision)?,
    );

    for (replica, m) in c.machines.iter().enumerate() {
        let f = facts.get(m.id()).and_then(Option::as_ref);
        let ev = governance::placement_evidence(
            c,
            &deployment,
            replica,
            &volumes,
            &governance::Verdicts {
                policy: &policy,
                grant: &grant,
                decision: &decision,
            },
            governance::Versions {
                runtime: f
                    .and_then(|f| f.container_runtime.podman.as_ref())
                    .filter(|_| c.cluster.is_none())
                    .map(|p| format!("podman {}", p.version))
                    .unwrap_or_else(|| "unknown".into()),
                probe: f
                    .and_then(|f| f.provenance.probe_version.clone())
                    .unwrap_or_else(|| "not-probed".into()),
            },
        );
        files.insert(
            format!("{d}/placement-evidence.{}.json", m.id()),
            to_bytes(&ev)?,
        );
    }

    // Teardown and wipe.
    let binding = Binding {
        deployment_receipt_id: &receipt,
        plan_digest: Some(&plan_digest),
        manifest_digest: Some(&manifest),
        machine: Some(&deployment.machine),
        provider: None,
    };
    let decide = |kind: &str| {
        let doc = admission(kind).unwrap_or_else(|| requests[kind].clone());
        request::evaluate(kind, &doc, &pod_doc.id, &binding, decided_at)
    };
    let decisions = teardown::Decisions {
        teardown: decide("teardown"),
        wipe: decide("wipe"),
    };
    let plan = teardown::plan(c, out, &volumes, &receipt, decisions, &when);
    files.insert(format!("{d}/teardown-plan.json"), to_bytes(&plan)?);

    out.extend(files);
    Ok(())
}
