//! `amc evaluate activation` as a drop-in for upstream's evaluator, run on
//! upstream's own examples: every policy × grant combination.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const RECEIPT: &str = "urn:srcos:agent-machine:deployment-receipt:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn upstream(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/govern/src/testdata/upstream")
        .join(name)
}

fn evaluate(policy: &str, grant: &str, extra: &[&str]) -> (Option<Value>, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(["evaluate", "activation", "--pod"])
        .arg(upstream("local-podman-llama-cpp.agent-pod.json"))
        .arg("--policy")
        .arg(upstream(policy))
        .arg("--grant")
        .arg(upstream(grant))
        .args(["--deployment-receipt-id", RECEIPT])
        .arg("--storage-receipt-file")
        .arg(upstream("local-lvm-warm-cache.storage-receipt.json"))
        .args(extra)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        serde_json::from_str(&stdout).ok(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn every_upstream_policy_and_grant_combination() {
    let policies = ["allowed-activation", "allowed", "denied", "missing"];
    let grants = ["active-activation", "active", "missing", "revoked"];
    for p in policies {
        for g in grants {
            let (v, err, code) = evaluate(
                &format!("policy-admission.{p}.json"),
                &format!("agent-registry-grant.{g}.json"),
                &["--decided-at", "2026-05-04T12:51:00Z", "--pretty"],
            );
            assert_eq!(code, 0, "{p} + {g}: {err}");
            let v = v.unwrap();
            let status = v["decision"]["status"].as_str().unwrap();
            let reasons: Vec<&str> = v["decision"]["failureReasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            if p == "allowed-activation" && g == "active-activation" {
                assert_eq!(status, "allowed");
                assert!(reasons.is_empty());
            } else {
                assert_eq!(status, "fail-closed", "{p} + {g}");
                assert_eq!(
                    reasons.contains(&"policy_does_not_allow_activation_scope"),
                    p != "allowed-activation"
                );
                assert_eq!(
                    reasons.contains(&"agent_registry_grant_does_not_allow_activation_scope"),
                    g != "active-activation"
                );
            }
        }
    }
}

#[test]
fn without_a_decision_time_it_fails_closed() {
    let (v, _, code) = evaluate(
        "policy-admission.allowed-activation.json",
        "agent-registry-grant.active-activation.json",
        &[],
    );
    assert_eq!(code, 0);
    let v = v.unwrap();
    assert_eq!(v["decision"]["failureReasons"][0], "decision_time_unset");
    assert_eq!(v["decidedAt"], "1970-01-01T00:00:00Z");
}

#[test]
fn a_broken_document_is_a_diagnostic_not_a_decision() {
    // A grant passed as the policy.
    let (v, err, code) = evaluate(
        "agent-registry-grant.active.json",
        "agent-registry-grant.active-activation.json",
        &["--decided-at", "2026-05-04T12:51:00Z"],
    );
    assert_eq!(code, 1);
    assert!(v.is_none());
    assert!(err.contains("amc::E0403"), "{err}");
    // A malformed deployment receipt id cannot be decided on (upstream rule O1).
    let out = Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(["evaluate", "activation", "--pod"])
        .arg(upstream("local-podman-llama-cpp.agent-pod.json"))
        .arg("--policy")
        .arg(upstream("policy-admission.allowed-activation.json"))
        .arg("--grant")
        .arg(upstream("agent-registry-grant.active-activation.json"))
        .args(["--deployment-receipt-id", "not-a-receipt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn upstreams_positional_form_is_the_same_decision() {
    let (flags, _, code) = evaluate(
        "policy-admission.allowed-activation.json",
        "agent-registry-grant.active-activation.json",
        &["--decided-at", "2026-05-04T12:51:00Z", "--compact"],
    );
    assert_eq!(code, 0);
    let run = |words: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_amc"))
            .args(words)
            .arg(upstream("local-podman-llama-cpp.agent-pod.json"))
            .arg(upstream("policy-admission.allowed-activation.json"))
            .arg(upstream("agent-registry-grant.active-activation.json"))
            .args([
                "--deployment-receipt-id",
                RECEIPT,
                "--decided-at",
                "2026-05-04T12:51:00Z",
                "--compact",
            ])
            .arg("--storage-receipt-file")
            .arg(upstream("local-lvm-warm-cache.storage-receipt.json"))
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // `activate evaluate POD POLICY GRANT` (upstream's spelling) and the
    // positional form of `evaluate activation` give the flag form's decision.
    assert_eq!(run(&["activate", "evaluate"]), flags.clone().unwrap());
    assert_eq!(run(&["evaluate", "activation"]), flags.unwrap());
    // A document given both ways, or missing, is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(["activate", "evaluate"])
        .arg(upstream("local-podman-llama-cpp.agent-pod.json"))
        .arg("--pod")
        .arg(upstream("local-podman-llama-cpp.agent-pod.json"))
        .args(["--deployment-receipt-id", RECEIPT])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("given both"));
}
