//! Tests of the activation evaluator against upstream's examples.

use serde_json::{Value, json};

use super::*;
use crate::canonical;
use crate::testdata::json as upstream;

const RECEIPT: &str = "urn:srcos:agent-machine:deployment-receipt:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const AT: &str = "2026-05-04T12:51:00Z";

const POLICIES: [&str; 4] = [
    "policy-admission.allowed-activation.json",
    "policy-admission.allowed.json",
    "policy-admission.denied.json",
    "policy-admission.missing.json",
];
const GRANTS: [&str; 4] = [
    "agent-registry-grant.active-activation.json",
    "agent-registry-grant.active.json",
    "agent-registry-grant.missing.json",
    "agent-registry-grant.revoked.json",
];

struct Case {
    pod: Value,
    policy: Value,
    grant: Value,
    receipts: Vec<Value>,
    at: Option<&'static str>,
    attestation: Option<Value>,
    ctx: Context,
}

fn case(policy: &str, grant: &str) -> Case {
    Case {
        pod: upstream("local-podman-llama-cpp.agent-pod.json"),
        policy: upstream(policy),
        grant: upstream(grant),
        receipts: vec![upstream("local-lvm-warm-cache.storage-receipt.json")],
        at: Some(AT),
        attestation: None,
        ctx: Context::default(),
    }
}

fn allowed_case() -> Case {
    case(POLICIES[0], GRANTS[0])
}

impl Case {
    fn run(&self) -> ActivationDecision {
        evaluate(
            &Inputs {
                pod: &self.pod,
                policy: &self.policy,
                grant: &self.grant,
                deployment_receipt_id: RECEIPT,
                storage_receipts: &self.receipts,
                storage_refs: None,
                decided_at: self.at,
                decision_id: None,
                attestation: self.attestation.as_ref(),
            },
            &self.ctx,
        )
    }
    fn reasons(&self) -> Vec<String> {
        self.run().decision.failure_reasons
    }
}

fn valid(d: &ActivationDecision) {
    let v = contracts::validate("upstream/activation-decision", &d.to_value()).unwrap();
    assert!(v.is_empty(), "{v:?}");
}

#[test]
fn upstream_matrix_only_the_activation_pair_is_allowed() {
    for p in POLICIES {
        for g in GRANTS {
            let d = case(p, g).run();
            valid(&d);
            let mut want: Vec<&str> = Vec::new();
            if g != GRANTS[0] {
                want.push("agent_registry_grant_does_not_allow_activation_scope");
            }
            if g == "agent-registry-grant.revoked.json" {
                want.push("agent_registry_grant_revoked");
            }
            if p != POLICIES[0] {
                want.push("policy_does_not_allow_activation_scope");
            }
            want.sort();
            assert_eq!(d.decision.failure_reasons, want, "{p} + {g}");
            assert_eq!(d.allowed(), want.is_empty(), "{p} + {g}");
            assert_eq!(
                d.decision.status,
                if want.is_empty() {
                    "allowed"
                } else {
                    "fail-closed"
                }
            );
        }
    }
}

#[test]
fn reproduces_upstreams_allowed_and_fail_closed_decisions() {
    for (p, g, name, id) in [
        (
            POLICIES[0],
            GRANTS[0],
            "activation-decision.allowed.json",
            "urn:srcos:agent-machine:activation-decision:local-llama-cpp-allowed",
        ),
        (
            POLICIES[3],
            GRANTS[2],
            "activation-decision.fail-closed.json",
            "urn:srcos:agent-machine:activation-decision:local-llama-cpp-fail-closed",
        ),
    ] {
        let c = case(p, g);
        let d = evaluate(
            &Inputs {
                pod: &c.pod,
                policy: &c.policy,
                grant: &c.grant,
                deployment_receipt_id: RECEIPT,
                storage_receipts: &c.receipts,
                storage_refs: None,
                decided_at: Some(AT),
                decision_id: Some(id),
                attestation: None,
            },
            &Context::default(),
        );
        assert_eq!(
            canonical::to_string(&d.to_value()),
            canonical::to_string(&upstream(name)),
            "{name}"
        );
    }
}

