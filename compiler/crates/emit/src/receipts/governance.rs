//! What a pipeline sends to Policy Fabric and Agent Registry, and the
//! placement evidence for AgentPlane.
//!
//! Takes: the pod, its deployment receipt id and digests, its planned
//! volumes, the admission and grant it references (if any) and the decision.
//! Produces: PolicyAdmission requests (upstream's `missing` stub: nothing
//! allowed, the scope the pod needs listed under `scope.denied` until Policy
//! Fabric decides), the AgentRegistryGrant request (a `missing` grant whose
//! denied scope is the requested scope, as upstream's resolver writes it),
//! and AgentPlaneRuntimeEvidence of type `placement`, one per replica.
//! Never: grants anything — a request can never satisfy a decision.

use std::collections::BTreeMap;

use serde_json::Value;

use super::PodCtx;
use super::model::*;
use super::pod::{machine_urn, pod_urn, provider_urn};
use super::storage::{Location, Volume, short};
use amc_govern::activation::ActivationDecision;
use amc_govern::rules::{sorted, text};

/// The pod's deployment identity.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The deployment receipt id.
    pub receipt_id: String,
    /// Its 32 hex characters.
    pub receipt_hex: String,
    /// Digest of the plan.
    pub plan_digest: String,
    /// Digest of the rendered manifests.
    pub manifest_digest: String,
    /// The machine the requests name (the first replica's).
    pub machine: String,
    /// The decision time, or the epoch when unset.
    pub decided_at: String,
}

