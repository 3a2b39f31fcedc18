//! Rules shared by every governance decision: the reason collector, the
//! decision-time checks and the "is this admission for this deployment" checks.
//!
//! Takes: governance documents as JSON and the decision time.
//! Produces: reason tokens (with what is required before the action) into a
//! [`Reasons`] collector; every token is documented in docs/governance.md.
//! Never: reads the clock — the decision time is an input, and an unset time
//! fails closed (`decision_time_unset`).

use std::collections::BTreeSet;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Failure reasons and what is required before the action, both sorted and
/// deduplicated (upstream sorts both lists).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reasons {
    /// `failureReasons` tokens.
    pub failures: BTreeSet<String>,
    /// `requiredBeforeActivation` tokens.
    pub required: BTreeSet<String>,
    /// The failures that only an observation on the host can clear (a
    /// storage receipt's world-writability, symlink traversal, encryption or
    /// quota that was not observed); a subset of `failures`.
    pub awaiting_observation: BTreeSet<String>,
}

impl Reasons {
    /// Records a failed rule.
    pub fn fail(&mut self, token: impl Into<String>, required: Option<&str>) {
        self.failures.insert(token.into());
        if let Some(r) = required {
            self.required.insert(r.to_string());
        }
    }

    /// Records a rule that fails because something was not observed, which
    /// only the host can observe.
    pub fn unobserved(&mut self, token: impl Into<String>, required: Option<&str>) {
        let token = token.into();
        self.awaiting_observation.insert(token.clone());
        self.fail(token, required);
    }

    /// Whether every failure awaits an observation on the host (and there is one).
    pub fn only_awaiting_observation(&self) -> bool {
        !self.failures.is_empty()
            && self
                .failures
                .iter()
                .all(|f| self.awaiting_observation.contains(f))
    }

    /// Whether no rule failed.
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }
}

/// A string at a JSON pointer.
pub fn text<'a>(doc: &'a Value, ptr: &str) -> Option<&'a str> {
    doc.pointer(ptr).and_then(Value::as_str)
}

/// A string list at a JSON pointer (missing: empty).
pub fn list(doc: &Value, ptr: &str) -> Vec<String> {
    super::semantics::list(doc, ptr)
}

/// Sorted, deduplicated copy of a list.
pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Parses an RFC 3339 timestamp.
pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Which document a time check is about.
#[derive(Debug, Clone, Copy)]
pub enum Issuer {
    /// A PolicyAdmission (`decidedAt`, `obligations.expiresAt`).
    Policy,
    /// An AgentRegistryGrant (`issuedAt`, `grant.expiresAt`).
    Grant,
}

impl Issuer {
    fn prefix(self) -> &'static str {
        match self {
            Issuer::Policy => "policy_admission",
            Issuer::Grant => "agent_registry_grant",
        }
    }
    fn pointers(self) -> (&'static str, &'static str) {
        match self {
            Issuer::Policy => ("/decidedAt", "/obligations/expiresAt"),
            Issuer::Grant => ("/issuedAt", "/grant/expiresAt"),
        }
    }
}

/// What is required when a document is not valid at the decision time.
pub fn valid_at_token(issuer: Issuer) -> &'static str {
    match issuer {
        Issuer::Policy => "policy_admission_valid_at_decision_time",
        Issuer::Grant => "agent_registry_grant_valid_at_decision_time",
    }
}

/// Checks that `doc` was issued at or before `decided` and expires after it:
/// `<doc>_not_yet_valid`, `<doc>_expired`, `<doc>_time_invalid`. A null
/// expiry never expires (as upstream). Nothing is checked without a time
/// (the caller reports `decision_time_unset`).
pub fn check_validity(
    doc: &Value,
    issuer: Issuer,
    decided: Option<OffsetDateTime>,
    r: &mut Reasons,
) {
    let Some(now) = decided else { return };
    let (issued_ptr, expires_ptr) = issuer.pointers();
    let req = Some(valid_at_token(issuer));
    let p = issuer.prefix();
    match text(doc, issued_ptr).map(parse_time) {
        Some(Some(t)) if t > now => r.fail(format!("{p}_not_yet_valid"), req),
        Some(Some(_)) => {}
        _ => r.fail(format!("{p}_time_invalid"), req),
    }
    match doc.pointer(expires_ptr) {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => match parse_time(s) {
            Some(t) if t <= now => r.fail(format!("{p}_expired"), req),
            Some(_) => {}
            None => r.fail(format!("{p}_time_invalid"), req),
        },
        Some(_) => r.fail(format!("{p}_time_invalid"), req),
    }
}

