//! The Sigstore bundle of the manifest signature (`amc-build.sigstore.json`).
//!
//! Takes the manifest bytes, the DER signature and the public key; produces
//! the protobuf-JSON of a `dev.sigstore.bundle.v1.Bundle` with media type
//! v0.3, public-key verification material (the key hint sigstore-go
//! computes: base64 SHA-256 of the DER key) and a `messageSignature`
//! (SHA2_256 digest of the manifest plus the signature): the shape `cosign
//! sign-blob --key K --new-bundle-format --tlog-upload=false` writes. No
//! transparency-log entry and no timestamp: amc works offline. Never reads
//! or writes files.

use amc_syntax::diagnostics::BugResult;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::keys::{PublicKey, base64};

/// The v0.3 bundle media type.
pub const MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    media_type: &'static str,
    verification_material: VerificationMaterial,
    message_signature: MessageSignature,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerificationMaterial {
    public_key: PublicKeyIdentifier,
}

#[derive(Serialize)]
struct PublicKeyIdentifier {
    hint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageSignature {
    message_digest: HashOutput,
    signature: String,
}

#[derive(Serialize)]
struct HashOutput {
    algorithm: &'static str,
    digest: String,
}

/// The bundle bytes (pretty JSON, fields in protobuf field order, trailing newline).
pub fn bundle(manifest: &[u8], der_sig: &[u8], key: &PublicKey) -> BugResult<Vec<u8>> {
    let b = Bundle {
        media_type: MEDIA_TYPE,
        verification_material: VerificationMaterial {
            public_key: PublicKeyIdentifier { hint: key.hint() },
        },
        message_signature: MessageSignature {
            message_digest: HashOutput {
                algorithm: "SHA2_256",
                digest: base64(&Sha256::digest(manifest)),
            },
            signature: base64(der_sig),
        },
    };
    let mut s = serde_json::to_string_pretty(&b)
        .map_err(|e| format!("cannot serialise the Sigstore bundle: {e}"))?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// The DER signature a bundle carries, if it has one in standard base64.
pub fn signature_of(bundle: &[u8]) -> Option<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_slice(bundle).ok()?;
    let s = v.pointer("/messageSignature/signature")?.as_str()?;
    super::keys::unbase64(s)
}