#[test]
fn upstream_storage_rules_at_runtime() {
    let mut c = allowed_case();
    c.receipts
        .push(upstream("topolvm-evidence-pvc.storage-receipt.json"));
    let r = c.reasons();
    assert!(r.contains(
        &"storage_receipt_encryption_required_not_observed:urn:srcos:agent-machine:storage-receipt:topolvm-evidence-pvc".to_string()
    ), "{r:?}");
    let mut c = allowed_case();
    c.receipts.clear();
    assert_eq!(c.reasons(), ["storage_receipts_missing"]);
    let mut c = allowed_case();
    c.receipts[0]["filesystem"]
        .as_object_mut()
        .unwrap()
        .remove("worldWritable");
    let r = c.reasons();
    assert!(r[0].starts_with("storage_receipt_invalid:urn:srcos:agent-machine:storage-receipt:local-lvm-warm-cache:filesystem.worldWritable"), "{r:?}");
    let runtime = c.run();
    assert_eq!(runtime.decision.status, "fail-closed");
    // A build decides on the same rules and gives the same reasons; only
    // the status says the decision awaits the host, never "allowed".
    c.ctx.stage = Stage::Plan;
    let plan = c.run();
    assert_eq!(
        plan.decision.failure_reasons,
        runtime.decision.failure_reasons
    );
    assert_eq!(
        plan.decision.required_before_activation,
        runtime.decision.required_before_activation
    );
    assert_eq!(plan.decision.status, "unknown");
    assert!(!plan.decision.activation_allowed);
    assert_eq!(plan.decision.reason, PENDING_REASON);
    // A known problem next to the unobserved one: fail-closed at both stages.
    c.receipts[0]["filesystem"]["symlinkTraversalObserved"] = json!(true);
    assert_eq!(c.run().decision.status, "fail-closed");
    c.ctx.stage = Stage::Runtime;
    assert_eq!(c.run().decision.status, "fail-closed");
}

#[test]
fn a_supplied_negative_attestation_always_fails_closed() {
    let mut c = allowed_case();
    assert!(c.reasons().is_empty());
    // Not required by the profile or the admission, but supplied: checked.
    c.attestation = Some(upstream("attestation-decision.failed-sip.json"));
    let r = c.reasons();
    assert!(
        r.contains(&"host_attestation_not_permitted".to_string()),
        "{r:?}"
    );
    assert_eq!(c.run().decision.status, "fail-closed");
}

#[test]
fn refs_that_do_not_resolve_fail_closed() {
    let c = allowed_case();
    let refs = vec!["urn:srcos:agent-machine:storage-receipt:elsewhere".to_string()];
    let d = evaluate(
        &Inputs {
            pod: &c.pod,
            policy: &c.policy,
            grant: &c.grant,
            deployment_receipt_id: RECEIPT,
            storage_receipts: &[],
            storage_refs: Some(&refs),
            decided_at: Some(AT),
            decision_id: None,
            attestation: None,
        },
        &Context::default(),
    );
    assert_eq!(
        d.decision.failure_reasons,
        [
            "storage_receipt_files_missing",
            "storage_receipt_ref_unresolved:urn:srcos:agent-machine:storage-receipt:elsewhere"
        ]
    );
}

#[test]
fn time_is_an_input_and_checked() {
    let mut c = allowed_case();
    c.at = None;
    let d = c.run();
    assert_eq!(d.decision.failure_reasons, ["decision_time_unset"]);
    assert_eq!(d.decision.required_before_activation, ["decision_time"]);
    assert_eq!(d.decided_at, EPOCH);
    c.at = Some("2026-05-04T13:50:00Z");
    assert_eq!(
        c.reasons(),
        ["agent_registry_grant_expired", "policy_admission_expired"]
    );
    c.at = Some("2026-05-04T12:00:00Z");
    assert_eq!(
        c.reasons(),
        [
            "agent_registry_grant_not_yet_valid",
            "policy_admission_not_yet_valid"
        ]
    );
}

