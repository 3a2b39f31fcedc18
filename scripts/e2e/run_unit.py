#!/usr/bin/env python3
"""Run what a Quadlet .container unit runs, on this host, with its mounts mapped.

usage: run_unit.py UNIT [--entrypoint CMD] [--background LOG] [--env K=V]...

No container runtime can pull images here, so the end-to-end test runs a
unit's process directly: the command is the unit's `Entrypoint=` (or
--entrypoint: the image's own entrypoint, e.g. llama-server) followed by its
`Exec=` words, split as systemd splits them (`%%` is `%`); its
`Environment=` is the process's environment. Every container path a `Volume=`
line mounts is replaced by the host path it comes from, in arguments and
environment values alike (`./file` sources are relative to the unit's
directory, as Quadlet resolves them), `Tmpfs=` paths get fresh temporary
directories, and a `PublishPort=IP:HOST:CONTAINER` rewrites `--host`/`--port`
arguments to listen where the unit publishes. Prints the command it runs.
Foreground: exits with the process's code. --background LOG: starts it,
prints its pid on stdout, output to LOG.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile


def parse(unit):
    section, keys = None, []
    with open(unit, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith(";"):
                continue
            m = re.match(r"^\[(.+)\]$", line)
            if m:
                section = m.group(1)
                continue
            k, _, v = line.partition("=")
            keys.append((section, k, v))
    return keys


def words(value):
    # systemd command-line splitting: quotes and backslash escapes; `%%` is `%`.
    return [w.replace("%%", "%") for w in shlex.split(value)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("unit")
    ap.add_argument("--entrypoint")
    ap.add_argument("--background")
    ap.add_argument("--env", action="append", default=[])
    a = ap.parse_args()
    unit_dir = os.path.dirname(os.path.abspath(a.unit))
    keys = parse(a.unit)
    container = [(k, v) for s, k, v in keys if s == "Container"]
    mounts = []
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    entry, args, publish = None, [], None
    tmpdirs = []
    for k, v in container:
        v = v.replace("%%", "%")
        if k == "Volume":
            src, dst = v.split(":")[:2]
            if src.startswith("./") or src.startswith("../"):
                src = os.path.normpath(os.path.join(unit_dir, src))
            mounts.append((dst, src))
        elif k == "Tmpfs":
            dst = v.split(":")[0]
            d = tempfile.mkdtemp(prefix="amc-e2e-tmpfs-")
            tmpdirs.append(d)
            mounts.append((dst, d))
        elif k == "Environment":
            for w in words(v):
                name, _, val = w.partition("=")
                env[name] = val
        elif k == "Entrypoint":
            entry = words(v)
        elif k == "Exec":
            args = words(v)
        elif k == "PublishPort":
            ip, host, cport = v.split(":")
            publish = (ip, host, cport)
    mounts.sort(key=lambda m: len(m[0]), reverse=True)

    def mapped(s):
        for dst, src in mounts:
            if s == dst or s.startswith(dst + "/"):
                return src + s[len(dst):]
            for sep in ("=",):
                if sep + dst in s:
                    head, _, tail = s.partition(sep + dst)
                    if tail == "" or tail.startswith("/"):
                        return head + sep + src + tail
        return s

    args = [mapped(x) for x in args]
    if publish:
        ip, host, cport = publish
        for i, x in enumerate(args[:-1]):
            if x == "--port" and args[i + 1] == cport:
                args[i + 1] = host
            if x == "--host":
                args[i + 1] = ip
    env = {k: mapped(v) for k, v in env.items()}
    for e in a.env:
        k, _, v = e.partition("=")
        env[k] = v
    if entry:
        cmd = [mapped(x) for x in entry]
    elif a.entrypoint:
        cmd = shlex.split(a.entrypoint)
    else:
        sys.exit("run_unit: the unit has no Entrypoint= and no --entrypoint was given")
    cmd += args
    print("run_unit: " + " ".join(shlex.quote(x) for x in cmd), file=sys.stderr)
    if a.background:
        log = open(a.background, "w")
        p = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        print(p.pid)
        return 0
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
