#!/usr/bin/env python3
"""Check that every model a Kubernetes pod reads is staged by the output itself.

usage: check_staging.py OUT_DIR

For every workload (StatefulSet, Deployment, Job excluded) under
OUT_DIR/kubernetes/, every volume a container mounts read-only must be one of:
  * an image volume (`volumes[].image`, by digest: the kubelet verifies it);
  * a ConfigMap or a memory emptyDir;
  * a PersistentVolumeClaim that an init container of the same pod verifies
    (AMC_MODE=verify on the same volume) AND that is filled by a staging Job
    in the same namespace mounting the same claim read-write, or labelled
    resident (`agent-machine.sourceos.dev/resident: "true"`) by the PVC object.
A read-only claim nothing fills, or that the server reads unverified, fails.
Exit 0 clean, 1 on failures, 2 on usage errors. Needs PyYAML (in the venv).
"""
import pathlib
import sys

import yaml


def docs(out):
    for f in sorted((out / "kubernetes").rglob("*.yaml")):
        for d in yaml.safe_load_all(f.read_text(encoding="utf-8")):
            if d:
                yield f, d


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = pathlib.Path(sys.argv[1])
    if not (out / "kubernetes").is_dir():
        print("check_staging: no kubernetes/ output; nothing to check")
        return 0
    all_docs = list(docs(out))
    pvcs = {}
    writers = set()
    for f, d in all_docs:
        ns = d.get("metadata", {}).get("namespace")
        if d.get("kind") == "PersistentVolumeClaim":
            pvcs[(ns, d["metadata"]["name"])] = d
        if d.get("kind") == "Job":
            spec = d["spec"]["template"]["spec"]
            claims = {v["name"]: v["persistentVolumeClaim"]["claimName"]
                      for v in spec.get("volumes", []) if "persistentVolumeClaim" in v}
            for c in spec.get("containers", []):
                for m in c.get("volumeMounts", []):
                    if m["name"] in claims and not m.get("readOnly"):
                        writers.add((ns, claims[m["name"]]))
    failures = 0
    checked = 0
    for f, d in all_docs:
        if d.get("kind") not in ("StatefulSet", "Deployment"):
            continue
        ns = d["metadata"].get("namespace")
        spec = d["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        verified = set()
        for c in spec.get("initContainers", []):
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if env.get("AMC_MODE") == "verify":
                verified |= {m["name"] for m in c.get("volumeMounts", [])}
        for c in spec.get("containers", []):
            for m in c.get("volumeMounts", []):
                if not m.get("readOnly"):
                    continue
                v = volumes.get(m["name"])
                where = f"{f.relative_to(out)}: {d['kind']}/{d['metadata']['name']} mounts {m['name']} at {m['mountPath']}"
                if v is None:
                    continue  # a volume claim template: the replica's own claim
                checked += 1
                if "image" in v or "configMap" in v or "emptyDir" in v:
                    continue
                if "persistentVolumeClaim" not in v:
                    print(f"FAIL {where}: read-only volume of an unknown kind")
                    failures += 1
                    continue
                claim = v["persistentVolumeClaim"]["claimName"]
                if m["name"] not in verified:
                    print(f"FAIL {where}: claim {claim} is read without a verify init container")
                    failures += 1
                pvc = pvcs.get((ns, claim))
                resident = pvc is not None and pvc["metadata"].get("labels", {}).get(
                    "agent-machine.sourceos.dev/resident") == "true"
                if (ns, claim) not in writers and not resident:
                    print(f"FAIL {where}: nothing in the output fills claim {claim}")
                    failures += 1
    print(f"check_staging: {checked} read-only mounts checked, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
