//! One verdict (issue 21): every ActivationDecision a golden build writes is
//! what the runtime gate, `amc evaluate activation`, says on the same
//! documents — the build's own agent-pod.json and storage receipts, the
//! admission and grant the pod references (or the requests the build
//! writes), the deployment it is bound to (`--deployment receipts/<pod>/`),
//! the decision time and the machine's attestation. The reasons are the same; the status is the same, except
//! that a build decision whose every reason awaits a host observation is
//! `unknown` ("activation pending host observation") where the runtime gate
//! fails closed. A build is never more permissive than the runtime gate.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use amc::driver::{self, Options, Stop};
use amc::govern::semantics::list;
use amc::vfs::RealFs;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json(p: &Path) -> Value {
    serde_json::from_slice(&fs::read(p).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

struct Case {
    name: String,
    spec: PathBuf,
    expected: PathBuf,
    decided_at: Option<String>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = fs::read_dir(repo().join("golden"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected/receipts").is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let spec = match fs::read_to_string(d.join("input.path")) {
            Ok(p) => repo().join(p.trim()),
            Err(_) => d.join("input"),
        };
        out.push(Case {
            name: d.file_name().unwrap().to_string_lossy().into_owned(),
            spec,
            expected: d.join("expected"),
            decided_at: fs::read_to_string(d.join("decided-at"))
                .ok()
                .map(|s| s.trim().to_string()),
        });
    }
    out
}

#[test]
fn the_runtime_gate_agrees_with_every_golden_build() {
    let mut compared = 0;
    let mut pending = 0;
    let mut failures = Vec::new();
    for case in cases() {
        let c = driver::compile(
            &RealFs,
            &case.spec,
            "spec",
            &Options {
                stop: Stop::Check,
                ..Default::default()
            },
        )
        .unwrap();
        for pod in &c.spec.pods {
            let id = &pod.id.value;
            let dir = case.expected.join("receipts").join(id.as_str());
            let build = json(&dir.join("activation-decision.json"));
            let policy = match pod.admissions.get("activation") {
                Some(p) => case.spec.join(&p.value),
                None => dir.join("policy-admission-request.activation.json"),
            };
            let grant = match &pod.grant {
                Some(g) => case.spec.join(&g.value),
                None => dir.join("agent-registry-grant-request.json"),
            };
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_amc"));
            cmd.env_remove("SOURCE_DATE_EPOCH")
                .args(["evaluate", "activation"])
                .arg(dir.join("agent-pod.json"))
                .arg(&policy)
                .arg(&grant)
                .arg("--deployment")
                .arg(&dir)
                .arg("--compact");
            let mut receipts: Vec<PathBuf> = fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("storage-receipt.")
                })
                .collect();
            receipts.sort();
            for r in &receipts {
                cmd.arg("--storage-receipt").arg(r);
            }
            if let Some(t) = &case.decided_at {
                cmd.arg("--decided-at").arg(t);
            }
            // The attestation of the machine the admission names (the first replica's).
            let machine = build["inputs"]["agentMachineId"].as_str().unwrap_or("");
            if let Some(m) = c
                .spec
                .machines
                .iter()
                .find(|m| machine.ends_with(&format!(":{}", m.id.value)))
                && let Some(a) = &m.attestation
            {
                cmd.arg("--attestation").arg(case.spec.join(&a.value));
            }
            let out = cmd.output().unwrap();
            let what = format!("{}: pod `{id}`", case.name);
            if !out.status.success() {
                failures.push(format!(
                    "{what}: evaluate failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
            let runtime: Value = serde_json::from_slice(&out.stdout).unwrap();
            compared += 1;
            for field in ["failureReasons", "requiredBeforeActivation"] {
                let (b, r) = (
                    list(&build, &format!("/decision/{field}")),
                    list(&runtime, &format!("/decision/{field}")),
                );
                if b != r {
                    failures.push(format!(
                        "{what}: {field} differ\n  build:   {b:?}\n  runtime: {r:?}"
                    ));
                }
            }
            let (b, r) = (
                build["decision"]["status"].as_str().unwrap(),
                runtime["decision"]["status"].as_str().unwrap(),
            );
            let ok = b == r
                || (b == "unknown" && r == "fail-closed" && amc::govern::gate::pending(&build));
            if b == "unknown" {
                pending += 1;
            }
            if !ok {
                failures.push(format!("{what}: build says {b}, the runtime gate {r}"));
            }
            if build["decision"]["activationAllowed"] == Value::Bool(true)
                && runtime["decision"]["activationAllowed"] != Value::Bool(true)
            {
                failures.push(format!(
                    "{what}: the build allows what the runtime gate refuses"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared >= 20, "compared only {compared} decisions");
    assert!(
        pending >= 5,
        "only {pending} pending decisions: the goldens no longer show the pending status"
    );
}

/// The planned receipts of a build, as the machine would observe them when
/// all is well: the runtime gate then allows what the build left pending.
#[test]
fn observed_receipts_turn_a_pending_build_decision_into_allowed() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "example-workstation-llama")
        .unwrap();
    let dir = case.expected.join("receipts/coder");
    let build = json(&dir.join("activation-decision.json"));
    assert_eq!(build["decision"]["status"], "unknown");
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_amc"));
    cmd.args(["activate", "evaluate"])
        .arg(dir.join("agent-pod.json"))
        .arg(case.spec.join("governance/coder.activation.json"))
        .arg(case.spec.join("governance/coder.grant.json"))
        .arg("--deployment-receipt-id")
        .arg(
            json(&dir.join("deployment-receipt.json"))["receiptId"]
                .as_str()
                .unwrap(),
        )
        .arg("--decided-at")
        .arg(case.decided_at.as_deref().unwrap());
    for e in fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if !p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("storage-receipt.")
        {
            continue;
        }
        let mut r = json(&p);
        r["filesystem"]["worldWritable"] = Value::Bool(false);
        r["filesystem"]["symlinkTraversalObserved"] = Value::Bool(false);
        if r["encryption"]["required"] == Value::Bool(true) {
            r["encryption"]["observed"] = Value::Bool(true);
        }
        if r["quota"]["required"] == Value::Bool(true) {
            r["quota"]["observed"] = Value::Bool(true);
        }
        let to = tmp.path().join(p.file_name().unwrap());
        fs::write(&to, serde_json::to_vec(&r).unwrap()).unwrap();
        cmd.arg("--storage-receipt").arg(&to);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["decision"]["status"], "allowed", "{d}");

    // And that runtime decision is what activation evidence records.
    let decision = tmp.path().join("decision.json");
    fs::write(&decision, &out.stdout).unwrap();
    let ev = Command::new(env!("CARGO_BIN_EXE_amc"))
        .args(["evidence", "activation", "--placement"])
        .arg(dir.join("placement-evidence.ws-1.json"))
        .arg("--decision")
        .arg(&decision)
        .args(["--observed-at", "2026-06-01T00:05:00Z"])
        .output()
        .unwrap();
    assert!(
        ev.status.success(),
        "{}",
        String::from_utf8_lossy(&ev.stderr)
    );
    let v: Value = serde_json::from_slice(&ev.stdout).unwrap();
    assert_eq!(v["evidenceType"], "activation");
    assert_eq!(v["runtime"]["status"], "activating");
    assert!(
        amc::contracts::validate("upstream/agentplane-runtime-evidence", &v)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn every_runtime_evidence_kind_is_produced_and_refused_where_the_documents_say_no() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "example-workstation-llama")
        .unwrap();
    let dir = case.expected.join("receipts/coder");
    let placement = dir.join("placement-evidence.ws-1.json");
    let run = |args: &[&str], extra: &[(&str, PathBuf)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_amc"));
        c.env_remove("SOURCE_DATE_EPOCH")
            .arg("evidence")
            .args(args)
            .arg("--placement")
            .arg(&placement);
        for (flag, p) in extra {
            c.arg(flag).arg(p);
        }
        c.output().unwrap()
    };
    let at = ["--observed-at", "2026-06-02T00:00:00Z"];
    let plan = dir.join("teardown-plan.json");
    for (kind, status) in [("teardown", "tearing-down"), ("wipe", "wiped")] {
        let o = run(
            &[&[kind][..], &at[..]].concat(),
            &[("--teardown-plan", plan.clone())],
        );
        assert!(
            o.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["evidenceType"], kind);
        assert_eq!(v["runtime"]["status"], status);
        assert!(
            amc::contracts::validate("upstream/agentplane-runtime-evidence", &v)
                .unwrap()
                .is_empty()
        );
    }
    let o = run(
        &["runtime-status", "--status", "running", at[0], at[1]],
        &[],
    );
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["evidenceType"].as_str(), v["runtime"]["status"].as_str()),
        (Some("runtime-status"), Some("running"))
    );
    // A failed status says why (a usage error); no time, no evidence; a
    // build's decision is not the runtime's.
    assert_eq!(
        run(&["runtime-status", "--status", "failed", at[0], at[1]], &[])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["runtime-status", "--status", "running"], &[])
            .status
            .code(),
        Some(2)
    );
    let o = run(
        &["activation", at[0], at[1]],
        &[("--decision", dir.join("activation-decision.json"))],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("planned receipts"), "{err}");
    // A refusal is a diagnostic with its code, at the value responsible.
    assert!(err.contains("E0403"), "{err}");
    let label = &err[err
        .find("activation-decision.json:")
        .expect("a file:line:col")..];
    let line: usize = label
        .split(':')
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("a line number");
    let decision = fs::read_to_string(dir.join("activation-decision.json")).unwrap();
    assert!(
        decision
            .lines()
            .nth(line - 1)
            .is_some_and(|l| l.contains("amc.decision.stage")),
        "line {line} of the decision is not its stage label: {err}"
    );

    // A teardown the admission does not allow leaves no teardown evidence.
    let mut p = json(&plan);
    p["decisions"]["teardown"]["allowed"] = Value::Bool(false);
    p["decisions"]["teardown"]["failureReasons"] =
        serde_json::json!(["policy_does_not_allow_teardown"]);
    let tmp = tempfile::tempdir().unwrap();
    let denied = tmp.path().join("plan.json");
    fs::write(&denied, serde_json::to_vec(&p).unwrap()).unwrap();
    let o = run(&["teardown", at[0], at[1]], &[("--teardown-plan", denied)]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("policy_does_not_allow_teardown"), "{err}");
    assert!(err.contains("E0601") && err.contains("plan.json:"), "{err}");
}
