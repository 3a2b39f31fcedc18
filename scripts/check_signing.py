#!/usr/bin/env python3
"""Check a signed amc build output with tools independent of amc.

usage: check_signing.py OUT_DIR PUB_PEM UPSTREAM_CONTRACTS_DIR

  * amc-build.intoto.json: a DSSE envelope verified by securesystemslib
    (SSlibKey.from_crypto with its default keyid, Envelope.verify); its payload
    is an in-toto Statement v1 with SLSA provenance v1 whose subjects are
    every file the manifest lists plus the manifest, with digests computed
    here;
  * amc-build.sigstore.json: parsed with sigstore-protobuf-specs
    (dev.sigstore.bundle.v1.Bundle), must round-trip to the same JSON, carry
    the v0.3 media type, the key hint (base64 SHA-256 of the DER key), the
    manifest's SHA2_256 digest and a signature pyca/cryptography verifies;
  * amc-build.json.sig and amc-release-evidence.json.sig: verified with
    pyca/cryptography;
  * amc-release-evidence.json and amc-release-envelope.json: validated
    against upstream's ReleaseEvidenceBundle and SignedReleaseBundleEnvelope
    schemas; the envelope's subject and signature digests match the files.

Exit 0 when everything holds, 1 otherwise (each failure printed).
"""

import base64
import hashlib
import json
import sys
from pathlib import Path

import jsonschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
from sigstore_protobuf_specs.dev.sigstore.bundle.v1 import Bundle
from sigstore_protobuf_specs.dev.sigstore.common.v1 import HashAlgorithm

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL {what}")


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def verifies(pub, sig, msg):
    try:
        pub.verify(sig, msg, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    out, pub_path, contracts = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    pub_pem = pub_path.read_bytes()
    pub = serialization.load_pem_public_key(pub_pem)
    der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    manifest_bytes = (out / "amc-build.json").read_bytes()
    manifest = json.loads(manifest_bytes)

    # Every listed file has the digest the manifest records.
    listed = {}
    for a in manifest["artifacts"]:
        data = (out / a["path"]).read_bytes()
        check("sha256:" + sha256_hex(data) == a["sha256"], f"{a['path']}: digest differs from the manifest")
        listed[a["path"]] = sha256_hex(data)
    listed["amc-build.json"] = sha256_hex(manifest_bytes)

    # .sig files: cosign sign-blob format (base64 of a DER ECDSA signature, no newline).
    for sig_name, signed in [("amc-build.json.sig", "amc-build.json"), ("amc-release-evidence.json.sig", "amc-release-evidence.json")]:
        text = (out / sig_name).read_bytes()
        check(not text.endswith(b"\n"), f"{sig_name}: trailing newline")
        check(verifies(pub, base64.b64decode(text, validate=True), (out / signed).read_bytes()), f"{sig_name}: does not verify {signed}")

    # DSSE envelope with securesystemslib, default keyid.
    env_dict = json.loads((out / "amc-build.intoto.json").read_text())
    envelope = Envelope.from_dict(dict(env_dict, signatures=[dict(s) for s in env_dict["signatures"]]))
    key = SSlibKey.from_crypto(pub)
    check(env_dict["payloadType"] == "application/vnd.in-toto+json", "intoto: payloadType")
    try:
        accepted = envelope.verify([key], 1)
        check(key.keyid in accepted, "intoto: key not accepted")
    except Exception as e:  # securesystemslib raises VerificationError
        check(False, f"intoto: securesystemslib verification failed: {e}")
    statement = json.loads(envelope.payload)
    check(statement["_type"] == "https://in-toto.io/Statement/v1", "intoto: statement type")
    check(statement["predicateType"] == "https://slsa.dev/provenance/v1", "intoto: predicate type")
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    check(subjects == listed, f"intoto: subjects differ from the output files: {sorted(set(subjects) ^ set(listed))}")
    bd = statement["predicate"]["buildDefinition"]
    deps = {d["name"]: d["digest"]["sha256"] for d in bd["resolvedDependencies"]}
    check(deps == {i["path"]: i["sha256"].removeprefix("sha256:") for i in manifest["inputs"]}, "intoto: resolvedDependencies differ from the manifest inputs")
    check(bd["internalParameters"]["compiler"]["version"] == manifest["compiler"]["version"], "intoto: compiler version")

    # Sigstore bundle with the protobuf-specs types.
    bundle_json = json.loads((out / "amc-build.sigstore.json").read_text())
    bundle = Bundle.from_dict(bundle_json)
    check(bundle.to_dict() == bundle_json, "sigstore: bundle does not round-trip (unknown or non-canonical fields)")
    check(bundle.media_type == "application/vnd.dev.sigstore.bundle.v0.3+json", "sigstore: media type")
    check(bundle.verification_material.public_key.hint == base64.b64encode(hashlib.sha256(der).digest()).decode(), "sigstore: key hint")
    check(not bundle.verification_material.tlog_entries, "sigstore: unexpected tlog entries")
    md = bundle.message_signature.message_digest
    check(md.algorithm == HashAlgorithm.SHA2_256 and md.digest == hashlib.sha256(manifest_bytes).digest(), "sigstore: message digest")
    check(verifies(pub, bundle.message_signature.signature, manifest_bytes), "sigstore: signature does not verify the manifest")

    # Upstream release evidence contracts.
    for name, schema in [("amc-release-evidence.json", "release-evidence-bundle"), ("amc-release-envelope.json", "signed-release-bundle-envelope")]:
        doc = json.loads((out / name).read_text())
        s = json.loads((contracts / f"{schema}.schema.json").read_text())
        errors = sorted(jsonschema.Draft202012Validator(s).iter_errors(doc), key=str)
        check(not errors, f"{name}: {[e.message for e in errors][:3]}")
    env = json.loads((out / "amc-release-envelope.json").read_text())
    check(env["signature"]["status"] == "signed" and env["signature"]["algorithm"] == "cosign-key-pair", "envelope: not signed with cosign-key-pair")
    check(env["subject"]["subjectDigest"] == "sha256:" + sha256_hex((out / "amc-release-evidence.json").read_bytes()), "envelope: subjectDigest")
    check(env["signature"]["signatureDigest"] == "sha256:" + sha256_hex((out / env["signature"]["signatureRef"]).read_bytes()), "envelope: signatureDigest")
    check(env["signature"]["keyRef"] == "sha256:" + sha256_hex(der), "envelope: keyRef")

    if failures:
        print(f"check_signing: {out}: {len(failures)} failure(s)")
        return 1
    print(f"check_signing: {out}: DSSE (securesystemslib), Sigstore bundle (protobuf-specs), signatures, upstream contracts ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
