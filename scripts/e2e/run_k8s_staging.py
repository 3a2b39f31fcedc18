#!/usr/bin/env python3
"""Run an amc Kubernetes output's model staging on this host, as its objects say.

usage: run_k8s_staging.py OUT_DIR NODE_ROOT

For every staging Job under OUT_DIR/kubernetes/: its claim becomes a
directory NODE_ROOT/<namespace>/<claim>, its ConfigMap volume the files of
the ConfigMap it names, and its container command runs with its env (paths
mapped). Then every StatefulSet's verify init container runs the same way on
the claims it mounts, and must pass; with one byte of a staged file flipped it
must fail (AMC_WAIT_SECONDS=0, so it fails at once instead of waiting for a
Job). Checks that the server's model path is in the verified claim.
Exit 0 when all of that holds.
"""
import os
import pathlib
import subprocess
import sys
import tempfile

import yaml


def docs(out):
    for f in sorted((out / "kubernetes").rglob("*.yaml")):
        for d in yaml.safe_load_all(f.read_text(encoding="utf-8")):
            if d:
                yield d


def run(spec, container, node_root, configs, overrides=None):
    ns = spec["_ns"]
    mounts = {}
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="amc-e2e-k8s-"))
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for m in container.get("volumeMounts", []):
        v = volumes[m["name"]]
        if "persistentVolumeClaim" in v:
            d = node_root / ns / v["persistentVolumeClaim"]["claimName"]
            d.mkdir(parents=True, exist_ok=True)
            mounts[m["mountPath"]] = d
        elif "configMap" in v:
            cm = configs[(ns, v["configMap"]["name"])]
            d = tmp / m["name"]
            d.mkdir()
            for k, text in cm["data"].items():
                (d / k).write_text(text, encoding="utf-8")
            mounts[m["mountPath"]] = d
        else:
            d = tmp / m["name"]
            d.mkdir()
            mounts[m["mountPath"]] = d

    def mapped(s):
        for dst in sorted(mounts, key=len, reverse=True):
            if s == dst or s.startswith(dst + "/"):
                return str(mounts[dst]) + s[len(dst):]
        return s

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for e in container.get("env", []):
        env[e["name"]] = mapped(e["value"])
    env.update(overrides or {})
    cmd = [mapped(x) for x in container["command"] + container.get("args", [])]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return r.returncode, r.stderr


def main():
    out, node_root = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    all_docs = list(docs(out))
    configs = {(d["metadata"]["namespace"], d["metadata"]["name"]): d
               for d in all_docs if d["kind"] == "ConfigMap"}
    jobs = [d for d in all_docs if d["kind"] == "Job"]
    assert jobs, "no staging Job in the output"
    for j in jobs:
        spec = dict(j["spec"]["template"]["spec"], _ns=j["metadata"]["namespace"])
        code, err = run(spec, spec["containers"][0], node_root, configs)
        print(f"job {j['metadata']['namespace']}/{j['metadata']['name']}: exit {code}")
        if code != 0:
            print(err)
            return 1
    verified = 0
    for s in (d for d in all_docs if d["kind"] == "StatefulSet"):
        spec = dict(s["spec"]["template"]["spec"], _ns=s["metadata"]["namespace"])
        for c in spec.get("initContainers", []):
            code, err = run(spec, c, node_root, configs, {"AMC_WAIT_SECONDS": "0"})
            name = f"{s['metadata']['namespace']}/{s['metadata']['name']}"
            print(f"verify {name}: exit {code}")
            if code != 0:
                print(err)
                return 1
            verified += 1
            # The server reads the model at the mount of the verified claim.
            server = spec["containers"][0]
            model_mounts = [m for m in server["volumeMounts"] if m["name"] == "amc-model"]
            assert model_mounts and model_mounts[0].get("readOnly"), f"{name}: server does not mount the model read-only"
            claim = next(v for v in spec["volumes"] if v["name"] == "amc-model")["persistentVolumeClaim"]["claimName"]
            staged = node_root / spec["_ns"] / claim
            files = [p for p in staged.rglob("*") if p.is_file() and not p.name.startswith(".")]
            assert files, f"{name}: claim {claim} holds no model files"
            # A flipped byte must stop the server's start.
            target = files[0]
            data = bytearray(target.read_bytes())
            data[len(data) // 2] ^= 0xFF
            target.write_bytes(bytes(data))
            code, _ = run(spec, c, node_root, configs, {"AMC_WAIT_SECONDS": "0"})
            data[len(data) // 2] ^= 0xFF
            target.write_bytes(bytes(data))
            if code == 0:
                print(f"verify {name}: accepted a corrupted {target.name}")
                return 1
            print(f"verify {name}: refuses a corrupted {target.name}")
    assert verified, "no verify init container in the output"
    return 0


if __name__ == "__main__":
    sys.exit(main())
