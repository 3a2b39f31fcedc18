//! The upstream ReleaseEvidenceBundle (`amc-release-evidence.json`).
//!
//! Takes the rendered artifacts, the build inputs and the emit options;
//! produces the bundle (contract `upstream/release-evidence-bundle`): input
//! and contract inventories and rendered-artifact digests. It is listed in
//! the build manifest, so the manifest's signature covers it. Unknown source
//! facts take upstream's defaults (all-zero commit, `null` workflow run).
//! Never depends on the signing key: signed and unsigned builds of the same
//! spec produce the same bundle.

use amc_syntax::diagnostics::BugResult;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::manifest::{Digests, Seq, digest_of, sha256, to_bytes_with};
use super::{Artifacts, EmitOptions};
use amc_lang::resolve::Input;

/// File name of the bundle in the output directory.
pub const BUNDLE: &str = "amc-release-evidence.json";

/// Commit recorded when `--source-commit` is not given (upstream's default).
pub const UNKNOWN_COMMIT: &str = "0000000000000000000000000000000000000000";

/// The id slug shared by the bundle and its envelope: `amc-` and the first 16
/// hex digits of the SHA-256 over every input and artifact `path digest` line.
pub fn slug(artifacts: &Artifacts, digests: &Digests, inputs: &[&Input]) -> String {
    let mut h = Sha256::new();
    for i in inputs {
        h.update(format!("input {} {}\n", i.path, sha256(&i.bytes)));
    }
    for (p, b) in artifacts {
        h.update(format!("artifact {p} {}\n", digest_of(digests, p, b)));
    }
    let d = h.finalize();
    format!("amc-{}", amc_syntax::hash::hex(&d[..8]))
}

/// The upstream `artifactKind` of an output path.
pub fn artifact_kind(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("");
    if path.starts_with("quadlet/") {
        match ext {
            "container" => "QuadletContainer",
            "network" => "QuadletNetwork",
            "volume" => "QuadletVolume",
            _ => "QuadletUnit",
        }
    } else if path.starts_with("kubernetes/") {
        "KubernetesManifest"
    } else if path == "placement.json" {
        "AmcPlacement"
    } else {
        "File"
    }
}

/// Warnings that block production: a mutable image, a model without a
/// digest. Each becomes a `knownBlockers` entry (`W0301: <message>`).
pub const PRODUCTION_BLOCKING: &[amc_syntax::diagnostics::Code] = &[
    amc_syntax::diagnostics::Code::W0301,
    amc_syntax::diagnostics::Code::W0302,
];

/// What blocks production, from the build's own documents and warnings:
/// `activation-fail-closed:<pod>:<reason>` for every reason of a pod whose
/// decision fails closed, `activation-pending-host-observation:<pod>` for a
/// pod whose decision awaits the host, then each blocking warning.
pub fn known_blockers(artifacts: &Artifacts, warnings: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in artifacts {
        let Some(pod) = path
            .strip_prefix("receipts/")
            .and_then(|p| p.strip_suffix("/activation-decision.json"))
        else {
            continue;
        };
        let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
            continue;
        };
        if v.pointer("/decision/activationAllowed") == Some(&Value::Bool(true)) {
            continue;
        }
        if amc_govern::gate::pending(&v) {
            out.push(format!("activation-pending-host-observation:{pod}"));
            continue;
        }
        for r in amc_govern::semantics::list(&v, "/decision/failureReasons") {
            out.push(format!("activation-fail-closed:{pod}:{r}"));
        }
    }
    out.extend(warnings.iter().cloned());
    out.sort();
    out.dedup();
    out
}

