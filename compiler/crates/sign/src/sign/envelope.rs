//! The upstream SignedReleaseBundleEnvelope (`amc-release-envelope.json`).
//!
//! Takes the release evidence bundle bytes, the manifest view and, for a
//! signed build, the bundle's `.sig` file and the public key; produces the
//! envelope (contract `upstream/signed-release-bundle-envelope`). Signed:
//! status `signed`, algorithm `cosign-key-pair`, `keyRef` the key's
//! `sha256:` fingerprint, `signatureRef` the `.sig` file and
//! `signatureDigest` its sha256. Unsigned: status `unsigned`, nulls. The
//! `verification` block says `not-run`: verification happens where the
//! output is deployed (`amc verify`), which reports in the same shape. Never
//! reads files.

use amc_syntax::diagnostics::BugResult;
use serde_json::{Value, json};

use super::keys::PublicKey;
use super::{BUNDLE_SIG, ManifestView};
use amc_emit::manifest::{sha256, to_bytes};
use amc_emit::release::BUNDLE;

/// Prefix of the bundle's id; the envelope id reuses the bundle's slug.
const BUNDLE_ID: &str = "urn:srcos:agent-machine:release-evidence-bundle:";

fn receipt_safety() -> Value {
    json!({
        "includeRawContent": false,
        "rawPromptContentIncluded": false,
        "rawKvCacheContentIncluded": false,
        "secretValuesIncluded": false,
        "privateMemoryIncluded": false,
    })
}

/// The `verification` block of an envelope (also what `amc verify --format
/// json` prints under `verification`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Whether the signature and every digest checked out.
    pub verified: bool,
    /// `not-run`, `passed` or `failed`.
    pub status: &'static str,
    /// When (injected time), if known.
    pub verified_at: Option<String>,
    /// `amc <version>` when amc verified.
    pub verifier_version: Option<String>,
    /// Why it failed, if it did.
    pub failure_reason: Option<String>,
}

impl Verification {
    /// Not run yet (what a build writes).
    pub fn not_run(reason: Option<&str>) -> Self {
        Verification {
            verified: false,
            status: "not-run",
            verified_at: None,
            verifier_version: None,
            failure_reason: reason.map(str::to_string),
        }
    }

    /// The JSON block.
    pub fn to_json(&self) -> Value {
        json!({
            "verified": self.verified,
            "verificationStatus": self.status,
            "verifiedAt": self.verified_at,
            "verifierVersion": self.verifier_version,
            "failureReason": self.failure_reason,
        })
    }
}

/// The envelope bytes. `signed` is the bundle's `.sig` file bytes and the key.
pub fn envelope(
    bundle: &[u8],
    view: &ManifestView,
    signed: Option<(&[u8], &PublicKey)>,
) -> BugResult<Vec<u8>> {
    let b: Value =
        serde_json::from_slice(bundle).map_err(|e| format!("{BUNDLE} is not JSON: {e}"))?;
    let slug = b
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| id.strip_prefix(BUNDLE_ID))
        .ok_or_else(|| format!("{BUNDLE} has no release-evidence-bundle id"))?;
    let (signature, verification, note) = match signed {
        Some((sig, key)) => (
            json!({
                "status": "signed",
                "algorithm": "cosign-key-pair",
                "keyRef": key.fingerprint(),
                "signatureDigest": sha256(sig),
                "signatureRef": BUNDLE_SIG,
                "transparencyLogRef": null,
                "certificateRef": null,
            }),
            Verification::not_run(None),
            format!(
                "Check with `amc verify OUT --key KEY.pub`, or `cosign verify-blob --key KEY.pub --signature {BUNDLE_SIG} {BUNDLE}`."
            ),
        ),
        None => (
            json!({
                "status": "unsigned",
                "algorithm": null,
                "keyRef": null,
                "signatureDigest": null,
                "signatureRef": null,
                "transparencyLogRef": null,
                "certificateRef": null,
            }),
            Verification::not_run(Some("unsigned build: amc build ran without --sign-key")),
            "Unsigned build: sign with `amc build --sign-key KEY` (or AMC_SIGN_KEY).".to_string(),
        ),
    };
    to_bytes(&json!({
        "specVersion": "0.1.0",
        "id": format!("urn:srcos:agent-machine:signed-release-bundle-envelope:{slug}"),
        "kind": "SignedReleaseBundleEnvelope",
        "subject": {
            "subjectKind": "ReleaseEvidenceBundle",
            "subjectRef": BUNDLE,
            "subjectDigest": sha256(bundle),
            "sourceCommitSha": view.source.commit,
            "workflowRunId": view.source.workflow_run_id,
        },
        "signature": signature,
        "verification": verification.to_json(),
        "receiptSafety": receipt_safety(),
        "generatedAt": view.decided_at(),
        "notes": [note],
    }))
}
