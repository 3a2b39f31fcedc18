#!/usr/bin/env bash
# Builds every example with the release-independent debug binary and runs the
# external validators (kubernetes-validate --strict for 1.33 and 1.37, Podman's
# quadlet generator, the Quadlet key list) on each output. Also checks that a
# second build is byte-identical and that a failed build leaves the output intact.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
cargo build --locked -q
AMC="${CARGO_TARGET_DIR:-$REPO/target}/debug/amc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
outs=()
for ex in examples/*/; do
    name="$(basename "$ex")"
    # Examples carry admissions for their deployment receipt ids: the gate must pass.
    decided="$(cat "golden/example-$name/decided-at")"
    "$AMC" build "$ex" --out "$work/$name" --decided-at "$decided" --require-activation 2>/dev/null
    "$AMC" build "$ex" --out "$work/$name.again" --decided-at "$decided" --require-activation 2>/dev/null
    diff -r "$work/$name" "$work/$name.again" >/dev/null || { echo "FAIL: $name: second build differs"; exit 1; }
    outs+=("$work/$name")
done
# A failed build writes nothing and keeps the previous output.
before="$(cd "$work/workstation-llama" && find . -type f -exec sha256sum {} + | sort)"
if "$AMC" build golden/err-shape/input --out "$work/workstation-llama" 2>/dev/null; then
    echo "FAIL: a broken spec built"; exit 1
fi
after="$(cd "$work/workstation-llama" && find . -type f -exec sha256sum {} + | sort)"
[[ "$before" == "$after" ]] || { echo "FAIL: failed build touched the previous output"; exit 1; }
scripts/validate-output.sh "${outs[@]}"
echo "validate-examples: ${#outs[@]} passed, 0 failed"
