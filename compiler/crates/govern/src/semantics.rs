//! Semantic rules of governance documents that their JSON Schemas cannot say.
//!
//! Takes: a contract-valid PolicyAdmission, AgentRegistryGrant or
//! AttestationDecision as JSON.
//! Produces: violations (JSON pointer + message) of upstream's semantic
//! validation (upstream-notes §2.1: P1–P4, G2–G7) and of the AttestationDecision
//! rule "activation_permitted iff every blocking check passes". Upstream aborts
//! on these instead of failing closed; amc reports them as `E0601`.
//! Never: decides activation (that is `activation`), or repeats what the
//! schema already enforces (const-false safety flags, unique lists, enums).

use serde_json::Value;

/// One broken semantic rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer to the offending value.
    pub pointer: String,
    /// What is wrong, naming the rule.
    pub message: String,
}

fn v(pointer: &str, message: impl Into<String>) -> Violation {
    Violation {
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

fn text<'a>(doc: &'a Value, ptr: &str) -> Option<&'a str> {
    doc.pointer(ptr).and_then(Value::as_str)
}

fn non_empty(doc: &Value, ptr: &str) -> bool {
    text(doc, ptr).is_some_and(|s| !s.trim().is_empty())
}

fn is_null(doc: &Value, ptr: &str) -> bool {
    doc.pointer(ptr).is_none_or(Value::is_null)
}

/// The 7 scope lists of an AgentRegistryGrant.
pub const GRANT_SCOPE_KEYS: [&str; 7] = [
    "providerIds",
    "modelRefs",
    "toolRefs",
    "cacheScopeRefs",
    "memoryScopeRefs",
    "storageScopeRefs",
    "evidenceScopeRefs",
];

