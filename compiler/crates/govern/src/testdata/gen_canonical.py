#!/usr/bin/env python3
"""Regenerates canonical.json: expected canonical JSON and digests, computed
the way upstream Agent Machine does (json.dumps(sort_keys=True,
separators=(",", ":")), ensure_ascii left at its default True).

Run from this directory: python3 gen_canonical.py > canonical.json
"""
import glob
import hashlib
import json
import os

TRICKY = [
    '"plain"',
    '"quote \\" backslash \\\\ slash /"',
    '"tab\\t newline\\n return\\r bs\\b ff\\f"',
    '"ctl \\u0001 \\u001f del \\u007f"',
    '"caf\\u00e9 na\\u00efve \\u00a0 nbsp"',
    '"\\u2028 line sep \\u2029 para sep"',
    '"emoji \\ud83d\\ude00 and CJK \\u6f22\\u5b57"',
    '"raw utf8: \u00fc\u00df \u4e2d \U0001F680"',
    '{"b": 1, "a": 2, "\\u00e9": 3, "Z": 4, "aa": 5, "": 6}',
    '{"nested": {"z": [3, 2, 1], "y": {"x": null, "w": true, "v": false}}}',
    '[1, -1, 0, 9007199254740993, -9223372036854775808, 18446744073709551615]',
    '[0.0, -0.0, 1.0, 1.5, -2.25, 0.1, 100.0, 1e2, 1e15, 1e16, 1.5e16, 123456789012345680.0]',
    '[0.0001, 0.00001, 1.5e-05, 1e-7, 3.141592653589793, 2.5e-310, 1.7976931348623157e308]',
    '[1e22, 1e21, 12345678901234567.0, 0.000123456, 5e-324]',
    '{"key with spaces": "v", "k\\u0000nul": "x"}',
    '[]',
    '{}',
    '""',
]

def entry(text):
    value = json.loads(text)
    canon = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return {
        "input": text,
        "canonical": canon,
        "digest": "sha256:" + hashlib.sha256(canon.encode("utf-8")).hexdigest(),
    }

out = {"tricky": [entry(t) for t in TRICKY], "upstream": {}}
for path in sorted(glob.glob("upstream/*.json")):
    with open(path, encoding="utf-8") as f:
        out["upstream"][os.path.basename(path)] = entry(f.read())["digest"]
print(json.dumps(out, indent=2, sort_keys=True))
