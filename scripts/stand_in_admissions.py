#!/usr/bin/env python3
"""Example stand-in for Policy Fabric and Agent Registry (used only by
scripts/regen-admissions.sh for the examples in examples/).

  stand_in_admissions.py RECEIPTS_DIR GOVERNANCE_DIR [RECIPE.json]

For every pod directory under RECEIPTS_DIR (the `receipts/` of an amc build),
reads the requests amc emitted and writes, into GOVERNANCE_DIR:

  <pod>.activation.json, <pod>.teardown.json, <pod>.wipe.json
      PolicyAdmissions that allow exactly what the request asks;
  <pod>.grant.json
      an active AgentRegistryGrant for exactly the requested scope.

RECIPE (used by the gov-* golden cases) changes documents after they are
made: {"pods": {"<pod>": null | {"activation"|"teardown"|"wipe"|"grant":
{"<json pointer>": value | {"$delete": true}}}}}. A pod mapped to null gets
no documents.

A real pipeline sends the requests to Policy Fabric and Agent Registry
instead; this script exists so the examples show an `allowed` activation and
stay in step with their deployment receipt ids. Output is sorted, indented
JSON, the format amc writes. Times are fixed (no clock).
"""
import hashlib
import json
import pathlib
import sys

DECIDED_AT = "2026-05-01T00:00:00Z"
EXPIRES_AT = "2027-05-01T00:00:00Z"
SAFETY = {
    "includeRawContent": False,
    "rawPromptContentIncluded": False,
    "rawKvCacheContentIncluded": False,
    "secretValuesIncluded": False,
    "privateMemoryIncluded": False,
}
LABELS = {"amc.example.stand-in": "true"}


def canonical_digest(value):
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def write(path, doc):
    path.write_text(json.dumps(doc, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def admission(pod, kind, req):
    request = req["request"]
    wanted = req["scope"]["denied"]
    denied_exposure = [e for e in ("host", "ingress") if e not in wanted["networkExposure"]]
    return {
        "specVersion": "0.1.0",
        "id": f"urn:srcos:agent-machine:policy-admission:example-{pod}-{kind}",
        "kind": "PolicyAdmission",
        "request": request,
        "decision": {
            "status": "allowed",
            "authorizationGranted": True,
            "decisionRef": f"urn:srcos:policy-decision:example-{pod}-{kind}",
            "decisionDigest": canonical_digest(request),
            "reason": "Example stand-in for Policy Fabric (scripts/regen-admissions.sh): allows exactly what the request asks.",
            "policyBundleRef": "urn:srcos:policy-bundle:amc-examples",
            "policyBundleDigest": None,
        },
        "scope": {
            "allowed": wanted,
            "denied": {
                "networkExposure": denied_exposure,
                "storageClasses": [],
                "volumeClasses": [],
                "providerIds": [],
                "cacheReuse": not wanted["cacheReuse"],
                "sideEffects": [] if wanted["cacheReuse"] else ["reuse-cache"],
            },
        },
        "obligations": {
            "requiredReceipts": req["obligations"]["requiredReceipts"],
            "expiresAt": EXPIRES_AT,
            "revocationRef": f"urn:srcos:revocation:example-{pod}-{kind}",
            "constraints": ["runtime-receipt-required", "storage-receipt-required"]
            if kind == "activation"
            else [],
        },
        "receiptSafety": SAFETY,
        "decidedAt": DECIDED_AT,
        "labels": LABELS,
    }


def grant(pod, req):
    request = dict(req["request"])
    request["requestedExpiresAt"] = EXPIRES_AT
    empty = {k: [] for k in request["requestedScope"]}
    return {
        "specVersion": "0.1.0",
        "id": f"urn:srcos:agent-machine:agent-registry-grant:example-{pod}",
        "kind": "AgentRegistryGrant",
        "request": request,
        "grant": {
            "status": "active",
            "authorizationGranted": True,
            "grantRef": f"urn:srcos:agent-registry-grant:example-{pod}",
            "grantDigest": canonical_digest(request),
            "reason": "Example stand-in for Agent Registry (scripts/regen-admissions.sh): grants exactly the requested scope.",
            "expiresAt": EXPIRES_AT,
            "revocationStatus": "active",
            "revocationRef": f"urn:srcos:revocation:example-{pod}-grant",
            "revocationHookRef": f"urn:srcos:agent-registry:revocation-hook:example-{pod}",
            "externalTrustSignals": [],
        },
        "scope": {"allowed": request["requestedScope"], "denied": empty},
        "receiptSafety": SAFETY,
        "issuedAt": DECIDED_AT,
        "labels": LABELS,
    }


def apply(doc, changes):
    for pointer, value in sorted((changes or {}).items()):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        node = doc
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if isinstance(value, dict) and value.get("$delete"):
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return doc


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    receipts, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    recipe = {}
    if len(sys.argv) == 4:
        recipe = json.loads(pathlib.Path(sys.argv[3]).read_text(encoding="utf-8")).get("pods", {})
    out.mkdir(parents=True, exist_ok=True)
    for pod_dir in sorted(p for p in receipts.iterdir() if p.is_dir()):
        pod = pod_dir.name
        if pod in recipe and recipe[pod] is None:
            continue
        changes = recipe.get(pod) or {}
        for kind in ("activation", "teardown", "wipe"):
            req = json.loads((pod_dir / f"policy-admission-request.{kind}.json").read_text(encoding="utf-8"))
            write(out / f"{pod}.{kind}.json", apply(admission(pod, kind, req), changes.get(kind)))
        req = json.loads((pod_dir / "agent-registry-grant-request.json").read_text(encoding="utf-8"))
        write(out / f"{pod}.grant.json", apply(grant(pod, req), changes.get("grant")))


if __name__ == "__main__":
    main()