/// The bundle bytes for artifacts rendered so far (before the manifest).
pub fn bundle(
    artifacts: &Artifacts,
    digests: &Digests,
    inputs: &[&Input],
    warnings: &[String],
    opts: &EmitOptions,
) -> BugResult<Vec<u8>> {
    let blockers = known_blockers(artifacts, warnings);
    let at = opts.decided_at.as_deref().unwrap_or(amc_syntax::EPOCH);
    let schemas: Vec<Value> = amc_lang::contracts::all()
        .iter()
        .map(|c| {
            json!({
                "path": format!("contracts/{}.schema.json", c.name),
                "digest": sha256(c.text.as_bytes()),
            })
        })
        .collect();
    let v = json!({
        "specVersion": "0.1.0",
        "id": format!("urn:srcos:agent-machine:release-evidence-bundle:{}", slug(artifacts, digests, inputs)),
        "kind": "ReleaseEvidenceBundle",
        "release": {
            "name": "amc-build",
            "maturity": if blockers.is_empty() { "release-candidate" } else { "production-blocked" },
            "productionReady": false,
            "notes": [
                format!("Rendered by amc {} from {} input file(s); the build manifest is amc-build.json.", amc_syntax::VERSION, inputs.len()),
                "inventories.examples lists the build inputs (spec files and documents, paths relative to the spec root).",
            ],
        },
        "source": {
            "repository": "unknown",
            "branch": "unknown",
            "commitSha": opts.source_commit.clone().unwrap_or_else(|| UNKNOWN_COMMIT.to_string()),
            "pullRequest": null,
        },
        "validation": {
            "canonicalCommand": "amc build",
            "status": "passed",
            "workflowRunId": opts.workflow_run_id,
            "workflowJobName": null,
            "validatedAt": opts.decided_at,
        },
        "inventories": {
            "schemas": schemas,
            "examples": inputs.iter().map(|i| json!({"path": i.path, "digest": sha256(&i.bytes)})).collect::<Vec<_>>(),
            "docs": [],
        },
        "supplyChain": {
            // `amc build --require-activation` is the strict gate.
            "strictModeAvailable": true,
            "strictExamples": [],
            "mutableBootstrapExamples": [],
        },
        "readiness": {
            "bootstrapReady": true,
            "productionReady": false,
            "releaseGateRef": "docs/provenance.md",
            "statusRef": null,
        },
        "knownBlockers": blockers,
        "receiptSafety": {
            "includeRawContent": false,
            "rawPromptContentIncluded": false,
            "rawKvCacheContentIncluded": false,
            "secretValuesIncluded": false,
            "privateMemoryIncluded": false,
        },
        "generatedAt": at,
    });
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Rendered<'a> {
        artifact_kind: &'static str,
        digest: String,
        name: &'a str,
        path: &'a str,
    }
    let list = Seq(|| {
        artifacts.iter().map(|(p, b)| Rendered {
            artifact_kind: artifact_kind(p),
            digest: digest_of(digests, p, b),
            name: p,
            path: p,
        })
    });
    to_bytes_with(&v, "renderedArtifacts", &list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_validates_against_the_upstream_contract() {
        let mut a = Artifacts::new();
        a.insert("placement.json".into(), b"{}\n".to_vec());
        a.insert("quadlet/m/p.container".into(), b"[Container]\n".to_vec());
        let input = Input {
            path: "spec.kdl".into(),
            bytes: b"x".to_vec(),
        };
        for opts in [
            EmitOptions::default(),
            EmitOptions {
                decided_at: Some("2026-01-02T03:04:05Z".into()),
                source_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
                workflow_run_id: Some(42),
                ..EmitOptions::default()
            },
        ] {
            let b = bundle(&a, &crate::manifest::digests(&a), &[&input], &[], &opts).unwrap();
            let v: Value = serde_json::from_slice(&b).unwrap();
            let errs =
                amc_lang::contracts::validate("upstream/release-evidence-bundle", &v).unwrap();
            assert!(errs.is_empty(), "{errs:?}");
        }
    }

    #[test]
    fn known_blockers_name_every_refusal_and_blocking_warning() {
        let mut a = Artifacts::new();
        let decision = |status: &str, allowed: bool, reasons: &[&str], pending: bool| {
            let mut v = serde_json::json!({"decision": {
                "status": status, "activationAllowed": allowed, "failureReasons": reasons,
            }, "labels": {}});
            if pending {
                v["labels"]["amc.decision.pending"] = "host-observation".into();
            }
            serde_json::to_vec(&v).unwrap()
        };
        a.insert(
            "receipts/a/activation-decision.json".into(),
            decision("allowed", true, &[], false),
        );
        a.insert(
            "receipts/b/activation-decision.json".into(),
            decision(
                "fail-closed",
                false,
                &[
                    "policy_does_not_allow_activation_scope",
                    "decision_time_unset",
                ],
                false,
            ),
        );
        a.insert(
            "receipts/c/activation-decision.json".into(),
            decision(
                "unknown",
                false,
                &["storage_receipt_quota_required_not_observed:x"],
                true,
            ),
        );
        let warn =
            vec!["W0301: pod `b` runs `r/x:latest`, which is not pinned by digest".to_string()];
        assert_eq!(
            known_blockers(&a, &warn),
            [
                "W0301: pod `b` runs `r/x:latest`, which is not pinned by digest",
                "activation-fail-closed:b:decision_time_unset",
                "activation-fail-closed:b:policy_does_not_allow_activation_scope",
                "activation-pending-host-observation:c",
            ]
        );
        let input = Input {
            path: "spec.kdl".into(),
            bytes: b"x".to_vec(),
        };
        let v: Value = serde_json::from_slice(
            &bundle(
                &a,
                &crate::manifest::digests(&a),
                &[&input],
                &warn,
                &EmitOptions::default(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(v["release"]["maturity"], "production-blocked");
        assert_eq!(v["supplyChain"]["strictModeAvailable"], true);
        assert_eq!(v["knownBlockers"].as_array().unwrap().len(), 4);
        let clean: Value = serde_json::from_slice(
            &bundle(
                &Artifacts::new(),
                &Default::default(),
                &[&input],
                &[],
                &EmitOptions::default(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(clean["release"]["maturity"], "release-candidate");
        assert_eq!(clean["knownBlockers"], serde_json::json!([]));
    }
}