/// Tools activation needs from the grant.
pub fn tools(reuse: bool) -> Vec<String> {
    let mut t: Vec<String> = [
        "urn:srcos:tool:emit-runtime-receipt",
        "urn:srcos:tool:emit-storage-receipt",
        "urn:srcos:tool:mount-cache",
        "urn:srcos:tool:start-provider",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if reuse {
        t.push("urn:srcos:tool:reuse-cache".into());
    }
    sorted(t)
}

fn labels(doc: &str) -> Labels {
    BTreeMap::from([
        ("amc.document".to_string(), doc.to_string()),
        (
            "amc.request.scope".to_string(),
            "the requested scope is listed under scope.denied until the issuer decides".to_string(),
        ),
    ])
}

/// A PolicyAdmission request of `request_type` (`activation`, `teardown`, `wipe`).
pub fn admission_request(
    c: &PodCtx<'_>,
    d: &Deployment,
    request_type: &'static str,
    volumes: &[Volume<'_>],
) -> AdmissionRequest {
    let id = c.w.id();
    let reuse = volumes.iter().any(|v| v.reuse_scope.is_some());
    let mut scope = AdmissionScope {
        provider_ids: vec![provider_urn(&c.w.provider.id.value)],
        ..AdmissionScope::default()
    };
    let mut receipts: Vec<String> = Vec::new();
    match request_type {
        "activation" => {
            scope.network_exposure = sorted(
                c.w.ports
                    .iter()
                    .filter(|p| p.exposure != amc_lang::ir::Exposure::None)
                    .map(|p| p.exposure.to_string())
                    .collect(),
            );
            scope.storage_classes = sorted(
                volumes
                    .iter()
                    .map(|v| v.view.tier.backend.value.to_string())
                    .collect(),
            );
            scope.volume_classes = sorted(
                volumes
                    .iter()
                    .map(|v| v.view.tier.volume_class.to_string())
                    .collect(),
            );
            scope.cache_reuse = reuse;
            let mut effects: Vec<String> = [
                "emit-runtime-receipt",
                "emit-storage-receipt",
                "mount-cache",
                "start-provider",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if reuse {
                effects.push("reuse-cache".into());
                receipts.push("cache-reuse".into());
            }
            scope.side_effects = sorted(effects);
            receipts.extend(["deployment", "runtime", "storage"].map(String::from));
        }
        "teardown" => {
            scope.side_effects = vec!["remove-deployment".into(), "stop-provider".into()];
            receipts.push("teardown".into());
        }
        _ => {
            let wiped: Vec<&Volume<'_>> = volumes
                .iter()
                .filter(|v| super::teardown::wipes(v))
                .collect();
            scope.storage_classes = sorted(
                wiped
                    .iter()
                    .map(|v| v.view.tier.backend.value.to_string())
                    .collect(),
            );
            scope.volume_classes = sorted(
                wiped
                    .iter()
                    .map(|v| v.view.tier.volume_class.to_string())
                    .collect(),
            );
            scope.side_effects = vec!["wipe-volume".into()];
            receipts.push("wipe".into());
        }
    }
    AdmissionRequest {
        spec_version: "0.1.0",
        id: format!("urn:srcos:agent-machine:policy-admission:missing-{id}-{request_type}"),
        kind: "PolicyAdmission",
        request: AdmissionRequestBody {
            request_id: format!(
                "urn:srcos:agent-machine:policy-request:{id}-{request_type}-{}",
                &d.receipt_hex[..16]
            ),
            request_type,
            agent_machine_id: d.machine.clone(),
            agent_pod_id: pod_urn(id),
            provider_id: Some(provider_urn(&c.w.provider.id.value)),
            deployment_receipt_id: d.receipt_id.clone(),
            plan_digest: Some(d.plan_digest.clone()),
            manifest_digest: Some(d.manifest_digest.clone()),
        },
        decision: MissingDecision {
            status: "missing",
            authorization_granted: false,
            decision_ref: None,
            decision_digest: None,
            reason: format!(
                "Requested by amc: no Policy Fabric decision for this {request_type} yet; it fails closed until an allowed admission for this deployment receipt id is referenced by pod `{id}`."
            ),
        },
        scope: AdmissionScopes {
            allowed: AdmissionScope::default(),
            denied: scope,
        },
        obligations: AdmissionObligations {
            required_receipts: sorted(receipts),
            expires_at: None,
            revocation_ref: None,
            constraints: vec!["fail-closed-until-policy-decision-present".into()],
        },
        receipt_safety: Default::default(),
        decided_at: d.decided_at.clone(),
        labels: labels("policy-admission-request"),
    }
}

/// The AgentRegistryGrant request.
pub fn grant_request(c: &PodCtx<'_>, d: &Deployment, volumes: &[Volume<'_>]) -> GrantRequest {
    let id = c.w.id();
    let reuse: Vec<String> = sorted(
        volumes
            .iter()
            .filter_map(|v| v.reuse_scope.clone())
            .collect(),
    );
    let scope = RegistryScope {
        provider_ids: vec![provider_urn(&c.w.provider.id.value)],
        model_refs: c.w.model.iter().map(|m| m.urn()).collect(),
        tool_refs: tools(!reuse.is_empty()),
        cache_scope_refs: reuse,
        memory_scope_refs: Vec::new(),
        storage_scope_refs: sorted(volumes.iter().map(|v| v.receipt_id.clone()).collect()),
        evidence_scope_refs: vec![
            "urn:srcos:evidence:deployment-receipts".into(),
            "urn:srcos:evidence:runtime-receipts".into(),
        ],
    };
    GrantRequest {
        spec_version: "0.1.0",
        id: format!("urn:srcos:agent-machine:agent-registry-grant:missing-{id}"),
        kind: "AgentRegistryGrant",
        request: GrantRequestBody {
            request_id: format!(
                "urn:srcos:agent-machine:grant-request:{id}-{}",
                &d.receipt_hex[..16]
            ),
            agent_machine_id: Some(d.machine.clone()),
            agent_pod_id: pod_urn(id),
            requested_agent_identity_ref: c
                .w
                .pod
                .identity
                .clone()
                .unwrap_or_else(|| "urn:srcos:agent:unassigned".into()),
            session_ref: format!("urn:srcos:session:amc-deployment-{}", d.receipt_hex),
            workroom_ref: c.w.pod.workroom.clone(),
            topic_ref: c.w.pod.topic.clone(),
            requested_scope: scope.clone(),
            requested_expires_at: None,
        },
        grant: MissingGrant {
            status: "missing",
            authorization_granted: false,
            grant_ref: None,
            grant_digest: None,
            reason: format!(
                "Requested by amc: no Agent Registry grant yet; activation fails closed until an active grant is referenced by pod `{id}`."
            ),
            expires_at: None,
            revocation_status: "unavailable",
            revocation_ref: None,
            revocation_hook_ref: None,
            external_trust_signals: Vec::new(),
        },
        scope: GrantScopes {
            allowed: RegistryScope::default(),
            denied: scope,
        },
        receipt_safety: Default::default(),
        issued_at: d.decided_at.clone(),
        labels: labels("agent-registry-grant-request"),
    }
}

/// The documents a pod's activation was decided on, and the decision.
#[derive(Debug, Clone, Copy)]
pub struct Verdicts<'a> {
    /// The PolicyAdmission (or the request standing in for a missing one).
    pub policy: &'a Value,
    /// The AgentRegistryGrant (or the request).
    pub grant: &'a Value,
    /// The ActivationDecision.
    pub decision: &'a ActivationDecision,
}

/// Runtime and probe versions of a machine, as far as known.
#[derive(Debug, Clone)]
pub struct Versions {
    /// Container runtime version, or `unknown`.
    pub runtime: String,
    /// Probe version, or `not-probed`.
    pub probe: String,
}

/// Placement evidence for one replica.
pub fn placement_evidence(
    c: &PodCtx<'_>,
    d: &Deployment,
    replica: usize,
    volumes: &[Volume<'_>],
    verdicts: &Verdicts<'_>,
    versions: Versions,
) -> RuntimeEvidence {
    let (policy, grant, decision) = (verdicts.policy, verdicts.grant, verdicts.decision);
    let m = c.machines[replica];
    let mine: Vec<&Volume<'_>> = volumes
        .iter()
        .filter(|v| v.machine.id() == m.id())
        .collect();
    let reused: Vec<String> = sorted(
        mine.iter()
            .filter(|v| v.reuse_scope.is_some())
            .map(|v| v.receipt_id.clone())
            .collect(),
    );
    let grant_status = match text(grant, "/grant/status") {
        Some(s @ ("missing" | "active" | "expired" | "revoked")) => s.to_string(),
        _ => "unknown".to_string(),
    };
    let w = c.w;
    let pvc_ns = mine.iter().find_map(|v| match &v.location {
        Location::Pvc { namespace, .. } => Some(namespace.clone()),
        _ => None,
    });
    RuntimeEvidence {
        spec_version: "0.1.0",
        id: format!(
            "urn:srcos:agent-machine:agentplane-runtime-evidence:{}-placement-{}",
            w.id(),
            short(&[w.id(), m.id()])
        ),
        kind: "AgentPlaneRuntimeEvidence",
        evidence_type: "placement",
        agent_machine_id: machine_urn(m.id()),
        agent_pod_id: pod_urn(w.id()),
        provider_id: provider_urn(&w.provider.id.value),
        deployment_receipt_id: d.receipt_id.clone(),
        policy_fabric: EvidencePolicy {
            required: true,
            decision_ref: text(policy, "/decision/decisionRef").map(str::to_string),
            decision_digest: text(policy, "/decision/decisionDigest").map(str::to_string),
            admission_status: text(policy, "/decision/status")
                .unwrap_or("missing")
                .to_string(),
            expires_at: text(policy, "/obligations/expiresAt").map(str::to_string),
        },
        agent_registry: EvidenceRegistry {
            required: true,
            grant_ref: text(grant, "/grant/grantRef").map(str::to_string),
            grant_digest: text(grant, "/grant/grantDigest").map(str::to_string),
            grant_status,
            revocation_ref: text(grant, "/grant/revocationRef").map(str::to_string),
            expires_at: text(grant, "/grant/expiresAt").map(str::to_string),
        },
        artifacts: EvidenceArtifacts {
            image_ref: Some(w.image.clone()),
            image_digest: w
                .image_digest
                .clone()
                .filter(|x| amc_lang::lang::types::is_digest(x)),
            model_digest: w
                .model
                .as_ref()
                .and_then(|m| m.digest.clone())
                .filter(|x| amc_lang::lang::types::is_digest(x)),
            tokenizer_digest: w
                .model
                .as_ref()
                .and_then(|m| m.tokenizer_digest.clone())
                .filter(|x| amc_lang::lang::types::is_digest(x)),
            manifest_digest: Some(d.manifest_digest.clone()),
            sbom_ref: w.pod.sbom.clone(),
            provenance_ref: w.pod.provenance.clone(),
        },
        storage_receipt_refs: sorted(mine.iter().map(|v| v.receipt_id.clone()).collect()),
        cache: EvidenceCache {
            cache_reuse_requested: !reused.is_empty(),
            cache_reuse_allowed: decision.allowed()
                && decision.scope.cache_reuse_allowed
                && !reused.is_empty(),
            cache_policy_ref: (!reused.is_empty())
                .then(|| text(policy, "/decision/decisionRef").map(str::to_string))
                .flatten(),
            cache_receipt_refs: reused,
            cache_reuse_decision_ref: Some(decision.id.clone()),
        },
        runtime: EvidenceRuntime {
            status: "placed",
            runtime_version: versions.runtime,
            probe_version: versions.probe,
            node_name: Some(m.id().to_string()),
            namespace: pvc_ns.or_else(|| {
                c.cluster.map(|cl| {
                    amc_lang::target::kubernetes::names::namespace(cl, &w.pod.tenant.value)
                })
            }),
            service_account_name: c.cluster.map(|cl| {
                cl.service_account
                    .clone()
                    .unwrap_or_else(|| w.id().to_string())
            }),
            // A decision that awaits only host observations has not failed.
            failure_reason: (!decision.allowed() && decision.decision.status != "unknown")
                .then(|| decision.decision.failure_reasons.join(";")),
        },
        receipt_safety: Default::default(),
        observed_at: d.decided_at.clone(),
        labels: BTreeMap::from([
            ("sourceos.profile".to_string(), m.profile.clone()),
            (
                "sourceos.activation.fail-closed".to_string(),
                (!decision.allowed()).to_string(),
            ),
            ("amc.replica".to_string(), replica.to_string()),
        ])
        .into_iter()
        .chain((decision.decision.status == "unknown").then(|| {
            (
                amc_govern::activation::PENDING_LABEL.to_string(),
                "host-observation".to_string(),
            )
        }))
        .collect(),
    }
}
