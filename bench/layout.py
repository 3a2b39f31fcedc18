#!/usr/bin/env python3
# Output layout by measurement (issue 17): the same 140,000 documents of ~2.3 KB
# written as per-pod directories (today), one flat directory, one bundle per
# pod, or 64 shards; time to write and to remove. Usage: bench/layout.py DIR
import os, time, shutil, sys
base = sys.argv[1]
doc = b'{"a": "' + b'x'*2300 + b'"}\n'
def run(name, fn):
    d = os.path.join(base, name)
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    os.sync()
    t = time.perf_counter(); n = fn(d); t1 = time.perf_counter() - t
    t = time.perf_counter(); shutil.rmtree(d); t2 = time.perf_counter() - t
    print(f"{name:40s} files={n:7d} write={t1:6.2f}s remove={t2:5.2f}s")
P, K = 10000, 14
def per_pod_dirs(d):
    for p in range(P):
        pd = os.path.join(d, f"agent-{p}"); os.mkdir(pd)
        for k in range(K):
            with open(os.path.join(pd, f"doc-{k}.json"), "wb") as f: f.write(doc)
    return P*K
def flat(d):
    for p in range(P):
        for k in range(K):
            with open(os.path.join(d, f"agent-{p}.doc-{k}.json"), "wb") as f: f.write(doc)
    return P*K
def bundle(d):
    for p in range(P):
        with open(os.path.join(d, f"agent-{p}.json"), "wb") as f: f.write(doc*K)
    return P
def shards(d):
    for s in range(64):
        with open(os.path.join(d, f"shard-{s}.jsonl"), "wb") as f: f.write(doc*K*(P//64))
    return 64
for name, fn in [("per-pod dirs (today)", per_pod_dirs), ("one flat dir", flat), ("one bundle per pod", bundle), ("64 shards", shards)]:
    run(name, fn)