#[test]
fn documents_must_be_for_this_pod_deployment_and_machine() {
    let mut c = allowed_case();
    c.policy["request"]["agentPodId"] = json!("urn:srcos:agent-machine:agent-pod:other");
    c.grant["request"]["agentPodId"] = json!("urn:srcos:agent-machine:agent-pod:other");
    c.policy["request"]["deploymentReceiptId"] =
        json!("urn:srcos:agent-machine:deployment-receipt:bbbbbbbbbbbbbbbb");
    c.grant["request"]["agentMachineId"] = json!("urn:srcos:agent-machine:elsewhere");
    c.grant["request"]["requestedAgentIdentityRef"] = json!("urn:srcos:agent:someone-else");
    assert_eq!(
        c.reasons(),
        [
            "agent_registry_grant_identity_mismatch",
            "agent_registry_grant_machine_mismatch",
            "agent_registry_grant_pod_mismatch",
            "policy_admission_deployment_receipt_mismatch",
            "policy_admission_pod_mismatch",
        ]
    );
    let mut c = allowed_case();
    c.ctx.expect.machine = Some("urn:srcos:agent-machine:other".into());
    c.ctx.expect.provider = Some("urn:srcos:agent-machine:inference-provider:other".into());
    c.ctx.expect.receipt_machines = vec!["urn:srcos:agent-machine:m2-asahi-local".into()];
    assert_eq!(
        c.reasons(),
        [
            "agent_registry_grant_machine_mismatch",
            "policy_admission_machine_mismatch",
            "policy_admission_provider_mismatch",
        ]
    );
}

#[test]
fn denied_scope_overrides_allowed_and_the_pod_must_fit_the_scope() {
    let mut c = allowed_case();
    c.policy["scope"]["denied"]["sideEffects"] = json!(["mount-cache"]);
    c.policy["scope"]["denied"]["networkExposure"] = json!(["loopback"]);
    c.policy["scope"]["denied"]["storageClasses"] = json!(["local-lvm"]);
    c.grant["scope"]["denied"]["toolRefs"] = json!(["urn:srcos:tool:start-provider"]);
    c.grant["scope"]["denied"]["storageScopeRefs"] =
        json!(["urn:srcos:agent-machine:storage-receipt:local-lvm-warm-cache"]);
    assert_eq!(
        c.reasons(),
        [
            "agent_registry_grant_scope_denied:storageScopeRefs:urn:srcos:agent-machine:storage-receipt:local-lvm-warm-cache",
            "agent_registry_grant_scope_denied:toolRefs:urn:srcos:tool:start-provider",
            "policy_scope_denied:networkExposure:loopback",
            "policy_scope_denied:sideEffects:mount-cache",
            "policy_scope_denied:storageClasses:local-lvm",
        ]
    );
    let mut c = allowed_case();
    c.pod["ports"][0]["exposure"] = json!("host");
    c.pod["storage"][2]["volumeClass"] = json!("agent-artifacts");
    c.policy["scope"]["allowed"]["storageClasses"] = json!(["topolvm-k8s"]);
    c.grant["scope"]["allowed"]["storageScopeRefs"] = json!([]);
    c.grant["request"]["requestedScope"]["storageScopeRefs"] = json!([]);
    assert_eq!(
        c.reasons(),
        [
            "network_exposure_not_allowed:host",
            "policy_scope_denied:networkExposure:host",
            "storage_backend_not_allowed:local-lvm",
            "storage_scope_not_granted:urn:srcos:agent-machine:storage-receipt:local-lvm-warm-cache",
            "volume_class_not_allowed:agent-artifacts",
        ]
    );
}

#[test]
fn image_pinning_when_policy_profile_or_pod_requires_it() {
    let mut c = allowed_case();
    c.ctx.profile.image_digest_required = true;
    assert_eq!(c.reasons(), ["image_digest_not_pinned"]);
    let mut c = allowed_case();
    c.policy["obligations"]["constraints"] = json!([DIGEST_CONSTRAINT]);
    assert_eq!(c.reasons(), ["image_digest_not_pinned"]);
    let mut c = allowed_case();
    c.pod = upstream("local-podman-llama-cpp.pinned.agent-pod.json");
    c.pod["id"] = json!("urn:srcos:agent-machine:agent-pod:local-podman-llama-cpp");
    c.ctx.profile.image_digest_required = true;
    assert!(c.reasons().is_empty(), "{:?}", c.reasons());
    c.pod["runtime"]["imageDigest"] = json!(format!("sha256:{}", "2".repeat(64)));
    assert_eq!(c.reasons(), ["image_digest_mismatch"]);
}