/// Parses the decision time, recording `decision_time_unset` when it is not set.
pub fn decision_time(decided_at: Option<&str>, r: &mut Reasons) -> Option<OffsetDateTime> {
    match decided_at.map(parse_time) {
        Some(Some(t)) => Some(t),
        _ => {
            r.fail("decision_time_unset", Some("decision_time"));
            None
        }
    }
}

/// The admission is for this pod and this deployment (and, when known, this
/// machine and provider): `policy_admission_pod_mismatch`,
/// `policy_admission_deployment_receipt_mismatch`,
/// `policy_admission_machine_mismatch`, `policy_admission_provider_mismatch`.
pub fn check_policy_binding(policy: &Value, pod_id: &str, binding: &Binding<'_>, r: &mut Reasons) {
    let req = Some("policy_admission_for_this_deployment");
    if text(policy, "/request/agentPodId") != Some(pod_id) {
        r.fail("policy_admission_pod_mismatch", req);
    }
    let digests_match = |ptr: &str, want: Option<&str>| match (want, text(policy, ptr)) {
        (Some(w), Some(got)) => w == got,
        _ => true,
    };
    if text(policy, "/request/deploymentReceiptId") != Some(binding.deployment_receipt_id)
        || !digests_match("/request/planDigest", binding.plan_digest)
        || !digests_match("/request/manifestDigest", binding.manifest_digest)
    {
        r.fail("policy_admission_deployment_receipt_mismatch", req);
    }
    if let Some(m) = binding.machine
        && text(policy, "/request/agentMachineId") != Some(m)
    {
        r.fail("policy_admission_machine_mismatch", req);
    }
    if let (Some(want), Some(got)) = (binding.provider, text(policy, "/request/providerId"))
        && want != got
    {
        r.fail("policy_admission_provider_mismatch", req);
    }
}

/// What an admission must be bound to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Binding<'a> {
    /// The deployment receipt id being decided.
    pub deployment_receipt_id: &'a str,
    /// The expected `planDigest` (checked when both sides have one).
    pub plan_digest: Option<&'a str>,
    /// The expected `manifestDigest` (checked when both sides have one).
    pub manifest_digest: Option<&'a str>,
    /// The expected `agentMachineId`, when known.
    pub machine: Option<&'a str>,
    /// The expected `providerId`, when known (a null providerId is unrestricted, as upstream).
    pub provider: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validity_window() {
        let doc = json!({"decidedAt": "2026-05-04T12:50:00Z", "obligations": {"expiresAt": "2026-05-04T13:50:00Z"}});
        let at = |s: &str| {
            let mut r = Reasons::default();
            check_validity(&doc, Issuer::Policy, parse_time(s), &mut r);
            r.failures.into_iter().collect::<Vec<_>>()
        };
        assert!(at("2026-05-04T12:51:00Z").is_empty());
        assert!(at("2026-05-04T12:50:00Z").is_empty());
        assert_eq!(
            at("2026-05-04T12:49:59Z"),
            ["policy_admission_not_yet_valid"]
        );
        assert_eq!(at("2026-05-04T13:50:00Z"), ["policy_admission_expired"]);
        assert_eq!(
            at("2026-05-04T14:50:00+01:00"),
            ["policy_admission_expired"]
        );
        let bad = json!({"decidedAt": "yesterday", "obligations": {"expiresAt": null}});
        let mut r = Reasons::default();
        check_validity(
            &bad,
            Issuer::Policy,
            parse_time("2026-01-01T00:00:00Z"),
            &mut r,
        );
        assert!(r.failures.contains("policy_admission_time_invalid"));
        let mut r = Reasons::default();
        assert!(decision_time(None, &mut r).is_none());
        assert!(r.failures.contains("decision_time_unset"));
    }
}
