//! The `--require-activation` gate.
//!
//! Takes: the lowered spec and the build's artifacts (which hold one
//! `receipts/<pod>/activation-decision.json` per pod).
//! Produces: one `E0602` diagnostic per pod whose decision fails closed,
//! naming the pod, every failure reason and what is required before
//! activation — the check a GitOps pipeline puts before deploy. A decision
//! that is `unknown` because it awaits only what the host must observe
//! (status `unknown`, label `amc.decision.pending`) passes the gate: the
//! build found nothing that blocks activation, and the runtime gate
//! (`amc evaluate activation` on observed receipts) decides the rest.
//! Never: re-decides (it reads the decisions the build made), or writes.

use serde_json::Value;

use amc_lang::artifacts::Artifacts;
use amc_lang::ir;
use amc_syntax::diagnostics::{Code, Diagnostic};

/// Where a pod's ActivationDecision is in the build output.
pub fn decision_path(pod: &str) -> String {
    format!("receipts/{pod}/activation-decision.json")
}

/// What a build decided for one pod, for the summary `amc build` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodStatus {
    /// The pod id.
    pub pod: String,
    /// The machines its replicas run on, in replica order (empty: unplaced).
    pub machines: Vec<String>,
    /// `allowed`, `pending` (awaits host observation) or `fail-closed`.
    pub activation: &'static str,
    /// The first failure reason, if any.
    pub first_reason: Option<String>,
    /// How many failure reasons there are.
    pub reasons: usize,
}

impl PodStatus {
    /// One line: `coder: placed on ws-1; activation pending host observation (10 reasons, first: ...)`.
    pub fn line(&self) -> String {
        let placed = if self.machines.is_empty() {
            "not placed".to_string()
        } else {
            format!("placed on {}", self.machines.join(", "))
        };
        let why = match &self.first_reason {
            Some(r) if self.reasons > 1 => format!(" ({} reasons, first: {r})", self.reasons),
            Some(r) => format!(" ({r})"),
            None => String::new(),
        };
        let activation = match self.activation {
            "allowed" => "activation allowed".to_string(),
            "pending" => format!(
                "activation pending host observation ({} storage fact{} to observe on the machine; the runtime gate `amc evaluate activation` decides there)",
                self.reasons,
                if self.reasons == 1 { "" } else { "s" }
            ),
            _ => format!("activation fails closed{why}"),
        };
        format!("{}: {placed}; {activation}", self.pod)
    }
}

/// Every pod's placement and activation, read from the build's own documents.
pub fn statuses(
    spec: &ir::Spec,
    placement: &amc_solve::Placement,
    artifacts: &Artifacts,
) -> Vec<PodStatus> {
    spec.pods
        .iter()
        .map(|pod| {
            let id = &pod.id.value;
            let v = artifacts
                .get(&decision_path(id))
                .and_then(|b| serde_json::from_slice::<Value>(b).ok())
                .unwrap_or(Value::Null);
            let reasons = super::semantics::list(&v, "/decision/failureReasons");
            let activation = if v.pointer("/decision/activationAllowed") == Some(&Value::Bool(true))
            {
                "allowed"
            } else if pending(&v) {
                "pending"
            } else {
                "fail-closed"
            };
            PodStatus {
                pod: id.to_string(),
                machines: placement
                    .machines_of(id)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                activation,
                first_reason: reasons.first().cloned(),
                reasons: reasons.len(),
            }
        })
        .collect()
}

/// Whether a decision awaits only observations on the host.
pub fn pending(decision: &Value) -> bool {
    decision.pointer("/decision/status").and_then(Value::as_str) == Some("unknown")
        && decision
            .pointer(&format!("/labels/{}", super::activation::PENDING_LABEL))
            .is_some()
}

/// Diagnostics for every pod that may not be activated.
pub fn check(spec: &ir::Spec, artifacts: &Artifacts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for pod in &spec.pods {
        let id = &pod.id.value;
        let path = decision_path(id);
        let Some(v) = artifacts
            .get(&path)
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        else {
            out.push(Diagnostic::internal(format!("pod `{id}` has no {path}")));
            continue;
        };
        if v.pointer("/decision/activationAllowed") == Some(&Value::Bool(true)) || pending(&v) {
            continue;
        }
        let strings = |ptr: &str| super::semantics::list(&v, ptr);
        let reasons = strings("/decision/failureReasons");
        let required = strings("/decision/requiredBeforeActivation");
        let mut d = Diagnostic::new(
            Code::E0602,
            format!(
                "pod `{id}` may not be activated ({} reason{}): {}",
                reasons.len(),
                if reasons.len() == 1 { "" } else { "s" },
                reasons.join(", ")
            ),
        )
        .label(pod.id.span, "activation fails closed");
        if let Some(a) = pod.admissions.get("activation") {
            d = d.label(a.span, "PolicyAdmission used");
        }
        if let Some(g) = &pod.grant {
            d = d.label(g.span, "AgentRegistryGrant used");
        }
        let required = if required.is_empty() {
            String::new()
        } else {
            format!("required before activation: {}; ", required.join(", "))
        };
        out.push(d.help(format!(
            "{required}the decision is {path}; docs/governance.md explains each reason and the admission workflow"
        )));
    }
    out
}
