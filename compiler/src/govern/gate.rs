//! The `--require-activation` gate.
//!
//! Takes: the lowered spec and the build's artifacts (which hold one
//! `receipts/<pod>/activation-decision.json` per pod).
//! Produces: one `E0602` diagnostic per pod whose decision is not `allowed`,
//! naming the pod, every failure reason and what is required before
//! activation — the check a GitOps pipeline puts before deploy.
//! Never: re-decides (it reads the decisions the build made), or writes.

use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic};
use crate::emit::Artifacts;
use crate::ir;

/// Where a pod's ActivationDecision is in the build output.
pub fn decision_path(pod: &str) -> String {
    format!("receipts/{pod}/activation-decision.json")
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
        if v.pointer("/decision/activationAllowed") == Some(&Value::Bool(true)) {
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