/// Upstream's PolicyAdmission rules P1–P4.
pub fn policy(doc: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let status = text(doc, "/decision/status").unwrap_or("");
    let granted = doc
        .pointer("/decision/authorizationGranted")
        .and_then(Value::as_bool);
    let want_granted = matches!(status, "allowed" | "not-required");
    if granted != Some(want_granted) {
        out.push(v(
            "/decision/authorizationGranted",
            format!("status `{status}` needs authorizationGranted {want_granted} (rule P1)"),
        ));
    }
    match status {
        "allowed" | "denied" => {
            for key in ["decisionRef", "decisionDigest"] {
                let ptr = format!("/decision/{key}");
                if !non_empty(doc, &ptr) {
                    out.push(v(
                        &ptr,
                        format!("an `{status}` decision needs a {key} (rule P2)"),
                    ));
                }
            }
        }
        "missing" => {
            for key in ["decisionRef", "decisionDigest"] {
                let ptr = format!("/decision/{key}");
                if !is_null(doc, &ptr) {
                    out.push(v(
                        &ptr,
                        format!("a `missing` decision has no {key}: it must be null (rule P2)"),
                    ));
                }
            }
            if let Some(allowed) = doc.pointer("/scope/allowed").and_then(Value::as_object) {
                for (k, val) in allowed {
                    let empty = match val {
                        Value::Bool(b) => !b,
                        Value::Array(a) => a.is_empty(),
                        Value::Null => true,
                        _ => false,
                    };
                    if !empty {
                        out.push(v(
                            &format!("/scope/allowed/{k}"),
                            "a `missing` decision allows nothing: the allowed scope must be empty (rule P3)",
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    if status == "allowed"
        && doc
            .pointer("/obligations/requiredReceipts")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    {
        out.push(v(
            "/obligations/requiredReceipts",
            "an `allowed` decision must require at least one receipt (rule P4)",
        ));
    }
    out
}

/// Upstream's AgentRegistryGrant rules G2–G7.
pub fn grant(doc: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let status = text(doc, "/grant/status").unwrap_or("");
    let granted = doc
        .pointer("/grant/authorizationGranted")
        .and_then(Value::as_bool);
    let want_granted = status == "active";
    if granted != Some(want_granted) {
        out.push(v(
            "/grant/authorizationGranted",
            format!("status `{status}` needs authorizationGranted {want_granted} (rule G2)"),
        ));
    }
    let revocation = text(doc, "/grant/revocationStatus").unwrap_or("");
    let refs = ["grantRef", "grantDigest", "expiresAt", "revocationHookRef"];
    match status {
        "active" => {
            for key in refs {
                let ptr = format!("/grant/{key}");
                if !non_empty(doc, &ptr) {
                    out.push(v(
                        &ptr,
                        format!("an `active` grant needs a {key} (rule G3)"),
                    ));
                }
            }
            if revocation != "active" {
                out.push(v(
                    "/grant/revocationStatus",
                    "an `active` grant needs revocationStatus `active` (rule G3)",
                ));
            }
        }
        "missing" => {
            for key in refs {
                let ptr = format!("/grant/{key}");
                if !is_null(doc, &ptr) {
                    out.push(v(
                        &ptr,
                        format!("a `missing` grant has no {key}: it must be null (rule G4)"),
                    ));
                }
            }
            if revocation != "unavailable" {
                out.push(v(
                    "/grant/revocationStatus",
                    "a `missing` grant needs revocationStatus `unavailable` (rule G4)",
                ));
            }
        }
        "revoked" | "expired" | "denied" => {
            if status != "denied" && !non_empty(doc, "/grant/grantRef") {
                out.push(v(
                    "/grant/grantRef",
                    format!("a `{status}` grant needs the grantRef it ends (rule G5)"),
                ));
            }
            let ok: &[&str] = match status {
                "revoked" => &["revoked"],
                "expired" => &["expired", "unavailable"],
                _ => &["denied", "unavailable"],
            };
            if !ok.contains(&revocation) {
                out.push(v(
                    "/grant/revocationStatus",
                    format!(
                        "a `{status}` grant needs revocationStatus {} (rule G5)",
                        ok.join(" or ")
                    ),
                ));
            }
        }
        _ => {}
    }
    let mut any_allowed = false;
    for key in GRANT_SCOPE_KEYS {
        let allowed = list(doc, &format!("/scope/allowed/{key}"));
        let requested = list(doc, &format!("/request/requestedScope/{key}"));
        any_allowed |= !allowed.is_empty();
        for (i, item) in allowed.iter().enumerate() {
            if !requested.contains(item) {
                out.push(v(
                    &format!("/scope/allowed/{key}/{i}"),
                    format!("`{item}` is allowed but was never requested (rule G6)"),
                ));
            }
            if status == "missing" {
                out.push(v(
                    &format!("/scope/allowed/{key}/{i}"),
                    "a `missing` grant allows nothing: the allowed scope must be empty (rule G7)",
                ));
            }
        }
    }
    if status == "active" && !any_allowed {
        out.push(v(
            "/scope/allowed",
            "an `active` grant must allow something (rule G7)",
        ));
    }
    out
}

/// The AttestationDecision rule: `activation_permitted` is true iff every
/// blocking check passes; `overall_status` is `fail` when a blocking check
/// fails, `pass` when every check passes, else `partial`.
pub fn attestation(doc: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let checks = doc
        .get("check_results")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let blocking_ok = checks.iter().all(|c| {
        c.get("blocking").and_then(Value::as_bool) != Some(true)
            || c.get("status").and_then(Value::as_str) == Some("pass")
    });
    let all_pass = checks
        .iter()
        .all(|c| c.get("status").and_then(Value::as_str) == Some("pass"));
    let permitted = doc.get("activation_permitted").and_then(Value::as_bool);
    if permitted != Some(blocking_ok) {
        out.push(v(
            "/activation_permitted",
            format!(
                "activation_permitted must be {blocking_ok}: it is true exactly when every blocking check passes"
            ),
        ));
    }
    let want = if !blocking_ok {
        "fail"
    } else if all_pass {
        "pass"
    } else {
        "partial"
    };
    if doc.get("overall_status").and_then(Value::as_str) != Some(want) {
        out.push(v(
            "/overall_status",
            format!("overall_status must be `{want}` for these check results"),
        ));
    }
    out
}

/// A string list at a pointer (missing or non-list: empty).
pub fn list(doc: &Value, ptr: &str) -> Vec<String> {
    doc.pointer(ptr)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::json;

    #[test]
    fn upstream_examples_are_semantically_valid() {
        for name in [
            "policy-admission.allowed-activation.json",
            "policy-admission.allowed.json",
            "policy-admission.denied.json",
            "policy-admission.missing.json",
        ] {
            assert_eq!(policy(&json(name)), vec![], "{name}");
        }
        for name in [
            "agent-registry-grant.active-activation.json",
            "agent-registry-grant.active.json",
            "agent-registry-grant.missing.json",
            "agent-registry-grant.revoked.json",
        ] {
            assert_eq!(grant(&json(name)), vec![], "{name}");
        }
        for name in [
            "attestation-decision.passed.json",
            "attestation-decision.failed-sip.json",
            "attestation-decision.failed-mdm.json",
        ] {
            assert_eq!(attestation(&json(name)), vec![], "{name}");
        }
    }

    #[test]
    fn broken_rules_point_at_the_value() {
        let mut p = json("policy-admission.allowed-activation.json");
        p["decision"]["authorizationGranted"] = Value::Bool(false);
        p["obligations"]["requiredReceipts"] = serde_json::json!([]);
        let got = policy(&p);
        assert_eq!(got[0].pointer, "/decision/authorizationGranted");
        assert!(got[0].message.contains("P1"));
        assert_eq!(got[1].pointer, "/obligations/requiredReceipts");

        let mut g = json("agent-registry-grant.active-activation.json");
        g["grant"]["revocationStatus"] = Value::String("revoked".into());
        g["scope"]["allowed"]["toolRefs"] = serde_json::json!(["urn:srcos:tool:everything"]);
        let got = grant(&g);
        assert!(got.iter().any(|x| x.pointer == "/grant/revocationStatus"));
        assert!(
            got.iter()
                .any(|x| x.pointer == "/scope/allowed/toolRefs/0" && x.message.contains("G6"))
        );

        let mut a = json("attestation-decision.failed-sip.json");
        a["activation_permitted"] = Value::Bool(true);
        assert_eq!(attestation(&a)[0].pointer, "/activation_permitted");
    }
}
