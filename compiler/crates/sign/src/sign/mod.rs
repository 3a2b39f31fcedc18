//! Sign: signatures and provenance for a build, and their verification.
//!
//! Takes the emitted artifacts (which already hold the build manifest
//! `amc-build.json` and the release evidence bundle) and, when signing, a
//! [`keys::Signer`]; adds the signature-side files to the same map, so
//! `write` stores everything in one atomic swap. Never touches the disk and
//! never reads a clock or randomness: ECDSA nonces are RFC 6979, so a build
//! signed twice with one key is byte-identical.
//!
//! What covers what:
//! - `amc-build.json` lists every other artifact with its sha256, including
//!   `amc-release-evidence.json`;
//! - `amc-build.json.sig`, `amc-build.sigstore.json` (messageSignature) and
//!   `amc-build.intoto.json` (DSSE; its statement's subjects are every artifact
//!   and the manifest) sign the manifest;
//! - `amc-release-evidence.json.sig` signs the evidence bundle, and
//!   `amc-release-envelope.json` records that signature (or, unsigned, says so).
//!
//! The signature-side files ([`SIGNATURE_FILES`]) are not in the manifest
//! they sign; each is a deterministic function of the manifest, the bundle,
//! the raw signatures and the public key, which is how `verify` checks them.

pub mod envelope;
pub mod keys;
pub mod provenance;
pub mod sigstore_bundle;
pub mod verify;

use amc_syntax::diagnostics::BugResult;
use std::path::PathBuf;

use serde::Deserialize;

use amc_emit::Artifacts;
use amc_emit::manifest::MANIFEST;
use amc_emit::release::BUNDLE;
use amc_syntax::EPOCH;

pub use keys::{PublicKey, Signer};

/// Base64 ECDSA signature of the manifest (cosign `sign-blob` output).
pub const MANIFEST_SIG: &str = "amc-build.json.sig";
/// Sigstore bundle (v0.3, public key, no tlog entry) of the manifest signature.
pub const SIGSTORE_BUNDLE: &str = "amc-build.sigstore.json";
/// DSSE envelope of the in-toto statement with SLSA provenance.
pub const INTOTO: &str = "amc-build.intoto.json";
/// Base64 ECDSA signature of the release evidence bundle.
pub const BUNDLE_SIG: &str = "amc-release-evidence.json.sig";
/// The SignedReleaseBundleEnvelope.
pub const ENVELOPE: &str = "amc-release-envelope.json";

/// Files outside the manifest, present in a signed build.
pub const SIGNATURE_FILES: [&str; 5] =
    [MANIFEST_SIG, SIGSTORE_BUNDLE, INTOTO, BUNDLE_SIG, ENVELOPE];

/// How to sign a build: the key file (read through the `Vfs`) and the
/// password for an encrypted cosign key.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Path of the private key.
    pub key: PathBuf,
    /// How diagnostics name it.
    pub display: String,
    /// `COSIGN_PASSWORD`, when set.
    pub password: Option<keys::Password>,
}

/// The `source` block of the manifest.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SourceFacts {
    /// `--source-commit`, if given.
    pub commit: Option<String>,
    /// `--workflow-run-id`, if given.
    pub workflow_run_id: Option<u64>,
}

/// One `path`/`sha256`/`bytes` entry of the manifest.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the output (artifacts) or the spec root (inputs).
    pub path: String,
    /// `sha256:<hex>`.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// The compiler block of the manifest.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Compiler {
    /// `amc`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The parts of `amc-build.json` that signing, provenance and verification read.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ManifestView {
    /// `amc.build/v1`.
    pub schema_version: String,
    /// The compiler that built it.
    pub compiler: Compiler,
    /// The decision time (the epoch when unset).
    pub decided_at: String,
    /// Whether a decision time was given.
    pub decision_time_set: bool,
    /// Inputs, relative to the spec root.
    pub inputs: Vec<Entry>,
    /// Artifacts, relative to the output directory.
    pub artifacts: Vec<Entry>,
    /// Stdlib modules imported.
    #[serde(default)]
    pub stdlib: Vec<String>,
    /// Source facts.
    #[serde(default)]
    pub source: SourceFacts,
    /// The overlay the spec was built with (`--overlay NAME`), if any.
    #[serde(default)]
    pub overlay: Option<String>,
}

impl ManifestView {
    /// Parses manifest bytes; `Err` carries the message and the 1-based line
    /// and column serde_json reports.
    pub fn parse(bytes: &[u8]) -> Result<Self, (String, usize, usize)> {
        let v: ManifestView =
            serde_json::from_slice(bytes).map_err(|e| (e.to_string(), e.line(), e.column()))?;
        if v.schema_version != "amc.build/v1" {
            return Err((
                format!("schemaVersion `{}` is not amc.build/v1", v.schema_version),
                1,
                1,
            ));
        }
        Ok(v)
    }

    /// The decision time as emitted (the epoch when unset).
    pub fn decided_at(&self) -> &str {
        if self.decided_at.is_empty() {
            EPOCH
        } else {
            &self.decided_at
        }
    }
}

/// The `.sig` file text for a DER signature: standard base64, no newline
/// (exactly what `cosign sign-blob --output-signature` writes).
pub fn sig_file(der: &[u8]) -> Vec<u8> {
    keys::base64(der).into_bytes()
}

/// Adds the signature-side files: all of them when `signer` is given, else
/// only the unsigned release envelope. `Err` is an internal error (the
/// manifest or bundle that emit just produced is missing or unreadable).
pub fn seal(artifacts: &mut Artifacts, signer: Option<&Signer>) -> BugResult<()> {
    // The manifest and bundle are read in place (at 10,000 agents they are
    // 30 and 50 MB); what is made from them is inserted afterwards.
    let manifest = artifacts
        .get(MANIFEST)
        .ok_or_else(|| format!("{MANIFEST} was not emitted"))?;
    let bundle = artifacts
        .get(BUNDLE)
        .ok_or_else(|| format!("{BUNDLE} was not emitted"))?;
    let view = ManifestView::parse(manifest).map_err(|(m, _, _)| format!("{MANIFEST}: {m}"))?;
    let Some(signer) = signer else {
        let env = envelope::envelope(bundle, &view, None)?;
        artifacts.insert(ENVELOPE.to_string(), env);
        return Ok(());
    };
    let key = signer.public();
    let manifest_sig = signer.sign(manifest);
    let statement = provenance::statement(manifest, &view)?;
    let dsse_sig = signer.sign(&provenance::pae(provenance::PAYLOAD_TYPE, &statement));
    let bundle_sig = sig_file(&signer.sign(bundle));
    let env = envelope::envelope(bundle, &view, Some((&bundle_sig, key)))?;
    let sigstore = sigstore_bundle::bundle(manifest, &manifest_sig, key)?;
    let intoto = provenance::envelope(&statement, &dsse_sig, key)?;
    artifacts.insert(MANIFEST_SIG.to_string(), sig_file(&manifest_sig));
    artifacts.insert(SIGSTORE_BUNDLE.to_string(), sigstore);
    artifacts.insert(INTOTO.to_string(), intoto);
    artifacts.insert(BUNDLE_SIG.to_string(), bundle_sig);
    artifacts.insert(ENVELOPE.to_string(), env);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        assert_eq!(
            provenance::pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }
}
