//! `amc diff` and `amc build --plan` on two builds of a modified example:
//! a pod moved by a placement constraint, a Kubernetes field changed, a
//! Quadlet line changed, units added and removed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn amc(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Two specs (the mixed-fleet example and a modified copy) built into
/// `old/` and `new/`.
fn two_builds(d: &Path) {
    copy_dir(&repo().join("examples/mixed-fleet"), &d.join("spec1"));
    copy_dir(&repo().join("examples/mixed-fleet"), &d.join("spec2"));
    let p = d.join("spec2/spec.kdl");
    let text = fs::read_to_string(&p)
        .unwrap()
        .replace(
            "require-label site=\"office\"\n",
            "require-label site=\"office\"\n        avoid \"ws-amd\"\n",
        )
        .replace(
            "resources cpu=16 memory=\"64GiB\"",
            "resources cpu=12 memory=\"64GiB\"",
        )
        .replace("\"--embedding\"", "\"--embedding\" \"--threads\" \"2\"");
    fs::write(&p, text).unwrap();
    let t = "--decided-at=2026-06-01T00:00:00Z";
    // The second build keeps the first one's placement, as a build into the
    // same directory does.
    for (spec, out, prev) in [
        ("spec1", "old", "--fresh"),
        ("spec2", "new", "--previous=old"),
    ] {
        let o = amc(&["build", spec, "--out", out, t, prev], d);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

#[test]
fn diff_human_shows_moves_fields_and_text() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    two_builds(d);
    let o = amc(&["diff", "old", "new"], d);
    assert_eq!(o.status.code(), Some(0));
    let h = stdout(&o);
    assert!(
        h.starts_with("7 added, 6 removed, 36 changed; 1 placement move, 3 activation changes\n"),
        "{h}"
    );
    assert!(
        h.contains(
            "  ops-agent\n    replica 0: ws-amd → ws-cpu\n      why: it cannot stay on ws-amd: in the pod's `avoid` list\n    activation: unknown → fail-closed\n"
        ),
        "{h}"
    );
    // The admissions were made for the old deployment receipts: the changed
    // pods need new ones, the untouched pod keeps its admission.
    assert!(
        h.contains("  batch-summarizer\n    activation: unknown → fail-closed\n      reason: activation failed closed\n      failure: policy_admission_deployment_receipt_mismatch\n"),
        "{h}"
    );
    assert!(!h.contains("  research-coder\n"), "{h}");
    assert!(h.contains(
        "      ~ StatefulSet/batch-summarizer-k-node-1 spec.template.spec.containers[0].resources.requests.cpu: \"16\" → \"12\"\n"
    ), "{h}");
    assert!(
        h.contains("  - quadlet/ws-amd/ops-agent.container\n"),
        "{h}"
    );
    assert!(
        h.contains("  + quadlet/ws-cpu/ops-agent.container\n"),
        "{h}"
    );
    assert!(h.contains("      +Exec=--host 0.0.0.0 --port 8080 --model /models/nomic-embed-text-v1.5.Q8_0.gguf --embedding --threads 2\n"), "{h}");
    assert!(h.contains("  ~ amc-build.json (build record)\n"), "{h}");

    // --exit-code: 1 when something changed, 0 when not.
    assert_eq!(
        amc(&["diff", "old", "new", "--exit-code"], d).status.code(),
        Some(1)
    );
    let same = amc(&["diff", "old", "old", "--exit-code"], d);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout(&same), "no changes\n");
    // A missing directory is a usage error.
    assert_eq!(amc(&["diff", "old", "nope"], d).status.code(), Some(2));
}

