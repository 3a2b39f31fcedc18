//! The receipts target: every emitted governance document validates against
//! its contract, receipts are secret-free by construction, and the
//! deployment receipt id depends on content only.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use amc::driver::{self, Options, Stop};
use amc::emit::EmitOptions;
use amc::vfs::{MemoryFs, RealFs};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn opts(decided_at: Option<&str>) -> Options {
    Options {
        stop: Stop::Build,
        emit: EmitOptions {
            decided_at: decided_at.map(str::to_string),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Builds every golden case (examples included) that builds.
fn golden_builds() -> Vec<(String, BTreeMap<String, Vec<u8>>)> {
    let mut out = Vec::new();
    let mut cases: Vec<PathBuf> = fs::read_dir(repo().join("golden"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        let spec = match fs::read_to_string(case.join("input.path")) {
            Ok(p) => repo().join(p.trim()),
            Err(_) => case.join("input"),
        };
        let decided = fs::read_to_string(case.join("decided-at"))
            .ok()
            .map(|s| s.trim().to_string());
        let c = driver::compile(&RealFs, &spec, "spec", &opts(decided.as_deref())).unwrap();
        if !c.artifacts.is_empty() {
            out.push((
                case.file_name().unwrap().to_string_lossy().to_string(),
                c.artifacts,
            ));
        }
    }
    out
}

fn schema_of(kind: &str) -> &'static str {
    match kind {
        "AgentPod" => "upstream/agent-pod",
        "InferenceProvider" => "upstream/inference-provider",
        "CacheTier" => "upstream/cache-tier",
        "AgentMachine" => "upstream/agent-machine",
        "AgentPodDeploymentPlan" => "upstream/agentpod-deployment-plan",
        "DeploymentReceipt" => "upstream/deployment-receipt",
        "StorageReceipt" => "upstream/storage-receipt",
        "AgentPlaneRuntimeEvidence" => "upstream/agentplane-runtime-evidence",
        "ActivationDecision" => "upstream/activation-decision",
        "PolicyAdmission" => "upstream/policy-admission",
        "AgentRegistryGrant" => "upstream/agent-registry-grant",
        "AmcTeardownPlan" => "teardown-plan",
        other => panic!("unexpected kind {other}"),
    }
}

#[test]
fn every_emitted_document_validates_against_its_contract() {
    let builds = golden_builds();
    assert!(builds.len() >= 4, "expected the examples to build");
    let mut kinds = BTreeMap::new();
    for (case, artifacts) in &builds {
        let mut pods = 0;
        for (path, bytes) in artifacts.iter().filter(|(p, _)| p.starts_with("receipts/")) {
            let v: Value = serde_json::from_slice(bytes).unwrap();
            let kind = v["kind"].as_str().unwrap();
            *kinds.entry(kind.to_string()).or_insert(0) += 1;
            let violations = amc::contracts::validate(schema_of(kind), &v).unwrap();
            assert!(violations.is_empty(), "{case}: {path}: {violations:?}");
            match kind {
                "PolicyAdmission" => {
                    assert_eq!(amc::govern::semantics::policy(&v), vec![], "{case}: {path}")
                }
                "AgentRegistryGrant" => {
                    assert_eq!(amc::govern::semantics::grant(&v), vec![], "{case}: {path}")
                }
                "AgentPlaneRuntimeEvidence" => {
                    // Upstream's rule: no running status while admission or grant is missing.
                    assert!(
                        !["running", "completed"]
                            .contains(&v["runtime"]["status"].as_str().unwrap())
                    );
                }
                "ActivationDecision" => pods += 1,
                _ => {}
            }
            // The one serializer: sorted keys, two-space indent, ASCII only, newline at the end.
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert_eq!(
                text,
                amc::govern::canonical::to_pretty(&v),
                "{case}: {path}"
            );
        }
        assert!(pods > 0, "{case}: no ActivationDecision");
    }
    assert_eq!(kinds.len(), 12, "{kinds:?}");
}

const SECRET_SPEC: &str = r#"
import "std:providers/llama-cpp"
import "std:cache-tiers"
machine "ws" {
    profile "sourceos-workstation"
    capacity {
        cpu 8
        memory "32GiB"
    }
    storage-pool "fs" backend="filesystem" capacity="200GiB" path="/srv/amc"
}
pod "p" {
    tenant "t"
    provider "llama-cpp"
    resources cpu=2 memory="4GiB"
    volume "evidence"
    port "http" exposure="loopback" host-port=18080
    target "quadlet"
    identity "urn:srcos:agent:p"
    env "LOG_FORMAT" "json-4b1c0d2e"
    secret "hf-token" env="HF_TOKEN"
    secret "registry-auth"
}
"#;

fn build_mem(files: &[(&str, &str)], root: &str) -> BTreeMap<String, Vec<u8>> {
    let mut fs_ = MemoryFs::new();
    for (p, t) in files {
        fs_.insert(format!("{root}/{p}"), t.to_string());
    }
    let c = driver::compile(
        &fs_,
        Path::new(root),
        "spec",
        &opts(Some("2026-06-01T00:00:00Z")),
    )
    .unwrap();
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics.sorted());
    c.artifacts
}

#[test]
fn receipts_are_secret_free_by_construction() {
    let out = build_mem(&[("spec.kdl", SECRET_SPEC)], "spec");
    let receipts: Vec<(&String, String)> = out
        .iter()
        .filter(|(p, _)| p.starts_with("receipts/"))
        .map(|(p, b)| (p, String::from_utf8(b.clone()).unwrap()))
        .collect();
    assert!(receipts.len() > 10);
    // The Quadlet unit references the secret; the environment value is deployed.
    let unit = String::from_utf8(out["quadlet/ws/p.container"].clone()).unwrap();
    assert!(
        unit.contains("Secret=hf-token,type=env,target=HF_TOKEN"),
        "{unit}"
    );
    assert!(unit.contains("json-4b1c0d2e"));
    for (path, text) in &receipts {
        // No environment value or variable name reaches a receipt; secrets appear only as names.
        assert!(!text.contains("json-4b1c0d2e"), "{path}");
        assert!(!text.contains("HF_TOKEN"), "{path}");
        let v: Value = serde_json::from_str(text).unwrap();
        if let Some(flags) = v.get("receiptSafety").and_then(Value::as_object) {
            assert!(flags.values().all(|f| f == &Value::Bool(false)), "{path}");
        }
    }
    let pod: Value = serde_json::from_slice(&out["receipts/p/agent-pod.json"]).unwrap();
    assert_eq!(pod["labels"]["amc.secret-refs"], "hf-token,registry-auth");
    assert_eq!(pod["policy"]["allowSecretInSpec"], false);
}

fn receipt_id(out: &BTreeMap<String, Vec<u8>>, pod: &str) -> String {
    let v: Value =
        serde_json::from_slice(&out[&format!("receipts/{pod}/deployment-receipt.json")]).unwrap();
    v["receiptId"].as_str().unwrap().to_string()
}

#[test]
fn deployment_receipt_id_depends_on_content_only() {
    let a = build_mem(&[("spec.kdl", SECRET_SPEC)], "spec");
    let b = build_mem(&[("spec.kdl", SECRET_SPEC)], "elsewhere/deeper/other-name");
    assert_eq!(
        receipt_id(&a, "p"),
        receipt_id(&b, "p"),
        "paths must not matter"
    );
    // Referencing an admission does not change what is deployed.
    let with_refs = SECRET_SPEC.replace(
        "    secret \"registry-auth\"\n",
        "    secret \"registry-auth\"\n    admission activation=\"gov/a.json\"\n    grant \"gov/g.json\"\n",
    );
    let policy =
        String::from_utf8(a["receipts/p/policy-admission-request.activation.json"].clone())
            .unwrap();
    let grant =
        String::from_utf8(a["receipts/p/agent-registry-grant-request.json"].clone()).unwrap();
    let c = build_mem(
        &[
            ("spec.kdl", &with_refs),
            ("gov/a.json", &policy),
            ("gov/g.json", &grant),
        ],
        "spec",
    );
    assert_eq!(receipt_id(&a, "p"), receipt_id(&c, "p"));
    // A change to what is rendered changes the id: the plan (resources) ...
    let d = build_mem(
        &[("spec.kdl", &SECRET_SPEC.replace("cpu=2", "cpu=3"))],
        "spec",
    );
    assert_ne!(receipt_id(&a, "p"), receipt_id(&d, "p"));
    // ... and the rendered unit alone (an environment value is not in the plan).
    let e = build_mem(
        &[("spec.kdl", &SECRET_SPEC.replace("json-4b1c0d2e", "text"))],
        "spec",
    );
    assert_ne!(receipt_id(&a, "p"), receipt_id(&e, "p"));
    // Decision time is not content either.
    let mut fs_ = MemoryFs::new();
    fs_.insert("spec/spec.kdl", SECRET_SPEC);
    let f = driver::compile(&fs_, Path::new("spec"), "spec", &opts(None)).unwrap();
    assert_eq!(receipt_id(&a, "p"), receipt_id(&f.artifacts, "p"));
}
