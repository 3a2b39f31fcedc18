#!/usr/bin/env python3
"""Check Podman Quadlet unit files against scripts/testdata/reference/quadlet-keys.json.

usage: check_quadlet_keys.py [--keys JSON] [--max-podman X.Y.Z]
                             [--dryrun-output FILE] PATH [PATH...]

PATH is a unit file or a directory (searched recursively for *.container,
*.volume, *.network, *.pod, *.kube, *.image, *.build, *.artifact).

Checks, each reported as `file:line: message`:
  * every key in a Quadlet-owned section ([Container], [Volume], [Network],
    [Pod], [Kube], [Image], [Build], [Artifact], [Quadlet]) is listed for
    that section in quadlet-keys.json (case-sensitive);
  * a unit has the section its extension calls for, and no other file
    type's Quadlet section;
  * no [Service] key that quadlet warns does not work with podman
    (User, Group, DynamicUser);
  * with --max-podman: no key first accepted by a later Podman version
    (per key_first_seen);
  * with --dryrun-output FILE (stdout of `quadlet -dryrun` over exactly
    these PATHs): every unit produced its generated service and nothing
    else was generated, so a silently ignored unit fails.

Default --keys: <repo>/scripts/testdata/reference/quadlet-keys.json (vendored
from the shared reference data). Exit 0 if clean, 1 on offenders, 2 on usage
errors. Uses only the standard library.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_KEYS = REPO / "scripts" / "testdata" / "reference" / "quadlet-keys.json"

# Plain systemd sections quadlet passes through (checked by systemd).
PASSTHROUGH = {"Unit", "Service", "Install"}

# Generated service name suffix per unit type (quadlet.go: GetServiceName
# callers): x.container -> x.service, x.volume -> x-volume.service, ...
SERVICE_SUFFIX = {
    "Container": "",
    "Kube": "",
    "Volume": "-volume",
    "Network": "-network",
    "Pod": "-pod",
    "Image": "-image",
    "Build": "-build",
    "Artifact": "-artifact",
}


def version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


class Unit:
    def __init__(self, path: Path):
        self.path = path
        self.sections: list[tuple[str, int]] = []  # (name, line)
        self.keys: list[tuple[str, str, str, int]] = []  # (section, key, value, line)
        self.errors: list[tuple[int, str]] = []
        self._parse()

    def _parse(self) -> None:
        section = None
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self.errors.append((0, f"cannot read unit: {e}"))
            return
        continuation = False
        for lineno, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if continuation:
                continuation = line.endswith("\\")
                continue
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                if not line.endswith("]") or len(line) < 3:
                    self.errors.append((lineno, f"malformed section header {line!r}"))
                    section = None
                    continue
                section = line[1:-1]
                self.sections.append((section, lineno))
                continue
            if "=" not in line:
                self.errors.append((lineno, f"not a key=value line: {line!r}"))
                continue
            key, value = line.split("=", 1)
            key = key.strip()
            if section is None:
                self.errors.append((lineno, f"key {key!r} outside any section"))
            else:
                self.keys.append((section, key, value.strip(), lineno))
            continuation = line.endswith("\\")

    def value(self, section: str, key: str) -> str | None:
        found = None
        for s, k, v, _ in self.keys:
            if s == section and k == key:
                found = v
        return found


def collect(paths: list[str], exts: dict[str, str]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for n in sorted(names):
                    if os.path.splitext(n)[1] in exts:
                        files.append(Path(root) / n)
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(p)
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keys", default=str(DEFAULT_KEYS), help="quadlet-keys.json (default: %(default)s)")
    ap.add_argument("--max-podman", metavar="X.Y.Z",
                    help="also reject keys first accepted after this Podman version")
    ap.add_argument("--dryrun-output", metavar="FILE",
                    help="stdout of `quadlet -dryrun` over PATHs; assert one service per unit")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()

    try:
        ref = json.loads(Path(args.keys).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"check_quadlet_keys: cannot load {args.keys}: {e}", file=sys.stderr)
        return 2
    exts: dict[str, str] = ref["file_extension_to_section"]
    quadlet_sections = {s for s in list(exts.values()) + ["Quadlet"] if isinstance(ref.get(s), list)}
    allowed = {s: set(ref[s]) for s in quadlet_sections}
    warned_service_keys = set(ref.get("service_keys_warned", {}).get("keys", []))
    first_seen = ref.get("key_first_seen", {})
    ref_version = ref.get("podman_version", "?")
    max_podman = version_tuple(args.max_podman) if args.max_podman else None

    try:
        files = collect(args.paths, exts)
    except FileNotFoundError as e:
        print(f"check_quadlet_keys: no such file or directory: {e}", file=sys.stderr)
        return 2

    problems: list[str] = []
    if not files:
        problems.append(f"{' '.join(args.paths)}: no Quadlet unit files found")

    def report(path: Path, line: int, msg: str) -> None:
        problems.append(f"{path}:{line}: {msg}" if line else f"{path}: {msg}")

    expected_services: dict[str, Path] = {}
    for f in files:
        ext = f.suffix
        if ext not in exts:
            report(f, 0, f"not a Quadlet unit file extension ({', '.join(sorted(exts))})")
            continue
        own = exts[ext]
        u = Unit(f)
        for line, msg in u.errors:
            report(f, line, msg)
        names = [s for s, _ in u.sections]
        if own not in names:
            report(f, 0, f"missing [{own}] section required for a {ext} unit")
        for s, line in u.sections:
            if s in quadlet_sections and s not in (own, "Quadlet"):
                report(f, line, f"section [{s}] does not belong in a {ext} unit")
            elif s not in quadlet_sections and s not in PASSTHROUGH and not s.startswith("X-"):
                report(f, line, f"unknown section [{s}]")
        for s, k, _v, line in u.keys:
            if s in allowed:
                if k not in allowed[s]:
                    report(f, line, f"unsupported key '{k}' in [{s}] "
                                    f"(not in quadlet-keys.json for Podman {ref_version})")
                elif max_podman is not None:
                    seen = first_seen.get(s, {}).get(k)
                    if seen and version_tuple(seen) > max_podman:
                        report(f, line, f"key '{k}' in [{s}] needs Podman >= {seen.lstrip('v')} "
                                        f"(target {args.max_podman})")
            elif s == "Service" and k in warned_service_keys:
                report(f, line, f"[Service] {k}= does not work with podman containers (quadlet warns)")
        name = u.value(own, "ServiceName")
        service = f"{name}.service" if name else f"{f.stem}{SERVICE_SUFFIX.get(own, '')}.service"
        if service in expected_services:
            report(f, 0, f"generated service {service} collides with {expected_services[service]}")
        expected_services[service] = f

    if args.dryrun_output:
        try:
            out = Path(args.dryrun_output).read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            print(f"check_quadlet_keys: cannot read {args.dryrun_output}: {e}", file=sys.stderr)
            return 2
        generated = re.findall(r"^---(.+)---$", out, flags=re.MULTILINE)
        gen_set = set(generated)
        for service, f in expected_services.items():
            if service not in gen_set:
                report(f, 0, f"quadlet -dryrun generated no {service} for this unit")
        for g in generated:
            if g not in expected_services:
                problems.append(f"{args.dryrun_output}: quadlet generated unexpected unit {g}")
        if len(generated) != len(gen_set):
            problems.append(f"{args.dryrun_output}: quadlet generated a unit name twice")

    for p in problems:
        print(p)
    if problems:
        print(f"check_quadlet_keys: {len(problems)} problem(s) in {len(files)} unit file(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