#[test]
fn attestation_when_profile_or_policy_requires_it() {
    let mut c = allowed_case();
    c.ctx.profile.attestation_required = true;
    assert_eq!(c.reasons(), ["host_attestation_missing"]);
    let mut passed = upstream("attestation-decision.passed.json");
    passed["host_id"] = json!("m2-asahi-local");
    passed["attested_at"] = json!("2026-05-04T12:00:00Z");
    c.attestation = Some(passed.clone());
    assert!(c.reasons().is_empty(), "{:?}", c.reasons());
    let mut failed = upstream("attestation-decision.failed-sip.json");
    failed["host_id"] = json!("another-host");
    failed["attested_at"] = json!("2026-05-04T12:00:00Z");
    c.attestation = Some(failed);
    assert_eq!(
        c.reasons(),
        [
            "host_attestation_host_mismatch",
            "host_attestation_not_permitted"
        ]
    );
    let mut c = allowed_case();
    c.policy["obligations"]["constraints"] = json!([ATTESTATION_CONSTRAINT]);
    passed["attested_at"] = json!("2026-05-05T00:00:00Z");
    c.attestation = Some(passed);
    assert_eq!(c.reasons(), ["host_attestation_not_yet_valid"]);
}

#[test]
fn cache_reuse_needs_policy_and_grant_and_stays_in_the_tenant() {
    let scope = format!("{TENANT_SCOPE_PREFIX}dev:cache-warm");
    let mut c = allowed_case();
    c.pod["labels"][TENANT_LABEL] = json!("dev");
    c.receipts[0]["labels"][CACHE_SCOPE_LABEL] = json!(scope);
    assert_eq!(
        c.reasons(),
        [
            "agent_registry_grant_scope_denied:toolRefs:urn:srcos:tool:reuse-cache",
            "cache_reuse_not_allowed_by_policy",
            format!("cache_reuse_not_granted:{scope}").as_str(),
            "policy_scope_denied:cacheReuse",
            "policy_scope_denied:sideEffects:reuse-cache",
        ]
    );
    // Allowed by both: fine.
    c.policy["scope"]["allowed"]["cacheReuse"] = json!(true);
    c.policy["scope"]["denied"]["cacheReuse"] = json!(false);
    c.policy["scope"]["denied"]["sideEffects"] = json!([]);
    c.grant["scope"]["denied"]["toolRefs"] = json!([]);
    c.grant["request"]["requestedScope"]["cacheScopeRefs"] = json!([scope]);
    c.grant["scope"]["allowed"]["cacheScopeRefs"] = json!([scope]);
    assert!(c.reasons().is_empty(), "{:?}", c.reasons());
    // Another tenant's cache: never, whatever the grant says.
    let other = format!("{TENANT_SCOPE_PREFIX}finance:cache-warm");
    c.grant["request"]["requestedScope"]["cacheScopeRefs"] = json!([scope, other]);
    c.grant["scope"]["allowed"]["cacheScopeRefs"] = json!([scope, other]);
    assert_eq!(c.reasons(), [format!("cache_reuse_cross_tenant:{other}")]);
    c.receipts[0]["labels"][CACHE_SCOPE_LABEL] = json!(other);
    assert_eq!(c.reasons(), [format!("cache_reuse_cross_tenant:{other}")]);
}

#[test]
fn identity_is_required_and_named() {
    let mut c = allowed_case();
    c.pod["workload"]["agentIdentityRequired"] = json!(false);
    c.pod["workload"]
        .as_object_mut()
        .unwrap()
        .remove("agentIdentityRef");
    assert_eq!(
        c.reasons(),
        [
            "agent_identity_not_required_by_agentpod",
            "agent_identity_ref_missing"
        ]
    );
    c.pod["kind"] = json!("Pod");
    assert!(c.reasons().contains(&"agentpod_kind_invalid".to_string()));
}