#[test]
fn diff_json_is_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    two_builds(d);
    let o = amc(&["diff", "old", "new", "--format", "json"], d);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["changed"], true);
    assert_eq!(
        v["summary"],
        serde_json::json!({"added": 7, "removed": 6, "changed": 36, "placementMoves": 1, "activationChanges": 3})
    );
    let pods = v["pods"].as_array().unwrap();
    let names: Vec<&str> = pods.iter().map(|p| p["pod"].as_str().unwrap()).collect();
    assert_eq!(names, ["batch-summarizer", "finance-embed", "ops-agent"]);
    assert_eq!(
        pods[2]["placement"],
        serde_json::json!([{"replica": 0, "from": "ws-amd", "to": "ws-cpu",
            "reason": "it cannot stay on ws-amd: in the pod's `avoid` list"}])
    );
    // Before: pending only host observations; after: a blocking reason too.
    assert_eq!(pods[0]["activation"][0]["from"]["status"], "unknown");
    assert_eq!(pods[0]["activation"][0]["to"]["status"], "fail-closed");
    let reasons = pods[0]["activation"][0]["to"]["failureReasons"]
        .as_array()
        .unwrap();
    assert_eq!(reasons[0], "policy_admission_deployment_receipt_mismatch");
    assert!(
        reasons[1..]
            .iter()
            .all(|r| r.as_str().unwrap().starts_with("storage_receipt_")),
        "{reasons:?}"
    );
    let yaml = v["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "kubernetes/edge-k8s/batch-summarizer.yaml")
        .unwrap();
    assert_eq!(yaml["kind"], "yaml");
    assert_eq!(yaml["change"], "changed");
    assert_eq!(yaml["fields"][0]["from"], "16");
    assert_eq!(yaml["fields"][0]["to"], "12");
}

#[test]
fn build_plan_prints_the_same_diff_then_replaces() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    two_builds(d);
    let expected = stdout(&amc(&["diff", "old", "new"], d));
    copy_dir(&d.join("old"), &d.join("live"));
    let o = amc(
        &[
            "build",
            "spec2",
            "--out",
            "live",
            "--plan",
            "--decided-at=2026-06-01T00:00:00Z",
        ],
        d,
    );
    assert!(o.status.success());
    assert_eq!(stdout(&o), expected);
    // The directory now is the new build.
    assert_eq!(stdout(&amc(&["diff", "new", "live"], d)), "no changes\n");
    // Against a directory that does not exist yet, everything is added.
    let o = amc(
        &[
            "build",
            "spec2",
            "--out",
            "fresh",
            "--plan",
            "--decided-at=2026-06-01T00:00:00Z",
        ],
        d,
    );
    assert!(
        stdout(&o).starts_with("87 added, 0 removed, 0 changed;"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_moved_kubernetes_replica_is_staged_on_its_new_node_and_its_old_claims_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    copy_dir(&repo().join("examples/k8s-gpu-topolvm"), &d.join("spec1"));
    copy_dir(&repo().join("examples/k8s-gpu-topolvm"), &d.join("spec2"));
    let p = d.join("spec2/spec.kdl");
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains("require-label zone=\"rack-b\""));
    fs::write(
        &p,
        text.replace(
            "require-label zone=\"rack-b\"",
            "require-label zone=\"rack-a\"",
        ),
    )
    .unwrap();
    for (spec, out) in [("spec1", "old"), ("spec2", "new")] {
        let o = amc(
            &[
                "build",
                spec,
                "--out",
                out,
                "--decided-at=2026-06-01T00:00:00Z",
            ],
            d,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let h = stdout(&amc(&["diff", "old", "new"], d));
    assert!(
        h.contains("  public-api\n    replica 0: gpu-node-2 → gpu-node-1\n"),
        "{h}"
    );
    assert!(h.contains("\nstorage:\n"), "{h}");
    assert!(
        h.contains("  stage model llama-3-1-8b-instruct on gpu-node-1 (kubernetes/gpu-cluster/models/web/llama-3-1-8b-instruct.gpu-node-1.yaml)\n"),
        "{h}"
    );
    assert!(
        h.contains("  no longer staged: model llama-3-1-8b-instruct on gpu-node-2"),
        "{h}"
    );
    assert!(
        h.contains("  stranded claim agents-web/vol-evidence-public-api-gpu-node-2-0: retained with its data"),
        "{h}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&amc(
        &["diff", "old", "new", "--format", "json"],
        d,
    )))
    .unwrap();
    let changes: Vec<&str> = v["storage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert!(
        changes.contains(&"stage")
            && changes.contains(&"unstage")
            && changes.contains(&"stranded-claim"),
        "{changes:?}"
    );
}
