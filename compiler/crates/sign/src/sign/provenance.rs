//! In-toto provenance in a DSSE envelope (`amc-build.intoto.json`).
//!
//! Takes the manifest bytes (and their parsed view); produces an in-toto
//! Statement v1 whose subjects are every artifact and the manifest itself
//! (name and sha256) with a SLSA provenance v1 predicate: the build
//! definition names the spec inputs (spec files and documents such as host
//! facts) by digest, the stdlib modules, the decision time, the source facts
//! and the compiler version. The statement is a pure function of the
//! manifest, so `verify` rebuilds it and compares. Wraps it in a DSSE
//! envelope (payloadType `application/vnd.in-toto+json`, signature over the
//! PAE, `keyid` as securesystemslib computes it). Never reads files.

use amc_syntax::diagnostics::BugResult;
use serde_json::{Value, json};

use super::ManifestView;
use super::keys::{PublicKey, base64};
use amc_emit::manifest::{MANIFEST, sha256, to_bytes};

/// DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// In-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// SLSA provenance v1.
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";

/// The build type URI (documented in docs/provenance.md).
pub fn build_type() -> String {
    format!("{}/provenance/build-type/v1", env!("CARGO_PKG_REPOSITORY"))
}

fn digest_set(sha: &str) -> Value {
    json!({"sha256": sha.strip_prefix("sha256:").unwrap_or(sha)})
}

/// The statement bytes (compact JSON, keys sorted) for a manifest.
pub fn statement(manifest: &[u8], view: &ManifestView) -> BugResult<Vec<u8>> {
    // One subject per artifact, then the manifest: serialised as they go
    // (sorted keys, as the `Value` would be).
    #[derive(serde::Serialize)]
    struct Subject<'a> {
        digest: Sha<'a>,
        name: &'a str,
    }
    #[derive(serde::Serialize)]
    struct Sha<'a> {
        sha256: &'a str,
    }
    fn hex(s: &str) -> Sha<'_> {
        Sha {
            sha256: s.strip_prefix("sha256:").unwrap_or(s),
        }
    }
    let manifest_sha = sha256(manifest);
    let subjects = amc_emit::manifest::Seq(|| {
        view.artifacts
            .iter()
            .map(|a| Subject {
                digest: hex(&a.sha256),
                name: &a.path,
            })
            .chain(std::iter::once(Subject {
                digest: hex(&manifest_sha),
                name: MANIFEST,
            }))
    });
    let mut version = serde_json::Map::new();
    version.insert(
        view.compiler.name.clone(),
        Value::String(view.compiler.version.clone()),
    );
    let v = json!({
        "_type": STATEMENT_TYPE,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": build_type(),
                "externalParameters": {
                    "decidedAt": view.decided_at(),
                    "decisionTimeSet": view.decision_time_set,
                    "sourceCommit": view.source.commit,
                    "workflowRunId": view.source.workflow_run_id,
                },
                "internalParameters": {
                    "compiler": {"name": view.compiler.name, "version": view.compiler.version},
                    "stdlib": view.stdlib,
                },
                "resolvedDependencies": view.inputs.iter().map(|i| json!({
                    "name": i.path,
                    "digest": digest_set(&i.sha256),
                })).collect::<Vec<_>>(),
            },
            "runDetails": {
                "builder": {
                    "id": format!("{}/provenance/builder/v1", env!("CARGO_PKG_REPOSITORY")),
                    "version": version,
                },
            },
        },
    });
    amc_emit::manifest::to_compact_with(&v, "subject", &subjects)
}

/// DSSE pre-authentication encoding: `DSSEv1 <len type> <type> <len body> <body>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The DSSE envelope bytes (pretty JSON, trailing newline).
pub fn envelope(statement: &[u8], der_sig: &[u8], key: &PublicKey) -> BugResult<Vec<u8>> {
    to_bytes(&json!({
        "payload": base64(statement),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": key.dsse_keyid(), "sig": base64(der_sig)}],
    }))
}

/// The first signature an envelope carries, if it decodes.
pub fn signature_of(envelope: &[u8]) -> Option<Vec<u8>> {
    let v: Value = serde_json::from_slice(envelope).ok()?;
    let s = v.pointer("/signatures/0/sig")?.as_str()?;
    super::keys::unbase64(s)
}
