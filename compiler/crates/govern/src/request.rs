//! Decisions for `teardown` and `wipe` requests.
//!
//! Takes: the PolicyAdmission a pod references for the request type (or the
//! `missing` request amc emits when it references none), the pod and
//! deployment it must be bound to, and the decision time.
//! Produces: a [`RequestDecision`]: `allowed` only when the admission is an
//! allowed, authorization-granting decision for that request type, for this
//! pod and deployment, valid at the decision time; else `fail-closed` with
//! reason tokens (docs/governance.md).
//! Never: reads the clock, or lets an activation admission stand in for a
//! teardown or wipe one.

use serde::Serialize;
use serde_json::Value;

use super::rules::{self, Binding, Issuer, Reasons, text};

/// The decision on one teardown or wipe request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RequestDecision {
    /// `teardown` or `wipe`.
    pub request_type: String,
    /// `allowed` or `fail-closed`.
    pub status: &'static str,
    /// Whether the request may be carried out.
    pub allowed: bool,
    /// The PolicyAdmission decided on.
    pub policy_admission_id: String,
    /// Its decision ref.
    pub policy_decision_ref: Option<String>,
    /// When the admission expires.
    pub expires_at: Option<String>,
    /// One token per failed rule, sorted.
    pub failure_reasons: Vec<String>,
    /// What must change first, sorted.
    pub required_before: Vec<String>,
}

/// Decides a `teardown` or `wipe` request.
pub fn evaluate(
    request_type: &str,
    policy: &Value,
    pod_id: &str,
    binding: &Binding<'_>,
    decided_at: Option<&str>,
) -> RequestDecision {
    let mut r = Reasons::default();
    let ok = text(policy, "/decision/status") == Some("allowed")
        && policy.pointer("/decision/authorizationGranted") == Some(&Value::Bool(true))
        && text(policy, "/request/requestType") == Some(request_type);
    let slug = request_type.replace('-', "_");
    if !ok {
        r.fail(
            format!("policy_does_not_allow_{slug}"),
            Some(&format!("policy_admission_allowed_{slug}")),
        );
    }
    let now = rules::decision_time(decided_at, &mut r);
    rules::check_validity(policy, Issuer::Policy, now, &mut r);
    rules::check_policy_binding(policy, pod_id, binding, &mut r);
    let allowed = r.is_empty();
    RequestDecision {
        request_type: request_type.to_string(),
        status: if allowed { "allowed" } else { "fail-closed" },
        allowed,
        policy_admission_id: text(policy, "/id").unwrap_or_default().to_string(),
        policy_decision_ref: text(policy, "/decision/decisionRef").map(str::to_string),
        expires_at: text(policy, "/obligations/expiresAt").map(str::to_string),
        failure_reasons: r.failures.into_iter().collect(),
        required_before: r.required.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::json;
    use serde_json::json as j;

    const RECEIPT: &str =
        "urn:srcos:agent-machine:deployment-receipt:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const POD: &str = "urn:srcos:agent-machine:agent-pod:local-podman-llama-cpp";

    fn bind() -> Binding<'static> {
        Binding {
            deployment_receipt_id: RECEIPT,
            ..Binding::default()
        }
    }

    #[test]
    fn only_an_admission_for_the_request_type_allows_it() {
        let mut p = json("policy-admission.allowed-activation.json");
        let at = Some("2026-05-04T12:51:00Z");
        let d = evaluate("teardown", &p, POD, &bind(), at);
        assert_eq!(d.failure_reasons, ["policy_does_not_allow_teardown"]);
        assert_eq!(d.required_before, ["policy_admission_allowed_teardown"]);
        p["request"]["requestType"] = j!("teardown");
        let d = evaluate("teardown", &p, POD, &bind(), at);
        assert!(d.allowed && d.status == "allowed");
        let d = evaluate("teardown", &p, POD, &bind(), None);
        assert_eq!(d.failure_reasons, ["decision_time_unset"]);
        let d = evaluate(
            "wipe",
            &p,
            "urn:srcos:agent-machine:agent-pod:x",
            &bind(),
            at,
        );
        assert_eq!(
            d.failure_reasons,
            [
                "policy_admission_pod_mismatch",
                "policy_does_not_allow_wipe"
            ]
        );
    }
}
