#!/usr/bin/env python3
"""Independent check of amc's receipts with Python's jsonschema (the validator
upstream Agent Machine uses) and Python's json module.

usage: check_receipts.py REPO OUT_DIR

For every OUT_DIR/receipts/<pod>/*.json:
  * it validates against its contract (contracts/upstream/*.schema.json by
    `kind`, contracts/teardown-plan.schema.json for AmcTeardownPlan);
  * it is exactly json.dumps(doc, sort_keys=True, indent=2) + "\\n";
and for every pod the deployment receipt id is recomputed from the plan and
the rendered files with Python's canonical digest
(json.dumps(sort_keys=True, separators=(",", ":"))), so amc's digests agree
with other Agent Machine tools. Prints one line per failure; exit 1 on any.
"""
import hashlib
import json
import pathlib
import sys

import jsonschema

KINDS = {
    "AgentPod": "upstream/agent-pod",
    "InferenceProvider": "upstream/inference-provider",
    "CacheTier": "upstream/cache-tier",
    "AgentMachine": "upstream/agent-machine",
    "AgentPodDeploymentPlan": "upstream/agentpod-deployment-plan",
    "DeploymentReceipt": "upstream/deployment-receipt",
    "StorageReceipt": "upstream/storage-receipt",
    "AgentPlaneRuntimeEvidence": "upstream/agentplane-runtime-evidence",
    "ActivationDecision": "upstream/activation-decision",
    "PolicyAdmission": "upstream/policy-admission",
    "AgentRegistryGrant": "upstream/agent-registry-grant",
    "AmcTeardownPlan": "teardown-plan",
}


def digest(value):
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_digest(out, pod_dir, pod):
    """Digest of the list of the pod's rendered files with their sha256."""
    name, tenant = pod_dir.name, pod["labels"]["amc.tenant"]
    model = pod["labels"].get("amc.model")
    machines = [f.name[len("placement-evidence."):-len(".json")] for f in pod_dir.glob("placement-evidence.*.json")]
    candidates = []
    if pod["podType"] == "kubernetes-pod":
        for f in out.glob(f"kubernetes/*/{name}.yaml"):
            candidates.append(f)
            if model:
                models = f.parent / "models" / tenant
                node_files = [models / f"{model}.{m}.yaml" for m in machines]
                candidates += node_files
                if any(n.is_file() for n in node_files):
                    candidates.append(models / f"{model}.yaml")
    else:
        tiers = [f.name[len("cache-tier."):-len(".json")] for f in pod_dir.glob("cache-tier.*.json")]
        for machine in machines:
            d = out / "quadlet" / machine
            candidates += [d / f"{name}.container", d / f"amc-{tenant}.network"]
            candidates += [d / f"amc-{tenant}-{t}.volume" for t in tiers]
            if model:
                candidates += [d / f"amc-model-{model}.image", d / f"amc-model-{model}.artifact"]
                stage = d / f"amc-stage-{model}.container"
                if stage.is_file():
                    candidates += [stage, d / "amc-stage.sh", d / f"amc-stage-{model}.sha256", d / f"amc-stage-{model}.sources"]
    rels = sorted({c.relative_to(out).as_posix() for c in candidates if c.is_file()})
    listing = [{"path": r, "sha256": "sha256:" + hashlib.sha256((out / r).read_bytes()).hexdigest()} for r in rels]
    return digest(listing)


def main():
    repo, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    validators = {}
    for name in set(KINDS.values()):
        schema = json.loads((repo / "contracts" / f"{name}.schema.json").read_text(encoding="utf-8"))
        validators[name] = jsonschema.Draft202012Validator(schema)
    version = json.loads((out / "amc-build.json").read_text(encoding="utf-8"))["compiler"]["version"]
    failures, count = 0, 0

    def fail(path, msg):
        nonlocal failures
        failures += 1
        print(f"FAIL {path}: {msg}")

    for pod_dir in sorted(p for p in (out / "receipts").iterdir() if p.is_dir()):
        for f in sorted(pod_dir.glob("*.json")):
            count += 1
            text = f.read_text(encoding="utf-8")
            doc = json.loads(text)
            name = KINDS.get(doc.get("kind"))
            if name is None:
                fail(f, f"unexpected kind {doc.get('kind')!r}")
                continue
            for err in validators[name].iter_errors(doc):
                fail(f, f"{name}: {'/'.join(map(str, err.path))}: {err.message}")
            if text != json.dumps(doc, sort_keys=True, indent=2) + "\n":
                fail(f, "not sorted, indented, ASCII JSON")
        receipt = json.loads((pod_dir / "deployment-receipt.json").read_text(encoding="utf-8"))
        plan = json.loads((pod_dir / "deployment-plan.json").read_text(encoding="utf-8"))
        pod = json.loads((pod_dir / "agent-pod.json").read_text(encoding="utf-8"))
        if plan["source"]["digest"] != digest(pod):
            fail(pod_dir, "plan source digest differs from Python's digest of agent-pod.json")
        plan_digest = digest(plan)
        if receipt["artifact"]["digest"] != plan_digest:
            fail(pod_dir, "receipt artifact digest differs from Python's digest of deployment-plan.json")
        request = json.loads((pod_dir / "policy-admission-request.activation.json").read_text(encoding="utf-8"))
        manifest = manifest_digest(out, pod_dir, pod)
        if request["request"]["manifestDigest"] != manifest:
            fail(pod_dir, f"manifest digest {request['request']['manifestDigest']} is not {manifest}")
        material = f"{pod['id']}:{plan_digest}:{manifest}:amc:{version}"
        want = "urn:srcos:agent-machine:deployment-receipt:" + hashlib.sha256(material.encode()).hexdigest()[:32]
        if receipt["receiptId"] != want:
            fail(pod_dir, f"receipt id {receipt['receiptId']} is not {want}")
        if request["request"]["deploymentReceiptId"] != receipt["receiptId"]:
            fail(pod_dir, "the activation request names another deployment receipt id")
    print(f"check-receipts: {count} documents, {failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
